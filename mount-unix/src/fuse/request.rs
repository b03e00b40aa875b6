//! One request from the kernel, parsed into a typed [`Operation`]. Every length
//! and string is checked against the buffer: a malformed request becomes a
//! [`ParseError`] (answered EIO or EINVAL), never a panic or an out-of-bounds read.

use super::abi::{self, Wire};
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// A FUSE node id (what the kernel names an inode by; not always its st_ino).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct INodeNo(pub u64);

/// A file or directory handle handed out at open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct FileHandle(pub u64);

/// The open(2) flags of a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct OpenFlags(pub i32);

/// The access mode part of [`OpenFlags`].
#[allow(non_camel_case_types)]
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum OpenAccMode {
    O_RDONLY,
    O_WRONLY,
    O_RDWR,
}

impl OpenFlags {
    pub fn acc_mode(self) -> OpenAccMode {
        match self.0 & libc::O_ACCMODE {
            libc::O_RDONLY => OpenAccMode::O_RDONLY,
            libc::O_WRONLY => OpenAccMode::O_WRONLY,
            _ => OpenAccMode::O_RDWR,
        }
    }
}

/// renameat2(2) flags.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct RenameFlags(pub u32);

impl RenameFlags {
    pub const RENAME_NOREPLACE: RenameFlags = RenameFlags(abi::RENAME_NOREPLACE);
    pub const RENAME_EXCHANGE: RenameFlags = RenameFlags(abi::RENAME_EXCHANGE);
    pub const RENAME_WHITEOUT: RenameFlags = RenameFlags(abi::RENAME_WHITEOUT);

    pub fn contains(self, other: RenameFlags) -> bool {
        self.0 & other.0 == other.0
    }
}

/// A time set by setattr: a given one or the daemon's clock.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TimeOrNow {
    SpecificTime(SystemTime),
    Now,
}

/// Who sent a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Request {
    pub unique: u64,
    pub nodeid: u64,
    pub uid: u32,
    pub gid: u32,
    pub pid: u32,
}

impl Request {
    pub fn uid(&self) -> u32 {
        self.uid
    }
    pub fn gid(&self) -> u32 {
        self.gid
    }
    pub fn pid(&self) -> u32 {
        self.pid
    }
}

/// setattr's changes; None leaves a field as it is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct SetAttr {
    pub mode: Option<u32>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
    pub size: Option<u64>,
    pub atime: Option<TimeOrNow>,
    pub mtime: Option<TimeOrNow>,
    pub fh: Option<FileHandle>,
    /// FATTR_KILL_SUIDGID: clear the set-id bits (chown; truncate without
    /// CAP_FSETID).
    pub kill_suidgid: bool,
}

/// The INIT request's offer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct InitIn {
    pub major: u32,
    pub minor: u32,
    pub max_readahead: u32,
    pub flags: u64,
}

