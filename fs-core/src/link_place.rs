//! Where one hop of a link leads, for views that show a link as a path (the Linux
//! mount's readlink and its check that a target stays inside the mount,
//! mount-unix `readlink` and `link_target`): the resolver's own step
//! "reparse target + the directory the link's name sits in -> next path"
//! (`Machine::reparse_redirect`), followed by the checks the walk makes on the
//! components it then looks up. Nothing is normalised that the walk would not
//! normalise (P5, P6, S10): a target Windows would not resolve is outside.

use crate::error::{NtError, Result};
use crate::machine::{Machine, NodeId, VolumeId};
use crate::name::{self, Name};
use crate::path::{self, Root};
use crate::reparse::{ReparseData, SYMLINK_FLAG_RELATIVE};

/// A place on a mounted volume: its letter and the names from its root.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Place {
    /// The volume.
    pub volume: VolumeId,
    /// The volume's drive letter, upper case.
    pub letter: char,
    /// Names from the volume root, as the target spells them (lookups fold case).
    pub components: Vec<Name>,
}

impl Place {
    /// The place as a Win32 path: `C:\\a\\b`, `C:\\` for a volume root.
    pub fn to_win32(&self) -> String {
        let letter = self.letter as u8;
        let mut p = path::FullPath::drive_root(letter);
        p.components.clone_from(&self.components);
        p.to_win32()
    }

    /// [`Place::to_win32`] with the names' exact units (N3).
    pub fn to_win32_units(&self) -> Vec<u16> {
        let letter = self.letter as u8;
        let mut p = path::FullPath::drive_root(letter);
        p.components.clone_from(&self.components);
        p.to_win32_units()
    }
}

/// Why a link's target lies outside the mounted volumes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Outside {
    /// `\\server\share\…` on another machine.
    Network {
        /// The server name.
        server: String,
        /// The share name.
        share: String,
        /// Names below the share.
        components: Vec<Name>,
    },
    /// A drive letter no volume has.
    UnmountedDrive {
        /// The letter, upper case.
        letter: char,
        /// Names below its root.
        components: Vec<Name>,
    },
    /// A DOS device or an NT object path that is no volume (`\??\PIPE\x`).
    Device {
        /// The target text as stored.
        text: String,
    },
    /// A target the walk refuses with `status`: `..` or empty components in an
    /// absolute target (P6), a relative one climbing above its root (P4), an
    /// invalid name, a tag no filter handles (S27), a disabled class (S50).
    Unresolvable {
        /// What the walk fails with.
        status: NtError,
        /// The target text as stored.
        text: String,
    },
}

impl Outside {
    /// A spelling of the target as path components, for views that must show
    /// something: `UNC/srv/share/x`, `Q:/x`, or the text split at `\` with its
    /// NT prefix dropped.
    pub fn components(&self) -> Vec<String> {
        let names = |c: &[Name]| c.iter().map(|n| n.to_string_lossy()).collect::<Vec<_>>();
        match self {
            Outside::Network {
                server,
                share,
                components,
            } => {
                let mut v = vec!["UNC".to_string(), server.clone(), share.clone()];
                v.extend(names(components));
                v
            }
            Outside::UnmountedDrive { letter, components } => {
                let mut v = vec![format!("{letter}:")];
                v.extend(names(components));
                v
            }
            Outside::Device { text } | Outside::Unresolvable { text, .. } => {
                let units: Vec<u16> = text.encode_utf16().collect();
                let body = match path::path_type(&units) {
                    path::PathType::NtObject | path::PathType::Verbatim => &text[4..],
                    _ => text.as_str(),
                };
                body.split('\\')
                    .filter(|c| !c.is_empty())
                    .map(str::to_string)
                    .collect()
            }
        }
    }
}

/// Where one hop of a link leads.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum LinkPlace {
    /// A place on a mounted volume; `trailing`: the target ended with a
    /// separator, so it must be a directory (P11).
    Inside {
        /// The place the hop reaches.
        place: Place,
        /// The target text ended with a separator.
        trailing: bool,
    },
    /// The target lies outside every mounted volume (another machine's drive, a UNC share, a device).
    Outside(Outside),
}

