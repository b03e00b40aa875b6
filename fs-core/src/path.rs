//! Win32 path parsing and normalisation, as `RtlGetFullPathName_U` does it before
//! any lookup (P1: `..` is lexical), and the NT paths stored in reparse points.
//!
//! Input is UTF-16 (NTFS names may hold unpaired surrogates, N3); `&str` helpers
//! wrap it.

use crate::error::{NtError, Result};
use crate::name::Name;
use std::borrow::Cow;

const BS: u16 = b'\\' as u16;
const FS: u16 = b'/' as u16;
const DOT: u16 = b'.' as u16;
const COLON: u16 = b':' as u16;
const SPACE: u16 = b' ' as u16;
const QMARK: u16 = b'?' as u16;

/// A path or a name as the core's API takes it: text (`&str`, `String`) or
/// UTF-16 units (`&[u16]`, `Vec<u16>`, a [`Name`]). Units can hold unpaired
/// surrogates, which are legal NTFS names (N3) that text cannot carry. Either
/// way one parser reads the units.
///
/// ```
/// # use ntlinkfs_core::Machine;
/// let mut m = Machine::default();
/// let mut path: Vec<u16> = r"C:\x".encode_utf16().collect();
/// path.push(0xD800); // a lone high surrogate
/// m.create_file(&path).unwrap();
/// let names: Vec<Vec<u16>> = m
///     .enumerate(r"C:\")
///     .unwrap()
///     .iter()
///     .map(|e| e.name.units().to_vec())
///     .collect();
/// assert!(names.contains(&vec![u16::from(b'x'), 0xD800]));
/// ```
pub trait PathUnits {
    /// The UTF-16 units, borrowed when they are units already.
    fn path_units(&self) -> Cow<'_, [u16]>;

    /// The units as a (not yet validated) name.
    fn to_name(&self) -> Name {
        Name::from_units(&self.path_units())
    }
}

impl PathUnits for str {
    fn path_units(&self) -> Cow<'_, [u16]> {
        // UTF-16 never takes more units than UTF-8 takes bytes: one allocation.
        let mut units = Vec::with_capacity(self.len());
        units.extend(self.encode_utf16());
        Cow::Owned(units)
    }
}

impl PathUnits for String {
    fn path_units(&self) -> Cow<'_, [u16]> {
        self.as_str().path_units()
    }
}

impl PathUnits for [u16] {
    fn path_units(&self) -> Cow<'_, [u16]> {
        Cow::Borrowed(self)
    }
}

impl PathUnits for Vec<u16> {
    fn path_units(&self) -> Cow<'_, [u16]> {
        Cow::Borrowed(self)
    }
}

impl PathUnits for Name {
    fn path_units(&self) -> Cow<'_, [u16]> {
        Cow::Borrowed(self.units())
    }
}

impl<T: PathUnits + ?Sized> PathUnits for &T {
    fn path_units(&self) -> Cow<'_, [u16]> {
        (**self).path_units()
    }
}

/// MAX_PATH: the Win32 limit for paths without `\\?\` when long paths are off (N9).
pub const MAX_PATH: usize = 260;
/// The limit for `\\?\` paths, in UTF-16 units (SEMANTICS §0).
pub const MAX_LONG_PATH: usize = 32_767;

/// The kind of a Win32 path text, as `RtlDetermineDosPathNameType_U` classifies
/// it before any parsing. Windows folds `\\?\` into LocalDevice and `\??\` into
/// Rooted; they are separate here because the parsers treat them differently
/// (verbatim, P1, N10); [`PathType::rtl_type`] gives the Windows value.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum PathType {
    /// `\\server\share\x` (and `\\server` alone).
    UncAbsolute,
    /// `C:\x`.
    DriveAbsolute,
    /// `C:x`: relative to drive C's current directory (S9).
    DriveRelative,
    /// `\x`: the current drive's root.
    Rooted,
    /// `x`, `..\x`: the current directory.
    Relative,
    /// `\\.\x`: the Win32 device namespace, normalised.
    LocalDevice,
    /// `\\?\x`: passed to NT verbatim.
    Verbatim,
    /// `\??\x`: an NT object path, as reparse points store targets.
    NtObject,
    /// `\\.` or `\\?` alone.
    RootLocalDevice,
}

impl PathType {
    /// The RTL_PATH_TYPE value Windows returns for this text.
    pub fn rtl_type(self) -> u32 {
        match self {
            PathType::UncAbsolute => 1,
            PathType::DriveAbsolute => 2,
            PathType::DriveRelative => 3,
            PathType::Rooted | PathType::NtObject => 4,
            PathType::Relative => 5,
            PathType::LocalDevice | PathType::Verbatim => 6,
            PathType::RootLocalDevice => 7,
        }
    }

    /// True for the kinds that name a place without a current directory.
    pub fn is_absolute(self) -> bool {
        !matches!(
            self,
            PathType::DriveRelative | PathType::Rooted | PathType::Relative
        )
    }
}

fn is_win32_sep(u: u16) -> bool {
    u == BS || u == FS
}

