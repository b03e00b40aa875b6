//! Handles: access masks and share modes (M13, M14), names and reparse
//! points changed through a handle (HL11, R9, M11), FILE_DELETE_ON_CLOSE
//! (HL12), and the protective ACLs of the compatibility junctions (J42).
//! Handles are numbered in open order within a row (#0, #1 …).

use super::*;
use crate::scenario::dsl::*;
use crate::scenario::{row, Evidence::*, HandleFlags, Scenario, Topic};
use ntlinkfs_core::access::*;
use ntlinkfs_core::NtError::*;

const T: Topic = Topic::Handles;

/// POSIX open(2) has no access masks, share modes or NT handle calls.
const POSIX_NT_HANDLES: &str =
    "POSIX open(2) has no access mask, share mode or NtSetInformationFile";
/// The Linux view shows a junction as a symlink the kernel follows itself.
const POSIX_NO_ACL: &str =
    "the Linux view shows a junction as a symlink the kernel follows; it has no DACL";

const R: u32 = FILE_SHARE_READ;
const W: u32 = FILE_SHARE_WRITE;
const D: u32 = FILE_SHARE_DELETE;

fn create_doc() -> HandleFlags {
    HandleFlags {
        create: true,
        delete_on_close: true,
        ..HandleFlags::default()
    }
}

fn dir_flags() -> HandleFlags {
    HandleFlags {
        directory: true,
        ..HandleFlags::default()
    }
}

/// The DACL Windows gives its compatibility junctions: Everyone:(DENY)(S,RD)
/// then Everyone:(RX).
pub fn compat_junction_dacl() -> Vec<(bool, u32)> {
    vec![
        (false, SYNCHRONIZE | FILE_LIST_DIRECTORY),
        (true, FILE_GENERIC_READ | FILE_GENERIC_EXECUTE),
    ]
}

pub fn rows() -> Vec<Scenario> {
    let mut v = share_rows();
    v.extend(access_rows());
    v.extend(by_handle_rows());
    v.extend(delete_on_close_rows());
    v.extend(acl_rows());
    v
}

fn share_rows() -> Vec<Scenario> {
    vec![
        row(
            T,
            "M13",
            Documented,
            "IoCheckShareAccess (WDK); CreateFileW dwShareMode",
            "a writer after a reader that does not share write: SHARING_VIOLATION",
        )
        .given([write(r"C:\f", "x"), open_handle(r"C:\f", GENERIC_READ, R)])
        .when(
            open_handle(r"C:\f", GENERIC_WRITE, R | W | D),
            err(SharingViolation),
        )
        .then(close(0), ok())
        .then(open_handle(r"C:\f", GENERIC_WRITE, R | W | D), ok())
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "M13",
            Documented,
            "IoCheckShareAccess (WDK); CreateFileW dwShareMode",
            "a reader that does not share write after a writer: SHARING_VIOLATION",
        )
        .given([
            write(r"C:\f", "x"),
            open_handle(r"C:\f", GENERIC_WRITE, R | W),
        ])
        .when(open_handle(r"C:\f", GENERIC_READ, R), err(SharingViolation))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "M13",
            Documented,
            "IoCheckShareAccess (WDK)",
            "two readers that share read both open",
        )
        .given([write(r"C:\f", "x"), open_handle(r"C:\f", GENERIC_READ, R)])
        .when(open_handle(r"C:\f", GENERIC_READ, R), ok())
        .then(handle_read(1), bytes("x"))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "M13",
            Tested,
            "BTRFS delete.cpp deletefile9",
            "a DELETE opener sharing only delete refuses a reader sharing nothing",
        )
        .given([write(r"C:\f", "x"), open_handle(r"C:\f", DELETE, D)])
        .when(
            open_handle(r"C:\f", FILE_READ_DATA, 0),
            err(SharingViolation),
        )
        .then(open_handle(r"C:\f", DELETE, D), ok())
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "M13",
            Tested,
            "BTRFS links.cpp link1 (second link opened FILE_READ_ATTRIBUTES)",
            "an attributes-only open takes no part in the share check",
        )
        .given([write(r"C:\f", "x"), open_handle(r"C:\f", DELETE, 0)])
        .when(open_handle(r"C:\f", FILE_READ_ATTRIBUTES, 0), ok())
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "M13",
            Documented,
            "CreateFileW dwShareMode: ERROR_SHARING_VIOLATION",
            "reading a file held open for write, sharing nothing, fails",
        )
        .given([write(r"C:\f", "x"), open_handle(r"C:\f", GENERIC_WRITE, 0)])
        .when(read(r"C:\f"), err(SharingViolation))
        .then(close(0), ok())
        .then(read(r"C:\f"), bytes("x"))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
    ]
}

