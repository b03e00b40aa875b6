//! Set-user-ID and set-group-ID bits go on write, truncate, fallocate and chown as Linux
//! drops them. The mount asks the kernel to leave that to it
//! (FUSE_HANDLE_KILLPRIV_V2, issue 17: no GETXATTR of `security.capability`
//! before every write(2)), so the file system clears them itself: these cases
//! check the mode every caller sees afterwards, through the kernel's cache.
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::path::Path;

/// A user without CAP_FSETID who owns the files.
const OWNER: u32 = 4111;
const OTHER: u32 = 4112;

#[derive(Debug, Clone, Copy)]
enum Op {
    /// open(O_WRONLY) and write one byte.
    Write,
    /// truncate(2) to one byte.
    Truncate,
    /// chown(2) to OTHER.
    Chown,
    /// fallocate(2) of two bytes (extends the file to 2).
    Fallocate,
}

/// Runs `op` on `path` as `uid` (0: root, with CAP_FSETID) in a child process;
/// the child's exit status is the errno (0: done, 200: could not switch user).
fn run(uid: u32, path: &Path, op: Op) -> i32 {
    let p = CString::new(path.as_os_str().as_bytes()).unwrap();
    // SAFETY: the child only makes system calls on memory prepared above, then
    // _exits; the parent waits for it.
    unsafe {
        let pid = libc::fork();
        assert!(pid >= 0, "fork");
        if pid == 0 {
            if uid != 0
                && (libc::setgroups(0, std::ptr::null()) != 0
                    || libc::setresgid(uid, uid, uid) != 0
                    || libc::setresuid(uid, uid, uid) != 0)
            {
                libc::_exit(200);
            }
            let ok = match op {
                Op::Write => {
                    let fd = libc::open(p.as_ptr(), libc::O_WRONLY);
                    fd >= 0 && libc::write(fd, b"y".as_ptr().cast(), 1) == 1 && libc::close(fd) == 0
                }
                Op::Truncate => libc::truncate(p.as_ptr(), 1) == 0,
                Op::Chown => libc::chown(p.as_ptr(), OTHER, OTHER) == 0,
                Op::Fallocate => {
                    let fd = libc::open(p.as_ptr(), libc::O_WRONLY);
                    fd >= 0 && libc::fallocate(fd, 0, 0, 2) == 0 && libc::close(fd) == 0
                }
            };
            libc::_exit(if ok { 0 } else { *libc::__errno_location() });
        }
        let mut status = 0;
        assert_eq!(libc::waitpid(pid, &mut status, 0), pid);
        assert!(libc::WIFEXITED(status));
        libc::WEXITSTATUS(status)
    }
}

#[test]
fn set_id_bits_go_on_write_truncate_and_chown_as_linux_drops_them() {
    let Some(t) = mount_default() else { return };
    // (mode before, who, operation, mode after): set-user-ID always goes for a
    // caller without CAP_FSETID, set-group-ID only with group execute; root
    // keeps them on write, truncate and fallocate; chown drops them for everyone.
    let cases: &[(u32, u32, Op, u32)] = &[
        (0o4755, OWNER, Op::Write, 0o755),
        (0o2755, OWNER, Op::Write, 0o755),
        (0o6755, OWNER, Op::Write, 0o755),
        (0o2745, OWNER, Op::Write, 0o2745),
        (0o6745, OWNER, Op::Write, 0o2745),
        (0o0755, OWNER, Op::Write, 0o755),
        (0o6755, 0, Op::Write, 0o6755),
        (0o6755, OWNER, Op::Truncate, 0o755),
        (0o6755, 0, Op::Truncate, 0o6755),
        (0o6755, 0, Op::Chown, 0o755),
        (0o2745, 0, Op::Chown, 0o2745),
        (0o6755, OWNER, Op::Fallocate, 0o755),
        (0o6755, 0, Op::Fallocate, 0o6755),
    ];
    for (i, &(before, uid, op, after)) in cases.iter().enumerate() {
        let f = t.path(&format!("C/f{i}"));
        std::fs::write(&f, b"x").unwrap();
        std::os::unix::fs::chown(&f, Some(OWNER), Some(OWNER)).unwrap();
        std::fs::set_permissions(&f, std::fs::Permissions::from_mode(before)).unwrap();
        // The kernel now holds the attributes (cached), as it would before a write.
        assert_eq!(std::fs::metadata(&f).unwrap().mode() & 0o7777, before);
        let errno = run(uid, &f, op);
        assert_eq!(errno, 0, "case {i}: {op:?} as {uid} on {before:o}");
        let seen = std::fs::metadata(&f).unwrap();
        assert_eq!(
            seen.mode() & 0o7777,
            after,
            "case {i}: {op:?} as {uid} on {before:o}: mode {:o}",
            seen.mode() & 0o7777
        );
        let stored =
            t.m.read()
                .query_information(&format!(r"C:\f{i}"), ntlinkfs_core::Follow::Reparse)
                .unwrap();
        assert_eq!(
            u32::from(stored.posix.mode) & 0o7777,
            after,
            "case {i}: stored"
        );
        let len = match op {
            Op::Fallocate => 2,
            _ => 1,
        };
        assert_eq!(seen.len(), len, "case {i}: the operation happened");
    }
}
