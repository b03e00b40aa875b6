//! Names and path resolution: SEMANTICS §8 (N1–N12) and §5 (P1–P11). Every
//! row cites its rule; failures assert the exact NtError and that nothing
//! changed; invariants are checked after every operation.
//!
//! Fixture:
//!
//! ```text
//! C:\
//! ├── alpha\
//! │   └── beta\
//! │       ├── abs  --> C:\x          absolute file-or-dir link (P2)
//! │       └── rel  ==> ..\..\theta   relative directory link (P3)
//! ├── x\
//! │   └── gamma\
//! │       └── file   "x-file"
//! ├── theta\
//! │   └── gamma\
//! │       └── file   "theta-file"
//! └── f              "f"
//! ```
//!
//! N3 (unpaired surrogates) cannot be typed in a `&str` path: `name::validate`
//! accepts them (unit test in name.rs) and the model stores UTF-16 throughout.

mod common;
use common::*;
use ntlinkfs_core::{reparse::ReparseData, Follow, Machine, NtError, Op, Profile, WindowsVersion};

fn base() -> Machine {
    fixture(&[
        r"dir C:\alpha",
        r"dir C:\alpha\beta",
        r"dir C:\x",
        r"dir C:\x\gamma",
        r"file C:\x\gamma\file x-file",
        r"dir C:\theta",
        r"dir C:\theta\gamma",
        r"file C:\theta\gamma\file theta-file",
        r"symlinkd C:\alpha\beta\abs C:\x",
        r"symlinkd C:\alpha\beta\rel ..\..\theta",
        r"file C:\f f",
    ])
}

