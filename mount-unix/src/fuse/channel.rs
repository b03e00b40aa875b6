//! The /dev/fuse transport: opening the device, mounting it (mount(2), as
//! root), reading requests, writing replies and notifications.

use super::abi::{self, bytes_of};
use std::fs::File;
use std::io::{self, IoSlice, Write};
use std::os::fd::AsRawFd;
// Opening and mount(2) are Linux's; FreeBSD and macOS mount in their modules.
#[cfg(target_os = "linux")]
use std::{
    ffi::CString, fs::OpenOptions, os::unix::ffi::OsStrExt, os::unix::fs::OpenOptionsExt,
    path::Path,
};

/// What mount(2) is told, besides the device.
#[derive(Debug, Clone)]
pub struct MountConfig {
    /// Shown as the source in /proc/mounts.
    pub fsname: String,
    /// The file system type is `fuse.<subtype>`.
    pub subtype: String,
    /// Let the kernel check modes (default_permissions).
    pub default_permissions: bool,
    /// Let other users in (allow_other; root only).
    pub allow_other: bool,
    /// MS_NOATIME.
    pub noatime: bool,
}

impl MountConfig {
    /// The flag options fusermount3 and mount_macfuse both take by these
    /// names, in `-o` order.
    pub fn flag_options(&self) -> impl Iterator<Item = &'static str> {
        [
            ("default_permissions", self.default_permissions),
            ("allow_other", self.allow_other),
            ("noatime", self.noatime),
        ]
        .into_iter()
        .filter_map(|(name, on)| on.then_some(name))
    }
}

/// An open /dev/fuse: one connection to the kernel, shared by the workers.
pub struct Channel {
    dev: File,
    /// macFUSE's layout differs: requests and replies are translated here.
    #[cfg(target_os = "macos")]
    darwin: super::darwin::Translator,
}

impl Channel {
    #[cfg(target_os = "linux")]
    pub fn open() -> io::Result<Channel> {
        let dev = OpenOptions::new()
            .read(true)
            .write(true)
            .custom_flags(libc::O_CLOEXEC)
            .open("/dev/fuse")
            .map_err(|e| io::Error::new(e.kind(), format!("cannot open /dev/fuse: {e}")))?;
        Ok(Channel::from_device(dev))
    }

    /// A /dev/fuse that someone else opened and mounted (fusermount3), or
    /// that a platform's mount module mounted (nmount(2), mount_macfuse).
    pub fn from_device(dev: File) -> Channel {
        Channel {
            dev,
            #[cfg(target_os = "macos")]
            darwin: Default::default(),
        }
    }

