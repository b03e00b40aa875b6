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
//!
//! The engine ([`run`]) is written once over [`CopyTree`]: the emulated
//! machine (`emulated`, [`copy_tree`]) and host directories
//! (`crate::host_copy`) differ only in how they read and make entries.

use crate::audit::LinkKind;
use crate::tree::{Emulated, LinkTree};
use ntlinkfs_core::NtError;
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
pub struct Progress<'a, T: LinkTree = Emulated> {
    pub files: usize,
    pub directories: usize,
    pub links: usize,
    pub bytes: u64,
    /// The source entry just handled.
    pub path: &'a T::Path,
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

/// A source path, id and error of the tree a [`CopyTree`] copies.
type PathOf<T> = <<T as CopyTree>::Kind as LinkTree>::Path;
type IdOf<T> = <<T as CopyTree>::Kind as LinkTree>::Id;
type ErrorOf<T> = <<T as CopyTree>::Kind as LinkTree>::Error;
/// A source directory and its copy.
pub type DirPair<T> = (<T as CopyTree>::Dir, <T as CopyTree>::Dir);
/// What copying a link itself gave.
pub type LinkCopied<T> = Result<Option<DirPair<T>>, ErrorOf<T>>;
/// A hard-linked file's first copy, the names copied, its link count.
type Group<T> = (<T as CopyTree>::Made, Vec<PathOf<T>>, u64);

/// What an entry of a source directory is, for the copy.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum What<E> {
    Directory,
    /// A file with this many names (on the whole volume).
    File {
        links: u64,
    },
    /// A junction, symbolic link or other reparse point.
    Link,
    /// A FIFO, socket or device node seen as such (a host tree), with the
    /// WSL tag it is listed under.
    Special(u32),
    /// Something the copy cannot take; reported with this error.
    Unsupported(E),
}

/// One entry of a source directory.
pub struct Entry<T: CopyTree + ?Sized> {
    /// Its path in the source, as reports show it.
    pub path: PathOf<T>,
    /// The file's identity (shared by hard links).
    pub id: IdOf<T>,
    pub what: What<ErrorOf<T>>,
    /// The entry as the tree knows it.
    pub src: T::Src,
}

impl<T: CopyTree + ?Sized> Clone for Entry<T> {
    fn clone(&self) -> Self {
        Entry {
            path: self.path.clone(),
            id: self.id,
            what: self.what.clone(),
            src: self.src.clone(),
        }
    }
}

/// Where a new directory takes its times from.
pub enum Like<'a, T: CopyTree + ?Sized> {
    /// A directory of the source.
    Entry(&'a Entry<T>),
    /// The target of a followed link.
    Followed(IdOf<T>),
}

/// What became of a re-mapped link ([`CopyTree::remap`]).
pub enum Remap {
    /// Made, pointing into the copy with this target.
    Made(String),
    /// Not made: its target lies outside the copy.
    Outside(OutsideReason),
}

/// A re-mapped link, made once every target's copy is known.
pub struct Deferred<T: CopyTree + ?Sized> {
    pub entry: Entry<T>,
    pub kind: LinkKind,
    pub outside: Outside,
    /// Where the link goes in the copy.
    pub at: T::Place,
    index: usize,
}

/// A tree the copy reads and writes: the emulated machine
/// (`copy_tree`) or host directories (`host_copy::copy`). The walk, the
/// policies, loops, hard-link groups, re-mapping and the report are the
/// engine's ([`run`]); these are the tree's own operations.
pub trait CopyTree {
    /// The report types: paths, ids and errors.
    type Kind: LinkTree;
    /// A source entry as the tree knows it.
    type Src: Clone;
    /// A directory of the source or the copy.
    type Dir: Clone;
    /// A place to make one entry in the copy.
    type Place;
    /// A file made in the copy, that more names of it can be linked to.
    type Made;

    /// The path of a directory, as reports show it.
    fn dir_path(dir: &Self::Dir) -> PathOf<Self>;
    /// The source directory an entry is.
    fn entry_dir(e: &Entry<Self>) -> Self::Dir;
    /// The identity of a source directory.
    fn dir_id(&self, dir: &Self::Dir) -> Option<IdOf<Self>>;
    /// The entries of a source directory, in the order they are copied.
    fn read_dir(&mut self, dir: &Self::Dir) -> Result<Vec<Entry<Self>>, ErrorOf<Self>>;
    /// Where `e` goes inside the copy's directory `parent`.
    fn place(&self, parent: &Self::Dir, e: &Entry<Self>) -> Self::Place;
    /// The path of a place, as reports show it.
    fn place_path(at: &Self::Place) -> PathOf<Self>;

