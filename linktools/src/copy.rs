//! Link-aware copy of a tree, with a policy per link kind as backup and sync
//! tools offer (`ntlinkfs copy`, the shell's `copytree`).
//!
//! The walk never follows a link unless its policy says so, and then keeps the
//! stack of source directories it is inside: a link back to one of them (the
//! "Application Data" junctions of a user profile, J14) is reported as a loop
//! and not descended. Re-mapped links are made after everything else is
//! copied, so a link is rebuilt to wherever its target's copy ended up, or,
//! when the target was not copied (it lies behind a skipped link), is treated
//! like a link that points outside the tree.

use crate::audit::{ancestors, link_target, LinkKind};
use crate::tree::{Emulated, LinkTree};
use ntlinkfs_core::data::FileData;
use ntlinkfs_core::error::{NtError, Result};
use ntlinkfs_core::path::FullPath;
use ntlinkfs_core::SymlinkFlags;
use ntlinkfs_core::{FileInfo, Follow, Machine, NodeId, VolumeId};
use std::collections::HashMap;
use std::fmt;
use std::str::FromStr;

/// What to do with a link to a directory that points outside the copied tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum Outside {
    /// Keep it, pointing at the original target.
    #[default]
    Keep,
    /// Leave it out of the copy.
    Skip,
}

/// Policy for junctions and directory symbolic links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum DirLinkPolicy {
    /// Leave the link out.
    Skip,
    /// Copy the link itself, its reparse buffer unchanged.
    #[default]
    CopyLink,
    /// Copy the target's contents into a real directory (loops are detected).
    Follow,
    /// Rebuild a link that points inside the copied tree to the same place in
    /// the copy; one that points outside is kept or skipped.
    Remap(Outside),
}

/// Policy for file symbolic links.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum FileLinkPolicy {
    Skip,
    #[default]
    CopyLink,
    /// Copy the target's contents into a regular file (as CopyFile does, S37).
    Follow,
}

/// Policy for files with several names inside the tree.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub enum HardLinkPolicy {
    /// Names of one file stay one file in the copy.
    #[default]
    Preserve,
    /// Every name becomes a separate file.
    Break,
}

/// The policies of one copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct CopyOptions {
    pub junctions: DirLinkPolicy,
    pub dir_symlinks: DirLinkPolicy,
    pub file_symlinks: FileLinkPolicy,
    pub hard_links: HardLinkPolicy,
}

const DIR_POLICIES: &str = "skip, copy-link, follow, remap (keep links pointing outside), \
                            remap-skip (skip them)";

impl FromStr for DirLinkPolicy {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "skip" => DirLinkPolicy::Skip,
            "copy-link" | "copy" | "link" => DirLinkPolicy::CopyLink,
            "follow" => DirLinkPolicy::Follow,
            "remap" | "remap-keep" => DirLinkPolicy::Remap(Outside::Keep),
            "remap-skip" => DirLinkPolicy::Remap(Outside::Skip),
            _ => {
                return Err(format!(
                    "unknown link policy '{s}': expected {DIR_POLICIES}"
                ))
            }
        })
    }
}

impl FromStr for FileLinkPolicy {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "skip" => FileLinkPolicy::Skip,
            "copy-link" | "copy" | "link" => FileLinkPolicy::CopyLink,
            "follow" => FileLinkPolicy::Follow,
            _ => {
                return Err(format!(
                    "unknown file symlink policy '{s}': expected skip, copy-link, follow"
                ))
            }
        })
    }
}

impl FromStr for HardLinkPolicy {
    type Err = String;
    fn from_str(s: &str) -> std::result::Result<Self, String> {
        Ok(match s.trim().to_ascii_lowercase().as_str() {
            "preserve" => HardLinkPolicy::Preserve,
            "break" => HardLinkPolicy::Break,
            _ => {
                return Err(format!(
                    "unknown hard link policy '{s}': expected preserve, break"
                ))
            }
        })
    }
}

