//! Symbolic links: SEMANTICS §4 (S1–S53). Every row cites its rule; failures
//! assert the exact NtError and that nothing changed; invariants are checked
//! after every operation.
//!
//! Fixture:
//!
//! ```text
//! C:\
//! ├── t\                     directory target
//! │   └── f        "tf"
//! ├── tf           "file"    file target
//! ├── sf  --> C:\tf          file symlink, absolute (0x420)
//! ├── sd  --> C:\t           directory symlink, absolute (0x410)
//! └── sub\
//!     └── rel --> ..\tf      file symlink, relative
//! D:\
//! └── dt\
//!     └── g        "dg"
//! ```
//!
//! Not modelled: S25 (`\Device\NamedPipe` targets), S33 (NtDeleteFile; S34 is
//! the same through DELETE_ON_CLOSE), S37/S38's CopyFile (the shell's `copy`).

mod common;
use common::*;
use ntlinkfs_core::{
    attrs::*,
    reparse::{
        ReparseData, IO_REPARSE_TAG_LX_SYMLINK, IO_REPARSE_TAG_SYMLINK, SYMLINK_FLAG_RELATIVE,
    },
    Disposition, Follow, FsKind, Machine, NtError, Op, OpenOptions, Profile, SymlinkEvaluation,
    Want,
};

fn base() -> Machine {
    fixture(&[
        r"dir C:\t",
        r"file C:\t\f tf",
        r"file C:\tf file",
        r"symlink C:\sf C:\tf",
        r"symlinkd C:\sd C:\t",
        r"dir C:\sub",
        r"symlink C:\sub\rel ..\tf",
        r"dir D:\dt",
        r"file D:\dt\g dg",
    ])
}

fn data(m: &Machine, p: &str) -> ReparseData {
    m.read_reparse_data(p)
        .unwrap_or_else(|e| panic!("{p}: {e:?}"))
}

#[test]
fn symlink_flavor_is_fixed_at_creation_s1() {
    let m = base();
    let sf = linfo(&m, r"C:\sf");
    assert!(!sf.is_directory);
    assert_eq!(
        sf.attributes,
        FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_REPARSE_POINT
    ); // 0x420
    assert_eq!(sf.reparse_tag, Some(IO_REPARSE_TAG_SYMLINK));
    let sd = linfo(&m, r"C:\sd");
    assert!(sd.is_directory);
    assert_eq!(sd.attributes, 0x410);
    assert_eq!(sd.reparse_tag, Some(IO_REPARSE_TAG_SYMLINK));
    // A file symlink to a missing target, whose target later becomes a directory,
    // does not work (S1, S22).
    let mut m = base();
    ok(&mut m, symlink(r"C:\later", r"C:\newdir"));
    ok(&mut m, mkdir(r"C:\newdir"));
    fails(
        &mut m,
        "S1 S22",
        dir_list(r"C:\later"),
        NtError::FileIsADirectory,
    );
}

#[test]
fn symlink_privilege_rules_table_s2_s3() {
    // profile, directory flag, unprivileged flag, expected
    let rows: &[(&str, &str, bool, Option<NtError>)] = &[
        ("S2", "11", false, None),
        ("S2", "11-user", false, Some(NtError::PrivilegeNotHeld)),
        ("S3", "11-user", true, Some(NtError::PrivilegeNotHeld)),
        ("S3", "11+dev-user", true, None),
        ("S3", "11+dev-user", false, Some(NtError::PrivilegeNotHeld)),
        ("S3", "10-1703+dev-user", true, None),
        (
            "S3",
            "10-1607+dev-user",
            true,
            Some(NtError::InvalidParameter),
        ),
        ("S3", "10-1607", true, Some(NtError::InvalidParameter)),
        ("S3", "11+dev", true, None),
        ("V5", "xp", false, Some(NtError::NotSupported)),
        ("V5", "vista", false, None),
    ];
    for &(rule, profile, unprivileged, want) in rows {
        for directory in [false, true] {
            let mut m = machine_with(profile.parse().unwrap());
            let op = symlink_flags(r"C:\s", r"C:\x", directory, unprivileged);
            match want {
                Some(e) => fails(&mut m, &format!("{rule} {profile}"), op, e),
                None => {
                    ok(&mut m, op);
                    assert_eq!(linfo(&m, r"C:\s").is_directory, directory);
                }
            }
        }
    }
    assert_eq!(NtError::PrivilegeNotHeld.win32(), 1314);
    assert_eq!(NtError::InvalidParameter.win32(), 87);
}

