//! SEMANTICS §3: directory junctions.

use super::*;
use crate::scenario::dsl::*;
use crate::scenario::{row, Evidence::*, Scenario, Topic};
use ntlinkfs_core::Errno;
use ntlinkfs_core::NtError::*;

const T: Topic = Topic::Junctions;

/// `C:\t` with a file `f` ("x") and a junction `C:\j` to it.
fn target_and_junction() -> Vec<crate::scenario::Op> {
    vec![
        mkdir(r"C:\t"),
        write(r"C:\t\f", "x"),
        junction(r"C:\j", r"C:\t"),
    ]
}

pub fn rows() -> Vec<Scenario> {
    vec![
        row(
            T,
            "J1",
            Tested,
            "WINE-OLD, WINE-NEW",
            "a junction reads 0x410 DIRECTORY|REPARSE_POINT",
        )
        .given([mkdir(r"C:\t")])
        .when(junction(r"C:\j", r"C:\t"), ok())
        .then(lstat(r"C:\j"), attrs_are(DIR | REPARSE))
        .then(lstat(r"C:\j"), tag(TAG_MOUNT_POINT))
        .then(lstat(r"C:\j"), size(0))
        .then(lstat(r"C:\j"), links(1))
        .then(lstat(r"C:\j"), is_dir(true))
        .build(),
        row(
            T,
            "J2",
            Documented,
            "HLJ",
            "a junction may target another local volume",
        )
        .given([mkdir(r"D:\t"), write(r"D:\t\f", "x")])
        .when(junction(r"C:\j", r"D:\t"), ok())
        .then(read(r"C:\j\f"), bytes("x"))
        .then(stat(r"C:\j\f"), same_file(r"D:\t\f"))
        .build(),
        row(
            T,
            "J3",
            Tested,
            "BTRFS reparse10a; WINE-NEW",
            "mount point on a non-empty directory fails",
        )
        .given([mkdir(r"C:\j"), write(r"C:\j\f", "x")])
        .when(
            set_reparse(r"C:\j", mount_point_buf(r"\??\C:\t", r"C:\t")),
            err(DirectoryNotEmpty),
        )
        .then(lstat(r"C:\j"), no_tag())
        .then(read(r"C:\j\f"), bytes("x"))
        .build(),
        row(
            T,
            "J4",
            Tested,
            "BTRFS reparse11; WINE-NEW",
            "mount point on a file fails NOT_A_DIRECTORY",
        )
        .given([create(r"C:\f")])
        .when(
            set_reparse(r"C:\f", mount_point_buf(r"\??\C:\t", r"C:\t")),
            err(NotADirectory),
        )
        .then(lstat(r"C:\f"), no_tag())
        .build(),
        row(
            T,
            "J3",
            Tested,
            "WINE-NEW init_reparse_mount_point",
            "mount point on an empty directory succeeds",
        )
        .given([mkdir(r"C:\t"), write(r"C:\t\f", "x"), mkdir(r"C:\j")])
        .when(
            set_reparse(r"C:\j", mount_point_buf(r"\??\C:\t", r"C:\t")),
            ok(),
        )
        .then(read(r"C:\j\f"), bytes("x"))
        .then(lstat(r"C:\j"), attrs_are(DIR | REPARSE))
        .build(),
        row(
            T,
            "J6",
            Tested,
            "JUNCTION-CRATE create_target_no_exist",
            "a junction to a missing target is accepted",
        )
        .when(junction(r"C:\j", r"C:\nowhere"), ok())
        .then(lstat(r"C:\j"), tag(TAG_MOUNT_POINT))
        .build(),
        row(
            T,
            "J6",
            Tested,
            "WINE-NEW (\"foobar\")",
            "a non-NT-path substitute is accepted at set time",
        )
        .given([mkdir(r"C:\j")])
        .when(set_reparse(r"C:\j", mount_point_buf("foobar", "")), ok())
        .then(readlink(r"C:\j"), text("foobar"))
        .build(),
        row(
            T,
            "J7",
            Tested,
            "WINE-NEW \"alter the target in-place\"",
            "same-tag set replaces the target in place",
        )
        .given([
            mkdir(r"C:\a"),
            write(r"C:\a\f", "a"),
            mkdir(r"C:\b"),
            write(r"C:\b\f", "b"),
            junction(r"C:\j", r"C:\a"),
        ])
        .when(
            set_reparse(r"C:\j", mount_point_buf(r"\??\C:\b", r"C:\b")),
            ok(),
        )
        .then(read(r"C:\j\f"), bytes("b"))
        .build(),
        row(
            T,
            "J7",
            Tested,
            "BTRFS \"Set as symlink\"",
            "a symlink buffer on a junction: TAG_MISMATCH",
        )
        .given([mkdir(r"C:\a"), junction(r"C:\j", r"C:\a")])
        .when(
            set_reparse(r"C:\j", symlink_buf(r"\??\C:\a", r"C:\a", 0)),
            err(IoReparseTagMismatch),
        )
        .then(lstat(r"C:\j"), tag(TAG_MOUNT_POINT))
        .build(),
        row(
            T,
            "J8",
            Tested,
            "GO-WIN TestReadlink junction_dir_volume_relative",
            "a relative target is saved absolute",
        )
        .given([mkdir(r"C:\w"), mkdir(r"C:\w\t"), chdir(r"C:\w")])
        .when(junction(r"C:\j", "t"), ok())
        .then(readlink(r"C:\j"), text(r"\??\C:\w\t"))
        .build(),
        row(
            T,
            "J40",
            Observed,
            "SO-4339220 (`<JUNCTION> Develop [C:\\Develop2\\]`); mklink /J uses GetFullPathNameW",
            "mklink /J keeps a trailing separator in both names",
        )
        .given([mkdir(r"C:\t"), write(r"C:\t\f", "x")])
        .when(junction(r"C:\j", r"C:\t\"), ok())
        .then(
            get_reparse(r"C:\j"),
            raw(mount_point_buf(r"\??\C:\t\", r"C:\t\")),
        )
        .then(read(r"C:\j\f"), bytes("x"))
        .build(),
        row(
            T,
            "J40",
            Observed,
            "SO-4339220 (`<JUNCTION> Develop [C:\\Develop2\\]`)",
            "mklink /J without a trailing separator stores none",
        )
        .given([mkdir(r"C:\t")])
        .when(junction(r"C:\j", r"C:\t"), ok())
        .then(
            get_reparse(r"C:\j"),
            raw(mount_point_buf(r"\??\C:\t", r"C:\t")),
        )
        .build(),
        row(
            T,
            "J10",
            Tested,
            "WINE-NEW",
            "a non-NT-path target fails on open: NAME_INVALID",
        )
        .given([
            mkdir(r"C:\j"),
            set_reparse(r"C:\j", mount_point_buf("foobar", "")),
        ])
        .when(stat(r"C:\j"), err(ObjectNameInvalid))
        .posix_errno(Errno::ENOENT, POSIX_UNRESOLVED)
        .build(),
        row(
            T,
            "J11",
            Tested,
            "WINE-NEW",
            "a missing target fails on open: FILE_NOT_FOUND",
        )
        .given([junction(r"C:\j", r"C:\bogus")])
        .when(stat(r"C:\j"), err(ObjectNameNotFound))
        .then(read(r"C:\j\x"), err(ObjectPathNotFound))
        .build(),
        row(
            T,
            "J12",
            Tested,
            "WINE-NEW",
            "a junction to itself: REPARSE_POINT_NOT_RESOLVED",
        )
        .given([junction(r"C:\j", r"C:\j")])
        .when(stat(r"C:\j"), err(ReparsePointNotResolved))
        .build(),
        row(
            T,
            "J12",
            Tested,
            "WINE-NEW; P8",
            "two junctions to each other: REPARSE_POINT_NOT_RESOLVED",
        )
        .given([junction(r"C:\j1", r"C:\j2"), junction(r"C:\j2", r"C:\j1")])
        .when(stat(r"C:\j1\x"), err(ReparsePointNotResolved))
        .build(),
        row(
            T,
            "J13",
            Tested,
            "WINE-NEW",
            "a junction to a file fails on open: NOT_A_DIRECTORY",
        )
        .given([write(r"C:\f", "x"), junction(r"C:\j", r"C:\f")])
        .when(stat(r"C:\j"), err(NotADirectory))
        .then(lstat(r"C:\j"), tag(TAG_MOUNT_POINT))
        .posix_skip(POSIX_TRAVERSAL)
        .build(),
        row(
            T,
            "J14",
            Tested,
            "WINE-NEW",
            "a junction to its own parent resolves repeatedly",
        )
        .given([
            mkdir(r"C:\p"),
            write(r"C:\p\file", "x"),
            junction(r"C:\p\j", r"C:\p"),
        ])
        .when(read(r"C:\p\j\j\j\file"), bytes("x"))
        .then(final_path(r"C:\p\j\j\j\file"), text(r"C:\p\file"))
        .then(stat(r"C:\p\j\j"), same_file(r"C:\p"))
        .build(),
        row(
            T,
            "J15",
            Tested,
            "WINE-NEW",
            "creating through a dangling junction creates the target file",
        )
        .given([junction(r"C:\j", r"C:\x")])
        .when(write(r"C:\j", "data"), ok())
        .then(read(r"C:\x"), bytes("data"))
        .then(stat(r"C:\j"), err(NotADirectory))
        .posix_skip(POSIX_TRAVERSAL)
        .build(),
        row(
            T,
            "J16",
            Tested,
            "WINE-NEW",
            "CreateDirectory on a junction path: ALREADY_EXISTS",
        )
        .given([mkdir(r"C:\t"), junction(r"C:\j", r"C:\t")])
        .when(mkdir(r"C:\j"), err(ObjectNameCollision))
        .build(),
        row(
            T,
            "J17",
            Tested,
            "WINE-NEW",
            "listing through a junction shows the target's children",
        )
        .given(target_and_junction())
        .when(list(r"C:\j"), entries(&["f"]))
        .build(),
        row(
            T,
            "J19",
            Tested,
            "WINE-NEW",
            "cd into a junction: relative names resolve in the target",
        )
        .given(target_and_junction())
        .when(chdir(r"C:\j"), ok())
        .then(read("f"), bytes("x"))
        .then(lstat("."), attrs_are(DIR | REPARSE))
        .build(),
        row(
            T,
            "J30",
            Tested,
            "WINE-OLD, WINE-NEW; RUST-STD",
            "RemoveDirectory on a junction removes the link only",
        )
        .given(target_and_junction())
        .when(rmdir(r"C:\j"), ok())
        .then(lstat(r"C:\j"), err(ObjectNameNotFound))
        .then(read(r"C:\t\f"), bytes("x"))
        .posix_errno(Errno::ENOTDIR, POSIX_RMDIR_LINK)
        .build(),
        row(
            T,
            "J31",
            Tested,
            "WINE-OLD",
            "DeleteFile on a junction fails; the junction stays",
        )
        .given(target_and_junction())
        .when(del(r"C:\j"), err(FileIsADirectory))
        .then(lstat(r"C:\j"), tag(TAG_MOUNT_POINT))
        .posix_skip(POSIX_UNLINK_LINK)
        .build(),
        row(
            T,
            "J32",
            Tested,
            "JUNCTION-CRATE delete_junctions",
            "deleting the reparse point leaves an empty directory",
        )
        .given(target_and_junction())
        .when(delete_reparse(r"C:\j", delete_req(TAG_MOUNT_POINT)), ok())
        .then(lstat(r"C:\j"), attrs_are(DIR))
        .then(list(r"C:\j"), entries(&[]))
        .then(stat(r"C:\j\f"), err(ObjectNameNotFound))
        .then(read(r"C:\t\f"), bytes("x"))
        .build(),
        row(
            T,
            "J32",
            Tested,
            "BTRFS; JUNCTION-CRATE exists_verify",
            "deleting a reparse point of a plain directory fails",
        )
        .given([mkdir(r"C:\d")])
        .when(
            delete_reparse(r"C:\d", delete_req(TAG_MOUNT_POINT)),
            err(NotAReparsePoint),
        )
        .build(),
        row(
            T,
            "J32",
            Tested,
            "BTRFS",
            "deleting a reparse point of a file fails",
        )
        .given([write(r"C:\f", "x")])
        .when(
            delete_reparse(r"C:\f", delete_req(TAG_MOUNT_POINT)),
            err(NotAReparsePoint),
        )
        .build(),
        row(
            T,
            "J33",
            Tested,
            "WINE-OLD (target removed, recreated)",
            "a removed target leaves the junction dangling",
        )
        .given([mkdir(r"C:\t"), junction(r"C:\j", r"C:\t"), rmdir(r"C:\t")])
        .when(stat(r"C:\j"), err(ObjectNameNotFound))
        .then(mkdir(r"C:\t"), ok())
        .then(stat(r"C:\j"), is_dir(true))
        .then(stat(r"C:\j"), same_file(r"C:\t"))
        .build(),
        row(
            T,
            "J33",
            Documented,
            "HLJ",
            "a moved target leaves the junction dangling",
        )
        .given(target_and_junction())
        .when(mv(r"C:\t", r"C:\moved"), ok())
        .then(read(r"C:\j\f"), err(ObjectPathNotFound))
        .then(read(r"C:\moved\f"), bytes("x"))
        .build(),
        row(
            T,
            "J34",
            Documented,
            "KB205524; RUST-STD remove_dir_all",
            "rd /s does not descend into a junction",
        )
        .given([
            mkdir(r"C:\t"),
            write(r"C:\t\keep", "k"),
            mkdir(r"C:\tree"),
            write(r"C:\tree\f", "x"),
            junction(r"C:\tree\j", r"C:\t"),
        ])
        .when(rd_s(r"C:\tree"), ok())
        .then(lstat(r"C:\tree"), err(ObjectNameNotFound))
        .then(read(r"C:\t\keep"), bytes("k"))
        .build(),
        row(
            T,
            "J35",
            Tested,
            "WINE-OLD",
            "a dangling junction is still listed as 0x410",
        )
        .given([mkdir(r"C:\t"), junction(r"C:\j", r"C:\t"), rmdir(r"C:\t")])
        .when(lstat(r"C:\j"), attrs_are(DIR | REPARSE))
        .then(list(r"C:\"), entries(&["j"]))
        .build(),
        row(
            T,
            "J2",
            Documented,
            "HLJ",
            "a junction may target another volume's root",
        )
        .given([write(r"D:\f", "d")])
        .when(junction(r"C:\j", r"D:\"), ok())
        .then(read(r"C:\j\f"), bytes("d"))
        .build(),
        row(T, "P9", Documented, "CRSL", "a chain of junctions resolves")
            .given([
                mkdir(r"C:\t"),
                write(r"C:\t\f", "x"),
                junction(r"C:\j2", r"C:\t"),
            ])
            .when(junction(r"C:\j1", r"C:\j2"), ok())
            .then(read(r"C:\j1\f"), bytes("x"))
            .build(),
        row(
            T,
            "J30",
            Tested,
            "RUST-STD recursive_rmdir_of_symlink",
            "rd /s on the junction itself removes the link only",
        )
        .given(target_and_junction())
        .when(rd_s(r"C:\j"), ok())
        .then(lstat(r"C:\j"), err(ObjectNameNotFound))
        .then(read(r"C:\t\f"), bytes("x"))
        .build(),
        row(
            T,
            "J5",
            Tested,
            "BTRFS reparse20",
            "an unprivileged user may create a junction",
        )
        .profile("11-user")
        .given([mkdir(r"C:\t")])
        .when(junction(r"C:\j", r"C:\t"), ok())
        .then(lstat(r"C:\j"), tag(TAG_MOUNT_POINT))
        .build(),
        row(
            T,
            "J8b",
            Observed,
            "ZABKAT",
            "a UNC junction target is stored but fails on traversal",
        )
        .given([mkdir(r"C:\j")])
        .when(
            set_reparse(
                r"C:\j",
                mount_point_buf(r"\??\UNC\fred\share\d", r"\\fred\share\d"),
            ),
            ok(),
        )
        .then(stat(r"C:\j"), err(IoReparseDataInvalid))
        .posix_skip(POSIX_TRAVERSAL)
        .build(),
        row(
            T,
            "J12",
            Tested,
            "WINE-NEW",
            "a relative path through a junction loop fails, not hangs",
        )
        .given([
            mkdir(r"C:\a"),
            junction(r"C:\a\j", r"C:\b"),
            junction(r"C:\b", r"C:\a\j"),
        ])
        .when(read(r"C:\a\j\f"), err(ReparsePointNotResolved))
        .build(),
        row(
            T,
            "J18",
            Tested,
            "BTRFS reparse.cpp check_reparse_dirent",
            "FILE_FULL_DIR_INFORMATION of a symlink: the tag in EaSize",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\t", "x"),
            symlink(r"C:\d\s", "t"),
        ])
        .when(
            query_dir(r"C:\d", "s", 2),
            text("FileName=s EaSize=0xa000000c"),
        )
        .build(),
        row(
            T,
            "J18",
            Tested,
            "BTRFS reparse.cpp check_reparse_dirent",
            "FILE_ID_FULL_DIR_INFORMATION of a symlink: the tag in EaSize",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\t", "x"),
            symlink(r"C:\d\s", "t"),
        ])
        .when(
            query_dir(r"C:\d", "s", 38),
            text("FileName=s EaSize=0xa000000c"),
        )
        .build(),
        row(
            T,
            "J18",
            Tested,
            "BTRFS reparse.cpp check_reparse_dirent",
            "FILE_BOTH_DIR_INFORMATION of a symlink: the tag in EaSize",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\t", "x"),
            symlink(r"C:\d\s", "t"),
        ])
        .when(
            query_dir(r"C:\d", "s", 3),
            text("FileName=s EaSize=0xa000000c"),
        )
        .build(),
        row(
            T,
            "J18",
            Tested,
            "BTRFS reparse.cpp check_reparse_dirent",
            "FILE_ID_BOTH_DIR_INFORMATION of a symlink: the tag in EaSize",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\t", "x"),
            symlink(r"C:\d\s", "t"),
        ])
        .when(
            query_dir(r"C:\d", "s", 37),
            text("FileName=s EaSize=0xa000000c"),
        )
        .build(),
        row(
            T,
            "J18",
            Tested,
            "BTRFS reparse.cpp check_reparse_dirent",
            "FILE_ID_EXTD_DIR_INFORMATION of a symlink: the tag in ReparsePointTag, EaSize 0",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\t", "x"),
            symlink(r"C:\d\s", "t"),
        ])
        .when(
            query_dir(r"C:\d", "s", 60),
            text("FileName=s EaSize=0x0 ReparsePointTag=0xa000000c"),
        )
        .build(),
        row(
            T,
            "J18",
            Tested,
            "BTRFS reparse.cpp check_reparse_dirent",
            "FILE_ID_EXTD_BOTH_DIR_INFORMATION of a symlink: the tag in ReparsePointTag, EaSize 0",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\t", "x"),
            symlink(r"C:\d\s", "t"),
        ])
        .when(
            query_dir(r"C:\d", "s", 63),
            text("FileName=s EaSize=0x0 ReparsePointTag=0xa000000c"),
        )
        .build(),
        row(
            T,
            "J18",
            Tested,
            "BTRFS reparse.cpp reparse10b",
            "FILE_FULL_DIR_INFORMATION of a junction: the tag in EaSize",
        )
        .given([mkdir(r"C:\t"), junction(r"C:\j", r"C:\t")])
        .when(
            query_dir(r"C:\", "j", 2),
            text("FileName=j EaSize=0xa0000003"),
        )
        .build(),
        row(
            T,
            "J18",
            Tested,
            "BTRFS reparse.cpp (after FSCTL_DELETE_REPARSE_POINT)",
            "EaSize is 0 again once the reparse point is deleted",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\t", "x"),
            symlink(r"C:\d\s", "t"),
            delete_reparse(r"C:\d\s", delete_req(TAG_SYMLINK)),
        ])
        .when(query_dir(r"C:\d", "s", 2), text("FileName=s EaSize=0x0"))
        .build(),
        row(
            T,
            "J18",
            Documented,
            "MS-FSCC 2.4.10, 2.4.34",
            "FILE_DIRECTORY_INFORMATION and FILE_NAMES_INFORMATION have no EaSize",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\t", "x"),
            symlink(r"C:\d\s", "t"),
        ])
        .when(query_dir(r"C:\d", "s", 1), text("FileName=s"))
        .then(query_dir(r"C:\d", "s", 12), text("FileName=s"))
        .build(),
        row(
            T,
            "J18",
            Tested,
            "BTRFS reparse.cpp \"Try checking FileReparsePointInformation\"",
            "FileReparsePointInformation on a directory: INVALID_INFO_CLASS",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\t", "x"),
            symlink(r"C:\d\s", "t"),
        ])
        .when(query_dir(r"C:\d", "s", 33), err(InvalidInfoClass))
        .build(),
        row(
            T,
            "J18",
            Documented,
            "MS-FSA 2.1.5.5 (NtQueryDirectoryFile classes)",
            "a file class (FileBasicInformation) on a directory query: INVALID_INFO_CLASS",
        )
        .given([mkdir(r"C:\d")])
        .when(query_dir(r"C:\", "d", 4), err(InvalidInfoClass))
        .build(),
        row(
            T,
            "J18",
            Tested,
            "WINE-NEW",
            "FindFirstFileW on the junction itself: 0x410 and the tag in dwReserved0",
        )
        .given([mkdir(r"C:\t"), junction(r"C:\j", r"C:\t")])
        .when(
            find_first(r"C:\j"),
            text("dwFileAttributes=0x410 dwReserved0=0xa0000003"),
        )
        .build(),
        row(
            T,
            "J18",
            Documented,
            "SLEFFECTS (FindFirstFile puts the tag in dwReserved0); S36",
            "FindFirstFileW on a file symlink: its own attributes and tag",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\t", "x"),
            symlink(r"C:\d\s", "t"),
        ])
        .when(
            find_first(r"C:\d\s"),
            text("dwFileAttributes=0x420 dwReserved0=0xa000000c"),
        )
        .build(),
        row(
            T,
            "J18",
            Documented,
            "WIN32_FIND_DATAW (dwReserved0 only with REPARSE_POINT)",
            "FindFirstFileW on a plain file: dwReserved0 0",
        )
        .given([write(r"C:\f", "x")])
        .when(
            find_first(r"C:\f"),
            text("dwFileAttributes=0x20 dwReserved0=0x0"),
        )
        .build(),
    ]
}
