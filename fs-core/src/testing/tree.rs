//! A tree drawn as lines, one call per line: the fixtures of the rule tests.

use super::machine;
use crate::attrs::FILE_ATTRIBUTE_READONLY;
use crate::error::NtError;
use crate::invariants;
use crate::links::SymlinkFlags;
use crate::machine::Machine;
use std::fmt;

/// Why a line of a drawn tree could not be built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum TreeErrorKind {
    /// The first word is none of the verbs [`build`] knows.
    UnknownVerb(String),
    /// The verb needs a path (or a second argument) the line does not have.
    MissingArgument,
    /// The call the line stands for failed.
    Failed(NtError),
    /// The call succeeded but left a broken invariant (a bug in the core).
    Invariant(String),
}

/// A line of a drawn tree that could not be built; the lines before it were.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TreeError {
    /// Index of the line in the slice given to [`build`].
    pub index: usize,
    /// The line's text.
    pub line: String,
    /// What went wrong.
    pub kind: TreeErrorKind,
}

impl fmt::Display for TreeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "fixture line {} {:?}: ", self.index, self.line)?;
        match &self.kind {
            TreeErrorKind::UnknownVerb(v) => write!(f, "unknown verb {v:?}"),
            TreeErrorKind::MissingArgument => f.write_str("missing argument"),
            TreeErrorKind::Failed(e) => write!(f, "{} ({})", e.ntstatus_name(), e.message()),
            TreeErrorKind::Invariant(v) => write!(f, "invariant broken: {v}"),
        }
    }
}

impl std::error::Error for TreeError {}

/// Builds a tree on `m` from lines, each `VERB PATH [ARG]`, stopping at the
/// first line that fails (the invariants are checked after every line):
///
/// ```text
/// dir C:\a              CreateDirectoryW (md)
/// file C:\a\f [text]    a file with contents (one word, or none)
/// hard C:\b C:\a\f      CreateHardLinkW(new, existing)
/// junction C:\j C:\a    mklink /J
/// symlink C:\s T        mklink (file symlink)
/// symlinkd C:\s T       mklink /D
/// ro C:\a\f             set FILE_ATTRIBUTE_READONLY
/// cd C:\a               SetCurrentDirectoryW
/// ```
///
/// # Errors
///
/// A [`TreeError`] naming the line: an unknown verb, a missing argument, the
/// NtError of the call, or a broken invariant.
///
/// ```
/// use ntlinkfs_core::testing::{build, machine, TreeErrorKind};
/// use ntlinkfs_core::NtError;
///
/// let mut m = machine();
/// build(&mut m, &[r"dir C:\t", r"junction C:\j C:\t", r"file C:\j\f hi"]).unwrap();
/// assert_eq!(m.read_file(r"C:\t\f").unwrap(), b"hi");
///
/// // A hard link to a directory is refused (HL1); the error names the line.
/// let err = build(&mut m, &[r"hard C:\h C:\t"]).unwrap_err();
/// assert_eq!((err.index, err.kind), (0, TreeErrorKind::Failed(NtError::FileIsADirectory)));
/// ```
pub fn build(m: &mut Machine, lines: &[&str]) -> Result<(), TreeError> {
    for (index, line) in lines.iter().enumerate() {
        let fail = |kind| TreeError {
            index,
            line: (*line).to_string(),
            kind,
        };
        let mut words = line.split_whitespace();
        let verb = words.next().unwrap_or("");
        let a = words.next().unwrap_or("");
        let b = words.next().unwrap_or("");
        let two = matches!(verb, "hard" | "junction" | "symlink" | "symlinkd");
        if a.is_empty() || (two && b.is_empty()) {
            let kind = match verb {
                "dir" | "file" | "ro" | "cd" => TreeErrorKind::MissingArgument,
                _ if two => TreeErrorKind::MissingArgument,
                other => TreeErrorKind::UnknownVerb(other.to_string()),
            };
            return Err(fail(kind));
        }
        let directory = SymlinkFlags {
            directory: true,
            ..Default::default()
        };
        let r = match verb {
            "dir" => m.create_directory(a).map(drop),
            "file" => m.write_file(a, b.as_bytes()),
            "hard" => m.create_hard_link(a, b).map(drop),
            "junction" => m.create_junction(a, b).map(drop),
            "symlink" => m
                .create_symbolic_link(a, b, SymlinkFlags::default())
                .map(drop),
            "symlinkd" => m.create_symbolic_link(a, b, directory).map(drop),
            "ro" => m.set_file_attributes(a, FILE_ATTRIBUTE_READONLY),
            "cd" => m.set_current_dir(a),
            other => return Err(fail(TreeErrorKind::UnknownVerb(other.to_string()))),
        };
        r.map_err(|e| fail(TreeErrorKind::Failed(e)))?;
        invariants::check(m).map_err(|v| fail(TreeErrorKind::Invariant(v.0)))?;
    }
    Ok(())
}

/// A [`machine`] with the tree `lines` draws (see [`build`]).
///
/// # Panics
///
/// An assertion for tests: panics with the [`TreeError`] when a line does not
/// build, since a fixture that does not build is a broken test. Use [`build`]
/// to get the error instead.
///
/// ```
/// use ntlinkfs_core::{testing::fixture, Follow};
///
/// let m = fixture(&[r"dir C:\a", r"file C:\a\f x", r"hard C:\g C:\a\f"]);
/// assert_eq!(m.query_information(r"C:\g", Follow::Reparse).unwrap().link_count, 2);
/// ```
pub fn fixture(lines: &[&str]) -> Machine {
    let mut m = machine();
    if let Err(e) = build(&mut m, lines) {
        panic!("{e}");
    }
    m
}
