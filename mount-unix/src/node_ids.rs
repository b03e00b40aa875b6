//! FUSE node ids for the names of symbolic-link files.
//!
//! The kernel asks for a link's text by node id (READLINK carries no name).
//! A symbolic-link file can have hard links in several directories, and a
//! relative target means a different place from each of them, so one node id
//! per file would make the kernel follow every name as if it sat at one of
//! them, up to leaving the mount (issue 11, "escape"). So each name of such a
//! file, (parent directory, case-folded name), gets its own node id, while
//! every name still reports the file's one st_ino (fuse_entry_out.nodeid is
//! separate from fuse_attr.ino). Every other node's id is its packed inode
//! number (`inode_map`), as before.
//!
//! Name ids live below 2^40, where `inode_map` never puts a node (its volume
//! field is 0), and are never reused, so no generation is needed. Each counts
//! the kernel's lookups and is freed when FORGET brings them to zero.

use ntlinkfs_core::path::PathUnits;
use ntlinkfs_core::{NameKey, NodeId};
use parking_lot::Mutex;
use std::collections::HashMap;

/// The first name id (1 is the mount root).
const FIRST: u64 = 2;
/// Name ids stay below the first packed inode number.
const LIMIT: u64 = 1 << 40;

/// What a name id stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct NameOf {
    /// The symbolic-link file.
    pub node: NodeId,
    /// The directory the name is in: a relative target starts there.
    pub parent: NodeId,
}

struct Alias {
    of: NameOf,
    key: NameKey,
    lookups: u64,
}

#[derive(Default)]
struct Table {
    next: u64,
    ids: HashMap<u64, Alias>,
    /// (parent, name) -> id, for names the kernel may look up again.
    names: HashMap<(NodeId, NameKey), u64>,
}

#[derive(Default)]
pub struct NodeIds {
    t: Mutex<Table>,
}

/// Whether `id` is a name id (not a packed inode number or the root).
pub fn is_name_id(id: u64) -> bool {
    (FIRST..LIMIT).contains(&id)
}

impl NodeIds {
    /// The node id of the name `name` in `parent` of the link file `node`,
    /// counting one kernel lookup. The same name of the same file keeps its id.
    /// `name` is text or exact units (a name with an unpaired surrogate, N3).
    pub fn name_id(&self, parent: NodeId, name: &(impl PathUnits + ?Sized), node: NodeId) -> u64 {
        let mut t = self.t.lock();
        let key = (parent, name.to_name().key());
        if let Some(&id) = t.names.get(&key) {
            if let Some(a) = t.ids.get_mut(&id).filter(|a| a.of.node == node) {
                a.lookups += 1;
                return id;
            }
        }
        // A new name, or the name now belongs to another file: a fresh id
        // (the old one lives on until the kernel forgets it).
        let id = FIRST + t.next;
        assert!(id < LIMIT, "name ids exhausted");
        t.next += 1;
        t.ids.insert(
            id,
            Alias {
                of: NameOf { node, parent },
                key: key.1.clone(),
                lookups: 1,
            },
        );
        t.names.insert(key, id);
        id
    }

    /// The name a name id stands for.
    pub fn resolve(&self, id: u64) -> Option<NameOf> {
        self.t.lock().ids.get(&id).map(|a| a.of)
    }

    /// The kernel dropped `n` lookups of `id`; at zero the id is freed.
    pub fn forget(&self, id: u64, n: u64) {
        let mut t = self.t.lock();
        let Some(a) = t.ids.get_mut(&id) else { return };
        a.lookups = a.lookups.saturating_sub(n);
        if a.lookups > 0 {
            return;
        }
        let a = t.ids.remove(&id).expect("present");
        let key = (a.of.parent, a.key);
        if t.names.get(&key) == Some(&id) {
            t.names.remove(&key);
        }
    }

