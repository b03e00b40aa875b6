//! The invariants the model keeps after every operation (DESIGN.md), checked by
//! tests after each step and by the debug-build write guard of [`crate::Shared`].

use crate::attrs::{FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_REPARSE_POINT, SETTABLE_ATTRIBUTES};
use crate::data::CHUNK;
use crate::machine::Machine;
use crate::name;
use crate::node::NodeKind;
use crate::reparse::ReparseData;
use crate::space::MAX_FILE_SIZE;
use crate::volume::{Space, Volume, FIRST_USER_RECORD, ROOT_RECORD};
use std::collections::HashMap;
use std::fmt;

/// A broken invariant, described.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Violation(pub String);

impl fmt::Display for Violation {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Violation {}

macro_rules! ensure {
    ($cond:expr, $($fmt:tt)*) => {
        if !$cond {
            return Err(Violation(format!($($fmt)*)));
        }
    };
}

/// The attribute bits a node can have: those a caller sets, and the two that
/// belong to the object.
const OBJECT_ATTRIBUTES: u32 =
    SETTABLE_ATTRIBUTES | FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT;

/// The record table: NTFS's metadata records (below FIRST_USER_RECORD) are all
/// there and reserved (the root apart), no user record is reserved, and every
/// record has a sequence number, never 0 (so a reused record never makes a
/// FileRef of sequence 0, STYLE 6.6).
fn check_records(v: &Volume) -> Result<(), Violation> {
    let letter = v.letter as char;
    if let Some(i) = v.seqs.iter().position(|&s| s == 0) {
        return Err(Violation(format!(
            "{letter}: record {i} has sequence number 0"
        )));
    }
    for (rec, node) in v.nodes.iter() {
        ensure!(
            rec < v.seqs.len(),
            "{letter}: record {rec} is past the sequence table"
        );
        let reserved = matches!(node.kind, NodeKind::Reserved);
        if (rec as u64) < FIRST_USER_RECORD && rec as u64 != ROOT_RECORD {
            ensure!(
                reserved && node.names.is_empty() && node.reparse.is_none() && node.attrs == 0,
                "{letter}: metadata record {rec} holds a file"
            );
        } else {
            ensure!(!reserved, "{letter}: record {rec} is reserved");
        }
    }
    for rec in 0..FIRST_USER_RECORD {
        ensure!(
            v.nodes.contains(rec as usize),
            "{letter}: metadata record {rec} is missing"
        );
    }
    Ok(())
}

/// Checks every invariant of `m`.
pub fn check(m: &Machine) -> Result<(), Violation> {
    let mut handle_counts: HashMap<(usize, u64), u32> = HashMap::new();
    for (_, h) in m.handles.iter() {
        ensure!(
            m.volumes[h.vol].node(h.rec).is_some(),
            "handle on freed record {}",
            h.rec
        );
        ensure!(
            m.volumes[h.vol].file_ref(h.rec) == h.file,
            "handle's file ref is stale: {:?}",
            h.file
        );
        if let Some((parent, key)) = &h.through {
            // A handle's name is one of its file's names (or it has none).
            ensure!(
                m.volumes[h.vol]
                    .node(h.rec)
                    .is_some_and(|n| n.name_in(*parent, key).is_some()),
                "handle on record {} opened through a name it no longer has",
                h.rec
            );
        }
        *handle_counts.entry((h.vol, h.rec)).or_default() += 1;
    }
    // A duplicate names a live file object; a file object whose first handle
    // closed lives on only for its duplicates.
    for (dup, object) in &m.duplicates {
        ensure!(
            m.handles.get(object.0 as usize).is_some(),
            "duplicate handle {} of a closed file object {}",
            dup.0,
            object.0
        );
    }
    for (id, h) in m.handles.iter() {
        ensure!(
            !h.first_closed || m.duplicates.values().any(|o| o.0 == id as u64),
            "file object {id} has no handle left"
        );
    }
    // The handles open on one file are pairwise compatible in their share
    // modes: every open was checked against those before it (M13).
    let mut by_file: HashMap<(usize, u64), Vec<(usize, &crate::handle::Handle)>> = HashMap::new();
    for (id, h) in m.handles.iter() {
        by_file.entry((h.vol, h.rec)).or_default().push((id, h));
    }
    for handles in by_file.values() {
        for (i, (ia, a)) in handles.iter().enumerate() {
            for (ib, b) in &handles[i + 1..] {
                ensure!(
                    b.share_entry().compatible_with(a.share_entry()),
                    "handles {ia} ({:#x}/{}) and {ib} ({:#x}/{}) on record {} conflict in their share modes",
                    a.access,
                    a.share,
                    b.access,
                    b.share,
                    a.rec
                );
            }
        }
    }
    // Drive letters are unique; every current directory is on a volume.
    let mut letters = std::collections::HashSet::new();
    for v in &m.volumes {
        ensure!(
            letters.insert(v.letter),
            "two volumes are {}:",
            v.letter as char
        );
    }
    for d in m.current_dirs.keys() {
        ensure!(
            letters.contains(d),
            "current directory on missing drive {}:",
            *d as char
        );
    }
    ensure!(
        m.default_posix.mode <= 0o7777,
        "default POSIX mode {:o} has bits beyond the permissions",
        m.default_posix.mode
    );
    for (vi, v) in m.volumes.iter().enumerate() {
        let letter = v.letter as char;
        ensure!(
            v.node(ROOT_RECORD)
                .is_some_and(|n| n.is_dir() && n.names.is_empty()),
            "{letter}: root is not a nameless directory"
        );
        check_records(v)?;
        // The running space counts are what the nodes hold, and the data fits.
        let counted = Space::count(v.space.size, &v.nodes);
        ensure!(
            v.space == counted,
            "{letter}: space counts {:?} but the nodes hold {counted:?}",
            v.space
        );
        ensure!(
            v.space.used <= v.space.size,
            "{letter}: {} bytes stored on a volume of {}",
            v.space.used,
            v.space.size
        );
        // How many directory entries name each record: a file's link count is
        // exactly that number (DESIGN.md).
        let mut entry_counts: HashMap<u64, usize> = HashMap::new();
        for (_, node) in v.user_records() {
            for &child in node.entries().into_iter().flat_map(|e| e.values()) {
                *entry_counts.entry(child).or_default() += 1;
            }
        }
        for (rec, node) in v.user_records() {
            let here = format!("{letter}: record {rec}");
            ensure!(
                entry_counts.get(&rec).copied().unwrap_or(0) == node.names.len(),
                "{here}: {} names but {} directory entries",
                node.names.len(),
                entry_counts.get(&rec).copied().unwrap_or(0)
            );
            ensure!(
                v.seqs.get(rec as usize).is_some_and(|&s| s != 0),
                "{here}: no sequence number"
            );
            if !v.kind.supports_hard_links() {
                ensure!(
                    node.names.len() <= 1,
                    "{here}: a hard link on {}",
                    v.kind.name()
                );
            }
            if !v.kind.supports_reparse_points() {
                ensure!(
                    node.reparse.is_none(),
                    "{here}: a reparse point on {}",
                    v.kind.name()
                );
            }
            let opens = handle_counts.get(&(vi, rec)).copied().unwrap_or(0);
            ensure!(
                node.open_count == opens,
                "{here}: open count {} but {opens} handles",
                node.open_count
            );
            ensure!(
                node.attrs & !OBJECT_ATTRIBUTES == 0,
                "{here}: attribute bits {:#x} that no file has",
                node.attrs & !OBJECT_ATTRIBUTES
            );
            ensure!(
                node.posix.mode <= 0o7777,
                "{here}: POSIX mode {:o} has bits beyond the permissions",
                node.posix.mode
            );
            if let NodeKind::File(data) = &node.kind {
                ensure!(
                    data.len() <= MAX_FILE_SIZE,
                    "{here}: length {} over the limit",
                    data.len()
                );
                ensure!(
                    data.stored_chunks()
                        .all(|(i, c)| (i * CHUNK + c.len()) as u64 <= data.len()),
                    "{here}: data stored beyond the file length {}",
                    data.len()
                );
            }
            ensure!(
                (node.attrs & FILE_ATTRIBUTE_DIRECTORY != 0) == node.is_dir(),
                "{here}: DIRECTORY attribute disagrees with the node kind"
            );
            ensure!(
                (node.attrs & FILE_ATTRIBUTE_REPARSE_POINT != 0) == node.reparse.is_some(),
                "{here}: REPARSE_POINT attribute disagrees with the reparse point"
            );
            if let Some(rp) = &node.reparse {
                ensure!(
                    ReparseData::decode(&rp.raw).as_ref() == Ok(&rp.data),
                    "{here}: reparse data does not decode to what is stored"
                );
                // A mount point sits on a directory (J4). Its target is absolute
                // when mklink made it; FSCTL may store any text (J6), which fails
                // only on traversal, so that is not an invariant.
                if matches!(rp.data, ReparseData::MountPoint { .. }) {
                    ensure!(node.is_dir(), "{here}: a mount point on a file");
                }
            }
            if let Some(entries) = node.entries() {
                // A directory with entries carries no reparse point unless its tag
                // has the directory bit (J3, S12, R20).
                ensure!(
                    entries.is_empty()
                        || node
                            .reparse
                            .as_ref()
                            .is_none_or(|r| r.data.tag().is_directory_bit()),
                    "{here}: a non-empty directory is a link"
                );
            }
            if rec != ROOT_RECORD {
                ensure!(
                    !node.names.is_empty() || node.open_count > 0,
                    "{here}: no name and no handle, yet not freed"
                );
                if node.is_dir() {
                    ensure!(
                        node.names.len() <= 1,
                        "{here}: a directory has {} names",
                        node.names.len()
                    );
                }
                ensure!(
                    node.names.len() <= v.kind.max_links(),
                    "{here}: more names than the limit"
                );
                if node.open_count == 0 {
                    ensure!(
                        node.names.iter().all(|l| !l.delete_pending),
                        "{here}: delete-pending name with no handle open"
                    );
                }
            }
            let mut seen_names = std::collections::HashSet::new();
            for l in node.names.iter() {
                ensure!(
                    name::validate(l.name.units()).is_ok(),
                    "{here}: invalid name {:?}",
                    l.name
                );
                let parent = v.node(l.parent);
                ensure!(
                    parent.is_some_and(|p| p.is_dir()),
                    "{here}: name {:?} in a parent that is not a directory",
                    l.name
                );
                let entry = parent
                    .and_then(|p| p.entries())
                    .and_then(|e| e.get(&l.name.key()))
                    .copied();
                ensure!(
                    entry == Some(rec),
                    "{here}: name {:?} not in its parent's index",
                    l.name
                );
                ensure!(
                    seen_names.insert((l.parent, l.name.key())),
                    "{here}: duplicate name {:?}",
                    l.name
                );
            }
            if let Some(entries) = node.entries() {
                for (key, &child) in entries {
                    let c = v.node(child);
                    ensure!(
                        c.is_some(),
                        "{here}: entry {key:?} names freed record {child}"
                    );
                    ensure!(
                        c.is_some_and(|c| c.name_in(rec, key).is_some()),
                        "{here}: entry {key:?} → {child}, which does not carry that name"
                    );
                }
            }
            // Directories form a tree: walking up from each reaches the root.
            if node.is_dir() && rec != ROOT_RECORD {
                let mut cur = rec;
                let mut steps = 0;
                while cur != ROOT_RECORD {
                    let up = v.node(cur).and_then(|n| n.names.first()).map(|l| l.parent);
                    match up {
                        Some(p) => cur = p,
                        None => break, // an open, unlinked directory
                    }
                    steps += 1;
                    ensure!(steps <= v.nodes.len(), "{here}: directory cycle");
                }
            }
        }
    }
    Ok(())
}
