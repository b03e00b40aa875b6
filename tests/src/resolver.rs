//! An independent path resolver, written from SEMANTICS §5 (P2–P8) and the
//! traversal rules of §3/§4 (J10–J13, S22–S24, R20), that never calls the
//! core's resolver: it walks the machine's directory listings by id
//! (`read_dir`) and decodes the raw reparse buffers itself (§6.1).
//!
//! Scope: absolute, already-normalised Win32 paths (`C:\a\b`, no `.`/`..`, no
//! trailing separator) with ASCII names, on the default profile (63 reparse
//! points, flavour checks of Win10 1709+). The property tests compare it with
//! `Machine::query_information(path, Follow::Reparse)`.

use ntlinkfs_core::path;
use ntlinkfs_core::{DirEntryInfo, Machine, NodeId, NtError};

/// P8: at most 63 reparse points per path (Vista and later).
pub const MAX_REPARSE: usize = 63;

const TAG_MOUNT_POINT: u32 = 0xA000_0003;
const TAG_SYMLINK: u32 = 0xA000_000C;
const SYMLINK_FLAG_RELATIVE: u32 = 1;

/// A decoded link, from the raw buffer.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Link {
    /// Mount point or absolute symlink: the SubstituteName.
    Absolute(String),
    /// Relative symlink (Flags = SYMLINK_FLAG_RELATIVE).
    Relative(String),
    /// A tag nothing here handles.
    Other { directory_bit: bool },
}

fn le16(b: &[u8], i: usize) -> Option<usize> {
    Some(u16::from_le_bytes(b.get(i..i + 2)?.try_into().ok()?) as usize)
}

/// Decodes a REPARSE_DATA_BUFFER as §6.1 lays it out.
fn decode(buf: &[u8]) -> Result<Link, NtError> {
    let bad = NtError::IoReparseDataInvalid;
    let tag = u32::from_le_bytes(buf.get(0..4).ok_or(bad)?.try_into().map_err(|_| bad)?);
    let name = |path_start: usize| -> Result<String, NtError> {
        let (off, len) = (le16(buf, 8).ok_or(bad)?, le16(buf, 10).ok_or(bad)?);
        let bytes = buf
            .get(path_start + off..path_start + off + len)
            .ok_or(bad)?;
        let units: Vec<u16> = bytes
            .chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect();
        Ok(String::from_utf16_lossy(&units))
    };
    match tag {
        TAG_MOUNT_POINT => Ok(Link::Absolute(name(16)?)),
        TAG_SYMLINK => {
            let flags =
                u32::from_le_bytes(buf.get(16..20).ok_or(bad)?.try_into().map_err(|_| bad)?);
            let s = name(20)?;
            Ok(if flags & SYMLINK_FLAG_RELATIVE != 0 {
                Link::Relative(s)
            } else {
                Link::Absolute(s)
            })
        }
        t => Ok(Link::Other {
            directory_bit: t & 0x1000_0000 != 0,
        }),
    }
}

fn fold(s: &str) -> String {
    s.to_ascii_uppercase()
}

fn find(m: &Machine, dir: NodeId, name: &str) -> Result<Option<DirEntryInfo>, NtError> {
    let key = fold(name);
    Ok(m.read_dir(dir, None, usize::MAX)?
        .into_iter()
        .find(|e| fold(&e.name.to_string_lossy()) == key))
}

/// `X:` → the volume's root.
fn volume_root(m: &Machine, letter: char) -> Option<NodeId> {
    m.volume_infos()
        .iter()
        .find(|v| v.letter.eq_ignore_ascii_case(&letter))
        .map(|v| m.root(v.id))
}

/// Splits `X:\a\b` into the letter and components.
/// (Only the syntax comes from the core; what a path reaches is decided here.)
fn split_absolute(p: &str) -> Option<(char, Vec<String>)> {
    let (letter, rest) = path::split_drive_root(p)?;
    let comps = rest
        .split('\\')
        .filter(|c| !c.is_empty())
        .map(str::to_string)
        .collect();
    Some((letter as char, comps))
}

