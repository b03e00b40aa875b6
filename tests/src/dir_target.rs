//! The `dir:PATH` target: any mounted filesystem, driven through its Linux
//! interface and the ntfs-3g extended attributes, with PATH (the root of the
//! mount) standing for the volume root `C:\`. Made for ntfs-3g, the NTFS
//! implementation Linux has: links are made as NTFS makes them, with
//! `system.ntfs_reparse_data` on an empty file or directory (a junction, a
//! symbolic link of either flavour), and read back the same way.
//!
//! One volume only (`D:` is refused), and what POSIX cannot say is refused
//! with `Failure::Inexpressible` as the FUSE target refuses it; so is
//! `rename(2)` onto a directory, which POSIX allows (an empty one is replaced)
//! and MoveFileEx never does.
//!
//! The run starts on an empty volume: entries PATH holds when the target is
//! opened (`.NTFS-3G`, `System Volume Information`, `lost+found`) are kept,
//! hidden from listings, and must not be names the generator uses; everything
//! else is removed before and after each sequence.

use crate::posix_io::{
    errno, getxattr, info, lsetxattr, plain_file_op, rename, substitute_of, XATTR_REPARSE,
};
use crate::scenario::{Env, Op};
use crate::tables::{mount_point_buf, symlink_buf};
use crate::target::{Failure, Observed, Target};
use ntlinkfs_core::path;
use ntlinkfs_core::PosixOp;
use std::ffi::OsString;
use std::fs::{self, File};
use std::io;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};

/// A mounted filesystem's root as `C:\`.
pub struct DirTarget {
    root: PathBuf,
    /// Entries the filesystem had before the run: kept and hidden.
    keep: Vec<OsString>,
    open: Vec<File>,
}

impl DirTarget {
    /// Opens `root` after checking that it is the root of a mount and holds
    /// none of the names in `generated` (compared ignoring case).
    pub fn open(root: &Path, generated: &[&str]) -> Result<DirTarget, String> {
        let md = fs::metadata(root).map_err(|e| format!("dir:{}: {e}", root.display()))?;
        if !md.is_dir() {
            return Err(format!("dir:{}: not a directory", root.display()));
        }
        let parent =
            fs::metadata(root.join("..")).map_err(|e| format!("dir:{}/..: {e}", root.display()))?;
        if parent.dev() == md.dev() && parent.ino() != md.ino() {
            return Err(format!(
                "dir:{}: not the root of a mounted filesystem (it stands for the volume root C:\\; \
                 mount the filesystem there, e.g. ntfs-3g IMAGE {})",
                root.display(),
                root.display()
            ));
        }
        let mut keep = Vec::new();
        let rd = fs::read_dir(root).map_err(|e| format!("dir:{}: {e}", root.display()))?;
        for e in rd {
            let e = e.map_err(|e| format!("dir:{}: {e}", root.display()))?;
            let name = e.file_name();
            let text = name.to_string_lossy();
            if generated.iter().any(|g| g.eq_ignore_ascii_case(&text)) {
                return Err(format!(
                    "dir:{}: holds {text:?}, a name the run creates and deletes; \
                     use a freshly made filesystem",
                    root.display()
                ));
            }
            keep.push(name);
        }
        Ok(DirTarget {
            root: root.to_path_buf(),
            keep,
            open: Vec::new(),
        })
    }

    /// `C:\a\b` → `PATH/a/b`.
    fn host(&self, win: &str) -> Result<PathBuf, Failure> {
        let no = |why: &str| Err(Failure::Inexpressible(format!("{win:?}: {why}")));
        let Some((letter, rest)) = path::split_drive_root(win) else {
            return no("dir:PATH takes drive paths only");
        };
        if !letter.eq_ignore_ascii_case(&b'C') {
            return no("dir:PATH is one volume, C:");
        }
        if win.contains('/') {
            return no("'/' is a Win32 separator but not a POSIX name character");
        }
        let mut p = self.root.clone();
        for c in rest.split('\\').filter(|c| !c.is_empty()) {
            if c == "." || c == ".." {
                return no("Win32 collapses . and .. lexically (P1); POSIX does not");
            }
            if c.ends_with('.') || c.ends_with(' ') {
                return no("Win32 strips trailing dots and spaces (N6); POSIX keeps them");
            }
            p.push(c);
        }
        Ok(p)
    }

    /// Removes everything but the kept entries.
    fn clean(&mut self) -> Result<(), String> {
        self.open.clear();
        let rd = fs::read_dir(&self.root).map_err(|e| format!("{}: {e}", self.root.display()))?;
        for e in rd {
            let e = e.map_err(|e| format!("{}: {e}", self.root.display()))?;
            if self.keep.contains(&e.file_name()) {
                continue;
            }
            remove_any(&e.path()).map_err(|err| format!("{}: {err}", e.path().display()))?;
        }
        Ok(())
    }

    /// Gives an empty file or directory the reparse point `buf`. The kernel
    /// still holds the node as a file or directory; the one `lstat(2)` after
    /// the change makes it look again and see a symbolic link (ntfs-3g shows
    /// reparse points so), so later calls do not fail with EIO.
    fn set_reparse(&self, host: &Path, buf: &[u8], dir: bool) -> Result<(), Failure> {
        if let Err(e) = lsetxattr(host, XATTR_REPARSE, buf) {
            let _ = if dir {
                fs::remove_dir(host)
            } else {
                fs::remove_file(host)
            };
            return Err(errno(e, PosixOp::Setxattr));
        }
        let _ = fs::symlink_metadata(host);
        Ok(())
    }
}

