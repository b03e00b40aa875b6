//! One helper per reply type: a handler computes a `Result` and hands it over, so
//! every handler ends in one line and every failure goes out as an errno.

use fuser::{
    Errno, FileAttr, FileHandle, FopenFlags, Generation, ReplyAttr, ReplyCreate, ReplyData,
    ReplyEmpty, ReplyEntry, ReplyOpen, ReplyStatfs, ReplyWrite, ReplyXattr,
};
use std::time::Duration;

/// What a handler returns: a value or the errno to answer with.
pub type Res<T> = Result<T, Errno>;

/// A node's attributes and its FUSE generation.
pub struct Entry {
    pub attr: FileAttr,
    pub generation: u64,
}

pub fn entry(reply: ReplyEntry, ttl: Duration, r: Res<Entry>) {
    match r {
        Ok(e) => reply.entry(&ttl, &e.attr, Generation(e.generation)),
        Err(e) => reply.error(e),
    }
}

pub fn attr(reply: ReplyAttr, ttl: Duration, r: Res<FileAttr>) {
    match r {
        Ok(a) => reply.attr(&ttl, &a),
        Err(e) => reply.error(e),
    }
}

pub fn empty(reply: ReplyEmpty, r: Res<()>) {
    match r {
        Ok(()) => reply.ok(),
        Err(e) => reply.error(e),
    }
}

pub fn data(reply: ReplyData, r: Res<Vec<u8>>) {
    match r {
        Ok(d) => reply.data(&d),
        Err(e) => reply.error(e),
    }
}

pub fn open(reply: ReplyOpen, r: Res<u64>) {
    match r {
        Ok(fh) => reply.opened(FileHandle(fh), FopenFlags::empty()),
        Err(e) => reply.error(e),
    }
}

/// Flags of every file open. FLUSH would do nothing here (data lives in the
/// core and no POSIX locks are kept), so the kernel is told not to send it:
/// one round trip less per close (issue 7).
const FILE_OPEN: FopenFlags = FopenFlags::FOPEN_NOFLUSH;

/// A file open: the handle and whether the kernel may keep its cached pages.
pub fn open_file(reply: ReplyOpen, r: Res<(u64, bool)>) {
    match r {
        Ok((fh, keep)) => {
            let flags = if keep {
                FILE_OPEN | FopenFlags::FOPEN_KEEP_CACHE
            } else {
                FILE_OPEN
            };
            reply.opened(FileHandle(fh), flags)
        }
        Err(e) => reply.error(e),
    }
}

pub fn write(reply: ReplyWrite, r: Res<usize>) {
    match r {
        Ok(n) => reply.written(n as u32),
        Err(e) => reply.error(e),
    }
}

pub fn create(reply: ReplyCreate, ttl: Duration, r: Res<(Entry, u64)>) {
    match r {
        Ok((e, fh)) => reply.created(
            &ttl,
            &e.attr,
            Generation(e.generation),
            FileHandle(fh),
            FILE_OPEN,
        ),
        Err(e) => reply.error(e),
    }
}

/// getxattr/listxattr: size 0 asks for the length; a smaller buffer is ERANGE.
pub fn xattr(reply: ReplyXattr, size: u32, r: Res<Vec<u8>>) {
    match r {
        Ok(v) if size == 0 => reply.size(v.len() as u32),
        Ok(v) if v.len() > size as usize => reply.error(crate::errno::for_op(
            ntlinkfs_core::PosixOp::Getxattr,
            ntlinkfs_core::NtError::BufferTooSmall,
        )),
        Ok(v) => reply.data(&v),
        Err(e) => reply.error(e),
    }
}

/// Volume statistics in 4 KiB blocks.
pub struct Statfs {
    pub blocks: u64,
    pub bfree: u64,
    pub files: u64,
    pub ffree: u64,
}

/// statfs's block size: the core's (NTFS's default cluster).
const BLOCK: u32 = ntlinkfs_core::BLOCK_SIZE as u32;

pub fn statfs(reply: ReplyStatfs, r: Res<Statfs>) {
    match r {
        Ok(s) => reply.statfs(
            s.blocks, s.bfree, s.bfree, s.files, s.ffree, BLOCK, 255, BLOCK,
        ),
        Err(e) => reply.error(e),
    }
}