fn access_rows() -> Vec<Scenario> {
    vec![
        row(
            T,
            "M14",
            Tested,
            "BTRFS delete.cpp \"Create file without DELETE flag\"",
            "a delete disposition through a handle without DELETE: ACCESS_DENIED",
        )
        .given([
            write(r"C:\f", "x"),
            open_handle(r"C:\f", GENERIC_READ, R | W | D),
        ])
        .when(disposition(0, true), err(AccessDenied))
        .then(handle_stat(0), delete_pending(false))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "M14",
            Documented,
            "ReadFile: the handle needs GENERIC_READ (FILE_READ_DATA)",
            "reading through a FILE_READ_ATTRIBUTES handle: ACCESS_DENIED",
        )
        .given([
            write(r"C:\f", "x"),
            open_handle(r"C:\f", FILE_READ_ATTRIBUTES, R | W | D),
        ])
        .when(handle_read(0), err(AccessDenied))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "M14",
            Documented,
            "FILE_RENAME_INFORMATION: the handle needs DELETE access",
            "a rename through a handle without DELETE: ACCESS_DENIED",
        )
        .given([
            write(r"C:\f", "x"),
            open_handle(r"C:\f", GENERIC_READ, R | W | D),
        ])
        .when(rename_by_handle(0, None, r"C:\g"), err(AccessDenied))
        .then(stat(r"C:\f"), size(1))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "M14",
            Unverified,
            "derived: MAXIMUM_ALLOWED grants what is allowed",
            "MAXIMUM_ALLOWED opens a read-only file (GENERIC_WRITE is refused)",
        )
        .given([write(r"C:\f", "x"), attrs(r"C:\f", RO)])
        .when(open_handle(r"C:\f", MAXIMUM_ALLOWED, R | W | D), ok())
        .then(handle_read(0), bytes("x"))
        .then(
            open_handle(r"C:\f", GENERIC_WRITE, R | W | D),
            err(AccessDenied),
        )
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
    ]
}

fn by_handle_rows() -> Vec<Scenario> {
    let reparse_dir = HandleFlags {
        directory: true,
        open_reparse_point: true,
        ..HandleFlags::default()
    };
    vec![
        row(
            T,
            "R9",
            Tested,
            "BTRFS reparse.cpp reparse16",
            "FSCTL_SET_REPARSE_POINT through a FILE_READ_ATTRIBUTES handle: ACCESS_DENIED",
        )
        .given([
            mkdir(r"C:\t"),
            mkdir(r"C:\j"),
            open_handle_flags(r"C:\j", FILE_READ_ATTRIBUTES, R | W | D, reparse_dir),
        ])
        .when(
            set_reparse_by_handle(0, mount_point_buf(r"\??\C:\t", r"C:\t")),
            err(AccessDenied),
        )
        .then(lstat(r"C:\j"), no_tag())
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "R9",
            Tested,
            "BTRFS reparse.cpp (FILE_WRITE_ATTRIBUTES opens)",
            "FSCTL_SET_REPARSE_POINT through a FILE_WRITE_ATTRIBUTES handle makes the junction",
        )
        .given([
            mkdir(r"C:\t"),
            write(r"C:\t\f", "x"),
            mkdir(r"C:\j"),
            open_handle_flags(r"C:\j", FILE_WRITE_ATTRIBUTES, R | W | D, reparse_dir),
        ])
        .when(
            set_reparse_by_handle(0, mount_point_buf(r"\??\C:\t", r"C:\t")),
            ok(),
        )
        .then(lstat(r"C:\j"), tag(TAG_MOUNT_POINT))
        .then(read(r"C:\j\f"), bytes("x"))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "HL11",
            Tested,
            "BTRFS links.cpp link5",
            "a link through a RootDirectory handle that does not share write: SHARING_VIOLATION",
        )
        .given([
            write(r"C:\f", "x"),
            mkdir(r"C:\d"),
            open_handle(r"C:\f", DELETE, 0),
            open_handle_flags(r"C:\d", FILE_READ_DATA, 0, dir_flags()),
        ])
        .when(link_by_handle(0, Some(1), "file"), err(SharingViolation))
        .then(lstat(r"C:\d\file"), err(ObjectNameNotFound))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "HL11",
            Tested,
            "BTRFS links.cpp link6",
            "with FILE_SHARE_WRITE the link is made in the RootDirectory",
        )
        .given([
            write(r"C:\f", "x"),
            mkdir(r"C:\d"),
            open_handle(r"C:\f", DELETE, 0),
            open_handle_flags(r"C:\d", FILE_READ_DATA, W, dir_flags()),
        ])
        .when(link_by_handle(0, Some(1), "file"), ok())
        .then(close(1), ok())
        .then(names(r"C:\f"), entries(&[r"\f", r"\d\file"]))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "HL11",
            Unverified,
            "derived: the rename target directory is opened as for a link",
            "a rename through a RootDirectory handle that does not share write: SHARING_VIOLATION",
        )
        .given([
            write(r"C:\f", "x"),
            mkdir(r"C:\d"),
            open_handle(r"C:\f", DELETE, 0),
            open_handle_flags(r"C:\d", FILE_READ_DATA, 0, dir_flags()),
        ])
        .when(rename_by_handle(0, Some(1), "g"), err(SharingViolation))
        .then(stat(r"C:\f"), size(1))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "M11",
            Tested,
            "BTRFS links.cpp linkex3",
            "a POSIX link over an open file: the victim reads NumberOfLinks 0, TotalNumberOfLinks 1",
        )
        .given([
            write(r"C:\a", "new"),
            write(r"C:\b", "old"),
            open_handle(r"C:\a", MAXIMUM_ALLOWED, R),
            open_handle(
                r"C:\b",
                SYNCHRONIZE | DELETE | FILE_READ_DATA | FILE_WRITE_DATA,
                D,
            ),
        ])
        .when(posix_link_replace(0, r"C:\b", true), ok())
        .then(handle_stat(1), links(0))
        .then(handle_stat(1), total_links(1))
        .then(handle_stat(1), delete_pending(true))
        .then(handle_read(1), bytes("old"))
        .then(disposition(1, false), err(FileDeleted))
        .then(handle_stat(0), links(2))
        .then(read(r"C:\b"), bytes("new"))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "M11",
            Tested,
            "BTRFS links.cpp link8",
            "without POSIX semantics a link does not replace an open file: ACCESS_DENIED",
        )
        .given([
            write(r"C:\a", "new"),
            write(r"C:\b", "old"),
            open_handle(r"C:\a", DELETE, 0),
            open_handle(r"C:\b", MAXIMUM_ALLOWED, R | W | D),
        ])
        .when(posix_link_replace(0, r"C:\b", false), err(AccessDenied))
        .then(read(r"C:\b"), bytes("old"))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "M11",
            Tested,
            "BTRFS links.cpp, rename.cpp (victim share mode)",
            "a POSIX link over a file open without FILE_SHARE_DELETE: SHARING_VIOLATION",
        )
        .given([
            write(r"C:\a", "new"),
            write(r"C:\b", "old"),
            open_handle(r"C:\a", DELETE, 0),
            open_handle(r"C:\b", GENERIC_READ, R),
        ])
        .when(posix_link_replace(0, r"C:\b", true), err(SharingViolation))
        .then(read(r"C:\b"), bytes("old"))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
    ]
}

