//! SEMANTICS §2: hard links.

use super::*;
use crate::scenario::dsl::*;
use crate::scenario::{row, Evidence::*, Op, Scenario, Topic};
use ntlinkfs_core::{FsKind, NtError::*};

const T: Topic = Topic::HardLinks;

/// `n` hard links `C:\l0` … to `C:\f`.
fn many_links(n: usize) -> Vec<Op> {
    (0..n)
        .map(|i| hardlink(&format!(r"C:\l{i}"), r"C:\f"))
        .collect()
}

pub fn rows() -> Vec<Scenario> {
    vec![
        row(
            T,
            "HL1",
            Tested,
            "BTRFS links.cpp link2dir",
            "link to a directory fails, nothing created",
        )
        .given([mkdir(r"C:\d")])
        .when(hardlink(r"C:\l", r"C:\d"), err(FileIsADirectory))
        .then(lstat(r"C:\l"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "HL1",
            Tested,
            "BTRFS links.cpp link2dir",
            "link to a junction (a directory) fails",
        )
        .given([mkdir(r"C:\t"), junction(r"C:\j", r"C:\t")])
        .when(hardlink(r"C:\l", r"C:\j"), err(FileIsADirectory))
        .build(),
        row(
            T,
            "HL2",
            Documented,
            "CHL, HLJ",
            "link on another volume fails NOT_SAME_DEVICE",
        )
        .given([write(r"C:\f", "x")])
        .when(hardlink(r"D:\l", r"C:\f"), err(NotSameDevice))
        .then(lstat(r"D:\l"), err(ObjectNameNotFound))
        .then(stat(r"C:\f"), links(1))
        .build(),
        row(
            T,
            "HL2",
            Documented,
            "CHL, HLJ",
            "link from D: to a file on C: fails the same way",
        )
        .given([mkdir(r"D:\d"), write(r"D:\d\f", "x")])
        .when(hardlink(r"C:\l", r"D:\d\f"), err(NotSameDevice))
        .build(),
        row(
            T,
            "HL2",
            Documented,
            "CHL",
            "a junction does not make a cross-volume link legal",
        )
        .given([
            mkdir(r"D:\t"),
            junction(r"C:\j", r"D:\t"),
            write(r"C:\f", "x"),
        ])
        .when(hardlink(r"C:\j\l", r"C:\f"), err(NotSameDevice))
        .build(),
        row(
            T,
            "HL3",
            Documented,
            "CHL (1023 created links)",
            "the 1023rd created link succeeds: 1024 names",
        )
        .given([write(r"C:\f", "x")])
        .given(many_links(1022))
        .when(hardlink(r"C:\last", r"C:\f"), ok())
        .then(stat(r"C:\f"), links(1024))
        .build(),
        row(
            T,
            "HL3",
            Documented,
            "CHL, MS-FSCC-LINK",
            "the 1024th created link fails TOO_MANY_LINKS",
        )
        .given([write(r"C:\f", "x")])
        .given(many_links(1023))
        .when(hardlink(r"C:\over", r"C:\f"), err(TooManyLinks))
        .then(stat(r"C:\f"), links(1024))
        .then(lstat(r"C:\over"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "HL4",
            Tested,
            "BTRFS link3a; WINE-NEW",
            "link onto an existing file fails, target unchanged",
        )
        .given([write(r"C:\a", "x"), write(r"C:\b", "y")])
        .when(hardlink(r"C:\b", r"C:\a"), err(ObjectNameCollision))
        .then(read(r"C:\b"), bytes("y"))
        .then(stat(r"C:\a"), links(1))
        .build(),
        row(
            T,
            "HL4",
            Tested,
            "BTRFS link3b",
            "link onto an existing directory fails COLLISION",
        )
        .given([write(r"C:\a", "x"), mkdir(r"C:\d")])
        .when(hardlink(r"C:\d", r"C:\a"), err(ObjectNameCollision))
        .then(stat(r"C:\d"), is_dir(true))
        .build(),
        row(
            T,
            "HL4",
            Tested,
            "BTRFS links.cpp",
            "link onto a case variant of an existing name collides",
        )
        .given([write(r"C:\a", "x"), write(r"C:\bee", "y")])
        .when(hardlink(r"C:\BEE", r"C:\a"), err(ObjectNameCollision))
        .build(),
        row(
            T,
            "HL5",
            Tested,
            "BTRFS link6",
            "ReplaceIfExists replaces a closed file",
        )
        .given([write(r"C:\a", "x"), write(r"C:\b", "y")])
        .when(hardlink_replace(r"C:\b", r"C:\a", false), ok())
        .then(read(r"C:\b"), bytes("x"))
        .then(stat(r"C:\a"), links(2))
        .build(),
        row(
            T,
            "HL5",
            Tested,
            "BTRFS link7",
            "ReplaceIfExists does not replace a directory",
        )
        .given([write(r"C:\a", "x"), mkdir(r"C:\d")])
        .when(hardlink_replace(r"C:\d", r"C:\a", false), err(AccessDenied))
        .then(stat(r"C:\a"), links(1))
        .build(),
        row(
            T,
            "HL5",
            Tested,
            "BTRFS link8",
            "ReplaceIfExists does not replace an open file",
        )
        .given([write(r"C:\a", "x"), write(r"C:\b", "y"), open(r"C:\b")])
        .when(hardlink_replace(r"C:\b", r"C:\a", false), err(AccessDenied))
        .then(read(r"C:\b"), bytes("y"))
        .build(),
        row(
            T,
            "HL5",
            Tested,
            "BTRFS link11",
            "ReplaceIfExists does not replace a read-only file",
        )
        .given([write(r"C:\a", "x"), write(r"C:\b", "y"), attrs(r"C:\b", RO)])
        .when(hardlink_replace(r"C:\b", r"C:\a", false), err(AccessDenied))
        .then(read(r"C:\b"), bytes("y"))
        .build(),
        row(
            T,
            "HL5",
            Tested,
            "BTRFS links \"Ex\" block",
            "IGNORE_READONLY_ATTRIBUTE replaces a read-only file",
        )
        .given([write(r"C:\a", "x"), write(r"C:\b", "y"), attrs(r"C:\b", RO)])
        .when(hardlink_replace(r"C:\b", r"C:\a", true), ok())
        .then(read(r"C:\b"), bytes("x"))
        .then(stat(r"C:\a"), links(2))
        .build(),
        row(
            T,
            "HL6",
            Tested,
            "BTRFS link9",
            "linking a name to itself with ReplaceIfExists is a no-op",
        )
        .given([write(r"C:\link9", "x")])
        .when(hardlink_replace(r"C:\link9", r"C:\link9", false), ok())
        .then(stat(r"C:\link9"), links(1))
        .build(),
        row(
            T,
            "HL6",
            Tested,
            "BTRFS link9",
            "self-link in another case renames the name's case",
        )
        .given([write(r"C:\link9", "x")])
        .when(hardlink_replace(r"C:\LINK9", r"C:\link9", false), ok())
        .then(stat(r"C:\link9"), links(1))
        .then(list(r"C:\"), entries(&["LINK9"]))
        .build(),
        row(
            T,
            "HL6",
            Tested,
            "BTRFS link9",
            "self-link without ReplaceIfExists collides",
        )
        .given([write(r"C:\link9", "x")])
        .when(hardlink(r"C:\link9", r"C:\link9"), err(ObjectNameCollision))
        .build(),
        row(
            T,
            "HL7",
            Tested,
            "BTRFS link11",
            "link into a missing directory: PATH_NOT_FOUND",
        )
        .given([write(r"C:\a", "x")])
        .when(hardlink(r"C:\nodir\l", r"C:\a"), err(ObjectPathNotFound))
        .build(),
        row(
            T,
            "HL8",
            Tested,
            "BTRFS \"link file within other file\"",
            "link below a file: INVALID_PARAMETER",
        )
        .given([write(r"C:\file1", "x"), write(r"C:\a", "y")])
        .when(hardlink(r"C:\file1\x", r"C:\a"), err(InvalidParameter))
        .build(),
        row(
            T,
            "HL9",
            Tested,
            "BTRFS link10",
            "link name with < is invalid",
        )
        .given([write(r"C:\a", "x")])
        .when(hardlink(r"C:\a<b", r"C:\a"), err(ObjectNameInvalid))
        .build(),
        row(
            T,
            "HL9",
            Tested,
            "BTRFS link10",
            "link name with | is invalid",
        )
        .given([write(r"C:\a", "x")])
        .when(hardlink(r"C:\a|b", r"C:\a"), err(ObjectNameInvalid))
        .build(),
        row(
            T,
            "HL9",
            Tested,
            "BTRFS link10",
            "link name with \" is invalid",
        )
        .given([write(r"C:\a", "x")])
        .when(hardlink("C:\\a\"b", r"C:\a"), err(ObjectNameInvalid))
        .build(),
        row(
            T,
            "HL9",
            Tested,
            "BTRFS link10",
            "link name with > is invalid",
        )
        .given([write(r"C:\a", "x")])
        .when(hardlink(r"C:\a>b", r"C:\a"), err(ObjectNameInvalid))
        .build(),
        row(
            T,
            "HL10",
            Tested,
            "WINE-NEW \"Hard links.\"",
            "link to a symlink links the symlink itself",
        )
        .given([write(r"C:\t", "data"), symlink(r"C:\s", r"C:\t")])
        .when(hardlink(r"C:\h", r"C:\s"), ok())
        .then(lstat(r"C:\h"), tag(TAG_SYMLINK))
        .then(lstat(r"C:\h"), links(2))
        .then(lstat(r"C:\h"), attrs_are(ARCHIVE | REPARSE))
        .then(lstat(r"C:\h"), size(0))
        .then(read(r"C:\h"), bytes("data"))
        .then(stat(r"C:\h"), same_file(r"C:\t"))
        .then(stat(r"C:\t"), links(1))
        .build(),
        row(
            T,
            "M9",
            Tested,
            "BTRFS delete.cpp",
            "CreateHardLink from a delete-pending name: DELETE_PENDING",
        )
        .profile("10-1709")
        .given([write(r"C:\f", "x"), open(r"C:\f"), Op::MarkDelete])
        .when(hardlink(r"C:\g", r"C:\f"), err(DeletePending))
        .then(Op::CloseAll, ok())
        .then(lstat(r"C:\f"), err(ObjectNameNotFound))
        .then(lstat(r"C:\g"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "HL13",
            Observed,
            "DVC-8515, LFO-49; FS-COMPARE",
            "no hard links on FAT32",
        )
        .volume('E', FsKind::Fat32)
        .given([write(r"E:\f", "x")])
        .when(hardlink(r"E:\g", r"E:\f"), err(InvalidDeviceRequest))
        .then(lstat(r"E:\g"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "HL13",
            Observed,
            "LFO-49 exFAT",
            "no hard links on exFAT",
        )
        .volume('E', FsKind::ExFat)
        .given([write(r"E:\f", "x")])
        .when(hardlink(r"E:\g", r"E:\f"), err(InvalidDeviceRequest))
        .build(),
        row(
            T,
            "HL14",
            Unverified,
            "MS-FSA-APPX note <1>; failure code derived",
            "no hard links on ReFS 3.4",
        )
        .volume('E', FsKind::Refs(3, 4))
        .given([write(r"E:\f", "x")])
        .when(hardlink(r"E:\g", r"E:\f"), err(InvalidDeviceRequest))
        .build(),
        row(
            T,
            "HL14",
            Documented,
            "MS-FSA-APPX note <1>",
            "hard links on ReFS 3.5",
        )
        .volume('E', FsKind::Refs(3, 5))
        .given([write(r"E:\f", "x")])
        .when(hardlink(r"E:\g", r"E:\f"), ok())
        .then(stat(r"E:\f"), links(2))
        .build(),
        row(
            T,
            "HL20",
            Tested,
            "BTRFS link1",
            "every name reports one file ID",
        )
        .given([write(r"C:\a", "x")])
        .when(hardlink(r"C:\b", r"C:\a"), ok())
        .then(stat(r"C:\b"), same_file(r"C:\a"))
        .then(stat(r"C:\b"), links(2))
        .build(),
        row(
            T,
            "HL20",
            Tested,
            "BTRFS link1",
            "names in different directories share the ID",
        )
        .given([mkdir(r"C:\d1"), mkdir(r"C:\d2"), write(r"C:\d1\a", "x")])
        .when(hardlink(r"C:\d2\b", r"C:\d1\a"), ok())
        .then(stat(r"C:\d2\b"), same_file(r"C:\d1\a"))
        .then(hardlink(r"C:\c", r"C:\d2\b"), ok())
        .then(stat(r"C:\d1\a"), links(3))
        .build(),
        row(
            T,
            "HL21",
            Tested,
            "BTRFS link1; MS-FSCC-SLI",
            "NumberOfLinks leaves out delete-pending names",
        )
        .profile("10-1709")
        .given([
            write(r"C:\a", "x"),
            hardlink(r"C:\b", r"C:\a"),
            open(r"C:\b"),
            Op::MarkDelete,
        ])
        .when(stat(r"C:\a"), links(1))
        .then(Op::CloseAll, ok())
        .then(stat(r"C:\a"), links(1))
        .then(lstat(r"C:\b"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "HL23",
            Tested,
            "BTRFS query_links; FFFN",
            "FindFirstFileNameW lists every name",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\a", "x"),
            hardlink(r"C:\d\b", r"C:\d\a"),
        ])
        .when(hardlink(r"C:\c", r"C:\d\a"), ok())
        .then(names(r"C:\c"), entries(&[r"\d\a", r"\d\b", r"\c"]))
        .build(),
        row(
            T,
            "HL24",
            Observed,
            "MICHL",
            "names are volume-relative, without drive letter",
        )
        .given([
            mkdir(r"D:\Windows"),
            write(r"D:\Windows\explorer.exe", "MZ"),
        ])
        .when(
            names(r"D:\Windows\explorer.exe"),
            entries(&[r"\Windows\explorer.exe"]),
        )
        .build(),
        row(
            T,
            "HL23",
            Tested,
            "BTRFS query_links",
            "a deleted name leaves the list",
        )
        .given([
            write(r"C:\a", "x"),
            hardlink(r"C:\b", r"C:\a"),
            del(r"C:\a"),
        ])
        .when(names(r"C:\b"), entries(&[r"\b"]))
        .build(),
        row(
            T,
            "HL30",
            Documented,
            "CHL, FSUTIL-HL",
            "names can be deleted in any order; data lives on",
        )
        .given([write(r"C:\a", "x"), hardlink(r"C:\b", r"C:\a")])
        .when(del(r"C:\a"), ok())
        .then(read(r"C:\b"), bytes("x"))
        .then(stat(r"C:\b"), links(1))
        .then(del(r"C:\b"), ok())
        .then(lstat(r"C:\b"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "HL31",
            Documented,
            "CHL, HLJ",
            "attributes belong to the file, not the name",
        )
        .given([write(r"C:\a", "x"), hardlink(r"C:\b", r"C:\a")])
        .when(attrs(r"C:\b", RO | ARCHIVE), ok())
        .then(lstat(r"C:\a"), attrs_are(RO | ARCHIVE))
        .build(),
        row(
            T,
            "HL31",
            Documented,
            "CHL, HLJ",
            "data written through one name is read through all",
        )
        .given([write(r"C:\a", "x"), hardlink(r"C:\b", r"C:\a")])
        .when(append(r"C:\b", "yz"), ok())
        .then(read(r"C:\a"), bytes("xyz"))
        .then(stat(r"C:\a"), size(3))
        .build(),
        row(
            T,
            "HL34",
            Tested,
            "BTRFS delete.cpp; WINE-NEW",
            "deleting a read-only name fails",
        )
        .given([
            write(r"C:\a", "x"),
            hardlink(r"C:\b", r"C:\a"),
            attrs(r"C:\a", RO),
        ])
        .when(del(r"C:\b"), err(CannotDelete))
        .then(stat(r"C:\a"), links(2))
        .posix_skip(POSIX_READ_ONLY)
        .build(),
        row(T, "HL22", Documented, "BHFI", "FAT reports one link")
            .volume('E', FsKind::Fat32)
            .given([write(r"E:\f", "x")])
            .when(stat(r"E:\f"), links(1))
            .build(),
        row(
            T,
            "HL7",
            Tested,
            "BTRFS links.cpp",
            "link to a missing file: FILE_NOT_FOUND",
        )
        .when(hardlink(r"C:\l", r"C:\missing"), err(ObjectNameNotFound))
        .build(),
    ]
}
