//! One enum of every operation, with owned arguments, and [`Machine::apply`] to
//! run it. The shell, the conformance tables, the property tests and the fuzz
//! targets all produce `Op`s (STYLE §1, cap-std's fuzz `Operation`), so one
//! table row or one generated step is plain data that can be printed, stored
//! and replayed.

use crate::error::Result;
use crate::handle::{DeleteSemantics, HandleId, OpenOptions, Want};
use crate::links::{LinkOptions, SymlinkFlags};
use crate::machine::{DirEntryInfo, FileInfo, Follow, Machine, NodeId, VolumeId};
use crate::namespace::MoveFlags;
use crate::profile::{FsKind, Profile};
use crate::query::FileName;
use crate::reparse::ReparseData;
use crate::tree::TreeDeleteReport;

/// Every operation of [`Machine`], path-based (Win32 paths) and by id (the
/// adapters' view). Field names follow the methods' parameters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    // ---- files and directories by path ----
    CreateFile {
        path: String,
    },
    CreateDirectory {
        path: String,
    },
    WriteFile {
        path: String,
        data: Vec<u8>,
    },
    AppendFile {
        path: String,
        data: Vec<u8>,
    },
    ReadFile {
        path: String,
    },
    DeleteFile {
        path: String,
    },
    RemoveDirectory {
        path: String,
    },
    MoveFile {
        from: String,
        to: String,
        flags: MoveFlags,
    },
    SetFileAttributes {
        path: String,
        attributes: u32,
    },
    RemoveTree {
        path: String,
    },
    ExplorerDelete {
        path: String,
    },
    // ---- links ----
    CreateHardLink {
        link: String,
        existing: String,
        options: LinkOptions,
    },
    CreateSymbolicLink {
        link: String,
        target: String,
        flags: SymlinkFlags,
    },
    CreateJunction {
        link: String,
        target: String,
    },
    // ---- raw reparse points ----
    SetReparsePoint {
        path: String,
        buffer: Vec<u8>,
    },
    GetReparsePoint {
        path: String,
    },
    DeleteReparsePoint {
        path: String,
        request: Vec<u8>,
    },
    RemoveReparsePoint {
        path: String,
    },
    ReadReparseData {
        path: String,
    },
    // ---- queries ----
    QueryInformation {
        path: String,
        follow: Follow,
    },
    GetFileAttributes {
        path: String,
    },
    Enumerate {
        path: String,
    },
    FindFileNames {
        path: String,
    },
    FinalPath {
        path: String,
    },
    // ---- current directory ----
    SetCurrentDir {
        path: String,
    },
    // ---- handles ----
    Open {
        path: String,
        options: OpenOptions,
    },
    OpenNode {
        node: NodeId,
        options: OpenOptions,
    },
    Close {
        handle: HandleId,
    },
    Read {
        handle: HandleId,
        offset: u64,
        len: usize,
    },
    Write {
        handle: HandleId,
        offset: u64,
        data: Vec<u8>,
    },
    SetLen {
        handle: HandleId,
        len: u64,
    },
    HandleInfo {
        handle: HandleId,
    },
    SetDeleteDisposition {
        handle: HandleId,
        delete: bool,
        semantics: DeleteSemantics,
    },
    // ---- by id (the adapters' view) ----
    Lookup {
        dir: NodeId,
        name: String,
    },
    Info {
        node: NodeId,
    },
    ReadDir {
        dir: NodeId,
    },
    CreateFileAt {
        dir: NodeId,
        name: String,
        attributes: u32,
    },
    CreateDirectoryAt {
        dir: NodeId,
        name: String,
    },
    DeleteAt {
        dir: NodeId,
        name: String,
        want: Want,
    },
    RenameAt {
        from_dir: NodeId,
        from: String,
        to_dir: NodeId,
        to: String,
        replace: bool,
    },
    CreateHardLinkAt {
        file: NodeId,
        dir: NodeId,
        name: String,
    },
    CreateSymbolicLinkAt {
        dir: NodeId,
        name: String,
        target: String,
        flags: SymlinkFlags,
    },
    CreateJunctionAt {
        dir: NodeId,
        name: String,
        target: String,
    },
    SetReparsePointOf {
        node: NodeId,
        buffer: Vec<u8>,
    },
    GetReparsePointOf {
        node: NodeId,
    },
    RemoveReparsePointOf {
        node: NodeId,
    },
    SetAttributesOf {
        node: NodeId,
        attributes: u32,
    },
    SetLenOf {
        node: NodeId,
        len: u64,
    },
    FileNames {
        node: NodeId,
    },
    PathOf {
        node: NodeId,
    },
    // ---- machine ----
    SetProfile {
        profile: Profile,
    },
    AddVolume {
        letter: char,
        kind: FsKind,
        label: Option<String>,
    },
}

/// What an operation returned on success.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outcome {
    Done,
    Info(FileInfo),
    Bytes(Vec<u8>),
    Attributes(u32),
    Entries(Vec<DirEntryInfo>),
    Names(Vec<FileName>),
    Path(String),
    Handle(HandleId),
    Count(usize),
    Reparse(ReparseData),
    TreeDelete(TreeDeleteReport),
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
