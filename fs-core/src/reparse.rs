//! Reparse points: tags and the REPARSE_DATA_BUFFER / REPARSE_GUID_DATA_BUFFER
//! layouts of SEMANTICS §6.1, encoded and decoded exactly as Windows does.
//!
//! The decoder takes any bytes and never panics: a buffer is validated (R1, §6.2)
//! before a single field is trusted.

use crate::error::{NtError, Result};
use crate::path::PathUnits;

/// A junction or volume mount point (name surrogate).
pub const IO_REPARSE_TAG_MOUNT_POINT: u32 = 0xA000_0003;
/// A symbolic link (name surrogate).
pub const IO_REPARSE_TAG_SYMLINK: u32 = 0xA000_000C;
/// An app execution alias (WindowsApps).
pub const IO_REPARSE_TAG_APPEXECLINK: u32 = 0x8000_001B;
/// A WSL symbolic link: the target's bytes as Linux wrote them.
pub const IO_REPARSE_TAG_LX_SYMLINK: u32 = 0xA000_001D;
/// The version field WSL writes at the start of an LX symlink's data.
pub const LX_SYMLINK_VERSION: u32 = 2;
/// WSL's special files (MS-FSCC 2.1.2.1; see `special`): a Unix socket, a FIFO,
/// a character device and a block device.
pub const IO_REPARSE_TAG_AF_UNIX: u32 = 0x8000_0023;
/// A WSL FIFO.
pub const IO_REPARSE_TAG_LX_FIFO: u32 = 0x8000_0024;
/// A WSL character device.
pub const IO_REPARSE_TAG_LX_CHR: u32 = 0x8000_0025;
/// A WSL block device.
pub const IO_REPARSE_TAG_LX_BLK: u32 = 0x8000_0026;
/// Symlink flag: the substitute name is relative to the link's directory (S7).
pub const SYMLINK_FLAG_RELATIVE: u32 = 0x1;
/// The largest reparse buffer NTFS accepts, header included (R1).
pub const MAXIMUM_REPARSE_DATA_BUFFER_SIZE: usize = 16 * 1024;
/// Size of the REPARSE_DATA_BUFFER header (tag, length, reserved).
pub const HEADER_SIZE: usize = 8;
/// Size of the REPARSE_GUID_DATA_BUFFER header (header + GUID).
pub const GUID_HEADER_SIZE: usize = 24;

/// A reparse tag with its documented bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ReparseTag(pub u32);

impl ReparseTag {
    /// Bit 31: a Microsoft tag, which may use the 8-byte header.
    pub fn is_microsoft(self) -> bool {
        self.0 & 0x8000_0000 != 0
    }
    /// Bit 29: a name surrogate (junctions, symlinks).
    pub fn is_name_surrogate(self) -> bool {
        self.0 & 0x2000_0000 != 0
    }
    /// Bit 28: the "directory bit": may be set on a non-empty directory (Win10 1607+).
    pub fn is_directory_bit(self) -> bool {
        self.0 & 0x1000_0000 != 0
    }
    /// Tags 0 and 1 are reserved and invalid (§6.4).
    pub fn is_reserved(self) -> bool {
        self.0 <= 1
    }
}

/// A decoded reparse point.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReparseData {
    /// IO_REPARSE_TAG_MOUNT_POINT: a junction (or a volume mount point).
    MountPoint {
        /// The NT path the walk follows (`\??\C:\dir`), UTF-16, no NUL.
        substitute: Vec<u16>,
        /// The path `dir` shows (`C:\dir`), UTF-16, no NUL.
        print: Vec<u16>,
    },
    /// IO_REPARSE_TAG_SYMLINK.
    Symlink {
        /// The target the walk follows: an NT path, or a relative path when
        /// `flags` has [`SYMLINK_FLAG_RELATIVE`].
        substitute: Vec<u16>,
        /// The target as the user gave it, for display.
        print: Vec<u16>,
        /// `SYMLINK_FLAG_*` bits.
        flags: u32,
    },
    /// Any other tag: kept as raw bytes after the header (GUID included).
    Other {
        /// The reparse tag.
        tag: u32,
        /// The GUID of a REPARSE_GUID_DATA_BUFFER (non-Microsoft tags).
        guid: Option<[u8; 16]>,
        /// The bytes after the header.
        data: Vec<u8>,
    },
}

impl ReparseData {
    /// The reparse tag of this data.
    pub fn tag(&self) -> ReparseTag {
        ReparseTag(match self {
            ReparseData::MountPoint { .. } => IO_REPARSE_TAG_MOUNT_POINT,
            ReparseData::Symlink { .. } => IO_REPARSE_TAG_SYMLINK,
            ReparseData::Other { tag, .. } => *tag,
        })
    }

