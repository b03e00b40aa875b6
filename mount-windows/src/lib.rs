//! # ntlinkfs-winfsp
//!
//! Mounts an ntlinkfs [`Machine`](ntlinkfs_core::Machine) on Windows through
//! WinFsp: one file system per core volume, each at its own drive letter or
//! directory, with the core's junctions and symbolic links as native reparse
//! points that the I/O manager follows.
//!
//! Everything that does not need Windows is plain Rust, compiled and tested on
//! every platform: [`volume_fs`] (every WinFsp operation as a plain call on
//! the shared core), [`file_info`] (core information → WinFsp's FILE_INFO),
//! [`status`] (NTSTATUS), [`path`] (WinFsp names ↔ core components, reparse
//! targets ↔ host NT paths), [`open_options`], [`volume_params`],
//! [`security`] (SDDL → self-relative descriptor), [`control`] (the private
//! IOCTL) and [`plan`] (where volumes mount). The glue (`host`: the
//! `winfsp::FileSystemContext` over [`volume_fs::VolumeFs`], `mount`, and
//! `client`) is compiled only for Windows; CI type-checks it from Linux.
//!
//! Licence: GPL-3.0-only, because the `winfsp` crate is GPL-3.0; so is any
//! binary that links this crate.

pub mod control;
pub mod file_info;
pub mod open_options;
pub mod path;
pub mod plan;
pub mod security;
pub mod status;
pub mod volume_fs;
pub mod volume_params;

#[cfg(windows)]
pub mod client;
#[cfg(windows)]
mod host;
#[cfg(windows)]
pub mod mount;

pub use file_info::FspFileInfo;
pub use path::{MountPoint, MountTable, VolumePath};
pub use security::SecurityDescriptor;
pub use volume_params::VolumeSettings;
