//! `Machine`: the volumes, the current directories, the profile and the open
//! handles. Its operations live in the modules named after what they do
//! (`namespace`: create, delete, move; `links`; `reparse_ops`; `handle`;
//! `query`; `tree`; `special`; `op` runs any of them as data); this module
//! holds the state, the node and volume accessors, and the two primitives every
//! change of the namespace is made of (`link_unchecked`, `unlink_unchecked`).

use crate::attrs::{Clock, FileTime, SystemClock, Times};
use crate::error::{NtError, Result};
use crate::file_ref::{FileRef, RecordNo, SeqNo};
use crate::handle::Handle;
use crate::name::{self, Name, NameKey};
use crate::node::{DeviceNumbers, NameLink, Node, NodeKind, PosixMeta};
use crate::path::PathUnits;
use crate::path::{self, CurrentDirs, FullPath};
use crate::profile::{FsKind, Profile};
use crate::volume::{Volume, ROOT_RECORD};
use slab::Slab;
use std::collections::BTreeMap;
use std::fmt;
use std::sync::Arc;

/// Index of a volume in its machine (stable: volumes are never removed while
/// anything refers to them).
pub type VolumeId = usize;

/// A node anywhere on the machine: its volume and its file reference.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct NodeId {
    /// The volume the node lives on.
    pub volume: VolumeId,
    /// Its file reference on that volume.
    pub file: FileRef,
}

/// What a volume is, for `vol`, `fsutil fsinfo` and the adapters.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeInfo {
    /// Its index in the machine.
    pub id: VolumeId,
    /// Its drive letter, upper case.
    pub letter: char,
    /// Its file system.
    pub kind: FsKind,
    /// Its volume label.
    pub label: String,
    /// Its serial number, as `vol` prints it.
    pub serial: u32,
    /// Files and directories on the volume (not counting the root).
    pub nodes: usize,
    /// Bytes of file data.
    pub bytes: u64,
    /// The volume's size in bytes (`--volume D:ntfs:SIZE`, 64 GiB by default);
    /// free space is `size - bytes`.
    pub size: u64,
}

/// The answer of a query: what GetFileInformationByHandle, FILE_STANDARD_LINK_INFORMATION
/// and FILE_ATTRIBUTE_TAG_INFORMATION report together.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileInfo {
    /// The node.
    pub id: NodeId,
    /// Drive letter of its volume.
    pub volume_letter: char,
    /// Serial number of its volume (dwVolumeSerialNumber).
    pub volume_serial: u32,
    /// A directory (or a directory link).
    pub is_directory: bool,
    /// FILE_ATTRIBUTE_* bits.
    pub attributes: u32,
    /// The reparse tag, when the node has a reparse point.
    pub reparse_tag: Option<u32>,
    /// Data size in bytes (0 for directories).
    pub size: u64,
    /// NumberOfLinks: names not marked for delete (HL21).
    pub link_count: u32,
    /// TotalNumberOfLinks: every name, pending or not (HL21).
    pub total_links: u32,
    /// Creation, access, write and change times.
    pub times: Times,
    /// The name this was reached through is marked for delete.
    pub delete_pending: bool,
    /// Owner and mode for the Linux view.
    pub posix: PosixMeta,
}

/// One entry of a directory listing.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DirEntryInfo {
    /// The entry's name as stored (case preserved).
    pub name: Name,
    /// The entry, not followed: a link shows as the link.
    pub info: FileInfo,
}

/// The kind of object a reparse point sits on, fixed at creation (S1).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LinkFlavor {
    /// A file symbolic link (or a file with another reparse point).
    File,
    /// A directory symbolic link or a junction.
    Directory,
}

/// What to do with a reparse point at the last component of a path.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Follow {
    /// Follow it (the default of CreateFile).
    Reparse,
    /// Open the link itself (FILE_FLAG_OPEN_REPARSE_POINT).
    OpenReparsePoint,
}

