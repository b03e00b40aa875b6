//! The three kinds of link: CreateHardLinkW, CreateSymbolicLinkW and `mklink /J`.

use crate::access::{FILE_SHARE_ALL, FILE_WRITE_ATTRIBUTES, SYNCHRONIZE};
use crate::attrs::{
    FILE_ATTRIBUTE_ARCHIVE, FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_REPARSE_POINT,
};
use crate::data::FileData;
use crate::error::{NtError, Result};
use crate::handle::OpenOptions;
use crate::machine::{FileInfo, Follow, Machine, NodeId, Resolved};
use crate::name::Name;
use crate::node::{NodeKind, Reparse};
use crate::path::PathUnits;
use crate::path::{FullPath, PathType, Root};
use crate::reparse::{ReparseData, MAXIMUM_REPARSE_DATA_BUFFER_SIZE};
use crate::resolve::PrefixIsFile;

/// CreateSymbolicLinkW's dwFlags.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct SymlinkFlags {
    /// SYMBOLIC_LINK_FLAG_DIRECTORY: a directory symlink (S1).
    pub directory: bool,
    /// SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE (S3).
    pub allow_unprivileged_create: bool,
}

/// Options of NT FileLinkInformation that CreateHardLinkW does not use.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct LinkOptions {
    /// ReplaceIfExists (HL5, HL6).
    pub replace_if_exists: bool,
    /// FILE_LINK_IGNORE_READONLY_ATTRIBUTE (HL5, the Ex variant).
    pub ignore_readonly: bool,
    /// FILE_LINK_POSIX_SEMANTICS: an open file may be replaced; its handles
    /// keep working and report no accessible name (M11).
    pub posix_semantics: bool,
}

impl Machine {
    /// CreateHardLinkW(link, existing): a new name for an existing file.
    pub fn create_hard_link(
        &mut self,
        link: &(impl PathUnits + ?Sized),
        existing: &(impl PathUnits + ?Sized),
    ) -> Result<FileInfo> {
        self.create_hard_link_ex(link, existing, LinkOptions::default())
    }

    /// NtSetInformationFile(FileLinkInformation) with its options, on a path:
    /// open the existing file (the link itself, HL10: a symlink is linked,
    /// not its target) for FILE_WRITE_ATTRIBUTES as CreateHardLinkW does, set
    /// the link through the handle, close. A name pending delete refuses the
    /// open (M9).
    pub fn create_hard_link_ex(
        &mut self,
        link: &(impl PathUnits + ?Sized),
        existing: &(impl PathUnits + ?Sized),
        opts: LinkOptions,
    ) -> Result<FileInfo> {
        let existing_path = self.full_path(&existing)?;
        let src = self.resolve_owned(
            existing_path,
            Follow::OpenReparsePoint,
            PrefixIsFile::PathNotFound,
        )?;
        // CreateHardLinkW opens the existing file before it looks at the new
        // name: a missing one fails first, and a name pending delete refuses
        // the open (M9).
        let Some(rec) = src.node else {
            return Err(NtError::ObjectNameNotFound);
        };
        if src.name_pending(self.node(src.vol, rec)?) {
            return Err(NtError::DeletePending);
        }
        // Then the new name is converted and its folder looked up, before the
        // open's own checks (access, sharing) and the link itself.
        let link_path = self.full_path(&link)?;
        self.resolve_owned(
            link_path,
            Follow::OpenReparsePoint,
            PrefixIsFile::InvalidParameter,
        )?;
        let open = OpenOptions::default()
            .access(FILE_WRITE_ATTRIBUTES | SYNCHRONIZE)
            .share(FILE_SHARE_ALL)
            .follow(Follow::OpenReparsePoint);
        let h = self.open(existing, &open)?;
        let r = self.set_link_information(h, None, link, opts);
        self.close(h)?;
        r
    }

    /// link(2): a new name `name` in `dir` for the file `file`.
    pub fn create_hard_link_at(
        &mut self,
        file: NodeId,
        dir: NodeId,
        name: &(impl PathUnits + ?Sized),
    ) -> Result<FileInfo> {
        let src = self.resolved_node(file)?;
        let dst = self.resolve_at(dir, name.to_name())?;
        self.hard_link_resolved(src, dst, LinkOptions::default())
    }

