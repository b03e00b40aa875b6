//! The text given to symlink(2) -> how the link is stored (DESIGN "mount-unix",
//! issue 11 item 5). Every symlink made from Linux reads back as it was written,
//! except Windows-syntax targets, which are NTFS links and read as where they lead:
//! - a Windows-syntax target NTFS defines (`C:\x`, `\x`, `\\srv\share\x`,
//!   `..\x`, anything with a backslash, `C:/x`) is an NTFS symbolic link, as
//!   CreateSymbolicLinkW stores it;
//! - a POSIX relative text whose NTFS relative form reads back as the same text
//!   from this directory is an NTFS relative symlink (it then also resolves the
//!   same in Windows and through the mount, F1);
//! - any other text (absolute `/etc/passwd`, `../x` climbing out of the volume,
//!   `a/../b`, names NTFS cannot hold, bytes that are not UTF-8) is stored as WSL
//!   stores it, an IO_REPARSE_TAG_LX_SYMLINK with the exact bytes.

use crate::readlink;
use ntlinkfs_core::{wtf, LinkPlace, Machine, NodeId, NtError, PathType};

/// How a symlink(2) target is stored.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Stored {
    /// An NTFS symbolic link with this Windows target; `directory` when it
    /// leads to an existing directory (S1).
    /// The target is UTF-16 units: WTF-8 text may name unpaired surrogates (N3).
    Ntfs { target: Vec<u16>, directory: bool },
    /// An LX symlink holding the text as given.
    Lx,
}

