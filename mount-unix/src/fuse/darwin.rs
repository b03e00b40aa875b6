//! macFUSE's Darwin variant of the FUSE protocol, translated at the edge of
//! the transport so that everything above it (`request`, `reply`, the file
//! system) speaks the Linux layout only.
//!
//! Learnt from macFUSE's published `fuse_kernel.h` (the `__APPLE__` parts) and
//! its libfuse's INIT handling; the macFUSE kernel extension speaks 7.19.
//! Where the Darwin layout differs:
//!
//! - `fuse_attr` is 104 bytes, not 88: `crtime` after `ctime`, `crtimensec`
//!   after `ctimensec`, and a `flags_darwin` (chflags) word between `rdev` and
//!   `blksize`; so `fuse_entry_out` is 144 and `fuse_attr_out` 120 bytes;
//! - `fuse_setattr_in` is 128 bytes: the Linux 88, then bkuptime, chgtime,
//!   crtime, their nanoseconds and the chflags word;
//! - `fuse_getxattr_in` and `fuse_setxattr_in` are 16 bytes: a resource-fork
//!   `position` (and a pad) after the Linux 8; setxattr's flags are Darwin's
//!   (XATTR_NOFOLLOW 1, XATTR_CREATE 2, XATTR_REPLACE 4);
//! - INIT flags from bit 23 up mean other things (ACCESS_EXT, RENAME_EXT,
//!   CASE_INSENSITIVE, SETVOLNAME at bit 30, where Linux has INIT_EXT);
//! - a kernel older than 7.23 takes the 24-byte `fuse_init_out`.
//!
//! Requests only shrink (translated in place); replies grow (a new buffer).
//! Errors travel as the host's errno values on every platform (`errno::raw`).

use super::abi::{self, bytes_of, Wire};
use std::collections::HashMap;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Mutex;

// Integer fields only, but for `SetattrIn`'s first: the Linux struct, itself
// padding-free and 8-aligned at offset 0, as the size assertions confirm.
abi::wire! {
    Attr = 104 => { ino: u64, size: u64, blocks: u64, atime: u64, mtime: u64, ctime: u64,
        crtime: u64, atimensec: u32, mtimensec: u32, ctimensec: u32, crtimensec: u32,
        mode: u32, nlink: u32, uid: u32, gid: u32, rdev: u32, flags_darwin: u32,
        blksize: u32, flags: u32 }
    EntryOut = 144 => { nodeid: u64, generation: u64, entry_valid: u64, attr_valid: u64,
        entry_valid_nsec: u32, attr_valid_nsec: u32, attr: Attr }
    AttrOut = 120 => { attr_valid: u64, attr_valid_nsec: u32, dummy: u32, attr: Attr }
    SetattrIn = 128 => { linux: abi::SetattrIn, bkuptime: u64, chgtime: u64, crtime: u64,
        bkuptimensec: u32, chgtimensec: u32, crtimensec: u32, flags: u32 }
    GetxattrIn = 16 => { size: u32, padding: u32, position: u32, padding2: u32 }
    SetxattrIn = 16 => { size: u32, flags: u32, position: u32, setxattr_flags: u32 }
}

/// INIT flags that mean the same on Darwin as on Linux (bits 0..=21); the
/// rest are Darwin's own and must never be accepted by accident.
pub const SHARED_INIT_FLAGS: u32 = (1 << 22) - 1;
/// Darwin's setxattr(2) flags.
pub const XATTR_NOFOLLOW: u32 = 1;
pub const XATTR_CREATE: u32 = 2;
pub const XATTR_REPLACE: u32 = 4;
/// fuse_init_out as a kernel before 7.23 reads it (FUSE_COMPAT_22_INIT_OUT_SIZE).
pub const COMPAT_22_INIT_OUT_SIZE: usize = 24;

/// A Linux attribute block in the Darwin layout. The Linux block has no
/// creation time, so the change time stands in for it.
pub fn attr(a: &abi::Attr) -> Attr {
    Attr {
        ino: a.ino,
        size: a.size,
        blocks: a.blocks,
        atime: a.atime,
        mtime: a.mtime,
        ctime: a.ctime,
        crtime: a.ctime,
        atimensec: a.atimensec,
        mtimensec: a.mtimensec,
        ctimensec: a.ctimensec,
        crtimensec: a.ctimensec,
        mode: a.mode,
        nlink: a.nlink,
        uid: a.uid,
        gid: a.gid,
        rdev: a.rdev,
        flags_darwin: 0,
        blksize: a.blksize,
        flags: a.flags,
    }
}