#[test]
fn dangling_symlink_is_allowed_and_fails_on_open_s4() {
    let mut m = base();
    ok(&mut m, symlink(r"C:\dang", r"C:\nothing"));
    fails(&mut m, "S4", read(r"C:\dang"), NtError::ObjectNameNotFound);
    fails(&mut m, "S4", stat(r"C:\dang"), NtError::ObjectNameNotFound);
    assert!(linfo(&m, r"C:\dang").reparse_tag.is_some());
}

#[test]
fn symlink_targets_are_stored_as_windows_stores_them_s5_to_s9() {
    let mut m = base();
    ok(&mut m, cd(r"C:\t"));
    ok(&mut m, symlink(r"C:\abs", r"C:\x\y"));
    ok(&mut m, symlink(r"C:\unc", r"\\server\share\x"));
    ok(&mut m, symlink(r"C:\rel", r"..\x"));
    ok(&mut m, symlink(r"C:\rootrel", r"\dir\sub"));
    ok(&mut m, symlink(r"C:\drel", r"C:File.txt"));
    // (link, substitute, print, flags)
    let rows: &[(&str, &str, &str, &str, u32)] = &[
        ("S5", r"C:\abs", r"\??\C:\x\y", r"C:\x\y", 0),
        (
            "S6",
            r"C:\unc",
            r"\??\UNC\server\share\x",
            r"\\server\share\x",
            0,
        ),
        ("S7", r"C:\rel", r"..\x", r"..\x", SYMLINK_FLAG_RELATIVE),
        (
            "S8",
            r"C:\rootrel",
            r"\dir\sub",
            r"\dir\sub",
            SYMLINK_FLAG_RELATIVE,
        ),
        ("S9", r"C:\drel", r"\??\C:\t\File.txt", r"C:\t\File.txt", 0),
    ];
    for &(rule, link, sub, print, flags) in rows {
        let d = data(&m, link);
        assert_eq!(d.substitute_name().unwrap(), sub, "{rule}");
        assert_eq!(d.print_name().unwrap(), print, "{rule}");
        let ReparseData::Symlink { flags: f, .. } = d else {
            panic!()
        };
        assert_eq!(f, flags, "{rule}");
    }
    // S5: PrintName first (offset 0), SubstituteName after it.
    let raw = m.get_reparse_point(r"C:\abs").unwrap();
    let field = |i: usize| u16::from_le_bytes([raw[i], raw[i + 1]]);
    assert_eq!((field(12), field(14)), (0, 12), "print name at offset 0");
    assert_eq!((field(8), field(10)), (12, 20), "substitute after it");
}

#[test]
fn root_relative_target_resolves_on_the_links_volume_s8() {
    let mut m = base();
    ok(&mut m, symlink(r"D:\s", r"\dt\g"));
    assert_eq!(contents(&mut m, r"D:\s"), b"dg");
}

#[test]
fn forward_slash_in_reparse_data_is_not_a_separator_s10_p5() {
    let mut m = base();
    ok(&mut m, symlink(r"C:\slash", r"./tf"));
    fails(&mut m, "S10", read(r"C:\slash"), NtError::ObjectNameInvalid);
}

#[test]
fn symlinks_refused_on_fat_and_exfat_s11_v2() {
    for kind in [FsKind::Fat32, FsKind::ExFat] {
        let mut m = base();
        m.add_volume('E', kind, None).unwrap();
        fails(
            &mut m,
            "S11",
            symlink(r"E:\s", r"C:\tf"),
            NtError::InvalidDeviceRequest,
        );
        fails(
            &mut m,
            "S11",
            symlinkd(r"E:\s", r"C:\t"),
            NtError::InvalidDeviceRequest,
        );
        // V3: a link on NTFS may point into FAT.
        build(&mut m, &[r"file E:\x ex"]).unwrap();
        ok(&mut m, symlink(r"C:\toe", r"E:\x"));
        assert_eq!(contents(&mut m, r"C:\toe"), b"ex");
    }
}

