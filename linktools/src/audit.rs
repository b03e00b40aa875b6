//! Link audit: scan a tree without following links and report every hard-link
//! group, every junction and symbolic link with its target and whether it
//! resolves, dangling links, loops, cross-volume links and links that escape
//! the scanned tree (`ntlinkfs audit`, the shell's `audit`). Written once over
//! [`AuditTree`] ([`scan`]); the emulated machine is its implementation here
//! ([`audit`]), host directories in `crate::host_audit`. The table and the JSON
//! are the same for both.

use crate::tree::{Emulated, LinkTree};
use ntlinkfs_core::error::{NtError, Result};
use ntlinkfs_core::path::{drive_letter_str, FullPath, Root};
use ntlinkfs_core::reparse::{ReparseData, ReparseTag, SYMLINK_FLAG_RELATIVE};
use ntlinkfs_core::{FileInfo, Follow, Machine, NodeId};
use serde_json::{json, Value};
use std::collections::{btree_map, BTreeMap};
use std::fmt;

/// What kind of link a reparse point makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum LinkKind {
    Junction,
    DirectorySymlink,
    FileSymlink,
    /// Any other reparse tag (not a link Win32 follows, R20).
    Other(u32),
}

impl LinkKind {
    /// The name `dir` shows for it (J40), or the tag in hex.
    pub fn label(self) -> String {
        match self {
            LinkKind::Junction => "JUNCTION".into(),
            LinkKind::DirectorySymlink => "SYMLINKD".into(),
            LinkKind::FileSymlink => "SYMLINK".into(),
            LinkKind::Other(tag) => match ntlinkfs_core::special::SpecialKind::of_tag(tag) {
                // WSL's special files (a FIFO, socket or device) by their tag name.
                Some(k) => k.tag_name().into(),
                None => format!("TAG {tag:#010x}"),
            },
        }
    }

    /// The kind of the link at `id`, if it is one.
    pub fn of(m: &Machine, id: NodeId) -> Option<LinkKind> {
        let info = m.info(id).ok()?;
        info.reparse_tag?;
        Some(match m.reparse_data_of(id).ok()? {
            ReparseData::MountPoint { .. } => LinkKind::Junction,
            ReparseData::Symlink { .. } if info.is_directory => LinkKind::DirectorySymlink,
            ReparseData::Symlink { .. } => LinkKind::FileSymlink,
            ReparseData::Other { tag, .. } => LinkKind::Other(tag),
        })
    }
}

impl fmt::Display for LinkKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.label())
    }
}

/// The target a link names, as text and as a full path where it has one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct LinkTarget {
    /// What `dir` shows: the print name, or the substitute name when that is empty.
    pub display: String,
    /// The target as an absolute path, computed without following anything
    /// (relative symlinks applied to the link's parent, P3, P4, S8).
    pub lexical: Option<FullPath>,
    /// A relative symlink (SYMLINK_FLAG_RELATIVE).
    pub relative: bool,
}

/// The stored target of the link at `id`, whose Win32 path is `path`.
pub(crate) fn link_target(m: &Machine, id: NodeId, path: &str) -> Option<LinkTarget> {
    let data = m.reparse_data_of(id).ok()?;
    let (substitute, print, flags) = match &data {
        ReparseData::MountPoint { substitute, print } => (substitute, print, 0),
        ReparseData::Symlink {
            substitute,
            print,
            flags,
        } => (substitute, print, *flags),
        ReparseData::Other { .. } => return None,
    };
    let substitute = String::from_utf16_lossy(substitute);
    let print = String::from_utf16_lossy(print);
    let display = if print.is_empty() {
        substitute.clone()
    } else {
        print
    };
    let relative = flags & SYMLINK_FLAG_RELATIVE != 0;
    let lexical = if relative {
        let (parent, _) = path.rsplit_once('\\')?;
        let joined = if substitute.starts_with('\\') {
            // Root-relative: the link's own volume (S8).
            format!("{}:{substitute}", char::from(drive_letter_str(path)?))
        } else {
            format!("{parent}\\{substitute}")
        };
        m.full_path(&joined).ok()
    } else {
        ntlinkfs_core::path::nt_path(&substitute).ok()
    };
    Some(LinkTarget {
        display,
        lexical,
        relative,
    })
}

