//! A directory that becomes a junction or a directory symlink through
//! `system.ntfs_reparse_data` (J3: only when it is empty), or a link that
//! loses its reparse point, is seen with its new kind at once through every
//! path, whatever the kernel cached of it before: its name, a miss under it,
//! its attributes. Empty directories are named uncached, so most changes need
//! no dentry epoch (issue 17); a directory the kernel holds from when it had
//! entries needs it. Each scenario runs many times, so that a stale dentry
//! used before it is dropped would show.
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use ntlinkfs_core::ReparseData;
use std::fs;

const ROUNDS: usize = 100;
const REPARSE: &str = "system.ntfs_reparse_data";

/// What the kernel is made to hold of `d` before it changes kind.
type Before = fn(&TestMount, &str);

#[test]
fn a_directory_turned_link_is_a_link_at_once_whatever_the_kernel_held() {
    let Some(t) = mount_default() else { return };
    fs::create_dir(t.path("C/target")).unwrap();
    fs::write(t.path("C/target/x"), b"through").unwrap();
    let junction = ReparseData::mount_point(r"\??\C:\target", r"C:\target").encode();
    let dir_symlink = ReparseData::symlink(r"\??\C:\target", r"C:\target", false).encode();
    let befores: [(&str, Before); 4] = [
        ("nothing", |_, _| {}),
        ("its name", |t, d| {
            assert!(fs::metadata(t.path(d)).unwrap().is_dir());
        }),
        ("a miss under it", |t, d| {
            let e = fs::metadata(t.path(&format!("{d}/x"))).unwrap_err();
            assert_eq!(errno(e), libc::ENOENT);
        }),
        // Named while it had an entry, then emptied: the kernel keeps the name.
        ("its name from when it had entries", |t, d| {
            fs::write(t.path(&format!("{d}/f")), b"").unwrap();
            assert!(fs::metadata(t.path(d)).unwrap().is_dir());
            assert_eq!(fs::read_dir(t.path(d)).unwrap().count(), 1);
            fs::remove_file(t.path(&format!("{d}/f"))).unwrap();
        }),
    ];
    for round in 0..ROUNDS {
        for (what, before) in &befores {
            for (link, buffer) in [("junction", &junction), ("directory symlink", &dir_symlink)] {
                let d = format!("C/d{round}{}{}", what.len(), link.len());
                fs::create_dir(t.path(&d)).unwrap();
                before(&t, &d);
                setxattr(&t.path(&d), REPARSE, buffer, 0).unwrap();
                let md = fs::symlink_metadata(t.path(&d)).unwrap();
                assert!(md.file_type().is_symlink(), "{link}, held {what}: {md:?}");
                assert!(fs::read_link(t.path(&d)).is_ok(), "{link}, held {what}");
                assert_eq!(
                    fs::read(t.path(&format!("{d}/x"))).unwrap(),
                    b"through",
                    "{link}, held {what}: followed"
                );
                // And back (the reparse point removed): a directory again.
                removexattr(&t.path(&d), REPARSE).unwrap();
                let md = fs::symlink_metadata(t.path(&d)).unwrap();
                assert!(md.is_dir(), "{link} removed, held {what}: {md:?}");
                assert_eq!(fs::read_dir(t.path(&d)).unwrap().count(), 0);
                fs::remove_dir(t.path(&d)).unwrap();
            }
        }
    }
}