    /// A new directory.
    fn make_dir(
        &mut self,
        at: &Self::Place,
        like: Like<'_, Self>,
    ) -> Result<Self::Dir, ErrorOf<Self>>;
    /// A new file with the data and metadata of `e`; gives the bytes copied.
    fn copy_file(
        &mut self,
        e: &Entry<Self>,
        at: &Self::Place,
    ) -> Result<(Self::Made, u64), ErrorOf<Self>>;
    /// Another name for a file already made.
    fn hard_link(&mut self, first: &Self::Made, at: &Self::Place) -> Result<(), ErrorOf<Self>>;
    /// A FIFO, socket or device made again ([`What::Special`]).
    fn make_special(&mut self, e: &Entry<Self>, at: &Self::Place) -> Result<(), ErrorOf<Self>>;

    /// The kind of a link and its target as stored; None: not a link after all.
    fn link_of(&self, e: &Entry<Self>) -> Option<(LinkKind, String)>;
    /// The link itself. Some((source, copy)) when the copy is a directory
    /// whose entries are copied too (a tag with the directory bit, R20).
    fn copy_link(&mut self, e: &Entry<Self>, at: &Self::Place) -> LinkCopied<Self>;
    /// The directory a link leads to: its identity, and the source directory
    /// to read (named by the link's path). An error: dangling.
    fn follow_dir(&mut self, e: &Entry<Self>) -> Result<(IdOf<Self>, Self::Dir), ErrorOf<Self>>;
    /// Whether following `e` to `target` enters the copy itself.
    fn enters_copy(&self, target: IdOf<Self>, e: &Entry<Self>) -> bool;
    /// The data of the file a file symlink leads to, as a regular file.
    /// Gives the bytes copied, or what became of the link.
    fn follow_file(
        &mut self,
        e: &Entry<Self>,
        at: &Self::Place,
    ) -> Result<u64, LinkAction<Self::Kind>>;
    /// Makes a re-mapped link point into the copy, given where each copied
    /// source went (its text kept where it already means the same place);
    /// or says why its target lies outside the copy.
    fn remap(
        &mut self,
        d: &Deferred<Self>,
        copied: &HashMap<IdOf<Self>, PathOf<Self>>,
    ) -> Result<Remap, ErrorOf<Self>>;
    /// Makes a re-mapped link whose target lies outside the copy keep
    /// pointing at that original place; gives the target it was given.
    fn keep_outside(&mut self, d: &Deferred<Self>) -> Result<String, ErrorOf<Self>>;
    /// Runs once everything is made (directory times).
    fn finish(&mut self) {}
}

/// A directory still to copy.
struct Frame<T: CopyTree + ?Sized> {
    src: T::Dir,
    dst: T::Dir,
    /// Source directories this one lies inside (followed links included).
    ancestors: Vec<IdOf<T>>,
}

struct Copier<'t, 'p, T: CopyTree> {
    tree: &'t mut T,
    opts: CopyOptions,
    report: CopyReport<T::Kind>,
    /// Source file or directory → its copy's path.
    copied: HashMap<IdOf<T>, PathOf<T>>,
    /// Source hard-linked file → its first copy, the names copied, its link count.
    hard: HashMap<IdOf<T>, Group<T>>,
    deferred: Vec<Deferred<T>>,
    progress: &'p mut dyn FnMut(&Progress<T::Kind>),
}

/// Copies the source directory `src` (identity `src_id`) into the copy's
/// directory `dst`, filling `report`. Entries that fail are reported and the
/// copy goes on.
pub fn run<T: CopyTree>(
    tree: &mut T,
    opts: &CopyOptions,
    (src, src_id, dst): (T::Dir, IdOf<T>, T::Dir),
    report: CopyReport<T::Kind>,
    progress: &mut dyn FnMut(&Progress<T::Kind>),
) -> CopyReport<T::Kind> {
    let mut c = Copier {
        tree,
        opts: *opts,
        report,
        copied: HashMap::new(),
        hard: HashMap::new(),
        deferred: Vec::new(),
        progress,
    };
    let mut stack = vec![Frame::<T> {
        src,
        dst,
        ancestors: vec![src_id],
    }];
    while let Some(frame) = stack.pop() {
        if let Some(id) = c.tree.dir_id(&frame.src) {
            c.copied
                .entry(id)
                .or_insert_with(|| T::dir_path(&frame.dst));
        }
        let mut subdirs = c.copy_dir(&frame);
        subdirs.reverse();
        stack.extend(subdirs);
    }
    for d in std::mem::take(&mut c.deferred) {
        let action = c.remap(&d);
        if let LinkAction::Failed(e) = &action {
            c.report.errors.push((d.entry.path.clone(), e.clone()));
        }
        c.report.links[d.index].action = action;
    }
    let mut partial: Vec<PartialGroup<T::Kind>> = c
        .hard
        .values()
        .filter(|(_, names, n)| (names.len() as u64) < *n)
        .map(|(_, names, n)| PartialGroup {
            copied: names.clone(),
            link_count: *n,
        })
        .collect();
    partial.sort();
    c.report.partial_groups = partial;
    c.tree.finish();
    c.report
}