/// True when `path` is `root` or lies below it.
pub(crate) fn is_under(m: &Machine, path: &str, root: &FullPath) -> bool {
    m.full_path(path).is_ok_and(|p| p.starts_with(root))
}

/// One name of a hard-linked file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupName<T: LinkTree = Emulated> {
    pub path: T::Path,
    /// The name lies inside the scanned tree.
    pub inside: bool,
}

/// A file with more than one name, and all its names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HardLinkGroup<T: LinkTree = Emulated> {
    pub id: T::Id,
    pub link_count: u64,
    pub size: u64,
    pub names: Vec<GroupName<T>>,
}

/// A junction, symbolic link or other reparse point met in the scan.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkEntry<T: LinkTree = Emulated> {
    pub path: T::Path,
    pub kind: LinkKind,
    /// The target as stored (print name, or substitute name; what readlink gives).
    pub target: String,
    /// Where the link leads when followed (its final path), if it resolves.
    pub resolves_to: Option<T::Path>,
    /// Why it does not resolve.
    pub error: Option<T::Error>,
    /// The target does not exist (J11, S4).
    pub dangling: bool,
    /// Following it leads back to itself or an ancestor: a walker that follows
    /// links would never end (J12, J14, the "Application Data" junctions).
    pub is_loop: bool,
    /// The target is on another volume (J2).
    pub cross_volume: bool,
    /// The target lies outside the scanned tree.
    pub escapes: bool,
}

impl<T: LinkTree> LinkEntry<T> {
    /// A link at `path` with this stored target, nothing known yet of where it leads.
    pub fn new(path: T::Path, kind: LinkKind, target: String) -> Self {
        LinkEntry {
            path,
            kind,
            target,
            resolves_to: None,
            error: None,
            dangling: false,
            is_loop: false,
            cross_volume: false,
            escapes: false,
        }
    }
}

/// What an audit found, on the emulated machine ([`audit`]) or a host tree
/// (`host_audit::audit`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Audit<T: LinkTree = Emulated> {
    /// The scanned directory's physical path.
    pub root: T::Path,
    pub directories: usize,
    pub files: usize,
    pub hard_link_groups: Vec<HardLinkGroup<T>>,
    pub links: Vec<LinkEntry<T>>,
}

impl<T: LinkTree> Audit<T> {
    /// An empty audit of `root`.
    pub fn new(root: T::Path) -> Self {
        Audit {
            root,
            directories: 0,
            files: 0,
            hard_link_groups: Vec::new(),
            links: Vec::new(),
        }
    }
    pub fn dangling(&self) -> usize {
        self.links.iter().filter(|l| l.dangling).count()
    }
    pub fn loops(&self) -> usize {
        self.links.iter().filter(|l| l.is_loop).count()
    }
    pub fn cross_volume(&self) -> usize {
        self.links.iter().filter(|l| l.cross_volume).count()
    }
    pub fn escaping(&self) -> usize {
        self.links.iter().filter(|l| l.escapes).count()
    }
}

/// What the audit counts an entry as.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Counted {
    Directory,
    File,
    /// Neither: a link to a directory (a junction, a directory symlink).
    Neither,
}

/// One entry of the scanned tree.
pub struct Found<T: LinkTree> {
    pub path: T::Path,
    pub id: T::Id,
    pub counted: Counted,
    /// How many names the file has (a group when more than one).
    pub links: u64,
    /// The link count the group reports.
    pub link_count: u64,
    pub size: u64,
    /// The entry as a link, when it is one (a special file is a file too).
    pub link: Option<LinkEntry<T>>,
}

