//! proptest strategies for random NTFS link trees (feature `proptest`; issue
//! 15): nested directories, hard-link groups in one directory and across
//! directories, junctions (loops like Windows' `Application Data`, to the
//! other volume, dangling), relative, absolute and UNC symbolic links
//! (dangling ones, targets spelled in another case), read-only files and
//! paths past MAX_PATH. [`tree`] draws a [`TreeSpec`]; make it on a machine
//! with [`TreeSpec::make`] (a profile with long paths: [`machine_for_trees`]).
//! proptest shrinks a failing spec by removing entries and pointing the rest
//! at earlier ones, down to a minimal tree.
//!
//! Property-testing a toy copy function (it copies every name as a separate
//! file, so it breaks hard links; proptest finds a tree with a hard link and
//! shrinks it to one file with two names):
//!
//! ```
//! use ntlinkfs_core::testing::tree_gen::{windows_path, MadeKind};
//! use ntlinkfs_core::testing::tree_strategy::{machine_for_trees, tree};
//! use ntlinkfs_core::{Follow, Machine};
//! use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
//!
//! /// The toy: copies the files and directories of `from` to `to`.
//! fn toy_copy(m: &mut Machine, from: &str, to: &str) {
//!     m.create_directory(to).unwrap();
//!     for e in m.enumerate(from).unwrap() {
//!         let (f, t) = (format!(r"{from}\{}", e.name), format!(r"{to}\{}", e.name));
//!         match (e.info.reparse_tag, e.info.is_directory) {
//!             (Some(_), _) => {}
//!             (None, true) => toy_copy(m, &f, &t),
//!             (None, false) => { let d = m.read_file(&f).unwrap(); m.write_file(&t, &d).unwrap() }
//!         }
//!     }
//! }
//!
//! // A fixed seed, so that this example finds its tree on every run.
//! let config = Config { cases: 256, failure_persistence: None, ..Config::default() };
//! let mut runner = TestRunner::new_with_rng(config, TestRng::deterministic_rng(RngAlgorithm::ChaCha));
//! let result = runner.run(&tree(8), |spec| {
//!     let mut m = machine_for_trees();
//!     let made = spec.make(&mut m).unwrap();
//!     toy_copy(&mut m, r"C:\src", r"D:\copy");
//!     // Hard links preserved: the copies of one file's names are one file.
//!     for group in made.hard_link_groups() {
//!         let ids: Vec<_> = group.iter().map(|n| {
//!             let p = windows_path(&n.path).replace(r"C:\src", r"D:\copy");
//!             m.query_information(&p, Follow::Reparse).unwrap().id
//!         }).collect();
//!         proptest::prop_assert!(ids.iter().all(|i| *i == ids[0]), "{:?}", made.script());
//!     }
//!     Ok(())
//! });
//! let Err(proptest::test_runner::TestError::Fail(_, minimal)) = result else { panic!() };
//! let made = minimal.make(&mut machine_for_trees()).unwrap();
//! assert_eq!(made.entries.len(), 2); // one file with two names
//! assert!(matches!(made.entries[1].kind, MadeKind::File { hard_link: true, .. }));
//! ```

use super::tree_gen::{EntrySpec, JunctionTo, KindSpec, SymlinkForm, SymlinkTo, TreeSpec};
use crate::machine::Machine;
use proptest::prelude::*;

/// Names entries get: short ones (some differing only in case, some with
/// spaces, as Windows' own), and now and then a long one (250 characters)
/// so that anything in it has a path past MAX_PATH.
pub fn name() -> impl Strategy<Value = String> {
    let short = prop::sample::select(vec![
        "a",
        "b",
        "A",
        "Docs",
        "f.txt",
        "g.txt",
        "Application Data",
        "My Music",
        "café.txt",
        "NTUSER.DAT",
    ])
    .prop_map(String::from);
    prop_oneof![12 => short, 1 => "[a-z]{250}"]
}

/// What an entry is: directories and files most often, then hard links,
/// junctions and symbolic links, with indices below `refs`.
pub fn kind() -> impl Strategy<Value = KindSpec> {
    let refs = 0..8usize;
    let junction_to = prop_oneof![
        3 => refs.clone().prop_map(JunctionTo::Dir),
        2 => (0..3usize).prop_map(JunctionTo::Ancestor),
        1 => Just(JunctionTo::OtherVolume),
        1 => Just(JunctionTo::Missing),
    ];
    let symlink_to = prop_oneof![
        3 => refs.clone().prop_map(SymlinkTo::File),
        2 => refs.clone().prop_map(SymlinkTo::Dir),
        1 => Just(SymlinkTo::OtherVolume),
        1 => Just(SymlinkTo::Missing),
    ];
    let form = prop_oneof![
        Just(SymlinkForm::Relative),
        Just(SymlinkForm::Absolute),
        Just(SymlinkForm::Unc)
    ];
    let text = prop::sample::select(vec!["x", "hello", "data", "0"]).prop_map(String::from);
    prop_oneof![
        3 => Just(KindSpec::Dir),
        3 => (text, prop::bool::weighted(0.15))
            .prop_map(|(text, read_only)| KindSpec::File { text, read_only }),
        3 => refs.prop_map(|file| KindSpec::HardLink { file }),
        1 => junction_to.prop_map(|to| KindSpec::Junction { to }),
        2 => (symlink_to, form, prop::bool::weighted(0.2))
            .prop_map(|(to, form, case_flip)| KindSpec::Symlink { to, form, case_flip }),
    ]
}

/// One entry in a directory made before it.
pub fn entry() -> impl Strategy<Value = EntrySpec> {
    (0..8usize, name(), kind()).prop_map(|(parent, name, kind)| EntrySpec { parent, name, kind })
}

/// A tree of up to `max_entries` entries.
pub fn tree(max_entries: usize) -> impl Strategy<Value = TreeSpec> {
    prop::collection::vec(entry(), 0..=max_entries).prop_map(|entries| TreeSpec { entries })
}

/// A deterministic machine (C: and D:, NTFS, [`machine`](super::machine))
/// with long paths allowed, so that every drawn tree can be made.
pub fn machine_for_trees() -> Machine {
    super::machine_with("11+longpaths".parse().expect("a known profile"))
}
