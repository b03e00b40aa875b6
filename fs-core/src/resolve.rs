//! Path resolution: a worklist walk that processes reparse points the way the I/O
//! manager does (P1–P11), with the reparse budget of the profile (P8).
//!
//! The walk keeps a stack of components still to look up. Following a link pushes
//! the target's components onto the same stack and restarts at a volume root:
//! absolute targets replace the prefix (P2), relative ones are applied to the
//! link's parent directory with `..` processed (P3, P4). There is no recursion.

use crate::error::{NtError, Result};
use crate::file_ref::RecordNo;
use crate::machine::{Follow, LinkFlavor, Machine, NodeId, Resolved, VolumeId};
use crate::name::{self, Name};
use crate::path::PathUnits;
use crate::path::{self, FullPath, Root};
use crate::reparse::{ReparseData, SYMLINK_FLAG_RELATIVE};
use crate::volume::ROOT_RECORD;

const BS: u16 = b'\\' as u16;

/// What a prefix that is a file (`file\x`) is reported as. Opens say
/// OBJECT_PATH_NOT_FOUND (N8); link and rename say INVALID_PARAMETER (HL8, M4).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum PrefixIsFile {
    PathNotFound,
    InvalidParameter,
}

/// A reparse point's meaning to the walk.
pub(crate) enum Redirect {
    /// Continue at `vol` root with these components (already in walk order).
    To {
        vol: VolumeId,
        remote: bool,
        components: Vec<Name>,
        trailing: bool,
    },
}

impl Machine {
    /// Resolves a full path. `follow` applies to the last component; reparse
    /// points before it are always followed.
    pub(crate) fn resolve(&self, path: &FullPath, follow: Follow) -> Result<Resolved> {
        self.resolve_with(path, follow, PrefixIsFile::PathNotFound)
    }

    pub(crate) fn resolve_with(
        &self,
        path: &FullPath,
        follow: Follow,
        prefix: PrefixIsFile,
    ) -> Result<Resolved> {
        self.resolve_owned(path.clone(), follow, prefix)
    }

    /// [`Machine::resolve_with`] on a path the caller no longer needs (its
    /// components become the walk's stack without a copy).
    pub(crate) fn resolve_owned(
        &self,
        path: FullPath,
        follow: Follow,
        prefix: PrefixIsFile,
    ) -> Result<Resolved> {
        let (vol, remote) = self.root_volume(&path.root, false)?;
        self.walk_path(
            vol,
            remote,
            path.components,
            path.trailing_separator,
            follow,
            prefix,
        )
    }

    /// Resolves a Win32 path string.
    pub(crate) fn resolve_str(
        &self,
        path: &(impl PathUnits + ?Sized),
        follow: Follow,
    ) -> Result<Resolved> {
        let full = self.full_path(path)?;
        self.resolve_owned(full, follow, PrefixIsFile::PathNotFound)
    }

    /// The volume a root names. `\\localhost\C$` and `\\127.0.0.1\C$` reach this
    /// machine's volumes as a remote client would (for S50's classes); any other
    /// server is unreachable.
    fn root_volume(&self, root: &Root, _from_link: bool) -> Result<(VolumeId, bool)> {
        match root {
            // A mapped network drive is another machine's share: what is
            // reached through it is reached remotely (S50).
            Root::Drive(d) => {
                let vol = self
                    .volume_by_letter(*d)
                    .ok_or(NtError::ObjectPathNotFound)?;
                Ok((vol, self.volumes[vol].kind.is_network()))
            }
            Root::Unc { server, share } => {
                let local = ["localhost", "127.0.0.1", "::1", "ntlinkfs"]
                    .iter()
                    .any(|s| server.eq_ignore_ascii_case(s));
                let letter = share
                    .strip_suffix('$')
                    .filter(|s| s.len() == 1)
                    .map(|s| s.as_bytes()[0]);
                match (local, letter.and_then(|l| self.volume_by_letter(l))) {
                    (true, Some(vol)) => Ok((vol, true)),
                    _ => Err(NtError::BadNetworkPath),
                }
            }
            Root::Device(_) => Err(NtError::ObjectNameInvalid),
            Root::Nt(text) => match self.volume_by_guid_path(text) {
                Some(vol) => Ok((vol, false)),
                None => Err(NtError::ObjectNameNotFound),
            },
        }
    }

    /// A drive letter mapped to a network share (J2, J8b, S50).
    pub(crate) fn is_network_drive(&self, root: &Root) -> bool {
        match root {
            Root::Drive(d) => self
                .volume_by_letter(*d)
                .is_some_and(|v| self.volumes[v].kind.is_network()),
            _ => false,
        }
    }

