//! Special files the way NTFS stores them for Linux: FIFOs, sockets and
//! character and block devices as WSL writes them (and ntfs-3g with
//! `special_files=wsl`, and Linux's SMB client with `reparse=wsl`):
//!
//! - an empty file carrying a reparse point whose buffer is the 8-byte header
//!   alone (ReparseDataLength 0) with tag IO_REPARSE_TAG_LX_FIFO 0x80000024,
//!   IO_REPARSE_TAG_AF_UNIX 0x80000023, IO_REPARSE_TAG_LX_CHR 0x80000025 or
//!   IO_REPARSE_TAG_LX_BLK 0x80000026 (MS-FSCC 2.1.2.1);
//! - extended attributes `$LXUID`, `$LXGID`, `$LXMOD` (each a little-endian
//!   u32: owner, group, st_mode with its file-type bits) and, for devices only,
//!   `$LXDEV` (little-endian u32 major, then u32 minor).
//!
//! One source of truth: a node's file type is its reparse tag (what NTFS and
//! Windows see), and owner, permission bits and device numbers are its
//! [`PosixMeta`] (what the Linux view already used for every node). The `$LX*`
//! attributes are never stored: [`lx_extended_attributes`] derives them from
//! those two, so `$LXMOD`'s type bits cannot disagree with the tag and chmod or
//! chown cannot leave a stale copy behind. An image stores the tag (in the raw
//! reparse buffer) and the meta (format version 2 adds the device numbers).

use crate::attrs::{FILE_ATTRIBUTE_ARCHIVE, FILE_ATTRIBUTE_REPARSE_POINT};
use crate::error::{NtError, Result};
use crate::machine::{FileInfo, Follow, Machine, NodeId};
use crate::node::{DeviceNumbers, NodeKind, PosixMeta, Reparse};
use crate::path::PathUnits;
use crate::reparse::{
    ReparseData, IO_REPARSE_TAG_AF_UNIX, IO_REPARSE_TAG_LX_BLK, IO_REPARSE_TAG_LX_CHR,
    IO_REPARSE_TAG_LX_FIFO, IO_REPARSE_TAG_LX_SYMLINK, IO_REPARSE_TAG_MOUNT_POINT,
    IO_REPARSE_TAG_SYMLINK,
};

/// st_mode file-type bits (Linux values, which WSL stores in `$LXMOD`).
pub const S_IFMT: u32 = 0o170000;
/// A Unix socket.
pub const S_IFSOCK: u32 = 0o140000;
/// A symbolic link.
pub const S_IFLNK: u32 = 0o120000;
/// A regular file.
pub const S_IFREG: u32 = 0o100000;
/// A block device.
pub const S_IFBLK: u32 = 0o060000;
/// A directory.
pub const S_IFDIR: u32 = 0o040000;
/// A character device.
pub const S_IFCHR: u32 = 0o020000;
/// A FIFO.
pub const S_IFIFO: u32 = 0o010000;

/// The kinds of special file, one per WSL reparse tag.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SpecialKind {
    /// A named pipe (IO_REPARSE_TAG_LX_FIFO).
    Fifo,
    /// A Unix socket (IO_REPARSE_TAG_AF_UNIX).
    Socket,
    /// A character device (IO_REPARSE_TAG_LX_CHR).
    CharDevice,
    /// A block device (IO_REPARSE_TAG_LX_BLK).
    BlockDevice,
}

impl SpecialKind {
    /// Every kind.
    pub const ALL: [SpecialKind; 4] = [
        SpecialKind::Fifo,
        SpecialKind::Socket,
        SpecialKind::CharDevice,
        SpecialKind::BlockDevice,
    ];

    /// The reparse tag WSL writes for this kind.
    pub fn tag(self) -> u32 {
        match self {
            SpecialKind::Fifo => IO_REPARSE_TAG_LX_FIFO,
            SpecialKind::Socket => IO_REPARSE_TAG_AF_UNIX,
            SpecialKind::CharDevice => IO_REPARSE_TAG_LX_CHR,
            SpecialKind::BlockDevice => IO_REPARSE_TAG_LX_BLK,
        }
    }

    /// The kind a reparse tag stands for, if it is a special one.
    pub fn of_tag(tag: u32) -> Option<SpecialKind> {
        SpecialKind::ALL.into_iter().find(|k| k.tag() == tag)
    }

    /// The st_mode type bits.
    pub fn type_bits(self) -> u32 {
        match self {
            SpecialKind::Fifo => S_IFIFO,
            SpecialKind::Socket => S_IFSOCK,
            SpecialKind::CharDevice => S_IFCHR,
            SpecialKind::BlockDevice => S_IFBLK,
        }
    }

    /// The kind an st_mode names (mknod's mode argument), if it is special.
    pub fn of_mode(mode: u32) -> Option<SpecialKind> {
        SpecialKind::ALL
            .into_iter()
            .find(|k| k.type_bits() == mode & S_IFMT)
    }

    /// Devices have numbers (`$LXDEV`); FIFOs and sockets have none.
    pub fn has_device_numbers(self) -> bool {
        matches!(self, SpecialKind::CharDevice | SpecialKind::BlockDevice)
    }

    /// The reparse buffer WSL writes: the header alone, no data.
    pub fn reparse_buffer(self) -> Vec<u8> {
        ReparseData::Other {
            tag: self.tag(),
            guid: None,
            data: Vec::new(),
        }
        .encode()
    }

