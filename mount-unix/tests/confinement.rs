//! Confinement: nothing in the mount resolves to a host path outside it, whatever
//! the link targets are (DESIGN "mount-unix"). Targets outside the mounted volumes
//! read as paths inside the mount that do not exist.
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use ntlinkfs_core::{ReparseData, SymlinkFlags};
use std::fs;
use std::path::Path;

/// Targets a link may hold, as CreateSymbolicLinkW / mklink /J / raw buffers.
const SYMLINK_TARGETS: &[&str] = &[
    r"..\..\..\..\..\..\etc",
    r"\..\..\etc",
    r"C:\..\..\etc",
    r"\\localhost\c$\etc",
    r"\\?\C:\..\..",
    r"Z:\etc",
    r"..",
    r"\",
    r"C:\",
    r"D:\",
    r"..\d",
    r"a/../../../../etc",
    r"\??\UNC\srv\share",
];

#[test]
fn no_link_resolves_outside_the_mount() {
    let Some(t) = mount_default() else { return };
    {
        let mut m = t.m.write();
        m.create_directory(r"C:\d").unwrap();
        m.create_directory(r"C:\d\e").unwrap();
        let mut n = 0;
        for dir in [r"C:\", r"C:\d", r"C:\d\e", r"D:\"] {
            for target in SYMLINK_TARGETS {
                for directory in [false, true] {
                    let link = format!("{}\\s{n}", dir.trim_end_matches('\\'));
                    n += 1;
                    let flags = SymlinkFlags {
                        directory,
                        ..Default::default()
                    };
                    let _ = m.create_symbolic_link(&link, target, flags);
                }
                let link = format!("{}\\j{n}", dir.trim_end_matches('\\'));
                n += 1;
                let _ = m.create_junction(&link, target);
                // Raw buffers with substitute names no API would write.
                let link = format!("{}\\r{n}", dir.trim_end_matches('\\'));
                n += 1;
                if m.create_directory(&link).is_ok() {
                    let raw = ReparseData::mount_point(&format!(r"\??\{target}"), "").encode();
                    let _ = m.set_reparse_point(&link, &raw);
                }
            }
        }
    }
    let root = t.root.canonicalize().unwrap();
    let mut checked = 0;
    for dir in ["C", "C/d", "C/d/e", "D"] {
        for e in fs::read_dir(t.path(dir)).unwrap() {
            let p = e.unwrap().path();
            if !fs::symlink_metadata(&p).unwrap().file_type().is_symlink() {
                continue;
            }
            checked += 1;
            let text = fs::read_link(&p).unwrap();
            assert!(text.is_relative(), "{p:?} -> {text:?}");
            assert_inside(&root, &p);
            assert_inside(&root, &p.join("etc/passwd"));
            // `..` after the link climbs from where the link leads; as long as
            // that is deep enough, the walk stays in the mount.
            if let Ok(real) = fs::canonicalize(&p) {
                let depth = real.strip_prefix(&root).unwrap().components().count();
                for k in 1..=depth {
                    assert_inside(&root, &p.join(vec![".."; k].join("/")));
                }
            }
        }
    }
    assert!(checked > 100, "{checked} links checked");
}

/// Resolving `p` fails or ends inside `root`.
fn assert_inside(root: &Path, p: &Path) {
    if let Ok(real) = fs::canonicalize(p) {
        assert!(
            real.starts_with(root),
            "{p:?} resolves to {real:?}, outside {root:?}"
        );
    }
}

#[test]
fn targets_outside_the_volumes_read_as_missing_paths_in_the_mount() {
    let Some(t) = mount_default() else { return };
    std::os::unix::fs::symlink(r"\\srv\share\x", t.path("C/unc")).unwrap();
    std::os::unix::fs::symlink(r"Q:\x", t.path("C/q")).unwrap();
    for (link, text) in [
        ("C/unc", "../.NTFS-3G/UNC/srv/share/x"),
        ("C/q", "../.NTFS-3G/Q:/x"),
    ] {
        assert_eq!(fs::read_link(t.path(link)).unwrap().to_str(), Some(text));
        assert_eq!(
            errno(fs::read(t.path(link)).unwrap_err()),
            libc::ENOENT,
            "{link}"
        );
    }
    assert_eq!(
        errno(fs::metadata(t.path(".NTFS-3G")).unwrap_err()),
        libc::ENOENT
    );
    // A POSIX absolute text made from Linux is an LX symlink, read back as
    // written (issue 11 item 5); `--confine` keeps it inside (linux_view.rs).
    std::os::unix::fs::symlink("/etc/passwd", t.path("C/host")).unwrap();
    assert_eq!(
        fs::read_link(t.path("C/host")).unwrap().to_str(),
        Some("/etc/passwd")
    );
}