impl Machine {
    /// The place of a directory: its volume and names from the root.
    pub fn place_of_dir(&self, dir: NodeId) -> Result<Place> {
        let rec = self.record_of(dir)?;
        if !self.node(dir.volume, rec)?.is_dir() {
            return Err(NtError::NotADirectory);
        }
        Ok(Place {
            volume: dir.volume,
            letter: self.volumes[dir.volume].letter as char,
            components: self.volumes[dir.volume].dir_names(rec),
        })
    }

    /// Where a link with reparse data `data` leads when the walk meets it in
    /// directory `dir` (the parent of the name it is reached through: a symlink
    /// with hard links in several directories leads somewhere else from each).
    /// The link is taken as reached locally, as the Linux view reaches it.
    pub fn link_hop(&self, dir: NodeId, data: &ReparseData) -> Result<LinkPlace> {
        let from = self.place_of_dir(dir)?;
        let text = data.substitute_name().unwrap_or_default();
        let redirect = self.reparse_redirect(data, false, false, dir.volume, &from.components);
        let (vol, components, trailing) = match redirect {
            Ok(Some(crate::resolve::Redirect::To {
                vol,
                components,
                trailing,
                ..
            })) => (vol, components, trailing),
            // A directory-bit tag is entered like a directory: not a link.
            Ok(None) => return Err(NtError::NotAReparsePoint),
            Err(status) => return Ok(LinkPlace::Outside(self.outside(data, status, text))),
        };
        // The walk looks each component up as a name: `.`, `..` and empty ones
        // only reach it from targets, which are not normalised (P5, P6).
        for c in &components {
            let units = c.units();
            let status = if units == [b'.' as u16] {
                Some(NtError::ObjectPathNotFound)
            } else {
                name::validate(units).err()
            };
            if let Some(status) = status {
                return Ok(LinkPlace::Outside(Outside::Unresolvable { status, text }));
            }
        }
        Ok(LinkPlace::Inside {
            place: Place {
                volume: vol,
                letter: self.volumes[vol].letter as char,
                components,
            },
            trailing,
        })
    }

