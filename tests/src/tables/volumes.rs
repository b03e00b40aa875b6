//! SEMANTICS §9 (V1–V4): volumes and filesystem kinds, and the cross-volume
//! and per-kind rows of other sections (HL2, J2, S8, M6, N8, P7, §0).

use super::*;
use crate::scenario::dsl::*;
use crate::scenario::{row, Evidence::*, Scenario, Topic};
use ntlinkfs_core::{Errno, FsKind, NtError::*};

const T: Topic = Topic::Volumes;

pub fn rows() -> Vec<Scenario> {
    vec![
        row(T, "V1", Documented, "FS-COMPARE", "NTFS has hard links")
            .given([write(r"D:\f", "x")])
            .when(hardlink(r"D:\g", r"D:\f"), ok())
            .then(stat(r"D:\g"), links(2))
            .build(),
        row(
            T,
            "V1",
            Documented,
            "FS-COMPARE; MS-FSA-APPX",
            "ReFS 3.10 has hard links",
        )
        .volume('R', FsKind::Refs(3, 10))
        .given([write(r"R:\f", "x")])
        .when(hardlink(r"R:\g", r"R:\f"), ok())
        .build(),
        row(
            T,
            "V2",
            Observed,
            "BD2MM-67; FS-COMPARE",
            "no symlinks on FAT32: INVALID_FUNCTION",
        )
        .volume('E', FsKind::Fat32)
        .when(symlink(r"E:\s", r"C:\t"), err(InvalidDeviceRequest))
        .then(lstat(r"E:\s"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "V2",
            Observed,
            "exFAT notes; FS-COMPARE",
            "no symlinks on exFAT",
        )
        .volume('E', FsKind::ExFat)
        .when(symlink_dir(r"E:\s", r"C:\"), err(InvalidDeviceRequest))
        .build(),
        row(
            T,
            "V2",
            Observed,
            "RENV-1134; FS-COMPARE",
            "no junctions on exFAT",
        )
        .volume('E', FsKind::ExFat)
        .when(junction(r"E:\j", r"C:\"), err(InvalidDeviceRequest))
        .then(lstat(r"E:\j"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "V2",
            Documented,
            "MS-FSA-SRP",
            "FSCTL_SET_REPARSE_POINT on FAT32: INVALID_FUNCTION",
        )
        .volume('E', FsKind::Fat32)
        .given([mkdir(r"E:\d")])
        .when(
            set_reparse(r"E:\d", mount_point_buf(r"\??\C:\", r"C:\")),
            err(InvalidDeviceRequest),
        )
        .then(lstat(r"E:\d"), no_tag())
        .build(),
        row(T, "V2", Documented, "CSL (ReFS: Yes)", "ReFS has symlinks")
            .volume('R', FsKind::Refs(3, 4))
            .given([write(r"C:\t", "x")])
            .when(symlink(r"R:\s", r"C:\t"), ok())
            .then(read(r"R:\s"), bytes("x"))
            .build(),
        row(T, "V2", Documented, "FS-COMPARE", "ReFS has junctions")
            .volume('R', FsKind::Refs(3, 4))
            .given([mkdir(r"R:\t"), write(r"R:\t\f", "r")])
            .when(junction(r"R:\j", r"R:\t"), ok())
            .then(read(r"R:\j\f"), bytes("r"))
            .build(),
        row(
            T,
            "V3",
            Observed,
            "ZABKAT",
            "a junction on NTFS may point into FAT32",
        )
        .volume('E', FsKind::Fat32)
        .given([mkdir(r"E:\t"), write(r"E:\t\f", "fat")])
        .when(junction(r"C:\j", r"E:\t"), ok())
        .then(read(r"C:\j\f"), bytes("fat"))
        .build(),
        row(
            T,
            "V3",
            Observed,
            "ZABKAT",
            "a symlink on NTFS may point into exFAT",
        )
        .volume('E', FsKind::ExFat)
        .given([write(r"E:\f", "ex")])
        .when(symlink(r"C:\s", r"E:\f"), ok())
        .then(read(r"C:\s"), bytes("ex"))
        .build(),
        row(
            T,
            "V4",
            Documented,
            "HLJ, CRSL",
            "a symlink may target a UNC path",
        )
        .when(symlink_dir(r"C:\s", r"\\fred\share\dir"), ok())
        .then(readlink(r"C:\s"), text(r"\??\UNC\fred\share\dir"))
        .build(),
        row(
            T,
            "V4",
            Documented,
            "HLJ; J8b",
            "a junction never resolves to a network path",
        )
        .given([
            mkdir(r"C:\j"),
            set_reparse(r"C:\j", mount_point_buf(r"\??\UNC\srv\s\d", "")),
        ])
        .when(read(r"C:\j\f"), err(IoReparseDataInvalid))
        .posix_errno(Errno::ENOENT, POSIX_UNRESOLVED)
        .build(),
        row(
            T,
            "P7",
            Documented,
            "CRSL",
            "a relative symlink cannot climb to another volume",
        )
        .given([
            mkdir(r"D:\d"),
            write(r"C:\f", "c"),
            symlink(r"D:\d\s", r"..\..\C:\f"),
        ])
        .when(read(r"D:\d\s"), err(IoReparseDataInvalid))
        .posix_errno(Errno::ENOENT, POSIX_UNRESOLVED)
        .build(),
        row(
            T,
            "HL2",
            Documented,
            "CHL; V1",
            "a FAT32 file cannot gain a name on NTFS",
        )
        .volume('E', FsKind::Fat32)
        .given([write(r"E:\f", "x")])
        .when(hardlink(r"C:\g", r"E:\f"), err(NotSameDevice))
        .build(),
        row(
            T,
            "M6",
            Documented,
            "MOVEFILE",
            "a file moves from NTFS to FAT32 with COPY_ALLOWED",
        )
        .volume('E', FsKind::Fat32)
        .given([write(r"C:\f", "data")])
        .when(mv_copy(r"C:\f", r"E:\f"), ok())
        .then(read(r"E:\f"), bytes("data"))
        .then(stat(r"E:\f"), links(1))
        .build(),
        row(
            T,
            "M6",
            Unverified,
            "MOVEFILE + V2",
            "a symlink cannot move onto FAT32",
        )
        .volume('E', FsKind::Fat32)
        .given([write(r"C:\t", "x"), symlink(r"C:\s", r"C:\t")])
        .when(mv_copy(r"C:\s", r"E:\s"), err(InvalidDeviceRequest))
        .then(lstat(r"C:\s"), tag(TAG_SYMLINK))
        .build(),
        row(
            T,
            "§0",
            Documented,
            "FS-COMPARE",
            "volumes are independent namespaces",
        )
        .given([write(r"C:\f", "c"), write(r"D:\f", "d")])
        .when(read(r"D:\f"), bytes("d"))
        .then(stat(r"D:\f"), other_file(r"C:\f"))
        .build(),
        row(
            T,
            "N8",
            Documented,
            "NAMING",
            "a missing drive letter: PATH_NOT_FOUND",
        )
        .when(read(r"Q:\f"), err(ObjectPathNotFound))
        .build(),
        row(
            T,
            "S8",
            Documented,
            "CRSL",
            "a root-relative symlink on D: does not reach C:",
        )
        .given([
            mkdir(r"C:\only"),
            write(r"C:\only\f", "c"),
            symlink(r"D:\s", r"\only\f"),
        ])
        .when(read(r"D:\s"), err(ObjectPathNotFound))
        .build(),
        row(
            T,
            "J2",
            Documented,
            "HLJ",
            "junctions on two volumes pointing at each other resolve",
        )
        .given([
            mkdir(r"C:\a"),
            mkdir(r"D:\b"),
            write(r"D:\b\f", "d"),
            junction(r"C:\a\toD", r"D:\b"),
            junction(r"D:\b\toC", r"C:\a"),
        ])
        .when(read(r"C:\a\toD\toC\toD\f"), bytes("d"))
        .build(),
        row(
            T,
            "J2",
            Documented,
            "HLJ (C:\\dir1 -> Z:\\dir2, Z: mapped to \\\\fred\\share: not permitted); CMD-MSG",
            "mklink /J to a mapped network drive is refused",
        )
        .volume('Z', FsKind::Network)
        .given([mkdir(r"Z:\d")])
        .when(junction(r"C:\j", r"Z:\d"), err(ObjectNameInvalid))
        .then(lstat(r"C:\j"), err(ObjectNameNotFound))
        .posix_skip("mklink's own refusal: the harness writes the buffer itself")
        .build(),
        row(
            T,
            "J8b",
            Observed,
            "ZABKAT (junction to a mapped network drive)",
            "a junction set by FSCTL to a mapped drive is stored but not traversed",
        )
        .volume('Z', FsKind::Network)
        .given([
            mkdir(r"Z:\d"),
            write(r"Z:\d\f", "x"),
            mkdir(r"C:\j"),
            set_reparse(r"C:\j", mount_point_buf(r"\??\Z:\d", r"Z:\d")),
        ])
        .when(read(r"C:\j\f"), err(IoReparseDataInvalid))
        .then(lstat(r"C:\j"), tag(TAG_MOUNT_POINT))
        .posix_errno(Errno::ENOENT, POSIX_UNRESOLVED)
        .build(),
        row(
            T,
            "J8a",
            Observed,
            "RENV-1134, HEMTT-338 (\\\\localhost\\c$: Local NTFS volumes are required); CMD-MSG",
            "mklink /J on a mapped network drive is refused",
        )
        .volume('Z', FsKind::Network)
        .given([mkdir(r"C:\t")])
        .when(junction(r"Z:\j", r"C:\t"), err(InvalidDeviceRequest))
        .then(lstat(r"Z:\j"), err(ObjectNameNotFound))
        .posix_skip("mklink's own refusal: the harness writes the buffer itself")
        .build(),
        row(
            T,
            "V4",
            Documented,
            "HLJ, CRSL (a symlink may point to a remote share); SOURCEDADDY (L2R enabled)",
            "a symlink to a mapped network drive is followed (L2R)",
        )
        .volume('Z', FsKind::Network)
        .given([mkdir(r"Z:\d"), write(r"Z:\d\f", "x")])
        .when(symlink_dir(r"C:\s", r"Z:\d"), ok())
        .then(read(r"C:\s\f"), bytes("x"))
        .then(readlink(r"C:\s"), text(r"\??\Z:\d"))
        .build(),
        row(
            T,
            "S52",
            Observed,
            "SO-229643, SOURCEDADDY (remote links disabled by default)",
            "a symlink on a mapped network drive is a remote link: 1463",
        )
        .volume('Z', FsKind::Network)
        .given([write(r"C:\t", "x"), symlink(r"Z:\s", r"C:\t")])
        .when(read(r"Z:\s"), err(SymlinkClassDisabled))
        .then(lstat(r"Z:\s"), tag(TAG_SYMLINK))
        .posix_skip("the Linux view reaches every link locally (link_hop): the class is Windows'")
        .build(),
    ]
}
