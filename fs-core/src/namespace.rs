//! Creating, deleting and moving names: CreateDirectory, DeleteFile,
//! RemoveDirectory, MoveFileEx, plus whole-file conveniences.

use crate::access::{DELETE, FILE_GENERIC_READ, FILE_READ_ATTRIBUTES, SYNCHRONIZE};
use crate::attrs::{FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_READONLY, SETTABLE_ATTRIBUTES};
use crate::error::{NtError, Result};
use crate::file_ref::RecordNo;
use crate::handle::{DeleteSemantics, Disposition, OpenOptions, ReadOnly, Want};
use crate::machine::{FileInfo, Follow, Machine, NodeId, Resolved, VolumeId};
use crate::name::Name;
use crate::node::{NodeKind, PosixMeta};
use crate::path::PathUnits;
use crate::resolve::PrefixIsFile;
use crate::volume::ROOT_RECORD;

/// MoveFileEx flags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct MoveFlags {
    /// MOVEFILE_REPLACE_EXISTING.
    pub replace_existing: bool,
    /// MOVEFILE_COPY_ALLOWED: a file may move to another volume by copy + delete.
    pub copy_allowed: bool,
}

impl Machine {
    /// CreateDirectoryW. An existing name, junctions included, collides (J16).
    pub fn create_directory(&mut self, path: &(impl PathUnits + ?Sized)) -> Result<FileInfo> {
        let r = self.resolve_str(path, Follow::OpenReparsePoint)?;
        self.create_directory_resolved(r)
    }

    /// mkdir in a directory by id.
    pub fn create_directory_at(
        &mut self,
        dir: NodeId,
        name: &(impl PathUnits + ?Sized),
    ) -> Result<FileInfo> {
        let r = self.resolve_at(dir, name.to_name())?;
        self.create_directory_resolved(r)
    }

    fn create_directory_resolved(&mut self, r: Resolved) -> Result<FileInfo> {
        let (Some(parent), Some(name)) = (r.parent, r.name.clone()) else {
            return Err(NtError::ObjectNameCollision);
        };
        // An existing name collides (J16), or is pending delete (M9): check_new_name.
        self.check_new_name(r.vol, parent, &name)?;
        let rec = self.insert_node_unchecked(
            r.vol,
            parent,
            name,
            NodeKind::Directory(Default::default()),
            FILE_ATTRIBUTE_DIRECTORY,
        );
        Ok(self.file_info(r.vol, rec, None))
    }

    /// Creates an empty file (CREATE_NEW) and closes it.
    pub fn create_file(&mut self, path: &(impl PathUnits + ?Sized)) -> Result<FileInfo> {
        let opts = OpenOptions::default()
            .disposition(Disposition::Create)
            .want(Want::File);
        let h = self.open(path, &opts)?;
        let info = self.handle_info(h);
        self.close(h)?;
        info
    }

    /// Creates an empty file in a directory by id.
    pub fn create_file_at(
        &mut self,
        dir: NodeId,
        name: &(impl PathUnits + ?Sized),
        attributes: u32,
    ) -> Result<FileInfo> {
        let opts = OpenOptions {
            attributes,
            ..OpenOptions::default()
                .disposition(Disposition::Create)
                .want(Want::File)
        };
        let h = self.open_at(dir, name, &opts)?;
        let info = self.handle_info(h);
        self.close(h)?;
        info
    }

    /// Replaces a file's contents, creating it if needed (CREATE_ALWAYS, links
    /// followed: `echo x > link` writes the target, S20).
    pub fn write_file(&mut self, path: &(impl PathUnits + ?Sized), bytes: &[u8]) -> Result<()> {
        let opts = OpenOptions::default()
            .disposition(Disposition::OverwriteIf)
            .want(Want::File);
        let h = self.open(path, &opts)?;
        let r = self.write(h, 0, bytes).map(|_| ());
        self.close(h)?;
        r
    }

