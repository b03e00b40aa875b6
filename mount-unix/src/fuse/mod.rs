//! Our own FUSE protocol layer, written from the kernel's uapi header
//! (include/uapi/linux/fuse.h) and Documentation/filesystems/fuse*.rst:
//!
//! - `abi`: the wire structs and constants;
//! - `request`: a request buffer -> a typed `Operation` (bounds-checked);
//! - `reply`: reply payload encoders (entries keep node id and st_ino apart);
//! - `channel`: /dev/fuse, mount(2) and notifications;
//! - `fusermount`: mounting without root through fusermount3 (Linux);
//! - `mount_freebsd`, `mount_macos`, `mount_table`: mounting through FreeBSD's
//!   fusefs (nmount(2)) and macFUSE (mount_macfuse), and their mount tables;
//! - `darwin`: macFUSE's variant of the wire format, translated in `channel`;
//! - `server`: INIT, the worker threads, FORGET/INTERRUPT/DESTROY;
//! - `uring`: the FUSE-over-io_uring transport (Linux; one pinned queue per
//!   CPU); `uring_mode`: the `--io-uring` choice, on every system.
//!
//! It knows nothing of NTFS: `crate::dispatch` turns operations into calls on
//! the file system and their results into replies.

pub mod abi;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
pub mod channel;
pub mod darwin;
#[cfg(any(target_os = "linux", target_os = "macos"))]
pub mod fd_passing;
#[cfg(target_os = "linux")]
pub mod fusermount;
#[cfg(any(target_os = "freebsd", test))]
pub mod mount_freebsd;
#[cfg(any(target_os = "macos", test))]
pub mod mount_macos;
#[cfg(any(target_os = "freebsd", target_os = "macos", test))]
pub mod mount_table;
pub mod reply;
pub mod request;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
pub mod server;
#[cfg(target_os = "linux")]
pub mod uring;
pub mod uring_mode;

pub use reply::{Errno, FileAttr, FileType};
pub use request::{
    FileHandle, INodeNo, OpenAccMode, OpenFlags, RenameFlags, Request, SetAttr, TimeOrNow,
};
