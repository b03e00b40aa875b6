//! The Linux view behaves as Linux programs expect where WSL shows how NTFS does
//! it (issue 11 item 5): symlinks read back as written (LX symlinks where NTFS
//! cannot carry the text), unlink and rename governed by POSIX permissions.
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use ntlinkfs_core::reparse::{IO_REPARSE_TAG_LX_SYMLINK, IO_REPARSE_TAG_SYMLINK};
use ntlinkfs_core::Follow;
use ntlinkfs_fuse::{MountOptions, XATTR_REPARSE_DATA};
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::CommandExt;
use std::path::Path;
use std::process::{Command, Output};

/// Runs `script` with sh in `dir`, as `uid` (None: as the test), C locale.
fn sh(dir: &Path, uid: Option<u32>, script: &str) -> Output {
    let mut c = Command::new("sh");
    c.arg("-c").arg(script).current_dir(dir).env("LC_ALL", "C");
    if let Some(u) = uid {
        c.uid(u).gid(u);
    }
    c.output().unwrap()
}

fn stdout(o: &Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout.clone()).unwrap()
}

fn tag(p: &Path) -> u32 {
    let raw = getxattr(p, XATTR_REPARSE_DATA).unwrap();
    u32::from_le_bytes(raw[..4].try_into().unwrap())
}

#[test]
fn symlinks_made_from_linux_read_back_as_written() {
    let Some(t) = mount_default() else { return };
    let c = t.path("C");
    let out = sh(
        &c,
        None,
        "mkdir -p sub && touch sub/f && \
         ln -s /etc/passwd abs && readlink abs && \
         ln -s ../x/y rel && readlink rel && \
         ln -s nowhere dangling && readlink dangling && \
         ln -s ./sub/../sub/f dotted && readlink dotted && \
         ln -s sub/f plain && readlink plain && \
         ln -s 'q?*' odd && readlink odd",
    );
    assert_eq!(
        stdout(&out),
        "/etc/passwd\n../x/y\nnowhere\n./sub/../sub/f\nsub/f\nq?*\n"
    );
    // NTFS cannot carry these texts: LX symlinks, as WSL stores them; the ones it
    // can are NTFS relative symlinks, which Windows follows too.
    for (name, want) in [
        ("abs", IO_REPARSE_TAG_LX_SYMLINK),
        ("rel", IO_REPARSE_TAG_LX_SYMLINK),
        ("dotted", IO_REPARSE_TAG_LX_SYMLINK),
        ("odd", IO_REPARSE_TAG_LX_SYMLINK),
        ("dangling", IO_REPARSE_TAG_SYMLINK),
        ("plain", IO_REPARSE_TAG_SYMLINK),
    ] {
        assert_eq!(tag(&c.join(name)), want, "{name}");
    }
    // An absolute POSIX target resolves as on any Linux file system.
    let passwd = std::fs::read("/etc/passwd").unwrap();
    assert_eq!(std::fs::read(c.join("abs")).unwrap(), passwd);
    assert_eq!(std::fs::read(c.join("dotted")).unwrap(), b"");
    // Windows cannot follow an LX symlink (S27: ERROR_CANT_ACCESS_FILE).
    let m = t.m.read();
    assert_eq!(
        m.query_information(r"C:\abs", Follow::Reparse).unwrap_err(),
        ntlinkfs_core::NtError::IoReparseTagNotHandled
    );
    assert_eq!(
        m.query_information(r"C:\plain", Follow::Reparse)
            .unwrap()
            .size,
        0
    );
}

