//! The copy on the emulated machine: the [`CopyTree`] operations over the
//! core's public API, and [`copy_tree`], which checks the source and the
//! destination and runs the engine.

use super::{
    run, CopyFailure, CopyOptions, CopyReport, CopyTree, Deferred, Entry, Like, LinkAction,
    LinkCopied, OutsideReason, Progress, Remap, What,
};
use crate::audit::{ancestors, link_target, LinkKind};
use crate::tree::Emulated;
use ntlinkfs_core::data::FileData;
use ntlinkfs_core::error::{NtError, Result};
use ntlinkfs_core::path::FullPath;
use ntlinkfs_core::{FileInfo, Follow, Machine, NodeId, SymlinkFlags, VolumeId, Want};
use std::collections::HashMap;

/// The machine a copy runs on, and what it knows of the copy's two roots.
struct MachineCopy<'m> {
    m: &'m mut Machine,
    src_root: FullPath,
    dst_root_id: NodeId,
    dst_root_path: String,
    /// (source, copy) directories whose times are set last: adding children
    /// changes them.
    dir_times: Vec<(NodeId, NodeId)>,
}

/// A directory: its node and the path the walk reached it by.
type Dir = (NodeId, String);

/// Where an entry goes: the directory, the name, the path.
struct Place {
    dir: NodeId,
    name: String,
    path: String,
}

/// Copies the tree at `src` into `dst` (created if missing; an existing
/// directory receives the entries) with a policy per link kind. Entries
/// that fail are reported and the copy goes on; it fails as a whole only
/// when it cannot start.
pub fn copy_tree(
    m: &mut Machine,
    src: &str,
    dst: &str,
    opts: &CopyOptions,
    progress: &mut dyn FnMut(&Progress),
) -> std::result::Result<CopyReport, CopyFailure> {
    let s = m
        .query_information(src, Follow::Reparse)
        .map_err(CopyFailure::Source)?;
    if !s.is_directory {
        return Err(CopyFailure::Source(NtError::NotADirectory));
    }
    let src_path = m.path_of(s.id).map_err(CopyFailure::Source)?;
    let src_root = m.full_path(&src_path).map_err(CopyFailure::Source)?;
    let dst_id = copy_destination(m, dst, &src_root)?;
    let dst_path = m.path_of(dst_id).map_err(CopyFailure::Destination)?;
    let report = CopyReport::new(src_path.clone(), dst_path.clone());
    let mut tree = MachineCopy {
        m,
        src_root,
        dst_root_id: dst_id,
        dst_root_path: dst_path.clone(),
        dir_times: vec![(s.id, dst_id)],
    };
    let roots = ((s.id, src_path), s.id, (dst_id, dst_path));
    Ok(run(&mut tree, opts, roots, report, progress))
}

/// The destination directory: an existing one, or a new one. Refused when it
/// would lie inside the source.
fn copy_destination(
    m: &mut Machine,
    dst: &str,
    src_root: &FullPath,
) -> std::result::Result<NodeId, CopyFailure> {
    let full = m.full_path(dst).map_err(CopyFailure::Destination)?;
    let physical = match m.query_information(dst, Follow::Reparse) {
        Ok(i) if i.is_directory => m.path_of(i.id).map_err(CopyFailure::Destination)?,
        Ok(_) => return Err(CopyFailure::Destination(NtError::ObjectNameCollision)),
        Err(_) => {
            let parent = full
                .parent()
                .ok_or(CopyFailure::Destination(NtError::ObjectNameInvalid))?;
            let name = full
                .components
                .last()
                .ok_or(CopyFailure::Destination(NtError::ObjectNameInvalid))?;
            let p = m
                .query_information(&parent.to_win32(), Follow::Reparse)
                .map_err(|e| CopyFailure::Destination(path_error(e)))?;
            let pp = m.path_of(p.id).map_err(CopyFailure::Destination)?;
            let sep = if pp.ends_with('\\') { "" } else { "\\" };
            format!("{pp}{sep}{name}")
        }
    };
    let physical_full = m.full_path(&physical).map_err(CopyFailure::Destination)?;
    if physical_full.starts_with(src_root) {
        return Err(CopyFailure::DestinationInsideSource);
    }
    match m.query_information(dst, Follow::Reparse) {
        Ok(i) => Ok(i.id),
        Err(_) => m
            .create_directory(dst)
            .map(|i| i.id)
            .map_err(CopyFailure::Destination),
    }
}

