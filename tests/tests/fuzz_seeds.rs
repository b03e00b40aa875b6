//! The fuzz targets' seed corpora (`fuzz/corpus/TARGET/`), generated here so
//! that they are reviewable and reproducible. `UPDATE_FUZZ_SEEDS=1 cargo test
//! -p ntlinkfs-tests --test fuzz_seeds` rewrites them; otherwise this test checks
//! that the committed files are the generated ones (image seeds only need to
//! load: the image format may move on).

use ntlinkfs_core::{image, Ace, Follow, Machine, SecurityDescriptor, SymlinkFlags, Trustee};
use ntlinkfs_tests::tables::{guid_buf, mount_point_buf, ms_buf, symlink_buf};
use std::path::PathBuf;

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn prng_bytes(seed: u64, n: usize) -> Vec<u8> {
    let mut x = seed;
    (0..n)
        .map(|_| {
            x = x
                .wrapping_mul(6_364_136_223_846_793_005)
                .wrapping_add(1_442_695_040_888_963_407);
            (x >> 33) as u8
        })
        .collect()
}

fn linked_machine() -> Machine {
    let mut m = Machine::default();
    m.create_directory(r"C:\data").unwrap();
    m.write_file(r"C:\data\a.txt", b"hello").unwrap();
    m.create_hard_link(r"C:\data\b.txt", r"C:\data\a.txt")
        .unwrap();
    m.create_junction(r"D:\j", r"C:\data").unwrap();
    m.create_symbolic_link(r"C:\s", r"data\a.txt", SymlinkFlags::default())
        .unwrap();
    m
}

/// The linked machine with descriptors (image version 3): a deny ACE first,
/// as the compatibility junctions have, and an empty DACL.
fn secured_machine() -> Machine {
    let mut m = linked_machine();
    let mut sd = SecurityDescriptor::default();
    for (trustee, allow, mask) in [
        (Trustee::Everyone, false, 0x0010_0001),
        (Trustee::User, true, 0x001F_01FF),
        (Trustee::Administrators, true, 0x1000_0000),
    ] {
        sd.add(Ace {
            trustee,
            allow,
            mask,
        });
    }
    m.set_security(r"D:\j", Follow::OpenReparsePoint, Some(sd))
        .unwrap();
    m.set_security(
        r"C:\s",
        Follow::OpenReparsePoint,
        Some(SecurityDescriptor::default()),
    )
    .unwrap();
    m
}

fn seeds() -> Vec<(&'static str, String, Vec<u8>)> {
    let mut v: Vec<(&str, String, Vec<u8>)> = vec![
        ("reparse_decode", "junction".into(), mount_point_buf(r"\??\C:\target", r"C:\target")),
        ("reparse_decode", "junction_blank_print".into(), mount_point_buf(r"\??\D:\", "")),
        ("reparse_decode", "symlink_absolute".into(), symlink_buf(r"\??\C:\t", r"C:\t", 0)),
        ("reparse_decode", "symlink_relative".into(), symlink_buf(r"..\x", r"..\x", 1)),
        ("reparse_decode", "symlink_unc".into(), symlink_buf(r"\??\UNC\srv\share\x", r"\\srv\share\x", 0)),
        ("reparse_decode", "guid_tag".into(), guid_buf(0x1234, [7; 16], b"opaque")),
        ("reparse_decode", "appexeclink".into(), ms_buf(0x8000_001B, b"\x03\0\0\0a\0\0\0")),
        ("reparse_decode", "delete_request".into(), vec![3, 0, 0, 0xA0, 0, 0, 0, 0]),
        ("reparse_decode", "truncated".into(), mount_point_buf(r"\??\C:\t", "")[..13].to_vec()),
        ("shell_parse", "junction_tree".into(), b"mkdir C:\\a\r\necho hi> C:\\a\\f.txt\r\nmklink /J C:\\j C:\\a\r\ndir C:\\j\r\nrd /s /q C:\\a\r\ntype C:\\j\\f.txt\r\n".to_vec()),
        ("shell_parse", "hard_links".into(), b"echo x> C:\\f\nmklink /H C:\\g C:\\f\nmklink /H D:\\g C:\\f\nfsutil hardlink list C:\\f\ndel C:\\f\ntype C:\\g\n".to_vec()),
        ("shell_parse", "symlinks".into(), b"md C:\\d\nmklink /D C:\\s d\nmklink C:\\fs ..\\x\nfsutil reparsepoint query C:\\s\nren C:\\s t\nmove C:\\t D:\\t\ndir /AL C:\\\nvol\n".to_vec()),
        ("shell_parse", "quoting".into(), b"mkdir \"C:\\a b\"\ncd \"C:\\a b\"\necho \"q\" >> x\ncd ..\nrd /s \"C:\\a b\"\ncd D:\\\nD:\nexit\n".to_vec()),
        ("op_sequence", "empty".into(), Vec::new()),
        ("image_load", "default".into(), image::save(&Machine::default())),
        ("image_load", "links".into(), image::save(&linked_machine())),
        ("image_load", "security".into(), image::save(&secured_machine())),
    ];
    for (i, p) in [
        r"C:\a\b",
        r"\\?\C:\x.",
        r"\\server\share\x",
        "C:a",
        r"..\..\x",
        r"\??\C:\d",
        r"C:\dir\con.txt",
        "C:/a/./b/../c",
        r"\\.\PIPE\x",
        r"C:\j\..\s\x",
        r"\\localhost\C$\s",
    ]
    .iter()
    .enumerate()
    {
        v.push(("path_parse", format!("path{i:02}"), utf16(p)));
    }
    let mut lone = utf16(r"C:\x");
    lone.extend_from_slice(&0xD800u16.to_le_bytes());
    v.push(("path_parse", "unpaired_surrogate".into(), lone));
    for seed in 1..=4 {
        v.push((
            "op_sequence",
            format!("random{seed}"),
            prng_bytes(seed, 400),
        ));
    }
    v
}

#[test]
fn fuzz_seed_corpora_are_generated_and_committed() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let update = std::env::var_os("UPDATE_FUZZ_SEEDS").is_some();
    for (target, name, bytes) in seeds() {
        let path = root.join(target).join(&name);
        if update {
            std::fs::create_dir_all(path.parent().unwrap()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
            continue;
        }
        let committed = std::fs::read(&path)
            .unwrap_or_else(|e| panic!("{}: {e} (UPDATE_FUZZ_SEEDS=1 writes it)", path.display()));
        if target == "image_load" {
            image::load(&committed).unwrap_or_else(|e| {
                panic!(
                    "{}: no longer loads: {e:?} (UPDATE_FUZZ_SEEDS=1)",
                    path.display()
                )
            });
        } else {
            assert_eq!(
                committed,
                bytes,
                "{} is stale (UPDATE_FUZZ_SEEDS=1)",
                path.display()
            );
        }
    }
}
