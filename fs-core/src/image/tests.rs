//! Round trips and refusals of the image format.
//!
//! The sample machine:
//!
//! ```text
//! C:\ (NTFS)                              D:\ (NTFS)        E:\ (FAT32, "USB")
//!   Data\                                   Projects\         notes.txt
//!     a.txt        "hello" (3 names: a.txt, Backup\A-copy.TXT, Backup\second)
//!     big.bin      3 chunks + a hole + a tail
//!     Hidden.txt   HIDDEN|READONLY, times and POSIX meta set
//!     custom.dat   a non-Microsoft reparse tag (GUID buffer)
//!   Backup\
//!   J  <JUNCTION>  -> C:\Data
//!   P  <JUNCTION>  -> D:\Projects         (cross-volume)
//!   SD <SYMLINKD>  -> ..\Data  (relative)
//!   s.txt <SYMLINK> -> C:\Data\a.txt
//!   gone <SYMLINK>  -> C:\nowhere         (dangling)
//! ```
//! plus records freed and reused, so sequence numbers differ from record numbers.

use super::*;
use crate::attrs::{FILE_ATTRIBUTE_HIDDEN, FILE_ATTRIBUTE_READONLY};
use crate::handle::{DeleteSemantics, OpenOptions};
use crate::links::SymlinkFlags;
use crate::machine::{Follow, NodeId};
use crate::reparse::hex_dump;
use crate::{FixedClock, NtError};
use proptest::prelude::*;
use std::fmt::Write as _;
use std::sync::Arc;

fn sample() -> Machine {
    let mut m = Machine::default();
    m.set_clock(Arc::new(FixedClock(133_000_000_000_000_000)));
    m.add_volume('E', FsKind::Fat32, Some("USB")).unwrap();
    for d in [r"C:\Data", r"C:\Backup", r"D:\Projects"] {
        m.create_directory(d).unwrap();
    }
    // Freed and reused records: sequence numbers move on.
    for i in 0..3 {
        let p = format!(r"C:\tmp{i}");
        m.write_file(&p, b"x").unwrap();
        m.delete_file(&p).unwrap();
    }
    m.write_file(r"C:\Data\a.txt", b"hello").unwrap();
    m.create_hard_link(r"C:\Backup\A-copy.TXT", r"C:\Data\a.txt")
        .unwrap();
    m.create_hard_link(r"C:\Backup\second", r"C:\Data\a.txt")
        .unwrap();
    let mut big = vec![0u8; CHUNK * 2 + 10];
    for (i, b) in big.iter_mut().enumerate() {
        *b = (i % 251) as u8;
    }
    m.write_file(r"C:\Data\big.bin", &big).unwrap();
    let h = m
        .open(r"C:\Data\big.bin", &OpenOptions::default().write(true))
        .unwrap();
    m.write(h, (CHUNK * 6) as u64 + 7, b"tail").unwrap();
    m.close(h).unwrap();
    m.write_file(r"C:\Data\Hidden.txt", b"secret").unwrap();
    let id = m
        .query_information(r"C:\Data\Hidden.txt", Follow::Reparse)
        .unwrap()
        .id;
    m.set_times_of(id, Some(1), Some(2), Some(3)).unwrap();
    m.set_posix_of(id, Some(1000), Some(100), Some(0o640))
        .unwrap();
    m.set_file_attributes(
        r"C:\Data\Hidden.txt",
        FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_READONLY,
    )
    .unwrap();
    m.create_file(r"C:\Data\custom.dat").unwrap();
    let mut guid_buf = vec![0x34, 0x12, 0x00, 0x00, 4, 0, 0, 0];
    guid_buf.extend_from_slice(&[7u8; 16]);
    guid_buf.extend_from_slice(b"abcd");
    m.set_reparse_point(r"C:\Data\custom.dat", &guid_buf)
        .unwrap();
    m.create_junction(r"C:\J", r"C:\Data").unwrap();
    m.create_junction(r"C:\P", r"D:\Projects").unwrap();
    let dir = SymlinkFlags {
        directory: true,
        ..Default::default()
    };
    m.create_symbolic_link(r"C:\SD", r"..\Data", dir).unwrap();
    m.create_symbolic_link(r"C:\s.txt", r"C:\Data\a.txt", Default::default())
        .unwrap();
    m.create_symbolic_link(r"C:\gone", r"C:\nowhere", Default::default())
        .unwrap();
    m.write_file(r"E:\notes.txt", b"fat").unwrap();
    m.set_volume_label(1, "Work").unwrap();
    m.set_current_dir(r"D:\Projects").unwrap();
    m.set_current_dir(r"C:\J").unwrap();
    m.set_profile("10+dev".parse().unwrap());
    m
}

