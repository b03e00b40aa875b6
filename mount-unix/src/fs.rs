//! The POSIX operations over the core, as plain Rust: each `do_*` method takes
//! decoded arguments, calls the core and returns its `NtError` unchanged (the
//! dispatcher, `dispatch.rs`, maps it to the errno of the request's POSIX
//! operation, once, and encodes the reply). NTFS rules are the core's; this
//! module only chooses which core operation a POSIX call is. No FUSE wire
//! format and no transport here: the tests below call it without a mount.

use crate::attr::{self, kind_of};
use crate::dentry_cache::DentryCache;
use crate::durability::Durability;
use crate::fuse::abi;
use crate::fuse::{
    FileAttr, FileHandle, FileType, INodeNo, OpenAccMode, OpenFlags, RenameFlags, SetAttr,
    TimeOrNow,
};
use crate::held::KernelHeld;
use crate::inode_map::{self, ROOT_INO};
use crate::link_target;
use crate::node_ids::{self, NodeIds};
use crate::page_cache::{DataVersion, KeepCache};
use crate::readlink;
use crate::reply::{Entry, Res, Statfs};
use crate::xattr::{self, Xattr};
use ntlinkfs_core::attrs::unix_to_filetime;
use ntlinkfs_core::path;
use ntlinkfs_core::{
    wtf, Disposition, FileInfo, HandleId, Machine, Name, NameKey, NodeId, NtError, OpenOptions,
    PathUnits, PosixMeta, ReadOnly, ReparseData, Shared, SpecialKind, SymlinkFlags, Want,
};
use parking_lot::Mutex;
use slab::Slab;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

/// Who asks: the process the kernel names in a request. New nodes are theirs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Caller {
    pub uid: u32,
    pub gid: u32,
}

/// What the file system needs to know about its mount.
#[derive(Debug, Clone)]
pub struct FsConfig {
    /// How long the kernel may keep a name -> inode answer.
    pub entry_ttl: Duration,
    /// How long the kernel may keep attributes.
    pub attr_ttl: Duration,
    /// Tests only: getxattr of `user.ntlinkfs.panic` panics inside the handler.
    pub fault_injection: bool,
    /// What fsync and fsyncdir commit to (the image's journal), if anything.
    pub durability: Option<Arc<dyn Durability>>,
    /// `--confine`: LX symlinks (absolute or climbing POSIX texts) resolve
    /// inside the mount (readlink::confined).
    pub confine: bool,
}

/// An open directory: the node, its core handle and the read cursor (the key of
/// the entry at each offset handed out, so a later call continues without a rescan).
struct DirHandle {
    dir: Option<NodeId>,
    core: Option<HandleId>,
    keys: Vec<NameKey>,
}

/// One directory entry for readdir.
pub(crate) struct Listed {
    /// The offset of the next entry.
    pub off: u64,
    /// Where the name's bytes are in [`Listing::names`].
    name: std::ops::Range<usize>,
    /// st_ino and the type, what a plain entry shows.
    pub ino: u64,
    pub kind: FileType,
    /// The full entry, made only for the names the caller asked it for
    /// (making it costs a link's text, a directory's subdirectory count);
    /// never for `.` and `..`.
    pub entry: Option<Entry>,
}

/// Directory entries for readdir, their names in one buffer: listing a
/// directory allocates per answer, not per name (issue 17).
#[derive(Default)]
pub(crate) struct Listing {
    names: Vec<u8>,
    pub entries: Vec<Listed>,
}

impl Listing {
    /// The name of `l`, as the kernel sees it (WTF-8, N3).
    pub fn name(&self, l: &Listed) -> &[u8] {
        &self.names[l.name.clone()]
    }

    /// (offset, name) of each entry (tests).
    #[cfg(test)]
    fn named(&self) -> Vec<(u64, String)> {
        let name = |l| String::from_utf8(self.name(l).to_vec()).unwrap();
        self.entries.iter().map(|l| (l.off, name(l))).collect()
    }

    fn push(&mut self, off: u64, units: &[u16], ino: u64, kind: FileType, entry: Option<Entry>) {
        let start = self.names.len();
        wtf::push_wtf8(units, &mut self.names);
        let name = start..self.names.len();
        self.entries.push(Listed {
            off,
            name,
            ino,
            kind,
            entry,
        });
    }
}

/// What identifies a file's contents for the kernel's page cache.
fn data_version(i: &FileInfo) -> DataVersion {
    (i.size, i.times.last_write, i.times.change)
}

/// The file system: a shared machine and what the kernel has been told.
pub struct NtFs {
    pub(crate) m: Shared,
    pub(crate) cache: Arc<DentryCache>,
    keep_cache: KeepCache,
    dirs: Mutex<Slab<Arc<Mutex<DirHandle>>>>,
    pub(crate) cfg: FsConfig,
    mounted_at: SystemTime,
    /// Node ids of the names of symbolic-link files (see `node_ids`).
    pub(crate) nodes: NodeIds,
    /// The nodes the kernel holds, for READDIRPLUS (see `held`).
    pub(crate) held: KernelHeld,
}

/// A name from the kernel. Linux names are bytes; the view reads them as
/// WTF-8, so an unpaired surrogate (a legal NTFS name, N3) is the three bytes
/// of its code point and round-trips (docs/mount-linux.md). `text` is the
/// core's typed escape of the units (`wtf::escape`): one text per name, for
/// the adapter's caches, which key names as text.
struct KernelName {
    units: Vec<u16>,
    text: String,
}

impl std::ops::Deref for KernelName {
    type Target = str;
    fn deref(&self) -> &str {
        &self.text
    }
}

impl PathUnits for KernelName {
    fn path_units(&self) -> std::borrow::Cow<'_, [u16]> {
        std::borrow::Cow::Borrowed(&self.units)
    }
}

/// Bytes that are not WTF-8 cannot be an NTFS name (EILSEQ's place: invalid
/// name). A name over 255 UTF-16 units is invalid on NTFS (N2); its POSIX
/// errno is ENAMETOOLONG (SEMANTICS §1), which the status alone cannot tell,
/// so the length is looked at here: FUSE passes names up to 1024 bytes.
fn utf8(name: &OsStr) -> Res<KernelName> {
    let units = wtf::from_wtf8(name.as_bytes()).ok_or(NtError::ObjectNameInvalid)?;
    if units.len() > MAX_NAME_UNITS {
        return Err(NtError::NameTooLong);
    }
    let text = wtf::escape(&units);
    Ok(KernelName { units, text })
}

/// Directories up to this many entries get a counted st_nlink.
const DIR_NLINK_SCAN: usize = 64;

/// N2: the longest NTFS name component, in UTF-16 units.
const MAX_NAME_UNITS: usize = 255;

/// An inode whose record was freed is gone: the kernel expects ENOENT.
fn gone_is_enoent(e: NtError) -> NtError {
    if e == NtError::FileDeleted {
        NtError::ObjectNameNotFound
    } else {
        e
    }
}

fn filetime(t: TimeOrNow) -> u64 {
    let st = match t {
        TimeOrNow::SpecificTime(st) => st,
        TimeOrNow::Now => SystemTime::now(),
    };
    match st.duration_since(UNIX_EPOCH) {
        Ok(d) => unix_to_filetime(d.as_secs() as i64, d.subsec_nanos()),
        Err(e) => {
            let d = e.duration();
            let (s, n) = if d.subsec_nanos() == 0 {
                (-(d.as_secs() as i64), 0)
            } else {
                (-(d.as_secs() as i64) - 1, 1_000_000_000 - d.subsec_nanos())
            };
            unix_to_filetime(s, n)
        }
    }
}