    /// `\??\Volume{GUID}\` of one of our volumes.
    fn volume_by_guid_path(&self, text: &str) -> Option<VolumeId> {
        let rest = text.strip_prefix(r"\??\")?;
        (0..self.volumes.len()).find(|&id| {
            let g = self.volume_guid(id);
            rest.eq_ignore_ascii_case(&g) || rest.eq_ignore_ascii_case(&format!("{g}\\"))
        })
    }

    /// The volume GUID name, `Volume{…}`, derived from the serial.
    ///
    /// # Panics
    /// When `vol` is not a volume of this machine (ids come from
    /// [`Machine::volume_infos`]), like [`Machine::volume_info`].
    pub fn volume_guid(&self, vol: VolumeId) -> String {
        let s = self.volumes[vol].serial;
        format!(
            "Volume{{{s:08x}-0000-0000-0000-{:012x}}}",
            u64::from(self.volumes[vol].letter)
        )
    }

    fn walk_path(
        &self,
        mut vol: VolumeId,
        mut remote: bool,
        components: Vec<Name>,
        trailing: bool,
        follow: Follow,
        prefix: PrefixIsFile,
    ) -> Result<Resolved> {
        let limit = self.profile.max_reparse_points();
        let mut followed = 0usize;
        // The components still to look up, the next one last.
        let mut stack = components;
        stack.reverse();
        let mut require_dir = trailing;
        let mut cur: RecordNo = ROOT_RECORD;
        let mut via_link: Option<LinkFlavor> = None;
        let mut link_node: Option<(VolumeId, RecordNo)> = None;

        loop {
            let Some(comp) = stack.pop() else {
                let node = self.node(vol, cur)?;
                if require_dir && !node.is_dir() {
                    return Err(NtError::ObjectNameInvalid);
                }
                // A directory entered by the walk has exactly one name.
                let link = (cur != ROOT_RECORD).then(|| node.names.first()).flatten();
                let (parent, name) = (link.map(|l| l.parent), link.map(|l| l.name.clone()));
                return Ok(Resolved {
                    vol,
                    parent,
                    typed: name.clone(),
                    name,
                    node: Some(cur),
                    via_link,
                    link_node,
                    require_dir,
                });
            };
            let is_last = stack.is_empty();
            let units = comp.units();
            // Components the Win32 layer would have removed only reach here from NT
            // paths and reparse targets, which are not normalised (P5, P6). A bad
            // name is reported before what its prefix is (P6: `x\..\x`).
            if units.is_empty() || units == [b'.' as u16, b'.' as u16] {
                return Err(NtError::ObjectNameInvalid);
            }
            let is_dot = units == [b'.' as u16];
            if !is_dot {
                name::validate(units)?;
            }
            let dir = self.node(vol, cur)?;
            let Some(entries) = dir.entries() else {
                return Err(match prefix {
                    PrefixIsFile::PathNotFound => NtError::ObjectPathNotFound,
                    PrefixIsFile::InvalidParameter => NtError::InvalidParameter,
                });
            };
            let key = name::key_buf(units);
            let child = if is_dot {
                None
            } else {
                entries.get(&key[..]).copied()
            };
            let Some(child) = child else {
                if !is_last {
                    return Err(NtError::ObjectPathNotFound);
                }
                return Ok(Resolved {
                    vol,
                    parent: Some(cur),
                    typed: Some(comp.clone()),
                    name: Some(comp),
                    node: None,
                    via_link: None,
                    link_node: None,
                    require_dir,
                });
            };
            let cnode = self.node(vol, child)?;
            if let Some(rp) = &cnode.reparse {
                if !is_last || follow == Follow::Reparse {
                    // Relative links apply to the physical path of `cur`, rebuilt
                    // from its parent links only when such a link is met.
                    let cur_path = match &rp.data {
                        ReparseData::Symlink { flags, .. }
                            if flags & SYMLINK_FLAG_RELATIVE != 0 =>
                        {
                            self.volumes[vol].dir_names(cur)
                        }
                        _ => Vec::new(),
                    };
                    if let Some(redirect) =
                        self.reparse_redirect(&rp.data, cnode.is_dir(), remote, vol, &cur_path)?
                    {
                        followed += 1;
                        if followed > limit {
                            return Err(NtError::ReparsePointNotResolved);
                        }
                        let Redirect::To {
                            vol: v,
                            remote: r,
                            components,
                            trailing: t,
                        } = redirect;
                        // The flavor checked against the final object is that of
                        // the link followed at the last name; links met inside
                        // its target's path do not replace it (S22, J13).
                        if is_last {
                            link_node = link_node.or(Some((vol, child)));
                            via_link = Some(if cnode.is_dir() {
                                LinkFlavor::Directory
                            } else {
                                LinkFlavor::File
                            });
                            require_dir = t;
                        }
                        vol = v;
                        remote = r;
                        stack.extend(components.into_iter().rev());
                        cur = ROOT_RECORD;
                        continue;
                    }
                }
            }
            if is_last {
                if require_dir && !cnode.is_dir() {
                    return Err(NtError::ObjectNameInvalid);
                }
                let stored = cnode
                    .name_in_units(cur, &key)
                    .map_or_else(|| comp.clone(), |l| l.name.clone());
                return Ok(Resolved {
                    vol,
                    parent: Some(cur),
                    name: Some(stored),
                    typed: Some(comp),
                    node: Some(child),
                    // The link followed to reach this last name, if any (S22, J13).
                    via_link,
                    link_node,
                    require_dir,
                });
            }
            cur = child;
        }
    }

    /// Where a reparse point sends the walk, or None when it is not a redirect
    /// (a directory-bit tag on a directory is entered like a directory, R20).
    pub(crate) fn reparse_redirect(
        &self,
        data: &ReparseData,
        is_dir: bool,
        remote: bool,
        vol: VolumeId,
        cur_path: &[Name],
    ) -> Result<Option<Redirect>> {
        match data {
            ReparseData::MountPoint { substitute, .. } => {
                if !self.profile.supports_junctions() {
                    return Err(NtError::IoReparseTagNotHandled);
                }
                // J10: the substitute must be an NT path; J8b: never remote.
                let target =
                    path::nt_path_units(substitute).map_err(|_| NtError::ObjectNameInvalid)?;
                if !substitute.starts_with(&[BS, b'?' as u16, b'?' as u16, BS]) {
                    return Err(NtError::ObjectNameInvalid);
                }
                if matches!(target.root, Root::Unc { .. }) || self.is_network_drive(&target.root) {
                    return Err(NtError::IoReparseDataInvalid);
                }
                // Junctions are evaluated where the volume is (J22, S53): a remote
                // client reaches the target on the same server.
                let (v, _) = self.root_volume(&target.root, true)?;
                Ok(Some(Redirect::To {
                    vol: v,
                    remote,
                    components: target.components,
                    trailing: target.trailing_separator,
                }))
            }
            ReparseData::Symlink {
                substitute, flags, ..
            } => {
                if !self.profile.supports_symlinks() {
                    return Err(NtError::IoReparseTagNotHandled);
                }
                let policy = self.profile.symlink_evaluation;
                if flags & SYMLINK_FLAG_RELATIVE != 0 {
                    // A relative link's target is where the link is (R2R when the
                    // link was reached remotely, else L2L).
                    let allowed = if remote {
                        policy.remote_to_remote
                    } else {
                        policy.local_to_local
                    };
                    if !allowed {
                        return Err(NtError::SymlinkClassDisabled);
                    }
                    let (components, trailing) = apply_relative(substitute, cur_path)?;
                    Ok(Some(Redirect::To {
                        vol,
                        remote,
                        components,
                        trailing,
                    }))
                } else {
                    // P6: absolute targets must be `\??\` NT paths, taken literally.
                    if !substitute.starts_with(&[BS, b'?' as u16, b'?' as u16, BS]) {
                        return Err(NtError::ObjectNameInvalid);
                    }
                    let target =
                        path::nt_path_units(substitute).map_err(|_| NtError::ObjectNameInvalid)?;
                    let target_remote = matches!(target.root, Root::Unc { .. })
                        || self.is_network_drive(&target.root);
                    let allowed = match (remote, target_remote) {
                        (false, false) => policy.local_to_local,
                        (false, true) => policy.local_to_remote,
                        (true, false) => policy.remote_to_local,
                        (true, true) => policy.remote_to_remote,
                    };
                    if !allowed {
                        return Err(NtError::SymlinkClassDisabled);
                    }
                    // A remote link's drive-letter target is the client's drive:
                    // on this one machine, the same volume, reached locally.
                    let (v, r) = self.root_volume(&target.root, true)?;
                    Ok(Some(Redirect::To {
                        vol: v,
                        remote: r,
                        components: target.components,
                        trailing: target.trailing_separator,
                    }))
                }
            }
            ReparseData::Other { tag, .. } => {
                let tag = crate::reparse::ReparseTag(*tag);
                if tag.is_directory_bit() && is_dir {
                    Ok(None)
                } else {
                    // R20, S27: no filter handles this tag.
                    Err(NtError::IoReparseTagNotHandled)
                }
            }
        }
    }

    /// Resolves one name inside a directory without following anything: what the
    /// Linux kernel asks for on each path component.
    pub(crate) fn resolve_at(&self, dir: NodeId, name: Name) -> Result<Resolved> {
        let rec = self.record_of(dir)?;
        let node = self.node(dir.volume, rec)?;
        let entries = node.entries().ok_or(NtError::NotADirectory)?;
        // A link's own directory is no place for names (J21: the Windows answer
        // varies by version; STATUS_REPARSE_POINT_NOT_RESOLVED is the modern one).
        if node
            .reparse
            .as_ref()
            .is_some_and(|r| !r.data.tag().is_directory_bit())
        {
            return Err(NtError::ReparsePointNotResolved);
        }
        name::validate(name.units())?;
        let key = name::key_buf(name.units());
        let found = entries.get(&key[..]).copied();
        let stored = found
            .and_then(|c| self.volumes[dir.volume].node(c))
            .and_then(|c| c.name_in_units(rec, &key))
            .map_or_else(|| name.clone(), |l| l.name.clone());
        Ok(Resolved {
            vol: dir.volume,
            parent: Some(rec),
            name: Some(stored),
            typed: Some(name),
            node: found,
            via_link: None,
            link_node: None,
            require_dir: false,
        })
    }

    /// A Resolved for an existing node reached by id (its first name as parent).
    pub(crate) fn resolved_node(&self, id: NodeId) -> Result<Resolved> {
        let rec = self.record_of(id)?;
        let node = self.node(id.volume, rec)?;
        let link = node
            .names
            .iter()
            .find(|l| !l.delete_pending)
            .or(node.names.first());
        Ok(Resolved {
            vol: id.volume,
            parent: link.map(|l| l.parent),
            name: link.map(|l| l.name.clone()),
            typed: link.map(|l| l.name.clone()),
            node: Some(rec),
            via_link: None,
            link_node: None,
            require_dir: false,
        })
    }
}

/// Applies a relative symlink target to the link's parent path (P3–P5, S8, S24):
/// a leading `\` restarts at the volume root; `.` is dropped; `..` removes the
/// preceding component and may not climb above the root (STATUS_IO_REPARSE_DATA_INVALID);
/// empty components are invalid names. Returns the new components from the volume
/// root and whether the target ended with a separator.
fn apply_relative(target: &[u16], parent: &[Name]) -> Result<(Vec<Name>, bool)> {
    if target.is_empty() {
        return Err(NtError::IoReparseDataInvalid);
    }
    let (mut out, body) = if target[0] == BS {
        (Vec::new(), &target[1..])
    } else {
        (parent.to_vec(), target)
    };
    let trailing = body.last() == Some(&BS) && !body.is_empty();
    let body = if trailing {
        &body[..body.len() - 1]
    } else {
        body
    };
    if body.is_empty() {
        return Ok((out, trailing));
    }
    for part in body.split(|&u| u == BS) {
        match part {
            [] => return Err(NtError::ObjectNameInvalid),
            [0x2E] => {}
            [0x2E, 0x2E] => {
                if out.pop().is_none() {
                    return Err(NtError::IoReparseDataInvalid);
                }
            }
            p => out.push(Name::from_units(p)),
        }
    }
    Ok((out, trailing))
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
    fn apply_relative_table() {
        let parent = names(&["alpha", "beta"]);
        let ok: &[(&str, &[&str], bool)] = &[
            (r"..\..\theta", &["theta"], false), // P3's example
            (r"x", &["alpha", "beta", "x"], false),
            (r".\d\..\.\d\", &["alpha", "beta", "d"], true), // P5
            (r"\dir\sub", &["dir", "sub"], false),           // S8
            (r"..", &["alpha"], false),
            (r"d.", &["alpha", "beta", "d."], false), // trailing dot kept (N6)
        ];
        for (t, want, trailing) in ok {
            let (got, tr) = apply_relative(&u(t), &parent).unwrap();
            assert_eq!(got, names(want), "{t}");
            assert_eq!(tr, *trailing, "{t}");
        }
        assert_eq!(
            apply_relative(&u(r"..\..\..\x"), &parent),
            Err(NtError::IoReparseDataInvalid)
        );
        assert_eq!(
            apply_relative(&u(r".\\d"), &parent),
            Err(NtError::ObjectNameInvalid)
        );
        assert_eq!(
            apply_relative(&u(""), &parent),
            Err(NtError::IoReparseDataInvalid)
        );
    }
}
