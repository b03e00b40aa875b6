//! `--image`, `image info`, `copy` and `audit` through the `ntlinkfs` binary,
//! on the emulated machine (no mount needed).

use serde_json::Value;
use std::io::Write;
use std::path::Path;
use std::process::{Command, Output, Stdio};

fn ntlinkfs(args: &[&str], stdin: &str) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ntlinkfs"))
        .args(args)
        .env_remove("NTLINKFS_FIXED_CLOCK")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("run ntlinkfs");
    // The command may exit before reading (a refused image): a closed pipe is fine.
    let _ = child.stdin.take().unwrap().write_all(stdin.as_bytes());
    child.wait_with_output().unwrap()
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

#[test]
fn image_survives_run_shell_and_save_with_links_intact() {
    let d = tempfile::tempdir().unwrap();
    let img = d.path().join("vol.img");
    let script = "mkdir C:\\data\r\necho hello> C:\\data\\a.txt\r\nmklink /H C:\\data\\b.txt C:\\data\\a.txt\r\nmklink /J C:\\j C:\\data\r\n";
    let o = ntlinkfs(&["run", "-", "--image", s(&img)], script);
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(text(&o.stderr).contains("Saved "), "{}", text(&o.stderr));
    // A second session sees the links; SAVE writes on demand.
    let o = ntlinkfs(
        &["shell", "--image", s(&img)],
        "fsutil hardlink list C:\\j\\b.txt\nmklink /H C:\\data\\c.txt C:\\data\\a.txt\nsave\nexit\n",
    );
    let out = text(&o.stdout);
    assert!(out.contains("\\data\\a.txt\n\\data\\b.txt"), "{out}");
    assert!(out.contains(&format!("Saved {}", img.display())), "{out}");
    let o = ntlinkfs(&["image", "info", s(&img)], "");
    assert!(o.status.success());
    let info = text(&o.stdout);
    assert!(info.contains("format version 3"), "{info}");
    assert!(
        info.contains("1 (+2)"),
        "one file with two extra names: {info}"
    );
}

#[test]
fn damaged_image_is_refused_and_left_untouched() {
    let d = tempfile::tempdir().unwrap();
    let img = d.path().join("vol.img");
    assert!(
        ntlinkfs(&["run", "-", "--image", s(&img)], "echo x> C:\\x\r\n")
            .status
            .success()
    );
    let mut bytes = std::fs::read(&img).unwrap();
    bytes.truncate(bytes.len() / 2);
    std::fs::write(&img, &bytes).unwrap();
    for args in [
        vec!["shell", "--image", s(&img)],
        vec!["run", "-", "--image", s(&img)],
    ] {
        let o = ntlinkfs(&args, "echo y> C:\\y\r\n");
        assert_eq!(o.status.code(), Some(2));
        assert!(
            text(&o.stderr).contains("image is truncated"),
            "{}",
            text(&o.stderr)
        );
    }
    let o = ntlinkfs(&["image", "info", s(&img)], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("image is truncated"));
    assert_eq!(
        std::fs::read(&img).unwrap(),
        bytes,
        "the damaged file is not overwritten"
    );
    std::fs::write(&img, b"not an image at all").unwrap();
    let o = ntlinkfs(&["image", "info", s(&img)], "");
    assert!(text(&o.stderr).contains("not an ntlinkfs image"));
}

#[test]
fn demo_refuses_an_existing_image() {
    let d = tempfile::tempdir().unwrap();
    let img = d.path().join("vol.img");
    assert!(ntlinkfs(&["run", "-", "--image", s(&img)], "")
        .status
        .success());
    let o = ntlinkfs(&["run", "-", "--demo", "--image", s(&img)], "");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        text(&o.stderr).contains("--demo builds a new machine"),
        "{}",
        text(&o.stderr)
    );
}