#[test]
fn names_are_case_insensitive_and_case_preserving_n1() {
    let mut m = base();
    ok(&mut m, create_file(r"C:\MixedCase.Txt"));
    assert!(listing(&m, r"C:\").contains(&"MixedCase.Txt".to_string()));
    assert_eq!(
        info(&m, r"C:\MIXEDCASE.TXT").id,
        info(&m, r"c:\mixedcase.txt").id
    );
    fails(
        &mut m,
        "N1",
        create_file(r"C:\mixedcase.txt"),
        NtError::ObjectNameCollision,
    );
    fails(&mut m, "N1", mkdir(r"C:\F"), NtError::ObjectNameCollision);
    // Upcase per UTF-16 unit: é/É and σ/Σ collide, ß does not become SS.
    ok(&mut m, create_file(r"C:\émile"));
    fails(
        &mut m,
        "N1",
        create_file(r"C:\ÉMILE"),
        NtError::ObjectNameCollision,
    );
    ok(&mut m, create_file(r"C:\straße"));
    ok(&mut m, create_file(r"C:\STRASSE"));
    assert_eq!(info(&m, r"C:\STRAßE").id, info(&m, r"C:\straße").id);
}

#[test]
fn name_length_limit_is_255_units_n2() {
    let mut m = base();
    ok(&mut m, create_file(&format!(r"C:\{}", "a".repeat(255))));
    fails(
        &mut m,
        "N2",
        create_file(&format!(r"C:\{}", "b".repeat(256))),
        NtError::ObjectNameInvalid,
    );
    // 64 × U+1F525 is 128 UTF-16 units (256 UTF-8 bytes): valid.
    ok(
        &mut m,
        create_file(&format!(r"C:\{}", "\u{1F525}".repeat(64))),
    );
    fails(
        &mut m,
        "N2",
        create_file(&format!(r"C:\{}", "\u{1F525}".repeat(128))),
        NtError::ObjectNameInvalid,
    );
    assert_eq!(NtError::ObjectNameInvalid.win32(), 123);
}

#[test]
fn invalid_characters_are_refused_everywhere_n4_n11() {
    for c in ['<', '>', ':', '"', '|', '?', '*', '\u{1}', '\u{1f}'] {
        let bad = format!(r"C:\a{c}b");
        let rows = [
            ("N4 create", create_file(&bad)),
            ("N4 mkdir", mkdir(&bad)),
            ("N11 rename", mv(r"C:\f", &bad)),
            ("N11 hard link", hard(&bad, r"C:\f")),
            ("N11 symlink", symlink(&bad, r"C:\f")),
            ("N11 junction", junction(&bad, r"C:\x")),
        ];
        for (rule, op) in rows {
            let mut m = base();
            fails(
                &mut m,
                &format!("{rule} {c:?}"),
                op,
                NtError::ObjectNameInvalid,
            );
        }
    }
    let mut m = base();
    fails(
        &mut m,
        "N4 NUL",
        create_file("C:\\a\0b"),
        NtError::ObjectNameInvalid,
    );
}

#[test]
fn reserved_device_names_are_a_win32_rule_n5_n10_n12() {
    // Windows 10: `C:\dir\con` and `con.txt` are the console device, not files.
    let mut m = machine_with("10".parse().unwrap());
    build(&mut m, &[r"dir C:\d"]).unwrap();
    for p in [
        r"C:\d\con",
        r"C:\d\CON.txt",
        r"C:\d\nul",
        r"C:\d\com1",
        r"C:\d\lpt9.log",
        "aux",
    ] {
        fails(
            &mut m,
            "N5 [X] unverified",
            create_file(p),
            NtError::ObjectNameInvalid,
        );
    }
    assert_eq!(
        m.full_path("NUL").unwrap(),
        m.full_path("nul").unwrap(),
        "N10"
    );
    // The NT namespace (\\?\) creates them as ordinary names (N5, N12).
    ok(&mut m, create_file(r"\\?\C:\d\con"));
    ok(&mut m, junction(r"\\?\C:\d\CON.txt", r"C:\d"));
    assert_eq!(listing(&m, r"C:\d"), ["con", "CON.txt"]);
    fails(
        &mut m,
        "N12",
        junction(r"C:\d\prn", r"C:\d"),
        NtError::ObjectNameInvalid,
    );
    // Windows 11: only NUL (and bare unqualified names) stay special.
    let mut m = machine();
    build(&mut m, &[r"dir C:\d"]).unwrap();
    ok(&mut m, create_file(r"C:\d\con"));
    ok(&mut m, create_file(r"C:\d\con.txt"));
    fails(
        &mut m,
        "N5 Win11",
        create_file(r"C:\d\nul"),
        NtError::ObjectNameInvalid,
    );
    fails(
        &mut m,
        "N5 Win11",
        create_file("con"),
        NtError::ObjectNameInvalid,
    );
}

#[test]
fn win32_strips_trailing_dots_and_spaces_n6() {
    let mut m = base();
    ok(&mut m, create_file(r"C:\spam. . ."));
    assert_eq!(info(&m, r"C:\spam").id, info(&m, r"C:\spam...").id);
    assert!(listing(&m, r"C:\").contains(&"spam".to_string()));
    // `\\?\` keeps them: a different name.
    ok(&mut m, create_file(r"\\?\C:\spam. . ."));
    assert_ne!(linfo(&m, r"\\?\C:\spam. . .").id, linfo(&m, r"C:\spam").id);
    // The NT layer does not strip: a relative target `.\f.` does not find `f`.
    ok(&mut m, symlink(r"C:\dot", r".\f."));
    fails(
        &mut m,
        "N6 P5",
        read(r"C:\dot"),
        NtError::ObjectNameNotFound,
    );
}

#[test]
fn wildcards_in_a_path_are_invalid_names_n7() {
    let mut m = base();
    fails(&mut m, "N7", stat(r"C:\*.go"), NtError::ObjectNameInvalid);
    fails(&mut m, "N7", stat(r"C:\x\?"), NtError::ObjectNameInvalid);
    fails(&mut m, "N7", dir_list(r"C:\*"), NtError::ObjectNameInvalid);
}

#[test]
fn path_through_a_file_or_missing_directory_n8() {
    let mut m = base();
    let rows = [
        ("N8 file", create_file(r"C:\f\x")),
        ("N8 file", read(r"C:\f\x")),
        ("N8 file", mkdir(r"C:\f\x")),
        ("N8 missing", create_file(r"C:\nodir\x")),
        ("N8 missing", read(r"C:\nodir\x\y")),
        ("N8 missing", mkdir(r"C:\nodir\x")),
        ("N8 missing drive", create_file(r"Q:\x")),
    ];
    for (rule, op) in rows {
        fails(&mut m, rule, op, NtError::ObjectPathNotFound);
    }
    assert_eq!(NtError::ObjectPathNotFound.win32(), 3);
}

#[test]
fn max_path_applies_without_verbatim_prefix_n9() {
    let mut m = base();
    // C:\ + 25 × "dddddddd\" = 228 units, then a 40-unit name: 268 ≥ 260.
    let mut p = String::from(r"C:");
    for i in 0..25 {
        p.push_str(&format!(r"\dddddd{i:02}"));
        m.create_directory(&format!(r"\\?\{p}")).unwrap();
    }
    check(&m);
    let long = format!(r"{p}\{}", "n".repeat(40));
    fails(
        &mut m,
        "N9",
        create_file(&long),
        NtError::ObjectPathNotFound,
    );
    fails(
        &mut m,
        "N9",
        hard(&long, r"C:\f"),
        NtError::ObjectPathNotFound,
    );
    ok(&mut m, create_file(&format!(r"\\?\{long}")));
    // Long paths opted in (Win10 1607+): the limit goes.
    m.set_profile(Profile {
        long_paths: true,
        ..Profile::default()
    });
    ok(&mut m, stat(&long));
    m.set_profile(Profile {
        long_paths: true,
        ..Profile::for_version(WindowsVersion::WIN7)
    });
    fails(&mut m, "N9 1607", stat(&long), NtError::ObjectPathNotFound);
    // Past 32,767 units nothing resolves.
    let huge = format!(r"\\?\C:\{}", "a\\".repeat(16_400));
    fails(&mut m, "§0 32767", stat(&huge), NtError::NameTooLong);
}

#[test]
fn verbatim_prefix_suppresses_normalisation_n10_p1() {
    let mut m = base();
    assert_eq!(contents(&mut m, r"C:\x\..\f"), b"f");
    fails(
        &mut m,
        "N10",
        read(r"\\?\C:\x\..\f"),
        NtError::ObjectNameInvalid,
    );
    fails(
        &mut m,
        "N10",
        read(r"\\?\C:\x\.\gamma\file"),
        NtError::ObjectPathNotFound,
    );
    fails(&mut m, "N10", read(r"\\?\C:/f"), NtError::ObjectNameInvalid);
    assert_eq!(contents(&mut m, r"\??\C:\f"), b"f");
    assert_eq!(contents(&mut m, r"\\.\C:\x\..\f"), b"f");
    assert_eq!(contents(&mut m, r"C:/x/gamma/file"), b"x-file");
}

#[test]
fn dotdot_is_lexical_before_links_are_followed_p1() {
    let mut m = base();
    // C:\alpha\beta\abs\.. is C:\alpha\beta, wherever abs points.
    assert_eq!(
        m.final_path(r"C:\alpha\beta\abs\..").unwrap(),
        r"C:\alpha\beta"
    );
    assert_eq!(listing(&m, r"C:\alpha\beta\abs\..\"), ["abs", "rel"]);
    ok(&mut m, cd(r"C:\alpha\beta\abs"));
    assert_eq!(m.full_path("..").unwrap().to_win32(), r"C:\alpha\beta");
}

#[test]
fn absolute_link_replaces_the_prefix_p2() {
    let mut m = base();
    assert_eq!(contents(&mut m, r"C:\alpha\beta\abs\gamma\file"), b"x-file");
    assert_eq!(
        m.final_path(r"C:\alpha\beta\abs\gamma\file").unwrap(),
        r"C:\x\gamma\file"
    );
}

#[test]
fn relative_link_applies_dotdot_to_its_parent_p3_p4() {
    let mut m = base();
    assert_eq!(
        contents(&mut m, r"C:\alpha\beta\rel\gamma\file"),
        b"theta-file"
    );
    // Too many `..`: STATUS_IO_REPARSE_DATA_INVALID (P3), a relative link cannot
    // climb off its volume (P7).
    ok(&mut m, symlinkd(r"C:\alpha\up", r"..\..\..\x"));
    fails(
        &mut m,
        "P3 P7",
        read(r"C:\alpha\up\gamma\file"),
        NtError::IoReparseDataInvalid,
    );
    // P4: a\b\c → ..\d\e and a\d\e → ..\f give a\f.
    let mut m = fixture(&[
        r"dir C:\a",
        r"dir C:\a\b",
        r"dir C:\a\d",
        r"file C:\a\f af",
        r"symlink C:\a\b\c ..\d\e",
        r"symlink C:\a\d\e ..\f",
    ]);
    assert_eq!(contents(&mut m, r"C:\a\b\c"), b"af");
    assert_eq!(m.final_path(r"C:\a\b\c").unwrap(), r"C:\a\f");
    // The caller's current directory does not matter.
    ok(&mut m, cd(r"C:\a\d"));
    assert_eq!(contents(&mut m, r"C:\a\b\c"), b"af");
}

#[test]
fn relative_targets_process_dots_but_nothing_else_p5() {
    let mut m = fixture(&[r"dir C:\p", r"dir C:\p\d", r"file C:\p\d\f df"]);
    type Row<'a> = (&'a str, &'a str, Result<&'a [u8], NtError>);
    let rows: &[Row] = &[
        ("P5", r".\d\..\.\d\f", Ok(b"df")),
        ("P5", r"d\f", Ok(b"df")),
        ("P5 \\\\", r".\\d\f", Err(NtError::ObjectNameInvalid)),
        ("P5 /", r"./d/f", Err(NtError::ObjectNameInvalid)),
        (
            "P5 trailing dot",
            r".\d.\f",
            Err(NtError::ObjectPathNotFound),
        ),
        (
            "P5 trailing dot",
            r".\d\f.",
            Err(NtError::ObjectNameNotFound),
        ),
    ];
    for (i, (rule, target, want)) in rows.iter().enumerate() {
        let link = format!(r"C:\p\l{i}");
        ok(&mut m, symlink(&link, target));
        match want {
            Ok(bytes) => assert_eq!(contents(&mut m, &link), *bytes, "{rule} {target}"),
            Err(e) => fails(&mut m, rule, read(&link), *e),
        }
    }
}

#[test]
fn absolute_substitute_names_are_nt_paths_taken_literally_p6() {
    let mut m = fixture(&[r"dir C:\d", r"file C:\d\x dx"]);
    let rows: &[(&str, &str, u32, Result<(), NtError>)] = &[
        ("P6", r"\??\C:\d\x", 0, Ok(())),
        (
            "P6 \\\\?\\",
            r"\\?\C:\d\x",
            0,
            Err(NtError::ObjectNameInvalid),
        ),
        ("P6 C:", r"C:\d\x", 0, Err(NtError::ObjectNameInvalid)),
        ("P6 .\\", r".\x", 0, Err(NtError::ObjectNameInvalid)),
        ("P6 .", r"\??\C:\d\.\x", 0, Err(NtError::ObjectPathNotFound)),
        (
            "P6 ..",
            r"\??\C:\d\x\..\x",
            0,
            Err(NtError::ObjectNameInvalid),
        ),
        (
            "P6 NT+RELATIVE",
            r"\??\C:\d\x",
            1,
            Err(NtError::ObjectNameInvalid),
        ),
    ];
    for (i, &(rule, sub, flags, want)) in rows.iter().enumerate() {
        let link = format!(r"C:\l{i}");
        ok(&mut m, create_file(&link));
        let buf = ReparseData::Symlink {
            substitute: sub.encode_utf16().collect(),
            print: Vec::new(),
            flags,
        }
        .encode();
        ok(&mut m, set_rp(&link, buf));
        match want {
            Ok(()) => assert_eq!(contents(&mut m, &link), b"dx", "{rule}"),
            Err(e) => fails(&mut m, rule, read(&link), e),
        }
    }
}

#[test]
fn reparse_limit_is_63_and_31_before_vista_p8() {
    for (profile, limit) in [("11", 63usize), ("xp", 31)] {
        // C:\l0 ==> C:\l1 ==> … ==> C:\l{limit} ==> C:\t: limit + 1 junctions.
        let mut m = machine_with(profile.parse().unwrap());
        build(&mut m, &[r"dir C:\t", r"file C:\t\f ok"]).unwrap();
        for i in 0..limit {
            m.create_junction(&format!(r"C:\l{i}"), &format!(r"C:\l{}", i + 1))
                .unwrap();
        }
        m.create_junction(&format!(r"C:\l{limit}"), r"C:\t")
            .unwrap();
        check(&m);
        // From l1: `limit` junctions, allowed. From l0: one too many.
        assert_eq!(contents(&mut m, r"C:\l1\f"), b"ok", "{profile}");
        fails(
            &mut m,
            &format!("P8 {profile}"),
            read(r"C:\l0\f"),
            NtError::ReparsePointNotResolved,
        );
    }
    // A self-referencing symlink.
    let mut m = machine();
    ok(&mut m, symlink(r"C:\me", r"C:\me"));
    fails(
        &mut m,
        "P8 self",
        read(r"C:\me"),
        NtError::ReparsePointNotResolved,
    );
    ok(&mut m, symlink(r"C:\me2", r"me2"));
    fails(
        &mut m,
        "P8 self relative",
        read(r"C:\me2"),
        NtError::ReparsePointNotResolved,
    );
}

#[test]
fn junctions_and_symlinks_mix_in_one_path_p9() {
    // C:\j ==> C:\alpha (junction), then beta\rel (relative symlink), then gamma.
    let mut m = base();
    ok(&mut m, junction(r"C:\j", r"C:\alpha"));
    ok(&mut m, symlink(r"C:\s", r"j\beta\abs\gamma\file"));
    assert_eq!(contents(&mut m, r"C:\j\beta\rel\gamma\file"), b"theta-file");
    assert_eq!(contents(&mut m, r"C:\s"), b"x-file");
}

#[test]
fn relative_link_climbs_the_physical_prefix_p10() {
    // [X] unverified: C:\j ==> C:\x\gamma; C:\x\gamma\up → ..\..\f reaches C:\f
    // (from the physical C:\x\gamma), not C:\j\..\.. (lexically above C:\).
    let mut m = base();
    ok(&mut m, junction(r"C:\j", r"C:\x\gamma"));
    ok(&mut m, symlink(r"C:\x\gamma\up", r"..\..\f"));
    assert_eq!(contents(&mut m, r"C:\j\up"), b"f");
}

#[test]
fn trailing_separator_names_a_directory_p11() {
    let mut m = base();
    fails(&mut m, "P11", read(r"C:\f\"), NtError::ObjectNameInvalid);
    fails(&mut m, "P11", stat(r"C:\f\"), NtError::ObjectNameInvalid);
    fails(
        &mut m,
        "P11",
        create_file(r"C:\new\"),
        NtError::ObjectNameInvalid,
    );
    assert!(info(&m, r"C:\x\").is_directory);
}

#[test]
fn current_directory_per_drive_s9() {
    let mut m = base();
    ok(&mut m, cd(r"C:\x"));
    ok(&mut m, cd(r"D:\"));
    assert_eq!(m.current_dir(), r"D:\");
    ok(&mut m, create_file(r"C:here"));
    assert!(m.exists(r"C:\x\here"));
    ok(&mut m, create_file(r"\rooted"));
    assert!(m.exists(r"D:\rooted"));
    fails(&mut m, "cd file", cd(r"C:\f"), NtError::NotADirectory);
    fails(
        &mut m,
        "cd missing",
        cd(r"C:\nope"),
        NtError::ObjectNameNotFound,
    );
    let _ = (
        Follow::Reparse,
        Op::Close {
            handle: ntlinkfs_core::HandleId(0),
        },
    );
}