/// Why a re-mapped link was treated as pointing outside the copy.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum OutsideReason {
    /// The target lies outside the copied tree on the same volume.
    OutsideTree,
    /// The target is on another volume (J2).
    OtherVolume,
    /// The target's path lies inside the tree but behind a link that was not
    /// copied as a directory, so the copy has nothing there.
    NotCopied,
}

impl OutsideReason {
    pub fn text(self) -> &'static str {
        match self {
            OutsideReason::OutsideTree => "outside the copied tree",
            OutsideReason::OtherVolume => "on another volume",
            OutsideReason::NotCopied => "inside a subtree that was not copied",
        }
    }
}

/// What was done with one link.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkAction<T: LinkTree = Emulated> {
    Skipped,
    CopiedAsLink,
    Followed,
    /// Following it would enter a directory the copy is already inside.
    NotFollowedLoop,
    /// Its target does not resolve, so there was nothing to follow.
    NotFollowedDangling(T::Error),
    /// Rebuilt to point into the copy.
    Remapped {
        target: String,
    },
    /// Pointing outside the copy; kept with this target.
    KeptOutside {
        target: String,
        why: OutsideReason,
    },
    /// Pointing outside the copy; left out.
    SkippedOutside {
        why: OutsideReason,
    },
    /// Making it in the copy failed.
    Failed(T::Error),
}

impl<T: LinkTree> LinkAction<T> {
    /// A short label, the key of the summary's counts.
    pub fn label(&self) -> &'static str {
        match self {
            LinkAction::Skipped => "skipped",
            LinkAction::CopiedAsLink => "copied as link",
            LinkAction::Followed => "followed",
            LinkAction::NotFollowedLoop => "loop, not followed",
            LinkAction::NotFollowedDangling(_) => "dangling, not followed",
            LinkAction::Remapped { .. } => "remapped",
            LinkAction::KeptOutside { .. } => "kept (outside)",
            LinkAction::SkippedOutside { .. } => "skipped (outside)",
            LinkAction::Failed(_) => "failed",
        }
    }
}

impl<T: LinkTree> fmt::Display for LinkAction<T> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            LinkAction::NotFollowedDangling(e) => {
                write!(f, "dangling ({}), not followed", T::error_name(e))
            }
            LinkAction::Remapped { target } => write!(f, "remapped to {target}"),
            LinkAction::KeptOutside { target, why } => {
                write!(f, "kept -> {target} (target {})", why.text())
            }
            LinkAction::SkippedOutside { why } => write!(f, "skipped (target {})", why.text()),
            LinkAction::Failed(e) => write!(f, "failed: {}", T::error_message(e)),
            other => f.write_str(other.label()),
        }
    }
}

/// One link met by the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkCopy<T: LinkTree = Emulated> {
    /// The link's path in the source.
    pub path: T::Path,
    pub kind: LinkKind,
    /// Its target as stored (what readlink gives, on a host).
    pub target: String,
    pub action: LinkAction<T>,
}

/// A hard-linked file some of whose names could not be kept as one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct HardLinkLoss<T: LinkTree = Emulated> {
    /// The name in the source.
    pub path: T::Path,
    /// Why the name became a separate file (e.g. FAT has no hard links, HL13).
    pub error: T::Error,
}

/// A hard-linked file with names outside the copied tree.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct PartialGroup<T: LinkTree = Emulated> {
    /// The names that were copied.
    pub copied: Vec<T::Path>,
    pub link_count: u64,
}

/// What a copy did, on the emulated machine ([`copy_tree`]) or between host
/// trees (`host_copy::copy`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CopyReport<T: LinkTree = Emulated> {
    pub source: T::Path,
    pub destination: T::Path,
    pub files: usize,
    pub directories: usize,
    pub bytes: u64,
    pub links: Vec<LinkCopy<T>>,
    /// Extra names made as hard links in the copy.
    pub hard_links_preserved: usize,
    /// Extra names copied as separate files by the Break policy.
    pub hard_links_broken: usize,
    /// Extra names that should have stayed links but could not.
    pub hard_links_lost: Vec<HardLinkLoss<T>>,
    /// Files whose other names lie outside the tree (only these were copied).
    pub partial_groups: Vec<PartialGroup<T>>,
    /// Entries that could not be copied.
    pub errors: Vec<(T::Path, T::Error)>,
}

