//! One enum of every operation, with owned arguments, and [`Machine::apply`] to
//! run it. The core's proptests (`fs-core/tests/fuzz_safety.rs`, `model.rs`)
//! and the model-based tests of ntlinkfs-tests (`model`, which the
//! `op_sequence` fuzz target drives) generate `Op`s, so one generated step is
//! plain data that can be printed, stored and replayed (STYLE §1, cap-std's
//! fuzz `Operation`). The conformance tables use their own smaller
//! `scenario::Op`; the shell calls the methods directly.

use crate::by_handle::RenameOptions;
use crate::error::Result;
use crate::handle::{DeleteSemantics, HandleId, OpenOptions, Want};
use crate::links::{LinkOptions, SymlinkFlags};
use crate::machine::{DirEntryInfo, FileInfo, Follow, Machine, NodeId, VolumeId};
use crate::namespace::MoveFlags;
use crate::profile::{FsKind, Profile};
use crate::query::FileName;
use crate::reparse::ReparseData;
use crate::security::SecurityDescriptor;
use crate::tree::TreeDeleteReport;

/// Every operation of [`Machine`], path-based (Win32 paths) and by id (the
/// adapters' view). Each variant names the method [`Machine::apply`] calls;
/// field names follow that method's parameters, and the method's errors are
/// the variant's errors. Path fields are Win32 paths as the methods take
/// them (drive-absolute, or relative to the current directory).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    // ---- files and directories by path ----
    /// [`Machine::create_file`]: a new empty file.
    CreateFile {
        /// Where the file goes; its parent must exist.
        path: String,
    },
    /// [`Machine::create_directory`]: a new empty directory.
    CreateDirectory {
        /// Where the directory goes; its parent must exist.
        path: String,
    },
    /// [`Machine::write_file`]: create or overwrite a file's data.
    WriteFile {
        /// The file, followed through links as `CreateFileW` does.
        path: String,
        /// The whole new content.
        data: Vec<u8>,
    },
    /// [`Machine::append_file`]: add bytes at the end of a file.
    AppendFile {
        /// The file, followed through links.
        path: String,
        /// The bytes to add.
        data: Vec<u8>,
    },
    /// [`Machine::read_file`]: a file's whole content.
    ReadFile {
        /// The file, followed through links.
        path: String,
    },
    /// [`Machine::delete_file`]: `DeleteFileW`, one name of a file or a link.
    DeleteFile {
        /// The name to remove (a link itself, never its target).
        path: String,
    },
    /// [`Machine::remove_directory`]: `RemoveDirectoryW`, an empty directory
    /// or a directory link.
    RemoveDirectory {
        /// The directory or directory link to remove.
        path: String,
    },
    /// [`Machine::move_file`]: `MoveFileExW`, rename or move a name.
    MoveFile {
        /// The existing name (a link moves as itself).
        from: String,
        /// The new name.
        to: String,
        /// `MOVEFILE_REPLACE_EXISTING` / `MOVEFILE_COPY_ALLOWED`.
        flags: MoveFlags,
    },
    /// [`Machine::set_file_attributes`]: `SetFileAttributesW`.
    SetFileAttributes {
        /// The file or directory (a link itself, not its target).
        path: String,
        /// The `FILE_ATTRIBUTE_*` bits to set.
        attributes: u32,
    },
    /// [`Machine::remove_tree`]: `rd /s`; links inside are removed as links.
    RemoveTree {
        /// The top of the tree.
        path: String,
    },
    /// [`Machine::explorer_delete`]: Explorer's delete of a tree (follows
    /// junctions on a 2000/XP profile, J34).
    ExplorerDelete {
        /// The top of the tree.
        path: String,
    },
    // ---- links ----
    /// [`Machine::create_hard_link_ex`]: `CreateHardLinkW` with options.
    CreateHardLink {
        /// The new name.
        link: String,
        /// An existing file on the same volume.
        existing: String,
        /// ReplaceIfExists and FILE_LINK_IGNORE_READONLY_ATTRIBUTE.
        options: LinkOptions,
    },
    /// [`Machine::create_symbolic_link`]: `CreateSymbolicLinkW`.
    CreateSymbolicLink {
        /// The new link's path.
        link: String,
        /// The stored target text, absolute or relative.
        target: String,
        /// `SYMBOLIC_LINK_FLAG_*` (directory, unprivileged create).
        flags: SymlinkFlags,
    },
    /// [`Machine::create_junction`]: `mklink /J`.
    CreateJunction {
        /// The new junction's path.
        link: String,
        /// The target; made absolute as `mklink /J` does.
        target: String,
    },
    // ---- raw reparse points ----
    /// [`Machine::set_reparse_point`]: `FSCTL_SET_REPARSE_POINT`.
    SetReparsePoint {
        /// The file or directory that receives the reparse point.
        path: String,
        /// A raw `REPARSE_DATA_BUFFER`.
        buffer: Vec<u8>,
    },
    /// [`Machine::get_reparse_point`]: `FSCTL_GET_REPARSE_POINT`.
    GetReparsePoint {
        /// The reparse point, opened with `FILE_FLAG_OPEN_REPARSE_POINT`.
        path: String,
    },
    /// [`Machine::delete_reparse_point`]: `FSCTL_DELETE_REPARSE_POINT`.
    DeleteReparsePoint {
        /// The reparse point.
        path: String,
        /// The request buffer: a header whose tag must match the stored one.
        request: Vec<u8>,
    },
    /// [`Machine::remove_reparse_point`]: delete whatever reparse point is there.
    RemoveReparsePoint {
        /// The reparse point.
        path: String,
    },
    /// [`Machine::read_reparse_data`]: the stored reparse point, decoded.
    ReadReparseData {
        /// The reparse point.
        path: String,
    },
    // ---- queries ----
    /// [`Machine::query_information`]: what `GetFileInformationByHandle` shows.
    QueryInformation {
        /// The file or directory.
        path: String,
        /// Whether the last component's reparse point is followed.
        follow: Follow,
    },
    /// [`Machine::get_file_attributes`]: `GetFileAttributesW`.
    GetFileAttributes {
        /// The name (its last component is not followed).
        path: String,
    },
    /// [`Machine::enumerate`]: `FindFirstFileW` over a directory.
    Enumerate {
        /// The directory (followed through links).
        path: String,
    },
    /// [`Machine::find_file_names`]: `FindFirstFileNameW`, every hard link of a file.
    FindFileNames {
        /// Any one name of the file.
        path: String,
    },
    /// [`Machine::final_path`]: `GetFinalPathNameByHandleW`.
    FinalPath {
        /// The path to resolve through every link.
        path: String,
    },
    // ---- current directory ----
    /// [`Machine::set_current_dir`]: `SetCurrentDirectoryW`.
    SetCurrentDir {
        /// The new current directory.
        path: String,
    },
    // ---- handles ----
    /// [`Machine::open`]: `CreateFileW`, a handle by path.
    Open {
        /// The file or directory.
        path: String,
        /// Disposition, access, sharing and flags.
        options: OpenOptions,
    },
    /// [`Machine::open_node`]: a handle on a node the caller already holds.
    OpenNode {
        /// The node.
        node: NodeId,
        /// Access, disposition, sharing and flags.
        options: OpenOptions,
    },
    /// [`Machine::close`]: `CloseHandle`; a pending delete happens here.
    Close {
        /// The handle to close.
        handle: HandleId,
    },
    /// [`Machine::read`]: `ReadFile` at an offset.
    Read {
        /// An open handle with read access.
        handle: HandleId,
        /// Byte offset to read from.
        offset: u64,
        /// Most bytes to return.
        len: usize,
    },
    /// [`Machine::write`]: `WriteFile` at an offset.
    Write {
        /// An open handle with write access.
        handle: HandleId,
        /// Byte offset to write at (past the end extends the file).
        offset: u64,
        /// The bytes to write.
        data: Vec<u8>,
    },
    /// [`Machine::set_len`]: `SetEndOfFile`.
    SetLen {
        /// An open handle with write access.
        handle: HandleId,
        /// The new length in bytes.
        len: u64,
    },
    /// [`Machine::handle_info`]: `GetFileInformationByHandle`.
    HandleInfo {
        /// An open handle.
        handle: HandleId,
    },
    /// [`Machine::set_delete_disposition`]: `FileDispositionInfo(Ex)`.
    SetDeleteDisposition {
        /// An open handle with delete access.
        handle: HandleId,
        /// Set (true) or clear (false) the pending delete.
        delete: bool,
        /// Classic delete-on-close or POSIX semantics.
        semantics: DeleteSemantics,
    },
    /// [`Machine::set_link_information`]: FileLinkInformation on a handle.
    SetLinkInformation {
        /// The file's handle.
        handle: HandleId,
        /// A directory handle the name is relative to (else a full path).
        root: Option<HandleId>,
        /// The new name.
        name: String,
        /// ReplaceIfExists, IGNORE_READONLY, POSIX_SEMANTICS.
        options: LinkOptions,
    },
    /// [`Machine::set_rename_information`]: FileRenameInformation on a handle.
    SetRenameInformation {
        /// A handle with DELETE access.
        handle: HandleId,
        /// A directory handle the name is relative to (else a full path).
        root: Option<HandleId>,
        /// The new name.
        name: String,
        /// ReplaceIfExists, POSIX_SEMANTICS.
        options: RenameOptions,
    },
    /// [`Machine::set_reparse_point_h`]: FSCTL_SET_REPARSE_POINT on a handle.
    SetReparsePointH {
        /// A handle with FILE_WRITE_DATA or FILE_WRITE_ATTRIBUTES.
        handle: HandleId,
        /// The raw reparse buffer.
        buffer: Vec<u8>,
    },
    /// [`Machine::set_security`]: an object's DACL (None: no descriptor).
    SetSecurity {
        /// The object.
        path: String,
        /// Through a link at the last name, or the link itself.
        follow: Follow,
        /// The new descriptor.
        descriptor: Option<SecurityDescriptor>,
    },
    // ---- by id (the adapters' view) ----
    /// [`Machine::lookup`]: one name inside a directory, not followed.
    Lookup {
        /// The directory.
        dir: NodeId,
        /// One path component.
        name: String,
    },
    /// [`Machine::info`]: a node's information.
    Info {
        /// The node.
        node: NodeId,
    },
    /// [`Machine::read_dir`]: every entry of a directory.
    ReadDir {
        /// The directory.
        dir: NodeId,
    },
    /// [`Machine::create_file_at`]: a new file in a directory.
    CreateFileAt {
        /// The parent directory.
        dir: NodeId,
        /// The new name (one component).
        name: String,
        /// Its `FILE_ATTRIBUTE_*` bits.
        attributes: u32,
    },
    /// [`Machine::create_directory_at`]: a new directory in a directory.
    CreateDirectoryAt {
        /// The parent directory.
        dir: NodeId,
        /// The new name (one component).
        name: String,
    },
    /// [`Machine::delete_at`]: unlink or rmdir one name.
    DeleteAt {
        /// The parent directory.
        dir: NodeId,
        /// The name to remove.
        name: String,
        /// Whether the caller expects a file or a directory.
        want: Want,
    },
    /// [`Machine::rename_at`]: rename between two directories.
    RenameAt {
        /// The source's parent directory.
        from_dir: NodeId,
        /// The source name.
        from: String,
        /// The destination's parent directory.
        to_dir: NodeId,
        /// The destination name.
        to: String,
        /// Replace an existing destination.
        replace: bool,
    },
    /// [`Machine::create_hard_link_at`]: a new name for a file.
    CreateHardLinkAt {
        /// The existing file.
        file: NodeId,
        /// The directory of the new name (same volume).
        dir: NodeId,
        /// The new name.
        name: String,
    },
    /// [`Machine::create_symbolic_link_at`]: a symbolic link in a directory.
    CreateSymbolicLinkAt {
        /// The parent directory.
        dir: NodeId,
        /// The link's name.
        name: String,
        /// The stored target text.
        target: String,
        /// `SYMBOLIC_LINK_FLAG_*`.
        flags: SymlinkFlags,
    },
    /// [`Machine::create_junction_at`]: a junction in a directory.
    CreateJunctionAt {
        /// The parent directory.
        dir: NodeId,
        /// The junction's name.
        name: String,
        /// The target (made absolute).
        target: String,
    },
    /// [`Machine::set_reparse_point_of`]: `FSCTL_SET_REPARSE_POINT` on a node.
    SetReparsePointOf {
        /// The node.
        node: NodeId,
        /// A raw `REPARSE_DATA_BUFFER`.
        buffer: Vec<u8>,
    },
    /// [`Machine::get_reparse_point_of`]: the node's raw reparse buffer.
    GetReparsePointOf {
        /// The node.
        node: NodeId,
    },
    /// [`Machine::remove_reparse_point_of`]: delete the node's reparse point.
    RemoveReparsePointOf {
        /// The node.
        node: NodeId,
    },
    /// [`Machine::set_attributes_of`]: `FILE_ATTRIBUTE_*` bits of a node.
    SetAttributesOf {
        /// The node.
        node: NodeId,
        /// The bits to set.
        attributes: u32,
    },
    /// [`Machine::set_len_of`]: truncate or extend a file by id.
    SetLenOf {
        /// The file.
        node: NodeId,
        /// The new length in bytes.
        len: u64,
    },
    /// [`Machine::file_names`]: every hard link of a node.
    FileNames {
        /// The node.
        node: NodeId,
    },
    /// [`Machine::path_of`]: one Win32 path of a node.
    PathOf {
        /// The node.
        node: NodeId,
    },
    // ---- machine ----
    /// [`Machine::set_profile`]: the Windows version and privileges to emulate.
    SetProfile {
        /// The new profile.
        profile: Profile,
    },
    /// [`Machine::add_volume`]: a new empty volume on a free drive letter.
    AddVolume {
        /// Its drive letter.
        letter: char,
        /// Its file system (NTFS, FAT32, exFAT, ReFS).
        kind: FsKind,
        /// Its volume label, if any.
        label: Option<String>,
    },
}

