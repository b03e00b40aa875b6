//! SEMANTICS §7 (M9–M12) and the delete rows of other sections (HL30, J30,
//! J34, S30, N8, P9): deletes.

use super::*;
use crate::scenario::dsl::*;
use crate::scenario::{row, Evidence::*, Op, Scenario, Topic};
use ntlinkfs_core::Errno;
use ntlinkfs_core::NtError::*;

const T: Topic = Topic::Delete;

pub fn rows() -> Vec<Scenario> {
    vec![
        row(
            T,
            "M12",
            Tested,
            "WINE-OLD; DOKANY-777",
            "DeleteFile on a directory: ACCESS_DENIED",
        )
        .given([mkdir(r"C:\d")])
        .when(del(r"C:\d"), err(FileIsADirectory))
        .then(stat(r"C:\d"), is_dir(true))
        .build(),
        row(
            T,
            "M12",
            Observed,
            "DOKANY-777",
            "RemoveDirectory on a file: ERROR_DIRECTORY",
        )
        .given([write(r"C:\f", "x")])
        .when(rmdir(r"C:\f"), err(NotADirectory))
        .then(read(r"C:\f"), bytes("x"))
        .build(),
        row(
            T,
            "M9",
            Tested,
            "BTRFS delete.cpp",
            "RemoveDirectory on a non-empty directory: DIR_NOT_EMPTY",
        )
        .given([mkdir(r"C:\d"), write(r"C:\d\f", "x")])
        .when(rmdir(r"C:\d"), err(DirectoryNotEmpty))
        .then(read(r"C:\d\f"), bytes("x"))
        .build(),
        row(
            T,
            "M9",
            Tested,
            "BTRFS delete.cpp",
            "DeleteFile on a read-only file: CANNOT_DELETE",
        )
        .given([write(r"C:\f", "x"), attrs(r"C:\f", RO)])
        .when(del(r"C:\f"), err(CannotDelete))
        .then(read(r"C:\f"), bytes("x"))
        .posix_skip(POSIX_READ_ONLY)
        .build(),
        row(
            T,
            "M9",
            Tested,
            "BTRFS delete.cpp",
            "after clearing READONLY the delete succeeds",
        )
        .given([
            write(r"C:\f", "x"),
            attrs(r"C:\f", RO),
            attrs(r"C:\f", ARCHIVE),
        ])
        .when(del(r"C:\f"), ok())
        .then(lstat(r"C:\f"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "M9",
            Tested,
            "BTRFS delete.cpp",
            "opening a delete-pending name: DELETE_PENDING",
        )
        .profile("10-1709")
        .given([write(r"C:\f", "x"), open(r"C:\f")])
        .when(del(r"C:\f"), ok())
        .then(read(r"C:\f"), err(DeletePending))
        .then(Op::CloseAll, ok())
        .then(read(r"C:\f"), err(ObjectNameNotFound))
        .posix_skip(POSIX_DELETE_NOW)
        .build(),
        row(
            T,
            "M10",
            Tested,
            "BTRFS delete.cpp",
            "classic delete: the name stays listed until the last close",
        )
        .profile("10-1709")
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\f", "x"),
            open(r"C:\d\f"),
            del(r"C:\d\f"),
        ])
        .when(list(r"C:\d"), entries(&["f"]))
        .then(read(r"C:\d\f"), err(DeletePending))
        .then(Op::CloseAll, ok())
        .then(list(r"C:\d"), entries(&[]))
        .posix_skip(POSIX_DELETE_NOW)
        .build(),
        row(
            T,
            "M9",
            Unverified,
            "MoveFileWithProgressW opens the source before it reads the destination (Wine kernelbase)",
            "moving a delete-pending name: DELETE_PENDING, whatever the destination",
        )
        .profile("10-1709")
        .given([write(r"C:\f", "x"), open(r"C:\f"), del(r"C:\f")])
        .when(mv(r"C:\f", r"C:\"), err(DeletePending))
        .then(mv_copy(r"C:\f", r"D:\"), err(DeletePending))
        .then(mv(r"C:\f", r"C:\g"), err(DeletePending))
        .posix_skip(POSIX_DELETE_NOW)
        .build(),
        row(
            T,
            "M10",
            Observed,
            "COREFX-38186; LIBUV-3839",
            "Win10 1903+: DeleteFile releases the name at once",
        )
        .given([mkdir(r"C:\d"), write(r"C:\d\f", "x"), open(r"C:\d\f")])
        .when(del(r"C:\d\f"), ok())
        .then(list(r"C:\d"), entries(&[]))
        .then(write(r"C:\d\f", "new"), ok())
        .then(read(r"C:\d\f"), bytes("new"))
        .build(),
        row(
            T,
            "M9",
            Tested,
            "BTRFS delete.cpp",
            "a delete-pending directory blocks new children",
        )
        .profile("10-1709")
        .given([mkdir(r"C:\d"), open(r"C:\d"), rmdir(r"C:\d")])
        .when(stat(r"C:\d"), err(DeletePending))
        .then(write(r"C:\d\f", "x"), err(DeletePending))
        .then(mkdir(r"C:\d\e"), err(DeletePending))
        .then(Op::CloseAll, ok())
        .then(stat(r"C:\d"), err(ObjectNameNotFound))
        .posix_skip(POSIX_DELETE_NOW)
        .build(),
        row(
            T,
            "M11",
            Unverified,
            "BTRFS (share mode of the victim); general share rules",
            "DeleteFile while a handle denies delete sharing: SHARING_VIOLATION",
        )
        .given([write(r"C:\f", "x"), open_exclusive(r"C:\f")])
        .when(del(r"C:\f"), err(SharingViolation))
        .then(Op::CloseAll, ok())
        .then(read(r"C:\f"), bytes("x"))
        .build(),
        row(
            T,
            "N8",
            Tested,
            "BTRFS create.cpp",
            "deleting a missing file: FILE_NOT_FOUND",
        )
        .when(del(r"C:\nothing"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "N8",
            Tested,
            "BTRFS create.cpp",
            "deleting in a missing directory: PATH_NOT_FOUND",
        )
        .when(del(r"C:\nodir\f"), err(ObjectPathNotFound))
        .build(),
        row(
            T,
            "N8",
            Tested,
            "BTRFS create.cpp",
            "deleting below a file: PATH_NOT_FOUND",
        )
        .given([write(r"C:\f", "x")])
        .when(del(r"C:\f\g"), err(ObjectPathNotFound))
        .posix_errno(Errno::ENOTDIR, POSIX_PREFIX_FILE)
        .build(),
        row(
            T,
            "HL30",
            Documented,
            "CHL",
            "the data outlives its last name while a handle is open",
        )
        .profile("10-1709")
        .given([
            write(r"C:\f", "x"),
            hardlink(r"C:\g", r"C:\f"),
            open(r"C:\g"),
            del(r"C:\f"),
        ])
        .when(read(r"C:\g"), bytes("x"))
        .then(stat(r"C:\g"), links(1))
        .build(),
        row(
            T,
            "J34",
            Documented,
            "KB205524",
            "rd /s deletes a plain tree completely",
        )
        .given([
            mkdir(r"C:\t"),
            mkdir(r"C:\t\a"),
            mkdir(r"C:\t\a\b"),
            write(r"C:\t\a\b\f", "x"),
            write(r"C:\t\g", "y"),
        ])
        .when(rd_s(r"C:\t"), ok())
        .then(lstat(r"C:\t"), err(ObjectNameNotFound))
        .then(list(r"C:\"), entries(&[]))
        .build(),
        row(
            T,
            "J34",
            Tested,
            "RUST-STD recursive_rmdir_of_symlink",
            "rd /s does not follow a directory symlink",
        )
        .given([
            mkdir(r"C:\t"),
            write(r"C:\t\keep", "k"),
            mkdir(r"C:\tree"),
            symlink_dir(r"C:\tree\s", r"C:\t"),
        ])
        .when(rd_s(r"C:\tree"), ok())
        .then(read(r"C:\t\keep"), bytes("k"))
        .build(),
        row(
            T,
            "J34",
            Tested,
            "JUNCTION-CRATE create_recursive_rmdir_of_symlink",
            "rd /s with a junction loop terminates",
        )
        .given([
            mkdir(r"C:\tree"),
            junction(r"C:\tree\loop", r"C:\tree"),
            write(r"C:\tree\f", "x"),
        ])
        .when(rd_s(r"C:\tree"), ok())
        .then(lstat(r"C:\tree"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "S30",
            Tested,
            "WINE-NEW",
            "deleting a dangling file symlink deletes the link",
        )
        .given([symlink(r"C:\s", r"C:\gone")])
        .when(del(r"C:\s"), ok())
        .then(lstat(r"C:\s"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "J30",
            Tested,
            "WINE-NEW",
            "RemoveDirectory on a dangling junction removes it",
        )
        .given([junction(r"C:\j", r"C:\gone")])
        .when(rmdir(r"C:\j"), ok())
        .then(lstat(r"C:\j"), err(ObjectNameNotFound))
        .posix_errno(Errno::ENOTDIR, POSIX_RMDIR_LINK)
        .build(),
        row(
            T,
            "J30",
            Tested,
            "WINE-OLD",
            "RemoveDirectory on a junction to a non-empty target succeeds",
        )
        .given([
            mkdir(r"C:\t"),
            mkdir(r"C:\t\sub"),
            junction(r"C:\j", r"C:\t"),
        ])
        .when(rmdir(r"C:\j"), ok())
        .then(stat(r"C:\t\sub"), is_dir(true))
        .posix_errno(Errno::ENOTDIR, POSIX_RMDIR_LINK)
        .build(),
        row(
            T,
            "P9",
            Documented,
            "CRSL",
            "RemoveDirectory through a junction path removes the named directory",
        )
        .given([
            mkdir(r"C:\t"),
            mkdir(r"C:\t\sub"),
            junction(r"C:\j", r"C:\t"),
        ])
        .when(rmdir(r"C:\j\sub"), ok())
        .then(lstat(r"C:\t\sub"), err(ObjectNameNotFound))
        .build(),
    ]
}