pub fn entry_out(e: &abi::EntryOut) -> EntryOut {
    EntryOut {
        nodeid: e.nodeid,
        generation: e.generation,
        entry_valid: e.entry_valid,
        attr_valid: e.attr_valid,
        entry_valid_nsec: e.entry_valid_nsec,
        attr_valid_nsec: e.attr_valid_nsec,
        attr: attr(&e.attr),
    }
}

pub fn attr_out(o: &abi::AttrOut) -> AttrOut {
    AttrOut {
        attr_valid: o.attr_valid,
        attr_valid_nsec: o.attr_valid_nsec,
        dummy: 0,
        attr: attr(&o.attr),
    }
}

/// Darwin's setxattr flags as Linux's (NOFOLLOW and unknown bits dropped).
pub fn setxattr_flags(darwin: u32) -> u32 {
    let mut linux = 0;
    if darwin & XATTR_CREATE != 0 {
        linux |= abi::XATTR_CREATE as u32;
    }
    if darwin & XATTR_REPLACE != 0 {
        linux |= abi::XATTR_REPLACE as u32;
    }
    linux
}

/// How the answer to a request must be rewritten for the Darwin kernel.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Answer {
    Entry,
    EntryOpen,
    Attr,
    Init,
}

fn answer(opcode: u32) -> Option<Answer> {
    match opcode {
        abi::LOOKUP | abi::MKNOD | abi::MKDIR | abi::SYMLINK | abi::LINK => Some(Answer::Entry),
        abi::CREATE => Some(Answer::EntryOpen),
        abi::GETATTR | abi::SETATTR => Some(Answer::Attr),
        abi::INIT => Some(Answer::Init),
        _ => None,
    }
}

/// One connection's translation state: which pending requests need their
/// answer rewritten, and the protocol minor the kernel offered.
#[derive(Debug, Default)]
pub struct Translator {
    pending: Mutex<HashMap<u64, Answer>>,
    kernel_minor: AtomicU32,
}

impl Translator {
    /// Rewrites the request in `buf` (as read from the device) into the Linux
    /// layout, in place; returns its new length. A request too short to
    /// translate is left as it is (the parser refuses it).
    pub fn request(&self, buf: &mut [u8]) -> usize {
        let Some(h) = abi::read::<abi::InHeader>(buf) else {
            return buf.len();
        };
        if h.len as usize != buf.len() {
            return buf.len();
        }
        let head = std::mem::size_of::<abi::InHeader>();
        let n = match h.opcode {
            abi::INIT => match abi::read::<abi::InitIn>(&buf[head..]) {
                Some(mut i) => {
                    self.kernel_minor.store(i.minor, Ordering::Relaxed);
                    i.flags &= SHARED_INIT_FLAGS;
                    put(buf, head, &i);
                    buf.len()
                }
                None => buf.len(),
            },
            abi::SETATTR if buf.len() >= head + size_of::<SetattrIn>() => {
                // The Linux struct is the Darwin one's first 88 bytes.
                buf.len() - (size_of::<SetattrIn>() - size_of::<abi::SetattrIn>())
            }
            abi::GETXATTR if buf.len() >= head + size_of::<GetxattrIn>() => cut(buf, head + 8, 8),
            abi::SETXATTR => match read_at::<SetxattrIn>(buf, head) {
                Some(s) => {
                    let linux = abi::SetxattrIn {
                        size: s.size,
                        flags: setxattr_flags(s.flags),
                    };
                    put(buf, head, &linux);
                    cut(buf, head + 8, 8)
                }
                None => buf.len(),
            },
            _ => buf.len(),
        };
        let mut h = h;
        h.len = n as u32;
        put(buf, 0, &h);
        if let Some(a) = answer(h.opcode) {
            self.pending
                .lock()
                .unwrap_or_else(|p| p.into_inner())
                .insert(h.unique, a);
        }
        n
    }

    /// The answer to request `unique` in the Darwin layout, or None when it
    /// goes out as it is (an error, or an operation whose reply is the same).
    pub fn reply(&self, unique: u64, errno: i32, payload: &[&[u8]]) -> Option<Vec<u8>> {
        let a = self
            .pending
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(&unique)?;
        if errno != 0 {
            return None;
        }
        let bytes: Vec<u8> = payload.concat();
        let entry = size_of::<abi::EntryOut>();
        let out = match a {
            Answer::Entry => bytes_of(&entry_out(&abi::read(&bytes)?)).to_vec(),
            Answer::EntryOpen => {
                let mut v = bytes_of(&entry_out(&abi::read(&bytes)?)).to_vec();
                v.extend_from_slice(bytes.get(entry..)?);
                v
            }
            Answer::Attr => bytes_of(&attr_out(&abi::read(&bytes)?)).to_vec(),
            Answer::Init if self.kernel_minor.load(Ordering::Relaxed) < 23 => {
                bytes.get(..COMPAT_22_INIT_OUT_SIZE)?.to_vec()
            }
            Answer::Init => return None,
        };
        Some(out)
    }
}