    pub(crate) fn hard_link_resolved(
        &mut self,
        src: Resolved,
        dst: Resolved,
        opts: LinkOptions,
    ) -> Result<FileInfo> {
        let rec = src.node.ok_or(NtError::ObjectNameNotFound)?;
        let node = self.node(src.vol, rec)?;
        if node.is_dir() {
            return Err(NtError::FileIsADirectory); // HL1
        }
        if src.vol != dst.vol {
            return Err(NtError::NotSameDevice); // HL2
        }
        let vol = src.vol;
        if !self.volumes[vol].kind.supports_hard_links() {
            return Err(NtError::InvalidDeviceRequest); // HL13, HL14
        }
        let (Some(parent), Some(name)) = (dst.parent, dst.typed.clone()) else {
            return Err(NtError::ObjectNameCollision);
        };
        crate::name::validate(name.units())?; // HL9
        if let Some(existing) = dst.node {
            if existing == rec && opts.replace_if_exists {
                // HL6: linking a name to itself is a no-op; a case variant renames.
                let key = name.key();
                let now = self.now();
                let n = self.node_mut(vol, rec)?;
                if let Some(l) = n
                    .names
                    .iter_mut()
                    .find(|l| l.parent == parent && l.name.matches_key(&key))
                {
                    l.name = name;
                }
                n.times.change = now;
                return Ok(self.file_info(vol, rec, None));
            }
            if opts.posix_semantics && opts.replace_if_exists {
                self.check_link_replace_posix(vol, existing, parent, &name, opts.ignore_readonly)?;
            } else {
                let mut replace_check =
                    self.check_replace(vol, existing, parent, &name, opts.replace_if_exists);
                if replace_check == Err(NtError::AccessDenied) && opts.ignore_readonly {
                    let e = self.node(vol, existing)?;
                    if !e.is_dir() && !self.is_open(vol, existing) {
                        replace_check = Ok(());
                    }
                }
                replace_check?;
            }
        } else {
            self.check_new_name(vol, parent, &name)?;
        }
        if node.names.len() >= self.volumes[vol].kind.max_links() {
            return Err(NtError::TooManyLinks); // HL3
        }
        self.check_target_dir_open(vol, parent, false)?;
        if dst.node.is_some() {
            self.unlink_unchecked(vol, parent, &name.key());
        }
        self.link_unchecked(vol, parent, name, rec);
        Ok(self.file_info(vol, rec, None))
    }

    /// M11: FILE_LINK_POSIX_SEMANTICS may replace an open file: not a
    /// directory, not read-only (unless ignored), and every handle of the
    /// victim shares delete (BTRFS links.cpp linkex3).
    fn check_link_replace_posix(
        &self,
        vol: crate::machine::VolumeId,
        existing: crate::file_ref::RecordNo,
        parent: crate::file_ref::RecordNo,
        name: &Name,
        ignore_readonly: bool,
    ) -> Result<()> {
        let node = self.node(vol, existing)?;
        if node
            .name_in(parent, &name.key())
            .is_some_and(|l| l.delete_pending)
        {
            return Err(NtError::DeletePending);
        }
        if node.is_dir() {
            return Err(NtError::AccessDenied); // BTRFS link7
        }
        if node.attrs & crate::attrs::FILE_ATTRIBUTE_READONLY != 0 && !ignore_readonly {
            return Err(NtError::AccessDenied);
        }
        self.check_no_exclusive_handles(vol, existing)
    }

    /// CreateSymbolicLinkW(link, target, flags). The target is stored as Windows
    /// stores it (S5–S9): absolute and UNC targets as `\??\` NT paths (flags 0),
    /// relative and root-relative ones as written (SYMLINK_FLAG_RELATIVE), and a
    /// drive-relative one made absolute first.
    pub fn create_symbolic_link(
        &mut self,
        link: &(impl PathUnits + ?Sized),
        target: &(impl PathUnits + ?Sized),
        flags: SymlinkFlags,
    ) -> Result<FileInfo> {
        let link_path = self.full_path(link)?;
        let dst = self.resolve(&link_path, Follow::OpenReparsePoint)?;
        self.symlink_resolved(dst, target, flags)
    }

    /// symlink(2) in a directory by id, the target in Windows syntax.
    pub fn create_symbolic_link_at(
        &mut self,
        dir: NodeId,
        name: &(impl PathUnits + ?Sized),
        target: &(impl PathUnits + ?Sized),
        flags: SymlinkFlags,
    ) -> Result<FileInfo> {
        let dst = self.resolve_at(dir, name.to_name())?;
        self.symlink_resolved(dst, target, flags)
    }

