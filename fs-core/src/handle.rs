//! Open handles: CreateFile/NtCreateFile dispositions, I/O through a handle, and
//! Windows' delete semantics (delete-pending names live until the last handle
//! closes, M10; POSIX semantics release the name at once).

use crate::attrs::{
    FILE_ATTRIBUTE_ARCHIVE, FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_READONLY,
    FILE_ATTRIBUTE_REPARSE_POINT, SETTABLE_ATTRIBUTES,
};
use crate::data::FileData;
use crate::error::{NtError, Result};
use crate::file_ref::{FileRef, RecordNo};
use crate::machine::{FileInfo, Follow, LinkFlavor, Machine, NodeId, Resolved, VolumeId};
use crate::name::{Name, NameKey};
use crate::node::NodeKind;

/// An open handle's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HandleId(pub u64);

#[derive(Debug, Clone)]
pub(crate) struct Handle {
    pub vol: VolumeId,
    pub rec: RecordNo,
    pub file: FileRef,
    /// The name this handle was opened through, while it exists.
    pub through: Option<(RecordNo, NameKey)>,
    /// This handle marked its name for delete (classic semantics).
    pub delete_on_close: bool,
    pub share_delete: bool,
    pub write: bool,
}

/// CreateFile's dispositions (NtCreateFile's FILE_OPEN … FILE_SUPERSEDE).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Disposition {
    /// OPEN_EXISTING.
    Open,
    /// CREATE_NEW.
    Create,
    /// OPEN_ALWAYS.
    OpenIf,
    /// TRUNCATE_EXISTING.
    Overwrite,
    /// CREATE_ALWAYS.
    OverwriteIf,
    /// FILE_SUPERSEDE.
    Supersede,
}

/// FILE_DIRECTORY_FILE / FILE_NON_DIRECTORY_FILE.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Want {
    /// Either (neither flag).
    Any,
    /// FILE_NON_DIRECTORY_FILE: fails on a directory with FILE_IS_A_DIRECTORY.
    File,
    /// FILE_DIRECTORY_FILE: fails on a file with NOT_A_DIRECTORY.
    Directory,
}

/// How to open.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct OpenOptions {
    /// What to do when the name exists or not.
    pub disposition: Disposition,
    /// The kind of object the caller accepts.
    pub want: Want,
    /// Whether the last component's reparse point is followed (FILE_FLAG_OPEN_REPARSE_POINT clears it).
    pub follow: Follow,
    /// Write access requested (refused on read-only files).
    pub write: bool,
    /// FILE_SHARE_DELETE: later opens may delete or rename the file while this handle is open.
    pub share_delete: bool,
    /// FILE_FLAG_DELETE_ON_CLOSE.
    pub delete_on_close: bool,
    /// Attributes for a newly created file (settable bits only).
    pub attributes: u32,
}

impl Default for OpenOptions {
    fn default() -> Self {
        OpenOptions {
            disposition: Disposition::Open,
            want: Want::Any,
            follow: Follow::Reparse,
            write: false,
            share_delete: true,
            delete_on_close: false,
            attributes: 0,
        }
    }
}

impl OpenOptions {
    /// Open an existing object for reading, following links (the defaults).
    pub fn read() -> OpenOptions {
        OpenOptions::default()
    }

    /// Sets the disposition; any that may create or truncate also asks for write access.
    pub fn disposition(mut self, d: Disposition) -> Self {
        self.disposition = d;
        if d != Disposition::Open && d != Disposition::OpenIf {
            self.write = true;
        }
        self
    }

    /// Sets the object kind the caller accepts.
    pub fn want(mut self, w: Want) -> Self {
        self.want = w;
        self
    }

    /// Sets whether the last reparse point is followed.
    pub fn follow(mut self, f: Follow) -> Self {
        self.follow = f;
        self
    }

    /// Sets whether write access is requested.
    pub fn write(mut self, w: bool) -> Self {
        self.write = w;
        self
    }

    /// Sets FILE_SHARE_DELETE.
    pub fn share_delete(mut self, s: bool) -> Self {
        self.share_delete = s;
        self
    }

    /// Sets FILE_FLAG_DELETE_ON_CLOSE.
    pub fn delete_on_close(mut self, d: bool) -> Self {
        self.delete_on_close = d;
        self
    }
}

