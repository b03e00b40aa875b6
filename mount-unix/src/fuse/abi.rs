//! The kernel's FUSE ABI: the structs and constants this adapter uses, written
//! from include/uapi/linux/fuse.h (protocol 7.x). Every struct is `#[repr(C)]`
//! with the header's explicit padding, so its size (asserted below against the
//! header) is its wire size and it has no hidden padding bytes.

/// The protocol major version; the kernel and we must agree on it.
pub const KERNEL_VERSION: u32 = 7;
/// The newest minor version whose structs this module knows (the kernel takes
/// the smaller of its own and ours).
pub const KERNEL_MINOR_VERSION: u32 = 38;
/// The oldest minor version we serve: 7.31 has every struct below at its
/// current size (init_out's max_pages, write_in's flags, ...).
#[cfg(not(any(target_os = "freebsd", target_os = "macos")))]
pub const MIN_MINOR_VERSION: u32 = 31;
/// FreeBSD's fusefs speaks 7.28 (sys/fs/fuse/fuse_kernel.h), whose structs
/// that we use have the sizes below; it sends neither READDIRPLUS nor
/// RENAME2, and we ask for nothing it lacks (INIT takes offered flags only).
#[cfg(target_os = "freebsd")]
pub const MIN_MINOR_VERSION: u32 = 28;
/// The macFUSE kernel extension speaks 7.19; `fuse::darwin` translates its
/// layout, and its INIT answer is the 24-byte compat form.
#[cfg(target_os = "macos")]
pub const MIN_MINOR_VERSION: u32 = 19;

/// The node id of the mount root.
pub const ROOT_ID: u64 = 1;

// Linux values the protocol carries (stat modes, renameat2 and setxattr
// flags). Not taken from `libc`, so the protocol layer compiles and tests the
// same on every host, whatever its own headers say. The stat modes are the
// core's: WSL stores the same Linux values in `$LXMOD`.
pub use ntlinkfs_core::special::{
    S_IFBLK, S_IFCHR, S_IFDIR, S_IFIFO, S_IFLNK, S_IFMT, S_IFREG, S_IFSOCK,
};
// The set-id bits the daemon clears itself (FUSE_HANDLE_KILLPRIV_V2), and the
// group-execute bit that decides whether set-group-ID goes.
pub const S_ISUID: u16 = 0o4000;
pub const S_ISGID: u16 = 0o2000;
pub const S_IXGRP: u16 = 0o0010;
pub const RENAME_NOREPLACE: u32 = 1;
pub const RENAME_EXCHANGE: u32 = 2;
pub const RENAME_WHITEOUT: u32 = 4;
pub const XATTR_CREATE: i32 = 1;
pub const XATTR_REPLACE: i32 = 2;
// fallocate modes (Linux values; FreeBSD's fusefs sends the same ones).
pub const FALLOC_FL_KEEP_SIZE: i32 = 0x01;
pub const FALLOC_FL_PUNCH_HOLE: i32 = 0x02;
pub const FALLOC_FL_ZERO_RANGE: i32 = 0x10;

// Opcodes (enum fuse_opcode).
pub const LOOKUP: u32 = 1;
pub const FORGET: u32 = 2;
pub const GETATTR: u32 = 3;
pub const SETATTR: u32 = 4;
pub const READLINK: u32 = 5;
pub const SYMLINK: u32 = 6;
pub const MKNOD: u32 = 8;
pub const MKDIR: u32 = 9;
pub const UNLINK: u32 = 10;
pub const RMDIR: u32 = 11;
pub const RENAME: u32 = 12;
pub const LINK: u32 = 13;
pub const OPEN: u32 = 14;
pub const READ: u32 = 15;
pub const WRITE: u32 = 16;
pub const STATFS: u32 = 17;
pub const RELEASE: u32 = 18;
pub const FSYNC: u32 = 20;
pub const SETXATTR: u32 = 21;
pub const GETXATTR: u32 = 22;
pub const LISTXATTR: u32 = 23;
pub const REMOVEXATTR: u32 = 24;
pub const FLUSH: u32 = 25;
pub const INIT: u32 = 26;
pub const OPENDIR: u32 = 27;
pub const READDIR: u32 = 28;
pub const RELEASEDIR: u32 = 29;
pub const FSYNCDIR: u32 = 30;
pub const ACCESS: u32 = 34;
pub const CREATE: u32 = 35;
pub const INTERRUPT: u32 = 36;
pub const DESTROY: u32 = 38;
pub const BATCH_FORGET: u32 = 42;
pub const FALLOCATE: u32 = 43;
pub const READDIRPLUS: u32 = 44;
pub const RENAME2: u32 = 45;
pub const LSEEK: u32 = 46;