    /// Appends to a file, creating it if needed (`>>`).
    pub fn append_file(&mut self, path: &(impl PathUnits + ?Sized), bytes: &[u8]) -> Result<()> {
        let opts = OpenOptions::default()
            .disposition(Disposition::OpenIf)
            .want(Want::File)
            .write(true);
        let h = self.open(path, &opts)?;
        let end = self.handle_info(h).map(|i| i.size);
        let r = end.and_then(|end| self.write(h, end, bytes).map(|_| ()));
        self.close(h)?;
        r
    }

    /// Reads a whole file, links followed.
    pub fn read_file(&mut self, path: &(impl PathUnits + ?Sized)) -> Result<Vec<u8>> {
        let h = self.open(path, &OpenOptions::default().want(Want::File))?;
        let r = self
            .handle_info(h)
            .and_then(|i| self.read(h, 0, i.size as usize));
        self.close(h)?;
        r
    }

    /// DeleteFileW: deletes the name itself, never a link's target (S30); a
    /// directory or junction is refused (M12, J31, S32); a read-only name is
    /// refused (HL34). Open handles keep the data (HL30).
    pub fn delete_file(&mut self, path: &(impl PathUnits + ?Sized)) -> Result<()> {
        let opts = OpenOptions::default()
            .access(DELETE | FILE_READ_ATTRIBUTES | SYNCHRONIZE)
            .follow(Follow::OpenReparsePoint)
            .want(Want::File);
        let h = self.open(path, &opts)?;
        let r = self.set_delete_disposition(h, true, DeleteSemantics::Profile);
        self.close(h)?;
        r
    }

    /// RemoveDirectoryW: removes an empty directory, or a junction / directory
    /// symlink without touching its target (J30, S31); a file is refused (M12).
    pub fn remove_directory(&mut self, path: &(impl PathUnits + ?Sized)) -> Result<()> {
        let opts = OpenOptions::default()
            .access(DELETE | FILE_READ_ATTRIBUTES | SYNCHRONIZE)
            .follow(Follow::OpenReparsePoint)
            .want(Want::Directory);
        let h = self.open(path, &opts)?;
        let r = self.set_delete_disposition(h, true, DeleteSemantics::Profile);
        self.close(h)?;
        r
    }

    /// unlink(2)/rmdir(2) in the Linux view: removes `name` from `dir` with POSIX
    /// semantics (the name goes at once, open handles keep the data).
    pub fn delete_at(
        &mut self,
        dir: NodeId,
        name: &(impl PathUnits + ?Sized),
        want: Want,
    ) -> Result<()> {
        self.delete_at_ex(dir, name, want, ReadOnly::Refuses)
    }

    /// [`Machine::delete_at`] with FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE
    /// when `read_only` is [`ReadOnly::Ignored`]: the Linux view's unlink, which
    /// POSIX permissions govern (the kernel checks them before asking).
    pub fn delete_at_ex(
        &mut self,
        dir: NodeId,
        name: &(impl PathUnits + ?Sized),
        want: Want,
        read_only: ReadOnly,
    ) -> Result<()> {
        let opts = OpenOptions::default()
            .access(DELETE | FILE_READ_ATTRIBUTES | SYNCHRONIZE)
            .want(want);
        let h = self.open_at(dir, name, &opts)?;
        let r = self.set_delete_disposition_ex(h, true, DeleteSemantics::Posix, read_only);
        self.close(h)?;
        r
    }

    /// MoveFileExW. The source is the name itself (a link is renamed, not its
    /// target, S35, M8); the destination's directory is reached following links.
    pub fn move_file(
        &mut self,
        from: &(impl PathUnits + ?Sized),
        to: &(impl PathUnits + ?Sized),
        flags: MoveFlags,
    ) -> Result<()> {
        let src_path = self.full_path(from)?;
        let dst_path = self.full_path(&to)?;
        let src = self.resolve_with(
            &src_path,
            Follow::OpenReparsePoint,
            PrefixIsFile::InvalidParameter,
        )?;
        let dst = self.resolve_with(
            &dst_path,
            Follow::OpenReparsePoint,
            PrefixIsFile::InvalidParameter,
        )?;
        // A rename on one volume is MoveFileExW's open of the name itself for
        // DELETE, FileRenameInformation on that handle, close. A move to
        // another volume (a copy and a delete) and the refusals that need no
        // open (a missing source, a root) keep the direct path.
        if src.vol != dst.vol || src.node.is_none() || src.parent.is_none() {
            return self.move_resolved_by(src, dst, flags, false, ReadOnly::Refuses, None);
        }
        let open = OpenOptions::default()
            .access(DELETE | FILE_READ_ATTRIBUTES | SYNCHRONIZE)
            .share(crate::access::FILE_SHARE_ALL)
            .follow(Follow::OpenReparsePoint);
        let h = self.open_resolved(src, &open)?;
        let rename = crate::RenameOptions {
            replace_if_exists: flags.replace_existing,
            posix_semantics: false,
        };
        let r = self.set_rename_information(h, None, &to, rename);
        self.close(h)?;
        r
    }

