//! The `Target` abstraction: something the same conformance rows run on (the
//! core directly, a FUSE mount, a real NTFS directory, a WinFsp mount). A
//! target runs one operation and reports what it saw in a target-neutral form;
//! the runner compares that with the row's expectation.

use crate::scenario::{Env, Op};
use ntlinkfs_core::{NtError, PosixOp};
use std::fmt;

/// What a successful operation returned. Fields a target cannot observe are
/// `None`; a check on such a field is skipped with the target's reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Observed {
    Unit,
    Bytes(Vec<u8>),
    Info(Info),
    Entries(Vec<String>),
    Text(String),
}

/// File information as far as the target can see it.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Info {
    /// A file identity comparable within one row (file ID, inode number).
    pub id: Option<u128>,
    pub links: Option<u32>,
    pub attrs: Option<u32>,
    pub tag: Option<Option<u32>>,
    pub size: Option<u64>,
    pub is_dir: Option<bool>,
    /// st_mode with its file-type bits (the Linux view).
    pub mode: Option<u32>,
    /// st_rdev as (major, minor).
    pub rdev: Option<(u32, u32)>,
    /// TotalNumberOfLinks (a handle query).
    pub total_links: Option<u32>,
    /// DeletePending (a handle query).
    pub delete_pending: Option<bool>,
}

/// Why an operation did not succeed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Failure {
    /// The core's own error.
    Nt(NtError),
    /// A Win32 error code (GetLastError) from a real Windows call.
    Win32(u32),
    /// A raw errno from a POSIX call, with the operation it is judged for
    /// (`errno_for` maps the expected NtError through it).
    Errno(i32, PosixOp),
    /// The operation (or this form of it) cannot be expressed on this target:
    /// the row is skipped with this reason, never counted as passed.
    Inexpressible(String),
    /// Anything else that went wrong (I/O on the harness itself).
    Harness(String),
}

impl fmt::Display for Failure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Failure::Nt(e) => write!(f, "{e:?} ({})", e.diagnostic()),
            Failure::Win32(c) => write!(f, "Win32 error {c}"),
            Failure::Errno(n, op) => write!(f, "errno {n} ({}) on {op:?}", errno_name(*n)),
            Failure::Inexpressible(r) => write!(f, "not expressible here: {r}"),
            Failure::Harness(r) => write!(f, "harness: {r}"),
        }
    }
}

impl Failure {
    /// Does this failure stand for `expected` on its target?
    pub fn matches(&self, expected: NtError) -> bool {
        match self {
            Failure::Nt(e) => *e == expected,
            Failure::Win32(c) => *c == expected.win32(),
            Failure::Errno(n, op) => {
                errno_value(ntlinkfs_core::errno_for(*op, expected)) == Some(*n)
            }
            Failure::Inexpressible(_) | Failure::Harness(_) => false,
        }
    }
}

/// A target: a fresh namespace per row, operations applied one by one.
pub trait Target {
    /// Short name for the report (`core`, `fuse`, `ntfs`).
    fn name(&self) -> &'static str;

    /// True for targets reached through POSIX calls (a FUSE mount): rows'
    /// `PosixView` applies to them.
    fn is_posix(&self) -> bool {
        false
    }

    /// Starts a row on a fresh machine built from `env`. `Err` skips the row with
    /// the reason (an environment this target cannot build).
    fn begin(&mut self, env: &Env) -> Result<(), String>;

    /// Applies one operation.
    fn apply(&mut self, op: &Op) -> Result<Observed, Failure>;

    /// Checks the target's own consistency (the core's invariants); the runner
    /// calls it after the setup and after every judged operation.
    fn verify(&mut self) -> Result<(), String> {
        Ok(())
    }

    /// Ends the row: closes handles, drops the namespace.
    fn end(&mut self);
}

/// The platform's value of a portable errno name (None where the platform has
/// no such errno).
pub fn errno_value(e: ntlinkfs_core::Errno) -> Option<i32> {
    #[cfg(unix)]
    {
        use ntlinkfs_core::Errno as E;
        Some(match e {
            E::ENOENT => libc::ENOENT,
            E::ENOTDIR => libc::ENOTDIR,
            E::EINVAL => libc::EINVAL,
            E::ENAMETOOLONG => libc::ENAMETOOLONG,
            E::EEXIST => libc::EEXIST,
            E::EACCES => libc::EACCES,
            E::EISDIR => libc::EISDIR,
            E::ENOTEMPTY => libc::ENOTEMPTY,
            E::EPERM => libc::EPERM,
            E::EBUSY => libc::EBUSY,
            E::EXDEV => libc::EXDEV,
            E::EMLINK => libc::EMLINK,
            E::EOPNOTSUPP => libc::EOPNOTSUPP,
            E::ENODATA => libc::ENODATA,
            E::EIO => libc::EIO,
            E::ELOOP => libc::ELOOP,
            E::ERANGE => libc::ERANGE,
            E::ENOSPC => libc::ENOSPC,
            E::EROFS => libc::EROFS,
            E::EFBIG => libc::EFBIG,
            E::ENOMEM => libc::ENOMEM,
        })
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        None
    }
}

/// The symbolic name of a raw errno, for messages.
pub fn errno_name(n: i32) -> &'static str {
    use ntlinkfs_core::Errno as E;
    const ALL: [E; 21] = [
        E::ENOENT,
        E::ENOTDIR,
        E::EINVAL,
        E::ENAMETOOLONG,
        E::EEXIST,
        E::EACCES,
        E::EISDIR,
        E::ENOTEMPTY,
        E::EPERM,
        E::EBUSY,
        E::EXDEV,
        E::EMLINK,
        E::EOPNOTSUPP,
        E::ENODATA,
        E::EIO,
        E::ELOOP,
        E::ERANGE,
        E::ENOSPC,
        E::EROFS,
        E::EFBIG,
        E::ENOMEM,
    ];
    ALL.iter()
        .find(|e| errno_value(**e) == Some(n))
        .map_or("?", |e| e.name())
}
