//! Helpers for tests of code that embeds the core, the ones the core's own
//! tests use: a deterministic machine ([`machine`], [`TickClock`]), a tree
//! drawn as lines ([`build`], [`fixture`]), a [`Snapshot`] of everything
//! observable so a failed call can be shown to have changed nothing, and
//! [`ok`] / [`fails`] / [`attempt`], which run an [`Op`](crate::Op) and check the
//! invariants after it. Random link trees: [`tree_gen`], drawn by the
//! proptest strategies of `tree_strategy` (feature `proptest`).
//!
//! No I/O and no threads, like the rest of the core. Functions that return a
//! value never panic on bad input ([`build`] returns a [`TreeError`]); the
//! ones documented under *Panics* are assertions for tests: a panic there is a
//! failed test with a message that names the rule, the operation and the
//! difference.
//!
//! ```
//! use ntlinkfs_core::testing::{fails, fixture, ok};
//! use ntlinkfs_core::{NtError, Op};
//!
//! let mut m = fixture(&[r"dir C:\a", r"file C:\a\f text"]);
//! ok(&mut m, Op::CreateHardLink {
//!     link: r"C:\a\g".into(),
//!     existing: r"C:\a\f".into(),
//!     options: Default::default(),
//! });
//! // HL2: a hard link stays on its volume; the failed call changes nothing.
//! fails(&mut m, "HL2", Op::CreateHardLink {
//!     link: r"D:\g".into(),
//!     existing: r"C:\a\f".into(),
//!     options: Default::default(),
//! }, NtError::NotSameDevice);
//! ```

mod check;
mod clock;
#[cfg(feature = "proptest")]
pub mod ops_gen;
mod snapshot;
mod tree;
pub mod tree_gen;
#[cfg(feature = "proptest")]
pub mod tree_strategy;

pub use check::{attempt, check, fails, ok};
pub use clock::TickClock;
pub use snapshot::{assert_unchanged, snapshot, Entry, Snapshot};
pub use tree::{build, fixture, TreeError, TreeErrorKind};

use crate::machine::Machine;
use crate::profile::Profile;
use std::sync::Arc;

/// The FILETIME a [`machine`]'s clock starts at (2022-06-17).
pub const START_TIME: crate::FileTime = 133_000_000_000_000_000;

/// C: and D:, NTFS, Windows 11, elevated, with a [`TickClock`] from
/// [`START_TIME`]: the same calls give the same machine, and every timestamp
/// an operation touches differs from the ones before it.
///
/// ```
/// let m = ntlinkfs_core::testing::machine();
/// assert_eq!(m.current_dir(), r"C:\");
/// assert_eq!(m.volume_infos().len(), 2);
/// ```
pub fn machine() -> Machine {
    let mut m = Machine::default();
    m.set_clock(Arc::new(TickClock::new(START_TIME)));
    m
}

/// A [`machine`] with another profile (`"xp".parse()`, `"10+dev-user".parse()` …).
///
/// ```
/// use ntlinkfs_core::testing::machine_with;
/// use ntlinkfs_core::NtError;
///
/// // Symbolic links exist from Vista (V5).
/// let mut m = machine_with("2000".parse().unwrap());
/// assert_eq!(
///     m.create_symbolic_link(r"C:\s", r"C:\t", Default::default()).unwrap_err(),
///     NtError::NotSupported,
/// );
/// ```
pub fn machine_with(profile: Profile) -> Machine {
    let mut m = machine();
    m.set_profile(profile);
    m
}