impl<T: LinkTree> CopyReport<T> {
    /// An empty report of a copy from `source` to `destination`.
    pub fn new(source: T::Path, destination: T::Path) -> Self {
        CopyReport {
            source,
            destination,
            files: 0,
            directories: 0,
            bytes: 0,
            links: Vec::new(),
            hard_links_preserved: 0,
            hard_links_broken: 0,
            hard_links_lost: Vec::new(),
            partial_groups: Vec::new(),
            errors: Vec::new(),
        }
    }

    /// The action taken on the link at source `path`.
    pub fn action_of(&self, path: impl Into<T::Path>) -> Option<&LinkAction<T>> {
        let path = path.into();
        self.links
            .iter()
            .find(|l| T::same_path(&l.path, &path))
            .map(|l| &l.action)
    }
}

impl<T: LinkTree> fmt::Display for CopyReport<T> {
    /// The summary `ntlinkfs copy` prints at the end.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "Copied {} to {}: {} directories, {} files, {} bytes",
            T::show(&self.source),
            T::show(&self.destination),
            self.directories,
            self.files,
            self.bytes
        )?;
        writeln!(
            f,
            "Hard links: {} preserved, {} broken, {} could not be preserved, {} files with \
             names outside the tree",
            self.hard_links_preserved,
            self.hard_links_broken,
            self.hard_links_lost.len(),
            self.partial_groups.len()
        )?;
        for l in &self.hard_links_lost {
            writeln!(
                f,
                "  not preserved: {} (copied as a separate file: {})",
                T::show(&l.path),
                T::error_message(&l.error)
            )?;
        }
        for g in &self.partial_groups {
            let names: Vec<String> = g.copied.iter().map(T::show).collect();
            writeln!(
                f,
                "  {} of {} names copied: {}",
                names.len(),
                g.link_count,
                names.join(", ")
            )?;
        }
        let mut counts: std::collections::BTreeMap<(LinkKind, &'static str), usize> =
            Default::default();
        for l in &self.links {
            *counts.entry((l.kind, l.action.label())).or_default() += 1;
        }
        if counts.is_empty() {
            writeln!(f, "Links: none")?;
        } else {
            let by_kind: Vec<String> = counts
                .iter()
                .map(|((k, a), n)| format!("{n} {} {a}", k.label().to_ascii_lowercase()))
                .collect();
            writeln!(f, "Links: {}", by_kind.join(", "))?;
            for l in &self.links {
                writeln!(
                    f,
                    "  {:<10} {} -> {}: {}",
                    format!("<{}>", l.kind),
                    T::show(&l.path),
                    l.target,
                    l.action
                )?;
            }
        }
        if self.errors.is_empty() {
            writeln!(f, "Errors: none")?;
        } else {
            writeln!(f, "Errors: {}", self.errors.len())?;
            for (p, e) in &self.errors {
                writeln!(f, "  {}: {}", T::show(p), T::error_message(e))?;
            }
        }
        Ok(())
    }
}

/// Where a copy is, for a progress display.
#[derive(Debug, Clone, Copy)]
pub struct Progress<'a> {
    pub files: usize,
    pub directories: usize,
    pub links: usize,
    pub bytes: u64,
    /// The source entry just handled.
    pub path: &'a str,
}

/// Why a copy could not start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CopyFailure {
    Source(NtError),
    Destination(NtError),
    /// The destination lies inside the source: the copy would copy itself.
    DestinationInsideSource,
}

impl fmt::Display for CopyFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            CopyFailure::Source(e) => write!(f, "source: {}", e.message()),
            CopyFailure::Destination(e) => write!(f, "destination: {}", e.message()),
            // xcopy's words for it.
            CopyFailure::DestinationInsideSource => f.write_str("Cannot perform a cyclic copy"),
        }
    }
}

