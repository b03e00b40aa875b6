//! WinFsp's volume-relative UTF-16 paths (`\dir\file`) ↔ core component lists,
//! and core reparse targets → NT paths on the host's mounts.
//!
//! WinFsp hands the file system NT-level names: no drive, no `.`/`..`
//! processing left to do, no trailing-dot stripping (P6). So nothing here
//! normalises; names are validated by the core when it looks them up.

use ntlinkfs_core::name::upcase_unit;
use ntlinkfs_core::path::{self, PathType};
use ntlinkfs_core::reparse::SYMLINK_FLAG_RELATIVE;
use ntlinkfs_core::{Name, NtError, ReparseData, ReparseTarget, VolumeId};

const BS: u16 = b'\\' as u16;

/// A parsed WinFsp file name.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumePath {
    pub components: Vec<Name>,
    /// UTF-16 offset of each component in the original name: WinFsp's
    /// "reparse point index" is such an offset (FspFileSystemFindReparsePoint).
    pub offsets: Vec<usize>,
    pub trailing_separator: bool,
}

impl VolumePath {
    /// Parses `\`, `\a`, `\a\b\`. Anything not rooted, or with an empty
    /// component (`\a\\b`), is STATUS_OBJECT_NAME_INVALID as on NTFS.
    pub fn parse(units: &[u16]) -> Result<VolumePath, NtError> {
        let rest = match units.split_first() {
            Some((&BS, rest)) => rest,
            _ => return Err(NtError::ObjectNameInvalid),
        };
        let trailing_separator = rest.last() == Some(&BS);
        let body = if trailing_separator {
            &rest[..rest.len() - 1]
        } else {
            rest
        };
        let mut path = VolumePath {
            components: Vec::new(),
            offsets: Vec::new(),
            trailing_separator,
        };
        if body.is_empty() {
            return if trailing_separator {
                Err(NtError::ObjectNameInvalid) // `\\`
            } else {
                Ok(path)
            };
        }
        let mut offset = 1;
        for part in body.split(|&u| u == BS) {
            if part.is_empty() {
                return Err(NtError::ObjectNameInvalid);
            }
            path.components.push(Name::from_units(part));
            path.offsets.push(offset);
            offset += part.len() + 1;
        }
        Ok(path)
    }

    pub fn parse_str(s: &str) -> Result<VolumePath, NtError> {
        VolumePath::parse(&s.encode_utf16().collect::<Vec<_>>())
    }

    /// The last component, exactly as WinFsp gave it (unpaired surrogates
    /// included: legal NTFS names, N3), or `None` at the root.
    pub fn last_name(&self) -> Option<&Name> {
        self.components.last()
    }

    /// WinFsp's reparse point index for component `i`.
    pub fn reparse_index(&self, i: usize) -> u32 {
        self.offsets[i] as u32
    }
}

/// The name to report for an object opened as `opened` (case-insensitive
/// volume, case-preserving: WinFsp asks for the stored spelling). `names` are
/// the object's names as the core lists them (`\dir\name`, one per hard
/// link, as exact UTF-16 units: N3); the one `opened` denotes is picked.
/// `None` when none matches.
pub fn normalized_name(opened: &VolumePath, names: &[Vec<u16>]) -> Option<Vec<u16>> {
    if opened.components.is_empty() {
        return Some(vec![BS]);
    }
    names.iter().find_map(|n| {
        let p = VolumePath::parse(n).ok()?;
        let same = p.components.len() == opened.components.len()
            && p.components
                .iter()
                .zip(&opened.components)
                .all(|(a, b)| a.key() == b.key());
        same.then(|| n.clone())
    })
}

/// Where one volume is mounted on the host.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum MountPoint {
    /// A drive letter, `X:`.
    Drive(char),
    /// An absolute directory path, `C:\mnt\c` (WinFsp creates it; it must not exist).
    Directory(String),
}

