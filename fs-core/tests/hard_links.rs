//! Hard links: SEMANTICS §2 (HL1–HL34). Every row cites its rule; failures
//! assert the exact NtError and that nothing changed; invariants are checked
//! after every operation (`ntlinkfs_core::testing`).
//!
//! Fixture used by most tests:
//!
//! ```text
//! C:\
//! ├── a\
//! │   ├── f          "data"
//! │   └── sub\
//! ├── g              "g"
//! └── ro             "ro"  READONLY
//! D:\
//! └── d\
//! ```

mod common;
use common::*;
use ntlinkfs_core::{
    attrs::*, reparse::IO_REPARSE_TAG_SYMLINK, DeleteSemantics, Follow, FsKind, Machine, NtError,
    Op, OpenOptions, Want,
};

fn base() -> Machine {
    fixture(&[
        r"dir C:\a",
        r"file C:\a\f data",
        r"dir C:\a\sub",
        r"file C:\g g",
        r"file C:\ro ro",
        r"ro C:\ro",
        r"dir D:\d",
    ])
}

#[test]
fn create_hard_link_refusals_table() {
    let long = format!(r"C:\a\{}", "n".repeat(256));
    let rows: &[(&str, Op, NtError)] = &[
        ("HL1", hard(r"C:\l", r"C:\a"), NtError::FileIsADirectory),
        ("HL1", hard(r"C:\l", r"C:\a\sub"), NtError::FileIsADirectory),
        ("HL2", hard(r"D:\l", r"C:\a\f"), NtError::NotSameDevice),
        ("HL2", hard(r"D:\d\l", r"C:\a\f"), NtError::NotSameDevice),
        (
            "HL4",
            hard(r"C:\g", r"C:\a\f"),
            NtError::ObjectNameCollision,
        ),
        (
            "HL4 N11",
            hard(r"C:\G", r"C:\a\f"),
            NtError::ObjectNameCollision,
        ),
        (
            "HL4",
            hard(r"C:\a\sub", r"C:\a\f"),
            NtError::ObjectNameCollision,
        ),
        (
            "HL5",
            hard_ex(r"C:\a\sub", r"C:\a\f", true, false),
            NtError::AccessDenied,
        ),
        (
            "HL5",
            hard_ex(r"C:\ro", r"C:\a\f", true, false),
            NtError::AccessDenied,
        ),
        (
            "HL6",
            hard(r"C:\a\f", r"C:\a\f"),
            NtError::ObjectNameCollision,
        ),
        (
            "HL6",
            hard(r"C:\a\F", r"C:\a\f"),
            NtError::ObjectNameCollision,
        ),
        (
            "HL7",
            hard(r"C:\nodir\l", r"C:\a\f"),
            NtError::ObjectPathNotFound,
        ),
        (
            "HL7",
            hard(r"C:\x\y\l", r"C:\a\f"),
            NtError::ObjectPathNotFound,
        ),
        ("HL8", hard(r"C:\g\x", r"C:\a\f"), NtError::InvalidParameter),
        (
            "HL9",
            hard(r"C:\a\x<y", r"C:\a\f"),
            NtError::ObjectNameInvalid,
        ),
        (
            "HL9",
            hard(r"C:\a\x>y", r"C:\a\f"),
            NtError::ObjectNameInvalid,
        ),
        (
            "HL9",
            hard(r"C:\a\x:y", r"C:\a\f"),
            NtError::ObjectNameInvalid,
        ),
        (
            "HL9",
            hard("C:\\a\\x\"y", r"C:\a\f"),
            NtError::ObjectNameInvalid,
        ),
        (
            "HL9",
            hard(r"C:\a\x|y", r"C:\a\f"),
            NtError::ObjectNameInvalid,
        ),
        (
            "HL9 N7",
            hard(r"C:\a\x?y", r"C:\a\f"),
            NtError::ObjectNameInvalid,
        ),
        (
            "HL9 N7",
            hard(r"C:\a\x*y", r"C:\a\f"),
            NtError::ObjectNameInvalid,
        ),
        (
            "HL9 N2",
            hard(&format!(r"\\?\{}", &long[..]), r"C:\a\f"),
            NtError::ObjectNameInvalid,
        ),
        ("N9", hard(&long, r"C:\a\f"), NtError::ObjectPathNotFound),
        (
            "HL existing",
            hard(r"C:\l", r"C:\nope"),
            NtError::ObjectNameNotFound,
        ),
        (
            "HL existing",
            hard(r"C:\l", r"C:\nodir\f"),
            NtError::ObjectPathNotFound,
        ),
        // CreateHardLinkW opens the existing file before it looks at the new
        // name: a missing one fails first, whatever the new name's path
        // (found by `ntlinkfs-conformance --random`, docs/conformance.md).
        (
            "HL existing HL8",
            hard(r"C:\g\x", r"C:\nope"),
            NtError::ObjectNameNotFound,
        ),
        (
            "HL existing HL7",
            hard(r"C:\nodir\l", r"C:\nope"),
            NtError::ObjectNameNotFound,
        ),
    ];
    for (rule, op, want) in rows {
        let mut m = base();
        fails(&mut m, rule, op.clone(), *want);
    }
}

