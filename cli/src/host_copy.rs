//! `ntlinkfs copy` between host paths: a mounted ntlinkfs volume (or ntfs-3g,
//! or any directory) is a normal POSIX tree, so this walks it with std::fs.
//! The policies are those of the core's copy (`ntlinkfs_core::copy`):
//!
//! - A link is a POSIX symlink. Its NTFS kind comes from the ntfs-3g
//!   extended attributes where the source has them (`system.ntfs_reparse_data`
//!   gives the tag, `system.ntfs_attrib` the DIRECTORY bit); elsewhere a
//!   symlink to a directory counts as a directory symlink.
//! - copy-link keeps the link exactly: on a destination that takes the
//!   attribute (an ntlinkfs mount) it is re-created ntfs-3g style (an empty
//!   directory or file plus the raw reparse buffer), so a junction stays a
//!   junction; elsewhere it becomes a symlink with the same text.
//! - follow keeps the stack of (device, inode) of the directories it is
//!   inside and stops at a link back to one of them, or into the copy.
//! - remap, after everything else is copied: a link whose target was copied
//!   points at the copy (relative text that stays inside is kept as it is);
//!   one pointing outside is kept (pointing at the original) or skipped.
//! - hard links: names sharing (device, inode) become one file with
//!   `link(2)`; where that fails (EXDEV, EPERM on FAT) the name is copied as a
//!   separate file and reported.

use crate::copy::{progress_bar, progress_message};
use ntlinkfs_core::audit::LinkKind;
use ntlinkfs_core::copy::{
    CopyOptions, DirLinkPolicy, FileLinkPolicy, HardLinkPolicy, Outside, OutsideReason, Summary,
};
use ntlinkfs_core::reparse::{IO_REPARSE_TAG_MOUNT_POINT, IO_REPARSE_TAG_SYMLINK};
use ntlinkfs_core::SpecialKind;
use std::collections::HashMap;
use std::fmt;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};
use std::process::ExitCode;

/// The raw reparse buffer, as ntfs-3g and the ntlinkfs mount expose it (F2).
pub const REPARSE_XATTR: &str = "system.ntfs_reparse_data";
/// The attribute word, little-endian (F3).
pub const ATTRIB_XATTR: &str = "system.ntfs_attrib";
const FILE_ATTRIBUTE_DIRECTORY: u32 = 0x10;

type FileId = (u64, u64);

/// What was done with one link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HostAction {
    Skipped,
    CopiedAsLink,
    Followed,
    NotFollowedLoop,
    NotFollowedDangling(String),
    Remapped(String),
    KeptOutside(String, OutsideReason),
    SkippedOutside(OutsideReason),
    Failed(String),
}

impl HostAction {
    /// A short label, the key of the summary's counts (as the core's LinkAction).
    pub fn label(&self) -> &'static str {
        match self {
            HostAction::Skipped => "skipped",
            HostAction::CopiedAsLink => "copied as link",
            HostAction::Followed => "followed",
            HostAction::NotFollowedLoop => "loop, not followed",
            HostAction::NotFollowedDangling(_) => "dangling, not followed",
            HostAction::Remapped(_) => "remapped",
            HostAction::KeptOutside(..) => "kept (outside)",
            HostAction::SkippedOutside(_) => "skipped (outside)",
            HostAction::Failed(_) => "failed",
        }
    }
}

impl fmt::Display for HostAction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            HostAction::NotFollowedDangling(e) => write!(f, "dangling ({e}), not followed"),
            HostAction::Remapped(t) => write!(f, "remapped to {t}"),
            HostAction::KeptOutside(t, why) => write!(f, "kept -> {t} (target {})", why.text()),
            HostAction::SkippedOutside(why) => write!(f, "skipped (target {})", why.text()),
            HostAction::Failed(e) => write!(f, "failed: {e}"),
            other => f.write_str(other.label()),
        }
    }
}

/// One link met by the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostLink {
    pub path: PathBuf,
    pub kind: LinkKind,
    /// What readlink gives.
    pub target: String,
    pub action: HostAction,
}

/// What a host copy did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostReport {
    pub source: PathBuf,
    pub destination: PathBuf,
    pub files: usize,
    pub directories: usize,
    pub bytes: u64,
    pub links: Vec<HostLink>,
    pub hard_links_preserved: usize,
    pub hard_links_broken: usize,
    pub hard_links_lost: Vec<(PathBuf, String)>,
    /// Names copied, and the file's link count, for files with names outside.
    pub partial_groups: Vec<(Vec<PathBuf>, u64)>,
    pub errors: Vec<(PathBuf, String)>,
}

impl HostReport {
    #[cfg(all(test, unix))]
    pub fn action_of(&self, path: &Path) -> Option<&HostAction> {
        self.links
            .iter()
            .find(|l| l.path == path)
            .map(|l| &l.action)
    }
}

