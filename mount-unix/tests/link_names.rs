//! Every name of a symbolic-link file resolves from its own directory (issue 11
//! item 2, "escape"): the kernel asks for a link's text by node id, so each name
//! gets its own FUSE node id while all names keep the file's one st_ino (HL3:
//! hard links are one file).
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use std::os::unix::fs::MetadataExt;
use std::path::Path;
use std::process::{Command, Output};

/// nobody:nogroup, an unprivileged user.
const NOBODY: u32 = 65534;

/// Runs `script` with sh in `dir` as the unprivileged user.
fn as_nobody(dir: &Path, script: &str) -> Output {
    Command::new("setpriv")
        .args([
            &format!("--reuid={NOBODY}"),
            &format!("--regid={NOBODY}"),
            "--clear-groups",
            "sh",
            "-c",
            script,
        ])
        .current_dir(dir)
        .output()
        .expect("setpriv")
}

fn text(o: &Output) -> String {
    String::from_utf8_lossy(&o.stdout).trim_end().to_string()
}

/// The issue's reproduction: a symlink to `C:\etc\passwd` six directories deep
/// and a second hard link of it in the top directory. Through the deep name's
/// text (`../` x 7), the shallow name climbed above the mount root and `cat`
/// printed the host's /etc/passwd.
#[test]
fn a_shallower_hard_link_of_a_symlink_cannot_escape_the_mount() {
    let Some(t) = mount_default() else { return };
    let u = t.path("C/u");
    std::fs::create_dir(&u).unwrap();
    std::os::unix::fs::chown(&u, Some(NOBODY), Some(NOBODY)).unwrap();
    std::fs::set_permissions(&u, std::os::unix::fs::PermissionsExt::from_mode(0o755)).unwrap();

    let setup = as_nobody(
        &u,
        r"mkdir -p a/b/c/d/e/f && ln -s 'C:\etc\passwd' a/b/c/d/e/f/s && ln a/b/c/d/e/f/s s2",
    );
    assert!(
        setup.status.success(),
        "{}",
        String::from_utf8_lossy(&setup.stderr)
    );

    let cat = as_nobody(&u, "cat s2");
    assert!(
        !text(&cat).contains("root:"),
        "the host's /etc/passwd was read through the mount: {}",
        text(&cat)
    );
    assert!(
        !cat.status.success(),
        "C:\\etc\\passwd does not exist on the volume"
    );

    // Each name's text is the way from its own directory (C/u, C/u/a/.../f) to C:\etc\passwd.
    assert_eq!(text(&as_nobody(&u, "readlink s2")), "../etc/passwd");
    assert_eq!(
        text(&as_nobody(&u, "readlink a/b/c/d/e/f/s")),
        "../../../../../../../etc/passwd"
    );
    let inos = text(&as_nobody(&u, "stat -c %i s2 a/b/c/d/e/f/s"));
    let inos: Vec<&str> = inos.lines().collect();
    assert_eq!(inos.len(), 2);
    assert_eq!(inos[0], inos[1], "both names are one file: one st_ino");
    let (a, b) = (
        std::fs::symlink_metadata(u.join("s2")).unwrap(),
        std::fs::symlink_metadata(u.join("a/b/c/d/e/f/s")).unwrap(),
    );
    assert_eq!((a.ino(), a.nlink(), b.nlink()), (b.ino(), 2, 2));
    assert_eq!(
        (a.len(), b.len()),
        (13, 31),
        "st_size is each name's text length"
    );

    // Once the target exists, both names reach it, as the core resolves them.
    std::fs::create_dir(t.path("C/etc")).unwrap();
    std::fs::write(t.path("C/etc/passwd"), b"inside the volume\n").unwrap();
    assert_eq!(text(&as_nobody(&u, "cat s2")), "inside the volume");
    assert_eq!(
        text(&as_nobody(&u, "cat a/b/c/d/e/f/s")),
        "inside the volume"
    );
}