#[test]
fn create_hard_link_shares_id_data_and_counts_hl20_hl31() {
    let mut m = base();
    ok(&mut m, hard(r"C:\a\sub\h", r"C:\a\f"));
    let (f, h) = (info(&m, r"C:\a\f"), info(&m, r"C:\a\sub\h"));
    assert_eq!(f.id, h.id, "HL20: one file id");
    assert_eq!((f.link_count, f.total_links), (2, 2));
    assert_eq!(h.link_count, 2);
    // HL20: enumeration reports the same id under each name.
    let in_a = m.enumerate(r"C:\a").unwrap();
    let in_sub = m.enumerate(r"C:\a\sub").unwrap();
    assert_eq!(
        in_a.iter()
            .find(|e| e.name.to_string() == "f")
            .unwrap()
            .info
            .id,
        f.id
    );
    assert_eq!(in_sub[0].info.id, f.id);
    // HL31: data and attributes belong to the file.
    ok(&mut m, write(r"C:\a\sub\h", b"new"));
    assert_eq!(contents(&mut m, r"C:\a\f"), b"new");
    ok(&mut m, set_attrs(r"C:\a\f", FILE_ATTRIBUTE_HIDDEN));
    assert_eq!(
        m.get_file_attributes(r"C:\a\sub\h").unwrap(),
        FILE_ATTRIBUTE_HIDDEN
    );
    // HL32 (model choice): enumeration is always current under every name.
    let e = m.enumerate(r"C:\a\sub").unwrap();
    assert_eq!(
        (e[0].info.size, e[0].info.attributes),
        (3, FILE_ATTRIBUTE_HIDDEN)
    );
}

#[test]
fn create_hard_link_relative_and_case_preserving_names_n1() {
    let mut m = base();
    ok(&mut m, cd(r"C:\a"));
    ok(&mut m, hard("NewName.TXT", "f"));
    assert_eq!(listing(&m, r"C:\a"), ["f", "NewName.TXT", "sub"]);
    assert_eq!(info(&m, r"C:\a\newname.txt").id, info(&m, r"C:\a\F").id);
}

#[test]
fn create_hard_link_limit_is_1024_names_hl3() {
    let mut m = fixture(&[r"dir C:\h", r"file C:\h\f x"]);
    for i in 1..1024 {
        m.create_hard_link(&format!(r"C:\h\l{i}"), r"C:\h\f")
            .unwrap();
    }
    check(&m);
    assert_eq!(info(&m, r"C:\h\f").link_count, 1024);
    fails(
        &mut m,
        "HL3",
        hard(r"C:\l1024", r"C:\h\f"),
        NtError::TooManyLinks,
    );
    assert_eq!(NtError::TooManyLinks.win32(), 1142);
    // Deleting one name makes room again.
    ok(&mut m, del(r"C:\h\l5"));
    ok(&mut m, hard(r"C:\l1024", r"C:\h\f"));
    assert_eq!(info(&m, r"C:\l1024").link_count, 1024);
}