    /// symlink(2) as WSL stores a target NTFS cannot carry: a file with an
    /// IO_REPARSE_TAG_LX_SYMLINK reparse point holding `target` byte for byte.
    /// An empty target is refused (symlink(2) says ENOENT for it).
    pub fn create_lx_symlink_at(
        &mut self,
        dir: NodeId,
        name: &(impl PathUnits + ?Sized),
        target: &[u8],
    ) -> Result<FileInfo> {
        let dst = self.resolve_at(dir, name.to_name())?;
        let data = ReparseData::lx_symlink(target);
        if target.is_empty() || data.encode().len() > MAXIMUM_REPARSE_DATA_BUFFER_SIZE {
            return Err(NtError::IoReparseDataInvalid);
        }
        if !self.volumes[dst.vol].kind.supports_reparse_points() {
            return Err(NtError::InvalidDeviceRequest); // S11
        }
        let (Some(parent), Some(name)) = (dst.parent, dst.name.clone()) else {
            return Err(NtError::ObjectNameCollision);
        };
        self.check_new_name(dst.vol, parent, &name)?;
        let rec = self.insert_node_unchecked(
            dst.vol,
            parent,
            name,
            NodeKind::File(FileData::default()),
            FILE_ATTRIBUTE_ARCHIVE | FILE_ATTRIBUTE_REPARSE_POINT,
        );
        let raw = data.encode().into_boxed_slice();
        let node = self.node_mut(dst.vol, rec)?;
        node.reparse = Some(Box::new(Reparse { raw, data }));
        node.posix.mode = 0o777;
        Ok(self.file_info(dst.vol, rec, None))
    }

    /// The reparse data CreateSymbolicLinkW would store for `target` (S5–S10).
    pub fn symlink_data_for(&self, target: &(impl PathUnits + ?Sized)) -> Result<ReparseData> {
        // Units throughout: a target may name a file with an unpaired surrogate (N3).
        let target = target.path_units();
        if target.is_empty() {
            return Err(NtError::IoReparseDataInvalid); // P5
        }
        let kind = crate::path::path_type(&target);
        let drive_relative = kind == PathType::DriveRelative;
        let absolute = kind.is_absolute();
        if absolute || drive_relative {
            let full: FullPath = if kind == PathType::NtObject {
                crate::path::nt_path_units(&target)?
            } else {
                self.full_path(&*target)?
            };
            if matches!(full.root, Root::Device(_)) {
                return Err(NtError::ObjectNameInvalid);
            }
            let print = if drive_relative {
                full.to_win32_units()
            } else {
                target.to_vec()
            };
            return Ok(ReparseData::symlink(&full.to_nt_units(), &print, false));
        }
        // Relative (`..\x`, `x`) and root-relative (`\dir`): stored as given (S7, S8).
        Ok(ReparseData::symlink(&*target, &*target, true))
    }

    fn symlink_resolved(
        &mut self,
        dst: Resolved,
        target: &(impl PathUnits + ?Sized),
        flags: SymlinkFlags,
    ) -> Result<FileInfo> {
        if !self.profile.supports_symlinks() {
            return Err(NtError::NotSupported); // V5: no CreateSymbolicLink before Vista
        }
        if flags.allow_unprivileged_create && !self.profile.knows_unprivileged_flag() {
            return Err(NtError::InvalidParameter); // S3
        }
        if !self
            .profile
            .symlink_creation_allowed(flags.allow_unprivileged_create)
        {
            return Err(NtError::PrivilegeNotHeld); // S2
        }
        if !self.volumes[dst.vol].kind.supports_reparse_points() {
            return Err(NtError::InvalidDeviceRequest); // S11
        }
        let data = self.symlink_data_for(target)?;
        let (Some(parent), Some(name)) = (dst.parent, dst.name.clone()) else {
            return Err(NtError::ObjectNameCollision);
        };
        // An existing name collides, or is pending delete (M9): check_new_name.
        self.check_new_name(dst.vol, parent, &name)?;
        let (kind, attrs) = if flags.directory {
            (
                NodeKind::Directory(Default::default()),
                FILE_ATTRIBUTE_DIRECTORY,
            )
        } else {
            (NodeKind::File(FileData::default()), FILE_ATTRIBUTE_ARCHIVE)
        };
        let rec = self.insert_node_unchecked(
            dst.vol,
            parent,
            name,
            kind,
            attrs | FILE_ATTRIBUTE_REPARSE_POINT,
        );
        let raw = data.encode().into_boxed_slice();
        let node = self.node_mut(dst.vol, rec)?;
        node.reparse = Some(Box::new(Reparse { raw, data }));
        node.posix.mode = 0o777; // links are lrwxrwxrwx in the Linux view
        Ok(self.file_info(dst.vol, rec, None))
    }

