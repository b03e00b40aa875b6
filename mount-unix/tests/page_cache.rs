//! The kernel keeps a file's cached pages across opens only while the file is
//! unchanged (FOPEN_KEEP_CACHE, issue 7): every read must see the current bytes,
//! whether the change came through the mount or straight through the core.
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use std::io::{Seek, SeekFrom, Write};

#[test]
fn read_after_change_sees_new_bytes_whoever_changed_it() {
    let Some(t) = mount_default() else { return };
    let f = t.path("C/cached.txt");
    std::fs::write(&f, b"aaaa").unwrap();
    // Twice: the second open may keep the pages the first read cached.
    assert_eq!(std::fs::read(&f).unwrap(), b"aaaa");
    assert_eq!(std::fs::read(&f).unwrap(), b"aaaa");

    // Same size, rewritten in place through the mount.
    let mut w = std::fs::OpenOptions::new().write(true).open(&f).unwrap();
    w.seek(SeekFrom::Start(1)).unwrap();
    w.write_all(b"bb").unwrap();
    drop(w);
    assert_eq!(std::fs::read(&f).unwrap(), b"abba");
    assert_eq!(std::fs::read(&f).unwrap(), b"abba");

    // Same size, rewritten behind the kernel's back, through the core.
    t.m.write().write_file(r"C:\cached.txt", b"cccc").unwrap();
    assert_eq!(std::fs::read(&f).unwrap(), b"cccc");

    // Through a hard link (one inode, one cache).
    std::fs::hard_link(&f, t.path("C/other.txt")).unwrap();
    std::fs::write(t.path("C/other.txt"), b"dddd").unwrap();
    assert_eq!(std::fs::read(&f).unwrap(), b"dddd");
}