    /// A junction to `nt_target` (`\??\C:\dir`), laid out as mklink writes it (R3):
    /// substitute first, both names NUL-terminated.
    /// Text or UTF-16 units (names with unpaired surrogates, N3).
    pub fn mount_point(
        nt_target: &(impl PathUnits + ?Sized),
        print: &(impl PathUnits + ?Sized),
    ) -> ReparseData {
        ReparseData::MountPoint {
            substitute: nt_target.path_units().into_owned(),
            print: print.path_units().into_owned(),
        }
    }

    /// A symbolic link, as CreateSymbolicLinkW writes it (S5, S7).
    /// Text or UTF-16 units (names with unpaired surrogates, N3).
    pub fn symlink(
        substitute: &(impl PathUnits + ?Sized),
        print: &(impl PathUnits + ?Sized),
        relative: bool,
    ) -> ReparseData {
        ReparseData::Symlink {
            substitute: substitute.path_units().into_owned(),
            print: print.path_units().into_owned(),
            flags: if relative { SYMLINK_FLAG_RELATIVE } else { 0 },
        }
    }

    /// A symbolic link as WSL stores it on NTFS (IO_REPARSE_TAG_LX_SYMLINK): a
    /// 4-byte little-endian version, 2, then the target's bytes (UTF-8 as Linux
    /// wrote them, no NUL), read back byte for byte. Windows does not follow it:
    /// opening it without FILE_FLAG_OPEN_REPARSE_POINT fails with
    /// STATUS_IO_REPARSE_TAG_NOT_HANDLED (ERROR_CANT_ACCESS_FILE, S27).
    pub fn lx_symlink(target: &[u8]) -> ReparseData {
        let mut data = LX_SYMLINK_VERSION.to_le_bytes().to_vec();
        data.extend_from_slice(target);
        ReparseData::Other {
            tag: IO_REPARSE_TAG_LX_SYMLINK,
            guid: None,
            data,
        }
    }

    /// The target of an LX symlink, when this is one in the version WSL writes.
    pub fn lx_symlink_target(&self) -> Option<&[u8]> {
        match self {
            ReparseData::Other {
                tag: IO_REPARSE_TAG_LX_SYMLINK,
                guid: None,
                data,
            } if data.len() > 4 && data[..4] == LX_SYMLINK_VERSION.to_le_bytes() => {
                Some(&data[4..])
            }
            _ => None,
        }
    }

    /// The substitute name (what the walk follows), for a junction or a symlink.
    pub fn substitute_name(&self) -> Option<String> {
        match self {
            ReparseData::MountPoint { substitute, .. }
            | ReparseData::Symlink { substitute, .. } => Some(String::from_utf16_lossy(substitute)),
            ReparseData::Other { .. } => None,
        }
    }

    /// [`ReparseData::substitute_name`] as its exact units (N3).
    pub fn substitute_units(&self) -> Option<&[u16]> {
        match self {
            ReparseData::MountPoint { substitute, .. }
            | ReparseData::Symlink { substitute, .. } => Some(substitute),
            ReparseData::Other { .. } => None,
        }
    }

    /// [`ReparseData::print_name`] as its exact units (N3).
    pub fn print_units(&self) -> Option<&[u16]> {
        match self {
            ReparseData::MountPoint { print, .. } | ReparseData::Symlink { print, .. } => {
                Some(print)
            }
            ReparseData::Other { .. } => None,
        }
    }

    /// The print name (what `dir` shows), for a junction or a symlink.
    pub fn print_name(&self) -> Option<String> {
        match self {
            ReparseData::MountPoint { print, .. } | ReparseData::Symlink { print, .. } => {
                Some(String::from_utf16_lossy(print))
            }
            ReparseData::Other { .. } => None,
        }
    }

