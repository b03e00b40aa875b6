//! Core `FileInfo` -> `FileAttr` (pure).

use crate::fuse::{FileAttr, FileType, INodeNo};
use crate::inode_map;
use ntlinkfs_core::attrs::filetime_to_unix;
use ntlinkfs_core::reparse::{
    IO_REPARSE_TAG_LX_SYMLINK, IO_REPARSE_TAG_MOUNT_POINT, IO_REPARSE_TAG_SYMLINK,
};
use ntlinkfs_core::special::{self, SpecialKind};
use ntlinkfs_core::{DeviceNumbers, FileInfo, FileTime};
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Block size reported to stat().
pub const BLOCK_SIZE: u32 = 4096;

/// Junctions and symbolic links are symlinks in the Linux view (F1); files with
/// WSL's special tags are FIFOs, sockets and devices (core `special`); any other
/// reparse point shows as the file or directory it sits on.
pub fn kind_of(info: &FileInfo) -> FileType {
    if let Some(k) = special::kind_of(info) {
        return match k {
            SpecialKind::Fifo => FileType::NamedPipe,
            SpecialKind::Socket => FileType::Socket,
            SpecialKind::CharDevice => FileType::CharDevice,
            SpecialKind::BlockDevice => FileType::BlockDevice,
        };
    }
    match info.reparse_tag {
        Some(IO_REPARSE_TAG_MOUNT_POINT | IO_REPARSE_TAG_SYMLINK | IO_REPARSE_TAG_LX_SYMLINK) => {
            FileType::Symlink
        }
        _ if info.is_directory => FileType::Directory,
        _ => FileType::RegularFile,
    }
}

pub fn system_time(t: FileTime) -> SystemTime {
    let (secs, nanos) = filetime_to_unix(t);
    if secs >= 0 {
        UNIX_EPOCH + Duration::new(secs as u64, nanos)
    } else {
        UNIX_EPOCH - Duration::from_secs(secs.unsigned_abs())
            + Duration::from_nanos(u64::from(nanos))
    }
}

/// The attributes of a node. `link_len` is the length of the `readlink` text, the
/// size POSIX gives a symlink.
pub fn file_attr(info: &FileInfo, link_len: Option<u64>) -> FileAttr {
    let kind = kind_of(info);
    let size = match kind {
        FileType::Symlink => link_len.unwrap_or(0),
        FileType::Directory => 0,
        _ => info.size,
    };
    FileAttr {
        ino: INodeNo(inode_map::ino_of(info.id)),
        size,
        blocks: size.div_ceil(512),
        atime: system_time(info.times.last_access),
        mtime: system_time(info.times.last_write),
        ctime: system_time(info.times.change),
        crtime: system_time(info.times.creation),
        kind,
        perm: if kind == FileType::Symlink {
            0o777
        } else {
            info.posix.mode & 0o7777
        },
        // NumberOfLinks (F5, HL21): names not pending delete.
        nlink: info.link_count,
        uid: info.posix.uid,
        gid: info.posix.gid,
        rdev: if matches!(kind, FileType::CharDevice | FileType::BlockDevice) {
            encode_dev(info.posix.rdev)
        } else {
            0
        },
        blksize: BLOCK_SIZE,
        flags: 0,
    }
}

/// Device numbers in the kernel's 32-bit encoding (`new_encode_dev`), which is
/// what FUSE carries in `fuse_attr.rdev` and `fuse_mknod_in.rdev`: minor bits
/// 0–7, major bits 8–19, minor bits 8–19 at 20–31. Linux's majors have 12 bits
/// and minors 20; bits beyond them cannot travel.
pub fn encode_dev(d: DeviceNumbers) -> u32 {
    (d.minor & 0xff) | ((d.major & 0xfff) << 8) | ((d.minor & !0xff) << 12)
}

/// The inverse of [`encode_dev`].
pub fn decode_dev(dev: u32) -> DeviceNumbers {
    DeviceNumbers {
        major: (dev & 0xfff00) >> 8,
        minor: (dev & 0xff) | ((dev >> 12) & 0xfff00),
    }
}

