//! The properties `ntlinkfs check --expect` judges (docs/check.md): their
//! names, and each one judged on a case: the tree made, the machine before
//! and after the command, the command's exit and the copy at `{dst}`.

use crate::check_case::host;
use ntlinkfs_core::reparse::{IO_REPARSE_TAG_MOUNT_POINT, IO_REPARSE_TAG_SYMLINK};
use ntlinkfs_core::testing::tree_gen::{windows_path, MadeKind, Tree, SRC};
use ntlinkfs_core::testing::{snapshot, Entry};
use ntlinkfs_core::{Follow, Machine, NodeId};
use std::collections::{BTreeMap, HashSet};
use std::fmt;
use std::path::{Component, Path, PathBuf};

/// What a copy does with a kind of link.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Policy {
    /// Nothing at the link's place in the copy.
    Skipped,
    /// A link reaching the copy of the target (or the same target, outside).
    Links,
    /// The target's contents, each directory once, loops cut.
    Followed,
}

/// One property of `--expect`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Property {
    ExitOk,
    Terminates,
    SourceUnchanged,
    StaysInside,
    HardlinksPreserved,
    HardlinksBroken,
    Junctions(Policy),
    Symlinks(Policy),
    DataEqual,
}

/// Every property name, for the message about an unknown one.
pub const NAMES: &str = "exit-ok, terminates, source-unchanged, stays-inside, \
    hardlinks=preserved|broken, junctions=skipped|links|followed, \
    symlinks=skipped|links|followed, data-equal";

fn policy(word: &str) -> Option<Policy> {
    match word {
        "skipped" => Some(Policy::Skipped),
        "links" => Some(Policy::Links),
        "followed" => Some(Policy::Followed),
        _ => None,
    }
}

impl std::str::FromStr for Property {
    type Err = String;

    fn from_str(s: &str) -> Result<Property, String> {
        let p = match s.split_once('=') {
            None => match s {
                "exit-ok" => Property::ExitOk,
                "terminates" => Property::Terminates,
                "source-unchanged" => Property::SourceUnchanged,
                "stays-inside" => Property::StaysInside,
                "data-equal" => Property::DataEqual,
                _ => None.ok_or_else(|| unknown(s))?,
            },
            Some(("hardlinks", "preserved")) => Property::HardlinksPreserved,
            Some(("hardlinks", "broken")) => Property::HardlinksBroken,
            Some(("junctions", w)) => Property::Junctions(policy(w).ok_or_else(|| unknown(s))?),
            Some(("symlinks", w)) => Property::Symlinks(policy(w).ok_or_else(|| unknown(s))?),
            _ => return Err(unknown(s)),
        };
        Ok(p)
    }
}

fn unknown(s: &str) -> String {
    format!("unknown property `{s}`; the properties are: {NAMES}")
}

impl fmt::Display for Property {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let word = |p: &Policy| match p {
            Policy::Skipped => "skipped",
            Policy::Links => "links",
            Policy::Followed => "followed",
        };
        match self {
            Property::ExitOk => f.write_str("exit-ok"),
            Property::Terminates => f.write_str("terminates"),
            Property::SourceUnchanged => f.write_str("source-unchanged"),
            Property::StaysInside => f.write_str("stays-inside"),
            Property::HardlinksPreserved => f.write_str("hardlinks=preserved"),
            Property::HardlinksBroken => f.write_str("hardlinks=broken"),
            Property::Junctions(p) => write!(f, "junctions={}", word(p)),
            Property::Symlinks(p) => write!(f, "symlinks={}", word(p)),
            Property::DataEqual => f.write_str("data-equal"),
        }
    }
}

/// How the command ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Exit {
    Code(i32),
    /// Killed by a Unix signal (a Windows process always has an exit code).
    #[cfg_attr(windows, allow(dead_code))]
    Signal(i32),
    /// Killed after `--timeout`.
    TimedOut,
}

impl fmt::Display for Exit {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Exit::Code(c) => write!(f, "exit status {c}"),
            Exit::Signal(s) => write!(f, "killed by signal {s}"),
            Exit::TimedOut => f.write_str("killed after the timeout"),
        }
    }
}

