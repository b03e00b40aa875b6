//! A node: one MFT record, a file or a directory, with its names (hard links),
//! its reparse point if any, and the POSIX owner, mode and device numbers the
//! Linux view shows ([`PosixMeta`]).

use crate::attrs::Times;
use crate::data::FileData;
use crate::file_ref::RecordNo;
use crate::name::{Name, NameKey};
use crate::reparse::ReparseData;
use std::collections::BTreeMap;

/// A node's names: almost every node has exactly one, kept inline.
pub(crate) type Names = smallvec::SmallVec<[NameLink; 1]>;

/// A directory's entries: case-folded key → record. Ordered by NTFS collation,
/// which is the order directories enumerate in.
pub(crate) type Entries = BTreeMap<NameKey, RecordNo>;

#[derive(Debug)]
pub(crate) enum NodeKind {
    File(FileData),
    /// Boxed: directories are few, and a small NodeKind keeps every file small.
    Directory(Box<Entries>),
    /// Records 0–15 other than the root hold NTFS metadata files; they are kept
    /// allocated so user records start at 16 as on a real volume.
    Reserved,
}

/// One name of a node: the directory holding it and the name as written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct NameLink {
    pub parent: RecordNo,
    pub name: Name,
    /// Marked for delete while handles are open (classic semantics, M10, HL21).
    pub delete_pending: bool,
}

/// A reparse point: the raw buffer as set (R5) and its decoded form.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Reparse {
    pub raw: Box<[u8]>,
    pub data: ReparseData,
}

/// POSIX ownership and mode for the Linux view (ntfs-3g `permissions`). With the
/// reparse tag (the file type) it is everything WSL keeps in the `$LX*` extended
/// attributes (see `special`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct PosixMeta {
    /// Owner user id (0 when never set).
    pub uid: u32,
    /// Owner group id.
    pub gid: u32,
    /// Permission bits (0o7777).
    pub mode: u16,
    /// Device numbers (st_rdev, `$LXDEV`) of a character or block device; zero
    /// for every other node.
    pub rdev: DeviceNumbers,
}

/// A device's major and minor numbers, as `$LXDEV` stores them.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct DeviceNumbers {
    /// Major device number.
    pub major: u32,
    /// Minor device number.
    pub minor: u32,
}

#[derive(Debug)]
pub(crate) struct Node {
    pub kind: NodeKind,
    pub attrs: u32,
    pub times: Times,
    pub names: Names,
    pub reparse: Option<Box<Reparse>>,
    pub posix: PosixMeta,
    /// Open handles on this node.
    pub open_count: u32,
    /// Its security descriptor; None grants everything (security.rs).
    pub security: Option<Box<crate::security::SecurityDescriptor>>,
}

impl Node {
    pub fn is_dir(&self) -> bool {
        matches!(self.kind, NodeKind::Directory(_))
    }

    pub fn entries(&self) -> Option<&Entries> {
        match &self.kind {
            NodeKind::Directory(e) => Some(&**e),
            _ => None,
        }
    }

    pub fn entries_mut(&mut self) -> Option<&mut Entries> {
        match &mut self.kind {
            NodeKind::Directory(e) => Some(&mut **e),
            _ => None,
        }
    }

    pub fn data(&self) -> Option<&FileData> {
        match &self.kind {
            NodeKind::File(d) => Some(d),
            _ => None,
        }
    }

    pub fn size(&self) -> u64 {
        self.data().map_or(0, FileData::len)
    }

    /// NumberOfLinks: names not pending delete (HL21).
    pub fn link_count(&self) -> u32 {
        self.names.iter().filter(|n| !n.delete_pending).count() as u32
    }

    /// The name this node has in directory `parent` under `key`, if any.
    pub fn name_in(&self, parent: RecordNo, key: &NameKey) -> Option<&NameLink> {
        self.name_in_units(parent, key.units())
    }

    /// [`Node::name_in`] with the key's folded units.
    pub fn name_in_units(&self, parent: RecordNo, key: &[u16]) -> Option<&NameLink> {
        self.names
            .iter()
            .find(|l| l.parent == parent && l.name.matches_key_units(key))
    }

    pub fn reparse_tag(&self) -> Option<u32> {
        self.reparse.as_ref().map(|r| r.data.tag().0)
    }
}