impl NtFs {
    pub fn new(m: Shared, cache: Arc<DentryCache>, cfg: FsConfig) -> NtFs {
        NtFs {
            m,
            cache,
            keep_cache: KeepCache::default(),
            dirs: Mutex::new(Slab::new()),
            cfg,
            mounted_at: SystemTime::now(),
            nodes: NodeIds::default(),
            held: KernelHeld::default(),
        }
    }

    /// fsync and fsyncdir: with an image, its journal commits every change so
    /// far (one frame holds them all, so syncing one file syncs the others too);
    /// without one, memory is all there is and there is nothing to do.
    /// Its failure is the host's (the image file), so it stays an `io::Error`.
    pub(crate) fn do_fsync(&self) -> std::io::Result<()> {
        match &self.cfg.durability {
            None => Ok(()),
            Some(d) => d.commit(&self.m).inspect_err(|e| {
                eprintln!("ntlinkfs: fsync: cannot write the journal: {e}");
            }),
        }
    }

    /// A directory to create or look up in. The mount root holds only the volumes.
    fn dir_of(&self, ino: INodeNo) -> Res<NodeId> {
        if ino.0 == ROOT_INO {
            return Err(NtError::AccessDenied);
        }
        self.node_of(ino)
    }

    /// The core node of a FUSE node id: an inode number, or a name id of a
    /// symbolic-link file (`node_ids`).
    fn node_of(&self, ino: INodeNo) -> Res<NodeId> {
        let node = if node_ids::is_name_id(ino.0) {
            self.nodes.resolve(ino.0).map(|n| n.node)
        } else {
            inode_map::node_of(ino.0)
        };
        node.ok_or(NtError::ObjectNameNotFound)
    }

    /// The readlink text of a link read through a name in `parent`: each name
    /// of a symlink file with several hard links has its own text (issue 11).
    pub(crate) fn link_text(
        m: &Machine,
        id: NodeId,
        parent: NodeId,
        confine: bool,
    ) -> Result<Vec<u8>, NtError> {
        readlink::link_text(m, id, parent, confine)
    }

    /// The directory of a node's first name: the kernel asks readlink and
    /// getattr by inode, which does not say which name it came through.
    fn first_parent(m: &Machine, id: NodeId) -> Result<NodeId, NtError> {
        Ok(match m.file_names(id)?.first() {
            Some(n) => n.parent,
            None => m.root(id.volume),
        })
    }

    /// readlink(2) of `ino` read through a name in `parent` (None: its first).
    pub(crate) fn do_readlink(&self, ino: INodeNo, parent: Option<NodeId>) -> Res<Vec<u8>> {
        let id = self.node_of(ino)?;
        let m = self.m.read();
        let parent = match parent {
            Some(p) => p,
            None => Self::first_parent(&m, id)?,
        };
        Self::link_text(&m, id, parent, self.cfg.confine)
    }

    fn attr_of(m: &Machine, info: &FileInfo) -> FileAttr {
        let len = (kind_of(info) == FileType::Symlink)
            .then(|| {
                let parent = Self::first_parent(m, info.id).ok()?;
                Self::link_text(m, info.id, parent, false)
                    .map(|t| t.len() as u64)
                    .ok()
            })
            .flatten();
        let mut a = attr::file_attr(info, len);
        if a.kind == FileType::Directory {
            a.nlink = Self::dir_nlink(m, info.id);
        }
        a
    }

    /// A directory's st_nlink as POSIX counts it (ntfs-3g's `posix_nlink`, F5):
    /// 2 + its subdirectories (junctions and directory symlinks are symlinks
    /// here). Counting costs a pass over the entries, so a directory with more
    /// than DIR_NLINK_SCAN entries reports 1, the "not counted" value find(1) and
    /// btrfs use.
    fn dir_nlink(m: &Machine, id: NodeId) -> u32 {
        if m.entry_count(id).is_ok_and(|n| n <= DIR_NLINK_SCAN) {
            if let Ok(entries) = m.read_dir(id, None, DIR_NLINK_SCAN) {
                let subdirs = entries
                    .iter()
                    .filter(|e| kind_of(&e.info) == FileType::Directory)
                    .count();
                return 2 + subdirs as u32;
            }
        }
        1
    }

    /// The entry the kernel is told of `info`. Called with the machine's lock
    /// held, so that what `named_dir` records cannot race a change of kind.
    pub(crate) fn entry_of(&self, m: &Machine, info: &FileInfo) -> Entry {
        let attr = Self::attr_of(m, info);
        let dir = attr.kind == FileType::Directory;
        let cache_name = !dir || m.entry_count(info.id) != Ok(0);
        if dir && cache_name {
            self.cache.named_dir(attr.ino.0);
        }
        Entry {
            attr,
            generation: inode_map::generation_of(info.id),
            cache_name,
        }
    }

    fn root_attr(&self, m: &Machine) -> FileAttr {
        attr::root_attr(m.volume_infos().len() as u32, self.mounted_at)
    }

    /// Owner of a new node: the caller, with the directory's group and setgid bit
    /// when the directory is setgid (as Linux file systems do).
    fn owner(m: &Machine, dir: NodeId, req: Caller) -> (u32, u32, u16) {
        match m.info(dir) {
            Ok(d) if d.posix.mode & 0o2000 != 0 => (req.uid, d.posix.gid, 0o2000),
            _ => (req.uid, req.gid, 0),
        }
    }

    pub(crate) fn do_lookup(&self, parent: INodeNo, name: &OsStr) -> Res<Entry> {
        let name = &utf8(name)?;
        let m = self.m.read();
        let info = if parent.0 == ROOT_INO {
            let vol = path::letter_alone(name)
                .and_then(|l| m.volume_by_letter(l))
                .ok_or(NtError::ObjectNameNotFound)?;
            m.info(m.root(vol))?
        } else {
            let dir = self.node_of(parent)?;
            let e = m.lookup_entry(dir, name).map_err(gone_is_enoent);
            if e == Err(NtError::ObjectNameNotFound) {
                // Recorded under the machine's lock: no creation can come between.
                self.cache.missed(parent.0, name, self.cfg.entry_ttl);
            }
            let e = e?;
            self.cache
                .looked_up(parent.0, name, &wtf::escape(e.name.units()));
            e.info
        };
        Ok(self.entry_of(&m, &info))
    }

    pub(crate) fn do_getattr(&self, ino: INodeNo) -> Res<FileAttr> {
        let m = self.m.read();
        if ino.0 == ROOT_INO {
            return Ok(self.root_attr(&m));
        }
        let id = self.node_of(ino)?;
        let info = m.info(id).map_err(gone_is_enoent)?;
        Ok(Self::attr_of(&m, &info))
    }