/// Everything observable about the machine but access times, entry by
/// entry (Windows path to entry), from `testing::snapshot`.
pub type Picture = BTreeMap<String, Entry>;

pub fn picture(m: &Machine) -> Picture {
    snapshot(m)
        .entries
        .into_iter()
        .map(|mut e| {
            e.entry.info.times.last_access = 0;
            (e.path.clone(), e)
        })
        .collect()
}

/// The first difference between two pictures among the paths `keep` keeps:
/// a name removed or created, else an entry changed.
fn difference(before: &Picture, after: &Picture, keep: impl Fn(&str) -> bool) -> Option<String> {
    let removed = before.keys().find(|p| keep(p) && !after.contains_key(*p));
    let created = after.keys().find(|p| keep(p) && !before.contains_key(*p));
    if let Some(p) = removed {
        return Some(format!("{p} was removed"));
    }
    if let Some(p) = created {
        return Some(format!("{p} was created"));
    }
    let (path, b, a) = before
        .iter()
        .filter(|(p, _)| keep(p))
        .find_map(|(p, b)| after.get(p).filter(|a| *a != b).map(|a| (p, b, a)))?;
    let what = if a.data != b.data {
        "its data"
    } else if a.names != b.names {
        "its names (hard links)"
    } else if a.reparse != b.reparse {
        "its link target"
    } else if a.entry.info.attributes != b.entry.info.attributes {
        "its attributes"
    } else {
        "its metadata (times, size or owner)"
    };
    Some(format!("{path}: {what} changed"))
}

/// What a case gives the properties to judge.
pub struct Case<'a> {
    pub tree: &'a Tree,
    pub before: &'a Picture,
    pub after: &'a Picture,
    /// The files `data-equal` judges (see [`reachable_files`]).
    pub files: &'a [ReachableFile],
    pub exit: Exit,
    /// `{src}` and `{dst}` as the command saw them.
    pub src: &'a Path,
    pub dst: &'a Path,
    /// `{dst}` as a Windows path when it is on the machine (`D:\dst`).
    pub dst_windows: Option<&'a str>,
    /// The host directory `{dst}` was made in (`--dst host`).
    pub dst_host_parent: Option<&'a Path>,
}

