//! Mounting through FreeBSD's fusefs, as sbin/mount_fusefs does it (learnt
//! from its source and sys/fs/fuse/fuse_vfsops.c): open /dev/fuse, then
//! nmount(2) with `fstype=fusefs`, `fspath=<mount point>`, `from=/dev/fuse`
//! and `fd=<the open device>`, plus flag options (an empty value) such as
//! `default_permissions`, `allow_other` and `private`, and `subtype=` (the
//! type then reads `fusefs.<subtype>`). The kernel answers at once and sends
//! INIT afterwards, as Linux does. Users may mount where `vfs.usermount` is 1
//! and they may open /dev/fuse; `allow_other` is root's only.

// The option list is pure and tested everywhere; the rest is FreeBSD's.
#[cfg(target_os = "freebsd")]
use super::channel::Channel;
use super::channel::MountConfig;
#[cfg(target_os = "freebsd")]
use std::ffi::CString;
#[cfg(target_os = "freebsd")]
use std::fs::OpenOptions;
#[cfg(target_os = "freebsd")]
use std::io;
#[cfg(target_os = "freebsd")]
use std::os::fd::AsRawFd;
use std::os::unix::ffi::OsStrExt;
#[cfg(target_os = "freebsd")]
use std::os::unix::fs::OpenOptionsExt;
use std::path::Path;

pub const DEVICE: &str = "/dev/fuse";

/// The nmount(2) options for `cfg`, as (name, value) pairs; flag options
/// have an empty value. mount_fusefs always adds `private` and `__private`
/// (its default, which no other mount may share).
pub fn options(at: &Path, fd: i32, cfg: &MountConfig) -> Vec<(String, Vec<u8>)> {
    let mut o: Vec<(String, Vec<u8>)> = vec![
        ("fstype".into(), b"fusefs".to_vec()),
        ("fspath".into(), at.as_os_str().as_bytes().to_vec()),
        ("from".into(), DEVICE.as_bytes().to_vec()),
        ("fd".into(), fd.to_string().into_bytes()),
        ("private".into(), Vec::new()),
        ("__private".into(), Vec::new()),
        ("subtype=".into(), cfg.subtype.as_bytes().to_vec()),
    ];
    if cfg.default_permissions {
        o.push(("default_permissions".into(), Vec::new()));
    }
    if cfg.allow_other {
        o.push(("allow_other".into(), Vec::new()));
    }
    o
}

/// What `problem` looks at.
#[derive(Debug, Clone, Copy)]
pub struct Host {
    /// /dev/fuse exists (the fusefs module is loaded).
    pub device: bool,
    pub root: bool,
    /// sysctl vfs.usermount is 1.
    pub usermount: bool,
    /// This user may open /dev/fuse for reading and writing.
    pub device_open: bool,
}

/// What stops a mount on `host`, said as what to do; None when nothing does.
pub fn problem_for(host: Host) -> Option<String> {
    if !host.device {
        return Some(format!(
            "{DEVICE} does not exist: the fusefs kernel module is not loaded. As root: \
             `kldload fusefs` (and `sysrc kld_list+=fusefs` to load it at boot)"
        ));
    }
    if host.root {
        return None;
    }
    if !host.usermount {
        return Some(
            "mounting as a user needs `sysctl vfs.usermount=1` (as root; add it to \
             /etc/sysctl.conf to keep it), or run ntlinkfs as root"
                .into(),
        );
    }
    if !host.device_open {
        return Some(format!(
            "{DEVICE} is not open to you: as root, add yourself to its group \
             (`pw groupmod operator -m $USER`; /dev/fuse is 0660 root:operator), \
             or run ntlinkfs as root"
        ));
    }
    None
}

/// What stops a mount on this system, said as what to do.
#[cfg(target_os = "freebsd")]
pub fn problem(root: bool) -> Option<String> {
    problem_for(Host {
        device: Path::new(DEVICE).exists(),
        root,
        usermount: sysctl_int("vfs.usermount") == Some(1),
        device_open: may_open(DEVICE),
    })
}

#[cfg(target_os = "freebsd")]
fn may_open(path: &str) -> bool {
    let Ok(c) = CString::new(path) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path.
    unsafe { libc::access(c.as_ptr(), libc::R_OK | libc::W_OK) == 0 }
}

#[cfg(target_os = "freebsd")]
fn sysctl_int(name: &str) -> Option<i32> {
    let c = CString::new(name).ok()?;
    let mut v: libc::c_int = 0;
    let mut len = std::mem::size_of::<libc::c_int>();
    // SAFETY: `v` and `len` describe a writable int; no new value is set.
    let r = unsafe {
        libc::sysctlbyname(
            c.as_ptr(),
            (&mut v as *mut libc::c_int).cast(),
            &mut len,
            std::ptr::null(),
            0,
        )
    };
    (r == 0).then_some(v)
}

