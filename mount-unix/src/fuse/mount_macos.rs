//! Mounting through macFUSE (its kernel-extension backend), the way macFUSE's
//! libfuse does it (learnt from its lib/mount_darwin.c):
//!
//! - a Unix stream socket pair; macFUSE's mount helper
//!   `/Library/Filesystems/macfuse.fs/Contents/Resources/mount_macfuse` runs
//!   as `mount_macfuse -o OPTIONS MOUNTPOINT` with one end inherited and the
//!   environment `_FUSE_COMMFD=<fd>`, `_FUSE_COMMVERS=2`, `_FUSE_CALL_BY_LIB=1`
//!   and `_FUSE_DAEMON_PATH=<this program>`;
//! - it opens a /dev/macfuseN and sends it back as SCM_RIGHTS (one byte of
//!   payload), then mounts; libfuse serves the device at once and learns the
//!   mount's outcome later, so we do not wait for the helper before INIT;
//! - when the mount is done it sends a 32-bit status (0 = mounted) and exits.
//!
//! The wire format is macFUSE's variant, translated in `channel` (`darwin`).

#[cfg(target_os = "macos")]
use super::channel::Channel;
use super::channel::MountConfig;
#[cfg(target_os = "macos")]
use super::fd_passing::{receive_fd, socket_pair};
#[cfg(target_os = "macos")]
use std::fs::File;
#[cfg(target_os = "macos")]
use std::io::{self, Read};
#[cfg(target_os = "macos")]
use std::os::fd::{AsRawFd, OwnedFd, RawFd};
#[cfg(target_os = "macos")]
use std::os::unix::process::CommandExt;
#[cfg(target_os = "macos")]
use std::path::Path;
#[cfg(target_os = "macos")]
use std::process::{Child, Command, Stdio};

/// macFUSE's mount helper (kernel-extension backend).
pub const HELPER: &str = "/Library/Filesystems/macfuse.fs/Contents/Resources/mount_macfuse";

/// What to do when macFUSE is missing.
pub const INSTALL: &str = "install macFUSE (https://macfuse.github.io, or `brew install --cask \
     macfuse`), allow its system extension in System Settings > Privacy & Security, \
     and restart";

/// The `-o` argument for `cfg`: the fsname is the mount's source (how
/// `ntlinkfs_mount_root` recognises ours) and the Finder's volume name.
pub fn options(cfg: &MountConfig) -> String {
    let mut o = vec![
        format!("fsname={}", cfg.fsname),
        format!("volname={}", cfg.fsname),
    ];
    o.extend(cfg.flag_options().map(String::from));
    o.join(",")
}

/// What `ntlinkfs mount` says where macFUSE's helper is missing.
pub fn not_installed() -> String {
    format!("macFUSE is not installed here (no {HELPER}): {INSTALL}")
}

/// What stops a mount here, said as what to do; None when nothing does.
#[cfg(target_os = "macos")]
pub fn problem() -> Option<String> {
    (!Path::new(HELPER).exists()).then(not_installed)
}

/// Mounts at `at` through the helper; returns the device once the kernel's
/// INIT is waiting on it, and whether others may enter (root only asks).
#[cfg(target_os = "macos")]
pub fn connect(at: &Path, cfg: &MountConfig, root: bool) -> io::Result<(Channel, bool)> {
    if let Some(p) = problem() {
        return Err(io::Error::new(io::ErrorKind::NotFound, p));
    }
    let allow_other = cfg.allow_other && root;
    let cfg = MountConfig {
        allow_other,
        ..cfg.clone()
    };
    let (ours, theirs) = socket_pair()?;
    let their_fd = theirs.as_raw_fd();
    let mut cmd = Command::new(HELPER);
    cmd.arg("-o")
        .arg(options(&cfg))
        .arg(at)
        .env("_FUSE_COMMFD", their_fd.to_string())
        .env("_FUSE_COMMVERS", "2")
        .env("_FUSE_CALL_BY_LIB", "1")
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::piped());
    if let Ok(exe) = std::env::current_exe() {
        cmd.env("_FUSE_DAEMON_PATH", exe);
    }
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
        .map_err(|e| io::Error::new(e.kind(), format!("cannot run {HELPER}: {e}")))?;
    // Only the helper holds the other end now: its exit reads as end-of-file.
    drop(theirs);
    let dev = match receive_fd(&ours) {
        Ok(Some(dev)) => File::from(dev),
        Ok(None) => return Err(failed(&mut child, "sent no device")),
        Err(e) => return Err(failed(&mut child, &format!("sent no device: {e}"))),
    };
    // Serve INIT once the kernel has sent it; a helper that speaks first
    // either mounted already (status 0: INIT follows) or gave up (no kernel
    // extension, a refused mount point), which it says instead.
    let status = if wait_for_init(&dev, &ours)? {
        None
    } else {
        match read_status(&ours) {
            Some(0) => Some(0),
            other => {
                return Err(failed(
                    &mut child,
                    &format!("did not mount (status {other:?})"),
                ))
            }
        }
    };
    std::thread::Builder::new()
        .name("ntlinkfs-macfuse".into())
        .spawn(move || {
            let status = status.or_else(|| read_status(&ours));
            let _ = child.wait();
            if status != Some(0) {
                eprintln!("ntlinkfs: mount_macfuse reported status {status:?} after INIT");
            }
        })?;
    Ok((Channel::from_device(dev), allow_other))
}

