//! Behaviour that differs across Windows versions and filesystem kinds, as data
//! the rules query by capability (STYLE 6.8), never as scattered version checks.

use crate::path::{DeviceNames, Win32Rules};
use std::fmt;
use std::str::FromStr;

/// A Windows release, by build number: the rules ask capabilities of it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WindowsVersion {
    /// The build number (`ver` shows it): 2600 is XP, 26100 Windows 11 24H2.
    pub build: u32,
}

/// Named releases users pick a profile by.
pub const VERSIONS: &[(&str, u32, &str)] = &[
    ("nt4", 1381, "Windows NT 4.0"),
    ("2000", 2195, "Windows 2000"),
    ("xp", 2600, "Windows XP"),
    ("2003", 3790, "Windows Server 2003"),
    ("vista", 6000, "Windows Vista"),
    ("7", 7601, "Windows 7"),
    ("10-1507", 10240, "Windows 10 1507"),
    ("10-1607", 14393, "Windows 10 1607"),
    ("10-1703", 15063, "Windows 10 1703"),
    ("10-1709", 16299, "Windows 10 1709"),
    ("10-1903", 18362, "Windows 10 1903"),
    ("10", 19045, "Windows 10 22H2"),
    ("11", 26100, "Windows 11 24H2"),
];

impl WindowsVersion {
    /// Windows NT 4.0.
    pub const NT4: WindowsVersion = WindowsVersion { build: 1381 };
    /// Windows 2000.
    pub const WIN2000: WindowsVersion = WindowsVersion { build: 2195 };
    /// Windows XP.
    pub const XP: WindowsVersion = WindowsVersion { build: 2600 };
    /// Windows Vista, the first with symbolic links.
    pub const VISTA: WindowsVersion = WindowsVersion { build: 6000 };
    /// Windows 7 SP1.
    pub const WIN7: WindowsVersion = WindowsVersion { build: 7601 };
    /// Windows 10 22H2.
    pub const WIN10: WindowsVersion = WindowsVersion { build: 19045 };
    /// Windows 11 24H2.
    pub const WIN11: WindowsVersion = WindowsVersion { build: 26100 };

    /// The profile name of the release (`"xp"`, `"11"` …), or `build:N`
    /// (names parse back to the same version).
    pub fn name(self) -> String {
        VERSIONS
            .iter()
            .find(|(_, b, _)| *b == self.build)
            .map_or_else(
                || format!("build:{}", self.build),
                |(n, _, _)| (*n).to_string(),
            )
    }

    /// The release's full name (`"Windows XP"`), or `Windows build N` for an unnamed build.
    pub fn description(self) -> String {
        VERSIONS
            .iter()
            .find(|(_, b, _)| *b == self.build)
            .map_or_else(
                || format!("Windows build {}", self.build),
                |(_, _, d)| (*d).to_string(),
            )
    }
}

/// SymlinkEvaluation policy (`fsutil behavior set SymlinkEvaluation`, S50–S52).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct SymlinkEvaluation {
    /// L2L: local links to local targets are followed.
    pub local_to_local: bool,
    /// L2R: local links to remote targets are followed.
    pub local_to_remote: bool,
    /// R2L: remote links to local targets are followed.
    pub remote_to_local: bool,
    /// R2R: remote links to remote targets are followed.
    pub remote_to_remote: bool,
}

impl Default for SymlinkEvaluation {
    /// S51: L2L and L2R enabled, remote links disabled.
    fn default() -> Self {
        SymlinkEvaluation {
            local_to_local: true,
            local_to_remote: true,
            remote_to_local: false,
            remote_to_remote: false,
        }
    }
}

/// Whether the caller holds SeCreateSymbolicLinkPrivilege (S2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Privilege {
    /// An elevated administrator: the privilege is held.
    Held,
    /// A standard user: symlinks only with the unprivileged flag in developer mode.
    Unprivileged,
}

/// The machine-wide behaviour switches.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Profile {
    /// The emulated release.
    pub version: WindowsVersion,
    /// Developer mode: unprivileged users may create symlinks with the unprivileged flag (S2).
    pub developer_mode: bool,
    /// Whether SeCreateSymbolicLinkPrivilege is held.
    pub privilege: Privilege,
    /// SymlinkEvaluation policy.
    pub symlink_evaluation: SymlinkEvaluation,
    /// LongPathsEnabled (Win10 1607+): MAX_PATH no longer limits Win32 paths (N9).
    pub long_paths: bool,
}