#[test]
fn symlink_reparse_point_only_on_empty_objects_s12() {
    let sym = ReparseData::symlink(r"\??\C:\tf", r"C:\tf", false).encode();
    let mut m = base();
    fails(
        &mut m,
        "S12",
        set_rp(r"C:\tf", sym.clone()),
        NtError::IoReparseDataInvalid,
    );
    fails(
        &mut m,
        "S12",
        set_rp(r"C:\t", sym.clone()),
        NtError::DirectoryNotEmpty,
    );
    ok(&mut m, create_file(r"C:\empty"));
    ok(&mut m, set_rp(r"C:\empty", sym));
    assert_eq!(contents(&mut m, r"C:\empty"), b"file");
    // Another Microsoft tag may sit on a file with data.
    let app = ReparseData::Other {
        tag: 0x8000_001B,
        guid: None,
        data: vec![1, 2, 3, 4],
    }
    .encode();
    ok(&mut m, set_rp(r"C:\tf", app));
}

#[test]
fn symlink_data_written_through_the_link_itself_stays_s13() {
    let mut m = base();
    let opts = OpenOptions::default()
        .follow(Follow::OpenReparsePoint)
        .write(true);
    let h = handle(ok(&mut m, open(r"C:\sf", opts)));
    ok(
        &mut m,
        Op::Write {
            handle: h,
            offset: 0,
            data: b"own".to_vec(),
        },
    );
    ok(&mut m, Op::Close { handle: h });
    assert_eq!(
        contents(&mut m, r"C:\sf"),
        b"file",
        "following still reads the target"
    );
    assert_eq!(linfo(&m, r"C:\sf").size, 3);
    let req = ntlinkfs_core::reparse::delete_request(IO_REPARSE_TAG_SYMLINK);
    ok(&mut m, del_rp(r"C:\sf", req));
    assert_eq!(contents(&mut m, r"C:\sf"), b"own");
}

#[test]
fn open_follows_unless_asked_for_the_link_s20_s26_s40() {
    let mut m = base();
    let target = info(&m, r"C:\tf");
    assert_eq!(info(&m, r"C:\sf"), {
        let mut t = target.clone();
        t.delete_pending = false;
        t
    });
    assert_eq!(info(&m, r"C:\sf").size, 4, "S40: size of the target");
    assert_ne!(linfo(&m, r"C:\sf").id, target.id);
    // CREATE_ALWAYS through the link truncates the target.
    ok(&mut m, write(r"C:\sf", b"XY"));
    assert_eq!(contents(&mut m, r"C:\tf"), b"XY");
    assert!(linfo(&m, r"C:\sf").reparse_tag.is_some());
    // Relative link followed.
    assert_eq!(contents(&mut m, r"C:\sub\rel"), b"XY");
    assert_eq!(listing(&m, r"C:\sd"), ["f"]);
}

#[test]
fn overwrite_with_open_reparse_point_destroys_the_link_s21() {
    let mut m = base();
    let opts = OpenOptions::default()
        .disposition(Disposition::Overwrite)
        .follow(Follow::OpenReparsePoint);
    let h = handle(ok(&mut m, open(r"C:\sf", opts)));
    ok(&mut m, Op::Close { handle: h });
    let l = linfo(&m, r"C:\sf");
    assert_eq!(
        (l.reparse_tag, l.attributes & FILE_ATTRIBUTE_REPARSE_POINT),
        (None, 0)
    );
    assert_eq!(contents(&mut m, r"C:\tf"), b"file", "target untouched");
    // Without the flag the target is overwritten and the link stays.
    let mut m = base();
    let opts = OpenOptions::default().disposition(Disposition::Overwrite);
    let h = handle(ok(&mut m, open(r"C:\sf", opts)));
    ok(&mut m, Op::Close { handle: h });
    assert!(linfo(&m, r"C:\sf").reparse_tag.is_some());
    assert_eq!(contents(&mut m, r"C:\tf"), b"");
}

