//! Keeping the kernel's dentry cache right for case-insensitive names.
//!
//! The kernel caches a dentry per *spelling*: after `stat FOO` and `stat foo` it
//! holds two dentries for one NTFS name. Misses are cached too, when names are
//! (issue 17: a build probing the same missing names costs one round trip each,
//! not one per probe): a miss is answered with a negative entry, and this module
//! remembers the spellings so answered per (directory, case-folded name). When a
//! name of that case-folded spelling appears through another spelling than one
//! answered "not found", the kernel still holds that spelling's negative dentry:
//! the epoch is bumped (below). Through the same spelling the kernel turns its
//! own dentry positive, so nothing is sent. A name made behind the kernel
//! (straight through the core, as embedders and tests may) is seen once the
//! miss's TTL ends, as a removal behind it always was.
//!
//! Removing or replacing a name through one spelling leaves the
//! others valid until their TTL ends. Another spelling than the stored one can
//! only be cached if it was looked up, so this module remembers the (directory,
//! name) pairs looked up through another spelling than the stored one (rare: the
//! memory stays small however big the tree), and when a name goes through a
//! spelling other than the stored one, or a name with such a lookup goes at all,
//! it bumps the connection's dentry epoch (FUSE_NOTIFY_INC_EPOCH, Linux 6.16+).
//! That takes no directory lock, so it runs inside the handler before the reply:
//! every later lookup revalidates, with no window for a stale hit.
//!
//! A FUSE_NOTIFY_INVAL_ENTRY notification cannot do this: inside the handler it deadlocks on the
//! directory lock the kernel holds for the operation, and from another thread it
//! runs just after the reply, racing the caller's next syscall (measured: the
//! `remove_*` test of case_cache.rs then sees the removed name in its first
//! round). So on kernels without the epoch, names are not cached at all (entry
//! TTL 0), which is always right.

use crate::fuse::channel::Channel;
use ntlinkfs_core::NameKey;
use parking_lot::Mutex;
use std::collections::{HashMap, HashSet};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, OnceLock};
use std::time::Duration;

/// How the adapter reaches the kernel once the session exists.
pub struct KernelLink {
    /// The session's connection, for notifications.
    pub channel: Arc<Channel>,
}

/// Spellings of one case-folded name (nearly always one).
type Spellings = Vec<Box<str>>;

/// How many (directory, name) misses are remembered before all are forgotten
/// through one epoch bump: bounds the memory a scan of missing names takes.
const MAX_MISSES: usize = 1 << 16;

/// The same for directories named with a time (`named_dir`): a tree of more
/// directories than this is looked up again once per this many.
const MAX_NAMED_DIRS: usize = 1 << 20;

#[derive(Default)]
pub struct DentryCache {
    /// Names looked up through another spelling than the stored one.
    mixed: Mutex<HashSet<(u64, NameKey)>>,
    /// The spellings answered "not found", per (directory, case-folded name).
    misses: Mutex<HashMap<(u64, NameKey), Spellings>>,
    /// Directories named with a time to keep the name: see `named_dir`.
    named: Mutex<HashSet<u64>>,
    link: OnceLock<Mutex<KernelLink>>,
    no_epoch: AtomicBool,
    /// Epoch bumps, for tests and the report.
    pub epochs: AtomicU64,
    /// Names that appeared while another spelling of theirs was cached as a miss.
    pub stale_misses: AtomicU64,
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

    /// A lookup in `parent` through `used` found the name stored as `stored`.
    pub fn looked_up(&self, parent: u64, used: &str, stored: &str) {
        if used != stored {
            self.mixed.lock().insert((parent, NameKey::of(used)));
        }
    }

    /// A lookup in `parent` through `used` found nothing. Returns how long the
    /// kernel may keep that answer (zero: not at all). Call it under the
    /// machine's lock, so that no creation can slip between the miss and this.
    pub fn missed(&self, parent: u64, used: &str, configured: Duration) -> Duration {
        let ttl = self.entry_ttl(configured);
        if ttl.is_zero() {
            return ttl;
        }
        let mut misses = self.misses.lock();
        if misses.len() >= MAX_MISSES {
            drop(misses);
            self.bump_epoch(); // forgets every miss, and the kernel drops them
            misses = self.misses.lock();
        }
        let spellings = misses.entry((parent, NameKey::of(used))).or_default();
        if !spellings.iter().any(|s| &**s == used) {
            spellings.push(used.into());
        }
        ttl
    }

