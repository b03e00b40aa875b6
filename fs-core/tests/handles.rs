//! Open handles: CreateFile dispositions, I/O, delete-on-close, sharing, and
//! what stale handles and stale node ids get. Rules: HL21, HL30, M9, M10, S20,
//! S21, N8, P11 and the "a failed operation changes nothing" contract.
//!
//! Fixture:
//!
//! ```text
//! C:\
//! ├── d\
//! │   └── f     "data"
//! ├── ro        "ro"  READONLY
//! └── e\              empty
//! ```

mod common;
use common::*;
use ntlinkfs_core::{
    attrs::*, DeleteSemantics, Disposition, FileRef, Follow, HandleId, Machine, NodeId, NtError,
    Op, OpenOptions, Want, MAX_FILE_SIZE,
};

fn base() -> Machine {
    fixture(&[
        r"dir C:\d",
        r"file C:\d\f data",
        r"file C:\ro ro",
        r"ro C:\ro",
        r"dir C:\e",
    ])
}

fn disp(d: Disposition) -> OpenOptions {
    OpenOptions::default().disposition(d)
}

#[test]
fn open_dispositions_table() {
    use Disposition::*;
    // (disposition, path, expected error, or the file's contents afterwards)
    type Row<'a> = (Disposition, &'a str, Result<&'a [u8], NtError>);
    let rows: &[Row] = &[
        (Open, r"C:\d\f", Ok(b"data")),
        (Open, r"C:\d\new", Err(NtError::ObjectNameNotFound)),
        (Create, r"C:\d\f", Err(NtError::ObjectNameCollision)),
        (Create, r"C:\d\F", Err(NtError::ObjectNameCollision)),
        (Create, r"C:\d\new", Ok(b"")),
        (OpenIf, r"C:\d\f", Ok(b"data")),
        (OpenIf, r"C:\d\new", Ok(b"")),
        (Overwrite, r"C:\d\f", Ok(b"")),
        (Overwrite, r"C:\d\new", Err(NtError::ObjectNameNotFound)),
        (OverwriteIf, r"C:\d\f", Ok(b"")),
        (OverwriteIf, r"C:\d\new", Ok(b"")),
        (Supersede, r"C:\d\f", Ok(b"")),
        (Supersede, r"C:\d\new", Ok(b"")),
        (Open, r"C:\nodir\x", Err(NtError::ObjectPathNotFound)),
        (Create, r"C:\d\f\x", Err(NtError::ObjectPathNotFound)),
        (Create, r"C:\d\x\", Err(NtError::ObjectNameInvalid)),
        (Overwrite, r"C:\ro", Err(NtError::AccessDenied)),
        (OverwriteIf, r"C:\d", Err(NtError::FileIsADirectory)),
    ];
    for &(d, path, want) in rows {
        let mut m = base();
        match want {
            Err(e) => fails(&mut m, &format!("{d:?} {path}"), open(path, disp(d)), e),
            Ok(bytes) => {
                let h = handle(ok(&mut m, open(path, disp(d))));
                ok(&mut m, Op::Close { handle: h });
                assert_eq!(contents(&mut m, path), bytes, "{d:?} {path}");
            }
        }
    }
}

#[test]
fn open_kind_and_access_checks() {
    let mut m = base();
    let dir = OpenOptions::default().want(Want::Directory);
    let file = OpenOptions::default().want(Want::File);
    fails(
        &mut m,
        "FILE_DIRECTORY_FILE",
        open(r"C:\d\f", dir),
        NtError::NotADirectory,
    );
    fails(
        &mut m,
        "FILE_NON_DIRECTORY_FILE",
        open(r"C:\d", file),
        NtError::FileIsADirectory,
    );
    fails(
        &mut m,
        "read-only",
        open(r"C:\ro", OpenOptions::default().write(true)),
        NtError::AccessDenied,
    );
    // A directory created through open with FILE_DIRECTORY_FILE.
    let h = handle(ok(
        &mut m,
        open(r"C:\d\sub", dir.disposition(Disposition::Create)),
    ));
    assert!(m.handle_info(h).unwrap().is_directory);
    fails(
        &mut m,
        "write dir",
        Op::Write {
            handle: h,
            offset: 0,
            data: b"x".to_vec(),
        },
        NtError::InvalidDeviceRequest,
    );
    ok(&mut m, Op::Close { handle: h });
    // Reading through a handle without write access works; writing does not.
    let h = handle(ok(&mut m, open(r"C:\d\f", OpenOptions::default())));
    fails(
        &mut m,
        "no write access",
        Op::Write {
            handle: h,
            offset: 0,
            data: b"x".to_vec(),
        },
        NtError::AccessDenied,
    );
    fails(
        &mut m,
        "no write access",
        Op::SetLen { handle: h, len: 0 },
        NtError::AccessDenied,
    );
    ok(&mut m, Op::Close { handle: h });
}

#[test]
fn handle_io_reads_writes_and_extends() {
    let mut m = base();
    let h = handle(ok(
        &mut m,
        open(r"C:\d\f", OpenOptions::default().write(true)),
    ));
    assert_eq!(
        ok(
            &mut m,
            Op::Write {
                handle: h,
                offset: 6,
                data: b"!!".to_vec()
            }
        ),
        ntlinkfs_core::Outcome::Count(2)
    );
    assert_eq!(m.read(h, 0, 100).unwrap(), b"data\0\0!!");
    assert_eq!(m.read(h, 100, 10).unwrap(), b"");
    assert_eq!(m.read(h, u64::MAX, usize::MAX).unwrap(), b"");
    ok(&mut m, Op::SetLen { handle: h, len: 2 });
    assert_eq!(m.handle_info(h).unwrap().size, 2);
    fails(
        &mut m,
        "size limit",
        Op::SetLen {
            handle: h,
            len: MAX_FILE_SIZE + 1,
        },
        NtError::FileTooLarge,
    );
    fails(
        &mut m,
        "size limit",
        Op::Write {
            handle: h,
            offset: u64::MAX,
            data: b"x".to_vec(),
        },
        NtError::FileTooLarge,
    );
    ok(&mut m, Op::Close { handle: h });
    assert_eq!(contents(&mut m, r"C:\d\f"), b"da");
}

/// FSCTL_SET_ZERO_DATA (Linux's punched hole): zeros inside the file, the
/// length unchanged, nothing past the end; a read-only handle may not.
#[test]
fn zero_range_zeroes_inside_the_length_only() {
    let mut m = base();
    let ro = handle(ok(&mut m, open(r"C:\d\f", OpenOptions::default())));
    assert_eq!(m.zero_range(ro, 0, 1), Err(NtError::AccessDenied));
    let h = handle(ok(
        &mut m,
        open(r"C:\d\f", OpenOptions::default().write(true)),
    ));
    m.zero_range(h, 1, 2).unwrap();
    assert_eq!(m.read(h, 0, 10).unwrap(), b"d\0\0a");
    m.zero_range(h, 3, u64::MAX).unwrap();
    assert_eq!(m.read(h, 0, 10).unwrap(), b"d\0\0\0");
    m.zero_range(h, 100, 10).unwrap();
    assert_eq!(m.handle_info(h).unwrap().size, 4);
    ok(&mut m, Op::Close { handle: h });
    ok(&mut m, Op::Close { handle: ro });
}

#[test]
fn stale_and_foreign_handles_are_invalid() {
    let mut m = base();
    let h = handle(ok(&mut m, open(r"C:\d\f", OpenOptions::default())));
    ok(&mut m, Op::Close { handle: h });
    for bad in [h, HandleId(12345), HandleId(u64::MAX)] {
        let rows = [
            Op::Close { handle: bad },
            Op::Read {
                handle: bad,
                offset: 0,
                len: 1,
            },
            Op::Write {
                handle: bad,
                offset: 0,
                data: vec![1],
            },
            Op::SetLen {
                handle: bad,
                len: 0,
            },
            Op::HandleInfo { handle: bad },
            Op::SetDeleteDisposition {
                handle: bad,
                delete: true,
                semantics: DeleteSemantics::Posix,
            },
        ];
        for op in rows {
            fails(&mut m, "stale handle", op, NtError::InvalidHandle);
        }
        assert_eq!(m.handle_node(bad), Err(NtError::InvalidHandle));
    }
}

#[test]
fn stale_node_ids_never_alias_a_reused_record() {
    let mut m = base();
    let old = info(&m, r"C:\d\f").id;
    let dir = linfo(&m, r"C:\e").id;
    ok(&mut m, del(r"C:\d\f"));
    ok(&mut m, rmdir(r"C:\e"));
    // The freed records are reused with a new sequence number.
    ok(&mut m, create_file(r"C:\d\g"));
    ok(&mut m, mkdir(r"C:\d\h"));
    let (g, h) = (info(&m, r"C:\d\g").id, info(&m, r"C:\d\h").id);
    let records = [old.file.record(), dir.file.record()];
    assert!(records.contains(&g.file.record()) && records.contains(&h.file.record()));
    assert_ne!(g, old);
    assert_ne!(h, dir);
    let foreign = NodeId {
        volume: 7,
        file: old.file,
    };
    let wild = NodeId {
        volume: 0,
        file: FileRef(u64::MAX),
    };
    for (id, want) in [
        (old, NtError::FileDeleted),
        (dir, NtError::FileDeleted),
        (wild, NtError::FileDeleted),
        (foreign, NtError::InvalidParameter),
    ] {
        let rows = [
            Op::Info { node: id },
            Op::Lookup {
                dir: id,
                name: "x".into(),
            },
            Op::ReadDir { dir: id },
            Op::CreateFileAt {
                dir: id,
                name: "x".into(),
                attributes: 0,
            },
            Op::CreateDirectoryAt {
                dir: id,
                name: "x".into(),
            },
            Op::DeleteAt {
                dir: id,
                name: "x".into(),
                want: Want::Any,
            },
            Op::RenameAt {
                from_dir: id,
                from: "x".into(),
                to_dir: id,
                to: "y".into(),
                replace: false,
            },
            Op::CreateHardLinkAt {
                file: id,
                dir: id,
                name: "x".into(),
            },
            Op::CreateSymbolicLinkAt {
                dir: id,
                name: "x".into(),
                target: "y".into(),
                flags: Default::default(),
            },
            Op::CreateJunctionAt {
                dir: id,
                name: "x".into(),
                target: r"C:\d".into(),
            },
            Op::SetReparsePointOf {
                node: id,
                buffer: vec![],
            },
            Op::GetReparsePointOf { node: id },
            Op::RemoveReparsePointOf { node: id },
            Op::SetAttributesOf {
                node: id,
                attributes: 0,
            },
            Op::SetLenOf { node: id, len: 0 },
            Op::FileNames { node: id },
            Op::PathOf { node: id },
            Op::OpenNode {
                node: id,
                options: OpenOptions::default(),
            },
        ];
        for op in rows {
            fails(&mut m, "stale id", op, want);
        }
    }
}

#[test]
fn delete_on_close_is_validated_before_anything_changes_m9() {
    let mut m = base();
    // A read-only file asked for with DELETE_ON_CLOSE: not created.
    let opts = OpenOptions {
        attributes: FILE_ATTRIBUTE_READONLY,
        ..disp(Disposition::Create).delete_on_close(true)
    };
    fails(&mut m, "M9", open(r"C:\d\new", opts), NtError::CannotDelete);
    // Another handle without delete sharing: the file is not truncated first.
    let h = handle(ok(
        &mut m,
        open(r"C:\d\f", OpenOptions::default().share_delete(false)),
    ));
    fails(
        &mut m,
        "M9",
        open(
            r"C:\d\f",
            disp(Disposition::OverwriteIf).delete_on_close(true),
        ),
        NtError::SharingViolation,
    );
    ok(&mut m, Op::Close { handle: h });
    assert_eq!(contents(&mut m, r"C:\d\f"), b"data");
    fails(
        &mut m,
        "M9",
        open(r"C:\d", OpenOptions::default().delete_on_close(true)),
        NtError::DirectoryNotEmpty,
    );
    fails(
        &mut m,
        "M9",
        open(r"C:\", OpenOptions::default().delete_on_close(true)),
        NtError::CannotDelete,
    );
    // Granted: the name goes with the last handle.
    let h1 = handle(ok(
        &mut m,
        open(r"C:\d\f", OpenOptions::default().delete_on_close(true)),
    ));
    let h2 = handle(ok(
        &mut m,
        open(r"C:\e", OpenOptions::default().delete_on_close(true)),
    ));
    // HL12: DELETE_ON_CLOSE marks the name at cleanup, not before.
    assert!(!m.handle_info(h1).unwrap().delete_pending);
    ok(&mut m, Op::Close { handle: h1 });
    ok(&mut m, Op::Close { handle: h2 });
    assert_eq!(listing(&m, r"C:\"), ["d", "ro"]);
    assert!(listing(&m, r"C:\d").is_empty());
}

#[test]
fn open_node_by_id_opens_the_object_itself() {
    let mut m = base();
    ok(&mut m, symlink(r"C:\s", r"C:\d\f"));
    let s = linfo(&m, r"C:\s").id;
    let h = handle(ok(
        &mut m,
        Op::OpenNode {
            node: s,
            options: OpenOptions::default(),
        },
    ));
    assert_eq!(m.handle_info(h).unwrap().reparse_tag, Some(0xA000_000C));
    ok(&mut m, Op::Close { handle: h });
    // FILE_OVERWRITE by id truncates, and needs write access.
    let f = info(&m, r"C:\d\f").id;
    let bad = OpenOptions {
        disposition: Disposition::Overwrite,
        ..OpenOptions::default()
    };
    fails(
        &mut m,
        "overwrite needs write",
        Op::OpenNode {
            node: f,
            options: bad,
        },
        NtError::AccessDenied,
    );
    let h = handle(ok(
        &mut m,
        Op::OpenNode {
            node: f,
            options: disp(Disposition::Overwrite),
        },
    ));
    ok(&mut m, Op::Close { handle: h });
    assert_eq!(contents(&mut m, r"C:\d\f"), b"");
    let d = linfo(&m, r"C:\d").id;
    fails(
        &mut m,
        "overwrite dir",
        Op::OpenNode {
            node: d,
            options: disp(Disposition::Overwrite),
        },
        NtError::FileIsADirectory,
    );
}

#[test]
fn delete_at_removes_names_with_posix_semantics() {
    let mut m = base();
    let d = linfo(&m, r"C:\d").id;
    let h = handle(ok(&mut m, open(r"C:\d\f", OpenOptions::default())));
    ok(
        &mut m,
        Op::DeleteAt {
            dir: d,
            name: "f".into(),
            want: Want::File,
        },
    );
    assert!(listing(&m, r"C:\d").is_empty());
    assert_eq!(m.read(h, 0, 10).unwrap(), b"data");
    ok(&mut m, Op::Close { handle: h });
    let root = m.root(0);
    fails(
        &mut m,
        "unlink dir",
        Op::DeleteAt {
            dir: root,
            name: "d".into(),
            want: Want::File,
        },
        NtError::FileIsADirectory,
    );
    fails(
        &mut m,
        "rmdir file",
        Op::DeleteAt {
            dir: root,
            name: "ro".into(),
            want: Want::Directory,
        },
        NtError::NotADirectory,
    );
    fails(
        &mut m,
        "missing",
        Op::DeleteAt {
            dir: root,
            name: "zz".into(),
            want: Want::Any,
        },
        NtError::ObjectNameNotFound,
    );
    ok(
        &mut m,
        Op::DeleteAt {
            dir: root,
            name: "D".into(),
            want: Want::Directory,
        },
    );
    let _ = Follow::Reparse;
}
