//! The Windows part of `ntlinkfs check` (the `winfsp` feature): the command
//! runs as the current user; every volume is mounted through the WinFsp
//! adapter in a directory mount point (`MNT\C`, `MNT\D`, as `ntlinkfs mount
//! MNT` does); the child runs in a Job Object that carries the memory limit
//! and ends the whole tree of processes on a timeout; properties read file
//! ids with GetFileInformationByHandle and link targets with
//! FSCTL_GET_REPARSE_POINT. Type-checked from Linux, never run (docs/check.md).

use crate::check_case::{Setup, User, INTERRUPTED};
use crate::check_props::{normalize, nt_to_dos, Exit};
use ntlinkfs_core::reparse::{ReparseData, SYMLINK_FLAG_RELATIVE};
use ntlinkfs_core::Shared;
use ntlinkfs_winfsp::mount::Mounted as WinFspMount;
use ntlinkfs_winfsp::security::{SecurityDescriptor, DEFAULT_SDDL};
use ntlinkfs_winfsp::{client, plan};
use std::os::windows::fs::OpenOptionsExt;
use std::os::windows::io::{AsRawHandle, FromRawHandle, OwnedHandle};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::Ordering;
use windows_sys::Win32::Foundation::TRUE;
use windows_sys::Win32::Storage::FileSystem::{
    GetFileInformationByHandle, BY_HANDLE_FILE_INFORMATION, FILE_FLAG_BACKUP_SEMANTICS,
};
use windows_sys::Win32::System::Console::SetConsoleCtrlHandler;
use windows_sys::Win32::System::JobObjects::{
    AssignProcessToJobObject, CreateJobObjectW, JobObjectExtendedLimitInformation,
    SetInformationJobObject, TerminateJobObject, JOBOBJECT_EXTENDED_LIMIT_INFORMATION,
    JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE, JOB_OBJECT_LIMIT_PROCESS_MEMORY,
};

/// What `--user` says on Windows: running as another account needs its
/// password (CreateProcessWithLogonW) or a service's privileges, which
/// `check` does not ask for.
pub const NO_USER: &str = "--user is not supported on Windows: the command runs as the \
    user who started check, with that user's rights (an elevated prompt runs it elevated). \
    To test as another account, start check from that account (runas /user:NAME \
    \"ntlinkfs check ...\")";

/// The current user; `--user` is refused (see [`NO_USER`]).
pub fn choose_user(asked: Option<&str>) -> Result<(User, bool), String> {
    if asked.is_some() {
        return Err(NO_USER.into());
    }
    let name = std::env::var("USERNAME").unwrap_or_else(|_| "the current user".into());
    // The Unix owner the core records is not shown on Windows.
    Ok((
        User {
            name,
            uid: 0,
            gid: 0,
        },
        false,
    ))
}

/// Whether `name` runs as std starts programs: a file as named, or with
/// `.exe` added, as given or in PATH (cmd's builtins run as `cmd /c …`).
pub fn command_exists(name: &str) -> bool {
    let runs = |p: &Path| {
        let mut exe = p.as_os_str().to_owned();
        exe.push(".exe");
        p.is_file() || Path::new(&exe).is_file()
    };
    if name.contains(['\\', '/', ':']) {
        return runs(Path::new(name));
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|d| runs(&d.join(name))))
}

unsafe extern "system" fn on_interrupt(_: u32) -> windows_sys::core::BOOL {
    INTERRUPTED.store(true, Ordering::Relaxed);
    TRUE
}

/// Ctrl-C and Ctrl-Break: the run stops, unmounts and writes what it has.
pub fn catch_interrupts() {
    // SAFETY: the handler only stores to an atomic.
    unsafe { SetConsoleCtrlHandler(Some(on_interrupt), TRUE) };
}

/// A missing WinFsp is reported by the first mount, in the adapter's words.
pub fn mount_problem() -> Option<String> {
    None
}

/// The command runs as the same user: nothing to open.
pub fn open_to_user(_dir: &Path) -> std::io::Result<()> {
    Ok(())
}

pub fn give_to(_dir: &Path, _user: &User) -> std::io::Result<()> {
    Ok(())
}

/// Every volume through WinFsp, in `mnt\C`, `mnt\D` …; dropping unmounts.
pub struct Mounted(WinFspMount);

pub fn mount(shared: Shared, mnt: &Path) -> Result<Mounted, String> {
    let volumes: Vec<_> = {
        let m = shared.read();
        m.volume_infos().iter().map(|v| (v.id, v.letter)).collect()
    };
    let root = mnt.display().to_string();
    let table = plan::plan(&volumes, Some(&root), &[])?;
    let security = SecurityDescriptor::from_sddl(DEFAULT_SDDL)?;
    WinFspMount::new(shared, table, security)
        .map(Mounted)
        .map_err(|e| format!("cannot mount at {root}: {e}"))
}