/// The drive letter of `X:`, upper case, when `units` starts with one. Windows
/// accepts any character before the colon; only a letter can name a volume, so
/// anything else is a relative name here (and fails as a name: `:` is invalid).
pub fn drive_letter(units: &[u16]) -> Option<u8> {
    match units {
        [d, COLON, ..] if *d < 0x80 && (*d as u8).is_ascii_alphabetic() => {
            Some((*d as u8).to_ascii_uppercase())
        }
        _ => None,
    }
}

/// Classifies a path text as `RtlDetermineDosPathNameType_U` does (both `\` and
/// `/` separate), with `\\?\` and `\??\` told apart (see [`PathType`]).
pub fn path_type(units: &[u16]) -> PathType {
    if matches!(units, [BS, BS, QMARK, BS, ..]) {
        return PathType::Verbatim;
    }
    if matches!(units, [BS, QMARK, QMARK, BS, ..]) {
        return PathType::NtObject;
    }
    match units {
        [a, b, rest @ ..] if is_win32_sep(*a) && is_win32_sep(*b) => match rest {
            [DOT | QMARK] => PathType::RootLocalDevice,
            [DOT | QMARK, s, ..] if is_win32_sep(*s) => PathType::LocalDevice,
            _ => PathType::UncAbsolute,
        },
        [a, ..] if is_win32_sep(*a) => PathType::Rooted,
        [_, COLON, s, ..] if drive_letter(units).is_some() && is_win32_sep(*s) => {
            PathType::DriveAbsolute
        }
        [_, COLON, ..] if drive_letter(units).is_some() => PathType::DriveRelative,
        _ => PathType::Relative,
    }
}

/// [`path_type`] of a `&str`.
pub fn path_type_str(text: &str) -> PathType {
    let units: Vec<u16> = text.encode_utf16().take(4).collect();
    path_type(&units)
}

/// [`drive_letter`] of a `&str`: the upper-case letter of a leading `X:`.
pub fn drive_letter_str(text: &str) -> Option<u8> {
    let units: Vec<u16> = text.encode_utf16().take(2).collect();
    drive_letter(&units)
}

/// The upper-case letter of a text that is one ASCII letter alone (`C`, `c`):
/// how a volume is named where no colon is written (the volume directories of
/// the Linux view, `--volume E:fat32`).
pub fn letter_alone(text: &str) -> Option<u8> {
    match text.as_bytes() {
        [l] if l.is_ascii_alphabetic() => Some(l.to_ascii_uppercase()),
        _ => None,
    }
}

/// The upper-case letter of a text that is a drive alone, `X:` (no root, no
/// name: a mount point or a drive to switch to).
pub fn drive_alone(text: &str) -> Option<u8> {
    match text.as_bytes() {
        [_, b':'] => drive_letter_str(text),
        _ => None,
    }
}

/// A text that begins with a drive (`C:`, `c:/a`, `C:a`), split into the
/// drive's upper-case letter and the names after it. Both `\` and `/`
/// separate, as in Win32 paths; empty names (`C:\b`, a trailing `\`) are
/// dropped. Nothing else is normalised: `.` and `..` stay names. `None` when
/// the text does not begin with a drive.
pub fn drive_components(text: &str) -> Option<(u8, Vec<&str>)> {
    let letter = drive_letter_str(text)?;
    // The letter is ASCII and the colon too: byte 2 is a char boundary.
    let names = text[2..]
        .split(['\\', '/'])
        .filter(|c| !c.is_empty())
        .collect();
    Some((letter, names))
}

/// `\??\`, the prefix of the NT object paths reparse points store for
/// absolute targets (`\??\C:\x`, `\??\UNC\srv\share`), in UTF-16.
pub const NT_PREFIX_UNITS: [u16; 4] = [BS, QMARK, QMARK, BS];

/// The text after a leading `\??\` (an NT object path, as reparse points
/// store absolute targets), if it has one.
pub fn strip_nt_prefix(text: &str) -> Option<&str> {
    text.strip_prefix(r"\??\")
}

/// [`strip_nt_prefix`] on UTF-16 units.
pub fn strip_nt_prefix_units(units: &[u16]) -> Option<&[u16]> {
    units.strip_prefix(&NT_PREFIX_UNITS[..])
}

/// The text after a leading `\\?\` (a Win32 path passed to NT verbatim), if
/// it has one.
pub fn strip_verbatim_prefix(text: &str) -> Option<&str> {
    text.strip_prefix(r"\\?\")
}

/// True for text only Win32 reads as a place: one that begins with a drive
/// (`C:`, `C:\x`, `C:x`) or with two backslashes (UNC, `\\?\`, `\\.\`).
/// A POSIX path (`/x`, `x`, `//x`) is never one.
pub fn is_win32_syntax(text: &str) -> bool {
    drive_letter_str(text).is_some() || text.starts_with(r"\\")
}

/// A drive-absolute path as NT spells it, `X:\rest` (a `\` after the colon):
/// the drive's upper-case letter and `rest`, the text after that `\`, as
/// written. `None` for anything else, `C:/x` included (a `/` needs the Win32
/// normalisation of [`full_path`] first).
pub fn split_drive_root(text: &str) -> Option<(u8, &str)> {
    let letter = drive_letter_str(text)?;
    // The letter and the colon are ASCII: byte 2 is a char boundary.
    text[2..].strip_prefix('\\').map(|rest| (letter, rest))
}

/// The NT form of a drive-absolute path ([`split_drive_root`]) as a reparse
/// point stores it: `c:\t` -> `\??\C:\t`, the rest kept as written. `None`
/// for any other text.
pub fn nt_drive_target(text: &str) -> Option<String> {
    let (letter, rest) = split_drive_root(text)?;
    Some(format!(r"\??\{}:\{rest}", letter as char))
}

/// Where a path is rooted.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Root {
    /// A drive letter, upper case (`C`).
    Drive(u8),
    /// `\\server\share`.
    Unc {
        /// The server name.
        server: String,
        /// The share name.
        share: String,
    },
    /// A DOS device (`CON`, `NUL`, `\\.\PIPE`, …): not a file on any volume.
    Device(String),
    /// Any other NT object path (`\Device\NamedPipe`, `\??\Volume{…}`), kept as text.
    Nt(String),
}

/// A full, absolute path: a root and its components.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FullPath {
    /// Where the path starts.
    pub root: Root,
    /// The components after the root, already normalised unless `verbatim`.
    pub components: Vec<Name>,
    /// The text ended with a separator: it names a directory (P11).
    pub trailing_separator: bool,
    /// Came from `\\?\` or `\??\`: no normalisation was applied, so `.`, `..` and
    /// empty components are looked up literally (and fail there, P6).
    pub verbatim: bool,
}