impl<T: CopyTree> Copier<'_, '_, T> {
    /// Copies the entries of one directory; returns the subdirectories to visit.
    fn copy_dir(&mut self, frame: &Frame<T>) -> Vec<Frame<T>> {
        let entries = match self.tree.read_dir(&frame.src) {
            Ok(e) => e,
            Err(e) => {
                self.report.errors.push((T::dir_path(&frame.src), e));
                return Vec::new();
            }
        };
        let mut subdirs = Vec::new();
        for e in entries {
            let at = self.tree.place(&frame.dst, &e);
            match &e.what {
                What::Link => {
                    if let Some(sub) = self.copy_link(frame, &e, at) {
                        subdirs.push(sub);
                    }
                }
                What::Directory => match self.tree.make_dir(&at, Like::Entry(&e)) {
                    Ok(d) => {
                        self.report.directories += 1;
                        subdirs.push(Frame {
                            src: T::entry_dir(&e),
                            dst: d,
                            ancestors: with(&frame.ancestors, e.id),
                        });
                    }
                    Err(err) => self.report.errors.push((e.path.clone(), err)),
                },
                What::File { links } => self.copy_file(&e, &at, *links),
                What::Special(tag) => self.copy_special(&e, &at, *tag),
                What::Unsupported(err) => self.report.errors.push((e.path.clone(), err.clone())),
            }
            let r = &self.report;
            (self.progress)(&Progress {
                files: r.files,
                directories: r.directories,
                links: r.links.len(),
                bytes: r.bytes,
                path: &e.path,
            });
        }
        subdirs
    }

    /// A file name: a new file, or with Preserve a new name of a file already copied.
    fn copy_file(&mut self, e: &Entry<T>, at: &T::Place, links: u64) {
        let linked = links > 1;
        if linked {
            if let Some((first, names, _)) = self.hard.get_mut(&e.id) {
                names.push(e.path.clone());
                match self.opts.hard_links {
                    HardLinkPolicy::Break => self.report.hard_links_broken += 1,
                    HardLinkPolicy::Preserve => match self.tree.hard_link(first, at) {
                        Ok(()) => {
                            self.report.hard_links_preserved += 1;
                            return;
                        }
                        Err(error) => self.report.hard_links_lost.push(HardLinkLoss {
                            path: e.path.clone(),
                            error,
                        }),
                    },
                }
            }
        }
        match self.tree.copy_file(e, at) {
            Ok((made, bytes)) => {
                self.report.files += 1;
                self.report.bytes += bytes;
                self.copied.entry(e.id).or_insert_with(|| T::place_path(at));
                if linked && !self.hard.contains_key(&e.id) {
                    self.hard.insert(e.id, (made, vec![e.path.clone()], links));
                }
            }
            Err(err) => self.report.errors.push((e.path.clone(), err)),
        }
    }

    /// A FIFO, socket or device: made again, never opened, and listed with
    /// the links under its WSL tag.
    fn copy_special(&mut self, e: &Entry<T>, at: &T::Place, tag: u32) {
        let action = match self.tree.make_special(e, at) {
            Ok(()) => LinkAction::CopiedAsLink,
            Err(err) => {
                self.report.errors.push((e.path.clone(), err.clone()));
                LinkAction::Failed(err)
            }
        };
        self.report.links.push(LinkCopy {
            path: e.path.clone(),
            kind: LinkKind::Other(tag),
            target: String::new(),
            action,
        });
    }