/// What a scan step gives, or why it failed (an error of the tree's kind).
pub type Scanned<T, V> = std::result::Result<V, <<T as AuditTree>::Kind as LinkTree>::Error>;

/// A tree the audit scans: the emulated machine ([`audit`]) or a host
/// directory (`host_audit::audit`). The counting, the hard-link groups and
/// the report are the engine's ([`scan`]); these are the tree's own answers.
pub trait AuditTree {
    /// The report types: paths, ids and errors.
    type Kind: LinkTree;

    /// The scanned directory's physical path.
    fn root(&self) -> <Self::Kind as LinkTree>::Path;
    /// Every entry below the root, in report order, without following links;
    /// each link with where it leads and its flags.
    fn entries(&mut self) -> Scanned<Self, Vec<Found<Self::Kind>>>;
    /// The names of a file with several, as far as the tree knows them.
    fn names(&self, file: &Found<Self::Kind>)
        -> Scanned<Self, Vec<<Self::Kind as LinkTree>::Path>>;
    /// Whether a path lies inside the scanned tree.
    fn inside(&self, path: &<Self::Kind as LinkTree>::Path) -> bool;
    /// Puts the groups in report order (they come ordered by id).
    fn order_groups(&self, _groups: &mut [HardLinkGroup<Self::Kind>]) {}
}

/// Scans `tree` and reports its directories, files, hard-link groups and links.
pub fn scan<T: AuditTree>(tree: &mut T) -> Scanned<T, Audit<T::Kind>> {
    let mut audit = Audit::new(tree.root());
    let mut groups = BTreeMap::new();
    for found in tree.entries()? {
        match found.counted {
            Counted::Directory => audit.directories += 1,
            Counted::File => audit.files += 1,
            Counted::Neither => {}
        }
        if found.counted == Counted::File && found.links > 1 {
            let g = match groups.entry(found.id) {
                btree_map::Entry::Occupied(g) => g.into_mut(),
                btree_map::Entry::Vacant(slot) => {
                    let names = tree.names(&found)?.into_iter();
                    slot.insert(HardLinkGroup {
                        id: found.id,
                        link_count: found.link_count,
                        size: found.size,
                        names: names
                            .map(|path| GroupName {
                                path,
                                inside: false,
                            })
                            .collect(),
                    })
                }
            };
            // A name the tree did not list (a host without the names attribute).
            if !g
                .names
                .iter()
                .any(|n| T::Kind::same_path(&n.path, &found.path))
            {
                let path = found.path.clone();
                g.names.push(GroupName { path, inside: true });
            }
        }
        audit.links.extend(found.link);
    }
    audit.hard_link_groups = groups.into_values().collect();
    for n in audit.hard_link_groups.iter_mut().flat_map(|g| &mut g.names) {
        n.inside = tree.inside(&n.path);
    }
    tree.order_groups(&mut audit.hard_link_groups);
    Ok(audit)
}

/// The emulated machine as the audit scans it, from one directory.
struct MachineAudit<'m> {
    m: &'m Machine,
    top: NodeId,
    root: String,
    root_full: FullPath,
}

/// Scans the tree at `path` (the path itself is followed, like `dir PATH`;
/// nothing below it is) and reports its links.
pub fn audit(m: &Machine, path: &str) -> Result<Audit> {
    let info = m.query_information(path, Follow::Reparse)?;
    if !info.is_directory {
        return Err(NtError::NotADirectory);
    }
    let root = m.path_of(info.id)?;
    let root_full = m.full_path(&root)?;
    scan(&mut MachineAudit {
        m,
        top: info.id,
        root,
        root_full,
    })
}

