//! Directory junctions: SEMANTICS §3 (J1–J35). Every row cites its rule;
//! failures assert the exact NtError and that nothing changed; invariants are
//! checked after every operation.
//!
//! Fixture:
//!
//! ```text
//! C:\
//! ├── t\                 target
//! │   └── f      "tf"
//! ├── j  ══> C:\t        junction (0x410)
//! ├── dj ══> D:\dt       junction across volumes (J2)
//! ├── e\                 empty directory
//! └── file       "x"
//! D:\
//! └── dt\
//!     └── g      "dg"
//! ```
//!
//! J21 (a junction handle as RootDirectory) is machine dependent and not modelled;
//! J40/J41 (`dir` and `mklink` texts) belong to the shell.

mod common;
use common::*;
use ntlinkfs_core::{
    attrs::*,
    reparse::{ReparseData, IO_REPARSE_TAG_MOUNT_POINT},
    Disposition, Follow, FsKind, Machine, NtError, Op, OpenOptions, Want,
};

const JUNCTION_ATTRS: u32 = FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT; // 0x410

fn base() -> Machine {
    fixture(&[
        r"dir C:\t",
        r"file C:\t\f tf",
        r"junction C:\j C:\t",
        r"dir D:\dt",
        r"file D:\dt\g dg",
        r"junction C:\dj D:\dt",
        r"dir C:\e",
        r"file C:\file x",
    ])
}

fn mount_point(sub: &str, print: &str) -> Vec<u8> {
    ReparseData::mount_point(sub, print).encode()
}

#[test]
fn junction_is_a_directory_with_0x410_and_mount_point_tag_j1() {
    let m = base();
    let j = linfo(&m, r"C:\j");
    assert_eq!(j.attributes, 0x410);
    assert_eq!(j.reparse_tag, Some(0xA000_0003));
    assert!(j.is_directory);
    assert_eq!((j.size, j.link_count), (0, 1));
    assert_eq!(m.get_file_attributes(r"C:\j").unwrap(), JUNCTION_ATTRS);
    // Followed, the junction is its target.
    assert_eq!(info(&m, r"C:\j").id, linfo(&m, r"C:\t").id);
    // Windows 2000 also sets ARCHIVE: 0x430.
    let mut m = machine_with("2000".parse().unwrap());
    build(&mut m, &[r"dir C:\t", r"junction C:\j C:\t"]).unwrap();
    assert_eq!(m.get_file_attributes(r"C:\j").unwrap(), 0x430);
}

#[test]
fn junction_reparse_buffer_is_what_mklink_writes_j1_r3() {
    let m = base();
    let raw = m.get_reparse_point(r"C:\j").unwrap();
    assert_eq!(raw, mount_point(r"\??\C:\t", r"C:\t"));
    assert_eq!(&raw[..4], &IO_REPARSE_TAG_MOUNT_POINT.to_le_bytes());
    // ReparseDataLength = 8 + (8 units + NUL) * 2 + (4 units + NUL) * 2
    assert_eq!(u16::from_le_bytes([raw[4], raw[5]]), 8 + 18 + 10);
}

#[test]
fn junction_crosses_volumes_but_never_to_the_network_j2_v4() {
    let mut m = base();
    assert_eq!(contents(&mut m, r"C:\dj\g"), b"dg");
    assert_eq!(info(&m, r"C:\dj").id, linfo(&m, r"D:\dt").id);
    fails(
        &mut m,
        "J2 [X] unverified",
        junction(r"C:\n", r"\\server\share\x"),
        NtError::ObjectNameInvalid,
    );
}

