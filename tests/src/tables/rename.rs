//! SEMANTICS §7 (M1–M8): renames and moves.

use super::*;
use crate::scenario::dsl::*;
use crate::scenario::{row, Evidence::*, Scenario, Topic};
use ntlinkfs_core::Errno;
use ntlinkfs_core::NtError::*;

const T: Topic = Topic::RenameMove;

pub fn rows() -> Vec<Scenario> {
    vec![
        row(
            T,
            "M1",
            Tested,
            "BTRFS rename.cpp",
            "a case-only rename changes the stored case",
        )
        .given([write(r"C:\file", "x")])
        .when(mv(r"C:\file", r"C:\FILE"), ok())
        .then(list(r"C:\"), entries(&["FILE"]))
        .then(read(r"C:\file"), bytes("x"))
        .posix_skip(POSIX_CASE_RENAME)
        .build(),
        row(
            T,
            "M1",
            Tested,
            "BTRFS rename.cpp",
            "a case-only rename of a directory",
        )
        .given([mkdir(r"C:\dir"), write(r"C:\dir\f", "x")])
        .when(mv(r"C:\dir", r"C:\Dir"), ok())
        .then(list(r"C:\"), entries(&["Dir"]))
        .then(read(r"C:\DIR\f"), bytes("x"))
        .posix_skip(POSIX_CASE_RENAME)
        .build(),
        row(
            T,
            "M2",
            Tested,
            "BTRFS; WINE-NEW",
            "rename onto an existing name: ALREADY_EXISTS",
        )
        .given([write(r"C:\file1", "1"), write(r"C:\file2", "2")])
        .when(mv(r"C:\file2", r"C:\file1"), err(ObjectNameCollision))
        .then(read(r"C:\file1"), bytes("1"))
        .then(read(r"C:\file2"), bytes("2"))
        .build(),
        row(
            T,
            "M2",
            Tested,
            "BTRFS",
            "rename onto a case variant of an existing name collides",
        )
        .given([write(r"C:\file1", "1"), write(r"C:\file2", "2")])
        .when(mv(r"C:\file2", r"C:\FILE1"), err(ObjectNameCollision))
        .then(list(r"C:\"), entries(&["file1", "file2"]))
        .build(),
        row(
            T,
            "M3",
            Tested,
            "BTRFS rename.cpp",
            "replace-if-exists replaces a closed file",
        )
        .given([write(r"C:\a", "new"), write(r"C:\b", "old")])
        .when(mv_replace(r"C:\a", r"C:\b"), ok())
        .then(read(r"C:\b"), bytes("new"))
        .then(lstat(r"C:\a"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "M3",
            Tested,
            "BTRFS rename.cpp",
            "replace-if-exists onto an open file: ACCESS_DENIED",
        )
        .given([write(r"C:\a", "new"), write(r"C:\b", "old"), open(r"C:\b")])
        .when(mv_replace(r"C:\a", r"C:\b"), err(AccessDenied))
        .then(read(r"C:\b"), bytes("old"))
        .posix_skip(POSIX_RENAME)
        .build(),
        row(
            T,
            "M3",
            Tested,
            "BTRFS rename.cpp",
            "replace-if-exists onto a read-only file: ACCESS_DENIED",
        )
        .given([
            write(r"C:\a", "new"),
            write(r"C:\b", "old"),
            attrs(r"C:\b", RO),
        ])
        .when(mv_replace(r"C:\a", r"C:\b"), err(AccessDenied))
        .then(read(r"C:\a"), bytes("new"))
        .posix_skip(POSIX_READ_ONLY)
        .build(),
        row(
            T,
            "M3",
            Tested,
            "BTRFS rename.cpp",
            "replace-if-exists of a file onto a directory: ACCESS_DENIED",
        )
        .given([write(r"C:\a", "x"), mkdir(r"C:\d")])
        .when(mv_replace(r"C:\a", r"C:\d"), err(AccessDenied))
        .then(stat(r"C:\d"), is_dir(true))
        .posix_errno(
            Errno::EISDIR,
            "rename(2) of a file onto a directory is EISDIR",
        )
        .build(),
        row(
            T,
            "M3",
            Tested,
            "BTRFS rename.cpp",
            "replace-if-exists of a directory onto a directory: ACCESS_DENIED",
        )
        .given([mkdir(r"C:\a"), mkdir(r"C:\d")])
        .when(mv_replace(r"C:\a", r"C:\d"), err(AccessDenied))
        .posix_skip(POSIX_RENAME)
        .build(),
        row(
            T,
            "M4",
            Tested,
            "BTRFS",
            "moving a file inside another file: INVALID_PARAMETER",
        )
        .given([write(r"C:\f1", "1"), write(r"C:\f2", "2")])
        .when(mv(r"C:\f2", r"C:\f1\x"), err(InvalidParameter))
        .then(read(r"C:\f2"), bytes("2"))
        .build(),
        row(
            T,
            "M5",
            Tested,
            "GO-WIN TestOpenDirTOCTOU",
            "a directory open without FILE_SHARE_DELETE cannot be renamed",
        )
        .given([mkdir(r"C:\d"), open_exclusive(r"C:\d")])
        .when(mv(r"C:\d", r"C:\e"), err(SharingViolation))
        .then(stat(r"C:\d"), is_dir(true))
        .build(),
        row(
            T,
            "M5",
            Tested,
            "GO-WIN TestOpenDirTOCTOU",
            "with FILE_SHARE_DELETE the rename succeeds",
        )
        .given([mkdir(r"C:\d"), open(r"C:\d")])
        .when(mv(r"C:\d", r"C:\e"), ok())
        .then(stat(r"C:\e"), is_dir(true))
        .build(),
        row(
            T,
            "M6",
            Documented,
            "MOVEFILE",
            "a file moves to another volume with COPY_ALLOWED",
        )
        .given([write(r"C:\f", "data")])
        .when(mv_copy(r"C:\f", r"D:\f"), ok())
        .then(read(r"D:\f"), bytes("data"))
        .then(lstat(r"C:\f"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "M6",
            Documented,
            "MOVEFILE; MS-FSCC rename",
            "a file move across volumes without COPY_ALLOWED: NOT_SAME_DEVICE",
        )
        .given([write(r"C:\f", "data")])
        .when(mv(r"C:\f", r"D:\f"), err(NotSameDevice))
        .then(read(r"C:\f"), bytes("data"))
        .build(),
        row(
            T,
            "M6",
            Observed,
            "MOVEFILE; AlphaFS#256, LxRunOffline#13 (cmd move), Nim#18216",
            "a directory never moves across volumes: ACCESS_DENIED with COPY_ALLOWED",
        )
        .given([mkdir(r"C:\d")])
        .when(mv_copy(r"C:\d", r"D:\d"), err(AccessDenied))
        .then(stat(r"C:\d"), is_dir(true))
        .build(),
        row(
            T,
            "M6",
            Documented,
            "MOVEFILE; MS-FSCC rename",
            "a directory move across volumes without COPY_ALLOWED: NOT_SAME_DEVICE",
        )
        .given([mkdir(r"C:\d")])
        .when(mv(r"C:\d", r"D:\d"), err(NotSameDevice))
        .then(stat(r"C:\d"), is_dir(true))
        .build(),
        row(
            T,
            "M7",
            Unverified,
            "CHL/HLJ (independent entries)",
            "renaming one name of a hard-linked file keeps the other",
        )
        .given([write(r"C:\a", "x"), hardlink(r"C:\b", r"C:\a")])
        .when(mv(r"C:\a", r"C:\c"), ok())
        .then(stat(r"C:\b"), same_file(r"C:\c"))
        .then(stat(r"C:\b"), links(2))
        .then(names(r"C:\b"), entries(&[r"\b", r"\c"]))
        .build(),
        row(
            T,
            "M8",
            Tested,
            "WINE-NEW; HLJ",
            "renaming a junction renames the link; the target stays",
        )
        .given([
            mkdir(r"C:\t"),
            write(r"C:\t\f", "x"),
            junction(r"C:\j", r"C:\t"),
        ])
        .when(mv(r"C:\j", r"C:\k"), ok())
        .then(read(r"C:\k\f"), bytes("x"))
        .then(lstat(r"C:\k"), tag(TAG_MOUNT_POINT))
        .then(stat(r"C:\t"), is_dir(true))
        .build(),
        row(
            T,
            "M8",
            Documented,
            "HLJ",
            "a symlink does not follow its renamed target",
        )
        .given([write(r"C:\t", "x"), symlink(r"C:\s", r"C:\t")])
        .when(mv(r"C:\t", r"C:\u"), ok())
        .then(read(r"C:\s"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "M8",
            Unverified,
            "HLJ; P4 (relative links resolve where they are)",
            "a relative symlink moved with its target keeps working",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\t", "x"),
            symlink(r"C:\d\s", "t"),
        ])
        .when(mv(r"C:\d", r"C:\e"), ok())
        .then(read(r"C:\e\s"), bytes("x"))
        .build(),
        row(
            T,
            "N8",
            Tested,
            "BTRFS create.cpp",
            "moving a missing file: FILE_NOT_FOUND",
        )
        .when(mv(r"C:\nothing", r"C:\x"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "N8",
            Tested,
            "BTRFS create.cpp",
            "moving into a missing directory: PATH_NOT_FOUND",
        )
        .given([write(r"C:\f", "x")])
        .when(mv(r"C:\f", r"C:\nodir\f"), err(ObjectPathNotFound))
        .then(read(r"C:\f"), bytes("x"))
        .build(),
        row(
            T,
            "N11",
            Tested,
            "BTRFS rename.cpp",
            "a rename to an invalid name: NAME_INVALID",
        )
        .given([write(r"C:\f", "x")])
        .when(mv(r"C:\f", r"C:\a<b"), err(ObjectNameInvalid))
        .then(read(r"C:\f"), bytes("x"))
        .build(),
        row(
            T,
            "M6",
            Documented,
            "MOVEFILE",
            "a directory moved into another directory keeps its children",
        )
        .given([mkdir(r"C:\a"), write(r"C:\a\f", "x"), mkdir(r"C:\b")])
        .when(mv(r"C:\a", r"C:\b\a"), ok())
        .then(read(r"C:\b\a\f"), bytes("x"))
        .then(lstat(r"C:\a"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "M8",
            Tested,
            "WINE-NEW",
            "moving a symlink into a directory keeps its stored target",
        )
        .given([
            write(r"C:\t", "x"),
            symlink(r"C:\s", r"C:\t"),
            mkdir(r"C:\d"),
        ])
        .when(mv(r"C:\s", r"C:\d\s"), ok())
        .then(read(r"C:\d\s"), bytes("x"))
        .build(),
    ]
}