impl Case<'_> {
    /// Why `p` does not hold, or None when it holds.
    pub fn violation(&self, p: Property) -> Option<String> {
        match p {
            Property::ExitOk => match self.exit {
                Exit::Code(0) => None,
                Exit::Code(c) => Some(format!("the command exited with status {c}")),
                Exit::Signal(s) => Some(format!("the command was killed by signal {s}")),
                Exit::TimedOut => Some("the command was killed after the timeout".into()),
            },
            Property::Terminates => (self.exit == Exit::TimedOut)
                .then(|| "the command did not end within the timeout and was killed".into()),
            Property::SourceUnchanged => {
                let inside = |p: &str| p == SRC || p.starts_with(&format!("{SRC}\\"));
                difference(self.before, self.after, inside)
            }
            Property::StaysInside => self.stays_inside(),
            Property::HardlinksPreserved => self.hard_links(true),
            Property::HardlinksBroken => self.hard_links(false),
            Property::Junctions(policy) => self.links(policy, true),
            Property::Symlinks(policy) => self.links(policy, false),
            Property::DataEqual => self.files.iter().find_map(|f| self.same_bytes(f)),
        }
    }

    /// `p` as `{dst}/…` or `{src}/…`, the same whatever the mount point.
    fn show(&self, p: &Path) -> String {
        for (base, name) in [(self.dst, "{dst}"), (self.src, "{src}")] {
            if let Ok(rel) = p.strip_prefix(base) {
                return Path::new(name).join(rel).display().to_string();
            }
        }
        p.display().to_string()
    }

    fn copy_of(&self, components: &[String]) -> PathBuf {
        let mut p = self.dst.to_path_buf();
        p.extend(components);
        p
    }

    fn stays_inside(&self) -> Option<String> {
        let outside = |p: &str| match self.dst_windows {
            Some(d) => !(p == d || p.starts_with(&format!("{d}\\"))),
            None => true,
        };
        if let Some(d) = difference(self.before, self.after, outside) {
            return Some(d);
        }
        let parent = self.dst_host_parent?;
        let others: Vec<String> = std::fs::read_dir(parent)
            .ok()?
            .filter_map(|e| e.ok())
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n != "dst")
            .collect();
        others
            .first()
            .map(|n| format!("{n} was created beside {{dst}}"))
    }

    fn hard_links(&self, preserved: bool) -> Option<String> {
        for group in self.tree.hard_link_groups() {
            let copies: Vec<(PathBuf, (u64, u64))> = group
                .iter()
                .filter_map(|made| {
                    let c = self.copy_of(&made.path);
                    std::fs::symlink_metadata(&c).ok().filter(|m| m.is_file())?;
                    let id = host::file_id(&c)?;
                    Some((c, id))
                })
                .collect();
            if copies.len() < 2 {
                continue;
            }
            let names: Vec<String> = group.iter().map(|m| windows_path(&m.path)).collect();
            let distinct: HashSet<(u64, u64)> = copies.iter().map(|c| c.1).collect();
            let shown: Vec<String> = copies.iter().map(|c| self.show(&c.0)).collect();
            if preserved && distinct.len() > 1 {
                return Some(format!(
                    "{} are one file, but their copies {} are {} files",
                    names.join(" and "),
                    shown.join(" and "),
                    distinct.len()
                ));
            }
            if !preserved && distinct.len() < copies.len() {
                return Some(format!(
                    "{} are one file, and their copies {} are still linked",
                    names.join(" and "),
                    shown.join(" and ")
                ));
            }
        }
        None
    }

    fn links(&self, policy: Policy, junctions: bool) -> Option<String> {
        let what = if junctions {
            "junction"
        } else {
            "symbolic link"
        };
        for made in &self.tree.entries {
            let target = match &made.kind {
                MadeKind::Junction(t) if junctions => t,
                MadeKind::Symlink { target, .. } if !junctions => target,
                _ => continue,
            };
            let win = windows_path(&made.path);
            let mut original = self.src.to_path_buf();
            original.extend(&made.path);
            let copy = self.copy_of(&made.path);
            let found = std::fs::symlink_metadata(&copy).ok();
            // Dangling as the host sees it: a missing target, a UNC path.
            let reaches = std::fs::metadata(&original).ok();
            let parent = &made.path[..made.path.len() - 1];
            let is_loop = target
                .inside
                .as_ref()
                .is_some_and(|t| parent.starts_with(t));
            let shown = self.show(&copy);
            match policy {
                Policy::Skipped => {
                    if found.is_some() {
                        return Some(format!("the {what} {win} was not skipped: {shown} exists"));
                    }
                }
                Policy::Followed => match found {
                    Some(m) if m.file_type().is_symlink() => {
                        return Some(format!(
                            "the {what} {win} was not followed: {shown} is a link"
                        ))
                    }
                    Some(_) => {}
                    None if reaches.is_none() || is_loop => {}
                    None => {
                        return Some(format!(
                            "the {what} {win} was not followed: {shown} does not exist"
                        ))
                    }
                },
                Policy::Links => {
                    if !found.as_ref().is_some_and(|m| m.file_type().is_symlink()) {
                        return Some(format!(
                            "the {what} {win} was not copied as a link: {shown} {}",
                            if found.is_some() {
                                "is not a link"
                            } else {
                                "does not exist"
                            }
                        ));
                    }
                    let want = host::link_target(&original).map(|t| {
                        t.strip_prefix(self.src)
                            .map_or(t.clone(), |rel| self.dst.join(rel))
                    });
                    let got = host::link_target(&copy);
                    let same = same_target(
                        want.as_deref().map(|w| (w, host::file_id(w))),
                        got.as_deref(),
                        host::file_id(&copy),
                    );
                    if !same {
                        return Some(format!(
                            "the {what} {win} was copied as a link to {}, not to {}",
                            got.map_or("?".into(), |g| self.show(&g)),
                            want.map_or("?".into(), |w| self.show(&w))
                        ));
                    }
                }
            }
        }
        None
    }

    fn same_bytes(&self, f: &ReachableFile) -> Option<String> {
        let copy = self.copy_of(&f.rel);
        match std::fs::read(&copy) {
            Ok(got) if got == f.data => None,
            Ok(_) => Some(format!(
                "{}: its copy {} has other data",
                f.windows,
                self.show(&copy)
            )),
            Err(e) => Some(format!(
                "{}: cannot read its copy {}: {e}",
                f.windows,
                self.show(&copy)
            )),
        }
    }
}

