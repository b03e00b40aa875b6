//! Issue 17 scale, CI-sized: a directory of 100,000 entries through the kernel,
//! listed and looked up. Nothing here is timed as a pass condition; the phases
//! print how long they took (the 1,000,000-file walk is bench/long/scale.sh).
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use std::collections::HashSet;
use std::fs;
use std::time::Instant;

const N: usize = 100_000;

#[test]
fn a_directory_of_100000_entries_is_listed_and_looked_up() {
    let mut m = ntlinkfs_core::Machine::default();
    let big = m.create_directory(r"C:\big").unwrap().id;
    for i in 0..N {
        m.create_file_at(big, &format!("f{i:06}"), 0).unwrap();
    }
    let Some(t) = mount_with(m, ntlinkfs_fuse::MountOptions::default()) else {
        return;
    };
    let start = Instant::now();
    let names: HashSet<String> = fs::read_dir(t.path("C/big"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    let listed = start.elapsed();
    assert_eq!(names.len(), N);
    assert!(names.contains("f000000") && names.contains(&format!("f{:06}", N - 1)));
    let start = Instant::now();
    // Through another spelling than the listed one: each is a real lookup.
    for i in (0..N).step_by(10) {
        let md = fs::metadata(t.path(&format!("C/BIG/F{i:06}"))).unwrap();
        assert!(md.is_file() && md.len() == 0, "F{i:06}");
    }
    let looked_up = start.elapsed();
    let e = fs::metadata(t.path(&format!("C/big/f{N:06}"))).unwrap_err();
    assert_eq!(errno(e), libc::ENOENT);
    eprintln!(
        "{N} entries: listed in {listed:?}, {} looked up in {looked_up:?}",
        N / 10
    );
}
