//! Random operation sequences as [proptest] strategies (feature `proptest`):
//! the one generator behind the core's model test (`fs-core/tests/model.rs`)
//! and `ntlinkfs-conformance --random`, which runs the same sequences on
//! another filesystem with the core as the oracle.
//!
//! A sequence is a `Vec<`[`SeqOp`]`>`: files, directories, hard links,
//! junctions, symbolic links, renames, deletes, reads, listings and open
//! handles on the drives an [`OpsConfig`] names, over a tiny alphabet of names
//! so that case collisions, replaced targets and link cycles come up all the
//! time. [`SeqOp::to_op`] gives the core's own [`Op`]; [`SeqOp::cmd`] the
//! same call as a line of a cmd script (a reproducer a person can read);
//! [`SeqOp::simpler`] the candidates a shrinker tries in its place.
//!
//! ```
//! use ntlinkfs_core::testing::ops_gen::{ops, OpsConfig};
//! use proptest::strategy::{Strategy, ValueTree};
//! use proptest::test_runner::TestRunner;
//!
//! // Draw one sequence and run it: every call returns, the invariants hold.
//! let mut runner = TestRunner::deterministic();
//! let seq = ops(&OpsConfig::model(), 1..20).new_tree(&mut runner).unwrap().current();
//! let mut m = ntlinkfs_core::testing::machine();
//! for op in &seq {
//!     if let Some(op) = op.to_op() {
//!         let _ = m.apply(&op);
//!     }
//! }
//! ntlinkfs_core::invariants::check(&m).unwrap();
//! ```

use crate::{Follow, LinkOptions, MoveFlags, Op, OpenOptions, SymlinkFlags, Want};
use proptest::prelude::*;
use std::fmt;
use std::ops::Range;

/// One generated call. Paths are Win32 drive paths (`C:\a\b`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SeqOp {
    /// CreateFile(CREATE_NEW): an empty file.
    CreateFile(String),
    /// CreateDirectory.
    CreateDir(String),
    /// Write the bytes to the file (created if missing): replacing its
    /// contents, or appending when the flag is set.
    Write(String, Vec<u8>, bool),
    /// Read the whole file (links followed).
    Read(String),
    /// Query the information (links followed).
    Stat(String),
    /// Enumerate the directory.
    List(String),
    /// DeleteFile.
    DeleteFile(String),
    /// RemoveDirectory.
    RemoveDir(String),
    /// MoveFileEx(from, to), MOVEFILE_REPLACE_EXISTING when the flag is set.
    Move(String, String, bool),
    /// CreateHardLink(link, existing).
    HardLink(String, String),
    /// `mklink /J link target`.
    Junction(String, String),
    /// CreateSymbolicLink(link, target): the target absolute (`X:\…`) or
    /// relative; directory-flavoured when the flag is set.
    Symlink(String, String, bool),
    /// CreateFile(OPEN_EXISTING, FILE_NON_DIRECTORY_FILE), the handle kept open.
    Open(String),
    /// Read the whole file through open handle number `i` (modulo the number open).
    HandleRead(usize),
    /// Close open handle number `i` (modulo the number open).
    Close(usize),
}

/// What a sequence may contain.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpsConfig {
    /// Drive letters a path starts with; a letter listed twice is drawn twice as often.
    pub drives: Vec<char>,
    /// Name components with their weights.
    pub names: Vec<(u32, &'static str)>,
    /// Open handles ([`SeqOp::Open`], [`SeqOp::HandleRead`], [`SeqOp::Close`]).
    pub handles: bool,
}

impl OpsConfig {
    /// The model test's: C: (twice as often) and D:, open handles, and names
    /// that force case collisions (`a`/`A`), trailing-dot stripping (`x.`),
    /// the device names `con` and `nul`, and lexical `.` and `..`.
    pub fn model() -> OpsConfig {
        OpsConfig {
            drives: vec!['C', 'C', 'D'],
            names: vec![
                (6, "a"),
                (3, "A"),
                (5, "b"),
                (2, "ab"),
                (1, "con"),
                (1, "x."),
                (1, "nul"),
                (1, ".."),
                (1, "."),
            ],
            handles: true,
        }
    }

    /// Sequences another filesystem can be driven through from Linux as well:
    /// names that are the same in Win32 and POSIX (`a`, `A`, `b`, `ab`: case
    /// collisions stay), no handles, on the given drives.
    pub fn portable(drives: &[char]) -> OpsConfig {
        OpsConfig {
            drives: drives.to_vec(),
            names: vec![(6, "a"), (3, "A"), (5, "b"), (2, "ab")],
            handles: false,
        }
    }