    /// SETATTR. `kill_suidgid` (chown; truncate without CAP_FSETID) clears the
    /// set-id bits as the kernel would without HANDLE_KILLPRIV_V2.
    pub(crate) fn do_setattr(&self, ino: INodeNo, s: &SetAttr) -> Res<FileAttr> {
        let id = self.dir_of(ino)?;
        let e = gone_is_enoent;
        let mut m = self.m.write();
        let mode = match s.mode {
            Some(md) => Some((md & 0o7777) as u16),
            None if s.kill_suidgid => Self::without_set_id(&m, id).map_err(e)?,
            None => None,
        };
        if mode.is_some() || s.uid.is_some() || s.gid.is_some() {
            m.set_posix_of(id, s.uid, s.gid, mode).map_err(e)?;
        }
        if let Some(len) = s.size {
            match s.fh {
                Some(fh) => m.set_len(HandleId(fh.0), len).map_err(e)?,
                None => m.set_len_of(id, len).map_err(e)?,
            }
        }
        if s.atime.is_some() || s.mtime.is_some() {
            m.set_times_of(id, None, s.atime.map(filetime), s.mtime.map(filetime))
                .map_err(e)?;
        }
        let info = m.info(id).map_err(e)?;
        Ok(Self::attr_of(&m, &info))
    }

    /// The mode of a file with its set-id bits cleared, None when there are
    /// none to clear. Linux's rule (should_remove_suid): set-user-ID always,
    /// set-group-ID only with group execute (without it the bit marks mandatory
    /// locking and stays). Directories keep theirs.
    fn without_set_id(m: &Machine, id: NodeId) -> ntlinkfs_core::Result<Option<u16>> {
        let info = m.info(id)?;
        let mode = info.posix.mode & 0o7777;
        let mut kill = abi::S_ISUID;
        if mode & abi::S_IXGRP != 0 {
            kill |= abi::S_ISGID;
        }
        Ok((!info.is_directory && mode & kill != 0).then_some(mode & !kill))
    }

    pub(crate) fn do_mkdir(
        &self,
        req: Caller,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
    ) -> Res<Entry> {
        let name = &utf8(name)?;
        let dir = self.dir_of(parent)?;
        let mut m = self.m.write();
        let (uid, gid, sgid) = Self::owner(&m, dir, req);
        let info = m.create_directory_at(dir, name)?;
        self.cache.appeared(parent.0, name);
        let mode = (mode & !umask & 0o7777) as u16 | sgid;
        m.set_posix_of(info.id, Some(uid), Some(gid), Some(mode))?;
        let info = m.info(info.id)?;
        Ok(self.entry_of(&m, &info))
    }

    #[allow(clippy::too_many_arguments)]
    pub(crate) fn do_mknod(
        &self,
        req: Caller,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        rdev: u32,
    ) -> Res<Entry> {
        // FIFOs, sockets and devices: reparse points as WSL stores them (core
        // `special`). The kernel opens them itself once their type is known.
        if let Some(kind) = SpecialKind::of_mode(mode) {
            let name = &utf8(name)?;
            let dir = self.dir_of(parent)?;
            let mut m = self.m.write();
            let (uid, gid, _) = Self::owner(&m, dir, req);
            let posix = PosixMeta {
                uid,
                gid,
                mode: (mode & !umask & 0o7777) as u16,
                rdev: attr::decode_dev(rdev),
            };
            let info = m.create_special_file_at(dir, name, kind, posix)?;
            self.cache.appeared(parent.0, name);
            return Ok(self.entry_of(&m, &info));
        }
        if mode & abi::S_IFMT != abi::S_IFREG && mode & abi::S_IFMT != 0 {
            return Err(NtError::NotSupported);
        }
        let (entry, fh) = self.do_create(req, parent, name, mode, umask, libc::O_RDONLY)?;
        self.m.write().close(HandleId(fh))?;
        Ok(entry)
    }

    pub(crate) fn do_create(
        &self,
        req: Caller,
        parent: INodeNo,
        name: &OsStr,
        mode: u32,
        umask: u32,
        _flags: i32,
    ) -> Res<(Entry, u64)> {
        let name = &utf8(name)?;
        let dir = self.dir_of(parent)?;
        let mut m = self.m.write();
        let (uid, gid, _) = Self::owner(&m, dir, req);
        let opts = OpenOptions::default()
            .disposition(Disposition::Create)
            .want(Want::File);
        let h = m.open_at(dir, name, &opts)?;
        self.cache.appeared(parent.0, name);
        let id = m.handle_node(h)?;
        let mode = (mode & !umask & 0o7777) as u16;
        let r = m
            .set_posix_of(id, Some(uid), Some(gid), Some(mode))
            .and_then(|()| m.handle_info(h));
        match r {
            Ok(info) => {
                let entry = self.entry_of(&m, &info);
                self.keep_cache
                    .opened(inode_map::ino_of(info.id), data_version(&info));
                Ok((entry, h.0))
            }
            Err(e) => {
                let _ = m.close(h);
                Err(e)
            }
        }
    }

    pub(crate) fn do_unlink(&self, parent: INodeNo, name: &OsStr) -> Res<()> {
        let name = &utf8(name)?;
        let dir = self.dir_of(parent)?;
        let mut m = self.m.write();
        let e = m.lookup_entry(dir, name)?;
        // unlink(2) of a junction or directory symlink removes the link (F6).
        let want = if kind_of(&e.info) == FileType::Symlink {
            Want::Any
        } else {
            Want::File
        };
        // POSIX permissions govern unlink (the kernel checked the directory's,
        // default_permissions), as on WSL: FILE_DISPOSITION_IGNORE_READONLY_ATTRIBUTE.
        m.delete_at_ex(dir, name, want, ReadOnly::Ignored)?;
        self.cache
            .gone(parent.0, name, &wtf::escape(e.name.units()));
        self.link_count_changed(&e.info);
        Ok(())
    }

    pub(crate) fn do_rmdir(&self, parent: INodeNo, name: &OsStr) -> Res<()> {
        let name = &utf8(name)?;
        let dir = self.dir_of(parent)?;
        let mut m = self.m.write();
        let e = m.lookup_entry(dir, name)?;
        // A junction is a symlink here: rmdir(2) on it is ENOTDIR (F6).
        if kind_of(&e.info) == FileType::Symlink {
            return Err(NtError::NotADirectory);
        }
        m.delete_at_ex(dir, name, Want::Directory, ReadOnly::Ignored)?;
        self.cache
            .gone(parent.0, name, &wtf::escape(e.name.units()));
        self.cache.dir_removed(inode_map::ino_of(e.info.id));
        Ok(())
    }

    pub(crate) fn do_symlink(
        &self,
        req: Caller,
        parent: INodeNo,
        name: &OsStr,
        target: &Path,
    ) -> Res<Entry> {
        let name = &utf8(name)?;
        let dir = self.dir_of(parent)?;
        let mut m = self.m.write();
        let target = target.as_os_str().as_bytes();
        // Windows-syntax and NTFS-expressible texts are NTFS symlinks; any other
        // is stored as WSL stores it, byte for byte (link_target).
        let info = match link_target::stored_as(&m, dir, target)? {
            link_target::Stored::Ntfs { target, directory } => {
                let flags = SymlinkFlags {
                    directory,
                    allow_unprivileged_create: m.profile().knows_unprivileged_flag(),
                };
                m.create_symbolic_link_at(dir, name, &target, flags)
            }
            link_target::Stored::Lx => m.create_lx_symlink_at(dir, name, target),
        }?;
        self.cache.appeared(parent.0, name);
        let (uid, gid, _) = Self::owner(&m, dir, req);
        m.set_posix_of(info.id, Some(uid), Some(gid), None)?;
        let info = m.info(info.id)?;
        Ok(self.entry_of(&m, &info))
    }

