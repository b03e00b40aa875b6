//! The `RealNtfs` target (Windows only, opt-in): the same rows on a real NTFS
//! directory, through the Win32 API (std::fs where it calls the same function,
//! raw CreateFileW / DeviceIoControl FSCTLs / MoveFileExW otherwise). Errors are
//! GetLastError() codes, compared with each expected NtError's Win32 code.
//!
//! Opt in with `NTLINKFS_REAL_NTFS=D:\scratch` (a directory on an NTFS volume;
//! each row works in a fresh subdirectory of it, which stands for `C:\`), and
//! optionally `NTLINKFS_REAL_NTFS_D=E:\scratch` on a second NTFS volume for the
//! rows that use `D:`. Rows that need another profile, a FAT volume, or that
//! name a path outside the row's directory are skipped with the reason.

use crate::scenario::{Env, Op};
use crate::target::{Failure, Info, Observed, Target};
use ntlinkfs_core::path::{self, PathType};
use std::ffi::c_void;
use std::fs;
use std::io;
use std::os::windows::ffi::OsStrExt;
use std::path::PathBuf;
use std::ptr::null_mut;

type Handle = *mut c_void;
const INVALID_HANDLE_VALUE: Handle = -1isize as Handle;
const GENERIC_READ: u32 = 0x8000_0000;
const GENERIC_WRITE: u32 = 0x4000_0000;
const FILE_READ_ATTRIBUTES: u32 = 0x80;
const FILE_SHARE_ALL: u32 = 7;
const FILE_SHARE_READ_WRITE: u32 = 3;
const OPEN_EXISTING: u32 = 3;
const FILE_FLAG_BACKUP_SEMANTICS: u32 = 0x0200_0000;
const FILE_FLAG_OPEN_REPARSE_POINT: u32 = 0x0020_0000;
const FSCTL_SET_REPARSE_POINT: u32 = 0x0009_00A4;
const FSCTL_GET_REPARSE_POINT: u32 = 0x0009_00A8;
const FSCTL_DELETE_REPARSE_POINT: u32 = 0x0009_00AC;
const MOVEFILE_REPLACE_EXISTING: u32 = 1;
const MOVEFILE_COPY_ALLOWED: u32 = 2;
const SYMBOLIC_LINK_FLAG_DIRECTORY: u32 = 1;
const SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE: u32 = 2;
const FILE_ATTRIBUTE_TAG_INFO: u32 = 9;
const FILE_NAME_NORMALIZED: u32 = 0;

#[repr(C)]
#[derive(Default)]
struct ByHandleFileInformation {
    attributes: u32,
    creation: u64,
    access: u64,
    write: u64,
    volume_serial: u32,
    size_high: u32,
    size_low: u32,
    links: u32,
    index_high: u32,
    index_low: u32,
}

#[repr(C)]
#[derive(Default)]
struct FileAttributeTagInfo {
    attributes: u32,
    tag: u32,
}

/// WIN32_FIND_DATAW (minwinbase.h): FILETIMEs as two DWORDs each.
#[repr(C)]
struct Win32FindDataW {
    attributes: u32,
    times: [u32; 6],
    size_high: u32,
    size_low: u32,
    reserved0: u32,
    reserved1: u32,
    file_name: [u16; 260],
    alternate_file_name: [u16; 14],
}