impl AuditTree for MachineAudit<'_> {
    type Kind = Emulated;

    fn root(&self) -> String {
        self.root.clone()
    }

    fn entries(&mut self) -> Result<Vec<Found<Emulated>>> {
        let m = self.m;
        Ok(m.walk(self.top)?
            .into_iter()
            .map(|(p, e)| {
                let info = &e.info;
                let link = info
                    .reparse_tag
                    .and_then(|_| LinkKind::of(m, info.id))
                    .map(|kind| audit_link(m, &p, info.id, kind, &self.root_full));
                let counted = match info.is_directory {
                    true if enters(info) => Counted::Directory,
                    true => Counted::Neither,
                    false => Counted::File,
                };
                Found {
                    path: p,
                    id: info.id,
                    counted,
                    links: info.total_links.into(),
                    link_count: info.link_count.into(),
                    size: info.size,
                    link,
                }
            })
            .collect())
    }

    fn names(&self, file: &Found<Emulated>) -> Result<Vec<String>> {
        let letter = drive_letter_str(&file.path).map_or('?', char::from);
        let names = self.m.file_names(file.id)?;
        Ok(names
            .into_iter()
            .map(|n| format!("{letter}:{}", n.path))
            .collect())
    }

    fn inside(&self, path: &String) -> bool {
        is_under(self.m, path, &self.root_full)
    }

    fn order_groups(&self, groups: &mut [HardLinkGroup]) {
        groups.sort_by(|a, b| {
            a.names
                .first()
                .map(|n| &n.path)
                .cmp(&b.names.first().map(|n| &n.path))
        });
    }
}

fn audit_link(m: &Machine, path: &str, id: NodeId, kind: LinkKind, root: &FullPath) -> LinkEntry {
    let target = link_target(m, id, path);
    let shown = target.as_ref().map(|t| t.display.clone());
    let mut entry = LinkEntry::new(path.to_string(), kind, shown.unwrap_or_default());
    if let LinkKind::Other(_) = kind {
        return entry;
    }
    let lexical = target.and_then(|t| t.lexical);
    let drive = drive_letter_str(path).unwrap_or_default();
    match m.query_information(path, Follow::Reparse) {
        Ok(t) => {
            let final_path = m.path_of(t.id).unwrap_or_default();
            entry.is_loop = ancestors(m, id).contains(&t.id);
            entry.cross_volume = t.volume_letter as u8 != drive;
            entry.escapes = !is_under(m, &final_path, root);
            entry.resolves_to = Some(final_path);
        }
        Err(e) => {
            entry.error = Some(e);
            entry.dangling = matches!(e, NtError::ObjectNameNotFound | NtError::ObjectPathNotFound);
            entry.is_loop = e == NtError::ReparsePointNotResolved;
            entry.escapes = lexical.as_ref().is_none_or(|l| !l.starts_with(root));
        }
    }
    if let Some(l) = &lexical {
        entry.cross_volume |= l.root != Root::Drive(drive);
    }
    entry
}

/// The directories above `id`, up to its volume root (through first names).
pub(crate) fn ancestors(m: &Machine, id: NodeId) -> Vec<NodeId> {
    let mut out = Vec::new();
    let mut cur = id;
    while let Some(parent) = m
        .file_names(cur)
        .ok()
        .and_then(|n| n.first().map(|n| n.parent))
        .filter(|p| *p != cur)
    {
        out.push(parent);
        if out.len() > 10_000 {
            break;
        }
        cur = parent;
    }
    out
}

impl<T: LinkTree> fmt::Display for Audit<T> {
    /// The human table `ntlinkfs audit` prints.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        Table {
            root: &T::show(&self.root),
            directories: self.directories,
            files: self.files,
            id_label: T::ID_LABEL,
            groups: self
                .hard_link_groups
                .iter()
                .map(|g| {
                    let names = g.names.iter().map(|n| (T::show(&n.path), n.inside));
                    let id = format!("{:<18}", T::show_id(&g.id));
                    (g.link_count, id, names.collect())
                })
                .collect(),
            links: self
                .links
                .iter()
                .map(|l| {
                    let status = match (&l.resolves_to, &l.error) {
                        (Some(p), _) => format!("ok: {}", T::show(p)),
                        (None, Some(e)) if l.dangling => format!("DANGLING ({})", T::error_name(e)),
                        (None, Some(e)) => format!("BROKEN ({})", T::error_name(e)),
                        (None, None) => T::NOT_FOLLOWED.to_string(),
                    };
                    let flags = [l.dangling, l.is_loop, l.cross_volume, l.escapes];
                    (l.kind, T::show(&l.path), l.target.clone(), status, flags)
                })
                .collect(),
        }
        .fmt(f)
    }
}