#[test]
fn set_mount_point_refusals_table_j3_j4_j7() {
    let rows: &[(&str, Op, NtError)] = &[
        (
            "J3",
            set_rp(r"C:\t", mount_point(r"\??\C:\e", r"C:\e")),
            NtError::DirectoryNotEmpty,
        ),
        (
            "J4",
            set_rp(r"C:\file", mount_point(r"\??\C:\e", r"C:\e")),
            NtError::NotADirectory,
        ),
        (
            "J7",
            set_rp(
                r"C:\j",
                ReparseData::symlink(r"\??\C:\e", r"C:\e", false).encode(),
            ),
            NtError::IoReparseTagMismatch,
        ),
        (
            "§6.2 root",
            set_rp(r"C:\", mount_point(r"\??\C:\e", r"C:\e")),
            NtError::AccessDenied,
        ),
        (
            "§6.2 missing",
            set_rp(r"C:\nope", mount_point(r"\??\C:\e", r"C:\e")),
            NtError::ObjectNameNotFound,
        ),
    ];
    for (rule, op, want) in rows {
        let mut m = base();
        fails(&mut m, rule, op.clone(), *want);
    }
    assert_eq!(NtError::DirectoryNotEmpty.win32(), 145);
    assert_eq!(NtError::NotADirectory.win32(), 267);
    assert_eq!(NtError::IoReparseTagMismatch.win32(), 4394);
}

#[test]
fn junction_needs_no_privilege_j5() {
    let mut m = machine_with("11-user".parse().unwrap());
    build(&mut m, &[r"dir C:\t"]).unwrap();
    ok(&mut m, junction(r"C:\j", r"C:\t"));
    ok(&mut m, set_rp(r"C:\t", mount_point(r"\??\C:\x", "")));
}

#[test]
fn junction_target_is_not_validated_at_set_time_j6_then_fails_on_traversal_j10_j11() {
    let mut m = base();
    // J6: "foobar" and a missing target are stored as given.
    ok(&mut m, mkdir(r"C:\jf"));
    ok(&mut m, set_rp(r"C:\jf", mount_point("foobar", "")));
    ok(&mut m, junction(r"C:\jm", r"C:\bogus"));
    assert_eq!(
        m.read_reparse_data(r"C:\jm")
            .unwrap()
            .substitute_name()
            .unwrap(),
        r"\??\C:\bogus"
    );
    let rows: &[(&str, Op, NtError)] = &[
        ("J10", stat(r"C:\jf"), NtError::ObjectNameInvalid),
        ("J10", read(r"C:\jf\x"), NtError::ObjectNameInvalid),
        ("J11", stat(r"C:\jm"), NtError::ObjectNameNotFound),
        ("J11", read(r"C:\jm\x"), NtError::ObjectPathNotFound),
        ("J11", dir_list(r"C:\jm"), NtError::ObjectNameNotFound),
    ];
    for (rule, op, want) in rows {
        fails(&mut m, rule, op.clone(), *want);
    }
    // The links themselves are still there (J35).
    assert_eq!(m.get_file_attributes(r"C:\jm").unwrap(), 0x410);
    assert_eq!(m.get_file_attributes(r"C:\jf").unwrap(), 0x410);
}

#[test]
fn reset_mount_point_with_same_tag_replaces_target_in_place_j7() {
    let mut m = base();
    let id = linfo(&m, r"C:\j").id;
    ok(&mut m, set_rp(r"C:\j", mount_point(r"\??\D:\dt", r"D:\dt")));
    assert_eq!(linfo(&m, r"C:\j").id, id);
    assert_eq!(contents(&mut m, r"C:\j\g"), b"dg");
}

#[test]
fn mklink_j_makes_a_relative_target_absolute_j8() {
    let mut m = base();
    ok(&mut m, cd(r"C:\t"));
    ok(&mut m, junction(r"C:\j2", r"sub"));
    let d = m.read_reparse_data(r"C:\j2").unwrap();
    assert_eq!(d.substitute_name().unwrap(), r"\??\C:\t\sub");
    assert_eq!(d.print_name().unwrap(), r"C:\t\sub");
    ok(&mut m, junction(r"C:\j3", r"..\e"));
    assert_eq!(
        m.read_reparse_data(r"C:\j3").unwrap().print_name().unwrap(),
        r"C:\e"
    );
    // A drive-relative target uses that drive's current directory.
    ok(&mut m, junction(r"C:\j4", r"D:dt"));
    assert_eq!(
        m.read_reparse_data(r"C:\j4").unwrap().print_name().unwrap(),
        r"D:\dt"
    );
    assert_eq!(contents(&mut m, r"C:\j4\g"), b"dg");
}

#[test]
fn junction_refused_on_non_ntfs_volume_j8a_v2() {
    for kind in [FsKind::Fat32, FsKind::ExFat] {
        let mut m = base();
        m.add_volume('E', kind, None).unwrap();
        build(&mut m, &[r"dir E:\d"]).unwrap();
        fails(
            &mut m,
            "J8a V2",
            junction(r"E:\j", r"C:\t"),
            NtError::InvalidDeviceRequest,
        );
        fails(
            &mut m,
            "V2",
            set_rp(r"E:\d", mount_point(r"\??\C:\t", "")),
            NtError::InvalidDeviceRequest,
        );
        // V3: a junction on NTFS may point into FAT.
        ok(&mut m, junction(r"C:\toe", r"E:\d"));
        assert!(m.exists(r"C:\toe"));
    }
}

#[test]
fn junction_with_unc_target_is_stored_but_fails_on_traversal_j8b() {
    let mut m = base();
    ok(&mut m, mkdir(r"C:\ju"));
    ok(
        &mut m,
        set_rp(r"C:\ju", mount_point(r"\??\UNC\server\share\x", "")),
    );
    fails(&mut m, "J8b", stat(r"C:\ju"), NtError::IoReparseDataInvalid);
    fails(
        &mut m,
        "J8b",
        read(r"C:\ju\f"),
        NtError::IoReparseDataInvalid,
    );
    assert_eq!(NtError::IoReparseDataInvalid.win32(), 4392);
}

#[test]
fn junction_to_itself_does_not_resolve_j12_p8() {
    let mut m = base();
    ok(&mut m, junction(r"C:\self", r"C:\self"));
    fails(
        &mut m,
        "J12",
        stat(r"C:\self"),
        NtError::ReparsePointNotResolved,
    );
    fails(
        &mut m,
        "J12",
        read(r"C:\self\x"),
        NtError::ReparsePointNotResolved,
    );
    assert_eq!(NtError::ReparsePointNotResolved.win32(), 1921);
    // Two junctions pointing at each other.
    ok(&mut m, junction(r"C:\p", r"C:\q"));
    ok(&mut m, junction(r"C:\q", r"C:\p"));
    fails(
        &mut m,
        "P8 loop",
        stat(r"C:\p"),
        NtError::ReparsePointNotResolved,
    );
}

#[test]
fn junction_to_a_file_fails_not_a_directory_from_1709_j13() {
    let mut m = base();
    ok(&mut m, junction(r"C:\jfile", r"C:\file"));
    fails(&mut m, "J13", stat(r"C:\jfile"), NtError::NotADirectory);
    fails(&mut m, "J13", read(r"C:\jfile"), NtError::NotADirectory);
    // Before Windows 10 1709 the open succeeded.
    let mut m = machine_with("10-1703".parse().unwrap());
    build(&mut m, &[r"file C:\file x", r"junction C:\jfile C:\file"]).unwrap();
    assert_eq!(contents(&mut m, r"C:\jfile"), b"x");
}

#[test]
fn junction_to_its_own_parent_resolves_repeatedly_j14() {
    // C:\P\J ══> C:\P, C:\P\file
    let mut m = fixture(&[r"dir C:\P", r"file C:\P\file pf", r"junction C:\P\J C:\P"]);
    assert_eq!(contents(&mut m, r"C:\P\J\J\J\file"), b"pf");
    // Opening P\J\J without following opens the second J: the junction inside P.
    assert_eq!(linfo(&m, r"C:\P\J\J").id, linfo(&m, r"C:\P\J").id);
    assert_eq!(linfo(&m, r"C:\P\J\J").attributes, 0x410);
    assert_eq!(m.final_path(r"C:\P\J\J\J\file").unwrap(), r"C:\P\file");
    assert_eq!(m.final_path(r"C:\P\J\J").unwrap(), r"C:\P");
}

#[test]
fn create_through_a_dangling_junction_creates_a_file_at_the_target_j15() {
    let mut m = base();
    ok(&mut m, junction(r"C:\jd", r"C:\missing"));
    let opts = OpenOptions::default()
        .disposition(Disposition::OpenIf)
        .want(Want::File);
    let h = handle(ok(&mut m, open(r"C:\jd", opts)));
    ok(&mut m, Op::Close { handle: h });
    assert!(!linfo(&m, r"C:\missing").is_directory);
    fails(&mut m, "J15", stat(r"C:\jd"), NtError::NotADirectory);
}

#[test]
fn create_directory_on_a_junction_collides_j16() {
    let mut m = base();
    fails(&mut m, "J16", mkdir(r"C:\j"), NtError::ObjectNameCollision);
    fails(&mut m, "J16", mkdir(r"C:\J"), NtError::ObjectNameCollision);
    fails(
        &mut m,
        "J16",
        mkdir(r"C:\j\f"),
        NtError::ObjectNameCollision,
    );
}

#[test]
fn enumerate_follows_the_junction_but_its_own_directory_is_empty_j17_j18() {
    let m = base();
    assert_eq!(listing(&m, r"C:\j"), ["f"]);
    assert_eq!(listing(&m, r"C:\j\"), ["f"]);
    let own = linfo(&m, r"C:\j").id;
    assert!(m.read_dir(own, None, usize::MAX).unwrap().is_empty());
    // J18: the junction's own entry carries 0x410 and its tag.
    let root = m.enumerate(r"C:\").unwrap();
    let j = root.iter().find(|e| e.name.to_string() == "j").unwrap();
    assert_eq!(
        (j.info.attributes, j.info.reparse_tag),
        (0x410, Some(0xA000_0003))
    );
}

#[test]
fn current_directory_through_a_junction_stays_unresolved_j19() {
    let mut m = base();
    ok(&mut m, cd(r"C:\j"));
    assert_eq!(m.current_dir(), r"C:\j");
    assert_eq!(m.get_file_attributes(".").unwrap(), 0x410);
    assert_eq!(contents(&mut m, "f"), b"tf");
    ok(&mut m, write("new", b"n"));
    assert_eq!(listing(&m, r"C:\t"), ["f", "new"]);
}

#[test]
fn open_junction_itself_by_kind_j20() {
    let mut m = base();
    let file = OpenOptions::default()
        .follow(Follow::OpenReparsePoint)
        .want(Want::File);
    fails(
        &mut m,
        "J20",
        open(r"C:\j", file),
        NtError::FileIsADirectory,
    );
    let dir = OpenOptions::default()
        .follow(Follow::OpenReparsePoint)
        .want(Want::Directory);
    let h = handle(ok(&mut m, open(r"C:\j", dir)));
    assert_eq!(m.handle_info(h).unwrap().attributes, 0x410);
    ok(&mut m, Op::Close { handle: h });
}

#[test]
fn junctions_are_evaluated_where_the_volume_is_j22_s53() {
    // Remote symlink classes are disabled by default; a junction reached through
    // \\localhost\C$ still resolves on the server.
    let mut m = base();
    assert_eq!(contents(&mut m, r"\\localhost\C$\j\f"), b"tf");
}

#[test]
fn remove_directory_on_junction_removes_only_the_link_j30() {
    let mut m = base();
    ok(&mut m, rmdir(r"C:\j"));
    assert_eq!(
        m.query_information(r"C:\j", Follow::OpenReparsePoint),
        Err(NtError::ObjectNameNotFound)
    );
    assert_eq!(listing(&m, r"C:\t"), ["f"]);
    assert_eq!(contents(&mut m, r"C:\t\f"), b"tf");
}

#[test]
fn delete_file_on_junction_fails_j31_s32_m12() {
    let mut m = base();
    fails(&mut m, "J31", del(r"C:\j"), NtError::FileIsADirectory);
    assert_eq!(NtError::FileIsADirectory.win32(), 5);
}

#[test]
fn delete_reparse_point_turns_junction_into_empty_directory_j32() {
    let mut m = base();
    let req = ntlinkfs_core::reparse::delete_request(IO_REPARSE_TAG_MOUNT_POINT);
    let id = linfo(&m, r"C:\j").id;
    ok(&mut m, del_rp(r"C:\j", req.clone()));
    let j = linfo(&m, r"C:\j");
    assert_eq!(
        (j.id, j.attributes, j.reparse_tag),
        (id, FILE_ATTRIBUTE_DIRECTORY, None)
    );
    fails(&mut m, "J32", read(r"C:\j\f"), NtError::ObjectNameNotFound);
    assert!(listing(&m, r"C:\j").is_empty());
    fails(
        &mut m,
        "J32",
        del_rp(r"C:\j", req.clone()),
        NtError::NotAReparsePoint,
    );
    fails(
        &mut m,
        "J32",
        del_rp(r"C:\e", req.clone()),
        NtError::NotAReparsePoint,
    );
    fails(
        &mut m,
        "J32",
        del_rp(r"C:\file", req),
        NtError::NotAReparsePoint,
    );
    assert_eq!(NtError::NotAReparsePoint.win32(), 4390);
}

#[test]
fn junction_dangles_when_target_goes_and_revives_when_it_returns_j33_j35_m8() {
    let mut m = base();
    ok(&mut m, mv(r"C:\t", r"C:\t2"));
    fails(&mut m, "J33", read(r"C:\j\f"), NtError::ObjectPathNotFound);
    fails(&mut m, "J33", stat(r"C:\j"), NtError::ObjectNameNotFound);
    // J35: the dangling junction is still listed with 0x410.
    let e = m.enumerate(r"C:\").unwrap();
    assert_eq!(
        e.iter()
            .find(|e| e.name.to_string() == "j")
            .unwrap()
            .info
            .attributes,
        0x410
    );
    // M8: the stored target did not follow the move.
    assert_eq!(
        m.read_reparse_data(r"C:\j").unwrap().print_name().unwrap(),
        r"C:\t"
    );
    ok(&mut m, mkdir(r"C:\t"));
    ok(&mut m, write(r"C:\t\new", b"n"));
    assert_eq!(listing(&m, r"C:\j"), ["new"]);
    // Deleting the target tree also leaves the junction dangling.
    ok(
        &mut m,
        Op::RemoveTree {
            path: r"C:\t".into(),
        },
    );
    fails(&mut m, "J33", stat(r"C:\j"), NtError::ObjectNameNotFound);
}

#[test]
fn rename_junction_renames_the_link_only_m8() {
    let mut m = base();
    ok(&mut m, mv(r"C:\j", r"C:\e\j2"));
    assert_eq!(contents(&mut m, r"C:\e\j2\f"), b"tf");
    assert_eq!(listing(&m, r"C:\t"), ["f"]);
}

#[test]
fn recursive_delete_does_not_descend_into_junctions_j34() {
    // C:\tree\{a.txt, link ══> C:\t}
    for profile in ["11", "vista", "7"] {
        let mut m = machine_with(profile.parse().unwrap());
        build(
            &mut m,
            &[
                r"dir C:\t",
                r"file C:\t\f tf",
                r"dir C:\tree",
                r"file C:\tree\a.txt a",
                r"junction C:\tree\link C:\t",
            ],
        )
        .unwrap();
        ok(
            &mut m,
            Op::RemoveTree {
                path: r"C:\tree".into(),
            },
        );
        assert_eq!(listing(&m, r"C:\t"), ["f"], "{profile} rd /s");
        build(&mut m, &[r"dir C:\tree", r"junction C:\tree\link C:\t"]).unwrap();
        ok(
            &mut m,
            Op::ExplorerDelete {
                path: r"C:\tree".into(),
            },
        );
        assert_eq!(listing(&m, r"C:\t"), ["f"], "{profile} Explorer");
        assert!(!m.exists(r"C:\tree"));
    }
}

#[test]
fn explorer_delete_on_2000_and_xp_empties_the_junction_target_j34() {
    for profile in ["2000", "xp"] {
        let mut m = machine_with(profile.parse().unwrap());
        build(
            &mut m,
            &[
                r"dir C:\t",
                r"file C:\t\f tf",
                r"dir C:\t\sub",
                r"file C:\t\sub\g g",
                r"dir C:\tree",
                r"junction C:\tree\link C:\t",
            ],
        )
        .unwrap();
        let report = match ok(
            &mut m,
            Op::ExplorerDelete {
                path: r"C:\tree".into(),
            },
        ) {
            ntlinkfs_core::Outcome::TreeDelete(r) => r,
            o => panic!("{o:?}"),
        };
        assert!(!m.exists(r"C:\tree"), "{profile}");
        assert!(
            linfo(&m, r"C:\t").is_directory,
            "{profile}: the target directory stays"
        );
        assert!(
            listing(&m, r"C:\t").is_empty(),
            "{profile}: its contents are gone"
        );
        assert_eq!(report.deleted_through_junctions, 3, "{profile}");
        // rd /s on the same profile still leaves targets alone.
        build(
            &mut m,
            &[
                r"file C:\t\f tf",
                r"dir C:\tree",
                r"junction C:\tree\link C:\t",
            ],
        )
        .unwrap();
        ok(
            &mut m,
            Op::RemoveTree {
                path: r"C:\tree".into(),
            },
        );
        assert_eq!(listing(&m, r"C:\t"), ["f"], "{profile}");
    }
}

#[test]
fn no_junctions_before_windows_2000_v5() {
    let mut m = machine_with("nt4".parse().unwrap());
    build(&mut m, &[r"dir C:\t"]).unwrap();
    fails(
        &mut m,
        "V5",
        junction(r"C:\j", r"C:\t"),
        NtError::InvalidDeviceRequest,
    );
}
