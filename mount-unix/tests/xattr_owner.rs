//! The ntfs-3g attributes `system.ntfs_attrib` and `system.ntfs_reparse_data`
//! change what chmod changes (read-only) and more (a directory becomes a
//! junction), so only the owner or root may set or remove them (issue 11 item 3).
//! The kernel leaves `system.*` checks to the file system: this drives the real
//! mount as several users, in random order, against that rule.
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use ntlinkfs_core::attrs::{FILE_ATTRIBUTE_ARCHIVE, FILE_ATTRIBUTE_READONLY};
use ntlinkfs_core::ReparseData;
use proptest::prelude::*;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

const OWNER: u32 = 4101;
const OTHER: u32 = 4102;

/// The nodes: path under the mount, owner, whether a junction can be set on it.
const NODES: &[(&str, u32)] = &[
    ("C/root_file", 0),
    ("C/user_file", OWNER),
    ("C/root_dir", 0),
    ("C/user_dir", OWNER),
    ("C/root_junction", 0),
];

#[derive(Debug, Clone)]
enum Change {
    SetAttrib(u32),
    SetReparse,
    RemoveReparse,
}

/// Runs one change as `uid` in a child process (fork, drop privileges, call,
/// report errno as the exit status). Everything the child needs is built before
/// the fork: after it, only system calls run.
fn as_user(uid: u32, path: &Path, change: &Change) -> i32 {
    let p = CString::new(path.as_os_str().as_bytes()).unwrap();
    let attrib = CString::new("system.ntfs_attrib").unwrap();
    let reparse = CString::new("system.ntfs_reparse_data").unwrap();
    let junction = ReparseData::mount_point(r"\??\C:\", r"C:\").encode();
    let word = match change {
        Change::SetAttrib(v) => v.to_le_bytes(),
        _ => [0; 4],
    };
    // SAFETY: the child only makes system calls on memory prepared above, then
    // _exits; the parent waits for it.
    unsafe {
        let pid = libc::fork();
        assert!(pid >= 0, "fork");
        if pid == 0 {
            if libc::setgroups(0, std::ptr::null()) != 0
                || libc::setresgid(uid, uid, uid) != 0
                || libc::setresuid(uid, uid, uid) != 0
            {
                libc::_exit(200);
            }
            let r = match change {
                Change::SetAttrib(_) => {
                    libc::lsetxattr(p.as_ptr(), attrib.as_ptr(), word.as_ptr().cast(), 4, 0)
                }
                Change::SetReparse => libc::lsetxattr(
                    p.as_ptr(),
                    reparse.as_ptr(),
                    junction.as_ptr().cast(),
                    junction.len(),
                    0,
                ),
                Change::RemoveReparse => libc::lremovexattr(p.as_ptr(), reparse.as_ptr()),
            };
            let code = if r == 0 { 0 } else { *libc::__errno_location() };
            libc::_exit(code);
        }
        let mut status = 0;
        assert_eq!(libc::waitpid(pid, &mut status, 0), pid);
        assert!(libc::WIFEXITED(status));
        libc::WEXITSTATUS(status)
    }
}

/// What root reads back: the attribute word and the reparse data, if any.
fn state(path: &Path) -> (Result<Vec<u8>, i32>, Result<Vec<u8>, i32>) {
    (
        getxattr(path, "system.ntfs_attrib"),
        getxattr(path, "system.ntfs_reparse_data"),
    )
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        prop_oneof![
            Just(FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_ARCHIVE),
            Just(FILE_ATTRIBUTE_ARCHIVE),
        ]
        .prop_map(Change::SetAttrib),
        Just(Change::SetReparse),
        Just(Change::RemoveReparse),
    ]
}

#[test]
fn only_the_owner_or_root_changes_system_attributes() {
    let Some(t) = mount_default() else { return };
    {
        let mut m = t.m.write();
        m.write_file(r"C:\root_file", b"x").unwrap();
        m.write_file(r"C:\user_file", b"x").unwrap();
        m.create_directory(r"C:\root_dir").unwrap();
        m.create_directory(r"C:\user_dir").unwrap();
        m.create_directory(r"C:\target").unwrap();
        m.create_junction(r"C:\root_junction", r"C:\target")
            .unwrap();
    }
    for (rel, owner) in NODES {
        std::os::unix::fs::lchown(t.path(rel), Some(*owner), Some(*owner)).unwrap();
    }
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig::with_cases(48));
    let steps = proptest::collection::vec(
        (
            0..NODES.len(),
            prop_oneof![Just(0u32), Just(OWNER), Just(OTHER)],
            change(),
        ),
        1..8,
    );
    let denied = std::cell::Cell::new(0);
    runner
        .run(&steps, |steps| {
            for (node, uid, change) in steps {
                let (rel, owner) = NODES[node];
                let path = t.path(rel);
                let before = state(&path);
                let errno = as_user(uid, &path, &change);
                prop_assert_ne!(errno, 200, "could not switch to uid {}", uid);
                if uid == 0 || uid == owner {
                    prop_assert_ne!(errno, libc::EPERM, "{} {:?} as {}", rel, change, uid);
                } else {
                    denied.set(denied.get() + 1);
                    prop_assert_eq!(errno, libc::EPERM, "{} {:?} as {}", rel, change, uid);
                    prop_assert_eq!(state(&path), before, "{} changed by {}", rel, uid);
                }
            }
            Ok(())
        })
        .unwrap();
    assert!(denied.get() > 0, "no change was tried by a non-owner");
}

/// The four changes the issue reports, spelled out (issue 11 item 3).
#[test]
fn a_non_owner_cannot_flip_read_only_or_junctions() {
    let Some(t) = mount_default() else { return };
    {
        let mut m = t.m.write();
        m.write_file(r"C:\f", b"x").unwrap();
        m.create_directory(r"C:\empty").unwrap();
        m.create_directory(r"C:\target").unwrap();
        m.create_junction(r"C:\j", r"C:\target").unwrap();
    }
    let ro = FILE_ATTRIBUTE_READONLY | FILE_ATTRIBUTE_ARCHIVE;
    let rows: &[(&str, Change)] = &[
        ("C/f", Change::SetAttrib(ro)),
        ("C/empty", Change::SetReparse),
        ("C/j", Change::RemoveReparse),
    ];
    for (rel, change) in rows {
        assert_eq!(as_user(OTHER, &t.path(rel), change), libc::EPERM, "{rel}");
    }
    // Root makes the file read-only; a non-owner cannot clear it.
    assert_eq!(as_user(0, &t.path("C/f"), &Change::SetAttrib(ro)), 0);
    let clear = Change::SetAttrib(FILE_ATTRIBUTE_ARCHIVE);
    assert_eq!(as_user(OTHER, &t.path("C/f"), &clear), libc::EPERM);
    assert_eq!(
        getxattr(&t.path("C/f"), "system.ntfs_attrib").unwrap(),
        ro.to_le_bytes()
    );
    assert!(std::fs::symlink_metadata(t.path("C/j"))
        .unwrap()
        .file_type()
        .is_symlink());
    assert!(std::fs::symlink_metadata(t.path("C/empty"))
        .unwrap()
        .is_dir());
}