/// Everything an image must keep, as text: a difference shows up in the diff.
fn describe(m: &Machine) -> String {
    let mut s = String::new();
    let _ = writeln!(
        s,
        "profile {:?}\nposix {:?}\ndrive {}\ncwd {:?}",
        m.profile, m.default_posix, m.current_drive, m.current_dirs
    );
    for v in &m.volumes {
        let _ = writeln!(
            s,
            "volume {} {:?} {:?} {:08x}\nseqs {:?}",
            v.letter as char, v.kind, v.label, v.serial, v.seqs
        );
        for (rec, n) in &v.nodes {
            let kind = match &n.kind {
                NodeKind::Reserved => "reserved".to_string(),
                NodeKind::File(d) => format!("file {} bytes {:?}", d.len(), crc32(&d.to_vec())),
                NodeKind::Directory(e) => format!("dir {e:?}"),
            };
            let _ = writeln!(
                s,
                "  #{rec} {kind} attrs {:#x} {:?} {:?} links {} names {:?}",
                n.attrs,
                n.times,
                n.posix,
                n.link_count(),
                n.names
            );
            if let Some(rp) = &n.reparse {
                let _ = writeln!(s, "  reparse {:?}\n{}", rp.data, hex_dump(&rp.raw));
            }
        }
    }
    s
}

fn reload(m: &Machine) -> Machine {
    load(&save(m)).expect("a saved image loads")
}

#[test]
fn save_load_round_trip_keeps_every_node_name_link_count_reparse_time_and_byte() {
    let m = sample();
    let bytes = save(&m);
    let back = load(&bytes).unwrap();
    assert_eq!(describe(&back), describe(&m));
    // Serialisation is canonical: saving the loaded machine gives the same bytes.
    assert_eq!(save(&back), bytes);
    let mut back = back;
    let mut m = m;
    // And through the public API, byte for byte.
    for p in [
        r"C:\Data\a.txt",
        r"C:\Backup\second",
        r"C:\s.txt",
        r"C:\J\big.bin",
    ] {
        assert_eq!(back.read_file(p), m.read_file(p), "{p}");
    }
    for p in [
        r"C:\J",
        r"C:\P",
        r"C:\SD",
        r"C:\s.txt",
        r"C:\gone",
        r"C:\Data\custom.dat",
    ] {
        assert_eq!(back.get_reparse_point(p), m.get_reparse_point(p), "{p}");
    }
    let a = back
        .query_information(r"C:\Backup\A-copy.TXT", Follow::Reparse)
        .unwrap();
    assert_eq!(a.link_count, 3);
    assert_eq!(
        a,
        m.query_information(r"C:\Backup\A-copy.TXT", Follow::Reparse)
            .unwrap()
    );
    assert_eq!(
        back.find_file_names(r"C:\Data\a.txt").unwrap(),
        m.find_file_names(r"C:\Data\a.txt").unwrap()
    );
    assert_eq!(back.current_dir(), r"C:\J");
    assert_eq!(back.final_path(r"C:\P").unwrap(), r"D:\Projects");
    assert_eq!(back.read_file(r"C:\gone"), Err(NtError::ObjectNameNotFound));
    assert_eq!(back.volume_infos(), m.volume_infos());
    assert_eq!(back.profile(), m.profile());
    crate::invariants::check(&back).unwrap();
}

