//! When the kernel may keep a file's cached pages across opens (FOPEN_KEEP_CACHE).
//!
//! Without the flag, every open drops the inode's page cache, so reading a file
//! twice goes through the daemon twice (issue 7: cached reads). With it, the
//! kernel serves later reads from memory, which is right only while the data
//! has not changed behind the cache. Every change through this mount passes the
//! kernel, but the rule here does not rely on that: an open keeps the cache only
//! when the file's data version (size, last write and change times) is the one
//! seen at the previous open of the same inode. Inode numbers are never reused
//! (the sequence number is part of them), so a version can never belong to
//! another file.

use parking_lot::Mutex;
use std::collections::HashMap;

/// What identifies a file's contents at an open.
pub type DataVersion = (u64, u64, u64);

/// Opens remembered before the table is cleared (a miss only costs one re-read).
const MAX_REMEMBERED: usize = 1 << 16;

#[derive(Default)]
pub struct KeepCache {
    seen: Mutex<HashMap<u64, DataVersion>>,
}

impl KeepCache {
    /// Records the version of `ino` at an open; true when it is unchanged since
    /// the previous open, so the kernel's pages are still the file's data.
    pub fn opened(&self, ino: u64, version: DataVersion) -> bool {
        let mut seen = self.seen.lock();
        if seen.len() >= MAX_REMEMBERED && !seen.contains_key(&ino) {
            seen.clear();
        }
        seen.insert(ino, version) == Some(version)
    }

    /// A write through the mount took `ino` from `before` to `after`: the kernel
    /// wrote the same bytes into its cache, so when `before` was the version it
    /// knew, `after` is one it knows too. Any other change stays unknown.
    pub fn wrote(&self, ino: u64, before: DataVersion, after: DataVersion) {
        let mut seen = self.seen.lock();
        if let Some(v) = seen.get_mut(&ino) {
            if *v == before {
                *v = after;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opened_keeps_only_an_unchanged_version() {
        let k = KeepCache::default();
        assert!(!k.opened(7, (5, 1, 1)), "first open: nothing cached yet");
        assert!(k.opened(7, (5, 1, 1)), "same data: keep");
        assert!(!k.opened(7, (5, 2, 2)), "written since: drop");
        assert!(k.opened(7, (5, 2, 2)));
        assert!(!k.opened(8, (5, 2, 2)), "another inode is its own");
    }

    #[test]
    fn wrote_follows_only_a_known_version() {
        let k = KeepCache::default();
        assert!(!k.opened(7, (0, 1, 1)));
        k.wrote(7, (0, 1, 1), (4, 2, 2));
        assert!(k.opened(7, (4, 2, 2)), "our own write: the cache has it");
        k.wrote(7, (9, 9, 9), (8, 3, 3));
        assert!(
            !k.opened(7, (8, 3, 3)),
            "changed behind us before the write"
        );
        k.wrote(8, (0, 0, 0), (1, 1, 1));
        assert!(!k.opened(8, (1, 1, 1)), "never opened: nothing known");
    }
}
