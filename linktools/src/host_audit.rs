//! `ntlinkfs audit` of a host path: a mounted volume (or any directory) is a
//! POSIX tree, scanned with std::fs without following symlinks. The NTFS kind
//! of a link comes from the ntfs-3g attributes where the mount has them, and
//! on an ntlinkfs mount a hard-linked file's every name (outside the tree too)
//! comes from `system.ntlinkfs_names`; elsewhere only the names met are known.

use crate::audit::{kind_name, LinkKind, Table};
use crate::host_copy::{link_kind, special_kind, MountRoot, REPARSE_XATTR};
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::fmt;
use std::fs;
use std::path::{Component, Path, PathBuf};

/// The attribute an ntlinkfs mount lists a file's names in (one per line,
/// volume-relative, as `fsutil hardlink list` prints them).
const NAMES_XATTR: &str = "system.ntlinkfs_names";

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostGroup {
    pub inode: u64,
    pub link_count: u64,
    pub size: u64,
    /// Every name, and whether it lies inside the scanned tree.
    pub names: Vec<(PathBuf, bool)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HostLinkEntry {
    pub path: PathBuf,
    pub kind: LinkKind,
    pub target: String,
    pub resolves_to: Option<PathBuf>,
    pub error: Option<String>,
    pub dangling: bool,
    pub is_loop: bool,
    pub cross_volume: bool,
    pub escapes: bool,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct HostAudit {
    pub root: PathBuf,
    pub directories: usize,
    pub files: usize,
    pub groups: Vec<HostGroup>,
    pub links: Vec<HostLinkEntry>,
}

impl HostAudit {
    fn count(&self, f: impl Fn(&HostLinkEntry) -> bool) -> usize {
        self.links.iter().filter(|l| f(l)).count()
    }
}

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

/// Scans the host tree at `root` without following links.
pub fn audit(root: &Path, mount_root: MountRoot) -> Result<HostAudit, String> {
    let canon = fs::canonicalize(root).map_err(|e| format!("{}: {e}", root.display()))?;
    if !canon.is_dir() {
        return Err(format!("{} is not a directory", root.display()));
    }
    let mount = mount_root(&canon).and_then(|m| fs::canonicalize(m).ok());
    let mut a = HostAudit {
        root: canon.clone(),
        ..Default::default()
    };
    let mut groups: BTreeMap<(u64, u64), HostGroup> = BTreeMap::new();
    let mut stack = vec![canon.clone()];
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
            if md.file_type().is_symlink() {
                a.links.push(audit_link(&p, &canon, mount.as_deref()));
            } else if md.is_dir() {
                a.directories += 1;
                subdirs.push(p);
            } else if let Some(kind) = special_kind(&md) {
                // A FIFO, socket or device: a file listed under its WSL tag, as
                // the core's audit counts and lists a file with that reparse tag.
                a.files += 1;
                a.links.push(HostLinkEntry {
                    path: p,
                    kind: LinkKind::Other(kind.tag()),
                    target: String::new(),
                    resolves_to: None,
                    error: None,
                    dangling: false,
                    is_loop: false,
                    cross_volume: false,
                    escapes: false,
                });
            } else {
                a.files += 1;
                {
                    use std::os::unix::fs::MetadataExt;
                    if md.nlink() > 1 {
                        let g = groups
                            .entry((md.dev(), md.ino()))
                            .or_insert_with(|| HostGroup {
                                inode: md.ino(),
                                link_count: md.nlink(),
                                size: md.len(),
                                names: all_names(&p, mount.as_deref()),
                            });
                        if !g.names.iter().any(|(n, _)| n == &p) {
                            g.names.push((p.clone(), true));
                        }
                    }
                }
            }
        }
        subdirs.reverse();
        stack.extend(subdirs);
    }
    a.groups = groups.into_values().collect();
    for g in &mut a.groups {
        for (n, inside) in &mut g.names {
            *inside = n.starts_with(&canon);
        }
    }
    Ok(a)
}