impl FullPath {
    /// A drive root, `C:\`.
    pub fn drive_root(letter: u8) -> FullPath {
        FullPath {
            root: Root::Drive(letter.to_ascii_uppercase()),
            components: Vec::new(),
            trailing_separator: false,
            verbatim: false,
        }
    }

    /// The drive letter, for a drive-rooted path.
    pub fn drive(&self) -> Option<u8> {
        match self.root {
            Root::Drive(d) => Some(d),
            _ => None,
        }
    }

    /// The path without its last component, or `None` at a root.
    pub fn parent(&self) -> Option<FullPath> {
        let mut p = self.clone();
        p.components.pop()?;
        p.trailing_separator = false;
        Some(p)
    }

    /// This path with one more component.
    pub fn join(&self, name: &Name) -> FullPath {
        let mut p = self.clone();
        p.components.push(name.clone());
        p.trailing_separator = false;
        p
    }

    /// True when `self` is `other` or lies below it (case-insensitively).
    pub fn starts_with(&self, other: &FullPath) -> bool {
        self.root_eq(other)
            && self.components.len() >= other.components.len()
            && self
                .components
                .iter()
                .zip(&other.components)
                .all(|(a, b)| a.eq_ignore_case(b))
    }

    fn root_eq(&self, other: &FullPath) -> bool {
        match (&self.root, &other.root) {
            (
                Root::Unc {
                    server: s1,
                    share: h1,
                },
                Root::Unc {
                    server: s2,
                    share: h2,
                },
            ) => {
                Name::new(s1).eq_ignore_case(&Name::new(s2))
                    && Name::new(h1).eq_ignore_case(&Name::new(h2))
            }
            (a, b) => a == b,
        }
    }

    /// Length of [`FullPath::to_win32`] in UTF-16 units, without building it (the
    /// MAX_PATH check runs on every path). An unpaired surrogate becomes U+FFFD
    /// in the text, also one unit, so the counts agree.
    pub fn win32_len(&self) -> usize {
        let root = match &self.root {
            Root::Drive(_) => 2,
            Root::Unc { server, share } => {
                3 + server.encode_utf16().count() + share.encode_utf16().count()
            }
            Root::Device(name) => return name.encode_utf16().count(),
            Root::Nt(text) => text.encode_utf16().count(),
        };
        let body: usize = self.components.iter().map(|c| 1 + c.len_units()).sum();
        root + body + usize::from(self.components.is_empty())
    }

    /// Win32 text: `C:\a\b`, `\\server\share\a`, `CON`.
    pub fn to_win32(&self) -> String {
        // Built as text directly (hot in adapters); names lossy, as Display is.
        let mut s = match &self.root {
            Root::Drive(d) => format!("{}:", *d as char),
            Root::Unc { server, share } => format!(r"\\{server}\{share}"),
            Root::Device(name) => return name.clone(),
            Root::Nt(text) => text.clone(),
        };
        if self.components.is_empty() {
            s.push('\\');
        }
        for c in &self.components {
            s.push('\\');
            s.push_str(&c.to_string_lossy());
        }
        s
    }

    /// [`FullPath::to_win32`] with each name's exact units (N3).
    pub fn to_win32_units(&self) -> Vec<u16> {
        let root = match &self.root {
            Root::Drive(d) => format!("{}:", *d as char),
            Root::Unc { server, share } => format!(r"\\{server}\{share}"),
            Root::Device(name) => return name.encode_utf16().collect(),
            Root::Nt(text) => text.clone(),
        };
        let mut units: Vec<u16> = root.encode_utf16().collect();
        if self.components.is_empty() {
            units.push(BS);
        }
        for c in &self.components {
            units.push(BS);
            units.extend_from_slice(c.units());
        }
        units
    }