    /// The tag's name without its IO_REPARSE_TAG_ prefix, as audits and copies
    /// list these files.
    pub fn tag_name(self) -> &'static str {
        match self {
            SpecialKind::Fifo => "LX_FIFO",
            SpecialKind::Socket => "AF_UNIX",
            SpecialKind::CharDevice => "LX_CHR",
            SpecialKind::BlockDevice => "LX_BLK",
        }
    }
}

/// The st_mode type bits of a node as the Linux view shows it: junctions and
/// symbolic links (NTFS's and WSL's) are symlinks (F1), the WSL special tags
/// their special type, anything else a directory or a regular file.
pub fn type_bits(info: &FileInfo) -> u32 {
    match info.reparse_tag {
        Some(IO_REPARSE_TAG_MOUNT_POINT | IO_REPARSE_TAG_SYMLINK | IO_REPARSE_TAG_LX_SYMLINK) => {
            S_IFLNK
        }
        Some(t) if !info.is_directory => SpecialKind::of_tag(t).map_or(S_IFREG, |k| k.type_bits()),
        _ if info.is_directory => S_IFDIR,
        _ => S_IFREG,
    }
}

/// The special kind of a node, if it is one (a file with a WSL special tag).
pub fn kind_of(info: &FileInfo) -> Option<SpecialKind> {
    if info.is_directory {
        return None;
    }
    info.reparse_tag.and_then(SpecialKind::of_tag)
}

/// One extended attribute: its name as NTFS stores it and its value.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LxEa {
    /// The attribute name (`$LXUID`, `$LXGID`, `$LXMOD`, `$LXDEV`).
    pub name: &'static str,
    /// The value as WSL encodes it (little-endian).
    pub value: Vec<u8>,
}

/// WSL's metadata attributes of a node, in the order WSL and Linux's SMB client
/// write them: `$LXUID`, `$LXGID`, `$LXMOD`, and `$LXDEV` for devices.
pub fn lx_extended_attributes(info: &FileInfo) -> Vec<LxEa> {
    let p = info.posix;
    let mode = type_bits(info) | u32::from(p.mode & 0o7777);
    let mut eas = vec![
        LxEa {
            name: "$LXUID",
            value: p.uid.to_le_bytes().to_vec(),
        },
        LxEa {
            name: "$LXGID",
            value: p.gid.to_le_bytes().to_vec(),
        },
        LxEa {
            name: "$LXMOD",
            value: mode.to_le_bytes().to_vec(),
        },
    ];
    if kind_of(info).is_some_and(SpecialKind::has_device_numbers) {
        let mut dev = p.rdev.major.to_le_bytes().to_vec();
        dev.extend_from_slice(&p.rdev.minor.to_le_bytes());
        eas.push(LxEa {
            name: "$LXDEV",
            value: dev,
        });
    }
    eas
}

impl Machine {
    /// Creates a FIFO, socket or device node named `name` in directory `dir` the
    /// way WSL does (module header), owned and moded by `posix` (permission bits
    /// only; device numbers kept for devices). All or nothing: every check is
    /// made before the volume changes.
    pub fn create_special_file_at(
        &mut self,
        dir: NodeId,
        name: &(impl PathUnits + ?Sized),
        kind: SpecialKind,
        posix: PosixMeta,
    ) -> Result<FileInfo> {
        let r = self.resolve_at(dir, name.to_name())?;
        let (Some(parent), Some(name)) = (r.parent, r.name.clone()) else {
            return Err(NtError::ObjectNameCollision);
        };
        if !self.volumes[r.vol].kind.supports_reparse_points() {
            // FAT cannot hold a reparse point, so it cannot hold a special file.
            return Err(NtError::InvalidDeviceRequest);
        }
        self.check_new_name(r.vol, parent, &name)?;
        let raw = kind.reparse_buffer();
        let data = ReparseData::decode(&raw).expect("a WSL header-only buffer decodes");
        let rec = self.insert_node_unchecked(
            r.vol,
            parent,
            name,
            NodeKind::File(Default::default()),
            FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_REPARSE_POINT,
        );
        let node = self.volumes[r.vol].node_mut(rec).expect("just inserted");
        node.reparse = Some(Box::new(Reparse {
            raw: raw.into(),
            data,
        }));
        node.posix = PosixMeta {
            mode: posix.mode & 0o7777,
            rdev: if kind.has_device_numbers() {
                posix.rdev
            } else {
                DeviceNumbers::default()
            },
            ..posix
        };
        Ok(self.file_info(r.vol, rec, None))
    }

    /// [`Machine::create_special_file_at`] by Win32 path.
    pub fn create_special_file(
        &mut self,
        path: &(impl PathUnits + ?Sized),
        kind: SpecialKind,
        posix: PosixMeta,
    ) -> Result<FileInfo> {
        let full = self.full_path(path)?;
        let parent = full.parent().ok_or(NtError::ObjectNameInvalid)?;
        let name = full
            .components
            .last()
            .ok_or(NtError::ObjectNameInvalid)?
            .to_string_lossy();
        let dir = self.query_information(&parent.to_win32_units(), Follow::Reparse)?;
        if !dir.is_directory {
            return Err(NtError::ObjectPathNotFound);
        }
        self.create_special_file_at(dir.id, &name, kind, posix)
    }

    /// The `$LX*` extended attributes of a node (module header).
    pub fn lx_extended_attributes_of(&self, id: NodeId) -> Result<Vec<LxEa>> {
        Ok(lx_extended_attributes(&self.info(id)?))
    }
}

#[cfg(test)]
mod tests;
