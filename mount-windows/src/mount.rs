//! Mounting: one WinFsp file system per core volume, run under WinFsp's service
//! loop, which in a console stops on Ctrl-C, Ctrl-Break or console close and
//! unmounts every volume before returning.

use crate::path::MountTable;
use crate::security::SecurityDescriptor;
use crate::volume_fs::VolumeFs;
use crate::volume_params::VolumeSettings;
use ntlinkfs_core::{Shared, VolumeId};
use std::ffi::c_void;
use std::sync::Arc;
use winfsp::host::{FileSystemHost, FineGuard, VolumeParams};
use winfsp::service::FileSystemServiceBuilder;
use winfsp::FspError;

fn volume_params(s: &VolumeSettings) -> VolumeParams {
    let mut p = VolumeParams::new();
    p.filesystem_name(s.file_system_name)
        .volume_serial_number(s.volume_serial_number)
        .volume_creation_time(s.volume_creation_time)
        .sector_size(s.sector_size)
        .sectors_per_allocation_unit(s.sectors_per_allocation_unit)
        .max_component_length(s.max_component_length)
        .case_sensitive_search(s.case_sensitive_search)
        .case_preserved_names(s.case_preserved_names)
        .unicode_on_disk(s.unicode_on_disk)
        .persistent_acls(s.persistent_acls)
        .reparse_points(s.reparse_points)
        .reparse_points_access_check(s.reparse_points_access_check)
        .named_streams(s.named_streams)
        .extended_attributes(s.extended_attributes)
        .read_only_volume(s.read_only_volume)
        .file_info_timeout(s.file_info_timeout)
        .post_cleanup_when_modified_only(s.post_cleanup_when_modified_only)
        .device_control(s.device_control);
    p
}

// Fine guard: WinFsp locks the namespace shared/exclusive; the core has its own lock.
type Hosts = Vec<FileSystemHost<VolumeFs, FineGuard>>;

/// Why one volume could not be mounted, said so that a person can act on it.
fn failed(letter: char, at: &str, e: impl std::fmt::Display) -> String {
    format!(
        "volume {letter}: at {at}: {e} (a drive letter or directory already in use? \
         choose free letters with --volume X:ntfs, --drive, or a MOUNTPOINT directory)"
    )
}

/// Creates, mounts and starts one host per entry of `mounts`. On any failure
/// the hosts already mounted are dropped, which unmounts them.
fn mount_all(
    shared: &Shared,
    mounts: &Arc<MountTable>,
    security: &Arc<SecurityDescriptor>,
) -> Result<Hosts, (String, FspError)> {
    let mut hosts = Vec::new();
    for (volume, letter, at) in &mounts.entries {
        let settings = settings_of(shared, *volume);
        let fs = VolumeFs {
            shared: shared.clone(),
            volume: *volume,
            mounts: mounts.clone(),
            security: security.clone(),
        };
        let at = at.to_winfsp();
        let mounted = FileSystemHost::<VolumeFs, FineGuard>::new(volume_params(&settings), fs)
            .and_then(|mut host| {
                host.mount(&at)?;
                host.start()?;
                Ok(host)
            });
        match mounted {
            Ok(host) => hosts.push(host),
            Err(e) => return Err((failed(*letter, &at, &e), e.into())),
        }
    }
    Ok(hosts)
}

fn settings_of(shared: &Shared, volume: VolumeId) -> VolumeSettings {
    let m = shared.read();
    let created = m
        .info(m.root(volume))
        .map(|i| i.times.creation)
        .unwrap_or_default();
    VolumeSettings::for_volume(&m.volume_info(volume), created)
}

/// Why a mount did not happen or did not end cleanly.
#[derive(Debug)]
pub struct MountError(pub String);

impl std::fmt::Display for MountError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for MountError {}

#[link(name = "kernel32")]
extern "system" {
    fn LoadLibraryW(name: *const u16) -> *mut c_void;
}

#[link(name = "advapi32")]
extern "system" {
    fn RegGetValueW(
        key: isize,
        subkey: *const u16,
        value: *const u16,
        flags: u32,
        kind: *mut u32,
        data: *mut c_void,
        len: *mut u32,
    ) -> i32;
}