/// A request's operation with its arguments (borrowing names and data from
/// the request buffer). The node it is about is `Request::nodeid`.
#[derive(Debug, PartialEq, Eq)]
pub enum Operation<'a> {
    Init(InitIn),
    Destroy,
    Interrupt {
        unique: u64,
    },
    Forget {
        nlookup: u64,
    },
    BatchForget(Vec<(u64, u64)>),
    Lookup {
        name: &'a OsStr,
    },
    Getattr {
        fh: Option<FileHandle>,
    },
    Setattr(SetAttr),
    Readlink,
    Symlink {
        name: &'a OsStr,
        target: &'a Path,
    },
    Mknod {
        name: &'a OsStr,
        mode: u32,
        umask: u32,
        rdev: u32,
    },
    Mkdir {
        name: &'a OsStr,
        mode: u32,
        umask: u32,
    },
    Unlink {
        name: &'a OsStr,
    },
    Rmdir {
        name: &'a OsStr,
    },
    Rename {
        name: &'a OsStr,
        newparent: INodeNo,
        newname: &'a OsStr,
        flags: RenameFlags,
    },
    Link {
        ino: INodeNo,
        newname: &'a OsStr,
    },
    Open {
        flags: OpenFlags,
    },
    Read {
        fh: FileHandle,
        offset: u64,
        size: u32,
    },
    Write {
        fh: FileHandle,
        offset: u64,
        data: &'a [u8],
        /// FUSE_WRITE_KILL_SUIDGID: the writer has no CAP_FSETID.
        kill_suidgid: bool,
    },
    Statfs,
    Release {
        fh: FileHandle,
    },
    Fsync {
        fh: FileHandle,
        datasync: bool,
    },
    Setxattr {
        name: &'a OsStr,
        value: &'a [u8],
        flags: i32,
    },
    Getxattr {
        name: &'a OsStr,
        size: u32,
    },
    Listxattr {
        size: u32,
    },
    Removexattr {
        name: &'a OsStr,
    },
    Flush {
        fh: FileHandle,
    },
    Opendir {
        flags: OpenFlags,
    },
    Readdir {
        fh: FileHandle,
        offset: u64,
        size: u32,
    },
    Readdirplus {
        fh: FileHandle,
        offset: u64,
        size: u32,
    },
    Releasedir {
        fh: FileHandle,
    },
    Fsyncdir {
        fh: FileHandle,
        datasync: bool,
    },
    Access {
        mask: u32,
    },
    Create {
        name: &'a OsStr,
        mode: u32,
        umask: u32,
        flags: i32,
    },
    Fallocate {
        fh: FileHandle,
        offset: u64,
        length: u64,
        mode: i32,
    },
    Lseek {
        fh: FileHandle,
        offset: i64,
        whence: u32,
    },
    /// An opcode this file system does not implement (answered ENOSYS).
    Unknown(u32),
}

/// Why a request could not be parsed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ParseError {
    /// Shorter than its header, or its length field disagrees with the buffer:
    /// nothing can be answered (no trustworthy `unique`).
    Header,
    /// The header is sound but the arguments are truncated or malformed;
    /// answered EIO with the request's `unique`.
    Arguments(Request),
}

/// Splits off what a request carries after its header. Over io_uring the
/// kernel puts an operation's first argument (its fixed struct, where it has
/// one) in a separate area, `op_in`; the first fixed struct is read from
/// there, everything else from the payload (`.0`).
struct Args<'a>(&'a [u8], &'a [u8]);

impl<'a> Args<'a> {
    fn fixed<T: Wire>(&mut self) -> Option<T> {
        if !self.1.is_empty() {
            let v = abi::read::<T>(self.1)?;
            self.1 = &[];
            return Some(v);
        }
        let v = abi::read::<T>(self.0)?;
        self.0 = &self.0[std::mem::size_of::<T>()..];
        Some(v)
    }

    /// A NUL-terminated name; an empty name is malformed.
    fn name(&mut self) -> Option<&'a OsStr> {
        let end = self.0.iter().position(|&b| b == 0)?;
        let (s, rest) = self.0.split_at(end);
        self.0 = &rest[1..];
        (!s.is_empty()).then(|| OsStr::from_bytes(s))
    }

    /// `n` bytes of data.
    fn bytes(&mut self, n: usize) -> Option<&'a [u8]> {
        if self.0.len() < n {
            return None;
        }
        let (d, rest) = self.0.split_at(n);
        self.0 = rest;
        Some(d)
    }
}

fn time(secs: u64, nsec: u32) -> SystemTime {
    // The kernel sends a signed time in an unsigned field.
    let secs = secs as i64;
    let nsec = nsec.min(999_999_999);
    if secs >= 0 {
        UNIX_EPOCH + Duration::new(secs as u64, nsec)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs()) + Duration::from_nanos(nsec.into())
    }
}

fn setattr(a: &abi::SetattrIn) -> SetAttr {
    let has = |bit| a.valid & bit != 0;
    let when = |set, now, secs, nsec| {
        if has(now) {
            Some(TimeOrNow::Now)
        } else if has(set) {
            Some(TimeOrNow::SpecificTime(time(secs, nsec)))
        } else {
            None
        }
    };
    SetAttr {
        mode: has(abi::FATTR_MODE).then_some(a.mode),
        uid: has(abi::FATTR_UID).then_some(a.uid),
        gid: has(abi::FATTR_GID).then_some(a.gid),
        size: has(abi::FATTR_SIZE).then_some(a.size),
        atime: when(abi::FATTR_ATIME, abi::FATTR_ATIME_NOW, a.atime, a.atimensec),
        mtime: when(abi::FATTR_MTIME, abi::FATTR_MTIME_NOW, a.mtime, a.mtimensec),
        fh: has(abi::FATTR_FH).then_some(FileHandle(a.fh)),
        kill_suidgid: has(abi::FATTR_KILL_SUIDGID),
    }
}