/// The whole emulated computer.
pub struct Machine {
    pub(crate) volumes: Vec<Volume>,
    pub(crate) profile: Profile,
    pub(crate) current_drive: u8,
    /// cmd.exe keeps one current directory per drive; it is stored as typed,
    /// unresolved (J19).
    pub(crate) current_dirs: BTreeMap<u8, FullPath>,
    /// The file objects: one per open, shared by its duplicates.
    pub(crate) handles: Slab<Handle>,
    /// DuplicateHandle's handles: each names the file object (the slab id of
    /// the handle it duplicates) it shares (handle.rs).
    pub(crate) duplicates: BTreeMap<crate::handle::HandleId, crate::handle::HandleId>,
    pub(crate) clock: Arc<dyn Clock>,
    /// Owner and mode given to new nodes (the Linux view's umask-applied defaults).
    pub(crate) default_posix: PosixMeta,
    /// The memory budget for data and metadata (space.rs).
    pub(crate) memory_limit: u64,
}

impl fmt::Debug for Machine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Machine")
            .field("volumes", &self.volume_infos())
            .field("profile", &self.profile)
            .finish_non_exhaustive()
    }
}

impl Default for Machine {
    /// C: and D:, both NTFS, Windows 11 profile, the host clock.
    fn default() -> Self {
        Machine::with_volumes(
            &[('C', FsKind::Ntfs), ('D', FsKind::Ntfs)],
            Profile::default(),
        )
        .expect("two distinct letters")
    }
}

impl Machine {
    /// A machine with no volumes yet.
    pub fn empty(profile: Profile) -> Machine {
        Machine {
            volumes: Vec::new(),
            profile,
            current_drive: b'C',
            current_dirs: BTreeMap::new(),
            handles: Slab::new(),
            duplicates: BTreeMap::new(),
            clock: Arc::new(SystemClock),
            default_posix: PosixMeta {
                uid: 0,
                gid: 0,
                mode: 0o644,
                rdev: DeviceNumbers::default(),
            },
            memory_limit: u64::MAX,
        }
    }

    /// A machine with the given volumes; the first is the current drive.
    pub fn with_volumes(volumes: &[(char, FsKind)], profile: Profile) -> Result<Machine> {
        let mut m = Machine::empty(profile);
        for &(letter, kind) in volumes {
            m.add_volume(letter, kind, None)?;
        }
        if let Some(&(first, _)) = volumes.first() {
            m.current_drive = first.to_ascii_uppercase() as u8;
        }
        Ok(m)
    }

    /// Replaces the clock (tests and transcripts use a fixed one).
    pub fn set_clock(&mut self, clock: Arc<dyn Clock>) {
        self.clock = clock;
    }

    pub(crate) fn now(&self) -> FileTime {
        self.clock.now()
    }

    /// Owner, group and permission bits new nodes get in the Linux view.
    pub fn set_default_posix(&mut self, posix: PosixMeta) {
        // Only device nodes have device numbers (created by create_special_file).
        self.default_posix = PosixMeta {
            rdev: DeviceNumbers::default(),
            ..posix
        };
    }

    /// The emulated Windows version and switches.
    pub fn profile(&self) -> &Profile {
        &self.profile
    }

    /// Replaces the emulated Windows version and behaviour switches.
    pub fn set_profile(&mut self, profile: Profile) {
        self.profile = profile;
    }

    /// Adds a volume. Letters are A–Z and unique; the serial is derived from the
    /// letter so that machines built alike print alike.
    pub fn add_volume(
        &mut self,
        letter: char,
        kind: FsKind,
        label: Option<&str>,
    ) -> Result<VolumeId> {
        let letter = letter.to_ascii_uppercase();
        if !letter.is_ascii_uppercase() || self.volume_by_letter(letter as u8).is_some() {
            return Err(NtError::InvalidParameter);
        }
        let serial = 0x1A2B_0000 | (u32::from(letter as u8) << 8) | 0x3C;
        let label = label.map_or_else(|| default_label(kind), str::to_string);
        let now = self.now();
        self.volumes.push(Volume::new(
            letter as u8,
            kind,
            label,
            serial,
            now,
            self.default_posix,
        ));
        Ok(self.volumes.len() - 1)
    }