impl std::error::Error for CopyFailure {}

/// A directory still to copy.
struct Frame {
    src: NodeId,
    src_path: String,
    dst: NodeId,
    dst_path: String,
    /// Source directories this one lies inside (followed links included).
    ancestors: Vec<NodeId>,
}

/// A re-mapped link, made once every target's copy is known.
struct Deferred {
    link: NodeId,
    src_path: String,
    physical: String,
    kind: LinkKind,
    outside: Outside,
    dst_dir: NodeId,
    name: String,
    index: usize,
}

struct Copier<'p> {
    opts: CopyOptions,
    report: CopyReport,
    src_root: FullPath,
    dst_root_id: NodeId,
    dst_root_path: String,
    /// Source node → its copy's path (directories and files).
    copied: HashMap<NodeId, String>,
    /// Source hard-linked file → its first copy and the names copied.
    hard: HashMap<NodeId, (NodeId, Vec<String>, u32)>,
    deferred: Vec<Deferred>,
    dir_times: Vec<(NodeId, NodeId)>,
    progress: &'p mut dyn FnMut(&Progress),
}

/// Copies the tree at `src` into `dst` (created if missing; an existing
/// directory receives the entries) with a policy per link kind. Entries
/// that fail are reported and the copy goes on; it fails as a whole only
/// when it cannot start.
pub fn copy_tree(
    m: &mut Machine,
    src: &str,
    dst: &str,
    opts: &CopyOptions,
    progress: &mut dyn FnMut(&Progress),
) -> std::result::Result<CopyReport, CopyFailure> {
    let s = m
        .query_information(src, Follow::Reparse)
        .map_err(CopyFailure::Source)?;
    if !s.is_directory {
        return Err(CopyFailure::Source(NtError::NotADirectory));
    }
    let src_path = m.path_of(s.id).map_err(CopyFailure::Source)?;
    let src_root = m.full_path(&src_path).map_err(CopyFailure::Source)?;
    let dst_id = copy_destination(m, dst, &src_root)?;
    let dst_path = m.path_of(dst_id).map_err(CopyFailure::Destination)?;
    let mut c = Copier {
        opts: *opts,
        report: CopyReport::new(src_path.clone(), dst_path.clone()),
        src_root,
        dst_root_id: dst_id,
        dst_root_path: dst_path.clone(),
        copied: HashMap::new(),
        hard: HashMap::new(),
        deferred: Vec::new(),
        dir_times: vec![(s.id, dst_id)],
        progress,
    };
    let mut stack = vec![Frame {
        src: s.id,
        src_path,
        dst: dst_id,
        dst_path,
        ancestors: vec![s.id],
    }];
    while let Some(frame) = stack.pop() {
        c.copied.entry(frame.src).or_insert(frame.dst_path.clone());
        let mut subdirs = copy_dir_entries(m, &mut c, &frame);
        subdirs.reverse();
        stack.extend(subdirs);
    }
    for d in std::mem::take(&mut c.deferred) {
        make_remapped(m, &mut c, d);
    }
    for (id, (_, names, count)) in &c.hard {
        let _ = id;
        if (names.len() as u32) < *count {
            c.report.partial_groups.push(PartialGroup {
                copied: names.clone(),
                link_count: (*count).into(),
            });
        }
    }
    c.report
        .partial_groups
        .sort_by(|a, b| a.copied.cmp(&b.copied));
    // Directory times last: adding children changed them.
    for (src, dst) in std::mem::take(&mut c.dir_times) {
        let _ = copy_times(m, src, dst);
    }
    Ok(c.report)
}

