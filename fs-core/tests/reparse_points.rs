//! Reparse-point FSCTLs on raw buffers: SEMANTICS §6 (R1–R22, the §6.2 SET,
//! §6.3 GET and §6.4 DELETE tables). Every row cites its rule; failures assert
//! the exact NtError and that nothing changed; invariants are checked after
//! every operation.
//!
//! Fixture:
//!
//! ```text
//! C:\
//! ├── e\             empty directory
//! ├── full\          non-empty directory
//! │   └── x  "x"
//! ├── empty          empty file
//! ├── data   "data"
//! └── j ══> C:\e     junction
//! ```
//!
//! Not modelled: handle access masks and read-only volumes (§6.2 rows 1–2),
//! named streams (R21), extended attributes (R22: nothing to be exclusive with).

mod common;
use common::*;
use ntlinkfs_core::{
    attrs::*,
    reparse::{self, ReparseData, IO_REPARSE_TAG_MOUNT_POINT, IO_REPARSE_TAG_SYMLINK},
    Machine, NtError, Op,
};

fn base() -> Machine {
    fixture(&[
        r"dir C:\e",
        r"dir C:\full",
        r"file C:\full\x x",
        r"file C:\data data",
        r"junction C:\j C:\e",
    ])
}

fn with_empty() -> Machine {
    let mut m = base();
    ok(&mut m, create_file(r"C:\empty"));
    m
}

fn mp(sub: &str, print: &str) -> Vec<u8> {
    ReparseData::mount_point(sub, print).encode()
}
fn sym(sub: &str, print: &str, relative: bool) -> Vec<u8> {
    ReparseData::symlink(sub, print, relative).encode()
}
fn other(tag: u32, guid: Option<[u8; 16]>, data: &[u8]) -> Vec<u8> {
    ReparseData::Other {
        tag,
        guid,
        data: data.to_vec(),
    }
    .encode()
}

/// The junction buffer to `\??\C:\t` / `C:\t`, one 8-byte row per line.
#[rustfmt::skip]
const JUNCTION_TO_C_T: [u8; 44] = [
    0x03, 0x00, 0x00, 0xA0, 36, 0, 0, 0,    // ReparseTag 0xA0000003, ReparseDataLength 36, Reserved
    0, 0, 16, 0, 18, 0, 8, 0,               // SubstituteName off 0 len 16; PrintName off 18 len 8
    b'\\', 0, b'?', 0, b'?', 0, b'\\', 0,   // "\??\"
    b'C', 0, b':', 0, b'\\', 0, b't', 0,    // "C:\t"
    0, 0, b'C', 0, b':', 0, b'\\', 0,       // NUL, "C:\"
    b't', 0, 0, 0,                          // "t", NUL
];

#[test]
fn junction_buffer_layout_is_golden_r3() {
    assert_eq!(mp(r"\??\C:\t", r"C:\t"), JUNCTION_TO_C_T);
    let mut m = fixture(&[r"dir C:\t"]);
    ok(&mut m, junction(r"C:\j", r"C:\t"));
    assert_eq!(m.get_reparse_point(r"C:\j").unwrap(), JUNCTION_TO_C_T);
}

#[test]
fn names_are_read_by_offset_in_any_order_r2_r4() {
    // A mount point with the print name first and the substitute after it, no NULs.
    let (print, sub) = (r"C:\e", r"\??\C:\e");
    let pu: Vec<u8> = print.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let su: Vec<u8> = sub.encode_utf16().flat_map(u16::to_le_bytes).collect();
    let mut buf = IO_REPARSE_TAG_MOUNT_POINT.to_le_bytes().to_vec();
    buf.extend_from_slice(&((8 + pu.len() + su.len()) as u16).to_le_bytes());
    buf.extend_from_slice(&[0, 0]);
    for v in [pu.len(), su.len(), 0, pu.len()] {
        buf.extend_from_slice(&(v as u16).to_le_bytes());
    }
    buf.extend_from_slice(&pu);
    buf.extend_from_slice(&su);
    let mut m = base();
    ok(&mut m, mkdir(r"C:\j2"));
    ok(&mut m, set_rp(r"C:\j2", buf.clone()));
    assert_eq!(
        m.read_reparse_data(r"C:\j2")
            .unwrap()
            .substitute_name()
            .unwrap(),
        sub
    );
    assert_eq!(info(&m, r"C:\j2").id, linfo(&m, r"C:\e").id);
    // R5: GET returns exactly the bytes that were set.
    assert_eq!(m.get_reparse_point(r"C:\j2").unwrap(), buf);
}