#[test]
fn load_keeps_file_refs_and_never_aliases_a_freed_record() {
    let mut m = sample();
    let old = m
        .query_information(r"C:\Data\Hidden.txt", Follow::Reparse)
        .unwrap()
        .id;
    m.set_file_attributes(r"C:\Data\Hidden.txt", 0).unwrap();
    m.delete_file(r"C:\Data\Hidden.txt").unwrap();
    let kept = m
        .query_information(r"C:\Data\a.txt", Follow::Reparse)
        .unwrap()
        .id;
    let mut back = reload(&m);
    assert_eq!(back.info(kept).unwrap().link_count, 3);
    assert_eq!(back.info(old), Err(NtError::FileDeleted));
    // The freed record is reused with a new sequence number (STYLE 6.6).
    back.write_file(r"C:\new.txt", b"n").unwrap();
    let new: NodeId = back
        .query_information(r"C:\new.txt", Follow::Reparse)
        .unwrap()
        .id;
    assert_ne!(new, old);
    assert_eq!(back.info(old), Err(NtError::FileDeleted));
}

#[test]
fn save_with_open_handles_stores_the_state_after_they_close() {
    let mut m = sample();
    // A delete-pending name (classic semantics) and an open, nameless file.
    let h1 = m
        .open(r"C:\Backup\second", &OpenOptions::default())
        .unwrap();
    m.set_delete_disposition(h1, true, DeleteSemantics::Classic)
        .unwrap();
    m.write_file(r"C:\orphan.txt", b"o").unwrap();
    let h2 = m.open(r"C:\orphan.txt", &OpenOptions::default()).unwrap();
    let orphan = m.handle_node(h2).unwrap();
    m.set_delete_disposition(h2, true, DeleteSemantics::Posix)
        .unwrap();
    let back = reload(&m);
    assert_eq!(
        back.query_information(r"C:\Data\a.txt", Follow::Reparse)
            .unwrap()
            .link_count,
        2
    );
    assert!(!back.exists(r"C:\Backup\second"));
    assert_eq!(back.info(orphan), Err(NtError::FileDeleted));
    // Closing the handles in the original reaches the same state.
    m.close(h1).unwrap();
    m.close(h2).unwrap();
    assert_eq!(describe(&back), describe(&m));
}

#[test]
fn load_refuses_every_truncation_with_a_clear_error() {
    let bytes = save(&sample());
    for cut in 0..bytes.len() {
        let err = load(&bytes[..cut]).unwrap_err();
        let want_kind = if cut < MAGIC.len() {
            matches!(err, ImageError::NotAnImage)
        } else {
            matches!(err, ImageError::Truncated { .. })
        };
        assert!(want_kind, "cut at {cut}: {err}");
    }
    let err = load(&bytes[..bytes.len() - 1]).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "image is truncated: {} bytes, the header announces {}",
            bytes.len() - 1,
            bytes.len()
        )
    );
}

#[test]
fn load_refuses_trailing_bytes_and_foreign_files() {
    let mut bytes = save(&sample());
    bytes.push(0);
    assert!(matches!(load(&bytes), Err(ImageError::TrailingData { .. })));
    assert_eq!(
        load(b"PK\x03\x04 a zip file").unwrap_err(),
        ImageError::NotAnImage
    );
    assert_eq!(load(b"").unwrap_err(), ImageError::NotAnImage);
}