#[test]
fn create_hard_link_replace_if_exists_hl5() {
    // A closed existing file is replaced; its old data is gone.
    let mut m = base();
    let old_g = info(&m, r"C:\g").id;
    ok(&mut m, hard_ex(r"C:\g", r"C:\a\f", true, false));
    assert_eq!(info(&m, r"C:\g").id, info(&m, r"C:\a\f").id);
    assert_eq!(info(&m, r"C:\g").link_count, 2);
    assert_eq!(m.info(old_g), Err(NtError::FileDeleted));

    // An open existing file is not replaced.
    let mut m = base();
    let h = handle(ok(&mut m, open(r"C:\g", OpenOptions::default())));
    fails(
        &mut m,
        "HL5 open",
        hard_ex(r"C:\g", r"C:\a\f", true, false),
        NtError::AccessDenied,
    );
    ok(&mut m, Op::Close { handle: h });

    // FILE_LINK_IGNORE_READONLY_ATTRIBUTE replaces a read-only file.
    let mut m = base();
    ok(&mut m, hard_ex(r"C:\ro", r"C:\a\f", true, true));
    assert_eq!(contents(&mut m, r"C:\ro"), b"data");
    // ... but still not a directory.
    fails(
        &mut m,
        "HL5 dir",
        hard_ex(r"C:\a\sub", r"C:\a\f", true, true),
        NtError::AccessDenied,
    );
}

#[test]
fn create_hard_link_to_itself_with_replace_hl6() {
    let mut m = base();
    ok(&mut m, hard_ex(r"C:\a\f", r"C:\a\f", true, false));
    assert_eq!(info(&m, r"C:\a\f").link_count, 1);
    // A case variant renames the name in place: link9 → LINK9.
    ok(&mut m, hard_ex(r"C:\a\F", r"C:\a\f", true, false));
    assert_eq!(info(&m, r"C:\a\f").link_count, 1);
    assert_eq!(listing(&m, r"C:\a"), ["F", "sub"]);
    // Another name of the same file as the target: nothing to do but the case.
    ok(&mut m, hard(r"C:\a\g2", r"C:\a\F"));
    ok(&mut m, hard_ex(r"C:\a\G2", r"C:\a\F", true, false));
    assert_eq!(info(&m, r"C:\a\f").link_count, 2);
    assert_eq!(listing(&m, r"C:\a"), ["F", "G2", "sub"]);
}

#[test]
fn create_hard_link_on_symlink_links_the_symlink_itself_hl10() {
    // C:\t (file "target"), C:\s → C:\t (file symlink)
    let mut m = fixture(&[r"file C:\t target", r"symlink C:\s C:\t"]);
    ok(&mut m, hard(r"C:\h", r"C:\s"));
    let link = linfo(&m, r"C:\s");
    let h = linfo(&m, r"C:\h");
    assert_eq!(h.id, link.id);
    assert_eq!(
        h.attributes,
        FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_REPARSE_POINT
    );
    assert_eq!(h.reparse_tag, Some(IO_REPARSE_TAG_SYMLINK));
    assert_eq!((h.size, h.link_count), (0, 2));
    // Opening the new name follows the link to the target.
    assert_eq!(info(&m, r"C:\h").id, info(&m, r"C:\t").id);
    assert_ne!(info(&m, r"C:\h").id, h.id);
    assert_eq!(contents(&mut m, r"C:\h"), b"target");
}

#[test]
fn create_hard_link_while_original_delete_pending_survives_hl12() {
    let mut m = base();
    let opts = OpenOptions::default().delete_on_close(true);
    let h = handle(ok(&mut m, open(r"C:\a\f", opts)));
    // Path-based CreateHardLink reopens the file: refused while delete is pending (M9).
    fails(
        &mut m,
        "M9",
        hard(r"C:\l", r"C:\a\f"),
        NtError::DeletePending,
    );
    // Through the handle (FileLinkInformation on it) the link is made.
    let file = m.handle_node(h).unwrap();
    let root = m.root(0);
    ok(
        &mut m,
        Op::CreateHardLinkAt {
            file,
            dir: root,
            name: "l".into(),
        },
    );
    ok(&mut m, Op::Close { handle: h });
    assert_eq!(
        m.query_information(r"C:\a\f", Follow::Reparse),
        Err(NtError::ObjectNameNotFound)
    );
    assert_eq!(contents(&mut m, r"C:\l"), b"data");
    assert_eq!(info(&m, r"C:\l").link_count, 1);
}