impl Mounted {
    pub fn unmount(self, _mnt: &Path) -> Result<(), String> {
        drop(self.0);
        Ok(())
    }
}

/// Nothing to set before the start: the Job Object is joined after it.
pub fn prepare(_cmd: &mut Command, _setup: &Setup) {}

/// The Job Object the child runs in: the memory limit per process, and
/// closing it ends every process left in it.
pub struct Contained(OwnedHandle);

pub fn contain(child: &mut Child, setup: &Setup) -> Result<Contained, String> {
    let job = make_job(setup.memory_limit);
    let joined = job.and_then(|job| {
        // SAFETY: both handles are open for the call.
        let ok = unsafe { AssignProcessToJobObject(job.as_raw_handle(), child.as_raw_handle()) };
        if ok == 0 {
            Err(std::io::Error::last_os_error())
        } else {
            Ok(Contained(job))
        }
    });
    joined.map_err(|e| {
        let _ = child.kill();
        let _ = child.wait();
        format!("cannot limit the command (Job Object): {e}")
    })
}

fn make_job(memory_limit: u64) -> std::io::Result<OwnedHandle> {
    // SAFETY: no attributes, no name; a null handle is an error.
    let raw = unsafe { CreateJobObjectW(std::ptr::null(), std::ptr::null()) };
    if raw.is_null() {
        return Err(std::io::Error::last_os_error());
    }
    // SAFETY: `raw` is a new handle nobody else owns.
    let job = unsafe { OwnedHandle::from_raw_handle(raw) };
    let mut info = JOBOBJECT_EXTENDED_LIMIT_INFORMATION::default();
    info.BasicLimitInformation.LimitFlags =
        JOB_OBJECT_LIMIT_PROCESS_MEMORY | JOB_OBJECT_LIMIT_KILL_ON_JOB_CLOSE;
    info.ProcessMemoryLimit = usize::try_from(memory_limit).unwrap_or(usize::MAX);
    // SAFETY: `info` is the structure the class names, of the size passed.
    let ok = unsafe {
        SetInformationJobObject(
            job.as_raw_handle(),
            JobObjectExtendedLimitInformation,
            std::ptr::from_ref(&info).cast(),
            std::mem::size_of::<JOBOBJECT_EXTENDED_LIMIT_INFORMATION>() as u32,
        )
    };
    if ok == 0 {
        return Err(std::io::Error::last_os_error());
    }
    Ok(job)
}

/// Ends every process in the job.
pub fn kill(child: &mut Child, job: &Contained) {
    // SAFETY: the job handle is open.
    if unsafe { TerminateJobObject(job.0.as_raw_handle(), 1) } == 0 {
        let _ = child.kill();
    }
}

pub fn exit_of(status: ExitStatus) -> Exit {
    // A Windows process always has an exit code (NTSTATUS when it crashed).
    Exit::Code(status.code().unwrap_or(-1))
}

/// The file `p` names (links followed), as (volume serial, file index).
pub fn file_id(p: &Path) -> Option<(u64, u64)> {
    let file = std::fs::OpenOptions::new()
        .access_mode(0)
        .custom_flags(FILE_FLAG_BACKUP_SEMANTICS)
        .open(p)
        .ok()?;
    let mut info = BY_HANDLE_FILE_INFORMATION::default();
    // SAFETY: the handle is open; `info` is the structure the call fills.
    if unsafe { GetFileInformationByHandle(file.as_raw_handle(), &mut info) } == 0 {
        return None;
    }
    let index = (u64::from(info.nFileIndexHigh) << 32) | u64::from(info.nFileIndexLow);
    Some((u64::from(info.dwVolumeSerialNumber), index))
}

/// Where the link at `link` leads, lexically, from its reparse data: a
/// relative symbolic link from the link's directory, anything else its
/// substitute name as a DOS path.
pub fn link_target(link: &Path) -> Option<PathBuf> {
    let buffer = client::get_reparse_point(link).ok()?;
    let data = ReparseData::decode(&buffer).ok()?;
    let text = data.substitute_name()?;
    match data {
        ReparseData::Symlink { flags, .. } if flags & SYMLINK_FLAG_RELATIVE != 0 => {
            Some(normalize(&link.parent()?.join(text)))
        }
        _ => Some(normalize(Path::new(&nt_to_dos(&text)))),
    }
}
