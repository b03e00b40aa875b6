//! The text `readlink` returns in the Linux view (F1, DESIGN "mount-unix").
//!
//! Junctions and NTFS symbolic links: the core places one hop of the link from
//! the directory of the name it is read through ([`Machine::link_hop`]); this
//! module only spells that place as a path relative to that directory, so it
//! works whatever the mount point is and never climbs above the mount root:
//! - a place on a mounted volume: `../data`, `../../D/x` (through the volume
//!   directories), with a trailing `/` when the target must be a directory;
//! - anything outside (a UNC path, an unmounted drive, a target Windows would not
//!   resolve): `<up to the mount root>/.NTFS-3G/...`, a name the mount root never
//!   holds, so the link reads as a path inside the mount that does not exist.
//!   ntfs-3g uses the same directory name for targets on other volumes (F1).
//!
//! Names are WTF-8 in the Linux view (N3): components are handled here as
//! their `wtf::escape` text (injective, so `..` and `/` stay themselves) and
//! the finished text is turned into WTF-8 bytes once ([`render_bytes`]).
//!
//! LX symlinks (made by Linux, as WSL stores them) read back byte for byte;
//! with `--confine` their texts are kept inside the mount (see [`confined`]).

use ntlinkfs_core::{wtf, LinkPlace, Machine, NameKey, NodeId, NtError, Place};

/// The directory name, in the mount root, that targets outside the mount go under.
pub const OUTSIDE_DIR: &str = ".NTFS-3G";

/// The readlink text of the link `id` read through a name in directory `parent`.
/// `confine`: absolute and climbing LX texts resolve inside the mount.
pub fn link_text(
    m: &Machine,
    id: NodeId,
    parent: NodeId,
    confine: bool,
) -> Result<Vec<u8>, NtError> {
    let data = m.reparse_data_of(id)?;
    let from = mount_components(&m.place_of_dir(parent)?);
    if let Some(text) = data.lx_symlink_target() {
        return Ok(if confine {
            confined(text, &from)
        } else {
            text.to_vec()
        });
    }
    if data.substitute_name().is_none() {
        return Err(NtError::NotAReparsePoint);
    }
    Ok(render_bytes(&m.link_hop(parent, &data)?, &from))
}

/// A place as components from the mount root: the volume directory, then
/// names as their `wtf::escape` text (exact, N3).
pub fn mount_components(p: &Place) -> Vec<String> {
    let mut v = vec![p.letter.to_string()];
    v.extend(p.components.iter().map(|c| wtf::escape(c.units())));
    v
}

/// [`render`] as the bytes readlink returns: WTF-8 (N3).
pub fn render_bytes(place: &LinkPlace, from: &[String]) -> Vec<u8> {
    wtf::to_wtf8(&wtf::unescape(&render(place, from)))
}

/// A component of [`mount_components`] as WTF-8 bytes.
fn component_bytes(c: &str) -> Vec<u8> {
    wtf::to_wtf8(&wtf::unescape(c))
}

/// The text that leads from directory `from` (components from the mount root)
/// to `place`.
pub fn render(place: &LinkPlace, from: &[String]) -> String {
    let (target, trailing) = match place {
        LinkPlace::Inside { place, trailing } => (mount_components(place), *trailing),
        LinkPlace::Outside(why) => {
            let mut t = vec![OUTSIDE_DIR.to_string()];
            // Spelled so that no component moves the walk: it fails at OUTSIDE_DIR.
            t.extend(why.components().into_iter().map(|c| {
                match c.as_str() {
                    "." | ".." => format!("_{c}"),
                    // Escaped so that render_bytes gives back these very characters.
                    _ => wtf::escape(
                        &c.replace(['/', '\0'], "_")
                            .encode_utf16()
                            .collect::<Vec<_>>(),
                    ),
                }
            }));
            (t, false)
        }
    };
    let common = from
        .iter()
        .zip(&target)
        .take_while(|(a, b)| NameKey::of(a) == NameKey::of(b))
        .count();
    let mut parts: Vec<&str> = vec![".."; from.len() - common];
    parts.extend(target[common..].iter().map(String::as_str));
    let mut text = if parts.is_empty() {
        ".".to_string()
    } else {
        parts.join("/")
    };
    if trailing {
        text.push('/');
    }
    text
}

/// `--confine`: an LX text as it resolves inside the mount. An absolute text
/// starts at the mount root (`/C/x` is volume C's `x`; `/etc/passwd` names
/// nothing, the mount root holds only volumes); `..` stops at the mount root, as
/// in a chroot. A relative text whose `..` all come first and climb no higher
/// than the mount root is returned as written; any other is normalised
/// lexically, so no `..` follows a name that may itself be a link.
pub fn confined(text: &[u8], from: &[String]) -> Vec<u8> {
    let parts: Vec<&[u8]> = text.split(|&b| b == b'/').collect();
    let leading_up = parts
        .iter()
        .take_while(|p| matches!(**p, b".." | b"." | b""))
        .filter(|p| **p == b"..")
        .count();
    let later_up = parts.iter().filter(|p| **p == b"..").count() > leading_up;
    if text.first() != Some(&b'/') && !later_up && leading_up <= from.len() {
        return text.to_vec();
    }
    let mut at: Vec<Vec<u8>> = if text.first() == Some(&b'/') {
        Vec::new()
    } else {
        from.iter().map(|c| component_bytes(c)).collect()
    };
    for p in &parts {
        match *p {
            b"" | b"." => {}
            b".." => {
                at.pop();
            }
            name => at.push(name.to_vec()),
        }
    }
    let common = from
        .iter()
        .zip(&at)
        .take_while(|(a, b)| component_bytes(a) == **b)
        .count();
    let mut out: Vec<&[u8]> = vec![b".."; from.len() - common];
    out.extend(at[common..].iter().map(Vec::as_slice));
    let mut v = if out.is_empty() {
        b".".to_vec()
    } else {
        out.join(&b'/')
    };
    if text.ends_with(b"/") && !v.ends_with(b"/") {
        v.push(b'/');
    }
    v
}

#[cfg(test)]
mod tests;
