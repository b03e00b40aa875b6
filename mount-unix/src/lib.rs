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

// The mount itself (mount(2), /dev/fuse, /proc/mounts, the Linux FUSE ABI)
// is Linux-only; the pure parts (request parsing, reply encoding, attribute
// and errno translation, readlink text) build and are tested on every Unix.
// Elsewhere nothing uses them yet, hence the dead_code allowance there.
#![cfg_attr(not(target_os = "linux"), allow(dead_code))]

mod attr;
#[cfg(target_os = "linux")]
mod dentry_cache;
#[cfg(target_os = "linux")]
mod dispatch;
#[cfg(target_os = "linux")]
mod durability;
mod errno;
#[cfg(target_os = "linux")]
mod fs;
pub mod fuse;
mod inode_map;
pub mod link_target;
#[cfg(target_os = "linux")]
mod memory;
mod node_ids;
#[cfg(target_os = "linux")]
mod page_cache;
mod readlink;
#[cfg(target_os = "linux")]
mod reply;
#[cfg(target_os = "linux")]
mod session;
mod xattr;

#[cfg(target_os = "linux")]
pub use durability::Durability;
pub use errno::raw as errno_value;
#[cfg(target_os = "linux")]
pub use fuse::uring::Mode as IoUringMode;
pub use readlink::OUTSIDE_DIR;
#[cfg(target_os = "linux")]
pub use session::{
    block_termination_signals, clear_stale, daemon_gone, is_fuse_mount, is_stale, mount,
    ntlinkfs_mount_root, unmount_path, CacheStats, Mount, MountOptions, Mounted, Stale, Transport,
    DEFAULT_THREADS,
};
pub use xattr::{ATTRIB as XATTR_ATTRIB, NAMES as XATTR_NAMES, REPARSE_DATA as XATTR_REPARSE_DATA};

/// The root of the ntlinkfs mount holding `p`: there is none where this
/// build cannot mount.
#[cfg(not(target_os = "linux"))]
pub fn ntlinkfs_mount_root(_p: &std::path::Path) -> Option<std::path::PathBuf> {
    None
}
