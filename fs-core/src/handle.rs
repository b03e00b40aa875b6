//! Open handles: CreateFile/NtCreateFile dispositions, I/O through a handle, and
//! Windows' delete semantics (delete-pending names live until the last handle
//! closes, M10; POSIX semantics release the name at once).

use crate::access::{
    map_generic, ShareEntry, DELETE, FILE_ALL_ACCESS, FILE_APPEND_DATA, FILE_GENERIC_READ,
    FILE_GENERIC_WRITE, FILE_READ_DATA, FILE_SHARE_ALL, FILE_SHARE_DELETE, FILE_WRITE_DATA,
    MAXIMUM_ALLOWED,
};
use crate::attrs::{
    FILE_ATTRIBUTE_ARCHIVE, FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_READONLY,
    FILE_ATTRIBUTE_REPARSE_POINT, SETTABLE_ATTRIBUTES,
};
use crate::data::FileData;
use crate::error::{NtError, Result};
use crate::file_ref::{FileRef, RecordNo};
use crate::machine::{FileInfo, Follow, LinkFlavor, Machine, NodeId, Resolved, VolumeId};
use crate::name::NameKey;
use crate::node::NodeKind;
use crate::path::PathUnits;

/// An open handle's id.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct HandleId(pub u64);

/// The first id of a duplicated handle: above every id an open is given (the
/// index of its file object).
const DUPLICATE_IDS: u64 = 1 << 48;

#[derive(Debug, Clone)]
pub(crate) struct Handle {
    pub vol: VolumeId,
    pub rec: RecordNo,
    pub file: FileRef,
    /// The name this handle was opened through, while it exists.
    pub through: Option<(RecordNo, NameKey)>,
    /// FILE_DELETE_ON_CLOSE: the name is marked for delete at this handle's
    /// cleanup, not before (HL12: until then the handle reports no pending delete).
    pub delete_on_close: bool,
    /// The granted access (generic bits mapped).
    pub access: u32,
    /// FILE_SHARE_* bits.
    pub share: u32,
    /// The handle that opened this file object was closed while duplicates
    /// of it stay open: its id is no longer valid, the file object lives on
    /// until the last duplicate closes.
    pub first_closed: bool,
}

impl Handle {
    pub fn share_entry(&self) -> ShareEntry {
        ShareEntry {
            access: self.access,
            share: self.share,
        }
    }

    /// FILE_WRITE_DATA or FILE_APPEND_DATA granted.
    pub fn can_write(&self) -> bool {
        self.access & (FILE_WRITE_DATA | FILE_APPEND_DATA) != 0
    }
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
    /// DesiredAccess: file rights, GENERIC_* bits and MAXIMUM_ALLOWED (write
    /// access is refused on read-only files).
    pub access: u32,
    /// ShareAccess: FILE_SHARE_READ / WRITE / DELETE, what later opens may do
    /// while this handle is open.
    pub share: u32,
    /// FILE_FLAG_DELETE_ON_CLOSE (asks for DELETE access, as CreateFileW does).
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
            access: FILE_GENERIC_READ,
            share: FILE_SHARE_ALL,
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
            self.access |= FILE_GENERIC_WRITE;
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

    /// Adds FILE_GENERIC_WRITE to the access asked for (or takes the write
    /// rights away).
    pub fn write(mut self, w: bool) -> Self {
        if w {
            self.access |= FILE_GENERIC_WRITE;
        } else {
            self.access &= !(FILE_GENERIC_WRITE & !FILE_GENERIC_READ);
        }
        self
    }

    /// Sets the desired access mask (GENERIC_*, MAXIMUM_ALLOWED and file rights).
    pub fn access(mut self, mask: u32) -> Self {
        self.access = mask;
        self
    }

    /// Sets the share mode (FILE_SHARE_* bits).
    pub fn share(mut self, share: u32) -> Self {
        self.share = share;
        self
    }

    /// Sets or clears FILE_SHARE_DELETE.
    pub fn share_delete(mut self, s: bool) -> Self {
        if s {
            self.share |= FILE_SHARE_DELETE;
        } else {
            self.share &= !FILE_SHARE_DELETE;
        }
        self
    }

