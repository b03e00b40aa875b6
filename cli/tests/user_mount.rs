//! Mounting without root through fusermount3 (issue 13 item 6): an ordinary
//! user mounts on a directory they own, creates and lists files, and
//! unmounts with `ntlinkfs unmount`. Run as root, the test drops to nobody
//! (uid 65534) with setpriv. Skips without /dev/fuse, fusermount3 or setpriv
//! unless CI=true (then a missing piece fails).
#![cfg(target_os = "linux")]

use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

const USER: u32 = 65534;

fn in_path(program: &str) -> Option<PathBuf> {
    std::env::split_paths(&std::env::var_os("PATH")?)
        .map(|d| d.join(program))
        .find(|p| p.is_file())
}

/// Whether the pieces are here; a missing one fails under CI=true.
fn available() -> bool {
    let missing = [
        (!Path::new("/dev/fuse").exists()).then_some("/dev/fuse"),
        in_path("fusermount3")
            .is_none()
            .then_some("fusermount3 (apt-get install fuse3)"),
        in_path("setpriv")
            .is_none()
            .then_some("setpriv (util-linux)"),
        // fusermount3 opens the device as the user; udev makes it 0666.
        std::fs::metadata("/dev/fuse")
            .is_ok_and(|m| m.mode() & 0o006 != 0o006)
            .then_some("a /dev/fuse open to users (chmod 0666 /dev/fuse)"),
    ];
    let missing: Vec<&str> = missing.into_iter().flatten().collect();
    if missing.is_empty() {
        return true;
    }
    if std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but {} is missing", missing.join(", "));
    }
    eprintln!("skipped: no {}", missing.join(", "));
    false
}

fn root() -> bool {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() == 0 }
}

/// `program args` as the test user (as ourselves when not root).
fn as_user(program: &str, args: &[&str]) -> Output {
    let mut cmd = if root() {
        let mut c = Command::new("setpriv");
        c.arg(format!("--reuid={USER}"))
            .arg(format!("--regid={USER}"))
            .arg("--clear-groups")
            .arg(program);
        c
    } else {
        Command::new(program)
    };
    cmd.args(args).current_dir("/").output().expect("runs")
}

fn mounted(mp: &Path) -> Option<String> {
    let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap();
    let mp = mp.to_str().unwrap();
    mounts
        .lines()
        .find(|l| l.split(' ').nth(1) == Some(mp))
        .map(str::to_string)
}

/// The mount point, owned by the test user; unmounted and removed at the end
/// even when the test fails.
struct MountPoint(PathBuf);

impl Drop for MountPoint {
    fn drop(&mut self) {
        if mounted(&self.0).is_some() {
            let _ = Command::new("fusermount3")
                .args(["-u", "-z", "--"])
                .arg(&self.0)
                .status();
            if mounted(&self.0).is_some() {
                let _ = Command::new("umount").arg("-l").arg(&self.0).status();
            }
        }
        let _ = std::fs::remove_dir(&self.0);
    }
}

#[test]
fn a_user_mounts_writes_lists_and_unmounts_through_fusermount3() {
    if !available() {
        return;
    }
    let bin = env!("CARGO_BIN_EXE_ntlinkfs");
    let mp = MountPoint(std::env::temp_dir().join(format!("ntlinkfs-user-{}", std::process::id())));
    std::fs::create_dir(&mp.0).unwrap();
    if root() {
        std::os::unix::fs::chown(&mp.0, Some(USER), Some(USER)).unwrap();
    }
    let dir = mp.0.to_str().unwrap();
    let uid = std::fs::metadata(dir).unwrap().uid();

    let out = as_user(bin, &["mount", dir, "--background"]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "mount failed: {err}");
    let line = mounted(&mp.0).expect("mounted");
    assert!(
        line.starts_with(&format!("ntlinkfs {dir} fuse.ntlinkfs ")),
        "{line}"
    );
    // fusermount3 made it for this user, with the kernel's permission checks;
    // the daemon's note on who may enter reaches the caller of --background.
    assert!(line.contains(&format!("user_id={uid},")), "{line}");
    let note = if line.contains("allow_other") {
        "other users may enter"
    } else {
        "only you can enter the mount"
    };
    assert!(err.contains(note), "{err}");
    assert!(line.contains("default_permissions"), "{line}");

    // The user's new volumes are theirs: files, a hard link, a listing.
    let script = format!(
        "cd {dir}/C && printf hello > a.txt && ln a.txt b.txt && mkdir sub && \
         ls && stat -c '%h %u %s' b.txt && cat b.txt"
    );
    let out = as_user("sh", &["-c", &script]);
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        format!("a.txt\nb.txt\nsub\n2 {uid} 5\nhello"),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let out = as_user(bin, &["unmount", dir]);
    assert!(
        out.status.success(),
        "unmount failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert_eq!(mounted(&mp.0), None);
}

/// Root without CAP_SYS_ADMIN (a container started without `--cap-add
/// SYS_ADMIN`): mount(2) is refused, fusermount3 is tried and refused too,
/// and the error says what to add.
#[test]
fn root_without_cap_sys_admin_is_told_what_to_add() {
    if !root() {
        eprintln!("skipped: needs root to drop CAP_SYS_ADMIN");
        return;
    }
    if !available() {
        return;
    }
    let mp =
        MountPoint(std::env::temp_dir().join(format!("ntlinkfs-nocap-{}", std::process::id())));
    std::fs::create_dir(&mp.0).unwrap();
    let out = Command::new("setpriv")
        .args(["--inh-caps=-sys_admin", "--bounding-set=-sys_admin"])
        .arg(env!("CARGO_BIN_EXE_ntlinkfs"))
        .arg("mount")
        .arg(&mp.0)
        .output()
        .unwrap();
    let helper = in_path("fusermount3").unwrap();
    assert_eq!(
        (
            out.status.code(),
            String::from_utf8_lossy(&out.stderr).into_owned()
        ),
        (
            Some(1),
            format!(
                "ntlinkfs: cannot mount at {}: mount(2) was refused: root without \
                 CAP_SYS_ADMIN cannot mount (in a container, start it with `--cap-add \
                 SYS_ADMIN`), and fusermount3 could not mount (exit status: 1): {}: mount \
                 failed: Operation not permitted\n",
                mp.0.display(),
                helper.display()
            )
        )
    );
    assert_eq!(mounted(&mp.0), None);
}
