//! Model-based property tests beyond the core's own: long random sequences of
//! links, junctions, symlinks, renames and deletes across C: and D:, with the
//! invariants checked after every step and every path's resolution compared
//! with an independent resolver written from SEMANTICS §5.

use ntlinkfs_core::{Follow, Op, SymlinkFlags};
use ntlinkfs_tests::{model, resolver};
use proptest::prelude::*;

proptest! {
    #![proptest_config(ProptestConfig { cases: 64, ..ProptestConfig::default() })]

    #[test]
    fn random_sequences_keep_invariants_and_resolve_independently(
        bytes in proptest::collection::vec(any::<u8>(), 0..600)
    ) {
        let ops = model::decode_ops(&bytes);
        if let Err(e) = model::run(&ops) {
            prop_assert!(false, "{e}\nops: {ops:#?}");
        }
    }
}

/// A hand-made sequence that exercises every redirect kind, so that the
/// comparison above is known to look at links, not only at plain paths.
#[test]
fn resolver_agrees_on_a_mixed_tree() {
    let ops = vec![
        Op::CreateDirectory {
            path: r"C:\a".into(),
        },
        Op::CreateDirectory {
            path: r"C:\a\b".into(),
        },
        Op::WriteFile {
            path: r"C:\a\b\ab".into(),
            data: b"x".to_vec(),
        },
        Op::CreateJunction {
            link: r"D:\a".into(),
            target: r"C:\a".into(),
        },
        Op::CreateSymbolicLink {
            link: r"C:\a\A".into(),
            target: r"..\a\b".into(),
            flags: SymlinkFlags {
                directory: true,
                allow_unprivileged_create: false,
            },
        },
        Op::CreateSymbolicLink {
            link: r"D:\b".into(),
            target: r"C:\a\b\ab".into(),
            flags: SymlinkFlags::default(),
        },
        Op::CreateJunction {
            link: r"C:\ab".into(),
            target: r"C:\ab".into(),
        },
    ];
    let m = model::run(&ops).expect("consistent");
    let id = m
        .query_information(r"C:\a\b\ab", Follow::Reparse)
        .unwrap()
        .id;
    for p in [r"D:\a\b\ab", r"D:\b", r"D:\A\B\AB"] {
        assert_eq!(resolver::resolve(&m, p), Ok(id), "{p}");
    }
    assert_eq!(
        resolver::resolve(&m, r"C:\ab"),
        Err(ntlinkfs_core::NtError::ReparsePointNotResolved)
    );
}
