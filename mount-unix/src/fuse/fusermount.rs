//! Mounting without root through fusermount3, the setuid helper of the fuse3
//! package, as libfuse-based file systems do (Linux only). The protocol,
//! learnt from libfuse's lib/mount.c and util/fusermount.c:
//!
//! - we make a Unix stream socket pair and start
//!   `fusermount3 -o OPTIONS -- MOUNTPOINT` with one end inherited and its
//!   number in the `_FUSE_COMMFD` environment variable;
//! - fusermount3 opens /dev/fuse, mounts it (it may: it is setuid root, and it
//!   checks that the user owns or may write the mount point and may use the
//!   options), sends the open device back as SCM_RIGHTS ancillary data with
//!   one byte of payload, and exits;
//! - we serve that device as if we had opened and mounted it ourselves;
//! - `fusermount3 -u -z -- MOUNTPOINT` unmounts (lazily) as the same user.

use super::channel::MountConfig;
use super::fd_passing::{receive_fd, socket_pair};
use std::fs::File;
use std::io::{self, Read};
use std::os::fd::AsRawFd;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The helper's name; it is looked up in PATH, as libfuse does first.
pub const PROGRAM: &str = "fusermount3";

/// Where fusermount3 is, if anywhere in PATH.
pub fn find() -> Option<PathBuf> {
    find_in(std::env::var_os("PATH")?.as_os_str())
}