    /// Whether write access to the data is asked for (generic bits mapped).
    pub fn wants_write(&self) -> bool {
        map_generic(self.access) & (FILE_WRITE_DATA | FILE_APPEND_DATA) != 0
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
    pub fn open(
        &mut self,
        path: &(impl PathUnits + ?Sized),
        opts: &OpenOptions,
    ) -> Result<HandleId> {
        let r = self.resolve_str(path, opts.follow)?;
        self.open_resolved(r, opts)
    }

    /// Opens or creates `name` in directory `dir`, never following a reparse point
    /// at `name` (the Linux view: the kernel walks links itself).
    pub fn open_at(
        &mut self,
        dir: NodeId,
        name: &(impl PathUnits + ?Sized),
        opts: &OpenOptions,
    ) -> Result<HandleId> {
        let r = self.resolve_at(dir, name.to_name())?;
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
                if !opts.wants_write() {
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
        let mut desired = map_generic(opts.access);
        if opts.delete_on_close {
            desired |= DELETE; // CreateFileW adds DELETE for FILE_FLAG_DELETE_ON_CLOSE
        }
        // Validate everything, then mutate: DELETE_ON_CLOSE must be grantable
        // before a file is created or truncated.
        self.check_path_access(&r, desired)?;
        let granted = match r.node {
            None => {
                if opts.delete_on_close && opts.attributes & FILE_ATTRIBUTE_READONLY != 0 {
                    return Err(NtError::CannotDelete);
                }
                self.check_create_access(&r, opts.want == Want::Directory)?;
                // The creator gets what it asked for (all of it for MAXIMUM_ALLOWED).
                if desired & MAXIMUM_ALLOWED != 0 {
                    (desired & !MAXIMUM_ALLOWED) | FILE_ALL_ACCESS
                } else {
                    desired
                }
            }
            Some(rec) => {
                let granted = self.check_open_existing(&r, rec, opts, desired)?;
                if opts.delete_on_close {
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
                granted
            }
        };
        let rec = match r.node {
            None => self.create_for_open(&r, opts)?,
            Some(rec) => {
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
            delete_on_close: opts.delete_on_close,
            access: granted,
            share: opts.share & FILE_SHARE_ALL,
            first_closed: false,
        });
        Ok(HandleId(id as u64))
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

    /// The checks of an open of an existing node, in the order NTFS makes
    /// them; returns the access granted.
    fn check_open_existing(
        &self,
        r: &Resolved,
        rec: RecordNo,
        opts: &OpenOptions,
        desired: u32,
    ) -> Result<u32> {
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
        let granted = self.grant_access(r.vol, rec, desired)?;
        if node.is_dir()
            && matches!(
                opts.disposition,
                Disposition::Overwrite | Disposition::OverwriteIf | Disposition::Supersede
            )
        {
            return Err(NtError::FileIsADirectory);
        }
        self.check_share(
            r.vol,
            rec,
            ShareEntry {
                access: granted,
                share: opts.share & FILE_SHARE_ALL,
            },
            None,
        )?;
        Ok(granted)
    }

    /// The access check of an open: the security descriptor's answer for
    /// `desired` (MAXIMUM_ALLOWED: all it allows), then FILE_ATTRIBUTE_READONLY,
    /// which refuses write access to a file's data (MAXIMUM_ALLOWED leaves it out).
    pub(crate) fn grant_access(&self, vol: VolumeId, rec: RecordNo, desired: u32) -> Result<u32> {
        let node = self.node(vol, rec)?;
        let mut granted = self.access_check_node(vol, rec, desired)?;
        let write_bits = FILE_WRITE_DATA | FILE_APPEND_DATA;
        if !node.is_dir() && node.attrs & FILE_ATTRIBUTE_READONLY != 0 && granted & write_bits != 0
        {
            if desired & MAXIMUM_ALLOWED != 0 && desired & write_bits == 0 {
                granted &= !write_bits;
            } else {
                return Err(NtError::AccessDenied);
            }
        }
        Ok(granted)
    }

    /// A new name in a directory: the directory must grant FILE_ADD_FILE (or
    /// FILE_ADD_SUBDIRECTORY) to the caller.
    fn check_create_access(&self, r: &Resolved, dir: bool) -> Result<()> {
        let Some(parent) = r.parent else {
            return Ok(());
        };
        let right = if dir {
            crate::access::FILE_ADD_SUBDIRECTORY
        } else {
            crate::access::FILE_ADD_FILE
        };
        self.access_check_node(r.vol, parent, right).map(|_| ())
    }

    /// The open of the target directory a link or rename makes before it
    /// adds the name (IopOpenLinkOrRenameTarget): FILE_ADD_FILE (a directory
    /// being moved: FILE_ADD_SUBDIRECTORY) sharing read and write. A handle on
    /// that directory that does not share write refuses it, a RootDirectory
    /// handle included (HL11, BTRFS links.cpp link5/link6).
    pub(crate) fn check_target_dir_open(
        &self,
        vol: VolumeId,
        dir: RecordNo,
        moving_dir: bool,
    ) -> Result<()> {
        let right = if moving_dir {
            crate::access::FILE_ADD_SUBDIRECTORY
        } else {
            crate::access::FILE_ADD_FILE
        };
        self.access_check_node(vol, dir, right)?;
        self.check_share(
            vol,
            dir,
            ShareEntry {
                access: right,
                share: crate::access::FILE_SHARE_READ | crate::access::FILE_SHARE_WRITE,
            },
            None,
        )
    }

    /// IoCheckShareAccess of a new open against every handle on the node
    /// except `except`: STATUS_SHARING_VIOLATION on a conflict.
    pub(crate) fn check_share(
        &self,
        vol: VolumeId,
        rec: RecordNo,
        new: ShareEntry,
        except: Option<HandleId>,
    ) -> Result<()> {
        // Most files have no handle open: no need to look at the others.
        if !self.is_open(vol, rec) {
            return Ok(());
        }
        let except = except.and_then(|h| self.file_object(h).ok());
        let conflict = self.handles.iter().any(|(id, o)| {
            Some(HandleId(id as u64)) != except
                && o.vol == vol
                && o.rec == rec
                && !new.compatible_with(o.share_entry())
        });
        if conflict {
            return Err(NtError::SharingViolation);
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
        let object = self.file_object(h)?;
        self.handles
            .get(object.0 as usize)
            .ok_or(NtError::InvalidHandle)
    }

    /// The file object a valid handle id refers to: itself for a handle an
    /// open returned, the handle it duplicates for a duplicate.
    pub(crate) fn file_object(&self, h: HandleId) -> Result<HandleId> {
        if let Some(&object) = self.duplicates.get(&h) {
            return Ok(object);
        }
        match self.handles.get(h.0 as usize) {
            Some(o) if !o.first_closed => Ok(h),
            _ => Err(NtError::InvalidHandle),
        }
    }

    /// DuplicateHandle(DUPLICATE_SAME_ACCESS): a second handle on the same
    /// file object. It shares the object's granted access, share entry (one
    /// entry in every share check: they are per file object) and its
    /// FILE_DELETE_ON_CLOSE, which takes effect at the object's cleanup, when
    /// its last handle closes (HL12, Wine's test_file_disposition_information).
    pub fn duplicate_handle(&mut self, h: HandleId) -> Result<HandleId> {
        let object = self.file_object(h)?;
        // Ids of duplicates come after every slab id an open can be given.
        let id = HandleId(
            self.duplicates
                .keys()
                .next_back()
                .map_or(DUPLICATE_IDS, |k| k.0 + 1),
        );
        self.duplicates.insert(id, object);
        Ok(id)
    }

    /// The node a handle is open on.
    pub fn handle_node(&self, h: HandleId) -> Result<NodeId> {
        let hd = self.handle(h)?;
        Ok(NodeId {
            volume: hd.vol,
            file: hd.file,
        })
    }

    /// Closes a handle. FILE_DELETE_ON_CLOSE marks the name the handle was
    /// opened through at this cleanup (HL12; a directory that is no longer
    /// empty stays, BTRFS deletedir13). When it was the last handle, names
    /// marked for delete go, and the node goes with its last name (HL30, M10).
    pub fn close(&mut self, h: HandleId) -> Result<()> {
        // The file object's cleanup waits for its last handle (duplicates).
        let object = self.file_object(h)?;
        let shared = self.duplicates.values().filter(|&&o| o == object).count();
        if self.duplicates.remove(&h).is_some() {
            if shared > 1 || !self.handles[object.0 as usize].first_closed {
                return Ok(());
            }
        } else if shared > 0 {
            self.handles[object.0 as usize].first_closed = true;
            return Ok(());
        }
        let hd = self
            .handles
            .try_remove(object.0 as usize)
            .ok_or(NtError::InvalidHandle)?;
        if hd.delete_on_close {
            let empty = self
                .node(hd.vol, hd.rec)?
                .entries()
                .is_none_or(|e| e.is_empty());
            if let (true, Some((parent, key))) = (empty, &hd.through) {
                if let Some(l) = self
                    .node_mut(hd.vol, hd.rec)?
                    .names
                    .iter_mut()
                    .find(|l| l.parent == *parent && l.name.matches_key(key))
                {
                    l.delete_pending = true;
                }
            }
        }
        let node = self.node_mut(hd.vol, hd.rec)?;
        node.open_count -= 1;
        if node.open_count == 0 && node.entries().is_some_and(|e| !e.is_empty()) {
            // A directory that gained a child while its name was pending keeps
            // the name: a name never goes from over a child (deletedir13).
            for l in node.names.iter_mut() {
                l.delete_pending = false;
            }
        } else if node.open_count == 0 {
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

    /// Number of open handles (for tests and the invariants): every valid
    /// handle id, duplicates included.
    pub fn open_handle_count(&self) -> usize {
        self.handles.iter().filter(|(_, o)| !o.first_closed).count() + self.duplicates.len()
    }

    /// Reads up to `len` bytes at `offset`.
    pub fn read(&self, h: HandleId, offset: u64, len: usize) -> Result<Vec<u8>> {
        let hd = self.handle(h)?;
        if hd.access & FILE_READ_DATA == 0 {
            return Err(NtError::AccessDenied);
        }
        let node = self.node(hd.vol, hd.rec)?;
        let data = node.data().ok_or(NtError::InvalidDeviceRequest)?;
        data.read(offset, len)
    }

    /// Reads into `out` at `offset`; returns the bytes read (fewer at end of file).
    pub fn read_into(&self, h: HandleId, offset: u64, out: &mut [u8]) -> Result<usize> {
        let hd = self.handle(h)?;
        if hd.access & FILE_READ_DATA == 0 {
            return Err(NtError::AccessDenied);
        }
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
        if !hd.can_write() {
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
        if !hd.can_write() {
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
        if !hd.can_write() {
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
        // FileDispositionInformation needs a handle opened for DELETE (BTRFS
        // delete.cpp "Create file without DELETE flag").
        if hd.access & DELETE == 0 {
            return Err(NtError::AccessDenied);
        }
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
        // Every other open must share delete (they were checked against this
        // handle's DELETE access when either opened; opens made by the model's
        // own path calls come through here).
        self.check_share(vol, rec, delete_open(), by)
    }

    /// Checks that no open handle on the node refuses delete sharing (M5).
    pub(crate) fn check_no_exclusive_handles(&self, vol: VolumeId, rec: RecordNo) -> Result<()> {
        self.check_share(vol, rec, delete_open(), None)
    }

    /// [`Machine::check_no_exclusive_handles`] leaving out the handle the
    /// operation is made through.
    pub(crate) fn check_no_exclusive_handles_but(
        &self,
        vol: VolumeId,
        rec: RecordNo,
        by: Option<HandleId>,
    ) -> Result<()> {
        self.check_share(vol, rec, delete_open(), by)
    }

    /// True when a handle other than `except` is open on the node.
    pub(crate) fn is_open_except(
        &self,
        vol: VolumeId,
        rec: RecordNo,
        except: Option<HandleId>,
    ) -> bool {
        let except = except.and_then(|h| self.file_object(h).ok());
        self.is_open(vol, rec)
            && self
                .handles
                .iter()
                .any(|(id, o)| Some(HandleId(id as u64)) != except && o.vol == vol && o.rec == rec)
    }

    /// True when any handle is open on the node.
    pub(crate) fn is_open(&self, vol: VolumeId, rec: RecordNo) -> bool {
        self.volumes[vol]
            .node(rec)
            .is_some_and(|n| n.open_count > 0)
    }
}

/// The open a delete or rename makes of its source: DELETE, sharing everything
/// (DeleteFileW, MoveFileExW).
pub(crate) fn delete_open() -> ShareEntry {
    ShareEntry {
        access: DELETE,
        share: FILE_SHARE_ALL,
    }
}
