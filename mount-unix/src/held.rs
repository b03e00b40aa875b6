//! Which nodes the kernel holds, and since when it was last told about each.
//!
//! Every READDIRPLUS entry that carries attributes makes the kernel look up,
//! or make, a dentry and an inode for the name: when the kernel already has
//! them that is most of what a walk of the tree costs (issue 17: `find` over
//! a tree built through the mount was 6.9x tmpfs, 2.7x without it). The
//! protocol lets an entry go without attributes (node id 0: "no attributes for
//! this one", a plain directory entry to the kernel). So an entry goes plain
//! when the kernel got its node from an answer in the last half entry-TTL, and
//! with attributes otherwise: the first listing of names the kernel has never
//! seen still carries what `ls -l` and `du` need, without a LOOKUP each.
//!
//! Counts follow the kernel's lookups (one per answer that names the node) and
//! FORGETs, so a node the kernel evicted is listed with attributes again. A
//! wrong guess costs one LOOKUP, never a wrong answer: an entry without
//! attributes tells the kernel nothing.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::time::{Duration, Instant};

struct Held {
    /// The kernel's lookups of the node; at `u32::MAX` the entry stays for
    /// good (only a cost: its entries are plain while it looks fresh).
    lookups: u32,
    /// When the last answer naming the node was made, in milliseconds since
    /// `start` (wrapping: an answer 49 days old can look fresh, a LOOKUP's cost).
    at_ms: u32,
}

pub struct KernelHeld {
    start: Instant,
    nodes: Mutex<HashMap<u64, Held>>,
}

impl Default for KernelHeld {
    fn default() -> Self {
        KernelHeld {
            start: Instant::now(),
            nodes: Mutex::new(HashMap::new()),
        }
    }
}

impl KernelHeld {
    /// Now, on this table's clock.
    pub fn now(&self) -> u32 {
        self.start.elapsed().as_millis() as u32
    }

    /// An answer naming `nodeid` was made: the kernel counts one lookup.
    pub fn gave(&self, nodeid: u64) {
        let at_ms = self.now();
        let mut t = self.nodes.lock();
        let h = t.entry(nodeid).or_insert(Held { lookups: 0, at_ms });
        h.lookups = h.lookups.saturating_add(1);
        h.at_ms = at_ms;
    }

    /// The kernel dropped `n` lookups of `nodeid` (FORGET).
    pub fn forget(&self, nodeid: u64, n: u64) {
        let mut t = self.nodes.lock();
        let Some(h) = t.get_mut(&nodeid) else { return };
        if h.lookups == u32::MAX {
            return;
        }
        if u64::from(h.lookups) <= n {
            t.remove(&nodeid);
        } else {
            h.lookups -= n as u32;
        }
    }

    /// Whether the kernel holds `nodeid` from an answer made less than
    /// `within` before `now` (a time from [`KernelHeld::now`]).
    pub fn fresh(&self, nodeid: u64, now: u32, within: Duration) -> bool {
        let within = within.as_millis().min(u128::from(u32::MAX)) as u32;
        self.nodes
            .lock()
            .get(&nodeid)
            .is_some_and(|h| now.wrapping_sub(h.at_ms) < within)
    }

    /// Nodes held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.nodes.lock().len()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const MINUTE: Duration = Duration::from_secs(60);

    /// Lookups are counted, FORGET takes them back, and the node is fresh only
    /// while the kernel holds it and the last answer is young enough.
    #[test]
    fn counts_lookups_and_forgets() {
        let k = KernelHeld::default();
        k.gave(7);
        k.gave(7);
        let now = k.now();
        assert!(k.fresh(7, now, MINUTE));
        assert!(!k.fresh(8, now, MINUTE), "never given");
        assert!(!k.fresh(7, now.wrapping_add(60_000), MINUTE), "too old");
        assert!(!k.fresh(7, now, Duration::ZERO), "no cache, never fresh");
        k.forget(7, 1);
        assert!(k.fresh(7, now, MINUTE), "one lookup left");
        k.forget(7, 1);
        assert!(!k.fresh(7, now, MINUTE), "forgotten");
        assert_eq!(k.len(), 0, "nothing kept for a forgotten node");
        k.forget(9, 3); // never given: nothing to do
        assert_eq!(k.len(), 0);
    }
}
