//! The mount table of FreeBSD and macOS, read through statfs(2) (they have no
//! /proc/self/mounts), and unmount(2). Which mounts are FUSE mounts, and
//! which are ntlinkfs's, is said by the names the platform modules give.
//! The classification is pure and tested everywhere; the calls exist only
//! where statfs has the names (FreeBSD, macOS).

#[cfg(any(target_os = "freebsd", target_os = "macos"))]
use std::ffi::CString;
#[cfg(any(target_os = "freebsd", target_os = "macos"))]
use std::io;
#[cfg(any(target_os = "freebsd", target_os = "macos"))]
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};

/// What statfs says about the file system holding a path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MountEntry {
    /// f_fstypename: "fusefs.<subtype>" on FreeBSD, "macfuse" on macOS.
    pub fstype: String,
    /// f_mntfromname: the fsname option on macOS, the device on FreeBSD.
    pub from: String,
    /// f_mntonname: where it is mounted.
    pub on: PathBuf,
}

#[cfg(any(target_os = "freebsd", target_os = "macos"))]
fn cpath(p: &Path) -> io::Result<CString> {
    CString::new(p.as_os_str().as_bytes())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

/// A fixed-size, NUL-terminated statfs field as text.
#[cfg(any(target_os = "freebsd", target_os = "macos"))]
fn text(field: &[libc::c_char]) -> String {
    let bytes: Vec<u8> = field
        .iter()
        .take_while(|&&c| c != 0)
        .map(|&c| c as u8)
        .collect();
    String::from_utf8_lossy(&bytes).into_owned()
}

/// The mount holding `p` (which must exist).
#[cfg(any(target_os = "freebsd", target_os = "macos"))]
pub fn entry(p: &Path) -> io::Result<MountEntry> {
    let c = cpath(p)?;
    // SAFETY: `c` is a valid path and `st` a writable statfs.
    let st = unsafe {
        let mut st: libc::statfs = std::mem::zeroed();
        if libc::statfs(c.as_ptr(), &mut st) != 0 {
            return Err(io::Error::last_os_error());
        }
        st
    };
    Ok(MountEntry {
        fstype: text(&st.f_fstypename),
        from: text(&st.f_mntfromname),
        on: PathBuf::from(text(&st.f_mntonname)),
    })
}

/// Whether `e` is a FUSE mount (fusefs, macFUSE or the older osxfuse).
pub fn is_fuse(e: &MountEntry) -> bool {
    e.fstype == "fusefs"
        || e.fstype.starts_with("fusefs.")
        || e.fstype.starts_with("macfuse")
        || e.fstype.starts_with("osxfuse")
}

/// Whether `e` is an ntlinkfs mount: FreeBSD names the subtype in the type,
/// macOS keeps the fsname as the source.
pub fn is_ntlinkfs(e: &MountEntry) -> bool {
    is_fuse(e) && (e.fstype == "fusefs.ntlinkfs" || e.from == "ntlinkfs")
}

/// `p` with symbolic links resolved, as the mount table spells mount points
/// (macOS's /tmp is /private/tmp); when `p` itself cannot be resolved (a
/// dead daemon's mount), its parent is, and its name is kept.
fn resolved(p: &Path) -> Option<PathBuf> {
    if let Ok(c) = p.canonicalize() {
        return Some(c);
    }
    let abs = std::path::absolute(p).ok()?;
    Some(abs.parent()?.canonicalize().ok()?.join(abs.file_name()?))
}

/// Whether `p` is a mount point of a FUSE file system.
#[cfg(any(target_os = "freebsd", target_os = "macos"))]
pub fn is_fuse_mount(p: &Path) -> bool {
    let Some(at) = resolved(p) else {
        return false;
    };
    entry(&at).is_ok_and(|e| is_fuse(&e) && e.on == at)
}

/// Whether `p` is a FUSE mount whose daemon is gone: the mount table still
/// has it (FreeBSD even fakes statfs for it), but its root cannot be
/// examined (ENOTCONN; macFUSE's dead mounts answer ENXIO).
#[cfg(any(target_os = "freebsd", target_os = "macos"))]
pub fn is_stale(p: &Path) -> bool {
    let dead = std::fs::metadata(p)
        .is_err_and(|e| matches!(e.raw_os_error(), Some(libc::ENOTCONN | libc::ENXIO)));
    dead && is_fuse_mount(p)
}

/// The root of the ntlinkfs mount that `p` lies in (p itself or an ancestor),
/// spelt as an ancestor of `p` made absolute.
#[cfg(any(target_os = "freebsd", target_os = "macos"))]
pub fn ntlinkfs_mount_root(p: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(p).ok()?;
    // The nearest existing ancestor tells which mount `p` would be in.
    let e = abs.ancestors().find_map(|a| entry(a).ok())?;
    if !is_ntlinkfs(&e) {
        return None;
    }
    abs.ancestors()
        .find(|a| a.canonicalize().is_ok_and(|c| c == e.on))
        .map(Path::to_path_buf)
}

/// unmount(2) with `flags`.
#[cfg(any(target_os = "freebsd", target_os = "macos"))]
fn unmount_with(p: &Path, flags: libc::c_int) -> io::Result<()> {
    let c = cpath(p)?;
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    if unsafe { libc::unmount(c.as_ptr(), flags) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Unmounts `p`: plainly, or forced when a process still has a file open
/// there (these systems have no lazy unmount).
#[cfg(any(target_os = "freebsd", target_os = "macos"))]
pub fn unmount(p: &Path) -> io::Result<()> {
    match unmount_with(p, 0) {
        Err(e) if e.raw_os_error() == Some(libc::EBUSY) => force(p),
        r => r,
    }
}

/// A forced unmount (a dead daemon's mount, or one still in use).
#[cfg(any(target_os = "freebsd", target_os = "macos"))]
pub fn force(p: &Path) -> io::Result<()> {
    unmount_with(p, libc::MNT_FORCE)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn e(fstype: &str, from: &str) -> MountEntry {
        MountEntry {
            fstype: fstype.into(),
            from: from.into(),
            on: "/mnt".into(),
        }
    }

    #[test]
    fn fuse_and_ntlinkfs_mounts_are_told_apart() {
        // (entry, FUSE, ntlinkfs)
        let rows = [
            (e("fusefs.ntlinkfs", "/dev/fuse"), true, true),
            (e("fusefs.sshfs", "/dev/fuse"), true, false),
            (e("fusefs", "/dev/fuse"), true, false),
            (e("macfuse", "ntlinkfs"), true, true),
            (e("macfuse", "sshfs"), true, false),
            (e("osxfuse", "ntlinkfs"), true, true),
            (e("ufs", "ntlinkfs"), false, false),
            (e("apfs", "/dev/disk1s1"), false, false),
        ];
        for (m, fuse, ours) in rows {
            assert_eq!((is_fuse(&m), is_ntlinkfs(&m)), (fuse, ours), "{m:?}");
        }
    }

    /// Mount points are compared as the mount table spells them: links
    /// resolved, even for a path whose own lookup fails (a dead mount).
    #[test]
    fn paths_resolve_like_the_mount_table() {
        let dir = std::env::temp_dir().join(format!("bsdmac-resolve-{}", std::process::id()));
        let real = dir.join("real");
        std::fs::create_dir_all(&real).unwrap();
        let link = dir.join("link");
        std::os::unix::fs::symlink(&real, &link).unwrap();
        let canon = real.canonicalize().unwrap();
        assert_eq!(resolved(&link), Some(canon.clone()));
        assert_eq!(resolved(&link.join("gone")), Some(canon.join("gone")));
        assert_eq!(resolved(&dir.join("no/such")), None);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[cfg(any(target_os = "freebsd", target_os = "macos"))]
    #[test]
    fn the_root_file_system_is_not_ntlinkfs() {
        assert_eq!(ntlinkfs_mount_root(Path::new("/")), None);
        assert!(!is_fuse_mount(Path::new("/")));
    }
}