/// A header for `payload` with a correct checksum and the given version.
fn framed(version: u32, payload: &[u8]) -> Vec<u8> {
    let mut out = MAGIC.to_vec();
    out.extend_from_slice(&version.to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    let crc = image_crc(&out, payload);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(payload);
    out
}

#[test]
fn load_refuses_a_future_version_naming_it() {
    let bytes = save(&sample());
    let future = framed(FORMAT_VERSION + 1, &bytes[HEADER_LEN..]);
    let err = load(&future).unwrap_err();
    assert_eq!(
        err,
        ImageError::UnsupportedVersion {
            found: 3,
            supported: 2
        }
    );
    assert!(
        err.to_string().contains("written by a newer ntlinkfs"),
        "{err}"
    );
    assert!(matches!(
        load(&framed(0, &bytes[HEADER_LEN..])),
        Err(ImageError::UnsupportedVersion { found: 0, .. })
    ));
}

#[test]
fn load_refuses_every_single_bit_flip() {
    let mut m = Machine::default();
    m.write_file(r"C:\a", b"x").unwrap();
    m.create_junction(r"C:\j", r"C:\").unwrap();
    let bytes = save(&m);
    for i in 0..bytes.len() * 8 {
        let mut b = bytes.clone();
        b[i / 8] ^= 1 << (i % 8);
        assert!(load(&b).is_err(), "flip of bit {i} was accepted");
    }
    let mut b = bytes.clone();
    b[HEADER_LEN + 3] ^= 0x40;
    assert!(matches!(load(&b), Err(ImageError::ChecksumMismatch { .. })));
}

#[test]
fn load_refuses_a_consistent_checksum_over_inconsistent_contents() {
    let mut m = Machine::default();
    m.write_file(r"C:\a", b"x").unwrap();
    let bytes = save(&m);
    let payload = &bytes[HEADER_LEN..];
    // Cut the payload short but frame it correctly: the parser must notice.
    for cut in [0, 1, 17, payload.len() / 2, payload.len() - 1] {
        assert!(
            matches!(
                load(&framed(1, &payload[..cut])),
                Err(ImageError::Malformed(_))
            ),
            "payload cut at {cut}"
        );
    }
}

#[test]
fn info_describes_volumes_and_links() {
    let bytes = save(&sample());
    let i = info(&bytes).unwrap();
    assert_eq!(i.format_version, 2);
    assert_eq!(i.size, bytes.len() as u64);
    assert_eq!(i.volumes.len(), 3);
    let c = &i.volumes[0];
    assert_eq!(c.letter, 'C');
    assert_eq!((c.junctions, c.symlinks, c.other_reparse_points), (2, 3, 1));
    assert_eq!((c.hard_linked_files, c.extra_names), (1, 2));
    // Data, Backup; a.txt, big.bin, Hidden.txt, custom.dat, s.txt, gone.
    assert_eq!((c.directories, c.files), (2, 6));
    assert_eq!(i.volumes[1].label, "Work");
    assert_eq!((i.volumes[2].kind, i.volumes[2].files), (FsKind::Fat32, 1));
    let text = i.to_string();
    assert!(text.contains("profile 10+dev"), "{text}");
    assert!(text.contains("1 (+2)"), "{text}");
    assert!(info(&bytes[..100]).is_err());
}

#[test]
fn crc32_matches_the_ieee_check_value() {
    assert_eq!(crc32(b"123456789"), 0xCBF4_3926);
    assert_eq!(crc32(b""), 0);
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn load_of_arbitrary_bytes_is_an_error_not_a_panic(
        bytes in proptest::collection::vec(any::<u8>(), 0..512)
    ) {
        prop_assert!(load(&bytes).is_err());
        let mut with_magic = MAGIC.to_vec();
        with_magic.extend_from_slice(&bytes);
        prop_assert!(load(&with_magic).is_err());
    }

    /// Random payloads behind a valid header reach the parser itself.
    #[test]
    fn load_of_framed_garbage_never_panics(
        payload in proptest::collection::vec(any::<u8>(), 0..1024)
    ) {
        let _ = load(&framed(FORMAT_VERSION, &payload));
    }

    /// Edits of a real payload, re-checksummed, reach every branch of the parser:
    /// whatever loads must satisfy the invariants (load checks them).
    #[test]
    fn load_of_edited_payload_never_panics_and_accepts_only_valid_machines(
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..6)
    ) {
        let mut m = Machine::default();
        m.write_file(r"C:\a.txt", b"hello").unwrap();
        m.create_hard_link(r"C:\b.txt", r"C:\a.txt").unwrap();
        m.create_junction(r"C:\j", r"C:\").unwrap();
        m.create_directory(r"D:\d").unwrap();
        let bytes = save(&m);
        let mut payload = bytes[HEADER_LEN..].to_vec();
        for (i, v) in edits {
            let i = i.index(payload.len());
            payload[i] = v;
        }
        if let Ok(back) = load(&framed(FORMAT_VERSION, &payload)) {
            prop_assert!(crate::invariants::check(&back).is_ok());
        }
    }
}

/// One random step on C: and D: with a tiny path alphabet; errors are fine.
fn step(m: &mut Machine, (kind, a, b, data): (u8, usize, usize, u8)) {
    const PATHS: [&str; 8] = [
        r"C:\a",
        r"C:\a\b",
        r"C:\A\c",
        r"C:\j",
        r"C:\j\x",
        r"D:\d",
        r"D:\d\e",
        r"C:\a\b\f",
    ];
    let (p, q) = (PATHS[a % PATHS.len()], PATHS[b % PATHS.len()]);
    let _ = match kind % 9 {
        0 => m.create_directory(p).map(drop),
        1 => m.write_file(p, &vec![data; usize::from(data) * 300]),
        2 => m.create_hard_link(p, q).map(drop),
        3 => m.create_junction(p, q).map(drop),
        4 => m
            .create_symbolic_link(
                p,
                q,
                SymlinkFlags {
                    directory: data % 2 == 0,
                    ..Default::default()
                },
            )
            .map(drop),
        5 => m.delete_file(p),
        6 => m.remove_directory(p),
        7 => m.move_file(p, q, Default::default()),
        _ => m.set_file_attributes(p, u32::from(data) & 0x7),
    };
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(128))]

    /// Any state reachable by operations (freed and reused records included)
    /// survives a save and load unchanged, and saves to the same bytes again.
    #[test]
    fn round_trip_after_random_operations_keeps_everything(
        steps in proptest::collection::vec((any::<u8>(), 0usize..8, 0usize..8, any::<u8>()), 0..40)
    ) {
        let mut m = Machine::default();
        m.set_clock(Arc::new(FixedClock(1)));
        for s in steps {
            step(&mut m, s);
        }
        let bytes = save(&m);
        let back = load(&bytes).unwrap();
        prop_assert_eq!(describe(&back), describe(&m));
        prop_assert_eq!(save(&back), bytes);
    }
}