/// How a delete releases the name.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeleteSemantics {
    /// The name stays (pending) until the last handle closes (classic Windows).
    Classic,
    /// The name goes at once; open handles keep the data (FILE_DISPOSITION_POSIX_SEMANTICS).
    Posix,
    /// What DeleteFile does on the profile's Windows version (M10).
    Profile,
}

/// Whether FILE_ATTRIBUTE_READONLY refuses a delete or a replacing rename. The
/// Win32 calls (DeleteFileW, MoveFileExW) refuse (HL34); the NT flags
/// FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE and
/// FILE_RENAME_IGNORE_READONLY_ATTRIBUTE (Windows 10 1809) ignore it, and WSL's
/// unlink and rename set them: there the directory's POSIX permissions govern.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub enum ReadOnly {
    /// The Win32 rule: a read-only file is not deleted or replaced.
    #[default]
    Refuses,
    /// The *_IGNORE_READONLY_ATTRIBUTE flags: the attribute does not matter.
    Ignored,
}

impl Machine {
    /// CreateFileW / NtCreateFile on a Win32 path.
    pub fn open(&mut self, path: &str, opts: &OpenOptions) -> Result<HandleId> {
        let r = self.resolve_str(path, opts.follow)?;
        self.open_resolved(r, opts)
    }

    /// Opens or creates `name` in directory `dir`, never following a reparse point
    /// at `name` (the Linux view: the kernel walks links itself).
    pub fn open_at(&mut self, dir: NodeId, name: &str, opts: &OpenOptions) -> Result<HandleId> {
        let r = self.resolve_at(dir, Name::new(name))?;
        self.open_resolved(r, &opts.follow(Follow::OpenReparsePoint))
    }

    /// Opens an existing node by id (FUSE open by inode). Reparse points are not
    /// followed: the handle is to the object itself.
    pub fn open_node(&mut self, id: NodeId, opts: &OpenOptions) -> Result<HandleId> {
        let r = self.resolved_node(id)?;
        // The node exists: "create" dispositions reduce to open or overwrite.
        let disposition = match opts.disposition {
            Disposition::Create => return Err(NtError::ObjectNameCollision),
            Disposition::Open | Disposition::OpenIf => Disposition::Open,
            Disposition::Overwrite | Disposition::OverwriteIf | Disposition::Supersede => {
                if !opts.write {
                    return Err(NtError::AccessDenied);
                }
                Disposition::Overwrite
            }
        };
        let opts = OpenOptions {
            disposition,
            ..opts.follow(Follow::OpenReparsePoint)
        };
        self.open_resolved(r, &opts)
    }

    pub(crate) fn open_resolved(&mut self, r: Resolved, opts: &OpenOptions) -> Result<HandleId> {
        let vol = r.vol;
        // Validate everything, then mutate: DELETE_ON_CLOSE must be grantable
        // before a file is created or truncated.
        if opts.delete_on_close {
            match r.node {
                None if opts.attributes & FILE_ATTRIBUTE_READONLY != 0 => {
                    return Err(NtError::CannotDelete)
                }
                None => {}
                Some(rec) => {
                    self.check_open_existing(&r, rec, opts)?;
                    let overwrites = matches!(
                        opts.disposition,
                        Disposition::Overwrite | Disposition::OverwriteIf | Disposition::Supersede
                    );
                    if r.parent_and_key().is_none()
                        || (overwrites && opts.attributes & FILE_ATTRIBUTE_READONLY != 0)
                    {
                        return Err(NtError::CannotDelete);
                    }
                    self.check_deletable(vol, rec, None, ReadOnly::Refuses)?;
                }
            }
        }
        let rec = match r.node {
            None => self.create_for_open(&r, opts)?,
            Some(rec) => {
                self.check_open_existing(&r, rec, opts)?;
                if matches!(
                    opts.disposition,
                    Disposition::Overwrite | Disposition::OverwriteIf | Disposition::Supersede
                ) {
                    self.overwrite(vol, rec, opts)?;
                }
                rec
            }
        };
        let file = self.volumes[vol].file_ref(rec);
        let through = r.parent_and_key().filter(|(p, k)| {
            self.volumes[vol]
                .node(rec)
                .is_some_and(|n| n.name_in(*p, k).is_some())
        });
        self.node_mut(vol, rec)?.open_count += 1;
        let id = self.handles.insert(Handle {
            vol,
            rec,
            file,
            through,
            delete_on_close: false,
            share_delete: opts.share_delete,
            write: opts.write,
        });
        let h = HandleId(id as u64);
        if opts.delete_on_close {
            if let Err(e) = self.set_delete_disposition(h, true, DeleteSemantics::Classic) {
                let _ = self.close(h);
                return Err(e);
            }
        }
        Ok(h)
    }

