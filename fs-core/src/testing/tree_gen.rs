//! Random NTFS link trees (issue 15): the shape a generator draws
//! ([`TreeSpec`]), the tree it makes on a machine ([`TreeSpec::make`] gives a
//! [`Tree`]), the cmd script that makes the same tree ([`Tree::script`]) and
//! how often each structure occurs ([`Stats`]). The proptest strategies that
//! draw a [`TreeSpec`] are `testing::tree_strategy` (feature
//! `proptest`); `ntlinkfs check` uses the same ones.
//!
//! A spec refers to earlier entries by index, taken modulo the number of
//! candidates when the tree is made, so any spec makes a valid tree: an entry
//! whose name is taken or whose call fails is left out. Removing entries (what
//! shrinking does) therefore always leaves a spec that still makes a tree.

use crate::attrs::FILE_ATTRIBUTE_READONLY;
use crate::error::NtError;
use crate::links::SymlinkFlags;
use crate::machine::Machine;
use crate::name::{Name, NameKey};
use std::collections::HashSet;

/// The directory every generated tree is made in.
pub const SRC: &str = r"C:\src";
/// A directory on the other volume, target of cross-volume links; it holds
/// [`ELSEWHERE_FILE`].
pub const ELSEWHERE: &str = r"D:\elsewhere";
/// The file in [`ELSEWHERE`], target of cross-volume file symlinks.
pub const ELSEWHERE_FILE: &str = r"D:\elsewhere\outside.txt";
/// The name dangling links point at (never generated as an entry's name).
pub const MISSING: &str = "missing";
/// Paths longer than this need long-path support (MAX_PATH).
pub const MAX_PATH: usize = 260;

/// A drawn tree: entries made in order below [`SRC`].
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct TreeSpec {
    /// The entries, each made in a directory made before it.
    pub entries: Vec<EntrySpec>,
}

/// One drawn entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EntrySpec {
    /// Which directory made so far (modulo their number; 0 is [`SRC`]).
    pub parent: usize,
    /// Its name; an entry whose name its directory already holds (in any
    /// case) is left out.
    pub name: String,
    /// What it is.
    pub kind: KindSpec,
}

/// What a drawn entry is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum KindSpec {
    /// A directory.
    Dir,
    /// A file holding `text` and CR LF (what cmd's `echo text> f` writes).
    File {
        /// The text (one word).
        text: String,
        /// FILE_ATTRIBUTE_READONLY, set once every entry is made.
        read_only: bool,
    },
    /// Another name of a file made so far (modulo their number), in this
    /// entry's directory: the same directory or another one (HL rules).
    HardLink {
        /// Which file.
        file: usize,
    },
    /// A directory junction (mount point).
    Junction {
        /// Where it points.
        to: JunctionTo,
    },
    /// A symbolic link.
    Symlink {
        /// Where it points.
        to: SymlinkTo,
        /// How the target is spelled.
        form: SymlinkForm,
        /// Spell the target in the other case (NTFS resolves it all the same).
        case_flip: bool,
    },
}

/// Where a drawn junction points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum JunctionTo {
    /// A directory made so far (modulo their number); a loop when it is the
    /// junction's own directory or above it.
    Dir(usize),
    /// The junction's directory or the one `n` levels above (modulo its depth):
    /// a loop, like Windows' `Application Data` junctions.
    Ancestor(usize),
    /// [`ELSEWHERE`], on the other volume.
    OtherVolume,
    /// `C:\src\missing`, which does not exist: a dangling junction.
    Missing,
}

/// Where a drawn symbolic link points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SymlinkTo {
    /// A file made so far (modulo their number); a dangling link when there is none.
    File(usize),
    /// A directory made so far (a directory symlink; modulo their number).
    Dir(usize),
    /// [`ELSEWHERE_FILE`] on the other volume.
    OtherVolume,
    /// `missing` in its directory, which does not exist: a dangling link.
    Missing,
}