/// Special files (WSL's tags) with their device numbers survive a round trip in
/// format 2; format 1 (no device numbers) still loads, every other field intact.
#[test]
fn version_2_keeps_device_numbers_and_version_1_images_still_load() {
    use crate::node::DeviceNumbers;
    use crate::special::SpecialKind;
    let mut m = sample();
    let dev = DeviceNumbers {
        major: 4,
        minor: 64,
    };
    let posix = crate::PosixMeta {
        uid: 1000,
        gid: 5,
        mode: 0o620,
        rdev: dev,
    };
    let tty = m
        .create_special_file(r"C:\Data\tty", SpecialKind::CharDevice, posix)
        .unwrap();
    m.create_special_file(r"C:\Data\pipe", SpecialKind::Fifo, posix)
        .unwrap();
    let bytes = save(&m);
    assert_eq!(bytes[8..12], 2u32.to_le_bytes());
    let back = load(&bytes).unwrap();
    assert_eq!(describe(&back), describe(&m));
    assert_eq!(back.info(tty.id).unwrap().posix.rdev, dev);
    assert_eq!(
        back.get_reparse_point(r"C:\Data\pipe").unwrap(),
        [0x24, 0, 0, 0x80, 0, 0, 0, 0]
    );
    assert_eq!(info(&bytes).unwrap().format_version, 2);

    let v1 = save_as(&m, 1);
    assert_eq!(v1[8..12], 1u32.to_le_bytes());
    assert_eq!(info(&v1).unwrap().format_version, 1);
    let old = load(&v1).unwrap();
    let mut expected = m;
    let zero = crate::PosixMeta {
        rdev: DeviceNumbers::default(),
        ..posix
    };
    let rec = expected.record_of(tty.id).unwrap();
    expected.volumes[tty.id.volume].node_mut(rec).unwrap().posix = zero;
    assert_eq!(describe(&old), describe(&expected));
    // A machine without devices: format 1 and 2 load to the same machine.
    let plain = sample();
    assert_eq!(
        describe(&load(&save_as(&plain, 1)).unwrap()),
        describe(&plain)
    );
}
