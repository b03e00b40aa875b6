//! NTSTATUS values handed to WinFsp. Every failure is the core's [`NtError`];
//! the adapter never originates one (DESIGN.md).

use ntlinkfs_core::NtError;

pub const STATUS_SUCCESS: i32 = 0;

/// The NTSTATUS WinFsp receives for a core error (`NTSTATUS` is signed).
pub fn ntstatus(e: NtError) -> i32 {
    e.ntstatus() as i32
}

/// What `mklink /H` (CreateHardLinkW → FileLinkInformation) gets on any WinFsp
/// volume: the driver answers it itself, `STATUS_INVALID_PARAMETER /* no hard
/// link support */` (WinFsp src/sys/file.c, FspFsvolSetInformation), so cmd.exe
/// prints "The parameter is incorrect." The request never reaches this adapter.
pub const HARD_LINK_REFUSAL: NtError = NtError::InvalidParameter;

/// NT_SUCCESS: severity success or informational.
pub fn nt_success(status: i32) -> bool {
    status >= 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_core_error_is_a_failure_status_with_its_table_value() {
        for &e in NtError::ALL {
            let s = ntstatus(e);
            assert_eq!(s as u32, e.ntstatus(), "{e:?}");
            assert!(!nt_success(s), "{e:?} must not read as success");
        }
        assert!(nt_success(STATUS_SUCCESS));
        assert_eq!(ntstatus(NtError::NotSameDevice), 0xC000_00D4_u32 as i32);
    }

    #[test]
    fn mklink_h_on_winfsp_fails_invalid_parameter() {
        assert_eq!(HARD_LINK_REFUSAL.ntstatus(), 0xC000_000D);
        assert_eq!(HARD_LINK_REFUSAL.win32(), 87);
        assert_eq!(HARD_LINK_REFUSAL.message(), "The parameter is incorrect.");
    }
}
