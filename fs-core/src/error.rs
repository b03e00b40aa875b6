//! The one error vocabulary of ntlinkfs: NTSTATUS values, each mapped once to its
//! Win32 code (as `RtlNtStatusToDosError` maps it, SEMANTICS §1), a portable errno
//! name for the POSIX view, and the Win32 message text cmd.exe prints.
//!
//! Adapters translate these; they never invent errors of their own (DESIGN.md).

use std::fmt;

/// A portable errno *name*. Numbers differ between Linux and macOS, so adapters map
/// names to their platform's values with an exhaustive match.
#[allow(clippy::upper_case_acronyms)]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Errno {
    /// No such file or directory.
    ENOENT,
    /// Not a directory.
    ENOTDIR,
    /// Invalid argument.
    EINVAL,
    /// File name too long.
    ENAMETOOLONG,
    /// File exists.
    EEXIST,
    /// Permission denied.
    EACCES,
    /// Is a directory.
    EISDIR,
    /// Directory not empty.
    ENOTEMPTY,
    /// Operation not permitted.
    EPERM,
    /// Device or resource busy.
    EBUSY,
    /// Cross-device link.
    EXDEV,
    /// Too many links.
    EMLINK,
    /// Operation not supported.
    EOPNOTSUPP,
    /// No data available (no such extended attribute).
    ENODATA,
    /// Input/output error.
    EIO,
    /// Too many levels of symbolic links.
    ELOOP,
    /// Result too large (an xattr buffer too small).
    ERANGE,
    /// No space left on device.
    ENOSPC,
    /// Read-only file system.
    EROFS,
    /// File too large.
    EFBIG,
    /// Cannot allocate memory.
    ENOMEM,
}

impl Errno {
    /// The errno's symbolic name, e.g. `"EXDEV"`.
    pub fn name(self) -> &'static str {
        match self {
            Errno::ENOENT => "ENOENT",
            Errno::ENOTDIR => "ENOTDIR",
            Errno::EINVAL => "EINVAL",
            Errno::ENAMETOOLONG => "ENAMETOOLONG",
            Errno::EEXIST => "EEXIST",
            Errno::EACCES => "EACCES",
            Errno::EISDIR => "EISDIR",
            Errno::ENOTEMPTY => "ENOTEMPTY",
            Errno::EPERM => "EPERM",
            Errno::EBUSY => "EBUSY",
            Errno::EXDEV => "EXDEV",
            Errno::EMLINK => "EMLINK",
            Errno::EOPNOTSUPP => "EOPNOTSUPP",
            Errno::ENODATA => "ENODATA",
            Errno::EIO => "EIO",
            Errno::ELOOP => "ELOOP",
            Errno::ERANGE => "ERANGE",
            Errno::ENOSPC => "ENOSPC",
            Errno::EROFS => "EROFS",
            Errno::EFBIG => "EFBIG",
            Errno::ENOMEM => "ENOMEM",
        }
    }
}

macro_rules! nt_errors {
    ($( $variant:ident = $status:literal $status_name:ident => $win32:literal $win32_name:ident,
        $errno:ident, $msg:literal; )*) => {
        /// Every failure the model can return, one variant per NTSTATUS.
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum NtError { $(
            #[doc = concat!("`", stringify!($status_name), "` (", stringify!($status),
                "): Win32 `", stringify!($win32_name), "` (", stringify!($win32),
                "), errno `", stringify!($errno), "`. \"", $msg, "\"")]
            $variant,
        )* }

        impl NtError {
            /// Every variant, in table order.
            pub const ALL: &'static [NtError] = &[ $( NtError::$variant, )* ];

            /// The NTSTATUS value, e.g. `0xC00000D4`.
            pub fn ntstatus(self) -> u32 { match self { $( NtError::$variant => $status, )* } }
            /// The NTSTATUS name, e.g. `"STATUS_NOT_SAME_DEVICE"`.
            pub fn ntstatus_name(self) -> &'static str {
                match self { $( NtError::$variant => stringify!($status_name), )* }
            }
            /// The Win32 error code (`GetLastError()`), e.g. `17`.
            pub fn win32(self) -> u32 { match self { $( NtError::$variant => $win32, )* } }
            /// The Win32 error name, e.g. `"ERROR_NOT_SAME_DEVICE"`.
            pub fn win32_name(self) -> &'static str {
                match self { $( NtError::$variant => stringify!($win32_name), )* }
            }
            /// The default errno for the POSIX view (see [`errno_for`] for the
            /// operation-dependent exceptions).
            pub fn errno(self) -> Errno { match self { $( NtError::$variant => Errno::$errno, )* } }
            /// The Win32 message text, exactly as cmd.exe prints it.
            pub fn message(self) -> &'static str { match self { $( NtError::$variant => $msg, )* } }
        }
    };
}

