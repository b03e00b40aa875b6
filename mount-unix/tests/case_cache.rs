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
    let s = t.mount.as_ref().unwrap().cache_stats();
    if s.entry_ttl > std::time::Duration::ZERO {
        // Issue 17: each miss through BARn was cached, and went when barn came.
        assert!(s.stale_misses >= ROUNDS as u64, "{s:?}");
    }
}

/// Issue 17: every way a name appears (N1) is seen at once through the
/// spellings that were answered "not found" (and cached as misses) before.
#[test]
fn every_way_a_name_appears_clears_the_misses_of_its_other_spellings() {
    let Some(t) = mount_default() else { return };
    fs::create_dir(t.path("C/d")).unwrap();
    fs::write(t.path("C/d/src"), b"x").unwrap();
    type Make = fn(&TestMount, &str);
    type Is = fn(&fs::Metadata) -> bool;
    let rows: [(&str, Make, Is); 6] = [
        (
            "file",
            |t, n| fs::write(t.path(n), b"1").unwrap(),
            |m| m.is_file(),
        ),
        (
            "directory",
            |t, n| fs::create_dir(t.path(n)).unwrap(),
            |m| m.is_dir(),
        ),
        (
            "symbolic link",
            |t, n| std::os::unix::fs::symlink("d", t.path(n)).unwrap(),
            |m| m.file_type().is_symlink(),
        ),
        (
            "hard link (HL3)",
            |t, n| fs::hard_link(t.path("C/d/src"), t.path(n)).unwrap(),
            |m| m.is_file() && m.nlink() >= 2,
        ),
        (
            "rename target",
            |t, n| {
                fs::write(t.path("C/d/tmp"), b"2").unwrap();
                fs::rename(t.path("C/d/tmp"), t.path(n)).unwrap();
            },
            |m| m.is_file() && m.len() == 1,
        ),
        (
            "fifo",
            |t, n| {
                let c = std::ffi::CString::new(t.path(n).as_os_str().as_encoded_bytes()).unwrap();
                // SAFETY: a valid C string; mkfifo has no other precondition.
                assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o644) }, 0);
            },
            |m| std::os::unix::fs::FileTypeExt::is_fifo(&m.file_type()),
        ),
    ];
    for i in 0..ROUNDS / 4 {
        for (what, make, is) in &rows {
            let tag = what.replace(' ', "");
            let spellings = [
                format!("C/{tag}{i}"),
                format!("C/{}{i}", tag.to_ascii_uppercase()),
            ];
            let made = format!("C/{}{i}", capitalized(&tag));
            for s in &spellings {
                let e = fs::symlink_metadata(t.path(s)).unwrap_err();
                assert_eq!(errno(e), libc::ENOENT, "{what}: {s} before");
            }
            make(&t, &made);
            for s in &spellings {
                let md = fs::symlink_metadata(t.path(s));
                assert!(
                    md.as_ref().is_ok_and(is),
                    "{what}: {s} after, round {i}: {md:?}"
                );
            }
        }
    }
}

/// ASCII tags only: "file" -> "File".
fn capitalized(s: &str) -> String {
    let mut s = s.to_string();
    s[..1].make_ascii_uppercase();
    s
}

/// Issue 17: a rename that changes only the case of a name (N1), after misses
/// and hits through other spellings: every spelling finds the one file.
#[test]
fn a_rename_that_changes_only_case_keeps_every_spelling_right() {
    let Some(t) = mount_default() else { return };
    for i in 0..ROUNDS / 4 {
        let (lower, upper, mixed) = (
            t.path(&format!("C/case{i}")),
            t.path(&format!("C/CASE{i}")),
            t.path(&format!("C/Case{i}")),
        );
        assert!(fs::metadata(&mixed).is_err()); // cached as a miss
        fs::write(&lower, b"x").unwrap();
        let ino = fs::metadata(&upper).unwrap().ino(); // a hit through another spelling
        fs::rename(&lower, &mixed).unwrap();
        for p in [&lower, &upper, &mixed] {
            assert_eq!(fs::metadata(p).unwrap().ino(), ino, "round {i}: {p:?}");
        }
        fs::remove_file(&upper).unwrap();
        for p in [&lower, &upper, &mixed] {
            let e = fs::metadata(p).unwrap_err();
            assert_eq!(errno(e), libc::ENOENT, "round {i}: {p:?} after unlink");
        }
    }
}

