//! FUSE inode numbers <-> core nodes. A `FileRef` is unique only inside its volume
//! and spends 48 bits on the record number, but records are slab indices that never
//! come near 2^40 in memory, so the map is a pure bijection: no table, no lock, and
//! a number that is stable for as long as the file lives and never reused for
//! another file (the sequence number is part of it, and is the FUSE generation).
//!
//! Layout: `seq << 48 | (volume + 1) << 40 | record`. Volume + 1 keeps every node
//! number above 2^40, away from 1, the synthetic mount root.

use ntlinkfs_core::{FileRef, NodeId};

/// The mount root: one directory per volume.
pub const ROOT_INO: u64 = 1;

const RECORD_BITS: u32 = 40;
const VOLUME_BITS: u32 = 8;

/// The inode number of a node.
pub fn ino_of(id: NodeId) -> u64 {
    let record = id.file.record();
    assert!(
        record < 1 << RECORD_BITS && id.volume + 1 < 1 << VOLUME_BITS,
        "node {id:?} does not fit the inode layout"
    );
    (u64::from(id.file.seq()) << 48) | (((id.volume + 1) as u64) << RECORD_BITS) | record
}

/// The node an inode number names; `None` for the mount root and for numbers this
/// mount never handed out.
pub fn node_of(ino: u64) -> Option<NodeId> {
    let vol = (ino >> RECORD_BITS) & ((1 << VOLUME_BITS) - 1);
    if vol == 0 {
        return None;
    }
    Some(NodeId {
        volume: (vol - 1) as usize,
        file: FileRef::new(ino & ((1 << RECORD_BITS) - 1), (ino >> 48) as u16),
    })
}

/// The FUSE generation: the record's sequence number.
pub fn generation_of(id: NodeId) -> u64 {
    u64::from(id.file.seq())
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    #[test]
    fn root_is_not_a_node() {
        assert_eq!(node_of(ROOT_INO), None);
    }

    #[test]
    fn same_record_on_two_volumes_gets_two_numbers() {
        let c = NodeId {
            volume: 0,
            file: FileRef::new(5, 5),
        };
        let d = NodeId {
            volume: 1,
            file: FileRef::new(5, 5),
        };
        assert_ne!(ino_of(c), ino_of(d));
    }

    #[test]
    fn reused_record_gets_a_new_number_and_generation() {
        let old = NodeId {
            volume: 0,
            file: FileRef::new(40, 1),
        };
        let new = NodeId {
            volume: 0,
            file: FileRef::new(40, 2),
        };
        assert_ne!(ino_of(old), ino_of(new));
        assert_eq!((generation_of(old), generation_of(new)), (1, 2));
    }

    proptest! {
        #[test]
        fn round_trips(vol in 0usize..26, rec in 0u64..(1 << 40), seq: u16) {
            let id = NodeId { volume: vol, file: FileRef::new(rec, seq) };
            let ino = ino_of(id);
            prop_assert!(ino > ROOT_INO);
            prop_assert_eq!(node_of(ino), Some(id));
        }
    }
}
