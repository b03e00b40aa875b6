//! The reparse queries of an adapter whose host follows reparse points itself
//! (WinFsp: the I/O manager re-parses on STATUS_REPARSE). Paths here are
//! volume-relative component lists; nothing is ever followed on the caller's
//! behalf, and where a reparse point leads is decided by the core's own rules
//! (P2–P6, R20), so the host never applies resolution rules of its own. Also
//! the overwrite of a reparse point through an open handle (S21), which such a
//! host asks for when it opens the link itself.

use crate::error::{NtError, Result};
use crate::file_ref::RecordNo;
use crate::machine::{Machine, VolumeId};
use crate::name::{self, Name};
use crate::resolve::Redirect;
use crate::volume::ROOT_RECORD;

/// Where a reparse point sends a path walk: a volume and the components from its
/// root (already normalised), and whether the target named a directory (P11).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ReparseTarget {
    /// The volume the target lies on.
    pub volume: VolumeId,
    /// Components from that volume's root.
    pub components: Vec<Name>,
    /// The target ended with a separator: it must be a directory (P11).
    pub trailing_separator: bool,
}

impl Machine {
    /// The index of the first component of `components`, other than the last,
    /// that is a reparse point a path walk would act on, without following it.
    /// `Ok(None)` when every prefix is a plain directory. A missing prefix or a
    /// file used as a directory fails as an open would (ObjectPathNotFound, N8).
    /// A directory carrying a directory-bit tag is entered like a directory (R20).
    pub fn first_reparse_point(
        &self,
        volume: VolumeId,
        components: &[Name],
    ) -> Result<Option<usize>> {
        let Some((_, prefix)) = components.split_last() else {
            return Ok(None);
        };
        let mut cur = ROOT_RECORD;
        for (i, comp) in prefix.iter().enumerate() {
            let child = self.child_no_follow(volume, cur, comp, false)?;
            if self.acts_as_reparse_point(volume, child)? {
                return Ok(Some(i));
            }
            cur = child;
        }
        if self.node(volume, cur)?.entries().is_none() {
            return Err(NtError::ObjectPathNotFound);
        }
        Ok(None)
    }

    /// Where the reparse point at `components` (the last component, not
    /// followed; every prefix a plain directory) sends the walk, by the core's
    /// rules: junction and absolute symlink targets restart at their volume
    /// root, relative targets apply to the link's parent (P2–P5).
    /// `NotAReparsePoint` when the object has none the walk acts on (R20).
    pub fn reparse_target(&self, volume: VolumeId, components: &[Name]) -> Result<ReparseTarget> {
        let (last, prefix) = components.split_last().ok_or(NtError::NotAReparsePoint)?;
        let mut cur = ROOT_RECORD;
        let mut physical: Vec<Name> = Vec::with_capacity(prefix.len());
        for comp in prefix {
            cur = self.child_no_follow(volume, cur, comp, false)?;
            if self.acts_as_reparse_point(volume, cur)? {
                // A prefix that is a link: the caller must resolve it first.
                return Err(NtError::ObjectPathNotFound);
            }
            physical.push(self.stored_name(volume, cur, comp));
        }
        let rec = self.child_no_follow(volume, cur, last, true)?;
        let node = self.node(volume, rec)?;
        let rp = node.reparse.as_ref().ok_or(NtError::NotAReparsePoint)?;
        match self.reparse_redirect(&rp.data, node.is_dir(), false, volume, &physical)? {
            None => Err(NtError::NotAReparsePoint),
            Some(Redirect::To {
                vol,
                components,
                trailing,
                ..
            }) => Ok(ReparseTarget {
                volume: vol,
                components,
                trailing_separator: trailing,
            }),
        }
    }

    /// The directory holding the last of `components`, every prefix walked
    /// without following (a prefix that is a reparse point is the caller's to
    /// resolve first: the walk then fails as a missing path, N8). `None` for the
    /// volume root itself.
    pub fn parent_no_follow(
        &self,
        volume: VolumeId,
        components: &[Name],
    ) -> Result<Option<crate::machine::NodeId>> {
        let Some((_, prefix)) = components.split_last() else {
            return Ok(None);
        };
        let mut cur = ROOT_RECORD;
        for comp in prefix {
            cur = self.child_no_follow(volume, cur, comp, false)?;
            if self.acts_as_reparse_point(volume, cur)? {
                return Err(NtError::ObjectPathNotFound);
            }
        }
        if self.node(volume, cur)?.entries().is_none() {
            return Err(NtError::ObjectPathNotFound);
        }
        Ok(Some(self.node_id(volume, cur)))
    }

