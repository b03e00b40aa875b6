//! NtCreateFile's create options and granted access, as WinFsp passes them to
//! Open and Create → the core's [`OpenOptions`].
//!
//! The last component is never followed here: WinFsp reports its reparse point
//! attribute and the I/O manager re-parses (DESIGN "mount-windows"). The
//! access WinFsp granted (checked against the descriptor the core reports,
//! see `volume_fs::descriptor_of`) is the handle's access in the core, so
//! FSCTLs, renames and dispositions through it are checked as NTFS checks
//! them. Share modes and delete-on-close are enforced by the WinFsp driver,
//! which sees every open's ShareAccess (its Open callback is not given it),
//! so the core's handles share everything and do not check them twice.

use ntlinkfs_core::access::FILE_SHARE_ALL;
use ntlinkfs_core::attrs::SETTABLE_ATTRIBUTES;
use ntlinkfs_core::{Disposition, Follow, OpenOptions, Want};

pub const FILE_DIRECTORY_FILE: u32 = 0x0000_0001;
pub const FILE_NON_DIRECTORY_FILE: u32 = 0x0000_0040;
pub const FILE_WRITE_DATA: u32 = 0x0000_0002;
pub const FILE_APPEND_DATA: u32 = 0x0000_0004;

/// Options for opening (`Disposition::Open`) or creating (`Disposition::Create`)
/// the object a WinFsp name denotes. `trailing_separator`: the name ended with
/// `\`, so it can only be a directory (P11).
pub fn open_options(
    disposition: Disposition,
    create_options: u32,
    granted_access: u32,
    file_attributes: u32,
    trailing_separator: bool,
) -> OpenOptions {
    let want = if create_options & FILE_DIRECTORY_FILE != 0 || trailing_separator {
        Want::Directory
    } else if create_options & FILE_NON_DIRECTORY_FILE != 0 || disposition == Disposition::Create {
        Want::File
    } else {
        Want::Any
    };
    OpenOptions {
        disposition,
        want,
        follow: Follow::OpenReparsePoint,
        access: granted_access,
        share: FILE_SHARE_ALL,
        delete_on_close: false,
        attributes: file_attributes & SETTABLE_ATTRIBUTES,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntlinkfs_core::attrs::{FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_HIDDEN};

    #[test]
    fn open_options_table() {
        // disposition, create options, access, trailing → want, write
        let rows = [
            (Disposition::Open, 0, 0x0012_0089, false, Want::Any, false),
            (
                Disposition::Open,
                FILE_DIRECTORY_FILE,
                0,
                false,
                Want::Directory,
                false,
            ),
            (
                Disposition::Open,
                FILE_NON_DIRECTORY_FILE,
                FILE_WRITE_DATA,
                false,
                Want::File,
                true,
            ),
            (
                Disposition::Open,
                0,
                FILE_APPEND_DATA,
                true,
                Want::Directory,
                true,
            ),
            (Disposition::Create, 0, 0x001F_01FF, false, Want::File, true),
            (
                Disposition::Create,
                FILE_DIRECTORY_FILE,
                0x001F_01FF,
                false,
                Want::Directory,
                true,
            ),
        ];
        for (d, co, access, trailing, want, write) in rows {
            let o = open_options(d, co, access, 0, trailing);
            assert_eq!(
                (o.want, o.wants_write()),
                (want, write),
                "{d:?} {co:#x} {access:#x}"
            );
            assert_eq!(o.follow, Follow::OpenReparsePoint);
            assert_eq!(o.disposition, d);
            assert_eq!(o.access, access);
            assert!(o.share == FILE_SHARE_ALL && !o.delete_on_close);
        }
    }

    #[test]
    fn only_settable_attributes_pass() {
        let o = open_options(
            Disposition::Create,
            0,
            0,
            FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_DIRECTORY,
            false,
        );
        assert_eq!(o.attributes, FILE_ATTRIBUTE_HIDDEN);
    }
}
