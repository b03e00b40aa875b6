//! Model-based property tests beyond the core's own: long random sequences of
//! links, junctions, symlinks, renames and deletes across C: and D:, with the
//! invariants checked after every step and every path's resolution compared
//! with an independent resolver written from SEMANTICS §5.

use ntlinkfs_core::access::{
    map_generic, DELETE, FILE_ALL_ACCESS, FILE_APPEND_DATA, FILE_EXECUTE, FILE_READ_DATA,
    FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_WRITE_DATA, MAXIMUM_ALLOWED,
};
use ntlinkfs_core::{Follow, NtError, Op, OpenOptions, SymlinkFlags};
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

/// IoCheckShareAccess as the I/O manager keeps it, written independently of
/// the core: per file, the counts of opens, of readers, writers and deleters,
/// and of opens sharing read, write and delete; only opens with read, write
/// or delete access are counted.
#[derive(Default)]
struct ShareCounts {
    open: u32,
    readers: u32,
    writers: u32,
    deleters: u32,
    shared_read: u32,
    shared_write: u32,
    shared_delete: u32,
}

impl ShareCounts {
    fn rwd(access: u32) -> (bool, bool, bool) {
        (
            access & (FILE_READ_DATA | FILE_EXECUTE) != 0,
            access & (FILE_WRITE_DATA | FILE_APPEND_DATA) != 0,
            access & DELETE != 0,
        )
    }

    fn allows(&self, access: u32, share: u32) -> bool {
        let (r, w, d) = Self::rwd(access);
        if !(r || w || d) {
            return true;
        }
        !((r && self.shared_read < self.open)
            || (w && self.shared_write < self.open)
            || (d && self.shared_delete < self.open)
            || (self.readers > 0 && share & FILE_SHARE_READ == 0)
            || (self.writers > 0 && share & FILE_SHARE_WRITE == 0)
            || (self.deleters > 0 && share & FILE_SHARE_DELETE == 0))
    }

    fn update(&mut self, access: u32, share: u32, sign: i32) {
        let (r, w, d) = Self::rwd(access);
        if !(r || w || d) {
            return;
        }
        let add = |n: &mut u32, yes: bool| {
            if yes {
                *n = n.wrapping_add_signed(sign);
            }
        };
        add(&mut self.open, true);
        add(&mut self.readers, r);
        add(&mut self.writers, w);
        add(&mut self.deleters, d);
        add(&mut self.shared_read, share & FILE_SHARE_READ != 0);
        add(&mut self.shared_write, share & FILE_SHARE_WRITE != 0);
        add(&mut self.shared_delete, share & FILE_SHARE_DELETE != 0);
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 128, ..ProptestConfig::default() })]

    /// M13: a sequence of opens and closes of one file; each open succeeds
    /// exactly when the reference share counts allow it, and a refused open
    /// is STATUS_SHARING_VIOLATION.
    #[test]
    fn opens_succeed_exactly_when_share_modes_allow(
        steps in proptest::collection::vec((0usize..8, 0u32..8, any::<bool>()), 1..24)
    ) {
        let mut m = model::machine();
        m.write_file(r"C:\f", b"x").unwrap();
        let mut counts = ShareCounts::default();
        let mut held = Vec::new();
        for (a, share, close_oldest) in steps {
            if close_oldest && !held.is_empty() {
                let (h, access, share) = held.remove(0);
                m.close(h).unwrap();
                counts.update(access, share, -1);
            }
            let desired = model::ACCESS[a];
            let mut granted = map_generic(desired);
            if granted & MAXIMUM_ALLOWED != 0 {
                granted = (granted & !MAXIMUM_ALLOWED) | FILE_ALL_ACCESS;
            }
            let want = counts.allows(granted, share);
            let got = m.open(r"C:\f", &OpenOptions::default().access(desired).share(share));
            match got {
                Ok(h) => {
                    prop_assert!(want, "opened {desired:#x}/{share} against the share counts");
                    counts.update(granted, share, 1);
                    held.push((h, granted, share));
                }
                Err(e) => {
                    prop_assert!(!want, "refused {desired:#x}/{share}: {e:?}");
                    prop_assert_eq!(e, NtError::SharingViolation);
                }
            }
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