    /// Mounts this connection at `at` with mount(2). Needs CAP_SYS_ADMIN.
    #[cfg(target_os = "linux")]
    pub fn mount(&self, at: &Path, cfg: &MountConfig) -> io::Result<()> {
        let mode = std::fs::metadata(at)?.mode_fmt();
        // SAFETY: getuid/getgid have no preconditions.
        let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
        let mut data = format!(
            "fd={},rootmode={:o},user_id={uid},group_id={gid}",
            self.dev.as_raw_fd(),
            mode
        );
        if cfg.default_permissions {
            data.push_str(",default_permissions");
        }
        if cfg.allow_other {
            data.push_str(",allow_other");
        }
        // nosuid and nodev as every FUSE mount has by default.
        let mut flags = libc::MS_NOSUID | libc::MS_NODEV;
        if cfg.noatime {
            flags |= libc::MS_NOATIME;
        }
        let cstr =
            |s: &[u8]| CString::new(s).map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e));
        let (src, target) = (
            cstr(cfg.fsname.as_bytes())?,
            cstr(at.as_os_str().as_bytes())?,
        );
        let fstype = cstr(format!("fuse.{}", cfg.subtype).as_bytes())?;
        let data = cstr(data.as_bytes())?;
        // SAFETY: all pointers are valid NUL-terminated strings for the call.
        let r = unsafe {
            libc::mount(
                src.as_ptr(),
                target.as_ptr(),
                fstype.as_ptr(),
                flags,
                data.as_ptr().cast(),
            )
        };
        if r != 0 {
            let e = io::Error::last_os_error();
            return Err(io::Error::new(
                e.kind(),
                format!(
                    "mount(2) of {} failed: {e} (mounting needs root)",
                    at.display()
                ),
            ));
        }
        Ok(())
    }

    /// Reads one request into `buf` (which must hold the largest request).
    pub fn receive(&self, buf: &mut [u8]) -> io::Result<usize> {
        // SAFETY: `buf` is valid for writes of its length.
        let n = unsafe { libc::read(self.dev.as_raw_fd(), buf.as_mut_ptr().cast(), buf.len()) };
        if n < 0 {
            Err(io::Error::last_os_error())
        } else {
            #[cfg(target_os = "macos")]
            return Ok(self.darwin.request(&mut buf[..n as usize]));
            #[cfg(not(target_os = "macos"))]
            Ok(n as usize)
        }
    }

    /// Writes one message (out-header, then `payload`) in one write, as the
    /// device requires.
    fn send(&self, unique: u64, error: i32, payload: &[&[u8]]) -> io::Result<()> {
        #[cfg(target_os = "macos")]
        let darwin = self.darwin.reply(unique, error, payload);
        #[cfg(target_os = "macos")]
        let darwin = darwin.as_deref().map(|d| [d]);
        #[cfg(target_os = "macos")]
        let payload: &[&[u8]] = darwin.as_ref().map_or(payload, |d| &d[..]);
        let len =
            std::mem::size_of::<abi::OutHeader>() + payload.iter().map(|p| p.len()).sum::<usize>();
        let h = abi::OutHeader {
            len: len as u32,
            error,
            unique,
        };
        // The header and up to three parts (no reply has more): no allocation.
        let mut iov = [IoSlice::new(&[]); 4];
        if payload.len() >= iov.len() {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "too many reply parts",
            ));
        }
        iov[0] = IoSlice::new(bytes_of(&h));
        for (slot, p) in iov[1..].iter_mut().zip(payload) {
            *slot = IoSlice::new(p);
        }
        let n = (&self.dev).write_vectored(&iov[..payload.len() + 1])?;
        if n != len {
            return Err(io::Error::new(
                io::ErrorKind::WriteZero,
                "short write to /dev/fuse",
            ));
        }
        Ok(())
    }

    /// Answers request `unique` with `payload`.
    pub fn reply(&self, unique: u64, payload: &[&[u8]]) -> io::Result<()> {
        self.send(unique, 0, payload)
    }

    /// Answers request `unique` with an errno.
    pub fn reply_error(&self, unique: u64, errno: i32) -> io::Result<()> {
        self.send(unique, -errno, &[])
    }

    /// A notification: unique 0, the code in the error field.
    fn notify(&self, code: i32, payload: &[&[u8]]) -> io::Result<()> {
        self.send(0, code, payload)
    }

    /// Drops the kernel's cached attributes of `nodeid` (and, for off >= 0,
    /// its pages from `off` for `len` bytes; 0 = to the end).
    pub fn inval_inode(&self, nodeid: u64, off: i64, len: i64) -> io::Result<()> {
        let o = abi::NotifyInvalInodeOut {
            ino: nodeid,
            off,
            len,
        };
        self.notify(abi::NOTIFY_INVAL_INODE, &[bytes_of(&o)])
    }

    /// Drops the kernel's dentry for `name` in `parent`.
    pub fn inval_entry(&self, parent: u64, name: &[u8]) -> io::Result<()> {
        let o = abi::NotifyInvalEntryOut {
            parent,
            namelen: name.len() as u32,
            flags: 0,
        };
        self.notify(abi::NOTIFY_INVAL_ENTRY, &[bytes_of(&o), name, b"\0"])
    }

    /// Makes every cached dentry stale (FUSE_NOTIFY_INC_EPOCH, Linux 6.16+);
    /// an error when the kernel does not know it.
    pub fn inc_epoch(&self) -> io::Result<()> {
        self.notify(abi::NOTIFY_INC_EPOCH, &[])
    }
}

/// The device, for the io_uring commands that name it (fuse/uring.rs).
impl AsRawFd for Channel {
    fn as_raw_fd(&self) -> std::os::fd::RawFd {
        self.dev.as_raw_fd()
    }
}

#[cfg(target_os = "linux")]
trait ModeFmt {
    fn mode_fmt(&self) -> u32;
}

#[cfg(target_os = "linux")]
impl ModeFmt for std::fs::Metadata {
    /// The S_IFMT bits: the kernel checks that the root it serves has the
    /// type of the directory it is mounted on.
    fn mode_fmt(&self) -> u32 {
        use std::os::unix::fs::MetadataExt;
        self.mode() & libc::S_IFMT
    }
}
