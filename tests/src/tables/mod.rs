//! The conformance tables, one module per topic. Each row cites its
//! SEMANTICS.md rule and the evidence behind it; `[X]` rows are unverified.
//!
//! Reparse buffers in these tables are written out here, byte by byte, from
//! SEMANTICS §6.1, not with the core's codec: the tables check the codec.

mod delete;
mod hard_links;
mod junctions;
mod names;
mod profiles;
mod rename;
mod reparse;
mod special;
mod symlinks;
mod volumes;

use crate::scenario::Scenario;

/// Every row of every table, in topic order.
pub fn all() -> Vec<Scenario> {
    let mut v = Vec::new();
    v.extend(hard_links::rows());
    v.extend(junctions::rows());
    v.extend(symlinks::rows());
    v.extend(reparse::rows());
    v.extend(special::rows());
    v.extend(rename::rows());
    v.extend(delete::rows());
    v.extend(names::rows());
    v.extend(volumes::rows());
    v.extend(profiles::rows());
    v
}

// FILE_ATTRIBUTE_* and tags (SEMANTICS §0).
pub const RO: u32 = 0x1;
pub const HIDDEN: u32 = 0x2;
pub const SYSTEM: u32 = 0x4;
pub const DIR: u32 = 0x10;
pub const ARCHIVE: u32 = 0x20;
pub const REPARSE: u32 = 0x400;
pub const TAG_MOUNT_POINT: u32 = 0xA000_0003;
pub const TAG_SYMLINK: u32 = 0xA000_000C;
pub const TAG_APPEXECLINK: u32 = 0x8000_001B;

fn utf16(s: &str) -> Vec<u8> {
    s.encode_utf16().flat_map(u16::to_le_bytes).collect()
}

fn header(tag: u32, data_len: usize) -> Vec<u8> {
    let mut v = tag.to_le_bytes().to_vec();
    v.extend_from_slice(&(data_len as u16).to_le_bytes());
    v.extend_from_slice(&[0, 0]);
    v
}

/// A mount-point buffer as mklink writes it (R3): `substitute\0print\0`,
/// substitute at offset 0, ReparseDataLength ending at the print name's NUL.
pub fn mount_point_buf(substitute: &str, print: &str) -> Vec<u8> {
    let (s, p) = (utf16(substitute), utf16(print));
    let mut body = Vec::new();
    for v in [0, s.len(), s.len() + 2, p.len()] {
        body.extend_from_slice(&(v as u16).to_le_bytes());
    }
    body.extend_from_slice(&s);
    body.extend_from_slice(&[0, 0]);
    body.extend_from_slice(&p);
    body.extend_from_slice(&[0, 0]);
    let mut v = header(TAG_MOUNT_POINT, body.len());
    v.extend(body);
    v
}

/// A symbolic-link buffer as CreateSymbolicLinkW writes it (S5, R4): print name
/// first, then substitute, no NULs.
pub fn symlink_buf(substitute: &str, print: &str, flags: u32) -> Vec<u8> {
    let (s, p) = (utf16(substitute), utf16(print));
    let mut body = Vec::new();
    for v in [p.len(), s.len(), 0, p.len()] {
        body.extend_from_slice(&(v as u16).to_le_bytes());
    }
    body.extend_from_slice(&flags.to_le_bytes());
    body.extend_from_slice(&p);
    body.extend_from_slice(&s);
    let mut v = header(TAG_SYMLINK, body.len());
    v.extend(body);
    v
}

/// A symbolic-link buffer with the substitute name first (R2: any order).
pub fn symlink_buf_substitute_first(substitute: &str, print: &str, flags: u32) -> Vec<u8> {
    let (s, p) = (utf16(substitute), utf16(print));
    let mut body = Vec::new();
    for v in [0, s.len(), s.len(), p.len()] {
        body.extend_from_slice(&(v as u16).to_le_bytes());
    }
    body.extend_from_slice(&flags.to_le_bytes());
    body.extend_from_slice(&s);
    body.extend_from_slice(&p);
    let mut v = header(TAG_SYMLINK, body.len());
    v.extend(body);
    v
}

/// A Microsoft-tag buffer with opaque data (8-byte header).
pub fn ms_buf(tag: u32, data: &[u8]) -> Vec<u8> {
    let mut v = header(tag, data.len());
    v.extend_from_slice(data);
    v
}

/// A REPARSE_GUID_DATA_BUFFER (24-byte header).
pub fn guid_buf(tag: u32, guid: [u8; 16], data: &[u8]) -> Vec<u8> {
    let mut v = header(tag, data.len());
    v.extend_from_slice(&guid);
    v.extend_from_slice(data);
    v
}

/// The 8-byte FSCTL_DELETE_REPARSE_POINT request for a Microsoft tag.
pub fn delete_req(tag: u32) -> Vec<u8> {
    header(tag, 0)
}

/// The 24-byte delete request with a GUID.
pub fn delete_req_guid(tag: u32, guid: [u8; 16]) -> Vec<u8> {
    let mut v = header(tag, 0);
    v.extend_from_slice(&guid);
    v
}

// Why a row reads differently in the POSIX view of a FUSE mount (SEMANTICS §10).
pub const POSIX_TRAVERSAL: &str = "the kernel follows links itself through readlink(2) (F1): \
     Win32 traversal errors and flavour checks (S22, J13) do not exist there";
pub const POSIX_UNLINK_LINK: &str =
    "F6: unlink(2) of a junction or directory symlink removes the link";
pub const POSIX_RMDIR_LINK: &str =
    "F6: a junction or directory symlink is a symlink: rmdir(2) is ENOTDIR";
pub const POSIX_DELETE_NOW: &str =
    "unlink(2) releases the name at once (POSIX delete semantics, M10)";
pub const POSIX_RENAME: &str =
    "rename(2) has POSIX semantics: it replaces open files and empty directories (M3, M11)";
pub const POSIX_WIN32_PATHS: &str =
    "device names and MAX_PATH are Win32 path rules (N5, N9); POSIX paths have neither";
pub const POSIX_READ_ONLY: &str =
    "the Linux view unlinks and renames over read-only files as WSL does \
     (FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE): the directory's permissions govern (issue 11)";
pub const POSIX_UNRESOLVED: &str =
    "a target Windows would not resolve reads back as a path under .NTFS-3G, which the mount \
     root never holds (F1, P5, P6, S10): it does not resolve through the mount either";
pub const POSIX_LOOP_LIMIT: &str = "Linux follows at most 40 symlinks in one path (MAXSYMLINKS)";
pub const POSIX_OPENS_OBJECT: &str =
    "open(2) on the mount opens an object with an unhandled tag itself, as OPEN_REPARSE_POINT does";
pub const POSIX_PREFIX_FILE: &str = "§1: ENOTDIR when a prefix component is a file";
pub const POSIX_CASE_RENAME: &str = "Linux skips rename(2) onto the same inode, and the case \
     variant looks the file up as that inode: a case-only rename never reaches the file system";
pub const POSIX_NAME_TOO_LONG: &str =
    "§1, F6: a name over 255 units is ENAMETOOLONG in the POSIX view (and over NAME_MAX for Linux)";
