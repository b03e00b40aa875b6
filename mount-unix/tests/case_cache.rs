//! Case-insensitive, case-preserving names (N1) with the kernel's dentry cache on:
//! a removal through one spelling is seen at once through every other spelling,
//! and a creation is seen at once through any spelling. Each scenario runs many
//! times so that an asynchronous invalidation racing the next syscall would show.
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use std::fs;
use std::os::unix::fs::MetadataExt;

const ROUNDS: usize = 200;

#[test]
fn remove_through_one_spelling_is_seen_through_the_others_at_once() {
    let Some(t) = mount_default() else { return };
    remove_rounds(&t);
    let s = t.mount.as_ref().unwrap().cache_stats();
    if s.entry_ttl > std::time::Duration::ZERO {
        // Names were cached: every removal through another spelling bumped the epoch.
        assert!(s.epochs > ROUNDS as u64, "{s:?}");
    }
}

/// Without the dentry epoch (kernels before 6.16) names are not cached at all.
#[test]
fn remove_is_seen_at_once_without_the_dentry_epoch() {
    let opts = ntlinkfs_fuse::MountOptions {
        notify_epoch: false,
        ..Default::default()
    };
    let Some(t) = mount_with(ntlinkfs_core::Machine::default(), opts) else {
        return;
    };
    remove_rounds(&t);
    let s = t.mount.as_ref().unwrap().cache_stats();
    assert_eq!((s.epochs, s.entry_ttl), (0, std::time::Duration::ZERO));
}

fn remove_rounds(t: &TestMount) {
    for i in 0..ROUNDS {
        let (lower, upper) = (t.path(&format!("C/foo{i}")), t.path(&format!("C/FOO{i}")));
        fs::write(&lower, b"x").unwrap(); // the kernel now holds "fooN"
        assert!(fs::metadata(&upper).is_ok(), "N1: FOO{i} finds foo{i}");
        fs::remove_file(&upper).unwrap();
        assert_eq!(
            errno(fs::metadata(&lower).unwrap_err()),
            libc::ENOENT,
            "round {i}"
        );
        // And the name can be made again at once through the stale spelling.
        fs::write(&lower, b"again").unwrap();
        assert_eq!(fs::read(&upper).unwrap(), b"again");
        fs::remove_file(&lower).unwrap();
        assert_eq!(errno(fs::metadata(&upper).unwrap_err()), libc::ENOENT);
    }
}

#[test]
fn create_is_seen_through_every_spelling_at_once() {
    let Some(t) = mount_default() else { return };
    for i in 0..ROUNDS {
        let (lower, upper) = (t.path(&format!("C/bar{i}")), t.path(&format!("C/BAR{i}")));
        assert!(fs::metadata(&upper).is_err()); // a miss, which must not be cached
        fs::write(&lower, b"x").unwrap();
        let md = fs::metadata(&upper).unwrap();
        assert_eq!(md.len(), 1, "round {i}");
        let names: Vec<String> = fs::read_dir(t.path("C"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .filter(|n| n.eq_ignore_ascii_case(&format!("bar{i}")))
            .collect();
        assert_eq!(names, [format!("bar{i}")], "N1: case preserved");
    }
}

#[test]
fn directories_and_renames_keep_every_spelling_right() {
    let Some(t) = mount_default() else { return };
    for i in 0..ROUNDS / 4 {
        let d = format!("C/Dir{i}");
        fs::create_dir(t.path(&d)).unwrap();
        fs::write(t.path(&format!("{d}/f")), b"1").unwrap();
        assert!(fs::metadata(t.path(&format!("C/DIR{i}/F"))).is_ok());
        assert!(fs::metadata(t.path(&format!("C/dir{i}/f"))).is_ok());
        fs::rename(t.path(&format!("C/dir{i}")), t.path(&format!("C/moved{i}"))).unwrap();
        for s in [
            format!("C/Dir{i}"),
            format!("C/DIR{i}"),
            format!("C/dir{i}"),
        ] {
            assert_eq!(
                errno(fs::metadata(t.path(&s)).unwrap_err()),
                libc::ENOENT,
                "{s}"
            );
        }
        assert!(fs::metadata(t.path(&format!("C/MOVED{i}/F"))).is_ok());
        // Replacing through a new spelling: the old spelling sees the new file.
        fs::write(t.path(&format!("C/t{i}")), b"old").unwrap();
        let old = fs::metadata(t.path(&format!("C/t{i}"))).unwrap().ino();
        fs::write(t.path(&format!("C/s{i}")), b"new").unwrap();
        fs::rename(t.path(&format!("C/s{i}")), t.path(&format!("C/T{i}"))).unwrap();
        let md = fs::metadata(t.path(&format!("C/t{i}"))).unwrap();
        assert_ne!(md.ino(), old, "round {i}");
        assert_eq!(fs::read(t.path(&format!("C/t{i}"))).unwrap(), b"new");
        fs::remove_dir(t.path(&format!("C/MOVED{i}/F")).parent().unwrap()).expect_err("not empty");
    }
}