    /// [`FullPath::to_nt`] with each name's exact units (N3).
    pub fn to_nt_units(&self) -> Vec<u16> {
        let mut units: Vec<u16> = match &self.root {
            Root::Drive(_) => r"\??\".encode_utf16().collect(),
            Root::Unc { server, share } => format!(r"\??\UNC\{server}\{share}")
                .encode_utf16()
                .collect(),
            Root::Device(name) => return format!(r"\??\{name}").encode_utf16().collect(),
            Root::Nt(_) => return self.to_win32_units(),
        };
        match &self.root {
            Root::Drive(_) => units.extend(self.to_win32_units()),
            _ => {
                for c in &self.components {
                    units.push(BS);
                    units.extend_from_slice(c.units());
                }
            }
        }
        units
    }

    /// NT text as stored in a reparse point: `\??\C:\a`, `\??\UNC\server\share\a`.
    pub fn to_nt(&self) -> String {
        match &self.root {
            Root::Drive(_) => format!(r"\??\{}", self.to_win32()),
            Root::Unc { server, share } => {
                let mut s = format!(r"\??\UNC\{server}\{share}");
                for c in &self.components {
                    s.push('\\');
                    s.push_str(&c.to_string_lossy());
                }
                s
            }
            Root::Device(name) => format!(r"\??\{name}"),
            Root::Nt(_) => self.to_win32(),
        }
    }
}

/// The state a relative Win32 path is resolved against: the current drive and the
/// current directory of each drive (cmd.exe keeps one per drive).
pub trait CurrentDirs {
    /// The current drive letter, upper case.
    fn current_drive(&self) -> u8;
    /// The current directory of `drive` (its root when none was set).
    fn current_dir(&self, drive: u8) -> FullPath;
}

/// How reserved DOS device names are treated (N5): Windows 11 narrowed the rule.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DeviceNames {
    /// Before Windows 11: the last component is a device when its base name (before
    /// the first dot, trailing spaces ignored) is a reserved name.
    Classic,
    /// Windows 11: only an unqualified bare device name, or `NUL` as the last
    /// component, is a device.
    Windows11,
}

/// Options of the Win32 normalisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Win32Rules {
    /// Which reserved-name rule applies.
    pub device_names: DeviceNames,
    /// Long paths opted in (Windows 10 1607+ with LongPathsEnabled): MAX_PATH no
    /// longer applies to non-`\\?\` paths.
    pub long_paths: bool,
}

/// Parses and normalises a Win32 path as `GetFullPathNameW` does.
pub fn full_path(input: &str, cwd: &dyn CurrentDirs, rules: Win32Rules) -> Result<FullPath> {
    // UTF-16 never takes more units than UTF-8 takes bytes: one allocation.
    let mut units = Vec::with_capacity(input.len());
    units.extend(input.encode_utf16());
    full_path_units(&units, cwd, rules)
}

/// [`full_path`] on UTF-16 input.
pub fn full_path_units(
    input: &[u16],
    cwd: &dyn CurrentDirs,
    rules: Win32Rules,
) -> Result<FullPath> {
    if input.is_empty() || input.contains(&0) {
        return Err(NtError::ObjectNameInvalid);
    }
    if input.len() > MAX_LONG_PATH {
        return Err(NtError::NameTooLong);
    }
    let kind = path_type(input);
    let (mut p, tail): (FullPath, &[u16]) = match kind {
        // `\\?\` and `\??\`: verbatim, only `\` separates (P1, N10).
        PathType::Verbatim | PathType::NtObject => return nt_path_units(input),
        PathType::LocalDevice | PathType::RootLocalDevice => {
            let rest: Vec<&[u16]> = input[2..].split(|&u| is_win32_sep(u)).collect();
            let dev: Vec<u16> = rest[1..].join(&BS);
            if let Some(drive) = drive_letter(&dev) {
                // `\\.\C:\x` is the drive path, normalised.
                let mut p = FullPath::drive_root(drive);
                push_normalised(&mut p, &dev[2..], 0, true);
                return finish(p, input, rules);
            }
            return Ok(device(&String::from_utf16_lossy(&dev)));
        }
        PathType::UncAbsolute => {
            let rest: Vec<&[u16]> = input[2..].split(|&u| is_win32_sep(u)).collect();
            let server = rest.first().copied().unwrap_or(&[]);
            let share = rest.get(1).copied().unwrap_or(&[]);
            if server.is_empty() || share.is_empty() {
                return Err(NtError::ObjectNameInvalid);
            }
            let p = FullPath {
                root: Root::Unc {
                    server: String::from_utf16_lossy(server),
                    share: String::from_utf16_lossy(share),
                },
                components: Vec::new(),
                trailing_separator: false,
                verbatim: false,
            };
            let skip = 2 + server.len() + 1 + share.len();
            (p, &input[skip.min(input.len())..])
        }
        PathType::DriveAbsolute => (FullPath::drive_root(input[0] as u8), &input[2..]),
        // `C:foo`: relative to drive C's current directory (S9).
        PathType::DriveRelative => (
            cwd.current_dir((input[0] as u8).to_ascii_uppercase()),
            &input[2..],
        ),
        PathType::Rooted => (FullPath::drive_root(cwd.current_drive()), input),
        PathType::Relative => {
            if is_device_name_alone(input, rules.device_names) {
                return Ok(device(&String::from_utf16_lossy(input)));
            }
            (cwd.current_dir(cwd.current_drive()), input)
        }
    };
    let floor = 0;
    push_normalised(&mut p, tail, floor, true);
    finish(p, input, rules)
}