    /// Encodes the buffer. Mount points: `substitute\0print\0` (R3). Symlinks:
    /// print name first, then substitute, no NULs (S5, R4).
    pub fn encode(&self) -> Vec<u8> {
        let mut out = Vec::new();
        let put16 = |out: &mut Vec<u8>, v: usize| out.extend_from_slice(&(v as u16).to_le_bytes());
        let units = |out: &mut Vec<u8>, s: &[u16]| {
            for u in s {
                out.extend_from_slice(&u.to_le_bytes());
            }
        };
        out.extend_from_slice(&self.tag().0.to_le_bytes());
        out.extend_from_slice(&[0; 4]); // length patched below
        match self {
            ReparseData::MountPoint { substitute, print } => {
                let sub_len = substitute.len() * 2;
                put16(&mut out, 0);
                put16(&mut out, sub_len);
                put16(&mut out, sub_len + 2);
                put16(&mut out, print.len() * 2);
                units(&mut out, substitute);
                out.extend_from_slice(&[0, 0]);
                units(&mut out, print);
                out.extend_from_slice(&[0, 0]);
            }
            ReparseData::Symlink {
                substitute,
                print,
                flags,
            } => {
                let print_len = print.len() * 2;
                put16(&mut out, print_len);
                put16(&mut out, substitute.len() * 2);
                put16(&mut out, 0);
                put16(&mut out, print_len);
                out.extend_from_slice(&flags.to_le_bytes());
                units(&mut out, print);
                units(&mut out, substitute);
            }
            ReparseData::Other { guid, data, .. } => {
                if let Some(g) = guid {
                    out.extend_from_slice(g);
                }
                out.extend_from_slice(data);
            }
        }
        let len = out.len()
            - HEADER_SIZE
            - if matches!(self, ReparseData::Other { guid: Some(_), .. }) {
                16
            } else {
                0
            };
        out[4..6].copy_from_slice(&(len as u16).to_le_bytes());
        out
    }

    /// Decodes and validates a buffer as FSCTL_SET_REPARSE_POINT does (§6.2, R1–R4).
    pub fn decode(buf: &[u8]) -> Result<ReparseData> {
        if buf.len() < HEADER_SIZE || buf.len() > MAXIMUM_REPARSE_DATA_BUFFER_SIZE {
            return Err(NtError::IoReparseDataInvalid);
        }
        let tag = ReparseTag(u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]));
        if tag.is_reserved() {
            return Err(NtError::IoReparseTagInvalid);
        }
        let data_len = usize::from(u16::from_le_bytes([buf[4], buf[5]]));
        let (guid, body) = if buf.len() == data_len + HEADER_SIZE && tag.is_microsoft() {
            (None, &buf[HEADER_SIZE..])
        } else if buf.len() == data_len + GUID_HEADER_SIZE && !tag.is_microsoft() {
            // MS-FSA 2.1.5.10.37: a Microsoft tag's size is checked against the
            // 8-byte header only; the GUID header is for everyone else (R1).
            let mut g = [0u8; 16];
            g.copy_from_slice(&buf[8..24]);
            (Some(g), &buf[GUID_HEADER_SIZE..])
        } else {
            // Wrong length, or a non-Microsoft tag without its GUID (BTRFS reparse13).
            return Err(NtError::IoReparseDataInvalid);
        };
        match (tag.0, guid) {
            (IO_REPARSE_TAG_MOUNT_POINT, None) => {
                let (substitute, print) = names(body, 0)?;
                Ok(ReparseData::MountPoint { substitute, print })
            }
            (IO_REPARSE_TAG_SYMLINK, None) => {
                if body.len() < 12 {
                    return Err(NtError::IoReparseDataInvalid);
                }
                let flags = u32::from_le_bytes([body[8], body[9], body[10], body[11]]);
                let (substitute, print) = names(body, 4)?;
                Ok(ReparseData::Symlink {
                    substitute,
                    print,
                    flags,
                })
            }
            (tag, guid) => Ok(ReparseData::Other {
                tag,
                guid,
                data: body.to_vec(),
            }),
        }
    }
}

/// Reads SubstituteName and PrintName: four u16 fields, `extra` bytes, PathBuffer.
/// Offsets are honoured in any order (R2, R4); every range must lie in the buffer.
fn names(body: &[u8], extra: usize) -> Result<(Vec<u16>, Vec<u16>)> {
    let path_start = 8 + extra;
    if body.len() < path_start {
        return Err(NtError::IoReparseDataInvalid);
    }
    let f = |i: usize| usize::from(u16::from_le_bytes([body[i], body[i + 1]]));
    let path = &body[path_start..];
    let read = |off: usize, len: usize| -> Result<Vec<u16>> {
        if off % 2 != 0 || len % 2 != 0 || off + len > path.len() {
            return Err(NtError::IoReparseDataInvalid);
        }
        Ok(path[off..off + len]
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect())
    };
    let substitute = read(f(0), f(2))?;
    let print = read(f(4), f(6))?;
    Ok((substitute, print))
}

