//! Keeping the kernel's dentry cache right for case-insensitive names.
//!
//! The kernel caches a dentry per *spelling*: after `stat FOO` and `stat foo` it
//! holds two dentries for one NTFS name. Misses are never cached (a lookup miss is
//! a plain ENOENT, which the kernel does not keep), so creating a name is always
//! seen at once. Removing or replacing a name through one spelling leaves the
//! others valid until their TTL ends, so this module remembers which spellings of
//! each (directory, name key) the kernel may hold and, when a name goes through
//! one spelling while another may be cached, bumps the connection's dentry epoch
//! (FUSE_NOTIFY_INC_EPOCH, Linux 6.16+). That takes no directory lock, so it runs
//! inside the handler before the reply: every later lookup revalidates, with no
//! window for a stale hit.
//!
//! `Notifier::inval_entry` cannot do this: inside the handler it deadlocks on the
//! directory lock the kernel holds for the operation, and from another thread it
//! runs just after the reply, racing the caller's next syscall (measured: the
//! `remove_*` test of case_cache.rs then sees the removed name in its first
//! round). So on kernels without the epoch, names are not cached at all (entry
//! TTL 0), which is always right.

use fuser::{INodeNo, Notifier};
use ntlinkfs_core::NameKey;
use parking_lot::Mutex;
use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::OnceLock;
use std::time::Duration;

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
    pub notifier: Notifier,
}

#[derive(Default)]
pub struct DentryCache {
    learned: Mutex<HashMap<(u64, NameKey), Learned>>,
    link: OnceLock<Mutex<KernelLink>>,
    no_epoch: AtomicBool,
    /// Epoch bumps, for tests and the report.
    pub epochs: AtomicU64,
}

impl DentryCache {
    pub fn new(notify_epoch: bool) -> DentryCache {
        DentryCache {
            no_epoch: AtomicBool::new(!notify_epoch),
            ..DentryCache::default()
        }
    }

    /// Hands over the kernel connection and probes for the dentry epoch (one
    /// bump at start, harmless: nothing is cached yet).
    pub fn connect(&self, link: KernelLink) {
        let _ = self.link.set(Mutex::new(link));
        self.bump_epoch();
    }

    /// How long the kernel may cache a name: as configured when removals can be
    /// made visible at once (the epoch), else not at all.
    pub fn entry_ttl(&self, configured: Duration) -> Duration {
        if self.no_epoch.load(Ordering::Relaxed) || self.link.get().is_none() {
            Duration::ZERO
        } else {
            configured
        }
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
        if l.overflow || l.spellings.iter().any(|s| &**s != used) {
            self.bump_epoch();
        }
    }

    /// A node changed kind (a directory became a junction through the xattr, or
    /// back): the kernel must not reuse the dentries it has for its names, or the
    /// next stat through them fails with EIO (the inode's type changed). Without
    /// the epoch, names are not cached and the next lookup sees the new kind.
    pub fn kind_changed(&self) {
        self.bump_epoch();
    }

    /// Drops the kernel's cached attributes of `ino` (mode and attributes changed
    /// together). FUSE_NOTIFY_INVAL_INODE with a negative offset takes no lock,
    /// so it is safe inside a handler.
    pub fn attributes_changed(&self, ino: u64) {
        if let Some(link) = self.link.get() {
            let _ = link.lock().notifier.inval_inode(INodeNo(ino), -1, 0);
        }
    }

    /// Bumps the dentry epoch; false (and never tried again) when the kernel
    /// does not know the notification.
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
