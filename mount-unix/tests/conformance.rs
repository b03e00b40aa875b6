//! NTFS link rules met through the mount with std::fs and the xattrs: exact
//! errnos (SEMANTICS §1, F6) and exact link counts. Rule ids in each row.
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use ntlinkfs_core::reparse::IO_REPARSE_TAG_MOUNT_POINT;
use ntlinkfs_core::{invariants, FsKind, Machine, Profile, ReparseData};
use ntlinkfs_fuse::MountOptions;
use std::fs;
use std::io::{Read, Seek, SeekFrom, Write};
use std::os::unix::fs::{symlink, MetadataExt, PermissionsExt};

const REPARSE: &str = "system.ntfs_reparse_data";
const ATTRIB: &str = "system.ntfs_attrib";

fn machine_with_fat() -> Machine {
    Machine::with_volumes(
        &[
            ('C', FsKind::Ntfs),
            ('D', FsKind::Ntfs),
            ('E', FsKind::Fat32),
        ],
        Profile::default(),
    )
    .unwrap()
}

#[test]
fn link_errors_follow_f6() {
    let Some(t) = mount_with(machine_with_fat(), MountOptions::default()) else {
        return;
    };
    fs::create_dir(t.path("C/dir")).unwrap();
    fs::write(t.path("C/f"), b"x").unwrap();
    fs::write(t.path("C/other"), b"y").unwrap();
    fs::write(t.path("E/fat"), b"z").unwrap();
    let rows: &[(&str, &str, i32, &str)] = &[
        ("C/f", "D/f", libc::EXDEV, "HL2: across volumes"),
        ("C/dir", "C/dir2", libc::EPERM, "HL1: a directory"),
        ("C/f", "C/other", libc::EEXIST, "HL4: existing name"),
        (
            "C/f",
            "C/OTHER",
            libc::EEXIST,
            "N1: case variant of an existing name",
        ),
        ("C/f", "C/a:b", libc::EINVAL, "HL9, N4: invalid character"),
        ("C/f", "C/nodir/x", libc::ENOENT, "HL7: missing directory"),
        ("E/fat", "E/fat2", libc::EPERM, "HL13: no hard links on FAT"),
    ];
    for (from, to, want, why) in rows {
        let e = fs::hard_link(t.path(from), t.path(to)).unwrap_err();
        assert_eq!(errno(e), *want, "{why}");
    }
    assert_eq!(
        fs::metadata(t.path("C/f")).unwrap().nlink(),
        1,
        "nothing changed"
    );
    assert_eq!(fs::metadata(t.path("E/fat")).unwrap().nlink(), 1);
}

#[test]
fn link_counts_and_data_lifetime() {
    let Some(t) = mount_default() else { return };
    fs::write(t.path("C/a"), b"data").unwrap();
    fs::create_dir(t.path("C/sub")).unwrap();
    fs::hard_link(t.path("C/a"), t.path("C/b")).unwrap();
    fs::hard_link(t.path("C/a"), t.path("C/sub/c")).unwrap();
    let ino = fs::metadata(t.path("C/a")).unwrap().ino();
    for p in ["C/a", "C/b", "C/sub/c"] {
        let md = fs::metadata(t.path(p)).unwrap();
        assert_eq!((md.nlink(), md.ino()), (3, ino), "{p} (HL20)");
    }
    // HL30: data lives while a handle is open, after every name is gone.
    let mut f = fs::OpenOptions::new()
        .read(true)
        .open(t.path("C/b"))
        .unwrap();
    for p in ["C/a", "C/b", "C/sub/c"] {
        fs::remove_file(t.path(p)).unwrap();
    }
    assert_eq!(
        errno(fs::metadata(t.path("C/b")).unwrap_err()),
        libc::ENOENT
    );
    let mut s = String::new();
    f.read_to_string(&mut s).unwrap();
    assert_eq!(s, "data");
    assert_eq!(f.metadata().unwrap().nlink(), 0);
    drop(f);
    // release(2) reaches the daemon after close returns.
    eventually(|| t.m.read().open_handle_count() == 0);
    invariants::check(&t.m.read()).unwrap();
}