#[cfg(target_os = "freebsd")]
/// Opens /dev/fuse and mounts it at `at`; allow_other only as root.
pub fn connect(at: &Path, cfg: &MountConfig, root: bool) -> io::Result<(Channel, bool)> {
    if let Some(p) = problem(root) {
        return Err(io::Error::new(io::ErrorKind::PermissionDenied, p));
    }
    let dev = OpenOptions::new()
        .read(true)
        .write(true)
        .custom_flags(libc::O_CLOEXEC)
        .open(DEVICE)
        .map_err(|e| io::Error::new(e.kind(), format!("cannot open {DEVICE}: {e}")))?;
    let at = at.canonicalize()?;
    let allow_other = cfg.allow_other && root;
    let cfg = MountConfig {
        allow_other,
        ..cfg.clone()
    };
    let mut flags = libc::MNT_NOSUID;
    if cfg.noatime {
        flags |= libc::MNT_NOATIME;
    }
    nmount(&options(&at, dev.as_raw_fd(), &cfg), flags).map_err(|e| {
        io::Error::new(
            e.kind(),
            format!("nmount(2) of {} failed: {e}", at.display()),
        )
    })?;
    Ok((Channel::from_device(dev), allow_other))
}

#[cfg(target_os = "freebsd")]
/// nmount(2): every name and value NUL-terminated, in iovec pairs.
fn nmount(opts: &[(String, Vec<u8>)], flags: libc::c_int) -> io::Result<()> {
    let mut strings = Vec::with_capacity(opts.len() * 2);
    for (name, value) in opts {
        for s in [name.as_bytes(), value.as_slice()] {
            strings
                .push(CString::new(s).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))?);
        }
    }
    let mut iov: Vec<libc::iovec> = strings
        .iter()
        .map(|s| libc::iovec {
            iov_base: s.as_ptr() as *mut libc::c_void,
            iov_len: s.as_bytes_with_nul().len(),
        })
        .collect();
    // SAFETY: every iovec points into `strings`, alive for the call; the
    // kernel only reads them.
    if unsafe { libc::nmount(iov.as_mut_ptr(), iov.len() as libc::c_uint, flags) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The options mount_fusefs would pass for `-o default_permissions,
    /// allow_other,subtype=ntlinkfs` on /dev/fuse (its `private` default
    /// included), in iovec order.
    /// Each missing piece is named with what to do, the module first:
    /// without it even root cannot mount.
    #[test]
    fn a_mount_that_cannot_work_says_what_to_load_or_set() {
        let module = "/dev/fuse does not exist: the fusefs kernel module is not loaded. \
                      As root: `kldload fusefs` (and `sysrc kld_list+=fusefs` to load it \
                      at boot)";
        let usermount = "mounting as a user needs `sysctl vfs.usermount=1` (as root; add \
                         it to /etc/sysctl.conf to keep it), or run ntlinkfs as root";
        let closed = "/dev/fuse is not open to you: as root, add yourself to its group \
                      (`pw groupmod operator -m $USER`; /dev/fuse is 0660 root:operator), \
                      or run ntlinkfs as root";
        // (device, root, usermount, device open, what is said)
        let rows = [
            (false, true, true, true, Some(module)),
            (false, false, false, false, Some(module)),
            (true, true, false, false, None),
            (true, false, false, true, Some(usermount)),
            (true, false, true, false, Some(closed)),
            (true, false, true, true, None),
        ];
        for (device, root, usermount, device_open, want) in rows {
            let host = Host {
                device,
                root,
                usermount,
                device_open,
            };
            assert_eq!(problem_for(host).as_deref(), want, "{host:?}");
        }
    }

    #[test]
    fn options_are_mount_fusefs_ones() {
        let cfg = |allow_other| MountConfig {
            fsname: "ntlinkfs".into(),
            subtype: "ntlinkfs".into(),
            default_permissions: true,
            allow_other,
            noatime: true,
        };
        let text = |o: Vec<(String, Vec<u8>)>| {
            o.into_iter()
                .map(|(n, v)| format!("{n}{}", String::from_utf8(v).unwrap()))
                .collect::<Vec<_>>()
                .join(" ")
        };
        assert_eq!(
            text(options(Path::new("/mnt/nt"), 7, &cfg(true))),
            "fstypefusefs fspath/mnt/nt from/dev/fuse fd7 private __private \
             subtype=ntlinkfs default_permissions allow_other"
        );
        assert!(!text(options(Path::new("/m"), 3, &cfg(false))).contains("allow_other"));
    }
}