impl CopyTree for MachineCopy<'_> {
    type Kind = Emulated;
    /// The entry's information and its name.
    type Src = (FileInfo, String);
    type Dir = Dir;
    type Place = Place;
    type Made = NodeId;

    fn dir_path(dir: &Dir) -> String {
        dir.1.clone()
    }

    fn entry_dir(e: &Entry<Self>) -> Dir {
        (e.id, e.path.clone())
    }

    fn dir_id(&self, dir: &Dir) -> Option<NodeId> {
        Some(dir.0)
    }

    fn read_dir(&mut self, dir: &Dir) -> Result<Vec<Entry<Self>>> {
        let entries = self.m.read_dir(dir.0, None, usize::MAX)?;
        Ok(entries
            .into_iter()
            .map(|e| {
                let name = e.name.to_string_lossy();
                let what = if e.info.reparse_tag.is_some() {
                    What::Link
                } else if e.info.is_directory {
                    What::Directory
                } else {
                    What::File {
                        links: e.info.total_links.into(),
                    }
                };
                Entry {
                    path: join(&dir.1, &name),
                    id: e.info.id,
                    what,
                    src: (e.info, name.to_string()),
                }
            })
            .collect())
    }

    fn place(&self, parent: &Dir, e: &Entry<Self>) -> Place {
        Place {
            dir: parent.0,
            name: e.src.1.clone(),
            path: join(&parent.1, &e.src.1),
        }
    }

    fn place_path(at: &Place) -> String {
        at.path.clone()
    }

    fn make_dir(&mut self, at: &Place, like: Like<'_, Self>) -> Result<Dir> {
        let d = self.m.create_directory_at(at.dir, &at.name)?;
        let times_of = match like {
            Like::Entry(e) => e.id,
            Like::Followed(id) => id,
        };
        self.dir_times.push((times_of, d.id));
        Ok((d.id, at.path.clone()))
    }

    fn copy_file(&mut self, e: &Entry<Self>, at: &Place) -> Result<(NodeId, u64)> {
        let new = copy_file_data(self.m, e.id, at.dir, &at.name)?;
        Ok((new, e.src.0.size))
    }

    fn hard_link(&mut self, first: &NodeId, at: &Place) -> Result<()> {
        self.m
            .create_hard_link_at(*first, at.dir, &at.name)
            .map(drop)
    }

    fn make_special(&mut self, _e: &Entry<Self>, _at: &Place) -> Result<()> {
        // The machine's special files are reparse points: copied as links.
        Err(NtError::InvalidDeviceRequest)
    }

    fn link_of(&self, e: &Entry<Self>) -> Option<(LinkKind, String)> {
        let kind = LinkKind::of(self.m, e.id)?;
        let target = link_target(self.m, e.id, &self.physical(e))
            .map(|t| t.display)
            .unwrap_or_default();
        Some((kind, target))
    }

    fn copy_link(&mut self, e: &Entry<Self>, at: &Place) -> LinkCopied<Self> {
        let info = &e.src.0;
        copy_link_raw(self.m, at.dir, info, &at.name)?;
        // Another tag on a directory keeps its children (R20): they are copied.
        let other = matches!(LinkKind::of(self.m, e.id), Some(LinkKind::Other(_)));
        if !other || !info.is_directory {
            return Ok(None);
        }
        Ok(self.m.lookup(at.dir, &at.name).ok().map(|d| {
            self.dir_times.push((info.id, d.id));
            ((info.id, e.path.clone()), (d.id, at.path.clone()))
        }))
    }

    fn follow_dir(&mut self, e: &Entry<Self>) -> Result<(NodeId, Dir)> {
        // Resolve through the link's physical path: the walk's own path may
        // pass through followed links and would spend the reparse budget (P8).
        let t = self
            .m
            .query_information(&self.physical(e), Follow::Reparse)?;
        if !t.is_directory {
            return Err(NtError::NotADirectory);
        }
        Ok((t.id, (t.id, e.path.clone())))
    }

    fn enters_copy(&self, target: NodeId, _e: &Entry<Self>) -> bool {
        target == self.dst_root_id || ancestors(self.m, self.dst_root_id).contains(&target)
    }

    fn follow_file(&mut self, e: &Entry<Self>, at: &Place) -> std::result::Result<u64, LinkAction> {
        match self.m.query_information(&self.physical(e), Follow::Reparse) {
            Ok(t) if !t.is_directory => match copy_file_data(self.m, t.id, at.dir, &at.name) {
                Ok(_) => Ok(t.size),
                Err(e) => Err(LinkAction::Failed(e)),
            },
            Ok(_) => Err(LinkAction::NotFollowedDangling(NtError::FileIsADirectory)),
            Err(e) => Err(LinkAction::NotFollowedDangling(e)),
        }
    }

    fn remap(&mut self, d: &Deferred<Self>, copied: &HashMap<NodeId, String>) -> Result<Remap> {
        let physical = self.physical(&d.entry);
        let target =
            link_target(self.m, d.entry.id, &physical).ok_or(NtError::IoReparseDataInvalid)?;
        let resolved = self.m.query_information(&physical, Follow::Reparse).ok();
        let inside = target
            .lexical
            .as_ref()
            .is_some_and(|l| l.starts_with(&self.src_root));
        let new_target = match resolved.as_ref().and_then(|r| copied.get(&r.id)) {
            // A relative symlink inside the tree already means the same place
            // in the copy: keep its text.
            Some(_) if target.relative && inside => Some(target.display.clone()),
            Some(p) => Some(p.clone()),
            // Dangling but inside: the same (missing) place in the copy.
            None if inside && resolved.is_none() => target.lexical.as_ref().map(|l| {
                l.components[self.src_root.components.len()..]
                    .iter()
                    .fold(self.dst_root_path.clone(), |p, n| join(&p, &n.to_string()))
            }),
            None => None,
        };
        if let Some(t) = new_target {
            self.make_link(d, &t)?;
            return Ok(Remap::Made(t));
        }
        let other_volume = target
            .lexical
            .as_ref()
            .is_none_or(|l| l.root != self.src_root.root);
        Ok(Remap::Outside(if inside {
            OutsideReason::NotCopied
        } else if other_volume {
            OutsideReason::OtherVolume
        } else {
            OutsideReason::OutsideTree
        }))
    }

    fn keep_outside(&mut self, d: &Deferred<Self>) -> Result<String> {
        let physical = self.physical(&d.entry);
        let target =
            link_target(self.m, d.entry.id, &physical).ok_or(NtError::IoReparseDataInvalid)?;
        if !target.relative {
            copy_link_raw(self.m, d.at.dir, &d.entry.src.0, &d.at.name)?;
            return Ok(target.display);
        }
        // A relative link keeps pointing at the original place: made absolute.
        let t = match &target.lexical {
            Some(l) => l.to_win32(),
            None => target.display.clone(),
        };
        self.make_link(d, &t)?;
        Ok(t)
    }

    fn finish(&mut self) {
        for (src, dst) in std::mem::take(&mut self.dir_times) {
            let _ = copy_times(self.m, src, dst);
        }
    }
}