// Values: SEMANTICS §1 (WINE-ERR asserts the NTSTATUS → Win32 column on Windows).
// Messages: the system message table texts for each Win32 code.
nt_errors! {
    ObjectNameNotFound = 0xC000_0034 STATUS_OBJECT_NAME_NOT_FOUND => 2 ERROR_FILE_NOT_FOUND,
        ENOENT, "The system cannot find the file specified.";
    ObjectPathNotFound = 0xC000_003A STATUS_OBJECT_PATH_NOT_FOUND => 3 ERROR_PATH_NOT_FOUND,
        ENOENT, "The system cannot find the path specified.";
    ObjectNameInvalid = 0xC000_0033 STATUS_OBJECT_NAME_INVALID => 123 ERROR_INVALID_NAME,
        EINVAL, "The filename, directory name, or volume label syntax is incorrect.";
    ObjectNameCollision = 0xC000_0035 STATUS_OBJECT_NAME_COLLISION => 183 ERROR_ALREADY_EXISTS,
        EEXIST, "Cannot create a file when that file already exists.";
    AccessDenied = 0xC000_0022 STATUS_ACCESS_DENIED => 5 ERROR_ACCESS_DENIED,
        EACCES, "Access is denied.";
    FileIsADirectory = 0xC000_00BA STATUS_FILE_IS_A_DIRECTORY => 5 ERROR_ACCESS_DENIED,
        EISDIR, "Access is denied.";
    NotADirectory = 0xC000_0103 STATUS_NOT_A_DIRECTORY => 267 ERROR_DIRECTORY,
        ENOTDIR, "The directory name is invalid.";
    DirectoryNotEmpty = 0xC000_0101 STATUS_DIRECTORY_NOT_EMPTY => 145 ERROR_DIR_NOT_EMPTY,
        ENOTEMPTY, "The directory is not empty.";
    CannotDelete = 0xC000_0121 STATUS_CANNOT_DELETE => 5 ERROR_ACCESS_DENIED,
        EPERM, "Access is denied.";
    DeletePending = 0xC000_0056 STATUS_DELETE_PENDING => 5 ERROR_ACCESS_DENIED,
        EACCES, "Access is denied.";
    FileDeleted = 0xC000_0123 STATUS_FILE_DELETED => 5 ERROR_ACCESS_DENIED,
        EACCES, "Access is denied.";
    SharingViolation = 0xC000_0043 STATUS_SHARING_VIOLATION => 32 ERROR_SHARING_VIOLATION,
        EBUSY, "The process cannot access the file because it is being used by another process.";
    NotSameDevice = 0xC000_00D4 STATUS_NOT_SAME_DEVICE => 17 ERROR_NOT_SAME_DEVICE,
        EXDEV, "The system cannot move the file to a different disk drive.";
    TooManyLinks = 0xC000_0265 STATUS_TOO_MANY_LINKS => 1142 ERROR_TOO_MANY_LINKS,
        EMLINK, "An attempt was made to create more links on a file than the file system supports.";
    InvalidDeviceRequest = 0xC000_0010 STATUS_INVALID_DEVICE_REQUEST => 1 ERROR_INVALID_FUNCTION,
        EPERM, "Incorrect function.";
    VolumeNotUpgraded = 0xC000_029C STATUS_VOLUME_NOT_UPGRADED => 1 ERROR_INVALID_FUNCTION,
        EOPNOTSUPP, "Incorrect function.";
    NotSupported = 0xC000_00BB STATUS_NOT_SUPPORTED => 50 ERROR_NOT_SUPPORTED,
        EOPNOTSUPP, "The request is not supported.";
    InvalidParameter = 0xC000_000D STATUS_INVALID_PARAMETER => 87 ERROR_INVALID_PARAMETER,
        EINVAL, "The parameter is incorrect.";
    PrivilegeNotHeld = 0xC000_0061 STATUS_PRIVILEGE_NOT_HELD => 1314 ERROR_PRIVILEGE_NOT_HELD,
        EPERM, "A required privilege is not held by the client.";
    NameTooLong = 0xC000_0106 STATUS_NAME_TOO_LONG => 206 ERROR_FILENAME_EXCED_RANGE,
        ENAMETOOLONG, "The filename or extension is too long.";
    NotAReparsePoint = 0xC000_0275 STATUS_NOT_A_REPARSE_POINT => 4390 ERROR_NOT_A_REPARSE_POINT,
        ENODATA, "The file or directory is not a reparse point.";
    IoReparseTagInvalid = 0xC000_0276 STATUS_IO_REPARSE_TAG_INVALID => 4393 ERROR_REPARSE_TAG_INVALID,
        EINVAL, "The tag present in the reparse point buffer is invalid.";
    IoReparseTagMismatch = 0xC000_0277 STATUS_IO_REPARSE_TAG_MISMATCH => 4394 ERROR_REPARSE_TAG_MISMATCH,
        EINVAL, "There is a mismatch between the tag specified in the request and the tag present in the reparse point.";
    IoReparseDataInvalid = 0xC000_0278 STATUS_IO_REPARSE_DATA_INVALID => 4392 ERROR_INVALID_REPARSE_DATA,
        EINVAL, "The data present in the reparse point buffer is invalid.";
    IoReparseTagNotHandled = 0xC000_0279 STATUS_IO_REPARSE_TAG_NOT_HANDLED => 1920 ERROR_CANT_ACCESS_FILE,
        EIO, "The file cannot be accessed by the system.";
    ReparsePointNotResolved = 0xC000_0280 STATUS_REPARSE_POINT_NOT_RESOLVED => 1921 ERROR_CANT_RESOLVE_FILENAME,
        ELOOP, "The name of the file cannot be resolved by the system.";
    DirectoryIsAReparsePoint = 0xC000_0281 STATUS_DIRECTORY_IS_A_REPARSE_POINT => 161 ERROR_BAD_PATHNAME,
        ELOOP, "The specified path is invalid.";
    ReparseAttributeConflict = 0xC000_02B2 STATUS_REPARSE_ATTRIBUTE_CONFLICT => 4391 ERROR_REPARSE_ATTRIBUTE_CONFLICT,
        EINVAL, "The reparse point attribute cannot be set because it conflicts with an existing attribute.";
    InvalidBufferSize = 0xC000_0206 STATUS_INVALID_BUFFER_SIZE => 1784 ERROR_INVALID_USER_BUFFER,
        EINVAL, "The supplied user buffer is not valid for the requested operation.";
    InvalidUserBuffer = 0xC000_00E8 STATUS_INVALID_USER_BUFFER => 1784 ERROR_INVALID_USER_BUFFER,
        EINVAL, "The supplied user buffer is not valid for the requested operation.";
    BufferTooSmall = 0xC000_0023 STATUS_BUFFER_TOO_SMALL => 122 ERROR_INSUFFICIENT_BUFFER,
        ERANGE, "The data area passed to a system call is too small.";
    BufferOverflow = 0x8000_0005 STATUS_BUFFER_OVERFLOW => 234 ERROR_MORE_DATA,
        ERANGE, "More data is available.";
    SymlinkClassDisabled = 0xC000_0715 STATUS_SYMLINK_CLASS_DISABLED => 1463 ERROR_SYMLINK_CLASS_DISABLED,
        EACCES, "The symbolic link cannot be followed because its type is disabled.";
    MediaWriteProtected = 0xC000_00A2 STATUS_MEDIA_WRITE_PROTECTED => 19 ERROR_WRITE_PROTECT,
        EROFS, "The media is write protected.";
    DiskFull = 0xC000_007F STATUS_DISK_FULL => 112 ERROR_DISK_FULL,
        ENOSPC, "There is not enough space on the disk.";
    FileTooLarge = 0xC000_0904 STATUS_FILE_TOO_LARGE => 223 ERROR_FILE_TOO_LARGE,
        EFBIG, "The file size exceeds the limit allowed and cannot be saved.";
    NoMemory = 0xC000_0017 STATUS_NO_MEMORY => 8 ERROR_NOT_ENOUGH_MEMORY,
        ENOMEM, "Not enough memory resources are available to process this command.";
    BadNetworkPath = 0xC000_00BE STATUS_BAD_NETWORK_PATH => 53 ERROR_BAD_NETPATH,
        ENOENT, "The network path was not found.";
    InvalidHandle = 0xC000_0008 STATUS_INVALID_HANDLE => 6 ERROR_INVALID_HANDLE,
        EINVAL, "The handle is invalid.";
    InvalidInfoClass = 0xC000_0003 STATUS_INVALID_INFO_CLASS => 87 ERROR_INVALID_PARAMETER,
        EINVAL, "The parameter is incorrect.";
}