    pub(crate) fn do_rename(
        &self,
        parent: INodeNo,
        name: &OsStr,
        newparent: INodeNo,
        newname: &OsStr,
        flags: RenameFlags,
    ) -> Res<()> {
        if flags.contains(RenameFlags::RENAME_EXCHANGE)
            || flags.contains(RenameFlags::RENAME_WHITEOUT)
        {
            // NTFS has no atomic exchange of two names.
            return Err(NtError::NotSupported);
        }
        let (name, newname) = (&utf8(name)?, &utf8(newname)?);
        let (from, to) = (self.dir_of(parent)?, self.dir_of(newparent)?);
        let replace = !flags.contains(RenameFlags::RENAME_NOREPLACE);
        let mut m = self.m.write();
        let stored = |m: &Machine, dir, n| {
            m.lookup_entry(dir, n)
                .map(|e| wtf::escape(e.name.units()))
                .ok()
        };
        let (src, dst) = (stored(&m, from, name), stored(&m, to, newname));
        let replaced = m.lookup_entry(to, newname).ok().map(|e| e.info);
        // FILE_RENAME_IGNORE_READONLY_ATTRIBUTE: a read-only destination is
        // replaced, as rename(2) replaces a 0444 file.
        m.rename_at_ex(from, name, to, newname, replace, ReadOnly::Ignored)?;
        self.cache.appeared(newparent.0, newname);
        self.cache
            .gone(parent.0, name, src.as_deref().unwrap_or(name));
        if let Some(dst) = dst {
            self.cache.gone(newparent.0, newname, &dst);
        }
        if let Some(info) = replaced {
            self.link_count_changed(&info);
        }
        Ok(())
    }

    pub(crate) fn do_link(&self, ino: INodeNo, newparent: INodeNo, newname: &OsStr) -> Res<Entry> {
        let newname = &utf8(newname)?;
        let file = self.dir_of(ino)?;
        let dir = self.dir_of(newparent)?;
        let mut m = self.m.write();
        m.create_hard_link_at(file, dir, newname)?;
        self.cache.appeared(newparent.0, newname);
        let info = m.info(file)?;
        self.link_count_changed(&info);
        Ok(self.entry_of(&m, &info))
    }

    /// A file's link count changed (a name made or removed). The kernel keeps
    /// attributes per node id and updates only the one the request named; a
    /// symbolic-link file has a node id per name (node_ids), so the others'
    /// cached attributes are dropped (issue 17; INVAL_INODE takes no lock).
    fn link_count_changed(&self, info: &FileInfo) {
        if kind_of(info) != FileType::Symlink || info.is_directory {
            return;
        }
        for id in self.nodes.ids_of(info.id) {
            self.cache.attributes_changed(id);
        }
    }

    /// Opens a file; the flag says whether the kernel may keep its cached pages.
    pub(crate) fn do_open(&self, ino: INodeNo, flags: OpenFlags, want: Want) -> Res<(u64, bool)> {
        let id = self.node_of(ino)?;
        let write = flags.acc_mode() != OpenAccMode::O_RDONLY;
        let opts = OpenOptions::default().want(want).write(write);
        let mut m = self.m.write();
        let h = m.open_node(id, &opts).map_err(gone_is_enoent)?;
        let keep = m
            .handle_info(h)
            .is_ok_and(|i| self.keep_cache.opened(ino.0, data_version(&i)));
        Ok((h.0, keep))
    }

    /// Writes through a handle. The kernel wrote the same bytes into its page
    /// cache, so a data version it knew before the write stays known after it.
    /// `kill_suidgid`: the writer has no CAP_FSETID, so the set-id bits go
    /// first, as Linux's file_remove_privs does (HANDLE_KILLPRIV_V2 leaves it
    /// to the file system).
    pub(crate) fn do_write(
        &self,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        data: &[u8],
        kill_suidgid: bool,
    ) -> Res<usize> {
        let h = HandleId(fh.0);
        let mut m = self.m.write();
        if kill_suidgid {
            let id = m.handle_info(h)?.id;
            self.drop_set_id(&mut m, ino, id)?;
        }
        let before = m.handle_info(h).map(|i| data_version(&i));
        let n = Self::write_what_fits(&mut m, h, offset, data)?;
        if let (Ok(before), Ok(after)) = (before, m.handle_info(h)) {
            self.keep_cache.wrote(ino.0, before, data_version(&after));
        }
        Ok(n)
    }

    /// A core write is whole or nothing (DISK_FULL changes no byte), while
    /// write(2) on a full Linux file system writes what fits and reports it;
    /// the next write gets ENOSPC. So a refused WRITE is retried with halves,
    /// greedily, to the longest prefix that fits (at most about 40 tries, only
    /// when the volume or the memory budget is full). Without this, where a
    /// write(2) fills the volume depends on how the kernel cut it into
    /// requests (page-aligned through the page cache, at the user buffer's
    /// page boundaries when direct).
    fn write_what_fits(m: &mut Machine, h: HandleId, offset: u64, data: &[u8]) -> Res<usize> {
        let mut done = 0;
        let mut step = data.len();
        while done < data.len() {
            step = step.min(data.len() - done);
            match m.write(h, offset + done as u64, &data[done..done + step]) {
                Ok(n) => done += n,
                Err(NtError::DiskFull) if step > 1 => step /= 2,
                Err(e) if done == 0 => return Err(e),
                Err(_) => break,
            }
        }
        Ok(done)
    }

    /// fallocate as NTFS can do it: reserving bytes is extending the file
    /// (SetEndOfFile) unless FALLOC_FL_KEEP_SIZE says not to; a punched hole or
    /// a zeroed range is FSCTL_SET_ZERO_DATA. NTFS cannot move data within a
    /// file (collapse, insert range): EOPNOTSUPP.
    ///
    /// `not_root`: with HANDLE_KILLPRIV_V2 the kernel sends no set-id clearing
    /// for fallocate (only write, truncate and chown carry the flag), so the
    /// caller's uid stands for its CAP_FSETID: anyone but root loses the bits,
    /// as file_modified would clear them without the flag.
    pub(crate) fn do_fallocate(
        &self,
        ino: INodeNo,
        fh: FileHandle,
        (offset, length, mode): (u64, u64, i32),
        not_root: bool,
    ) -> Res<()> {
        let zero = match mode & !abi::FALLOC_FL_KEEP_SIZE {
            0 => false,
            abi::FALLOC_FL_PUNCH_HOLE | abi::FALLOC_FL_ZERO_RANGE => true,
            _ => return Err(NtError::NotSupported),
        };
        let h = HandleId(fh.0);
        let mut m = self.m.write();
        let size = m.handle_info(h)?.size;
        let end = offset.saturating_add(length);
        // Extend first: it is the step that can fail (past the size limit),
        // and a failed fallocate must change nothing.
        if mode & abi::FALLOC_FL_KEEP_SIZE == 0 && end > size {
            m.set_len(h, end)?;
        }
        if zero {
            m.zero_range(h, offset, length)?;
        }
        if not_root {
            let id = m.handle_info(h)?.id;
            self.drop_set_id(&mut m, ino, id)?;
        }
        Ok(())
    }