    /// The simplest name (the first listed): what shrinking moves names toward.
    fn first_name(&self) -> &'static str {
        self.names.first().map_or("a", |n| n.1)
    }
}

/// One name component, by weight.
pub fn comp(cfg: &OpsConfig) -> BoxedStrategy<&'static str> {
    let names: Vec<(u32, BoxedStrategy<&'static str>)> = cfg
        .names
        .iter()
        .map(|&(w, n)| (w, Just(n).boxed()))
        .collect();
    proptest::strategy::Union::new_weighted(names).boxed()
}

/// A drive path of depth 1 to 3, shallow ones likelier so that deeper ones
/// have parents to live in.
pub fn path(cfg: &OpsConfig) -> BoxedStrategy<String> {
    let depth = prop_oneof![4 => Just(1usize), 4 => Just(2), 1 => Just(3)];
    let comp = comp(cfg);
    (prop::sample::select(cfg.drives.clone()), depth)
        .prop_flat_map(move |(d, n)| (Just(d), prop::collection::vec(comp.clone(), n)))
        .prop_map(|(d, cs)| format!("{d}:\\{}", cs.join("\\")))
        .boxed()
}

/// A relative symbolic-link target: one to three names, no drive.
pub fn relative(cfg: &OpsConfig) -> BoxedStrategy<String> {
    prop::collection::vec(comp(cfg), 1..=3)
        .prop_map(|cs| cs.join("\\"))
        .boxed()
}

/// One operation, weighted so that most meet existing names.
pub fn op(cfg: &OpsConfig) -> BoxedStrategy<SeqOp> {
    let p = || path(cfg);
    let bytes = prop::collection::vec(prop::sample::select(&b"12"[..]), 0..3);
    let mut arms: Vec<(u32, BoxedStrategy<SeqOp>)> = vec![
        (3, p().prop_map(SeqOp::CreateFile).boxed()),
        (4, p().prop_map(SeqOp::CreateDir).boxed()),
        (
            2,
            (p(), bytes, any::<bool>())
                .prop_map(|(p, b, a)| SeqOp::Write(p, b, a))
                .boxed(),
        ),
        (1, p().prop_map(SeqOp::Read).boxed()),
        (1, p().prop_map(SeqOp::Stat).boxed()),
        (1, p().prop_map(SeqOp::List).boxed()),
        (2, p().prop_map(SeqOp::DeleteFile).boxed()),
        (2, p().prop_map(SeqOp::RemoveDir).boxed()),
        (
            3,
            (p(), p(), any::<bool>())
                .prop_map(|(a, b, r)| SeqOp::Move(a, b, r))
                .boxed(),
        ),
        (
            3,
            (p(), p()).prop_map(|(a, b)| SeqOp::HardLink(a, b)).boxed(),
        ),
        (
            2,
            (p(), p()).prop_map(|(a, b)| SeqOp::Junction(a, b)).boxed(),
        ),
        (
            2,
            (p(), prop_oneof![p(), relative(cfg)], any::<bool>())
                .prop_map(|(a, b, d)| SeqOp::Symlink(a, b, d))
                .boxed(),
        ),
    ];
    if cfg.handles {
        arms.push((4, p().prop_map(SeqOp::Open).boxed()));
        arms.push((2, any::<usize>().prop_map(SeqOp::HandleRead).boxed()));
        arms.push((1, any::<usize>().prop_map(SeqOp::Close).boxed()));
    }
    proptest::strategy::Union::new_weighted(arms).boxed()
}

/// A sequence of `len` operations.
pub fn ops(cfg: &OpsConfig, len: Range<usize>) -> BoxedStrategy<Vec<SeqOp>> {
    prop::collection::vec(op(cfg), len).boxed()
}

impl SeqOp {
    /// The core's call; `None` for the handle-number operations, which the
    /// caller maps onto the handles it holds.
    pub fn to_op(&self) -> Option<Op> {
        Some(match self.clone() {
            SeqOp::CreateFile(path) => Op::CreateFile { path },
            SeqOp::CreateDir(path) => Op::CreateDirectory { path },
            SeqOp::Write(path, data, false) => Op::WriteFile { path, data },
            SeqOp::Write(path, data, true) => Op::AppendFile { path, data },
            SeqOp::Read(path) => Op::ReadFile { path },
            SeqOp::Stat(path) => Op::QueryInformation {
                path,
                follow: Follow::Reparse,
            },
            SeqOp::List(path) => Op::Enumerate { path },
            SeqOp::DeleteFile(path) => Op::DeleteFile { path },
            SeqOp::RemoveDir(path) => Op::RemoveDirectory { path },
            SeqOp::Move(from, to, replace) => Op::MoveFile {
                from,
                to,
                flags: MoveFlags {
                    replace_existing: replace,
                    copy_allowed: false,
                },
            },
            SeqOp::HardLink(link, existing) => Op::CreateHardLink {
                link,
                existing,
                options: LinkOptions::default(),
            },
            SeqOp::Junction(link, target) => Op::CreateJunction { link, target },
            SeqOp::Symlink(link, target, directory) => Op::CreateSymbolicLink {
                link,
                target,
                flags: SymlinkFlags {
                    directory,
                    allow_unprivileged_create: false,
                },
            },
            SeqOp::Open(path) => Op::Open {
                path,
                options: OpenOptions::default().want(Want::File),
            },
            SeqOp::HandleRead(_) | SeqOp::Close(_) => return None,
        })
    }