// INIT flags (fuse_init_in.flags / fuse_init_out.flags).
pub const FUSE_ASYNC_READ: u32 = 1 << 0;
pub const FUSE_BIG_WRITES: u32 = 1 << 5;
pub const FUSE_DO_READDIRPLUS: u32 = 1 << 13;
/// The file system clears set-user-ID and set-group-ID itself on write,
/// truncate and chown (the flags below); the kernel then marks inodes checked
/// once as needing no privilege removal (SB_NOSEC), instead of asking for
/// `security.capability` before every write(2).
pub const FUSE_HANDLE_KILLPRIV_V2: u32 = 1 << 28;
pub const FUSE_MAX_PAGES: u32 = 1 << 22;
pub const FUSE_INIT_EXT: u32 = 1 << 30;
/// FUSE_OVER_IO_URING (1 << 41): a flags2 bit (flags2 holds bits 32..63).
pub const FUSE_OVER_IO_URING_FLAGS2: u32 = 1 << (41 - 32);

// setattr valid bits.
pub const FATTR_MODE: u32 = 1 << 0;
pub const FATTR_UID: u32 = 1 << 1;
pub const FATTR_GID: u32 = 1 << 2;
pub const FATTR_SIZE: u32 = 1 << 3;
pub const FATTR_ATIME: u32 = 1 << 4;
pub const FATTR_MTIME: u32 = 1 << 5;
pub const FATTR_FH: u32 = 1 << 6;
pub const FATTR_ATIME_NOW: u32 = 1 << 7;
pub const FATTR_MTIME_NOW: u32 = 1 << 8;
/// With FUSE_HANDLE_KILLPRIV_V2: a chown, or a truncate by a caller without
/// CAP_FSETID; clear the set-id bits.
pub const FATTR_KILL_SUIDGID: u32 = 1 << 11;

/// write_in.write_flags, with FUSE_HANDLE_KILLPRIV_V2: the writer has no
/// CAP_FSETID; clear the set-id bits.
pub const FUSE_WRITE_KILL_SUIDGID: u32 = 1 << 2;

// fuse_open_out.open_flags.
pub const FOPEN_DIRECT_IO: u32 = 1 << 0;
pub const FOPEN_KEEP_CACHE: u32 = 1 << 1;
pub const FOPEN_NOFLUSH: u32 = 1 << 5;

/// getattr_flags: `fh` is valid.
pub const FUSE_GETATTR_FH: u32 = 1 << 0;

// Notification codes (enum fuse_notify_code), sent as out_header.error.
pub const NOTIFY_INVAL_INODE: i32 = 2;
pub const NOTIFY_INVAL_ENTRY: i32 = 3;
/// FUSE_NOTIFY_INC_EPOCH (7.44): every cached dentry becomes stale.
pub const NOTIFY_INC_EPOCH: i32 = 8;

/// The smallest read buffer the kernel accepts.
pub const MIN_READ_BUFFER: usize = 8192;

/// Types whose every bit pattern is valid and that have no padding bytes, so
/// they can be read from and written as raw bytes.
///
/// # Safety
/// Implement only for `#[repr(C)]` structs of integers without implicit padding.
pub unsafe trait Wire: Copy + Default {}

macro_rules! wire {
    ($($name:ident = $size:expr => { $($field:ident : $ty:ty),* $(,)? })*) => {
        $(
            #[repr(C)]
            #[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
            pub struct $name { $(pub $field: $ty),* }
            // SAFETY: repr(C), integer fields only, and the size assertion
            // below (equal to the sum of the fields) rules out padding.
            unsafe impl Wire for $name {}
            const _: () = assert!(std::mem::size_of::<$name>() == $size);
            const _: () = assert!(0 $(+ std::mem::size_of::<$ty>())* == $size);
        )*
    };
}
// The Darwin variant's structs (`fuse::darwin`) are declared the same way.
pub(crate) use wire;