/// The destination directory: an existing one, or a new one. Refused when it
/// would lie inside the source.
fn copy_destination(
    m: &mut Machine,
    dst: &str,
    src_root: &FullPath,
) -> std::result::Result<NodeId, CopyFailure> {
    let full = m.full_path(dst).map_err(CopyFailure::Destination)?;
    let physical = match m.query_information(dst, Follow::Reparse) {
        Ok(i) if i.is_directory => m.path_of(i.id).map_err(CopyFailure::Destination)?,
        Ok(_) => return Err(CopyFailure::Destination(NtError::ObjectNameCollision)),
        Err(_) => {
            let parent = full
                .parent()
                .ok_or(CopyFailure::Destination(NtError::ObjectNameInvalid))?;
            let name = full
                .components
                .last()
                .ok_or(CopyFailure::Destination(NtError::ObjectNameInvalid))?;
            let p = m
                .query_information(&parent.to_win32(), Follow::Reparse)
                .map_err(|e| CopyFailure::Destination(path_error(e)))?;
            let pp = m.path_of(p.id).map_err(CopyFailure::Destination)?;
            let sep = if pp.ends_with('\\') { "" } else { "\\" };
            format!("{pp}{sep}{name}")
        }
    };
    let physical_full = m.full_path(&physical).map_err(CopyFailure::Destination)?;
    if physical_full.starts_with(src_root) {
        return Err(CopyFailure::DestinationInsideSource);
    }
    match m.query_information(dst, Follow::Reparse) {
        Ok(i) => Ok(i.id),
        Err(_) => m
            .create_directory(dst)
            .map(|i| i.id)
            .map_err(CopyFailure::Destination),
    }
}

/// Copies the entries of one directory; returns the subdirectories to visit.
fn copy_dir_entries(m: &mut Machine, c: &mut Copier, frame: &Frame) -> Vec<Frame> {
    let entries = match m.read_dir(frame.src, None, usize::MAX) {
        Ok(e) => e,
        Err(e) => {
            c.report.errors.push((frame.src_path.clone(), e));
            return Vec::new();
        }
    };
    let mut subdirs = Vec::new();
    for e in entries {
        let name = e.name.to_string_lossy();
        let src_path = join(&frame.src_path, &name);
        let dst_path = join(&frame.dst_path, &name);
        if e.info.reparse_tag.is_some() {
            if let Some(sub) = copy_link(m, c, frame, &e.info, &name, &src_path, &dst_path) {
                subdirs.push(sub);
            }
        } else if e.info.is_directory {
            match m.create_directory_at(frame.dst, &name) {
                Ok(d) => {
                    c.report.directories += 1;
                    c.dir_times.push((e.info.id, d.id));
                    let mut ancestors = frame.ancestors.clone();
                    ancestors.push(e.info.id);
                    subdirs.push(Frame {
                        src: e.info.id,
                        src_path: src_path.clone(),
                        dst: d.id,
                        dst_path,
                        ancestors,
                    });
                }
                Err(err) => c.report.errors.push((src_path.clone(), err)),
            }
        } else {
            copy_one_file(m, c, frame.dst, &e.info, &name, &src_path, &dst_path);
        }
        let r = &c.report;
        (c.progress)(&Progress {
            files: r.files,
            directories: r.directories,
            links: r.links.len(),
            bytes: r.bytes,
            path: &src_path,
        });
    }
    subdirs
}

/// A file name: a new file, or with Preserve a new name of a file already copied.
fn copy_one_file(
    m: &mut Machine,
    c: &mut Copier,
    dst_dir: NodeId,
    info: &FileInfo,
    name: &str,
    src_path: &str,
    dst_path: &str,
) {
    let linked = info.total_links > 1;
    if linked {
        if let Some((first, names, _)) = c.hard.get_mut(&info.id) {
            names.push(src_path.to_string());
            match c.opts.hard_links {
                HardLinkPolicy::Break => c.report.hard_links_broken += 1,
                HardLinkPolicy::Preserve => {
                    let first = *first;
                    match m.create_hard_link_at(first, dst_dir, name) {
                        Ok(_) => {
                            c.report.hard_links_preserved += 1;
                            c.copied
                                .entry(info.id)
                                .or_insert_with(|| dst_path.to_string());
                            return;
                        }
                        Err(error) => c.report.hard_links_lost.push(HardLinkLoss {
                            path: src_path.to_string(),
                            error,
                        }),
                    }
                }
            }
        }
    }
    match copy_file_data(m, info.id, dst_dir, name) {
        Ok(new) => {
            c.report.files += 1;
            c.report.bytes += info.size;
            c.copied
                .entry(info.id)
                .or_insert_with(|| dst_path.to_string());
            if linked && !c.hard.contains_key(&info.id) {
                c.hard
                    .insert(info.id, (new, vec![src_path.to_string()], info.total_links));
            }
        }
        Err(e) => c.report.errors.push((src_path.to_string(), e)),
    }
}