    /// The call as a line of a cmd script (`md`, `mklink /H`, `move /Y` …).
    /// Where cmd has no exact form the line says so in a `rem`.
    pub fn cmd(&self) -> String {
        let q = |p: &str| {
            if p.contains(' ') {
                format!("\"{p}\"")
            } else {
                p.to_string()
            }
        };
        match self {
            SeqOp::CreateFile(p) => format!("type nul > {}", q(p)),
            SeqOp::CreateDir(p) => format!("md {}", q(p)),
            SeqOp::Write(p, b, append) => {
                let redirect = if *append { ">>" } else { ">" };
                if b.is_empty() {
                    format!("type nul {redirect} {}", q(p))
                } else {
                    format!("echo {}{redirect} {}", String::from_utf8_lossy(b), q(p))
                }
            }
            SeqOp::Read(p) => format!("type {}", q(p)),
            SeqOp::Stat(p) => format!("dir {}", q(p)),
            SeqOp::List(p) => format!("dir /b {}", q(p)),
            SeqOp::DeleteFile(p) => format!("del {}", q(p)),
            SeqOp::RemoveDir(p) => format!("rd {}", q(p)),
            SeqOp::Move(a, b, r) => {
                format!("move {} {} {}", if *r { "/Y" } else { "/-Y" }, q(a), q(b))
            }
            SeqOp::HardLink(l, e) => format!("mklink /H {} {}", q(l), q(e)),
            SeqOp::Junction(l, t) => format!("mklink /J {} {}", q(l), q(t)),
            SeqOp::Symlink(l, t, d) => {
                format!("mklink {}{} {}", if *d { "/D " } else { "" }, q(l), q(t))
            }
            SeqOp::Open(p) => format!("rem open {} and keep the handle", q(p)),
            SeqOp::HandleRead(i) => format!("rem read through open handle {i}"),
            SeqOp::Close(i) => format!("rem close open handle {i}"),
        }
    }