    /// Every volume, in the order added.
    pub fn volume_infos(&self) -> Vec<VolumeInfo> {
        (0..self.volumes.len())
            .map(|id| self.volume_info(id))
            .collect()
    }

    /// # Panics
    /// When `id` is not a volume of this machine (ids come from [`Machine::volume_infos`]).
    pub fn volume_info(&self, id: VolumeId) -> VolumeInfo {
        let v = &self.volumes[id];
        let nodes = v.user_records().filter(|(r, _)| *r != ROOT_RECORD).count();
        VolumeInfo {
            id,
            letter: v.letter as char,
            kind: v.kind,
            label: v.label.clone(),
            serial: v.serial,
            nodes,
            bytes: v.space.used,
            size: v.space.size,
        }
    }

    /// Sets a volume's label (`label` command).
    pub fn set_volume_label(&mut self, id: VolumeId, label: &str) -> Result<()> {
        let v = self.volumes.get_mut(id).ok_or(NtError::InvalidParameter)?;
        v.label = label.to_string();
        Ok(())
    }

    /// The volume mounted at a drive letter (either case).
    pub fn volume_by_letter(&self, letter: u8) -> Option<VolumeId> {
        let l = letter.to_ascii_uppercase();
        self.volumes.iter().position(|v| v.letter == l)
    }

    /// The root directory of a volume. For an id that names no volume the result
    /// names nothing either: every operation on it fails with INVALID_PARAMETER.
    pub fn root(&self, volume: VolumeId) -> NodeId {
        NodeId {
            volume,
            file: self
                .volumes
                .get(volume)
                .map_or(FileRef::new(ROOT_RECORD, ROOT_RECORD as SeqNo), |v| {
                    v.file_ref(ROOT_RECORD)
                }),
        }
    }

    // ---- current directory -------------------------------------------------

    /// The current directory as cmd.exe prints it in its prompt (`C:\work`).
    pub fn current_dir(&self) -> String {
        CurrentDirs::current_dir(self, self.current_drive).to_win32()
    }

    /// [`Machine::current_dir`] with the names' exact units (N3).
    pub fn current_dir_units(&self) -> Vec<u16> {
        CurrentDirs::current_dir(self, self.current_drive).to_win32_units()
    }

    /// The current drive's letter, upper case.
    pub fn current_drive(&self) -> char {
        self.current_drive as char
    }

    /// `cd`: the directory must exist (links followed); the path is kept as typed
    /// (J19). A bare `X:` switches drive.
    pub fn set_current_dir(&mut self, path: &(impl PathUnits + ?Sized)) -> Result<()> {
        let full = self.full_path(path)?;
        let drive = full.drive().ok_or(NtError::ObjectPathNotFound)?;
        let r = self.resolve(&full, Follow::Reparse)?;
        let node = r.node.ok_or(NtError::ObjectNameNotFound)?;
        if !self.volumes[r.vol].node(node).is_some_and(Node::is_dir) {
            return Err(NtError::NotADirectory);
        }
        let mut stored = full;
        stored.trailing_separator = false;
        self.current_dirs.insert(drive, stored);
        self.current_drive = drive;
        Ok(())
    }

    /// Switches the current drive (`D:`), keeping each drive's directory.
    pub fn set_current_drive(&mut self, letter: char) -> Result<()> {
        let l = letter.to_ascii_uppercase() as u8;
        self.volume_by_letter(l)
            .ok_or(NtError::ObjectPathNotFound)?;
        self.current_drive = l;
        Ok(())
    }

    /// Parses a Win32 path against the current directories and the profile's rules.
    pub fn full_path(&self, path: &(impl PathUnits + ?Sized)) -> Result<FullPath> {
        path::full_path_units(&path.path_units(), self, self.profile.win32_rules())
    }

    // ---- identity ----------------------------------------------------------

    pub(crate) fn vol(&self, id: VolumeId) -> Result<&Volume> {
        self.volumes.get(id).ok_or(NtError::InvalidParameter)
    }

