//! No input panics the core (issue 2: "No input makes it panic"): arbitrary
//! strings at path parsing, arbitrary bytes at the reparse codecs, and random
//! operation sequences with odd paths, raw buffers, stale handles and stale
//! node ids at the Machine. After every operation the invariants hold, and an
//! operation that failed changed nothing (`ntlinkfs_core::testing::snapshot`).
//!
//! 256 cases per property by default; `PROPTEST_CASES=100000` for a long run.

mod common;
use common::*;
use ntlinkfs_core::{
    path::{self, CurrentDirs, DeviceNames, FullPath, Win32Rules},
    reparse::{self, ReparseData},
    DeleteSemantics, Disposition, FileRef, Follow, FsKind, HandleId, LinkOptions, Machine,
    MoveFlags, NodeId, Op, OpenOptions, Profile, SymlinkFlags, Want,
};
use proptest::prelude::*;

struct Cwd;
impl CurrentDirs for Cwd {
    fn current_drive(&self) -> u8 {
        b'C'
    }
    fn current_dir(&self, drive: u8) -> FullPath {
        FullPath::drive_root(drive)
    }
}

/// Path text built from the pieces that trip parsers: every prefix Windows
/// knows, both separators, dots, devices, invalid characters, long names.
fn odd_path() -> impl Strategy<Value = String> {
    let prefix = prop::sample::select(vec![
        r"C:\",
        r"D:\",
        "C:",
        "D:",
        r"\",
        "",
        r"\\?\C:\",
        r"\??\C:\",
        r"\\.\C:\",
        r"\\?\",
        r"\??\",
        r"\\.\",
        r"\\",
        r"\\\",
        "//",
        "/",
        r"\\localhost\C$\",
        r"\\?\UNC\localhost\D$\",
        r"\\server\share\",
        r"\??\UNC\",
        r"\\?\Volume{x}\",
        "Q:\\",
        "C:/",
        r"\\?\C:",
        "c:..",
    ]);
    let long = "n".repeat(256);
    let piece = prop::sample::select(vec![
        "a".to_string(),
        "A".into(),
        "b".into(),
        "..".into(),
        ".".into(),
        "".into(),
        "con".into(),
        "NUL".into(),
        "x.".into(),
        " ".into(),
        "a:b".into(),
        "*".into(),
        "?".into(),
        "\u{0}".into(),
        "é".into(),
        "ß".into(),
        "\u{1F525}".into(),
        "COM¹".into(),
        "CONIN$".into(),
        "a.txt".into(),
        long,
    ]);
    let sep = prop::sample::select(vec![r"\", "/", r"\\"]);
    prop_oneof![
        6 => (prefix, prop::collection::vec((piece, sep), 0..5)).prop_map(|(p, parts)| {
            let mut s = p.to_string();
            for (c, sep) in parts {
                s.push_str(&c);
                s.push_str(sep);
            }
            s
        }),
        1 => any::<String>(),
        1 => "[a-zA-Z\\\\/:.?*<>| ]{0,40}",
    ]
}

/// Reparse buffers: valid ones for odd targets, corrupted ones, and raw bytes.
fn odd_buffer() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        2 => odd_path().prop_map(|t| ReparseData::mount_point(&t, &t).encode()),
        2 => (odd_path(), any::<bool>()).prop_map(|(t, r)| ReparseData::symlink(&t, &t, r).encode()),
        1 => (any::<u32>(), prop::option::of(any::<[u8; 16]>()), prop::collection::vec(any::<u8>(), 0..40))
            .prop_map(|(tag, guid, data)| ReparseData::Other { tag, guid, data }.encode()),
        1 => (odd_path().prop_map(|t| ReparseData::symlink(&t, "", false).encode()), any::<usize>(), any::<u8>())
            .prop_map(|(mut b, i, v)| {
                if !b.is_empty() {
                    let n = b.len();
                    b[i % n] = v;
                }
                b
            }),
        2 => prop::collection::vec(any::<u8>(), 0..64),
    ]
}

fn node_id() -> impl Strategy<Value = NodeId> {
    (0usize..4, 0u64..40, 0u16..4).prop_map(|(volume, rec, seq)| NodeId {
        volume,
        file: if rec == 5 {
            FileRef::new(5, 5)
        } else {
            FileRef::new(rec, seq)
        },
    })
}

fn options() -> impl Strategy<Value = OpenOptions> {
    (
        prop::sample::select(vec![
            Disposition::Open,
            Disposition::Create,
            Disposition::OpenIf,
            Disposition::Overwrite,
            Disposition::OverwriteIf,
            Disposition::Supersede,
        ]),
        prop::sample::select(vec![Want::Any, Want::File, Want::Directory]),
        any::<bool>(),
        any::<u32>(),
        0u32..8,
        any::<bool>(),
        any::<u32>(),
    )
        .prop_map(
            |(d, want, follow, access, share, delete_on_close, attributes)| OpenOptions {
                disposition: d,
                want,
                follow: if follow {
                    Follow::Reparse
                } else {
                    Follow::OpenReparsePoint
                },
                access,
                share,
                delete_on_close,
                attributes,
            },
        )
}