/// How a symbolic link's target is spelled.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SymlinkForm {
    /// `..\a\f` from the link's directory (absolute when the target is on
    /// the other volume).
    Relative,
    /// `C:\src\a\f`.
    Absolute,
    /// `\\localhost\C$\src\a\f`: a UNC path.
    Unc,
}

/// A made tree: every name made below [`SRC`], in the order made.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Tree {
    /// The names made.
    pub entries: Vec<Made>,
}

/// One name made, with its path below [`SRC`] as components.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Made {
    /// Components below [`SRC`].
    pub path: Vec<String>,
    /// What it names.
    pub kind: MadeKind,
}

/// What a made name is.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MadeKind {
    /// A directory.
    Dir,
    /// A name of a file: its first name, or a hard link made later. Names
    /// with the same `file` are one file.
    File {
        /// Which file (numbered in the order the files were made).
        file: usize,
        /// The file's data.
        data: Vec<u8>,
        /// The file is read-only.
        read_only: bool,
        /// This name was made by a hard link (not the first name).
        hard_link: bool,
    },
    /// A junction.
    Junction(Target),
    /// A symbolic link.
    Symlink {
        /// Where it points.
        target: Target,
        /// How the target is spelled.
        form: SymlinkForm,
        /// A directory symlink.
        directory: bool,
        /// The target as stored.
        text: String,
        /// The text spells a name in another case than the name made.
        case_flipped: bool,
    },
}

/// Where a link points.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    /// The target's components below [`SRC`] when it is inside it.
    pub inside: Option<Vec<String>>,
    /// The target as an absolute Windows path.
    pub windows: String,
    /// Nothing exists there.
    pub dangling: bool,
    /// A junction whose target is its own directory or above it.
    pub is_loop: bool,
}

/// The Windows path of components below [`SRC`].
pub fn windows_path(components: &[String]) -> String {
    let mut p = SRC.to_string();
    for c in components {
        p.push('\\');
        p.push_str(c);
    }
    p
}

fn flip_case(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_lowercase() {
                c.to_ascii_uppercase()
            } else {
                c.to_ascii_lowercase()
            }
        })
        .collect()
}

/// The relative spelling of `target` from directory `from` (both below SRC).
fn relative(from: &[String], target: &[String]) -> String {
    let common = from.iter().zip(target).take_while(|(a, b)| a == b).count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(target[common..].iter().map(String::as_str));
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("\\")
    }
}