    /// A name appeared in `parent` through the spelling `used` (create, mkdir,
    /// mknod, symlink, link, the target of a rename). The kernel made its own
    /// dentry of `used` positive; any other spelling answered "not found" must go.
    /// FUSE_NOTIFY_INVAL_ENTRY of exactly those would deadlock here (the kernel
    /// holds `parent`'s lock until the reply, see above), so the epoch is bumped:
    /// it takes no lock and leaves no window.
    pub fn appeared(&self, parent: u64, used: &str) {
        let Some(spellings) = self.misses.lock().remove(&(parent, NameKey::of(used))) else {
            return;
        };
        if spellings.iter().any(|s| &**s != used) {
            self.bump_epoch();
            self.stale_misses.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// The name stored as `stored` in `parent` was removed or replaced through
    /// the spelling `used`; the kernel updated the dentry of `used` itself.
    pub fn gone(&self, parent: u64, used: &str, stored: &str) {
        let mixed = self.mixed.lock().remove(&(parent, NameKey::of(used)));
        if mixed || used != stored {
            self.bump_epoch();
        }
    }

    /// A node changed kind (a file became a symbolic link through the xattr,
    /// or a link lost its reparse point): the kernel must not reuse the
    /// dentries it has for its names, or the next stat through them fails with
    /// EIO (the inode's type changed). Without the epoch, names are not cached
    /// and the next lookup sees the new kind.
    pub fn kind_changed(&self) {
        self.bump_epoch();
    }

    /// The directory `ino`, which has entries, was named to the kernel with a
    /// time to keep the name. Only an empty directory can become a junction
    /// or a directory symlink (J3), and an empty one is named with none (the
    /// kernel looks it up again before it walks through it, and so sees a new
    /// kind), so these are the directories that may be emptied and turned
    /// into links under a name the kernel still keeps (`dir_became_link`).
    /// Bumping the epoch for every new junction instead made the kernel drop
    /// every name it had, each time (a walk of the 100,000-entry benchmark
    /// tree after its 991 junctions: 0.33 s instead of 0.12 s). Call it under
    /// the machine's lock, so that no change of kind can come between.
    pub fn named_dir(&self, ino: u64) {
        let mut named = self.named.lock();
        if named.len() >= MAX_NAMED_DIRS && !named.contains(&ino) {
            drop(named);
            self.bump_epoch(); // the kernel looks every name up again
            named = self.named.lock();
        }
        named.insert(ino);
    }

    /// The directory `ino` was removed: no name of it can change kind.
    pub fn dir_removed(&self, ino: u64) {
        self.named.lock().remove(&ino);
    }

    /// The empty directory `ino` became a junction or directory symlink. The
    /// kernel holds no name of it it would reuse without asking, unless the
    /// directory was named while it had entries (`named_dir`): then the epoch.
    pub fn dir_became_link(&self, ino: u64) {
        if self.named.lock().remove(&ino) {
            self.bump_epoch();
        }
    }

    /// Drops the kernel's cached attributes of `ino` (mode and attributes changed
    /// together). FUSE_NOTIFY_INVAL_INODE with a negative offset takes no lock,
    /// so it is safe inside a handler.
    pub fn attributes_changed(&self, ino: u64) {
        if let Some(link) = self.link.get() {
            let _ = link.lock().channel.inval_inode(ino, -1, 0);
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
        let link = link.lock();
        match link.channel.inc_epoch() {
            Ok(()) => {
                // Every dentry is now stale: nothing remembered matters any more.
                self.mixed.lock().clear();
                self.misses.lock().clear();
                self.named.lock().clear();
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
    fn only_other_spellings_are_remembered() {
        let c = DentryCache::default();
        c.looked_up(7, "foo", "foo");
        assert!(c.mixed.lock().is_empty());
        c.looked_up(7, "FOO", "foo");
        c.looked_up(8, "Foo", "foo");
        assert_eq!(c.mixed.lock().len(), 2);
        c.gone(7, "foo", "foo"); // no kernel link: nothing to bump, but forgotten
        assert_eq!(c.mixed.lock().len(), 1);
    }

    /// Without a kernel link (or the epoch) a miss is not cached, so nothing
    /// is remembered either.
    #[test]
    fn misses_are_remembered_only_when_cached() {
        let c = DentryCache::default();
        let ttl = c.missed(7, "FOO", Duration::from_secs(1));
        assert_eq!(ttl, Duration::ZERO);
        assert!(c.misses.lock().is_empty());
        c.appeared(7, "foo");
        assert_eq!(c.stale_misses.load(Ordering::Relaxed), 0);
    }
}