#[test]
fn get_returns_bytes_exactly_as_set_r5() {
    let mut m = with_empty();
    let b = sym(r".\d\..\.\d\", r".\d\..\.\d\", true);
    ok(&mut m, set_rp(r"C:\empty", b.clone()));
    assert_eq!(m.get_reparse_point(r"C:\empty").unwrap(), b);
    let o = other(0x0000_1234, Some([9; 16]), b"opaque");
    ok(&mut m, set_rp(r"C:\data", o.clone()));
    assert_eq!(m.get_reparse_point(r"C:\data").unwrap(), o);
}

#[test]
fn set_reparse_point_refusals_table_6_2() {
    let good = mp(r"\??\C:\e", "");
    let mut short_len = good.clone();
    short_len[4] -= 2;
    let mut guid_for_ms = sym(r"\??\C:\x", "", false);
    let n = guid_for_ms.len() as u16 - 24;
    guid_for_ms[4..6].copy_from_slice(&n.to_le_bytes());
    let rows: Vec<(&str, Op, NtError)> = vec![
        (
            "R1 size<8",
            set_rp(r"C:\e", vec![3, 0, 0, 0xA0, 0, 0]),
            NtError::IoReparseDataInvalid,
        ),
        (
            "R1 >16384",
            set_rp(r"C:\e", vec![0; 16385]),
            NtError::IoReparseDataInvalid,
        ),
        (
            "R1 length",
            set_rp(r"C:\e", short_len),
            NtError::IoReparseDataInvalid,
        ),
        (
            "R1 MS tag +24",
            set_rp(r"C:\empty", guid_for_ms),
            NtError::IoReparseDataInvalid,
        ),
        (
            "§6.2 non-MS no GUID",
            set_rp(r"C:\empty", vec![0x34, 0x12, 0, 0, 0, 0, 0, 0]),
            NtError::IoReparseDataInvalid,
        ),
        (
            "§6.2 tag 0 [X] unverified",
            set_rp(r"C:\empty", vec![0; 8]),
            NtError::IoReparseTagInvalid,
        ),
        (
            "J4",
            set_rp(r"C:\empty", good.clone()),
            NtError::NotADirectory,
        ),
        (
            "J3",
            set_rp(r"C:\full", good.clone()),
            NtError::DirectoryNotEmpty,
        ),
        (
            "§6.2 no dir bit",
            set_rp(r"C:\full", other(0x8000_1234, None, b"")),
            NtError::DirectoryNotEmpty,
        ),
        (
            "S12",
            set_rp(r"C:\data", sym(r"\??\C:\x", "", false)),
            NtError::IoReparseDataInvalid,
        ),
        (
            "S12",
            set_rp(r"C:\full", sym(r"\??\C:\x", "", false)),
            NtError::DirectoryNotEmpty,
        ),
        (
            "J7",
            set_rp(r"C:\j", sym(r"\??\C:\x", "", false)),
            NtError::IoReparseTagMismatch,
        ),
        (
            "P5 empty relative",
            set_rp(r"C:\empty", sym("", "", true)),
            NtError::IoReparseDataInvalid,
        ),
        (
            "§6.2 names out of range",
            set_rp(r"C:\e", {
                let mut b = good.clone();
                b[10] = 200; // SubstituteNameLength past the buffer
                b
            }),
            NtError::IoReparseDataInvalid,
        ),
    ];
    for (rule, op, want) in rows {
        let mut m = with_empty();
        fails(&mut m, rule, op, want);
    }
}

#[test]
fn set_symlink_reparse_point_needs_the_privilege_s2() {
    let mut m = machine_with("11-user".parse().unwrap());
    build(&mut m, &[r"dir C:\e"]).unwrap();
    fails(
        &mut m,
        "S2 FSCTL",
        set_rp(r"C:\e", sym(r"\??\C:\x", "", false)),
        NtError::PrivilegeNotHeld,
    );
    // Developer mode does not help the FSCTL path: there is no flag to pass.
    let mut m = machine_with("11+dev-user".parse().unwrap());
    build(&mut m, &[r"dir C:\e"]).unwrap();
    fails(
        &mut m,
        "S2 FSCTL",
        set_rp(r"C:\e", sym(r"\??\C:\x", "", false)),
        NtError::PrivilegeNotHeld,
    );
}

#[test]
fn set_same_non_ms_tag_with_other_guid_conflicts_6_2() {
    let mut m = with_empty();
    ok(
        &mut m,
        set_rp(r"C:\empty", other(0x0000_1234, Some([1; 16]), b"a")),
    );
    fails(
        &mut m,
        "§6.2 GUID",
        set_rp(r"C:\empty", other(0x0000_1234, Some([2; 16]), b"a")),
        NtError::ReparseAttributeConflict,
    );
    ok(
        &mut m,
        set_rp(r"C:\empty", other(0x0000_1234, Some([1; 16]), b"bb")),
    );
    assert_eq!(NtError::ReparseAttributeConflict.win32(), 4391);
}

#[test]
fn set_success_sets_reparse_attribute_and_keeps_others_6_2() {
    let mut m = with_empty();
    ok(&mut m, set_attrs(r"C:\empty", 0));
    ok(&mut m, set_rp(r"C:\empty", sym(r"\??\C:\data", "", false)));
    assert_eq!(
        m.get_file_attributes(r"C:\empty").unwrap(),
        FILE_ATTRIBUTE_REPARSE_POINT
    );
    ok(&mut m, set_attrs(r"C:\e", FILE_ATTRIBUTE_HIDDEN));
    ok(&mut m, set_rp(r"C:\e", mp(r"\??\C:\full", "")));
    assert_eq!(m.get_file_attributes(r"C:\e").unwrap(), 0x412);
    assert_eq!(listing(&m, r"C:\e"), ["x"]);
}

#[test]
fn directory_bit_tags_on_non_empty_directories_from_1607_r20() {
    let tag = 0x9000_3000; // Microsoft, directory bit
    let mut m = base();
    ok(&mut m, set_rp(r"C:\full", other(tag, None, b"cloud")));
    // The directory opens normally and its children are reachable.
    assert_eq!(contents(&mut m, r"C:\full\x"), b"x");
    assert_eq!(listing(&m, r"C:\full"), ["x"]);
    ok(&mut m, write(r"C:\full\y", b"y"));
    // Walkers (dir /s, audit, copy) enter it too; the junction stays a leaf.
    let walked: Vec<String> = m
        .walk(m.root(0))
        .unwrap()
        .into_iter()
        .map(|(p, _)| p)
        .collect();
    assert!(walked.contains(&r"C:\full\y".to_string()), "{walked:?}");
    assert!(
        !walked.iter().any(|p| p.starts_with(r"C:\j\")),
        "{walked:?}"
    );
    // (The audit's counts for this tree: ntlinkfs-linktools' tests.)
    let mut m = machine_with("10-1507".parse().unwrap());
    build(&mut m, &[r"dir C:\full", r"file C:\full\x x"]).unwrap();
    fails(
        &mut m,
        "V5 1607",
        set_rp(r"C:\full", other(tag, None, b"")),
        NtError::DirectoryNotEmpty,
    );
}

#[test]
fn unknown_tags_are_not_followed_r20() {
    let mut m = with_empty();
    ok(
        &mut m,
        set_rp(r"C:\empty", other(0x0000_1234, Some([1; 16]), b"")),
    );
    fails(
        &mut m,
        "R20",
        read(r"C:\empty"),
        NtError::IoReparseTagNotHandled,
    );
    fails(
        &mut m,
        "R20",
        stat(r"C:\empty"),
        NtError::IoReparseTagNotHandled,
    );
    assert_eq!(linfo(&m, r"C:\empty").reparse_tag, Some(0x1234));
    // A directory with a tag lacking the directory bit blocks the path too.
    ok(&mut m, set_rp(r"C:\e", other(0x8000_1234, None, b"")));
    fails(
        &mut m,
        "R20",
        write(r"C:\e\x", b""),
        NtError::IoReparseTagNotHandled,
    );
}

#[test]
fn get_reparse_point_refusals_and_buffer_sizes_6_3() {
    let mut m = base();
    fails(&mut m, "§6.3", get_rp(r"C:\e"), NtError::NotAReparsePoint);
    fails(
        &mut m,
        "§6.3 root",
        get_rp(r"C:\"),
        NtError::NotAReparsePoint,
    );
    fails(
        &mut m,
        "§6.3",
        get_rp(r"C:\data"),
        NtError::NotAReparsePoint,
    );
    fails(
        &mut m,
        "§6.3",
        get_rp(r"C:\nope"),
        NtError::ObjectNameNotFound,
    );
    let stored = m.get_reparse_point(r"C:\j").unwrap();
    assert_eq!(stored.len(), 44);
    let rows: &[(usize, Result<usize, NtError>)] = &[
        (0, Err(NtError::InvalidUserBuffer)),
        (27, Err(NtError::BufferTooSmall)),
        (28, Err(NtError::BufferOverflow)),
        (43, Err(NtError::BufferOverflow)),
        (44, Ok(44)),
        (4096, Ok(44)),
    ];
    for &(len, want) in rows {
        match (reparse::get_into(&stored, len), want) {
            (Ok(b), Ok(n)) => assert_eq!(b, stored[..n], "{len}"),
            (Err((e, b)), Err(w)) => {
                assert_eq!(e, w, "{len}");
                let filled = if e == NtError::BufferOverflow { len } else { 0 };
                assert_eq!(b, stored[..filled], "{len}");
            }
            (got, _) => panic!("{len}: {got:?}"),
        }
    }
    assert_eq!(
        (
            NtError::BufferTooSmall.win32(),
            NtError::BufferOverflow.win32()
        ),
        (122, 234)
    );
    assert_eq!(NtError::InvalidUserBuffer.win32(), 1784);
}

#[test]
fn delete_reparse_point_refusals_table_6_4() {
    let mp_req = reparse::delete_request(IO_REPARSE_TAG_MOUNT_POINT);
    let mut with_len = mp_req.clone();
    with_len[4] = 4;
    let mut guid_req = 0x0000_1234u32.to_le_bytes().to_vec();
    guid_req.extend_from_slice(&[0; 4]);
    guid_req.extend_from_slice(&[2; 16]);
    let full = m_full_buffer();
    let rows: Vec<(&str, &str, Vec<u8>, NtError)> = vec![
        (
            "§6.4 no buffer",
            r"C:\j",
            vec![],
            NtError::InvalidBufferSize,
        ),
        (
            "§6.4 len 1",
            r"C:\j",
            vec![3],
            NtError::IoReparseDataInvalid,
        ),
        (
            "§6.4 full size",
            r"C:\j",
            full,
            NtError::IoReparseDataInvalid,
        ),
        (
            "§6.4 len 28",
            r"C:\j",
            vec![
                3, 0, 0, 0xA0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                0,
            ],
            NtError::IoReparseDataInvalid,
        ),
        (
            "§6.4 ReparseDataLength",
            r"C:\j",
            with_len,
            NtError::IoReparseDataInvalid,
        ),
        (
            "§6.4 non-MS 8 bytes",
            r"C:\ot",
            vec![0x34, 0x12, 0, 0, 0, 0, 0, 0],
            NtError::IoReparseDataInvalid,
        ),
        (
            "§6.4 tag 0",
            r"C:\j",
            vec![0; 8],
            NtError::IoReparseTagInvalid,
        ),
        (
            "§6.4 tag 1",
            r"C:\j",
            vec![1, 0, 0, 0, 0, 0, 0, 0],
            NtError::IoReparseTagInvalid,
        ),
        (
            "§6.4 mismatch",
            r"C:\j",
            reparse::delete_request(IO_REPARSE_TAG_SYMLINK),
            NtError::IoReparseTagMismatch,
        ),
        (
            "§6.4 GUID",
            r"C:\ot",
            guid_req,
            NtError::ReparseAttributeConflict,
        ),
        (
            "§6.4 not a reparse point",
            r"C:\e",
            mp_req.clone(),
            NtError::NotAReparsePoint,
        ),
        (
            "§6.4 not a reparse point",
            r"C:\data",
            mp_req,
            NtError::NotAReparsePoint,
        ),
    ];
    for (rule, path, req, want) in rows {
        let mut m = with_empty();
        ok(&mut m, create_file(r"C:\ot"));
        ok(&mut m, set_rp(r"C:\ot", other(0x1234, Some([1; 16]), b"")));
        fails(&mut m, rule, del_rp(path, req), want);
    }
    assert_eq!(NtError::IoReparseTagInvalid.win32(), 4393);
}

fn m_full_buffer() -> Vec<u8> {
    mp(r"\??\C:\e", r"C:\e")
}

#[test]
fn delete_reparse_point_success_keeps_the_object_6_4() {
    let mut m = with_empty();
    // The 24-byte form is accepted for a Microsoft tag too.
    let mut req24 = reparse::delete_request(IO_REPARSE_TAG_MOUNT_POINT);
    req24.extend_from_slice(&[0; 16]);
    let id = linfo(&m, r"C:\j").id;
    let times = linfo(&m, r"C:\j").times;
    ok(&mut m, del_rp(r"C:\j", req24));
    let j = linfo(&m, r"C:\j");
    assert_eq!(
        (j.id, j.attributes, j.times),
        (id, FILE_ATTRIBUTE_DIRECTORY, times)
    );
    // A non-Microsoft tag with its GUID.
    ok(
        &mut m,
        set_rp(r"C:\data", other(0x1234, Some([5; 16]), b"z")),
    );
    let mut req = 0x1234u32.to_le_bytes().to_vec();
    req.extend_from_slice(&[0; 4]);
    req.extend_from_slice(&[5; 16]);
    ok(&mut m, del_rp(r"C:\data", req));
    assert_eq!(contents(&mut m, r"C:\data"), b"data");
    assert_eq!(
        m.get_file_attributes(r"C:\data").unwrap(),
        FILE_ATTRIBUTE_ARCHIVE
    );
    // remove_reparse_point builds the request from the stored tag.
    ok(&mut m, junction(r"C:\j3", r"C:\e"));
    ok(
        &mut m,
        Op::RemoveReparsePoint {
            path: r"C:\j3".into(),
        },
    );
    fails(
        &mut m,
        "§6.4",
        Op::RemoveReparsePoint {
            path: r"C:\j3".into(),
        },
        NtError::NotAReparsePoint,
    );
}

#[test]
fn decode_never_trusts_a_field_before_validating_it_r1() {
    // Every prefix of a valid buffer fails cleanly; every one-byte corruption
    // either decodes or fails with a reparse error, never panics.
    let buf = sym(r"\??\C:\target\x", r"C:\target\x", false);
    for n in 0..buf.len() {
        assert!(ReparseData::decode(&buf[..n]).is_err(), "prefix {n}");
    }
    for i in 0..buf.len() {
        for v in [0u8, 1, 0x7F, 0x80, 0xFF] {
            let mut b = buf.clone();
            b[i] = v;
            if let Err(e) = ReparseData::decode(&b) {
                assert!(
                    matches!(
                        e,
                        NtError::IoReparseDataInvalid | NtError::IoReparseTagInvalid
                    ),
                    "{i}={v}: {e:?}"
                );
            }
        }
    }
}