wire! {
    InHeader = 40 => { len: u32, opcode: u32, unique: u64, nodeid: u64, uid: u32, gid: u32,
        pid: u32, total_extlen: u16, padding: u16 }
    OutHeader = 16 => { len: u32, error: i32, unique: u64 }
    Attr = 88 => { ino: u64, size: u64, blocks: u64, atime: u64, mtime: u64, ctime: u64,
        atimensec: u32, mtimensec: u32, ctimensec: u32, mode: u32, nlink: u32, uid: u32,
        gid: u32, rdev: u32, blksize: u32, flags: u32 }
    EntryOut = 128 => { nodeid: u64, generation: u64, entry_valid: u64, attr_valid: u64,
        entry_valid_nsec: u32, attr_valid_nsec: u32, attr: Attr }
    AttrOut = 104 => { attr_valid: u64, attr_valid_nsec: u32, dummy: u32, attr: Attr }
    ForgetIn = 8 => { nlookup: u64 }
    ForgetOne = 16 => { nodeid: u64, nlookup: u64 }
    BatchForgetIn = 8 => { count: u32, dummy: u32 }
    GetattrIn = 16 => { getattr_flags: u32, dummy: u32, fh: u64 }
    SetattrIn = 88 => { valid: u32, padding: u32, fh: u64, size: u64, lock_owner: u64,
        atime: u64, mtime: u64, ctime: u64, atimensec: u32, mtimensec: u32, ctimensec: u32,
        mode: u32, unused4: u32, uid: u32, gid: u32, unused5: u32 }
    MknodIn = 16 => { mode: u32, rdev: u32, umask: u32, padding: u32 }
    MkdirIn = 8 => { mode: u32, umask: u32 }
    RenameIn = 8 => { newdir: u64 }
    Rename2In = 16 => { newdir: u64, flags: u32, padding: u32 }
    LinkIn = 8 => { oldnodeid: u64 }
    OpenIn = 8 => { flags: u32, open_flags: u32 }
    CreateIn = 16 => { flags: u32, mode: u32, umask: u32, open_flags: u32 }
    OpenOut = 16 => { fh: u64, open_flags: u32, padding: u32 }
    ReleaseIn = 24 => { fh: u64, flags: u32, release_flags: u32, lock_owner: u64 }
    FlushIn = 24 => { fh: u64, unused: u32, padding: u32, lock_owner: u64 }
    ReadIn = 40 => { fh: u64, offset: u64, size: u32, read_flags: u32, lock_owner: u64,
        flags: u32, padding: u32 }
    WriteIn = 40 => { fh: u64, offset: u64, size: u32, write_flags: u32, lock_owner: u64,
        flags: u32, padding: u32 }
    WriteOut = 8 => { size: u32, padding: u32 }
    Kstatfs = 80 => { blocks: u64, bfree: u64, bavail: u64, files: u64, ffree: u64,
        bsize: u32, namelen: u32, frsize: u32, padding: u32, spare0: u32, spare1: u32,
        spare2: u32, spare3: u32, spare4: u32, spare5: u32 }
    FsyncIn = 16 => { fh: u64, fsync_flags: u32, padding: u32 }
    // Without FUSE_SETXATTR_EXT (not requested) the kernel sends the 8-byte form.
    SetxattrIn = 8 => { size: u32, flags: u32 }
    GetxattrIn = 8 => { size: u32, padding: u32 }
    GetxattrOut = 8 => { size: u32, padding: u32 }
    AccessIn = 8 => { mask: u32, padding: u32 }
    InitIn = 16 => { major: u32, minor: u32, max_readahead: u32, flags: u32 }
    InitInExt = 48 => { flags2: u32, unused0: u32, unused1: u32, unused2: u32, unused3: u32,
        unused4: u32, unused5: u32, unused6: u32, unused7: u32, unused8: u32, unused9: u32,
        unused10: u32 }
    InitOut = 64 => { major: u32, minor: u32, max_readahead: u32, flags: u32,
        max_background: u16, congestion_threshold: u16, max_write: u32, time_gran: u32,
        max_pages: u16, map_alignment: u16, flags2: u32, unused0: u32, unused1: u32,
        unused2: u32, unused3: u32, unused4: u32, unused5: u32, unused6: u32 }
    InterruptIn = 8 => { unique: u64 }
    FallocateIn = 32 => { fh: u64, offset: u64, length: u64, mode: u32, padding: u32 }
    LseekIn = 24 => { fh: u64, offset: u64, whence: u32, padding: u32 }
    LseekOut = 8 => { offset: u64 }
    Dirent = 24 => { ino: u64, off: u64, namelen: u32, typ: u32 }
    NotifyInvalInodeOut = 24 => { ino: u64, off: i64, len: i64 }
    NotifyInvalEntryOut = 16 => { parent: u64, namelen: u32, flags: u32 }
}

// FUSE over io_uring (Linux 6.14+, Documentation/filesystems/fuse-io-uring.rst):
// IORING_OP_URING_CMD on /dev/fuse, its command in the SQE128's 80-byte area.
/// uring_cmd op: hand the kernel an entry's buffers, fetch a request into it.
pub const URING_CMD_REGISTER: u32 = 1;
/// uring_cmd op: commit the reply in an entry, fetch the next request into it.
pub const URING_CMD_COMMIT_AND_FETCH: u32 = 2;
/// fuse_uring_req_header: the in/out header area (fuse_in_header going in,
/// fuse_out_header coming back), then the op's first argument, then
/// fuse_uring_ent_in_out.
pub const URING_IN_OUT_HEADER_SZ: usize = 128;
pub const URING_OP_IN_OUT_SZ: usize = 128;

