//! Renames, moves and deletes: SEMANTICS §7 (M1–M12). Every row cites its
//! rule; failures assert the exact NtError and that nothing changed;
//! invariants are checked after every operation.
//!
//! Fixture:
//!
//! ```text
//! C:\
//! ├── d\
//! │   ├── file1   "one"
//! │   ├── file2   "two"
//! │   └── sub\
//! │       └── x   "x"
//! ├── e\                empty
//! └── ro          "ro"  READONLY
//! D:\
//! └── dd\
//! ```
//!
//! Not modelled: DELETE access rights (M9's last case).

mod common;
use common::*;
use ntlinkfs_core::access::{DELETE, GENERIC_READ};
use ntlinkfs_core::{
    attrs::*, DeleteSemantics, Follow, Machine, MoveFlags, NtError, Op, OpenOptions, Want,
};

fn base() -> Machine {
    fixture(&[
        r"dir C:\d",
        r"file C:\d\file1 one",
        r"file C:\d\file2 two",
        r"dir C:\d\sub",
        r"file C:\d\sub\x x",
        r"dir C:\e",
        r"file C:\ro ro",
        r"ro C:\ro",
        r"dir D:\dd",
    ])
}

#[test]
fn rename_to_a_case_variant_changes_the_stored_case_m1() {
    let mut m = base();
    let id = info(&m, r"C:\d\file1").id;
    ok(&mut m, mv(r"C:\d\file1", r"C:\d\FILE1"));
    assert_eq!(listing(&m, r"C:\d"), ["FILE1", "file2", "sub"]);
    assert_eq!(info(&m, r"C:\d\File1").id, id);
    ok(&mut m, mv(r"C:\d\sub", r"C:\d\Sub"));
    assert_eq!(listing(&m, r"C:\d"), ["FILE1", "file2", "Sub"]);
    // The same name exactly: nothing to do.
    ok(&mut m, mv(r"C:\d\file2", r"C:\d\file2"));
}