/// Parses one request as read from the device.
pub fn parse(buf: &[u8]) -> Result<(Request, Operation<'_>), ParseError> {
    let h = abi::read::<abi::InHeader>(buf).ok_or(ParseError::Header)?;
    if h.len as usize != buf.len() {
        return Err(ParseError::Header);
    }
    parse_args(&h, &[], &buf[std::mem::size_of::<abi::InHeader>()..])
}

/// Parses one request as a FUSE-over-io_uring entry holds it: the in-header,
/// the op's first argument area (`op_in`) and the payload (the other
/// arguments, `payload_sz` bytes of the entry's payload buffer).
pub fn parse_ring<'a>(
    header: &[u8],
    op_in: &'a [u8],
    payload: &'a [u8],
) -> Result<(Request, Operation<'a>), ParseError> {
    let h = abi::read::<abi::InHeader>(header).ok_or(ParseError::Header)?;
    // The header's length counts every argument, the op_in one included.
    if (h.len as usize) < std::mem::size_of::<abi::InHeader>() + payload.len() {
        return Err(ParseError::Header);
    }
    parse_args(&h, op_in, payload)
}

fn parse_args<'a>(
    h: &abi::InHeader,
    op_in: &'a [u8],
    body: &'a [u8],
) -> Result<(Request, Operation<'a>), ParseError> {
    let req = Request {
        unique: h.unique,
        nodeid: h.nodeid,
        uid: h.uid,
        gid: h.gid,
        pid: h.pid,
    };
    // Extensions (total_extlen 8-byte units) follow the arguments; none is
    // requested, but they are cut off rather than read as arguments.
    let ext = h.total_extlen as usize * 8;
    let body = body
        .get(
            ..body
                .len()
                .checked_sub(ext)
                .ok_or(ParseError::Arguments(req))?,
        )
        .ok_or(ParseError::Arguments(req))?;
    let op = operation(h.opcode, Args(body, op_in)).ok_or(ParseError::Arguments(req))?;
    Ok((req, op))
}

