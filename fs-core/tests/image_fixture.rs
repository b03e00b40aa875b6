//! The committed images `fixtures/image-v1.img`, `image-v2.img` and
//! `image-v3.img` were saved by format versions 1, 2 and 3 (made by
//! `fixtures/make-image-vN.sh`).
//! People check images into their repositories, so every later ntlinkfs must
//! load each to exactly its tree: these tests are what prove it in CI. Never
//! regenerate a fixture with a newer format; add a new fixture for a new
//! version instead.
//!
//! Version 1 holds this tree; version 2 the same, plus what version 2 added:
//! special files with device numbers (`C:\dev\tty` 4:64, `C:\dev\fifo`)
//! and D:'s size, 8 MiB. Version 3 the same as 2, plus security descriptors:
//! `C:\J` the DACL of Windows' compatibility junctions (Everyone: deny
//! list and synchronize, allow read and execute; Administrators: full) and
//! `C:\docs\ro.txt` two (the user: deny write data; Everyone: full); every other object
//! has none.
//!
//! ```text
//! C:\ (NTFS)                              D:\ (NTFS, label "Work")
//!   docs\readme.txt    "hello, image\n"      shared\other.txt  "on D"
//!   docs\sub\same.txt  second name of readme.txt (hard link across directories)
//!   docs\sub\third.txt third name
//!   docs\ro.txt       READONLY, uid 1000 gid 100 mode 0444
//!   docs\sparse.bin   chunk 0: 16 bytes, hole, chunk 3: 8 bytes at +100, length 4 chunks
//!   J     <JUNCTION>  -> C:\docs
//!   rel   <SYMLINK>   -> docs\readme.txt (relative)
//!   abs   <SYMLINKD>  -> D:\shared (absolute)
//!   dang  <SYMLINK>   -> C:\missing (dangling)
//! ```

use ntlinkfs_core::attrs::FILE_ATTRIBUTE_READONLY;
use ntlinkfs_core::image::{self, ImageError};
use ntlinkfs_core::{Ace, SecurityDescriptor, Trustee};
use ntlinkfs_core::{
    DeviceNumbers, FixedClock, Follow, Machine, NodeId, OpenOptions, PosixMeta, ReparseData,
    SpecialKind, SymlinkFlags, CHUNK, DEFAULT_VOLUME_SIZE,
};
use std::fmt::Write as _;
use std::path::PathBuf;
use std::sync::Arc;

fn fixture_path() -> PathBuf {
    fixture_path_of(1)
}

fn fixture_path_of(version: u32) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(format!("tests/fixtures/image-v{version}.img"))
}

/// The bytes of `docs\sparse.bin`: two short runs around a hole.
fn sparse_bytes() -> Vec<u8> {
    let mut v = vec![0u8; CHUNK * 4];
    v[..16].copy_from_slice(b"first chunk data");
    v[CHUNK * 3 + 100..CHUNK * 3 + 108].copy_from_slice(b"far tail");
    v
}