/// A regular file reachable from SRC, with its data.
pub struct ReachableFile {
    /// The path it was reached by.
    pub windows: String,
    /// That path's components below SRC.
    pub rel: Vec<String>,
    pub data: Vec<u8>,
}

/// Every regular file reachable from SRC, through junctions and symlinks
/// only where the policies in `props` say `followed`, each directory once
/// (loops are cut). Read from the machine, not the mount: the caller holds
/// the machine's lock, and the mount would wait for it.
pub fn reachable_files(m: &Machine, props: &[Property]) -> Vec<ReachableFile> {
    let follow_j = props.contains(&Property::Junctions(Policy::Followed));
    let follow_s = props.contains(&Property::Symlinks(Policy::Followed));
    let mut files = Vec::new();
    let Ok(root) = m.query_information(SRC, Follow::Reparse) else {
        return files;
    };
    let mut visited: HashSet<NodeId> = HashSet::from([root.id]);
    let mut stack: Vec<(String, Vec<String>)> = vec![(SRC.to_string(), Vec::new())];
    while let Some((dir, rel)) = stack.pop() {
        for e in m.enumerate(&dir).unwrap_or_default() {
            let name = e.name.to_string_lossy();
            let windows = format!("{dir}\\{name}");
            let mut rel = rel.clone();
            rel.push(name);
            let follow = match e.info.reparse_tag {
                None => true,
                Some(IO_REPARSE_TAG_MOUNT_POINT) => follow_j,
                Some(IO_REPARSE_TAG_SYMLINK) => follow_s,
                Some(_) => false,
            };
            let Some(info) = follow
                .then(|| m.query_information(&windows, Follow::Reparse).ok())
                .flatten()
            else {
                continue;
            };
            if info.is_directory {
                if visited.insert(info.id) {
                    stack.push((windows, rel));
                }
            } else if let Ok(data) = m.read_node(info.id, 0, usize::MAX) {
                files.push(ReachableFile { windows, rel, data });
            }
        }
    }
    files
}

/// Whether a copied link reaches what it should: `want` (where the copy of
/// the original's target is, with its file id when it exists), `got` (the
/// copy's own target text) and the file id the copy reaches. When the copy
/// reaches a file, it must be the same file; a dangling copy must name the
/// same place, in any case (NTFS names are case-insensitive).
pub fn same_target(
    want: Option<(&Path, Option<(u64, u64)>)>,
    got: Option<&Path>,
    reached: Option<(u64, u64)>,
) -> bool {
    match (want, got, reached) {
        (Some((_, w)), _, Some(c)) => w == Some(c),
        (Some((w, _)), Some(g), None) => w
            .to_string_lossy()
            .eq_ignore_ascii_case(&g.to_string_lossy()),
        _ => false,
    }
}

/// An NT path as Windows shows it: `\??\C:\x` is `C:\x`, `\??\UNC\s\x`
/// is `\\s\x`; anything else as it is.
#[cfg_attr(not(windows), allow(dead_code))]
pub fn nt_to_dos(nt: &str) -> String {
    match nt.strip_prefix(r"\??\") {
        Some(rest) => match rest.strip_prefix(r"UNC\") {
            Some(unc) => format!(r"\\{unc}"),
            None => rest.to_string(),
        },
        None => nt.to_string(),
    }
}