fn delete_on_close_rows() -> Vec<Scenario> {
    vec![
        row(
            T,
            "HL12",
            Tested,
            "BTRFS links.cpp link4",
            "a link made through a FILE_DELETE_ON_CLOSE handle counts, and survives the close",
        )
        .given([open_handle_flags(r"C:\a", DELETE, 0, create_doc())])
        .when(link_by_handle(0, None, r"C:\b"), ok())
        .then(handle_stat(0), links(2))
        .then(handle_stat(0), total_links(2))
        .then(handle_stat(0), delete_pending(false))
        .then(close(0), ok())
        .then(lstat(r"C:\a"), err(ObjectNameNotFound))
        .then(lstat(r"C:\b"), links(1))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "HL12",
            Tested,
            "BTRFS delete.cpp deletefile8",
            "FILE_DELETE_ON_CLOSE: nothing pending before the close, the name gone after",
        )
        .given([open_handle_flags(r"C:\a", DELETE, 0, create_doc())])
        .when(handle_stat(0), delete_pending(false))
        .then(list(r"C:\"), entries(&["a"]))
        .then(close(0), ok())
        .then(lstat(r"C:\a"), err(ObjectNameNotFound))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "HL12",
            Tested,
            "BTRFS delete.cpp deletefile9",
            "the cleanup of the delete-on-close handle marks the name; clearing it on another handle keeps the file",
        )
        .given([
            open_handle_flags(r"C:\a", DELETE, D, create_doc()),
            open_handle(r"C:\a", DELETE, D),
        ])
        .when(handle_stat(1), delete_pending(false))
        .then(close(0), ok())
        .then(handle_stat(1), delete_pending(true))
        .then(disposition(1, false), ok())
        .then(handle_stat(1), delete_pending(false))
        .then(close(1), ok())
        .then(lstat(r"C:\a"), size(0))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "HL12",
            Tested,
            "WINE-NEW ntdll file.c test_file_disposition_information",
            "clearing the disposition on the delete-on-close handle itself does not stop the delete",
        )
        .given([open_handle_flags(
            r"C:\a",
            GENERIC_WRITE | DELETE,
            0,
            create_doc(),
        )])
        .when(disposition(0, false), ok())
        .then(close(0), ok())
        .then(lstat(r"C:\a"), err(ObjectNameNotFound))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "HL12",
            Unverified,
            "derived from BTRFS links.cpp link4 (nothing pending before cleanup); CreateHardLinkW opens the source for attributes only",
            "CreateHardLinkW from a name held open with FILE_DELETE_ON_CLOSE succeeds",
        )
        .given([open_handle_flags(r"C:\a", DELETE, D, create_doc())])
        .when(hardlink(r"C:\b", r"C:\a"), ok())
        .then(close(0), ok())
        .then(lstat(r"C:\a"), err(ObjectNameNotFound))
        .then(lstat(r"C:\b"), links(1))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "HL12",
            Tested,
            "BTRFS delete.cpp deletedir13",
            "a delete-on-close directory that gained a child before its cleanup stays",
        )
        .given([open_handle_flags(
            r"C:\d",
            DELETE,
            R | W | D,
            HandleFlags {
                directory: true,
                ..create_doc()
            },
        )])
        .when(write(r"C:\d\f", "x"), ok())
        .then(close(0), ok())
        .then(read(r"C:\d\f"), bytes("x"))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "HL12",
            Tested,
            "WINE-NEW ntdll file.c test_file_disposition_information (DuplicateHandle, then NtSetInformationFile DoDeleteFile FALSE)",
            "a duplicate shares the delete-on-close file object: closing the first handle is no cleanup, and clearing the disposition through the duplicate does not stop the delete",
        )
        .given([open_handle_flags(
            r"C:\a",
            GENERIC_WRITE | DELETE,
            0,
            create_doc(),
        )])
        .when(duplicate(0), ok())
        .then(close(0), ok())
        .then(handle_stat(1), delete_pending(false))
        .then(disposition(1, false), ok())
        .then(lstat(r"C:\a"), size(0))
        .then(close(1), ok())
        .then(lstat(r"C:\a"), err(ObjectNameNotFound))
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
        row(
            T,
            "M13",
            Documented,
            "IoCheckShareAccess (WDK): share access is recorded per file object; DuplicateHandle (Win32 docs) makes a handle to the same object",
            "a duplicate of a handle that shares nothing is no second share entry; another open still conflicts until the last handle closes",
        )
        .given([write(r"C:\f", "x"), open_handle(r"C:\f", GENERIC_READ, 0)])
        .when(duplicate(0), ok())
        .then(handle_read(1), bytes("x"))
        .then(close(0), ok())
        .then(open_handle(r"C:\f", GENERIC_READ, R | W | D), err(SharingViolation))
        .then(close(1), ok())
        .then(open_handle(r"C:\f", GENERIC_READ, R | W | D), ok())
        .posix_skip(POSIX_NT_HANDLES)
        .build(),
    ]
}

