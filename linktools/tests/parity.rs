//! The copy engine is one: the same tree, copied with the same policies on
//! the emulated machine and on a host directory, gives the same counts and
//! the same fate for each kind of link (only the paths differ).
#![cfg(unix)]

use ntlinkfs_core::{Machine, SymlinkFlags};
use ntlinkfs_linktools::copy::{copy_tree, CopyOptions, DirLinkPolicy, FileLinkPolicy};
use ntlinkfs_linktools::host_copy;
use std::fs;
use std::os::unix::fs::symlink;

/// The summary without its paths: the counts, then the links by kind and fate.
fn shape(summary: &str) -> Vec<String> {
    summary
        .lines()
        .filter(|l| !l.starts_with("  <"))
        .map(|l| match l.split_once(": ") {
            Some((head, rest)) if head.starts_with("Copied ") => rest.to_string(),
            _ => l.to_string(),
        })
        .collect()
}

/// ```text
/// src\a\f.txt  "f" (2 names: a\f.txt, b\g.txt)
/// src\b\g.txt
/// src\b\up  -> ..       directory symlink (a loop when followed)
/// src\fl    -> a\f.txt  file symlink
/// ```
#[test]
fn emulated_and_host_copies_report_alike() {
    let mut m = Machine::default();
    for d in [r"C:\src", r"C:\src\a", r"C:\src\b"] {
        m.create_directory(d).unwrap();
    }
    m.write_file(r"C:\src\a\f.txt", b"f").unwrap();
    m.create_hard_link(r"C:\src\b\g.txt", r"C:\src\a\f.txt")
        .unwrap();
    let dir = SymlinkFlags {
        directory: true,
        allow_unprivileged_create: true,
    };
    m.create_symbolic_link(r"C:\src\b\up", "..", dir).unwrap();
    let file = SymlinkFlags {
        allow_unprivileged_create: true,
        ..Default::default()
    };
    m.create_symbolic_link(r"C:\src\fl", r"a\f.txt", file)
        .unwrap();

    let t = tempfile::tempdir().unwrap();
    let src = t.path().join("src");
    fs::create_dir_all(src.join("a")).unwrap();
    fs::create_dir_all(src.join("b")).unwrap();
    fs::write(src.join("a/f.txt"), b"f").unwrap();
    fs::hard_link(src.join("a/f.txt"), src.join("b/g.txt")).unwrap();
    symlink("..", src.join("b/up")).unwrap();
    symlink("a/f.txt", src.join("fl")).unwrap();

    let cases = [
        (
            DirLinkPolicy::CopyLink,
            FileLinkPolicy::CopyLink,
            "Links: 1 symlinkd copied as link, 1 symlink copied as link",
        ),
        (
            DirLinkPolicy::Follow,
            FileLinkPolicy::Follow,
            "Links: 1 symlinkd loop, not followed, 1 symlink followed",
        ),
        (
            DirLinkPolicy::Skip,
            FileLinkPolicy::Skip,
            "Links: 1 symlinkd skipped, 1 symlink skipped",
        ),
    ];
    for (dirs, files, links) in cases {
        let opts = CopyOptions {
            dir_symlinks: dirs,
            file_symlinks: files,
            ..Default::default()
        };
        let name = format!("{dirs:?}-{files:?}");
        let emulated = copy_tree(
            &mut m,
            r"C:\src",
            &format!(r"D:\{name}"),
            &opts,
            &mut |_| {},
        )
        .unwrap();
        let host =
            host_copy::copy(&src, &t.path().join(&name), &opts, |_| None, &mut |_| {}).unwrap();
        assert_eq!(
            shape(&emulated.to_string()),
            shape(&host.to_string()),
            "{name}"
        );
        assert!(
            shape(&host.to_string()).iter().any(|l| l == links),
            "{host}"
        );
    }
}