/// `a/b/../c` as `a/c`, without looking at the file system.
pub fn normalize(p: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for c in p.components() {
        match c {
            Component::ParentDir => {
                out.pop();
            }
            Component::CurDir => {}
            other => out.push(other),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn properties_parse_and_print_back() {
        for name in [
            "exit-ok",
            "terminates",
            "source-unchanged",
            "stays-inside",
            "hardlinks=preserved",
            "hardlinks=broken",
            "junctions=skipped",
            "junctions=links",
            "junctions=followed",
            "symlinks=skipped",
            "symlinks=links",
            "symlinks=followed",
            "data-equal",
        ] {
            assert_eq!(name.parse::<Property>().unwrap().to_string(), name);
        }
        for bad in ["exit-okay", "hardlinks=kept", "junctions", "=", ""] {
            assert_eq!(
                bad.parse::<Property>().unwrap_err(),
                format!("unknown property `{bad}`; the properties are: {NAMES}")
            );
        }
    }

    #[test]
    fn nt_paths_read_as_windows_shows_them() {
        for (nt, dos) in [
            (r"\??\C:\src\a", r"C:\src\a"),
            (r"\??\UNC\server\share\x", r"\\server\share\x"),
            (r"..\a", r"..\a"),
            (r"C:\a", r"C:\a"),
        ] {
            assert_eq!(nt_to_dos(nt), dos, "{nt}");
        }
    }

    #[test]
    fn a_copied_link_must_reach_the_copy_of_its_target() {
        let want = Path::new("/m/D/dst/a");
        let rows = [
            // Reaches the right file; reaches another file; reaches nothing.
            (Some((want, Some((1, 7)))), None, Some((1, 7)), true),
            (Some((want, Some((1, 7)))), None, Some((1, 8)), false),
            (Some((want, None)), None, Some((1, 7)), false),
            // Dangling both: the same place, in any case, or not.
            (
                Some((want, None)),
                Some(Path::new("/m/D/dst/A")),
                None,
                true,
            ),
            (
                Some((want, None)),
                Some(Path::new("/m/C/src/a")),
                None,
                false,
            ),
            // The original's target unknown, or the copy not a link.
            (None, Some(want), None, false),
            (Some((want, None)), None, None, false),
        ];
        for (i, (w, g, reached, holds)) in rows.into_iter().enumerate() {
            assert_eq!(same_target(w, g, reached), holds, "row {i}");
        }
    }

    #[test]
    fn exit_properties_judge_the_exit_alone() {
        use ntlinkfs_core::testing::tree_gen::TreeSpec;
        let tree = TreeSpec::default()
            .make(&mut ntlinkfs_core::testing::tree_strategy::machine_for_trees())
            .unwrap();
        let picture = Picture::new();
        let case = |exit| Case {
            tree: &tree,
            before: &picture,
            after: &picture,
            files: &[],
            exit,
            src: Path::new("/m/C/src"),
            dst: Path::new("/m/D/dst"),
            dst_windows: Some(r"D:\dst"),
            dst_host_parent: None,
        };
        let rows = [
            (Exit::Code(0), Property::ExitOk, None),
            (
                Exit::Code(3),
                Property::ExitOk,
                Some("the command exited with status 3"),
            ),
            (
                Exit::Signal(9),
                Property::ExitOk,
                Some("the command was killed by signal 9"),
            ),
            (
                Exit::TimedOut,
                Property::ExitOk,
                Some("the command was killed after the timeout"),
            ),
            (Exit::Code(3), Property::Terminates, None),
            (
                Exit::TimedOut,
                Property::Terminates,
                Some("the command did not end within the timeout and was killed"),
            ),
            (Exit::Code(0), Property::SourceUnchanged, None),
            (Exit::Code(0), Property::StaysInside, None),
        ];
        for (exit, p, want) in rows {
            assert_eq!(case(exit).violation(p).as_deref(), want, "{exit} {p}");
        }
    }

    #[test]
    fn normalize_is_lexical() {
        assert_eq!(
            normalize(Path::new("/m/C/src/a/../b/./c")),
            Path::new("/m/C/src/b/c")
        );
    }
}