impl Default for Profile {
    fn default() -> Self {
        Profile::for_version(WindowsVersion::WIN11)
    }
}

impl Profile {
    /// An elevated user on `version`, default policies.
    pub fn for_version(version: WindowsVersion) -> Profile {
        Profile {
            version,
            developer_mode: false,
            privilege: Privilege::Held,
            symlink_evaluation: SymlinkEvaluation::default(),
            long_paths: false,
        }
    }

    /// Directory junctions exist from Windows 2000 (NTFS 5).
    pub fn supports_junctions(&self) -> bool {
        self.version.build >= WindowsVersion::WIN2000.build
    }

    /// Symbolic links exist from Vista (V5).
    pub fn supports_symlinks(&self) -> bool {
        self.version.build >= WindowsVersion::VISTA.build
    }

    /// SYMBOLIC_LINK_FLAG_ALLOW_UNPRIVILEGED_CREATE is known from build 14972 (S3);
    /// earlier builds reject the flag with ERROR_INVALID_PARAMETER.
    pub fn knows_unprivileged_flag(&self) -> bool {
        self.version.build >= 14972
    }

    /// Whether creating a symlink with these flags needs the privilege (S2, S3).
    pub fn symlink_creation_allowed(&self, allow_unprivileged_flag: bool) -> bool {
        self.privilege == Privilege::Held
            || (allow_unprivileged_flag && self.developer_mode && self.knows_unprivileged_flag())
    }

    /// The most reparse points one path may pass through (P8): 63, 31 on XP/2003.
    pub fn max_reparse_points(&self) -> usize {
        if self.version.build < WindowsVersion::VISTA.build {
            31
        } else {
            63
        }
    }

    /// Win10 1709+: a file symlink to a directory and a junction/directory symlink
    /// to a file fail on open (S22, S23, J13).
    pub fn checks_link_flavor_on_open(&self) -> bool {
        self.version.build >= 16299
    }

    /// Win10 1607+: tags with the directory bit may be set on non-empty directories.
    pub fn supports_directory_bit_tags(&self) -> bool {
        self.version.build >= 14393
    }

    /// Windows 2000 sets ARCHIVE on junctions (attributes 0x430, J1).
    pub fn junction_gets_archive(&self) -> bool {
        self.version == WindowsVersion::WIN2000
    }

    /// 2000/XP Explorer and `del /s` walk into junctions and delete the target's
    /// contents (J34, KB205524).
    pub fn explorer_delete_follows_junctions(&self) -> bool {
        self.version.build < WindowsVersion::VISTA.build
    }

    /// Win10 1903+: DeleteFile releases the name at once even while handles are open
    /// (POSIX delete semantics, M10); before, the name stays until the last close.
    pub fn delete_releases_name_immediately(&self) -> bool {
        self.version.build >= 18362
    }

    /// Win32 path rules of this release (N5: Windows 11 narrowed device names).
    pub fn win32_rules(&self) -> Win32Rules {
        Win32Rules {
            device_names: if self.version.build >= 22000 {
                DeviceNames::Windows11
            } else {
                DeviceNames::Classic
            },
            long_paths: self.long_paths && self.version.build >= 14393,
        }
    }

    /// The profile's name: `11`, `xp`, `10+dev`, `10-user` …
    pub fn name(&self) -> String {
        let mut s = self.version.name();
        if self.developer_mode {
            s.push_str("+dev");
        }
        if self.privilege == Privilege::Unprivileged {
            s.push_str("-user");
        }
        if self.long_paths {
            s.push_str("+longpaths");
        }
        s
    }
}

impl fmt::Display for Profile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.name())
    }
}

/// The message for a profile name that names nothing: the names there are,
/// and for a bare number the explicit form it may have meant.
fn unknown_profile(given: &str, version: &str) -> String {
    let names: Vec<&str> = VERSIONS.iter().map(|(n, _, _)| *n).collect();
    let hint = match version.parse::<u32>() {
        Ok(n) => {
            let release = VERSIONS
                .iter()
                .find(|(name, _, _)| name.strip_prefix("10-") == Some(version))
                .map_or(String::new(), |(name, _, d)| format!(" ({d} is {name})"));
            format!(" a build number is written build:{n}{release};")
        }
        Err(_) => String::new(),
    };
    format!(
        "unknown profile '{given}':{hint} expected one of {} (or build:NUMBER), \
         optionally followed by +dev, -user, +longpaths",
        names.join(", ")
    )
}

impl FromStr for Profile {
    type Err = String;