    /// Simpler operations to try in this one's place while shrinking, simplest
    /// first: `md` of its first path, each path one level shorter, each name
    /// the config's first, D: as C:, flags off, fewer bytes. Every candidate
    /// is strictly smaller (`md` counts as the smallest call), so repeated
    /// shrinking ends.
    pub fn simpler(&self, cfg: &OpsConfig) -> Vec<SeqOp> {
        let first = cfg.first_name();
        let drive = cfg.drives.first().copied().unwrap_or('C');
        let paths = |p: &str| simpler_paths(p, first, drive);
        let mut out = Vec::new();
        // The simplest call of all makes a directory: try it first in place
        // of any other on the same (first) path.
        if let Some(p) = self.first_path() {
            if !matches!(self, SeqOp::CreateDir(_)) {
                out.push(SeqOp::CreateDir(p.to_string()));
            }
        }
        match self {
            SeqOp::CreateFile(p) => out.extend(paths(p).into_iter().map(SeqOp::CreateFile)),
            SeqOp::CreateDir(p) => out.extend(paths(p).into_iter().map(SeqOp::CreateDir)),
            SeqOp::Read(p) => out.extend(paths(p).into_iter().map(SeqOp::Read)),
            SeqOp::Stat(p) => out.extend(paths(p).into_iter().map(SeqOp::Stat)),
            SeqOp::List(p) => out.extend(paths(p).into_iter().map(SeqOp::List)),
            SeqOp::DeleteFile(p) => out.extend(paths(p).into_iter().map(SeqOp::DeleteFile)),
            SeqOp::RemoveDir(p) => out.extend(paths(p).into_iter().map(SeqOp::RemoveDir)),
            SeqOp::Open(p) => out.extend(paths(p).into_iter().map(SeqOp::Open)),
            SeqOp::Write(p, b, a) => {
                if *a {
                    out.push(SeqOp::Write(p.clone(), b.clone(), false));
                }
                if !b.is_empty() {
                    out.push(SeqOp::Write(p.clone(), b[..b.len() - 1].to_vec(), *a));
                }
                out.extend(paths(p).into_iter().map(|p| SeqOp::Write(p, b.clone(), *a)));
            }
            SeqOp::Move(x, y, r) => {
                if *r {
                    out.push(SeqOp::Move(x.clone(), y.clone(), false));
                }
                out.extend(paths(x).into_iter().map(|x| SeqOp::Move(x, y.clone(), *r)));
                out.extend(paths(y).into_iter().map(|y| SeqOp::Move(x.clone(), y, *r)));
            }
            SeqOp::HardLink(x, y) => {
                out.extend(paths(x).into_iter().map(|x| SeqOp::HardLink(x, y.clone())));
                out.extend(paths(y).into_iter().map(|y| SeqOp::HardLink(x.clone(), y)));
            }
            SeqOp::Junction(x, y) => {
                out.extend(paths(x).into_iter().map(|x| SeqOp::Junction(x, y.clone())));
                out.extend(paths(y).into_iter().map(|y| SeqOp::Junction(x.clone(), y)));
            }
            SeqOp::Symlink(x, y, d) => {
                if *d {
                    out.push(SeqOp::Symlink(x.clone(), y.clone(), false));
                }
                out.extend(
                    paths(x)
                        .into_iter()
                        .map(|x| SeqOp::Symlink(x, y.clone(), *d)),
                );
                let targets = if y.as_bytes().get(1) == Some(&b':') {
                    paths(y)
                } else {
                    simpler_relative(y, first)
                };
                out.extend(
                    targets
                        .into_iter()
                        .map(|y| SeqOp::Symlink(x.clone(), y, *d)),
                );
            }
            SeqOp::HandleRead(i) if *i > 0 => out.push(SeqOp::HandleRead(0)),
            SeqOp::Close(i) if *i > 0 => out.push(SeqOp::Close(0)),
            SeqOp::HandleRead(_) | SeqOp::Close(_) => {}
        }
        out
    }
}

impl SeqOp {
    /// The first path the call names (`None` for handle numbers).
    pub fn first_path(&self) -> Option<&str> {
        match self {
            SeqOp::CreateFile(p)
            | SeqOp::CreateDir(p)
            | SeqOp::Write(p, ..)
            | SeqOp::Read(p)
            | SeqOp::Stat(p)
            | SeqOp::List(p)
            | SeqOp::DeleteFile(p)
            | SeqOp::RemoveDir(p)
            | SeqOp::Move(p, ..)
            | SeqOp::HardLink(p, _)
            | SeqOp::Junction(p, _)
            | SeqOp::Symlink(p, ..)
            | SeqOp::Open(p) => Some(p),
            SeqOp::HandleRead(_) | SeqOp::Close(_) => None,
        }
    }

    /// The same call with every path (and absolute link target) passed
    /// through `f`: what a shrinker uses to rename a name or a drive in the
    /// whole sequence at once.
    pub fn map_paths(&self, f: &dyn Fn(&str) -> String) -> SeqOp {
        let abs = |t: &str| {
            if t.as_bytes().get(1) == Some(&b':') {
                f(t)
            } else {
                t.to_string()
            }
        };
        match self {
            SeqOp::CreateFile(p) => SeqOp::CreateFile(f(p)),
            SeqOp::CreateDir(p) => SeqOp::CreateDir(f(p)),
            SeqOp::Write(p, b, a) => SeqOp::Write(f(p), b.clone(), *a),
            SeqOp::Read(p) => SeqOp::Read(f(p)),
            SeqOp::Stat(p) => SeqOp::Stat(f(p)),
            SeqOp::List(p) => SeqOp::List(f(p)),
            SeqOp::DeleteFile(p) => SeqOp::DeleteFile(f(p)),
            SeqOp::RemoveDir(p) => SeqOp::RemoveDir(f(p)),
            SeqOp::Move(x, y, r) => SeqOp::Move(f(x), f(y), *r),
            SeqOp::HardLink(x, y) => SeqOp::HardLink(f(x), f(y)),
            SeqOp::Junction(x, y) => SeqOp::Junction(f(x), f(y)),
            SeqOp::Symlink(x, y, d) => SeqOp::Symlink(f(x), abs(y), *d),
            SeqOp::Open(p) => SeqOp::Open(f(p)),
            SeqOp::HandleRead(i) => SeqOp::HandleRead(*i),
            SeqOp::Close(i) => SeqOp::Close(*i),
        }
    }
}

