//! SEMANTICS §4 and §5: symbolic links and path resolution.

use super::*;
use crate::scenario::dsl::*;
use crate::scenario::{row, Evidence::*, Op, Scenario, Topic};
use ntlinkfs_core::Errno;
use ntlinkfs_core::NtError::*;

const T: Topic = Topic::Symlinks;

/// `C:\s0` → `C:\t`, then `C:\s{i}` → `C:\s{i-1}`: `C:\s{n-1}` crosses n links.
pub(super) fn chain(n: usize) -> Vec<Op> {
    let mut v = vec![write(r"C:\t", "end")];
    for i in 0..n {
        let target = if i == 0 {
            r"C:\t".to_string()
        } else {
            format!(r"C:\s{}", i - 1)
        };
        v.push(symlink(&format!(r"C:\s{i}"), &target));
    }
    v
}

pub fn rows() -> Vec<Scenario> {
    vec![
        row(
            T,
            "S1",
            Documented,
            "CSL",
            "a file symlink is a file with a reparse point",
        )
        .given([write(r"C:\t", "x")])
        .when(symlink(r"C:\s", r"C:\t"), ok())
        .then(lstat(r"C:\s"), attrs_are(ARCHIVE | REPARSE))
        .then(lstat(r"C:\s"), tag(TAG_SYMLINK))
        .then(lstat(r"C:\s"), is_dir(false))
        .then(lstat(r"C:\s"), size(0))
        .build(),
        row(
            T,
            "S1",
            Documented,
            "CSL",
            "a directory symlink is a directory with a reparse point",
        )
        .given([mkdir(r"C:\t")])
        .when(symlink_dir(r"C:\s", r"C:\t"), ok())
        .then(lstat(r"C:\s"), attrs_are(DIR | REPARSE))
        .then(lstat(r"C:\s"), is_dir(true))
        .build(),
        row(
            T,
            "S1",
            Tested,
            "GO-WIN Symlink comment",
            "the kind is fixed at creation, not taken from the target",
        )
        .given([symlink(r"C:\s", r"C:\later")])
        .when(mkdir(r"C:\later"), ok())
        .then(stat(r"C:\s"), err(FileIsADirectory))
        .then(lstat(r"C:\s"), is_dir(false))
        .posix_skip(POSIX_TRAVERSAL)
        .build(),
        row(
            T,
            "S4",
            Tested,
            "BTRFS reparse8; SL-PROG",
            "a dangling symlink is allowed; opening it: FILE_NOT_FOUND",
        )
        .when(symlink(r"C:\s", r"C:\missing"), ok())
        .then(read(r"C:\s"), err(ObjectNameNotFound))
        .then(lstat(r"C:\s"), tag(TAG_SYMLINK))
        .build(),
        row(
            T,
            "S5",
            Tested,
            "CPY test_29248; GO-WIN",
            "an absolute target is stored as \\??\\ NT path",
        )
        .when(symlink(r"C:\s", r"C:\t"), ok())
        .then(readlink(r"C:\s"), text(r"\??\C:\t"))
        .build(),
        row(
            T,
            "S6",
            Tested,
            "GO-WIN TestNetworkSymbolicLink",
            "a UNC target is stored as \\??\\UNC\\",
        )
        .when(symlink(r"C:\s", r"\\server\share\x"), ok())
        .then(readlink(r"C:\s"), text(r"\??\UNC\server\share\x"))
        .build(),
        row(
            T,
            "S7",
            Tested,
            "GO-WIN TestReadlink symlink_file_relative",
            "a relative target is stored as given",
        )
        .given([mkdir(r"C:\d")])
        .when(symlink(r"C:\d\s", r"..\x"), ok())
        .then(readlink(r"C:\d\s"), text(r"..\x"))
        .build(),
        row(
            T,
            "S8",
            Tested,
            "GO-WIN TestRootRelativeDirSymlink; CRSL",
            "a root-relative target uses the link's volume",
        )
        .given([
            mkdir(r"D:\t"),
            write(r"D:\t\f", "d"),
            mkdir(r"C:\t"),
            write(r"C:\t\f", "c"),
        ])
        .when(symlink(r"D:\s", r"\t\f"), ok())
        .then(read(r"D:\s"), bytes("d"))
        .build(),
        row(
            T,
            "S9",
            Tested,
            "GO-WIN TestWorkingDirectoryRelativeSymlink; CRSL",
            "a drive-relative target becomes absolute",
        )
        .given([mkdir(r"C:\w"), chdir(r"C:\w")])
        .when(symlink(r"D:\s", "C:f.txt"), ok())
        .then(readlink(r"D:\s"), text(r"\??\C:\w\f.txt"))
        .build(),
        row(
            T,
            "S10",
            Tested,
            "WINE-NEW; GO os.Symlink",
            "'/' in a relative target is not a separator",
        )
        .given([mkdir(r"C:\d"), write(r"C:\d\t", "x")])
        .when(symlink(r"C:\d\s", "./t"), ok())
        .then(read(r"C:\d\s"), err(ObjectNameInvalid))
        .posix_skip("symlink(2) takes POSIX syntax: the adapter turns / into \\ (S10)")
        .build(),
        row(
            T,
            "S10",
            Tested,
            "WINE-NEW",
            "a raw './t' set by FSCTL does not resolve, nor through the mount",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\t", "x"),
            create(r"C:\d\s"),
            set_reparse(r"C:\d\s", symlink_buf("./t", "./t", 1)),
        ])
        .when(read(r"C:\d\s"), err(ObjectNameInvalid))
        .posix_errno(Errno::ENOENT, POSIX_UNRESOLVED)
        .build(),
        row(
            T,
            "S10",
            Unverified,
            "N4 (':' is no name character) applied to a relative text; ntfs-3g maps it",
            "a drive path with Flags = RELATIVE is a relative text: NAME_INVALID",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\t", "x"),
            create(r"C:\d\s"),
            set_reparse(r"C:\d\s", symlink_buf(r"C:\t", r"C:\t", 1)),
        ])
        .when(read(r"C:\d\s"), err(ObjectNameInvalid))
        .posix_errno(Errno::ENOENT, POSIX_UNRESOLVED)
        .build(),
        row(
            T,
            "S12",
            Tested,
            "WINE-NEW; BTRFS reparse4",
            "a symlink cannot be set on a file with data",
        )
        .given([write(r"C:\f", "data")])
        .when(
            set_reparse(r"C:\f", symlink_buf(r"\??\C:\t", r"C:\t", 0)),
            err(IoReparseDataInvalid),
        )
        .then(lstat(r"C:\f"), no_tag())
        .then(read(r"C:\f"), bytes("data"))
        .build(),
        row(
            T,
            "S12",
            Tested,
            "WINE-NEW",
            "a symlink cannot be set on a non-empty directory",
        )
        .given([mkdir(r"C:\d"), write(r"C:\d\f", "x")])
        .when(
            set_reparse(r"C:\d", symlink_buf(r"\??\C:\t", r"C:\t", 0)),
            err(DirectoryNotEmpty),
        )
        .build(),
        row(
            T,
            "S12",
            Tested,
            "WINE-NEW init_reparse_symlink",
            "a symlink can be set on an empty file",
        )
        .given([write(r"C:\t", "x"), create(r"C:\f")])
        .when(
            set_reparse(r"C:\f", symlink_buf(r"\??\C:\t", r"C:\t", 0)),
            ok(),
        )
        .then(read(r"C:\f"), bytes("x"))
        .then(lstat(r"C:\f"), tag(TAG_SYMLINK))
        .build(),
        row(
            T,
            "S20",
            Documented,
            "SLEFFECTS; BTRFS reparse3",
            "reading through a symlink reads the target",
        )
        .given([write(r"C:\t", "x"), symlink(r"C:\s", r"C:\t")])
        .when(read(r"C:\s"), bytes("x"))
        .build(),
        row(
            T,
            "S20",
            Tested,
            "BTRFS reparse3",
            "CREATE_ALWAYS through a symlink overwrites the target, keeps the link",
        )
        .given([write(r"C:\t", "old"), symlink(r"C:\s", r"C:\t")])
        .when(write(r"C:\s", "new"), ok())
        .then(read(r"C:\t"), bytes("new"))
        .then(lstat(r"C:\s"), tag(TAG_SYMLINK))
        .build(),
        row(
            T,
            "S22",
            Tested,
            "WINE-NEW",
            "a file symlink to a directory fails: FILE_IS_A_DIRECTORY",
        )
        .given([mkdir(r"C:\d"), symlink(r"C:\s", r"C:\d")])
        .when(stat(r"C:\s"), err(FileIsADirectory))
        .build(),
        row(
            T,
            "S23",
            Unverified,
            "WINE-NEW junction case, by analogy",
            "a directory symlink to a file fails: NOT_A_DIRECTORY",
        )
        .given([write(r"C:\f", "x"), symlink_dir(r"C:\s", r"C:\f")])
        .when(stat(r"C:\s"), err(NotADirectory))
        .build(),
        row(
            T,
            "S24",
            Tested,
            "WINE-NEW",
            "a relative target naming a file with a trailing \\ fails",
        )
        .given([write(r"C:\f", "x")])
        .when(symlink(r"C:\s", "f\\"), ok())
        .then(read(r"C:\s"), err(ObjectNameInvalid))
        .posix_skip(POSIX_TRAVERSAL)
        .build(),
        row(
            T,
            "S24",
            Tested,
            "WINE-NEW",
            "a trailing \\ on a directory target is fine",
        )
        .given([mkdir(r"C:\d"), write(r"C:\d\f", "x")])
        .when(symlink_dir(r"C:\s", "d\\"), ok())
        .then(read(r"C:\s\f"), bytes("x"))
        .build(),
        row(
            T,
            "S26",
            Tested,
            "CPY Win32SymlinkTests; GO-WIN testDirLinks",
            "stat follows, lstat does not",
        )
        .given([write(r"C:\t", "x"), symlink(r"C:\s", r"C:\t")])
        .when(stat(r"C:\s"), same_file(r"C:\t"))
        .then(lstat(r"C:\s"), other_file(r"C:\t"))
        .then(stat(r"C:\s"), size(1))
        .build(),
        row(
            T,
            "S30",
            Documented,
            "SLEFFECTS; WINE-NEW",
            "DeleteFile on a file symlink deletes the link",
        )
        .given([write(r"C:\t", "x"), symlink(r"C:\s", r"C:\t")])
        .when(del(r"C:\s"), ok())
        .then(lstat(r"C:\s"), err(ObjectNameNotFound))
        .then(read(r"C:\t"), bytes("x"))
        .build(),
        row(
            T,
            "S31",
            Tested,
            "WINE-NEW; CSL remarks",
            "RemoveDirectory on a directory symlink deletes the link",
        )
        .given([
            mkdir(r"C:\t"),
            write(r"C:\t\f", "x"),
            symlink_dir(r"C:\s", r"C:\t"),
        ])
        .when(rmdir(r"C:\s"), ok())
        .then(lstat(r"C:\s"), err(ObjectNameNotFound))
        .then(read(r"C:\t\f"), bytes("x"))
        .posix_errno(Errno::ENOTDIR, POSIX_RMDIR_LINK)
        .build(),
        row(
            T,
            "S32",
            Unverified,
            "WINE-OLD (junction case)",
            "DeleteFile on a directory symlink fails",
        )
        .given([mkdir(r"C:\t"), symlink_dir(r"C:\s", r"C:\t")])
        .when(del(r"C:\s"), err(FileIsADirectory))
        .then(lstat(r"C:\s"), tag(TAG_SYMLINK))
        .posix_skip(POSIX_UNLINK_LINK)
        .build(),
        row(
            T,
            "S35",
            Tested,
            "WINE-NEW",
            "MoveFile renames the link, not the target",
        )
        .given([write(r"C:\t", "x"), symlink(r"C:\s", r"C:\t")])
        .when(mv(r"C:\s", r"C:\s2"), ok())
        .then(readlink(r"C:\s2"), text(r"\??\C:\t"))
        .then(read(r"C:\t"), bytes("x"))
        .then(lstat(r"C:\s"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "S36",
            Tested,
            "WINE-NEW",
            "SetFileAttributes changes the link, not the target",
        )
        .given([write(r"C:\t", "x"), symlink(r"C:\s", r"C:\t")])
        .when(attrs(r"C:\s", HIDDEN | SYSTEM), ok())
        .then(lstat(r"C:\s"), attrs_are(REPARSE | HIDDEN | SYSTEM))
        .then(lstat(r"C:\t"), attrs_are(ARCHIVE))
        .build(),
        row(
            T,
            "P2",
            Documented,
            "CRSL",
            "an absolute link replaces the prefix; the rest is appended",
        )
        .given([
            mkdir(r"C:\alpha"),
            mkdir(r"C:\alpha\beta"),
            mkdir(r"D:\x"),
            mkdir(r"D:\x\gamma"),
            write(r"D:\x\gamma\file", "g"),
            symlink_dir(r"C:\alpha\beta\absLink", r"D:\x"),
        ])
        .when(read(r"C:\alpha\beta\absLink\gamma\file"), bytes("g"))
        .build(),
        row(
            T,
            "P3",
            Documented,
            "CRSL",
            "a relative link's .. removes the preceding components",
        )
        .given([
            mkdir(r"C:\alpha"),
            mkdir(r"C:\alpha\beta"),
            mkdir(r"C:\theta"),
            mkdir(r"C:\theta\gamma"),
            write(r"C:\theta\gamma\file", "t"),
            symlink_dir(r"C:\alpha\beta\link", r"..\..\theta"),
        ])
        .when(read(r"C:\alpha\beta\link\gamma\file"), bytes("t"))
        .then(
            final_path(r"C:\alpha\beta\link\gamma\file"),
            text(r"C:\theta\gamma\file"),
        )
        .build(),
        row(
            T,
            "P3",
            Tested,
            "WINE-NEW (..\\.. x10)",
            "climbing above the root: IO_REPARSE_DATA_INVALID",
        )
        .given([mkdir(r"C:\d"), symlink(r"C:\d\s", r"..\..\..\..\x")])
        .when(read(r"C:\d\s"), err(IoReparseDataInvalid))
        .posix_errno(Errno::ENOENT, POSIX_UNRESOLVED)
        .build(),
        row(
            T,
            "P4",
            Tested,
            "CPY test_12084; RUST-STD realpath_works_tricky",
            "each link in a chain resolves against its own parent",
        )
        .given([
            mkdir(r"C:\a"),
            mkdir(r"C:\a\b"),
            mkdir(r"C:\a\d"),
            write(r"C:\a\f", "f"),
            symlink(r"C:\a\b\c", r"..\d\e"),
            symlink(r"C:\a\d\e", r"..\f"),
        ])
        .when(read(r"C:\a\b\c"), bytes("f"))
        .then(final_path(r"C:\a\b\c"), text(r"C:\a\f"))
        .build(),
        row(
            T,
            "P4",
            Tested,
            "CPY test_12084",
            "a relative target ignores the current directory",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\f", "in d"),
            mkdir(r"C:\w"),
            write(r"C:\w\f", "in w"),
            symlink(r"C:\d\s", "f"),
            chdir(r"C:\w"),
        ])
        .when(read(r"C:\d\s"), bytes("in d"))
        .build(),
        row(
            T,
            "P5",
            Tested,
            "WINE-NEW",
            ". and .. inside a relative target are processed",
        )
        .given([mkdir(r"C:\d"), write(r"C:\d\f", "x")])
        .when(symlink_dir(r"C:\s", r".\d\..\.\d\"), ok())
        .then(read(r"C:\s\f"), bytes("x"))
        .build(),
        row(
            T,
            "P5",
            Tested,
            "WINE-NEW",
            "a doubled separator in a target: NAME_INVALID",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\f", "x"),
            symlink_dir(r"C:\s", r".\\d"),
        ])
        .when(read(r"C:\s\f"), err(ObjectNameInvalid))
        .posix_errno(Errno::ENOENT, POSIX_UNRESOLVED)
        .build(),
        row(
            T,
            "P5",
            Tested,
            "WINE-NEW; N6",
            "a trailing dot in a target is not stripped: NOT_FOUND",
        )
        .given([write(r"C:\d", "x"), symlink(r"C:\s", r".\d.")])
        .when(read(r"C:\s"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "P6",
            Tested,
            "WINE-NEW",
            "an absolute substitute that is not an NT path: NAME_INVALID",
        )
        .given([
            write(r"C:\t", "x"),
            create(r"C:\s"),
            set_reparse(r"C:\s", symlink_buf(r"C:\t", r"C:\t", 0)),
        ])
        .when(read(r"C:\s"), err(ObjectNameInvalid))
        .posix_errno(Errno::ENOENT, POSIX_UNRESOLVED)
        .build(),
        row(
            T,
            "P6",
            Tested,
            "WINE-NEW",
            "\\\\?\\ in an absolute substitute: NAME_INVALID",
        )
        .given([
            write(r"C:\t", "x"),
            create(r"C:\s"),
            set_reparse(r"C:\s", symlink_buf(r"\\?\C:\t", r"C:\t", 0)),
        ])
        .when(read(r"C:\s"), err(ObjectNameInvalid))
        .posix_errno(Errno::ENOENT, POSIX_UNRESOLVED)
        .build(),
        row(
            T,
            "P6",
            Tested,
            "WINE-NEW",
            "absolute names are not normalised: \\.\\ is PATH_NOT_FOUND",
        )
        .given([
            mkdir(r"C:\d"),
            write(r"C:\d\x", "x"),
            create(r"C:\s"),
            set_reparse(r"C:\s", symlink_buf(r"\??\C:\d\.\x", r"C:\d\.\x", 0)),
        ])
        .when(read(r"C:\s"), err(ObjectPathNotFound))
        .posix_errno(Errno::ENOENT, POSIX_UNRESOLVED)
        .build(),
        row(
            T,
            "P6",
            Tested,
            "WINE-NEW",
            "absolute names are not normalised: \\x\\..\\ is NAME_INVALID",
        )
        .given([
            mkdir(r"C:\d"),
            mkdir(r"C:\d\x"),
            create(r"C:\s"),
            set_reparse(r"C:\s", symlink_buf(r"\??\C:\d\x\..\x", r"C:\d\x", 0)),
        ])
        .when(read(r"C:\s"), err(ObjectNameInvalid))
        .posix_errno(Errno::ENOENT, POSIX_UNRESOLVED)
        .build(),
        row(
            T,
            "P6",
            Tested,
            "WINE-NEW",
            "an NT path with Flags = RELATIVE: NAME_INVALID",
        )
        .given([
            write(r"C:\t", "x"),
            create(r"C:\s"),
            set_reparse(r"C:\s", symlink_buf(r"\??\C:\t", r"C:\t", 1)),
        ])
        .when(read(r"C:\s"), err(ObjectNameInvalid))
        .posix_errno(Errno::ENOENT, POSIX_UNRESOLVED)
        .build(),
        row(
            T,
            "P8",
            Observed,
            "MOSEY (winerror 1921); SL-PROG",
            "a symlink to itself: CANT_RESOLVE_FILENAME",
        )
        .given([symlink(r"C:\s", r"C:\s")])
        .when(read(r"C:\s"), err(ReparsePointNotResolved))
        .build(),
        row(
            T,
            "P8",
            Documented,
            "SL-PROG, REPARSE-POINTS",
            "63 reparse points in one path resolve",
        )
        .given(chain(63))
        .when(read(r"C:\s62"), bytes("end"))
        .posix_errno(Errno::ELOOP, POSIX_LOOP_LIMIT)
        .build(),
        row(
            T,
            "P8",
            Documented,
            "SL-PROG, REPARSE-POINTS",
            "the 64th reparse point: CANT_RESOLVE_FILENAME",
        )
        .given(chain(64))
        .when(read(r"C:\s63"), err(ReparsePointNotResolved))
        .then(lstat(r"C:\s63"), tag(TAG_SYMLINK))
        .build(),
        row(
            T,
            "P1",
            Observed,
            "ZIG-7751; CPY-PR25264",
            "Win32 .. is lexical, before links are followed",
        )
        .given([
            mkdir(r"C:\sym"),
            write(r"C:\sym\foo", "lexical"),
            mkdir(r"D:\far"),
            write(r"D:\foo", "posix"),
            junction(r"C:\sym\link", r"D:\far"),
        ])
        .when(read(r"C:\sym\link\..\foo"), bytes("lexical"))
        .build(),
        row(
            T,
            "P9",
            Documented,
            "CRSL",
            "junctions and symlinks mix in one path",
        )
        .given([
            mkdir(r"D:\t"),
            mkdir(r"D:\t\u"),
            write(r"D:\t\u\f", "x"),
            junction(r"C:\j", r"D:\t"),
            symlink_dir(r"D:\t\s", "u"),
        ])
        .when(read(r"C:\j\s\f"), bytes("x"))
        .build(),
        row(
            T,
            "S52",
            Observed,
            "SO-229643",
            "a remote-to-local link is disabled by default: 1463",
        )
        .given([write(r"C:\t", "x"), symlink(r"C:\s", r"C:\t")])
        .when(read(r"\\localhost\C$\s"), err(SymlinkClassDisabled))
        .then(read(r"C:\s"), bytes("x"))
        .build(),
        row(
            T,
            "S53",
            Unverified,
            "NTFS3G-JP (junctions evaluated server side)",
            "junctions are not subject to the policy",
        )
        .given([
            mkdir(r"C:\t"),
            write(r"C:\t\f", "x"),
            junction(r"C:\j", r"C:\t"),
        ])
        .when(read(r"\\localhost\C$\j\f"), bytes("x"))
        .build(),
        row(
            T,
            "S27",
            Tested,
            "CPY/GO APPEXECLINK; R20",
            "an unhandled Microsoft tag: CANT_ACCESS_FILE",
        )
        .given([
            create(r"C:\app"),
            set_reparse(r"C:\app", ms_buf(TAG_APPEXECLINK, b"\x03\0\0\0")),
        ])
        .when(read(r"C:\app"), err(IoReparseTagNotHandled))
        .then(lstat(r"C:\app"), tag(TAG_APPEXECLINK))
        .posix_skip(POSIX_OPENS_OBJECT)
        .build(),
        row(
            T,
            "S7",
            Tested,
            "GO-WIN \"relative\"",
            "a relative symlink in a subdirectory reads its sibling",
        )
        .given([mkdir(r"C:\d"), write(r"C:\d\t", "sib")])
        .when(symlink(r"C:\d\s", "t"), ok())
        .then(read(r"C:\d\s"), bytes("sib"))
        .then(final_path(r"C:\d\s"), text(r"C:\d\t"))
        .build(),
        row(
            T,
            "S39",
            Tested,
            "WINE-NEW",
            "CreateHardLink on a symlink: opening the new name follows it",
        )
        .given([
            write(r"C:\t", "x"),
            symlink(r"C:\s", r"C:\t"),
            hardlink(r"C:\h", r"C:\s"),
        ])
        .when(stat(r"C:\h"), same_file(r"C:\t"))
        .then(lstat(r"C:\h"), links(2))
        .build(),
        row(
            T,
            "S11",
            Observed,
            "BD2MM-67; MS-FSA-SRP; FS-COMPARE",
            "no file symlinks on exFAT: INVALID_FUNCTION, nothing created",
        )
        .volume('E', ntlinkfs_core::FsKind::ExFat)
        .given([write(r"C:\t", "x")])
        .when(symlink(r"E:\s", r"C:\t"), err(InvalidDeviceRequest))
        .then(lstat(r"E:\s"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "S34",
            Documented,
            "SLEFFECTS",
            "delete-on-close through a file symlink deletes the target; the link stays",
        )
        .given([
            write(r"C:\t", "x"),
            symlink(r"C:\s", r"C:\t"),
            open(r"C:\s"),
            Op::MarkDelete,
        ])
        .when(Op::CloseAll, ok())
        .then(lstat(r"C:\t"), err(ObjectNameNotFound))
        .then(lstat(r"C:\s"), tag(TAG_SYMLINK))
        .build(),
        row(
            T,
            "S40",
            Documented,
            "SLEFFECTS",
            "GetFileSize through a file symlink is the target's size",
        )
        .given([write(r"C:\t", "hello"), symlink(r"C:\s", r"C:\t")])
        .when(stat(r"C:\s"), size(5))
        .build(),
    ]
}