/// The synthetic mount root: one directory per volume.
pub fn root_attr(volumes: u32, mounted_at: SystemTime) -> FileAttr {
    FileAttr {
        ino: INodeNo(inode_map::ROOT_INO),
        size: 0,
        blocks: 0,
        atime: mounted_at,
        mtime: mounted_at,
        ctime: mounted_at,
        crtime: mounted_at,
        kind: FileType::Directory,
        perm: 0o755,
        nlink: 2 + volumes,
        uid: 0,
        gid: 0,
        rdev: 0,
        blksize: BLOCK_SIZE,
        flags: 0,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntlinkfs_core::{Follow, Machine, SymlinkFlags};

    #[test]
    fn kinds_sizes_and_link_counts() {
        let mut m = Machine::default();
        m.create_directory(r"C:\d").unwrap();
        m.write_file(r"C:\d\f", b"hello").unwrap();
        m.create_hard_link(r"C:\d\g", r"C:\d\f").unwrap();
        m.create_junction(r"C:\j", r"C:\d").unwrap();
        m.create_symbolic_link(r"C:\s", r"d\f", SymlinkFlags::default())
            .unwrap();
        let q = |p: &str| m.query_information(p, Follow::OpenReparsePoint).unwrap();
        let f = file_attr(&q(r"C:\d\f"), None);
        assert_eq!(
            (f.kind, f.size, f.nlink, f.blocks),
            (FileType::RegularFile, 5, 2, 1)
        );
        let d = file_attr(&q(r"C:\d"), None);
        assert_eq!((d.kind, d.nlink), (FileType::Directory, 1));
        let j = file_attr(&q(r"C:\j"), Some(1));
        assert_eq!((j.kind, j.size, j.perm), (FileType::Symlink, 1, 0o777));
        let s = file_attr(&q(r"C:\s"), Some(3));
        assert_eq!((s.kind, s.size), (FileType::Symlink, 3));
    }

    #[test]
    fn special_files_have_their_type_mode_and_device_numbers() {
        use ntlinkfs_core::PosixMeta;
        let mut m = Machine::default();
        let cases = [
            (SpecialKind::Fifo, FileType::NamedPipe, 0),
            (SpecialKind::Socket, FileType::Socket, 0),
            // makedev(4, 64) (/dev/tty0) and makedev(8, 0x12345) (a minor past 8 bits).
            (SpecialKind::CharDevice, FileType::CharDevice, 0x0440),
            (SpecialKind::BlockDevice, FileType::BlockDevice, 0x1230_0845),
        ];
        for (i, (kind, ftype, rdev)) in cases.into_iter().enumerate() {
            let dev = if i == 3 {
                DeviceNumbers {
                    major: 8,
                    minor: 0x12345,
                }
            } else {
                DeviceNumbers {
                    major: 4,
                    minor: 64,
                }
            };
            let posix = PosixMeta {
                uid: 1000,
                gid: 100,
                mode: 0o640,
                rdev: dev,
            };
            let info = m
                .create_special_file(&format!(r"C:\n{i}"), kind, posix)
                .unwrap();
            let a = file_attr(&info, None);
            assert_eq!(
                (a.kind, a.perm, a.uid, a.gid, a.rdev, a.size, a.nlink),
                (ftype, 0o640, 1000, 100, rdev, 0, 1),
                "{kind:?}"
            );
            if rdev != 0 {
                assert_eq!(decode_dev(rdev), dev);
            }
        }
    }

    #[test]
    fn device_number_encoding_is_the_kernels() {
        // new_encode_dev / new_decode_dev of include/linux/kdev_t.h, by value.
        let cases = [
            (0, 0, 0),
            (1, 3, 0x0103),
            (4, 64, 0x0440),
            (0xfff, 0xff, 0xfffff),
            (8, 0x12345, 0x1230_0845),
            (0xfff, 0xfffff, 0xffff_ffff),
        ];
        for (major, minor, enc) in cases {
            let d = DeviceNumbers { major, minor };
            assert_eq!(encode_dev(d), enc, "{major}:{minor}");
            assert_eq!(decode_dev(enc), d, "{enc:#x}");
        }
    }

    #[test]
    fn times_before_1970_do_not_panic() {
        assert!(system_time(0) < UNIX_EPOCH);
    }
}
