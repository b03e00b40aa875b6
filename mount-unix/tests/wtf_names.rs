//! N3 through the Linux view: an NTFS name with an unpaired surrogate is the
//! WTF-8 bytes of its units on the Linux side, and round-trips: created,
//! listed with the same bytes, looked up, linked, renamed, removed. Bytes that
//! are not WTF-8 cannot be an NTFS name (EINVAL, as STATUS_OBJECT_NAME_INVALID).
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;

/// `a` + U+D800 (a lone high surrogate): `61 ED A0 80` in WTF-8.
const HIGH: &[u8] = b"a\xED\xA0\x80";
/// A lone low surrogate U+DC00.
const LOW: &[u8] = b"\xED\xB0\x80z";

fn listed(dir: &std::path::Path) -> Vec<Vec<u8>> {
    let mut v: Vec<Vec<u8>> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().as_bytes().to_vec())
        .collect();
    v.sort();
    v
}

#[test]
fn an_unpaired_surrogate_name_round_trips_through_the_mount() {
    let Some(t) = mount_default() else { return };
    let d = t.path("C/d");
    std::fs::create_dir(&d).unwrap();
    let high = d.join(OsStr::from_bytes(HIGH));
    std::fs::write(&high, b"n3").unwrap();
    assert_eq!(listed(&d), vec![HIGH.to_vec()]);
    assert_eq!(std::fs::read(&high).unwrap(), b"n3");

    // The core holds the units themselves, not a replacement character.
    let units: Vec<Vec<u16>> =
        t.m.read()
            .enumerate(r"C:\d")
            .unwrap()
            .iter()
            .map(|e| e.name.units().to_vec())
            .collect();
    assert_eq!(units, vec![vec![0x61, 0xD800]]);

    // Linked (HL3: one file, two names) and renamed to another such name.
    let low = d.join(OsStr::from_bytes(LOW));
    std::fs::hard_link(&high, &low).unwrap();
    assert_eq!(std::fs::metadata(&high).unwrap().nlink(), 2);
    let renamed = d.join(OsStr::from_bytes(b"b\xED\xA0\x81"));
    std::fs::rename(&high, &renamed).unwrap();
    assert_eq!(
        listed(&d),
        vec![b"b\xED\xA0\x81".to_vec(), LOW.to_vec()],
        "bytes sort: 0x62 before 0xED"
    );
    std::fs::remove_file(&renamed).unwrap();
    std::fs::remove_file(&low).unwrap();
    assert!(listed(&d).is_empty());
}

#[test]
fn bytes_that_are_not_wtf8_are_an_invalid_name() {
    let Some(t) = mount_default() else { return };
    for bad in [&b"x\xFF"[..], b"\xC0\x80", b"\xED\xA0\xBD\xED\xB8\x80"] {
        let p = t.path("C").join(OsStr::from_bytes(bad));
        let e = std::fs::write(&p, b"").unwrap_err();
        assert_eq!(errno(e), libc::EINVAL, "{bad:x?}");
    }
    assert!(listed(&t.path("C")).is_empty());
}
