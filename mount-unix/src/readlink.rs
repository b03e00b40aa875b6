//! Reparse targets -> the text `readlink` returns in the Linux view (F1, DESIGN
//! "mount-unix"). Pure: the caller says where the link sits and which volumes are
//! mounted.
//!
//! The text is always relative and climbs exactly to the mount root at most, so it
//! works whatever the mount point is and can never leave the mount:
//! - a target on a mounted volume becomes a path from the link's own directory
//!   (`../data`, `../../D/x`), through the volume directories;
//! - anything else (a UNC path, an unmounted drive, a target climbing above its
//!   volume root) becomes `<up to the mount root>/.NTFS-3G/...`, a name the mount
//!   root never holds, so it reads as a path inside the mount that does not exist.
//!   ntfs-3g uses the same directory name for targets on other volumes (F1).

use ntlinkfs_core::reparse::SYMLINK_FLAG_RELATIVE;
use ntlinkfs_core::{NameKey, ReparseData};

/// The directory name, in the mount root, that targets outside the mount go under.
pub const OUTSIDE_DIR: &str = ".NTFS-3G";

/// The mounted volumes: letter and volume GUID name (`Volume{…}`).
pub struct Volumes<'a> {
    pub letters: &'a [(char, String)],
}

impl Volumes<'_> {
    fn by_letter(&self, l: char) -> Option<char> {
        let l = l.to_ascii_uppercase();
        self.letters.iter().find(|(c, _)| *c == l).map(|(c, _)| *c)
    }

    fn by_guid(&self, name: &str) -> Option<char> {
        self.letters
            .iter()
            .find(|(_, g)| g.eq_ignore_ascii_case(name))
            .map(|(c, _)| *c)
    }
}

/// The symlink text for a junction or symbolic link whose parent directory is
/// `parent` (mount-relative components, the first one the volume letter).
/// `None` for reparse points that are not shown as links.
pub fn posix_target(data: &ReparseData, parent: &[String], vols: &Volumes) -> Option<String> {
    let (text, relative) = match data {
        ReparseData::MountPoint { substitute, .. } => (String::from_utf16_lossy(substitute), false),
        ReparseData::Symlink {
            substitute, flags, ..
        } => (
            String::from_utf16_lossy(substitute),
            flags & SYMLINK_FLAG_RELATIVE != 0,
        ),
        ReparseData::Other { .. } => return None,
    };
    let place = if relative {
        relative_place(&text, parent, vols)
    } else {
        absolute_place(&text, vols)
    };
    Some(relative_text(parent, place))
}

/// Where a target lands: components from the mount root.
enum Place {
    /// On a mounted volume: letter, then names.
    Inside(Vec<String>),
    /// Not reachable in the mount: names under [`OUTSIDE_DIR`].
    Outside(Vec<String>),
}

fn split(text: &str) -> Vec<String> {
    text.split('\\')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect()
}

fn drive_prefix(text: &str) -> Option<(char, &str)> {
    let b = text.as_bytes();
    if b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b.len() == 2 || b[2] == b'\\')
    {
        Some((b[0] as char, &text[2..]))
    } else {
        None
    }
}