    /// Clears the set-id bits of `id` (reached as `ino`) if it has any. The
    /// kernel's cached mode is dropped then: its own invalidation after a
    /// write covers size and times, not the mode its permission checks read.
    fn drop_set_id(&self, m: &mut Machine, ino: INodeNo, id: NodeId) -> Res<()> {
        if let Some(mode) = Self::without_set_id(m, id)? {
            m.set_posix_of(id, None, None, Some(mode))?;
            self.cache.attributes_changed(ino.0);
        }
        Ok(())
    }

    /// Reads into `buf` (a per-thread buffer, so large reads allocate nothing).
    pub(crate) fn do_read(
        &self,
        fh: FileHandle,
        offset: u64,
        size: u32,
        buf: &mut Vec<u8>,
    ) -> Res<usize> {
        let size = size as usize;
        if buf.len() < size {
            buf.resize(size, 0);
        }
        self.m
            .read()
            .read_into(HandleId(fh.0), offset, &mut buf[..size])
    }

    pub(crate) fn do_opendir(&self, ino: INodeNo) -> Res<u64> {
        let (dir, core) = if ino.0 == ROOT_INO {
            (None, None)
        } else {
            let id = self.node_of(ino)?;
            let opts = OpenOptions::default().want(Want::Directory);
            let h = self
                .m
                .write()
                .open_node(id, &opts)
                .map_err(gone_is_enoent)?;
            (Some(id), Some(h))
        };
        let handle = DirHandle {
            dir,
            core,
            keys: Vec::new(),
        };
        Ok(self.dirs.lock().insert(Arc::new(Mutex::new(handle))) as u64)
    }

    pub(crate) fn do_releasedir(&self, fh: FileHandle) -> Res<()> {
        let h = self.dirs.lock().try_remove(fh.0 as usize);
        if let Some(core) = h.and_then(|h| h.lock().core) {
            self.m.write().close(core)?;
        }
        Ok(())
    }

    /// Directory entries from `offset` on: (next offset, name, info); the mount
    /// root lists the volumes. `.` and `..` are offsets 1 and 2.
    pub(crate) fn dir_entries(
        &self,
        ino: INodeNo,
        fh: FileHandle,
        offset: u64,
        limit: usize,
        want_attr: impl Fn(&FileInfo) -> bool,
    ) -> Res<Listing> {
        let h = self
            .dirs
            .lock()
            .get(fh.0 as usize)
            .cloned()
            .ok_or(NtError::InvalidHandle)?;
        let mut h = h.lock();
        let m = self.m.read();
        let e = gone_is_enoent;
        // `.` and `..` show the directory's own st_ino; the kernel takes no
        // attributes from them.
        let self_ino = match h.dir {
            None => ROOT_INO,
            Some(id) => inode_map::ino_of(m.info(id).map_err(e)?.id),
        };
        let _ = ino;
        let mut out = Listing::default();
        for (off, name) in [
            (1, [u16::from(b'.')].as_slice()),
            (2, &[u16::from(b'.'); 2]),
        ] {
            if offset < off {
                out.push(off, name, self_ino, FileType::Directory, None);
            }
        }
        let start = offset.max(2);
        let idx = (start - 2) as usize;
        if idx > h.keys.len() {
            return Ok(out); // past the end
        }
        let after = if idx == 0 {
            None
        } else {
            Some(h.keys[idx - 1].clone())
        };
        h.keys.truncate(idx);
        let mut off = start;
        let dir = h.dir;
        let keys = &mut h.keys;
        let mut add = |out: &mut Listing, key: NameKey, units: &[u16], info: &FileInfo| {
            keys.push(key);
            off += 1;
            let entry = want_attr(info).then(|| self.entry_of(&m, info));
            let ino = inode_map::ino_of(info.id);
            out.push(off, units, ino, kind_of(info), entry);
        };
        match dir {
            None => {
                for v in m.volume_infos().iter().skip(idx).take(limit) {
                    let letter = v.letter.to_string();
                    if let Ok(i) = m.info(m.root(v.id)) {
                        let name = Name::new(&letter);
                        add(&mut out, name.key(), name.units(), &i);
                    }
                }
            }
            Some(id) => m
                .visit_dir(id, after.as_ref(), limit, |key, name, info| {
                    add(&mut out, key.clone(), name.units(), &info);
                    true
                })
                .map_err(e)?,
        }
        Ok(out)
    }

    pub(crate) fn do_statfs(&self, ino: INodeNo) -> Res<Statfs> {
        let m = self.m.read();
        let infos = m.volume_infos();
        let vols: Vec<_> = match inode_map::node_of(ino.0) {
            Some(id) => infos.into_iter().filter(|v| v.id == id.volume).collect(),
            None => infos,
        };
        // Each volume's size and free space (the core's, in 4 KiB blocks; the
        // mount root sums its volumes), and 2^32 records per volume.
        let n = vols.len() as u64;
        let block = ntlinkfs_core::BLOCK_SIZE;
        let blocks: u64 = vols.iter().map(|v| v.size / block).sum();
        let bfree: u64 = vols
            .iter()
            .map(|v| v.size.saturating_sub(v.bytes) / block)
            .sum();
        let nodes: u64 = vols.iter().map(|v| v.nodes as u64).sum();
        let files = n * (1 << 32);
        Ok(Statfs {
            blocks,
            bfree,
            files,
            ffree: files.saturating_sub(nodes),
        })
    }

    pub(crate) fn do_getxattr(&self, ino: INodeNo, name: &OsStr) -> Res<Vec<u8>> {
        let which = xattr::parse_name(name.as_encoded_bytes());
        if self.cfg.fault_injection && name == "user.ntlinkfs.panic" {
            panic!("fault injection: getxattr user.ntlinkfs.panic");
        }
        if ino.0 == ROOT_INO {
            return Err(NtError::NotAReparsePoint);
        }
        let id = self.node_of(ino)?;
        let m = self.m.read();
        match which {
            Xattr::ReparseData => m.get_reparse_point_of(id),
            Xattr::Attrib => {
                let info = m.info(id)?;
                Ok(xattr::attrib_value(info.attributes).to_vec())
            }
            Xattr::Names => {
                let names = m.file_names(id)?;
                let text: Vec<String> = names.into_iter().map(|n| n.path).collect();
                Ok(text.join("\n").into_bytes())
            }
            // No such attribute: ENODATA, as for a node without reparse data.
            Xattr::Other => Err(NtError::NotAReparsePoint),
        }
    }