impl TreeSpec {
    /// Makes the tree on `m`: [`SRC`], [`ELSEWHERE`] with [`ELSEWHERE_FILE`],
    /// then every entry that can be made, in order; read-only attributes last.
    /// `m` needs volumes C: and D: and, for names past [`MAX_PATH`], a profile
    /// with long paths (`11+longpaths`).
    ///
    /// # Errors
    ///
    /// The error of making [`SRC`] or [`ELSEWHERE`] (they exist, no C: or D:);
    /// entries that cannot be made are left out instead.
    pub fn make(&self, m: &mut Machine) -> Result<Tree, NtError> {
        m.create_directory(SRC)?;
        m.create_directory(ELSEWHERE)?;
        m.write_file(ELSEWHERE_FILE, b"outside\r\n")?;
        let mut dirs: Vec<Vec<String>> = vec![Vec::new()];
        // (first name, data, read-only) of each file made.
        let mut files: Vec<(Vec<String>, Vec<u8>, bool)> = Vec::new();
        let mut taken: HashSet<Vec<NameKey>> = HashSet::new();
        let mut tree = Tree::default();
        for e in &self.entries {
            let parent = dirs[e.parent % dirs.len()].clone();
            let mut path = parent.clone();
            path.push(e.name.clone());
            // Names fold case as NTFS folds them (N1).
            let key: Vec<NameKey> = path.iter().map(|c| Name::new(c).key()).collect();
            if e.name.is_empty() || e.name.eq_ignore_ascii_case(MISSING) || taken.contains(&key) {
                continue;
            }
            let win = windows_path(&path);
            let kind = match &e.kind {
                KindSpec::Dir => m.create_directory(&win).map(|_| MadeKind::Dir),
                KindSpec::File { text, read_only } => {
                    let data = format!("{text}\r\n").into_bytes();
                    files.push((path.clone(), data.clone(), *read_only));
                    m.write_file(&win, &data).map(|()| MadeKind::File {
                        file: files.len() - 1,
                        data,
                        read_only: *read_only,
                        hard_link: false,
                    })
                }
                KindSpec::HardLink { file } => {
                    if files.is_empty() {
                        continue;
                    }
                    let n = file % files.len();
                    let (first, data, read_only) = files[n].clone();
                    m.create_hard_link(&win, &windows_path(&first))
                        .map(|_| MadeKind::File {
                            file: n,
                            data,
                            read_only,
                            hard_link: true,
                        })
                }
                KindSpec::Junction { to } => {
                    let target = junction_target(*to, &parent, &dirs);
                    m.create_junction(&win, &target.windows)
                        .map(|_| MadeKind::Junction(target))
                }
                KindSpec::Symlink {
                    to,
                    form,
                    case_flip,
                } => {
                    let (target, directory) = symlink_target(*to, &parent, &dirs, &files);
                    let mut text = match (&target.inside, form) {
                        (Some(t), SymlinkForm::Relative) => relative(&parent, t),
                        (_, SymlinkForm::Unc) if target.windows.starts_with("C:") => {
                            format!(r"\\localhost\C${}", &target.windows[2..])
                        }
                        (_, SymlinkForm::Unc) => {
                            format!(r"\\localhost\D${}", &target.windows[2..])
                        }
                        _ => target.windows.clone(),
                    };
                    if *case_flip {
                        text = flip_case(&text);
                    }
                    let flags = SymlinkFlags {
                        directory,
                        ..Default::default()
                    };
                    m.create_symbolic_link(&win, &text, flags)
                        .map(|_| MadeKind::Symlink {
                            target,
                            form: *form,
                            directory,
                            case_flipped: *case_flip && text != flip_case(&text),
                            text,
                        })
                }
            };
            let Ok(kind) = kind else {
                if let KindSpec::File { .. } = e.kind {
                    files.pop();
                }
                continue;
            };
            if kind == MadeKind::Dir {
                dirs.push(path.clone());
            }
            taken.insert(key);
            tree.entries.push(Made { path, kind });
        }
        for made in &tree.entries {
            if let MadeKind::File {
                read_only: true,
                hard_link: false,
                ..
            } = made.kind
            {
                // As `attrib +r` does: the other attributes stay.
                let p = windows_path(&made.path);
                let attributes = m.get_file_attributes(&p)?;
                m.set_file_attributes(&p, attributes | FILE_ATTRIBUTE_READONLY)?;
            }
        }
        Ok(tree)
    }
}

fn junction_target(to: JunctionTo, parent: &[String], dirs: &[Vec<String>]) -> Target {
    let inside = |t: Vec<String>| Target {
        is_loop: parent.starts_with(&t),
        windows: windows_path(&t),
        inside: Some(t),
        dangling: false,
    };
    match to {
        JunctionTo::Dir(i) => inside(dirs[i % dirs.len()].clone()),
        JunctionTo::Ancestor(n) => inside(parent[..parent.len() - n % (parent.len() + 1)].to_vec()),
        JunctionTo::OtherVolume => Target {
            inside: None,
            windows: ELSEWHERE.to_string(),
            dangling: false,
            is_loop: false,
        },
        JunctionTo::Missing => Target {
            inside: Some(vec![MISSING.to_string()]),
            windows: windows_path(&[MISSING.to_string()]),
            dangling: true,
            is_loop: false,
        },
    }
}

