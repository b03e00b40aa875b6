//! `ntlinkfs audit` of a host path: a mounted volume (or any directory) is a
//! POSIX tree, scanned with std::fs without following symlinks. The NTFS kind
//! of a link comes from the ntfs-3g attributes where the mount has them, and
//! on an ntlinkfs mount a hard-linked file's every name (outside the tree too)
//! comes from `system.ntlinkfs_names`; elsewhere only the names met are known.
//! This is the host's [`AuditTree`]; counting and grouping are the audit's.

use crate::audit::{scan, Audit, AuditTree, Counted, Found, LinkEntry, LinkKind};
use crate::host_copy::{link_kind, normalize, special_kind, MountRoot, REPARSE_XATTR};
use crate::tree::Host;
use std::fs;
use std::path::{Path, PathBuf};

/// The attribute an ntlinkfs mount lists a file's names in (one per line,
/// volume-relative, as `fsutil hardlink list` prints them).
const NAMES_XATTR: &str = "system.ntlinkfs_names";

/// An audit of a host tree.
pub type HostAudit = Audit<Host>;

/// The volume a path lies on: its volume directory inside an ntlinkfs mount,
/// else its device.
fn volume_of(p: &Path, mount: Option<&Path>) -> Option<String> {
    if let Some(root) = mount {
        let rest = p.strip_prefix(root).ok()?;
        return rest
            .components()
            .next()
            .map(|c| c.as_os_str().to_string_lossy().into_owned());
    }
    use std::os::unix::fs::MetadataExt;
    fs::metadata(p).ok().map(|m| m.dev().to_string())
}

/// A host directory as the audit scans it.
struct HostTree {
    /// The scanned directory, canonical.
    canon: PathBuf,
    /// The ntlinkfs mount it lies in, if any.
    mount: Option<PathBuf>,
}

/// Scans the host tree at `root` without following links.
pub fn audit(root: &Path, mount_root: MountRoot) -> Result<HostAudit, String> {
    let canon = fs::canonicalize(root).map_err(|e| format!("{}: {e}", root.display()))?;
    if !canon.is_dir() {
        return Err(format!("{} is not a directory", root.display()));
    }
    let mount = mount_root(&canon).and_then(|m| fs::canonicalize(m).ok());
    scan(&mut HostTree { canon, mount })
}

impl AuditTree for HostTree {
    type Kind = Host;

    fn root(&self) -> PathBuf {
        self.canon.clone()
    }

    fn entries(&mut self) -> Result<Vec<Found<Host>>, String> {
        use std::os::unix::fs::MetadataExt;
        let mut out = Vec::new();
        let mut stack = vec![self.canon.clone()];
        while let Some(dir) = stack.pop() {
            let mut entries: Vec<PathBuf> = match fs::read_dir(&dir) {
                Ok(rd) => rd.filter_map(Result::ok).map(|e| e.path()).collect(),
                Err(e) => return Err(format!("{}: {e}", dir.display())),
            };
            entries.sort();
            let mut subdirs = Vec::new();
            for p in entries {
                let Ok(md) = fs::symlink_metadata(&p) else {
                    continue;
                };
                let (counted, links, link) = if md.file_type().is_symlink() {
                    let link = audit_link(&p, &self.canon, self.mount.as_deref());
                    (Counted::Neither, 1, Some(link))
                } else if md.is_dir() {
                    subdirs.push(p.clone());
                    (Counted::Directory, 1, None)
                } else if let Some(kind) = special_kind(&md) {
                    // A FIFO, socket or device: a file listed under its WSL tag, as
                    // the emulated audit counts and lists a file with that reparse tag.
                    let link =
                        LinkEntry::new(p.clone(), LinkKind::Other(kind.tag()), String::new());
                    (Counted::File, 1, Some(link))
                } else {
                    (Counted::File, md.nlink(), None)
                };
                out.push(Found {
                    path: p,
                    id: (md.dev(), md.ino()),
                    counted,
                    links,
                    link_count: md.nlink(),
                    size: md.len(),
                    link,
                });
            }
            subdirs.reverse();
            stack.extend(subdirs);
        }
        Ok(out)
    }

    fn names(&self, file: &Found<Host>) -> Result<Vec<PathBuf>, String> {
        Ok(all_names(&file.path, self.mount.as_deref()))
    }

    fn inside(&self, path: &PathBuf) -> bool {
        path.starts_with(&self.canon)
    }
}

/// Every name of a file on an ntlinkfs mount, as host paths; elsewhere none
/// (the names met during the scan are added by the caller).
fn all_names(p: &Path, mount: Option<&Path>) -> Vec<PathBuf> {
    let Some(root) = mount else {
        return Vec::new();
    };
    let Some(volume) = volume_of(p, Some(root)) else {
        return Vec::new();
    };
    let Some(raw) = xattr::get(p, NAMES_XATTR).ok().flatten() else {
        return Vec::new();
    };
    String::from_utf8_lossy(&raw)
        .lines()
        .map(|l| {
            let rel: PathBuf = l.split('\\').filter(|s| !s.is_empty()).collect();
            root.join(&volume).join(rel)
        })
        .collect()
}