#[test]
fn confine_keeps_linux_symlinks_inside_the_mount() {
    let opts = MountOptions {
        confine: true,
        ..MountOptions::default()
    };
    let Some(t) = mount_with(ntlinkfs_core::Machine::default(), opts) else {
        return;
    };
    let c = t.path("C");
    let out = sh(
        &c,
        None,
        "mkdir -p etc && echo inside > etc/passwd && \
         ln -s /C/etc/passwd abs && readlink abs && cat abs && \
         ln -s /etc/passwd host && readlink host && \
         ln -s ../../../../../etc/passwd up && readlink up && \
         ln -s ../C/etc/passwd fine && readlink fine && cat fine",
    );
    assert_eq!(
        stdout(&out),
        "etc/passwd\ninside\n../etc/passwd\n../etc/passwd\n../C/etc/passwd\ninside\n"
    );
    // `/etc/passwd` from the mount root names nothing: the mount root holds
    // only the volume directories.
    let err = std::fs::read(c.join("host")).unwrap_err();
    assert_eq!(errno(err), libc::ENOENT);
    assert_eq!(
        errno(std::fs::read(c.join("up")).unwrap_err()),
        libc::ENOENT
    );
}

/// A git-like tree: objects and packs are 0444, as git writes them.
const GIT_LIKE: &str = "mkdir -p repo/.git/objects/ab repo/.git/objects/pack repo/src && \
     echo obj > repo/.git/objects/ab/cdef0123 && \
     echo pack > repo/.git/objects/pack/pack-1.pack && \
     echo idx > repo/.git/objects/pack/pack-1.idx && \
     echo code > repo/src/main.rs && ln repo/src/main.rs repo/src/hard && \
     ln -s ../src/main.rs repo/.git/link && \
     chmod 0444 repo/.git/objects/ab/cdef0123 repo/.git/objects/pack/* repo/src/main.rs && \
     echo tmp > repo/.git/objects/tmp_obj_1 && chmod 0444 repo/.git/objects/tmp_obj_1";

#[test]
fn rm_rf_of_read_only_files_works_as_root_and_as_owner() {
    let Some(t) = mount_default() else { return };
    let c = t.path("C");
    // As root.
    stdout(&sh(&c, None, GIT_LIKE));
    stdout(&sh(&c, None, "rm -rf repo"));
    assert!(!c.join("repo").exists());
    // As the owner of the tree, not root.
    std::fs::create_dir(c.join("home")).unwrap();
    std::os::unix::fs::chown(c.join("home"), Some(65534), Some(65534)).unwrap();
    let home = c.join("home");
    stdout(&sh(&home, Some(65534), GIT_LIKE));
    // rename(2) over a read-only file, as git does with its lock files.
    stdout(&sh(
        &home,
        Some(65534),
        "echo new > repo/src/new && mv -f repo/src/new repo/src/main.rs && \
         cat repo/src/main.rs",
    ));
    stdout(&sh(&home, Some(65534), "rm -rf repo"));
    assert!(!home.join("repo").exists());
}

#[test]
fn non_owners_still_meet_posix_errnos() {
    let Some(t) = mount_default() else { return };
    let c = t.path("C");
    // A sticky, world-writable directory with root's 0444 file: EPERM.
    std::fs::create_dir(c.join("tmp")).unwrap();
    std::fs::set_permissions(c.join("tmp"), std::fs::Permissions::from_mode(0o1777)).unwrap();
    std::fs::write(c.join("tmp/ro"), b"x").unwrap();
    std::fs::set_permissions(c.join("tmp/ro"), std::fs::Permissions::from_mode(0o444)).unwrap();
    // A directory the user may not write: EACCES.
    std::fs::create_dir(c.join("closed")).unwrap();
    std::fs::set_permissions(c.join("closed"), std::fs::Permissions::from_mode(0o755)).unwrap();
    std::fs::write(c.join("closed/ro"), b"x").unwrap();
    std::fs::set_permissions(c.join("closed/ro"), std::fs::Permissions::from_mode(0o444)).unwrap();
    for (path, msg) in [
        ("tmp/ro", "Operation not permitted"),
        ("closed/ro", "Permission denied"),
    ] {
        let o = sh(&c, Some(65534), &format!("unlink {path}"));
        assert!(!o.status.success(), "{path}");
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(err.contains(msg), "{path}: {err}");
        assert!(c.join(path).exists(), "{path}");
    }
    // rename(2) over them fails the same way.
    let o = sh(
        &c,
        Some(65534),
        "echo y > tmp/mine && mv -f tmp/mine tmp/ro",
    );
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("Operation not permitted"));
    assert_eq!(std::fs::read(c.join("tmp/ro")).unwrap(), b"x");
}
