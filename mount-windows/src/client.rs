//! Asking a mounted ntlinkfs volume from another process, on Windows, for
//! `ntlinkfs fsutil` and `ntlinkfs mklink`: the true hard-link names and new
//! hard links (the private IOCTLs of `control`), and raw reparse buffers
//! (FSCTL_GET_REPARSE_POINT, FSCTL_SET_REPARSE_POINT).

use crate::control::{
    self, HardLinkRequest, DEVICE_CONTROL_SIZEMAX, IOCTL_NTLINKFS_CREATE_HARD_LINK,
    IOCTL_NTLINKFS_QUERY_NAMES,
};
use std::ffi::c_void;
use std::fs::File;
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::AsRawHandle;
use std::path::Path;

const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;
const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
/// CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 42, METHOD_BUFFERED, FILE_ANY_ACCESS).
const FSCTL_GET_REPARSE_POINT: u32 = 0x0009_00A8;
/// CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 41, METHOD_BUFFERED, FILE_SPECIAL_ACCESS).
const FSCTL_SET_REPARSE_POINT: u32 = 0x0009_00A4;
const FILE_WRITE_DATA: u32 = 0x2;
const FILE_READ_ATTRIBUTES: u32 = 0x80;
const FILE_WRITE_ATTRIBUTES: u32 = 0x100;
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
    fn GetFileInformationByHandle(file: *mut c_void, info: *mut ByHandleFileInformation) -> i32;
}

/// BY_HANDLE_FILE_INFORMATION.
#[repr(C)]
#[derive(Default)]
struct ByHandleFileInformation {
    attributes: u32,
    times: [u32; 6],
    volume_serial_number: u32,
    size_high: u32,
    size_low: u32,
    links: u32,
    index_high: u32,
    index_low: u32,
}

/// Opens `path` (directories included) with `access` only.
fn open(path: &Path, follow: bool, access: u32) -> io::Result<File> {
    let reparse = if follow {
        0
    } else {
        FILE_FLAG_OPEN_REPARSE_POINT
    };
    std::fs::OpenOptions::new()
        .access_mode(access)
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS | reparse)
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
    let file = open(path, true, 0)?;
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
    let file = open(path, false, 0)?;
    ioctl(
        &file,
        FSCTL_GET_REPARSE_POINT,
        &[],
        MAXIMUM_REPARSE_DATA_BUFFER_SIZE,
    )
}

/// FSCTL_SET_REPARSE_POINT on the object at `path` itself.
pub fn set_reparse_point(path: &Path, buffer: &[u8]) -> io::Result<()> {
    let access = FILE_WRITE_DATA | FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES;
    let file = open(path, false, access)?;
    ioctl(&file, FSCTL_SET_REPARSE_POINT, buffer, 0).map(drop)
}

/// A new name `link` for the file `existing` (the name itself when it is a
/// link, HL10), made by the volume that holds `link`'s directory: WinFsp's
/// driver refuses CreateHardLinkW on its own.
pub fn create_hard_link(link: &Path, existing: &Path) -> io::Result<()> {
    let source = open(existing, false, FILE_READ_ATTRIBUTES)?;
    let mut info = ByHandleFileInformation::default();
    // SAFETY: the handle is open and `info` is a BY_HANDLE_FILE_INFORMATION.
    if unsafe { GetFileInformationByHandle(source.as_raw_handle().cast(), &mut info) } == 0 {
        return Err(io::Error::last_os_error());
    }
    let invalid = || io::Error::from(io::ErrorKind::InvalidInput);
    let name = link.file_name().ok_or_else(invalid)?;
    let parent = match link.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    let request = HardLinkRequest {
        volume_serial: info.volume_serial_number,
        file_index: u64::from(info.index_high) << 32 | u64::from(info.index_low),
        name: name.encode_wide().collect(),
    };
    let dir = open(parent, true, 0)?;
    ioctl(&dir, IOCTL_NTLINKFS_CREATE_HARD_LINK, &request.encode(), 0).map(drop)
}
