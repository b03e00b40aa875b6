//! `ntlinkfs copy` between host paths: a mounted ntlinkfs volume (or ntfs-3g,
//! or any directory) is a normal POSIX tree, read and written with std::fs.
//! This is the host's [`CopyTree`]; the walk and the policies are the copy
//! engine's (`crate::copy`), as for the emulated machine:
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

use crate::audit::LinkKind;
use crate::copy::{
    run, CopyOptions, CopyReport, CopyTree, Deferred, Entry, Like, LinkAction, LinkCopied,
    OutsideReason, Progress, Remap, What,
};
use crate::tree::Host;
#[cfg(unix)]
use ntlinkfs_core::path::{letter_alone, nt_drive_target};
use ntlinkfs_core::reparse::{IO_REPARSE_TAG_MOUNT_POINT, IO_REPARSE_TAG_SYMLINK};
use ntlinkfs_core::SpecialKind;
use std::collections::HashMap;
use std::fs;
use std::io;
use std::path::{Component, Path, PathBuf};

/// The raw reparse buffer, as ntfs-3g and the ntlinkfs mount expose it (F2).
pub const REPARSE_XATTR: &str = "system.ntfs_reparse_data";
/// The attribute word, little-endian (F3).
pub const ATTRIB_XATTR: &str = "system.ntfs_attrib";
const FILE_ATTRIBUTE_DIRECTORY: u32 = 0x10;

type FileId = (u64, u64);

/// Finds the root of the ntlinkfs mount a host path lies in (None elsewhere);
/// the caller knows how mounts are found (ntlinkfs-fuse reads /proc/mounts).
pub type MountRoot = fn(&Path) -> Option<PathBuf>;

