//! Names changed through an open handle: NtSetInformationFile with
//! FileLinkInformation and FileRenameInformation, the new name absolute or
//! relative to a RootDirectory handle. The target directory is opened as the
//! I/O manager opens it (FILE_ADD_FILE sharing read and write), so a
//! RootDirectory handle that does not share write refuses the call (HL11).

use crate::error::{NtError, Result};
use crate::handle::{HandleId, ReadOnly};
use crate::machine::{FileInfo, Follow, Machine, Resolved, VolumeId};
use crate::namespace::MoveFlags;
use crate::path::PathUnits;
use crate::resolve::PrefixIsFile;
use crate::LinkOptions;

/// Options of FileRenameInformation(Ex).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct RenameOptions {
    /// ReplaceIfExists / FILE_RENAME_REPLACE_IF_EXISTS.
    pub replace_if_exists: bool,
    /// FILE_RENAME_POSIX_SEMANTICS: an open file (or an empty directory) may
    /// be replaced (M3, M11).
    pub posix_semantics: bool,
}

impl Machine {
    /// FileLinkInformation on handle `h`: a new name `name` for its file, a
    /// path relative to directory handle `root` or, without one, a full path.
    /// The handle needs no particular access; the name it was opened through
    /// may be pending delete-on-close (HL12).
    pub fn set_link_information(
        &mut self,
        h: HandleId,
        root: Option<HandleId>,
        name: &(impl PathUnits + ?Sized),
        opts: LinkOptions,
    ) -> Result<FileInfo> {
        let file = self.handle_node(h)?;
        let src = self.resolved_node(file)?;
        let dst = self.resolve_new_name(root, &name.path_units())?;
        self.hard_link_resolved(src, dst, opts)
    }

    /// FileRenameInformation on handle `h`: the name it was opened through
    /// moves to `name` (relative to `root`, or a full path). The handle must
    /// have DELETE access; a handle whose name is gone gets STATUS_FILE_DELETED.
    pub fn set_rename_information(
        &mut self,
        h: HandleId,
        root: Option<HandleId>,
        name: &(impl PathUnits + ?Sized),
        opts: RenameOptions,
    ) -> Result<()> {
        let hd = self.handle(h)?;
        if hd.access & crate::access::DELETE == 0 {
            return Err(NtError::AccessDenied);
        }
        let (vol, rec) = (hd.vol, hd.rec);
        let (parent, key) = hd.through.clone().ok_or(NtError::FileDeleted)?;
        let stored = self
            .node(vol, rec)?
            .name_in(parent, &key)
            .map(|l| l.name.clone())
            .ok_or(NtError::FileDeleted)?;
        let src = Resolved {
            vol,
            parent: Some(parent),
            name: Some(stored.clone()),
            typed: Some(stored),
            node: Some(rec),
            via_link: None,
            link_node: None,
            require_dir: false,
        };
        let dst = self.resolve_new_name(root, &name.path_units())?;
        self.move_resolved_by(
            src,
            dst,
            MoveFlags {
                replace_existing: opts.replace_if_exists,
                copy_allowed: false,
            },
            opts.posix_semantics && opts.replace_if_exists,
            ReadOnly::Refuses,
            Some(h),
        )
    }

    /// Where a link or rename puts its new name: below the RootDirectory
    /// handle's directory, or at a full path. Links are not followed at the
    /// last component (the new name replaces whatever is there).
    fn resolve_new_name(&self, root: Option<HandleId>, name: &[u16]) -> Result<Resolved> {
        let Some(root) = root else {
            let path = self.full_path(name)?;
            return self.resolve_owned(
                path,
                Follow::OpenReparsePoint,
                PrefixIsFile::InvalidParameter,
            );
        };
        let rd = self.handle(root)?;
        let (vol, rec): (VolumeId, _) = (rd.vol, rd.rec);
        // A file as RootDirectory: STATUS_INVALID_PARAMETER, as for a path
        // through a file (BTRFS links.cpp link18; the handle case is [X]).
        let dir = self.node(vol, rec)?;
        if !dir.is_dir() {
            return Err(NtError::InvalidParameter);
        }
        // A directory deleted with POSIX semantics while this handle stayed
        // open has no name: nothing may be named in it, or the name would be
        // out of every path (the handle case of STATUS_FILE_DELETED, [X]).
        if dir.names.is_empty() && rec != crate::volume::ROOT_RECORD {
            return Err(NtError::FileDeleted);
        }
        const BS: u16 = b'\\' as u16;
        if name.first().is_none_or(|&u| u == BS) {
            return Err(NtError::ObjectNameInvalid);
        }
        if !name.contains(&BS) {
            return self.resolve_at(self.handle_node(root)?, name.to_name());
        }
        // A relative path of several components: from the directory's path.
        let mut path: Vec<u16> = self
            .path_of(self.handle_node(root)?)?
            .encode_utf16()
            .collect();
        if path.last() != Some(&BS) {
            path.push(BS);
        }
        path.extend_from_slice(name);
        let path = self.full_path(&path)?;
        self.resolve_owned(
            path,
            Follow::OpenReparsePoint,
            PrefixIsFile::InvalidParameter,
        )
    }
}
