//! `ntlinkfs copy` from and to a mounted volume, and the image saved on
//! unmount, through the real binary and a FUSE mount of the demo profile.
//! Needs root and /dev/fuse: skips without them, except under CI=true.
#![cfg(target_os = "linux")]

use ntlinkfs_core::ReparseData;
use serde_json::Value;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::time::{Duration, Instant};

fn ntlinkfs(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_ntlinkfs"))
        .args(args)
        .output()
        .expect("run ntlinkfs")
}

fn fuse_available() -> bool {
    // SAFETY: geteuid cannot fail.
    let ok = Path::new("/dev/fuse").exists() && unsafe { libc::geteuid() } == 0;
    if !ok && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but FUSE is not usable here (/dev/fuse and root are required)");
    }
    if !ok {
        eprintln!("skipping: /dev/fuse missing or not root");
    }
    ok
}

/// A background mount of the demo profile, unmounted when dropped.
struct DemoMount {
    mp: PathBuf,
    mounted: bool,
}

impl DemoMount {
    fn new(dir: &Path, image: &Path) -> DemoMount {
        let mp = dir.join("mnt");
        std::fs::create_dir(&mp).unwrap();
        // The daemon keeps the standard error it inherits: not a pipe we wait on.
        let status = Command::new(env!("CARGO_BIN_EXE_ntlinkfs"))
            .args(["mount", mp.to_str().unwrap(), "--demo", "--image"])
            .arg(image)
            .arg("--background")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .expect("run ntlinkfs mount");
        assert!(status.success());
        DemoMount { mp, mounted: true }
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.mp.join(rel)
    }

    fn unmount(&mut self) {
        if self.mounted {
            self.mounted = false;
            let o = ntlinkfs(&["unmount", self.mp.to_str().unwrap()]);
            assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        }
    }
}

impl Drop for DemoMount {
    fn drop(&mut self) {
        if self.mounted {
            let _ = ntlinkfs(&["unmount", self.mp.to_str().unwrap()]);
        }
    }
}

fn copy(args: &[&str]) -> String {
    let mut all = vec!["copy", "--quiet"];
    all.extend_from_slice(args);
    let o = ntlinkfs(&all);
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        o.status.success(),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    out
}

fn junction_target(p: &Path) -> String {
    let raw = xattr::get(p, "system.ntfs_reparse_data")
        .unwrap()
        .expect("a reparse point");
    match ReparseData::decode(&raw).unwrap() {
        ReparseData::MountPoint { substitute, .. } => String::from_utf16_lossy(&substitute),
        other => panic!("not a junction: {other:?}"),
    }
}

#[test]
fn copy_from_and_to_a_mounted_volume_keeps_links_and_the_image_on_unmount() {
    if !fuse_available() {
        return;
    }
    let d = tempfile::tempdir().unwrap();
    let img = d.path().join("demo.img");
    let mut m = DemoMount::new(d.path(), &img);
    let alice = m.path("C/Users/Alice");
    let alice = alice.to_str().unwrap();

    // Mount -> host directory, junctions re-mapped: relative links into the copy.
    let out = d.path().join("out");
    let report = copy(&[alice, out.to_str().unwrap(), "--junctions", "remap"]);
    assert!(report.contains("Errors: none"), "{report}");
    assert_eq!(
        std::fs::read_link(out.join("My Documents")).unwrap(),
        Path::new("Documents")
    );
    assert_eq!(
        std::fs::read_link(out.join("AppData/Local/Application Data")).unwrap(),
        Path::new(".")
    );
    assert_eq!(
        std::fs::read(out.join("My Documents/report.txt")).unwrap(),
        b"Quarterly report\r\n"
    );
    let (a, b) = (
        std::fs::metadata(out.join("Documents/notes.txt")).unwrap(),
        std::fs::metadata(out.join("Desktop/notes.txt")).unwrap(),
    );
    assert_eq!((a.ino(), a.nlink()), (b.ino(), 2));

    // Mount -> mount: junctions stay junctions (ntfs-3g style), copied unchanged
    // or rebuilt into the copy.
    let kept = m.path("D/Kept");
    copy(&[alice, kept.to_str().unwrap()]);
    assert_eq!(
        junction_target(&kept.join("My Documents")),
        r"\??\C:\Users\Alice\Documents"
    );
    let remapped = m.path("D/Remapped");
    let report = copy(&[alice, remapped.to_str().unwrap(), "--junctions", "remap"]);
    assert!(
        report.contains(r"remapped to D:\Remapped\AppData\Local"),
        "{report}"
    );
    assert_eq!(
        junction_target(&remapped.join("My Documents")),
        r"\??\D:\Remapped\Documents"
    );

    // Host directory -> mount: POSIX symlinks become NTFS symlinks, hard links stay.
    let back = m.path("D/FromHost");
    copy(&[out.to_str().unwrap(), back.to_str().unwrap()]);
    assert_eq!(
        std::fs::metadata(back.join("Documents/notes.txt"))
            .unwrap()
            .nlink(),
        2
    );
    assert_eq!(
        std::fs::read(back.join("My Documents/report.txt")).unwrap(),
        b"Quarterly report\r\n"
    );

    // The audit of the mounted tree agrees with the core's (J14 loop, J2 cross-volume).
    let o = ntlinkfs(&["audit", alice, "--json"]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let summary = &v["summary"];
    assert_eq!(
        [
            &summary["links"],
            &summary["loops"],
            &summary["dangling"],
            &summary["cross_volume"]
        ],
        [8, 1, 1, 1]
    );
    let o = ntlinkfs(&[
        "audit",
        m.path("C/Windows/System32").to_str().unwrap(),
        "--json",
    ]);
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let names = v["hard_link_groups"][0]["names"].as_array().unwrap();
    assert_eq!(names.len(), 2, "{v}");
    assert_eq!(
        names[1]["inside"], false,
        "the WinSxS name lies outside System32"
    );

    // Unmounting saves the image; the audit of the saved machine sees the junctions.
    m.unmount();
    let deadline = Instant::now() + Duration::from_secs(20);
    while !img.exists() && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    let o = ntlinkfs(&[
        "audit",
        "--image",
        img.to_str().unwrap(),
        r"D:\Remapped",
        "--json",
    ]);
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let v: Value = serde_json::from_slice(&o.stdout).unwrap();
    let loop_link = v["links"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["path"] == r"D:\Remapped\AppData\Local\Application Data")
        .expect("the loop junction was copied");
    assert_eq!(loop_link["kind"], "junction");
    assert_eq!(loop_link["loop"], true);
    assert_eq!(loop_link["resolves_to"], r"D:\Remapped\AppData\Local");
    assert_eq!(v["hard_link_groups"][0]["link_count"], 2);
}