fn device(name: &str) -> FullPath {
    let units: Vec<u16> = name.encode_utf16().collect();
    FullPath {
        root: Root::Device(device_base(&units)),
        components: Vec::new(),
        trailing_separator: false,
        verbatim: false,
    }
}

/// Applies `.`/`..`/empty-component rules to `tail` and appends to `p`.
fn push_normalised(p: &mut FullPath, tail: &[u16], floor: usize, win32: bool) {
    let is_sep = |u: u16| u == BS || (win32 && u == FS);
    for comp in tail.split(|&u| is_sep(u)) {
        match comp {
            [] | [DOT] => {}
            [DOT, DOT] => {
                if p.components.len() > floor {
                    p.components.pop();
                }
            }
            c => p.components.push(Name::from_units(c)),
        }
    }
    p.trailing_separator = tail.last().is_some_and(|&u| is_sep(u));
}

fn finish(mut p: FullPath, input: &[u16], rules: Win32Rules) -> Result<FullPath> {
    // N6: Win32 strips trailing dots and spaces from the final component.
    if let Some(last) = p.components.last() {
        let units = last.units();
        let end = units
            .iter()
            .rposition(|&u| u != DOT && u != SPACE)
            .map_or(0, |i| i + 1);
        if end == 0 {
            p.components.pop();
        } else if end < units.len() {
            let trimmed = Name::from_units(&units[..end]);
            *p.components.last_mut().expect("checked above") = trimmed;
        }
    }
    if let Some(last) = p.components.last() {
        if matches!(p.root, Root::Drive(_) | Root::Unc { .. })
            && is_reserved_last_component(last.units(), rules.device_names)
        {
            return Ok(device(&last.to_string_lossy()));
        }
    }
    let _ = input;
    if !rules.long_paths && p.win32_len() >= MAX_PATH {
        return Err(NtError::ObjectPathNotFound);
    }
    Ok(p)
}

const RESERVED: &[&str] = &["CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$"];

/// The base of a name for the device check: up to the first dot or colon, with
/// trailing spaces dropped.
fn device_base(units: &[u16]) -> String {
    String::from_utf16_lossy(device_base_units(units)).to_ascii_uppercase()
}

/// [`device_base`] as a slice of the name (the check runs on every path, so it
/// does not allocate).
fn device_base_units(units: &[u16]) -> &[u16] {
    let end = units
        .iter()
        .position(|&u| u == DOT || u == COLON)
        .unwrap_or(units.len());
    trim_end(&units[..end], &[SPACE])
}

fn trim_end<'a>(units: &'a [u16], strip: &[u16]) -> &'a [u16] {
    let end = units
        .iter()
        .rposition(|u| !strip.contains(u))
        .map_or(0, |i| i + 1);
    &units[..end]
}

/// `units` equals ASCII `text`, ASCII letters compared case-insensitively.
fn eq_ascii_ignore_case(units: &[u16], text: &str) -> bool {
    units.len() == text.len()
        && units
            .iter()
            .zip(text.bytes())
            .all(|(&u, b)| u < 0x80 && (u as u8).eq_ignore_ascii_case(&b))
}

fn is_reserved_base(base: &[u16]) -> bool {
    if RESERVED.iter().any(|r| eq_ascii_ignore_case(base, r)) {
        return true;
    }
    // COM1-9 and LPT1-9, and the superscript digits ¹ ² ³.
    base.len() == 4
        && (eq_ascii_ignore_case(&base[..3], "COM") || eq_ascii_ignore_case(&base[..3], "LPT"))
        && matches!(base[3], 0x31..=0x39 | 0xB9 | 0xB2 | 0xB3)
}

fn is_reserved_last_component(units: &[u16], rule: DeviceNames) -> bool {
    match rule {
        DeviceNames::Classic => is_reserved_base(device_base_units(units)),
        DeviceNames::Windows11 => eq_ascii_ignore_case(trim_end(units, &[SPACE, DOT]), "NUL"),
    }
}

fn is_device_name_alone(input: &[u16], rule: DeviceNames) -> bool {
    if input.iter().any(|&u| u == BS || u == FS) {
        return false;
    }
    match rule {
        DeviceNames::Classic => is_reserved_base(device_base_units(input)),
        DeviceNames::Windows11 => is_reserved_base(trim_end(input, &[SPACE, DOT])),
    }
}

/// Parses an NT path as stored in an absolute reparse target or given with `\\?\`:
/// `\??\C:\a`, `\\?\C:\a`, `\??\UNC\srv\share\a`. Nothing is normalised (P6).
pub fn nt_path(text: &str) -> Result<FullPath> {
    let units: Vec<u16> = text.encode_utf16().collect();
    nt_path_units(&units)
}

