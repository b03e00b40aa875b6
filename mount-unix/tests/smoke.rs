// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]
mod common;
use common::*;
use std::os::unix::fs::MetadataExt;

#[test]
fn root_lists_volumes_and_files_work() {
    let Some(t) = mount_default() else { return };
    let mut names: Vec<String> = std::fs::read_dir(&t.root)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["C", "D"]);
    std::fs::write(t.path("C/a.txt"), b"hello").unwrap();
    assert_eq!(std::fs::read(t.path("C/a.txt")).unwrap(), b"hello");
    std::fs::hard_link(t.path("C/a.txt"), t.path("C/b.txt")).unwrap();
    assert_eq!(std::fs::metadata(t.path("C/a.txt")).unwrap().nlink(), 2);
    assert_eq!(
        t.m.read()
            .query_information(r"C:\b.txt", ntlinkfs_core::Follow::Reparse)
            .unwrap()
            .link_count,
        2
    );
}