#[link(name = "kernel32")]
extern "system" {
    fn CreateFileW(
        name: *const u16,
        access: u32,
        share: u32,
        security: *mut c_void,
        disposition: u32,
        flags: u32,
        template: Handle,
    ) -> Handle;
    fn CloseHandle(h: Handle) -> i32;
    fn DeviceIoControl(
        h: Handle,
        code: u32,
        input: *const c_void,
        input_len: u32,
        output: *mut c_void,
        output_len: u32,
        returned: *mut u32,
        overlapped: *mut c_void,
    ) -> i32;
    fn GetFileInformationByHandle(h: Handle, info: *mut ByHandleFileInformation) -> i32;
    fn GetFileInformationByHandleEx(h: Handle, class: u32, info: *mut c_void, len: u32) -> i32;
    fn GetFinalPathNameByHandleW(h: Handle, buf: *mut u16, len: u32, flags: u32) -> u32;
    fn MoveFileExW(from: *const u16, to: *const u16, flags: u32) -> i32;
    fn CreateSymbolicLinkW(link: *const u16, target: *const u16, flags: u32) -> u8;
    fn SetFileAttributesW(name: *const u16, attributes: u32) -> i32;
    fn FindFirstFileNameW(name: *const u16, flags: u32, len: *mut u32, buf: *mut u16) -> Handle;
    fn FindNextFileNameW(h: Handle, len: *mut u32, buf: *mut u16) -> i32;
    fn FindClose(h: Handle) -> i32;
    fn FindFirstFileW(name: *const u16, data: *mut Win32FindDataW) -> Handle;
    fn GetLastError() -> u32;
}

/// A path as the Win32 W calls take it; `%U+hhhh%` in a table path is one
/// UTF-16 unit (N3, `ntlinkfs_core::wtf`).
fn wide(s: &str) -> Vec<u16> {
    ntlinkfs_core::wtf::unescape(s)
        .into_iter()
        .chain([0])
        .collect()
}

/// [`wide`] for `std::fs`, which takes the units as an `OsString`.
fn os(s: &str) -> std::ffi::OsString {
    <std::ffi::OsString as std::os::windows::ffi::OsStringExt>::from_wide(
        &ntlinkfs_core::wtf::unescape(s),
    )
}

fn last() -> Failure {
    // SAFETY: no preconditions.
    Failure::Win32(unsafe { GetLastError() })
}

fn io_err(e: io::Error) -> Failure {
    match e.raw_os_error() {
        Some(c) => Failure::Win32(c as u32),
        None => Failure::Harness(e.to_string()),
    }
}

/// An open handle, closed on drop.
struct Owned(Handle);

impl Drop for Owned {
    fn drop(&mut self) {
        // SAFETY: the handle came from CreateFileW and is closed once.
        unsafe { CloseHandle(self.0) };
    }
}

fn open(path: &str, access: u32, share: u32, no_follow: bool) -> Result<Owned, Failure> {
    let flags = FILE_FLAG_BACKUP_SEMANTICS
        | if no_follow {
            FILE_FLAG_OPEN_REPARSE_POINT
        } else {
            0
        };
    let w = wide(path);
    // SAFETY: w is NUL-terminated; the other pointers may be null.
    let h = unsafe {
        CreateFileW(
            w.as_ptr(),
            access,
            share,
            null_mut(),
            OPEN_EXISTING,
            flags,
            null_mut(),
        )
    };
    if h == INVALID_HANDLE_VALUE {
        return Err(last());
    }
    Ok(Owned(h))
}

fn ioctl(h: &Owned, code: u32, input: &[u8], out_len: usize) -> Result<Vec<u8>, Failure> {
    let mut out = vec![0u8; out_len];
    let mut n = 0u32;
    // SAFETY: buffers are valid for the lengths given.
    let ok = unsafe {
        DeviceIoControl(
            h.0,
            code,
            input.as_ptr().cast(),
            input.len() as u32,
            out.as_mut_ptr().cast(),
            out.len() as u32,
            &mut n,
            null_mut(),
        )
    };
    if ok == 0 {
        return Err(last());
    }
    out.truncate(n as usize);
    Ok(out)
}

/// Runs rows on a real NTFS directory.
pub struct RealNtfs {
    base_c: PathBuf,
    base_d: Option<PathBuf>,
    row: usize,
    root_c: String,
    root_d: Option<String>,
    open: Vec<Owned>,
}

impl RealNtfs {
    /// The target, when `NTLINKFS_REAL_NTFS` names a usable directory.
    pub fn from_env() -> Result<RealNtfs, String> {
        let c = std::env::var_os("NTLINKFS_REAL_NTFS")
            .ok_or("set NTLINKFS_REAL_NTFS to a scratch directory on an NTFS volume")?;
        let base_c = PathBuf::from(c);
        fs::create_dir_all(&base_c).map_err(|e| format!("{}: {e}", base_c.display()))?;
        let base_d = std::env::var_os("NTLINKFS_REAL_NTFS_D").map(PathBuf::from);
        Ok(RealNtfs {
            base_c,
            base_d,
            row: 0,
            root_c: String::new(),
            root_d: None,
            open: Vec::new(),
        })
    }