    pub(crate) fn node(&self, vol: VolumeId, rec: RecordNo) -> Result<&Node> {
        self.vol(vol)?.node(rec).ok_or(NtError::FileDeleted)
    }

    pub(crate) fn node_mut(&mut self, vol: VolumeId, rec: RecordNo) -> Result<&mut Node> {
        self.volumes
            .get_mut(vol)
            .and_then(|v| v.node_mut(rec))
            .ok_or(NtError::FileDeleted)
    }

    /// The record a NodeId names, if that file still exists.
    pub(crate) fn record_of(&self, id: NodeId) -> Result<RecordNo> {
        self.vol(id.volume)?
            .resolve_ref(id.file)
            .ok_or(NtError::FileDeleted)
    }

    pub(crate) fn node_id(&self, vol: VolumeId, rec: RecordNo) -> NodeId {
        NodeId {
            volume: vol,
            file: self.volumes[vol].file_ref(rec),
        }
    }

    /// The Win32 path of a node through its first name (`C:\a\b`).
    pub fn path_of(&self, id: NodeId) -> Result<String> {
        let rec = self.record_of(id)?;
        let v = &self.volumes[id.volume];
        let node = self.node(id.volume, rec)?;
        let path = match node.names.first() {
            None if rec == ROOT_RECORD => "\\".to_string(),
            None => return Err(NtError::FileDeleted),
            Some(link) => {
                let parent = v.dir_path(link.parent);
                let sep = if parent.ends_with('\\') { "" } else { "\\" };
                format!("{parent}{sep}{}", link.name)
            }
        };
        Ok(format!("{}:{}", v.letter as char, path))
    }

    // ---- the two primitives ------------------------------------------------

    /// Adds `name` in directory `parent` for `child`. Callers have validated the
    /// name, checked for collisions and the link limit (STYLE 6.5).
    pub(crate) fn link_unchecked(
        &mut self,
        vol: VolumeId,
        parent: RecordNo,
        name: Name,
        child: RecordNo,
    ) {
        let now = self.now();
        let v = &mut self.volumes[vol];
        let key = name.key();
        let p = v.node_mut(parent).expect("parent checked by caller");
        p.entries_mut()
            .expect("parent is a directory")
            .insert(key, child);
        p.times.last_write = now;
        p.times.change = now;
        let c = v.node_mut(child).expect("child checked by caller");
        c.names.push(NameLink {
            parent,
            name,
            delete_pending: false,
        });
        c.times.change = now;
        v.space.names += 1;
    }

    /// Removes the name `key` from `parent` and frees the node when it has no name
    /// and no open handle left (HL30). Returns the record the name pointed at.
    pub(crate) fn unlink_unchecked(
        &mut self,
        vol: VolumeId,
        parent: RecordNo,
        key: &NameKey,
    ) -> RecordNo {
        let now = self.now();
        let v = &mut self.volumes[vol];
        let p = v.node_mut(parent).expect("parent checked by caller");
        let child = p
            .entries_mut()
            .expect("parent is a directory")
            .remove(key)
            .expect("entry checked by caller");
        p.times.last_write = now;
        p.times.change = now;
        let c = v.node_mut(child).expect("entries name live records");
        let named = c
            .names
            .iter()
            .position(|l| l.parent == parent && l.name.matches_key(key));
        if let Some(i) = named {
            c.names.remove(i);
        }
        c.times.change = now;
        if named.is_some() {
            v.space.names -= 1;
        }
        // Handles opened through this name no longer have one (their next delete
        // disposition must not reach whatever takes the name next).
        self.retarget_handles(vol, child, parent, key, None);
        self.free_if_unreferenced(vol, child);
        child
    }

    /// Points the handles of `rec` opened through the name `key` in `parent` at
    /// `to` (a rename) or at no name (an unlink).
    pub(crate) fn retarget_handles(
        &mut self,
        vol: VolumeId,
        rec: RecordNo,
        parent: RecordNo,
        key: &NameKey,
        to: Option<(RecordNo, NameKey)>,
    ) {
        for (_, h) in self.handles.iter_mut() {
            if h.vol == vol
                && h.rec == rec
                && h.through
                    .as_ref()
                    .is_some_and(|(p, k)| *p == parent && k == key)
            {
                h.through = to.clone();
            }
        }
    }