/// A name moved to another directory resolves from its new place; a new hard
/// link made through the mount resolves from where it was made.
#[test]
fn moved_and_new_names_of_a_symlink_resolve_from_their_directory() {
    let Some(t) = mount_default() else { return };
    let c = t.path("C");
    std::fs::create_dir_all(c.join("x/y")).unwrap();
    std::fs::write(c.join("target"), b"T").unwrap();
    std::os::unix::fs::symlink(r"C:\target", c.join("x/y/s")).unwrap();
    std::fs::hard_link(c.join("x/y/s"), c.join("s2")).unwrap();
    assert_eq!(
        std::fs::read_link(c.join("x/y/s")).unwrap(),
        Path::new("../../target")
    );
    assert_eq!(
        std::fs::read_link(c.join("s2")).unwrap(),
        Path::new("target")
    );
    std::fs::rename(c.join("s2"), c.join("x/s3")).unwrap();
    assert_eq!(
        std::fs::read_link(c.join("x/s3")).unwrap(),
        Path::new("../target")
    );
    assert_eq!(std::fs::read(c.join("x/s3")).unwrap(), b"T");
    std::fs::hard_link(c.join("x/s3"), c.join("x/y/s4")).unwrap();
    assert_eq!(
        std::fs::read_link(c.join("x/y/s4")).unwrap(),
        Path::new("../../target")
    );
    for name in ["x/y/s", "x/s3", "x/y/s4"] {
        assert_eq!(std::fs::read(c.join(name)).unwrap(), b"T", "{name}");
    }
    // A listing (READDIRPLUS) hands out the same per-name view.
    let listed: Vec<_> = std::fs::read_dir(c.join("x"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert!(listed.iter().any(|n| n == "s3"));
    assert_eq!(
        std::fs::read_link(c.join("x/s3")).unwrap(),
        Path::new("../target")
    );
}

/// Nothing `p` leads to lies outside `root`.
fn assert_inside(root: &Path, p: &Path) {
    if let Ok(real) = std::fs::canonicalize(p) {
        assert!(
            real.starts_with(root),
            "{p:?} resolves to {real:?}, outside {root:?}"
        );
    }
}

/// Targets a symlink file may hold; `{case}` is the case's directory.
const TARGETS: &[&str] = &[
    "t",
    r"..\t",
    r"..\..\t",
    r"..\..\..\..\..\..\..\..\..\etc\passwd",
    r"C:\t",
    r"\t",
    r"C:\{case}\a\b\t",
    r"C:\{case}\..\..\t",
];

/// The directories of a case, by depth: C:\case, C:\case\a, ... C:\case\a\b\c\d.
fn dir_at(case: &str, depth: usize) -> String {
    let mut d = format!(r"C:\{case}");
    for part in ["a", "b", "c", "d"].iter().take(depth) {
        d.push('\\');
        d.push_str(part);
    }
    d
}

/// Random multiply-linked symlink files at different depths (one mount, 32
/// cases): each name reads through the mount exactly what the core reads from
/// that name, and nothing resolves outside the mount.
#[test]
fn each_name_reads_what_the_core_reads_from_it() {
    use proptest::prelude::*;
    use proptest::test_runner::{Config, TestRunner};
    let Some(t) = mount_default() else { return };
    let root = t.root.canonicalize().unwrap();
    let case_no = std::cell::Cell::new(0);
    let mut runner = TestRunner::new(Config {
        cases: 32,
        ..Config::default()
    });
    let cases = (0..TARGETS.len(), proptest::collection::vec(0usize..5, 1..4));
    let r = runner.run(&cases, |(target, depths)| {
        case_no.set(case_no.get() + 1);
        let case = format!("p{}", case_no.get());
        let text = TARGETS[target].replace("{case}", &case);
        let names: Vec<String> = depths
            .iter()
            .enumerate()
            .map(|(i, &d)| format!(r"{}\s{i}", dir_at(&case, d)))
            .collect();
        let core: Vec<Result<Vec<u8>, _>> = {
            let mut m = t.m.write();
            for d in 0..5 {
                m.create_directory(&dir_at(&case, d)).unwrap();
            }
            m.write_file(&format!(r"C:\{case}\t"), b"case top").unwrap();
            m.write_file(&format!(r"C:\{case}\a\b\t"), b"case middle")
                .unwrap();
            m.write_file(r"C:\t", b"volume root").unwrap();
            m.create_symbolic_link(&names[0], &text, ntlinkfs_core::SymlinkFlags::default())
                .unwrap();
            for n in &names[1..] {
                m.create_hard_link(n, &names[0]).unwrap();
            }
            names.iter().map(|n| m.read_file(n)).collect()
        };
        for (name, want) in names.iter().zip(core) {
            let (letter, names) = ntlinkfs_core::path::drive_components(name).unwrap();
            let p = t.path(&format!("{}/{}", letter as char, names.join("/")));
            let got = std::fs::read(&p);
            match want {
                Ok(bytes) => prop_assert_eq!(got.ok(), Some(bytes), "{} -> {}", name, text),
                Err(_) => prop_assert!(
                    got.is_err(),
                    "{} -> {}: the core finds nothing, the mount read {:?}",
                    name,
                    text,
                    got
                ),
            }
            assert_inside(&root, &p);
        }
        Ok(())
    });
    r.unwrap();
}