    fn create_for_open(&mut self, r: &Resolved, opts: &OpenOptions) -> Result<RecordNo> {
        if matches!(opts.disposition, Disposition::Open | Disposition::Overwrite) {
            return Err(NtError::ObjectNameNotFound);
        }
        let (parent, name) = match (r.parent, &r.name) {
            (Some(p), Some(n)) => (p, n.clone()),
            _ => return Err(NtError::ObjectNameInvalid),
        };
        if r.require_dir && opts.want != Want::Directory {
            return Err(NtError::ObjectNameInvalid);
        }
        self.check_new_name(r.vol, parent, &name)?;
        let (kind, attrs) = if opts.want == Want::Directory {
            (
                NodeKind::Directory(Default::default()),
                FILE_ATTRIBUTE_DIRECTORY,
            )
        } else {
            (
                NodeKind::File(FileData::default()),
                FILE_ATTRIBUTE_ARCHIVE | (opts.attributes & SETTABLE_ATTRIBUTES),
            )
        };
        Ok(self.insert_node_unchecked(r.vol, parent, name, kind, attrs))
    }

    fn check_open_existing(&self, r: &Resolved, rec: RecordNo, opts: &OpenOptions) -> Result<()> {
        let node = self.node(r.vol, rec)?;
        // A name pending delete answers every open, even FILE_CREATE (M9).
        if r.name_pending(node) {
            return Err(NtError::DeletePending);
        }
        if opts.disposition == Disposition::Create {
            return Err(NtError::ObjectNameCollision);
        }
        // S22, S23, J13: a link whose flavor does not match its target (1709+).
        if self.profile.checks_link_flavor_on_open() {
            match (r.via_link, node.is_dir()) {
                (Some(LinkFlavor::File), true) if opts.want != Want::Directory => {
                    return Err(NtError::FileIsADirectory)
                }
                // Without FILE_DIRECTORY_FILE (J13), and with it the target is
                // no directory either.
                (Some(LinkFlavor::Directory), false) => return Err(NtError::NotADirectory),
                _ => {}
            }
        }
        match (opts.want, node.is_dir()) {
            (Want::File, true) => return Err(NtError::FileIsADirectory),
            (Want::Directory, false) => return Err(NtError::NotADirectory),
            _ => {}
        }
        if opts.write && !node.is_dir() && node.attrs & FILE_ATTRIBUTE_READONLY != 0 {
            return Err(NtError::AccessDenied);
        }
        if node.is_dir()
            && matches!(
                opts.disposition,
                Disposition::Overwrite | Disposition::OverwriteIf | Disposition::Supersede
            )
        {
            return Err(NtError::FileIsADirectory);
        }
        Ok(())
    }

    /// Truncates for FILE_OVERWRITE / CREATE_ALWAYS. Opening the link itself drops
    /// its reparse point (S21).
    pub(crate) fn overwrite(
        &mut self,
        vol: VolumeId,
        rec: RecordNo,
        opts: &OpenOptions,
    ) -> Result<()> {
        let now = self.now();
        if self.node(vol, rec)?.data().is_some() {
            self.set_data_len(vol, rec, 0)?;
        }
        let node = self.node_mut(vol, rec)?;
        if opts.follow == Follow::OpenReparsePoint && node.reparse.take().is_some() {
            node.attrs &= !FILE_ATTRIBUTE_REPARSE_POINT;
        }
        node.attrs |= FILE_ATTRIBUTE_ARCHIVE | (opts.attributes & SETTABLE_ATTRIBUTES);
        node.times.last_write = now;
        node.times.change = now;
        Ok(())
    }

    pub(crate) fn handle(&self, h: HandleId) -> Result<&Handle> {
        self.handles.get(h.0 as usize).ok_or(NtError::InvalidHandle)
    }

    /// The node a handle is open on.
    pub fn handle_node(&self, h: HandleId) -> Result<NodeId> {
        let hd = self.handle(h)?;
        Ok(NodeId {
            volume: hd.vol,
            file: hd.file,
        })
    }