#[test]
fn copy_and_audit_subcommands_on_the_demo_profile() {
    let d = tempfile::tempdir().unwrap();
    let img = d.path().join("demo.img");
    let o = ntlinkfs(
        &[
            "copy",
            "--demo",
            "--image",
            s(&img),
            "--quiet",
            "--junctions",
            "follow",
            "--file-symlinks",
            "follow",
            r"C:\Users\Alice",
            r"D:\Backup",
        ],
        "",
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    let out = text(&o.stdout);
    assert!(
        out.contains(r"<JUNCTION> C:\Users\Alice\AppData\Local\Application Data -> C:\Users\Alice\AppData\Local: loop, not followed"),
        "{out}"
    );
    assert!(
        out.contains("dangling (ERROR_FILE_NOT_FOUND), not followed"),
        "{out}"
    );
    assert!(out.contains("Errors: none"), "{out}");
    let o = ntlinkfs(&["audit", "--image", s(&img), r"D:\Backup", "--json"], "");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    // Followed: no junction is left in the copy, only the copied symlink inside D:\Projects.
    assert_eq!(v["summary"]["links"], 1, "{v}");
    assert_eq!(v["links"][0]["path"], r"D:\Backup\Projects\app\current");
    assert_eq!(v["links"][0]["kind"], "directory_symlink");
    let o = ntlinkfs(&["audit", "--image", s(&img), r"C:\Users\Alice"], "");
    assert!(
        text(&o.stdout).contains("1 loops, 1 cross-volume"),
        "{}",
        text(&o.stdout)
    );
    let o = ntlinkfs(&["audit", "--image", s(&img), r"C:\nope"], "");
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("The system cannot find the file specified."));
    let o = ntlinkfs(
        &["copy", "--image", s(&img), r"C:\Users", r"C:\Users\Alice\x"],
        "",
    );
    assert_eq!(o.status.code(), Some(1));
    assert!(text(&o.stderr).contains("Cannot perform a cyclic copy"));
    let o = ntlinkfs(&["copy", r"C:\a", "/tmp/b"], "");
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn image_keeps_its_profile_unless_profile_is_given() {
    let d = tempfile::tempdir().unwrap();
    let img = d.path().join("vol.img");
    let o = ntlinkfs(
        &["run", "-", "--profile", "xp", "--image", s(&img)],
        "ver\r\n",
    );
    assert!(o.status.success(), "{}", text(&o.stderr));
    assert!(
        text(&o.stdout).contains("[Version 5.1.2600]"),
        "{}",
        text(&o.stdout)
    );
    // Reopened without --profile: the saved profile.
    let o = ntlinkfs(&["run", "-", "--image", s(&img)], "ver\r\n");
    assert!(
        text(&o.stdout).contains("[Version 5.1.2600]"),
        "{}",
        text(&o.stdout)
    );
    // An explicit --profile replays the same volumes under another version.
    let o = ntlinkfs(
        &["run", "-", "--profile", "11", "--image", s(&img)],
        "ver\r\n",
    );
    assert!(
        text(&o.stdout).contains("[Version 10.0.26100]"),
        "{}",
        text(&o.stdout)
    );
}

/// Issue 14: the `--demo` compatibility junctions' DACL (Everyone denied
/// listing) is saved in the image: a later session loads it, and listing the
/// junction is still refused while paths through it work.
#[test]
fn demo_junction_dacls_survive_the_image() {
    let d = tempfile::tempdir().unwrap();
    let img = d.path().join("demo.img");
    let o = ntlinkfs(&["run", "-", "--demo", "--image", s(&img)], "");
    assert!(o.status.success(), "{}", text(&o.stderr));
    let o = ntlinkfs(
        &["shell", "--image", s(&img)],
        "icacls \"C:\\Documents and Settings\" /L\ndir \"C:\\Documents and Settings\"\ntype \"C:\\Documents and Settings\\Alice\\My Documents\\report.txt\"\nexit\n",
    );
    let out = text(&o.stdout);
    assert!(
        out.contains("C:\\Documents and Settings Everyone:(DENY)(S,RD)\n"),
        "{out}"
    );
    assert!(out.contains("BUILTIN\\Administrators:(F)"), "{out}");
    assert!(out.contains("File Not Found"), "{out}");
    assert!(out.contains("Quarterly report"), "{out}");
}
