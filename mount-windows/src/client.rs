//! Asking a mounted ntlinkfs volume from another process, on Windows: the
//! true hard-link names (IOCTL_NTLINKFS_QUERY_NAMES) and the raw reparse
//! buffer (FSCTL_GET_REPARSE_POINT), for `ntlinkfs fsutil`.

use crate::control::{self, DEVICE_CONTROL_SIZEMAX, IOCTL_NTLINKFS_QUERY_NAMES};
use std::ffi::c_void;
use std::fs::File;
use std::io;
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::AsRawHandle;
use std::path::Path;

const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;
const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
/// CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 42, METHOD_BUFFERED, FILE_ANY_ACCESS).
const FSCTL_GET_REPARSE_POINT: u32 = 0x0009_00A8;
/// MAXIMUM_REPARSE_DATA_BUFFER_SIZE.
const MAXIMUM_REPARSE_DATA_BUFFER_SIZE: usize = 16 * 1024;

#[link(name = "kernel32")]
extern "system" {
    fn DeviceIoControl(
        device: *mut c_void,
        code: u32,
        input: *const c_void,
        input_len: u32,
        output: *mut c_void,
        output_len: u32,
        returned: *mut u32,
        overlapped: *mut c_void,
    ) -> i32;
}

/// Opens `path` for queries only (no data access), directories included.
fn open(path: &Path, follow: bool) -> io::Result<File> {
    let flags = FILE_FLAG_BACKUP_SEMANTICS
        | if follow {
            0
        } else {
            FILE_FLAG_OPEN_REPARSE_POINT
        };
    std::fs::OpenOptions::new()
        .access_mode(0)
        .custom_flags(flags)
        .open(path)
}

fn ioctl(file: &File, code: u32, input: &[u8], capacity: usize) -> io::Result<Vec<u8>> {
    let mut out = vec![0u8; capacity];
    let mut returned = 0u32;
    // SAFETY: the handle is open for the call's duration; both buffers are
    // valid for the lengths passed, and the call is synchronous (no OVERLAPPED).
    let ok = unsafe {
        DeviceIoControl(
            file.as_raw_handle().cast(),
            code,
            input.as_ptr().cast(),
            input.len() as u32,
            out.as_mut_ptr().cast(),
            out.len() as u32,
            &mut returned,
            std::ptr::null_mut(),
        )
    };
    if ok == 0 {
        return Err(io::Error::last_os_error());
    }
    out.truncate(returned as usize);
    Ok(out)
}

/// Every name of the file at `path` (links followed, as FindFirstFileNameW
/// opens it), volume-relative, as the machine knows them.
pub fn query_names(path: &Path) -> io::Result<Vec<String>> {
    let file = open(path, true)?;
    let mut names = Vec::new();
    loop {
        let skip = (names.len() as u32).to_le_bytes();
        let reply = ioctl(
            &file,
            IOCTL_NTLINKFS_QUERY_NAMES,
            &skip,
            DEVICE_CONTROL_SIZEMAX,
        )?;
        let (total, page) = control::parse_names_reply(&reply)
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidData, "malformed names reply"))?;
        if page.is_empty() || names.len() + page.len() >= total {
            names.extend(page);
            return Ok(names);
        }
        names.extend(page);
    }
}

/// The raw reparse buffer of the object at `path` itself.
pub fn get_reparse_point(path: &Path) -> io::Result<Vec<u8>> {
    let file = open(path, false)?;
    ioctl(
        &file,
        FSCTL_GET_REPARSE_POINT,
        &[],
        MAXIMUM_REPARSE_DATA_BUFFER_SIZE,
    )
}