    /// Closes a handle. When it was the last one, names marked for delete go,
    /// and the node goes with its last name (HL30, M10).
    pub fn close(&mut self, h: HandleId) -> Result<()> {
        let hd = self
            .handles
            .try_remove(h.0 as usize)
            .ok_or(NtError::InvalidHandle)?;
        let node = self.node_mut(hd.vol, hd.rec)?;
        node.open_count -= 1;
        if node.open_count == 0 {
            let pending: Vec<(RecordNo, NameKey)> = node
                .names
                .iter()
                .filter(|l| l.delete_pending)
                .map(|l| (l.parent, l.name.key()))
                .collect();
            for (parent, key) in pending {
                self.unlink_unchecked(hd.vol, parent, &key);
            }
        }
        self.free_if_unreferenced(hd.vol, hd.rec);
        Ok(())
    }

    /// Number of open handles (for tests and the invariants).
    pub fn open_handle_count(&self) -> usize {
        self.handles.len()
    }

    /// Reads up to `len` bytes at `offset`.
    pub fn read(&self, h: HandleId, offset: u64, len: usize) -> Result<Vec<u8>> {
        let hd = self.handle(h)?;
        let node = self.node(hd.vol, hd.rec)?;
        let data = node.data().ok_or(NtError::InvalidDeviceRequest)?;
        data.read(offset, len)
    }

    /// Reads into `out` at `offset`; returns the bytes read (fewer at end of file).
    pub fn read_into(&self, h: HandleId, offset: u64, out: &mut [u8]) -> Result<usize> {
        let hd = self.handle(h)?;
        let data = self
            .node(hd.vol, hd.rec)?
            .data()
            .ok_or(NtError::InvalidDeviceRequest)?;
        if offset >= data.len() {
            return Ok(0);
        }
        let n = ((data.len() - offset) as usize).min(out.len());
        data.read_into(offset, &mut out[..n]);
        Ok(n)
    }

    /// Writes at `offset`, growing the file; returns the bytes written.
    pub fn write(&mut self, h: HandleId, offset: u64, bytes: &[u8]) -> Result<usize> {
        let hd = self.handle(h)?;
        let (vol, rec) = (hd.vol, hd.rec);
        if !hd.write {
            return Err(NtError::AccessDenied);
        }
        self.write_data(vol, rec, offset, bytes)?;
        let now = self.now();
        let node = self.node_mut(vol, rec)?;
        node.times.last_write = now;
        node.times.change = now;
        node.attrs |= FILE_ATTRIBUTE_ARCHIVE;
        Ok(bytes.len())
    }

    /// SetEndOfFile.
    pub fn set_len(&mut self, h: HandleId, len: u64) -> Result<()> {
        let hd = self.handle(h)?;
        let (vol, rec) = (hd.vol, hd.rec);
        if !hd.write {
            return Err(NtError::AccessDenied);
        }
        self.set_data_len(vol, rec, len)?;
        let now = self.now();
        let node = self.node_mut(vol, rec)?;
        node.times.last_write = now;
        node.times.change = now;
        Ok(())
    }

    /// FSCTL_SET_ZERO_DATA: the bytes in [offset, offset + len) read as zeros
    /// and hold no memory; the length does not change (what Linux asks with
    /// fallocate's FALLOC_FL_PUNCH_HOLE).
    pub fn zero_range(&mut self, h: HandleId, offset: u64, len: u64) -> Result<()> {
        let hd = self.handle(h)?;
        let (vol, rec) = (hd.vol, hd.rec);
        if !hd.write {
            return Err(NtError::AccessDenied);
        }
        let now = self.now();
        // Through the space accounting: a punched hole gives its memory back.
        self.change_data(vol, rec, 0, |d| {
            d.zero(offset, len);
            Ok(())
        })?;
        let node = self.node_mut(vol, rec)?;
        node.times.last_write = now;
        node.times.change = now;
        Ok(())
    }

    /// GetFileInformationByHandle + FILE_STANDARD_LINK_INFORMATION (HL21).
    pub fn handle_info(&self, h: HandleId) -> Result<FileInfo> {
        let hd = self.handle(h)?;
        self.node(hd.vol, hd.rec)?;
        Ok(self.file_info(hd.vol, hd.rec, hd.through.as_ref().map(|(p, k)| (*p, k))))
    }