fn op() -> impl Strategy<Value = Op> {
    let p = odd_path;
    let h = || (0u64..6).prop_map(HandleId);
    let data = || prop::collection::vec(any::<u8>(), 0..8);
    prop_oneof![
        p().prop_map(|path| Op::CreateFile { path }),
        p().prop_map(|path| Op::CreateDirectory { path }),
        (h(), prop::option::of(h()), p(), any::<[bool; 3]>()).prop_map(
            |(handle, root, name, [r, i, x])| Op::SetLinkInformation {
                handle,
                root,
                name,
                options: LinkOptions {
                    replace_if_exists: r,
                    ignore_readonly: i,
                    posix_semantics: x,
                },
            }
        ),
        (h(), prop::option::of(h()), p(), any::<[bool; 2]>()).prop_map(
            |(handle, root, name, [r, x])| Op::SetRenameInformation {
                handle,
                root,
                name,
                options: ntlinkfs_core::RenameOptions {
                    replace_if_exists: r,
                    posix_semantics: x,
                },
            }
        ),
        (h(), data()).prop_map(|(handle, buffer)| Op::SetReparsePointH { handle, buffer }),
        (p(), any::<bool>(), any::<u32>(), any::<bool>()).prop_map(|(path, allow, mask, link)| {
            let mut sd = ntlinkfs_core::SecurityDescriptor::default();
            sd.add(ntlinkfs_core::Ace {
                trustee: ntlinkfs_core::Trustee::Everyone,
                allow,
                mask,
            });
            Op::SetSecurity {
                path,
                follow: if link {
                    Follow::OpenReparsePoint
                } else {
                    Follow::Reparse
                },
                descriptor: Some(sd),
            }
        }),
        (p(), data()).prop_map(|(path, data)| Op::WriteFile { path, data }),
        (p(), data()).prop_map(|(path, data)| Op::AppendFile { path, data }),
        p().prop_map(|path| Op::ReadFile { path }),
        p().prop_map(|path| Op::DeleteFile { path }),
        p().prop_map(|path| Op::RemoveDirectory { path }),
        (p(), p(), any::<bool>(), any::<bool>()).prop_map(|(from, to, r, c)| Op::MoveFile {
            from,
            to,
            flags: MoveFlags {
                replace_existing: r,
                copy_allowed: c
            },
        }),
        (p(), any::<u32>())
            .prop_map(|(path, attributes)| Op::SetFileAttributes { path, attributes }),
        p().prop_map(|path| Op::RemoveTree { path }),
        p().prop_map(|path| Op::ExplorerDelete { path }),
        (p(), p(), any::<bool>(), any::<bool>()).prop_map(|(link, existing, r, i)| {
            Op::CreateHardLink {
                link,
                existing,
                options: LinkOptions {
                    replace_if_exists: r,
                    ignore_readonly: i,
                    posix_semantics: false,
                },
            }
        }),
        (p(), p(), any::<bool>(), any::<bool>()).prop_map(|(link, target, d, u)| {
            Op::CreateSymbolicLink {
                link,
                target,
                flags: SymlinkFlags {
                    directory: d,
                    allow_unprivileged_create: u,
                },
            }
        }),
        (p(), p()).prop_map(|(link, target)| Op::CreateJunction { link, target }),
        (p(), odd_buffer()).prop_map(|(path, buffer)| Op::SetReparsePoint { path, buffer }),
        p().prop_map(|path| Op::GetReparsePoint { path }),
        (p(), odd_buffer()).prop_map(|(path, request)| Op::DeleteReparsePoint { path, request }),
        p().prop_map(|path| Op::RemoveReparsePoint { path }),
        (p(), any::<bool>()).prop_map(|(path, f)| Op::QueryInformation {
            path,
            follow: if f {
                Follow::Reparse
            } else {
                Follow::OpenReparsePoint
            },
        }),
        p().prop_map(|path| Op::Enumerate { path }),
        p().prop_map(|path| Op::FindFileNames { path }),
        p().prop_map(|path| Op::FinalPath { path }),
        p().prop_map(|path| Op::SetCurrentDir { path }),
        (p(), options()).prop_map(|(path, options)| Op::Open { path, options }),
        (node_id(), options()).prop_map(|(node, options)| Op::OpenNode { node, options }),
        h().prop_map(|handle| Op::Close { handle }),
        (h(), any::<u64>(), 0usize..64).prop_map(|(handle, offset, len)| Op::Read {
            handle,
            offset,
            len
        }),
        (
            h(),
            prop_oneof![Just(0u64), Just(u64::MAX), 0u64..100],
            data()
        )
            .prop_map(|(handle, offset, data)| Op::Write {
                handle,
                offset,
                data
            }),
        (h(), any::<u64>()).prop_map(|(handle, len)| Op::SetLen {
            handle,
            len: len % 200
        }),
        (
            h(),
            any::<bool>(),
            prop::sample::select(vec![
                DeleteSemantics::Classic,
                DeleteSemantics::Posix,
                DeleteSemantics::Profile
            ])
        )
            .prop_map(|(handle, delete, semantics)| Op::SetDeleteDisposition {
                handle,
                delete,
                semantics
            }),
        (node_id(), p()).prop_map(|(dir, name)| Op::Lookup { dir, name }),
        (node_id(), p()).prop_map(|(dir, name)| Op::CreateFileAt {
            dir,
            name,
            attributes: 0
        }),
        (node_id(), p()).prop_map(|(dir, name)| Op::CreateDirectoryAt { dir, name }),
        (node_id(), p()).prop_map(|(dir, name)| Op::DeleteAt {
            dir,
            name,
            want: Want::Any
        }),
        (node_id(), p(), node_id(), p(), any::<bool>()).prop_map(
            |(from_dir, from, to_dir, to, replace)| {
                Op::RenameAt {
                    from_dir,
                    from,
                    to_dir,
                    to,
                    replace,
                }
            }
        ),
        (node_id(), node_id(), p()).prop_map(|(file, dir, name)| Op::CreateHardLinkAt {
            file,
            dir,
            name
        }),
        (node_id(), p(), p()).prop_map(|(dir, name, target)| Op::CreateSymbolicLinkAt {
            dir,
            name,
            target,
            flags: SymlinkFlags::default()
        }),
        (node_id(), p(), p()).prop_map(|(dir, name, target)| Op::CreateJunctionAt {
            dir,
            name,
            target
        }),
        (node_id(), odd_buffer()).prop_map(|(node, buffer)| Op::SetReparsePointOf { node, buffer }),
        node_id().prop_map(|node| Op::RemoveReparsePointOf { node }),
        (node_id(), any::<u32>())
            .prop_map(|(node, attributes)| Op::SetAttributesOf { node, attributes }),
        (node_id(), 0u64..100).prop_map(|(node, len)| Op::SetLenOf { node, len }),
        node_id().prop_map(|node| Op::FileNames { node }),
        node_id().prop_map(|node| Op::PathOf { node }),
        node_id().prop_map(|dir| Op::ReadDir { dir }),
        prop::sample::select(vec![
            "nt4",
            "2000",
            "xp",
            "vista",
            "10-1607",
            "10-1709",
            "11",
            "11+dev-user",
            "11-user+longpaths"
        ])
        .prop_map(|p| Op::SetProfile {
            profile: p.parse::<Profile>().expect("profile")
        }),
        (
            any::<char>(),
            prop::sample::select(vec![
                FsKind::Ntfs,
                FsKind::Fat32,
                FsKind::ExFat,
                FsKind::Refs(3, 4)
            ])
        )
            .prop_map(|(letter, kind)| Op::AddVolume {
                letter,
                kind,
                label: None
            }),
    ]
}