impl MachineCopy<'_> {
    /// The link's own path: the walk's path may pass through followed links.
    fn physical(&self, e: &Entry<Self>) -> String {
        self.m.path_of(e.id).unwrap_or_else(|_| e.path.clone())
    }

    /// A junction or directory symlink at `d.at` to `target`.
    fn make_link(&mut self, d: &Deferred<Self>, target: &str) -> Result<()> {
        let (dir, name) = (d.at.dir, d.at.name.as_str());
        let new = match d.kind {
            LinkKind::Junction => self.m.create_junction_at(dir, name, target)?,
            _ => self.m.create_symbolic_link_at(
                dir,
                name,
                target,
                SymlinkFlags {
                    directory: true,
                    ..Default::default()
                },
            )?,
        };
        copy_meta(self.m, d.entry.id, new.id)
    }
}

/// A new regular file in `dst_dir` with the data, attributes, times and
/// POSIX meta of `src`.
fn copy_file_data(m: &mut Machine, src: NodeId, dst_dir: NodeId, name: &str) -> Result<NodeId> {
    // The data is copied first: no room for it, and nothing was created.
    let data = copy_data_of(m, src, dst_dir.volume)?;
    let new = m.create_file_at(dst_dir, name, 0)?.id;
    if let Some(data) = data {
        m.set_data_of(new, data)?;
    }
    copy_meta(m, src, new)?;
    Ok(new)
}

/// A copy of a file's data for volume `vol` (None when `src` holds none).
fn copy_data_of(m: &Machine, src: NodeId, vol: VolumeId) -> Result<Option<FileData>> {
    m.copy_data_for(src, vol)
}

/// Attributes (the settable bits), times and POSIX meta.
fn copy_meta(m: &mut Machine, src: NodeId, dst: NodeId) -> Result<()> {
    let attrs = m.info(src)?.attributes;
    m.set_attributes_of(dst, attrs)?;
    copy_times(m, src, dst)?;
    let posix = m.info(src)?.posix;
    m.set_posix_meta_of(dst, posix)
}

/// The source's times; the change time is now's.
fn copy_times(m: &mut Machine, src: NodeId, dst: NodeId) -> Result<()> {
    let t = m.info(src)?.times;
    m.set_times_of(
        dst,
        Some(t.creation),
        Some(t.last_access),
        Some(t.last_write),
    )
}

/// The link itself: same object kind, same reparse buffer, same attributes.
fn copy_link_raw(m: &mut Machine, dst_dir: NodeId, info: &FileInfo, name: &str) -> Result<()> {
    let raw = m.get_reparse_point_of(info.id)?;
    // S13: a symlink file may hold data; it is copied before anything is created.
    let data = if info.is_directory {
        None
    } else {
        copy_data_of(m, info.id, dst_dir.volume)?
    };
    let new = if info.is_directory {
        m.create_directory_at(dst_dir, name)?.id
    } else {
        m.create_file_at(dst_dir, name, 0)?.id
    };
    if let Err(e) = m.set_reparse_point_of(new, &raw) {
        let _ = m.delete_at(dst_dir, name, Want::Any);
        return Err(e);
    }
    if let Some(data) = data {
        // The buffer went on while the file was empty (S12), the data follows.
        m.set_data_of(new, data)?;
    }
    copy_meta(m, info.id, new)
}

fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('\\') {
        format!("{dir}{name}")
    } else {
        format!("{dir}\\{name}")
    }
}

/// A missing parent of the destination is a missing path (ERROR_PATH_NOT_FOUND).
fn path_error(e: NtError) -> NtError {
    if e == NtError::ObjectNameNotFound {
        NtError::ObjectPathNotFound
    } else {
        e
    }
}
