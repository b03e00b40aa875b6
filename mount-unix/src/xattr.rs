//! The ntfs-3g extended attributes (F2, F3): `system.ntfs_reparse_data` holds the
//! raw reparse buffer, `system.ntfs_attrib` the attribute word (4 bytes, little
//! endian). The rules that are not the core's (XATTR_CREATE / XATTR_REPLACE, the
//! value size of the attribute word) live here; every failure is an `NtError`.

use crate::fuse::abi;
use ntlinkfs_core::NtError;

pub const REPARSE_DATA: &str = "system.ntfs_reparse_data";
pub const ATTRIB: &str = "system.ntfs_attrib";
/// Read-only, ntlinkfs's own: every name of the file as `fsutil hardlink list`
/// prints it (HL24), one per line. Lets Linux tools list hard links without
/// walking the volume.
pub const NAMES: &str = "system.ntlinkfs_names";

/// Which attribute a name is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Xattr {
    ReparseData,
    Attrib,
    Names,
    /// Anything else: not stored (getxattr ENODATA, setxattr EOPNOTSUPP).
    Other,
}

pub fn parse_name(name: &[u8]) -> Xattr {
    match name {
        n if n == REPARSE_DATA.as_bytes() => Xattr::ReparseData,
        n if n == ATTRIB.as_bytes() => Xattr::Attrib,
        n if n == NAMES.as_bytes() => Xattr::Names,
        _ => Xattr::Other,
    }
}

/// setxattr(2) flags against whether a value exists: XATTR_CREATE on an existing
/// value -> EEXIST, XATTR_REPLACE without one -> ENODATA (F2).
pub fn check_flags(flags: i32, exists: bool) -> Result<(), NtError> {
    if flags & abi::XATTR_CREATE != 0 && exists {
        return Err(NtError::ObjectNameCollision);
    }
    if flags & abi::XATTR_REPLACE != 0 && !exists {
        return Err(NtError::NotAReparsePoint);
    }
    Ok(())
}

/// ntfs-3g's checks of WSL tags written through the attribute (valid_reparse_data,
/// F2), which NTFS itself does not make: an LX symlink holds version 2 and a
/// target; a socket, FIFO or device tag holds no data. Else EINVAL, as for any
/// bad buffer. (ntfs-3g also wants FILE_ATTRIBUTE_RECALL_ON_OPEN on the latter;
/// the model does not keep that bit, so it is not asked for.)
pub fn check_wsl_buffer(value: &[u8]) -> Result<(), NtError> {
    use ntlinkfs_core::reparse::{
        IO_REPARSE_TAG_AF_UNIX, IO_REPARSE_TAG_LX_BLK, IO_REPARSE_TAG_LX_CHR,
        IO_REPARSE_TAG_LX_FIFO, IO_REPARSE_TAG_LX_SYMLINK, LX_SYMLINK_VERSION,
    };
    let (Some(tag), Some(len)) = (value.get(..4), value.get(4..6)) else {
        return Ok(()); // too short: the core's decoder says so
    };
    let tag = u32::from_le_bytes([tag[0], tag[1], tag[2], tag[3]]);
    let len = usize::from(u16::from_le_bytes([len[0], len[1]]));
    let ok = match tag {
        IO_REPARSE_TAG_LX_SYMLINK => {
            len > 4 && value.get(8..12) == Some(&LX_SYMLINK_VERSION.to_le_bytes()[..])
        }
        IO_REPARSE_TAG_AF_UNIX
        | IO_REPARSE_TAG_LX_FIFO
        | IO_REPARSE_TAG_LX_CHR
        | IO_REPARSE_TAG_LX_BLK => len == 0,
        _ => true,
    };
    if ok {
        Ok(())
    } else {
        Err(NtError::IoReparseDataInvalid)
    }
}

pub fn attrib_value(attributes: u32) -> [u8; 4] {
    attributes.to_le_bytes()
}

/// The attribute word from a setxattr value: exactly 4 bytes (F3).
pub fn parse_attrib(value: &[u8]) -> Result<u32, NtError> {
    let bytes: [u8; 4] = value.try_into().map_err(|_| NtError::InvalidParameter)?;
    Ok(u32::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntlinkfs_core::{errno_for, Errno, PosixOp};

    #[test]
    fn names() {
        assert_eq!(parse_name(b"system.ntfs_reparse_data"), Xattr::ReparseData);
        assert_eq!(parse_name(b"system.ntfs_attrib"), Xattr::Attrib);
        assert_eq!(parse_name(b"system.ntlinkfs_names"), Xattr::Names);
        assert_eq!(parse_name(b"user.x"), Xattr::Other);
    }

    #[test]
    fn create_and_replace_flags_follow_f2() {
        let e = |r: Result<(), NtError>| r.map_err(|e| errno_for(PosixOp::Setxattr, e));
        assert_eq!(e(check_flags(abi::XATTR_CREATE, true)), Err(Errno::EEXIST));
        assert_eq!(
            e(check_flags(abi::XATTR_REPLACE, false)),
            Err(Errno::ENODATA)
        );
        assert_eq!(e(check_flags(abi::XATTR_CREATE, false)), Ok(()));
        assert_eq!(e(check_flags(abi::XATTR_REPLACE, true)), Ok(()));
        assert_eq!(e(check_flags(0, false)), Ok(()));
    }

    /// ntfs-3g valid_reparse_data on WSL tags (F2).
    #[test]
    fn wsl_tags_are_checked_as_ntfs_3g_checks_them() {
        let buf = |tag: u32, data: &[u8]| {
            let mut v = tag.to_le_bytes().to_vec();
            v.extend_from_slice(&(data.len() as u16).to_le_bytes());
            v.extend_from_slice(&[0, 0]);
            v.extend_from_slice(data);
            v
        };
        let bad = Err(NtError::IoReparseDataInvalid);
        let rows = [
            (buf(0xA000_001D, b"\x02\0\0\0/etc"), Ok(())),
            (buf(0xA000_001D, b"\x02\0\0\0"), bad),
            (buf(0xA000_001D, b"\x01\0\0\0/etc"), bad),
            (buf(0x8000_0024, b""), Ok(())),
            (buf(0x8000_0024, b"x"), bad),
            (buf(0x8000_0023, b"x"), bad),
            (buf(0x8000_0025, b"x"), bad),
            (buf(0x8000_0026, b"x"), bad),
            (buf(0x8000_0099, b"x"), Ok(())),
            (vec![0x1D, 0], Ok(())),
        ];
        for (value, want) in rows {
            assert_eq!(check_wsl_buffer(&value), want, "{value:?}");
        }
    }

    #[test]
    fn attrib_is_four_little_endian_bytes() {
        assert_eq!(attrib_value(0x421), [0x21, 0x04, 0, 0]);
        assert_eq!(parse_attrib(&[0x21, 0x04, 0, 0]), Ok(0x421));
        assert_eq!(parse_attrib(&[1, 2, 3]), Err(NtError::InvalidParameter));
    }
}