#[test]
fn link_limit_is_1024_names() {
    let Some(t) = mount_default() else { return };
    fs::create_dir(t.path("C/l")).unwrap();
    fs::write(t.path("C/l/f"), b"").unwrap();
    for i in 1..1024 {
        fs::hard_link(t.path("C/l/f"), t.path(&format!("C/l/{i}"))).unwrap();
    }
    assert_eq!(fs::metadata(t.path("C/l/f")).unwrap().nlink(), 1024);
    // HL3: the 1024th created link (1025th name) fails.
    let e = fs::hard_link(t.path("C/l/f"), t.path("C/l/one-more")).unwrap_err();
    assert_eq!(errno(e), libc::EMLINK);
    assert_eq!(fs::metadata(t.path("C/l/f")).unwrap().nlink(), 1024);
}

#[test]
fn namespace_errors() {
    let Some(t) = mount_default() else { return };
    fs::create_dir_all(t.path("C/d/e")).unwrap();
    fs::write(t.path("C/f"), b"x").unwrap();
    let e = |r: std::io::Result<()>| errno(r.unwrap_err());
    assert_eq!(e(fs::remove_dir(t.path("C/d"))), libc::ENOTEMPTY);
    assert_eq!(e(fs::remove_dir(t.path("C/f"))), libc::ENOTDIR);
    assert_eq!(e(fs::remove_file(t.path("C/d"))), libc::EISDIR);
    assert_eq!(e(fs::create_dir(t.path("C/F"))), libc::EEXIST, "N1");
    assert_eq!(e(fs::write(t.path("C/a|b"), b"")), libc::EINVAL, "N4");
    assert_eq!(e(fs::create_dir(t.path("C/x*"))), libc::EINVAL, "N4");
    assert_eq!(
        e(fs::rename(t.path("C/f"), t.path("D/f"))),
        libc::EXDEV,
        "M6"
    );
    assert_eq!(
        e(fs::create_dir(t.path("Q"))),
        libc::EACCES,
        "the mount root holds volumes only"
    );
    // RENAME_NOREPLACE onto a case variant of an existing name (M2), EXCHANGE.
    fs::write(t.path("C/g"), b"y").unwrap();
    assert_eq!(
        renameat2(&t.path("C/g"), &t.path("C/F"), libc::RENAME_NOREPLACE),
        Err(libc::EEXIST)
    );
    assert_eq!(
        renameat2(&t.path("C/g"), &t.path("C/f"), libc::RENAME_EXCHANGE),
        Err(libc::EOPNOTSUPP)
    );
    assert_eq!(fs::read(t.path("C/f")).unwrap(), b"x", "nothing changed");
    // A plain rename replaces (POSIX semantics, M11).
    fs::rename(t.path("C/g"), t.path("C/f")).unwrap();
    assert_eq!(fs::read(t.path("C/f")).unwrap(), b"y");
}

#[test]
fn files_read_write_truncate_times() {
    let Some(t) = mount_default() else { return };
    let p = t.path("C/file");
    let mut f = fs::File::create(&p).unwrap();
    f.write_all(b"hello world").unwrap();
    f.seek(SeekFrom::Start(6)).unwrap();
    f.write_all(b"WORLD!").unwrap();
    drop(f);
    assert_eq!(fs::read(&p).unwrap(), b"hello WORLD!");
    fs::OpenOptions::new()
        .write(true)
        .open(&p)
        .unwrap()
        .set_len(5)
        .unwrap();
    assert_eq!(fs::read(&p).unwrap(), b"hello");
    let mut a = fs::OpenOptions::new().append(true).open(&p).unwrap();
    a.write_all(b"!").unwrap();
    assert_eq!(fs::read(&p).unwrap(), b"hello!");
    let when = std::time::UNIX_EPOCH + std::time::Duration::from_secs(1_600_000_000);
    fs::File::options()
        .write(true)
        .open(&p)
        .unwrap()
        .set_modified(when)
        .unwrap();
    assert_eq!(fs::metadata(&p).unwrap().mtime(), 1_600_000_000);
    let st = nix_statvfs(&t.path("C"));
    assert!(st > 0);
}

