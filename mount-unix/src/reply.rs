//! What the operations return: a value or the errno to answer with, and the
//! values that are not plain attributes. The dispatcher encodes them.

use crate::fuse::{Errno, FileAttr};

/// What a handler returns: a value or the errno to answer with.
pub type Res<T> = Result<T, Errno>;

/// A node's attributes and its FUSE generation.
pub struct Entry {
    pub attr: FileAttr,
    pub generation: u64,
}

/// Volume statistics in 4 KiB blocks.
pub struct Statfs {
    pub blocks: u64,
    pub bfree: u64,
    pub files: u64,
    pub ffree: u64,
}
