//! WSL special files: FIFOs, sockets and character and block devices as NTFS
//! stores them for Linux (a file with a WSL reparse tag; owner, mode and device
//! numbers in the `$LX*` extended attributes). Sources: MS-FSCC 2.1.2.1 (the
//! tags), Microsoft's WSL docs "File Permissions for WSL" (`$LXUID`, `$LXGID`,
//! `$LXMOD`, `$LXDEV`), and the two other writers, ntfs-3g `special_files=wsl`
//! and Linux's SMB client (fs/smb/client/reparse.c, header-only buffers).
//! Rule F7 (these special files) is not in SEMANTICS.md's §10 yet: these rows
//! are its statement, and docs/rules.md lists them under F7.

use super::*;
use crate::scenario::dsl::*;
use crate::scenario::{row, Evidence::*, Scenario, Topic};
use ntlinkfs_core::NtError::*;
use ntlinkfs_core::{FsKind, SpecialKind};

const T: Topic = Topic::ReparseBuffers;
const SRC: &str = "MS-FSCC 2.1.2.1; WSL docs file permissions; Linux fs/smb/client/reparse.c";

/// The WSL buffer: the 8-byte header, ReparseDataLength 0.
fn wsl_buf(tag: u32) -> Vec<u8> {
    header(tag, 0)
}

pub fn rows() -> Vec<Scenario> {
    // (kind, tag, st_mode type bits, mode, rdev): modes without group/other
    // write bits, so the FUSE target's umask leaves them as they are.
    let kinds = [
        (SpecialKind::Fifo, 0x8000_0024, 0o010000, 0o644, (0, 0)),
        (SpecialKind::Socket, 0x8000_0023, 0o140000, 0o755, (0, 0)),
        (
            SpecialKind::CharDevice,
            0x8000_0025,
            0o020000,
            0o600,
            (4, 64),
        ),
        // A minor past 8 bits, so the kernel's split encoding is exercised.
        (
            SpecialKind::BlockDevice,
            0x8000_0026,
            0o060000,
            0o640,
            (8, 0x12345),
        ),
    ];
    let mut v: Vec<Scenario> = kinds
        .into_iter()
        .map(|(kind, wsl_tag, type_bits, mode, (major, minor))| {
            row(
                T,
                "F7",
                Documented,
                SRC,
                match kind {
                    SpecialKind::Fifo => "mkfifo: an empty file with an LX_FIFO reparse point",
                    SpecialKind::Socket => {
                        "a Unix socket: an empty file with an AF_UNIX reparse point"
                    }
                    SpecialKind::CharDevice => {
                        "mknod c 4 64: an LX_CHR reparse point, st_rdev 4:64"
                    }
                    SpecialKind::BlockDevice => "mknod b: an LX_BLK reparse point, a 20-bit minor",
                },
            )
            .when(mknod(r"C:\n", kind, mode, (major, minor)), ok())
            .then(get_reparse(r"C:\n"), raw(wsl_buf(wsl_tag)))
            .then(lstat(r"C:\n"), tag(wsl_tag))
            .then(lstat(r"C:\n"), attrs_are(ARCHIVE | REPARSE))
            .then(lstat(r"C:\n"), size(0))
            .then(lstat(r"C:\n"), is_dir(false))
            .then(lstat(r"C:\n"), mode_is(type_bits | u32::from(mode)))
            .then(lstat(r"C:\n"), rdev_is(major, minor))
            .then(list(r"C:\"), entries(&["n"]))
            .build()
        })
        .collect();
    v.extend([
        row(
            T,
            "F7",
            Documented,
            "WSL docs file permissions ($LXDEV is for devices); Linux reparse.c",
            "a FIFO has no device numbers, whatever mknod was given",
        )
        .when(mknod(r"C:\p", SpecialKind::Fifo, 0o600, (9, 9)), ok())
        .then(lstat(r"C:\p"), rdev_is(0, 0))
        .then(lstat(r"C:\p"), mode_is(0o010600))
        .build(),
        row(
            T,
            "R20",
            Tested,
            "BTRFS reparse12-19; GO-WIN TestStatLxSymLink (S27)",
            "Windows cannot open a FIFO's data: no filter handles LX_FIFO",
        )
        .given([mknod(r"C:\p", SpecialKind::Fifo, 0o644, (0, 0))])
        .when(read(r"C:\p"), err(IoReparseTagNotHandled))
        .posix_skip("open(2) of a FIFO is the kernel's pipe: it waits for a writer")
        .build(),
        row(
            T,
            "F7",
            Documented,
            "MS-FSCC 2.1.2.1 (tags are Microsoft, not name surrogates); M10",
            "DeleteFile removes a special file like any reparse-point file",
        )
        .given([mknod(r"C:\c", SpecialKind::CharDevice, 0o600, (1, 3))])
        .when(del(r"C:\c"), ok())
        .then(lstat(r"C:\c"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "F7",
            Documented,
            "J16 (CREATE_NEW on an existing name); POSIX mknod EEXIST",
            "mknod over an existing name fails and leaves the file as it was",
        )
        .given([write(r"C:\f", "data")])
        .when(
            mknod(r"C:\f", SpecialKind::Fifo, 0o644, (0, 0)),
            err(ObjectNameCollision),
        )
        .then(read(r"C:\f"), bytes("data"))
        .then(lstat(r"C:\f"), no_tag())
        .build(),
        row(
            T,
            "F7",
            Documented,
            "HL13 (FAT has no reparse points); vfat mknod EPERM",
            "FAT cannot hold a special file: nothing is created",
        )
        .volume('F', FsKind::Fat32)
        .when(
            mknod(r"F:\p", SpecialKind::Fifo, 0o644, (0, 0)),
            err(InvalidDeviceRequest),
        )
        .then(list(r"F:\"), entries(&[]))
        .build(),
    ]);
    v
}
