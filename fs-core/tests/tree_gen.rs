//! The tree generator of `ntlinkfs check` (issue 15): every drawn spec makes
//! a tree whose invariants hold, with exactly the names the [`Tree`] lists;
//! and drawn trees hold every structure the properties are about.
#![cfg(feature = "proptest")]

use ntlinkfs_core::invariants;
use ntlinkfs_core::testing::tree_gen::{windows_path, MadeKind, Stats, Tree, TreeSpec};
use ntlinkfs_core::testing::tree_strategy::{machine_for_trees, tree};
use ntlinkfs_core::Follow;
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, TestRunner};

fn made(spec: &TreeSpec) -> (ntlinkfs_core::Machine, Tree) {
    let mut m = machine_for_trees();
    let t = spec.make(&mut m).unwrap();
    (m, t)
}

proptest! {
    #![proptest_config(Config { cases: 128, failure_persistence: None, ..Config::default() })]

    /// The tree is what it says: each name exists as its kind, hard links
    /// share one file (link counts), junction and symlink data as listed.
    #[test]
    fn a_made_tree_is_what_it_lists(spec in tree(16)) {
        let (m, t) = made(&spec);
        invariants::check(&m).unwrap();
        for e in &t.entries {
            let p = windows_path(&e.path);
            let info = m.query_information(&p, Follow::OpenReparsePoint).unwrap();
            match &e.kind {
                MadeKind::Dir => prop_assert!(info.is_directory && info.reparse_tag.is_none()),
                MadeKind::File { data, .. } => {
                    prop_assert!(!info.is_directory);
                    prop_assert_eq!(&m.read_node(info.id, 0, usize::MAX).unwrap(), data);
                }
                MadeKind::Junction(_) => prop_assert_eq!(info.reparse_tag, Some(0xA000_0003)),
                MadeKind::Symlink { .. } => prop_assert_eq!(info.reparse_tag, Some(0xA000_000C)),
            }
        }
        for group in t.hard_link_groups() {
            let p = windows_path(&group[0].path);
            let info = m.query_information(&p, Follow::Reparse).unwrap();
            prop_assert_eq!(info.link_count as usize, group.len());
        }
        // Nothing else below C:\src: the listed names are all of them.
        let listed = t.entries.len();
        let mut found = 0;
        let mut stack = vec![r"C:\src".to_string()];
        while let Some(d) = stack.pop() {
            for e in m.enumerate(&d).unwrap() {
                found += 1;
                if e.info.is_directory && e.info.reparse_tag.is_none() {
                    stack.push(format!("{d}\\{}", e.name));
                }
            }
        }
        prop_assert_eq!(found, listed);
    }
}

/// 256 trees of up to 12 entries hold every structure at least once (what
/// `--stats` counts), so no property is judged on trees without its subject.
#[test]
fn drawn_trees_hold_every_structure() {
    let mut runner = TestRunner::deterministic();
    let mut total = Stats::default();
    for _ in 0..256 {
        let spec = tree(12).new_tree(&mut runner).unwrap().current();
        total.add(&made(&spec).1.stats());
    }
    for (what, n) in total.rows() {
        assert!(n > 0, "no {what} in 256 trees: {total:?}");
    }
}

/// Shrinking only removes: a spec with fewer entries still makes a tree.
#[test]
fn every_sub_spec_makes_a_tree() {
    let mut runner = TestRunner::deterministic();
    let spec = tree(12).new_tree(&mut runner).unwrap().current();
    for skip in 0..spec.entries.len() {
        let mut fewer = spec.clone();
        fewer.entries.remove(skip);
        let (m, _) = made(&fewer);
        invariants::check(&m).unwrap();
    }
}
