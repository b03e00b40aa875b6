//! The `FuseMount` target: each row gets a fresh machine mounted through
//! `ntlinkfs-fuse`, and every operation goes through `std::fs`, `link(2)`,
//! `symlink(2)`, `renameat2(2)` and the ntfs-3g extended attributes, as a Linux
//! program would do it. Errors come back as errno values and are judged through
//! `ntlinkfs_core::errno_for` with the POSIX operation that produced them.
//!
//! What POSIX cannot say (Win32 path normalisation, share modes, handle-based
//! delete dispositions, the current directory of a drive) is refused with
//! `Failure::Inexpressible`, so the row is skipped with that reason.

use crate::core_target::machine_for;
use crate::posix_io::{
    errno, getxattr, info, lremovexattr, lsetxattr, plain_file_op, rename, substitute_of,
    XATTR_ATTRIB, XATTR_REPARSE,
};
use crate::scenario::{Env, Op};
use crate::tables::mount_point_buf;
use crate::target::{Failure, Observed, Target};
use ntlinkfs_core::path::{self, PathType};
use ntlinkfs_core::{wtf, PosixOp, Profile, Shared};
use std::ffi::CString;
use std::fs::{self, File};
use std::io;
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

const XATTR_NAMES: &str = "system.ntlinkfs_names";

static MOUNTS: AtomicUsize = AtomicUsize::new(0);

/// Runs rows through a FUSE mount of the core.
pub struct FuseMount {
    base: PathBuf,
    mount: Option<ntlinkfs_fuse::Mount>,
    point: PathBuf,
    profile: Option<Profile>,
    open: Vec<File>,
}

impl FuseMount {
    /// Checks that a mount can be made here (root, /dev/fuse) by making one.
    pub fn probe() -> Result<FuseMount, String> {
        if !Path::new("/dev/fuse").exists() {
            return Err("/dev/fuse does not exist (no FUSE in this kernel or container)".into());
        }
        let base =
            std::env::temp_dir().join(format!("ntlinkfs-conformance-{}", std::process::id()));
        fs::create_dir_all(&base).map_err(|e| format!("{}: {e}", base.display()))?;
        let mut t = FuseMount {
            base,
            mount: None,
            point: PathBuf::new(),
            profile: None,
            open: Vec::new(),
        };
        t.begin(&Env::default())
            .map_err(|e| format!("mounting failed: {e}"))?;
        t.end();
        Ok(t)
    }

    /// `C:\a\b` → `<mount>/C/a/b`; Win32-only path syntax is refused.
    fn host(&self, win: &str) -> Result<PathBuf, Failure> {
        let no = |why: &str| Err(Failure::Inexpressible(format!("{win:?}: {why}")));
        if matches!(
            path::path_type_str(win),
            PathType::UncAbsolute
                | PathType::Verbatim
                | PathType::NtObject
                | PathType::LocalDevice
                | PathType::RootLocalDevice
        ) {
            return no("\\\\?\\ and UNC prefixes are Win32 syntax");
        }
        let Some((letter, rest)) = path::split_drive_root(win) else {
            return no("relative Win32 paths need a per-drive current directory");
        };
        if win.contains('/') {
            return no("'/' is a Win32 separator but not a POSIX name character");
        }
        let mut p = self.point.join((letter as char).to_string());
        for c in rest.split('\\') {
            if c.is_empty() {
                continue;
            }
            if c == "." || c == ".." {
                return no("Win32 collapses . and .. lexically (P1); POSIX does not");
            }
            if c.ends_with('.') || c.ends_with(' ') {
                return no("Win32 strips trailing dots and spaces (N6); POSIX keeps them");
            }
            // `%U+hhhh%` units reach the mount as WTF-8 (N3, docs/mount-linux.md).
            p.push(std::ffi::OsStr::from_bytes(&wtf::to_wtf8(&wtf::unescape(
                c,
            ))));
        }
        if win.ends_with('\\') && win.len() > 3 {
            p.push("");
        }
        Ok(p)
    }

    /// `<mount>/C/a/b` → `C:\a\b`.
    fn win(&self, host: &Path) -> Option<String> {
        let rest = host.strip_prefix(&self.point).ok()?;
        let mut comps = rest.iter().map(|c| c.to_string_lossy().into_owned());
        let letter = comps.next()?;
        let tail: Vec<String> = comps.collect();
        Some(format!("{letter}:\\{}", tail.join("\\")))
    }
}