    /// The operations of this target on given roots standing for `C:\` and
    /// `D:\` (the `winfsp` target's mounted volumes), with no scratch
    /// directory of its own: `begin` and `end` are the caller's.
    pub(crate) fn on_roots(root_c: String, root_d: Option<String>) -> RealNtfs {
        RealNtfs {
            base_c: PathBuf::new(),
            base_d: None,
            row: 0,
            root_c,
            root_d,
            open: Vec::new(),
        }
    }

    /// `C:\a` → `<row dir>\a`.
    pub(crate) fn host(&self, win: &str) -> Result<String, Failure> {
        let Some((letter, rest)) = path::split_drive_root(win) else {
            return Err(Failure::Inexpressible(format!(
                "{win:?}: only X:\\ paths map into the scratch directory"
            )));
        };
        let root = match letter {
            b'C' => &self.root_c,
            b'D' => self.root_d.as_ref().ok_or_else(|| {
                Failure::Inexpressible("set NTLINKFS_REAL_NTFS_D for D: rows".into())
            })?,
            _ => {
                return Err(Failure::Inexpressible(format!(
                    "{win:?}: no such scratch volume"
                )))
            }
        };
        Ok(format!("{root}\\{rest}"))
    }

    /// A link target: absolute drive paths map, relative ones stay, root-relative
    /// ones would leave the scratch directory.
    fn target(&self, t: &str) -> Result<String, Failure> {
        if matches!(
            path::path_type_str(t),
            PathType::Rooted | PathType::NtObject
        ) {
            return Err(Failure::Inexpressible(
                "a root-relative target would leave the scratch directory".into(),
            ));
        }
        if path::split_drive_root(t).is_some() {
            return self.host(t);
        }
        Ok(t.to_string())
    }

    /// Maps a real path back to the row's `C:`/`D:` view.
    fn unmap(&self, real: &str) -> String {
        let real = path::strip_verbatim_prefix(real).unwrap_or(real);
        for (letter, root) in [("C:", Some(&self.root_c)), ("D:", self.root_d.as_ref())] {
            if let Some(root) = root {
                if let Some(rest) = real.strip_prefix(root.as_str()) {
                    return format!("{letter}{}", if rest.is_empty() { "\\" } else { rest });
                }
            }
        }
        real.to_string()
    }

    fn info(&self, path: &str, no_follow: bool) -> Result<Info, Failure> {
        let h = open(path, FILE_READ_ATTRIBUTES, FILE_SHARE_ALL, no_follow)?;
        let mut bhfi = ByHandleFileInformation::default();
        let mut tag = FileAttributeTagInfo::default();
        // SAFETY: the structs are repr(C) and sized as the API expects.
        unsafe {
            if GetFileInformationByHandle(h.0, &mut bhfi) == 0 {
                return Err(last());
            }
            if GetFileInformationByHandleEx(
                h.0,
                FILE_ATTRIBUTE_TAG_INFO,
                (&mut tag as *mut FileAttributeTagInfo).cast(),
                8,
            ) == 0
            {
                return Err(last());
            }
        }
        Ok(Info {
            id: Some(
                u128::from(bhfi.volume_serial) << 64
                    | u128::from(bhfi.index_high) << 32
                    | u128::from(bhfi.index_low),
            ),
            links: Some(bhfi.links),
            attrs: Some(bhfi.attributes),
            tag: Some((bhfi.attributes & 0x400 != 0).then_some(tag.tag)),
            size: Some(u64::from(bhfi.size_high) << 32 | u64::from(bhfi.size_low)),
            is_dir: Some(bhfi.attributes & 0x10 != 0),
            mode: None,
            rdev: None,
            total_links: None,
            delete_pending: None,
        })
    }
}