#[test]
fn flavor_mismatch_fails_from_1709_s22_s23() {
    // C:\fs --> C:\t (file symlink to a directory), C:\ds ==> C:\tf (directory symlink to a file)
    let mut m = base();
    ok(&mut m, symlink(r"C:\fs", r"C:\t"));
    ok(&mut m, symlinkd(r"C:\ds", r"C:\tf"));
    fails(&mut m, "S22", stat(r"C:\fs"), NtError::FileIsADirectory);
    fails(&mut m, "S22", dir_list(r"C:\fs"), NtError::FileIsADirectory);
    fails(
        &mut m,
        "S22",
        open(r"C:\fs", OpenOptions::default()),
        NtError::FileIsADirectory,
    );
    fails(
        &mut m,
        "S23 [X] unverified",
        stat(r"C:\ds"),
        NtError::NotADirectory,
    );
    fails(
        &mut m,
        "S23 [X] unverified",
        read(r"C:\ds"),
        NtError::NotADirectory,
    );
    // As an intermediate component the flavor does not matter.
    assert_eq!(contents(&mut m, r"C:\fs\f"), b"tf");
    // Before 1709 both opened their target.
    let mut m = machine_with("10-1703".parse().unwrap());
    build(
        &mut m,
        &[
            r"dir C:\t",
            r"file C:\tf x",
            r"symlink C:\fs C:\t",
            r"symlinkd C:\ds C:\tf",
        ],
    )
    .unwrap();
    assert!(info(&m, r"C:\fs").is_directory);
    assert_eq!(contents(&mut m, r"C:\ds"), b"x");
}