impl fmt::Display for HostReport {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let show = |p: &Path| p.display().to_string();
        Summary {
            source: &show(&self.source),
            destination: &show(&self.destination),
            files: self.files,
            directories: self.directories,
            bytes: self.bytes,
            hard_links_preserved: self.hard_links_preserved,
            hard_links_broken: self.hard_links_broken,
            lost: self
                .hard_links_lost
                .iter()
                .map(|(p, e)| (show(p), e.clone()))
                .collect(),
            partial: self
                .partial_groups
                .iter()
                .map(|(names, count)| (names.iter().map(|p| show(p)).collect(), *count))
                .collect(),
            links: self
                .links
                .iter()
                .map(|l| {
                    (
                        l.kind,
                        show(&l.path),
                        l.target.clone(),
                        l.action.label(),
                        l.action.to_string(),
                    )
                })
                .collect(),
            errors: self
                .errors
                .iter()
                .map(|(p, e)| (show(p), e.clone()))
                .collect(),
        }
        .fmt(f)
    }
}

pub fn main(src: &str, dst: &str, opts: &CopyOptions, quiet: bool) -> ExitCode {
    let pb = progress_bar(quiet);
    let mut n = 0u64;
    let result = copy(Path::new(src), Path::new(dst), opts, &mut |path, r| {
        n += 1;
        if n % 64 == 1 {
            pb.set_message(progress_message(
                r.files,
                r.directories,
                r.links.len(),
                r.bytes,
                &path.display().to_string(),
            ));
        }
    });
    pb.finish_and_clear();
    match result {
        Ok(r) => {
            crate::copy::print_out(&r.to_string());
            if r.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

#[cfg(unix)]
fn file_id(md: &fs::Metadata) -> FileId {
    use std::os::unix::fs::MetadataExt;
    (md.dev(), md.ino())
}

#[cfg(unix)]
fn nlink(md: &fs::Metadata) -> u64 {
    use std::os::unix::fs::MetadataExt;
    md.nlink()
}

#[cfg(unix)]
fn symlink(target: &Path, link: &Path) -> io::Result<()> {
    std::os::unix::fs::symlink(target, link)
}

/// The WSL kind of a FIFO, socket or device node (None for anything else).
#[cfg(unix)]
pub(crate) fn special_kind(md: &fs::Metadata) -> Option<SpecialKind> {
    use std::os::unix::fs::MetadataExt;
    SpecialKind::of_mode(md.mode())
}

/// mknod(2) of `dst` like `md` (type, permissions, device number), then its
/// access and modification times, without opening it.
#[cfg(unix)]
fn make_special(md: &fs::Metadata, dst: &Path) -> io::Result<()> {
    use std::os::unix::ffi::OsStrExt;
    use std::os::unix::fs::MetadataExt;
    let path = std::ffi::CString::new(dst.as_os_str().as_bytes())?;
    // SAFETY: `path` is a valid NUL-terminated string that outlives the call.
    let r = unsafe {
        libc::mknod(
            path.as_ptr(),
            md.mode() as libc::mode_t,
            md.rdev() as libc::dev_t,
        )
    };
    if r != 0 {
        return Err(io::Error::last_os_error());
    }
    fs::set_permissions(dst, md.permissions())?;
    let ts = [
        libc::timespec {
            tv_sec: md.atime(),
            tv_nsec: md.atime_nsec(),
        },
        libc::timespec {
            tv_sec: md.mtime(),
            tv_nsec: md.mtime_nsec(),
        },
    ];
    // SAFETY: as above; `ts` holds the two timespecs utimensat reads.
    unsafe { libc::utimensat(libc::AT_FDCWD, path.as_ptr(), ts.as_ptr(), 0) };
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn special_kind(_md: &fs::Metadata) -> Option<SpecialKind> {
    None
}

#[cfg(not(unix))]
fn make_special(_md: &fs::Metadata, _dst: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "host copies of special files need a Unix host",
    ))
}

#[cfg(not(unix))]
fn file_id(_md: &fs::Metadata) -> FileId {
    (0, 0)
}

#[cfg(not(unix))]
fn nlink(_md: &fs::Metadata) -> u64 {
    1
}

#[cfg(not(unix))]
fn symlink(_target: &Path, _link: &Path) -> io::Result<()> {
    Err(io::Error::new(
        io::ErrorKind::Unsupported,
        "host copies of links need a Unix host",
    ))
}

fn get_xattr(path: &Path, name: &str) -> Option<Vec<u8>> {
    #[cfg(unix)]
    {
        xattr::get(path, name).ok().flatten()
    }
    #[cfg(not(unix))]
    {
        let _ = (path, name);
        None
    }
}

fn set_xattr(path: &Path, name: &str, value: &[u8]) -> io::Result<()> {
    #[cfg(unix)]
    {
        xattr::set(path, name, value)
    }
    #[cfg(not(unix))]
    {
        let _ = (path, name, value);
        Err(io::Error::new(io::ErrorKind::Unsupported, "no xattrs"))
    }
}

/// `a/./b/../c` → `a/c`, without touching the filesystem.
fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::CurDir => {}
            Component::ParentDir => {
                out.pop();
            }
            other => out.push(other.as_os_str()),
        }
    }
    out
}