/// A new regular file in `dst_dir` with the data, attributes, times and
/// POSIX meta of `src`.
fn copy_file_data(m: &mut Machine, src: NodeId, dst_dir: NodeId, name: &str) -> Result<NodeId> {
    // The data is copied first: no room for it, and nothing was created.
    let data = copy_data_of(m, src, dst_dir.volume)?;
    let new = m.create_file_at(dst_dir, name, 0)?.id;
    if let Some(data) = data {
        m.set_data_of(new, data)?;
    }
    copy_meta(m, src, new)?;
    Ok(new)
}

/// A copy of a file's data for volume `vol` (None when `src` holds none).
fn copy_data_of(m: &Machine, src: NodeId, vol: VolumeId) -> Result<Option<FileData>> {
    m.copy_data_for(src, vol)
}

/// Attributes (the settable bits), times and POSIX meta.
fn copy_meta(m: &mut Machine, src: NodeId, dst: NodeId) -> Result<()> {
    let attrs = m.info(src)?.attributes;
    m.set_attributes_of(dst, attrs)?;
    copy_times(m, src, dst)?;
    let posix = m.info(src)?.posix;
    m.set_posix_meta_of(dst, posix)
}

/// The source's times; the change time is now's.
fn copy_times(m: &mut Machine, src: NodeId, dst: NodeId) -> Result<()> {
    let t = m.info(src)?.times;
    m.set_times_of(
        dst,
        Some(t.creation),
        Some(t.last_access),
        Some(t.last_write),
    )
}

/// A junction, symbolic link or other reparse point, by its policy. Returns
/// a directory to visit when a link is followed.
fn copy_link(
    m: &mut Machine,
    c: &mut Copier,
    frame: &Frame,
    info: &FileInfo,
    name: &str,
    src_path: &str,
    dst_path: &str,
) -> Option<Frame> {
    let kind = LinkKind::of(m, info.id)?;
    // Resolve through the link's physical path: the walk's own path may pass
    // through followed links and would spend the reparse budget (P8).
    let physical = m.path_of(info.id).unwrap_or_else(|_| src_path.to_string());
    let target = link_target(m, info.id, &physical)
        .map(|t| t.display)
        .unwrap_or_default();
    let index = c.report.links.len();
    c.report.links.push(LinkCopy {
        path: src_path.to_string(),
        kind,
        target,
        action: LinkAction::Skipped,
    });
    let mut followed = None;
    let action = match kind {
        LinkKind::Junction | LinkKind::DirectorySymlink => {
            let policy = if kind == LinkKind::Junction {
                c.opts.junctions
            } else {
                c.opts.dir_symlinks
            };
            match policy {
                DirLinkPolicy::Skip => LinkAction::Skipped,
                DirLinkPolicy::CopyLink => copy_link_raw(m, frame.dst, info, name),
                DirLinkPolicy::Follow => {
                    match follow_dir(m, c, frame, &physical, name, src_path, dst_path) {
                        Ok(f) => {
                            followed = Some(f);
                            LinkAction::Followed
                        }
                        Err(a) => a,
                    }
                }
                DirLinkPolicy::Remap(outside) => {
                    c.deferred.push(Deferred {
                        link: info.id,
                        src_path: src_path.to_string(),
                        physical,
                        kind,
                        outside,
                        dst_dir: frame.dst,
                        name: name.to_string(),
                        index,
                    });
                    LinkAction::Skipped // replaced when the link is made
                }
            }
        }
        LinkKind::FileSymlink => match c.opts.file_symlinks {
            FileLinkPolicy::Skip => LinkAction::Skipped,
            FileLinkPolicy::CopyLink => copy_link_raw(m, frame.dst, info, name),
            FileLinkPolicy::Follow => match m.query_information(&physical, Follow::Reparse) {
                Ok(t) if !t.is_directory => match copy_file_data(m, t.id, frame.dst, name) {
                    Ok(_) => {
                        c.report.files += 1;
                        c.report.bytes += t.size;
                        LinkAction::Followed
                    }
                    Err(e) => LinkAction::Failed(e),
                },
                Ok(_) => LinkAction::NotFollowedDangling(NtError::FileIsADirectory),
                Err(e) => LinkAction::NotFollowedDangling(e),
            },
        },
        // Not a link Win32 follows: copied as it is, with its data; a
        // directory with a directory-bit tag (R20) keeps its children.
        LinkKind::Other(_) => {
            let action = copy_link_raw(m, frame.dst, info, name);
            if action == LinkAction::CopiedAsLink && info.is_directory {
                if let Ok(d) = m.lookup(frame.dst, name) {
                    c.dir_times.push((info.id, d.id));
                    let mut ancestors = frame.ancestors.clone();
                    ancestors.push(info.id);
                    followed = Some(Frame {
                        src: info.id,
                        src_path: src_path.to_string(),
                        dst: d.id,
                        dst_path: dst_path.to_string(),
                        ancestors,
                    });
                }
            }
            action
        }
    };
    if let LinkAction::Failed(e) = action {
        c.report.errors.push((src_path.to_string(), e));
    }
    c.report.links[index].action = action;
    followed
}

