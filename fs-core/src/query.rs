//! Queries: file information, directory listings, the names of a file
//! (FindFirstFileNameW) and final paths.

use crate::dir_class::{self, DirEntryClassed, DirInfoClass, Win32FindData};
use crate::error::{NtError, Result};
use crate::file_ref::RecordNo;
use crate::handle::{OpenOptions, Want};
use crate::machine::{DirEntryInfo, FileInfo, Follow, LinkFlavor, Machine, NodeId, VolumeId};
use crate::name::{Name, NameKey};
use crate::path::PathUnits;
use crate::volume::ROOT_RECORD;
use std::ops::Bound;

/// One name of a file, as FileHardLinkInformation reports it (HL23).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileName {
    /// The directory holding this name.
    pub parent: NodeId,
    /// The name itself.
    pub name: Name,
    /// Volume-root-relative path without drive letter, as `fsutil hardlink list`
    /// prints it (HL24): `\dir\name`. Unpaired surrogates show as U+FFFD.
    pub path: String,
    /// `path` with the names' exact UTF-16 units (N3).
    pub path_units: Vec<u16>,
}

impl Machine {
    /// The object at `path`: with `Follow::Reparse` what a handle to the target
    /// reports (stat), with `Follow::OpenReparsePoint` the link itself (lstat,
    /// GetFileAttributes, S26, S36). Flavor mismatches fail as an open does (S22).
    pub fn query_information(
        &self,
        path: &(impl PathUnits + ?Sized),
        follow: Follow,
    ) -> Result<FileInfo> {
        let r = self.resolve_str(path, follow)?;
        let rec = r.node.ok_or(NtError::ObjectNameNotFound)?;
        let node = self.node(r.vol, rec)?;
        let through = r.parent_and_key();
        if let Some((p, k)) = &through {
            if node.name_in(*p, k).is_some_and(|l| l.delete_pending) {
                return Err(NtError::DeletePending);
            }
        }
        if self.profile.checks_link_flavor_on_open() {
            match (r.via_link, node.is_dir()) {
                (Some(LinkFlavor::File), true) => return Err(NtError::FileIsADirectory),
                (Some(LinkFlavor::Directory), false) => return Err(NtError::NotADirectory),
                _ => {}
            }
        }
        Ok(self.file_info(r.vol, rec, through.as_ref().map(|(p, k)| (*p, k))))
    }

    /// The node a Win32 path reaches with every link on it followed, before the
    /// checks an open makes on what it reached (the link flavour, S22): what a
    /// view that follows links itself (the Linux kernel) must reach too.
    pub fn resolve_node(&self, path: &(impl PathUnits + ?Sized)) -> Result<NodeId> {
        let r = self.resolve_str(path, Follow::Reparse)?;
        let rec = r.node.ok_or(NtError::ObjectNameNotFound)?;
        Ok(self.node_id(r.vol, rec))
    }

    /// GetFileAttributesW: the object itself (S36).
    pub fn get_file_attributes(&self, path: &(impl PathUnits + ?Sized)) -> Result<u32> {
        Ok(self
            .query_information(path, Follow::OpenReparsePoint)?
            .attributes)
    }

    /// True when `path` resolves to something (links followed).
    pub fn exists(&self, path: &(impl PathUnits + ?Sized)) -> bool {
        self.query_information(path, Follow::Reparse).is_ok()
    }

    /// Information of a node by id.
    pub fn info(&self, id: NodeId) -> Result<FileInfo> {
        let rec = self.record_of(id)?;
        Ok(self.file_info(id.volume, rec, None))
    }

    /// Reads up to `len` bytes at `offset` of a file by id, without a handle (for
    /// snapshots, audits and image save; adapters read through handles).
    pub fn read_node(&self, id: NodeId, offset: u64, len: usize) -> Result<Vec<u8>> {
        let rec = self.record_of(id)?;
        let data = self
            .node(id.volume, rec)?
            .data()
            .ok_or(NtError::FileIsADirectory)?;
        data.read(offset, len)
    }