impl MountPoint {
    /// `X:` or `X:\` is a drive; an absolute `X:\dir\...` path is a directory.
    /// Relative paths are refused: reparse targets must name an absolute place.
    pub fn parse(s: &str) -> Result<MountPoint, String> {
        if let Some(l) = path::drive_alone(s) {
            return Ok(MountPoint::Drive(l as char));
        }
        if path::path_type_str(s) == PathType::DriveAbsolute {
            if let Some((l, names)) = path::drive_components(s) {
                if names.is_empty() {
                    return Ok(MountPoint::Drive(l as char));
                }
                let p = s.replace('/', "\\");
                return Ok(MountPoint::Directory(p.trim_end_matches('\\').to_string()));
            }
        }
        Err(format!(
            "mount point {s:?}: give a drive letter (X:) or an absolute directory (C:\\mnt\\c)"
        ))
    }

    /// What WinFsp's FspFileSystemSetMountPoint takes.
    pub fn to_winfsp(&self) -> String {
        match self {
            MountPoint::Drive(l) => format!("{l}:"),
            MountPoint::Directory(d) => d.clone(),
        }
    }
}

/// Which host mount shows which core volume: reparse targets are rewritten
/// through it so that the I/O manager lands where the core's rules say,
/// inside the mounts, never on an unrelated host drive.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MountTable {
    /// (volume, its letter in the machine, where it is mounted).
    pub entries: Vec<(VolumeId, char, MountPoint)>,
}

impl MountTable {
    pub fn mount_of(&self, volume: VolumeId) -> Option<&MountPoint> {
        self.entries
            .iter()
            .find(|(v, _, _)| *v == volume)
            .map(|(_, _, m)| m)
    }

    /// A reparse buffer set through the mount, with an absolute target given in
    /// host terms (`\??\X:\C\data`, what `mklink /J` on the mount writes),
    /// rewritten to the machine's terms (`\??\C:\data`) so the core resolves
    /// it as the host meant. Relative targets, targets outside every mount and
    /// buffers the core will refuse pass unchanged (the core judges them).
    pub fn to_core(&self, buffer: &[u8]) -> Vec<u8> {
        let Ok(data) = ReparseData::decode(buffer) else {
            return buffer.to_vec();
        };
        let rewritten = match data {
            ReparseData::MountPoint { substitute, print } => self
                .core_units(&substitute, true)
                .map(|substitute| ReparseData::MountPoint {
                    print: self.core_units(&print, false).unwrap_or(print),
                    substitute,
                }),
            ReparseData::Symlink {
                substitute,
                print,
                flags,
            } if flags & SYMLINK_FLAG_RELATIVE == 0 => {
                self.core_units(&substitute, true)
                    .map(|substitute| ReparseData::Symlink {
                        print: self.core_units(&print, false).unwrap_or(print),
                        substitute,
                        flags,
                    })
            }
            _ => None,
        };
        rewritten.map_or_else(|| buffer.to_vec(), |d| d.encode())
    }

    /// `path` (NT form with `\??\` when `nt`, else DOS form) under one of the
    /// mounts → the same place in the machine's terms.
    fn core_units(&self, path: &[u16], nt: bool) -> Option<Vec<u16>> {
        let body = if nt {
            path::strip_nt_prefix_units(path)?
        } else {
            path
        };
        self.entries.iter().find_map(|(_, letter, at)| {
            let mount: Vec<u16> = at.to_winfsp().encode_utf16().collect();
            let head = body.get(..mount.len())?;
            let rest = &body[mount.len()..];
            let same = head
                .iter()
                .zip(&mount)
                .all(|(a, b)| upcase_unit(*a) == upcase_unit(*b));
            if !same || !(rest.is_empty() || rest[0] == BS) {
                return None;
            }
            let mut out = if nt {
                path::NT_PREFIX_UNITS.to_vec()
            } else {
                Vec::new()
            };
            out.extend(format!("{letter}:").encode_utf16());
            if rest.is_empty() {
                out.push(BS);
            } else {
                out.extend_from_slice(rest);
            }
            Some(out)
        })
    }