/// Whole-sequence simplifications, for a shrinker: every use of one name
/// replaced by the config's first name, every path on another drive moved to
/// the first drive. Each candidate differs from `seq`.
pub fn simpler_sequences(seq: &[SeqOp], cfg: &OpsConfig) -> Vec<Vec<SeqOp>> {
    let first = cfg.first_name();
    let drive = cfg.drives.first().copied().unwrap_or('C');
    let mut out = Vec::new();
    let mut names: Vec<&'static str> = cfg.names.iter().map(|n| n.1).collect();
    names.retain(|n| *n != first);
    for name in names {
        let rename = |p: &str| -> String {
            p.split('\\')
                .map(|c| if c == name { first } else { c })
                .collect::<Vec<_>>()
                .join("\\")
        };
        let cand: Vec<SeqOp> = seq.iter().map(|op| op.map_paths(&rename)).collect();
        if cand != seq {
            out.push(cand);
        }
    }
    let move_drive = |p: &str| -> String {
        match p.split_once(':') {
            Some((_, rest)) => format!("{drive}:{rest}"),
            None => p.to_string(),
        }
    };
    let cand: Vec<SeqOp> = seq.iter().map(|op| op.map_paths(&move_drive)).collect();
    if cand != seq {
        out.push(cand);
    }
    out
}

/// `X:\c1\…\cn` one step simpler: without its last name (depth ≥ 2), with one
/// name replaced by `first`, on drive `drive`.
fn simpler_paths(p: &str, first: &str, drive: char) -> Vec<String> {
    let Some(rest) = p.get(3..) else {
        return Vec::new();
    };
    let letter = p.chars().next().unwrap_or(drive);
    let comps: Vec<&str> = rest.split('\\').collect();
    let join = |l: char, cs: &[&str]| format!("{l}:\\{}", cs.join("\\"));
    let mut out = Vec::new();
    if comps.len() > 1 {
        out.push(join(letter, &comps[..comps.len() - 1]));
    }
    for i in 0..comps.len() {
        if comps[i] != first {
            let mut cs = comps.clone();
            cs[i] = first;
            out.push(join(letter, &cs));
        }
    }
    if letter != drive {
        out.push(join(drive, &comps));
    }
    out
}

/// A relative target one step simpler: one name fewer, or one name `first`.
fn simpler_relative(t: &str, first: &str) -> Vec<String> {
    let comps: Vec<&str> = t.split('\\').collect();
    let mut out = Vec::new();
    if comps.len() > 1 {
        out.push(comps[..comps.len() - 1].join("\\"));
    }
    for i in 0..comps.len() {
        if comps[i] != first {
            let mut cs = comps.clone();
            cs[i] = first;
            out.push(cs.join("\\"));
        }
    }
    out
}

impl fmt::Display for SeqOp {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.cmd())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn simpler_paths_shorten_rename_and_move_to_the_first_drive() {
        assert_eq!(
            simpler_paths(r"D:\b\A", "a", 'C'),
            vec![r"D:\b", r"D:\a\A", r"D:\b\a", r"C:\b\A"]
        );
        assert!(simpler_paths(r"C:\a", "a", 'C').is_empty());
    }

    #[test]
    fn the_simplest_op_has_no_simpler_form() {
        let cfg = OpsConfig::portable(&['C']);
        assert!(SeqOp::CreateDir(r"C:\a".into()).simpler(&cfg).is_empty());
        assert_eq!(
            SeqOp::Write(r"C:\a".into(), b"1".to_vec(), true).simpler(&cfg),
            vec![
                SeqOp::CreateDir(r"C:\a".into()),
                SeqOp::Write(r"C:\a".into(), b"1".to_vec(), false),
                SeqOp::Write(r"C:\a".into(), Vec::new(), true),
            ]
        );
    }

    #[test]
    fn cmd_lines_read_like_cmd() {
        let lines: Vec<String> = [
            SeqOp::CreateDir(r"C:\a".into()),
            SeqOp::HardLink(r"C:\b".into(), r"C:\a\f".into()),
            SeqOp::Symlink(r"C:\s".into(), r"..\a".into(), true),
            SeqOp::Move(r"C:\a".into(), r"D:\a".into(), true),
            SeqOp::Write(r"C:\f".into(), b"12".to_vec(), true),
        ]
        .iter()
        .map(SeqOp::cmd)
        .collect();
        assert_eq!(
            lines,
            [
                r"md C:\a",
                r"mklink /H C:\b C:\a\f",
                r"mklink /D C:\s ..\a",
                r"move /Y C:\a D:\a",
                r"echo 12>> C:\f",
            ]
        );
    }
}
