//! Core file information → a plain mirror of WinFsp's `FSP_FSCTL_FILE_INFO`
//! (winfsp-rs `filesystem::FileInfo`), field for field, so the translation is
//! tested on every platform and the Windows glue only copies fields.

use crate::volume_params::ALLOCATION_UNIT;
use ntlinkfs_core::attrs::FILE_ATTRIBUTE_REPARSE_POINT;
use ntlinkfs_core::{DirEntryClassed, FileInfo};

/// `FSP_FSCTL_FILE_INFO`, as plain data.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct FspFileInfo {
    pub file_attributes: u32,
    /// The tag when `file_attributes` has FILE_ATTRIBUTE_REPARSE_POINT, else 0.
    pub reparse_tag: u32,
    /// File size rounded up to the allocation unit; 0 for directories.
    pub allocation_size: u64,
    pub file_size: u64,
    pub creation_time: u64,
    pub last_access_time: u64,
    pub last_write_time: u64,
    pub change_time: u64,
    /// The 64-bit NTFS file reference (unique per volume; each volume is its
    /// own mount, so unique per mount).
    pub index_number: u64,
    /// Always 0: WinFsp has no hard-link support, its driver ignores this field
    /// and reports NumberOfLinks = 1 for every file (FspFsvolQueryStandardInformation).
    pub hard_links: u32,
    /// No extended attributes (the volume does not offer them).
    pub ea_size: u32,
}

impl FspFileInfo {
    pub fn from_core(info: &FileInfo) -> FspFileInfo {
        let is_reparse = info.attributes & FILE_ATTRIBUTE_REPARSE_POINT != 0;
        let allocation_size = if info.is_directory {
            0
        } else {
            info.size.div_ceil(ALLOCATION_UNIT) * ALLOCATION_UNIT
        };
        FspFileInfo {
            file_attributes: info.attributes,
            reparse_tag: if is_reparse {
                info.reparse_tag.unwrap_or(0)
            } else {
                0
            },
            allocation_size,
            file_size: info.size,
            creation_time: info.times.creation,
            last_access_time: info.times.last_access,
            last_write_time: info.times.last_write,
            change_time: info.times.change,
            index_number: info.id.file.0,
            hard_links: 0,
            ea_size: 0,
        }
    }
}

impl FspFileInfo {
    /// A directory entry for `FSP_FSCTL_DIR_INFO`, from the core's
    /// FILE_ID_EXTD_BOTH_DIR_INFORMATION shape (J18): WinFsp takes the tag in
    /// FileInfo.ReparseTag (its own passthrough file system fills that from
    /// EaSize of FILE_ID_BOTH_DIR_INFORMATION) and builds the class the caller
    /// asked for itself. `None` for a shape without the needed fields.
    pub fn from_dir_entry(e: &DirEntryClassed) -> Option<FspFileInfo> {
        let DirEntryClassed::IdExtdBothDirectory {
            basics,
            reparse_point_tag,
            file_id,
            ..
        } = e
        else {
            return None;
        };
        let mut low = [0u8; 8];
        low.copy_from_slice(&file_id[..8]);
        Some(FspFileInfo {
            file_attributes: basics.file_attributes,
            reparse_tag: *reparse_point_tag,
            allocation_size: basics.allocation_size,
            file_size: basics.end_of_file,
            creation_time: basics.times.creation,
            last_access_time: basics.times.last_access,
            last_write_time: basics.times.last_write,
            change_time: basics.times.change,
            index_number: u64::from_le_bytes(low),
            hard_links: 0,
            ea_size: 0,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntlinkfs_core::attrs::{
        FILE_ATTRIBUTE_ARCHIVE, FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_REPARSE_POINT,
    };
    use ntlinkfs_core::reparse::{IO_REPARSE_TAG_MOUNT_POINT, IO_REPARSE_TAG_SYMLINK};
    use ntlinkfs_core::{FixedClock, Follow, Machine, ReparseData};
    use std::sync::Arc;

    const T0: u64 = 133_000_000_000_000_000;

    fn machine() -> Machine {
        let mut m = Machine::default();
        m.set_clock(Arc::new(FixedClock(T0)));
        m.create_directory(r"C:\d").unwrap();
        m.write_file(r"C:\d\empty", b"").unwrap();
        m.write_file(r"C:\d\one", b"x").unwrap();
        m.write_file(r"C:\d\page", &[7; 4096]).unwrap();
        m.write_file(r"C:\d\page1", &[7; 4097]).unwrap();
        m.create_hard_link(r"C:\d\one2", r"C:\d\one").unwrap();
        m.create_junction(r"C:\j", r"C:\d").unwrap();
        m.write_file(r"C:\sl", b"").unwrap();
        let sl = ReparseData::symlink(r"d\one", r"d\one", true).encode();
        m.set_reparse_point(r"C:\sl", &sl).unwrap();
        m
    }

    #[test]
    fn from_core_table() {
        let m = machine();
        // path, attributes, tag, allocation, size
        let rows: &[(&str, u32, u32, u64, u64)] = &[
            (r"C:\d", FILE_ATTRIBUTE_DIRECTORY, 0, 0, 0),
            (r"C:\d\empty", FILE_ATTRIBUTE_ARCHIVE, 0, 0, 0),
            (r"C:\d\one", FILE_ATTRIBUTE_ARCHIVE, 0, 4096, 1),
            (r"C:\d\page", FILE_ATTRIBUTE_ARCHIVE, 0, 4096, 4096),
            (r"C:\d\page1", FILE_ATTRIBUTE_ARCHIVE, 0, 8192, 4097),
            (
                r"C:\j",
                FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT,
                IO_REPARSE_TAG_MOUNT_POINT,
                0,
                0,
            ),
            (
                r"C:\sl",
                FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_REPARSE_POINT,
                IO_REPARSE_TAG_SYMLINK,
                0,
                0,
            ),
        ];
        for &(path, attrs, tag, alloc, size) in rows {
            let info = m.query_information(path, Follow::OpenReparsePoint).unwrap();
            let f = FspFileInfo::from_core(&info);
            assert_eq!(
                f.file_attributes & !0x20,
                attrs & !0x20,
                "{path} attributes"
            );
            assert_eq!(f.file_attributes, info.attributes, "{path}");
            assert_eq!(
                (f.reparse_tag, f.allocation_size, f.file_size),
                (tag, alloc, size),
                "{path}"
            );
            assert_eq!(f.index_number, info.id.file.0, "{path}");
            assert_eq!(
                (
                    f.creation_time,
                    f.last_access_time,
                    f.last_write_time,
                    f.change_time
                ),
                (T0, T0, T0, T0),
                "{path}"
            );
            assert_eq!((f.hard_links, f.ea_size), (0, 0), "{path}");
        }
    }

    #[test]
    fn hard_linked_names_share_index_number_and_report_no_link_count() {
        let m = machine();
        let a = m.query_information(r"C:\d\one", Follow::Reparse).unwrap();
        let b = m.query_information(r"C:\d\one2", Follow::Reparse).unwrap();
        assert_eq!(a.link_count, 2); // the core knows (HL21) ...
        let (fa, fb) = (FspFileInfo::from_core(&a), FspFileInfo::from_core(&b));
        assert_eq!(fa.index_number, fb.index_number);
        assert_eq!((fa.hard_links, fb.hard_links), (0, 0)); // ... WinFsp cannot say
    }
}
