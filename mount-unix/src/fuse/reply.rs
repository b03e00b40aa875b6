//! Reply payloads, encoded as the kernel reads them. The transport puts the
//! out-header in front (see `channel`); these only build what follows it.

use super::abi::{self, bytes_of};
use super::request::INodeNo;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// An errno to answer a request with (positive, as in errno.h).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Errno(i32);

impl Errno {
    pub const EIO: Errno = Errno(libc::EIO);
    pub const EINVAL: Errno = Errno(libc::EINVAL);
    pub const ENOSYS: Errno = Errno(libc::ENOSYS);

    /// A positive errno value; anything else becomes EIO.
    pub fn from_i32(e: i32) -> Errno {
        if e > 0 {
            Errno(e)
        } else {
            Errno::EIO
        }
    }

    pub fn code(self) -> i32 {
        self.0
    }
}

/// The kind of a node, as stat's S_IFMT shows it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FileType {
    NamedPipe,
    CharDevice,
    BlockDevice,
    Directory,
    RegularFile,
    Symlink,
    Socket,
}

impl FileType {
    fn mode_bits(self) -> u32 {
        match self {
            FileType::NamedPipe => abi::S_IFIFO,
            FileType::CharDevice => abi::S_IFCHR,
            FileType::BlockDevice => abi::S_IFBLK,
            FileType::Directory => abi::S_IFDIR,
            FileType::RegularFile => abi::S_IFREG,
            FileType::Symlink => abi::S_IFLNK,
            FileType::Socket => abi::S_IFSOCK,
        }
    }

    /// The d_type of a directory entry (DT_* is S_IF* >> 12).
    fn dirent_type(self) -> u32 {
        self.mode_bits() >> 12
    }
}

/// A node's attributes as stat shows them. `ino` is st_ino, which is not
/// always the node id the kernel knows the node by.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileAttr {
    pub ino: INodeNo,
    pub size: u64,
    pub blocks: u64,
    pub atime: SystemTime,
    pub mtime: SystemTime,
    pub ctime: SystemTime,
    pub crtime: SystemTime,
    pub kind: FileType,
    pub perm: u16,
    pub nlink: u32,
    pub uid: u32,
    pub gid: u32,
    pub rdev: u32,
    pub blksize: u32,
    pub flags: u32,
}

/// Seconds and nanoseconds since the epoch, negative before it (the kernel
/// reads the seconds as signed).
fn wire_time(t: SystemTime) -> (u64, u32) {
    match t.duration_since(UNIX_EPOCH) {
        Ok(d) => (d.as_secs(), d.subsec_nanos()),
        Err(e) => {
            let d = e.duration();
            if d.subsec_nanos() == 0 {
                ((-(d.as_secs() as i64)) as u64, 0)
            } else {
                (
                    (-(d.as_secs() as i64) - 1) as u64,
                    1_000_000_000 - d.subsec_nanos(),
                )
            }
        }
    }
}

pub fn attr(a: &FileAttr) -> abi::Attr {
    let (atime, atimensec) = wire_time(a.atime);
    let (mtime, mtimensec) = wire_time(a.mtime);
    let (ctime, ctimensec) = wire_time(a.ctime);
    abi::Attr {
        ino: a.ino.0,
        size: a.size,
        blocks: a.blocks,
        atime,
        mtime,
        ctime,
        atimensec,
        mtimensec,
        ctimensec,
        mode: a.kind.mode_bits() | u32::from(a.perm),
        nlink: a.nlink,
        uid: a.uid,
        gid: a.gid,
        rdev: a.rdev,
        blksize: a.blksize,
        flags: a.flags,
    }
}

/// A lookup answer: the node id the kernel will use for this name (`nodeid`)
/// is separate from the st_ino in `a`.
pub fn entry_out(
    nodeid: u64,
    generation: u64,
    entry_ttl: Duration,
    attr_ttl: Duration,
    a: &FileAttr,
) -> abi::EntryOut {
    abi::EntryOut {
        nodeid,
        generation,
        entry_valid: entry_ttl.as_secs(),
        attr_valid: attr_ttl.as_secs(),
        entry_valid_nsec: entry_ttl.subsec_nanos(),
        attr_valid_nsec: attr_ttl.subsec_nanos(),
        attr: attr(a),
    }
}

