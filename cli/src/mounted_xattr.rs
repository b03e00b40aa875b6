//! The extended-attribute calls `mklink` and `fsutil` make through a mount,
//! per host: Linux's getxattr/lgetxattr and lsetxattr; macOS's getxattr and
//! setxattr with XATTR_NOFOLLOW for "l"; FreeBSD's extattr_*_file/_link, where
//! `system.x` is `x` in the system namespace (root only there) and `user.x`
//! is `x` in the user namespace. Errors are the host's errno values.

use std::ffi::CString;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;

/// The largest value read (a reparse buffer is at most 16 KiB).
const MAX_VALUE: usize = 64 * 1024;

fn cstr(s: &[u8]) -> Result<CString, i32> {
    CString::new(s).map_err(|_| libc::EINVAL)
}

fn last_errno() -> i32 {
    std::io::Error::last_os_error()
        .raw_os_error()
        .unwrap_or(libc::EIO)
}

/// A Linux-style attribute name as a FreeBSD (namespace, name) pair.
#[cfg_attr(not(target_os = "freebsd"), allow(dead_code))]
fn split(name: &str) -> Result<(&'static str, &str), i32> {
    for ns in ["system", "user"] {
        if let Some(rest) = name.strip_prefix(ns).and_then(|r| r.strip_prefix('.')) {
            return Ok((ns, rest));
        }
    }
    Err(libc::EOPNOTSUPP)
}

/// The value of `name` on `p` (on the link itself unless `follow`).
pub fn get(p: &Path, name: &str, follow: bool) -> Result<Vec<u8>, i32> {
    let cp = cstr(p.as_os_str().as_bytes())?;
    let mut buf = vec![0u8; MAX_VALUE];
    let n = sys_get(&cp, name, follow, &mut buf)?;
    if n < 0 {
        return Err(last_errno());
    }
    buf.truncate(n as usize);
    Ok(buf)
}

/// Sets `name` on the link `p` itself; fails where it already has one
/// (XATTR_CREATE; FreeBSD has no such flag: the mount's own rules apply).
pub fn create(p: &Path, name: &str, value: &[u8]) -> Result<(), i32> {
    let cp = cstr(p.as_os_str().as_bytes())?;
    if sys_create(&cp, name, value)? < 0 {
        Err(last_errno())
    } else {
        Ok(())
    }
}

#[cfg(target_os = "linux")]
fn sys_get(cp: &CString, name: &str, follow: bool, buf: &mut [u8]) -> Result<isize, i32> {
    let cn = cstr(name.as_bytes())?;
    // SAFETY: valid C strings and a buffer of the length passed.
    Ok(unsafe {
        if follow {
            libc::getxattr(cp.as_ptr(), cn.as_ptr(), buf.as_mut_ptr().cast(), buf.len())
        } else {
            libc::lgetxattr(cp.as_ptr(), cn.as_ptr(), buf.as_mut_ptr().cast(), buf.len())
        }
    })
}

#[cfg(target_os = "linux")]
fn sys_create(cp: &CString, name: &str, value: &[u8]) -> Result<isize, i32> {
    let cn = cstr(name.as_bytes())?;
    // SAFETY: valid C strings and a value of the length passed.
    let r = unsafe {
        libc::lsetxattr(
            cp.as_ptr(),
            cn.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            libc::XATTR_CREATE,
        )
    };
    Ok(r as isize)
}

#[cfg(target_os = "macos")]
fn sys_get(cp: &CString, name: &str, follow: bool, buf: &mut [u8]) -> Result<isize, i32> {
    let cn = cstr(name.as_bytes())?;
    let options = if follow { 0 } else { libc::XATTR_NOFOLLOW };
    // SAFETY: valid C strings and a buffer of the length passed.
    Ok(unsafe {
        libc::getxattr(
            cp.as_ptr(),
            cn.as_ptr(),
            buf.as_mut_ptr().cast(),
            buf.len(),
            0,
            options,
        )
    })
}

#[cfg(target_os = "macos")]
fn sys_create(cp: &CString, name: &str, value: &[u8]) -> Result<isize, i32> {
    let cn = cstr(name.as_bytes())?;
    // SAFETY: valid C strings and a value of the length passed.
    let r = unsafe {
        libc::setxattr(
            cp.as_ptr(),
            cn.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
            libc::XATTR_NOFOLLOW | libc::XATTR_CREATE,
        )
    };
    Ok(r as isize)
}

#[cfg(target_os = "freebsd")]
fn namespace(ns: &str) -> libc::c_int {
    if ns == "system" {
        libc::EXTATTR_NAMESPACE_SYSTEM
    } else {
        libc::EXTATTR_NAMESPACE_USER
    }
}

#[cfg(target_os = "freebsd")]
fn sys_get(cp: &CString, name: &str, follow: bool, buf: &mut [u8]) -> Result<isize, i32> {
    let (ns, rest) = split(name)?;
    let cn = cstr(rest.as_bytes())?;
    // SAFETY: valid C strings and a buffer of the length passed.
    Ok(unsafe {
        if follow {
            libc::extattr_get_file(
                cp.as_ptr(),
                namespace(ns),
                cn.as_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
            )
        } else {
            libc::extattr_get_link(
                cp.as_ptr(),
                namespace(ns),
                cn.as_ptr(),
                buf.as_mut_ptr().cast(),
                buf.len(),
            )
        }
    })
}

#[cfg(target_os = "freebsd")]
fn sys_create(cp: &CString, name: &str, value: &[u8]) -> Result<isize, i32> {
    let (ns, rest) = split(name)?;
    let cn = cstr(rest.as_bytes())?;
    // SAFETY: valid C strings and a value of the length passed.
    Ok(unsafe {
        libc::extattr_set_link(
            cp.as_ptr(),
            namespace(ns),
            cn.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
        )
    })
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_split_into_freebsd_namespaces() {
        let rows = [
            (
                "system.ntfs_reparse_data",
                Ok(("system", "ntfs_reparse_data")),
            ),
            ("user.x", Ok(("user", "x"))),
            ("systemx", Err(libc::EOPNOTSUPP)),
            ("trusted.x", Err(libc::EOPNOTSUPP)),
        ];
        for (name, want) in rows {
            assert_eq!(super::split(name), want, "{name}");
        }
    }
}