/// The machine the fixture holds (used only to write it, with format version 1).
fn build() -> Machine {
    let mut m = Machine::default();
    m.set_clock(Arc::new(FixedClock(133_500_000_000_000_000)));
    m.create_directory(r"C:\docs").unwrap();
    m.create_directory(r"C:\docs\sub").unwrap();
    m.create_directory(r"D:\shared").unwrap();
    m.write_file(r"C:\docs\readme.txt", b"hello, image\n")
        .unwrap();
    m.create_hard_link(r"C:\docs\sub\same.txt", r"C:\docs\readme.txt")
        .unwrap();
    m.write_file(r"C:\docs\ro.txt", b"read only").unwrap();
    let ro = m
        .query_information(r"C:\docs\ro.txt", Follow::Reparse)
        .unwrap()
        .id;
    m.set_posix_of(ro, Some(1000), Some(100), Some(0o444))
        .unwrap();
    m.set_file_attributes(r"C:\docs\ro.txt", FILE_ATTRIBUTE_READONLY)
        .unwrap();
    m.write_file(r"C:\docs\sparse.bin", b"").unwrap();
    let h = m
        .open(r"C:\docs\sparse.bin", &OpenOptions::default().write(true))
        .unwrap();
    m.write(h, 0, b"first chunk data").unwrap();
    m.write(h, (CHUNK * 3 + 100) as u64, b"far tail").unwrap();
    m.set_len(h, (CHUNK * 4) as u64).unwrap();
    m.close(h).unwrap();
    m.create_junction(r"C:\J", r"C:\docs").unwrap();
    let rel = SymlinkFlags::default();
    m.create_symbolic_link(r"C:\rel", r"docs\readme.txt", rel)
        .unwrap();
    let dir = SymlinkFlags {
        directory: true,
        ..Default::default()
    };
    m.create_symbolic_link(r"C:\abs", r"D:\shared", dir)
        .unwrap();
    m.create_symbolic_link(r"C:\dang", r"C:\missing", Default::default())
        .unwrap();
    m.set_volume_label(1, "Work").unwrap();
    m.write_file(r"D:\shared\other.txt", b"on D").unwrap();
    m.create_hard_link(r"C:\docs\sub\third.txt", r"C:\docs\readme.txt")
        .unwrap();
    m
}

/// The version 2 fixture's machine: version 1's, plus special files with
/// device numbers and a volume size that is not the default.
fn build_v2() -> Machine {
    let mut m = build();
    m.create_directory(r"C:\dev").unwrap();
    let posix = PosixMeta {
        uid: 0,
        gid: 5,
        mode: 0o620,
        rdev: DeviceNumbers {
            major: 4,
            minor: 64,
        },
    };
    m.create_special_file(r"C:\dev\tty", SpecialKind::CharDevice, posix)
        .unwrap();
    let fifo = PosixMeta {
        mode: 0o644,
        rdev: DeviceNumbers::default(),
        ..posix
    };
    m.create_special_file(r"C:\dev\fifo", SpecialKind::Fifo, fifo)
        .unwrap();
    m.set_volume_size(1, 8 << 20).unwrap();
    m
}