    /// rename(2) between directories by id. `replace` replaces an existing
    /// destination as MOVEFILE_REPLACE_EXISTING does.
    pub fn rename_at(
        &mut self,
        from_dir: NodeId,
        from: &(impl PathUnits + ?Sized),
        to_dir: NodeId,
        to: &(impl PathUnits + ?Sized),
        replace: bool,
    ) -> Result<()> {
        self.rename_at_ex(from_dir, from, to_dir, to, replace, ReadOnly::Refuses)
    }

    /// [`Machine::rename_at`] with FILE_RENAME_IGNORE_READONLY_ATTRIBUTE when
    /// `read_only` is [`ReadOnly::Ignored`]: a read-only destination is replaced
    /// (the Linux view's rename(2)).
    pub fn rename_at_ex(
        &mut self,
        from_dir: NodeId,
        from: &(impl PathUnits + ?Sized),
        to_dir: NodeId,
        to: &(impl PathUnits + ?Sized),
        replace: bool,
        read_only: ReadOnly,
    ) -> Result<()> {
        let src = self.resolve_at(from_dir, from.to_name())?;
        let dst = self.resolve_at(to_dir, to.to_name())?;
        self.move_resolved_by(
            src,
            dst,
            MoveFlags {
                replace_existing: replace,
                copy_allowed: false,
            },
            // rename(2) replaces with FILE_RENAME_POSIX_SEMANTICS (M3, M11).
            replace,
            read_only,
            None,
        )
    }

