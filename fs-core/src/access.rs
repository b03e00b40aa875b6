//! Access masks and share modes: what a handle may do and what it lets later
//! opens do (NtCreateFile's DesiredAccess and ShareAccess).
//!
//! Generic rights map to file rights with the file object's generic mapping
//! (the same for files and directories); the share check is the I/O
//! manager's IoCheckShareAccess: only opens asking for read, write or delete
//! access take part, and a new open must be compatible with every counted
//! open both ways (its access against their share, their access against its
//! share), else STATUS_SHARING_VIOLATION.

/// FILE_READ_DATA (a directory's FILE_LIST_DIRECTORY).
pub const FILE_READ_DATA: u32 = 0x0001;
/// FILE_LIST_DIRECTORY: enumerate a directory.
pub const FILE_LIST_DIRECTORY: u32 = 0x0001;
/// FILE_WRITE_DATA (a directory's FILE_ADD_FILE).
pub const FILE_WRITE_DATA: u32 = 0x0002;
/// FILE_ADD_FILE: create a file (or a new name) in a directory.
pub const FILE_ADD_FILE: u32 = 0x0002;
/// FILE_APPEND_DATA (a directory's FILE_ADD_SUBDIRECTORY).
pub const FILE_APPEND_DATA: u32 = 0x0004;
/// FILE_ADD_SUBDIRECTORY: create a subdirectory.
pub const FILE_ADD_SUBDIRECTORY: u32 = 0x0004;
/// FILE_READ_EA.
pub const FILE_READ_EA: u32 = 0x0008;
/// FILE_WRITE_EA.
pub const FILE_WRITE_EA: u32 = 0x0010;
/// FILE_EXECUTE (a directory's FILE_TRAVERSE).
pub const FILE_EXECUTE: u32 = 0x0020;
/// FILE_TRAVERSE: pass through a directory.
pub const FILE_TRAVERSE: u32 = 0x0020;
/// FILE_DELETE_CHILD.
pub const FILE_DELETE_CHILD: u32 = 0x0040;
/// FILE_READ_ATTRIBUTES.
pub const FILE_READ_ATTRIBUTES: u32 = 0x0080;
/// FILE_WRITE_ATTRIBUTES.
pub const FILE_WRITE_ATTRIBUTES: u32 = 0x0100;
/// DELETE.
pub const DELETE: u32 = 0x0001_0000;
/// READ_CONTROL.
pub const READ_CONTROL: u32 = 0x0002_0000;
/// WRITE_DAC.
pub const WRITE_DAC: u32 = 0x0004_0000;
/// WRITE_OWNER.
pub const WRITE_OWNER: u32 = 0x0008_0000;
/// SYNCHRONIZE (every Win32 CreateFile adds it).
pub const SYNCHRONIZE: u32 = 0x0010_0000;
/// MAXIMUM_ALLOWED: whatever the security descriptor grants.
pub const MAXIMUM_ALLOWED: u32 = 0x0200_0000;
/// GENERIC_ALL.
pub const GENERIC_ALL: u32 = 0x1000_0000;
/// GENERIC_EXECUTE.
pub const GENERIC_EXECUTE: u32 = 0x2000_0000;
/// GENERIC_WRITE.
pub const GENERIC_WRITE: u32 = 0x4000_0000;
/// GENERIC_READ.
pub const GENERIC_READ: u32 = 0x8000_0000;

/// STANDARD_RIGHTS_READ (= WRITE = EXECUTE = READ_CONTROL).
const STANDARD_RIGHTS: u32 = READ_CONTROL;
/// FILE_GENERIC_READ: what GENERIC_READ means for a file.
pub const FILE_GENERIC_READ: u32 =
    STANDARD_RIGHTS | FILE_READ_DATA | FILE_READ_ATTRIBUTES | FILE_READ_EA | SYNCHRONIZE;
/// FILE_GENERIC_WRITE.
pub const FILE_GENERIC_WRITE: u32 = STANDARD_RIGHTS
    | FILE_WRITE_DATA
    | FILE_WRITE_ATTRIBUTES
    | FILE_WRITE_EA
    | FILE_APPEND_DATA
    | SYNCHRONIZE;
/// FILE_GENERIC_EXECUTE.
pub const FILE_GENERIC_EXECUTE: u32 =
    STANDARD_RIGHTS | FILE_READ_ATTRIBUTES | FILE_EXECUTE | SYNCHRONIZE;
/// FILE_ALL_ACCESS.
pub const FILE_ALL_ACCESS: u32 = 0x001F_01FF;

/// FILE_SHARE_READ.
pub const FILE_SHARE_READ: u32 = 0x1;
/// FILE_SHARE_WRITE.
pub const FILE_SHARE_WRITE: u32 = 0x2;
/// FILE_SHARE_DELETE.
pub const FILE_SHARE_DELETE: u32 = 0x4;
/// All three share bits.
pub const FILE_SHARE_ALL: u32 = FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE;