/// Follows a directory link: a real directory in the copy, to be filled with
/// the target's entries, unless the target is one the copy is inside.
fn follow_dir(
    m: &mut Machine,
    c: &mut Copier,
    frame: &Frame,
    physical: &str,
    name: &str,
    src_path: &str,
    dst_path: &str,
) -> std::result::Result<Frame, LinkAction> {
    let t = m
        .query_information(physical, Follow::Reparse)
        .map_err(LinkAction::NotFollowedDangling)?;
    if !t.is_directory {
        return Err(LinkAction::NotFollowedDangling(NtError::NotADirectory));
    }
    // A loop: the target is a directory being copied, or holds the copy.
    let into_copy = t.id == c.dst_root_id || ancestors(m, c.dst_root_id).contains(&t.id);
    if frame.ancestors.contains(&t.id) || into_copy {
        return Err(LinkAction::NotFollowedLoop);
    }
    let d = m
        .create_directory_at(frame.dst, name)
        .map_err(LinkAction::Failed)?;
    c.report.directories += 1;
    c.dir_times.push((t.id, d.id));
    let mut ancestors = frame.ancestors.clone();
    ancestors.push(t.id);
    Ok(Frame {
        src: t.id,
        src_path: src_path.to_string(),
        dst: d.id,
        dst_path: dst_path.to_string(),
        ancestors,
    })
}

/// The link itself: same object kind, same reparse buffer, same attributes.
fn copy_link_raw(m: &mut Machine, dst_dir: NodeId, info: &FileInfo, name: &str) -> LinkAction {
    let r = (|| -> Result<()> {
        let raw = m.get_reparse_point_of(info.id)?;
        // S13: a symlink file may hold data; it is copied before anything
        // is created.
        let data = if info.is_directory {
            None
        } else {
            copy_data_of(m, info.id, dst_dir.volume)?
        };
        let new = if info.is_directory {
            m.create_directory_at(dst_dir, name)?.id
        } else {
            m.create_file_at(dst_dir, name, 0)?.id
        };
        if let Err(e) = m.set_reparse_point_of(new, &raw) {
            let _ = m.delete_at(dst_dir, name, ntlinkfs_core::Want::Any);
            return Err(e);
        }
        if let Some(data) = data {
            // The buffer went on while the file was empty (S12), the data follows.
            m.set_data_of(new, data)?;
        }
        copy_meta(m, info.id, new)
    })();
    match r {
        Ok(()) => LinkAction::CopiedAsLink,
        Err(e) => LinkAction::Failed(e),
    }
}

