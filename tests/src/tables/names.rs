//! SEMANTICS §8 (N1–N12), P1 and P11: names, case, Win32 path normalisation.

use super::*;
use crate::scenario::dsl::*;
use crate::scenario::{row, Evidence::*, Scenario, Topic};
use ntlinkfs_core::Errno;
use ntlinkfs_core::NtError::*;

const T: Topic = Topic::NamesCase;

fn invalid_char_row(c: char) -> Scenario {
    let path = format!(r"C:\a{c}b");
    row(
        T,
        "N4",
        Documented,
        "NAMING; BTRFS invalid_names",
        "a reserved character in a name: NAME_INVALID",
    )
    .when(create(&path), err(ObjectNameInvalid))
    .then(crate::scenario::dsl::list(r"C:\"), entries(&[]))
    .build()
}

pub fn rows() -> Vec<Scenario> {
    let name255 = "n".repeat(255);
    let name256 = "n".repeat(256);
    let fire64 = "\u{1F525}".repeat(64);
    let mut v = vec![
        row(
            T,
            "N1",
            Tested,
            "BTRFS create.cpp",
            "CREATE_NEW of a case variant: COLLISION",
        )
        .given([write(r"C:\file", "x")])
        .when(create(r"C:\FILE"), err(ObjectNameCollision))
        .then(list(r"C:\"), entries(&["file"]))
        .build(),
        row(
            T,
            "N1",
            Tested,
            "BTRFS create.cpp",
            "mkdir of a case variant: COLLISION",
        )
        .given([mkdir(r"C:\Dir")])
        .when(mkdir(r"C:\DIR"), err(ObjectNameCollision))
        .build(),
        row(
            T,
            "N1",
            Documented,
            "FS-COMPARE",
            "lookups are case-insensitive",
        )
        .given([mkdir(r"C:\Data"), write(r"C:\Data\Report.TXT", "r")])
        .when(read(r"C:\dATA\rePORT.txt"), bytes("r"))
        .build(),
        row(
            T,
            "N1",
            Documented,
            "FS-COMPARE",
            "names keep the case they were created with",
        )
        .given([write(r"C:\MixedCase.Txt", "x")])
        .when(list(r"C:\"), entries(&["MixedCase.Txt"]))
        .then(write(r"C:\MIXEDCASE.TXT", "y"), ok())
        .then(list(r"C:\"), entries(&["MixedCase.Txt"]))
        .build(),
        row(
            T,
            "N1",
            Documented,
            "FS-COMPARE; NTFS collation",
            "a listing is in upcased collation order",
        )
        .given([
            write(r"C:\b", ""),
            write(r"C:\A", ""),
            write(r"C:\c", ""),
            write(r"C:\_", ""),
        ])
        .when(list(r"C:\"), entries(&["A", "b", "c", "_"]))
        .build(),
        row(
            T,
            "N2",
            Tested,
            "BTRFS create.cpp",
            "a 255-unit name is valid",
        )
        .when(create(&format!(r"C:\{name255}")), ok())
        .then(list(r"C:\"), entries(&[&name255]))
        .build(),
        row(
            T,
            "N2",
            Tested,
            "BTRFS create.cpp",
            "a 256-unit name: NAME_INVALID",
        )
        .when(create(&format!(r"C:\{name256}")), err(ObjectNameInvalid))
        .posix_errno(Errno::ENAMETOOLONG, POSIX_NAME_TOO_LONG)
        .build(),
        row(
            T,
            "N2",
            Tested,
            "BTRFS create.cpp",
            "64 x U+1F525 (128 units) is a valid name",
        )
        .when(write(&format!(r"C:\{fire64}"), "hot"), ok())
        .then(read(&format!(r"C:\{fire64}")), bytes("hot"))
        .build(),
        // N3: table paths write a UTF-16 unit as `%U+hhhh%` (ntlinkfs_core::wtf;
        // the FUSE target sends it as WTF-8 and reads listings back the same way).
        row(
            T,
            "N3",
            Tested,
            "BTRFS create.cpp (WTF-16 1); GO-WIN TestIllformedUTF16FileName",
            "a lone high surrogate is a valid name; the listing returns its unit",
        )
        .when(write(r"C:\a%U+D800%", "n3"), ok())
        .then(list(r"C:\"), entries(&["a%U+D800%"]))
        .then(read(r"C:\a%U+D800%"), bytes("n3"))
        .build(),
        row(
            T,
            "N3",
            Tested,
            "BTRFS create.cpp (WTF-16 2, 3)",
            "a lone low surrogate and a reversed pair are valid names",
        )
        .given([create(r"C:\%U+DC00%"), create(r"C:\%U+DC00%%U+D800%")])
        .when(list(r"C:\"), entries(&["%U+DC00%", "%U+DC00%%U+D800%"]))
        .build(),
        row(
            T,
            "N3",
            Tested,
            "GO-WIN TestIllformedUTF16FileName",
            "a surrogate name can be linked, renamed and deleted",
        )
        .given([write(r"C:\f%U+D800%", "x")])
        .when(hardlink(r"C:\g%U+DFFF%", r"C:\f%U+D800%"), ok())
        .then(lstat(r"C:\g%U+DFFF%"), links(2))
        .then(mv(r"C:\f%U+D800%", r"C:\h%U+D801%"), ok())
        .then(list(r"C:\"), entries(&["g%U+DFFF%", "h%U+D801%"]))
        .then(del(r"C:\g%U+DFFF%"), ok())
        .then(read(r"C:\h%U+D801%"), bytes("x"))
        .build(),
        row(
            T,
            "N3",
            Documented,
            "NTFS collation ($UpCase maps surrogates to themselves)",
            "case folding around a surrogate: a case variant collides",
        )
        .given([create(r"C:\%U+D800%x")])
        .when(create(r"C:\%U+D800%X"), err(ObjectNameCollision))
        .then(list(r"C:\"), entries(&["%U+D800%x"]))
        .build(),
        row(
            T,
            "N3",
            Documented,
            "MS-FSCC 2.1.2.4 SYMBOLIC_LINK_REPARSE_DATA_BUFFER (PathBuffer: UTF-16, not validated)",
            "a symbolic link's target may name a surrogate; it is stored and followed",
        )
        .given([mkdir(r"C:\d%U+D800%"), write(r"C:\d%U+D800%\f", "n3")])
        .when(symlink_dir(r"C:\s", r"C:\d%U+D800%"), ok())
        .then(read(r"C:\s\f"), bytes("n3"))
        .then(symlink(r"C:\r", r"d%U+D800%\f"), ok())
        .then(read(r"C:\r"), bytes("n3"))
        .build(),
        row(
            T,
            "N11",
            Tested,
            "BTRFS links.cpp",
            "a 256-unit hard-link name: NAME_INVALID",
        )
        .given([write(r"C:\f", "x")])
        .when(
            hardlink(&format!(r"C:\{name256}"), r"C:\f"),
            err(ObjectNameInvalid),
        )
        .posix_errno(Errno::ENAMETOOLONG, POSIX_NAME_TOO_LONG)
        .build(),
        row(
            T,
            "N11",
            Tested,
            "BTRFS rename.cpp",
            "a 256-unit rename target: NAME_INVALID",
        )
        .given([write(r"C:\f", "x")])
        .when(
            mv(r"C:\f", &format!(r"C:\{name256}")),
            err(ObjectNameInvalid),
        )
        .posix_errno(Errno::ENAMETOOLONG, POSIX_NAME_TOO_LONG)
        .build(),
        row(
            T,
            "N11",
            Tested,
            "BTRFS",
            "a symlink name is validated like any name",
        )
        .when(symlink(r"C:\s|s", r"C:\t"), err(ObjectNameInvalid))
        .build(),
        row(
            T,
            "N11",
            Unverified,
            "N11 applied to junctions",
            "a junction name is validated like any name",
        )
        .given([mkdir(r"C:\t")])
        .when(junction(r"C:\j>j", r"C:\t"), err(ObjectNameInvalid))
        .build(),
        row(
            T,
            "N4",
            Documented,
            "NAMING",
            "a control character in a name: NAME_INVALID",
        )
        .when(create("C:\\a\u{1}b"), err(ObjectNameInvalid))
        .build(),
        row(
            T,
            "N5",
            Tested,
            "BTRFS \"file called CON\"; NAMING",
            "\\\\?\\ reaches a file named CON",
        )
        .given([mkdir(r"C:\d")])
        .when(write(r"\\?\C:\d\CON", "c"), ok())
        .then(list(r"C:\d"), entries(&["CON"]))
        .build(),
        row(
            T,
            "N5",
            Observed,
            "CPY-95486 (eryksun)",
            "Windows 11: con.txt is an ordinary file",
        )
        .given([mkdir(r"C:\d")])
        .when(write(r"C:\d\con.txt", "c"), ok())
        .then(list(r"C:\d"), entries(&["con.txt"]))
        .build(),
        row(
            T,
            "N6",
            Observed,
            "CPY-95486; NAMING",
            "Win32 strips trailing dots and spaces",
        )
        .when(write(r"C:\spam. . .", "s"), ok())
        .then(list(r"C:\"), entries(&["spam"]))
        .then(read(r"C:\spam"), bytes("s"))
        .build(),
        row(
            T,
            "N6",
            Documented,
            "NAMING",
            "\\\\?\\ keeps a trailing dot",
        )
        .when(write(r"\\?\C:\x.", "d"), ok())
        .then(list(r"C:\"), entries(&["x."]))
        .build(),
        row(
            T,
            "N7",
            Tested,
            "GO-WIN TestStatOfInvalidName",
            "a wildcard in a stat path: INVALID_NAME",
        )
        .given([write(r"C:\a.go", "x")])
        .when(stat(r"C:\*.go"), err(ObjectNameInvalid))
        .build(),
        row(
            T,
            "N7",
            Tested,
            "GO-WIN TestStatOfInvalidName",
            "a ? in a stat path: INVALID_NAME",
        )
        .given([write(r"C:\ab", "x")])
        .when(stat(r"C:\a?"), err(ObjectNameInvalid))
        .build(),
        row(
            T,
            "N8",
            Tested,
            "BTRFS create.cpp",
            "create below a file: PATH_NOT_FOUND",
        )
        .given([write(r"C:\notadir", "x")])
        .when(create(r"C:\notadir\file"), err(ObjectPathNotFound))
        .posix_errno(Errno::ENOTDIR, POSIX_PREFIX_FILE)
        .build(),
        row(
            T,
            "N8",
            Tested,
            "BTRFS create.cpp",
            "create in a missing directory: PATH_NOT_FOUND",
        )
        .when(create(r"C:\nodir\file"), err(ObjectPathNotFound))
        .build(),
        row(
            T,
            "N8",
            Tested,
            "BTRFS create.cpp",
            "open of a missing file: FILE_NOT_FOUND",
        )
        .when(read(r"C:\nofile"), err(ObjectNameNotFound))
        .build(),
        row(
            T,
            "P1",
            Observed,
            "HASKELL-FP-57; JDK-15525",
            "C:\\a\\..\\b is C:\\b even when a is missing",
        )
        .given([write(r"C:\b", "b")])
        .when(read(r"C:\a\..\b"), bytes("b"))
        .build(),
        row(T, "P1", Documented, "NAMING", ". components are dropped")
            .given([mkdir(r"C:\a"), write(r"C:\a\b", "b")])
            .when(read(r"C:\.\a\.\b"), bytes("b"))
            .build(),
        row(
            T,
            "P1",
            Documented,
            "NAMING",
            "/ separates components in Win32 paths",
        )
        .given([mkdir(r"C:\a"), write(r"C:\a\b", "b")])
        .when(read("C:/a/b"), bytes("b"))
        .build(),
        row(
            T,
            "P11",
            Tested,
            "WINE-NEW (S24)",
            "a trailing separator on a file: NAME_INVALID",
        )
        .given([write(r"C:\f", "x")])
        .when(read("C:\\f\\"), err(ObjectNameInvalid))
        .posix_errno(
            Errno::ENOTDIR,
            "a trailing / on a file is ENOTDIR in POSIX path resolution",
        )
        .build(),
        row(
            T,
            "P11",
            Tested,
            "WINE-NEW",
            "a trailing separator on a directory is fine",
        )
        .given([mkdir(r"C:\d")])
        .when(stat("C:\\d\\"), is_dir(true))
        .build(),
        row(
            T,
            "N10",
            Documented,
            "NAMING",
            "\\\\?\\ paths reach ordinary files",
        )
        .given([mkdir(r"C:\d"), write(r"C:\d\f", "v")])
        .when(read(r"\\?\C:\d\f"), bytes("v"))
        .build(),
        row(
            T,
            "N1",
            Tested,
            "BTRFS create.cpp",
            "CREATE_ALWAYS on a case variant opens the existing file",
        )
        .given([write(r"C:\f", "old")])
        .when(write(r"C:\F", "new"), ok())
        .then(read(r"C:\f"), bytes("new"))
        .then(list(r"C:\"), entries(&["f"]))
        .build(),
        row(
            T,
            "N1",
            Documented,
            "FS-COMPARE",
            "non-ASCII names fold case too",
        )
        .given([write("C:\\\u{00E9}t\u{00E9}", "summer")])
        .when(read("C:\\\u{00C9}T\u{00C9}"), bytes("summer"))
        .build(),
        row(
            T,
            "N12",
            Unverified,
            "consequence of N5",
            "a junction named CON is created through \\\\?\\ like any name",
        )
        .given([mkdir(r"C:\d"), mkdir(r"C:\t")])
        .when(junction(r"\\?\C:\d\CON", r"C:\t"), ok())
        .then(list(r"C:\d"), entries(&["CON"]))
        .then(lstat(r"\\?\C:\d\CON"), tag(TAG_MOUNT_POINT))
        .build(),
    ];
    v.extend(['<', '>', '"', '|', '*', '?'].map(invalid_char_row));
    v
}