pub fn entry(out: &mut Vec<u8>, e: &abi::EntryOut) {
    out.extend_from_slice(bytes_of(e));
}

pub fn attr_out(out: &mut Vec<u8>, ttl: Duration, a: &FileAttr) {
    let o = abi::AttrOut {
        attr_valid: ttl.as_secs(),
        attr_valid_nsec: ttl.subsec_nanos(),
        dummy: 0,
        attr: attr(a),
    };
    out.extend_from_slice(bytes_of(&o));
}

pub fn open(out: &mut Vec<u8>, fh: u64, open_flags: u32) {
    let o = abi::OpenOut {
        fh,
        open_flags,
        padding: 0,
    };
    out.extend_from_slice(bytes_of(&o));
}

/// create: the entry, then the open.
pub fn create(out: &mut Vec<u8>, e: &abi::EntryOut, fh: u64, open_flags: u32) {
    entry(out, e);
    open(out, fh, open_flags);
}

pub fn write(out: &mut Vec<u8>, written: u32) {
    out.extend_from_slice(bytes_of(&abi::WriteOut {
        size: written,
        padding: 0,
    }));
}

pub fn statfs(out: &mut Vec<u8>, s: &abi::Kstatfs) {
    out.extend_from_slice(bytes_of(s));
}

/// getxattr/listxattr asked for the size only (size 0).
pub fn xattr_size(out: &mut Vec<u8>, size: u32) {
    out.extend_from_slice(bytes_of(&abi::GetxattrOut { size, padding: 0 }));
}

pub fn lseek(out: &mut Vec<u8>, offset: u64) {
    out.extend_from_slice(bytes_of(&abi::LseekOut { offset }));
}

/// A READDIR or READDIRPLUS answer, filled up to the size the kernel asked for.
pub struct DirBuf {
    buf: Vec<u8>,
    max: usize,
}

impl DirBuf {
    pub fn new(max: u32) -> DirBuf {
        DirBuf {
            buf: Vec::new(),
            max: max as usize,
        }
    }

    /// Appends one READDIR record; false (nothing added) when it does not fit.
    /// `ino` is the st_ino shown as d_ino; `off` is the offset of the next entry.
    pub fn add(&mut self, ino: u64, off: u64, kind: FileType, name: &[u8]) -> bool {
        self.push(None, ino, off, kind, name)
    }

    /// Whether a READDIRPLUS record for a name of `name_len` bytes still fits
    /// (checked before a lookup is counted for it).
    pub fn fits_plus(&self, name_len: usize) -> bool {
        let rec =
            std::mem::size_of::<abi::EntryOut>() + std::mem::size_of::<abi::Dirent>() + name_len;
        self.buf.len() + abi::dirent_align(rec) <= self.max
    }

    /// Appends one READDIRPLUS record (entry then dirent); false when full.
    pub fn add_plus(&mut self, e: &abi::EntryOut, off: u64, kind: FileType, name: &[u8]) -> bool {
        self.push(Some(e), e.attr.ino, off, kind, name)
    }

    /// Appends a READDIRPLUS record without attributes (node id 0, which the
    /// kernel takes as a plain entry); false when full.
    pub fn add_plain_plus(&mut self, ino: u64, off: u64, kind: FileType, name: &[u8]) -> bool {
        self.push(Some(&abi::EntryOut::default()), ino, off, kind, name)
    }