/// An absolute, lexically normal form of `p` (relative to the working directory).
fn absolute(p: &Path) -> io::Result<PathBuf> {
    Ok(normalize(&std::path::absolute(p)?))
}

/// The NTFS kind of the symlink at `path`, from its xattrs where it has them.
pub(crate) fn link_kind(path: &Path, raw: Option<&[u8]>) -> LinkKind {
    let tag = raw
        .filter(|r| r.len() >= 4)
        .map(|r| u32::from_le_bytes([r[0], r[1], r[2], r[3]]));
    let is_dir = || {
        get_xattr(path, ATTRIB_XATTR)
            .filter(|a| a.len() >= 4)
            .map(|a| u32::from_le_bytes([a[0], a[1], a[2], a[3]]) & FILE_ATTRIBUTE_DIRECTORY != 0)
            .unwrap_or_else(|| fs::metadata(path).is_ok_and(|m| m.is_dir()))
    };
    match tag {
        Some(IO_REPARSE_TAG_MOUNT_POINT) => LinkKind::Junction,
        Some(IO_REPARSE_TAG_SYMLINK) | None if is_dir() => LinkKind::DirectorySymlink,
        Some(IO_REPARSE_TAG_SYMLINK) | None => LinkKind::FileSymlink,
        Some(t) => LinkKind::Other(t),
    }
}

struct Frame {
    src: PathBuf,
    dst: PathBuf,
    ancestors: Vec<FileId>,
}

struct Deferred {
    link: PathBuf,
    dst: PathBuf,
    raw: Option<Vec<u8>>,
    is_dir_link: bool,
    junction: bool,
    outside: Outside,
    index: usize,
}

struct Copier<'p> {
    opts: CopyOptions,
    report: HostReport,
    /// Lexical and physical forms of the source root.
    src_lexical: PathBuf,
    src_physical: PathBuf,
    dst_root: PathBuf,
    dst_physical: PathBuf,
    dst_id: FileId,
    copied: HashMap<FileId, PathBuf>,
    hard: HashMap<FileId, (PathBuf, Vec<PathBuf>, u64)>,
    deferred: Vec<Deferred>,
    progress: &'p mut dyn FnMut(&Path, &HostReport),
}