impl Target for FuseMount {
    fn name(&self) -> &'static str {
        "fuse"
    }

    fn is_posix(&self) -> bool {
        true
    }

    fn begin(&mut self, env: &Env) -> Result<(), String> {
        let m = machine_for(env)?;
        self.profile = Some(*m.profile());
        let n = MOUNTS.fetch_add(1, Ordering::Relaxed);
        self.point = self.base.join(format!("m{n}"));
        fs::create_dir_all(&self.point).map_err(|e| format!("{}: {e}", self.point.display()))?;
        let mount = ntlinkfs_fuse::mount(Shared::new(m), &self.point, &Default::default())
            .map_err(|e| format!("mount at {}: {e}", self.point.display()))?;
        self.mount = Some(mount);
        Ok(())
    }

    fn apply(&mut self, op: &Op) -> Result<Observed, Failure> {
        use PosixOp as P;
        let unit =
            |r: io::Result<()>, op: PosixOp| r.map(|()| Observed::Unit).map_err(|e| errno(e, op));
        if let Some(r) = plain_file_op(op, |p| self.host(p)) {
            return r;
        }
        match op {
            Op::MkDir(_)
            | Op::Write(..)
            | Op::CreateNew(_)
            | Op::Append(..)
            | Op::Read(_)
            | Op::HardLink { .. } => unreachable!("plain_file_op made these calls"),
            Op::HardLinkReplace { .. } => Err(Failure::Inexpressible(
                "link(2) has no ReplaceIfExists".into(),
            )),
            Op::Symlink {
                link,
                target,
                flags,
            } => {
                // symlink(2) passes the flag exactly when the profile knows it;
                // a row whose own choice would end differently cannot be said.
                let outcome = |p: &Profile, flag: bool| {
                    (
                        flag && !p.knows_unprivileged_flag(),
                        p.symlink_creation_allowed(flag),
                    )
                };
                let differs = self.profile.is_some_and(|p| {
                    outcome(&p, flags.unprivileged) != outcome(&p, p.knows_unprivileged_flag())
                });
                if differs {
                    return Err(Failure::Inexpressible(
                        "symlink(2) passes ALLOW_UNPRIVILEGED_CREATE exactly when the profile knows it".into(),
                    ));
                }
                let host = self.host(link)?;
                // `%U+hhhh%` in the table is one unit: WTF-8 through the mount (N3).
                let text = wtf::to_wtf8(&wtf::unescape(target));
                std::os::unix::fs::symlink(std::ffi::OsStr::from_bytes(&text), &host)
                    .map_err(|e| errno(e, P::Symlink))?;
                let dir = getxattr(&host, XATTR_ATTRIB, false)
                    .ok()
                    .and_then(|v| v.try_into().ok())
                    .map(u32::from_le_bytes)
                    .is_some_and(|a| a & 0x10 != 0);
                if dir != flags.directory {
                    let _ = if dir {
                        fs::remove_dir(&host)
                    } else {
                        fs::remove_file(&host)
                    };
                    let _ = fs::remove_file(&host);
                    return Err(Failure::Inexpressible(
                        "symlink(2) takes the link's flavour from its target (S1)".into(),
                    ));
                }
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
                let r = lsetxattr(&host, XATTR_REPARSE, &mount_point_buf(&nt, &print));
                if let Err(e) = r {
                    let _ = fs::remove_dir(&host);
                    return Err(errno(e, P::Setxattr));
                }
                Ok(Observed::Unit)
            }
            Op::SetReparse { path, buffer } => unit(
                lsetxattr(&self.host(path)?, XATTR_REPARSE, buffer),
                P::Setxattr,
            ),
            Op::GetReparse(p) => getxattr(&self.host(p)?, XATTR_REPARSE, false)
                .map(Observed::Bytes)
                .map_err(|e| errno(e, P::Getxattr)),
            Op::DeleteReparse { path, request } => {
                let host = self.host(path)?;
                let stored =
                    getxattr(&host, XATTR_REPARSE, false).map_err(|e| errno(e, P::Removexattr))?;
                // The one request removexattr(2) stands for: the stored tag with an
                // 8-byte header (Microsoft tags) or with the stored GUID.
                let microsoft = stored.get(3).is_some_and(|b| b & 0x80 != 0);
                let canonical = match request.len() {
                    8 => microsoft && request[..4] == stored[..4] && request[4..] == [0; 4],
                    24 => {
                        !microsoft
                            && request[..4] == stored[..4]
                            && request[4..8] == [0; 4]
                            && stored.get(8..24) == Some(&request[8..24])
                    }
                    _ => false,
                };
                if !canonical {
                    return Err(Failure::Inexpressible(
                        "removexattr(2) takes no FSCTL_DELETE_REPARSE_POINT request buffer".into(),
                    ));
                }
                unit(lremovexattr(&host, XATTR_REPARSE), P::Removexattr)
            }
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
                copy_allowed,
            } => {
                if *copy_allowed && !from.as_bytes()[0].eq_ignore_ascii_case(&to.as_bytes()[0]) {
                    return Err(Failure::Inexpressible(
                        "rename(2) never copies across volumes (MOVEFILE_COPY_ALLOWED)".into(),
                    ));
                }
                unit(
                    rename(&self.host(from)?, &self.host(to)?, !replace),
                    P::Rename,
                )
            }
            Op::SetAttrs(p, a) => unit(
                lsetxattr(&self.host(p)?, XATTR_ATTRIB, &a.to_le_bytes()),
                P::Setxattr,
            ),
            Op::Stat(p) => info(&self.host(p)?, true).map(Observed::Info),
            Op::Lstat(p) => info(&self.host(p)?, false).map(Observed::Info),
            Op::List(p) => {
                let rd = fs::read_dir(self.host(p)?).map_err(|e| errno(e, P::Other))?;
                let mut names = Vec::new();
                for e in rd {
                    let e = e.map_err(|e| errno(e, P::Other))?;
                    let units = wtf::from_wtf8(e.file_name().as_bytes())
                        .ok_or_else(|| Failure::Harness("a listed name is not WTF-8".into()))?;
                    names.push(wtf::escape(&units));
                }
                Ok(Observed::Entries(names))
            }
            Op::Names(p) => {
                let v = getxattr(&self.host(p)?, XATTR_NAMES, true)
                    .map_err(|e| errno(e, P::Getxattr))?;
                let text = String::from_utf8_lossy(&v).into_owned();
                Ok(Observed::Entries(
                    text.lines().map(str::to_string).collect(),
                ))
            }
            Op::FinalPath(p) => {
                let real = fs::canonicalize(self.host(p)?).map_err(|e| errno(e, P::Other))?;
                self.win(&real).map(Observed::Text).ok_or_else(|| {
                    Failure::Harness(format!("{} is outside the mount", real.display()))
                })
            }
            Op::Chdir(_) => Err(Failure::Inexpressible(
                "the POSIX view has no per-drive current directory".into(),
            )),
            Op::RemoveTree(p) => unit(fs::remove_dir_all(self.host(p)?), P::Rmdir),
            Op::QueryDirectory { .. } | Op::FindFirstFile(_) => Err(Failure::Inexpressible(
                "directory information classes and FindFirstFileW are NT/Win32 calls (J18)".into(),
            )),
            Op::DelS { .. } => Err(Failure::Inexpressible(
                "del /s is the walk of cmd.exe (J34)".into(),
            )),
            Op::ExplorerDelete(_) => Err(Failure::Inexpressible(
                "Explorer's delete is a Windows shell behaviour".into(),
            )),
            Op::Open { path, share_delete } => {
                if !share_delete {
                    return Err(Failure::Inexpressible(
                        "POSIX open(2) has no share modes".into(),
                    ));
                }
                let f = File::open(self.host(path)?).map_err(|e| errno(e, P::Open))?;
                self.open.push(f);
                Ok(Observed::Unit)
            }
            Op::MarkDelete => Err(Failure::Inexpressible(
                "POSIX has no delete disposition on an open handle".into(),
            )),
            Op::MakeSpecial {
                path,
                kind,
                mode,
                rdev,
            } => {
                let host = self.host(path)?;
                let c = CString::new(host.as_os_str().as_bytes())
                    .map_err(|e| Failure::Harness(e.to_string()))?;
                let st_mode = kind.type_bits() | u32::from(*mode);
                // SAFETY: `c` is a valid NUL-terminated path for the call.
                let r = unsafe { libc::mknod(c.as_ptr(), st_mode, libc::makedev(rdev.0, rdev.1)) };
                if r == 0 {
                    Ok(Observed::Unit)
                } else {
                    Err(errno(std::io::Error::last_os_error(), P::Other))
                }
            }
            Op::OpenHandle { .. }
            | Op::Close(_)
            | Op::Duplicate(_)
            | Op::HandleStat(_)
            | Op::HandleRead(_)
            | Op::Disposition { .. }
            | Op::NameByHandle { .. }
            | Op::SetReparseByHandle { .. }
            | Op::SetDacl { .. } => Err(Failure::Inexpressible(
                "POSIX open(2) has no access masks, share modes or NT handle calls".into(),
            )),
            Op::CloseAll => {
                self.open.clear();
                Ok(Observed::Unit)
            }
        }
    }

    fn end(&mut self) {
        self.open.clear();
        if let Some(m) = self.mount.take() {
            if let Err(e) = m.unmount() {
                eprintln!(
                    "ntlinkfs-conformance: unmount {}: {e}",
                    self.point.display()
                );
            }
        }
        let _ = fs::remove_dir(&self.point);
    }
}

impl Drop for FuseMount {
    fn drop(&mut self) {
        self.end();
        let _ = fs::remove_dir(&self.base);
    }
}
