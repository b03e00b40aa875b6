//! # ntlinkfs-fuse
//!
//! Mounts an ntlinkfs [`Machine`](ntlinkfs_core::Machine) through FUSE, so that real
//! Linux programs meet NTFS link rules (DESIGN.md, "mount-unix"): the mount root
//! holds one directory per volume (`C`, `D`); junctions and symbolic links read as
//! symlinks that work from wherever the mount is and never leave it; `link`,
//! `symlink` and the ntfs-3g extended attributes make the three kinds of link.
//! A symlink made from Linux reads back as written (an LX symlink, as WSL stores
//! it, where NTFS cannot carry the text), and unlink and rename follow POSIX
//! permissions as on WSL.
//!
//! ```no_run
//! use ntlinkfs_core::{Machine, Shared};
//! let m = Shared::new(Machine::default());
//! let mount = ntlinkfs_fuse::mount(m, "/mnt/nt".as_ref(), &Default::default()).unwrap();
//! std::fs::write("/mnt/nt/C/a.txt", b"hi").unwrap();
//! std::fs::hard_link("/mnt/nt/C/a.txt", "/mnt/nt/C/b.txt").unwrap();
//! mount.unmount().unwrap();
//! ```

// The mount works on Linux (/dev/fuse, mount(2) or fusermount3), FreeBSD
// (fusefs, nmount(2)) and macOS (macFUSE's mount_macfuse, the Darwin ABI
// variant in `fuse::darwin`); the pure parts (request parsing, reply encoding,
// attribute and errno translation, readlink text) build and are tested on
// every Unix. Elsewhere nothing uses them, hence the dead_code allowance there.
#![cfg_attr(
    not(any(target_os = "linux", target_os = "freebsd", target_os = "macos")),
    allow(dead_code)
)]

mod attr;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
mod dentry_cache;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
mod dispatch;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
mod durability;
mod errno;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
mod fs;
pub mod fuse;
mod held;
mod inode_map;
pub mod link_target;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
mod memory;
mod node_ids;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
mod page_cache;
mod readlink;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
mod reply;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
mod session;
mod xattr;

#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
pub use durability::Durability;
pub use errno::raw as errno_value;
pub use fuse::uring_mode::Mode as IoUringMode;
pub use readlink::OUTSIDE_DIR;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
pub use session::daemon_gone;
#[cfg(any(target_os = "freebsd", target_os = "macos"))]
pub use session::mount_problem;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
pub use session::{
    block_termination_signals, clear_stale, is_fuse_mount, is_stale, mount, ntlinkfs_mount_root,
    unmount_path, CacheStats, Mount, MountOptions, Mounted, Stale, Transport, DEFAULT_THREADS,
};
pub use xattr::{ATTRIB as XATTR_ATTRIB, NAMES as XATTR_NAMES, REPARSE_DATA as XATTR_REPARSE_DATA};

/// The root of the ntlinkfs mount holding `p`: there is none where this
/// build cannot mount.
#[cfg(not(any(target_os = "linux", target_os = "freebsd", target_os = "macos")))]
pub fn ntlinkfs_mount_root(_p: &std::path::Path) -> Option<std::path::PathBuf> {
    None
}