/// Copies the host tree `src` into `dst` with the policies of `opts`.
pub fn copy(
    src: &Path,
    dst: &Path,
    opts: &CopyOptions,
    progress: &mut dyn FnMut(&Path, &HostReport),
) -> Result<HostReport, String> {
    let src_md = fs::metadata(src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
    if !src_md.is_dir() {
        return Err(format!("{} is not a directory", src.display()));
    }
    let src_physical =
        fs::canonicalize(src).map_err(|e| format!("cannot read {}: {e}", src.display()))?;
    let dst_abs = absolute(dst).map_err(|e| format!("{}: {e}", dst.display()))?;
    let dst_physical = match fs::canonicalize(dst) {
        Ok(p) => p,
        Err(_) => {
            let parent = dst_abs.parent().unwrap_or(Path::new("/"));
            let p = fs::canonicalize(parent)
                .map_err(|e| format!("cannot create {}: {e}", dst.display()))?;
            p.join(dst_abs.file_name().unwrap_or_default())
        }
    };
    if dst_physical.starts_with(&src_physical) {
        return Err("Cannot perform a cyclic copy".into());
    }
    if !dst.exists() {
        fs::create_dir(dst).map_err(|e| format!("cannot create {}: {e}", dst.display()))?;
    } else if !dst.is_dir() {
        return Err(format!("{} exists and is not a directory", dst.display()));
    }
    let dst_id = file_id(&fs::metadata(dst).map_err(|e| e.to_string())?);
    let mut c = Copier {
        opts: *opts,
        report: HostReport {
            source: src.to_path_buf(),
            destination: dst.to_path_buf(),
            ..Default::default()
        },
        src_lexical: absolute(src).map_err(|e| e.to_string())?,
        src_physical,
        dst_root: dst_abs,
        dst_physical,
        dst_id,
        copied: HashMap::new(),
        hard: HashMap::new(),
        deferred: Vec::new(),
        progress,
    };
    let mut stack = vec![Frame {
        src: src.to_path_buf(),
        dst: dst.to_path_buf(),
        ancestors: vec![file_id(&src_md)],
    }];
    while let Some(frame) = stack.pop() {
        if let Ok(md) = fs::metadata(&frame.src) {
            c.copied
                .entry(file_id(&md))
                .or_insert_with(|| frame.dst.clone());
        }
        let mut subdirs = c.copy_dir(&frame);
        subdirs.reverse();
        stack.extend(subdirs);
    }
    for d in std::mem::take(&mut c.deferred) {
        let action = c.remap(&d);
        if let HostAction::Failed(e) = &action {
            c.report.errors.push((d.link.clone(), e.clone()));
        }
        c.report.links[d.index].action = action;
    }
    let mut partial: Vec<(Vec<PathBuf>, u64)> = c
        .hard
        .values()
        .filter(|(_, names, n)| (names.len() as u64) < *n)
        .map(|(_, names, n)| (names.clone(), *n))
        .collect();
    partial.sort();
    c.report.partial_groups = partial;
    Ok(c.report)
}

impl Copier<'_> {
    fn copy_dir(&mut self, frame: &Frame) -> Vec<Frame> {
        let mut entries: Vec<fs::DirEntry> = match fs::read_dir(&frame.src) {
            Ok(rd) => rd.filter_map(Result::ok).collect(),
            Err(e) => {
                self.report.errors.push((frame.src.clone(), e.to_string()));
                return Vec::new();
            }
        };
        entries.sort_by_key(|e| e.file_name());
        let mut subdirs = Vec::new();
        for e in entries {
            let src = e.path();
            let dst = frame.dst.join(e.file_name());
            match fs::symlink_metadata(&src) {
                Err(err) => self.report.errors.push((src.clone(), err.to_string())),
                Ok(md) if md.file_type().is_symlink() => {
                    if let Some(f) = self.copy_link(frame, &src, &dst) {
                        subdirs.push(f);
                    }
                }
                Ok(md) if md.is_dir() => match fs::create_dir(&dst) {
                    Ok(()) => {
                        self.report.directories += 1;
                        copy_times(&md, &dst);
                        let mut ancestors = frame.ancestors.clone();
                        ancestors.push(file_id(&md));
                        subdirs.push(Frame {
                            src: src.clone(),
                            dst,
                            ancestors,
                        });
                    }
                    Err(err) => self.report.errors.push((src.clone(), err.to_string())),
                },
                Ok(md) if md.is_file() => self.copy_file(&md, &src, &dst),
                Ok(md) if special_kind(&md).is_some() => self.copy_special(&md, &src, &dst),
                // Reading a FIFO would block and a device has no data to copy.
                Ok(_) => self.report.errors.push((
                    src.clone(),
                    "not a regular file (a FIFO, socket or device): not copied".into(),
                )),
            }
            (self.progress)(&src, &self.report);
        }
        subdirs
    }

    /// A FIFO, socket or device is made again with mknod(2) (its mode and device
    /// number), never opened: reading a FIFO would block. The destination holds
    /// it where it can (tmpfs, ext4, an ntlinkfs mount as WSL stores it); where it
    /// cannot, the error is reported. Listed with the links under its WSL tag, as
    /// the core's copy lists it.
    fn copy_special(&mut self, md: &fs::Metadata, src: &Path, dst: &Path) {
        let Some(kind) = special_kind(md) else { return };
        let action = match make_special(md, dst) {
            Ok(()) => HostAction::CopiedAsLink,
            Err(e) => {
                self.report.errors.push((src.to_path_buf(), e.to_string()));
                HostAction::Failed(e.to_string())
            }
        };
        self.report.links.push(HostLink {
            path: src.to_path_buf(),
            kind: LinkKind::Other(kind.tag()),
            target: String::new(),
            action,
        });
    }

    fn copy_file(&mut self, md: &fs::Metadata, src: &Path, dst: &Path) {
        let id = file_id(md);
        let links = nlink(md);
        if links > 1 {
            if let Some((first, names, _)) = self.hard.get_mut(&id) {
                names.push(src.to_path_buf());
                match self.opts.hard_links {
                    HardLinkPolicy::Break => self.report.hard_links_broken += 1,
                    HardLinkPolicy::Preserve => match fs::hard_link(&*first, dst) {
                        Ok(()) => {
                            self.report.hard_links_preserved += 1;
                            return;
                        }
                        Err(e) => self
                            .report
                            .hard_links_lost
                            .push((src.to_path_buf(), e.to_string())),
                    },
                }
            }
        }
        match copy_file_data(md, src, dst) {
            Ok(n) => {
                self.report.files += 1;
                self.report.bytes += n;
                self.copied.entry(id).or_insert_with(|| dst.to_path_buf());
                if links > 1 && !self.hard.contains_key(&id) {
                    self.hard
                        .insert(id, (dst.to_path_buf(), vec![src.to_path_buf()], links));
                }
            }
            Err(e) => self.report.errors.push((src.to_path_buf(), e.to_string())),
        }
    }

    fn copy_link(&mut self, frame: &Frame, src: &Path, dst: &Path) -> Option<Frame> {
        let raw = get_xattr(src, REPARSE_XATTR);
        let kind = link_kind(src, raw.as_deref());
        let target = fs::read_link(src)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        let index = self.report.links.len();
        self.report.links.push(HostLink {
            path: src.to_path_buf(),
            kind,
            target,
            action: HostAction::Skipped,
        });
        let mut followed = None;
        let dir_policy = match kind {
            LinkKind::Junction => Some(self.opts.junctions),
            LinkKind::DirectorySymlink => Some(self.opts.dir_symlinks),
            _ => None,
        };
        let action = match (dir_policy, kind) {
            (Some(DirLinkPolicy::Skip), _) => HostAction::Skipped,
            (Some(DirLinkPolicy::CopyLink), _) => copy_link_raw(src, dst, raw.as_deref(), true),
            (Some(DirLinkPolicy::Follow), _) => match self.follow_dir(frame, src, dst) {
                Ok(f) => {
                    followed = Some(f);
                    HostAction::Followed
                }
                Err(a) => a,
            },
            (Some(DirLinkPolicy::Remap(outside)), _) => {
                self.deferred.push(Deferred {
                    link: src.to_path_buf(),
                    dst: dst.to_path_buf(),
                    raw,
                    is_dir_link: true,
                    junction: kind == LinkKind::Junction,
                    outside,
                    index,
                });
                HostAction::Skipped
            }
            (None, LinkKind::FileSymlink) => match self.opts.file_symlinks {
                FileLinkPolicy::Skip => HostAction::Skipped,
                FileLinkPolicy::CopyLink => copy_link_raw(src, dst, raw.as_deref(), false),
                FileLinkPolicy::Follow => match fs::metadata(src) {
                    Ok(md) if md.is_file() => match copy_file_data(&md, src, dst) {
                        Ok(n) => {
                            self.report.files += 1;
                            self.report.bytes += n;
                            HostAction::Followed
                        }
                        Err(e) => HostAction::Failed(e.to_string()),
                    },
                    Ok(_) => HostAction::NotFollowedDangling("not a regular file".into()),
                    Err(e) => HostAction::NotFollowedDangling(e.to_string()),
                },
            },
            _ => copy_link_raw(src, dst, raw.as_deref(), false),
        };
        if let HostAction::Failed(e) = &action {
            self.report.errors.push((src.to_path_buf(), e.clone()));
        }
        self.report.links[index].action = action;
        followed
    }

    fn follow_dir(&mut self, frame: &Frame, src: &Path, dst: &Path) -> Result<Frame, HostAction> {
        let md = fs::metadata(src).map_err(|e| HostAction::NotFollowedDangling(e.to_string()))?;
        if !md.is_dir() {
            return Err(HostAction::NotFollowedDangling("not a directory".into()));
        }
        let id = file_id(&md);
        let into_copy = id == self.dst_id
            || fs::canonicalize(src).is_ok_and(|t| self.dst_physical.starts_with(t));
        if frame.ancestors.contains(&id) || into_copy {
            return Err(HostAction::NotFollowedLoop);
        }
        fs::create_dir(dst).map_err(|e| HostAction::Failed(e.to_string()))?;
        self.report.directories += 1;
        let mut ancestors = frame.ancestors.clone();
        ancestors.push(id);
        Ok(Frame {
            src: src.to_path_buf(),
            dst: dst.to_path_buf(),
            ancestors,
        })
    }

    /// Where a remapped link goes, once every copy's place is known.
    fn remap(&mut self, d: &Deferred) -> HostAction {
        let text = match fs::read_link(&d.link) {
            Ok(t) => t,
            Err(e) => return HostAction::Failed(e.to_string()),
        };
        let parent = d.link.parent().unwrap_or(Path::new("/"));
        let lexical = match absolute(&parent.join(&text)) {
            Ok(p) => p,
            Err(e) => return HostAction::Failed(e.to_string()),
        };
        let inside =
            lexical.starts_with(&self.src_lexical) || lexical.starts_with(&self.src_physical);
        let resolved = fs::metadata(&d.link).ok();
        let copied = resolved.as_ref().and_then(|m| self.copied.get(&file_id(m)));
        let new_target: Option<PathBuf> = match copied {
            Some(_) if text.is_relative() && inside => Some(text.clone()),
            Some(p) => Some(absolute(p).unwrap_or_else(|_| p.clone())),
            None if inside && resolved.is_none() => {
                let rel = lexical
                    .strip_prefix(&self.src_lexical)
                    .or_else(|_| lexical.strip_prefix(&self.src_physical))
                    .map(Path::to_path_buf)
                    .unwrap_or_default();
                Some(if text.is_relative() {
                    text.clone()
                } else {
                    self.dst_root.join(rel)
                })
            }
            None => None,
        };
        if let Some(t) = new_target {
            // On an ntlinkfs mount a junction is rebuilt as a junction.
            if d.junction {
                let abs = absolute(&d.dst.parent().unwrap_or(Path::new("/")).join(&t));
                let abs = abs.unwrap_or_else(|_| t.clone());
                match junction_on_mount(&d.dst, &abs) {
                    Some(Ok(win)) => return HostAction::Remapped(win),
                    Some(Err(e)) => return HostAction::Failed(e.to_string()),
                    None => {}
                }
            }
            return match symlink(&t, &d.dst) {
                Ok(()) => HostAction::Remapped(t.display().to_string()),
                Err(e) => HostAction::Failed(e.to_string()),
            };
        }
        let why = if inside {
            OutsideReason::NotCopied
        } else {
            OutsideReason::OutsideTree
        };
        match d.outside {
            Outside::Skip => HostAction::SkippedOutside(why),
            Outside::Keep => {
                // The same reparse buffer where the destination takes it (the
                // target is stored as a Windows path: it still means the same
                // place); else a symlink to where the link leads now.
                if let Some(raw) = &d.raw {
                    if set_raw(&d.dst, raw, d.is_dir_link).is_ok() {
                        return HostAction::KeptOutside(text.display().to_string(), why);
                    }
                }
                let t = if text.is_relative() { lexical } else { text };
                match symlink(&t, &d.dst) {
                    Ok(()) => HostAction::KeptOutside(t.display().to_string(), why),
                    Err(e) => HostAction::Failed(e.to_string()),
                }
            }
        }
    }
}