    /// `VERSION[+dev][-user][+longpaths]`, e.g. `xp`, `11`, `10+dev-user`,
    /// `build:22631`.
    fn from_str(s: &str) -> Result<Profile, String> {
        let lower = s.trim().to_ascii_lowercase();
        let mut rest = lower.as_str();
        let mut developer_mode = false;
        let mut privilege = Privilege::Held;
        let mut long_paths = false;
        loop {
            if let Some(r) = rest.strip_suffix("+dev") {
                developer_mode = true;
                rest = r;
            } else if let Some(r) = rest.strip_suffix("-user") {
                privilege = Privilege::Unprivileged;
                rest = r;
            } else if let Some(r) = rest.strip_suffix("+longpaths") {
                long_paths = true;
                rest = r;
            } else {
                break;
            }
        }
        let build = match rest.strip_prefix("build:") {
            // A build number only in this explicit form: a bare `1709` or
            // `win98` would otherwise name a build nobody meant.
            Some(n) => n.parse().ok().filter(|b| *b > 0),
            None => {
                let name = rest.strip_prefix("win").unwrap_or(rest);
                VERSIONS
                    .iter()
                    .find(|(n, _, _)| *n == name)
                    .map(|(_, b, _)| *b)
            }
        };
        let build = build.ok_or_else(|| unknown_profile(s, rest))?;
        Ok(Profile {
            developer_mode,
            privilege,
            long_paths,
            ..Profile::for_version(WindowsVersion { build })
        })
    }
}

/// A volume's filesystem kind (V1, V2).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum FsKind {
    /// NTFS: hard links, junctions, symlinks.
    Ntfs,
    /// FAT32: no hard links (HL13).
    Fat32,
    /// exFAT: no hard links (HL13).
    ExFat,
    /// ReFS with its on-disk version (major, minor).
    Refs(u8, u8),
    /// A drive letter mapped to a share on another machine (`net use Z:
    /// \\fred\share`), whose file system is NTFS: links on it are remote links
    /// (S50), a junction may not lead to it (J2, J8b), a symlink may (V4).
    Network,
}

impl FsKind {
    /// V1: NTFS yes; ReFS from v3.5; FAT32/exFAT no (HL13, HL14).
    pub fn supports_hard_links(self) -> bool {
        match self {
            FsKind::Ntfs | FsKind::Network => true,
            FsKind::Refs(major, minor) => (major, minor) >= (3, 5),
            FsKind::Fat32 | FsKind::ExFat => false,
        }
    }

    /// V2: reparse points (junctions, symlinks) on NTFS and ReFS only.
    pub fn supports_reparse_points(self) -> bool {
        matches!(self, FsKind::Ntfs | FsKind::Refs(..) | FsKind::Network)
    }

    /// A mapped network drive: remote for symlink evaluation (S50), no
    /// junction target (J2, J8b), no place for `mklink /J` (J8a).
    pub fn is_network(self) -> bool {
        self == FsKind::Network
    }

    /// NTFS names per file (HL3); ReFS documents the same limit.
    pub fn max_links(self) -> usize {
        1024
    }

    /// The name `vol` and `fsutil fsinfo` print.
    pub fn name(self) -> String {
        match self {
            FsKind::Ntfs => "NTFS".into(),
            FsKind::Fat32 => "FAT32".into(),
            FsKind::ExFat => "exFAT".into(),
            FsKind::Refs(a, b) => format!("ReFS {a}.{b}"),
            FsKind::Network => "network".into(),
        }
    }
}

impl FromStr for FsKind {
    type Err = String;