fn acl_rows() -> Vec<Scenario> {
    let compat = || {
        [
            mkdir(r"C:\Users"),
            mkdir(r"C:\Users\Public"),
            write(r"C:\Users\Public\f", "x"),
            junction(r"C:\Documents and Settings", r"C:\Users"),
            set_dacl(r"C:\Documents and Settings", &compat_junction_dacl()),
        ]
    };
    vec![
        row(
            T,
            "J42",
            Documented,
            "MS: \"Junction Points and Backup Applications\" (Vista+ compatibility junctions: Everyone deny List folder); [O] red/red#1924 (FindFirstFile on Documents and Settings fails), busybox-w32#259, rakhesh.com",
            "listing a compatibility junction itself: ACCESS_DENIED",
        )
        .given(compat())
        .when(list(r"C:\Documents and Settings"), err(AccessDenied))
        .then(list(r"C:\Users"), entries(&["Public"]))
        .posix_skip(POSIX_NO_ACL)
        .build(),
        row(
            T,
            "J42",
            Documented,
            "MS: \"Junction Points and Backup Applications\"; [O] busybox-w32#259 and rakhesh.com (cd into it works, paths through it work)",
            "paths through a compatibility junction work",
        )
        .given(compat())
        .when(read(r"C:\Documents and Settings\Public\f"), bytes("x"))
        .then(list(r"C:\Documents and Settings\Public"), entries(&["f"]))
        .then(lstat(r"C:\Documents and Settings"), tag(TAG_MOUNT_POINT))
        .posix_skip(POSIX_NO_ACL)
        .build(),
        row(
            T,
            "J42",
            Unverified,
            "derived: RemoveDirectoryW opens for DELETE | SYNCHRONIZE, which the deny ACE refuses",
            "removing a compatibility junction: ACCESS_DENIED",
        )
        .given(compat())
        .when(rmdir(r"C:\Documents and Settings"), err(AccessDenied))
        .then(lstat(r"C:\Documents and Settings"), tag(TAG_MOUNT_POINT))
        .posix_skip(POSIX_NO_ACL)
        .build(),
    ]
}