const HKEY_LOCAL_MACHINE: isize = 0x8000_0002_u32 as i32 as isize;
const RRF_RT_REG_SZ: u32 = 0x2;

fn wide(s: &str) -> Vec<u16> {
    s.encode_utf16().chain(Some(0)).collect()
}

/// Loads WinFsp's DLL from where its installer put it (the registry's
/// InstallDir), which is not on PATH: winfsp's own loader then finds the
/// module already loaded. Without an installation, nothing happens and
/// `winfsp_init` reports the failure.
fn preload_winfsp() {
    let dll = if cfg!(target_arch = "aarch64") {
        "winfsp-a64.dll"
    } else if cfg!(target_arch = "x86") {
        "winfsp-x86.dll"
    } else {
        "winfsp-x64.dll"
    };
    for key in [r"SOFTWARE\WOW6432Node\WinFsp", r"SOFTWARE\WinFsp"] {
        let mut buf = [0u16; 520];
        let mut len = (buf.len() * 2) as u32;
        let (k, v) = (wide(key), wide("InstallDir"));
        // SAFETY: both names are NUL-terminated; `buf` holds `len` bytes.
        let r = unsafe {
            RegGetValueW(
                HKEY_LOCAL_MACHINE,
                k.as_ptr(),
                v.as_ptr(),
                RRF_RT_REG_SZ,
                std::ptr::null_mut(),
                buf.as_mut_ptr().cast(),
                &mut len,
            )
        };
        if r != 0 {
            continue;
        }
        let dir = String::from_utf16_lossy(&buf[..(len as usize / 2)]);
        let dir = dir.trim_end_matches('\0').trim_end_matches('\\');
        let path = wide(&format!("{dir}\\bin\\{dll}"));
        // SAFETY: `path` is NUL-terminated; a failed load returns null.
        if !unsafe { LoadLibraryW(path.as_ptr()) }.is_null() {
            return;
        }
    }
}

fn init() -> Result<winfsp::FspInit, MountError> {
    preload_winfsp();
    winfsp::winfsp_init().map_err(|e| {
        describe(
            "WinFsp could not be loaded (is WinFsp installed? https://winfsp.dev)",
            e,
        )
    })
}

fn describe(what: &str, e: FspError) -> MountError {
    MountError(format!("{what}: {e:?}"))
}

/// Mounts every volume of `mounts`, calls `mounted` once all are up, and
/// serves until the console asks to stop (Ctrl-C); every volume is unmounted
/// before this returns.
pub fn serve(
    shared: Shared,
    mounts: MountTable,
    security: SecurityDescriptor,
    mounted: impl Fn() + Send + Sync,
) -> Result<(), MountError> {
    let init = init()?;
    let mounts = Arc::new(mounts);
    let security = Arc::new(security);
    let mut service = FileSystemServiceBuilder::<Hosts>::new()
        .with_start(move || match mount_all(&shared, &mounts, &security) {
            Ok(hosts) => {
                mounted();
                Ok(hosts)
            }
            Err((why, e)) => {
                // The service reports only the status; say which volume failed.
                eprintln!("error: {why}");
                Err(e)
            }
        })
        .with_stop(|hosts| {
            if let Some(hosts) = hosts {
                // Dropping a host unmounts it and stops its dispatcher.
                hosts.clear();
            }
            Ok(())
        })
        .build("ntlinkfs", init)
        .map_err(|e| describe("WinFsp service", e))?;
    service.start().map_err(|e| describe("WinFsp service", e))?;
    service.join().map_err(|e| describe("mount", e))
}

/// Volumes mounted in this process until the value is dropped: for programs
/// that drive the mount themselves (the conformance suite's `winfsp` target
/// mounts a fresh machine per row). Dropping unmounts every volume.
pub struct Mounted {
    hosts: Hosts,
}

impl Mounted {
    pub fn new(
        shared: Shared,
        mounts: MountTable,
        security: SecurityDescriptor,
    ) -> Result<Mounted, MountError> {
        init()?;
        let hosts = mount_all(&shared, &Arc::new(mounts), &Arc::new(security))
            .map_err(|(why, _)| MountError(why))?;
        Ok(Mounted { hosts })
    }

    /// How many volumes are mounted.
    pub fn len(&self) -> usize {
        self.hosts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hosts.is_empty()
    }
}