    /// `mklink /J link target`: an empty directory carrying a mount point whose
    /// target is made absolute against the current directory (J8). The target is
    /// not checked for existence (J6); it must be on a local drive.
    pub fn create_junction(
        &mut self,
        link: &(impl PathUnits + ?Sized),
        target: &(impl PathUnits + ?Sized),
    ) -> Result<FileInfo> {
        let link_path = self.full_path(link)?;
        let dst = self.resolve(&link_path, Follow::OpenReparsePoint)?;
        let data = self.junction_data_for(target)?;
        self.check_local_target(target)?;
        self.junction_resolved(dst, data)
    }

    /// mklink /J refuses a target on a mapped network drive as it refuses a
    /// UNC one ("Local volumes are required", J2, J8a): the same status as a
    /// UNC target, which is no drive path at all.
    fn check_local_target(&self, target: &(impl PathUnits + ?Sized)) -> Result<()> {
        let full = self.junction_full_path(target)?;
        if self.is_network_drive(&full.root) {
            return Err(NtError::ObjectNameInvalid);
        }
        Ok(())
    }

    /// A junction target as mklink reads it: an NT path (`\??\C:\x`) as is,
    /// anything else through GetFullPathNameW.
    fn junction_full_path(&self, target: &(impl PathUnits + ?Sized)) -> Result<FullPath> {
        let units = target.path_units();
        if crate::path::strip_nt_prefix_units(&units).is_some() {
            crate::path::nt_path_units(&units)
        } else {
            self.full_path(&*units)
        }
    }

    /// A junction in a directory by id, the target in Windows syntax.
    pub fn create_junction_at(
        &mut self,
        dir: NodeId,
        name: &(impl PathUnits + ?Sized),
        target: &(impl PathUnits + ?Sized),
    ) -> Result<FileInfo> {
        let dst = self.resolve_at(dir, name.to_name())?;
        let data = self.junction_data_for(target)?;
        self.check_local_target(target)?;
        self.junction_resolved(dst, data)
    }

    /// The mount point mklink writes for `target`: `\??\C:\abs` + print name `C:\abs`.
    /// mklink takes both from GetFullPathNameW, which keeps a trailing separator:
    /// `C:\t\` gives `\??\C:\t\` and `C:\t\`, and `dir` shows `[C:\t\]` (J40).
    pub fn junction_data_for(&self, target: &(impl PathUnits + ?Sized)) -> Result<ReparseData> {
        let full = self.junction_full_path(target)?;
        if !matches!(full.root, Root::Drive(_)) {
            return Err(NtError::ObjectNameInvalid);
        }
        let (mut print, mut nt) = (full.to_win32_units(), full.to_nt_units());
        let bs = u16::from(b'\\');
        if (full.components.is_empty() || full.trailing_separator) && print.last() != Some(&bs) {
            print.push(bs);
            nt.push(bs);
        }
        Ok(ReparseData::mount_point(&nt, &print))
    }

    fn junction_resolved(&mut self, dst: Resolved, data: ReparseData) -> Result<FileInfo> {
        // J8a: mklink /J wants a local NTFS volume for the link itself.
        let kind = self.volumes[dst.vol].kind;
        if !self.profile.supports_junctions()
            || !kind.supports_reparse_points()
            || kind.is_network()
        {
            return Err(NtError::InvalidDeviceRequest);
        }
        let (Some(parent), Some(name)) = (dst.parent, dst.name.clone()) else {
            return Err(NtError::ObjectNameCollision);
        };
        // An existing name collides, or is pending delete (M9): check_new_name.
        self.check_new_name(dst.vol, parent, &name)?;
        let mut attrs = FILE_ATTRIBUTE_DIRECTORY | FILE_ATTRIBUTE_REPARSE_POINT;
        if self.profile.junction_gets_archive() {
            attrs |= FILE_ATTRIBUTE_ARCHIVE; // J1: 0x430 on Windows 2000
        }
        let rec = self.insert_node_unchecked(
            dst.vol,
            parent,
            name,
            NodeKind::Directory(Default::default()),
            attrs,
        );
        let raw = data.encode().into_boxed_slice();
        let node = self.node_mut(dst.vol, rec)?;
        node.reparse = Some(Box::new(Reparse { raw, data }));
        node.posix.mode = 0o777;
        Ok(self.file_info(dst.vol, rec, None))
    }
}