wire! {
    UringEntInOut = 32 => { flags: u64, commit_id: u64, payload_sz: u32, padding: u32,
        reserved: u64 }
    // fuse_uring_cmd_req's padding[6] written as three u16 so the struct stays
    // integers only; same 24 bytes.
    UringCmdReq = 24 => { flags: u64, commit_id: u64, qid: u16, padding0: u16, padding1: u16,
        padding2: u16 }
}

/// struct fuse_uring_req_header (288 bytes): iov[0] of a ring entry.
#[repr(C, align(8))]
#[derive(Debug, Clone, Copy)]
pub struct UringReqHeader {
    pub in_out: [u8; URING_IN_OUT_HEADER_SZ],
    pub op_in: [u8; URING_OP_IN_OUT_SZ],
    pub ent_in_out: UringEntInOut,
}
const _: () = assert!(std::mem::size_of::<UringReqHeader>() == 288);

impl Default for UringReqHeader {
    fn default() -> Self {
        UringReqHeader {
            in_out: [0; URING_IN_OUT_HEADER_SZ],
            op_in: [0; URING_OP_IN_OUT_SZ],
            ent_in_out: UringEntInOut::default(),
        }
    }
}

/// fuse_init_in as the kernel sends it since 7.36 (16 bytes, then 48 with
/// FUSE_INIT_EXT's flags2).
pub const INIT_IN_EXT_SIZE: usize = 64;

/// The bytes of a wire struct.
pub fn bytes_of<T: Wire>(v: &T) -> &[u8] {
    // SAFETY: `T: Wire` has no padding, so all of its bytes are initialised.
    unsafe { std::slice::from_raw_parts((v as *const T).cast::<u8>(), std::mem::size_of::<T>()) }
}

/// A wire struct read from the start of `b`, or None when `b` is too short.
pub fn read<T: Wire>(b: &[u8]) -> Option<T> {
    if b.len() < std::mem::size_of::<T>() {
        return None;
    }
    // SAFETY: the length was checked, any bit pattern is a valid `T`, and
    // read_unaligned has no alignment requirement.
    Some(unsafe { std::ptr::read_unaligned(b.as_ptr().cast::<T>()) })
}

/// Rounds a directory record up to the 8-byte boundary (FUSE_DIRENT_ALIGN).
pub const fn dirent_align(n: usize) -> usize {
    (n + 7) & !7
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The written-out Linux values are the ones Linux's headers give.
    #[cfg(target_os = "linux")]
    #[test]
    fn linux_values_match_the_linux_headers() {
        let modes = [
            S_IFMT, S_IFSOCK, S_IFLNK, S_IFREG, S_IFBLK, S_IFDIR, S_IFCHR, S_IFIFO,
        ];
        let libc_modes = [
            libc::S_IFMT,
            libc::S_IFSOCK,
            libc::S_IFLNK,
            libc::S_IFREG,
            libc::S_IFBLK,
            libc::S_IFDIR,
            libc::S_IFCHR,
            libc::S_IFIFO,
        ];
        assert_eq!(modes, libc_modes);
        assert_eq!(
            [S_ISUID, S_ISGID, S_IXGRP].map(u32::from),
            [libc::S_ISUID, libc::S_ISGID, libc::S_IXGRP]
        );
        assert_eq!(
            [RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT],
            [
                libc::RENAME_NOREPLACE,
                libc::RENAME_EXCHANGE,
                libc::RENAME_WHITEOUT
            ]
        );
        assert_eq!(
            [XATTR_CREATE, XATTR_REPLACE],
            [libc::XATTR_CREATE, libc::XATTR_REPLACE]
        );
        assert_eq!(
            [
                FALLOC_FL_KEEP_SIZE,
                FALLOC_FL_PUNCH_HOLE,
                FALLOC_FL_ZERO_RANGE
            ],
            [
                libc::FALLOC_FL_KEEP_SIZE,
                libc::FALLOC_FL_PUNCH_HOLE,
                libc::FALLOC_FL_ZERO_RANGE
            ]
        );
    }

    #[test]
    fn read_round_trips_and_refuses_short_input() {
        let h = OutHeader {
            len: 16,
            error: -2,
            unique: 9,
        };
        assert_eq!(read::<OutHeader>(bytes_of(&h)), Some(h));
        assert_eq!(read::<OutHeader>(&bytes_of(&h)[..15]), None);
    }

    #[test]
    fn dirent_records_are_8_byte_aligned() {
        assert_eq!(dirent_align(24 + 1), 32);
        assert_eq!(dirent_align(24 + 8), 32);
        assert_eq!(dirent_align(24 + 9), 40);
    }
}
