//! What makes changes survive a crash of the daemon when an application asks
//! for it (fsync, fsyncdir). The mount of an `--image` gets the image's journal
//! (the `ntlinkfs` command implements it); without one, data lives in memory
//! and an fsync has nothing to do.

use ntlinkfs_core::Shared;
use std::fmt;
use std::io;

pub trait Durability: Send + Sync {
    /// Makes every change made to `machine` so far durable before returning.
    fn commit(&self, machine: &Shared) -> io::Result<()>;
}

impl fmt::Debug for dyn Durability {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("Durability")
    }
}
