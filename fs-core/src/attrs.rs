//! FILE_ATTRIBUTE_* values (SEMANTICS §0), FILETIME timestamps with their
//! Unix and calendar conversions, and the [`Clock`] a machine reads the time
//! from (the host's, or a fixed one for transcripts and images).

/// The file cannot be written or deleted.
pub const FILE_ATTRIBUTE_READONLY: u32 = 0x1;
/// Hidden from a plain `dir`.
pub const FILE_ATTRIBUTE_HIDDEN: u32 = 0x2;
/// A file the operating system uses.
pub const FILE_ATTRIBUTE_SYSTEM: u32 = 0x4;
/// The node is a directory (never settable by a caller).
pub const FILE_ATTRIBUTE_DIRECTORY: u32 = 0x10;
/// Marked for backup; every file created or overwritten gets it.
pub const FILE_ATTRIBUTE_ARCHIVE: u32 = 0x20;
/// No other attribute set (only valid alone).
pub const FILE_ATTRIBUTE_NORMAL: u32 = 0x80;
/// Kept in memory if possible.
pub const FILE_ATTRIBUTE_TEMPORARY: u32 = 0x100;
/// The node has a reparse point: a junction, a symbolic link or another tag (never settable).
pub const FILE_ATTRIBUTE_REPARSE_POINT: u32 = 0x400;
/// Not indexed by the content indexing service.
pub const FILE_ATTRIBUTE_NOT_CONTENT_INDEXED: u32 = 0x2000;

/// Attribute bits a caller may set with SetFileAttributes; DIRECTORY and
/// REPARSE_POINT belong to the object and are never taken from the caller.
pub const SETTABLE_ATTRIBUTES: u32 = FILE_ATTRIBUTE_READONLY
    | FILE_ATTRIBUTE_HIDDEN
    | FILE_ATTRIBUTE_SYSTEM
    | FILE_ATTRIBUTE_ARCHIVE
    | FILE_ATTRIBUTE_TEMPORARY
    | FILE_ATTRIBUTE_NOT_CONTENT_INDEXED;

/// 100-ns intervals since 1601-01-01 UTC (FILETIME).
pub type FileTime = u64;

/// FILETIME of the Unix epoch.
pub const UNIX_EPOCH_FILETIME: FileTime = 116_444_736_000_000_000;

/// The four NTFS timestamps.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Hash)]
pub struct Times {
    /// When the file was created.
    pub creation: FileTime,
    /// Last read.
    pub last_access: FileTime,
    /// Last data write.
    pub last_write: FileTime,
    /// Last change of data or metadata (the MFT record).
    pub change: FileTime,
}

impl Times {
    /// All four timestamps set to `t` (a new file).
    pub fn all(t: FileTime) -> Times {
        Times {
            creation: t,
            last_access: t,
            last_write: t,
            change: t,
        }
    }
}

/// Splits a FILETIME into (Unix seconds, nanoseconds).
pub fn filetime_to_unix(t: FileTime) -> (i64, u32) {
    let rel = t as i128 - UNIX_EPOCH_FILETIME as i128;
    let secs = rel.div_euclid(10_000_000) as i64;
    let nanos = (rel.rem_euclid(10_000_000) * 100) as u32;
    (secs, nanos)
}

/// Joins Unix seconds and nanoseconds into a FILETIME (saturating before 1601).
pub fn unix_to_filetime(secs: i64, nanos: u32) -> FileTime {
    let t = secs as i128 * 10_000_000 + (nanos / 100) as i128 + UNIX_EPOCH_FILETIME as i128;
    t.clamp(0, u64::MAX as i128) as u64
}

/// Civil date and time of a FILETIME (UTC): (year, month, day, hour, minute).
pub fn civil(t: FileTime) -> (i64, u32, u32, u32, u32) {
    let (secs, _) = filetime_to_unix(t);
    let days = secs.div_euclid(86_400);
    let rem = secs.rem_euclid(86_400);
    // Howard Hinnant's days-to-civil.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = if m <= 2 { y + 1 } else { y };
    (y, m, d, (rem / 3600) as u32, ((rem % 3600) / 60) as u32)
}

/// The time source of a machine: a seam so tests and transcripts are deterministic.
pub trait Clock: Send + Sync {
    /// The current time as a FILETIME.
    fn now(&self) -> FileTime;
}

/// The host's wall clock.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> FileTime {
        let d = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap_or_default();
        unix_to_filetime(d.as_secs() as i64, d.subsec_nanos())
    }
}

/// A clock that always reads the same instant.
#[derive(Debug, Clone, Copy)]
pub struct FixedClock(pub FileTime);

impl Clock for FixedClock {
    fn now(&self) -> FileTime {
        self.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filetime_conversions() {
        assert_eq!(filetime_to_unix(UNIX_EPOCH_FILETIME), (0, 0));
        assert_eq!(unix_to_filetime(1, 500), UNIX_EPOCH_FILETIME + 10_000_005);
        assert_eq!(
            filetime_to_unix(unix_to_filetime(1_700_000_000, 123_456_700)),
            (1_700_000_000, 123_456_700)
        );
        assert_eq!(civil(unix_to_filetime(0, 0)), (1970, 1, 1, 0, 0));
        assert_eq!(
            civil(unix_to_filetime(1_709_210_096, 0)),
            (2024, 2, 29, 12, 34)
        );
    }
}
