//! Our own FUSE protocol layer, written from the kernel's uapi header
//! (include/uapi/linux/fuse.h) and Documentation/filesystems/fuse*.rst:
//!
//! - `abi`: the wire structs and constants;
//! - `request`: a request buffer -> a typed `Operation` (bounds-checked);
//! - `reply`: reply payload encoders (entries keep node id and st_ino apart);
//! - `channel`: /dev/fuse, mount(2) and notifications;
//! - `fusermount`: mounting without root through fusermount3 (Linux);
//! - `server`: INIT, the worker threads, FORGET/INTERRUPT/DESTROY;
//! - `uring`: the FUSE-over-io_uring transport (one pinned queue per CPU).
//!
//! It knows nothing of NTFS: `crate::dispatch` turns operations into calls on
//! the file system and their results into replies.

pub mod abi;
#[cfg(target_os = "linux")]
pub mod channel;
#[cfg(target_os = "linux")]
pub mod fusermount;
pub mod reply;
pub mod request;
#[cfg(target_os = "linux")]
pub mod server;
#[cfg(target_os = "linux")]
pub mod uring;

pub use reply::{Errno, FileAttr, FileType};
pub use request::{FileHandle, INodeNo, OpenAccMode, OpenFlags, RenameFlags, Request, TimeOrNow};