/// What an operation returned on success; which variant depends on the
/// [`Op`] (see [`Machine::apply`]).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    /// The operation returns nothing.
    Done,
    /// A file's information (creations, lookups, queries).
    Info(FileInfo),
    /// Bytes read, or a raw reparse buffer.
    Bytes(Vec<u8>),
    /// `FILE_ATTRIBUTE_*` bits.
    Attributes(u32),
    /// Directory entries.
    Entries(Vec<DirEntryInfo>),
    /// Every hard link name of a file.
    Names(Vec<FileName>),
    /// A Win32 path.
    Path(String),
    /// A new open handle.
    Handle(HandleId),
    /// How many bytes were written.
    Count(usize),
    /// A decoded reparse point.
    Reparse(ReparseData),
    /// What a tree delete removed and kept.
    TreeDelete(TreeDeleteReport),
    /// The new volume.
    Volume(VolumeId),
}

impl Op {
    /// True for operations that never change the machine (queries, reads).
    pub fn is_query(&self) -> bool {
        matches!(
            self,
            Op::ReadFile { .. }
                | Op::GetReparsePoint { .. }
                | Op::ReadReparseData { .. }
                | Op::QueryInformation { .. }
                | Op::GetFileAttributes { .. }
                | Op::Enumerate { .. }
                | Op::FindFileNames { .. }
                | Op::FinalPath { .. }
                | Op::Read { .. }
                | Op::HandleInfo { .. }
                | Op::Lookup { .. }
                | Op::Info { .. }
                | Op::ReadDir { .. }
                | Op::GetReparsePointOf { .. }
                | Op::FileNames { .. }
                | Op::PathOf { .. }
        )
    }
}