fn operation(opcode: u32, mut a: Args<'_>) -> Option<Operation<'_>> {
    use Operation as O;
    let op = match opcode {
        abi::INIT => {
            let i = a.fixed::<abi::InitIn>()?;
            // flags2 only when the kernel set FUSE_INIT_EXT and sent it.
            let flags2 = if i.flags & abi::FUSE_INIT_EXT != 0 {
                a.fixed::<abi::InitInExt>().map_or(0, |e| e.flags2)
            } else {
                0
            };
            O::Init(InitIn {
                major: i.major,
                minor: i.minor,
                max_readahead: i.max_readahead,
                flags: u64::from(i.flags) | (u64::from(flags2) << 32),
            })
        }
        abi::DESTROY => O::Destroy,
        abi::INTERRUPT => O::Interrupt {
            unique: a.fixed::<abi::InterruptIn>()?.unique,
        },
        abi::FORGET => O::Forget {
            nlookup: a.fixed::<abi::ForgetIn>()?.nlookup,
        },
        abi::BATCH_FORGET => {
            let n = a.fixed::<abi::BatchForgetIn>()?.count as usize;
            // The count is checked against the bytes present before allocating.
            if a.0.len() / std::mem::size_of::<abi::ForgetOne>() < n {
                return None;
            }
            let mut v = Vec::with_capacity(n);
            for _ in 0..n {
                let f = a.fixed::<abi::ForgetOne>()?;
                v.push((f.nodeid, f.nlookup));
            }
            O::BatchForget(v)
        }
        abi::LOOKUP => O::Lookup { name: a.name()? },
        abi::GETATTR => {
            let g = a.fixed::<abi::GetattrIn>()?;
            O::Getattr {
                fh: (g.getattr_flags & abi::FUSE_GETATTR_FH != 0).then_some(FileHandle(g.fh)),
            }
        }
        abi::SETATTR => O::Setattr(setattr(&a.fixed::<abi::SetattrIn>()?)),
        abi::READLINK => O::Readlink,
        abi::SYMLINK => {
            let name = a.name()?;
            let target = Path::new(a.name()?);
            O::Symlink { name, target }
        }
        abi::MKNOD => {
            let m = a.fixed::<abi::MknodIn>()?;
            O::Mknod {
                name: a.name()?,
                mode: m.mode,
                umask: m.umask,
                rdev: m.rdev,
            }
        }
        abi::MKDIR => {
            let m = a.fixed::<abi::MkdirIn>()?;
            O::Mkdir {
                name: a.name()?,
                mode: m.mode,
                umask: m.umask,
            }
        }
        abi::UNLINK => O::Unlink { name: a.name()? },
        abi::RMDIR => O::Rmdir { name: a.name()? },
        abi::RENAME => {
            let r = a.fixed::<abi::RenameIn>()?;
            O::Rename {
                name: a.name()?,
                newparent: INodeNo(r.newdir),
                newname: a.name()?,
                flags: RenameFlags(0),
            }
        }
        abi::RENAME2 => {
            let r = a.fixed::<abi::Rename2In>()?;
            O::Rename {
                name: a.name()?,
                newparent: INodeNo(r.newdir),
                newname: a.name()?,
                flags: RenameFlags(r.flags),
            }
        }
        abi::LINK => {
            let l = a.fixed::<abi::LinkIn>()?;
            O::Link {
                ino: INodeNo(l.oldnodeid),
                newname: a.name()?,
            }
        }
        abi::OPEN => O::Open {
            flags: OpenFlags(a.fixed::<abi::OpenIn>()?.flags as i32),
        },
        abi::OPENDIR => O::Opendir {
            flags: OpenFlags(a.fixed::<abi::OpenIn>()?.flags as i32),
        },
        abi::READ | abi::READDIR | abi::READDIRPLUS => {
            let r = a.fixed::<abi::ReadIn>()?;
            let (fh, offset, size) = (FileHandle(r.fh), r.offset, r.size);
            match opcode {
                abi::READ => O::Read { fh, offset, size },
                abi::READDIR => O::Readdir { fh, offset, size },
                _ => O::Readdirplus { fh, offset, size },
            }
        }
        abi::WRITE => {
            let w = a.fixed::<abi::WriteIn>()?;
            O::Write {
                fh: FileHandle(w.fh),
                offset: w.offset,
                data: a.bytes(w.size as usize)?,
                kill_suidgid: w.write_flags & abi::FUSE_WRITE_KILL_SUIDGID != 0,
            }
        }
        abi::STATFS => O::Statfs,
        abi::RELEASE => O::Release {
            fh: FileHandle(a.fixed::<abi::ReleaseIn>()?.fh),
        },
        abi::RELEASEDIR => O::Releasedir {
            fh: FileHandle(a.fixed::<abi::ReleaseIn>()?.fh),
        },
        abi::FSYNC | abi::FSYNCDIR => {
            let f = a.fixed::<abi::FsyncIn>()?;
            let (fh, datasync) = (FileHandle(f.fh), f.fsync_flags & 1 != 0);
            if opcode == abi::FSYNC {
                O::Fsync { fh, datasync }
            } else {
                O::Fsyncdir { fh, datasync }
            }
        }
        abi::SETXATTR => {
            let s = a.fixed::<abi::SetxattrIn>()?;
            let name = a.name()?;
            O::Setxattr {
                name,
                value: a.bytes(s.size as usize)?,
                flags: s.flags as i32,
            }
        }
        abi::GETXATTR => {
            let g = a.fixed::<abi::GetxattrIn>()?;
            O::Getxattr {
                name: a.name()?,
                size: g.size,
            }
        }
        abi::LISTXATTR => O::Listxattr {
            size: a.fixed::<abi::GetxattrIn>()?.size,
        },
        abi::REMOVEXATTR => O::Removexattr { name: a.name()? },
        abi::FLUSH => O::Flush {
            fh: FileHandle(a.fixed::<abi::FlushIn>()?.fh),
        },
        abi::ACCESS => O::Access {
            mask: a.fixed::<abi::AccessIn>()?.mask,
        },
        abi::CREATE => {
            let c = a.fixed::<abi::CreateIn>()?;
            O::Create {
                name: a.name()?,
                mode: c.mode,
                umask: c.umask,
                flags: c.flags as i32,
            }
        }
        abi::FALLOCATE => {
            let f = a.fixed::<abi::FallocateIn>()?;
            O::Fallocate {
                fh: FileHandle(f.fh),
                offset: f.offset,
                length: f.length,
                mode: f.mode as i32,
            }
        }
        abi::LSEEK => {
            let l = a.fixed::<abi::LseekIn>()?;
            O::Lseek {
                fh: FileHandle(l.fh),
                offset: l.offset as i64,
                whence: l.whence,
            }
        }
        other => O::Unknown(other),
    };
    Some(op)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A request as the kernel would send it.
    pub fn request(opcode: u32, nodeid: u64, args: &[&[u8]]) -> Vec<u8> {
        let body: Vec<u8> = args.concat();
        let h = abi::InHeader {
            len: (40 + body.len()) as u32,
            opcode,
            unique: 77,
            nodeid,
            uid: 1000,
            gid: 100,
            pid: 5,
            ..Default::default()
        };
        [abi::bytes_of(&h), &body].concat()
    }

    #[test]
    fn well_formed_requests_parse() {
        let b = request(abi::LOOKUP, 9, &[b"name\0"]);
        let (r, op) = parse(&b).unwrap();
        assert_eq!((r.unique, r.nodeid, r.uid, r.gid), (77, 9, 1000, 100));
        assert_eq!(
            op,
            Operation::Lookup {
                name: OsStr::new("name")
            }
        );

        let w = abi::WriteIn {
            fh: 3,
            offset: 10,
            size: 4,
            write_flags: abi::FUSE_WRITE_KILL_SUIDGID,
            ..Default::default()
        };
        let b = request(abi::WRITE, 9, &[abi::bytes_of(&w), b"abcd"]);
        assert_eq!(
            parse(&b).unwrap().1,
            Operation::Write {
                fh: FileHandle(3),
                offset: 10,
                data: b"abcd",
                kill_suidgid: true,
            }
        );

        let rn = abi::Rename2In {
            newdir: 5,
            flags: abi::RENAME_NOREPLACE,
            padding: 0,
        };
        let b = request(abi::RENAME2, 9, &[abi::bytes_of(&rn), b"a\0b\0"]);
        let Operation::Rename {
            newparent,
            newname,
            flags,
            ..
        } = parse(&b).unwrap().1
        else {
            panic!()
        };
        assert_eq!((newparent, newname), (INodeNo(5), OsStr::new("b")));
        assert!(flags.contains(RenameFlags::RENAME_NOREPLACE));

        let s = abi::SetattrIn {
            valid: abi::FATTR_MODE
                | abi::FATTR_MTIME_NOW
                | abi::FATTR_SIZE
                | abi::FATTR_KILL_SUIDGID,
            mode: 0o100644,
            size: 7,
            ..Default::default()
        };
        let b = request(abi::SETATTR, 9, &[abi::bytes_of(&s)]);
        let Operation::Setattr(a) = parse(&b).unwrap().1 else {
            panic!()
        };
        assert_eq!(
            (a.mode, a.size, a.mtime, a.atime, a.kill_suidgid),
            (Some(0o100644), Some(7), Some(TimeOrNow::Now), None, true)
        );
    }

    /// Truncated and malformed requests are refused with their `unique` (or as
    /// a bad header), never a panic: a table of damaged buffers.
    #[test]
    fn malformed_requests_are_errors_not_panics() {
        let w = abi::WriteIn {
            size: 100,
            ..Default::default()
        };
        let bf = abi::BatchForgetIn {
            count: u32::MAX,
            dummy: 0,
        };
        let args = [
            request(abi::LOOKUP, 1, &[b"no-nul"]),
            request(abi::LOOKUP, 1, &[b"\0"]),
            request(abi::WRITE, 1, &[abi::bytes_of(&w), b"short"]),
            request(abi::SYMLINK, 1, &[b"a\0"]),
            request(abi::RENAME, 1, &[&[0; 4]]),
            request(abi::BATCH_FORGET, 1, &[abi::bytes_of(&bf)]),
            request(
                abi::SETXATTR,
                1,
                &[&[255, 255, 255, 255, 0, 0, 0, 0], b"n\0"],
            ),
            request(abi::INIT, 1, &[&[0; 8]]),
        ];
        for (i, b) in args.iter().enumerate() {
            assert!(
                matches!(parse(b), Err(ParseError::Arguments(r)) if r.unique == 77),
                "case {i}"
            );
        }
        let ok = request(abi::STATFS, 1, &[]);
        assert_eq!(parse(&ok[..39]), Err(ParseError::Header));
        let mut long = ok.clone();
        long.push(0);
        assert_eq!(
            parse(&long),
            Err(ParseError::Header),
            "length field disagrees"
        );
        let mut ext = request(abi::STATFS, 1, &[]);
        ext[36] = 1; // total_extlen past the end of the request
        assert!(matches!(parse(&ext), Err(ParseError::Arguments(_))));
    }

    /// Over io_uring the first argument comes in `op_in` (a 128-byte area,
    /// stale bytes after it, or wholly stale where the op has no fixed struct
    /// first) and the rest in the payload; each parses as from /dev/fuse.
    #[test]
    fn ring_requests_parse_from_their_three_areas() {
        let head = |opcode, payload: &[u8], op_size: usize| {
            let h = abi::InHeader {
                len: (40 + op_size + payload.len()) as u32,
                opcode,
                unique: 9,
                nodeid: 4,
                ..Default::default()
            };
            abi::bytes_of(&h).to_vec()
        };
        let stale = [0xa5u8; 128];
        let w = abi::WriteIn {
            fh: 3,
            offset: 10,
            size: 4,
            ..Default::default()
        };
        let mut op_in = stale;
        op_in[..40].copy_from_slice(abi::bytes_of(&w));
        let h = head(abi::WRITE, b"abcd", 40);
        assert_eq!(
            parse_ring(&h, &op_in, b"abcd").unwrap().1,
            Operation::Write {
                fh: FileHandle(3),
                offset: 10,
                data: b"abcd",
                kill_suidgid: false,
            }
        );
        let h = head(abi::LOOKUP, b"name\0", 0);
        let (r, op) = parse_ring(&h, &stale, b"name\0").unwrap();
        assert_eq!((r.unique, r.nodeid), (9, 4));
        assert_eq!(
            op,
            Operation::Lookup {
                name: OsStr::new("name")
            }
        );
        let rn = abi::Rename2In {
            newdir: 5,
            flags: 0,
            padding: 0,
        };
        let mut op_in = stale;
        op_in[..16].copy_from_slice(abi::bytes_of(&rn));
        let h = head(abi::RENAME2, b"a\0b\0", 16);
        let Operation::Rename {
            name,
            newparent,
            newname,
            ..
        } = parse_ring(&h, &op_in, b"a\0b\0").unwrap().1
        else {
            panic!()
        };
        assert_eq!(
            (name, newparent, newname),
            (OsStr::new("a"), INodeNo(5), OsStr::new("b"))
        );
        // A header whose length cannot hold the payload is refused.
        let h = head(abi::LOOKUP, b"", 0);
        assert_eq!(parse_ring(&h, &stale, b"name\0"), Err(ParseError::Header));
        assert_eq!(parse_ring(&h[..39], &stale, b""), Err(ParseError::Header));
    }

    proptest::proptest! {
        /// Any bytes after a valid header: parse answers, never panics.
        #[test]
        fn arbitrary_arguments_never_panic(opcode in 0u32..60, body in proptest::collection::vec(proptest::num::u8::ANY, 0..200)) {
            let b = request(opcode, 1, &[&body]);
            let _ = parse(&b);
        }
    }
}