    /// A junction, symbolic link or other reparse point, by its policy.
    /// Returns a directory to visit when a link is followed.
    fn copy_link(&mut self, frame: &Frame<T>, e: &Entry<T>, at: T::Place) -> Option<Frame<T>> {
        let (kind, target) = self.tree.link_of(e)?;
        let index = self.report.links.len();
        self.report.links.push(LinkCopy {
            path: e.path.clone(),
            kind,
            target,
            action: LinkAction::Skipped,
        });
        let mut followed = None;
        let as_link = |r: Result<_, ErrorOf<T>>| match r {
            Ok(_) => LinkAction::CopiedAsLink,
            Err(err) => LinkAction::Failed(err),
        };
        let action = match kind {
            LinkKind::Junction | LinkKind::DirectorySymlink => {
                let policy = if kind == LinkKind::Junction {
                    self.opts.junctions
                } else {
                    self.opts.dir_symlinks
                };
                match policy {
                    DirLinkPolicy::Skip => LinkAction::Skipped,
                    DirLinkPolicy::CopyLink => as_link(self.tree.copy_link(e, &at)),
                    DirLinkPolicy::Follow => match self.follow_dir(frame, e, &at) {
                        Ok(f) => {
                            followed = Some(f);
                            LinkAction::Followed
                        }
                        Err(a) => a,
                    },
                    DirLinkPolicy::Remap(outside) => {
                        self.deferred.push(Deferred {
                            entry: e.clone(),
                            kind,
                            outside,
                            at,
                            index,
                        });
                        LinkAction::Skipped // replaced when the link is made
                    }
                }
            }
            LinkKind::FileSymlink => match self.opts.file_symlinks {
                FileLinkPolicy::Skip => LinkAction::Skipped,
                FileLinkPolicy::CopyLink => as_link(self.tree.copy_link(e, &at)),
                FileLinkPolicy::Follow => match self.tree.follow_file(e, &at) {
                    Ok(bytes) => {
                        self.report.files += 1;
                        self.report.bytes += bytes;
                        LinkAction::Followed
                    }
                    Err(a) => a,
                },
            },
            // Not a link Win32 follows: copied as it is; a directory with a
            // directory-bit tag (R20) keeps its children.
            LinkKind::Other(_) => match self.tree.copy_link(e, &at) {
                Ok(Some((src, dst))) => {
                    followed = Some(Frame {
                        src,
                        dst,
                        ancestors: with(&frame.ancestors, e.id),
                    });
                    LinkAction::CopiedAsLink
                }
                r => as_link(r),
            },
        };
        if let LinkAction::Failed(err) = &action {
            self.report.errors.push((e.path.clone(), err.clone()));
        }
        self.report.links[index].action = action;
        followed
    }

    /// Follows a directory link: a real directory in the copy, to be filled
    /// with the target's entries, unless the target is one the copy is inside
    /// (a loop, J14) or the copy itself.
    fn follow_dir(
        &mut self,
        frame: &Frame<T>,
        e: &Entry<T>,
        at: &T::Place,
    ) -> Result<Frame<T>, LinkAction<T::Kind>> {
        let (id, src) = self
            .tree
            .follow_dir(e)
            .map_err(LinkAction::NotFollowedDangling)?;
        if frame.ancestors.contains(&id) || self.tree.enters_copy(id, e) {
            return Err(LinkAction::NotFollowedLoop);
        }
        let dst = self
            .tree
            .make_dir(at, Like::Followed(id))
            .map_err(LinkAction::Failed)?;
        self.report.directories += 1;
        Ok(Frame {
            src,
            dst,
            ancestors: with(&frame.ancestors, id),
        })
    }
}

impl<T: CopyTree> Copier<'_, '_, T> {
    /// A re-mapped link, made into the copy or, pointing outside, kept or
    /// skipped as its policy says.
    fn remap(&mut self, d: &Deferred<T>) -> LinkAction<T::Kind> {
        let why = match self.tree.remap(d, &self.copied) {
            Ok(Remap::Made(target)) => return LinkAction::Remapped { target },
            Ok(Remap::Outside(why)) => why,
            Err(e) => return LinkAction::Failed(e),
        };
        match d.outside {
            Outside::Skip => LinkAction::SkippedOutside { why },
            Outside::Keep => match self.tree.keep_outside(d) {
                Ok(target) => LinkAction::KeptOutside { target, why },
                Err(e) => LinkAction::Failed(e),
            },
        }
    }
}

/// `list` and one more.
fn with<I: Clone>(list: &[I], one: I) -> Vec<I> {
    let mut v = list.to_vec();
    v.push(one);
    v
}

mod emulated;
pub use emulated::copy_tree;

#[cfg(test)]
mod tests;