impl Machine {
    /// Runs one operation. A failed operation changes nothing.
    pub fn apply(&mut self, op: &Op) -> Result<Outcome> {
        use Outcome::{Bytes, Done, Info};
        Ok(match op {
            Op::CreateFile { path } => Info(self.create_file(path)?),
            Op::CreateDirectory { path } => Info(self.create_directory(path)?),
            Op::WriteFile { path, data } => {
                self.write_file(path, data)?;
                Done
            }
            Op::AppendFile { path, data } => {
                self.append_file(path, data)?;
                Done
            }
            Op::ReadFile { path } => Bytes(self.read_file(path)?),
            Op::DeleteFile { path } => {
                self.delete_file(path)?;
                Done
            }
            Op::RemoveDirectory { path } => {
                self.remove_directory(path)?;
                Done
            }
            Op::MoveFile { from, to, flags } => {
                self.move_file(from, to, *flags)?;
                Done
            }
            Op::SetFileAttributes { path, attributes } => {
                self.set_file_attributes(path, *attributes)?;
                Done
            }
            Op::RemoveTree { path } => Outcome::TreeDelete(self.remove_tree(path)?),
            Op::ExplorerDelete { path } => Outcome::TreeDelete(self.explorer_delete(path)?),
            Op::CreateHardLink {
                link,
                existing,
                options,
            } => Info(self.create_hard_link_ex(link, existing, *options)?),
            Op::CreateSymbolicLink {
                link,
                target,
                flags,
            } => Info(self.create_symbolic_link(link, target, *flags)?),
            Op::CreateJunction { link, target } => Info(self.create_junction(link, target)?),
            Op::SetReparsePoint { path, buffer } => {
                self.set_reparse_point(path, buffer)?;
                Done
            }
            Op::GetReparsePoint { path } => Bytes(self.get_reparse_point(path)?),
            Op::DeleteReparsePoint { path, request } => {
                self.delete_reparse_point(path, request)?;
                Done
            }
            Op::RemoveReparsePoint { path } => {
                self.remove_reparse_point(path)?;
                Done
            }
            Op::ReadReparseData { path } => Outcome::Reparse(self.read_reparse_data(path)?),
            Op::QueryInformation { path, follow } => Info(self.query_information(path, *follow)?),
            Op::GetFileAttributes { path } => Outcome::Attributes(self.get_file_attributes(path)?),
            Op::Enumerate { path } => Outcome::Entries(self.enumerate(path)?),
            Op::FindFileNames { path } => Outcome::Names(self.find_file_names(path)?),
            Op::FinalPath { path } => Outcome::Path(self.final_path(path)?),
            Op::SetCurrentDir { path } => {
                self.set_current_dir(path)?;
                Done
            }
            Op::Open { path, options } => Outcome::Handle(self.open(path, options)?),
            Op::OpenNode { node, options } => Outcome::Handle(self.open_node(*node, options)?),
            Op::Close { handle } => {
                self.close(*handle)?;
                Done
            }
            Op::Read {
                handle,
                offset,
                len,
            } => Bytes(self.read(*handle, *offset, *len)?),
            Op::Write {
                handle,
                offset,
                data,
            } => Outcome::Count(self.write(*handle, *offset, data)?),
            Op::SetLen { handle, len } => {
                self.set_len(*handle, *len)?;
                Done
            }
            Op::HandleInfo { handle } => Info(self.handle_info(*handle)?),
            Op::SetLinkInformation {
                handle,
                root,
                name,
                options,
            } => Info(self.set_link_information(*handle, *root, name, *options)?),
            Op::SetRenameInformation {
                handle,
                root,
                name,
                options,
            } => {
                self.set_rename_information(*handle, *root, name, *options)?;
                Done
            }
            Op::SetReparsePointH { handle, buffer } => {
                self.set_reparse_point_h(*handle, buffer)?;
                Done
            }
            Op::SetSecurity {
                path,
                follow,
                descriptor,
            } => {
                self.set_security(path, *follow, descriptor.clone())?;
                Done
            }
            Op::SetDeleteDisposition {
                handle,
                delete,
                semantics,
            } => {
                self.set_delete_disposition(*handle, *delete, *semantics)?;
                Done
            }
            Op::Lookup { dir, name } => Info(self.lookup(*dir, name)?),
            Op::Info { node } => Info(self.info(*node)?),
            Op::ReadDir { dir } => Outcome::Entries(self.read_dir(*dir, None, usize::MAX)?),
            Op::CreateFileAt {
                dir,
                name,
                attributes,
            } => Info(self.create_file_at(*dir, name, *attributes)?),
            Op::CreateDirectoryAt { dir, name } => Info(self.create_directory_at(*dir, name)?),
            Op::DeleteAt { dir, name, want } => {
                self.delete_at(*dir, name, *want)?;
                Done
            }
            Op::RenameAt {
                from_dir,
                from,
                to_dir,
                to,
                replace,
            } => {
                self.rename_at(*from_dir, from, *to_dir, to, *replace)?;
                Done
            }
            Op::CreateHardLinkAt { file, dir, name } => {
                Info(self.create_hard_link_at(*file, *dir, name)?)
            }
            Op::CreateSymbolicLinkAt {
                dir,
                name,
                target,
                flags,
            } => Info(self.create_symbolic_link_at(*dir, name, target, *flags)?),
            Op::CreateJunctionAt { dir, name, target } => {
                Info(self.create_junction_at(*dir, name, target)?)
            }
            Op::SetReparsePointOf { node, buffer } => {
                self.set_reparse_point_of(*node, buffer)?;
                Done
            }
            Op::GetReparsePointOf { node } => Bytes(self.get_reparse_point_of(*node)?),
            Op::RemoveReparsePointOf { node } => {
                self.remove_reparse_point_of(*node)?;
                Done
            }
            Op::SetAttributesOf { node, attributes } => {
                self.set_attributes_of(*node, *attributes)?;
                Done
            }
            Op::SetLenOf { node, len } => {
                self.set_len_of(*node, *len)?;
                Done
            }
            Op::FileNames { node } => Outcome::Names(self.file_names(*node)?),
            Op::PathOf { node } => Outcome::Path(self.path_of(*node)?),
            Op::SetProfile { profile } => {
                self.set_profile(*profile);
                Done
            }
            Op::AddVolume {
                letter,
                kind,
                label,
            } => Outcome::Volume(self.add_volume(*letter, *kind, label.as_deref())?),
        })
    }
}