/// Validates a FSCTL_DELETE_REPARSE_POINT input buffer (§6.4) and returns its tag
/// and GUID.
pub fn decode_delete_request(buf: &[u8]) -> Result<(ReparseTag, Option<[u8; 16]>)> {
    if buf.is_empty() {
        return Err(NtError::InvalidBufferSize);
    }
    if buf.len() != HEADER_SIZE && buf.len() != GUID_HEADER_SIZE {
        return Err(NtError::IoReparseDataInvalid);
    }
    let tag = ReparseTag(u32::from_le_bytes([buf[0], buf[1], buf[2], buf[3]]));
    let data_len = u16::from_le_bytes([buf[4], buf[5]]);
    if data_len != 0 {
        return Err(NtError::IoReparseDataInvalid);
    }
    if tag.is_reserved() {
        return Err(NtError::IoReparseTagInvalid);
    }
    if buf.len() == HEADER_SIZE {
        if !tag.is_microsoft() {
            return Err(NtError::IoReparseDataInvalid);
        }
        return Ok((tag, None));
    }
    let mut g = [0u8; 16];
    g.copy_from_slice(&buf[8..24]);
    Ok((tag, Some(g)))
}

/// The 8-byte delete request for a Microsoft tag.
pub fn delete_request(tag: u32) -> Vec<u8> {
    let mut v = tag.to_le_bytes().to_vec();
    v.extend_from_slice(&[0; 4]);
    v
}

/// What FSCTL_GET_REPARSE_POINT returns into an output buffer of `out_len` bytes
/// (§6.3): the bytes written, or the error, with STATUS_BUFFER_OVERFLOW carrying the
/// truncated prefix.
pub fn get_into(stored: &[u8], out_len: usize) -> std::result::Result<Vec<u8>, (NtError, Vec<u8>)> {
    if out_len == 0 {
        return Err((NtError::InvalidUserBuffer, Vec::new()));
    }
    if out_len < 28 {
        return Err((NtError::BufferTooSmall, Vec::new()));
    }
    if out_len < stored.len() {
        return Err((NtError::BufferOverflow, stored[..out_len].to_vec()));
    }
    Ok(stored.to_vec())
}