    /// `ntfs`, `fat32` (or `fat`), `exfat`, `refs` (3.10), `refs3.4` …,
    /// `network` (or `net`: a mapped network drive).
    fn from_str(s: &str) -> Result<FsKind, String> {
        let lower = s.trim().to_ascii_lowercase();
        match lower.as_str() {
            "ntfs" => Ok(FsKind::Ntfs),
            "fat" | "fat32" => Ok(FsKind::Fat32),
            "exfat" => Ok(FsKind::ExFat),
            "refs" => Ok(FsKind::Refs(3, 10)),
            "network" | "net" => Ok(FsKind::Network),
            other => {
                let v = other
                    .strip_prefix("refs")
                    .map(|v| v.trim_start_matches(['v', '-', ' ']))
                    .and_then(|v| v.split_once('.'))
                    .and_then(|(a, b)| Some((a.parse().ok()?, b.parse().ok()?)));
                v.map(|(a, b)| FsKind::Refs(a, b)).ok_or_else(|| {
                    format!("unknown filesystem kind '{s}': expected ntfs, fat32, exfat, refs, refsX.Y or network")
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities_by_version() {
        let p = |n: &str| n.parse::<Profile>().unwrap();
        let rows: &[(&str, bool, bool, usize, bool, bool)] = &[
            // name, junctions, symlinks, reparse limit, flavor check, explorer follows
            ("nt4", false, false, 31, false, true),
            ("2000", true, false, 31, false, true),
            ("xp", true, false, 31, false, true),
            ("vista", true, true, 63, false, false),
            ("7", true, true, 63, false, false),
            ("10-1703", true, true, 63, false, false),
            ("10-1709", true, true, 63, true, false),
            ("11", true, true, 63, true, false),
        ];
        for &(name, j, s, limit, check, explorer) in rows {
            let prof = p(name);
            assert_eq!(prof.supports_junctions(), j, "{name}");
            assert_eq!(prof.supports_symlinks(), s, "{name}");
            assert_eq!(prof.max_reparse_points(), limit, "{name}");
            assert_eq!(prof.checks_link_flavor_on_open(), check, "{name}");
            assert_eq!(prof.explorer_delete_follows_junctions(), explorer, "{name}");
        }
    }

    #[test]
    fn unprivileged_symlink_rule() {
        let p = |n: &str| n.parse::<Profile>().unwrap();
        assert!(p("11").symlink_creation_allowed(false));
        assert!(!p("11-user").symlink_creation_allowed(true));
        assert!(p("11+dev-user").symlink_creation_allowed(true));
        assert!(!p("11+dev-user").symlink_creation_allowed(false));
        assert!(!p("10-1607+dev-user").symlink_creation_allowed(true));
        assert_eq!(p("10+dev-user").name(), "10+dev-user");
        assert!("winME".parse::<Profile>().is_err());
    }

    /// Build numbers only as `build:N` (issue 13): a bare number or `win98`
    /// is refused with the names listed, never read as a build.
    #[test]
    fn build_numbers_need_the_explicit_form() {
        let names = "expected one of nt4, 2000, xp, 2003, vista, 7, 10-1507, 10-1607, \
                     10-1703, 10-1709, 10-1903, 10, 11 (or build:NUMBER), optionally \
                     followed by +dev, -user, +longpaths";
        let refused = [
            (
                "1709",
                format!(
                    "unknown profile '1709': a build number is written build:1709 \
                     (Windows 10 1709 is 10-1709); {names}"
                ),
            ),
            (
                "22631",
                format!("unknown profile '22631': a build number is written build:22631; {names}"),
            ),
            ("win98", format!("unknown profile 'win98': {names}")),
            ("winME", format!("unknown profile 'winME': {names}")),
            ("build:", format!("unknown profile 'build:': {names}")),
            ("build:0", format!("unknown profile 'build:0': {names}")),
            ("build:x1", format!("unknown profile 'build:x1': {names}")),
        ];
        for (given, want) in refused {
            assert_eq!(given.parse::<Profile>(), Err(want), "{given}");
        }
        let p: Profile = "build:22631+dev".parse().unwrap();
        assert_eq!((p.version.build, p.developer_mode), (22631, true));
        assert_eq!(p.name(), "build:22631+dev");
        assert_eq!(p.name().parse::<Profile>(), Ok(p));
        assert_eq!("win7".parse::<Profile>().unwrap().version.build, 7601);
        assert_eq!("BUILD:16299".parse::<Profile>().unwrap().name(), "10-1709");
    }

    #[test]
    fn fs_kinds() {
        let rows: &[(&str, FsKind, bool, bool)] = &[
            ("ntfs", FsKind::Ntfs, true, true),
            ("FAT32", FsKind::Fat32, false, false),
            ("exfat", FsKind::ExFat, false, false),
            ("refs3.4", FsKind::Refs(3, 4), false, true),
            ("refs3.5", FsKind::Refs(3, 5), true, true),
            ("refs", FsKind::Refs(3, 10), true, true),
            ("network", FsKind::Network, true, true),
            ("NET", FsKind::Network, true, true),
        ];
        for &(s, kind, hard, reparse) in rows {
            let k: FsKind = s.parse().unwrap();
            assert_eq!(k, kind);
            assert_eq!(k.supports_hard_links(), hard, "{s}");
            assert_eq!(k.supports_reparse_points(), reparse, "{s}");
        }
        assert!("ext4".parse::<FsKind>().is_err());
        assert!(FsKind::Network.is_network() && !FsKind::Ntfs.is_network());
    }
}