/// The access bits that count as reading for the share check.
const READ_ACCESS: u32 = FILE_READ_DATA | FILE_EXECUTE;
/// The access bits that count as writing for the share check.
const WRITE_ACCESS: u32 = FILE_WRITE_DATA | FILE_APPEND_DATA;

/// Maps GENERIC_* bits to file rights (RtlMapGenericMask with the file
/// object's mapping); MAXIMUM_ALLOWED is kept for the access check.
pub fn map_generic(mask: u32) -> u32 {
    let mut m = mask & !(GENERIC_READ | GENERIC_WRITE | GENERIC_EXECUTE | GENERIC_ALL);
    if mask & GENERIC_READ != 0 {
        m |= FILE_GENERIC_READ;
    }
    if mask & GENERIC_WRITE != 0 {
        m |= FILE_GENERIC_WRITE;
    }
    if mask & GENERIC_EXECUTE != 0 {
        m |= FILE_GENERIC_EXECUTE;
    }
    if mask & GENERIC_ALL != 0 {
        m |= FILE_ALL_ACCESS;
    }
    m
}

/// One open as the share check sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct ShareEntry {
    /// The granted access (generic bits mapped).
    pub access: u32,
    /// FILE_SHARE_* bits.
    pub share: u32,
}

impl ShareEntry {
    /// Whether IoCheckShareAccess counts this open: only read, write or delete
    /// access takes part (an attributes-only open neither blocks nor is blocked).
    pub fn counted(self) -> bool {
        self.access & (READ_ACCESS | WRITE_ACCESS | DELETE) != 0
    }

    /// IoCheckShareAccess for a new open against one existing open: false on
    /// a sharing violation.
    pub fn compatible_with(self, existing: ShareEntry) -> bool {
        if !self.counted() || !existing.counted() {
            return true;
        }
        let wants = |access: u32, bits: u32| access & bits != 0;
        let shares = |share: u32, bit: u32| share & bit != 0;
        let new_ok = (!wants(self.access, READ_ACCESS) || shares(existing.share, FILE_SHARE_READ))
            && (!wants(self.access, WRITE_ACCESS) || shares(existing.share, FILE_SHARE_WRITE))
            && (!wants(self.access, DELETE) || shares(existing.share, FILE_SHARE_DELETE));
        let old_ok = (!wants(existing.access, READ_ACCESS) || shares(self.share, FILE_SHARE_READ))
            && (!wants(existing.access, WRITE_ACCESS) || shares(self.share, FILE_SHARE_WRITE))
            && (!wants(existing.access, DELETE) || shares(self.share, FILE_SHARE_DELETE));
        new_ok && old_ok
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn generic_mapping_matches_the_file_object_mapping() {
        assert_eq!(map_generic(GENERIC_READ), 0x0012_0089);
        assert_eq!(map_generic(GENERIC_WRITE), 0x0012_0116);
        assert_eq!(map_generic(GENERIC_EXECUTE), 0x0012_00A0);
        assert_eq!(map_generic(GENERIC_ALL), FILE_ALL_ACCESS);
        assert_eq!(
            map_generic(DELETE | MAXIMUM_ALLOWED),
            DELETE | MAXIMUM_ALLOWED
        );
    }

    #[test]
    fn share_check_table() {
        let e = |access, share| ShareEntry { access, share };
        // new, existing, compatible
        let rows = [
            // Two readers sharing read.
            (
                e(FILE_READ_DATA, FILE_SHARE_READ),
                e(FILE_READ_DATA, FILE_SHARE_READ),
                true,
            ),
            // A writer after a reader that does not share write.
            (
                e(FILE_WRITE_DATA, FILE_SHARE_ALL),
                e(FILE_READ_DATA, FILE_SHARE_READ),
                false,
            ),
            // A reader that does not share write after a writer.
            (
                e(FILE_READ_DATA, FILE_SHARE_READ),
                e(FILE_WRITE_DATA, FILE_SHARE_ALL),
                false,
            ),
            // Delete after an open without FILE_SHARE_DELETE.
            (
                e(DELETE, FILE_SHARE_ALL),
                e(FILE_READ_DATA, FILE_SHARE_READ | FILE_SHARE_WRITE),
                false,
            ),
            // Attribute-only opens take no part (BTRFS links.cpp: a
            // FILE_READ_ATTRIBUTES open of a second link).
            (e(FILE_READ_ATTRIBUTES, 0), e(FILE_READ_DATA, 0), true),
            (
                e(FILE_READ_DATA, 0),
                e(FILE_READ_ATTRIBUTES | SYNCHRONIZE, 0),
                true,
            ),
            // Share bits of an open with no conflicting access do not matter.
            (
                e(FILE_READ_DATA, FILE_SHARE_READ),
                e(DELETE, FILE_SHARE_READ),
                false,
            ),
        ];
        for (new, old, ok) in rows {
            assert_eq!(new.compatible_with(old), ok, "{new:?} after {old:?}");
        }
    }
}
