//! The target given to symlink(2) -> the Windows-syntax target the core stores
//! (DESIGN "mount-unix"). Pure. Windows syntax (`C:\x`, `..\x`, `\\srv\share\x`)
//! passes through; POSIX syntax is translated so that `readlink` gives back a path
//! to the same place:
//! - relative (`../x`) becomes `..\x`; one that climbs out of its volume into another
//!   volume directory of the mount (`../../D/x`) becomes that drive's path (`D:\x`),
//!   because a Windows relative target cannot leave its volume;
//! - absolute inside the mount (`/mnt/C/x`) becomes `C:\x`, and the `.NTFS-3G`
//!   spellings of outside targets map back (`.NTFS-3G/UNC/srv/s/x` -> `\\srv\s\x`);
//! - absolute outside the mount (`/etc/x`) becomes root-relative on the link's own
//!   volume (`\etc\x`): a link never points at the host.

use crate::readlink::OUTSIDE_DIR;
use std::path::{Component, Path};

/// `target` as CreateSymbolicLinkW would be given it. `parent` is the link's
/// directory as mount-relative components (the first is the volume letter).
pub fn windows_target(
    target: &str,
    parent: &[String],
    mount_point: &Path,
    letters: &[char],
) -> String {
    if target.contains('\\') || is_drive_syntax(target) {
        return target.replace('/', "\\");
    }
    if target.starts_with('/') {
        return absolute(target, mount_point, letters);
    }
    relative(target, parent, letters)
}

fn is_drive_syntax(t: &str) -> bool {
    let b = t.as_bytes();
    b.len() >= 2 && b[0].is_ascii_alphabetic() && b[1] == b':' && (b.len() == 2 || b[2] == b'/')
}

fn volume_letter(name: &str, letters: &[char]) -> Option<char> {
    let mut cs = name.chars();
    match (cs.next(), cs.next()) {
        (Some(c), None) => letters.iter().copied().find(|l| l.eq_ignore_ascii_case(&c)),
        _ => None,
    }
}

fn absolute(target: &str, mount_point: &Path, letters: &[char]) -> String {
    let Ok(rest) = Path::new(target).strip_prefix(mount_point) else {
        return target.replace('/', "\\");
    };
    let comps: Vec<&str> = rest
        .components()
        .filter_map(|c| match c {
            Component::Normal(s) => s.to_str(),
            _ => None,
        })
        .collect();
    match comps.as_slice() {
        [v, tail @ ..] if volume_letter(v, letters).is_some() => {
            format!("{}:\\{}", v.to_ascii_uppercase(), tail.join("\\"))
        }
        [o, unc, tail @ ..] if *o == OUTSIDE_DIR && *unc == "UNC" => {
            format!("\\\\{}", tail.join("\\"))
        }
        [o, drive, tail @ ..] if *o == OUTSIDE_DIR && is_drive_syntax(drive) => {
            format!("{}\\{}", drive.to_ascii_uppercase(), tail.join("\\"))
        }
        _ => format!("\\{}", comps.join("\\")),
    }
}

fn relative(target: &str, parent: &[String], letters: &[char]) -> String {
    // Walk lexically from the link's directory; only when the walk reaches the
    // mount root and enters a volume directory does the target become absolute.
    let mut depth = parent.len();
    let comps: Vec<&str> = target.split('/').collect();
    for (i, c) in comps.iter().enumerate() {
        match *c {
            "" | "." => {}
            ".." => depth = depth.saturating_sub(1),
            name if depth == 0 => {
                if let Some(l) = volume_letter(name, letters) {
                    let tail: Vec<&str> = comps[i + 1..]
                        .iter()
                        .copied()
                        .filter(|c| !c.is_empty())
                        .collect();
                    return format!("{}:\\{}", l, tail.join("\\"));
                }
                break;
            }
            _ => depth += 1,
        }
    }
    target.replace('/', "\\")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn targets_translate_to_windows_syntax() {
        let letters = ['C', 'D'];
        let mnt = Path::new("/mnt/nt");
        let rows = [
            // (link's directory, target given to symlink(2), stored target)
            ("C/a", r"C:\x", r"C:\x"),
            ("C/a", r"..\x", r"..\x"),
            ("C/a", r"\\srv\share\x", r"\\srv\share\x"),
            ("C/a", "C:/x/y", r"C:\x\y"),
            ("C/a", "../x", r"..\x"),
            ("C/a", "x/y", r"x\y"),
            ("C/a", "../../D/y", r"D:\y"),
            ("C", "../C/z", r"C:\z"),
            ("C/a", "../../../x", r"..\..\..\x"),
            ("C/a", "/mnt/nt/D/q", r"D:\q"),
            ("C/a", "/mnt/nt/.NTFS-3G/UNC/srv/s/x", r"\\srv\s\x"),
            ("C/a", "/mnt/nt/.NTFS-3G/Q:/x", r"Q:\x"),
            ("C/a", "/etc/passwd", r"\etc\passwd"),
        ];
        for (parent, target, want) in rows {
            let p: Vec<String> = parent.split('/').map(str::to_string).collect();
            assert_eq!(
                windows_target(target, &p, mnt, &letters),
                want,
                "{parent} {target}"
            );
        }
    }
}