    /// FileDispositionInformation(Ex): marks (or unmarks) the name this handle was
    /// opened through for delete (M9, M10, M11).
    pub fn set_delete_disposition(
        &mut self,
        h: HandleId,
        delete: bool,
        semantics: DeleteSemantics,
    ) -> Result<()> {
        self.set_delete_disposition_ex(h, delete, semantics, ReadOnly::Refuses)
    }

    /// FileDispositionInformationEx: [`Machine::set_delete_disposition`] with
    /// FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE when `read_only` is
    /// [`ReadOnly::Ignored`] (what WSL's unlink asks for, issue 11 item 5).
    pub fn set_delete_disposition_ex(
        &mut self,
        h: HandleId,
        delete: bool,
        semantics: DeleteSemantics,
        read_only: ReadOnly,
    ) -> Result<()> {
        // Only the name is cloned (it outlives the borrow); the rest is Copy.
        let hd = self.handle(h)?;
        let (vol, rec, through) = (hd.vol, hd.rec, hd.through.clone());
        let posix = match semantics {
            DeleteSemantics::Classic => false,
            DeleteSemantics::Posix => true,
            DeleteSemantics::Profile => self.profile.delete_releases_name_immediately(),
        };
        if rec == crate::volume::ROOT_RECORD && delete {
            return Err(NtError::CannotDelete);
        }
        let Some((parent, key)) = through else {
            // The name is already gone (POSIX delete, or opened by id).
            return Err(NtError::FileDeleted);
        };
        let node = self.node(vol, rec)?;
        if !delete {
            if let Some(l) = self
                .node_mut(vol, rec)?
                .names
                .iter_mut()
                .find(|l| l.parent == parent && l.name.matches_key(&key))
            {
                l.delete_pending = false;
            }
            self.handles[h.0 as usize].delete_on_close = false;
            return Ok(());
        }
        let _ = node;
        self.check_deletable(vol, rec, Some(h), read_only)?;
        if posix {
            self.unlink_unchecked(vol, parent, &key);
            for (_, o) in self.handles.iter_mut() {
                if o.vol == vol
                    && o.rec == rec
                    && o.through
                        .as_ref()
                        .is_some_and(|(p, k)| *p == parent && *k == key)
                {
                    o.through = None;
                }
            }
        } else {
            let node = self.node_mut(vol, rec)?;
            if let Some(l) = node
                .names
                .iter_mut()
                .find(|l| l.parent == parent && l.name.matches_key(&key))
            {
                l.delete_pending = true;
            }
            self.handles[h.0 as usize].delete_on_close = true;
        }
        Ok(())
    }

    /// M9: whether a delete disposition may be set on `rec` (by handle `by`):
    /// not a root, not a non-empty directory, not read-only (unless the caller
    /// ignores the attribute), and every other handle shares delete.
    pub(crate) fn check_deletable(
        &self,
        vol: VolumeId,
        rec: RecordNo,
        by: Option<HandleId>,
        read_only: ReadOnly,
    ) -> Result<()> {
        let node = self.node(vol, rec)?;
        if rec == crate::volume::ROOT_RECORD {
            return Err(NtError::CannotDelete);
        }
        if node.entries().is_some_and(|e| !e.is_empty()) {
            return Err(NtError::DirectoryNotEmpty);
        }
        if node.attrs & FILE_ATTRIBUTE_READONLY != 0 && read_only == ReadOnly::Refuses {
            return Err(NtError::CannotDelete);
        }
        let others_block = self.handles.iter().any(|(id, o)| {
            Some(HandleId(id as u64)) != by && o.vol == vol && o.rec == rec && !o.share_delete
        });
        if others_block {
            return Err(NtError::SharingViolation);
        }
        Ok(())
    }

    /// Checks that no open handle on the node refuses delete sharing (M5).
    pub(crate) fn check_no_exclusive_handles(&self, vol: VolumeId, rec: RecordNo) -> Result<()> {
        if self
            .handles
            .iter()
            .any(|(_, o)| o.vol == vol && o.rec == rec && !o.share_delete)
        {
            return Err(NtError::SharingViolation);
        }
        Ok(())
    }

    /// True when any handle is open on the node.
    pub(crate) fn is_open(&self, vol: VolumeId, rec: RecordNo) -> bool {
        self.volumes[vol]
            .node(rec)
            .is_some_and(|n| n.open_count > 0)
    }
}