    /// Why a target the walk refuses with `status` is outside.
    fn outside(&self, data: &ReparseData, status: NtError, text: String) -> Outside {
        let relative = matches!(data, ReparseData::Symlink { flags, .. }
            if flags & SYMLINK_FLAG_RELATIVE != 0);
        let parsed = match data {
            ReparseData::Other { .. } => None,
            _ if relative => None,
            _ => path::nt_path(&text).ok(),
        };
        match parsed {
            Some(p) => match p.root {
                Root::Unc { server, share } if status == NtError::BadNetworkPath => {
                    Outside::Network {
                        server,
                        share,
                        components: p.components,
                    }
                }
                Root::Drive(l) if self.volume_by_letter(l).is_none() => Outside::UnmountedDrive {
                    letter: l as char,
                    components: p.components,
                },
                Root::Device(_) | Root::Nt(_) if status != NtError::SymlinkClassDisabled => {
                    Outside::Device { text }
                }
                _ => Outside::Unresolvable { status, text },
            },
            None => Outside::Unresolvable { status, text },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn names(v: &[&str]) -> Vec<Name> {
        v.iter().map(|s| Name::new(s)).collect()
    }

    /// One hop from `C:\a`, for each kind of target (F1, P4–P6, J8b, S10, S27).
    #[test]
    fn link_hop_table() {
        let mut m = Machine::default();
        m.create_directory(r"C:\a").unwrap();
        let a = m.resolve_node(r"C:\a").unwrap();
        let inside = |letter: char, vol: VolumeId, c: &[&str], trailing: bool| LinkPlace::Inside {
            place: Place {
                volume: vol,
                letter,
                components: names(c),
            },
            trailing,
        };
        let c = m.volume_by_letter(b'C').unwrap();
        let d = m.volume_by_letter(b'D').unwrap();
        let unresolvable = |status, text: &str| {
            LinkPlace::Outside(Outside::Unresolvable {
                status,
                text: text.to_string(),
            })
        };
        let rows: Vec<(ReparseData, LinkPlace)> = vec![
            (
                ReparseData::symlink(r"..\x", "", true),
                inside('C', c, &["x"], false),
            ),
            (
                ReparseData::symlink(r"x\", "", true),
                inside('C', c, &["a", "x"], true),
            ),
            (
                ReparseData::symlink(r"\y", "", true),
                inside('C', c, &["y"], false),
            ),
            (
                ReparseData::mount_point(r"\??\D:\q", ""),
                inside('D', d, &["q"], false),
            ),
            (
                ReparseData::symlink(r"\??\UNC\localhost\D$\q", "", false),
                inside('D', d, &["q"], false),
            ),
            (
                ReparseData::symlink(r"\??\UNC\srv\sh\x", "", false),
                LinkPlace::Outside(Outside::Network {
                    server: "srv".into(),
                    share: "sh".into(),
                    components: names(&["x"]),
                }),
            ),
            (
                ReparseData::mount_point(r"\??\Q:\x", ""),
                LinkPlace::Outside(Outside::UnmountedDrive {
                    letter: 'Q',
                    components: names(&["x"]),
                }),
            ),
            (
                ReparseData::symlink(r"\??\PIPE\x", "", false),
                LinkPlace::Outside(Outside::Device {
                    text: r"\??\PIPE\x".into(),
                }),
            ),
            // P4: no climbing above the root; P6: absolute targets are literal.
            (
                ReparseData::symlink(r"..\..\x", "", true),
                unresolvable(NtError::IoReparseDataInvalid, r"..\..\x"),
            ),
            (
                ReparseData::symlink(r"\??\C:\a\..\x", "", false),
                unresolvable(NtError::ObjectNameInvalid, r"\??\C:\a\..\x"),
            ),
            (
                ReparseData::symlink(r"\??\C:\.\x", "", false),
                unresolvable(NtError::ObjectPathNotFound, r"\??\C:\.\x"),
            ),
            // S10: a drive path with the relative flag is a relative text.
            (
                ReparseData::symlink(r"C:\x", "", true),
                unresolvable(NtError::ObjectNameInvalid, r"C:\x"),
            ),
            // J8b: a junction never leads to a network path.
            (
                ReparseData::mount_point(r"\??\UNC\srv\sh", ""),
                unresolvable(NtError::IoReparseDataInvalid, r"\??\UNC\srv\sh"),
            ),
            // S27: Windows does not follow an LX symlink.
            (
                ReparseData::lx_symlink(b"/etc"),
                unresolvable(NtError::IoReparseTagNotHandled, ""),
            ),
        ];
        for (data, want) in rows {
            assert_eq!(m.link_hop(a, &data).unwrap(), want, "{data:?}");
        }
        let f = m.create_file(r"C:\f").unwrap();
        assert_eq!(m.place_of_dir(f.id), Err(NtError::NotADirectory));
    }

    #[test]
    fn outside_components_spell_the_target() {
        let rows: &[(Outside, &[&str])] = &[
            (
                Outside::Network {
                    server: "s".into(),
                    share: "h".into(),
                    components: names(&["x"]),
                },
                &["UNC", "s", "h", "x"],
            ),
            (
                Outside::UnmountedDrive {
                    letter: 'Q',
                    components: vec![],
                },
                &["Q:"],
            ),
            (
                Outside::Device {
                    text: r"\??\PIPE\x".into(),
                },
                &["PIPE", "x"],
            ),
            (
                Outside::Unresolvable {
                    status: NtError::ObjectNameInvalid,
                    text: r"a\\..\b".into(),
                },
                &["a", "..", "b"],
            ),
        ];
        for (o, want) in rows {
            assert_eq!(o.components(), *want, "{o:?}");
        }
    }
}
