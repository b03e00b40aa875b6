//! 64-bit NTFS file references: MFT record number (48 bits) | sequence << 48.

use std::fmt;

/// An MFT record number (the slab index).
pub type RecordNo = u64;
/// A record's sequence number, bumped every time the record is freed.
pub type SeqNo = u16;

/// A file reference: stable while the file lives, never equal to that of a file
/// that had the same record before (STYLE 6.6).
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileRef(pub u64);

impl FileRef {
    /// Packs a record number (its low 48 bits) and a sequence number.
    pub fn new(record: RecordNo, seq: SeqNo) -> FileRef {
        FileRef((record & 0xFFFF_FFFF_FFFF) | (u64::from(seq) << 48))
    }
    /// The MFT record number.
    pub fn record(self) -> RecordNo {
        self.0 & 0xFFFF_FFFF_FFFF
    }
    /// The sequence number of the record when this reference was made.
    pub fn seq(self) -> SeqNo {
        (self.0 >> 48) as u16
    }
}

impl fmt::Debug for FileRef {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "FileRef({}#{})", self.record(), self.seq())
    }
}

impl fmt::Display for FileRef {
    /// As `fsutil file queryfileid` prints it: `0x0005000000000005`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "0x{:016x}", self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn packing() {
        let r = FileRef::new(5, 5);
        assert_eq!(r.0, 0x0005_0000_0000_0005);
        assert_eq!((r.record(), r.seq()), (5, 5));
        assert_eq!(r.to_string(), "0x0005000000000005");
        let big = FileRef::new(0xFFFF_FFFF_FFFF, 0xFFFF);
        assert_eq!((big.record(), big.seq()), (0xFFFF_FFFF_FFFF, 0xFFFF));
    }
}
