//! What the operations return: a value or the core's error, and the values
//! that are not plain attributes. The dispatcher encodes them (and turns the
//! error into the errno of the POSIX operation the request was).

use crate::fuse::FileAttr;
use ntlinkfs_core::NtError;

/// What an operation returns: a value or the status the core failed it with.
pub type Res<T> = Result<T, NtError>;

/// A node's attributes and its FUSE generation.
#[derive(Clone)]
pub struct Entry {
    pub attr: FileAttr,
    pub generation: u64,
    /// Whether the kernel may keep the name for the entry TTL. Not for an
    /// empty directory: a reparse point can turn it into a junction or a
    /// directory symlink (J3 allows that only when it is empty), and the
    /// kernel must then look the name up again (dentry_cache::named_dir).
    pub cache_name: bool,
}

/// Volume statistics in 4 KiB blocks.
pub struct Statfs {
    pub blocks: u64,
    pub bfree: u64,
    pub files: u64,
    pub ffree: u64,
}