/// Makes `link` a junction to the host path `target` when both lie in one
/// ntlinkfs mount (`MOUNT/C/a/b` is `C:\a\b`), ntfs-3g style: an empty
/// directory plus the reparse buffer. None when they are not on a mount.
#[cfg(unix)]
fn junction_on_mount(link: &Path, target: &Path) -> Option<io::Result<String>> {
    let root = ntlinkfs_fuse::ntlinkfs_mount_root(link.parent()?)?;
    let root = absolute(&root).ok()?;
    let mut parts = target.strip_prefix(&root).ok()?.components();
    let letter = parts.next()?.as_os_str().to_str()?;
    if letter.len() != 1 {
        return None;
    }
    let rest: Option<Vec<&str>> = parts.map(|c| c.as_os_str().to_str()).collect();
    let win = format!("{letter}:\\{}", rest?.join("\\"));
    let buffer = ntlinkfs_core::ReparseData::mount_point(&format!("\\??\\{win}"), &win).encode();
    Some(set_raw(link, &buffer, true).map(|()| win))
}

#[cfg(not(unix))]
fn junction_on_mount(_link: &Path, _target: &Path) -> Option<io::Result<String>> {
    None
}

/// The link itself: ntfs-3g style where the destination takes the reparse
/// attribute (a junction stays a junction), else a symlink with the same text.
fn copy_link_raw(src: &Path, dst: &Path, raw: Option<&[u8]>, is_dir: bool) -> HostAction {
    if let Some(raw) = raw {
        if set_raw(dst, raw, is_dir).is_ok() {
            if let Some(a) = get_xattr(src, ATTRIB_XATTR) {
                let _ = set_xattr(dst, ATTRIB_XATTR, &a);
            }
            return HostAction::CopiedAsLink;
        }
    }
    match fs::read_link(src).and_then(|t| symlink(&t, dst)) {
        Ok(()) => HostAction::CopiedAsLink,
        Err(e) => HostAction::Failed(e.to_string()),
    }
}