/// Whether a walk goes into this entry: a directory without a reparse point, or
/// one whose tag has the directory bit (its children are reachable, R20).
fn enters(info: &FileInfo) -> bool {
    info.is_directory
        && info
            .reparse_tag
            .is_none_or(|t| ReparseTag(t).is_directory_bit())
}

/// A group's names, each with whether it lies inside the scanned tree.
pub type TableNames = Vec<(String, bool)>;

/// An audit as a human table, whatever it scanned (the emulated machine or a
/// host path): one layout for both.
pub struct Table<'a> {
    pub root: &'a str,
    pub directories: usize,
    pub files: usize,
    /// What the group's id column holds ("file id", "inode").
    pub id_label: &'a str,
    /// (link count, id, names with whether each lies inside the tree).
    pub groups: Vec<(u64, String, TableNames)>,
    /// (kind, path, target, status, [dangling, loop, cross-volume, escapes]).
    pub links: Vec<(LinkKind, String, String, String, [bool; 4])>,
}

impl fmt::Display for Table<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let count = |i: usize| self.links.iter().filter(|l| l.4[i]).count();
        writeln!(
            f,
            "Audit of {}: {} directories, {} files, {} hard-link groups, {} links \
             ({} dangling, {} loops, {} cross-volume, {} escaping the tree)",
            self.root,
            self.directories,
            self.files,
            self.groups.len(),
            self.links.len(),
            count(0),
            count(1),
            count(2),
            count(3)
        )?;
        if !self.groups.is_empty() {
            writeln!(f, "\nHard-link groups (links, {}, names):", self.id_label)?;
            for (link_count, id, names) in &self.groups {
                for (i, (name, inside)) in names.iter().enumerate() {
                    let head = if i == 0 {
                        format!("{link_count:>5}  {id}")
                    } else {
                        " ".repeat(25)
                    };
                    let outside = if *inside { "" } else { "  (outside the tree)" };
                    writeln!(f, "  {head}  {name}{outside}")?;
                }
            }
        }
        if !self.links.is_empty() {
            writeln!(f, "\nLinks (kind, path -> target, status):")?;
            for (kind, path, target, status, flags) in &self.links {
                let mut status = status.clone();
                for (flag, text) in [
                    (flags[1], "LOOP"),
                    (flags[2], "CROSS-VOLUME"),
                    (flags[3], "ESCAPES"),
                ] {
                    if flag {
                        status.push_str(", ");
                        status.push_str(text);
                    }
                }
                writeln!(
                    f,
                    "  {:<10} {path} -> {target}  [{status}]",
                    format!("<{kind}>")
                )?;
            }
        }
        Ok(())
    }
}

/// The kind's name in the JSON (`junction`, `directory_symlink`, …).
pub fn kind_name(k: LinkKind) -> &'static str {
    match k {
        LinkKind::Junction => "junction",
        LinkKind::DirectorySymlink => "directory_symlink",
        LinkKind::FileSymlink => "file_symlink",
        LinkKind::Other(_) => "other",
    }
}