/// The target of a drawn symlink and whether it is a directory symlink.
fn symlink_target(
    to: SymlinkTo,
    parent: &[String],
    dirs: &[Vec<String>],
    files: &[(Vec<String>, Vec<u8>, bool)],
) -> (Target, bool) {
    let inside = |t: Vec<String>, dangling| Target {
        windows: windows_path(&t),
        inside: Some(t),
        dangling,
        is_loop: false,
    };
    let mut missing = parent.to_vec();
    missing.push(MISSING.to_string());
    match to {
        SymlinkTo::File(_) if files.is_empty() => (inside(missing, true), false),
        SymlinkTo::File(i) => (inside(files[i % files.len()].0.clone(), false), false),
        SymlinkTo::Dir(i) => (inside(dirs[i % dirs.len()].clone(), false), true),
        SymlinkTo::OtherVolume => (
            Target {
                inside: None,
                windows: ELSEWHERE_FILE.to_string(),
                dangling: false,
                is_loop: false,
            },
            false,
        ),
        SymlinkTo::Missing => (inside(missing, true), false),
    }
}

fn quoted(path: &str) -> String {
    if path.contains(' ') {
        format!("\"{path}\"")
    } else {
        path.to_string()
    }
}

impl Tree {
    /// The cmd script that makes this tree on a fresh machine (`ntlinkfs run
    /// --profile 11+longpaths`): `md`, `echo`, `mklink`, `attrib`.
    ///
    /// ```
    /// use ntlinkfs_core::testing::{machine, tree_gen::*};
    ///
    /// let spec = TreeSpec {
    ///     entries: vec![
    ///         EntrySpec { parent: 0, name: "f".into(), kind: KindSpec::File { text: "hi".into(), read_only: false } },
    ///         EntrySpec { parent: 0, name: "g".into(), kind: KindSpec::HardLink { file: 0 } },
    ///     ],
    /// };
    /// let tree = spec.make(&mut machine()).unwrap();
    /// assert_eq!(tree.script(), [
    ///     r"md C:\src", r"md D:\elsewhere", r"echo outside> D:\elsewhere\outside.txt",
    ///     r"echo hi> C:\src\f", r"mklink /H C:\src\g C:\src\f",
    /// ]);
    /// ```
    pub fn script(&self) -> Vec<String> {
        let mut lines = vec![
            format!("md {SRC}"),
            format!("md {ELSEWHERE}"),
            format!("echo outside> {ELSEWHERE_FILE}"),
        ];
        let mut first_names: Vec<&Made> = Vec::new();
        for made in &self.entries {
            let win = quoted(&windows_path(&made.path));
            lines.push(match &made.kind {
                MadeKind::Dir => format!("md {win}"),
                MadeKind::File {
                    hard_link: false,
                    data,
                    ..
                } => {
                    first_names.push(made);
                    let text = String::from_utf8_lossy(data);
                    format!("echo {}> {win}", text.trim_end_matches("\r\n"))
                }
                MadeKind::File { file, .. } => {
                    let first = quoted(&windows_path(&first_names[*file].path));
                    format!("mklink /H {win} {first}")
                }
                MadeKind::Junction(t) => format!("mklink /J {win} {}", quoted(&t.windows)),
                MadeKind::Symlink {
                    directory, text, ..
                } => {
                    let d = if *directory { "/D " } else { "" };
                    format!("mklink {d}{win} {}", quoted(text))
                }
            });
        }
        for made in &self.entries {
            if let MadeKind::File {
                read_only: true,
                hard_link: false,
                ..
            } = made.kind
            {
                lines.push(format!("attrib +r {}", quoted(&windows_path(&made.path))));
            }
        }
        lines
    }

    /// The names of each file with more than one name, in the order made.
    pub fn hard_link_groups(&self) -> Vec<Vec<&Made>> {
        let mut groups: Vec<Vec<&Made>> = Vec::new();
        for made in &self.entries {
            if let MadeKind::File { file, .. } = made.kind {
                if groups.len() <= file {
                    groups.resize(file + 1, Vec::new());
                }
                groups[file].push(made);
            }
        }
        groups.retain(|g| g.len() > 1);
        groups
    }