    /// FILE_OVERWRITE / FILE_SUPERSEDE on an already open handle (WinFsp opens,
    /// then overwrites): what an overwriting open of the object itself does,
    /// reparse point dropped included (S21). `attributes` are added (settable
    /// bits only).
    pub fn overwrite_handle(&mut self, h: crate::handle::HandleId, attributes: u32) -> Result<()> {
        let hd = self.handle(h)?.clone();
        if !hd.can_write() {
            return Err(NtError::AccessDenied);
        }
        if self.node(hd.vol, hd.rec)?.is_dir() {
            return Err(NtError::FileIsADirectory);
        }
        let opts = crate::handle::OpenOptions {
            attributes,
            ..crate::handle::OpenOptions::default().follow(crate::machine::Follow::OpenReparsePoint)
        };
        self.overwrite(hd.vol, hd.rec, &opts)
    }

    /// Looks `comp` up in directory `dir`, following nothing. A missing last
    /// name is ObjectNameNotFound, a missing prefix ObjectPathNotFound (N8).
    fn child_no_follow(
        &self,
        volume: VolumeId,
        dir: RecordNo,
        comp: &Name,
        is_last: bool,
    ) -> Result<RecordNo> {
        let entries = self
            .node(volume, dir)?
            .entries()
            .ok_or(NtError::ObjectPathNotFound)?;
        name::validate(comp.units())?;
        entries.get(&comp.key()).copied().ok_or(if is_last {
            NtError::ObjectNameNotFound
        } else {
            NtError::ObjectPathNotFound
        })
    }

    /// True when a walk reaching `rec` would be redirected rather than enter it.
    fn acts_as_reparse_point(&self, volume: VolumeId, rec: RecordNo) -> Result<bool> {
        let node = self.node(volume, rec)?;
        Ok(match &node.reparse {
            None => false,
            Some(rp) => {
                let tag = rp.data.tag();
                !(matches!(rp.data, crate::reparse::ReparseData::Other { .. })
                    && tag.is_directory_bit()
                    && node.is_dir())
            }
        })
    }

