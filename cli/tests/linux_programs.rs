//! Ordinary Linux programs on an `ntlinkfs mount` (issue 11's "done when"): git
//! creates, commits, clones, garbage-collects and `rm -rf`s repositories, and
//! tar round-trips absolute, relative and dangling symbolic links with every
//! link text unchanged. Through the real binary and a FUSE mount; needs root,
//! /dev/fuse, git and tar: skips without them, except under CI=true, where
//! anything missing is a failure.
#![cfg(target_os = "linux")]

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

mod common;
use common::usable;

/// A fresh directory under /tmp, removed when dropped.
struct TempDir(PathBuf);

impl TempDir {
    fn new(tag: &str) -> TempDir {
        let d = std::env::temp_dir().join(format!("ntlinkfs-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        TempDir(d)
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// `ntlinkfs mount MP --background`, unmounted (and its directory removed) when
/// dropped, so a failing assertion leaves no mount behind.
struct Mounted {
    mp: PathBuf,
}

impl Mounted {
    fn new(tag: &str) -> Mounted {
        let mp = std::env::temp_dir().join(format!("ntlinkfs-{tag}-mnt-{}", std::process::id()));
        let _ = Command::new("umount")
            .arg("-l")
            .arg(&mp)
            .stderr(Stdio::null())
            .status();
        std::fs::create_dir_all(&mp).unwrap();
        let status = Command::new(env!("CARGO_BIN_EXE_ntlinkfs"))
            .arg("mount")
            .arg(&mp)
            .arg("--background")
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .unwrap();
        assert!(status.success(), "ntlinkfs mount {}", mp.display());
        assert!(mp.join("C").is_dir(), "--background returns once mounted");
        Mounted { mp }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.mp.join(rel)
    }
}

impl Drop for Mounted {
    fn drop(&mut self) {
        let _ = Command::new(env!("CARGO_BIN_EXE_ntlinkfs"))
            .arg("unmount")
            .arg(&self.mp)
            .output();
        let _ = std::fs::remove_dir(&self.mp);
    }
}

/// Runs `prog args` in `dir` with a C locale; panics with its output unless it
/// succeeds; returns its standard output.
fn run(dir: &Path, prog: &str, args: &[&str]) -> String {
    run_with(dir, prog, args, &[])
}

/// Runs `prog` in `dir` in the C locale with `env` added; it must succeed.
fn run_with(dir: &Path, prog: &str, args: &[&str], env: &[(&str, &str)]) -> String {
    let o: Output = Command::new(prog)
        .args(args)
        .current_dir(dir)
        .env("LC_ALL", "C")
        .envs(env.iter().copied())
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert!(
        o.status.success(),
        "{prog} {args:?} in {}: {}\n{}{}",
        dir.display(),
        o.status,
        String::from_utf8_lossy(&o.stdout),
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// git with a fixed identity and no configuration from the host.
fn git(dir: &Path, args: &[&str]) -> String {
    let mut all = vec![
        "-c",
        "user.name=ntlinkfs",
        "-c",
        "user.email=ntlinkfs@example.invalid",
        "-c",
        "init.defaultBranch=main",
        "-c",
        "safe.directory=*",
        "-c",
        "core.hooksPath=/dev/null",
    ];
    all.extend_from_slice(args);
    let env = [
        ("GIT_CONFIG_NOSYSTEM", "1"),
        ("GIT_CONFIG_GLOBAL", "/dev/null"),
    ];
    run_with(dir, "git", &all, &env)
}

/// On the mount: `git init`, add, commit (twice), `git clone` to another
/// directory of the mount, `git gc` in both, `git fsck`, then `rm -rf` of both.
/// git writes its objects 0444 and renames and unlinks them, so this needs the
/// Linux view's unlink and rename of read-only files (issue 11 item 5).
#[test]
fn git_init_commit_clone_gc_and_rm_rf_on_the_mount() {
    if !usable(&["git"]) {
        return;
    }
    let mnt = Mounted::new("git");
    let c = mnt.path("C");
    let repo = c.join("repo");
    std::fs::create_dir_all(repo.join("src/deep")).unwrap();
    std::fs::write(repo.join("README"), b"hello\n").unwrap();
    std::fs::write(repo.join("src/deep/a.txt"), b"a\n").unwrap();
    // A file larger than one data chunk, so packing reads across chunks.
    let big: Vec<u8> = (0..200_000u32).map(|i| (i * 7 % 251) as u8).collect();
    std::fs::write(repo.join("src/big.bin"), &big).unwrap();
    git(&repo, &["init", "-q"]);
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "one"]);
    std::fs::write(repo.join("src/deep/a.txt"), b"a\nb\n").unwrap();
    std::fs::write(repo.join("new.txt"), b"new\n").unwrap();
    git(&repo, &["add", "-A"]);
    git(&repo, &["commit", "-q", "-m", "two"]);

    git(&c, &["clone", "-q", "repo", "clone"]);
    let clone = c.join("clone");
    assert_eq!(git(&clone, &["log", "--format=%s"]), "two\none\n");
    assert_eq!(std::fs::read(clone.join("src/big.bin")).unwrap(), big);
    assert_eq!(
        std::fs::read(clone.join("src/deep/a.txt")).unwrap(),
        b"a\nb\n"
    );

    for dir in [&repo, &clone] {
        git(dir, &["gc", "-q", "--prune=now"]);
        git(dir, &["fsck", "--no-progress", "--strict"]);
        assert_eq!(
            git(dir, &["status", "--porcelain"]),
            "",
            "{}",
            dir.display()
        );
    }
    let loose = run(
        &repo,
        "find",
        &[".git/objects", "-type", "f", "-name", "??*"],
    );
    assert!(
        loose
            .lines()
            .all(|l| l.contains("/pack/") || l.contains("/info/")),
        "gc packed every object:\n{loose}"
    );

    run(&c, "rm", &["-rf", "repo", "clone"]);
    assert_eq!(
        std::fs::read_dir(&c).unwrap().count(),
        0,
        "rm -rf left nothing"
    );
}

/// The link texts of the tar test, each made with `ln -s`: absolute, relative
/// upwards and downwards, dangling (relative and absolute), and from a
/// subdirectory.
const LINKS: &[(&str, &str)] = &[
    ("abs", "/etc/passwd"),
    ("up", "../x/y"),
    ("down", "sub/f"),
    ("dangling", "nowhere/missing"),
    ("dangling-abs", "/nonexistent/ntlinkfs"),
    ("dir-link", "sub"),
    ("sub/back", "../sub/f"),
    ("sub/far", "../../../../etc/hostname"),
    ("sub/dot", "./f"),
];

/// Every entry under `root` as (relative path, what it is): a symlink's text,
/// a file's bytes, or "dir"; sorted by path.
fn tree(root: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let p = e.unwrap().path();
            let rel = p.strip_prefix(root).unwrap().to_str().unwrap().to_string();
            let meta = std::fs::symlink_metadata(&p).unwrap();
            let what = if meta.file_type().is_symlink() {
                format!("-> {}", std::fs::read_link(&p).unwrap().to_str().unwrap())
            } else if meta.is_dir() {
                stack.push(p);
                "dir".to_string()
            } else {
                format!("{:?}", String::from_utf8_lossy(&std::fs::read(&p).unwrap()))
            };
            out.push((rel, what));
        }
    }
    out.sort();
    out
}

/// A tree with absolute, relative and dangling symlinks, made on the host and
/// archived with tar, extracts onto the mount with every link text read back
/// unchanged (readlink); archived again from the mount and extracted on the
/// host, it is the same tree. At the volume root and in a subdirectory.
#[test]
fn tar_round_trips_symlink_texts_through_the_mount() {
    if !usable(&["tar", "ln"]) {
        return;
    }
    let host = TempDir::new("tar-host");
    let src = host.0.join("src");
    std::fs::create_dir_all(src.join("sub")).unwrap();
    std::fs::write(src.join("sub/f"), b"f\n").unwrap();
    std::fs::write(src.join("top.txt"), b"top\n").unwrap();
    for (name, text) in LINKS {
        run(&src, "ln", &["-s", text, name]);
    }
    let want = tree(&src);
    let a_tar = host.0.join("a.tar");
    run(&src, "tar", &["-cf", a_tar.to_str().unwrap(), "."]);

    let mnt = Mounted::new("tar");
    for (i, dest) in ["C", "C/extract/here"].into_iter().enumerate() {
        let on_mount = mnt.path(dest);
        std::fs::create_dir_all(&on_mount).unwrap();
        run(&on_mount, "tar", &["-xf", a_tar.to_str().unwrap()]);
        for (name, text) in LINKS {
            let got = std::fs::read_link(on_mount.join(name))
                .unwrap_or_else(|e| panic!("{dest}/{name}: {e}"));
            assert_eq!(got.to_str(), Some(*text), "readlink {dest}/{name}");
        }
        let mut on_mount_tree = tree(&on_mount);
        on_mount_tree.retain(|(p, _)| !p.starts_with("extract"));
        assert_eq!(on_mount_tree, want, "the tree on the mount at {dest}");

        let b_tar = host.0.join(format!("b{i}.tar"));
        let members: Vec<&str> = LINKS
            .iter()
            .map(|(n, _)| *n)
            .chain(["sub", "top.txt"])
            .filter(|n| !n.starts_with("sub/"))
            .collect();
        let mut args = vec!["-cf", b_tar.to_str().unwrap()];
        args.extend(&members);
        run(&on_mount, "tar", &args);
        let back = host.0.join(format!("back{i}"));
        std::fs::create_dir(&back).unwrap();
        run(&back, "tar", &["-xf", b_tar.to_str().unwrap()]);
        assert_eq!(tree(&back), want, "archived again from {dest}");
    }
}