    /// `name` in `from` was renamed to `newname` in `to`: the kernel moved its
    /// dentry, node id and all, so the id now means the new place; a name id
    /// the rename replaced keeps its old meaning until forgotten.
    pub fn renamed(&self, from: NodeId, name: &str, to: NodeId, newname: &str) {
        let mut t = self.t.lock();
        let moved = t.names.remove(&(from, NameKey::of(name)));
        let dst = (to, NameKey::of(newname));
        t.names.remove(&dst);
        if let Some(id) = moved {
            if let Some(a) = t.ids.get_mut(&id) {
                a.of.parent = to;
                a.key = dst.1.clone();
                t.names.insert(dst, id);
            }
        }
    }

    /// The live name ids of the link file `node`: the kernel caches
    /// attributes per node id, so a change of the file's link count through
    /// one name must reach the others (issue 17).
    pub fn ids_of(&self, node: NodeId) -> Vec<u64> {
        let t = self.t.lock();
        t.ids
            .iter()
            .filter(|(_, a)| a.of.node == node)
            .map(|(&id, _)| id)
            .collect()
    }

    /// Live name ids.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.t.lock().ids.len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntlinkfs_core::FileRef;

    fn n(rec: u64) -> NodeId {
        NodeId {
            volume: 0,
            file: FileRef::new(rec, 1),
        }
    }

    #[test]
    fn each_name_gets_its_own_id_and_keeps_it() {
        let t = NodeIds::default();
        let (link, deep, root) = (n(50), n(10), n(5));
        let a = t.name_id(deep, "s", link);
        let b = t.name_id(root, "s2", link);
        assert_ne!(a, b, "two names of one link file, two node ids");
        assert!(is_name_id(a) && is_name_id(b));
        assert_eq!(
            t.resolve(a),
            Some(NameOf {
                node: link,
                parent: deep
            })
        );
        assert_eq!(
            t.resolve(b),
            Some(NameOf {
                node: link,
                parent: root
            })
        );
        assert_eq!(
            t.name_id(deep, "S", link),
            a,
            "case-folded: same name, same id"
        );
        assert!(!is_name_id(1) && !is_name_id(crate::inode_map::ino_of(link)));
    }

    #[test]
    fn forget_frees_at_zero_lookups() {
        let t = NodeIds::default();
        let a = t.name_id(n(10), "s", n(50));
        assert_eq!(t.name_id(n(10), "s", n(50)), a);
        t.forget(a, 1);
        assert!(t.resolve(a).is_some(), "one lookup left");
        t.forget(a, 1);
        assert_eq!((t.resolve(a), t.len()), (None, 0));
        let b = t.name_id(n(10), "s", n(50));
        assert_ne!(a, b, "ids are never reused");
        t.forget(b, 99);
        t.forget(b, 1); // unknown id: ignored
        assert_eq!(t.len(), 0);
    }

    #[test]
    fn a_name_reused_by_another_file_gets_a_new_id() {
        let t = NodeIds::default();
        let a = t.name_id(n(10), "s", n(50));
        let b = t.name_id(n(10), "s", n(51));
        assert_ne!(a, b);
        assert_eq!(
            t.resolve(a).unwrap().node,
            n(50),
            "old id keeps its meaning"
        );
        t.forget(a, 1);
        assert_eq!(
            t.name_id(n(10), "s", n(51)),
            b,
            "forgetting the old id kept the new"
        );
    }

    #[test]
    fn rename_moves_the_id_to_the_new_parent() {
        let t = NodeIds::default();
        let a = t.name_id(n(10), "s", n(50));
        let over = t.name_id(n(20), "t", n(60));
        t.renamed(n(10), "s", n(20), "T");
        assert_eq!(
            t.resolve(a),
            Some(NameOf {
                node: n(50),
                parent: n(20)
            })
        );
        assert_eq!(t.name_id(n(20), "t", n(50)), a);
        assert_eq!(
            t.resolve(over).unwrap().parent,
            n(20),
            "replaced id lives until forgotten"
        );
        assert_ne!(
            t.name_id(n(10), "s", n(50)),
            a,
            "the old place is a new name"
        );
    }
}