#[test]
fn move_refusals_table_m2_m3_m4_m6_m12() {
    let rows: &[(&str, Op, NtError)] = &[
        (
            "M2",
            mv(r"C:\d\file2", r"C:\d\file1"),
            NtError::ObjectNameCollision,
        ),
        (
            "M2 case",
            mv(r"C:\d\file2", r"C:\d\FILE1"),
            NtError::ObjectNameCollision,
        ),
        (
            "M2 dir",
            mv(r"C:\d\file2", r"C:\d\SUB"),
            NtError::ObjectNameCollision,
        ),
        (
            "M3 read-only",
            mv_replace(r"C:\d\file1", r"C:\ro"),
            NtError::AccessDenied,
        ),
        (
            "M3 dir",
            mv_replace(r"C:\d\file1", r"C:\e"),
            NtError::AccessDenied,
        ),
        (
            "M3 dir by dir",
            mv_replace(r"C:\d\sub", r"C:\e"),
            NtError::AccessDenied,
        ),
        (
            "M4",
            mv(r"C:\d\file1", r"C:\d\file2\x"),
            NtError::InvalidParameter,
        ),
        (
            "M6 no copy",
            mv(r"C:\d\file1", r"D:\dd\f"),
            NtError::NotSameDevice,
        ),
        (
            "M6 dir with copy allowed",
            mv_copy(r"C:\d\sub", r"D:\dd\sub"),
            NtError::AccessDenied,
        ),
        (
            "M6 dir",
            mv(r"C:\d\sub", r"D:\dd\sub"),
            NtError::NotSameDevice,
        ),
        (
            "move into itself [X] unverified",
            mv(r"C:\d", r"C:\d\sub\d"),
            NtError::InvalidParameter,
        ),
        ("move root", mv(r"C:\", r"C:\x"), NtError::AccessDenied),
        (
            "missing source",
            mv(r"C:\d\nope", r"C:\x"),
            NtError::ObjectNameNotFound,
        ),
        (
            "missing dest dir",
            mv(r"C:\d\file1", r"C:\nodir\x"),
            NtError::ObjectPathNotFound,
        ),
        (
            "N11",
            mv(r"C:\d\file1", r"C:\d\a|b"),
            NtError::ObjectNameInvalid,
        ),
        ("M12", del(r"C:\d"), NtError::FileIsADirectory),
        ("M12", rmdir(r"C:\d\file1"), NtError::NotADirectory),
        ("M9", rmdir(r"C:\d"), NtError::DirectoryNotEmpty),
        ("M9 HL34", del(r"C:\ro"), NtError::CannotDelete),
        ("rmdir root", rmdir(r"C:\"), NtError::CannotDelete),
        ("missing", del(r"C:\d\nope"), NtError::ObjectNameNotFound),
        ("missing", rmdir(r"C:\nope"), NtError::ObjectNameNotFound),
    ];
    for (rule, op, want) in rows {
        let mut m = base();
        fails(&mut m, rule, op.clone(), *want);
    }
    assert_eq!(NtError::NotSameDevice.win32(), 17);
    assert_eq!(NtError::ObjectNameCollision.win32(), 183);
}

#[test]
fn move_replace_onto_an_open_file_is_denied_m3() {
    let mut m = base();
    let h = handle(ok(&mut m, open(r"C:\d\file2", OpenOptions::default())));
    fails(
        &mut m,
        "M3 open",
        mv_replace(r"C:\d\file1", r"C:\d\file2"),
        NtError::AccessDenied,
    );
    ok(&mut m, Op::Close { handle: h });
    ok(&mut m, mv_replace(r"C:\d\file1", r"C:\d\file2"));
    assert_eq!(contents(&mut m, r"C:\d\file2"), b"one");
    assert_eq!(listing(&m, r"C:\d"), ["file2", "sub"]);
}

#[test]
fn rename_posix_semantics_replaces_empty_directory_and_open_file_m3_m11() {
    let mut m = base();
    let root = m.root(0);
    let d = linfo(&m, r"C:\d").id;
    // M3: an empty directory can be replaced, a non-empty one cannot.
    ok(&mut m, mkdir(r"C:\d\empty"));
    ok(
        &mut m,
        Op::RenameAt {
            from_dir: root,
            from: "e".into(),
            to_dir: d,
            to: "empty".into(),
            replace: true,
        },
    );
    assert_eq!(listing(&m, r"C:\d"), ["empty", "file1", "file2", "sub"]);
    fails(
        &mut m,
        "M3 POSIX",
        Op::RenameAt {
            from_dir: d,
            from: "empty".into(),
            to_dir: d,
            to: "sub".into(),
            replace: true,
        },
        NtError::DirectoryNotEmpty,
    );
    // M11: the victim's handle keeps working after it is replaced.
    let h = handle(ok(
        &mut m,
        open(
            r"C:\d\file2",
            OpenOptions::default().access(GENERIC_READ | DELETE),
        ),
    ));
    ok(
        &mut m,
        Op::RenameAt {
            from_dir: d,
            from: "file1".into(),
            to_dir: d,
            to: "file2".into(),
            replace: true,
        },
    );
    assert_eq!(contents(&mut m, r"C:\d\file2"), b"one");
    assert_eq!(m.read(h, 0, 10).unwrap(), b"two");
    // M11: NumberOfLinks 0 / TotalNumberOfLinks 1, delete pending (BTRFS
    // links.cpp linkex3: the victim lives on under $Extend\$Deleted).
    let i = m.handle_info(h).unwrap();
    assert_eq!(
        (i.link_count, i.total_links, i.delete_pending),
        (0, 1, true)
    );
    // Its delete disposition cannot reach the file that took the name.
    fails(
        &mut m,
        "M11",
        Op::SetDeleteDisposition {
            handle: h,
            delete: true,
            semantics: DeleteSemantics::Posix,
        },
        NtError::FileDeleted,
    );
    ok(&mut m, Op::Close { handle: h });
    // A victim opened without FILE_SHARE_DELETE: sharing violation.
    let h = handle(ok(
        &mut m,
        open(r"C:\d\sub\x", OpenOptions::default().share_delete(false)),
    ));
    let sub = linfo(&m, r"C:\d\sub").id;
    ok(&mut m, write(r"C:\d\y", b"y"));
    fails(
        &mut m,
        "M11",
        Op::RenameAt {
            from_dir: d,
            from: "y".into(),
            to_dir: sub,
            to: "x".into(),
            replace: true,
        },
        NtError::SharingViolation,
    );
    ok(&mut m, Op::Close { handle: h });
}

#[test]
fn directory_open_without_share_delete_cannot_be_renamed_m5() {
    let mut m = base();
    let opts = OpenOptions::default()
        .want(Want::Directory)
        .share_delete(false);
    let h = handle(ok(&mut m, open(r"C:\d\sub", opts)));
    fails(
        &mut m,
        "M5",
        mv(r"C:\d\sub", r"C:\d\sub2"),
        NtError::SharingViolation,
    );
    ok(&mut m, Op::Close { handle: h });
    ok(&mut m, mv(r"C:\d\sub", r"C:\d\sub2"));
    assert_eq!(NtError::SharingViolation.win32(), 32);
}

#[test]
fn move_file_across_volumes_copies_then_deletes_m6() {
    let mut m = base();
    let old = info(&m, r"C:\d\file1");
    ok(&mut m, hard(r"C:\d\file1b", r"C:\d\file1"));
    ok(&mut m, mv_copy(r"C:\d\file1", r"D:\dd\moved"));
    let new = info(&m, r"D:\dd\moved");
    assert_eq!(contents(&mut m, r"D:\dd\moved"), b"one");
    assert_ne!(new.id, old.id);
    assert_eq!(new.id.volume, 1);
    assert_eq!(new.link_count, 1);
    assert!(!m.exists(r"C:\d\file1"));
    assert_eq!(
        info(&m, r"C:\d\file1b").link_count,
        1,
        "the other name stays on C:"
    );
    // A read-only source cannot be deleted: nothing moves.
    fails(
        &mut m,
        "M6 HL34",
        mv_copy(r"C:\ro", r"D:\ro"),
        NtError::CannotDelete,
    );
    // An existing destination without replace.
    fails(
        &mut m,
        "M6 M2",
        mv_copy(r"C:\d\file2", r"D:\dd\moved"),
        NtError::ObjectNameCollision,
    );
    ok(
        &mut m,
        Op::MoveFile {
            from: r"C:\d\file2".into(),
            to: r"D:\dd\moved".into(),
            flags: MoveFlags {
                replace_existing: true,
                copy_allowed: true,
            },
        },
    );
    assert_eq!(contents(&mut m, r"D:\dd\moved"), b"two");
    // rename(2) across volumes: EXDEV.
    let (c, dd) = (m.root(0), linfo(&m, r"D:\dd").id);
    fails(
        &mut m,
        "M6",
        Op::RenameAt {
            from_dir: c,
            from: "ro".into(),
            to_dir: dd,
            to: "ro".into(),
            replace: false,
        },
        NtError::NotSameDevice,
    );
}

#[test]
fn move_links_across_volumes_with_copy_keeps_the_reparse_point_m6() {
    let mut m = base();
    ok(&mut m, symlink(r"C:\s", r"C:\d\file1"));
    ok(&mut m, mv_copy(r"C:\s", r"D:\s"));
    assert_eq!(contents(&mut m, r"D:\s"), b"one");
    assert!(linfo(&m, r"D:\s").reparse_tag.is_some());
}

#[test]
fn delete_pending_names_and_reopen_m9_m10() {
    // Classic semantics (before 1903): the name stays until the last handle goes.
    let mut m = machine_with("10-1709".parse().unwrap());
    build(&mut m, &[r"dir C:\d", r"file C:\d\f f"]).unwrap();
    let _ = m.profile();
    let h = handle(ok(&mut m, open(r"C:\d\f", OpenOptions::default())));
    ok(&mut m, del(r"C:\d\f"));
    assert_eq!(listing(&m, r"C:\d"), ["f"], "M10 classic");
    fails(&mut m, "M9", read(r"C:\d\f"), NtError::DeletePending);
    fails(&mut m, "M9", create_file(r"C:\d\f"), NtError::DeletePending);
    fails(&mut m, "M9", write(r"C:\d\F", b"x"), NtError::DeletePending);
    fails(
        &mut m,
        "M9",
        mv(r"C:\d\f", r"C:\d\g"),
        NtError::DeletePending,
    );
    fails(&mut m, "M9", stat(r"C:\d\f"), NtError::DeletePending);
    fails(&mut m, "M9", rmdir(r"C:\d"), NtError::DirectoryNotEmpty);
    assert_eq!(NtError::DeletePending.win32(), 5);
    ok(&mut m, Op::Close { handle: h });
    assert!(listing(&m, r"C:\d").is_empty());
    ok(&mut m, rmdir(r"C:\d"));
    // Windows 10 1903+: DeleteFile releases the name at once.
    let mut m = base();
    let h = handle(ok(&mut m, open(r"C:\d\file1", OpenOptions::default())));
    ok(&mut m, del(r"C:\d\file1"));
    assert_eq!(listing(&m, r"C:\d"), ["file2", "sub"], "M10 1903+");
    ok(&mut m, write(r"C:\d\file1", b"new"));
    assert_eq!(m.read(h, 0, 10).unwrap(), b"one");
    ok(&mut m, Op::Close { handle: h });
    assert_eq!(contents(&mut m, r"C:\d\file1"), b"new");
}

#[test]
fn delete_disposition_can_be_cleared_m9() {
    let mut m = base();
    let h = handle(ok(
        &mut m,
        open(
            r"C:\d\file1",
            OpenOptions::default().access(GENERIC_READ | DELETE),
        ),
    ));
    ok(
        &mut m,
        Op::SetDeleteDisposition {
            handle: h,
            delete: true,
            semantics: DeleteSemantics::Classic,
        },
    );
    assert!(m.handle_info(h).unwrap().delete_pending);
    ok(
        &mut m,
        Op::SetDeleteDisposition {
            handle: h,
            delete: false,
            semantics: DeleteSemantics::Classic,
        },
    );
    ok(&mut m, Op::Close { handle: h });
    assert_eq!(contents(&mut m, r"C:\d\file1"), b"one");
    // Non-empty directory and read-only file refuse the disposition (M9).
    let hd = handle(ok(
        &mut m,
        open(
            r"C:\d",
            OpenOptions::default().access(GENERIC_READ | DELETE),
        ),
    ));
    fails(
        &mut m,
        "M9",
        Op::SetDeleteDisposition {
            handle: hd,
            delete: true,
            semantics: DeleteSemantics::Classic,
        },
        NtError::DirectoryNotEmpty,
    );
    let hr = handle(ok(
        &mut m,
        open(
            r"C:\ro",
            OpenOptions::default().access(GENERIC_READ | DELETE),
        ),
    ));
    fails(
        &mut m,
        "M9",
        Op::SetDeleteDisposition {
            handle: hr,
            delete: true,
            semantics: DeleteSemantics::Classic,
        },
        NtError::CannotDelete,
    );
    ok(&mut m, Op::Close { handle: hd });
    ok(&mut m, Op::Close { handle: hr });
}

#[test]
fn renamed_file_keeps_its_handles_name() {
    // A handle follows its file through a rename: delete-on-close removes the new name.
    let mut m = base();
    let opts = OpenOptions::default().delete_on_close(true);
    let h = handle(ok(&mut m, open(r"C:\d\file1", opts)));
    // HL12: nothing is pending before cleanup, so the name can move; the
    // delete-on-close then removes it under its new name.
    ok(&mut m, mv(r"C:\d\file1", r"C:\d\renamed"));
    ok(&mut m, Op::Close { handle: h });
    assert_eq!(listing(&m, r"C:\d"), ["file2", "sub"]);
    let h = handle(ok(
        &mut m,
        open(
            r"C:\d\file2",
            OpenOptions::default().access(GENERIC_READ | DELETE),
        ),
    ));
    ok(&mut m, mv(r"C:\d\file2", r"C:\e\renamed"));
    ok(
        &mut m,
        Op::SetDeleteDisposition {
            handle: h,
            delete: true,
            semantics: DeleteSemantics::Classic,
        },
    );
    ok(&mut m, Op::Close { handle: h });
    assert!(listing(&m, r"C:\e").is_empty());
    assert_eq!(listing(&m, r"C:\d"), ["sub"]);
}

#[test]
fn remove_tree_deletes_everything_below() {
    let mut m = base();
    ok(&mut m, junction(r"C:\d\sub\j", r"C:\e"));
    ok(&mut m, write(r"C:\e\keep", b"k"));
    ok(
        &mut m,
        Op::RemoveTree {
            path: r"C:\d".into(),
        },
    );
    assert!(!m.exists(r"C:\d"));
    assert_eq!(listing(&m, r"C:\e"), ["keep"], "J34");
    fails(
        &mut m,
        "rd /s missing",
        Op::RemoveTree {
            path: r"C:\nope".into(),
        },
        NtError::ObjectNameNotFound,
    );
    let _ = (Follow::Reparse, FILE_ATTRIBUTE_READONLY);
}

/// HL34 and its NT-level escape: DeleteFileW and MoveFileExW refuse a read-only
/// file; FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE and
/// FILE_RENAME_IGNORE_READONLY_ATTRIBUTE (what WSL's unlink and rename use,
/// issue 11 item 5) do not, and a refused call changes nothing.
#[test]
fn read_only_refuses_win32_deletes_and_renames_unless_ignored_hl34() {
    use ntlinkfs_core::ReadOnly;
    let rows: &[(ReadOnly, Option<NtError>, Option<NtError>)] = &[
        // (flag, unlink's error, rename-over's error)
        (
            ReadOnly::Refuses,
            Some(NtError::CannotDelete),
            Some(NtError::AccessDenied),
        ),
        (ReadOnly::Ignored, None, None),
    ];
    for (flag, unlink, rename) in rows {
        let mut m = base();
        m.create_hard_link(r"C:\d\ro2", r"C:\ro").unwrap();
        let root = m.resolve_node(r"C:\").unwrap();
        let d = m.resolve_node(r"C:\d").unwrap();
        let r = m.delete_at_ex(root, "ro", Want::File, *flag);
        assert_eq!(r.err(), *unlink, "{flag:?}");
        assert_eq!(m.exists(r"C:\ro"), unlink.is_some(), "{flag:?}");
        let links = info(&m, r"C:\d\ro2").link_count;
        assert_eq!(links, if unlink.is_some() { 2 } else { 1 }, "{flag:?}");
        // rename(2) over a read-only destination.
        let r = m.rename_at_ex(d, "file1", d, "ro2", true, *flag);
        assert_eq!(r.err(), *rename, "{flag:?}");
        let bytes = m.read_file(r"C:\d\ro2").unwrap();
        let want: &[u8] = if rename.is_some() { b"ro" } else { b"one" };
        assert_eq!(bytes, want, "{flag:?}");
    }
    // The Win32 calls keep refusing (HL34).
    let mut m = base();
    fails(
        &mut m,
        "HL34",
        Op::DeleteFile {
            path: r"C:\ro".into(),
        },
        NtError::CannotDelete,
    );
    let h = m
        .open(
            r"C:\ro",
            &OpenOptions::default().access(GENERIC_READ | DELETE),
        )
        .unwrap();
    assert_eq!(
        m.set_delete_disposition(h, true, DeleteSemantics::Posix),
        Err(NtError::CannotDelete)
    );
    m.set_delete_disposition_ex(h, true, DeleteSemantics::Posix, ReadOnly::Ignored)
        .unwrap();
    m.close(h).unwrap();
    assert!(!m.exists(r"C:\ro"));
}