    /// Looks `name` up in directory `dir`, following nothing (what the Linux
    /// kernel asks for each path component).
    pub fn lookup(&self, dir: NodeId, name: &(impl PathUnits + ?Sized)) -> Result<FileInfo> {
        let r = self.resolve_at(dir, name.to_name())?;
        let rec = r.node.ok_or(NtError::ObjectNameNotFound)?;
        let through = r.parent_and_key();
        Ok(self.file_info(r.vol, rec, through.as_ref().map(|(p, k)| (*p, k))))
    }

    /// [`lookup`](Machine::lookup) with the name as stored (N1: the case it was
    /// created with), for adapters that must tell spellings apart.
    ///
    /// ```
    /// # use ntlinkfs_core::Machine;
    /// let mut m = Machine::default();
    /// m.create_file(r"C:\ReadMe.txt").unwrap();
    /// let e = m.lookup_entry(m.root(0), "README.TXT").unwrap();
    /// assert_eq!(e.name.to_string_lossy(), "ReadMe.txt");
    /// ```
    pub fn lookup_entry(
        &self,
        dir: NodeId,
        name: &(impl PathUnits + ?Sized),
    ) -> Result<DirEntryInfo> {
        let r = self.resolve_at(dir, name.to_name())?;
        let rec = r.node.ok_or(NtError::ObjectNameNotFound)?;
        let through = r.parent_and_key();
        let info = self.file_info(r.vol, rec, through.as_ref().map(|(p, k)| (*p, k)));
        let name = r.name.expect("a found entry has its stored name");
        Ok(DirEntryInfo { name, info })
    }

    /// FindFirstFileW(`path\*`): the directory at `path` with links followed
    /// (J17), its entries in NTFS collation order.
    pub fn enumerate(&self, path: &(impl PathUnits + ?Sized)) -> Result<Vec<DirEntryInfo>> {
        let r = self.resolve_str(path, Follow::Reparse)?;
        let rec = r.node.ok_or(NtError::ObjectNameNotFound)?;
        // The link must match what it reaches (S1, S22 [X] for listing, J13).
        if self.profile.checks_link_flavor_on_open() {
            let is_dir = self.node(r.vol, rec)?.is_dir();
            match (r.via_link, is_dir) {
                (Some(LinkFlavor::Directory), false) => return Err(NtError::NotADirectory),
                (Some(LinkFlavor::File), true) => return Err(NtError::FileIsADirectory),
                _ => {}
            }
        }
        // FindFirstFileW opens the directory for FILE_LIST_DIRECTORY |
        // SYNCHRONIZE: a link's descriptor and the directory's must grant it
        // (J42: the compatibility junctions deny it to Everyone).
        let list = crate::access::FILE_LIST_DIRECTORY | crate::access::SYNCHRONIZE;
        self.check_path_access(&r, list)?;
        self.access_check_node(r.vol, rec, list)?;
        self.list(r.vol, rec, None, usize::MAX)
    }

    /// A directory's entries by id, after the entry named `after` (a cursor that
    /// survives changes to the directory), at most `limit` of them.
    pub fn read_dir(
        &self,
        dir: NodeId,
        after: Option<&NameKey>,
        limit: usize,
    ) -> Result<Vec<DirEntryInfo>> {
        let rec = self.record_of(dir)?;
        self.list(dir.volume, rec, after, limit)
    }

    /// [`Machine::read_dir`] without copying a name: `f` sees each entry's
    /// key (its cursor), stored name and information, in order, until it
    /// returns false or `limit` entries were seen. A kernel's listing of a
    /// large directory then costs no allocation per entry (issue 17).
    pub fn visit_dir(
        &self,
        dir: NodeId,
        after: Option<&NameKey>,
        limit: usize,
        f: impl FnMut(&NameKey, &Name, FileInfo) -> bool,
    ) -> Result<()> {
        let rec = self.record_of(dir)?;
        self.visit(dir.volume, rec, after, limit, f)
    }