/// An empty directory (or file) carrying `raw` as its reparse point, as
/// ntfs-3g makes one; removed again when the attribute is refused.
fn set_raw(dst: &Path, raw: &[u8], is_dir: bool) -> io::Result<()> {
    if is_dir {
        fs::create_dir(dst)?;
    } else {
        fs::File::create_new(dst)?;
    }
    set_xattr(dst, REPARSE_XATTR, raw).inspect_err(|_| {
        let _ = if is_dir {
            fs::remove_dir(dst)
        } else {
            fs::remove_file(dst)
        };
    })
}

/// Data, permissions and times of a regular file; the NTFS attribute word too
/// when both sides have it. Returns the bytes copied.
fn copy_file_data(md: &fs::Metadata, src: &Path, dst: &Path) -> io::Result<u64> {
    if dst.symlink_metadata().is_ok() {
        return Err(io::Error::new(
            io::ErrorKind::AlreadyExists,
            "the destination already exists",
        ));
    }
    let n = fs::copy(src, dst)?;
    copy_times(md, dst);
    if let Some(a) = get_xattr(src, ATTRIB_XATTR) {
        let _ = set_xattr(dst, ATTRIB_XATTR, &a);
    }
    Ok(n)
}

fn copy_times(md: &fs::Metadata, dst: &Path) {
    let mut times = fs::FileTimes::new();
    if let Ok(t) = md.modified() {
        times = times.set_modified(t);
    }
    if let Ok(t) = md.accessed() {
        times = times.set_accessed(t);
    }
    if let Ok(f) = fs::File::options()
        .write(!md.is_dir())
        .read(md.is_dir())
        .open(dst)
    {
        let _ = f.set_times(times);
    }
}

