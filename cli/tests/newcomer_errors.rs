//! What a newcomer gets wrong, answered through the binary with what to do
//! (issue 13): an unknown profile lists the names (build numbers only as
//! `build:N`), and a mount that cannot work says what is missing. Exact text,
//! exit code 1 or 2, never a panic.

use std::process::Command;

fn exe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ntlinkfs"))
}

/// (exit code, standard output, standard error).
fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("ntlinkfs runs");
    (
        out.status.code().expect("exited, not killed"),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

const NAMES: &str = "expected one of nt4, 2000, xp, 2003, vista, 7, 10-1507, 10-1607, \
                     10-1703, 10-1709, 10-1903, 10, 11 (or build:NUMBER), optionally \
                     followed by +dev, -user, +longpaths";

#[test]
fn an_unknown_profile_lists_the_names() {
    let rows = [
        (
            "1709",
            "a build number is written build:1709 (Windows 10 1709 is 10-1709); ",
        ),
        ("win98", ""),
        ("7x", ""),
    ];
    for command in ["demo", "shell"] {
        for (profile, hint) in rows {
            let (code, out, err) = run(exe().args([command, "--profile", profile]));
            let want = format!(
                "error: invalid value '{profile}' for '--profile <NAME>': \
                 unknown profile '{profile}': {hint}{NAMES}\n\n\
                 For more information, try '--help'.\n"
            );
            assert_eq!((code, out.as_str(), err.as_str()), (2, "", want.as_str()));
        }
    }
    // The explicit form names the build.
    let (code, out, _) = run(exe().args(["demo", "--profile", "build:1709"]));
    assert_eq!(code, 0);
    assert!(
        out.starts_with(
            "Hard links, junctions and symbolic links on profile build:1709 (Windows build 1709)."
        ),
        "{out}"
    );
}

#[cfg(target_os = "linux")]
#[test]
fn a_mount_point_that_does_not_exist_is_named() {
    // Needs /dev/fuse and root to reach the directory check.
    // SAFETY: geteuid cannot fail.
    if !std::path::Path::new("/dev/fuse").exists() || unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: needs /dev/fuse and root");
        return;
    }
    let mp = std::env::temp_dir().join(format!("ntlinkfs-absent-{}", std::process::id()));
    let (code, out, err) = run(exe().arg("mount").arg(&mp));
    let want = format!(
        "ntlinkfs: cannot mount at {0}: the directory does not exist \
         (create it first: mkdir {0})\n",
        mp.display()
    );
    assert_eq!((code, out.as_str(), err.as_str()), (1, "", want.as_str()));
}

/// `ntlinkfs mount` as an ordinary user on a system without fusermount3
/// (PATH without it): what is needed, not an errno about /dev/fuse or the
/// directory. Run as nobody through setpriv when the test runs as root.
#[cfg(target_os = "linux")]
#[test]
fn mounting_without_root_or_fusermount3_says_what_to_install() {
    if !std::path::Path::new("/dev/fuse").exists() {
        eprintln!("skipped: no /dev/fuse");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let bin = env!("CARGO_BIN_EXE_ntlinkfs");
    // SAFETY: geteuid cannot fail.
    let mut cmd = if unsafe { libc::geteuid() } == 0 {
        let setpriv = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
            .map(|d| d.join("setpriv"))
            .find(|p| p.is_file());
        let Some(setpriv) = setpriv else {
            if std::env::var("CI").is_ok_and(|v| v == "true") {
                panic!("CI=true but setpriv (util-linux) is missing");
            }
            eprintln!("skipped: no setpriv to drop root");
            return;
        };
        let mut c = Command::new(setpriv);
        c.args(["--reuid=65534", "--regid=65534", "--clear-groups", bin]);
        c
    } else {
        Command::new(bin)
    };
    // No fusermount3 in this PATH.
    cmd.env("PATH", "/nonexistent");
    let (code, out, err) = run(cmd.arg("mount").arg(dir.path()));
    assert_eq!(
        (code, out.as_str(), err.as_str()),
        (
            1,
            "",
            "ntlinkfs: mounting needs root or fusermount3, and this is neither: install \
             fuse3 as root for fusermount3, which lets users mount (`apt-get install \
             fuse3`), or run ntlinkfs as root (`sudo ntlinkfs mount ...`)\n"
        )
    );
}

/// Root without CAP_SYS_ADMIN and no fusermount3 (a container started
/// without `--cap-add SYS_ADMIN`): what to add, not "needs root".
#[cfg(target_os = "linux")]
#[test]
fn root_without_cap_sys_admin_is_told_to_add_it() {
    // SAFETY: geteuid cannot fail.
    if !std::path::Path::new("/dev/fuse").exists() || unsafe { libc::geteuid() } != 0 {
        eprintln!("skipped: needs /dev/fuse and root");
        return;
    }
    let Some(setpriv) = std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default())
        .map(|d| d.join("setpriv"))
        .find(|p| p.is_file())
    else {
        if std::env::var("CI").is_ok_and(|v| v == "true") {
            panic!("CI=true but setpriv (util-linux) is missing");
        }
        eprintln!("skipped: no setpriv");
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let mut cmd = Command::new(setpriv);
    cmd.args(["--inh-caps=-sys_admin", "--bounding-set=-sys_admin"])
        .arg(env!("CARGO_BIN_EXE_ntlinkfs"))
        .arg("mount")
        .arg(dir.path())
        // No fusermount3 in this PATH.
        .env("PATH", "/nonexistent");
    let (code, out, err) = run(&mut cmd);
    let want = format!(
        "ntlinkfs: cannot mount at {}: mount(2) was refused: root without CAP_SYS_ADMIN \
         cannot mount (in a container, start it with `--cap-add SYS_ADMIN`)\n",
        dir.path().display()
    );
    assert_eq!((code, out.as_str(), err.as_str()), (1, "", want.as_str()));
}