/// `\??\C:\x`, `\??\Volume{…}\x`, `\??\UNC\srv\share\x` (and `\\?\` forms).
fn absolute_place(text: &str, vols: &Volumes) -> Place {
    let Some(rest) = text
        .strip_prefix(r"\??\")
        .or_else(|| text.strip_prefix(r"\\?\"))
        .or(drive_prefix(text).map(|_| text))
    else {
        return Place::Outside(split(text));
    };
    if let Some((letter, tail)) = drive_prefix(rest) {
        return match vols.by_letter(letter) {
            Some(l) => normalize(l, Vec::new(), split(tail)),
            None => {
                let mut c = vec![format!("{}:", letter.to_ascii_uppercase())];
                c.extend(split(tail));
                Place::Outside(c)
            }
        };
    }
    let mut comps = split(rest);
    if let Some(first) = comps.first() {
        if let Some(l) = vols.by_guid(first) {
            comps.remove(0);
            return normalize(l, Vec::new(), comps);
        }
    }
    Place::Outside(comps)
}

/// SYMLINK_FLAG_RELATIVE targets: `..\x`, `x`, `\rooted` (the link's volume), and
/// `X:\x` (honoured as absolute, as ntfs-3g does, F1).
fn relative_place(text: &str, parent: &[String], vols: &Volumes) -> Place {
    if drive_prefix(text).is_some() {
        return absolute_place(text, vols);
    }
    let letter = parent.first().and_then(|v| v.chars().next()).unwrap_or('C');
    if text.starts_with('\\') {
        if text.starts_with(r"\\") || text.starts_with(r"\??\") {
            return absolute_place(text, vols);
        }
        return normalize(letter, Vec::new(), split(text));
    }
    normalize(letter, parent.get(1..).unwrap_or(&[]).to_vec(), split(text))
}

/// Applies `.` and `..` lexically, as Windows does for reparse targets (§11.7);
/// climbing above the volume root, or a name POSIX cannot spell, leaves the mount.
fn normalize(letter: char, mut base: Vec<String>, comps: Vec<String>) -> Place {
    let outside = |comps: &[String]| {
        let mut c = vec![format!("{letter}:")];
        c.extend(comps.iter().cloned());
        Place::Outside(c)
    };
    for c in &comps {
        match c.as_str() {
            "." => {}
            ".." => {
                if base.pop().is_none() {
                    return outside(&comps);
                }
            }
            _ if c.contains('/') || c.contains('\0') => return outside(&comps),
            _ => base.push(c.clone()),
        }
    }
    let mut all = vec![letter.to_string()];
    all.extend(base);
    Place::Inside(all)
}

/// The path from `parent` to `place`, through the mount root at most.
fn relative_text(parent: &[String], place: Place) -> String {
    let target = match place {
        Place::Inside(t) => t,
        Place::Outside(rest) => {
            let mut t = vec![OUTSIDE_DIR.to_string()];
            // Spelled so that no component moves the walk: it fails at OUTSIDE_DIR.
            t.extend(rest.into_iter().map(|c| match c.as_str() {
                "." | ".." => format!("_{c}"),
                _ => c.replace(['/', '\0'], "_"),
            }));
            t
        }
    };
    let common = parent
        .iter()
        .zip(&target)
        .take_while(|(a, b)| NameKey::of(a) == NameKey::of(b))
        .count();
    let mut parts: Vec<&str> = vec![".."; parent.len() - common];
    parts.extend(target[common..].iter().map(String::as_str));
    if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn vols() -> Vec<(char, String)> {
        vec![
            ('C', "Volume{c}".to_string()),
            ('D', "Volume{d}".to_string()),
        ]
    }

    fn at(parent: &str) -> Vec<String> {
        parent.split('/').map(str::to_string).collect()
    }

    /// Every row: link's parent (mount-relative), reparse data, expected text.
    #[test]
    fn targets_read_from_the_links_place() {
        let v = vols();
        let vols = Volumes { letters: &v };
        let rows: Vec<(&str, ReparseData, &str)> = vec![
            // F1: junction on the same volume, from the root and from below.
            (
                "C",
                ReparseData::mount_point(r"\??\C:\data", r"C:\data"),
                "data",
            ),
            (
                "C/a/b",
                ReparseData::mount_point(r"\??\C:\data\x", ""),
                "../../data/x",
            ),
            ("C/a", ReparseData::mount_point(r"\??\C:\", ""), ".."),
            ("C/a", ReparseData::mount_point(r"\??\c:\A\b", ""), "b"),
            // Another mounted volume: through the volume directories.
            (
                "C/a",
                ReparseData::mount_point(r"\??\D:\y", ""),
                "../../D/y",
            ),
            (
                "C",
                ReparseData::mount_point(r"\??\Volume{d}\y", ""),
                "../D/y",
            ),
            // Not mounted: inside the mount, under a name that never exists.
            (
                "C/a",
                ReparseData::mount_point(r"\??\Q:\y", ""),
                "../../.NTFS-3G/Q:/y",
            ),
            (
                "C",
                ReparseData::symlink(r"\??\UNC\srv\share\x", "", false),
                "../.NTFS-3G/UNC/srv/share/x",
            ),
            // Relative symlinks keep working from the link's directory (S8).
            ("C/a", ReparseData::symlink(r"..\x", "", true), "../x"),
            ("C/a", ReparseData::symlink(r"x\y", "", true), "x/y"),
            (
                "C/a/b",
                ReparseData::symlink(r"\top", "", true),
                "../../top",
            ),
            ("C/a", ReparseData::symlink(r".\x\..\y", "", true), "y"),
            // Climbing above the volume root leaves nothing to follow (P4).
            (
                "C/a",
                ReparseData::symlink(r"..\..\..\etc\passwd", "", true),
                "../../.NTFS-3G/C:/_../_../_../etc/passwd",
            ),
            // Absolute symlink (flags 0) and a drive-rooted relative one (F1).
            (
                "D",
                ReparseData::symlink(r"\??\C:\x", r"C:\x", false),
                "../C/x",
            ),
            ("D", ReparseData::symlink(r"C:\x", r"C:\x", true), "../C/x"),
        ];
        for (parent, data, want) in rows {
            assert_eq!(
                posix_target(&data, &at(parent), &vols).as_deref(),
                Some(want),
                "{parent} {data:?}"
            );
        }
    }

    #[test]
    fn other_tags_are_not_links() {
        let v = vols();
        let data = ReparseData::Other {
            tag: 0x8000_001B,
            guid: None,
            data: vec![],
        };
        assert_eq!(
            posix_target(&data, &at("C"), &Volumes { letters: &v }),
            None
        );
    }

    /// Confinement: whatever the target, walking the text from the link's directory
    /// never climbs above the mount root.
    #[test]
    fn no_text_climbs_above_the_mount_root() {
        let v = vols();
        let vols = Volumes { letters: &v };
        let targets = [
            r"..\..\..\..\..",
            r"\..\..",
            r"\??\C:\..\..\..",
            r"\??\UNC\..\..\..",
            r"a/../../..",
            r"\\?\C:\..\..",
            r"..",
            r"\",
            r"C:",
            r"\??\Z:\..\..",
        ];
        for parent in ["C", "C/a", "C/a/b/c"] {
            for t in targets {
                for data in [
                    ReparseData::symlink(t, "", true),
                    ReparseData::symlink(t, "", false),
                    ReparseData::mount_point(t, ""),
                ] {
                    let text = posix_target(&data, &at(parent), &vols).unwrap();
                    let mut depth = parent.split('/').count() as i64;
                    for c in text.split('/') {
                        match c {
                            ".." => depth -= 1,
                            "." | "" => {}
                            _ => depth += 1,
                        }
                        assert!(depth >= 0, "{parent} {t:?} -> {text}");
                    }
                }
            }
        }
    }
}