/// Where a reparse point sends the walk: a volume root and the components to
/// walk from there (P2: an absolute target replaces the prefix; P3/P4: a
/// relative one applies to the link's parent, `..` removing components).
fn redirect(
    m: &Machine,
    link: Link,
    entry_is_dir: bool,
    letter: char,
    parent: &[String],
) -> Result<Option<(char, Vec<String>)>, NtError> {
    match link {
        Link::Absolute(sub) => {
            // P6, J10: an NT path `\??\X:\…`, taken literally; J8b: never UNC.
            let Some(rest) = path::strip_nt_prefix(&sub) else {
                return Err(NtError::ObjectNameInvalid);
            };
            if rest.starts_with(r"UNC\") {
                return Err(NtError::IoReparseDataInvalid);
            }
            let with_root = if rest.len() == 2 {
                format!(r"{rest}\")
            } else {
                rest.to_string()
            };
            let (l, comps) = split_absolute(&with_root).ok_or(NtError::ObjectNameInvalid)?;
            if volume_root(m, l).is_none() {
                return Err(NtError::ObjectPathNotFound);
            }
            Ok(Some((l, comps)))
        }
        Link::Relative(t) => {
            if t.is_empty() {
                return Err(NtError::IoReparseDataInvalid);
            }
            let (mut out, body) = match t.strip_prefix('\\') {
                Some(rest) => (Vec::new(), rest), // S8: the link's volume root
                None => (parent.to_vec(), t.as_str()),
            };
            let body = body.strip_suffix('\\').unwrap_or(body);
            if !body.is_empty() {
                for part in body.split('\\') {
                    match part {
                        "" => return Err(NtError::ObjectNameInvalid), // P5
                        "." => {}
                        ".." => {
                            out.pop().ok_or(NtError::IoReparseDataInvalid)?; // P3
                        }
                        p => out.push(p.to_string()),
                    }
                }
            }
            Ok(Some((letter, out)))
        }
        // R20: a directory-bit tag on a directory is entered like a directory.
        Link::Other { directory_bit } if directory_bit && entry_is_dir => Ok(None),
        Link::Other { .. } => Err(NtError::IoReparseTagNotHandled),
    }
}

/// Resolves `path` with every reparse point followed, as CreateFile without
/// FILE_FLAG_OPEN_REPARSE_POINT does: the id of what it opens, or the error.
pub fn resolve(m: &Machine, path: &str) -> Result<NodeId, NtError> {
    let (mut letter, comps) = split_absolute(path).ok_or(NtError::ObjectNameInvalid)?;
    let mut cur = volume_root(m, letter).ok_or(NtError::ObjectPathNotFound)?;
    let mut cur_path: Vec<String> = Vec::new();
    let mut stack: Vec<String> = comps.into_iter().rev().collect();
    let mut followed = 0usize;
    // Flavour of the link followed at the last position (S22, S23, J13).
    let mut via_dir_link: Option<bool> = None;
    while let Some(comp) = stack.pop() {
        let is_last = stack.is_empty();
        let Some(e) = find(m, cur, &comp)? else {
            return Err(if is_last {
                NtError::ObjectNameNotFound
            } else {
                NtError::ObjectPathNotFound
            });
        };
        let is_dir = e.info.is_directory;
        if e.info.reparse_tag.is_some() {
            let raw = m.get_reparse_point_of(e.info.id)?;
            if let Some((l, target)) = redirect(m, decode(&raw)?, is_dir, letter, &cur_path)? {
                followed += 1;
                if followed > MAX_REPARSE {
                    return Err(NtError::ReparsePointNotResolved);
                }
                if is_last {
                    via_dir_link = Some(is_dir);
                }
                letter = l;
                cur = volume_root(m, l).ok_or(NtError::ObjectPathNotFound)?;
                cur_path.clear();
                stack.extend(target.into_iter().rev());
                continue;
            }
        }
        if is_last {
            // A name marked for delete answers every open (M9).
            if e.info.delete_pending {
                return Err(NtError::DeletePending);
            }
            return match (via_dir_link, is_dir) {
                (Some(false), true) => Err(NtError::FileIsADirectory),
                (Some(true), false) => Err(NtError::NotADirectory),
                _ => Ok(e.info.id),
            };
        }
        if !is_dir {
            return Err(NtError::ObjectPathNotFound); // N8: a prefix that is a file
        }
        cur = e.info.id;
        cur_path.push(e.name.to_string_lossy());
    }
    // The path ended at a directory reached through a link, or at a root.
    match via_dir_link {
        Some(false) => Err(NtError::FileIsADirectory),
        _ => Ok(cur),
    }
}

/// Every path of the machine reachable without following links, with the id
/// it names: `X:\a\b` for each directory entry on each volume.
pub fn all_paths(m: &Machine) -> Vec<(String, NodeId)> {
    let mut out = Vec::new();
    for v in m.volume_infos() {
        let mut stack = vec![(m.root(v.id), format!("{}:", v.letter))];
        while let Some((dir, path)) = stack.pop() {
            let Ok(entries) = m.read_dir(dir, None, usize::MAX) else {
                continue;
            };
            for e in entries {
                let p = format!(r"{path}\{}", e.name.to_string_lossy());
                if e.info.is_directory && e.info.reparse_tag.is_none() {
                    stack.push((e.info.id, p.clone()));
                }
                out.push((p, e.info.id));
            }
        }
    }
    out
}

/// Invariants checked from the outside, by walking listings (DESIGN.md): a
/// file's TotalNumberOfLinks equals the number of entries naming it, and its
/// NumberOfLinks (names not pending delete) is no more (HL21); a directory has
/// exactly one name; names in a directory are distinct case-insensitively and
/// valid NTFS names; junctions decode to an absolute `\??\X:\` target.
pub fn check_invariants(m: &Machine) -> Result<(), String> {
    use std::collections::HashMap;
    let mut names: HashMap<NodeId, u32> = HashMap::new();
    let mut infos = HashMap::new();
    for v in m.volume_infos() {
        let mut stack = vec![m.root(v.id)];
        while let Some(dir) = stack.pop() {
            let entries = m
                .read_dir(dir, None, usize::MAX)
                .map_err(|e| format!("read_dir {dir:?}: {e:?}"))?;
            let mut seen = std::collections::HashSet::new();
            for e in entries {
                let n = e.name.to_string_lossy();
                if !seen.insert(fold(&n)) {
                    return Err(format!("{dir:?}: two entries fold to {n:?}"));
                }
                let units = e.name.units();
                if units.is_empty()
                    || units.len() > 255
                    || units
                        .iter()
                        .any(|&u| u < 32 || "<>:\"/\\|?*".encode_utf16().any(|c| c == u))
                {
                    return Err(format!("{dir:?}: invalid name {n:?}"));
                }
                *names.entry(e.info.id).or_default() += 1;
                if e.info.reparse_tag == Some(TAG_MOUNT_POINT) {
                    let raw = m
                        .get_reparse_point_of(e.info.id)
                        .map_err(|err| format!("{n}: {err:?}"))?;
                    match decode(&raw) {
                        Ok(Link::Absolute(s)) if s.starts_with(r"\??\") => {}
                        other => return Err(format!("{n}: junction decodes to {other:?}")),
                    }
                }
                if e.info.is_directory && e.info.reparse_tag.is_none() {
                    stack.push(e.info.id);
                }
                infos.insert(e.info.id, e.info);
            }
        }
    }
    for (id, count) in names {
        let info = &infos[&id];
        if info.is_directory && count != 1 {
            return Err(format!("directory {id:?} has {count} names"));
        }
        if !info.is_directory && (info.total_links != count || info.link_count > count) {
            return Err(format!(
                "file {id:?}: link counts {}/{} but {count} entries name it",
                info.link_count, info.total_links
            ));
        }
    }
    Ok(())
}