    /// `caller`: the uid of the process asking (the owner rule of the core).
    pub(crate) fn do_setxattr(
        &self,
        ino: INodeNo,
        name: &OsStr,
        value: &[u8],
        flags: i32,
        caller: u32,
    ) -> Res<()> {
        let which = xattr::parse_name(name.as_encoded_bytes());
        let id = self.dir_of(ino)?;
        let mut m = self.m.write();
        if matches!(which, Xattr::ReparseData | Xattr::Attrib) {
            m.check_owner_of(id, caller)?;
        }
        match which {
            Xattr::ReparseData => {
                let before = m.info(id)?;
                // ntfs-3g validates the buffer before it looks at the flags
                // (ntfs_set_ntfs_reparse_data, F2): a bad buffer is EINVAL
                // whatever XATTR_CREATE / XATTR_REPLACE say.
                ReparseData::decode(value)?;
                xattr::check_wsl_buffer(value)?;
                xattr::check_flags(flags, before.reparse_tag.is_some())?;
                m.set_reparse_point_of(id, value)?;
                let after = m.info(id)?;
                match (kind_of(&before), kind_of(&after)) {
                    (FileType::Directory, FileType::Symlink) => self.cache.dir_became_link(ino.0),
                    (b, a) if b != a => self.cache.kind_changed(),
                    _ => {}
                }
                Ok(())
            }
            Xattr::Attrib => {
                xattr::check_flags(flags & abi::XATTR_CREATE, true)?;
                let v = xattr::parse_attrib(value)?;
                m.set_attributes_of(id, v)?;
                self.cache.attributes_changed(ino.0);
                Ok(())
            }
            Xattr::Names | Xattr::Other => Err(NtError::NotSupported),
        }
    }

    pub(crate) fn do_removexattr(&self, ino: INodeNo, name: &OsStr, caller: u32) -> Res<()> {
        let id = self.dir_of(ino)?;
        let mut m = self.m.write();
        let which = xattr::parse_name(name.as_encoded_bytes());
        if which == Xattr::ReparseData {
            m.check_owner_of(id, caller)?;
        }
        match which {
            Xattr::ReparseData => {
                let before = m.info(id)?;
                m.remove_reparse_point_of(id)?;
                let after = m.info(id)?;
                if kind_of(&before) != kind_of(&after) {
                    self.cache.kind_changed();
                }
                Ok(())
            }
            // The attribute word always exists and cannot be removed.
            Xattr::Attrib | Xattr::Names => Err(NtError::NotSupported),
            Xattr::Other => Err(NtError::NotAReparsePoint),
        }
    }

    pub(crate) fn do_release(&self, fh: FileHandle) -> Res<()> {
        self.m.write().close(HandleId(fh.0))
    }
}

/// The operations without a mount: plain calls, exact statuses, link counts,
/// bytes and names (the errno each becomes is dispatch.rs's, tested there).
#[cfg(test)]
mod tests {
    use super::*;

    const ME: Caller = Caller {
        uid: 1000,
        gid: 1000,
    };

    fn fs_of(m: Machine) -> NtFs {
        let cfg = FsConfig {
            entry_ttl: Duration::from_secs(1),
            attr_ttl: Duration::from_secs(1),
            fault_injection: false,
            durability: None,
            confine: false,
        };
        NtFs::new(Shared::new(m), Arc::new(DentryCache::new(false)), cfg)
    }

    /// C:\d (with f = "hello", sub\), C:\j -> C:\d, C:\s -> C:\d\f.
    fn sample() -> NtFs {
        let mut m = Machine::default();
        m.create_directory(r"C:\d").unwrap();
        m.create_directory(r"C:\d\sub").unwrap();
        m.write_file(r"C:\d\f", b"hello").unwrap();
        m.create_junction(r"C:\j", r"C:\d").unwrap();
        m.create_symbolic_link(r"C:\s", r"C:\d\f", SymlinkFlags::default())
            .unwrap();
        fs_of(m)
    }

    fn ino(fs: &NtFs, path: &[&str]) -> INodeNo {
        let mut at = INodeNo(ROOT_INO);
        for name in path {
            at = fs.do_lookup(at, OsStr::new(name)).unwrap().attr.ino;
        }
        at
    }

    fn os(s: &str) -> &OsStr {
        OsStr::new(s)
    }

    /// Lookup is case-insensitive (N1) and the mount root holds the volumes
    /// by letter.
    #[test]
    fn lookup_names() {
        let fs = sample();
        let rows: &[(&[&str], Result<FileType, NtError>)] = &[
            (&["C"], Ok(FileType::Directory)),
            (&["c"], Ok(FileType::Directory)),
            (&["d"], Ok(FileType::Directory)),
            (&["Q"], Err(NtError::ObjectNameNotFound)),
            (&["CC"], Err(NtError::ObjectNameNotFound)),
            (&["1"], Err(NtError::ObjectNameNotFound)),
            (&["C", "D", "F"], Ok(FileType::RegularFile)),
            (&["C", "d", "Sub"], Ok(FileType::Directory)),
            (&["C", "J"], Ok(FileType::Symlink)),
            (&["C", "s"], Ok(FileType::Symlink)),
            (&["C", "nope"], Err(NtError::ObjectNameNotFound)),
            (&["C", "d", "f", "x"], Err(NtError::NotADirectory)),
        ];
        for (path, want) in rows {
            let (last, dirs) = path.split_last().unwrap();
            let parent = ino(&fs, dirs);
            let got = fs.do_lookup(parent, os(last)).map(|e| e.attr.kind);
            assert_eq!(&got, want, "{path:?}");
        }
        let long = "n".repeat(256);
        let c = ino(&fs, &["C"]);
        assert_eq!(
            fs.do_lookup(c, os(&long)).err(),
            Some(NtError::NameTooLong),
            "N2"
        );
    }

    /// create, link and unlink: link counts as the core keeps them (HL1, HL2).
    #[test]
    fn create_link_unlink_counts() {
        let fs = sample();
        let d = ino(&fs, &["C", "d"]);
        let (e, fh) = fs.do_create(ME, d, os("n"), 0o644, 0o022, 0).unwrap();
        assert_eq!((e.attr.nlink, e.attr.perm, e.attr.uid), (1, 0o644, 1000));
        fs.do_release(FileHandle(fh)).unwrap();
        let c = ino(&fs, &["C"]);
        let l = fs.do_link(e.attr.ino, c, os("n2")).unwrap();
        assert_eq!((l.attr.ino, l.attr.nlink), (e.attr.ino, 2));
        let rows = [
            (e.attr.ino, c, "N2", Err(NtError::ObjectNameCollision)),
            (d, c, "dl", Err(NtError::FileIsADirectory)),
            (
                e.attr.ino,
                INodeNo(ROOT_INO),
                "x",
                Err(NtError::AccessDenied),
            ),
            (INodeNo(ROOT_INO), c, "x", Err(NtError::AccessDenied)),
        ];
        for (file, dir, name, want) in rows {
            let got = fs.do_link(file, dir, os(name)).map(|e| e.attr.nlink);
            assert_eq!(got, want, "link {name}");
        }
        fs.do_unlink(c, os("N2")).unwrap();
        assert_eq!(fs.do_getattr(e.attr.ino).unwrap().nlink, 1);
        let rows = [
            (d, "sub", NtError::FileIsADirectory),
            (c, "gone", NtError::ObjectNameNotFound),
            (INodeNo(ROOT_INO), "C", NtError::AccessDenied),
        ];
        for (dir, name, want) in rows {
            assert_eq!(fs.do_unlink(dir, os(name)), Err(want), "unlink {name}");
        }
        // unlink(2) of a junction removes the link, not its target (F6).
        fs.do_unlink(c, os("j")).unwrap();
        assert_eq!(fs.do_getattr(d).unwrap().kind, FileType::Directory);
    }