/// Every name of a file on an ntlinkfs mount, as host paths; elsewhere none
/// (the names met during the scan are added by the caller).
fn all_names(p: &Path, mount: Option<&Path>) -> Vec<(PathBuf, bool)> {
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
            (root.join(&volume).join(rel), false)
        })
        .collect()
}

fn audit_link(p: &Path, root: &Path, mount: Option<&Path>) -> HostLinkEntry {
    let raw = xattr::get(p, REPARSE_XATTR).ok().flatten();
    let kind = link_kind(p, raw.as_deref());
    let text = fs::read_link(p).unwrap_or_default();
    let parent = p.parent().unwrap_or(Path::new("/"));
    let mut e = HostLinkEntry {
        path: p.to_path_buf(),
        kind,
        target: text.display().to_string(),
        resolves_to: None,
        error: None,
        dangling: false,
        is_loop: false,
        cross_volume: false,
        escapes: false,
    };
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

impl fmt::Display for HostAudit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Table {
            root: &self.root.display().to_string(),
            directories: self.directories,
            files: self.files,
            id_label: "inode",
            groups: self
                .groups
                .iter()
                .map(|g| {
                    let names = g
                        .names
                        .iter()
                        .map(|(n, inside)| (n.display().to_string(), *inside));
                    (g.link_count, format!("{:<18}", g.inode), names.collect())
                })
                .collect(),
            links: self
                .links
                .iter()
                .map(|l| {
                    let status = match (&l.resolves_to, &l.error) {
                        (Some(p), _) => format!("ok: {}", p.display()),
                        (None, Some(e)) if l.dangling => format!("DANGLING ({e})"),
                        (None, Some(e)) => format!("BROKEN ({e})"),
                        (None, None) => String::new(),
                    };
                    let flags = [l.dangling, l.is_loop, l.cross_volume, l.escapes];
                    (
                        l.kind,
                        l.path.display().to_string(),
                        l.target.clone(),
                        status,
                        flags,
                    )
                })
                .collect(),
        }
        .fmt(f)
    }
}

/// The JSON of `ntlinkfs audit --json` for host paths (same fields as for the
/// emulated machine; `file_id` is the inode, `error` the host's text).
pub fn to_json(a: &HostAudit) -> Value {
    json!({
        "root": a.root.display().to_string(),
        "directories": a.directories,
        "files": a.files,
        "summary": {
            "hard_link_groups": a.groups.len(),
            "links": a.links.len(),
            "dangling": a.count(|l| l.dangling),
            "loops": a.count(|l| l.is_loop),
            "cross_volume": a.count(|l| l.cross_volume),
            "escaping": a.count(|l| l.escapes),
        },
        "hard_link_groups": a.groups.iter().map(|g| json!({
            "file_id": g.inode.to_string(),
            "link_count": g.link_count,
            "size": g.size,
            "names": g.names.iter().map(|(n, inside)| json!({
                "path": n.display().to_string(), "inside": inside
            })).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "links": a.links.iter().map(|l| json!({
            "path": l.path.display().to_string(),
            "kind": kind_name(l.kind),
            "target": l.target,
            "resolves": l.resolves_to.is_some(),
            "resolves_to": l.resolves_to.as_ref().map(|p| p.display().to_string()),
            "error": l.error,
            "dangling": l.dangling,
            "loop": l.is_loop,
            "cross_volume": l.cross_volume,
            "escapes": l.escapes,
        })).collect::<Vec<_>>(),
    })
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
        assert_eq!(a.groups.len(), 1);
        assert_eq!(
            a.groups[0].names,
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
        let v = to_json(&a);
        assert_eq!(v["summary"]["loops"], 1);
        assert_eq!(v["summary"]["dangling"], 1);
        assert!(a.to_string().contains("DANGLING"));
    }

    /// A FIFO is a file listed under its WSL tag (LX_FIFO), as the core's audit
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