impl Target for RealNtfs {
    fn name(&self) -> &'static str {
        "ntfs"
    }

    fn begin(&mut self, env: &Env) -> Result<(), String> {
        if env.profile != "11" && env.profile != "10" {
            return Err(format!("profile {} is not this machine's", env.profile));
        }
        if env.volumes.len() > 2 {
            return Err("needs a volume of another filesystem kind".into());
        }
        self.row += 1;
        let c = self.base_c.join(format!("row{}", self.row));
        let _ = fs::remove_dir_all(&c);
        fs::create_dir(&c).map_err(|e| format!("{}: {e}", c.display()))?;
        self.root_c = c.to_string_lossy().into_owned();
        self.root_d = match &self.base_d {
            Some(b) => {
                let d = b.join(format!("row{}", self.row));
                let _ = fs::remove_dir_all(&d);
                fs::create_dir_all(&d).map_err(|e| format!("{}: {e}", d.display()))?;
                Some(d.to_string_lossy().into_owned())
            }
            None => None,
        };
        Ok(())
    }

    fn apply(&mut self, op: &Op) -> Result<Observed, Failure> {
        let unit = |r: io::Result<()>| r.map(|()| Observed::Unit).map_err(io_err);
        let win32 = |ok: bool| if ok { Ok(Observed::Unit) } else { Err(last()) };
        match op {
            Op::MkDir(p) => unit(fs::create_dir(os(&self.host(p)?))),
            Op::Write(p, b) => unit(fs::write(os(&self.host(p)?), b)),
            Op::CreateNew(p) => unit(
                fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .open(os(&self.host(p)?))
                    .map(drop),
            ),
            Op::Append(p, b) => unit(
                fs::OpenOptions::new()
                    .append(true)
                    .create(true)
                    .open(os(&self.host(p)?))
                    .and_then(|mut f| io::Write::write_all(&mut f, b)),
            ),
            Op::Read(p) => fs::read(os(&self.host(p)?)).map(Observed::Bytes).map_err(io_err),
            Op::HardLink { link, existing } => {
                unit(fs::hard_link(os(&self.host(existing)?), os(&self.host(link)?)))
            }
            Op::HardLinkReplace { .. } => Err(Failure::Inexpressible(
                "FileLinkInformation with ReplaceIfExists needs ntdll; not wired".into(),
            )),
            Op::Symlink {
                link,
                target,
                flags,
            } => {
                let (l, t) = (wide(&self.host(link)?), wide(&self.target(target)?));
                let f = if flags.directory {
                    SYMBOLIC_LINK_FLAG_DIRECTORY
                } else {
                    0
                } | if flags.unprivileged {
                    SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE
                } else {
                    0
                };
                // SAFETY: both strings are NUL-terminated.
                win32(unsafe { CreateSymbolicLinkW(l.as_ptr(), t.as_ptr(), f) } != 0)
            }
            Op::Junction { link, target } => {
                let host = self.host(link)?;
                let real = self.target(target)?;
                fs::create_dir(os(&host)).map_err(io_err)?;
                let buf = crate::tables::mount_point_buf(&format!(r"\??\{real}"), &real);
                let h = open(&host, GENERIC_WRITE, FILE_SHARE_READ_WRITE, true)?;
                ioctl(&h, FSCTL_SET_REPARSE_POINT, &buf, 0).map(|_| Observed::Unit)
            }
            Op::SetReparse { path, buffer } => {
                if String::from_utf16_lossy(
                    &buffer
                        .chunks_exact(2)
                        .map(|c| u16::from_le_bytes([c[0], c[1]]))
                        .collect::<Vec<_>>(),
                )
                .contains(":\\")
                {
                    return Err(Failure::Inexpressible(
                        "a buffer naming a drive path would leave the scratch directory".into(),
                    ));
                }
                let h = open(
                    &self.host(path)?,
                    GENERIC_WRITE,
                    FILE_SHARE_READ_WRITE,
                    true,
                )?;
                ioctl(&h, FSCTL_SET_REPARSE_POINT, buffer, 0).map(|_| Observed::Unit)
            }
            Op::GetReparse(p) => {
                let h = open(&self.host(p)?, GENERIC_READ, FILE_SHARE_ALL, true)?;
                let out = ioctl(&h, FSCTL_GET_REPARSE_POINT, &[], 16 * 1024)?;
                if String::from_utf16_lossy(
                    &out.chunks_exact(2)
                        .map(|c| u16::from_le_bytes([c[0], c[1]]))
                        .collect::<Vec<_>>(),
                )
                .contains(&self.root_c)
                {
                    return Err(Failure::Inexpressible(
                        "the stored buffer names the scratch directory, not C:".into(),
                    ));
                }
                Ok(Observed::Bytes(out))
            }
            Op::DeleteReparse { path, request } => {
                let h = open(
                    &self.host(path)?,
                    GENERIC_WRITE,
                    FILE_SHARE_READ_WRITE,
                    true,
                )?;
                ioctl(&h, FSCTL_DELETE_REPARSE_POINT, request, 0).map(|_| Observed::Unit)
            }
            Op::ReadLink(p) => {
                let h = open(&self.host(p)?, GENERIC_READ, FILE_SHARE_ALL, true)?;
                let out = ioctl(&h, FSCTL_GET_REPARSE_POINT, &[], 16 * 1024)?;
                let tag = u32::from_le_bytes(
                    out[0..4]
                        .try_into()
                        .map_err(|_| Failure::Harness("short".into()))?,
                );
                let start = if tag == 0xA000_000C { 20 } else { 16 };
                let off = usize::from(u16::from_le_bytes([out[8], out[9]]));
                let len = usize::from(u16::from_le_bytes([out[10], out[11]]));
                let units: Vec<u16> = out[start + off..start + off + len]
                    .chunks_exact(2)
                    .map(|c| u16::from_le_bytes([c[0], c[1]]))
                    .collect();
                let s = String::from_utf16_lossy(&units);
                Ok(Observed::Text(match path::strip_nt_prefix(&s) {
                    Some(rest) if path::drive_letter_str(rest).is_some() => {
                        format!(r"\??\{}", self.unmap(rest))
                    }
                    _ => s,
                }))
            }
            Op::Delete(p) => unit(fs::remove_file(os(&self.host(p)?))),
            Op::RemoveDir(p) => unit(fs::remove_dir(os(&self.host(p)?))),
            Op::Move {
                from,
                to,
                replace,
                copy_allowed,
            } => {
                let (f, t) = (wide(&self.host(from)?), wide(&self.host(to)?));
                let flags = if *replace {
                    MOVEFILE_REPLACE_EXISTING
                } else {
                    0
                } | if *copy_allowed {
                    MOVEFILE_COPY_ALLOWED
                } else {
                    0
                };
                // SAFETY: both strings are NUL-terminated.
                win32(unsafe { MoveFileExW(f.as_ptr(), t.as_ptr(), flags) } != 0)
            }
            Op::SetAttrs(p, a) => {
                let w = wide(&self.host(p)?);
                // SAFETY: w is NUL-terminated.
                win32(unsafe { SetFileAttributesW(w.as_ptr(), *a) } != 0)
            }
            Op::Stat(p) => self.info(&self.host(p)?, false).map(Observed::Info),
            Op::Lstat(p) => self.info(&self.host(p)?, true).map(Observed::Info),
            Op::List(p) => {
                let mut names = Vec::new();
                for e in fs::read_dir(os(&self.host(p)?)).map_err(io_err)? {
                    let name = e.map_err(io_err)?.file_name();
                    let units: Vec<u16> = name.encode_wide().collect();
                    names.push(ntlinkfs_core::wtf::escape(&units));
                }
                Ok(Observed::Entries(names))
            }
            Op::Names(p) => {
                let w = wide(&self.host(p)?);
                let mut buf = vec![0u16; 32768];
                let mut len = buf.len() as u32;
                // SAFETY: w is NUL-terminated; buf holds len units.
                let h = unsafe { FindFirstFileNameW(w.as_ptr(), 0, &mut len, buf.as_mut_ptr()) };
                if h == INVALID_HANDLE_VALUE {
                    return Err(last());
                }
                let root_rel = self.root_c[2..].to_string();
                let mut names = Vec::new();
                loop {
                    let n = String::from_utf16_lossy(&buf[..len.saturating_sub(1) as usize]);
                    names.push(n.strip_prefix(&root_rel).map_or(n.clone(), str::to_string));
                    len = buf.len() as u32;
                    // SAFETY: as above.
                    if unsafe { FindNextFileNameW(h, &mut len, buf.as_mut_ptr()) } == 0 {
                        break;
                    }
                }
                // SAFETY: h came from FindFirstFileNameW.
                unsafe { FindClose(h) };
                Ok(Observed::Entries(names))
            }
            Op::FinalPath(p) => {
                let h = open(&self.host(p)?, FILE_READ_ATTRIBUTES, FILE_SHARE_ALL, false)?;
                let mut buf = vec![0u16; 32768];
                // SAFETY: buf holds the length given.
                let n = unsafe {
                    GetFinalPathNameByHandleW(
                        h.0,
                        buf.as_mut_ptr(),
                        buf.len() as u32,
                        FILE_NAME_NORMALIZED,
                    )
                };
                if n == 0 {
                    return Err(last());
                }
                Ok(Observed::Text(
                    self.unmap(&String::from_utf16_lossy(&buf[..n as usize])),
                ))
            }
            Op::Chdir(_) => Err(Failure::Inexpressible(
                "the process current directory is shared by every row; not changed here".into(),
            )),
            Op::RemoveTree(p) => unit(fs::remove_dir_all(os(&self.host(p)?))),
            Op::QueryDirectory { .. } => Err(Failure::Inexpressible(
                "NtQueryDirectoryFile needs ntdll; not wired (J18)".into(),
            )),
            Op::FindFirstFile(p) => {
                let w = wide(&self.host(p)?);
                // SAFETY: all-zero is a valid WIN32_FIND_DATAW.
                let mut data: Win32FindDataW = unsafe { std::mem::zeroed() };
                // SAFETY: w is NUL-terminated and data is a WIN32_FIND_DATAW.
                let h = unsafe { FindFirstFileW(w.as_ptr(), &mut data) };
                if h == INVALID_HANDLE_VALUE {
                    return Err(last());
                }
                // SAFETY: h came from FindFirstFileW and is closed once.
                unsafe { FindClose(h) };
                Ok(Observed::Text(crate::scenario::find_data_text(
                    data.attributes,
                    data.reserved0,
                )))
            }
            Op::DelS { .. } => Err(Failure::Inexpressible(
                "cmd.exe is not scripted here".into(),
            )),
            Op::ExplorerDelete(_) => Err(Failure::Inexpressible(
                "Explorer is not scripted here".into(),
            )),
            Op::Open { path, share_delete } => {
                let share = if *share_delete {
                    FILE_SHARE_ALL
                } else {
                    FILE_SHARE_READ_WRITE
                };
                let h = open(&self.host(path)?, GENERIC_READ, share, false)?;
                self.open.push(h);
                Ok(Observed::Unit)
            }
            Op::MarkDelete => Err(Failure::Inexpressible(
                "FileDispositionInformation needs ntdll; not wired".into(),
            )),
            Op::MakeSpecial { .. } => Err(Failure::Inexpressible(
                "Win32 has no mknod: only WSL makes FIFOs, sockets and devices".into(),
            )),
            Op::OpenHandle { .. }
            | Op::Close(_)
            | Op::Duplicate(_)
            | Op::HandleStat(_)
            | Op::HandleRead(_)
            | Op::Disposition { .. }
            | Op::NameByHandle { .. }
            | Op::SetReparseByHandle { .. }
            | Op::SetDacl { .. } => Err(Failure::Inexpressible(
                "NtCreateFile access/share handles and NtSetInformationFile are not wired on this target yet".into(),
            )),
            Op::CloseAll => {
                self.open.clear();
                Ok(Observed::Unit)
            }
        }
    }

    fn end(&mut self) {
        self.open.clear();
        let _ = fs::remove_dir_all(&self.root_c);
        if let Some(d) = &self.root_d {
            let _ = fs::remove_dir_all(d);
        }
    }
}