    /// rmdir: a junction is a symlink here (F6), a full directory stays.
    #[test]
    fn rmdir_cases() {
        let fs = sample();
        let c = ino(&fs, &["C"]);
        let rows = [
            ("j", Err(NtError::NotADirectory)),
            ("d", Err(NtError::DirectoryNotEmpty)),
            ("s", Err(NtError::NotADirectory)),
            ("nope", Err(NtError::ObjectNameNotFound)),
        ];
        for (name, want) in rows {
            assert_eq!(fs.do_rmdir(c, os(name)), want, "rmdir {name}");
        }
        let d = ino(&fs, &["C", "d"]);
        assert_eq!(fs.do_rmdir(d, os("f")), Err(NtError::NotADirectory));
        fs.do_rmdir(d, os("SUB")).unwrap();
        assert_eq!(
            fs.do_lookup(d, os("sub")).err(),
            Some(NtError::ObjectNameNotFound)
        );
    }

    /// symlink: Windows-syntax texts become NTFS links and read back relative
    /// to the mount; other texts are kept byte for byte (LX symlinks).
    #[test]
    fn symlink_texts() {
        let fs = sample();
        let d = ino(&fs, &["C", "d"]);
        let rows: &[(&str, &[u8])] = &[
            (r"C:\d\f", b"f"),
            ("sub", b"sub"),
            ("../j", b"../j"),
            ("/etc/passwd", b"/etc/passwd"),
            ("a\\b", b"a/b"),
        ];
        for (i, (target, want)) in rows.iter().enumerate() {
            let name = format!("l{i}");
            let e = fs.do_symlink(ME, d, os(&name), Path::new(target)).unwrap();
            assert_eq!(e.attr.kind, FileType::Symlink, "{target}");
            assert_eq!(e.attr.uid, 1000);
            let text = fs.do_readlink(e.attr.ino, Some(inode_map::node_of(d.0).unwrap()));
            assert_eq!(text.as_deref(), Ok(*want), "{target}");
        }
        assert_eq!(
            fs.do_symlink(ME, d, os("F"), Path::new("x")).err(),
            Some(NtError::ObjectNameCollision)
        );
        assert_eq!(
            fs.do_readlink(ino(&fs, &["C", "d", "f"]), None),
            Err(NtError::NotAReparsePoint)
        );
    }

    /// mknod: FIFOs, sockets and devices are WSL reparse points; a regular
    /// file is a create; anything else NTFS cannot hold.
    #[test]
    fn mknod_kinds() {
        let fs = sample();
        let d = ino(&fs, &["C", "d"]);
        let rows = [
            (abi::S_IFIFO, Ok(FileType::NamedPipe)),
            (abi::S_IFSOCK, Ok(FileType::Socket)),
            (abi::S_IFCHR, Ok(FileType::CharDevice)),
            (abi::S_IFBLK, Ok(FileType::BlockDevice)),
            (abi::S_IFREG, Ok(FileType::RegularFile)),
            (0, Ok(FileType::RegularFile)),
            (abi::S_IFDIR, Err(NtError::NotSupported)),
        ];
        for (i, (kind, want)) in rows.into_iter().enumerate() {
            let name = format!("m{i}");
            let got = fs
                .do_mknod(ME, d, os(&name), kind | 0o640, 0, 0)
                .map(|e| e.attr.kind);
            assert_eq!(got, want, "mode {kind:o}");
        }
        assert_eq!(
            fs.do_mknod(ME, d, os("F"), abi::S_IFIFO, 0, 0).err(),
            Some(NtError::ObjectNameCollision)
        );
    }

    /// rename: replace by default, NOREPLACE keeps the target, EXCHANGE and
    /// WHITEOUT NTFS cannot do; a moved name is found case-insensitively.
    #[test]
    fn rename_cases() {
        let fs = sample();
        let (c, d) = (ino(&fs, &["C"]), ino(&fs, &["C", "d"]));
        fs.do_mknod(ME, c, os("g"), abi::S_IFREG, 0, 0).unwrap();
        let none = RenameFlags(0);
        let rows = [
            (
                c,
                "g",
                d,
                "f",
                RenameFlags::RENAME_NOREPLACE,
                Err(NtError::ObjectNameCollision),
            ),
            (
                c,
                "g",
                d,
                "f",
                RenameFlags::RENAME_EXCHANGE,
                Err(NtError::NotSupported),
            ),
            (
                c,
                "g",
                d,
                "f",
                RenameFlags::RENAME_WHITEOUT,
                Err(NtError::NotSupported),
            ),
            (c, "nope", d, "x", none, Err(NtError::ObjectNameNotFound)),
            (
                c,
                "g",
                INodeNo(ROOT_INO),
                "x",
                none,
                Err(NtError::AccessDenied),
            ),
            (c, "G", d, "f", none, Ok(())),
        ];
        for (from, a, to, b, flags, want) in rows {
            assert_eq!(
                fs.do_rename(from, os(a), to, os(b), flags),
                want,
                "{a} -> {b} {flags:?}"
            );
        }
        let f = ino(&fs, &["C", "D", "F"]);
        assert_eq!(fs.do_getattr(f).unwrap().size, 0, "g replaced f");
        assert_eq!(
            fs.do_lookup(c, os("g")).err(),
            Some(NtError::ObjectNameNotFound)
        );
    }

    /// setattr: size cuts or extends (bytes read back), mode and owner change.
    #[test]
    fn setattr_size_and_mode() {
        let fs = sample();
        let f = ino(&fs, &["C", "d", "f"]);
        let set = |mode, uid, size| SetAttr {
            mode,
            uid,
            gid: None,
            size,
            atime: None,
            mtime: None,
            fh: None,
            kill_suidgid: false,
        };
        let a = fs
            .do_setattr(f, &set(Some(0o600), Some(7), Some(3)))
            .unwrap();
        assert_eq!((a.size, a.perm, a.uid), (3, 0o600, 7));
        let (fh, _) = fs
            .do_open(f, OpenFlags(libc::O_RDONLY), Want::File)
            .unwrap();
        let mut buf = Vec::new();
        let n = fs.do_read(FileHandle(fh), 0, 16, &mut buf).unwrap();
        assert_eq!(&buf[..n], b"hel");
        fs.do_release(FileHandle(fh)).unwrap();
        assert_eq!(
            fs.do_setattr(INodeNo(ROOT_INO), &set(Some(0o700), None, None))
                .err(),
            Some(NtError::AccessDenied),
            "the mount root is not a core node"
        );
    }