fn start() -> Machine {
    fixture(&[
        r"dir C:\a",
        r"file C:\a\f data",
        r"hard C:\a\g C:\a\f",
        r"dir C:\t",
        r"junction C:\j C:\t",
        r"symlink C:\s C:\a\f",
        r"symlinkd C:\sd ..\t",
        r"dir D:\d",
        r"junction D:\back C:\a",
        r"ro C:\a\g",
    ])
}

proptest! {
    #[test]
    fn path_parsing_never_panics(s in odd_path(), long in any::<bool>(), win11 in any::<bool>()) {
        let rules = Win32Rules {
            device_names: if win11 { DeviceNames::Windows11 } else { DeviceNames::Classic },
            long_paths: long,
        };
        let _ = path::full_path(&s, &Cwd, rules);
        let _ = path::nt_path(&s);
        let units: Vec<u16> = s.encode_utf16().collect();
        let _ = path::full_path_units(&units, &Cwd, rules);
        let m = start();
        let _ = m.full_path(&s);
        let _ = m.symlink_data_for(&s);
        let _ = m.junction_data_for(&s);
    }

    #[test]
    fn reparse_codecs_never_panic_and_round_trip(buf in odd_buffer(), len in 0usize..100) {
        if let Ok(d) = ReparseData::decode(&buf) {
            prop_assert_eq!(ReparseData::decode(&d.encode()), Ok(d.clone()));
            let _ = (d.substitute_name(), d.print_name(), d.tag());
        }
        let _ = reparse::decode_delete_request(&buf);
        let _ = reparse::get_into(&buf, len);
        let _ = reparse::hex_dump(&buf);
    }

    #[test]
    fn operations_never_panic_and_failures_change_nothing(ops in prop::collection::vec(op(), 1..25)) {
        let mut m = start();
        for op in &ops {
            // `attempt` checks the invariants after the op and, when it failed,
            // that the snapshot is unchanged.
            let _ = attempt(&mut m, op);
        }
    }
}