/// [`nt_path`] on UTF-16 input.
pub fn nt_path_units(input: &[u16]) -> Result<FullPath> {
    // Units throughout: names after the prefix may hold unpaired surrogates (N3).
    let verbatim: Vec<u16> = r"\\?\".encode_utf16().collect();
    let rest_units: &[u16] = strip_nt_prefix_units(input)
        .or_else(|| input.strip_prefix(&verbatim[..]))
        .ok_or(NtError::ObjectNameInvalid)?;
    let verbatim_components = |tail: &[u16]| -> (Vec<Name>, bool) {
        if tail.is_empty() {
            return (Vec::new(), false);
        }
        let trailing = tail.last() == Some(&BS);
        let body = if trailing {
            &tail[..tail.len() - 1]
        } else {
            tail
        };
        if body.is_empty() {
            return (Vec::new(), trailing);
        }
        (
            body.split(|&u| u == BS).map(Name::from_units).collect(),
            trailing,
        )
    };
    if let Some(drive) = drive_letter(rest_units) {
        let tail = &rest_units[2..];
        if !tail.is_empty() && tail[0] != BS {
            return Err(NtError::ObjectNameInvalid);
        }
        let (components, trailing) = verbatim_components(tail.get(1..).unwrap_or(&[]));
        return Ok(FullPath {
            root: Root::Drive(drive),
            components,
            trailing_separator: trailing,
            verbatim: true,
        });
    }
    let unc = rest_units.len() >= 4
        && String::from_utf16_lossy(&rest_units[..4]).eq_ignore_ascii_case(r"UNC\");
    if unc {
        let tail = &rest_units[4..];
        let parts: Vec<&[u16]> = tail.splitn(3, |&u| u == BS).collect();
        let server = parts.first().copied().unwrap_or(&[]);
        let share = parts.get(1).copied().unwrap_or(&[]);
        if server.is_empty() || share.is_empty() {
            return Err(NtError::ObjectNameInvalid);
        }
        let (components, trailing) = verbatim_components(parts.get(2).copied().unwrap_or(&[]));
        return Ok(FullPath {
            root: Root::Unc {
                server: String::from_utf16_lossy(server),
                share: String::from_utf16_lossy(share),
            },
            components,
            trailing_separator: trailing,
            verbatim: true,
        });
    }
    // `\??\Volume{GUID}\x`: the volume's GUID name, then a path on it.
    let split = rest_units.iter().position(|&u| u == BS);
    let (object, tail) = match split {
        Some(i) => (&rest_units[..i], &rest_units[i + 1..]),
        None => (rest_units, &[][..]),
    };
    let object = String::from_utf16_lossy(object);
    if object.len() > 7
        && object
            .get(..7)
            .is_some_and(|p| p.eq_ignore_ascii_case("Volume{"))
    {
        let (components, trailing) = verbatim_components(tail);
        return Ok(FullPath {
            root: Root::Nt(format!(r"\??\{object}")),
            components,
            trailing_separator: trailing,
            verbatim: true,
        });
    }
    Ok(FullPath {
        root: Root::Nt(String::from_utf16_lossy(input)),
        components: Vec::new(),
        trailing_separator: false,
        verbatim: true,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Cwd;
    impl CurrentDirs for Cwd {
        fn current_drive(&self) -> u8 {
            b'C'
        }
        fn current_dir(&self, drive: u8) -> FullPath {
            match drive {
                b'C' => nt_path(r"\??\C:\work\sub")
                    .map(|mut p| {
                        p.verbatim = false;
                        p
                    })
                    .unwrap(),
                d => FullPath::drive_root(d),
            }
        }
    }

    const CLASSIC: Win32Rules = Win32Rules {
        device_names: DeviceNames::Classic,
        long_paths: true,
    };
    const WIN11: Win32Rules = Win32Rules {
        device_names: DeviceNames::Windows11,
        long_paths: true,
    };

    /// Golden table: input → normalised Win32 form (P1, N5, N6, N10, S9).
    #[test]
    fn full_path_golden() {
        let rows: &[(&str, &str)] = &[
            (r"C:\a\b", r"C:\a\b"),
            (r"c:\a\b\", r"C:\a\b"),
            (r"C:/a/b", r"C:\a\b"),
            (r"C:\a\\b", r"C:\a\b"),
            (r"C:\a\.\b", r"C:\a\b"),
            (r"C:\sym\link\..\foo", r"C:\sym\foo"), // P1: `..` is lexical
            (r"C:\..\..\x", r"C:\x"),
            (r"C:foo", r"C:\work\sub\foo"), // drive-relative (S9)
            (r"D:foo", r"D:\foo"),
            (r"\foo", r"C:\foo"),
            (r"foo\bar", r"C:\work\sub\foo\bar"),
            (r"..\x", r"C:\work\x"),
            (r"spam. . .", r"C:\work\sub\spam"), // N6
            (r"C:\dir.\x", r"C:\dir.\x"),
            (r"\\server\share\x\..\y", r"\\server\share\y"),
            (r"\\server\share\..\..", r"\\server\share\"),
            (r"//server/share/x", r"\\server\share\x"),
            (r"\\?\C:\a\..\b", r"C:\a\..\b"), // verbatim
            (r"\\?\C:\a/b", r"C:\a/b"),       // `/` is no separator after \\?\
            (r"\??\C:\x", r"C:\x"),
            (r"\\?\UNC\srv\sh\x", r"\\srv\sh\x"),
            (r"\\.\C:\a\..\b", r"C:\b"),
            (r"C:\dir\con", "CON"),
            (r"C:\dir\CON.txt", "CON"),
            (r"nul", "NUL"),
            (r"C:\dir\com1", "COM1"),
            (r"C:\dir\console", r"C:\dir\console"),
            (r"C:\con\x", r"C:\con\x"), // only the last component is checked
            (r"\\?\C:\dir\con", r"C:\dir\con"), // N10
        ];
        for (input, want) in rows {
            let got = full_path(input, &Cwd, CLASSIC).unwrap_or_else(|e| panic!("{input}: {e:?}"));
            assert_eq!(got.to_win32(), *want, "{input}");
        }
    }

    /// RtlDetermineDosPathNameType_U's classes (with `\\?\` and `\??\` told apart).
    #[test]
    fn path_type_table() {
        use PathType::*;
        let rows: &[(&str, PathType, u32)] = &[
            (r"C:\x", DriveAbsolute, 2),
            ("c:/x", DriveAbsolute, 2),
            ("C:", DriveRelative, 3),
            ("C:x", DriveRelative, 3),
            (r"\x", Rooted, 4),
            ("/x", Rooted, 4),
            (r"\??\C:\x", NtObject, 4),
            ("x", Relative, 5),
            (r"..\x", Relative, 5),
            ("1:x", Relative, 5), // no volume has a letter that is not one
            (r"\\srv\share", UncAbsolute, 1),
            (r"\\srv", UncAbsolute, 1),
            (r"\\.x", UncAbsolute, 1),
            ("//srv/share", UncAbsolute, 1),
            (r"\\.\C:\x", LocalDevice, 6),
            ("//?/C:/x", LocalDevice, 6),
            (r"\\?\C:\x", Verbatim, 6),
            (r"\\.", RootLocalDevice, 7),
            (r"\\?", RootLocalDevice, 7),
        ];
        for (text, kind, rtl) in rows {
            assert_eq!(path_type_str(text), *kind, "{text}");
            assert_eq!(kind.rtl_type(), *rtl, "{text}");
        }
    }

    #[test]
    fn win32_len_is_the_length_of_to_win32() {
        let inputs = [
            r"C:\a\b",
            r"C:\",
            r"\\server\share\x",
            r"\\server\share",
            r"C:\dir\con",
            r"\??\Volume{abc}\",
            "C:\\\u{e9}\u{1F525}",
        ];
        for input in inputs {
            let p = full_path(input, &Cwd, CLASSIC).unwrap();
            assert_eq!(
                p.win32_len(),
                p.to_win32().encode_utf16().count(),
                "{input}"
            );
        }
        let mut p = FullPath::drive_root(b'C');
        p.components.push(Name::from_units(&[0xD800, 0x61])); // unpaired surrogate (N3)
        assert_eq!(p.win32_len(), p.to_win32().encode_utf16().count());
    }

    /// Reserved device names, case-insensitive, with the superscript digits (N5).
    #[test]
    fn device_name_table() {
        let rows: &[(&str, bool)] = &[
            ("con", true),
            ("CoN", true),
            ("conin$", true),
            ("CONOUT$", true),
            ("com1", true),
            ("LPT9", true),
            ("com\u{b9}", true),
            ("lpt\u{b3}", true),
            ("com0", false),
            ("com10", false),
            ("comx", false),
            ("console", false),
            ("co", false),
            ("\u{d7}on", false),
        ];
        for (name, want) in rows {
            let units: Vec<u16> = name.encode_utf16().collect();
            assert_eq!(is_reserved_base(&units), *want, "{name}");
            let dotted: Vec<u16> = format!("{name} .txt").encode_utf16().collect();
            assert_eq!(
                is_reserved_last_component(&dotted, DeviceNames::Classic),
                *want,
                "{name} .txt"
            );
        }
    }

    #[test]
    fn windows11_narrows_device_names() {
        let rows: &[(&str, &str)] = &[
            (r"C:\dir\con", r"C:\dir\con"),
            (r"C:\dir\con.txt", r"C:\dir\con.txt"),
            (r"C:\dir\nul", "NUL"),
            ("con", "CON"),
        ];
        for (input, want) in rows {
            assert_eq!(
                full_path(input, &Cwd, WIN11).unwrap().to_win32(),
                *want,
                "{input}"
            );
        }
    }

    #[test]
    fn trailing_separator_and_verbatim_flags() {
        let p = full_path(r"C:\a\b\", &Cwd, CLASSIC).unwrap();
        assert!(p.trailing_separator && !p.verbatim);
        let p = full_path(r"\\?\C:\a\.\b", &Cwd, CLASSIC).unwrap();
        assert!(p.verbatim);
        assert_eq!(p.components.len(), 3);
    }

    #[test]
    fn errors() {
        assert_eq!(
            full_path("", &Cwd, CLASSIC),
            Err(NtError::ObjectNameInvalid)
        );
        assert_eq!(
            full_path(r"\\server", &Cwd, CLASSIC),
            Err(NtError::ObjectNameInvalid)
        );
        let long = format!(r"C:\{}", "a\\".repeat(200));
        let short_rules = Win32Rules {
            long_paths: false,
            ..CLASSIC
        };
        assert_eq!(
            full_path(&long, &Cwd, short_rules),
            Err(NtError::ObjectPathNotFound)
        );
        assert!(full_path(&long, &Cwd, CLASSIC).is_ok());
    }

    #[test]
    fn nt_paths() {
        let p = nt_path(r"\??\C:\d\.\x").unwrap();
        assert_eq!(p.components.len(), 3, "not normalised (P6)");
        let p = nt_path(r"\??\UNC\server\share\x").unwrap();
        assert_eq!(p.to_win32(), r"\\server\share\x");
        assert_eq!(p.to_nt(), r"\??\UNC\server\share\x");
        assert_eq!(nt_path(r"C:\x"), Err(NtError::ObjectNameInvalid));
        assert_eq!(nt_path(r"\??\C:x"), Err(NtError::ObjectNameInvalid));
        assert!(matches!(
            nt_path(r"\??\Volume{abc}\").unwrap().root,
            Root::Nt(_)
        ));
        assert_eq!(FullPath::drive_root(b'c').to_nt(), r"\??\C:\");
    }

    /// The small path vocabulary the adapters use instead of parsing by hand.
    #[test]
    fn drive_vocabulary() {
        /// text, drive_letter_str, letter_alone, drive_alone
        type Row = (&'static str, Option<u8>, Option<u8>, Option<u8>);
        let rows: &[Row] = &[
            ("C", None, Some(b'C'), None),
            ("c", None, Some(b'C'), None),
            ("c:", Some(b'C'), None, Some(b'C')),
            (r"C:\x", Some(b'C'), None, None),
            ("C:x", Some(b'C'), None, None),
            ("CC", None, None, None),
            ("1", None, None, None),
            ("1:", None, None, None),
            ("é", None, None, None),
            ("é:", None, None, None),
            ("", None, None, None),
            (r"\\?\C:\x", None, None, None),
        ];
        for &(text, drive, alone, colon) in rows {
            assert_eq!(drive_letter_str(text), drive, "{text:?}");
            assert_eq!(letter_alone(text), alone, "{text:?}");
            assert_eq!(drive_alone(text), colon, "{text:?}");
        }
    }

    #[test]
    fn drive_components_split_on_both_separators() {
        type Row = (&'static str, Option<(u8, &'static [&'static str])>);
        let rows: &[Row] = &[
            (r"C:\a\b", Some((b'C', &["a", "b"]))),
            (r"c:/a/b/", Some((b'C', &["a", "b"]))),
            (r"C:\a\\b\", Some((b'C', &["a", "b"]))),
            (r"D:\", Some((b'D', &[]))),
            ("D:", Some((b'D', &[]))),
            ("D:x", Some((b'D', &["x"]))),
            (r"C:\a\..\.", Some((b'C', &["a", "..", "."]))),
            (r"\a", None),
            (r"\\?\C:\a", None),
            ("a/b", None),
        ];
        for &(text, want) in rows {
            let got = drive_components(text);
            assert_eq!(
                got.as_ref().map(|(l, c)| (*l, c.as_slice())),
                want,
                "{text:?}"
            );
        }
    }

    #[test]
    fn split_drive_root_keeps_the_rest() {
        let rows: &[(&str, Option<(u8, &str)>)] = &[
            (r"C:\a\b", Some((b'C', r"a\b"))),
            (r"d:\", Some((b'D', ""))),
            (r"C:\a\\b\", Some((b'C', r"a\\b\"))),
            ("C:/a", None),
            ("C:a", None),
            ("C:", None),
            (r"1:\a", None),
            (r"\??\C:\a", None),
        ];
        for &(text, want) in rows {
            assert_eq!(split_drive_root(text), want, "{text:?}");
        }
    }

    #[test]
    fn prefixes_and_win32_syntax() {
        assert_eq!(strip_nt_prefix(r"\??\C:\a"), Some(r"C:\a"));
        assert_eq!(strip_nt_prefix(r"\\?\C:\a"), None);
        let units = |s: &str| s.encode_utf16().collect::<Vec<u16>>();
        assert_eq!(
            strip_nt_prefix_units(&units(r"\??\C:\a")),
            Some(&units(r"C:\a")[..])
        );
        assert_eq!(strip_nt_prefix_units(&units(r"\\?\C:\a")), None);
        assert_eq!(String::from_utf16_lossy(&NT_PREFIX_UNITS), r"\??\");
        assert_eq!(strip_verbatim_prefix(r"\\?\C:\a"), Some(r"C:\a"));
        assert_eq!(strip_verbatim_prefix(r"\??\C:\a"), None);
        let rows = [
            ("C:", true),
            (r"c:\x", true),
            ("C:x", true),
            (r"\\srv\share", true),
            (r"\\?\C:\x", true),
            (r"\\.\pipe", true),
            ("/tmp/x", false),
            ("//tmp/x", false),
            ("x", false),
            (r"\x", false),
            ("1:x", false),
        ];
        for (text, want) in rows {
            assert_eq!(is_win32_syntax(text), want, "{text:?}");
        }
        let rows = [
            (r"c:\t", Some(r"\??\C:\t")),
            (r"C:/t", None),
            (r"C:\a/b", Some(r"\??\C:\a/b")),
            (r"C:\", Some(r"\??\C:\")),
            ("C:t", None),
            (r"\t", None),
            (r"\\srv\s\t", None),
        ];
        for (text, want) in rows {
            assert_eq!(nt_drive_target(text).as_deref(), want, "{text:?}");
        }
    }
}
