//! Whole-tree operations: `rd /s` and an Explorer-style delete, walked by node id
//! with loop detection (junction cycles are legal on NTFS, STYLE 6.11).

use crate::attrs::FILE_ATTRIBUTE_READONLY;
use crate::error::{NtError, Result};
use crate::handle::Want;
use crate::machine::{Follow, Machine, NodeId};
use crate::reparse::ReparseData;
use std::collections::HashSet;

/// What a recursive delete did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeDeleteReport {
    pub files: usize,
    pub directories: usize,
    /// Junctions and symbolic links removed as links.
    pub links: usize,
    /// Entries deleted inside junction targets (2000/XP Explorer, J34).
    pub deleted_through_junctions: usize,
}

impl Machine {
    /// `rd /s PATH`: deletes a directory tree. Junctions and directory symlinks
    /// inside are removed as links; their targets are untouched (J30, J34).
    /// A link given as PATH itself is removed as a link.
    pub fn remove_tree(&mut self, path: &str) -> Result<TreeDeleteReport> {
        self.delete_tree(path, false)
    }

    /// Explorer's delete of a folder. On Windows 2000/XP (profile) it walks into
    /// junctions and deletes the target's contents before removing the junction
    /// (KB205524, J34); later versions delete only the junction.
    pub fn explorer_delete(&mut self, path: &str) -> Result<TreeDeleteReport> {
        let follow = self.profile.explorer_delete_follows_junctions();
        self.delete_tree(path, follow)
    }

    fn delete_tree(&mut self, path: &str, follow_junctions: bool) -> Result<TreeDeleteReport> {
        let info = self.query_information(path, Follow::OpenReparsePoint)?;
        let mut report = TreeDeleteReport::default();
        if !info.is_directory {
            self.delete_file(path)?;
            report.files += 1;
            return Ok(report);
        }
        if info.reparse_tag.is_some() && !follow_junctions {
            self.remove_directory(path)?;
            report.links += 1;
            return Ok(report);
        }
        let mut visited = HashSet::new();
        if info.reparse_tag.is_some() {
            if let Some(target) = self.junction_target_dir(info.id)? {
                report.deleted_through_junctions +=
                    self.delete_contents(target, true, &mut visited, &mut report, true)?;
            }
            self.remove_directory(path)?;
            report.links += 1;
            return Ok(report);
        }
        self.delete_contents(info.id, follow_junctions, &mut visited, &mut report, false)?;
        self.remove_directory(path)?;
        report.directories += 1;
        Ok(report)
    }

    /// The directory a junction points at, if it resolves to one.
    fn junction_target_dir(&self, id: NodeId) -> Result<Option<NodeId>> {
        let Ok(ReparseData::MountPoint { substitute, .. }) = self.reparse_data_of(id) else {
            return Ok(None);
        };
        let text = String::from_utf16_lossy(&substitute);
        Ok(self
            .query_information(&text, Follow::Reparse)
            .ok()
            .filter(|i| i.is_directory)
            .map(|i| i.id))
    }

    /// Deletes everything inside `dir`; returns how many entries were deleted.
    fn delete_contents(
        &mut self,
        dir: NodeId,
        follow_junctions: bool,
        visited: &mut HashSet<NodeId>,
        report: &mut TreeDeleteReport,
        through_junction: bool,
    ) -> Result<usize> {
        if !visited.insert(dir) {
            return Ok(0); // a junction cycle: already being emptied
        }
        let mut deleted = 0;
        // Explicit stack of (directory, phase) so depth costs no recursion.
        let mut stack: Vec<(NodeId, bool)> = vec![(dir, false)];
        while let Some((d, emptied)) = stack.pop() {
            if emptied {
                continue;
            }
            let entries = self.read_dir(d, None, usize::MAX)?;
            let mut subdirs = Vec::new();
            for e in &entries {
                let name = e.name.to_string_lossy();
                if !e.info.is_directory {
                    if e.info.attributes & FILE_ATTRIBUTE_READONLY != 0 {
                        self.set_attributes_of(
                            e.info.id,
                            e.info.attributes & !FILE_ATTRIBUTE_READONLY,
                        )?;
                    }
                    self.delete_at(d, &name, Want::File)?;
                    report.files += 1;
                    deleted += 1;
                } else if e.info.reparse_tag.is_some() {
                    if follow_junctions {
                        if let Some(target) = self.junction_target_dir(e.info.id)? {
                            if visited.insert(target) {
                                let n = self.delete_contents_inner(target, visited, report)?;
                                report.deleted_through_junctions += n;
                            }
                        }
                    }
                    self.delete_at(d, &name, Want::Directory)?;
                    report.links += 1;
                    deleted += 1;
                } else {
                    subdirs.push((e.info.id, name));
                }
            }
            for (sub, name) in subdirs {
                // Empty the subdirectory first, then remove it.
                if visited.insert(sub) {
                    let n = if follow_junctions {
                        self.delete_contents_inner(sub, visited, report)?
                    } else {
                        self.delete_plain_tree(sub, report)?
                    };
                    deleted += n;
                }
                self.delete_at(d, &name, Want::Directory)?;
                report.directories += 1;
                deleted += 1;
            }
            stack.push((d, true));
        }
        let _ = through_junction;
        Ok(deleted)
    }

    fn delete_contents_inner(
        &mut self,
        dir: NodeId,
        visited: &mut HashSet<NodeId>,
        report: &mut TreeDeleteReport,
    ) -> Result<usize> {
        visited.remove(&dir);
        self.delete_contents(dir, true, visited, report, true)
    }

    /// Deletes a tree below `dir` without following any link.
    fn delete_plain_tree(&mut self, dir: NodeId, report: &mut TreeDeleteReport) -> Result<usize> {
        let mut visited = HashSet::new();
        self.delete_contents(dir, false, &mut visited, report, false)
    }

    /// Every node below `dir` (not following links), depth first, with its Win32
    /// path: for `dir /s`, audits and copies.
    pub fn walk(&self, dir: NodeId) -> Result<Vec<(String, crate::machine::DirEntryInfo)>> {
        let base = self.path_of(dir)?;
        let mut out = Vec::new();
        let mut stack = vec![(dir, base)];
        let mut seen = HashSet::new();
        while let Some((d, path)) = stack.pop() {
            if !seen.insert(d) {
                return Err(NtError::ReparsePointNotResolved);
            }
            let entries = self.read_dir(d, None, usize::MAX)?;
            let mut subdirs = Vec::new();
            for e in entries {
                let sep = if path.ends_with('\\') { "" } else { "\\" };
                let p = format!("{path}{sep}{}", e.name);
                if e.info.is_directory && e.info.reparse_tag.is_none() {
                    subdirs.push((e.info.id, p.clone()));
                }
                out.push((p, e));
            }
            stack.extend(subdirs.into_iter().rev());
        }
        Ok(out)
    }
}
