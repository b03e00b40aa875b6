//! N3 through the core's API: names with unpaired UTF-16 surrogates are given
//! as units (`&[u16]`, `Vec<u16>`) to the same calls that take `&str`, and
//! come back with their exact units from listing, name queries, full paths
//! and a saved image.

use ntlinkfs_core::image::{load, save};
use ntlinkfs_core::{Follow, Machine, MoveFlags, NtError};

/// `C:\` followed by `tail`'s units.
fn c(tail: &[u16]) -> Vec<u16> {
    let mut p: Vec<u16> = r"C:\".encode_utf16().collect();
    p.extend_from_slice(tail);
    p
}

fn listing(m: &Machine, dir: &str) -> Vec<Vec<u16>> {
    m.enumerate(dir)
        .unwrap()
        .iter()
        .map(|e| e.name.units().to_vec())
        .collect()
}

const A: u16 = b'a' as u16;

#[test]
fn lone_surrogates_create_list_link_rename_and_delete() {
    let mut m = Machine::default();
    // BTRFS create.cpp WTF-16 (1..3): lone high, lone low, reversed pair.
    let names: [&[u16]; 3] = [&[A, 0xD800], &[0xDC00], &[0xDC00, 0xD800]];
    for n in names {
        m.write_file(&c(n), b"x").unwrap();
    }
    let mut want: Vec<Vec<u16>> = names.iter().map(|n| n.to_vec()).collect();
    want.sort_by_key(|n| {
        n.iter()
            .map(|&u| ntlinkfs_core::name::upcase_unit(u))
            .collect::<Vec<_>>()
    });
    assert_eq!(listing(&m, r"C:\"), want);
    // Case folding leaves surrogates alone and folds the letters (N1).
    assert_eq!(m.read_file(&c(&[b'A' as u16, 0xD800])).unwrap(), b"x");
    assert_eq!(
        m.create_file(&c(&[b'A' as u16, 0xD800])).unwrap_err(),
        NtError::ObjectNameCollision
    );

    // A hard link (HL3) and FindFirstFileNameW report the exact units.
    m.create_hard_link(&c(&[0xDFFF]), &c(&[A, 0xD800])).unwrap();
    let info = m.query_information(&c(&[0xDFFF]), Follow::Reparse).unwrap();
    assert_eq!(info.link_count, 2);
    let paths: Vec<Vec<u16>> = m
        .find_file_names(&c(&[0xDFFF]))
        .unwrap()
        .into_iter()
        .map(|n| n.path_units)
        .collect();
    assert_eq!(paths, vec![vec![0x5C, A, 0xD800], vec![0x5C, 0xDFFF]]);

    // The full path keeps the units; the lossy text shows U+FFFD.
    let full = m.full_path(&c(&[A, 0xD800])).unwrap();
    assert_eq!(full.to_win32_units(), c(&[A, 0xD800]));
    assert_eq!(full.to_win32(), "C:\\a\u{FFFD}");

    m.move_file(&c(&[0xDC00]), &c(&[0xDBFF]), MoveFlags::default())
        .unwrap();
    assert!(m.exists(&c(&[0xDBFF])));
    assert!(!m.exists(&c(&[0xDC00])));
    m.delete_file(&c(&[A, 0xD800])).unwrap();
    assert_eq!(m.read_file(&c(&[0xDFFF])).unwrap(), b"x");
}

#[test]
fn a_saved_image_keeps_the_units() {
    let mut m = Machine::default();
    m.create_directory(&c(&[0xD83D])).unwrap();
    let mut inner = c(&[0xD83D, b'\\' as u16]);
    inner.extend_from_slice(&[0xDE00, 0xDE00]);
    m.write_file(&inner, b"n3").unwrap();
    let back = load(&save(&m)).unwrap();
    assert_eq!(listing(&back, r"C:\"), vec![vec![0xD83D]]);
    let mut back = back;
    assert_eq!(back.read_file(&inner).unwrap(), b"n3");
}

/// `prefix` then `tail`'s units.
fn cat(prefix: &str, tail: &[u16]) -> Vec<u16> {
    let mut p: Vec<u16> = prefix.encode_utf16().collect();
    p.extend_from_slice(tail);
    p
}

#[test]
fn link_targets_keep_unpaired_surrogates_and_resolve() {
    use ntlinkfs_core::{ReparseData, SymlinkFlags};
    let mut m = Machine::default();
    let dir = [A, 0xD800];
    m.create_directory(&c(&dir)).unwrap();
    m.write_file(&cat(r"C:\a", &[0xD800, u16::from(b'\\'), A]), b"hi")
        .unwrap();
    let flags = SymlinkFlags {
        directory: true,
        ..Default::default()
    };
    // N3 with S5 (absolute), S7 (relative), J8 (junction, made absolute) and an
    // NT-path junction target: stored as units, followed to the same directory.
    m.create_symbolic_link(r"C:\abs", &c(&dir), flags).unwrap();
    m.create_symbolic_link(r"C:\rel", &dir[..], flags).unwrap();
    m.create_junction(r"C:\j", &c(&dir)).unwrap();
    m.create_junction(r"C:\nt", &cat(r"\??\C:\a", &[0xD800]))
        .unwrap();
    let data = |p: &str| ReparseData::decode(&m.get_reparse_point(p).unwrap()).unwrap();
    let nt = cat(r"\??\C:\a", &[0xD800]);
    assert_eq!(data(r"C:\abs"), ReparseData::symlink(&nt, &c(&dir), false));
    assert_eq!(
        data(r"C:\rel"),
        ReparseData::symlink(&dir[..], &dir[..], true)
    );
    assert_eq!(data(r"C:\j"), ReparseData::mount_point(&nt, &c(&dir)));
    assert_eq!(data(r"C:\nt"), ReparseData::mount_point(&nt, &c(&dir)));
    for link in [r"C:\abs\a", r"C:\rel\a", r"C:\j\a", r"C:\nt\a"] {
        assert_eq!(m.read_file(link).unwrap(), b"hi", "{link}");
    }
}

#[test]
fn the_current_directory_keeps_its_units() {
    let mut m = Machine::default();
    let dir = c(&[A, 0xD800]);
    m.create_directory(&dir).unwrap();
    m.set_current_dir(&dir).unwrap();
    assert_eq!(m.current_dir_units(), dir);
    m.write_file("f", b"x").unwrap();
    assert_eq!(
        m.read_file(&cat(r"C:\a", &[0xD800, u16::from(b'\\'), u16::from(b'f')]))
            .unwrap(),
        b"x"
    );
}
