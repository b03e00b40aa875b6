//! Core errno names -> this platform's errno values (pure, exhaustive), and
//! [`for_op`], the only way the adapter turns an error into a number: the
//! dispatcher calls it once per failed request, so every failure it reports
//! comes from an `NtError` through `errno_for` (DESIGN: adapters never invent
//! errors).

use ntlinkfs_core::{errno_for, Errno, NtError, PosixOp};

/// The platform value of a portable errno name.
pub fn raw(e: Errno) -> i32 {
    match e {
        Errno::ENOENT => libc::ENOENT,
        Errno::ENOTDIR => libc::ENOTDIR,
        Errno::EINVAL => libc::EINVAL,
        Errno::ENAMETOOLONG => libc::ENAMETOOLONG,
        Errno::EEXIST => libc::EEXIST,
        Errno::EACCES => libc::EACCES,
        Errno::EISDIR => libc::EISDIR,
        Errno::ENOTEMPTY => libc::ENOTEMPTY,
        Errno::EPERM => libc::EPERM,
        Errno::EBUSY => libc::EBUSY,
        Errno::EXDEV => libc::EXDEV,
        Errno::EMLINK => libc::EMLINK,
        Errno::EOPNOTSUPP => libc::EOPNOTSUPP,
        // "No such attribute": the BSDs and macOS name it ENOATTR.
        #[cfg(target_os = "linux")]
        Errno::ENODATA => libc::ENODATA,
        #[cfg(not(target_os = "linux"))]
        Errno::ENODATA => libc::ENOATTR,
        Errno::EIO => libc::EIO,
        Errno::ELOOP => libc::ELOOP,
        Errno::ERANGE => libc::ERANGE,
        Errno::ENOSPC => libc::ENOSPC,
        Errno::EROFS => libc::EROFS,
        Errno::EFBIG => libc::EFBIG,
        Errno::ENOMEM => libc::ENOMEM,
    }
}

/// The reply errno for `e` failing the POSIX operation `op`.
pub fn for_op(op: PosixOp, e: NtError) -> crate::fuse::Errno {
    crate::fuse::Errno::from_i32(raw(errno_for(op, e)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_status_maps_to_a_positive_errno() {
        for &e in NtError::ALL {
            assert!(raw(e.errno()) > 0, "{e:?}");
        }
    }

    #[cfg(target_os = "linux")]
    const NO_ATTR: i32 = libc::ENODATA;
    #[cfg(not(target_os = "linux"))]
    const NO_ATTR: i32 = libc::ENOATTR;

    #[test]
    fn link_rules_map_to_f6_errnos() {
        let rows = [
            (PosixOp::Link, NtError::NotSameDevice, libc::EXDEV),
            (PosixOp::Link, NtError::TooManyLinks, libc::EMLINK),
            (PosixOp::Link, NtError::InvalidDeviceRequest, libc::EPERM),
            (PosixOp::Link, NtError::FileIsADirectory, libc::EPERM),
            (PosixOp::Unlink, NtError::FileIsADirectory, libc::EISDIR),
            (PosixOp::Rmdir, NtError::DirectoryNotEmpty, libc::ENOTEMPTY),
            (PosixOp::Other, NtError::ObjectNameInvalid, libc::EINVAL),
            (PosixOp::Other, NtError::NameTooLong, libc::ENAMETOOLONG),
            (PosixOp::Getxattr, NtError::NotAReparsePoint, NO_ATTR),
        ];
        for (op, e, want) in rows {
            assert_eq!(for_op(op, e).code(), want, "{op:?} {e:?}");
        }
    }
}