    /// Frees a node that has neither a name nor an open handle.
    pub(crate) fn free_if_unreferenced(&mut self, vol: VolumeId, rec: RecordNo) {
        let v = &mut self.volumes[vol];
        if rec != ROOT_RECORD
            && v.node(rec)
                .is_some_and(|n| n.names.is_empty() && n.open_count == 0)
        {
            v.free(rec);
        }
    }

    /// Inserts a new node and names it.
    pub(crate) fn insert_node_unchecked(
        &mut self,
        vol: VolumeId,
        parent: RecordNo,
        name: Name,
        kind: NodeKind,
        attrs: u32,
    ) -> RecordNo {
        let now = self.now();
        let mut posix = self.default_posix;
        if matches!(kind, NodeKind::Directory(_)) {
            posix.mode = dir_mode(posix.mode);
        }
        let rec = self.volumes[vol].insert(Node {
            kind,
            attrs,
            times: Times::all(now),
            names: Default::default(),
            reparse: None,
            posix,
            open_count: 0,
            security: None,
        });
        self.link_unchecked(vol, parent, name, rec);
        rec
    }

    /// Checks that `name` may be added to directory `parent` (N1, N2, N4, N11),
    /// and that the memory budget has room for a node and its name. A
    /// directory whose delete is pending, or deleted with POSIX semantics and
    /// still open, takes no new name (M9: STATUS_DELETE_PENDING): it is empty
    /// (a delete disposition on a non-empty directory is refused), and its
    /// last close must find it so.
    pub(crate) fn check_new_name(
        &self,
        vol: VolumeId,
        parent: RecordNo,
        name: &Name,
    ) -> Result<()> {
        name::validate(name.units())?;
        let p = self.node(vol, parent)?;
        let entries = p.entries().ok_or(NtError::NotADirectory)?;
        let going = p.names.iter().any(|l| l.delete_pending);
        if going || (p.names.is_empty() && parent != crate::volume::ROOT_RECORD) {
            return Err(NtError::DeletePending);
        }
        let key = name::key_buf(name.units());
        if let Some(&existing) = entries.get(&key[..]) {
            let pending = self
                .node(vol, existing)?
                .name_in_units(parent, &key)
                .is_some_and(|l| l.delete_pending);
            return Err(if pending {
                NtError::DeletePending
            } else {
                NtError::ObjectNameCollision
            });
        }
        self.check_room_for_node()
    }

    /// Builds the FileInfo of a node; `through` is the name it was reached by.
    pub(crate) fn file_info(
        &self,
        vol: VolumeId,
        rec: RecordNo,
        through: Option<(RecordNo, &NameKey)>,
    ) -> FileInfo {
        let v = &self.volumes[vol];
        let n = v.node(rec).expect("caller holds a live record");
        // An open file that lost its last name to a POSIX delete or replace
        // lives on under NTFS's hidden $Extend\$Deleted: one name, none
        // accessible, delete pending (M11, BTRFS links.cpp linkex3).
        let orphan = n.names.is_empty() && rec != ROOT_RECORD;
        let delete_pending = orphan
            || through
                .and_then(|(p, k)| n.name_in(p, k))
                .is_some_and(|l| l.delete_pending);
        // FAT reports one link whatever happens (HL22); directories have one name.
        let (link_count, total_links) = if !v.kind.supports_hard_links() || rec == ROOT_RECORD {
            (1, 1)
        } else if orphan {
            (0, 1)
        } else {
            (n.link_count(), n.names.len() as u32)
        };
        FileInfo {
            id: self.node_id(vol, rec),
            volume_letter: v.letter as char,
            volume_serial: v.serial,
            is_directory: n.is_dir(),
            attributes: effective_attributes(n),
            reparse_tag: n.reparse_tag(),
            size: n.size(),
            link_count,
            total_links,
            times: n.times,
            delete_pending,
            posix: n.posix,
        }
    }
}

