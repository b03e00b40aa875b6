//! A clock for tests that moves on every reading.

use crate::attrs::{Clock, FileTime};
use std::sync::atomic::{AtomicU64, Ordering};

/// A clock that advances one tick (100 ns) per reading, so that any timestamp
/// an operation touches differs from before: a failed call that touched a
/// time shows in a [`Snapshot`](super::Snapshot). For a clock that never
/// moves (transcripts, images), use [`FixedClock`](crate::FixedClock).
///
/// ```
/// use ntlinkfs_core::testing::TickClock;
/// use ntlinkfs_core::Clock;
///
/// let c = TickClock::new(10);
/// assert_eq!((c.now(), c.now()), (10, 11));
/// ```
#[derive(Debug)]
pub struct TickClock(AtomicU64);

impl TickClock {
    /// A clock whose first reading is `start`.
    pub fn new(start: FileTime) -> TickClock {
        TickClock(AtomicU64::new(start))
    }
}

impl Clock for TickClock {
    fn now(&self) -> FileTime {
        self.0.fetch_add(1, Ordering::Relaxed)
    }
}