fn nix_statvfs(p: &std::path::Path) -> u64 {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
    // SAFETY: valid path and out struct.
    unsafe {
        let mut s: libc::statvfs = std::mem::zeroed();
        assert_eq!(libc::statvfs(c.as_ptr(), &mut s), 0);
        s.f_bavail
    }
}

#[test]
fn junctions_through_the_reparse_xattr() {
    let Some(t) = mount_default() else { return };
    fs::create_dir(t.path("C/data")).unwrap();
    fs::write(t.path("C/data/x"), b"in data").unwrap();
    // As ntfs-3g makes them: mkdir, then the raw buffer (F2).
    let buf = ReparseData::mount_point(r"\??\C:\data", r"C:\data").encode();
    fs::create_dir(t.path("C/j")).unwrap();
    setxattr(&t.path("C/j"), REPARSE, &buf, libc::XATTR_CREATE).unwrap();
    assert_eq!(fs::read_link(t.path("C/j")).unwrap().to_str(), Some("data"));
    assert_eq!(
        fs::read(t.path("C/j/x")).unwrap(),
        b"in data",
        "J traversal"
    );
    assert!(fs::symlink_metadata(t.path("C/j"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert_eq!(
        getxattr(&t.path("C/j"), REPARSE).unwrap(),
        buf,
        "R5: bytes as set"
    );
    let attrs = getxattr(&t.path("C/j"), ATTRIB).unwrap();
    assert_eq!(u32::from_le_bytes(attrs.try_into().unwrap()), 0x410, "J1");
    // F2: XATTR_CREATE on an existing one, none to get/remove/replace.
    assert_eq!(
        setxattr(&t.path("C/j"), REPARSE, &buf, libc::XATTR_CREATE),
        Err(libc::EEXIST)
    );
    assert_eq!(getxattr(&t.path("C/data"), REPARSE), Err(libc::ENODATA));
    assert_eq!(removexattr(&t.path("C/data"), REPARSE), Err(libc::ENODATA));
    assert_eq!(
        setxattr(&t.path("C/data"), REPARSE, &buf, libc::XATTR_REPLACE),
        Err(libc::ENODATA)
    );
    // F4, J3: not on a non-empty directory; J4: a mount point only on a
    // directory, refused with EINVAL as ntfs-3g's valid_reparse_data does (F2).
    assert_eq!(
        setxattr(&t.path("C/data"), REPARSE, &buf, 0),
        Err(libc::ENOTEMPTY)
    );
    assert_eq!(
        setxattr(&t.path("C/data/x"), REPARSE, &buf, 0),
        Err(libc::EINVAL)
    );
    assert_eq!(
        setxattr(&t.path("C/data"), REPARSE, b"junk", 0),
        Err(libc::EINVAL)
    );
    // F6: rmdir of a junction is ENOTDIR, unlink removes it and not its target.
    assert_eq!(
        errno(fs::remove_dir(t.path("C/j")).unwrap_err()),
        libc::ENOTDIR
    );
    fs::remove_file(t.path("C/j")).unwrap();
    assert_eq!(fs::read(t.path("C/data/x")).unwrap(), b"in data", "J30");
    // Removing the reparse data turns a junction back into a directory (J32).
    fs::create_dir(t.path("C/k")).unwrap();
    setxattr(&t.path("C/k"), REPARSE, &buf, 0).unwrap();
    assert!(fs::symlink_metadata(t.path("C/k"))
        .unwrap()
        .file_type()
        .is_symlink());
    removexattr(&t.path("C/k"), REPARSE).unwrap();
    assert!(fs::symlink_metadata(t.path("C/k")).unwrap().is_dir());
    let core =
        t.m.read()
            .query_information(r"C:\k", ntlinkfs_core::Follow::OpenReparsePoint)
            .unwrap();
    assert_eq!(core.reparse_tag, None);
    let _ = IO_REPARSE_TAG_MOUNT_POINT;
}

#[test]
fn symlinks_from_windows_and_posix_targets() {
    let Some(t) = mount_default() else { return };
    fs::create_dir_all(t.path("C/data/sub")).unwrap();
    fs::write(t.path("C/data/f"), b"F").unwrap();
    fs::write(t.path("D/y"), b"Y").unwrap();
    let rows = [
        // (link, target given, readlink text, contents through it)
        ("C/data/sub/w", r"C:\data\f", "../f", Some("F")),
        ("C/data/sub/r", r"..\f", "../f", Some("F")),
        ("C/data/sub/p", "../f", "../f", Some("F")),
        ("C/data/sub/x", "../../../D/y", "../../../D/y", Some("Y")),
        ("C/u", r"\\srv\share\x", "../.NTFS-3G/UNC/srv/share/x", None),
        ("C/data/q", r"Q:\nowhere", "../../.NTFS-3G/Q:/nowhere", None),
    ];
    for (link, target, text, content) in rows {
        symlink(target, t.path(link)).unwrap();
        let got = fs::read_link(t.path(link)).unwrap();
        assert_eq!(got.to_str().unwrap(), text, "{link} -> {target}");
        match content {
            Some(c) => assert_eq!(fs::read_to_string(t.path(link)).unwrap(), c, "{link}"),
            None => assert_eq!(
                errno(fs::read(t.path(link)).unwrap_err()),
                libc::ENOENT,
                "{link}"
            ),
        }
    }
    // S1: directory flavour when the target is an existing directory.
    symlink("data", t.path("C/sd")).unwrap();
    symlink("data/f", t.path("C/sf")).unwrap();
    let attr =
        |p: &str| u32::from_le_bytes(getxattr(&t.path(p), ATTRIB).unwrap().try_into().unwrap());
    assert_eq!(attr("C/sd") & 0x10, 0x10);
    assert_eq!(attr("C/sf") & 0x10, 0);
    assert_eq!(
        fs::read_dir(t.path("C/sd")).unwrap().count(),
        3,
        "sub, f, q"
    );
}

#[test]
fn attribute_word_and_owner_write_bit_stay_consistent() {
    let Some(t) = mount_default() else { return };
    let p = t.path("C/ro");
    fs::write(&p, b"x").unwrap();
    let attr = || u32::from_le_bytes(getxattr(&p, ATTRIB).unwrap().try_into().unwrap());
    assert_eq!(attr(), 0x20, "ARCHIVE");
    setxattr(&p, ATTRIB, &0x21u32.to_le_bytes(), 0).unwrap();
    assert_eq!(fs::metadata(&p).unwrap().permissions().mode() & 0o222, 0);
    fs::set_permissions(&p, fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(attr() & 1, 0, "owner write bit clears READONLY");
    fs::set_permissions(&p, fs::Permissions::from_mode(0o444)).unwrap();
    assert_eq!(attr() & 1, 1);
    assert_eq!(
        setxattr(&p, ATTRIB, &[1, 2], 0),
        Err(libc::EINVAL),
        "F3: 4 bytes"
    );
    assert_eq!(setxattr(&p, "user.other", b"v", 0), Err(libc::EOPNOTSUPP));
    assert_eq!(getxattr(&p, "user.other"), Err(libc::ENODATA));
}

#[test]
fn directories_count_their_subdirectories() {
    let Some(t) = mount_default() else { return };
    fs::create_dir_all(t.path("C/p/a")).unwrap();
    fs::create_dir(t.path("C/p/b")).unwrap();
    fs::write(t.path("C/p/f"), b"").unwrap();
    std::os::unix::fs::symlink("a", t.path("C/p/l")).unwrap();
    // F5 with ntfs-3g's posix_nlink: 2 + subdirectories; links are not counted.
    assert_eq!(fs::metadata(t.path("C/p")).unwrap().nlink(), 4);
    fs::remove_dir(t.path("C/p/b")).unwrap();
    assert_eq!(fs::metadata(t.path("C/p")).unwrap().nlink(), 3);
    assert_eq!(fs::metadata(t.path("C/p/a")).unwrap().nlink(), 2);
}

#[test]
fn inode_numbers_are_unique_and_stable() {
    let Some(t) = mount_default() else { return };
    let c = fs::metadata(t.path("C")).unwrap();
    let d = fs::metadata(t.path("D")).unwrap();
    assert_ne!(c.ino(), d.ino());
    fs::write(t.path("C/a"), b"").unwrap();
    fs::write(t.path("D/a"), b"").unwrap();
    let ca = fs::metadata(t.path("C/a")).unwrap().ino();
    assert_ne!(ca, fs::metadata(t.path("D/a")).unwrap().ino());
    fs::rename(t.path("C/a"), t.path("C/b")).unwrap();
    assert_eq!(
        fs::metadata(t.path("C/b")).unwrap().ino(),
        ca,
        "stable across rename"
    );
    fs::remove_file(t.path("C/b")).unwrap();
    fs::write(t.path("C/c"), b"").unwrap();
    assert_ne!(
        fs::metadata(t.path("C/c")).unwrap().ino(),
        ca,
        "never reused"
    );
}

#[test]
fn readdir_continues_without_rescanning() {
    let Some(t) = mount_default() else { return };
    fs::create_dir(t.path("C/many")).unwrap();
    for i in 0..500 {
        fs::write(t.path(&format!("C/many/f{i:03}")), b"").unwrap();
    }
    // Delete while iterating: every surviving name is seen exactly once.
    let mut seen = Vec::new();
    for (n, e) in fs::read_dir(t.path("C/many")).unwrap().enumerate() {
        let name = e.unwrap().file_name().into_string().unwrap();
        if n == 100 {
            for j in 0..50 {
                let _ = fs::remove_file(t.path(&format!("C/many/f{j:03}")));
            }
        }
        seen.push(name);
    }
    let mut sorted = seen.clone();
    sorted.sort();
    sorted.dedup();
    assert_eq!(sorted.len(), seen.len(), "no duplicates");
    assert!(seen.len() >= 450 && seen.len() <= 500);
    for j in 50..500 {
        assert!(seen.contains(&format!("f{j:03}")), "f{j:03} seen");
    }
}

#[test]
fn permissions_are_enforced_for_other_users() {
    let Some(t) = mount_default() else { return };
    fs::create_dir(t.path("C/priv")).unwrap();
    fs::set_permissions(t.path("C/priv"), fs::Permissions::from_mode(0o755)).unwrap();
    fs::write(t.path("C/priv/f"), b"x").unwrap();
    fs::set_permissions(t.path("C/priv/f"), fs::Permissions::from_mode(0o644)).unwrap();
    let run = |cmd: &str| {
        use std::os::unix::process::CommandExt;
        std::process::Command::new("sh")
            .arg("-c")
            .arg(cmd)
            .uid(65534)
            .gid(65534)
            .status()
            .unwrap()
            .success()
    };
    let d = t.path("C/priv");
    assert!(
        run(&format!("cat {}/f >/dev/null", d.display())),
        "others may read 0644"
    );
    assert!(
        !run(&format!("echo y > {}/f", d.display())),
        "but not write it"
    );
    assert!(
        !run(&format!("touch {}/new", d.display())),
        "nor create in a 0755 dir"
    );
    std::os::unix::fs::chown(t.path("C/priv"), Some(65534), None).unwrap();
    assert!(run(&format!("touch {}/new", d.display())), "the owner may");
    assert_eq!(fs::metadata(t.path("C/priv/new")).unwrap().uid(), 65534);
}

#[test]
fn a_panicking_handler_answers_eio_and_the_mount_lives_on() {
    let opts = MountOptions {
        fault_injection: true,
        ..MountOptions::default()
    };
    let Some(t) = mount_with(Machine::default(), opts) else {
        return;
    };
    fs::write(t.path("C/f"), b"x").unwrap();
    for _ in 0..3 {
        assert_eq!(
            getxattr(&t.path("C/f"), "user.ntlinkfs.panic"),
            Err(libc::EIO)
        );
    }
    assert_eq!(fs::read(t.path("C/f")).unwrap(), b"x");
}