    fn push(
        &mut self,
        e: Option<&abi::EntryOut>,
        ino: u64,
        off: u64,
        kind: FileType,
        name: &[u8],
    ) -> bool {
        let head = std::mem::size_of::<abi::Dirent>();
        let entry = e.map_or(0, |_| std::mem::size_of::<abi::EntryOut>());
        let rec = abi::dirent_align(entry + head + name.len());
        if self.buf.len() + rec > self.max {
            return false;
        }
        let start = self.buf.len();
        if let Some(e) = e {
            self.buf.extend_from_slice(bytes_of(e));
        }
        let d = abi::Dirent {
            ino,
            off,
            namelen: name.len() as u32,
            typ: kind.dirent_type(),
        };
        self.buf.extend_from_slice(bytes_of(&d));
        self.buf.extend_from_slice(name);
        self.buf.resize(start + rec, 0);
        true
    }

    pub fn into_bytes(self) -> Vec<u8> {
        self.buf
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(kind: FileType) -> FileAttr {
        FileAttr {
            ino: INodeNo(42),
            size: 5,
            blocks: 1,
            atime: UNIX_EPOCH + Duration::new(10, 5),
            mtime: UNIX_EPOCH - Duration::new(1, 500),
            ctime: UNIX_EPOCH,
            crtime: UNIX_EPOCH,
            kind,
            perm: 0o644,
            nlink: 2,
            uid: 1,
            gid: 2,
            rdev: 0,
            blksize: 4096,
            flags: 0,
        }
    }

    #[test]
    fn entry_keeps_node_id_and_st_ino_apart() {
        let e = entry_out(
            7,
            3,
            Duration::from_millis(1500),
            Duration::from_secs(1),
            &sample(FileType::Symlink),
        );
        assert_eq!((e.nodeid, e.generation, e.attr.ino), (7, 3, 42));
        assert_eq!((e.entry_valid, e.entry_valid_nsec), (1, 500_000_000));
        assert_eq!(e.attr.mode, abi::S_IFLNK | 0o644);
        assert_eq!((e.attr.atime, e.attr.atimensec), (10, 5));
        // 1 s 500 ns before the epoch: -2 s + 999,999,500 ns.
        assert_eq!((e.attr.mtime as i64, e.attr.mtimensec), (-2, 999_999_500));
        let mut out = Vec::new();
        entry(&mut out, &e);
        assert_eq!(out.len(), 128);
    }

    #[test]
    fn directory_records_are_aligned_and_stop_when_full() {
        let mut d = DirBuf::new(64);
        assert!(d.add(5, 1, FileType::RegularFile, b"abc"));
        assert!(d.add(6, 2, FileType::Directory, b"12345678"));
        assert!(
            !d.add(7, 3, FileType::RegularFile, b"x"),
            "32 + 32 = 64 is full"
        );
        let b = d.into_bytes();
        assert_eq!(b.len(), 64);
        let first = abi::read::<abi::Dirent>(&b).unwrap();
        assert_eq!(
            (first.ino, first.off, first.namelen, first.typ),
            (5, 1, 3, libc::DT_REG as u32)
        );
        assert_eq!(&b[24..27], b"abc");
        assert_eq!(&b[27..32], &[0; 5], "padding is zero");
        let second = abi::read::<abi::Dirent>(&b[32..]).unwrap();
        assert_eq!(second.typ, libc::DT_DIR as u32);

        let mut p = DirBuf::new(4096);
        let e = entry_out(
            9,
            0,
            Duration::ZERO,
            Duration::ZERO,
            &sample(FileType::Symlink),
        );
        assert!(p.add_plus(&e, 1, FileType::Symlink, b"s"));
        let b = p.into_bytes();
        assert_eq!(b.len(), abi::dirent_align(128 + 24 + 1));
        let d = abi::read::<abi::Dirent>(&b[128..]).unwrap();
        assert_eq!((d.ino, d.typ), (42, libc::DT_LNK as u32), "d_ino is st_ino");
        assert_eq!(abi::read::<abi::EntryOut>(&b).unwrap().nodeid, 9);
    }

    #[test]
    fn errno_is_positive() {
        assert_eq!(Errno::from_i32(libc::ENOENT).code(), libc::ENOENT);
        assert_eq!(Errno::from_i32(0), Errno::EIO);
        assert_eq!(Errno::from_i32(-3), Errno::EIO);
    }
}