impl NtError {
    /// The one-line diagnostic the CLI prints on stderr:
    /// `ERROR_NOT_SAME_DEVICE (17) STATUS_NOT_SAME_DEVICE (0xC00000D4)`.
    pub fn diagnostic(self) -> String {
        format!(
            "{} ({}) {} (0x{:08X})",
            self.win32_name(),
            self.win32(),
            self.ntstatus_name(),
            self.ntstatus()
        )
    }

    /// Looks a variant up by its NTSTATUS value.
    pub fn from_ntstatus(status: u32) -> Option<NtError> {
        NtError::ALL
            .iter()
            .copied()
            .find(|e| e.ntstatus() == status)
    }

    /// Looks a variant up by its NTSTATUS or Win32 name (`STATUS_…` or `ERROR_…`),
    /// the first row in table order for a Win32 name shared by several statuses.
    pub fn from_name(name: &str) -> Option<NtError> {
        NtError::ALL
            .iter()
            .copied()
            .find(|e| e.ntstatus_name() == name || e.win32_name() == name)
    }
}

impl fmt::Display for NtError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.message())
    }
}

impl std::error::Error for NtError {}

/// The crate-wide result type.
pub type Result<T> = std::result::Result<T, NtError>;

/// The POSIX operation an error is reported for, where POSIX wants another errno
/// than the status's default (SEMANTICS §10 F6).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PosixOp {
    /// `link(2)`: a new hard link.
    Link,
    /// `unlink(2)`: remove a file name.
    Unlink,
    /// `rmdir(2)`: remove a directory.
    Rmdir,
    /// `rename(2)`.
    Rename,
    /// `symlink(2)`.
    Symlink,
    /// `readlink(2)`.
    Readlink,
    /// `getxattr(2)`.
    Getxattr,
    /// `setxattr(2)`.
    Setxattr,
    /// `removexattr(2)`.
    Removexattr,
    /// `open(2)` / `creat(2)`.
    Open,
    /// Any other operation: the default errno applies.
    Other,
}