#[test]
fn hard_links_refused_on_fat_exfat_and_old_refs_hl13_hl14_v1() {
    let rows: &[(&str, FsKind, Option<NtError>)] = &[
        ("HL13", FsKind::Fat32, Some(NtError::InvalidDeviceRequest)),
        ("HL13", FsKind::ExFat, Some(NtError::InvalidDeviceRequest)),
        (
            "HL14 [X] unverified",
            FsKind::Refs(3, 4),
            Some(NtError::InvalidDeviceRequest),
        ),
        ("HL14", FsKind::Refs(3, 5), None),
        ("V1", FsKind::Refs(3, 10), None),
    ];
    for &(rule, kind, want) in rows {
        let mut m = machine();
        m.add_volume('E', kind, None).unwrap();
        build(&mut m, &[r"file E:\f x"]).unwrap();
        match want {
            Some(e) => {
                fails(&mut m, rule, hard(r"E:\l", r"E:\f"), e);
                assert_eq!(e.win32(), 1);
            }
            None => {
                ok(&mut m, hard(r"E:\l", r"E:\f"));
                assert_eq!(info(&m, r"E:\l").link_count, 2, "{rule}");
            }
        }
    }
}

#[test]
fn link_count_is_always_one_on_fat_hl22() {
    let mut m = machine();
    m.add_volume('E', FsKind::Fat32, None).unwrap();
    build(&mut m, &[r"file E:\f x", r"dir E:\d"]).unwrap();
    assert_eq!(info(&m, r"E:\f").link_count, 1);
    assert_eq!(info(&m, r"E:\d").link_count, 1);
}

#[test]
fn link_counts_exclude_delete_pending_names_hl21() {
    // Two names; one marked for delete with both handles open.
    let mut m = base();
    ok(&mut m, hard(r"C:\a\b", r"C:\a\f"));
    let hf = handle(ok(&mut m, open(r"C:\a\f", OpenOptions::default())));
    let hb = handle(ok(&mut m, open(r"C:\a\b", OpenOptions::default())));
    ok(
        &mut m,
        Op::SetDeleteDisposition {
            handle: hf,
            delete: true,
            semantics: DeleteSemantics::Classic,
        },
    );
    let (i_f, i_b) = (m.handle_info(hf).unwrap(), m.handle_info(hb).unwrap());
    assert_eq!(
        (i_f.link_count, i_f.total_links, i_f.delete_pending),
        (1, 2, true)
    );
    assert_eq!(
        (i_b.link_count, i_b.total_links, i_b.delete_pending),
        (1, 2, false)
    );
    // The pending name is still in its directory until the last handle closes (M10).
    assert_eq!(listing(&m, r"C:\a"), ["b", "f", "sub"]);
    ok(&mut m, Op::Close { handle: hf });
    assert_eq!(listing(&m, r"C:\a"), ["b", "f", "sub"]);
    ok(&mut m, Op::Close { handle: hb });
    assert_eq!(listing(&m, r"C:\a"), ["b", "sub"]);
    assert_eq!(info(&m, r"C:\a\b").link_count, 1);
}

#[test]
fn find_file_names_lists_every_name_hl23_hl24() {
    // C:\a\f, C:\a\f2, C:\a\sub\f3, C:\top : one file.
    let mut m = base();
    ok(&mut m, hard(r"C:\a\f2", r"C:\a\f"));
    ok(&mut m, hard(r"C:\a\sub\f3", r"C:\a\f"));
    ok(&mut m, hard(r"C:\top", r"C:\a\f"));
    assert_eq!(
        hardlink_list(&m, r"C:\top"),
        [r"\a\f", r"\a\f2", r"\a\sub\f3", r"\top"]
    );
    let names = m.find_file_names(r"C:\a\f").unwrap();
    let a = linfo(&m, r"C:\a").id;
    assert_eq!(names[0].parent, a);
    assert_eq!(
        names[1].parent, a,
        "HL23: same directory, same ParentFileId"
    );
    assert_eq!(names[2].parent, linfo(&m, r"C:\a\sub").id);
    assert_eq!(names[3].parent, m.root(0));
    assert_eq!(names[2].name.to_string(), "f3");
    // HL25: no 8.3 short names exist or are counted.
    assert_eq!(info(&m, r"C:\a\f").link_count, 4);
}