/// The audit as JSON, the same fields whatever it scanned (field names are
/// part of the interface: keep them).
pub fn to_json<T: LinkTree>(a: &Audit<T>) -> Value {
    json!({
        "root": T::show(&a.root),
        "directories": a.directories,
        "files": a.files,
        "summary": {
            "hard_link_groups": a.hard_link_groups.len(),
            "links": a.links.len(),
            "dangling": a.dangling(),
            "loops": a.loops(),
            "cross_volume": a.cross_volume(),
            "escaping": a.escaping(),
        },
        "hard_link_groups": a.hard_link_groups.iter().map(|g| json!({
            "file_id": T::show_id(&g.id),
            "link_count": g.link_count,
            "size": g.size,
            "names": g.names.iter().map(|n| json!({"path": T::show(&n.path), "inside": n.inside})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "links": a.links.iter().map(|l| {
            let mut v = json!({
                "path": T::show(&l.path),
                "kind": kind_name(l.kind),
                "target": l.target,
                "resolves": l.resolves_to.is_some(),
                "resolves_to": l.resolves_to.as_ref().map(T::show),
                "error": l.error.as_ref().map(T::error_json),
                "dangling": l.dangling,
                "loop": l.is_loop,
                "cross_volume": l.cross_volume,
                "escapes": l.escapes,
            });
            if T::JSON_TAG {
                v["tag"] = match l.kind {
                    LinkKind::Other(t) => Value::String(format!("{t:#010x}")),
                    _ => Value::Null,
                };
            }
            v
        }).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    //! On the demo profile (see `fixture`).
    use super::*;
    use crate::fixture::demo_machine;

    fn link<'a>(a: &'a Audit, path: &str) -> &'a LinkEntry {
        a.links
            .iter()
            .find(|l| l.path == path)
            .unwrap_or_else(|| panic!("{path} not reported"))
    }

    #[test]
    fn audit_of_a_user_profile_reports_loops_dangling_cross_volume_and_escapes() {
        let m = demo_machine();
        let a = audit(&m, r"C:\Users\Alice").unwrap();
        assert_eq!(a.root, r"C:\Users\Alice");
        // Table of (link, kind, resolves, dangling, loop, cross-volume, escapes).
        let rows = [
            (
                r"C:\Users\Alice\AppData\Local\Application Data",
                LinkKind::Junction,
                true,
                false,
                true,
                false,
                false,
            ),
            (
                r"C:\Users\Alice\Application Data",
                LinkKind::Junction,
                true,
                false,
                false,
                false,
                false,
            ),
            (
                r"C:\Users\Alice\My Documents",
                LinkKind::Junction,
                true,
                false,
                false,
                false,
                false,
            ),
            (
                r"C:\Users\Alice\Projects",
                LinkKind::Junction,
                true,
                false,
                false,
                true,
                true,
            ),
            (
                r"C:\Users\Alice\Desktop\report.txt",
                LinkKind::FileSymlink,
                true,
                false,
                false,
                false,
                false,
            ),
            (
                r"C:\Users\Alice\Desktop\old.txt",
                LinkKind::FileSymlink,
                false,
                true,
                false,
                false,
                false,
            ),
        ];
        for (path, kind, resolves, dangling, is_loop, cross, escapes) in rows {
            let l = link(&a, path);
            assert_eq!(
                (
                    l.kind,
                    l.resolves_to.is_some(),
                    l.dangling,
                    l.is_loop,
                    l.cross_volume,
                    l.escapes
                ),
                (kind, resolves, dangling, is_loop, cross, escapes),
                "{path}"
            );
        }
        assert_eq!(
            link(&a, r"C:\Users\Alice\Desktop\old.txt").error,
            Some(NtError::ObjectNameNotFound)
        );
        assert_eq!(a.links.len(), 8);
        assert_eq!(
            (a.dangling(), a.loops(), a.cross_volume(), a.escaping()),
            (1, 1, 1, 1)
        );
        // One hard-link group inside the profile, both names inside.
        assert_eq!(a.hard_link_groups.len(), 1);
        let g = &a.hard_link_groups[0];
        assert_eq!(g.link_count, 2);
        assert_eq!(
            g.names,
            vec![
                GroupName {
                    path: r"C:\Users\Alice\Documents\notes.txt".into(),
                    inside: true
                },
                GroupName {
                    path: r"C:\Users\Alice\Desktop\notes.txt".into(),
                    inside: true
                },
            ]
        );
    }

    #[test]
    fn audit_names_hard_links_outside_the_tree_and_links_escaping_it() {
        let m = demo_machine();
        let a = audit(&m, r"C:\Windows\System32").unwrap();
        assert_eq!(a.hard_link_groups.len(), 2);
        for g in &a.hard_link_groups {
            assert_eq!(g.names.len(), 2);
            assert_eq!(g.names.iter().filter(|n| n.inside).count(), 1);
        }
        let docs = audit(&m, r"C:\Users\Alice\Documents").unwrap();
        let music = link(&docs, r"C:\Users\Alice\Documents\My Music");
        assert!(music.escapes && !music.is_loop && !music.cross_volume);
    }

    #[test]
    fn audit_through_a_junction_scans_the_target_and_counts_its_loop() {
        let m = demo_machine();
        let a = audit(&m, r"C:\Documents and Settings").unwrap();
        assert_eq!(a.root, r"C:\Users");
        let all = link(&a, r"C:\Users\All Users");
        assert_eq!(all.kind, LinkKind::DirectorySymlink);
        assert!(all.escapes);
        assert_eq!(a.loops(), 1);
        let p = audit(&m, r"C:\ProgramData").unwrap();
        assert!(link(&p, r"C:\ProgramData\Application Data").is_loop);
    }

    #[test]
    fn audit_reports_a_self_junction_as_loop_and_relative_links_lexically() {
        let mut m = Machine::default();
        m.create_directory(r"C:\t").unwrap();
        m.create_junction(r"C:\t\self", r"C:\t\self").unwrap();
        m.create_symbolic_link(r"C:\t\up", r"..\gone", Default::default())
            .unwrap();
        m.create_junction(r"C:\t\unc", r"C:\").unwrap();
        let a = audit(&m, r"C:\t").unwrap();
        let s = link(&a, r"C:\t\self");
        assert_eq!(s.error, Some(NtError::ReparsePointNotResolved));
        assert!(s.is_loop && !s.dangling && !s.escapes);
        let up = link(&a, r"C:\t\up");
        assert!(up.dangling && up.escapes, "..\\gone lies outside C:\\t");
        assert_eq!(up.target, r"..\gone");
        let root = link(&a, r"C:\t\unc");
        assert!(root.is_loop && root.escapes);
        let text = a.to_string();
        assert!(
            text.contains(
                r"<JUNCTION> C:\t\self -> C:\t\self  [BROKEN (ERROR_CANT_RESOLVE_FILENAME), LOOP]"
            ),
            "{text}"
        );
        assert!(
            text.contains(
                r"<SYMLINK>  C:\t\up -> ..\gone  [DANGLING (ERROR_FILE_NOT_FOUND), ESCAPES]"
            ),
            "{text}"
        );
    }

    #[test]
    fn audit_of_a_file_or_missing_path_fails() {
        let m = demo_machine();
        assert_eq!(
            audit(&m, r"C:\Windows\System32\notepad.exe").unwrap_err(),
            NtError::NotADirectory
        );
        assert_eq!(
            audit(&m, r"C:\nope").unwrap_err(),
            NtError::ObjectNameNotFound
        );
    }

    #[test]
    fn audit_json_of_the_demo_profile() {
        let m = demo_machine();
        let v = to_json(&audit(&m, r"C:\Users\Alice").unwrap());
        assert_eq!(v["summary"]["links"], 8);
        assert_eq!(v["summary"]["loops"], 1);
        let old = v["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["path"] == r"C:\Users\Alice\Desktop\old.txt")
            .unwrap();
        assert_eq!(old["kind"], "file_symlink");
        assert_eq!(old["dangling"], true);
        assert_eq!(old["resolves_to"], Value::Null);
        assert_eq!(old["error"]["win32"], "ERROR_FILE_NOT_FOUND");
        assert_eq!(old["error"]["win32_code"], 2);
        let g = &v["hard_link_groups"][0];
        assert_eq!(g["link_count"], 2);
        assert_eq!(g["names"][1]["path"], r"C:\Users\Alice\Desktop\notes.txt");
    }
}