    /// The rename itself; `by` is the handle it is made through (left out of
    /// the share check), if any.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn move_resolved_by(
        &mut self,
        src: Resolved,
        dst: Resolved,
        flags: MoveFlags,
        posix: bool,
        read_only: ReadOnly,
        by: Option<crate::handle::HandleId>,
    ) -> Result<()> {
        let src_rec = src.node.ok_or(NtError::ObjectNameNotFound)?;
        let (Some(src_parent), Some(src_name)) = (src.parent, src.name.clone()) else {
            return Err(NtError::AccessDenied); // a volume root cannot move
        };
        // MoveFileExW opens the source before it looks at the destination:
        // a source pending delete fails first, whatever the destination is.
        let src_node = self.node(src.vol, src_rec)?;
        if src_node
            .name_in(src_parent, &src_name.key())
            .is_some_and(|l| l.delete_pending)
        {
            return Err(NtError::DeletePending);
        }
        let (Some(dst_parent), Some(dst_name)) = (dst.parent, dst.typed.clone()) else {
            return Err(NtError::AccessDenied);
        };
        let is_dir = src_node.is_dir();
        crate::name::validate(dst_name.units())?;

        if src.vol != dst.vol {
            // M6: only a file moves across volumes, and only by copy + delete.
            if !flags.copy_allowed {
                return Err(NtError::NotSameDevice);
            }
            // A directory with COPY_ALLOWED fails ERROR_ACCESS_DENIED, as `move
            // dir D:\` shows in cmd ([O] AlphaFS#256, LxRunOffline#13, Nim#18216).
            if is_dir {
                return Err(NtError::AccessDenied);
            }
            return self.move_across_volumes(src, dst, flags);
        }
        let vol = src.vol;
        // Renaming opens the source for DELETE: the descriptor must grant it and
        // every other handle must share delete (M5; the same mechanism for
        // files); then the I/O manager opens the target directory (HL11).
        self.grant_access(vol, src_rec, DELETE)?;
        self.check_no_exclusive_handles_but(vol, src_rec, by)?;
        if is_dir && self.is_ancestor_or_self(vol, src_rec, dst_parent) {
            return Err(NtError::InvalidParameter);
        }
        self.check_target_dir_open(vol, dst_parent, is_dir)?;
        let dst_key = dst_name.key();
        // Same directory, same name up to case: a case change (M1) or nothing.
        if src_parent == dst_parent && src_name.key() == dst_key {
            if src_name.units() != dst_name.units() {
                self.rename_case_unchecked(vol, src_rec, src_parent, dst_name);
            }
            return Ok(());
        }
        if let Some(existing) = dst.node {
            if posix && existing != src_rec {
                self.check_replace_posix(vol, existing, dst_parent, &dst_name, is_dir, read_only)?;
            } else {
                self.check_replace_by(
                    vol,
                    existing,
                    dst_parent,
                    &dst_name,
                    flags.replace_existing,
                    by,
                )?;
            }
            if existing == src_rec {
                // Another name of the same file: the source name simply goes.
                self.unlink_unchecked(vol, src_parent, &src_name.key());
                return Ok(());
            }
            self.unlink_unchecked(vol, dst_parent, &dst_key);
        } else {
            self.check_new_name(vol, dst_parent, &dst_name)?;
        }
        // Re-link: the node is kept alive across the two primitives by linking first.
        let (src_key, dst_key) = (src_name.key(), dst_name.key());
        self.link_unchecked(vol, dst_parent, dst_name, src_rec);
        // Handles follow the file to its new name.
        self.retarget_handles(
            vol,
            src_rec,
            src_parent,
            &src_key,
            Some((dst_parent, dst_key)),
        );
        self.unlink_unchecked(vol, src_parent, &src_key);
        Ok(())
    }

    /// M2, M3: what may be replaced by a move or a replacing link.
    pub(crate) fn check_replace(
        &self,
        vol: VolumeId,
        existing: RecordNo,
        parent: RecordNo,
        name: &Name,
        replace: bool,
    ) -> Result<()> {
        self.check_replace_by(vol, existing, parent, name, replace, None)
    }

    /// [`Machine::check_replace`] for a rename through handle `by`, which
    /// does not count as an open of the file replaced (another name of the
    /// same file simply goes).
    fn check_replace_by(
        &self,
        vol: VolumeId,
        existing: RecordNo,
        parent: RecordNo,
        name: &Name,
        replace: bool,
        by: Option<crate::handle::HandleId>,
    ) -> Result<()> {
        let node = self.node(vol, existing)?;
        if node
            .name_in(parent, &name.key())
            .is_some_and(|l| l.delete_pending)
        {
            return Err(NtError::DeletePending);
        }
        if !replace {
            return Err(NtError::ObjectNameCollision);
        }
        if node.is_dir()
            || node.attrs & FILE_ATTRIBUTE_READONLY != 0
            || self.is_open_except(vol, existing, by)
        {
            return Err(NtError::AccessDenied);
        }
        Ok(())
    }

    /// M3, M11: FILE_RENAME_POSIX_SEMANTICS may replace an open file (whose
    /// handles keep working) and an empty directory by a directory.
    pub(crate) fn check_replace_posix(
        &self,
        vol: VolumeId,
        existing: RecordNo,
        parent: RecordNo,
        name: &Name,
        src_is_dir: bool,
        read_only: ReadOnly,
    ) -> Result<()> {
        let node = self.node(vol, existing)?;
        if node
            .name_in(parent, &name.key())
            .is_some_and(|l| l.delete_pending)
        {
            return Err(NtError::DeletePending);
        }
        match (src_is_dir, node.is_dir()) {
            (true, true) if node.entries().is_some_and(|e| !e.is_empty()) => {
                return Err(NtError::DirectoryNotEmpty)
            }
            (true, true) => {}
            // [X] POSIX rename(2) says EISDIR / ENOTDIR for a kind mismatch.
            (false, true) => return Err(NtError::FileIsADirectory),
            (true, false) => return Err(NtError::NotADirectory),
            (false, false) => {}
        }
        if node.attrs & FILE_ATTRIBUTE_READONLY != 0 && read_only == ReadOnly::Refuses {
            return Err(NtError::AccessDenied);
        }
        // The victim's open handles must all share delete (M11).
        self.check_no_exclusive_handles(vol, existing)
    }

    fn rename_case_unchecked(
        &mut self,
        vol: VolumeId,
        rec: RecordNo,
        parent: RecordNo,
        name: Name,
    ) {
        let now = self.now();
        let key = name.key();
        let node = self.volumes[vol].node_mut(rec).expect("checked");
        if let Some(l) = node
            .names
            .iter_mut()
            .find(|l| l.parent == parent && l.name.matches_key(&key))
        {
            l.name = name;
        }
        node.times.change = now;
    }

    /// True when `dir` is `ancestor` or lies below it.
    fn is_ancestor_or_self(&self, vol: VolumeId, ancestor: RecordNo, mut dir: RecordNo) -> bool {
        let v = &self.volumes[vol];
        for _ in 0..100_000 {
            if dir == ancestor {
                return true;
            }
            if dir == ROOT_RECORD {
                return false;
            }
            match v.node(dir).and_then(|n| n.names.first()) {
                Some(l) => dir = l.parent,
                None => return false,
            }
        }
        false
    }

    /// MOVEFILE_COPY_ALLOWED across volumes: copy the file (data, attributes,
    /// times, reparse point) then delete the source name.
    fn move_across_volumes(
        &mut self,
        src: Resolved,
        dst: Resolved,
        flags: MoveFlags,
    ) -> Result<()> {
        let src_rec = src.node.ok_or(NtError::ObjectNameNotFound)?;
        let (src_parent, src_name) = (
            src.parent.expect("checked"),
            src.name.clone().expect("checked"),
        );
        let (dst_parent, dst_name) = (
            dst.parent.expect("checked"),
            dst.name.clone().expect("checked"),
        );
        let node = self.node(src.vol, src_rec)?;
        let (attrs, times, posix, reparse) =
            (node.attrs, node.times, node.posix, node.reparse.clone());
        if !self.volumes[dst.vol].kind.supports_reparse_points() && reparse.is_some() {
            return Err(NtError::InvalidDeviceRequest);
        }
        // Validate the whole move before changing anything.
        match dst.node {
            Some(existing) => self.check_replace(
                dst.vol,
                existing,
                dst_parent,
                &dst_name,
                flags.replace_existing,
            )?,
            None => self.check_new_name(dst.vol, dst_parent, &dst_name)?,
        }
        // The copy of the data must fit the destination (and memory) first.
        let data = match self.node(src.vol, src_rec)?.data() {
            Some(d) => self.copy_data(d, dst.vol)?,
            None => return Err(NtError::AccessDenied),
        };
        let src_handle = self.open_resolved(
            src.clone(),
            &OpenOptions::default()
                .access(FILE_GENERIC_READ | DELETE)
                .follow(Follow::OpenReparsePoint),
        )?;
        let deletable = self.set_delete_disposition(src_handle, true, DeleteSemantics::Classic);
        if let Err(e) = deletable {
            self.close(src_handle)?;
            return Err(e);
        }
        if dst.node.is_some() {
            self.unlink_unchecked(dst.vol, dst_parent, &dst_name.key());
        }
        let rec =
            self.insert_node_unchecked(dst.vol, dst_parent, dst_name, NodeKind::File(data), attrs);
        let copy = self.volumes[dst.vol].node_mut(rec).expect("just inserted");
        copy.times = times;
        copy.reparse = reparse;
        copy.posix = posix;
        let _ = (src_parent, src_name);
        self.close(src_handle)
    }

    /// SetFileAttributesW on the object itself (S36): only settable bits change.
    pub fn set_file_attributes(
        &mut self,
        path: &(impl PathUnits + ?Sized),
        attributes: u32,
    ) -> Result<()> {
        let r = self.resolve_str(path, Follow::OpenReparsePoint)?;
        let rec = r.node.ok_or(NtError::ObjectNameNotFound)?;
        self.set_attributes_rec(r.vol, rec, attributes)
    }

    /// Sets the attribute word of a node by id (`system.ntfs_attrib`).
    pub fn set_attributes_of(&mut self, id: NodeId, attributes: u32) -> Result<()> {
        let rec = self.record_of(id)?;
        self.set_attributes_rec(id.volume, rec, attributes)
    }

    fn set_attributes_rec(&mut self, vol: VolumeId, rec: RecordNo, attributes: u32) -> Result<()> {
        let now = self.now();
        let node = self.node_mut(vol, rec)?;
        let fixed = node.attrs & !SETTABLE_ATTRIBUTES;
        node.attrs = fixed | (attributes & SETTABLE_ATTRIBUTES);
        node.times.change = now;
        // The Linux view keeps the owner's write bit in step with READONLY.
        if node.attrs & FILE_ATTRIBUTE_READONLY != 0 {
            node.posix.mode &= !0o222;
        } else if node.posix.mode & 0o200 == 0 {
            node.posix.mode |= 0o200;
        }
        Ok(())
    }

    /// Sets timestamps of a node by id; `None` leaves a time unchanged.
    pub fn set_times_of(
        &mut self,
        id: NodeId,
        creation: Option<u64>,
        last_access: Option<u64>,
        last_write: Option<u64>,
    ) -> Result<()> {
        let rec = self.record_of(id)?;
        let now = self.now();
        let node = self.node_mut(id.volume, rec)?;
        if let Some(t) = creation {
            node.times.creation = t;
        }
        if let Some(t) = last_access {
            node.times.last_access = t;
        }
        if let Some(t) = last_write {
            node.times.last_write = t;
        }
        node.times.change = now;
        Ok(())
    }

    /// The Linux view's rule for metadata that chmod does not reach (the attribute
    /// word, reparse data, extended attributes): changing it needs the rights
    /// chmod needs, so only the owner or a privileged caller (uid 0) may, as
    /// ntfs-3g's `ntfs_allowed_as_owner` decides. The kernel checks chmod itself
    /// but leaves `system.*` attributes to the file system (issue 11 item 3).
    pub fn check_owner_of(&self, id: NodeId, caller_uid: u32) -> Result<()> {
        let rec = self.record_of(id)?;
        let owner = self.node(id.volume, rec)?.posix.uid;
        if caller_uid == 0 || caller_uid == owner {
            Ok(())
        } else {
            Err(NtError::AccessDenied)
        }
    }

    /// Sets owner, group and mode of a node (the Linux view). Clearing every write
    /// bit sets READONLY on a file and setting the owner's clears it.
    pub fn set_posix_of(
        &mut self,
        id: NodeId,
        uid: Option<u32>,
        gid: Option<u32>,
        mode: Option<u16>,
    ) -> Result<()> {
        let rec = self.record_of(id)?;
        let now = self.now();
        let node = self.node_mut(id.volume, rec)?;
        if let Some(u) = uid {
            node.posix.uid = u;
        }
        if let Some(g) = gid {
            node.posix.gid = g;
        }
        if let Some(m) = mode {
            node.posix.mode = m & 0o7777;
            if !node.is_dir() {
                if m & 0o222 == 0 {
                    node.attrs |= FILE_ATTRIBUTE_READONLY;
                } else {
                    node.attrs &= !FILE_ATTRIBUTE_READONLY;
                }
            }
        }
        node.times.change = now;
        Ok(())
    }

    /// Sets the whole POSIX meta of a node as given (owner, group, mode and
    /// device numbers), without the READONLY coupling of
    /// [`Machine::set_posix_of`] and without touching the change time: for a
    /// copy that gives its file the source's meta after its attributes.
    pub fn set_posix_meta_of(&mut self, id: NodeId, posix: PosixMeta) -> Result<()> {
        let rec = self.record_of(id)?;
        self.node_mut(id.volume, rec)?.posix = posix;
        Ok(())
    }

    /// Truncates or extends a file by id.
    pub fn set_len_of(&mut self, id: NodeId, len: u64) -> Result<()> {
        let h = self.open_node(id, &OpenOptions::default().write(true))?;
        let r = self.set_len(h, len);
        self.close(h)?;
        r
    }
}