#[cfg(all(test, unix))]
mod tests {
    //! On a plain host directory (tmpfs or ext4): POSIX symlinks count as
    //! directory or file symlinks. The junction paths run on an ntlinkfs mount.
    //!
    //! ```text
    //! src/
    //!   a/f.txt           "f" (2 names: a/f.txt, b/g.txt)
    //!   b/g.txt
    //!   b/up   -> ..      (a loop)
    //!   in     -> a       (relative, inside)
    //!   abs    -> <outside>  (absolute, outside the tree)
    //!   dang   -> a/none  (dangling, inside)
    //!   fl     -> a/f.txt (file symlink)
    //! outside/o.txt
    //! ```
    use super::*;
    use std::os::unix::fs::MetadataExt;

    fn tree() -> (tempfile::TempDir, PathBuf, PathBuf) {
        let t = tempfile::tempdir().unwrap();
        let src = t.path().join("src");
        let out = t.path().join("outside");
        fs::create_dir_all(src.join("a")).unwrap();
        fs::create_dir_all(src.join("b")).unwrap();
        fs::create_dir_all(&out).unwrap();
        fs::write(out.join("o.txt"), b"o").unwrap();
        fs::write(src.join("a/f.txt"), b"f").unwrap();
        fs::hard_link(src.join("a/f.txt"), src.join("b/g.txt")).unwrap();
        symlink(Path::new(".."), &src.join("b/up")).unwrap();
        symlink(Path::new("a"), &src.join("in")).unwrap();
        symlink(&out, &src.join("abs")).unwrap();
        symlink(Path::new("a/none"), &src.join("dang")).unwrap();
        symlink(Path::new("a/f.txt"), &src.join("fl")).unwrap();
        let dst = t.path().join("dst");
        (t, src, dst)
    }

    fn run(src: &Path, dst: &Path, opts: CopyOptions) -> HostReport {
        copy(src, dst, &opts, &mut |_, _| {}).unwrap()
    }

    fn dirs(p: DirLinkPolicy) -> CopyOptions {
        CopyOptions {
            dir_symlinks: p,
            ..Default::default()
        }
    }

    #[test]
    fn host_copy_link_keeps_symlink_text_and_preserves_hard_links() {
        let (_t, src, dst) = tree();
        let r = run(&src, &dst, CopyOptions::default());
        assert_eq!(fs::read_link(dst.join("in")).unwrap(), Path::new("a"));
        assert_eq!(fs::read_link(dst.join("b/up")).unwrap(), Path::new(".."));
        assert_eq!(
            fs::read_link(dst.join("dang")).unwrap(),
            Path::new("a/none")
        );
        let (a, b) = (
            fs::metadata(dst.join("a/f.txt")).unwrap(),
            fs::metadata(dst.join("b/g.txt")).unwrap(),
        );
        assert_eq!((a.ino(), a.nlink()), (b.ino(), 2));
        assert_eq!(r.hard_links_preserved, 1);
        assert_eq!(
            r.action_of(&src.join("in")),
            Some(&HostAction::CopiedAsLink)
        );
        assert_eq!(
            r.links
                .iter()
                .find(|l| l.path == src.join("fl"))
                .unwrap()
                .kind,
            LinkKind::FileSymlink
        );
        assert_eq!(
            r.links
                .iter()
                .find(|l| l.path == src.join("in"))
                .unwrap()
                .kind,
            LinkKind::DirectorySymlink
        );
        assert!(r.errors.is_empty(), "{r}");
    }

    #[test]
    fn host_follow_copies_contents_and_stops_at_loops() {
        let (_t, src, dst) = tree();
        let opts = CopyOptions {
            file_symlinks: FileLinkPolicy::Follow,
            ..dirs(DirLinkPolicy::Follow)
        };
        let r = run(&src, &dst, opts);
        assert_eq!(
            r.action_of(&src.join("b/up")),
            Some(&HostAction::NotFollowedLoop)
        );
        assert!(fs::symlink_metadata(dst.join("b/up")).is_err());
        assert!(fs::symlink_metadata(dst.join("in")).unwrap().is_dir());
        assert_eq!(fs::read(dst.join("abs/o.txt")).unwrap(), b"o");
        assert!(matches!(
            r.action_of(&src.join("dang")),
            Some(HostAction::NotFollowedDangling(_))
        ));
        assert!(fs::symlink_metadata(dst.join("fl")).unwrap().is_file());
        assert_eq!(fs::read(dst.join("fl")).unwrap(), b"f");
        // The summary counts links by kind and fate, as the emulated copy's does.
        let text = r.to_string();
        assert!(text.contains("1 symlinkd loop, not followed"), "{text}");
        assert!(text.contains("1 symlink dangling, not followed"), "{text}");
    }

