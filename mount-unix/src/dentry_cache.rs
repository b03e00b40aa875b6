//! Keeping the kernel's dentry cache right for case-insensitive names.
//!
//! The kernel caches a dentry per *spelling*: after `stat FOO` and `stat foo` it
//! holds two dentries for one NTFS name. Misses are never cached (a lookup miss is
//! a plain ENOENT, which the kernel does not keep), so creating a name is always
//! seen at once. Removing or replacing a name through one spelling leaves the
//! others valid until their TTL ends, so this module remembers which spellings of
//! each (directory, name key) the kernel may hold and, when a name goes:
//! - bumps the connection's dentry epoch (FUSE_NOTIFY_INC_EPOCH, Linux 6.16+),
//!   which takes no directory lock and so can run inside the handler, before the
//!   reply: every later lookup revalidates, with no window for a stale hit;
//! - or, on kernels without it, asks a separate thread to `inval_entry` each other
//!   spelling (called inside the handler it would deadlock on the directory lock
//!   the kernel holds for the operation; from another thread it runs just after).

use fuser::{INodeNo, Notifier};
use ntlinkfs_core::NameKey;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::ffi::OsString;
use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::mpsc::Sender;
use std::sync::OnceLock;

/// FUSE_NOTIFY_INC_EPOCH (protocol 7.44).
const FUSE_NOTIFY_INC_EPOCH: i32 = 8;
/// Spellings remembered per name before falling back to "many".
const MAX_SPELLINGS: usize = 4;

#[derive(Default)]
struct Learned {
    spellings: Vec<Box<str>>,
    overflow: bool,
}

/// How the adapter reaches the kernel once the session exists.
pub struct KernelLink {
    /// A duplicate of the session's /dev/fuse descriptor, for raw notifications.
    pub fuse: File,
    /// Feeds the thread that calls `Notifier::inval_entry`.
    pub inval: Sender<(u64, OsString)>,
    pub notifier: Notifier,
}

#[derive(Default)]
pub struct DentryCache {
    learned: Mutex<HashMap<(u64, NameKey), Learned>>,
    link: OnceLock<Mutex<KernelLink>>,
    no_epoch: AtomicBool,
    /// Counters for tests and the report.
    pub epochs: AtomicU64,
    pub invalidations: AtomicU64,
}

impl DentryCache {
    pub fn connect(&self, link: KernelLink) {
        let _ = self.link.set(Mutex::new(link));
    }

    /// The kernel may now hold a dentry `name` in directory `parent`.
    pub fn learn(&self, parent: u64, name: &str) {
        let mut map = self.learned.lock();
        let l = map.entry((parent, NameKey::of(name))).or_default();
        if l.spellings.iter().any(|s| &**s == name) {
            return;
        }
        if l.spellings.len() < MAX_SPELLINGS {
            l.spellings.push(name.into());
        } else {
            l.overflow = true;
        }
    }

    /// The name `used` in `parent` was removed or replaced. Invalidates every
    /// other spelling the kernel may still hold; `used` itself the kernel updated.
    pub fn gone(&self, parent: u64, used: &str) {
        let Some(l) = self.learned.lock().remove(&(parent, NameKey::of(used))) else {
            return;
        };
        let others: Vec<Box<str>> = l.spellings.into_iter().filter(|s| &**s != used).collect();
        if others.is_empty() && !l.overflow {
            return;
        }
        if self.bump_epoch() {
            return;
        }
        if let Some(link) = self.link.get() {
            let link = link.lock();
            for s in others {
                self.invalidations.fetch_add(1, Ordering::Relaxed);
                let _ = link.inval.send((parent, OsString::from(&*s)));
            }
        }
    }

    /// A node changed kind (a directory became a junction through the xattr, or
    /// back): the kernel must not reuse the dentries it has for its names, or the
    /// next stat through them fails with EIO (the inode's type changed).
    pub fn kind_changed(&self, names: &[(u64, String)]) {
        for (parent, name) in names {
            self.learn(*parent, name);
        }
        for (parent, name) in names {
            if self.bump_epoch() {
                return;
            }
            if let Some(link) = self.link.get() {
                let _ = link.lock().inval.send((*parent, OsString::from(name)));
            }
        }
    }

    /// Drops the kernel's cached attributes of `ino` (mode and attributes changed
    /// together). FUSE_NOTIFY_INVAL_INODE with a negative offset takes no lock,
    /// so it is safe inside a handler.
    pub fn attributes_changed(&self, ino: u64) {
        if let Some(link) = self.link.get() {
            let _ = link.lock().notifier.inval_inode(INodeNo(ino), -1, 0);
        }
    }

    fn bump_epoch(&self) -> bool {
        if self.no_epoch.load(Ordering::Relaxed) {
            return false;
        }
        let Some(link) = self.link.get() else {
            return false;
        };
        let mut header = [0u8; 16];
        header[0..4].copy_from_slice(&16u32.to_ne_bytes());
        header[4..8].copy_from_slice(&FUSE_NOTIFY_INC_EPOCH.to_ne_bytes());
        let link = link.lock();
        match (&link.fuse).write(&header) {
            Ok(16) => {
                // Every dentry is now stale: nothing remembered matters any more.
                self.learned.lock().clear();
                self.epochs.fetch_add(1, Ordering::Relaxed);
                true
            }
            _ => {
                self.no_epoch.store(true, Ordering::Relaxed);
                false
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spellings_are_remembered_per_key() {
        let c = DentryCache::default();
        c.learn(7, "foo");
        c.learn(7, "FOO");
        c.learn(7, "foo");
        c.learn(8, "foo");
        let map = c.learned.lock();
        assert_eq!(map[&(7, NameKey::of("Foo"))].spellings.len(), 2);
        assert_eq!(map[&(8, NameKey::of("fOO"))].spellings.len(), 1);
    }

    #[test]
    fn gone_forgets_the_name() {
        let c = DentryCache::default();
        c.learn(7, "foo");
        c.gone(7, "FOO");
        assert!(c.learned.lock().is_empty());
    }
}