/// The helper's failure, with what it wrote to stderr.
#[cfg(target_os = "macos")]
fn failed(child: &mut Child, what: &str) -> io::Error {
    let mut said = String::new();
    if let Some(mut e) = child.stderr.take() {
        let _ = e.read_to_string(&mut said);
    }
    let status = child.wait().map(|s| s.to_string()).unwrap_or_default();
    let said = said.trim();
    io::Error::other(format!(
        "mount_macfuse {what} ({status}){}{said}",
        if said.is_empty() { "" } else { ": " }
    ))
}

/// Waits until the device has a request (true) or the helper's socket has
/// something to say or is closed (false). select(2), not poll(2): macOS's
/// poll does not work on character devices.
#[cfg(target_os = "macos")]
fn wait_for_init(dev: &File, sock: &OwnedFd) -> io::Result<bool> {
    let (d, s) = (dev.as_raw_fd(), sock.as_raw_fd());
    if d.max(s) >= libc::FD_SETSIZE as RawFd {
        return Err(io::Error::other("descriptor too large for select(2)"));
    }
    loop {
        // SAFETY: fd_set is plain data, initialised by FD_ZERO; both
        // descriptors are open and below FD_SETSIZE; select only reads and
        // writes the set passed.
        let (r, device_ready, socket_ready) = unsafe {
            let mut set: libc::fd_set = std::mem::zeroed();
            libc::FD_ZERO(&mut set);
            libc::FD_SET(d, &mut set);
            libc::FD_SET(s, &mut set);
            let r = libc::select(
                d.max(s) + 1,
                &mut set,
                std::ptr::null_mut(),
                std::ptr::null_mut(),
                std::ptr::null_mut(),
            );
            (r, libc::FD_ISSET(d, &set), libc::FD_ISSET(s, &set))
        };
        if r < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if device_ready {
            return Ok(true);
        }
        if socket_ready {
            return Ok(false);
        }
    }
}

/// The helper's 32-bit mount status, None when it closed the socket first.
#[cfg(target_os = "macos")]
fn read_status(sock: &OwnedFd) -> Option<i32> {
    let mut b = [0u8; 4];
    let mut got = 0;
    while got < 4 {
        // SAFETY: `b[got..]` is writable for its length.
        let n = unsafe { libc::recv(sock.as_raw_fd(), b[got..].as_mut_ptr().cast(), 4 - got, 0) };
        if n < 0 && io::Error::last_os_error().kind() == io::ErrorKind::Interrupted {
            continue;
        }
        if n <= 0 {
            return None;
        }
        got += n as usize;
    }
    Some(i32::from_ne_bytes(b))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The text docs/mount-macos-freebsd.md shows.
    #[test]
    fn a_missing_macfuse_is_named_with_what_to_install() {
        assert_eq!(
            not_installed(),
            "macFUSE is not installed here (no \
             /Library/Filesystems/macfuse.fs/Contents/Resources/mount_macfuse): install \
             macFUSE (https://macfuse.github.io, or `brew install --cask macfuse`), allow \
             its system extension in System Settings > Privacy & Security, and restart"
        );
    }

    #[test]
    fn options_name_the_volume_and_its_permission_checks() {
        let cfg = |allow_other| MountConfig {
            fsname: "ntlinkfs".into(),
            subtype: "ntlinkfs".into(),
            default_permissions: true,
            allow_other,
            noatime: true,
        };
        assert_eq!(
            options(&cfg(false)),
            "fsname=ntlinkfs,volname=ntlinkfs,default_permissions,noatime"
        );
        assert_eq!(
            options(&cfg(true)),
            "fsname=ntlinkfs,volname=ntlinkfs,default_permissions,allow_other,noatime"
        );
    }
}
