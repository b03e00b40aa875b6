//! # ntlinkfs-core
//!
//! An in-memory model of Windows NTFS link semantics: hard links with link counts,
//! directory junctions, file and directory symbolic links, on several volumes at
//! once, with the errors NTFS returns (NTSTATUS, Win32, errno and message).
//! It has no I/O, no threads and no platform code; the FUSE and WinFsp adapters
//! and the `ntlinkfs` shell all drive the same [`Machine`]. Tests that embed the
//! core get the helpers of its own tests from [`testing`]; docs/rules.md lists
//! the SEMANTICS rule ids (`HL2`, `J33` …) cited here with their conformance rows.
//!
//! ## Getting started
//!
//! 1. Make a [`Machine`] (C: and D:, NTFS, a Windows 11 profile by default).
//! 2. Call the operations Win32 users know, with Win32 paths.
//! 3. Match errors on [`NtError`] variants; each knows its codes and message.
//!
//! ```
//! use ntlinkfs_core::{Machine, NtError, Follow};
//!
//! let mut m = Machine::default();
//! m.create_directory(r"C:\data").unwrap();
//! m.write_file(r"C:\data\a.txt", b"hello").unwrap();
//! m.create_hard_link(r"C:\data\b.txt", r"C:\data\a.txt").unwrap();
//! assert_eq!(m.query_information(r"C:\data\a.txt", Follow::Reparse).unwrap().link_count, 2);
//!
//! // Hard links stay on one volume (HL2).
//! let err = m.create_hard_link(r"D:\c.txt", r"C:\data\a.txt").unwrap_err();
//! assert_eq!(err, NtError::NotSameDevice);
//! assert_eq!(err.win32(), 17);
//! assert_eq!(err.message(), "The system cannot move the file to a different disk drive.");
//!
//! // A junction breaks when its target moves (J33).
//! m.create_junction(r"C:\j", r"C:\data").unwrap();
//! assert!(m.exists(r"C:\j\a.txt"));
//! m.move_file(r"C:\data", r"C:\moved", Default::default()).unwrap();
//! assert_eq!(m.read_file(r"C:\j\a.txt").unwrap_err(), NtError::ObjectPathNotFound);
//! ```
#![forbid(unsafe_code)]
// Every public item says what it is, which NTFS rule it follows and what it
// returns; `cargo build` fails on a missing doc.
#![deny(missing_docs)]

pub mod access;
pub mod attrs;
mod by_handle;
pub mod data;
pub mod dir_class;
pub mod error;
pub mod file_ref;
mod handle;
pub mod image;
pub mod invariants;
pub mod link_place;
mod links;
mod machine;
pub mod name;
mod namespace;
mod node;
pub mod op;
pub mod path;
pub mod profile;
mod query;
pub mod reparse;
mod reparse_index;
mod reparse_ops;
mod resolve;
pub mod security;
mod shared;
pub mod space;
pub mod special;
pub mod testing;
mod tree;
mod volume;
pub mod wtf;

pub use attrs::{Clock, FileTime, FixedClock, SystemClock, Times};
pub use by_handle::RenameOptions;
pub use data::CHUNK;
pub use dir_class::{DirEntryBasics, DirEntryClassed, DirInfoClass, Win32FindData};
pub use error::{errno_for, Errno, NtError, PosixOp, Result};
pub use file_ref::{FileRef, RecordNo, SeqNo};
pub use handle::{DeleteSemantics, Disposition, HandleId, OpenOptions, ReadOnly, Want};
pub use link_place::{LinkPlace, Outside, Place};
pub use links::{LinkOptions, SymlinkFlags};
pub use machine::{
    DirEntryInfo, FileInfo, Follow, LinkFlavor, Machine, NodeId, VolumeId, VolumeInfo,
};
pub use name::{Name, NameKey};
pub use namespace::MoveFlags;
pub use node::{DeviceNumbers, PosixMeta};
pub use op::{Op, Outcome};
pub use path::{FullPath, PathType, PathUnits};
pub use profile::{FsKind, Privilege, Profile, SymlinkEvaluation, WindowsVersion};
pub use query::FileName;
pub use reparse::{ReparseData, ReparseTag};
pub use reparse_index::ReparseTarget;
pub use security::{Ace, SecurityDescriptor, Trustee};
pub use shared::{Shared, WriteGuard};
pub use space::{BLOCK_SIZE, DEFAULT_VOLUME_SIZE, MAX_FILE_SIZE, MAX_VOLUME_SIZE, MIN_VOLUME_SIZE};
pub use special::SpecialKind;
pub use tree::TreeDeleteReport;
pub use volume::{FIRST_USER_RECORD, ROOT_RECORD};