fn find_in(path: &std::ffi::OsStr) -> Option<PathBuf> {
    use std::os::unix::fs::PermissionsExt;
    std::env::split_paths(path)
        .map(|dir| dir.join(PROGRAM))
        .find(|p| {
            std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
}

/// Whether /etc/fuse.conf's text lets users mount with allow_other: a line
/// `user_allow_other` by itself (a `#` starts a comment).
pub fn user_allow_other(conf: &str) -> bool {
    conf.lines()
        .map(|l| l.split('#').next().unwrap_or("").trim())
        .any(|l| l == "user_allow_other")
}

/// Whether this system's /etc/fuse.conf lets users use allow_other (no file:
/// no).
pub fn system_allows_other() -> bool {
    std::fs::read_to_string("/etc/fuse.conf").is_ok_and(|c| user_allow_other(&c))
}

/// The `-o` argument for `cfg`. fusermount3 adds nosuid and nodev for users
/// itself, and refuses options a user may not set.
pub fn options(cfg: &MountConfig) -> String {
    let mut o = vec![
        format!("fsname={}", cfg.fsname),
        format!("subtype={}", cfg.subtype),
    ];
    o.extend(cfg.flag_options().map(String::from));
    o.join(",")
}

/// Mounts at `at` through `program` and returns the open /dev/fuse it sent.
pub fn mount(program: &Path, at: &Path, cfg: &MountConfig) -> io::Result<File> {
    let (ours, theirs) = socket_pair()?;
    let their_fd = theirs.as_raw_fd();
    let mut cmd = Command::new(program);
    cmd.arg("-o")
        .arg(options(cfg))
        .arg("--")
        .arg(at)
        .env("_FUSE_COMMFD", their_fd.to_string())
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    // SAFETY: between fork and exec only fcntl runs, which is
    // async-signal-safe; it lets the helper inherit its end of the pair.
    unsafe {
        cmd.pre_exec(move || {
            if libc::fcntl(their_fd, libc::F_SETFD, 0) < 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let mut child = cmd
        .spawn()
        .map_err(|e| io::Error::new(e.kind(), format!("cannot run {}: {e}", program.display())))?;
    // Only the helper may hold the other end now: when it exits without
    // sending, we read end-of-file instead of waiting for ever.
    drop(theirs);
    let received = receive_fd(&ours);
    let mut stderr = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut stderr);
    }
    let status = child.wait()?;
    let said = stderr.trim();
    match received {
        Ok(Some(dev)) => Ok(File::from(dev)),
        Ok(None) => Err(io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!(
                "{PROGRAM} could not mount ({status}){}{said}",
                if said.is_empty() { "" } else { ": " }
            ),
        )),
        Err(e) => Err(io::Error::new(
            e.kind(),
            format!("no /dev/fuse descriptor from {PROGRAM}: {e} ({said})"),
        )),
    }
}

/// Unmounts `at` lazily through `program` (as the user who mounted it).
pub fn unmount(program: &Path, at: &Path) -> io::Result<()> {
    let out = Command::new(program)
        .args(["-u", "-z", "--"])
        .arg(at)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| io::Error::new(e.kind(), format!("cannot run {}: {e}", program.display())))?;
    if out.status.success() {
        return Ok(());
    }
    Err(io::Error::new(
        io::ErrorKind::PermissionDenied,
        format!(
            "{PROGRAM} -u failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr).trim()
        ),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fuse_conf_allows_other_only_on_its_own_line() {
        let rows = [
            ("user_allow_other\n", true),
            ("  user_allow_other  # for the backup user\n", true),
            ("mount_max = 1000\nuser_allow_other", true),
            ("#user_allow_other\n", false),
            (
                "# user_allow_other - allows users to use allow_other\n",
                false,
            ),
            ("user_allow_other_x\n", false),
            ("", false),
        ];
        for (conf, want) in rows {
            assert_eq!(user_allow_other(conf), want, "{conf:?}");
        }
    }

    #[test]
    fn options_name_the_file_system_and_its_permission_checks() {
        let cfg = |allow_other| MountConfig {
            fsname: "ntlinkfs".into(),
            subtype: "ntlinkfs".into(),
            default_permissions: true,
            allow_other,
            noatime: true,
        };
        assert_eq!(
            options(&cfg(false)),
            "fsname=ntlinkfs,subtype=ntlinkfs,default_permissions,noatime"
        );
        assert_eq!(
            options(&cfg(true)),
            "fsname=ntlinkfs,subtype=ntlinkfs,default_permissions,allow_other,noatime"
        );
    }

    #[test]
    fn the_helper_is_found_only_where_path_says() {
        let dir = std::env::temp_dir().join(format!("nonroot-fm-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(PROGRAM);
        std::fs::write(&p, b"#!/bin/sh\n").unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o644)).unwrap();
        // Not executable: not found.
        assert_eq!(find_in(dir.as_os_str()), None);
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        let path = std::env::join_paths(["/nonexistent".as_ref(), dir.as_path()]).unwrap();
        assert_eq!(find_in(&path), Some(p.clone()));
        assert_eq!(find_in("/nonexistent".as_ref()), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A helper that exits without sending a descriptor: the error carries
    /// what it said, and nothing hangs.
    #[test]
    fn a_helper_that_sends_nothing_is_reported_with_its_words() {
        let dir = std::env::temp_dir().join(format!("nonroot-fm-fail-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join(PROGRAM);
        std::fs::write(
            &p,
            "#!/bin/sh\necho \"fusermount3: fd $_FUSE_COMMFD args $*\" >&2\nexit 1\n",
        )
        .unwrap();
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&p, std::fs::Permissions::from_mode(0o755)).unwrap();
        let cfg = MountConfig {
            fsname: "ntlinkfs".into(),
            subtype: "ntlinkfs".into(),
            default_permissions: true,
            allow_other: false,
            noatime: false,
        };
        let e = mount(&p, Path::new("/mnt/x"), &cfg).unwrap_err();
        let msg = e.to_string();
        assert!(
            msg.starts_with("fusermount3 could not mount (exit status: 1): fusermount3: fd "),
            "{msg}"
        );
        assert!(
            msg.ends_with(
                " args -o fsname=ntlinkfs,subtype=ntlinkfs,default_permissions -- /mnt/x"
            ),
            "{msg}"
        );
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