/// Chooses how symlink(2) in directory `dir` stores `target`.
pub fn stored_as(m: &Machine, dir: NodeId, target: &[u8]) -> Result<Stored, NtError> {
    // Names are WTF-8 in the Linux view (N3); other bytes cannot be NTFS text.
    let Some(units) = wtf::from_wtf8(target) else {
        return Ok(Stored::Lx);
    };
    const SLASH: u16 = b'/' as u16;
    const BACKSLASH: u16 = b'\\' as u16;
    let kind = ntlinkfs_core::path::path_type(&units);
    let absolute_posix = units.first() == Some(&SLASH);
    let windows = units.contains(&BACKSLASH)
        || (matches!(kind, PathType::DriveAbsolute | PathType::DriveRelative) && !absolute_posix);
    if !windows && (absolute_posix || units.is_empty()) {
        return Ok(Stored::Lx);
    }
    let win: Vec<u16> = units
        .iter()
        .map(|&u| if u == SLASH { BACKSLASH } else { u })
        .collect();
    let data = m.symlink_data_for(&win)?;
    let hop = m.link_hop(dir, &data)?;
    if !windows {
        let from = readlink::mount_components(&m.place_of_dir(dir)?);
        if readlink::render_bytes(&hop, &from) != target {
            return Ok(Stored::Lx);
        }
    }
    let directory = match &hop {
        LinkPlace::Inside { place, .. } => m
            .resolve_node(&place.to_win32_units())
            .and_then(|id| m.info(id))
            .is_ok_and(|i| i.is_directory),
        LinkPlace::Outside(_) => false,
    };
    Ok(Stored::Ntfs {
        target: win,
        directory,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// (link's directory, text given to symlink(2), stored as: Some(Windows
    /// target) for an NTFS symlink, None for an LX symlink).
    #[test]
    fn texts_are_stored_so_they_read_back() {
        let mut m = Machine::default();
        m.create_directory(r"C:\a").unwrap();
        m.create_directory(r"C:\a\sub").unwrap();
        let rows: &[(&str, &[u8], Option<&str>)] = &[
            // Windows syntax NTFS defines: an NTFS symlink.
            (r"C:\a", br"C:\x", Some(r"C:\x")),
            (r"C:\a", br"..\x", Some(r"..\x")),
            (r"C:\a", br"\x", Some(r"\x")),
            (r"C:\a", br"\\srv\share\x", Some(r"\\srv\share\x")),
            (r"C:\a", b"C:/x/y", Some(r"C:\x\y")),
            // POSIX relative texts NTFS reads back the same: NTFS relative.
            (r"C:\a", b"../x", Some(r"..\x")),
            (r"C:\a", b"x/y", Some(r"x\y")),
            (r"C:\a", b"dangling", Some("dangling")),
            (r"C:\a", b"sub/", Some(r"sub\")),
            // Everything else: LX, the exact bytes (issue 11 item 5).
            (r"C:\a", b"/etc/passwd", None),
            (r"C:\", b"../x/y", None),
            (r"C:\a", b"../../D/y", None),
            (r"C:\a", b"./x", None),
            (r"C:\a", b"a/../b", None),
            (r"C:\a", b"x//y", None),
            (r"C:\a", b"what?", None),
            (r"C:\a", b"caf\xe9", None),
        ];
        for (dir, text, want) in rows {
            let d = m.resolve_node(dir).unwrap();
            let got = stored_as(&m, d, text).unwrap();
            let got = match got {
                Stored::Ntfs { target, .. } => Some(String::from_utf16(&target).unwrap()),
                Stored::Lx => None,
            };
            assert_eq!(
                got.as_deref(),
                *want,
                "{dir} {}",
                String::from_utf8_lossy(text)
            );
        }
    }

    fn create(m: &mut Machine, dir: NodeId, name: &str, text: &[u8]) -> NodeId {
        match stored_as(m, dir, text).unwrap() {
            Stored::Ntfs { target, directory } => {
                let flags = ntlinkfs_core::SymlinkFlags {
                    directory,
                    ..Default::default()
                };
                m.create_symbolic_link_at(dir, name, &target, flags)
            }
            Stored::Lx => m.create_lx_symlink_at(dir, name, text),
        }
        .unwrap()
        .id
    }

    proptest::proptest! {
        /// Issue 11 item 5: every POSIX text given to symlink(2) reads back
        /// byte for byte from the directory it was made in, whichever way it
        /// is stored, at any depth.
        #[test]
        fn posix_texts_read_back_as_written(
            depth in 0..3usize,
            abs in proptest::bool::ANY,
            parts in proptest::collection::vec(
                proptest::prop_oneof![
                    proptest::strategy::Just("..".to_string()),
                    proptest::strategy::Just(".".to_string()),
                    proptest::strategy::Just(String::new()),
                    proptest::strategy::Just("C".to_string()),
                    proptest::strategy::Just("a".to_string()),
                    proptest::strategy::Just("b".to_string()),
                    proptest::strategy::Just("x?".to_string()),
                    proptest::strategy::Just("caf\u{e9}".to_string()),
                ],
                1..6,
            ),
        ) {
            let mut m = Machine::default();
            m.create_directory(r"C:\a").unwrap();
            m.create_directory(r"C:\a\b").unwrap();
            let dir = [r"C:\", r"C:\a", r"C:\a\b"][depth];
            let d = m.resolve_node(dir).unwrap();
            let mut text = parts.join("/");
            if abs {
                text.insert(0, '/');
            }
            proptest::prop_assume!(!text.is_empty());
            let id = create(&mut m, d, "l", text.as_bytes());
            let back = crate::readlink::link_text(&m, id, d, false).unwrap();
            proptest::prop_assert_eq!(String::from_utf8_lossy(&back), text);
        }
    }

    #[test]
    fn wtf8_targets_store_their_units_and_read_back() {
        // N3: U+D800 alone is ED A0 80 in WTF-8, the Linux view's spelling.
        let mut m = Machine::default();
        let units = |t: &str| t.encode_utf16().collect::<Vec<u16>>();
        m.create_directory(r"C:\a").unwrap();
        m.create_directory(&[units(r"C:\a\d"), vec![0xD800]].concat())
            .unwrap();
        let a = m.resolve_node(r"C:\a").unwrap();
        let root = m.resolve_node(r"C:\").unwrap();
        let rows: &[(NodeId, &[u8], Vec<u16>)] = &[
            (a, b"d\xED\xA0\x80", [units("d"), vec![0xD800]].concat()),
            (
                root,
                b"a/d\xED\xA0\x80/",
                [units(r"a\d"), vec![0xD800, 0x5C]].concat(),
            ),
            (
                a,
                b"C:\\a\\d\xED\xA0\x80",
                [units(r"C:\a\d"), vec![0xD800]].concat(),
            ),
        ];
        for (i, (dir, text, want)) in rows.iter().enumerate() {
            assert_eq!(
                stored_as(&m, *dir, text),
                Ok(Stored::Ntfs {
                    target: want.clone(),
                    directory: true
                }),
                "row {i}"
            );
            let id = create(&mut m, *dir, &format!("l{i}"), text);
            let back = crate::readlink::link_text(&m, id, *dir, false).unwrap();
            let wtf8 = if i == 2 {
                b"d\xED\xA0\x80".as_slice()
            } else {
                text
            };
            assert_eq!(back, wtf8, "row {i}");
        }
    }

    #[test]
    fn directory_flavour_follows_the_target() {
        let mut m = Machine::default();
        m.create_directory(r"C:\a").unwrap();
        m.write_file(r"C:\f", b"").unwrap();
        let root = m.resolve_node(r"C:\").unwrap();
        let flavour = |t: &[u8]| match stored_as(&m, root, t).unwrap() {
            Stored::Ntfs { directory, .. } => directory,
            Stored::Lx => panic!("LX"),
        };
        assert!(flavour(b"a"));
        assert!(!flavour(b"f"));
        assert!(flavour(br"C:\"));
        assert!(!flavour(b"missing"));
    }
}