    fn list(
        &self,
        vol: VolumeId,
        rec: RecordNo,
        after: Option<&NameKey>,
        limit: usize,
    ) -> Result<Vec<DirEntryInfo>> {
        let mut out = Vec::new();
        self.visit(vol, rec, after, limit, |_, name, info| {
            out.push(DirEntryInfo {
                name: name.clone(),
                info,
            });
            true
        })?;
        Ok(out)
    }

    /// The one walk over a directory's entries (`list`, `visit_dir`).
    fn visit(
        &self,
        vol: VolumeId,
        rec: RecordNo,
        after: Option<&NameKey>,
        limit: usize,
        mut f: impl FnMut(&NameKey, &Name, FileInfo) -> bool,
    ) -> Result<()> {
        let node = self.node(vol, rec)?;
        let entries = node.entries().ok_or(NtError::NotADirectory)?;
        let range = match after {
            Some(k) => entries.range::<NameKey, _>((Bound::Excluded(k), Bound::Unbounded)),
            None => entries.range::<NameKey, _>(..),
        };
        for (key, &child) in range.take(limit) {
            let c = self.volumes[vol]
                .node(child)
                .expect("entries name live records");
            let name = &c.name_in(rec, key).expect("entry has its name").name;
            if !f(key, name, self.file_info(vol, child, Some((rec, key)))) {
                break;
            }
        }
        Ok(())
    }

    /// NtQueryDirectoryFile on the directory at `path` (links followed, J17) in
    /// the shape of `class`, `.` and `..` first except at a volume root, then
    /// the entries in NTFS collation order; `pattern` is the FileName filter
    /// (`*` and `?`; None lists everything). A class the call does not take is
    /// refused before anything is looked up ([`DirInfoClass::from_value`], J18).
    pub fn query_directory(
        &self,
        path: &(impl PathUnits + ?Sized),
        class: u32,
        pattern: Option<&str>,
    ) -> Result<Vec<DirEntryClassed>> {
        let class = DirInfoClass::from_value(class)?;
        let r = self.resolve_str(path, Follow::Reparse)?;
        let rec = r.node.ok_or(NtError::ObjectNameNotFound)?;
        let dir = self.node_id(r.vol, rec);
        if let Some(flavor) = r.via_link {
            self.check_flavor(flavor, dir)?;
        }
        let pattern = pattern.map(Name::new);
        Ok(self
            .entries_with_dots(dir)?
            .into_iter()
            .filter(|e| {
                pattern
                    .as_ref()
                    .is_none_or(|p| dir_class::matches(p, &e.name))
            })
            .map(|e| DirEntryClassed::new(class, &e.name, &e.info))
            .collect())
    }

    /// [`query_directory`](Machine::query_directory) by id, a page at a time:
    /// up to `limit` entries after the one keyed `after`, without `.` and `..`
    /// (an adapter with a handle adds those itself, as WinFsp asks).
    pub fn query_directory_of(
        &self,
        dir: NodeId,
        class: DirInfoClass,
        after: Option<&NameKey>,
        limit: usize,
    ) -> Result<Vec<DirEntryClassed>> {
        Ok(self
            .read_dir(dir, after, limit)?
            .into_iter()
            .map(|e| DirEntryClassed::new(class, &e.name, &e.info))
            .collect())
    }

    /// FindFirstFileW / FindNextFileW: the entries of the directory `path`
    /// names, filtered by its last component (`C:\d\*.txt`, or an exact name:
    /// `C:\d\J` gives the junction's own entry with its tag in dwReserved0,
    /// J18). Nothing matching is ERROR_FILE_NOT_FOUND.
    pub fn find_files(&self, path: &(impl PathUnits + ?Sized)) -> Result<Vec<Win32FindData>> {
        let full = self.full_path(path)?;
        let pattern = full
            .components
            .last()
            .cloned()
            .ok_or(NtError::ObjectNameNotFound)?;
        let parent = full.parent().ok_or(NtError::ObjectNameNotFound)?;
        let r = self.resolve(&parent, Follow::Reparse)?;
        let rec = r.node.ok_or(NtError::ObjectPathNotFound)?;
        let dir = self.node_id(r.vol, rec);
        if let Some(flavor) = r.via_link {
            self.check_flavor(flavor, dir)?;
        }
        let found: Vec<Win32FindData> = self
            .entries_with_dots(dir)?
            .into_iter()
            .filter(|e| dir_class::matches(&pattern, &e.name))
            .map(|e| Win32FindData::new(&e.name, &e.info))
            .collect();
        if found.is_empty() {
            return Err(NtError::ObjectNameNotFound);
        }
        Ok(found)
    }