/// Hex dump as `fsutil reparsepoint query` prints it: offset, 16 bytes, ASCII.
pub fn hex_dump(bytes: &[u8]) -> String {
    let mut out = String::new();
    for (i, chunk) in bytes.chunks(16).enumerate() {
        out.push_str(&format!("{:04x}:  ", i * 16));
        for j in 0..16 {
            match chunk.get(j) {
                Some(b) => out.push_str(&format!("{b:02x} ")),
                None => out.push_str("   "),
            }
            if j == 7 {
                out.push(' ');
            }
        }
        out.push(' ');
        for b in chunk {
            out.push(if b.is_ascii_graphic() || *b == b' ' {
                *b as char
            } else {
                '.'
            });
        }
        out.push('\n');
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn junction_layout_matches_mklink() {
        let j = ReparseData::mount_point(r"\??\C:\t", r"C:\t");
        let bytes = j.encode();
        // ReparseDataLength = 8 + (sub + NUL) + (print + NUL) = 8 + 18 + 10 = 36.
        assert_eq!(u16::from_le_bytes([bytes[4], bytes[5]]), 36);
        assert_eq!(bytes.len(), 44);
        assert_eq!(&bytes[..8], &[0x03, 0x00, 0x00, 0xA0, 36, 0, 0, 0]);
        assert_eq!(&bytes[8..16], &[0, 0, 16, 0, 18, 0, 8, 0]);
        assert_eq!(
            &bytes[16..34],
            "\\??\\C:\\t\0"
                .encode_utf16()
                .flat_map(u16::to_le_bytes)
                .collect::<Vec<u8>>()
        );
        assert_eq!(ReparseData::decode(&bytes), Ok(j));
    }

    #[test]
    fn rust_std_junction_length_formula_holds_with_empty_print_name() {
        // RUST-STD: ReparseDataLength = 12 + 2·len(substitute) with an empty print name.
        let j = ReparseData::mount_point(r"\??\C:\target", "");
        let bytes = j.encode();
        let sub_units = r"\??\C:\target".len();
        assert_eq!(
            usize::from(u16::from_le_bytes([bytes[4], bytes[5]])),
            12 + 2 * sub_units
        );
    }

    #[test]
    fn symlink_layout_print_first() {
        let s = ReparseData::symlink(r"\??\C:\x", r"C:\x", false);
        let b = s.encode();
        assert_eq!(&b[..4], &[0x0C, 0x00, 0x00, 0xA0]);
        // sub off 8 (after "C:\x"), len 16; print off 0, len 8; flags 0.
        assert_eq!(&b[8..20], &[8, 0, 16, 0, 0, 0, 8, 0, 0, 0, 0, 0]);
        assert_eq!(ReparseData::decode(&b), Ok(s));
        let r = ReparseData::symlink(r"..\x", r"..\x", true);
        let b = r.encode();
        assert_eq!(&b[16..20], &[1, 0, 0, 0]);
        assert_eq!(ReparseData::decode(&b), Ok(r));
    }

    #[test]
    fn decode_rejects_bad_buffers() {
        let good = ReparseData::symlink("a", "a", true).encode();
        let rows: Vec<(Vec<u8>, NtError)> = vec![
            (vec![], NtError::IoReparseDataInvalid),
            (
                vec![0x0C, 0, 0, 0xA0, 0, 0, 0],
                NtError::IoReparseDataInvalid,
            ),
            (vec![0, 0, 0, 0, 0, 0, 0, 0], NtError::IoReparseTagInvalid),
            (vec![1, 0, 0, 0, 0, 0, 0, 0], NtError::IoReparseTagInvalid),
            (
                good[..good.len() - 1].to_vec(),
                NtError::IoReparseDataInvalid,
            ),
            (
                {
                    let mut v = good.clone();
                    v.push(0);
                    v
                },
                NtError::IoReparseDataInvalid,
            ),
            // Non-Microsoft tag with only the 8-byte header (BTRFS reparse13).
            (
                vec![0x34, 0x12, 0, 0, 0, 0, 0, 0],
                NtError::IoReparseDataInvalid,
            ),
            // Symlink whose name range runs past the buffer.
            (
                vec![
                    0x0C, 0, 0, 0xA0, 12, 0, 0, 0, 0, 0, 40, 0, 0, 0, 0, 0, 0, 0, 0, 0,
                ],
                NtError::IoReparseDataInvalid,
            ),
            (
                vec![0u8; MAXIMUM_REPARSE_DATA_BUFFER_SIZE + 1],
                NtError::IoReparseDataInvalid,
            ),
        ];
        for (buf, want) in rows {
            assert_eq!(ReparseData::decode(&buf), Err(want), "{buf:?}");
        }
    }

    #[test]
    fn other_tags_round_trip_with_guid() {
        let o = ReparseData::Other {
            tag: 0x0000_1234,
            guid: Some([7; 16]),
            data: vec![1, 2, 3],
        };
        let b = o.encode();
        assert_eq!(b.len(), 27);
        assert_eq!(u16::from_le_bytes([b[4], b[5]]), 3);
        assert_eq!(ReparseData::decode(&b), Ok(o));
        let app = ReparseData::Other {
            tag: IO_REPARSE_TAG_APPEXECLINK,
            guid: None,
            data: vec![9; 4],
        };
        assert_eq!(ReparseData::decode(&app.encode()), Ok(app));
    }

    #[test]
    fn delete_request_rules() {
        assert_eq!(decode_delete_request(&[]), Err(NtError::InvalidBufferSize));
        assert_eq!(
            decode_delete_request(&[3]),
            Err(NtError::IoReparseDataInvalid)
        );
        assert_eq!(
            decode_delete_request(&[0; 28]),
            Err(NtError::IoReparseDataInvalid)
        );
        assert_eq!(
            decode_delete_request(&[0; 8]),
            Err(NtError::IoReparseTagInvalid)
        );
        assert_eq!(
            decode_delete_request(&delete_request(IO_REPARSE_TAG_MOUNT_POINT)),
            Ok((ReparseTag(IO_REPARSE_TAG_MOUNT_POINT), None))
        );
        let mut with_len = delete_request(IO_REPARSE_TAG_SYMLINK);
        with_len[4] = 1;
        assert_eq!(
            decode_delete_request(&with_len),
            Err(NtError::IoReparseDataInvalid)
        );
        assert_eq!(
            decode_delete_request(&[0x34, 0x12, 0, 0, 0, 0, 0, 0]),
            Err(NtError::IoReparseDataInvalid)
        );
        let mut guid = vec![0x34, 0x12, 0, 0, 0, 0, 0, 0];
        guid.extend_from_slice(&[5; 16]);
        assert_eq!(
            decode_delete_request(&guid),
            Ok((ReparseTag(0x1234), Some([5; 16])))
        );
    }

    #[test]
    fn get_buffer_sizes() {
        let stored = ReparseData::mount_point(r"\??\C:\target", r"C:\target").encode();
        assert_eq!(
            get_into(&stored, 0),
            Err((NtError::InvalidUserBuffer, vec![]))
        );
        assert_eq!(
            get_into(&stored, 27),
            Err((NtError::BufferTooSmall, vec![]))
        );
        assert_eq!(
            get_into(&stored, 30),
            Err((NtError::BufferOverflow, stored[..30].to_vec()))
        );
        assert_eq!(get_into(&stored, 4096), Ok(stored.clone()));
    }
}