#[test]
fn trailing_backslash_in_relative_target_s24_p11() {
    let mut m = base();
    ok(&mut m, symlink(r"C:\tfslash", r"tf\"));
    fails(
        &mut m,
        "S24",
        read(r"C:\tfslash"),
        NtError::ObjectNameInvalid,
    );
    ok(&mut m, symlinkd(r"C:\tslash", r"t\"));
    assert_eq!(listing(&m, r"C:\tslash"), ["f"]);
}

#[test]
fn unhandled_tags_are_not_followed_s27_r20() {
    let mut m = base();
    ok(&mut m, create_file(r"C:\lx"));
    let lx = ReparseData::Other {
        tag: IO_REPARSE_TAG_LX_SYMLINK,
        guid: None,
        data: vec![2, 0, 0, 0, b'x'],
    }
    .encode();
    ok(&mut m, set_rp(r"C:\lx", lx));
    fails(
        &mut m,
        "S27",
        stat(r"C:\lx"),
        NtError::IoReparseTagNotHandled,
    );
    fails(
        &mut m,
        "S27",
        read(r"C:\lx"),
        NtError::IoReparseTagNotHandled,
    );
    assert_eq!(NtError::IoReparseTagNotHandled.win32(), 1920);
    // With FILE_OPEN_REPARSE_POINT it opens.
    assert_eq!(
        linfo(&m, r"C:\lx").reparse_tag,
        Some(IO_REPARSE_TAG_LX_SYMLINK)
    );
}

#[test]
fn delete_and_remove_affect_the_link_s30_s31_s32() {
    let mut m = base();
    ok(&mut m, del(r"C:\sf"));
    assert_eq!(contents(&mut m, r"C:\tf"), b"file", "S30");
    fails(
        &mut m,
        "S32 [X] unverified",
        del(r"C:\sd"),
        NtError::FileIsADirectory,
    );
    fails(&mut m, "M12", rmdir(r"C:\tf"), NtError::NotADirectory);
    ok(&mut m, rmdir(r"C:\sd"));
    assert_eq!(listing(&m, r"C:\t"), ["f"], "S31");
    // RemoveDirectory on a file symlink: it is a file (M12).
    ok(&mut m, symlink(r"C:\sf2", r"C:\t"));
    fails(&mut m, "M12", rmdir(r"C:\sf2"), NtError::NotADirectory);
}

#[test]
fn delete_on_close_through_a_link_deletes_the_target_s34() {
    let mut m = base();
    let opts = OpenOptions::default().delete_on_close(true);
    let h = handle(ok(&mut m, open(r"C:\sf", opts)));
    ok(&mut m, Op::Close { handle: h });
    assert!(linfo(&m, r"C:\sf").reparse_tag.is_some(), "the link stays");
    fails(&mut m, "S34", stat(r"C:\tf"), NtError::ObjectNameNotFound);
}

#[test]
fn move_renames_the_link_s35_m8() {
    let mut m = base();
    ok(&mut m, mv(r"C:\sf", r"C:\t\moved"));
    assert_eq!(contents(&mut m, r"C:\t\moved"), b"file");
    assert_eq!(contents(&mut m, r"C:\tf"), b"file");
    // A relative link moved elsewhere resolves from its new place.
    ok(&mut m, mkdir(r"C:\t\x"));
    ok(&mut m, mv(r"C:\sub\rel", r"C:\t\x\rel"));
    fails(
        &mut m,
        "P4",
        read(r"C:\t\x\rel"),
        NtError::ObjectNameNotFound,
    );
    ok(&mut m, write(r"C:\t\tf", b"t-tf"));
    assert_eq!(contents(&mut m, r"C:\t\x\rel"), b"t-tf");
    // A moved target leaves an absolute link dangling (M8).
    ok(&mut m, mv(r"C:\tf", r"C:\tf2"));
    fails(
        &mut m,
        "M8",
        read(r"C:\t\moved"),
        NtError::ObjectNameNotFound,
    );
}

#[test]
fn set_attributes_on_a_link_changes_the_link_s36() {
    let mut m = base();
    ok(
        &mut m,
        set_attrs(r"C:\sf", FILE_ATTRIBUTE_SYSTEM | FILE_ATTRIBUTE_HIDDEN),
    );
    assert_eq!(m.get_file_attributes(r"C:\sf").unwrap(), 0x406);
    assert_eq!(m.get_file_attributes(r"C:\tf").unwrap(), 0x20);
    // DIRECTORY and REPARSE_POINT cannot be set or cleared by the caller.
    ok(&mut m, set_attrs(r"C:\sd", 0));
    assert_eq!(m.get_file_attributes(r"C:\sd").unwrap(), 0x410);
}

#[test]
fn write_through_a_dangling_link_creates_the_target_s38() {
    let mut m = base();
    ok(&mut m, symlink(r"C:\dang", r"C:\t\created"));
    ok(&mut m, write(r"C:\dang", b"c"));
    assert_eq!(contents(&mut m, r"C:\t\created"), b"c");
    assert!(linfo(&m, r"C:\dang").reparse_tag.is_some());
}

#[test]
fn symlink_name_rules_are_create_rules_n11() {
    let rows: &[(&str, Op, NtError)] = &[
        (
            "N11",
            symlink(r"C:\TF", r"C:\x"),
            NtError::ObjectNameCollision,
        ),
        (
            "N11",
            symlink(r"C:\sd", r"C:\x"),
            NtError::ObjectNameCollision,
        ),
        (
            "N11",
            symlink(r"C:\a*b", r"C:\x"),
            NtError::ObjectNameInvalid,
        ),
        (
            "N11",
            symlink(r"C:\nodir\s", r"C:\x"),
            NtError::ObjectPathNotFound,
        ),
        (
            "N11",
            symlink(r"C:\tf\s", r"C:\x"),
            NtError::ObjectPathNotFound,
        ),
        (
            "P5",
            symlink(r"C:\empty", ""),
            NtError::IoReparseDataInvalid,
        ),
    ];
    for (rule, op, want) in rows {
        let mut m = base();
        fails(&mut m, rule, op.clone(), *want);
    }
}

fn with_policy(p: SymlinkEvaluation) -> Machine {
    let mut m = base();
    m.set_profile(Profile {
        symlink_evaluation: p,
        ..Profile::default()
    });
    m
}

#[test]
fn symlink_evaluation_classes_s50_to_s53() {
    let all = SymlinkEvaluation {
        local_to_local: true,
        local_to_remote: true,
        remote_to_local: true,
        remote_to_remote: true,
    };
    // L2R: a local link to \\localhost\C$\... (a remote target).
    let mut m = base();
    ok(&mut m, symlink(r"C:\l2r", r"\\localhost\C$\tf"));
    assert_eq!(
        contents(&mut m, r"C:\l2r"),
        b"file",
        "S51: L2R enabled by default [X] unverified"
    );
    let mut m = with_policy(SymlinkEvaluation {
        local_to_remote: false,
        ..all
    });
    ok(&mut m, symlink(r"C:\l2r", r"\\localhost\C$\tf"));
    fails(
        &mut m,
        "S52 L2R",
        read(r"C:\l2r"),
        NtError::SymlinkClassDisabled,
    );
    // R2L: an absolute link reached through a share, to a drive path.
    let mut m = base();
    fails(
        &mut m,
        "S51 R2L",
        read(r"\\localhost\C$\sf"),
        NtError::SymlinkClassDisabled,
    );
    // R2R: a relative link reached through a share.
    fails(
        &mut m,
        "S51 R2R",
        read(r"\\localhost\C$\sub\rel"),
        NtError::SymlinkClassDisabled,
    );
    assert_eq!(NtError::SymlinkClassDisabled.win32(), 1463);
    let mut m = with_policy(all);
    assert_eq!(contents(&mut m, r"\\localhost\C$\sf"), b"file");
    assert_eq!(contents(&mut m, r"\\localhost\C$\sub\rel"), b"file");
    // L2L disabled: even local links fail; junctions are exempt (S53).
    let mut m = with_policy(SymlinkEvaluation {
        local_to_local: false,
        ..all
    });
    fails(
        &mut m,
        "S52 L2L",
        read(r"C:\sf"),
        NtError::SymlinkClassDisabled,
    );
    build(&mut m, &[r"junction C:\j C:\t"]).unwrap();
    assert_eq!(contents(&mut m, r"C:\j\f"), b"tf");
}

#[test]
fn symlink_to_unknown_server_fails_bad_network_path() {
    let mut m = base();
    ok(&mut m, symlink(r"C:\far", r"\\server\share\x"));
    fails(&mut m, "V4", read(r"C:\far"), NtError::BadNetworkPath);
    let _ = Want::Any;
}

/// A symlink made from Linux as WSL stores it (IO_REPARSE_TAG_LX_SYMLINK:
/// version 2, then the text's bytes): kept byte for byte, not followed by
/// Windows (S27: ERROR_CANT_ACCESS_FILE), listed by `dir` as cmd lists it, a
/// junction whose target it cannot read (issue 11 item 5; the `dir` listing is
/// tested in ntlinkfs-shell).
#[test]
fn lx_symlinks_are_stored_as_wsl_stores_them_s27() {
    let mut m = base();
    let root = m.resolve_node(r"C:\").unwrap();
    let info = m.create_lx_symlink_at(root, "lx", b"/etc/passwd").unwrap();
    assert_eq!(info.reparse_tag, Some(IO_REPARSE_TAG_LX_SYMLINK));
    assert!(!info.is_directory);
    let raw = m.get_reparse_point(r"C:\lx").unwrap();
    assert_eq!(&raw[..4], &0xA000_001Du32.to_le_bytes());
    assert_eq!(&raw[4..6], &15u16.to_le_bytes(), "4 + 11 bytes");
    assert_eq!(&raw[8..12], &2u32.to_le_bytes(), "version 2");
    assert_eq!(&raw[12..], b"/etc/passwd");
    let data = ReparseData::decode(&raw).unwrap();
    assert_eq!(data.lx_symlink_target(), Some(&b"/etc/passwd"[..]));
    assert_eq!(data, ReparseData::lx_symlink(b"/etc/passwd"));
    fails(
        &mut m,
        "S27",
        read(r"C:\lx"),
        NtError::IoReparseTagNotHandled,
    );
    // Refused: an empty text, an existing name; nothing changes.
    assert_eq!(
        m.create_lx_symlink_at(root, "e", b"").unwrap_err(),
        NtError::IoReparseDataInvalid
    );
    assert_eq!(
        m.create_lx_symlink_at(root, "lx", b"x").unwrap_err(),
        NtError::ObjectNameCollision
    );
    assert!(!m.exists(r"C:\e"));
    // Kept in images, byte for byte.
    let m = ntlinkfs_core::image::load(&ntlinkfs_core::image::save(&m)).unwrap();
    assert_eq!(m.get_reparse_point(r"C:\lx").unwrap(), raw);
    // How `dir` lists it: ntlinkfs-shell's tests/special_files.rs.
}