fn size_of<T>() -> usize {
    std::mem::size_of::<T>()
}

fn read_at<T: Wire>(buf: &[u8], at: usize) -> Option<T> {
    abi::read::<T>(buf.get(at..)?)
}

fn put<T: Wire>(buf: &mut [u8], at: usize, v: &T) {
    let b = bytes_of(v);
    buf[at..at + b.len()].copy_from_slice(b);
}

/// Removes `n` bytes at `at`, moving the rest down; the new length.
fn cut(buf: &mut [u8], at: usize, n: usize) -> usize {
    buf.copy_within(at + n.., at);
    buf.len() - n
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fuse::request::{self, tests::request as linux_request, Operation, SetAttr};
    use std::ffi::OsStr;

    fn u32s(b: &[u8]) -> Vec<u32> {
        b.chunks(4)
            .map(|c| u32::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }

    fn u64s(b: &[u8]) -> Vec<u64> {
        b.chunks(8)
            .map(|c| u64::from_le_bytes(c.try_into().unwrap()))
            .collect()
    }

    fn linux_attr() -> abi::Attr {
        abi::Attr {
            ino: 1,
            size: 2,
            blocks: 3,
            atime: 4,
            mtime: 5,
            ctime: 6,
            atimensec: 7,
            mtimensec: 8,
            ctimensec: 9,
            mode: 0o100644,
            nlink: 11,
            uid: 12,
            gid: 13,
            rdev: 14,
            blksize: 4096,
            flags: 16,
        }
    }

    /// The attribute block byte for byte as macFUSE's header lays it out:
    /// seven u64 (crtime after ctime), then twelve u32 (crtimensec after
    /// ctimensec, flags_darwin between rdev and blksize, flags last).
    #[test]
    fn attr_has_the_darwin_layout() {
        let d = attr(&linux_attr());
        let b = bytes_of(&d);
        assert_eq!(b.len(), 104);
        assert_eq!(u64s(&b[..56]), [1, 2, 3, 4, 5, 6, 6]);
        assert_eq!(
            u32s(&b[56..]),
            [7, 8, 9, 9, 0o100644, 11, 12, 13, 14, 0, 4096, 16]
        );
    }

    #[test]
    fn entry_and_attr_answers_grow_by_the_attr_difference() {
        let e = abi::EntryOut {
            nodeid: 70,
            generation: 71,
            entry_valid: 72,
            attr_valid: 73,
            entry_valid_nsec: 74,
            attr_valid_nsec: 75,
            attr: linux_attr(),
        };
        let d = bytes_of(&entry_out(&e)).to_vec();
        assert_eq!(d.len(), 144);
        assert_eq!(u64s(&d[..32]), [70, 71, 72, 73]);
        assert_eq!(u32s(&d[32..40]), [74, 75]);
        assert_eq!(&d[40..], bytes_of(&attr(&e.attr)));

        let o = abi::AttrOut {
            attr_valid: 5,
            attr_valid_nsec: 6,
            dummy: 0,
            attr: linux_attr(),
        };
        let d = bytes_of(&attr_out(&o)).to_vec();
        assert_eq!(d.len(), 120);
        assert_eq!(u64s(&d[..8]), [5]);
        assert_eq!(u32s(&d[8..16]), [6, 0]);
        assert_eq!(&d[16..], bytes_of(&attr(&o.attr)));
    }

    /// A request as the Darwin kernel sends it, translated, then parsed.
    fn translate(t: &Translator, opcode: u32, args: &[&[u8]]) -> Vec<u8> {
        let mut b = linux_request(opcode, 9, args);
        let n = t.request(&mut b);
        b.truncate(n);
        b
    }

    #[test]
    fn setattr_getxattr_and_setxattr_lose_their_darwin_fields() {
        let t = Translator::default();
        let s = SetattrIn {
            linux: abi::SetattrIn {
                valid: abi::FATTR_MODE | abi::FATTR_SIZE | (1 << 28),
                mode: 0o100600,
                size: 9,
                ..Default::default()
            },
            crtime: 123,
            flags: 0x8000,
            ..Default::default()
        };
        let b = translate(&t, abi::SETATTR, &[bytes_of(&s)]);
        assert_eq!(b.len(), 40 + 88);
        let Operation::Setattr(a) = request::parse(&b).unwrap().1 else {
            panic!()
        };
        assert_eq!(
            a,
            SetAttr {
                mode: Some(0o100600),
                size: Some(9),
                ..Default::default()
            }
        );

        let g = GetxattrIn {
            size: 64,
            padding: 0,
            position: 0,
            padding2: 0,
        };
        let b = translate(&t, abi::GETXATTR, &[bytes_of(&g), b"system.ntfs_attrib\0"]);
        assert_eq!(
            request::parse(&b).unwrap().1,
            Operation::Getxattr {
                name: OsStr::new("system.ntfs_attrib"),
                size: 64
            }
        );

        // (Darwin flags, Linux flags): NOFOLLOW is the kernel's business.
        let rows = [
            (0, 0),
            (XATTR_NOFOLLOW, 0),
            (XATTR_CREATE, abi::XATTR_CREATE),
            (XATTR_REPLACE | XATTR_NOFOLLOW, abi::XATTR_REPLACE),
        ];
        for (darwin, linux) in rows {
            let s = SetxattrIn {
                size: 4,
                flags: darwin,
                position: 0,
                setxattr_flags: 0,
            };
            let b = translate(&t, abi::SETXATTR, &[bytes_of(&s), b"n\0", b"\x20\0\0\0"]);
            assert_eq!(
                request::parse(&b).unwrap().1,
                Operation::Setxattr {
                    name: OsStr::new("n"),
                    value: b"\x20\0\0\0",
                    flags: linux
                },
                "{darwin}"
            );
        }
    }

    #[test]
    fn init_keeps_only_shared_flags_and_answers_in_24_bytes() {
        let t = Translator::default();
        let offer = abi::InitIn {
            major: 7,
            minor: 19,
            max_readahead: 65536,
            // ASYNC_READ, BIG_WRITES, CASE_INSENSITIVE (29), SETVOLNAME (30).
            flags: abi::FUSE_ASYNC_READ | abi::FUSE_BIG_WRITES | (1 << 29) | (1 << 30),
        };
        let b = translate(&t, abi::INIT, &[bytes_of(&offer)]);
        let Operation::Init(i) = request::parse(&b).unwrap().1 else {
            panic!()
        };
        assert_eq!(
            i.flags,
            u64::from(abi::FUSE_ASYNC_READ | abi::FUSE_BIG_WRITES)
        );
        assert_eq!(i.minor, 19);
        let out = abi::InitOut {
            major: 7,
            minor: 38,
            max_write: 1 << 20,
            ..Default::default()
        };
        let unique = abi::read::<abi::InHeader>(&b).unwrap().unique;
        let r = t.reply(unique, 0, &[bytes_of(&out)]).unwrap();
        assert_eq!(r, bytes_of(&out)[..24]);
    }

    #[test]
    fn answers_are_rewritten_once_and_errors_pass_through() {
        let t = Translator::default();
        let b = translate(&t, abi::LOOKUP, &[b"a\0"]);
        let unique = abi::read::<abi::InHeader>(&b).unwrap().unique;
        let e = abi::EntryOut {
            nodeid: 5,
            attr: linux_attr(),
            ..Default::default()
        };
        let r = t.reply(unique, 0, &[bytes_of(&e)]).unwrap();
        assert_eq!(r, bytes_of(&entry_out(&e)));
        assert_eq!(t.reply(unique, 0, &[bytes_of(&e)]), None, "answered once");

        translate(&t, abi::GETATTR, &[&[0; 16]]);
        assert_eq!(t.reply(unique, libc::ENOENT, &[]), None);

        // create: the entry grows, the open part follows unchanged.
        translate(&t, abi::CREATE, &[&[0; 16], b"f\0"]);
        let open = abi::OpenOut {
            fh: 3,
            open_flags: 0,
            padding: 0,
        };
        let r = t
            .reply(unique, 0, &[bytes_of(&e), bytes_of(&open)])
            .unwrap();
        assert_eq!(r.len(), 144 + 16);
        assert_eq!(&r[144..], bytes_of(&open));

        // An operation whose answer is the same is not tracked at all.
        translate(&t, abi::READ, &[&[0; 40]]);
        assert_eq!(t.reply(unique, 0, &[b"data"]), None);
    }

    #[test]
    fn short_requests_are_left_for_the_parser_to_refuse() {
        let t = Translator::default();
        for op in [abi::SETATTR, abi::GETXATTR, abi::SETXATTR, abi::INIT] {
            let mut b = linux_request(op, 1, &[&[0; 4]]);
            let before = b.clone();
            assert_eq!(t.request(&mut b), before.len());
            assert_eq!(b, before);
            assert!(request::parse(&b).is_err(), "{op}");
        }
    }

    /// The real file system behind a Darwin kernel: requests in macFUSE's
    /// layout go through the translator, the dispatcher and back, and the
    /// answers have Darwin's sizes and fields.
    #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
    #[test]
    fn the_file_system_answers_a_darwin_kernel() {
        use crate::dentry_cache::DentryCache;
        use crate::fs::{FsConfig, NtFs};
        use crate::fuse::server::{Filesystem, Reply, Sender};
        use std::sync::Arc;
        use std::time::Duration;

        /// A transport that translates as `Channel` does on macOS.
        #[derive(Default)]
        struct DarwinWire {
            t: Translator,
            sent: Mutex<Vec<(i32, Vec<u8>)>>,
        }
        impl Sender for DarwinWire {
            fn send(&self, unique: u64, errno: i32, payload: &[&[u8]]) -> std::io::Result<()> {
                let bytes = self
                    .t
                    .reply(unique, errno, payload)
                    .unwrap_or_else(|| payload.concat());
                self.sent.lock().unwrap().push((errno, bytes));
                Ok(())
            }
        }
        let fs = NtFs::new(
            ntlinkfs_core::Shared::new(ntlinkfs_core::Machine::default()),
            Arc::new(DentryCache::new(false)),
            FsConfig {
                entry_ttl: Duration::from_secs(1),
                attr_ttl: Duration::from_secs(1),
                fault_injection: false,
                durability: None,
                confine: false,
            },
        );
        let wire = DarwinWire::default();
        let call = |opcode: u32, nodeid: u64, args: &[&[u8]]| {
            let mut b = linux_request(opcode, nodeid, args);
            let n = wire.t.request(&mut b);
            let (req, op) = request::parse(&b[..n]).unwrap();
            fs.handle(&req, op, Reply::new(&wire, req.unique));
            wire.sent.lock().unwrap().pop().unwrap()
        };

        let (errno, b) = call(abi::LOOKUP, abi::ROOT_ID, &[b"C\0"]);
        assert_eq!((errno, b.len()), (0, 144));
        let c = abi::read::<EntryOut>(&b).unwrap();
        assert_eq!(c.attr.mode & abi::S_IFMT, abi::S_IFDIR);
        assert_eq!(c.attr.blksize, 4096, "blksize after flags_darwin");

        let create = abi::CreateIn {
            flags: libc::O_RDWR as u32,
            mode: abi::S_IFREG | 0o644,
            umask: 0o022,
            open_flags: 0,
        };
        let (errno, b) = call(abi::CREATE, c.nodeid, &[bytes_of(&create), b"f.txt\0"]);
        assert_eq!((errno, b.len()), (0, 144 + 16));
        let f = abi::read::<EntryOut>(&b).unwrap();
        assert_eq!(f.attr.mode & abi::S_IFMT, abi::S_IFREG);
        assert_eq!(f.attr.nlink, 1);

        // chmod through Darwin's 128-byte setattr: a 120-byte attr answer.
        let chmod = SetattrIn {
            linux: abi::SetattrIn {
                valid: abi::FATTR_MODE,
                mode: 0o600,
                ..Default::default()
            },
            crtime: 1,
            ..Default::default()
        };
        let (errno, b) = call(abi::SETATTR, f.nodeid, &[bytes_of(&chmod)]);
        assert_eq!((errno, b.len()), (0, 120));
        let a = abi::read::<AttrOut>(&b).unwrap();
        assert_eq!(a.attr.ino, f.attr.ino);

        let (errno, b) = call(abi::GETATTR, f.nodeid, &[&[0; 16]]);
        assert_eq!((errno, b.len()), (0, 120));
        assert_eq!(abi::read::<AttrOut>(&b).unwrap().attr, a.attr);

        // No such attribute: the host's errno, no payload, nothing translated.
        let g = GetxattrIn {
            size: 64,
            ..Default::default()
        };
        let (errno, b) = call(abi::GETXATTR, f.nodeid, &[bytes_of(&g), b"user.none\0"]);
        assert_eq!(
            (errno, b.len()),
            (crate::errno::raw(ntlinkfs_core::Errno::ENODATA), 0)
        );
    }
}