/// The errno for `e` when it fails the POSIX operation `op`: the default column of
/// the table with a few override rows, each with its reason.
pub fn errno_for(op: PosixOp, e: NtError) -> Errno {
    match (op, e) {
        // link(2) of a directory is EPERM in POSIX (HL1, F6).
        (PosixOp::Link, NtError::FileIsADirectory) => Errno::EPERM,
        // A prefix that is a file: link(2) wants ENOTDIR (HL8).
        (PosixOp::Link | PosixOp::Rename, NtError::InvalidParameter) => Errno::ENOTDIR,
        // readlink(2) of something that is not a link is EINVAL (§1).
        (PosixOp::Readlink, NtError::NotAReparsePoint) => Errno::EINVAL,
        // A broken reparse buffer met while reading a link is an I/O error, not a bad
        // argument of the caller (§1: EINVAL on set, EIO on traversal).
        (PosixOp::Readlink | PosixOp::Open, NtError::IoReparseDataInvalid) => Errno::EIO,
        // rmdir(2) of a file is ENOTDIR; unlink(2) of a directory is EISDIR (M12).
        (PosixOp::Unlink, NtError::FileIsADirectory) => Errno::EISDIR,
        // Changing a non-owned file's system.* attributes is a chmod by a
        // non-owner: EPERM (chmod(2); ntfs-3g ntfs_allowed_as_owner).
        (PosixOp::Setxattr | PosixOp::Removexattr, NtError::AccessDenied) => Errno::EPERM,
        // system.ntfs_reparse_data (F2): ntfs-3g's valid_reparse_data refuses a
        // mount point on a non-directory with EINVAL, like any bad buffer; a
        // volume without reparse points refuses the attribute (EOPNOTSUPP, as
        // ntfs_set_ntfs_reparse_data does before NTFS 3.0).
        (PosixOp::Setxattr, NtError::NotADirectory) => Errno::EINVAL,
        (PosixOp::Setxattr, NtError::InvalidDeviceRequest) => Errno::EOPNOTSUPP,
        _ => e.errno(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::HashSet;

    #[test]
    fn every_row_has_a_distinct_status_and_a_message() {
        let mut seen = HashSet::new();
        for e in NtError::ALL {
            assert!(seen.insert(e.ntstatus()), "duplicate status for {e:?}");
            assert!(e.message().ends_with('.'), "{e:?}");
            assert!(e.ntstatus_name().starts_with("STATUS_"));
            assert!(e.win32_name().starts_with("ERROR_"));
            assert_eq!(NtError::from_ntstatus(e.ntstatus()), Some(*e));
        }
    }

    /// The whole table, golden: a change shows up in review (STYLE §4).
    #[test]
    fn table_matches_golden_tsv() {
        let mut out =
            String::from("variant\tntstatus\tstatus_name\twin32\twin32_name\terrno\tmessage\n");
        for e in NtError::ALL {
            out.push_str(&format!(
                "{:?}\t0x{:08X}\t{}\t{}\t{}\t{}\t{}\n",
                e,
                e.ntstatus(),
                e.ntstatus_name(),
                e.win32(),
                e.win32_name(),
                e.errno().name(),
                e.message()
            ));
        }
        if std::env::var_os("UPDATE_GOLDEN").is_some() {
            let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/golden/errors.tsv");
            std::fs::write(path, &out).expect("write golden file");
        }
        let golden = include_str!("../tests/golden/errors.tsv");
        assert_eq!(
            out, golden,
            "error table changed; update tests/golden/errors.tsv"
        );
    }

    #[test]
    fn diagnostic_line_format() {
        assert_eq!(
            NtError::NotSameDevice.diagnostic(),
            "ERROR_NOT_SAME_DEVICE (17) STATUS_NOT_SAME_DEVICE (0xC00000D4)"
        );
    }

    #[test]
    fn posix_overrides() {
        let rows = [
            (PosixOp::Link, NtError::FileIsADirectory, Errno::EPERM),
            (PosixOp::Link, NtError::NotSameDevice, Errno::EXDEV),
            (PosixOp::Link, NtError::TooManyLinks, Errno::EMLINK),
            (PosixOp::Link, NtError::InvalidDeviceRequest, Errno::EPERM),
            (PosixOp::Readlink, NtError::NotAReparsePoint, Errno::EINVAL),
            (PosixOp::Getxattr, NtError::NotAReparsePoint, Errno::ENODATA),
            (PosixOp::Unlink, NtError::FileIsADirectory, Errno::EISDIR),
            (PosixOp::Setxattr, NtError::AccessDenied, Errno::EPERM),
            (PosixOp::Removexattr, NtError::AccessDenied, Errno::EPERM),
            (PosixOp::Setxattr, NtError::NotADirectory, Errno::EINVAL),
            (
                PosixOp::Setxattr,
                NtError::InvalidDeviceRequest,
                Errno::EOPNOTSUPP,
            ),
            (
                PosixOp::Setxattr,
                NtError::IoReparseDataInvalid,
                Errno::EINVAL,
            ),
            (
                PosixOp::Removexattr,
                NtError::NotAReparsePoint,
                Errno::ENODATA,
            ),
            (PosixOp::Rmdir, NtError::NotADirectory, Errno::ENOTDIR),
            (
                PosixOp::Open,
                NtError::ReparsePointNotResolved,
                Errno::ELOOP,
            ),
        ];
        for (op, e, want) in rows {
            assert_eq!(errno_for(op, e), want, "{op:?} {e:?}");
        }
    }
}