/// What a host copy did.
pub type HostReport = CopyReport<Host>;
type Action = LinkAction<Host>;

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
pub(crate) fn normalize(p: &Path) -> PathBuf {
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

/// Host directories as the copy reads and writes them, and what it knows of
/// the copy's two roots.
struct HostCopy {
    /// Lexical and physical forms of the source root.
    src_lexical: PathBuf,
    src_physical: PathBuf,
    dst_root: PathBuf,
    dst_physical: PathBuf,
    dst_id: FileId,
    mount_root: MountRoot,
}

/// Copies the host tree `src` into `dst` with the policies of `opts`.
pub fn copy(
    src: &Path,
    dst: &Path,
    opts: &CopyOptions,
    mount_root: MountRoot,
    progress: &mut dyn FnMut(&Progress<Host>),
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
    let mut tree = HostCopy {
        src_lexical: absolute(src).map_err(|e| e.to_string())?,
        src_physical,
        dst_root: dst_abs,
        dst_physical,
        dst_id,
        mount_root,
    };
    let report = HostReport::new(src.to_path_buf(), dst.to_path_buf());
    let roots = (src.to_path_buf(), file_id(&src_md), dst.to_path_buf());
    Ok(run(&mut tree, opts, roots, report, progress))
}

impl CopyTree for HostCopy {
    type Kind = Host;
    /// The entry's metadata (None: it could not be read).
    type Src = Option<fs::Metadata>;
    type Dir = PathBuf;
    type Place = PathBuf;
    type Made = PathBuf;

    fn dir_path(dir: &PathBuf) -> PathBuf {
        dir.clone()
    }

    fn entry_dir(e: &Entry<Self>) -> PathBuf {
        e.path.clone()
    }

    fn dir_id(&self, dir: &PathBuf) -> Option<FileId> {
        fs::metadata(dir).ok().map(|md| file_id(&md))
    }

    fn read_dir(&mut self, dir: &PathBuf) -> Result<Vec<Entry<Self>>, String> {
        let mut names: Vec<fs::DirEntry> = fs::read_dir(dir)
            .map_err(|e| e.to_string())?
            .filter_map(Result::ok)
            .collect();
        names.sort_by_key(|e| e.file_name());
        Ok(names
            .into_iter()
            .map(|e| {
                let path = e.path();
                let md = fs::symlink_metadata(&path);
                let what = match &md {
                    Err(err) => What::Unsupported(err.to_string()),
                    Ok(md) if md.file_type().is_symlink() => What::Link,
                    Ok(md) if md.is_dir() => What::Directory,
                    Ok(md) if md.is_file() => What::File { links: nlink(md) },
                    Ok(md) => match special_kind(md) {
                        Some(kind) => What::Special(kind.tag()),
                        // Reading a FIFO would block and a device has no data to copy.
                        None => What::Unsupported(
                            "not a regular file (a FIFO, socket or device): not copied".into(),
                        ),
                    },
                };
                let md = md.ok();
                Entry {
                    path,
                    id: md.as_ref().map(file_id).unwrap_or_default(),
                    what,
                    src: md,
                }
            })
            .collect())
    }

    fn place(&self, parent: &PathBuf, e: &Entry<Self>) -> PathBuf {
        parent.join(e.path.file_name().unwrap_or_default())
    }

    fn place_path(at: &PathBuf) -> PathBuf {
        at.clone()
    }

    fn make_dir(&mut self, at: &PathBuf, like: Like<'_, Self>) -> Result<PathBuf, String> {
        fs::create_dir(at).map_err(|e| e.to_string())?;
        if let Like::Entry(Entry { src: Some(md), .. }) = like {
            copy_times(md, at);
        }
        Ok(at.clone())
    }

    fn copy_file(&mut self, e: &Entry<Self>, at: &PathBuf) -> Result<(PathBuf, u64), String> {
        let md = e.src.as_ref().ok_or("no metadata")?;
        let n = copy_file_data(md, &e.path, at).map_err(|e| e.to_string())?;
        Ok((at.clone(), n))
    }

    fn hard_link(&mut self, first: &PathBuf, at: &PathBuf) -> Result<(), String> {
        fs::hard_link(first, at).map_err(|e| e.to_string())
    }

    /// A FIFO, socket or device is made again with mknod(2) (its mode and
    /// device number), never opened: reading a FIFO would block. The
    /// destination holds it where it can (tmpfs, ext4, an ntlinkfs mount as
    /// WSL stores it); where it cannot, the error is reported.
    fn make_special(&mut self, e: &Entry<Self>, at: &PathBuf) -> Result<(), String> {
        let md = e.src.as_ref().ok_or("no metadata")?;
        make_special(md, at).map_err(|e| e.to_string())
    }

    fn link_of(&self, e: &Entry<Self>) -> Option<(LinkKind, String)> {
        let raw = get_xattr(&e.path, REPARSE_XATTR);
        let kind = link_kind(&e.path, raw.as_deref());
        let target = fs::read_link(&e.path)
            .map(|t| t.display().to_string())
            .unwrap_or_default();
        Some((kind, target))
    }

    fn copy_link(&mut self, e: &Entry<Self>, at: &PathBuf) -> LinkCopied<Self> {
        let raw = get_xattr(&e.path, REPARSE_XATTR);
        let kind = link_kind(&e.path, raw.as_deref());
        let is_dir = matches!(kind, LinkKind::Junction | LinkKind::DirectorySymlink);
        copy_link_raw(&e.path, at, raw.as_deref(), is_dir).map(|()| None)
    }

    fn follow_dir(&mut self, e: &Entry<Self>) -> Result<(FileId, PathBuf), String> {
        let md = fs::metadata(&e.path).map_err(|e| e.to_string())?;
        if !md.is_dir() {
            return Err("not a directory".into());
        }
        Ok((file_id(&md), e.path.clone()))
    }

    fn enters_copy(&self, target: FileId, e: &Entry<Self>) -> bool {
        target == self.dst_id
            || fs::canonicalize(&e.path).is_ok_and(|t| self.dst_physical.starts_with(t))
    }

    fn follow_file(&mut self, e: &Entry<Self>, at: &PathBuf) -> Result<u64, Action> {
        match fs::metadata(&e.path) {
            Ok(md) if md.is_file() => {
                copy_file_data(&md, &e.path, at).map_err(|e| Action::Failed(e.to_string()))
            }
            Ok(_) => Err(Action::NotFollowedDangling("not a regular file".into())),
            Err(e) => Err(Action::NotFollowedDangling(e.to_string())),
        }
    }

    fn remap(
        &mut self,
        d: &Deferred<Self>,
        copied: &HashMap<FileId, PathBuf>,
    ) -> Result<Remap, String> {
        let (text, lexical) = link_text(&d.entry.path)?;
        let inside =
            lexical.starts_with(&self.src_lexical) || lexical.starts_with(&self.src_physical);
        let resolved = fs::metadata(&d.entry.path).ok();
        let copied = resolved.as_ref().and_then(|m| copied.get(&file_id(m)));
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
        let Some(t) = new_target else {
            return Ok(Remap::Outside(if inside {
                OutsideReason::NotCopied
            } else {
                OutsideReason::OutsideTree
            }));
        };
        // On an ntlinkfs mount a junction is rebuilt as a junction.
        if d.kind == LinkKind::Junction {
            let abs = absolute(&d.at.parent().unwrap_or(Path::new("/")).join(&t));
            let abs = abs.unwrap_or_else(|_| t.clone());
            if let Some(made) = junction_on_mount(self.mount_root, &d.at, &abs) {
                return made.map(Remap::Made).map_err(|e| e.to_string());
            }
        }
        symlink(&t, &d.at).map_err(|e| e.to_string())?;
        Ok(Remap::Made(t.display().to_string()))
    }

    /// The same reparse buffer where the destination takes it (the target is
    /// stored as a Windows path: it still means the same place); else a
    /// symlink to where the link leads now.
    fn keep_outside(&mut self, d: &Deferred<Self>) -> Result<String, String> {
        let (text, lexical) = link_text(&d.entry.path)?;
        if let Some(raw) = get_xattr(&d.entry.path, REPARSE_XATTR) {
            if set_raw(&d.at, &raw, true).is_ok() {
                return Ok(text.display().to_string());
            }
        }
        let t = if text.is_relative() { lexical } else { text };
        symlink(&t, &d.at).map_err(|e| e.to_string())?;
        Ok(t.display().to_string())
    }
}

/// A symlink's text, and where it leads lexically (relative text applied to
/// its parent).
fn link_text(link: &Path) -> Result<(PathBuf, PathBuf), String> {
    let text = fs::read_link(link).map_err(|e| e.to_string())?;
    let parent = link.parent().unwrap_or(Path::new("/"));
    let lexical = absolute(&parent.join(&text)).map_err(|e| e.to_string())?;
    Ok((text, lexical))
}

/// Makes `link` a junction to the host path `target` when both lie in one
/// ntlinkfs mount (`MOUNT/C/a/b` is `C:\a\b`), ntfs-3g style: an empty
/// directory plus the reparse buffer. None when they are not on a mount.
#[cfg(unix)]
fn junction_on_mount(
    mount_root: MountRoot,
    link: &Path,
    target: &Path,
) -> Option<io::Result<String>> {
    let root = mount_root(link.parent()?)?;
    let root = absolute(&root).ok()?;
    let mut parts = target.strip_prefix(&root).ok()?.components();
    // The volume directories of the Linux view are named by their letter.
    let letter = letter_alone(parts.next()?.as_os_str().to_str()?)?;
    let rest: Option<Vec<&str>> = parts.map(|c| c.as_os_str().to_str()).collect();
    let win = format!("{}:\\{}", char::from(letter), rest?.join("\\"));
    let nt = nt_drive_target(&win)?;
    let buffer = ntlinkfs_core::ReparseData::mount_point(&nt, &win).encode();
    Some(set_raw(link, &buffer, true).map(|()| win))
}

#[cfg(not(unix))]
fn junction_on_mount(
    _mount_root: MountRoot,
    _link: &Path,
    _target: &Path,
) -> Option<io::Result<String>> {
    None
}

/// The link itself: ntfs-3g style where the destination takes the reparse
/// attribute (a junction stays a junction), else a symlink with the same text.
fn copy_link_raw(src: &Path, dst: &Path, raw: Option<&[u8]>, is_dir: bool) -> Result<(), String> {
    if let Some(raw) = raw {
        if set_raw(dst, raw, is_dir).is_ok() {
            if let Some(a) = get_xattr(src, ATTRIB_XATTR) {
                let _ = set_xattr(dst, ATTRIB_XATTR, &a);
            }
            return Ok(());
        }
    }
    fs::read_link(src)
        .and_then(|t| symlink(&t, dst))
        .map_err(|e| e.to_string())
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
    use crate::copy::{DirLinkPolicy, FileLinkPolicy, HardLinkPolicy, Outside, PartialGroup};
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
        copy(src, dst, &opts, |_| None, &mut |_| {}).unwrap()
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
        assert_eq!(r.action_of(src.join("in")), Some(&Action::CopiedAsLink));
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
            r.action_of(src.join("b/up")),
            Some(&Action::NotFollowedLoop)
        );
        assert!(fs::symlink_metadata(dst.join("b/up")).is_err());
        assert!(fs::symlink_metadata(dst.join("in")).unwrap().is_dir());
        assert_eq!(fs::read(dst.join("abs/o.txt")).unwrap(), b"o");
        assert!(matches!(
            r.action_of(src.join("dang")),
            Some(Action::NotFollowedDangling(_))
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
            r.action_of(src.join("in")),
            Some(&Action::Remapped { target: "a".into() })
        );
        assert_eq!(
            fs::canonicalize(dst.join("b/up")).unwrap(),
            fs::canonicalize(&dst).unwrap()
        );
        assert!(matches!(
            r.action_of(src.join("abs")),
            Some(Action::KeptOutside {
                why: OutsideReason::OutsideTree,
                ..
            })
        ));
        assert_eq!(fs::read(dst.join("abs/o.txt")).unwrap(), b"o");
        let (_t, src, dst) = tree();
        let r = run(&src, &dst, dirs(DirLinkPolicy::Remap(Outside::Skip)));
        assert_eq!(
            r.action_of(src.join("abs")),
            Some(&Action::SkippedOutside {
                why: OutsideReason::OutsideTree
            })
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
    /// would block), and listed under their WSL tags as the emulated copy lists
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
        assert_eq!(kind("pipe").action, Action::CopiedAsLink);
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
        assert_eq!(
            r.partial_groups,
            vec![PartialGroup {
                copied: vec![src.join("a/f.txt")],
                link_count: 2
            }]
        );
        assert_eq!(
            copy(
                &src,
                &src.join("a/inner"),
                &CopyOptions::default(),
                |_| None,
                &mut |_| {}
            )
            .unwrap_err(),
            "Cannot perform a cyclic copy"
        );
        assert!(!src.join("a/inner").exists());
    }
}