    /// The NT path (`\??\X:\a\b`) of a core reparse target on the host. A target
    /// on a volume that is not mounted is not reachable from the host:
    /// STATUS_OBJECT_PATH_NOT_FOUND, as for a drive that does not exist.
    pub fn nt_path(&self, target: &ReparseTarget) -> Result<Vec<u16>, NtError> {
        let mount = self
            .mount_of(target.volume)
            .ok_or(NtError::ObjectPathNotFound)?;
        let mut out = path::NT_PREFIX_UNITS.to_vec();
        out.extend(mount.to_winfsp().encode_utf16());
        let drive_root = matches!(mount, MountPoint::Drive(_));
        if target.components.is_empty() {
            if drive_root || target.trailing_separator {
                out.push(BS);
            }
            return Ok(out);
        }
        for c in &target.components {
            out.push(BS);
            out.extend_from_slice(c.units());
        }
        if target.trailing_separator {
            out.push(BS);
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    fn names(v: &[&str]) -> Vec<Name> {
        v.iter().map(|s| Name::new(s)).collect()
    }

    #[test]
    fn parse_table() {
        let ok: &[(&str, &[&str], &[usize], bool)] = &[
            (r"\", &[], &[], false),
            (r"\a", &["a"], &[1], false),
            (r"\dir\file", &["dir", "file"], &[1, 5], false),
            (r"\dir\sub\", &["dir", "sub"], &[1, 5], true),
            (r"\trailing. ", &["trailing. "], &[1], false), // kept verbatim (P6)
            (r"\a:s", &["a:s"], &[1], false),               // the core refuses it
        ];
        for &(input, comps, offsets, trailing) in ok {
            let p = VolumePath::parse_str(input).unwrap();
            assert_eq!(p.components, names(comps), "{input}");
            assert_eq!(p.offsets, offsets, "{input}");
            assert_eq!(p.trailing_separator, trailing, "{input}");
        }
        for bad in ["", "a", r"a\b", r"\\", r"\a\\b", r"\\a"] {
            assert_eq!(
                VolumePath::parse_str(bad),
                Err(NtError::ObjectNameInvalid),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn reparse_index_is_the_utf16_offset_of_the_component() {
        // "\é\🙂x\j\f": the emoji is two UTF-16 units.
        let p = VolumePath::parse_str("\\é\\🙂x\\j\\f").unwrap();
        assert_eq!(
            (0..4).map(|i| p.reparse_index(i)).collect::<Vec<_>>(),
            [1, 3, 7, 9]
        );
    }

    #[test]
    fn last_name_keeps_unpaired_surrogates() {
        // N3: a lone surrogate is a legal NTFS name; the units go to the core as given.
        let p = VolumePath::parse(&[BS, 0xD800]).unwrap();
        assert_eq!(p.last_name().map(Name::units), Some(&[0xD800][..]));
        let p = VolumePath::parse_str(r"\a\Bé").unwrap();
        assert_eq!(p.last_name().map(Name::units), Some(&u("Bé")[..]));
        assert_eq!(VolumePath::parse_str(r"\").unwrap().last_name(), None);
    }

    #[test]
    fn normalized_name_picks_the_stored_spelling_of_the_opened_name() {
        let names = vec![u(r"\Docs\Notes.txt"), u(r"\Desk\notes.txt")];
        let n = |s: &str| {
            normalized_name(&VolumePath::parse_str(s).unwrap(), &names)
                .map(|u| String::from_utf16(&u).unwrap())
        };
        assert_eq!(n(r"\docs\NOTES.TXT").as_deref(), Some(r"\Docs\Notes.txt"));
        assert_eq!(n(r"\DESK\Notes.txt").as_deref(), Some(r"\Desk\notes.txt"));
        assert_eq!(n(r"\other\notes.txt"), None);
        assert_eq!(n(r"\").as_deref(), Some(r"\"));
        // N3: a stored name with an unpaired surrogate comes back as its exact units.
        let stored = vec![vec![BS, u16::from(b'D'), 0xD800]];
        let opened = VolumePath::parse(&[BS, u16::from(b'd'), 0xD800]).unwrap();
        assert_eq!(normalized_name(&opened, &stored), Some(stored[0].clone()));
    }

    #[test]
    fn to_core_rewrites_host_targets_set_through_the_mount() {
        let table = MountTable {
            entries: vec![
                (0, 'C', MountPoint::Drive('X')),
                (1, 'D', MountPoint::Directory(r"C:\mnt\d".into())),
            ],
        };
        let j = |t: &str| ReparseData::mount_point(&format!(r"\??\{t}"), t).encode();
        let s = |t: &str, rel| ReparseData::symlink(t, t, rel).encode();
        let rows: Vec<(Vec<u8>, Vec<u8>)> = vec![
            (j(r"X:\data"), j(r"C:\data")),
            (j(r"x:\"), j(r"C:\")),
            (j(r"X:"), j(r"C:\")),
            (j(r"c:\mnt\D\x\y"), j(r"D:\x\y")),
            (j(r"C:\mnt\dx"), j(r"C:\mnt\dx")), // not under the mount
            (j(r"Q:\elsewhere"), j(r"Q:\elsewhere")),
            (
                ReparseData::symlink(r"\??\X:\f", r"X:\f", false).encode(),
                ReparseData::symlink(r"\??\C:\f", r"C:\f", false).encode(),
            ),
            (s(r"..\X:\f", true), s(r"..\X:\f", true)), // relative: untouched
            (vec![1, 2, 3], vec![1, 2, 3]),             // the core refuses it
        ];
        for (input, want) in rows {
            assert_eq!(table.to_core(&input), want);
        }
    }

    #[test]
    fn mount_point_parse_table() {
        use MountPoint::*;
        let rows: &[(&str, Result<MountPoint, ()>)] = &[
            ("x:", Ok(Drive('X'))),
            ("X:\\", Ok(Drive('X'))),
            ("x:/", Ok(Drive('X'))),
            // Was Directory("C:"), a mount point WinFsp cannot create.
            (r"C:\\", Ok(Drive('C'))),
            ("C:x", Err(())),
            ("1:", Err(())),
            (r"\\?\C:\mnt", Err(())),
            (r"C:\mnt\c", Ok(Directory(r"C:\mnt\c".into()))),
            ("C:/mnt/c/", Ok(Directory(r"C:\mnt\c".into()))),
            ("mnt", Err(())),
            (r"\mnt", Err(())),
            ("", Err(())),
        ];
        for (input, want) in rows {
            assert_eq!(&MountPoint::parse(input).map_err(|_| ()), want, "{input}");
        }
    }

    #[test]
    fn nt_path_rewrites_targets_through_the_mounts() {
        let table = MountTable {
            entries: vec![
                (0, 'C', MountPoint::Drive('X')),
                (1, 'D', MountPoint::Directory(r"C:\mnt\d".into())),
            ],
        };
        let t = |volume, comps: &[&str], trailing| ReparseTarget {
            volume,
            components: names(comps),
            trailing_separator: trailing,
        };
        let text = |r: Result<Vec<u16>, NtError>| r.map(|u| String::from_utf16(&u).unwrap());
        let rows = [
            (t(0, &["a", "b"], false), Ok(r"\??\X:\a\b".to_string())),
            (t(0, &[], false), Ok(r"\??\X:\".to_string())),
            (t(1, &["x"], true), Ok(r"\??\C:\mnt\d\x\".to_string())),
            (t(1, &[], false), Ok(r"\??\C:\mnt\d".to_string())),
            (t(2, &["x"], false), Err(NtError::ObjectPathNotFound)),
        ];
        for (target, want) in rows {
            assert_eq!(text(table.nt_path(&target)), want, "{target:?}");
        }
    }
}