    fn stored_name(&self, volume: VolumeId, rec: RecordNo, typed: &Name) -> Name {
        self.volumes[volume]
            .node(rec)
            .and_then(|n| n.names.iter().find(|l| l.name.key() == typed.key()))
            .map_or_else(|| typed.clone(), |l| l.name.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reparse::ReparseData;

    // C:\
    // ├── a\
    // │   ├── f            file
    // │   └── sl  → ..\t   relative file symlink
    // ├── j   → C:\a       junction
    // ├── dl  → D:\x       absolute directory symlink (to another volume)
    // └── t               file
    // D:\x\
    fn fixture() -> Machine {
        let mut m = Machine::default();
        m.create_directory(r"C:\a").unwrap();
        m.write_file(r"C:\a\f", b"f").unwrap();
        m.write_file(r"C:\t", b"t").unwrap();
        m.create_directory(r"D:\x").unwrap();
        m.create_junction(r"C:\j", r"C:\a").unwrap();
        m.create_directory(r"C:\dl").unwrap();
        let dl = ReparseData::symlink(r"\??\D:\x", r"D:\x", false).encode();
        m.set_reparse_point(r"C:\dl", &dl).unwrap();
        m.write_file(r"C:\a\sl", b"").unwrap();
        let sl = ReparseData::symlink(r"..\t", r"..\t", true).encode();
        m.set_reparse_point(r"C:\a\sl", &sl).unwrap();
        m
    }

    fn comps(path: &str) -> Vec<Name> {
        path.split('\\')
            .filter(|s| !s.is_empty())
            .map(Name::new)
            .collect()
    }

    #[test]
    fn first_reparse_point_finds_prefix_links_only() {
        let m = fixture();
        let rows: &[(&str, Result<Option<usize>>)] = &[
            (r"\a\f", Ok(None)),
            (r"\j", Ok(None)), // the last component is never reported
            (r"\j\f", Ok(Some(0))),
            (r"\J\F", Ok(Some(0))), // case-insensitive (N1)
            (r"\dl\y\z", Ok(Some(0))),
            (r"\a\sl\x", Ok(Some(1))),
            (r"\missing\f", Err(NtError::ObjectPathNotFound)),
            (r"\t\x", Err(NtError::ObjectPathNotFound)), // a file as a directory (N8)
            (r"\a\b:c\d", Err(NtError::ObjectNameInvalid)),
            (r"\", Ok(None)),
        ];
        for (path, want) in rows {
            assert_eq!(&m.first_reparse_point(0, &comps(path)), want, "{path}");
        }
    }

    #[test]
    fn reparse_target_applies_core_rules_without_following() {
        let m = fixture();
        let t = |v: VolumeId, p: &str, tr: bool| {
            Ok(ReparseTarget {
                volume: v,
                components: comps(p),
                trailing_separator: tr,
            })
        };
        let rows: &[(&str, Result<ReparseTarget>)] = &[
            (r"\j", t(0, r"\a", false)),
            (r"\dl", t(1, r"\x", false)),
            (r"\A\SL", t(0, r"\t", false)), // relative: against the link's parent (P3)
            (r"\a\f", Err(NtError::NotAReparsePoint)),
            (r"\a", Err(NtError::NotAReparsePoint)),
            (r"\nope", Err(NtError::ObjectNameNotFound)),
            (r"\j\f", Err(NtError::ObjectPathNotFound)), // prefix is a link
            (r"\", Err(NtError::NotAReparsePoint)),
        ];
        for (path, want) in rows {
            assert_eq!(&m.reparse_target(0, &comps(path)), want, "{path}");
        }
    }

    #[test]
    fn parent_no_follow_table() {
        let m = fixture();
        let a = m
            .query_information(r"C:\a", crate::Follow::OpenReparsePoint)
            .unwrap()
            .id;
        let root = m.root(0);
        let rows: &[(&str, Result<Option<crate::NodeId>>)] = &[
            (r"\", Ok(None)),
            (r"\a", Ok(Some(root))),
            (r"\A\new", Ok(Some(a))),
            (r"\j\f", Err(NtError::ObjectPathNotFound)), // prefix is a junction
            (r"\t\x", Err(NtError::ObjectPathNotFound)), // prefix is a file (N8)
            (r"\no\x", Err(NtError::ObjectPathNotFound)),
        ];
        for (path, want) in rows {
            assert_eq!(&m.parent_no_follow(0, &comps(path)), want, "{path}");
        }
    }

    #[test]
    fn overwrite_handle_truncates_and_drops_reparse_point_s21() {
        use crate::{Follow, OpenOptions};
        let mut m = fixture();
        let opts = OpenOptions::default()
            .follow(Follow::OpenReparsePoint)
            .write(true);
        let h = m.open(r"C:\a\sl", &opts).unwrap();
        m.overwrite_handle(h, 0).unwrap();
        let info = m.handle_info(h).unwrap();
        assert_eq!((info.reparse_tag, info.size), (None, 0));
        m.close(h).unwrap();
        let h = m.open(r"C:\a\f", &OpenOptions::default()).unwrap();
        assert_eq!(m.overwrite_handle(h, 0), Err(NtError::AccessDenied));
        assert_eq!(m.read_file(r"C:\a\f").unwrap(), b"f");
        m.close(h).unwrap();
    }

    #[test]
    fn directory_bit_tag_on_directory_is_entered_r20() {
        let mut m = fixture();
        m.create_directory(r"C:\cloud").unwrap();
        // A third-party tag with the directory bit (0x10000000) and a GUID.
        let mut buf = Vec::new();
        buf.extend_from_slice(&0x1000_0040u32.to_le_bytes());
        buf.extend_from_slice(&0u16.to_le_bytes()); // no data after the GUID
        buf.extend_from_slice(&[0, 0]);
        buf.extend_from_slice(&[7; 16]);
        m.set_reparse_point(r"C:\cloud", &buf).unwrap();
        assert_eq!(m.first_reparse_point(0, &comps(r"\cloud\x")), Ok(None));
        assert_eq!(
            m.reparse_target(0, &comps(r"\cloud")),
            Err(NtError::NotAReparsePoint)
        );
    }
}