/// Issue 17: the attributes the kernel caches per node id are dropped when
/// they change through another name. A symbolic-link file has a node id per
/// name (node_ids.rs), so a hard link made through one name (HL3) must show
/// its link count through the others at once.
#[test]
fn a_link_count_changed_through_one_name_shows_through_the_others_at_once() {
    let Some(t) = mount_default() else { return };
    fs::create_dir(t.path("C/d")).unwrap();
    std::os::unix::fs::symlink("x", t.path("C/d/s")).unwrap();
    for i in 0..ROUNDS / 4 {
        let before = fs::symlink_metadata(t.path("C/d/s")).unwrap().nlink();
        let other = t.path(&format!("C/s{i}"));
        if i > 0 {
            // Cached attributes for the previous name.
            assert_eq!(
                fs::symlink_metadata(t.path(&format!("C/s{}", i - 1)))
                    .unwrap()
                    .nlink(),
                before
            );
        }
        fs::hard_link(t.path("C/d/s"), &other).unwrap();
        assert_eq!(
            fs::symlink_metadata(t.path("C/d/s")).unwrap().nlink(),
            before + 1,
            "round {i}"
        );
        if i > 0 {
            let prev = t.path(&format!("C/s{}", i - 1));
            assert_eq!(
                fs::symlink_metadata(&prev).unwrap().nlink(),
                before + 1,
                "round {i}"
            );
        }
        assert_eq!(fs::symlink_metadata(&other).unwrap().nlink(), before + 1);
    }
    // And removing one name lowers the count seen through the others.
    let n = fs::symlink_metadata(t.path("C/d/s")).unwrap().nlink();
    fs::remove_file(t.path("C/s0")).unwrap();
    assert_eq!(
        fs::symlink_metadata(t.path("C/d/s")).unwrap().nlink(),
        n - 1
    );
    assert_eq!(fs::symlink_metadata(t.path("C/s1")).unwrap().nlink(), n - 1);
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

/// Issue 17: a hard link made through the other volume's view (a junction on
/// C: to D:'s root, HL3) shows through D:'s own names at once: its link count
/// through the file's other name, and the new name through a spelling that
/// was answered "not found" just before; and its removal likewise.
#[test]
fn a_hard_link_made_through_the_other_volumes_view_shows_at_once() {
    let mut m = ntlinkfs_core::Machine::default();
    m.create_junction(r"C:\j", r"D:\").unwrap();
    m.write_file(r"D:\f", b"x").unwrap();
    let Some(t) = mount_with(m, ntlinkfs_fuse::MountOptions::default()) else {
        return;
    };
    for i in 0..ROUNDS / 4 {
        let n = fs::metadata(t.path("D/f")).unwrap().nlink(); // cached attributes
        let (through_c, through_d) = (t.path(&format!("C/j/g{i}")), t.path(&format!("D/G{i}")));
        assert_eq!(errno(fs::metadata(&through_d).unwrap_err()), libc::ENOENT);
        fs::hard_link(t.path("C/j/f"), &through_c).unwrap();
        assert_eq!(
            fs::metadata(t.path("D/f")).unwrap().nlink(),
            n + 1,
            "round {i}"
        );
        let md = fs::metadata(&through_d).unwrap();
        assert_eq!((md.nlink(), md.len()), (n + 1, 1), "round {i}");
        // And a name removed through C:'s view is gone from D:'s at once.
        fs::remove_file(&through_c).unwrap();
        assert_eq!(errno(fs::metadata(&through_d).unwrap_err()), libc::ENOENT);
        assert_eq!(fs::metadata(t.path("D/f")).unwrap().nlink(), n, "round {i}");
    }
}

/// A junction's readlink text is placed from the directory it is read through
/// (`../../data` in `a/b`, `../data` once `a/b` is `b2`), so its st_size
/// changes with every rename above it or of its target, which the kernel is
/// not told of: a link's attributes are never cached (F1).
#[test]
fn a_link_moved_with_its_directory_reports_the_size_of_its_new_text() {
    let Some(t) = mount_default() else { return };
    {
        let mut m = t.m.write();
        m.create_directory(r"C:\data").unwrap();
        m.create_directory(r"C:\a").unwrap();
        m.create_directory(r"C:\a\b").unwrap();
        m.create_junction(r"C:\a\b\j", r"C:\data").unwrap();
    }
    // Only lstat between the renames: readlink drops the cached atime, after
    // which the kernel refreshes every attribute anyway.
    let lsize = |rel: &str| fs::symlink_metadata(t.path(rel)).unwrap().size();
    let text = |rel: &str| fs::read_link(t.path(rel)).unwrap().as_os_str().len() as u64;
    assert_eq!(lsize("C/a/b/j"), 10, "../../data");
    fs::rename(t.path("C/a/b"), t.path("C/b2")).unwrap();
    assert_eq!(lsize("C/b2/j"), 7, "../data");
    fs::rename(t.path("C/data"), t.path("C/Data2")).unwrap();
    let seen = lsize("C/b2/j");
    assert_eq!(seen, text("C/b2/j"), "the target renamed: the text changed");
}
