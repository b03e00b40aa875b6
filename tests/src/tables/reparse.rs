//! SEMANTICS §6: reparse-point FSCTLs and buffer encoding.

use super::*;
use crate::scenario::dsl::*;
use crate::scenario::{row, Evidence::*, Scenario, Topic};
use ntlinkfs_core::NtError::*;

const T: Topic = Topic::ReparseBuffers;

const GUID_A: [u8; 16] = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16];
const GUID_B: [u8; 16] = [16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1];
/// A third-party tag (bit 31 clear): needs the GUID header.
const TAG_THIRD_PARTY: u32 = 0x0000_1234;
/// A Microsoft tag with no filter here, not a name surrogate.
const TAG_MS_OTHER: u32 = 0x8000_0099;
/// A Microsoft tag with the directory bit (bit 28).
const TAG_MS_DIRBIT: u32 = 0x9000_0099;

fn with_len(mut buf: Vec<u8>, len: u16) -> Vec<u8> {
    buf[4..6].copy_from_slice(&len.to_le_bytes());
    buf
}

pub fn rows() -> Vec<Scenario> {
    let junction_bytes = mount_point_buf(r"\??\C:\t", r"C:\t");
    let good_len = (junction_bytes.len() - 8) as u16;
    vec![
        row(
            T,
            "R3",
            Tested,
            "WINE-NEW init_reparse_mount_point; RUST-STD junction_point",
            "mklink /J writes substitute\\0print\\0",
        )
        .given([mkdir(r"C:\t")])
        .when(junction(r"C:\j", r"C:\t"), ok())
        .then(get_reparse(r"C:\j"), raw(junction_bytes.clone()))
        .build(),
        row(
            T,
            "S5",
            Tested,
            "CPY test_29248; GO-WIN \"standard\"",
            "CreateSymbolicLink writes the print name first",
        )
        .given([write(r"C:\t", "x")])
        .when(symlink(r"C:\s", r"C:\t"), ok())
        .then(
            get_reparse(r"C:\s"),
            raw(symlink_buf(r"\??\C:\t", r"C:\t", 0)),
        )
        .build(),
        row(
            T,
            "S7",
            Tested,
            "GO-WIN \"relative\"",
            "a relative symlink: Flags = 1, both names the given text",
        )
        .when(symlink(r"C:\s", r"..\x"), ok())
        .then(get_reparse(r"C:\s"), raw(symlink_buf(r"..\x", r"..\x", 1)))
        .build(),
        row(
            T,
            "R5",
            Tested,
            "WINE-NEW",
            "GET returns exactly the bytes that were SET",
        )
        .given([create(r"C:\s")])
        .when(
            set_reparse(r"C:\s", symlink_buf(r".\d\..\.\d\", r".\d\..\.\d\", 1)),
            ok(),
        )
        .then(
            get_reparse(r"C:\s"),
            raw(symlink_buf(r".\d\..\.\d\", r".\d\..\.\d\", 1)),
        )
        .build(),
        row(
            T,
            "R5",
            Tested,
            "WINE-NEW",
            "a junction set raw reads back byte for byte",
        )
        .given([mkdir(r"C:\j")])
        .when(set_reparse(r"C:\j", mount_point_buf(r"\??\C:\x", "")), ok())
        .then(get_reparse(r"C:\j"), raw(mount_point_buf(r"\??\C:\x", "")))
        .build(),
        row(
            T,
            "R3",
            Tested,
            "GO-WIN have_blank_print_name",
            "an empty print name is valid",
        )
        .given([mkdir(r"C:\t"), write(r"C:\t\f", "x"), mkdir(r"C:\j")])
        .when(set_reparse(r"C:\j", mount_point_buf(r"\??\C:\t", "")), ok())
        .then(read(r"C:\j\f"), bytes("x"))
        .build(),
        row(
            T,
            "R4",
            Tested,
            "GO-WIN; BTRFS set_symlink",
            "names in any order: substitute first also works",
        )
        .given([write(r"C:\t", "x"), create(r"C:\s")])
        .when(
            set_reparse(
                r"C:\s",
                symlink_buf_substitute_first(r"\??\C:\t", r"C:\t", 0),
            ),
            ok(),
        )
        .then(read(r"C:\s"), bytes("x"))
        .then(readlink(r"C:\s"), text(r"\??\C:\t"))
        .build(),
        row(
            T,
            "R1",
            Documented,
            "MS-FSA-SRP; NTFS3G valid_reparse_data",
            "ReparseDataLength too large: DATA_INVALID",
        )
        .given([mkdir(r"C:\j")])
        .when(
            set_reparse(r"C:\j", with_len(junction_bytes.clone(), good_len + 2)),
            err(IoReparseDataInvalid),
        )
        .then(lstat(r"C:\j"), no_tag())
        .build(),
        row(
            T,
            "R1",
            Documented,
            "MS-FSA-SRP",
            "ReparseDataLength too small: DATA_INVALID",
        )
        .given([mkdir(r"C:\j")])
        .when(
            set_reparse(r"C:\j", with_len(junction_bytes.clone(), good_len - 2)),
            err(IoReparseDataInvalid),
        )
        .build(),
        row(
            T,
            "§6.2",
            Documented,
            "MS-FSA-SRP",
            "a buffer shorter than 8 bytes: DATA_INVALID",
        )
        .given([mkdir(r"C:\j")])
        .when(
            set_reparse(r"C:\j", vec![3, 0, 0, 0xA0]),
            err(IoReparseDataInvalid),
        )
        .build(),
        row(
            T,
            "§6.2",
            Documented,
            "MS-FSA-SRP; §0 MAXIMUM_REPARSE_DATA_BUFFER_SIZE",
            "a buffer over 16384 bytes: DATA_INVALID",
        )
        .given([create(r"C:\f")])
        .when(
            set_reparse(
                r"C:\f",
                guid_buf(TAG_THIRD_PARTY, GUID_A, &vec![0u8; 16384 - 24 + 1]),
            ),
            err(IoReparseDataInvalid),
        )
        .build(),
        row(
            T,
            "§6.2",
            Documented,
            "MS-FSA-SRP; §0",
            "a buffer of exactly 16384 bytes is accepted",
        )
        .given([create(r"C:\f")])
        .when(
            set_reparse(
                r"C:\f",
                guid_buf(TAG_THIRD_PARTY, GUID_A, &vec![7u8; 16384 - 24]),
            ),
            ok(),
        )
        .then(lstat(r"C:\f"), tag(TAG_THIRD_PARTY))
        .build(),
        row(
            T,
            "§6.2",
            Tested,
            "BTRFS reparse13",
            "a third-party tag without GUID header: DATA_INVALID",
        )
        .given([create(r"C:\f")])
        .when(
            set_reparse(r"C:\f", ms_buf(TAG_THIRD_PARTY, b"abcd")),
            err(IoReparseDataInvalid),
        )
        .build(),
        row(
            T,
            "§6.2",
            Tested,
            "BTRFS reparse12",
            "a third-party tag with a GUID header is stored",
        )
        .given([create(r"C:\f")])
        .when(
            set_reparse(r"C:\f", guid_buf(TAG_THIRD_PARTY, GUID_A, b"abcd")),
            ok(),
        )
        .then(
            get_reparse(r"C:\f"),
            raw(guid_buf(TAG_THIRD_PARTY, GUID_A, b"abcd")),
        )
        .build(),
        row(
            T,
            "§6.2",
            Tested,
            "BTRFS",
            "same third-party tag, other GUID: ATTRIBUTE_CONFLICT",
        )
        .given([
            create(r"C:\f"),
            set_reparse(r"C:\f", guid_buf(TAG_THIRD_PARTY, GUID_A, b"a")),
        ])
        .when(
            set_reparse(r"C:\f", guid_buf(TAG_THIRD_PARTY, GUID_B, b"b")),
            err(ReparseAttributeConflict),
        )
        .build(),
        row(
            T,
            "§6.2",
            Tested,
            "BTRFS; FSCTL-SRP",
            "another tag on a reparse point: TAG_MISMATCH",
        )
        .given([
            create(r"C:\f"),
            set_reparse(r"C:\f", guid_buf(TAG_THIRD_PARTY, GUID_A, b"a")),
        ])
        .when(
            set_reparse(r"C:\f", ms_buf(TAG_MS_OTHER, b"b")),
            err(IoReparseTagMismatch),
        )
        .build(),
        row(
            T,
            "S12",
            Tested,
            "WINE-NEW",
            "other Microsoft tags may be set on a file with data",
        )
        .given([write(r"C:\f", "data")])
        .when(set_reparse(r"C:\f", ms_buf(TAG_MS_OTHER, b"xyz")), ok())
        .then(lstat(r"C:\f"), tag(TAG_MS_OTHER))
        .build(),
        row(
            T,
            "§6.2",
            Tested,
            "BTRFS (\"Clear archive flag\")",
            "setting a reparse point keeps the other attributes",
        )
        .given([mkdir(r"C:\j"), attrs(r"C:\j", HIDDEN)])
        .when(
            set_reparse(r"C:\j", mount_point_buf(r"\??\C:\t", r"C:\t")),
            ok(),
        )
        .then(lstat(r"C:\j"), attrs_are(DIR | HIDDEN | REPARSE))
        .build(),
        row(
            T,
            "§6.2",
            Tested,
            "WINE-NEW",
            "an empty relative symlink target: DATA_INVALID",
        )
        .given([create(r"C:\s")])
        .when(
            set_reparse(r"C:\s", symlink_buf("", "", 1)),
            err(IoReparseDataInvalid),
        )
        .build(),
        row(
            T,
            "§6.2",
            Tested,
            "WINE-NEW; BTRFS reparse17",
            "a directory-bit tag may be set on a non-empty directory",
        )
        .given([mkdir(r"C:\d"), write(r"C:\d\f", "x")])
        .when(set_reparse(r"C:\d", ms_buf(TAG_MS_DIRBIT, b"q")), ok())
        .then(read(r"C:\d\f"), bytes("x"))
        .build(),
        row(
            T,
            "§6.2",
            Tested,
            "WINE-NEW, BTRFS",
            "a tag without the directory bit on a non-empty directory fails",
        )
        .given([mkdir(r"C:\d"), write(r"C:\d\f", "x")])
        .when(
            set_reparse(r"C:\d", ms_buf(TAG_MS_OTHER, b"q")),
            err(DirectoryNotEmpty),
        )
        .build(),
        row(
            T,
            "§6.3",
            Tested,
            "WINE-NEW, BTRFS",
            "GET on a file that is not a reparse point: NOT_A_REPARSE_POINT",
        )
        .given([write(r"C:\f", "x")])
        .when(get_reparse(r"C:\f"), err(NotAReparsePoint))
        .build(),
        row(
            T,
            "§6.3",
            Tested,
            "WINE-NEW",
            "GET on a volume root: NOT_A_REPARSE_POINT",
        )
        .when(get_reparse(r"C:\"), err(NotAReparsePoint))
        .build(),
        row(
            T,
            "§6.4",
            Tested,
            "WINE-NEW",
            "DELETE with an empty request: INVALID_BUFFER_SIZE",
        )
        .given([mkdir(r"C:\t"), junction(r"C:\j", r"C:\t")])
        .when(delete_reparse(r"C:\j", vec![]), err(InvalidBufferSize))
        .then(lstat(r"C:\j"), tag(TAG_MOUNT_POINT))
        .build(),
        row(
            T,
            "§6.4",
            Tested,
            "WINE-NEW",
            "DELETE with a 1-byte request: DATA_INVALID",
        )
        .given([mkdir(r"C:\t"), junction(r"C:\j", r"C:\t")])
        .when(delete_reparse(r"C:\j", vec![3]), err(IoReparseDataInvalid))
        .build(),
        row(
            T,
            "§6.4",
            Tested,
            "WINE-NEW",
            "DELETE with the full buffer as request: DATA_INVALID",
        )
        .given([mkdir(r"C:\t"), junction(r"C:\j", r"C:\t")])
        .when(
            delete_reparse(r"C:\j", junction_bytes.clone()),
            err(IoReparseDataInvalid),
        )
        .build(),
        row(
            T,
            "§6.4",
            Tested,
            "WINE-NEW",
            "DELETE with a 28-byte request: DATA_INVALID",
        )
        .given([mkdir(r"C:\t"), junction(r"C:\j", r"C:\t")])
        .when(
            delete_reparse(r"C:\j", {
                let mut v = delete_req_guid(TAG_MOUNT_POINT, GUID_A);
                v.extend([0; 4]);
                v
            }),
            err(IoReparseDataInvalid),
        )
        .build(),
        row(
            T,
            "§6.4",
            Tested,
            "WINE-NEW",
            "DELETE with a 24-byte request is accepted for a Microsoft tag",
        )
        .given([mkdir(r"C:\t"), junction(r"C:\j", r"C:\t")])
        .when(
            delete_reparse(r"C:\j", delete_req_guid(TAG_MOUNT_POINT, [0; 16])),
            ok(),
        )
        .then(lstat(r"C:\j"), attrs_are(DIR))
        .build(),
        row(
            T,
            "§6.4",
            Tested,
            "WINE-NEW; MS-FSCC-DRP",
            "DELETE with ReparseDataLength != 0: DATA_INVALID",
        )
        .given([mkdir(r"C:\t"), junction(r"C:\j", r"C:\t")])
        .when(
            delete_reparse(r"C:\j", with_len(delete_req(TAG_MOUNT_POINT), 4)),
            err(IoReparseDataInvalid),
        )
        .build(),
        row(
            T,
            "§6.4",
            Tested,
            "WINE-NEW; MS-FSCC-DRP",
            "DELETE with tag 0: TAG_INVALID",
        )
        .given([mkdir(r"C:\t"), junction(r"C:\j", r"C:\t")])
        .when(
            delete_reparse(r"C:\j", delete_req(0)),
            err(IoReparseTagInvalid),
        )
        .build(),
        row(
            T,
            "§6.4",
            Tested,
            "WINE-NEW; MS-FSCC-DRP",
            "DELETE with tag 1: TAG_INVALID",
        )
        .given([mkdir(r"C:\t"), junction(r"C:\j", r"C:\t")])
        .when(
            delete_reparse(r"C:\j", delete_req(1)),
            err(IoReparseTagInvalid),
        )
        .build(),
        row(
            T,
            "§6.4",
            Tested,
            "WINE-NEW, BTRFS",
            "DELETE with another tag: TAG_MISMATCH",
        )
        .given([mkdir(r"C:\t"), junction(r"C:\j", r"C:\t")])
        .when(
            delete_reparse(r"C:\j", delete_req(TAG_SYMLINK)),
            err(IoReparseTagMismatch),
        )
        .then(lstat(r"C:\j"), tag(TAG_MOUNT_POINT))
        .build(),
        row(
            T,
            "§6.4",
            Tested,
            "BTRFS reparse13",
            "DELETE of a third-party tag with an 8-byte request: DATA_INVALID",
        )
        .given([
            create(r"C:\f"),
            set_reparse(r"C:\f", guid_buf(TAG_THIRD_PARTY, GUID_A, b"a")),
        ])
        .when(
            delete_reparse(r"C:\f", delete_req(TAG_THIRD_PARTY)),
            err(IoReparseDataInvalid),
        )
        .build(),
        row(
            T,
            "§6.4",
            Tested,
            "BTRFS",
            "DELETE with another GUID: ATTRIBUTE_CONFLICT",
        )
        .given([
            create(r"C:\f"),
            set_reparse(r"C:\f", guid_buf(TAG_THIRD_PARTY, GUID_A, b"a")),
        ])
        .when(
            delete_reparse(r"C:\f", delete_req_guid(TAG_THIRD_PARTY, GUID_B)),
            err(ReparseAttributeConflict),
        )
        .build(),
        row(
            T,
            "§6.4",
            Tested,
            "BTRFS",
            "DELETE with the right GUID removes the reparse point",
        )
        .given([
            create(r"C:\f"),
            set_reparse(r"C:\f", guid_buf(TAG_THIRD_PARTY, GUID_A, b"a")),
        ])
        .when(
            delete_reparse(r"C:\f", delete_req_guid(TAG_THIRD_PARTY, GUID_A)),
            ok(),
        )
        .then(lstat(r"C:\f"), no_tag())
        .then(get_reparse(r"C:\f"), err(NotAReparsePoint))
        .build(),
        row(
            T,
            "S13",
            Tested,
            "WINE-NEW; BTRFS reparse5",
            "deleting a reparse point keeps the file's data",
        )
        .given([
            write(r"C:\f", "data"),
            set_reparse(r"C:\f", ms_buf(TAG_MS_OTHER, b"z")),
        ])
        .when(delete_reparse(r"C:\f", delete_req(TAG_MS_OTHER)), ok())
        .then(read(r"C:\f"), bytes("data"))
        .then(lstat(r"C:\f"), attrs_are(ARCHIVE))
        .build(),
        row(
            T,
            "§6.4",
            Tested,
            "WINE-NEW",
            "deleting a symlink's reparse point leaves an empty file",
        )
        .given([write(r"C:\t", "x"), symlink(r"C:\s", r"C:\t")])
        .when(delete_reparse(r"C:\s", delete_req(TAG_SYMLINK)), ok())
        .then(read(r"C:\s"), bytes(""))
        .then(lstat(r"C:\s"), attrs_are(ARCHIVE))
        .build(),
        row(
            T,
            "R20",
            Tested,
            "BTRFS reparse12-19",
            "an unhandled tag opens with OPEN_REPARSE_POINT only",
        )
        .given([
            create(r"C:\f"),
            set_reparse(r"C:\f", guid_buf(TAG_THIRD_PARTY, GUID_A, b"a")),
        ])
        .when(read(r"C:\f"), err(IoReparseTagNotHandled))
        .then(lstat(r"C:\f"), tag(TAG_THIRD_PARTY))
        .posix_skip(POSIX_OPENS_OBJECT)
        .build(),
        row(
            T,
            "J7",
            Tested,
            "BTRFS \"Set as mount point again\"",
            "a junction buffer twice: the second replaces the first",
        )
        .given([
            mkdir(r"C:\a"),
            mkdir(r"C:\b"),
            write(r"C:\b\f", "b"),
            mkdir(r"C:\j"),
            set_reparse(r"C:\j", mount_point_buf(r"\??\C:\a", r"C:\a")),
        ])
        .when(
            set_reparse(r"C:\j", mount_point_buf(r"\??\C:\b", r"C:\b")),
            ok(),
        )
        .then(readlink(r"C:\j"), text(r"\??\C:\b"))
        .then(read(r"C:\j\f"), bytes("b"))
        .build(),
        row(
            T,
            "R2",
            Documented,
            "NTIFS-RDB",
            "a name range outside the buffer: DATA_INVALID",
        )
        .given([mkdir(r"C:\j")])
        .when(
            set_reparse(r"C:\j", {
                let mut v = mount_point_buf(r"\??\C:\t", "");
                v[10..12].copy_from_slice(&500u16.to_le_bytes());
                v
            }),
            err(IoReparseDataInvalid),
        )
        .build(),
        row(
            T,
            "F2",
            Tested,
            "NTFS3G reparse.c valid_reparse_data; BTRFS reparse11",
            "a mount point on a file: NOT_A_DIRECTORY, EINVAL through the xattr",
        )
        .given([write(r"C:\f", "x")])
        .when(
            set_reparse(r"C:\f", mount_point_buf(r"\??\C:\t", r"C:\t")),
            err(NotADirectory),
        )
        .then(lstat(r"C:\f"), no_tag())
        .build(),
        row(
            T,
            "F2",
            Tested,
            "NTFS3G reparse.c valid_reparse_data; MS-FSA-SRP",
            "a ReparseDataLength that disagrees with the size: EINVAL",
        )
        .given([mkdir(r"C:\d")])
        .when(
            set_reparse(r"C:\d", with_len(junction_bytes.clone(), good_len + 2)),
            err(IoReparseDataInvalid),
        )
        .then(lstat(r"C:\d"), no_tag())
        .build(),
        row(
            T,
            "F2",
            Tested,
            "NTFS3G reparse.c valid_reparse_data (size >= 8)",
            "a buffer shorter than its header: EINVAL",
        )
        .given([mkdir(r"C:\d")])
        .when(
            set_reparse(r"C:\d", vec![3, 0, 0, 0xA0]),
            err(IoReparseDataInvalid),
        )
        .build(),
        row(
            T,
            "F2",
            Tested,
            "NTFS3G reparse.c valid_reparse_data (tag != 0); WINE-NEW",
            "tag 0: TAG_INVALID, EINVAL through the xattr",
        )
        .given([mkdir(r"C:\d")])
        .when(
            set_reparse(r"C:\d", ms_buf(0, b"")),
            err(IoReparseTagInvalid),
        )
        .build(),
        row(
            T,
            "F2",
            Tested,
            "NTFS3G reparse.c valid_reparse_data (substitute name in the buffer)",
            "a substitute name past the end of the buffer: EINVAL",
        )
        .given([mkdir(r"C:\d")])
        .when(
            set_reparse(r"C:\d", {
                let mut b = junction_bytes.clone();
                b[10] = 0xF0; // SubstituteNameLength far past the PathBuffer
                b
            }),
            err(IoReparseDataInvalid),
        )
        .then(lstat(r"C:\d"), no_tag())
        .build(),
        row(
            T,
            "F2",
            Tested,
            "NTFS3G reparse.c ntfs_get_ntfs_reparse_data",
            "getxattr of an object without reparse data: ENODATA",
        )
        .given([write(r"C:\f", "x")])
        .when(get_reparse(r"C:\f"), err(NotAReparsePoint))
        .build(),
        row(
            T,
            "F2",
            Tested,
            "NTFS3G reparse.c ntfs_remove_ntfs_reparse_data",
            "removexattr without reparse data: ENODATA",
        )
        .given([mkdir(r"C:\d")])
        .when(
            delete_reparse(r"C:\d", delete_req(TAG_MOUNT_POINT)),
            err(NotAReparsePoint),
        )
        .build(),
        row(
            T,
            "F2",
            Tested,
            "NTFS3G reparse.c ntfs_set_ntfs_reparse_data (EOPNOTSUPP before NTFS 3.0); MS-FSA-SRP",
            "a volume without reparse points: INVALID_DEVICE_REQUEST, EOPNOTSUPP through the xattr",
        )
        .volume('E', ntlinkfs_core::FsKind::ExFat)
        .given([mkdir(r"E:\d")])
        .when(
            set_reparse(r"E:\d", mount_point_buf(r"\??\C:\t", r"C:\t")),
            err(InvalidDeviceRequest),
        )
        .build(),
        row(
            T,
            "F4",
            Tested,
            "WINE-NEW, BTRFS reparse10a (J3); NTFS3G does not check",
            "a mount point on a non-empty directory: ENOTEMPTY through the xattr too",
        )
        .given([mkdir(r"C:\d"), write(r"C:\d\f", "x")])
        .when(
            set_reparse(r"C:\d", mount_point_buf(r"\??\C:\t", r"C:\t")),
            err(DirectoryNotEmpty),
        )
        .then(read(r"C:\d\f"), bytes("x"))
        .build(),
        row(
            T,
            "F2",
            Tested,
            "NTFS3G reparse.c valid_reparse_data (LX_SYMLINK type 2); NTFS itself does not check",
            "an LX symlink buffer without version 2: set by FSCTL, EINVAL through the xattr",
        )
        .given([create(r"C:\f")])
        .when(
            set_reparse(r"C:\f", ms_buf(0xA000_001D, b"\x01\0\0\0/etc")),
            ok(),
        )
        .then(lstat(r"C:\f"), tag(0xA000_001D))
        .posix_errno(
            ntlinkfs_core::Errno::EINVAL,
            "ntfs-3g refuses a WSL tag whose data WSL would not write (F2)",
        )
        .build(),
    ]
}
