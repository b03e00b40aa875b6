//! Volumes, filesystem kinds and Windows-version profiles: SEMANTICS §9
//! (V1–V5) and the version switches of the rules they name. File references
//! (record | sequence << 48) per volume.
//!
//! Fixture: the default machine (C: and D:, NTFS) plus, per test, E: of the
//! kind under test.

mod common;
use common::*;
use ntlinkfs_core::{
    FileRef, FsKind, Machine, NtError, Op, Profile, WindowsVersion, FIRST_USER_RECORD, ROOT_RECORD,
};

#[test]
fn default_machine_is_c_and_d_ntfs_windows_11() {
    let m = machine();
    let v = m.volume_infos();
    assert_eq!(
        v.iter().map(|v| (v.letter, v.kind)).collect::<Vec<_>>(),
        [('C', FsKind::Ntfs), ('D', FsKind::Ntfs)]
    );
    assert_ne!(v[0].serial, v[1].serial);
    assert_eq!(m.profile().version, WindowsVersion::WIN11);
    assert_eq!(m.root(0).file, FileRef::new(ROOT_RECORD, 5));
    assert_eq!(m.current_dir(), r"C:\");
}

#[test]
fn add_volume_validates_letters() {
    let mut m = machine();
    let rows: &[(char, NtError)] = &[
        ('c', NtError::InvalidParameter),
        ('D', NtError::InvalidParameter),
        ('1', NtError::InvalidParameter),
        ('é', NtError::InvalidParameter),
    ];
    for &(l, e) in rows {
        fails(
            &mut m,
            "add_volume",
            Op::AddVolume {
                letter: l,
                kind: FsKind::Fat32,
                label: None,
            },
            e,
        );
    }
    assert_eq!(
        ok(
            &mut m,
            Op::AddVolume {
                letter: 'e',
                kind: FsKind::ExFat,
                label: Some("USB".into())
            }
        ),
        ntlinkfs_core::Outcome::Volume(2)
    );
    let e = &m.volume_infos()[2];
    assert_eq!(
        (e.letter, e.kind, e.label.as_str()),
        ('E', FsKind::ExFat, "USB")
    );
}

#[test]
fn file_references_start_at_16_and_sequences_grow_on_reuse() {
    let mut m = machine();
    ok(&mut m, create_file(r"C:\a"));
    let a = info(&m, r"C:\a").id.file;
    assert_eq!(a.record(), FIRST_USER_RECORD);
    ok(&mut m, del(r"C:\a"));
    ok(&mut m, create_file(r"C:\b"));
    let b = info(&m, r"C:\b").id.file;
    assert_eq!(b.record(), a.record());
    assert_eq!(b.seq(), a.seq() + 1);
    // Each volume has its own table.
    ok(&mut m, create_file(r"D:\a"));
    assert_eq!(info(&m, r"D:\a").id.file.record(), FIRST_USER_RECORD);
    assert_eq!(info(&m, r"D:\a").id.volume, 1);
}

#[test]
fn link_support_by_filesystem_kind_v1_v2_table() {
    // kind, hard links, junctions and symlinks
    let rows: &[(&str, FsKind, bool, bool)] = &[
        ("V1 V2", FsKind::Ntfs, true, true),
        ("V1 V2", FsKind::Fat32, false, false),
        ("V1 V2", FsKind::ExFat, false, false),
        ("V1 HL14", FsKind::Refs(3, 4), false, true),
        ("V1", FsKind::Refs(3, 5), true, true),
    ];
    for &(rule, kind, hard_ok, soft_ok) in rows {
        let mut m = machine();
        m.add_volume('E', kind, None).unwrap();
        build(&mut m, &[r"file E:\f x", r"dir E:\d"]).unwrap();
        let ops = [
            (hard(r"E:\h", r"E:\f"), hard_ok),
            (junction(r"E:\j", r"E:\d"), soft_ok),
            (symlink(r"E:\s", r"E:\f"), soft_ok),
            (symlinkd(r"E:\sd", r"E:\d"), soft_ok),
            (
                set_rp(
                    r"E:\d",
                    ntlinkfs_core::ReparseData::mount_point(r"\??\C:\", r"C:\").encode(),
                ),
                soft_ok,
            ),
        ];
        for (op, allowed) in ops {
            if allowed {
                ok(&mut m, op);
            } else {
                fails(
                    &mut m,
                    &format!("{rule} {kind:?}"),
                    op,
                    NtError::InvalidDeviceRequest,
                );
            }
        }
        // V3: links on NTFS may point into any kind.
        ok(&mut m, symlink(r"C:\into", r"E:\f"));
        ok(&mut m, junction(r"C:\jinto", r"E:\d"));
        assert_eq!(contents(&mut m, r"C:\into"), b"x");
    }
}

#[test]
fn junction_targets_are_local_symlink_targets_may_be_unc_v4() {
    let mut m = fixture(&[r"dir C:\t"]);
    fails(
        &mut m,
        "V4",
        junction(r"C:\j", r"\\srv\share"),
        NtError::ObjectNameInvalid,
    );
    ok(&mut m, symlinkd(r"C:\s", r"\\srv\share"));
    ok(&mut m, junction(r"C:\jd", r"D:\"));
    assert_eq!(
        m.read_reparse_data(r"C:\jd")
            .unwrap()
            .substitute_name()
            .unwrap(),
        r"\??\D:\"
    );
}

/// V5: one row per version switch, checked through operations.
#[test]
fn windows_version_switches_v5_table() {
    struct Row {
        profile: &'static str,
        symlinks: bool,
        flavor_check: bool,
        limit: usize,
        junction_attrs: u32,
        immediate_release: bool,
    }
    let rows = [
        Row {
            profile: "2000",
            symlinks: false,
            flavor_check: false,
            limit: 31,
            junction_attrs: 0x430,
            immediate_release: false,
        },
        Row {
            profile: "xp",
            symlinks: false,
            flavor_check: false,
            limit: 31,
            junction_attrs: 0x410,
            immediate_release: false,
        },
        Row {
            profile: "vista",
            symlinks: true,
            flavor_check: false,
            limit: 63,
            junction_attrs: 0x410,
            immediate_release: false,
        },
        Row {
            profile: "10-1709",
            symlinks: true,
            flavor_check: true,
            limit: 63,
            junction_attrs: 0x410,
            immediate_release: false,
        },
        Row {
            profile: "10-1903",
            symlinks: true,
            flavor_check: true,
            limit: 63,
            junction_attrs: 0x410,
            immediate_release: true,
        },
        Row {
            profile: "11",
            symlinks: true,
            flavor_check: true,
            limit: 63,
            junction_attrs: 0x410,
            immediate_release: true,
        },
    ];
    for r in rows {
        let p = r.profile;
        let mut m = machine_with(p.parse().unwrap());
        build(
            &mut m,
            &[r"dir C:\t", r"file C:\f x", r"junction C:\j C:\t"],
        )
        .unwrap();
        assert_eq!(
            m.get_file_attributes(r"C:\j").unwrap(),
            r.junction_attrs,
            "{p} J1"
        );
        assert_eq!(m.profile().max_reparse_points(), r.limit, "{p} P8");
        let s = m.apply(&symlink(r"C:\s", r"C:\t"));
        assert_eq!(s.is_ok(), r.symlinks, "{p} V5 symlinks");
        check(&m);
        // J13: a junction to a file.
        ok(&mut m, junction(r"C:\jf", r"C:\f"));
        assert_eq!(m.apply(&read(r"C:\jf")).is_err(), r.flavor_check, "{p} J13");
        // M10: DeleteFile while another handle is open.
        let h = handle(ok(&mut m, open(r"C:\f", Default::default())));
        ok(&mut m, del(r"C:\f"));
        assert_eq!(
            !listing(&m, r"C:\").contains(&"f".to_string()),
            r.immediate_release,
            "{p} M10"
        );
        ok(&mut m, Op::Close { handle: h });
        check(&m);
    }
}

#[test]
fn profiles_parse_and_print() {
    for name in [
        "nt4",
        "2000",
        "xp",
        "vista",
        "7",
        "10",
        "11",
        "10+dev-user",
        "11+longpaths",
    ] {
        let p: Profile = name.parse().unwrap();
        assert_eq!(p.to_string(), name);
    }
    assert!("me".parse::<Profile>().is_err());
    assert!("ntfs".parse::<FsKind>().is_ok());
    assert_eq!("refs3.5".parse::<FsKind>(), Ok(FsKind::Refs(3, 5)));
    let _ = Machine::default();
}