fn audit_link(p: &Path, root: &Path, mount: Option<&Path>) -> LinkEntry<Host> {
    let raw = xattr::get(p, REPARSE_XATTR).ok().flatten();
    let kind = link_kind(p, raw.as_deref());
    let text = fs::read_link(p).unwrap_or_default();
    let parent = p.parent().unwrap_or(Path::new("/"));
    let mut e = LinkEntry::new(p.to_path_buf(), kind, text.display().to_string());
    match fs::canonicalize(p) {
        Ok(t) => {
            e.is_loop = parent.starts_with(&t);
            e.escapes = !t.starts_with(root);
            e.cross_volume = volume_of(&t, mount) != volume_of(parent, mount);
            e.resolves_to = Some(t);
        }
        Err(err) => {
            e.dangling = err.kind() == std::io::ErrorKind::NotFound;
            e.is_loop = err.raw_os_error() == Some(40); // ELOOP
            let lexical = normalize(&parent.join(&text));
            e.escapes = !lexical.starts_with(root);
            e.cross_volume =
                mount.is_some() && volume_of(&lexical, mount) != volume_of(parent, mount);
            e.error = Some(err.to_string());
        }
    }
    e
}

#[cfg(test)]
mod tests {
    //! ```text
    //! t/
    //!   a/f.txt        (2 names: a/f.txt, b/g.txt)
    //!   b/g.txt
    //!   b/up  -> ..    (loop)
    //!   gone  -> nope  (dangling)
    //!   out   -> <outside>
    //! ```
    use super::*;
    use std::os::unix::fs::symlink;

    #[test]
    fn host_audit_reports_groups_loops_dangling_and_escapes() {
        let d = tempfile::tempdir().unwrap();
        let t = d.path().join("t");
        let outside = d.path().join("outside");
        fs::create_dir_all(t.join("a")).unwrap();
        fs::create_dir_all(t.join("b")).unwrap();
        fs::create_dir_all(&outside).unwrap();
        fs::write(t.join("a/f.txt"), b"f").unwrap();
        fs::hard_link(t.join("a/f.txt"), t.join("b/g.txt")).unwrap();
        symlink("..", t.join("b/up")).unwrap();
        symlink("nope", t.join("gone")).unwrap();
        symlink(&outside, t.join("out")).unwrap();
        let a = audit(&t, |_| None).unwrap();
        let root = fs::canonicalize(&t).unwrap();
        assert_eq!((a.directories, a.files), (2, 2));
        assert_eq!(a.hard_link_groups.len(), 1);
        let names: Vec<(PathBuf, bool)> = a.hard_link_groups[0]
            .names
            .iter()
            .map(|n| (n.path.clone(), n.inside))
            .collect();
        assert_eq!(
            names,
            vec![(root.join("a/f.txt"), true), (root.join("b/g.txt"), true)]
        );
        let find = |n: &str| a.links.iter().find(|l| l.path == root.join(n)).unwrap();
        let up = find("b/up");
        assert!(up.is_loop && !up.escapes && !up.dangling);
        assert_eq!(up.kind, LinkKind::DirectorySymlink);
        let gone = find("gone");
        assert!(gone.dangling && !gone.is_loop && !gone.escapes);
        assert_eq!(gone.kind, LinkKind::FileSymlink);
        assert!(find("out").escapes);
        let v = crate::audit::to_json(&a);
        assert_eq!(v["summary"]["loops"], 1);
        assert_eq!(v["summary"]["dangling"], 1);
        assert!(a.to_string().contains("DANGLING"));
    }

    /// A FIFO is a file listed under its WSL tag (LX_FIFO), as the emulated audit
    /// counts and lists a file with that reparse tag.
    #[test]
    fn host_audit_lists_special_files_under_their_wsl_tag() {
        let d = tempfile::tempdir().unwrap();
        fs::write(d.path().join("f.txt"), b"f").unwrap();
        let p = std::ffi::CString::new(d.path().join("pipe").to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(p.as_ptr(), 0o600) }, 0);
        let a = audit(d.path(), |_| None).unwrap();
        assert_eq!((a.directories, a.files, a.links.len()), (0, 2, 1));
        let l = &a.links[0];
        assert_eq!(l.kind.label(), "LX_FIFO");
        assert_eq!(l.kind, LinkKind::Other(0x8000_0024));
        assert!(!(l.dangling || l.is_loop || l.cross_volume || l.escapes));
    }
}