#[test]
fn delete_names_in_any_order_data_lives_until_last_handle_hl30() {
    let mut m = base();
    ok(&mut m, hard(r"C:\a\b", r"C:\a\f"));
    ok(&mut m, hard(r"C:\c", r"C:\a\f"));
    let id = info(&m, r"C:\a\f").id;
    let h = handle(ok(&mut m, open(r"C:\c", OpenOptions::default())));
    ok(&mut m, del(r"C:\a\b"));
    assert_eq!(info(&m, r"C:\a\f").link_count, 2);
    ok(&mut m, del(r"C:\a\f"));
    ok(&mut m, del(r"C:\c")); // Win11: the name goes at once (M10)
    assert_eq!(listing(&m, r"C:\"), ["a", "g", "ro"]);
    // The data lives on through the handle.
    assert_eq!(m.read(h, 0, 100).unwrap(), b"data");
    let hi = m.handle_info(h).unwrap();
    assert_eq!((hi.link_count, hi.total_links), (0, 0));
    ok(&mut m, Op::Close { handle: h });
    assert_eq!(
        m.info(id),
        Err(NtError::FileDeleted),
        "freed with the last handle"
    );
}

#[test]
fn delete_read_only_name_fails_cannot_delete_hl34_hl33() {
    let mut m = base();
    ok(&mut m, hard(r"C:\ro2", r"C:\ro"));
    fails(&mut m, "HL34", del(r"C:\ro"), NtError::CannotDelete);
    fails(&mut m, "HL34", del(r"C:\ro2"), NtError::CannotDelete);
    assert_eq!(NtError::CannotDelete.win32(), 5);
    // HL33: clearing READONLY through one name clears it for the file.
    ok(&mut m, set_attrs(r"C:\ro", FILE_ATTRIBUTE_ARCHIVE));
    assert_eq!(
        m.get_file_attributes(r"C:\ro2").unwrap(),
        FILE_ATTRIBUTE_ARCHIVE
    );
    ok(&mut m, del(r"C:\ro"));
    assert_eq!(info(&m, r"C:\ro2").link_count, 1);
}

#[test]
fn rename_one_name_keeps_the_others_m7() {
    let mut m = base();
    ok(&mut m, hard(r"C:\a\sub\h", r"C:\a\f"));
    let id = info(&m, r"C:\a\f").id;
    ok(&mut m, mv(r"C:\a\f", r"C:\moved"));
    assert_eq!(info(&m, r"C:\moved").id, id);
    assert_eq!(info(&m, r"C:\a\sub\h").id, id);
    assert_eq!(hardlink_list(&m, r"C:\moved"), [r"\a\sub\h", r"\moved"]);
    // Moving the directory holding a name keeps the link valid.
    ok(&mut m, mv(r"C:\a", r"C:\b"));
    assert_eq!(contents(&mut m, r"C:\b\sub\h"), b"data");
    assert_eq!(hardlink_list(&m, r"C:\moved"), [r"\b\sub\h", r"\moved"]);
}

#[test]
fn create_hard_link_at_by_id_checks_the_same_rules() {
    let mut m = base();
    let f = info(&m, r"C:\a\f").id;
    let a = linfo(&m, r"C:\a").id;
    let d = linfo(&m, r"D:\d").id;
    let sub = linfo(&m, r"C:\a\sub").id;
    let rows: Vec<(&str, Op, NtError)> = vec![
        (
            "HL1",
            Op::CreateHardLinkAt {
                file: a,
                dir: sub,
                name: "x".into(),
            },
            NtError::FileIsADirectory,
        ),
        (
            "HL2",
            Op::CreateHardLinkAt {
                file: f,
                dir: d,
                name: "x".into(),
            },
            NtError::NotSameDevice,
        ),
        (
            "HL4",
            Op::CreateHardLinkAt {
                file: f,
                dir: a,
                name: "SUB".into(),
            },
            NtError::ObjectNameCollision,
        ),
        (
            "HL9",
            Op::CreateHardLinkAt {
                file: f,
                dir: a,
                name: "x*".into(),
            },
            NtError::ObjectNameInvalid,
        ),
        (
            "HL9",
            Op::CreateHardLinkAt {
                file: f,
                dir: a,
                name: "..".into(),
            },
            NtError::ObjectNameInvalid,
        ),
        (
            "HL8",
            Op::CreateHardLinkAt {
                file: f,
                dir: f,
                name: "x".into(),
            },
            NtError::NotADirectory,
        ),
    ];
    for (rule, op, want) in rows {
        fails(&mut m, rule, op, want);
    }
    ok(
        &mut m,
        Op::CreateHardLinkAt {
            file: f,
            dir: sub,
            name: "x".into(),
        },
    );
    assert_eq!(info(&m, r"C:\a\sub\x").id, f);
    let _ = Want::Any;
}
