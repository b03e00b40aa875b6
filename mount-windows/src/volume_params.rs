//! The WinFsp volume parameters, as data: what the mount claims to be and to
//! support. The Windows glue copies these into `winfsp::host::VolumeParams`.

use ntlinkfs_core::name::MAX_NAME_UNITS;
use ntlinkfs_core::{FileTime, FsKind, VolumeInfo};

/// 512-byte sectors, 8 per cluster: NTFS's default 4 KiB cluster.
pub const SECTOR_SIZE: u16 = 512;
pub const SECTORS_PER_ALLOCATION_UNIT: u16 = 8;
pub const ALLOCATION_UNIT: u64 = SECTOR_SIZE as u64 * SECTORS_PER_ALLOCATION_UNIT as u64;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeSettings {
    /// What GetVolumeInformation reports: the volume's kind (`NTFS`, `FAT32`,
    /// `exFAT`, `ReFS`), so tools that ask take the same decisions.
    pub file_system_name: &'static str,
    pub volume_serial_number: u32,
    pub volume_creation_time: FileTime,
    pub sector_size: u16,
    pub sectors_per_allocation_unit: u16,
    pub max_component_length: u16,
    /// NTFS: names match case-insensitively (N1) and keep their case.
    pub case_sensitive_search: bool,
    pub case_preserved_names: bool,
    pub unicode_on_disk: bool,
    /// The descriptor is fixed (see `security`), not stored per file: tools
    /// must not expect SetSecurity to persist.
    pub persistent_acls: bool,
    /// Junctions and symlinks are the core's reparse points; FAT volumes have
    /// none (the driver then refuses FSCTL_SET_REPARSE_POINT itself).
    pub reparse_points: bool,
    /// Off: creating a symlink is decided by the core's profile (S2), not by
    /// WinFsp's privilege check.
    pub reparse_points_access_check: bool,
    pub named_streams: bool,
    pub extended_attributes: bool,
    pub read_only_volume: bool,
    /// 0: WinFsp caches neither metadata nor data, so every name of a hard
    /// linked file shows the same bytes at once (the driver keys its cache
    /// per name, and does not know the names share a file).
    pub file_info_timeout: u32,
    pub post_cleanup_when_modified_only: bool,
    /// Forward the private `control` IOCTLs (the true hard-link names).
    pub device_control: bool,
}

impl VolumeSettings {
    /// The parameters of one mounted core volume.
    pub fn for_volume(info: &VolumeInfo, created: FileTime) -> VolumeSettings {
        VolumeSettings {
            file_system_name: match info.kind {
                FsKind::Ntfs | FsKind::Network => "NTFS",
                FsKind::Fat32 => "FAT32",
                FsKind::ExFat => "exFAT",
                FsKind::Refs(..) => "ReFS",
            },
            volume_serial_number: info.serial,
            volume_creation_time: created,
            sector_size: SECTOR_SIZE,
            sectors_per_allocation_unit: SECTORS_PER_ALLOCATION_UNIT,
            max_component_length: MAX_NAME_UNITS as u16,
            case_sensitive_search: false,
            case_preserved_names: true,
            unicode_on_disk: true,
            persistent_acls: false,
            reparse_points: info.kind.supports_reparse_points(),
            reparse_points_access_check: false,
            named_streams: false,
            extended_attributes: false,
            read_only_volume: false,
            file_info_timeout: 0,
            post_cleanup_when_modified_only: true,
            device_control: true,
        }
    }
}

/// (total, free) bytes for GetVolumeInformation / `dir`'s "bytes free": the
/// volume's size (`--volume D:ntfs:SIZE`, 64 GiB by default) less its data.
pub fn space(info: &VolumeInfo) -> (u64, u64) {
    (info.size, info.size.saturating_sub(info.bytes))
}

/// A volume label fits WinFsp's 32-unit field; longer labels are cut.
pub fn label_units(label: &str) -> Vec<u16> {
    label.encode_utf16().take(32).collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntlinkfs_core::Machine;

    #[test]
    fn ntfs_capabilities_as_data() {
        let m = Machine::default();
        let info = m.volume_info(1);
        let s = VolumeSettings::for_volume(&info, 42);
        assert_eq!(s.file_system_name, "NTFS");
        assert_eq!(s.volume_serial_number, info.serial);
        assert_eq!(s.volume_creation_time, 42);
        assert_eq!((s.sector_size, s.sectors_per_allocation_unit), (512, 8));
        assert_eq!(ALLOCATION_UNIT, 4096);
        assert_eq!(s.max_component_length, 255);
        assert_eq!(
            (
                s.case_sensitive_search,
                s.case_preserved_names,
                s.reparse_points,
                s.reparse_points_access_check,
                s.named_streams,
            ),
            (false, true, true, false, false)
        );
        assert_eq!(s.file_info_timeout, 0);
        assert!(s.device_control);
    }

    #[test]
    fn other_kinds_report_their_name_and_reparse_support() {
        let mut m = Machine::default();
        let rows = [
            (FsKind::Fat32, "FAT32", false),
            (FsKind::ExFat, "exFAT", false),
            (FsKind::Refs(3, 5), "ReFS", true),
        ];
        for (i, (kind, name, reparse)) in rows.into_iter().enumerate() {
            let id = m.add_volume((b'E' + i as u8) as char, kind, None).unwrap();
            let s = VolumeSettings::for_volume(&m.volume_info(id), 0);
            assert_eq!(
                (s.file_system_name, s.reparse_points),
                (name, reparse),
                "{kind:?}"
            );
        }
    }

    #[test]
    fn space_and_label() {
        let mut m = Machine::default();
        assert_eq!(space(&m.volume_info(1)), (64 << 30, 64 << 30));
        m.set_volume_size(1, 1 << 20).unwrap();
        m.write_file(r"D:\f", &[1; 4096]).unwrap();
        assert_eq!(space(&m.volume_info(1)), (1 << 20, (1 << 20) - 4096));
        assert_eq!(label_units("NTFS").len(), 4);
        assert_eq!(label_units(&"x".repeat(40)).len(), 32);
    }
}