/// The descriptors version 3 adds (see the top of the file).
fn v3_descriptors() -> [(&'static str, SecurityDescriptor); 2] {
    let compat = SecurityDescriptor {
        dacl: vec![
            Ace {
                trustee: Trustee::Everyone,
                allow: false,
                mask: 0x0010_0001,
            },
            Ace {
                trustee: Trustee::Everyone,
                allow: true,
                mask: 0x0012_00A9,
            },
            Ace {
                trustee: Trustee::Administrators,
                allow: true,
                mask: 0x001F_01FF,
            },
        ],
    };
    let ro = SecurityDescriptor {
        dacl: vec![
            Ace {
                trustee: Trustee::User,
                allow: false,
                mask: 0x0000_0002,
            },
            Ace {
                trustee: Trustee::Everyone,
                allow: true,
                mask: 0x001F_01FF,
            },
        ],
    };
    [(r"C:\J", compat), (r"C:\docs\ro.txt", ro)]
}

fn build_v3() -> Machine {
    let mut m = build_v2();
    for (path, sd) in v3_descriptors() {
        let id = m
            .query_information(path, Follow::OpenReparsePoint)
            .unwrap()
            .id;
        m.set_security_of(id, Some(sd)).unwrap();
    }
    m
}

fn text(units: &[u16]) -> String {
    String::from_utf16_lossy(units)
}

/// Every entry of every directory, depth first, without entering links.
fn walk(m: &mut Machine, dir: NodeId, path: &str, out: &mut String) {
    let entries = m.read_dir(dir, None, usize::MAX).unwrap();
    for e in entries {
        let p = format!(r"{}\{}", path.trim_end_matches('\\'), e.name);
        let i = &e.info;
        let _ = write!(
            out,
            "{p} {} links={} size={} attrs={:#x} uid={} gid={} mode={:o} times={:?}",
            if i.is_directory { "dir" } else { "file" },
            i.link_count,
            i.size,
            i.attributes,
            i.posix.uid,
            i.posix.gid,
            i.posix.mode,
            [i.times.creation, i.times.last_write],
        );
        if i.posix.rdev != DeviceNumbers::default() {
            let _ = write!(out, " rdev={}:{}", i.posix.rdev.major, i.posix.rdev.minor);
        }
        match m.reparse_data_of(i.id).ok() {
            Some(ReparseData::MountPoint { substitute, print }) => {
                let _ = writeln!(out, " junction {:?} {:?}", text(&substitute), text(&print));
            }
            Some(ReparseData::Symlink {
                substitute,
                print,
                flags,
            }) => {
                let _ = writeln!(
                    out,
                    " symlink {:?} {:?} flags={flags}",
                    text(&substitute),
                    text(&print)
                );
            }
            Some(ReparseData::Other { tag, guid, data }) => {
                let _ = writeln!(out, " reparse tag={tag:#010x} guid={guid:?} data={data:?}");
            }
            None if i.is_directory => {
                out.push('\n');
                walk(m, i.id, &p, out);
            }
            None => {
                let bytes = m.read_file(&p).unwrap();
                assert_eq!(bytes.len() as u64, i.size, "{p}");
                if bytes.len() <= 64 {
                    let _ = writeln!(out, " {:?}", String::from_utf8_lossy(&bytes));
                } else {
                    let _ = writeln!(out, " crc32={:#010x}", image::crc32(&bytes));
                }
            }
        }
    }
}

fn describe(m: &mut Machine) -> String {
    let mut out = String::new();
    for v in m.volume_infos() {
        let _ = write!(out, "volume {}: {:?} {:?}", v.letter, v.kind, v.label);
        if v.size != DEFAULT_VOLUME_SIZE {
            let _ = write!(out, " size={}", v.size);
        }
        out.push('\n');
        let root = m.root(v.id);
        walk(m, root, &format!("{}:", v.letter), &mut out);
    }
    out
}

const EXPECTED: &str = r#"volume C: Ntfs "NTFS"
C:\abs dir links=1 size=0 attrs=0x410 uid=0 gid=0 mode=777 times=[133500000000000000, 133500000000000000] symlink "\\??\\D:\\shared" "D:\\shared" flags=0
C:\dang file links=1 size=0 attrs=0x420 uid=0 gid=0 mode=777 times=[133500000000000000, 133500000000000000] symlink "\\??\\C:\\missing" "C:\\missing" flags=0
C:\docs dir links=1 size=0 attrs=0x10 uid=0 gid=0 mode=755 times=[133500000000000000, 133500000000000000]
C:\docs\readme.txt file links=3 size=13 attrs=0x20 uid=0 gid=0 mode=644 times=[133500000000000000, 133500000000000000] "hello, image\n"
C:\docs\ro.txt file links=1 size=9 attrs=0x1 uid=1000 gid=100 mode=444 times=[133500000000000000, 133500000000000000] "read only"
C:\docs\sparse.bin file links=1 size=262144 attrs=0x20 uid=0 gid=0 mode=644 times=[133500000000000000, 133500000000000000] crc32=0x821df0fa
C:\docs\sub dir links=1 size=0 attrs=0x10 uid=0 gid=0 mode=755 times=[133500000000000000, 133500000000000000]
C:\docs\sub\same.txt file links=3 size=13 attrs=0x20 uid=0 gid=0 mode=644 times=[133500000000000000, 133500000000000000] "hello, image\n"
C:\docs\sub\third.txt file links=3 size=13 attrs=0x20 uid=0 gid=0 mode=644 times=[133500000000000000, 133500000000000000] "hello, image\n"
C:\J dir links=1 size=0 attrs=0x410 uid=0 gid=0 mode=777 times=[133500000000000000, 133500000000000000] junction "\\??\\C:\\docs" "C:\\docs"
C:\rel file links=1 size=0 attrs=0x420 uid=0 gid=0 mode=777 times=[133500000000000000, 133500000000000000] symlink "docs\\readme.txt" "docs\\readme.txt" flags=1
volume D: Ntfs "Work"
D:\shared dir links=1 size=0 attrs=0x10 uid=0 gid=0 mode=755 times=[133500000000000000, 133500000000000000]
D:\shared\other.txt file links=1 size=4 attrs=0x20 uid=0 gid=0 mode=644 times=[133500000000000000, 133500000000000000] "on D"
"#;

#[test]
fn the_version_1_fixture_loads_to_the_same_tree() {
    let bytes = std::fs::read(fixture_path()).expect("the committed fixture");
    assert_eq!(&bytes[8..12], &1u32.to_le_bytes(), "fixture is version 1");
    let mut m = image::load(&bytes).expect("a version 1 image loads");
    ntlinkfs_core::invariants::check(&m).unwrap();
    let got = describe(&mut m);
    assert_eq!(got, EXPECTED, "\n{got}");
    // The public API agrees: link counts, names, targets and bytes.
    let names: Vec<String> = m
        .find_file_names(r"C:\docs\readme.txt")
        .unwrap()
        .into_iter()
        .map(|n| n.path)
        .collect();
    assert_eq!(
        names,
        [
            r"\docs\readme.txt",
            r"\docs\sub\same.txt",
            r"\docs\sub\third.txt"
        ]
    );
    assert_eq!(m.read_file(r"C:\rel").unwrap(), b"hello, image\n");
    assert_eq!(
        m.read_file(r"C:\J\sub\same.txt").unwrap(),
        b"hello, image\n"
    );
    assert_eq!(m.final_path(r"C:\abs").unwrap(), r"D:\shared");
    assert_eq!(m.read_file(r"C:\docs\sparse.bin").unwrap(), sparse_bytes());
    assert!(m.read_file(r"C:\dang").is_err());
    // Still usable: a change saves and reloads.
    m.write_file(r"C:\docs\new.txt", b"new").unwrap();
    let mut back = image::load(&image::save(&m)).unwrap();
    assert_eq!(back.read_file(r"C:\docs\new.txt").unwrap(), b"new");
    assert_eq!(describe(&mut back), describe(&mut m));
}

/// The tree of the version 2 fixture: version 1's, plus `C:\dev`, and D:'s size.
fn expected_v2() -> String {
    let dev = concat!(
        r#"C:\dev dir links=1 size=0 attrs=0x10 uid=0 gid=0 mode=755 times=[133500000000000000, 133500000000000000]"#,
        "\n",
        r#"C:\dev\fifo file links=1 size=0 attrs=0x420 uid=0 gid=5 mode=644 times=[133500000000000000, 133500000000000000] reparse tag=0x80000024 guid=None data=[]"#,
        "\n",
        r#"C:\dev\tty file links=1 size=0 attrs=0x420 uid=0 gid=5 mode=620 times=[133500000000000000, 133500000000000000] rdev=4:64 reparse tag=0x80000025 guid=None data=[]"#,
        "\n",
    );
    EXPECTED
        .replace("C:\\docs dir", &format!("{dev}C:\\docs dir"))
        .replace(
            r#"volume D: Ntfs "Work""#,
            r#"volume D: Ntfs "Work" size=8388608"#,
        )
}

#[test]
fn the_version_2_fixture_loads_to_the_same_tree() {
    let bytes = std::fs::read(fixture_path_of(2)).expect("the committed fixture");
    assert_eq!(&bytes[8..12], &2u32.to_le_bytes(), "fixture is version 2");
    let mut m = image::load(&bytes).expect("a version 2 image loads");
    ntlinkfs_core::invariants::check(&m).unwrap();
    let got = describe(&mut m);
    assert_eq!(got, expected_v2(), "\n{got}");
    let d = m.volume_info(1);
    assert_eq!((d.size, d.bytes), (8 << 20, 4));
    assert_eq!(m.read_file(r"C:\docs\sparse.bin").unwrap(), sparse_bytes());
    // Version 2 has no descriptors: everything is granted.
    for (path, _) in v3_descriptors() {
        assert_eq!(m.security(path, Follow::OpenReparsePoint).unwrap(), None);
    }
    // While this build writes version 2, it writes these very bytes.
    if image::FORMAT_VERSION == 2 {
        assert!(image::save(&m) == bytes, "saving the loaded fixture");
    }
}

#[test]
fn the_version_3_fixture_loads_to_the_same_tree_and_descriptors() {
    let bytes = std::fs::read(fixture_path_of(3)).expect("the committed fixture");
    assert_eq!(&bytes[8..12], &3u32.to_le_bytes(), "fixture is version 3");
    let mut m = image::load(&bytes).expect("a version 3 image loads");
    ntlinkfs_core::invariants::check(&m).unwrap();
    let got = describe(&mut m);
    assert_eq!(got, expected_v2(), "\n{got}");
    for (path, sd) in v3_descriptors() {
        assert_eq!(
            m.security(path, Follow::OpenReparsePoint).unwrap(),
            Some(sd),
            "{path}"
        );
    }
    assert_eq!(m.security(r"C:\docs", Follow::Reparse).unwrap(), None);
    // The junction's deny ACE still decides: listing it is refused (J42).
    assert!(m
        .open(
            r"C:\J",
            &OpenOptions::default()
                .access(0x0010_0001)
                .follow(Follow::OpenReparsePoint)
        )
        .is_err());
    // While this build writes version 3, it writes these very bytes.
    if image::FORMAT_VERSION == 3 {
        assert!(image::save(&m) == bytes, "saving the loaded fixture");
    }
}

#[test]
fn version_1_has_the_default_volume_sizes() {
    let bytes = std::fs::read(fixture_path()).unwrap();
    let m = image::load(&bytes).unwrap();
    for v in m.volume_infos() {
        assert_eq!(v.size, DEFAULT_VOLUME_SIZE, "{}", v.letter);
    }
}

#[test]
fn an_image_from_a_newer_format_is_refused_naming_its_version() {
    let mut bytes = std::fs::read(fixture_path()).unwrap();
    let future = image::FORMAT_VERSION + 1;
    bytes[8..12].copy_from_slice(&future.to_le_bytes());
    // Fix the checksum so only the version is wrong.
    let mut crc_input = bytes[..20].to_vec();
    crc_input.extend_from_slice(&bytes[image::HEADER_LEN..]);
    let crc = image::crc32(&crc_input);
    bytes[20..24].copy_from_slice(&crc.to_le_bytes());
    let err = image::load(&bytes).unwrap_err();
    assert_eq!(
        err,
        ImageError::UnsupportedVersion {
            found: future,
            supported: image::FORMAT_VERSION
        }
    );
    let text = err.to_string();
    assert!(
        text.starts_with(&format!("image format version {future} is not supported")),
        "{text}"
    );
    assert!(
        text.ends_with("it was written by a newer ntlinkfs)"),
        "{text}"
    );
}

/// Writes the fixture. Run only by `fixtures/make-image-v1.sh`, and only while
/// this build writes format version 1.
#[test]
#[ignore]
fn write_version_1_fixture() {
    assert_eq!(image::FORMAT_VERSION, 1, "the v1 fixture is frozen");
    let bytes = image::save(&build());
    std::fs::write(fixture_path(), bytes).unwrap();
}

/// Writes the version 2 fixture. Run only by `fixtures/make-image-v2.sh`, and
/// only while this build writes format version 2.
#[test]
#[ignore]
fn write_version_2_fixture() {
    assert_eq!(image::FORMAT_VERSION, 2, "the v2 fixture is frozen");
    let bytes = image::save(&build_v2());
    std::fs::write(fixture_path_of(2), bytes).unwrap();
}

/// Writes the version 3 fixture. Run only by `fixtures/make-image-v3.sh`, and
/// only while this build writes format version 3.
#[test]
#[ignore]
fn write_version_3_fixture() {
    assert_eq!(image::FORMAT_VERSION, 3, "the v3 fixture is frozen");
    let bytes = image::save(&build_v3());
    std::fs::write(fixture_path_of(3), bytes).unwrap();
}
