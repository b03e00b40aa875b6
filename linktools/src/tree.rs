//! A tree with links, as the copy and the audit see it: the emulated machine
//! (Win32 paths, NTSTATUS errors) or a host directory (host paths, the host's
//! error texts). The reports are the same types over either; what differs is
//! said here, once per tree, by a marker type: [`Emulated`] or [`Host`].

use ntlinkfs_core::{NodeId, NtError};
use serde_json::{json, Value};
use std::fmt;
use std::hash::Hash;
use std::path::PathBuf;

/// What the reports of a copy or an audit need to know of the tree they ran on.
pub trait LinkTree: fmt::Debug + Copy + Eq + Ord + Hash {
    /// A place as reports name it: a Win32 path, or a host path.
    type Path: Clone + fmt::Debug + Eq + Ord;
    /// A file's identity, shared by its hard links.
    type Id: Copy + fmt::Debug + Eq + Ord + Hash;
    /// Why something failed: an NTSTATUS, or the host's error text.
    type Error: Clone + fmt::Debug + Eq;

    /// What the audit table heads the id column with.
    const ID_LABEL: &'static str;
    /// The audit's status of a link it does not follow (another tag).
    const NOT_FOLLOWED: &'static str;
    /// Whether the audit's JSON gives each link's tag.
    const JSON_TAG: bool;

    /// The path as reports print it.
    fn show(path: &Self::Path) -> String;
    /// Whether two paths name the same place (Win32 paths ignore case).
    fn same_path(a: &Self::Path, b: &Self::Path) -> bool;
    /// The id as the audit prints it.
    fn show_id(id: &Self::Id) -> String;
    /// An error's short name ("dangling (NAME)").
    fn error_name(e: &Self::Error) -> String;
    /// An error's message ("failed: MESSAGE").
    fn error_message(e: &Self::Error) -> String;
    /// An error in the audit's JSON.
    fn error_json(e: &Self::Error) -> Value;
}

/// The emulated machine of ntlinkfs-core: Win32 paths, NTSTATUS errors.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Emulated;

impl LinkTree for Emulated {
    type Path = String;
    type Id = NodeId;
    type Error = NtError;

    const ID_LABEL: &'static str = "file id";
    const NOT_FOLLOWED: &'static str = "not a link Win32 follows";
    const JSON_TAG: bool = true;

    fn show(path: &String) -> String {
        path.clone()
    }
    fn same_path(a: &String, b: &String) -> bool {
        a.eq_ignore_ascii_case(b)
    }
    fn show_id(id: &NodeId) -> String {
        id.file.to_string()
    }
    fn error_name(e: &NtError) -> String {
        e.win32_name().to_string()
    }
    fn error_message(e: &NtError) -> String {
        e.message().to_string()
    }
    fn error_json(e: &NtError) -> Value {
        json!({
            "win32": e.win32_name(),
            "win32_code": e.win32(),
            "ntstatus": e.ntstatus_name(),
            "message": e.message(),
        })
    }
}

/// A host directory tree: a mounted ntlinkfs volume, ntfs-3g or any POSIX
/// tree, read with std::fs and the ntfs-3g extended attributes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Host;

impl LinkTree for Host {
    type Path = PathBuf;
    /// (device, inode).
    type Id = (u64, u64);
    type Error = String;

    const ID_LABEL: &'static str = "inode";
    const NOT_FOLLOWED: &'static str = "";
    const JSON_TAG: bool = false;

    fn show(path: &PathBuf) -> String {
        path.display().to_string()
    }
    fn same_path(a: &PathBuf, b: &PathBuf) -> bool {
        a == b
    }
    fn show_id(id: &(u64, u64)) -> String {
        id.1.to_string()
    }
    fn error_name(e: &String) -> String {
        e.clone()
    }
    fn error_message(e: &String) -> String {
        e.clone()
    }
    fn error_json(e: &String) -> Value {
        Value::String(e.clone())
    }
}
