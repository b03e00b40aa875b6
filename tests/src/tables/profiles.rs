//! SEMANTICS V5: behaviour that changed across Windows versions, and the
//! privilege switches of S2/S3.

use super::symlinks::chain;
use super::*;
use crate::scenario::dsl::*;
use crate::scenario::{row, Evidence::*, Op, Scenario, Topic};
use ntlinkfs_core::Errno;
use ntlinkfs_core::NtError::*;

const T: Topic = Topic::Profiles;

pub fn rows() -> Vec<Scenario> {
    vec![
        row(
            T,
            "J1",
            Tested,
            "WINE-OLD test_junction_points (FSCTL on Windows 2000: 0x430)",
            "Windows 2000: a mount point set by FSCTL carries ARCHIVE too",
        )
        .profile("2000")
        .given([mkdir(r"C:\t"), mkdir(r"C:\j")])
        .when(
            set_reparse(r"C:\j", mount_point_buf(r"\??\C:\t", r"C:\t")),
            ok(),
        )
        .then(lstat(r"C:\j"), attrs_are(DIR | ARCHIVE | REPARSE))
        .build(),
        row(
            T,
            "J1",
            Tested,
            "WINE-OLD (Windows 2000: 0x430)",
            "Windows 2000 junctions also carry ARCHIVE",
        )
        .profile("2000")
        .given([mkdir(r"C:\t")])
        .when(junction(r"C:\j", r"C:\t"), ok())
        .then(lstat(r"C:\j"), attrs_are(DIR | ARCHIVE | REPARSE))
        .build(),
        row(
            T,
            "V5",
            Unverified,
            "CSL (symlinks from Vista)",
            "XP has no symbolic links",
        )
        .profile("xp")
        .when(symlink(r"C:\s", r"C:\t"), err(NotSupported))
        .build(),
        row(
            T,
            "V5",
            Documented,
            "HLJ (junctions since Windows 2000)",
            "XP has junctions",
        )
        .profile("xp")
        .given([mkdir(r"C:\t"), write(r"C:\t\f", "x")])
        .when(junction(r"C:\j", r"C:\t"), ok())
        .then(read(r"C:\j\f"), bytes("x"))
        .build(),
        row(
            T,
            "P8",
            Documented,
            "SL-PROG (31 on XP/2003)",
            "XP: 31 reparse points in one path resolve",
        )
        .profile("xp")
        .given(junction_chain(31))
        .when(list(r"C:\j30"), entries(&["f"]))
        .build(),
        row(
            T,
            "P8",
            Documented,
            "SL-PROG (31 on XP/2003)",
            "XP: the 32nd reparse point fails",
        )
        .profile("xp")
        .given(junction_chain(32))
        .when(list(r"C:\j31"), err(ReparsePointNotResolved))
        .posix_skip(POSIX_LOOP_LIMIT)
        .build(),
        row(
            T,
            "P8",
            Documented,
            "SL-PROG",
            "Windows 10: 63 symlinks resolve",
        )
        .profile("10")
        .given(chain(63))
        .when(read(r"C:\s62"), bytes("end"))
        .posix_errno(Errno::ELOOP, POSIX_LOOP_LIMIT)
        .build(),
        row(
            T,
            "S22",
            Tested,
            "WINE-NEW (broken before 1709)",
            "before 1709 a file symlink to a directory opens it",
        )
        .profile("10-1703")
        .given([mkdir(r"C:\d"), symlink(r"C:\s", r"C:\d")])
        .when(stat(r"C:\s"), is_dir(true))
        .build(),
        row(
            T,
            "S22",
            Tested,
            "WINE-NEW",
            "from 1709 a file symlink to a directory fails",
        )
        .profile("10-1709")
        .given([mkdir(r"C:\d"), symlink(r"C:\s", r"C:\d")])
        .when(stat(r"C:\s"), err(FileIsADirectory))
        .build(),
        row(
            T,
            "J13",
            Tested,
            "WINE-NEW (broken(!status) < 1709)",
            "before 1709 a junction to a file opens it",
        )
        .profile("10-1607")
        .given([write(r"C:\f", "x"), junction(r"C:\j", r"C:\f")])
        .when(read(r"C:\j"), bytes("x"))
        .build(),
        row(
            T,
            "J13",
            Tested,
            "WINE-NEW",
            "from 1709 a junction to a file fails",
        )
        .profile("10-1709")
        .given([write(r"C:\f", "x"), junction(r"C:\j", r"C:\f")])
        .when(read(r"C:\j"), err(NotADirectory))
        .posix_skip(POSIX_TRAVERSAL)
        .build(),
        row(
            T,
            "S2",
            Tested,
            "BTRFS reparse20; CSL",
            "a standard user cannot create a symlink",
        )
        .profile("11-user")
        .when(symlink(r"C:\s", r"C:\t"), err(PrivilegeNotHeld))
        .then(lstat(r"C:\s"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "S2",
            Tested,
            "BTRFS reparse20",
            "a standard user cannot set a symlink buffer either",
        )
        .profile("11-user")
        .given([create(r"C:\s")])
        .when(
            set_reparse(r"C:\s", symlink_buf(r"\??\C:\t", r"C:\t", 0)),
            err(PrivilegeNotHeld),
        )
        .build(),
        row(
            T,
            "S3",
            Observed,
            "GFW-96891C3; CSL",
            "developer mode + ALLOW_UNPRIVILEGED_CREATE: allowed",
        )
        .profile("11+dev-user")
        .when(symlink_flags(r"C:\s", r"C:\t", false, true), ok())
        .then(lstat(r"C:\s"), tag(TAG_SYMLINK))
        .build(),
        row(
            T,
            "S3",
            Observed,
            "GFW-96891C3; CSL",
            "the flag without developer mode: PRIVILEGE_NOT_HELD",
        )
        .profile("11-user")
        .when(
            symlink_flags(r"C:\s", r"C:\t", false, true),
            err(PrivilegeNotHeld),
        )
        .build(),
        row(
            T,
            "S3",
            Observed,
            "WINLN-1; CSL",
            "developer mode without the flag: PRIVILEGE_NOT_HELD",
        )
        .profile("11+dev-user")
        .when(symlink(r"C:\s", r"C:\t"), err(PrivilegeNotHeld))
        .build(),
        row(
            T,
            "S3",
            Observed,
            "GFW-96891C3",
            "before build 14972 the flag is INVALID_PARAMETER",
        )
        .profile("10-1607")
        .when(
            symlink_flags(r"C:\s", r"C:\t", false, true),
            err(InvalidParameter),
        )
        .build(),
        row(
            T,
            "S3",
            Documented,
            "CSL",
            "an elevated user may pass the flag on a new build",
        )
        .profile("11")
        .when(symlink_flags(r"C:\s", r"C:\t", true, true), ok())
        .then(lstat(r"C:\s"), is_dir(true))
        .build(),
        row(
            T,
            "§0",
            Documented,
            "REPARSE-POINTS (directory bit from 1607)",
            "before 1607 a directory-bit tag needs an empty directory",
        )
        .profile("10-1507")
        .given([mkdir(r"C:\d"), write(r"C:\d\f", "x")])
        .when(
            set_reparse(r"C:\d", ms_buf(0x9000_0099, b"q")),
            err(DirectoryNotEmpty),
        )
        .build(),
        row(
            T,
            "J34",
            Documented,
            "KB205524; GIOORGI",
            "XP Explorer delete empties the junction's target",
        )
        .profile("xp")
        .given([
            mkdir(r"C:\t"),
            write(r"C:\t\keep", "k"),
            mkdir(r"C:\tree"),
            junction(r"C:\tree\j", r"C:\t"),
        ])
        .when(explorer_delete(r"C:\tree"), ok())
        .then(lstat(r"C:\t\keep"), err(ObjectNameNotFound))
        .then(lstat(r"C:\tree"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "J34",
            Documented,
            "KB205524 (Windows 2000)",
            "2000 Explorer delete also empties the junction's target",
        )
        .profile("2000")
        .given([
            mkdir(r"C:\t"),
            mkdir(r"C:\t\sub"),
            write(r"C:\t\sub\keep", "k"),
            mkdir(r"C:\tree"),
            junction(r"C:\tree\j", r"C:\t"),
        ])
        .when(explorer_delete(r"C:\tree"), ok())
        .then(list(r"C:\t"), entries(&[]))
        .then(lstat(r"C:\tree"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "J34",
            Documented,
            "KB205524 (\"never delete a junction point using Explorer\")",
            "XP Explorer delete of the junction itself empties its target, which stays",
        )
        .profile("xp")
        .given([
            mkdir(r"C:\t"),
            write(r"C:\t\keep", "k"),
            junction(r"C:\j", r"C:\t"),
        ])
        .when(explorer_delete(r"C:\j"), ok())
        .then(lstat(r"C:\j"), err(ObjectNameNotFound))
        .then(lstat(r"C:\t"), is_dir(true))
        .then(list(r"C:\t"), entries(&[]))
        .build(),
        row(
            T,
            "J34",
            Documented,
            "KB205524 (utilities that walk recursively)",
            "XP Explorer delete follows a junction met inside a junction's target",
        )
        .profile("xp")
        .given([
            mkdir(r"C:\t2"),
            write(r"C:\t2\deep", "d"),
            mkdir(r"C:\t"),
            junction(r"C:\t\j2", r"C:\t2"),
            mkdir(r"C:\tree"),
            junction(r"C:\tree\j", r"C:\t"),
        ])
        .when(explorer_delete(r"C:\tree"), ok())
        .then(lstat(r"C:\t2\deep"), err(ObjectNameNotFound))
        .then(lstat(r"C:\t2"), is_dir(true))
        .build(),
        row(
            T,
            "J34",
            Documented,
            "KB205524 (\"never delete a junction point using … a del /s command\")",
            "XP del /s deletes matching files inside a junction's target",
        )
        .profile("xp")
        .given([
            mkdir(r"C:\t"),
            write(r"C:\t\keep.txt", "k"),
            write(r"C:\t\keep.dat", "d"),
            mkdir(r"C:\tree"),
            write(r"C:\tree\f.txt", "x"),
            junction(r"C:\tree\j", r"C:\t"),
        ])
        .when(del_s(r"C:\tree", "*.txt"), ok())
        .then(lstat(r"C:\t\keep.txt"), err(ObjectNameNotFound))
        .then(read(r"C:\t\keep.dat"), bytes("d"))
        .then(lstat(r"C:\tree\f.txt"), err(ObjectNameNotFound))
        .then(lstat(r"C:\tree\j"), tag(TAG_MOUNT_POINT))
        .build(),
        row(
            T,
            "J34",
            Unverified,
            "KB205524 names 2000/XP only; no source for later releases",
            "Windows 11 del /s leaves a junction's target alone",
        )
        .given([
            mkdir(r"C:\t"),
            write(r"C:\t\keep.txt", "k"),
            mkdir(r"C:\tree"),
            write(r"C:\tree\f.txt", "x"),
            junction(r"C:\tree\j", r"C:\t"),
        ])
        .when(del_s(r"C:\tree", "*.txt"), ok())
        .then(read(r"C:\t\keep.txt"), bytes("k"))
        .then(lstat(r"C:\tree\f.txt"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "J34",
            Observed,
            "SO-2003174 (NTFS junction point article: rmdir only deletes the junction, Windows 2000 and later)",
            "XP rd /s does not walk into a junction",
        )
        .profile("xp")
        .given([
            mkdir(r"C:\t"),
            write(r"C:\t\keep", "k"),
            mkdir(r"C:\tree"),
            junction(r"C:\tree\j", r"C:\t"),
        ])
        .when(rd_s(r"C:\tree"), ok())
        .then(read(r"C:\t\keep"), bytes("k"))
        .then(lstat(r"C:\tree"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "J34",
            Documented,
            "KB205524",
            "Windows 11 Explorer delete leaves the target alone",
        )
        .given([
            mkdir(r"C:\t"),
            write(r"C:\t\keep", "k"),
            mkdir(r"C:\tree"),
            junction(r"C:\tree\j", r"C:\t"),
        ])
        .when(explorer_delete(r"C:\tree"), ok())
        .then(read(r"C:\t\keep"), bytes("k"))
        .then(lstat(r"C:\tree"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "M10",
            Tested,
            "BTRFS delete.cpp",
            "before 1903 a deleted open file keeps its name",
        )
        .profile("10-1709")
        .given([write(r"C:\f", "x"), open(r"C:\f"), del(r"C:\f")])
        .when(read(r"C:\f"), err(DeletePending))
        .then(Op::CloseAll, ok())
        .then(create(r"C:\f"), ok())
        .posix_skip(POSIX_DELETE_NOW)
        .build(),
        row(
            T,
            "M10",
            Observed,
            "COREFX-38186",
            "from 1903 a deleted open file releases its name",
        )
        .profile("10-1903")
        .given([write(r"C:\f", "x"), open(r"C:\f"), del(r"C:\f")])
        .when(create(r"C:\f"), ok())
        .build(),
        row(
            T,
            "N5",
            Observed,
            "CPY-95486 (eryksun)",
            "Windows 10: con.txt names the console, not a file",
        )
        .profile("10")
        .given([mkdir(r"C:\d")])
        .when(write(r"C:\d\con.txt", "c"), err(ObjectNameInvalid))
        .then(list(r"C:\d"), entries(&[]))
        .posix_skip(POSIX_WIN32_PATHS)
        .build(),
        row(
            T,
            "N9",
            Documented,
            "NAMING (MAX_PATH)",
            "a path over MAX_PATH without \\\\?\\ fails",
        )
        .profile("10")
        .given(long_dirs())
        .when(write(&long_file(), "x"), err(ObjectPathNotFound))
        .posix_skip(POSIX_WIN32_PATHS)
        .build(),
        row(
            T,
            "N9",
            Documented,
            "NAMING (LongPathsEnabled, 1607+)",
            "with long paths enabled it works",
        )
        .profile("10+longpaths")
        .given(long_dirs())
        .when(write(&long_file(), "x"), ok())
        .build(),
        row(T, "N9", Documented, "NAMING", "\\\\?\\ lifts MAX_PATH")
            .profile("10")
            .given(long_dirs_verbatim())
            .when(write(&format!(r"\\?\{}", long_file()), "x"), ok())
            .build(),
    ]
}

/// `C:\t` with a file `f`, and junctions `C:\j0` → `C:\t`, `C:\j{i}` → `C:\j{i-1}`.
fn junction_chain(n: usize) -> Vec<Op> {
    let mut v = vec![mkdir(r"C:\t"), write(r"C:\t\f", "x")];
    for i in 0..n {
        let target = if i == 0 {
            r"C:\t".to_string()
        } else {
            format!(r"C:\j{}", i - 1)
        };
        v.push(junction(&format!(r"C:\j{i}"), &target));
    }
    v
}

const LONG_DIR: &str = "dddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddddd";

fn long_dirs() -> Vec<Op> {
    vec![
        mkdir(&format!(r"C:\{LONG_DIR}")),
        mkdir(&format!(r"C:\{LONG_DIR}\{LONG_DIR}")),
    ]
}

fn long_dirs_verbatim() -> Vec<Op> {
    long_dirs()
        .into_iter()
        .map(|op| match op {
            Op::MkDir(p) => Op::MkDir(format!(r"\\?\{p}")),
            other => other,
        })
        .collect()
}

/// A 270-unit path: over MAX_PATH.
fn long_file() -> String {
    format!(r"C:\{LONG_DIR}\{LONG_DIR}\{}", "f".repeat(64))
}