    /// How often this tree holds each structure.
    pub fn stats(&self) -> Stats {
        let mut s = Stats::default();
        for g in self.hard_link_groups() {
            let dir = |m: &Made| m.path[..m.path.len() - 1].to_vec();
            if g.iter().all(|m| dir(m) == dir(g[0])) {
                s.hard_link_groups_one_dir += 1;
            } else {
                s.hard_link_groups_across_dirs += 1;
            }
        }
        for made in &self.entries {
            if windows_path(&made.path).len() > MAX_PATH {
                s.long_paths += 1;
            }
            match &made.kind {
                MadeKind::Dir => {}
                MadeKind::File {
                    read_only,
                    hard_link,
                    ..
                } => s.read_only_files += u64::from(*read_only && !hard_link),
                MadeKind::Junction(t) => {
                    s.junctions += 1;
                    s.junction_loops += u64::from(t.is_loop);
                    s.cross_volume_junctions += u64::from(t.inside.is_none());
                    s.dangling_links += u64::from(t.dangling);
                }
                MadeKind::Symlink {
                    target,
                    form,
                    case_flipped,
                    ..
                } => {
                    s.dangling_links += u64::from(target.dangling);
                    s.case_differing_targets += u64::from(*case_flipped);
                    match form {
                        _ if target.inside.is_none() && *form == SymlinkForm::Relative => {
                            s.symlinks_absolute += 1
                        }
                        SymlinkForm::Relative => s.symlinks_relative += 1,
                        SymlinkForm::Absolute => s.symlinks_absolute += 1,
                        SymlinkForm::Unc => s.symlinks_unc += 1,
                    }
                }
            }
        }
        s
    }
}

/// How often trees held each structure (`ntlinkfs check --stats`), so that a
/// property is never judged on trees that never held its subject.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Stats {
    /// Files with several names, all in one directory.
    pub hard_link_groups_one_dir: u64,
    /// Files with names in several directories.
    pub hard_link_groups_across_dirs: u64,
    /// Junctions.
    pub junctions: u64,
    /// Junctions to their own directory or above it.
    pub junction_loops: u64,
    /// Junctions to the other volume.
    pub cross_volume_junctions: u64,
    /// Junctions and symlinks to nothing.
    pub dangling_links: u64,
    /// Symlinks with a relative target.
    pub symlinks_relative: u64,
    /// Symlinks with an absolute (drive) target.
    pub symlinks_absolute: u64,
    /// Symlinks with a UNC target.
    pub symlinks_unc: u64,
    /// Symlink targets spelled in another case than the names they reach.
    pub case_differing_targets: u64,
    /// Read-only files.
    pub read_only_files: u64,
    /// Names whose path is longer than MAX_PATH.
    pub long_paths: u64,
}

impl Stats {
    /// Adds another tree's counts.
    pub fn add(&mut self, o: &Stats) {
        for (a, b) in self.counts_mut().into_iter().zip(o.rows()) {
            *a += b.1;
        }
    }

    fn counts_mut(&mut self) -> [&mut u64; 12] {
        [
            &mut self.hard_link_groups_one_dir,
            &mut self.hard_link_groups_across_dirs,
            &mut self.junctions,
            &mut self.junction_loops,
            &mut self.cross_volume_junctions,
            &mut self.dangling_links,
            &mut self.symlinks_relative,
            &mut self.symlinks_absolute,
            &mut self.symlinks_unc,
            &mut self.case_differing_targets,
            &mut self.read_only_files,
            &mut self.long_paths,
        ]
    }

    /// Each count with what it counts, in a fixed order.
    pub fn rows(&self) -> [(&'static str, u64); 12] {
        [
            (
                "hard-link groups in one directory",
                self.hard_link_groups_one_dir,
            ),
            (
                "hard-link groups across directories",
                self.hard_link_groups_across_dirs,
            ),
            ("junctions", self.junctions),
            ("junction loops", self.junction_loops),
            ("cross-volume junctions", self.cross_volume_junctions),
            ("dangling links", self.dangling_links),
            ("relative symlinks", self.symlinks_relative),
            ("absolute symlinks", self.symlinks_absolute),
            ("UNC symlinks", self.symlinks_unc),
            ("case-differing link targets", self.case_differing_targets),
            ("read-only files", self.read_only_files),
            ("paths past MAX_PATH", self.long_paths),
        ]
    }
}