/// The attribute word as reported: FILE_ATTRIBUTE_NORMAL when nothing else is set.
pub(crate) fn effective_attributes(n: &Node) -> u32 {
    if n.attrs == 0 {
        crate::attrs::FILE_ATTRIBUTE_NORMAL
    } else {
        n.attrs
    }
}

/// A directory's mode from a file mode: add search bits where read bits are.
fn dir_mode(file_mode: u16) -> u16 {
    let m = file_mode & 0o7777;
    m | ((m & 0o444) >> 2)
}

fn default_label(kind: FsKind) -> String {
    match kind {
        FsKind::Ntfs => "NTFS".into(),
        FsKind::Fat32 => "FAT32".into(),
        FsKind::ExFat => "EXFAT".into(),
        FsKind::Refs(..) => "REFS".into(),
        FsKind::Network => "SHARE".into(),
    }
}

impl CurrentDirs for Machine {
    fn current_drive(&self) -> u8 {
        self.current_drive
    }

    fn current_dir(&self, drive: u8) -> FullPath {
        self.current_dirs
            .get(&drive)
            .cloned()
            .unwrap_or_else(|| FullPath::drive_root(drive))
    }
}

/// Where a resolved path ends: the directory holding the last name, and the node
/// the name points at if it exists.
#[derive(Debug, Clone)]
pub(crate) struct Resolved {
    pub vol: VolumeId,
    /// The directory holding `name` (None for a volume root).
    pub parent: Option<RecordNo>,
    /// The last name: as stored when found, as typed when missing.
    pub name: Option<Name>,
    /// The last name exactly as the caller typed it (a case-changing rename or
    /// link stores this spelling, M1, HL6).
    pub typed: Option<Name>,
    /// The node, or None when the last name does not exist.
    pub node: Option<RecordNo>,
    /// The flavor of the reparse point followed at the last component, if any.
    pub via_link: Option<LinkFlavor>,
    /// The first reparse point followed at the last name: opening a path
    /// that ends in a link is checked against the link's security
    /// descriptor too (the compatibility junctions deny listing, J42).
    pub link_node: Option<(VolumeId, RecordNo)>,
    /// The path ended with a separator (or the link target did): a directory.
    pub require_dir: bool,
}

impl Resolved {
    pub fn key(&self) -> Option<NameKey> {
        self.name.as_ref().map(Name::key)
    }

    pub fn parent_and_key(&self) -> Option<(RecordNo, NameKey)> {
        Some((self.parent?, self.key()?))
    }

    /// True when the name this path reached `node` through is marked for delete
    /// (M9); the key is folded on the stack, as this runs on every open.
    pub fn name_pending(&self, node: &Node) -> bool {
        let (Some(p), Some(n)) = (self.parent, &self.name) else {
            return false;
        };
        node.name_in_units(p, &name::key_buf(n.units()))
            .is_some_and(|l| l.delete_pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn default_machine_has_c_and_d_ntfs_with_root_at_record_5() {
        let m = Machine::default();
        let v = m.volume_infos();
        assert_eq!(v.len(), 2);
        assert_eq!((v[0].letter, v[0].kind), ('C', FsKind::Ntfs));
        assert_eq!((v[1].letter, v[1].kind), ('D', FsKind::Ntfs));
        assert_eq!(m.root(0).file, FileRef::new(5, 5));
        assert_eq!(m.current_dir(), r"C:\");
    }

    #[test]
    fn add_volume_refuses_duplicate_letters() {
        let mut m = Machine::default();
        assert_eq!(
            m.add_volume('c', FsKind::Fat32, None),
            Err(NtError::InvalidParameter)
        );
        assert_eq!(
            m.add_volume('1', FsKind::Fat32, None),
            Err(NtError::InvalidParameter)
        );
        assert_eq!(m.add_volume('E', FsKind::Fat32, Some("USB")), Ok(2));
    }
}