/// Makes a re-mapped link once every copy's place is known.
fn make_remapped(m: &mut Machine, c: &mut Copier, d: Deferred) {
    let action = remap_action(m, c, &d);
    if let LinkAction::Failed(e) = action {
        c.report.errors.push((d.src_path.clone(), e));
    }
    c.report.links[d.index].action = action;
}

fn remap_action(m: &mut Machine, c: &mut Copier, d: &Deferred) -> LinkAction {
    let Some(target) = link_target(m, d.link, &d.physical) else {
        return LinkAction::Failed(NtError::IoReparseDataInvalid);
    };
    let resolved = m.query_information(&d.physical, Follow::Reparse).ok();
    let inside = target
        .lexical
        .as_ref()
        .is_some_and(|l| l.starts_with(&c.src_root));
    let new_target = match resolved.as_ref().and_then(|r| c.copied.get(&r.id)) {
        // A relative symlink inside the tree already means the same place in
        // the copy: keep its text.
        Some(_) if target.relative && inside => Some(target.display.clone()),
        Some(p) => Some(p.clone()),
        // Dangling but inside: the same (missing) place in the copy.
        None if inside && resolved.is_none() => target.lexical.as_ref().map(|l| {
            let rest: Vec<String> = l.components[c.src_root.components.len()..]
                .iter()
                .map(|n| n.to_string())
                .collect();
            let mut p = c.dst_root_path.clone();
            for r in rest {
                p = join(&p, &r);
            }
            p
        }),
        None => None,
    };
    if let Some(t) = new_target {
        return match make_link(m, d, &t) {
            Ok(()) => LinkAction::Remapped { target: t },
            Err(e) => LinkAction::Failed(e),
        };
    }
    let why = if inside {
        OutsideReason::NotCopied
    } else if target
        .lexical
        .as_ref()
        .is_some_and(|l| l.root != c.src_root.root)
        || target.lexical.is_none()
    {
        OutsideReason::OtherVolume
    } else {
        OutsideReason::OutsideTree
    };
    match d.outside {
        Outside::Skip => LinkAction::SkippedOutside { why },
        Outside::Keep => {
            // A relative link keeps pointing at the original place: made absolute.
            let t = match (&target.lexical, target.relative) {
                (Some(l), true) => l.to_win32(),
                _ => target.display.clone(),
            };
            let r = if target.relative {
                make_link(m, d, &t)
            } else {
                let info = m.info(d.link);
                match info {
                    Ok(info) => match copy_link_raw(m, d.dst_dir, &info, &d.name) {
                        LinkAction::Failed(e) => Err(e),
                        _ => Ok(()),
                    },
                    Err(e) => Err(e),
                }
            };
            match r {
                Ok(()) => LinkAction::KeptOutside { target: t, why },
                Err(e) => LinkAction::Failed(e),
            }
        }
    }
}

/// A junction or directory symlink named `d.name` in `d.dst_dir` to `target`.
fn make_link(m: &mut Machine, d: &Deferred, target: &str) -> Result<()> {
    let new = match d.kind {
        LinkKind::Junction => m.create_junction_at(d.dst_dir, &d.name, target)?,
        _ => m.create_symbolic_link_at(
            d.dst_dir,
            &d.name,
            target,
            SymlinkFlags {
                directory: true,
                ..Default::default()
            },
        )?,
    };
    copy_meta(m, d.link, new.id)
}

fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('\\') {
        format!("{dir}{name}")
    } else {
        format!("{dir}\\{name}")
    }
}

/// A missing parent of the destination is a missing path (ERROR_PATH_NOT_FOUND).
fn path_error(e: NtError) -> NtError {
    if e == NtError::ObjectNameNotFound {
        NtError::ObjectPathNotFound
    } else {
        e
    }
}

#[cfg(test)]
mod tests;
