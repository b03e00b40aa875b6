//! A volume: its filesystem kind, label and serial, its records (nodes by MFT
//! record number, with a sequence number per record), the records changed
//! since the last journal commit, and its space accounting (`space`).

use crate::attrs::{Times, FILE_ATTRIBUTE_DIRECTORY};
use crate::data::FileData;
use crate::file_ref::{FileRef, RecordNo, SeqNo};
use crate::name::Name;
use crate::node::{Node, NodeKind, PosixMeta};
use crate::profile::FsKind;
use crate::space::DEFAULT_VOLUME_SIZE;
use slab::Slab;
use std::collections::BTreeSet;

/// The root directory's record number on NTFS.
pub const ROOT_RECORD: RecordNo = 5;
/// Records below this hold metadata files on NTFS; user files start here.
pub const FIRST_USER_RECORD: RecordNo = 16;

pub(crate) struct Volume {
    pub letter: u8,
    pub kind: FsKind,
    pub label: String,
    pub serial: u32,
    pub nodes: Slab<Node>,
    /// Sequence number per record; it lives beside the slab so it survives the
    /// node's removal and a reused record never aliases an old FileRef.
    pub seqs: Vec<SeqNo>,
    /// Records changed since the last journal commit or save (image::journal).
    /// Every change to a record goes through `node_mut`, `insert` or `free`,
    /// which note it here; `nodes` is never changed past them.
    pub dirty: BTreeSet<RecordNo>,
    /// What the volume holds, kept as nodes come, go and change (space.rs).
    pub space: Space,
}

/// A volume's size and what its nodes use of it and of memory.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Space {
    /// Bytes of file data the volume holds at most (`--size`).
    pub size: u64,
    /// Bytes of file data stored: the files' lengths summed.
    pub used: u64,
    /// Memory the file data holds ([`FileData::heap`](crate::data::FileData::heap)).
    pub data_memory: u64,
    /// Names of all nodes (each charged to the memory budget).
    pub names: u64,
}

impl Space {
    pub fn empty(size: u64) -> Space {
        Space {
            size,
            used: 0,
            data_memory: 0,
            names: 0,
        }
    }

    /// What `nodes` hold, counted from scratch (new and loaded volumes, and the
    /// invariant that the running counts are right).
    pub fn count(size: u64, nodes: &Slab<Node>) -> Space {
        let mut s = Space::empty(size);
        for (_, n) in nodes {
            s.add(n);
        }
        s
    }

    fn add(&mut self, n: &Node) {
        self.used += n.size();
        self.data_memory += n.data().map_or(0, FileData::heap);
        self.names += n.names.len() as u64;
    }

    fn remove(&mut self, n: &Node) {
        self.used -= n.size();
        self.data_memory -= n.data().map_or(0, FileData::heap);
        self.names -= n.names.len() as u64;
    }
}

impl Volume {
    pub fn new(
        letter: u8,
        kind: FsKind,
        label: String,
        serial: u32,
        now: u64,
        posix: PosixMeta,
    ) -> Volume {
        let mut nodes = Slab::with_capacity(64);
        let mut seqs = Vec::with_capacity(64);
        for record in 0..FIRST_USER_RECORD {
            let kind = if record == ROOT_RECORD {
                NodeKind::Directory(Default::default())
            } else {
                NodeKind::Reserved
            };
            let key = nodes.insert(Node {
                kind,
                attrs: if record == ROOT_RECORD {
                    FILE_ATTRIBUTE_DIRECTORY | 0x6
                } else {
                    0
                },
                times: Times::all(now),
                names: Default::default(),
                reparse: None,
                posix: PosixMeta {
                    mode: 0o755,
                    ..posix
                },
                open_count: 0,
                security: None,
            });
            debug_assert_eq!(key as u64, record);
            seqs.push(record as SeqNo);
        }
        // NTFS gives metadata records their record number as sequence (root: 5).
        seqs[0] = 1;
        // A new volume is all news to the journal.
        let dirty = (0..FIRST_USER_RECORD).collect();
        Volume {
            letter: letter.to_ascii_uppercase(),
            kind,
            label,
            serial,
            space: Space::count(DEFAULT_VOLUME_SIZE, &nodes),
            nodes,
            seqs,
            dirty,
        }
    }

    pub fn node(&self, record: RecordNo) -> Option<&Node> {
        self.nodes
            .get(record as usize)
            .filter(|n| !matches!(n.kind, NodeKind::Reserved))
    }

    pub fn node_mut(&mut self, record: RecordNo) -> Option<&mut Node> {
        self.dirty.insert(record);
        self.nodes
            .get_mut(record as usize)
            .filter(|n| !matches!(n.kind, NodeKind::Reserved))
    }

    pub fn file_ref(&self, record: RecordNo) -> FileRef {
        FileRef::new(record, self.seqs[record as usize])
    }

    /// The node a FileRef names, only if its sequence still matches.
    pub fn resolve_ref(&self, r: FileRef) -> Option<RecordNo> {
        let rec = r.record();
        (self.seqs.get(rec as usize) == Some(&r.seq()) && self.node(rec).is_some()).then_some(rec)
    }

    pub fn insert(&mut self, node: Node) -> RecordNo {
        self.space.add(&node);
        let key = self.nodes.insert(node);
        if self.seqs.len() <= key {
            self.seqs.resize(key + 1, 1);
        }
        self.dirty.insert(key as RecordNo);
        key as RecordNo
    }

    /// Frees a record and bumps its sequence (never 0, as NTFS skips it).
    pub fn free(&mut self, record: RecordNo) -> Node {
        let node = self.nodes.remove(record as usize);
        self.dirty.insert(record);
        self.space.remove(&node);
        let s = &mut self.seqs[record as usize];
        *s = s.wrapping_add(1).max(1);
        node
    }

    /// The volume-root-relative path of a directory record: `\a\b` (root: `\`).
    pub fn dir_path(&self, record: RecordNo) -> String {
        String::from_utf16_lossy(&self.dir_path_units(record))
    }

    /// [`Volume::dir_path`] with each name's exact units (N3).
    pub fn dir_path_units(&self, mut record: RecordNo) -> Vec<u16> {
        const BS: u16 = b'\\' as u16;
        let mut parts: Vec<&[u16]> = Vec::new();
        let mut guard = 0;
        while record != ROOT_RECORD && guard < 10_000 {
            let Some(n) = self.node(record) else { break };
            let Some(link) = n.names.first() else { break };
            parts.push(link.name.units());
            record = link.parent;
            guard += 1;
        }
        if parts.is_empty() {
            return vec![BS];
        }
        let mut out = Vec::new();
        for part in parts.iter().rev() {
            out.push(BS);
            out.extend_from_slice(part);
        }
        out
    }

    /// The names from the volume root down to directory `record` (empty for the
    /// root): its physical path, through each directory's one name.
    pub fn dir_names(&self, mut record: RecordNo) -> Vec<Name> {
        let mut names = Vec::new();
        // A directory has one name, so the parent links form a chain to the root;
        // the guard only stops a corrupt chain.
        while record != ROOT_RECORD && names.len() < 10_000 {
            let Some(link) = self.node(record).and_then(|n| n.names.first()) else {
                break;
            };
            names.push(link.name.clone());
            record = link.parent;
        }
        names.reverse();
        names
    }

    pub fn user_records(&self) -> impl Iterator<Item = (RecordNo, &Node)> {
        self.nodes
            .iter()
            .filter(|(_, n)| !matches!(n.kind, NodeKind::Reserved))
            .map(|(k, n)| (k as RecordNo, n))
    }
}
