//! POSIX calls the Linux targets share (the FUSE mount, `dir:PATH`): errno
//! values as [`Failure`]s, the ntfs-3g extended attributes, `renameat2(2)`, and
//! the reparse buffer's SubstituteName, and the plain file calls both make.

use crate::scenario::Op;
use crate::target::{Failure, Info, Observed};
use ntlinkfs_core::PosixOp;
use std::ffi::CString;
use std::fs;
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

pub(crate) const XATTR_REPARSE: &str = "system.ntfs_reparse_data";
pub(crate) const XATTR_ATTRIB: &str = "system.ntfs_attrib";

pub(crate) fn errno(e: io::Error, op: PosixOp) -> Failure {
    match e.raw_os_error() {
        Some(n) => Failure::Errno(n, op),
        None => Failure::Harness(e.to_string()),
    }
}

pub(crate) fn cpath(p: &Path) -> CString {
    CString::new(p.as_os_str().as_bytes()).expect("paths built here hold no NUL")
}

pub(crate) fn getxattr(p: &Path, name: &str, follow: bool) -> io::Result<Vec<u8>> {
    let (cp, cn) = (cpath(p), CString::new(name).expect("constant name"));
    let mut buf = vec![0u8; 65536];
    // SAFETY: both strings are NUL-terminated and buf is valid for its length.
    let n = unsafe {
        if follow {
            libc::getxattr(cp.as_ptr(), cn.as_ptr(), buf.as_mut_ptr().cast(), buf.len())
        } else {
            libc::lgetxattr(cp.as_ptr(), cn.as_ptr(), buf.as_mut_ptr().cast(), buf.len())
        }
    };
    if n < 0 {
        return Err(io::Error::last_os_error());
    }
    buf.truncate(n as usize);
    Ok(buf)
}

pub(crate) fn lsetxattr(p: &Path, name: &str, value: &[u8]) -> io::Result<()> {
    let (cp, cn) = (cpath(p), CString::new(name).expect("constant name"));
    // SAFETY: both strings are NUL-terminated and value is valid for its length.
    let r = unsafe {
        libc::lsetxattr(
            cp.as_ptr(),
            cn.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            0,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

#[cfg_attr(not(feature = "fuse"), allow(dead_code))]
pub(crate) fn lremovexattr(p: &Path, name: &str) -> io::Result<()> {
    let (cp, cn) = (cpath(p), CString::new(name).expect("constant name"));
    // SAFETY: both strings are NUL-terminated.
    let r = unsafe { libc::lremovexattr(cp.as_ptr(), cn.as_ptr()) };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

pub(crate) fn rename(from: &Path, to: &Path, noreplace: bool) -> io::Result<()> {
    let (f, t) = (cpath(from), cpath(to));
    let flags = if noreplace { libc::RENAME_NOREPLACE } else { 0 };
    // SAFETY: both strings are NUL-terminated; AT_FDCWD with absolute paths.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            f.as_ptr(),
            libc::AT_FDCWD,
            t.as_ptr(),
            flags,
        )
    };
    if r < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The SubstituteName of a raw reparse buffer (SEMANTICS §6.1), decoded here.
pub(crate) fn substitute_of(buf: &[u8]) -> Option<String> {
    let tag = u32::from_le_bytes(buf.get(0..4)?.try_into().ok()?);
    let f = |i: usize| -> Option<usize> {
        Some(u16::from_le_bytes(buf.get(i..i + 2)?.try_into().ok()?) as usize)
    };
    let path_start = match tag {
        0xA000_0003 => 16,
        0xA000_000C => 20,
        _ => return None,
    };
    let (off, len) = (f(8)?, f(10)?);
    let bytes = buf.get(path_start + off..path_start + off + len)?;
    let units: Vec<u16> = bytes
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    Some(String::from_utf16_lossy(&units))
}

/// What `stat(2)` (or `lstat(2)`) and the ntfs-3g xattrs say about `p`.
pub(crate) fn info(p: &Path, follow: bool) -> Result<Info, Failure> {
    let op = PosixOp::Other;
    let md = if follow {
        fs::metadata(p)
    } else {
        fs::symlink_metadata(p)
    }
    .map_err(|e| errno(e, op))?;
    let attrs = getxattr(p, XATTR_ATTRIB, follow)
        .ok()
        .and_then(|v| v.try_into().ok())
        .map(u32::from_le_bytes);
    let tag = match getxattr(p, XATTR_REPARSE, follow) {
        Ok(v) if v.len() >= 4 => Some(Some(u32::from_le_bytes([v[0], v[1], v[2], v[3]]))),
        Err(e) if e.raw_os_error() == Some(libc::ENODATA) => Some(None),
        _ => None,
    };
    let is_symlink = md.file_type().is_symlink();
    Ok(Info {
        id: Some(u128::from(md.dev()) << 64 | u128::from(md.ino())),
        // A directory's st_nlink is 1 in this view as in ntfs-3g (F5); Windows
        // counts a directory's one name too.
        links: Some(md.nlink() as u32),
        attrs,
        tag,
        // A symlink's st_size is the length of its POSIX text, not NTFS's 0.
        size: (!is_symlink && !md.is_dir()).then_some(md.len()),
        is_dir: attrs.map(|a| a & 0x10 != 0),
        mode: Some(md.mode()),
        rdev: Some((libc::major(md.rdev()), libc::minor(md.rdev()))),
        total_links: None,
        delete_pending: None,
    })
}

/// The file and directory calls every POSIX target makes the same way (our
/// mount or any mounted directory), with `host` placing a Windows path; None
/// for every other step.
pub fn plain_file_op(
    op: &Op,
    host: impl Fn(&str) -> Result<PathBuf, Failure>,
) -> Option<Result<Observed, Failure>> {
    use std::io::Write as _;
    use PosixOp as P;
    let unit =
        |r: io::Result<()>, op: PosixOp| r.map(|()| Observed::Unit).map_err(|e| errno(e, op));
    let call = |r: Result<(io::Result<()>, PosixOp), Failure>| r.and_then(|(r, op)| unit(r, op));
    Some(match op {
        Op::MkDir(p) => call(host(p).map(|p| (fs::create_dir(p), P::Other))),
        Op::Write(p, b) => call(host(p).map(|p| (fs::write(p, b), P::Open))),
        Op::CreateNew(p) => call(host(p).map(|p| {
            let r = fs::OpenOptions::new().write(true).create_new(true).open(p);
            (r.map(drop), P::Open)
        })),
        Op::Append(p, b) => call(host(p).map(|p| {
            let r = fs::OpenOptions::new().append(true).create(true).open(p);
            (r.and_then(|mut f| f.write_all(b)), P::Open)
        })),
        Op::Read(p) => host(p).and_then(|p| {
            fs::read(p)
                .map(Observed::Bytes)
                .map_err(|e| errno(e, P::Open))
        }),
        Op::HardLink { link, existing } => (|| {
            let (existing, link) = (host(existing)?, host(link)?);
            unit(fs::hard_link(existing, link), P::Link)
        })(),
        _ => return None,
    })
}