/// Removes a file, a link (ntfs-3g shows junctions as symbolic links) or a
/// directory tree.
fn remove_any(p: &Path) -> io::Result<()> {
    let md = fs::symlink_metadata(p)?;
    if md.is_dir() {
        fs::remove_dir_all(p)
    } else {
        fs::remove_file(p).or_else(|_| fs::remove_dir(p))
    }
}

impl Target for DirTarget {
    fn name(&self) -> &'static str {
        "dir"
    }

    fn is_posix(&self) -> bool {
        true
    }

    fn begin(&mut self, env: &Env) -> Result<(), String> {
        if env.volumes.first().map(|v| v.0) != Some('C') {
            return Err("dir:PATH stands for C: only".into());
        }
        self.clean()
    }

    fn apply(&mut self, op: &Op) -> Result<Observed, Failure> {
        use PosixOp as P;
        let unit =
            |r: io::Result<()>, op: PosixOp| r.map(|()| Observed::Unit).map_err(|e| errno(e, op));
        if let Some(r) = plain_file_op(op, |p| self.host(p)) {
            return r;
        }
        match op {
            Op::Symlink {
                link,
                target,
                flags,
            } => {
                // As CreateSymbolicLink stores it (S5): an absolute target as
                // \??\X:\…, a relative one as written with SYMLINK_FLAG_RELATIVE.
                let buf = match path::nt_drive_target(target) {
                    Some(nt) => symlink_buf(&nt, target, 0),
                    None if path::split_drive_root(target).is_none() => {
                        symlink_buf(target, target, 1)
                    }
                    None => {
                        return Err(Failure::Inexpressible(format!(
                            "{target:?}: a drive-relative target"
                        )))
                    }
                };
                let host = self.host(link)?;
                if flags.directory {
                    fs::create_dir(&host).map_err(|e| errno(e, P::Symlink))?;
                } else {
                    fs::OpenOptions::new()
                        .write(true)
                        .create_new(true)
                        .open(&host)
                        .map_err(|e| errno(e, P::Symlink))?;
                }
                self.set_reparse(&host, &buf, flags.directory)?;
                Ok(Observed::Unit)
            }
            Op::Junction { link, target } => {
                let Some(nt) = path::nt_drive_target(target) else {
                    return Err(Failure::Inexpressible(
                        "a relative junction target needs mklink's current directory (J8)".into(),
                    ));
                };
                let host = self.host(link)?;
                fs::create_dir(&host).map_err(|e| errno(e, P::Other))?;
                let mut print = target.clone();
                if print.len() == 2 {
                    print.push('\\');
                }
                self.set_reparse(&host, &mount_point_buf(&nt, &print), true)?;
                Ok(Observed::Unit)
            }
            Op::GetReparse(p) => getxattr(&self.host(p)?, XATTR_REPARSE, false)
                .map(Observed::Bytes)
                .map_err(|e| errno(e, P::Getxattr)),
            Op::ReadLink(p) => {
                let buf = getxattr(&self.host(p)?, XATTR_REPARSE, false)
                    .map_err(|e| errno(e, P::Getxattr))?;
                substitute_of(&buf)
                    .map(Observed::Text)
                    .ok_or_else(|| Failure::Harness("reparse data is not a link".into()))
            }
            Op::Delete(p) => unit(fs::remove_file(self.host(p)?), P::Unlink),
            Op::RemoveDir(p) => unit(fs::remove_dir(self.host(p)?), P::Rmdir),
            Op::Move {
                from,
                to,
                replace,
                copy_allowed: false,
            } => {
                let (from, to) = (self.host(from)?, self.host(to)?);
                let onto_dir = fs::symlink_metadata(&to).is_ok_and(|m| m.is_dir());
                if *replace && onto_dir {
                    return Err(Failure::Inexpressible(
                        "rename(2) replaces an empty directory; MoveFileEx never does".into(),
                    ));
                }
                match rename(&from, &to, !replace) {
                    // A FUSE filesystem without rename2 (ntfs-3g) refuses the
                    // flag; what a program does then: look first, then rename.
                    Err(e) if !replace && e.raw_os_error() == Some(libc::EINVAL) => {
                        if fs::symlink_metadata(&to).is_ok() && fs::symlink_metadata(&from).is_ok()
                        {
                            return Err(Failure::Errno(libc::EEXIST, P::Rename));
                        }
                        unit(rename(&from, &to, false), P::Rename)
                    }
                    r => unit(r, P::Rename),
                }
            }
            Op::Stat(p) => info(&self.host(p)?, true).map(Observed::Info),
            Op::Lstat(p) => info(&self.host(p)?, false).map(Observed::Info),
            Op::List(p) => {
                let host = self.host(p)?;
                let at_root = host == self.root;
                let rd = fs::read_dir(&host).map_err(|e| errno(e, P::Other))?;
                let mut names = Vec::new();
                for e in rd {
                    let e = e.map_err(|e| errno(e, P::Other))?;
                    if at_root && self.keep.contains(&e.file_name()) {
                        continue;
                    }
                    names.push(e.file_name().to_string_lossy().into_owned());
                }
                Ok(Observed::Entries(names))
            }
            Op::Open {
                path,
                share_delete: true,
            } => {
                let f = File::open(self.host(path)?).map_err(|e| errno(e, P::Open))?;
                self.open.push(f);
                Ok(Observed::Unit)
            }
            Op::CloseAll => {
                self.open.clear();
                Ok(Observed::Unit)
            }
            other => Err(Failure::Inexpressible(format!(
                "dir:PATH does not drive {}",
                other.verb()
            ))),
        }
    }

    fn end(&mut self) {
        if let Err(e) = self.clean() {
            eprintln!(
                "ntlinkfs-conformance: cleaning dir:{}: {e}",
                self.root.display()
            );
        }
    }
}