    #[test]
    fn host_remap_rebuilds_inside_links_and_keeps_or_skips_outside_ones() {
        let (_t, src, dst) = tree();
        let r = run(&src, &dst, dirs(DirLinkPolicy::Remap(Outside::Keep)));
        assert_eq!(
            r.action_of(&src.join("in")),
            Some(&HostAction::Remapped("a".into()))
        );
        assert_eq!(
            fs::canonicalize(dst.join("b/up")).unwrap(),
            fs::canonicalize(&dst).unwrap()
        );
        assert!(matches!(
            r.action_of(&src.join("abs")),
            Some(HostAction::KeptOutside(_, OutsideReason::OutsideTree))
        ));
        assert_eq!(fs::read(dst.join("abs/o.txt")).unwrap(), b"o");
        let (_t, src, dst) = tree();
        let r = run(&src, &dst, dirs(DirLinkPolicy::Remap(Outside::Skip)));
        assert_eq!(
            r.action_of(&src.join("abs")),
            Some(&HostAction::SkippedOutside(OutsideReason::OutsideTree))
        );
        assert!(fs::symlink_metadata(dst.join("abs")).is_err());
    }

    #[test]
    fn host_skip_and_break_policies() {
        let (_t, src, dst) = tree();
        let opts = CopyOptions {
            file_symlinks: FileLinkPolicy::Skip,
            hard_links: HardLinkPolicy::Break,
            ..dirs(DirLinkPolicy::Skip)
        };
        let r = run(&src, &dst, opts);
        for l in ["in", "abs", "b/up", "fl"] {
            assert!(fs::symlink_metadata(dst.join(l)).is_err(), "{l}");
        }
        assert_eq!(fs::metadata(dst.join("a/f.txt")).unwrap().nlink(), 1);
        assert_eq!(r.hard_links_broken, 1);
    }

    /// FIFOs, sockets and devices are made again, never opened (a FIFO read
    /// would block), and listed under their WSL tags as the core's copy lists
    /// them; the device numbers and modes come across exactly.
    // Linux's mknod and mode_t widths; the copy itself is the same elsewhere.
    #[cfg(target_os = "linux")]
    #[test]
    fn host_copy_makes_special_files_again_without_opening_them() {
        use std::os::unix::fs::FileTypeExt;
        let (_t, src, dst) = tree();
        let mk = |name: &str, mode: u32, dev: u64| {
            let p = std::ffi::CString::new(src.join(name).to_str().unwrap()).unwrap();
            // SAFETY: a valid NUL-terminated path.
            unsafe { libc::mknod(p.as_ptr(), mode, dev) }
        };
        assert_eq!(mk("pipe", libc::S_IFIFO | 0o640, 0), 0);
        assert_eq!(mk("sock", libc::S_IFSOCK | 0o600, 0), 0);
        // Devices need CAP_MKNOD: made (and checked) only when the test may.
        let devices = mk("tty", libc::S_IFCHR | 0o620, libc::makedev(4, 64)) == 0;
        let r = run(&src, &dst, CopyOptions::default());
        assert_eq!(r.errors, vec![]);
        let pipe = fs::symlink_metadata(dst.join("pipe")).unwrap();
        assert!(pipe.file_type().is_fifo());
        assert_eq!(pipe.mode(), libc::S_IFIFO | 0o640);
        assert!(fs::symlink_metadata(dst.join("sock"))
            .unwrap()
            .file_type()
            .is_socket());
        let kind = |p: &str| r.links.iter().find(|l| l.path == src.join(p)).unwrap();
        assert_eq!(kind("pipe").kind.label(), "LX_FIFO");
        assert_eq!(kind("sock").kind.label(), "AF_UNIX");
        assert_eq!(kind("pipe").action, HostAction::CopiedAsLink);
        if devices {
            let tty = fs::symlink_metadata(dst.join("tty")).unwrap();
            let orig = fs::symlink_metadata(src.join("tty")).unwrap();
            assert_eq!(
                (tty.mode(), tty.rdev()),
                (orig.mode(), libc::makedev(4, 64))
            );
            assert_eq!(tty.mode() & libc::S_IFMT, libc::S_IFCHR);
            assert_eq!(kind("tty").kind.label(), "LX_CHR");
        }
    }

    #[test]
    fn host_copy_reports_partial_groups_and_refuses_cyclic_copies() {
        let (t, src, _) = tree();
        let r = run(
            &src.join("a"),
            &t.path().join("only-a"),
            CopyOptions::default(),
        );
        assert_eq!(r.partial_groups, vec![(vec![src.join("a/f.txt")], 2)]);
        assert_eq!(
            copy(
                &src,
                &src.join("a/inner"),
                &CopyOptions::default(),
                &mut |_, _| {}
            )
            .unwrap_err(),
            "Cannot perform a cyclic copy"
        );
        assert!(!src.join("a/inner").exists());
    }
}
