//! Which nodes the kernel holds, and since when it was last told about each.
//!
//! Every READDIRPLUS entry that carries attributes makes the kernel look up,
//! or make, a dentry and an inode for the name: when the kernel already has
//! them that is most of what a walk of the tree costs (issue 17: `find` over
//! a tree built through the mount went from 6.9x tmpfs to 2.3x with this and
//! the cheaper listing, docs/performance.md). The
//! protocol lets an entry go without attributes (node id 0: "no attributes for
//! this one", a plain directory entry to the kernel). So an entry goes plain
//! when the kernel got its node from an answer in the last half entry-TTL, and
//! with attributes otherwise: the first listing of names the kernel has never
//! seen still carries what `ls -l` and `du` need, without a LOOKUP each.
//!
//! Counts follow the kernel's lookups (one per answer that names the node) and
//! FORGETs, so a node the kernel evicted is listed with attributes again. A
//! wrong guess costs one LOOKUP, never a wrong answer: an entry without
//! attributes tells the kernel nothing. So the table may forget: past
//! MAX_HELD nodes it starts again empty, which bounds the daemon's memory
//! (about 4.5 MiB) however many names a walk hands the kernel.

use parking_lot::Mutex;
use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::time::{Duration, Instant};

/// Node ids are packed record numbers, not chosen by users: a multiply
/// spreads them (SipHash was a quarter of a listing's time in the daemon).
#[derive(Default)]
struct NodeIdHasher(u64);

impl Hasher for NodeIdHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.write_u64(u64::from(b));
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = (self.0.rotate_left(5) ^ n).wrapping_mul(0x517c_c1b7_2722_0a95);
    }
}

type NodeMap = HashMap<u64, Held, BuildHasherDefault<NodeIdHasher>>;

/// The most nodes remembered (see the module's docs): the benchmark's tree
/// of 100,000 entries fits.
const MAX_HELD: usize = 1 << 17;

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
    nodes: Mutex<NodeMap>,
}

impl Default for KernelHeld {
    fn default() -> Self {
        KernelHeld {
            start: Instant::now(),
            nodes: Mutex::new(NodeMap::default()),
        }
    }
}

impl KernelHeld {
    /// Now, on this table's clock.
    fn now(&self) -> u32 {
        self.start.elapsed().as_millis() as u32
    }

    /// An answer naming `nodeid` was made: the kernel counts one lookup.
    pub fn gave(&self, nodeid: u64) {
        let at_ms = self.now();
        let mut t = self.nodes.lock();
        if t.len() >= MAX_HELD && !t.contains_key(&nodeid) {
            t.clear(); // keeps its memory for the next round
        }
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

    /// Which nodes the kernel holds from an answer made less than `within`
    /// ago, from now on.
    pub fn fresh(&self, within: Duration) -> Fresh<'_> {
        Fresh {
            now: self.now(),
            within: within.as_millis().min(u128::from(u32::MAX)) as u32,
            held: self,
        }
    }

    /// Nodes held.
    #[cfg(test)]
    pub fn len(&self) -> usize {
        self.nodes.lock().len()
    }
}

/// [`KernelHeld::fresh`]'s answer. Each question takes the table's lock
/// alone, so callers may hold the machine's lock (taken before this one).
pub struct Fresh<'a> {
    now: u32,
    within: u32,
    held: &'a KernelHeld,
}

impl Fresh<'_> {
    pub fn holds(&self, nodeid: u64) -> bool {
        self.held
            .nodes
            .lock()
            .get(&nodeid)
            .is_some_and(|h| self.now.wrapping_sub(h.at_ms) < self.within)
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
        let fresh = |within| k.fresh(within).holds(7);
        assert!(fresh(MINUTE));
        assert!(!k.fresh(MINUTE).holds(8), "never given");
        assert!(!fresh(Duration::ZERO), "no cache, never fresh");
        if let Some(h) = k.nodes.lock().get_mut(&7) {
            h.at_ms = h.at_ms.wrapping_sub(60_000); // a minute ago (the clock wraps)
        }
        assert!(!fresh(MINUTE), "too old");
        k.gave(7); // a third lookup, now
        k.forget(7, 2);
        assert!(fresh(MINUTE), "one lookup left");
        k.forget(7, 1);
        assert!(!fresh(MINUTE), "forgotten");
        assert_eq!(k.len(), 0, "nothing kept for a forgotten node");
        k.forget(9, 3); // never given: nothing to do
        assert_eq!(k.len(), 0);
    }

    /// The table forgets everything rather than grow past MAX_HELD nodes.
    #[test]
    fn memory_is_bounded() {
        let k = KernelHeld::default();
        for id in 0..MAX_HELD as u64 {
            k.gave(id);
        }
        assert_eq!(k.len(), MAX_HELD);
        k.gave(0); // known: kept
        assert_eq!(k.len(), MAX_HELD);
        k.gave(u64::MAX);
        assert_eq!(k.len(), 1, "started again");
        assert!(k.fresh(Duration::from_secs(60)).holds(u64::MAX));
        assert!(
            !k.fresh(Duration::from_secs(60)).holds(0),
            "forgotten: a LOOKUP's cost"
        );
    }
}