    /// The ntfs-3g attributes: which exist, which can be set or removed.
    #[test]
    fn xattr_cases() {
        let fs = sample();
        let (f, s) = (ino(&fs, &["C", "d", "f"]), ino(&fs, &["C", "s"]));
        let get = |ino, name: &str| fs.do_getxattr(ino, os(name));
        assert_eq!(get(f, XATTR_NAMES).unwrap(), br"\d\f");
        assert_eq!(get(f, XATTR_ATTRIB).unwrap().len(), 4);
        assert_eq!(get(f, XATTR_REPARSE), Err(NtError::NotAReparsePoint));
        assert!(get(s, XATTR_REPARSE).unwrap().len() > 8);
        assert_eq!(get(f, "user.other"), Err(NtError::NotAReparsePoint));
        assert_eq!(
            get(INodeNo(ROOT_INO), XATTR_NAMES),
            Err(NtError::NotAReparsePoint)
        );
        let owner = 0;
        let rows = [
            (XATTR_NAMES, owner, Err(NtError::NotSupported)),
            ("user.other", owner, Err(NtError::NotSupported)),
            (XATTR_ATTRIB, 4242, Err(NtError::AccessDenied)),
        ];
        for (name, caller, want) in rows {
            let got = fs.do_setxattr(f, os(name), &[0x20, 0, 0, 0], 0, caller);
            assert_eq!(got, want, "set {name}");
        }
        let rows = [
            (f, XATTR_ATTRIB, Err(NtError::NotSupported)),
            (f, XATTR_NAMES, Err(NtError::NotSupported)),
            (f, "user.other", Err(NtError::NotAReparsePoint)),
            (f, XATTR_REPARSE, Err(NtError::NotAReparsePoint)),
            (s, XATTR_REPARSE, Ok(())),
        ];
        for (ino, name, want) in rows {
            assert_eq!(
                fs.do_removexattr(ino, os(name), owner),
                want,
                "remove {name}"
            );
        }
        assert_eq!(fs.do_getattr(s).unwrap().kind, FileType::RegularFile);
    }

    /// F2, in ntfs-3g's order (ntfs_set_ntfs_reparse_data): the buffer is
    /// validated first (EINVAL), then XATTR_CREATE / XATTR_REPLACE are checked
    /// against whether a reparse point exists (EEXIST / ENODATA).
    #[test]
    fn setxattr_validates_the_buffer_before_the_flags_f2() {
        use ntlinkfs_core::{errno_for, Errno, PosixOp};
        let fs = sample();
        let (f, s) = (ino(&fs, &["C", "d", "f"]), ino(&fs, &["C", "s"]));
        let bad_length = [0x0C, 0, 0, 0xA0, 9, 0, 0, 0];
        let tag_zero = [0u8; 8];
        let good = fs.do_getxattr(s, os(XATTR_REPARSE)).unwrap();
        let rows: [(INodeNo, &[u8], i32, Errno); 6] = [
            (
                s,
                &bad_length,
                crate::fuse::abi::XATTR_CREATE,
                Errno::EINVAL,
            ),
            (s, &tag_zero, crate::fuse::abi::XATTR_CREATE, Errno::EINVAL),
            (
                f,
                &bad_length,
                crate::fuse::abi::XATTR_REPLACE,
                Errno::EINVAL,
            ),
            (f, &tag_zero, crate::fuse::abi::XATTR_REPLACE, Errno::EINVAL),
            (s, &good, crate::fuse::abi::XATTR_CREATE, Errno::EEXIST),
            (f, &good, crate::fuse::abi::XATTR_REPLACE, Errno::ENODATA),
        ];
        for (ino, value, flags, want) in rows {
            let got = fs.do_setxattr(ino, os(XATTR_REPARSE), value, flags, 0);
            let got = got.map_err(|e| errno_for(PosixOp::Setxattr, e));
            assert_eq!(got, Err(want), "{value:?} flags {flags}");
        }
    }

    /// A write that does not fit writes what fits, wherever it starts and
    /// however long it is, and the next one is DISK_FULL (ENOSPC), as on a
    /// full Linux file system; before, the whole request was refused.
    #[test]
    fn a_write_past_the_free_space_writes_what_fits() {
        const MIB: u64 = 1 << 20;
        let rows: [(u64, usize, usize); 4] = [
            // (offset, length, written)
            (0, MIB as usize + 1, MIB as usize),
            (100, MIB as usize, MIB as usize - 100),
            (MIB - 16, 4096, 16),
            (0, 10, 10),
        ];
        for (offset, len, want) in rows {
            let mut m = Machine::default();
            let d = m.volume_by_letter(b'C').unwrap();
            m.set_volume_size(d, MIB).unwrap();
            let fs = fs_of(m);
            let c = ino(&fs, &["C"]);
            let (e, fh) = fs
                .do_create(ME, c, os("f"), 0o644, 0, libc::O_RDWR)
                .unwrap();
            let (f, fh) = (e.attr.ino, FileHandle(fh));
            let data = vec![7u8; len];
            assert_eq!(
                fs.do_write(f, fh, offset, &data, false),
                Ok(want),
                "{offset}+{len}"
            );
            let end = offset + want as u64;
            assert_eq!(fs.do_getattr(f).unwrap().size, end, "{offset}+{len}");
            if end == MIB {
                assert_eq!(fs.do_write(f, fh, end, b"x", false), Err(NtError::DiskFull));
            }
        }
    }

    /// readdir: `.` and `..` are offsets 1 and 2, names follow in order, and
    /// an offset handed out continues where it left off.
    #[test]
    fn readdir_offsets() {
        let fs = sample();
        let d = ino(&fs, &["C", "d"]);
        let fh = FileHandle(fs.do_opendir(d).unwrap());
        let names = |offset, limit| -> Vec<(u64, String)> {
            let listed = fs.dir_entries(d, fh, offset, limit, |_| true).unwrap();
            listed.named()
        };
        let all = names(0, 10);
        let want: Vec<(u64, String)> = [(1, "."), (2, ".."), (3, "f"), (4, "sub")]
            .map(|(o, n)| (o, n.to_string()))
            .into();
        assert_eq!(all, want);
        assert_eq!(names(3, 10), want[3..]);
        assert_eq!(names(2, 1), want[2..3]);
        assert_eq!(names(4, 10), []);
        assert_eq!(names(9, 10), [], "past the end");
        fs.do_releasedir(fh).unwrap();
        assert_eq!(
            fs.dir_entries(d, fh, 0, 10, |_| true).err(),
            Some(NtError::InvalidHandle)
        );
        let root = FileHandle(fs.do_opendir(INodeNo(ROOT_INO)).unwrap());
        let vols = fs.dir_entries(INodeNo(ROOT_INO), root, 2, 10, |_| true);
        assert_eq!(vols.unwrap().named(), [(3, "C".into()), (4, "D".into())]);
    }

    /// statfs: the core's sizes in 4 KiB blocks, 2^32 records per volume; the
    /// mount root sums its volumes (C and D here).
    #[test]
    fn statfs_counts() {
        let fs = sample();
        let vols = fs.m.read().volume_infos();
        let block = ntlinkfs_core::BLOCK_SIZE;
        let c = &vols[0];
        let s = fs.do_statfs(ino(&fs, &["C", "d"])).unwrap();
        assert_eq!(s.blocks, c.size / block);
        assert_eq!(s.bfree, (c.size - c.bytes) / block);
        assert_eq!((s.files, s.ffree), (1 << 32, (1 << 32) - c.nodes as u64));
        let all = fs.do_statfs(INodeNo(ROOT_INO)).unwrap();
        let sum = |f: &dyn Fn(&ntlinkfs_core::VolumeInfo) -> u64| vols.iter().map(f).sum::<u64>();
        assert_eq!(all.blocks, sum(&|v| v.size / block));
        assert_eq!(all.bfree, sum(&|v| (v.size - v.bytes) / block));
        assert_eq!(all.files, 2 << 32);
        assert_eq!(all.ffree, (2 << 32) - sum(&|v| v.nodes as u64));
    }

    const XATTR_NAMES: &str = crate::xattr::NAMES;
    const XATTR_ATTRIB: &str = crate::xattr::ATTRIB;
    const XATTR_REPARSE: &str = crate::xattr::REPARSE_DATA;
}
