//! # ntlinkfs-tests: the NTFS conformance suite
//!
//! The rules of SEMANTICS.md as data ([`tables`]), one table per topic, each row
//! with its setup, the operation under test, the exact expected outcome and its
//! source. The same rows run on every [`Target`]: the core ([`Core`]), a FUSE
//! mount of `ntlinkfs-fuse`, and (on Windows, opt-in) a real NTFS directory
//! and a WinFsp mount of `ntlinkfs-winfsp`.
//!
//! ## Getting started
//!
//! 1. `cargo run -p ntlinkfs-tests --bin ntlinkfs-conformance` runs every row on
//!    every available target and prints a table per topic and target.
//! 2. Rows are in `tests/src/tables/*.rs`; add one with `row(..).given(..).when(..)`.
//! 3. Each row cites a SEMANTICS.md rule id; docs/rules.md lists every id with
//!    its rows ([`rules_page`]). After changing a table, regenerate it with
//!    `cargo run -p ntlinkfs-tests --bin ntlinkfs-conformance -- --rules-page > docs/rules.md`
//!    (the `rules_page` test fails until you do).
//!
//! ```
//! use ntlinkfs_tests::{runner, tables, Core};
//!
//! let rows = tables::all();
//! let results = runner::run_all(&mut Core::new(), &rows[..20]);
//! assert_eq!(runner::totals(&results).failed, 0);
//! ```

pub mod core_target;
#[cfg(target_os = "linux")]
pub mod dir_target;
#[cfg(all(target_os = "linux", feature = "fuse"))]
pub mod fuse_target;
pub mod model;
#[cfg(windows)]
pub mod ntfs_target;
#[cfg(target_os = "linux")]
mod posix_io;
#[cfg(feature = "random")]
pub mod random;
#[cfg(feature = "random")]
pub mod random_posix;
pub mod resolver;
pub mod rules_page;
pub mod runner;
pub mod scenario;
pub mod tables;
pub mod target;
pub mod targets;
#[cfg(windows)]
pub mod winfsp_target;

pub use core_target::Core;
pub use scenario::{Env, Expect, Op, Scenario, Topic};
pub use target::{Failure, Observed, Target};

/// docs/model.md, whose `rust` examples compile and run as doctests here
/// (cli/tests/doc_blocks.rs runs the page's other blocks).
#[cfg(doctest)]
#[doc = include_str!("../../docs/model.md")]
pub struct ModelPage;