    /// A directory reached through a link must match the link's flavour (S22,
    /// J13), as [`enumerate`](Machine::enumerate) checks.
    fn check_flavor(&self, flavor: LinkFlavor, dir: NodeId) -> Result<()> {
        if !self.profile.checks_link_flavor_on_open() {
            return Ok(());
        }
        match (flavor, self.info(dir)?.is_directory) {
            (LinkFlavor::Directory, false) => Err(NtError::NotADirectory),
            (LinkFlavor::File, true) => Err(NtError::FileIsADirectory),
            _ => Ok(()),
        }
    }

    /// `.` and `..` (not at a volume root), then the directory's entries.
    fn entries_with_dots(&self, dir: NodeId) -> Result<Vec<DirEntryInfo>> {
        let info = self.info(dir)?;
        if !info.is_directory {
            return Err(NtError::NotADirectory);
        }
        let mut out = Vec::new();
        if dir != self.root(dir.volume) {
            let parent = self
                .file_names(dir)?
                .first()
                .map(|n| n.parent)
                .unwrap_or(dir);
            out.push(DirEntryInfo {
                name: Name::new("."),
                info,
            });
            out.push(DirEntryInfo {
                name: Name::new(".."),
                info: self.info(parent)?,
            });
        }
        out.extend(self.read_dir(dir, None, usize::MAX)?);
        Ok(out)
    }

    /// Number of entries of a directory by id.
    pub fn entry_count(&self, dir: NodeId) -> Result<usize> {
        let rec = self.record_of(dir)?;
        Ok(self
            .node(dir.volume, rec)?
            .entries()
            .ok_or(NtError::NotADirectory)?
            .len())
    }

    /// FindFirstFileNameW / FindNextFileNameW: every name of the file at `path`
    /// (links followed, as the API opens the file), in the order they were made.
    pub fn find_file_names(&self, path: &(impl PathUnits + ?Sized)) -> Result<Vec<FileName>> {
        let info = self.query_information(path, Follow::Reparse)?;
        self.file_names(info.id)
    }

    /// Every name of a node by id.
    pub fn file_names(&self, id: NodeId) -> Result<Vec<FileName>> {
        let rec = self.record_of(id)?;
        let v = &self.volumes[id.volume];
        let node = self.node(id.volume, rec)?;
        if rec == ROOT_RECORD {
            return Ok(vec![FileName {
                parent: id,
                name: Name::new(""),
                path: "\\".into(),
                path_units: vec![u16::from(b'\\')],
            }]);
        }
        Ok(node
            .names
            .iter()
            .filter(|l| !l.delete_pending)
            .map(|l| {
                let mut units = v.dir_path_units(l.parent);
                if units.last() != Some(&u16::from(b'\\')) {
                    units.push(u16::from(b'\\'));
                }
                units.extend_from_slice(l.name.units());
                FileName {
                    parent: self.node_id(id.volume, l.parent),
                    name: l.name.clone(),
                    path: String::from_utf16_lossy(&units),
                    path_units: units,
                }
            })
            .collect())
    }

    /// GetFinalPathNameByHandle (VOLUME_NAME_DOS without `\\?\`): the physical
    /// path of what `path` opens, links followed (J14).
    pub fn final_path(&self, path: &(impl PathUnits + ?Sized)) -> Result<String> {
        let info = self.query_information(path, Follow::Reparse)?;
        self.path_of(info.id)
    }

    /// Opens and closes `path` as CreateFile would, to check it can be opened.
    pub fn can_open(&mut self, path: &(impl PathUnits + ?Sized), want: Want) -> Result<()> {
        let h = self.open(path, &OpenOptions::default().want(want))?;
        self.close(h)
    }
}
