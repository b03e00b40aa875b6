//! Whole-tree operations: `rd /s` and an Explorer-style delete, walked by node id
//! with loop detection (junction cycles are legal on NTFS, STYLE 6.11).

use crate::attrs::FILE_ATTRIBUTE_READONLY;
use crate::error::{NtError, Result};
use crate::handle::Want;
use crate::machine::{Follow, Machine, NodeId};
use crate::path::PathUnits;
use crate::reparse::ReparseData;
use std::collections::HashSet;

/// One planned change of a tree delete.
#[derive(Debug)]
enum Step {
    ClearReadOnly {
        id: NodeId,
        attributes: u32,
    },
    Remove {
        dir: NodeId,
        name: String,
        id: NodeId,
        want: Want,
        count: Count,
        through: bool,
    },
}

/// Which report counter a removal adds to.
#[derive(Debug, Clone, Copy)]
enum Count {
    File,
    Directory,
    Link,
}

/// What a recursive delete did.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TreeDeleteReport {
    /// Files deleted (one name each).
    pub files: usize,
    /// Directories removed.
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
    pub fn remove_tree(&mut self, path: &(impl PathUnits + ?Sized)) -> Result<TreeDeleteReport> {
        self.delete_tree(path, false)
    }

    /// Explorer's delete of a folder. On Windows 2000/XP (profile) it walks into
    /// junctions and deletes the target's contents before removing the junction
    /// (KB205524, J34); later versions delete only the junction.
    pub fn explorer_delete(
        &mut self,
        path: &(impl PathUnits + ?Sized),
    ) -> Result<TreeDeleteReport> {
        let follow = self.profile.explorer_delete_follows_junctions();
        self.delete_tree(path, follow)
    }

    /// Plans the whole delete, validates every step against the current state,
    /// then carries it out: a tree delete that cannot finish changes nothing
    /// (STYLE 6.10), where Windows would stop half way.
    fn delete_tree(
        &mut self,
        path: &(impl PathUnits + ?Sized),
        follow_junctions: bool,
    ) -> Result<TreeDeleteReport> {
        let info = self.query_information(&path, Follow::OpenReparsePoint)?;
        let mut report = TreeDeleteReport::default();
        if !info.is_directory {
            self.delete_file(&path)?;
            report.files += 1;
            return Ok(report);
        }
        let r = self.resolve_str(path, Follow::OpenReparsePoint)?;
        let (Some(parent), Some(name)) = (r.parent, r.name.clone()) else {
            return Err(NtError::CannotDelete); // a volume root
        };
        let parent = self.node_id(r.vol, parent);
        let mut steps = Vec::new();
        let mut visited = HashSet::new();
        let is_link = info.reparse_tag.is_some() && !self.is_plain_directory(info.id)?;
        if is_link {
            if follow_junctions {
                if let Some(target) = self.junction_target_dir(info.id)? {
                    visited.insert(target);
                    self.plan_contents(target, true, true, &mut visited, &mut steps)?;
                }
            }
        } else {
            visited.insert(info.id);
            self.plan_contents(info.id, follow_junctions, false, &mut visited, &mut steps)?;
        }
        steps.push(Step::Remove {
            dir: parent,
            name: name.to_string_lossy(),
            id: info.id,
            want: Want::Directory,
            count: if is_link {
                Count::Link
            } else {
                Count::Directory
            },
            through: false,
        });
        for step in &steps {
            self.check_step(step)?;
        }
        for step in steps {
            self.run_step(step, &mut report)?;
        }
        Ok(report)
    }

    /// A directory whose reparse point has the directory bit (R20) is entered
    /// like any directory; every other reparse point is a link.
    fn is_plain_directory(&self, id: NodeId) -> Result<bool> {
        Ok(match self.reparse_data_of(id) {
            Ok(d) => d.tag().is_directory_bit(),
            Err(_) => true,
        })
    }

    /// The steps that empty `dir`, children before their parents, loop-safe.
    fn plan_contents(
        &self,
        dir: NodeId,
        follow_junctions: bool,
        through: bool,
        visited: &mut HashSet<NodeId>,
        steps: &mut Vec<Step>,
    ) -> Result<()> {
        // Explicit stack: depth costs no recursion. `Emit` waits below the
        // `Enter` of the directory it removes, so children come first.
        enum Task {
            Enter(NodeId, bool),
            Emit(Step),
        }
        let mut tasks = vec![Task::Enter(dir, through)];
        while let Some(task) = tasks.pop() {
            let (d, through) = match task {
                Task::Emit(step) => {
                    steps.push(step);
                    continue;
                }
                Task::Enter(d, t) => (d, t),
            };
            for e in self.read_dir(d, None, usize::MAX)?.into_iter().rev() {
                let name = e.name.to_string_lossy();
                let id = e.info.id;
                if !e.info.is_directory {
                    let read_only = e.info.attributes & FILE_ATTRIBUTE_READONLY != 0;
                    tasks.push(Task::Emit(Step::Remove {
                        dir: d,
                        name,
                        id,
                        want: Want::File,
                        count: Count::File,
                        through,
                    }));
                    if read_only {
                        // Pushed last, popped first: cleared, then deleted.
                        tasks.push(Task::Emit(Step::ClearReadOnly {
                            id,
                            attributes: e.info.attributes & !FILE_ATTRIBUTE_READONLY,
                        }));
                    }
                    continue;
                }
                if e.info.reparse_tag.is_some() && !self.is_plain_directory(id)? {
                    tasks.push(Task::Emit(Step::Remove {
                        dir: d,
                        name,
                        id,
                        want: Want::Directory,
                        count: Count::Link,
                        through,
                    }));
                    if follow_junctions {
                        if let Some(target) = self.junction_target_dir(id)? {
                            if visited.insert(target) {
                                tasks.push(Task::Enter(target, true));
                            }
                        }
                    }
                    continue;
                }
                // A directory already being emptied higher up (a junction cycle)
                // is left to that level.
                if visited.insert(id) {
                    tasks.push(Task::Emit(Step::Remove {
                        dir: d,
                        name,
                        id,
                        want: Want::Directory,
                        count: Count::Directory,
                        through,
                    }));
                    tasks.push(Task::Enter(id, through));
                }
            }
        }
        Ok(())
    }

    /// What would stop a step when its turn comes: a name pending delete, or a
    /// handle that does not share delete (M9, M5).
    fn check_step(&self, step: &Step) -> Result<()> {
        let Step::Remove { dir, name, id, .. } = step else {
            return Ok(());
        };
        let e = self.lookup(*dir, name)?;
        if e.delete_pending {
            return Err(NtError::DeletePending);
        }
        let rec = self.record_of(*id)?;
        self.check_no_exclusive_handles(id.volume, rec)
    }

    fn run_step(&mut self, step: Step, report: &mut TreeDeleteReport) -> Result<()> {
        match step {
            Step::ClearReadOnly { id, attributes } => self.set_attributes_of(id, attributes),
            Step::Remove {
                dir,
                name,
                want,
                count,
                through,
                ..
            } => {
                self.delete_at(dir, &name, want)?;
                match count {
                    Count::File => report.files += 1,
                    Count::Directory => report.directories += 1,
                    Count::Link => report.links += 1,
                }
                if through {
                    report.deleted_through_junctions += 1;
                }
                Ok(())
            }
        }
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

    /// The directories `del /s DIR\PATTERN` looks in, in the order it does:
    /// DIR (links on its path followed), then depth first each subdirectory.
    /// A junction or directory symlink is entered only where the profile's
    /// `del /s` walked into them (2000/XP, J34, KB205524), and each directory
    /// once (junction cycles). Directories that cannot be listed are left out.
    pub fn del_s_directories(&self, dir: &str) -> Result<Vec<String>> {
        let follow_links = self.profile.explorer_delete_follows_junctions();
        let first = self.query_information(dir, Follow::Reparse)?;
        if !first.is_directory {
            return Err(NtError::NotADirectory);
        }
        let mut out = Vec::new();
        let mut seen = HashSet::new();
        let mut stack = vec![(first.id, dir.to_string())];
        while let Some((id, path)) = stack.pop() {
            if !seen.insert(id) {
                continue;
            }
            let Ok(entries) = self.read_dir(id, None, usize::MAX) else {
                continue;
            };
            let mut subdirs = Vec::new();
            for e in entries {
                if !e.info.is_directory {
                    continue;
                }
                let sep = if path.ends_with('\\') { "" } else { "\\" };
                let sub = format!("{path}{sep}{}", e.name);
                if enters(&e.info) {
                    subdirs.push((e.info.id, sub));
                } else if follow_links {
                    if let Ok(target) = self.query_information(&sub, Follow::Reparse) {
                        if target.is_directory {
                            subdirs.push((target.id, sub));
                        }
                    }
                }
            }
            out.push(path);
            stack.extend(subdirs.into_iter().rev());
        }
        Ok(out)
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
                if enters(&e.info) {
                    subdirs.push((e.info.id, p.clone()));
                }
                out.push((p, e));
            }
            stack.extend(subdirs.into_iter().rev());
        }
        Ok(out)
    }
}

/// Whether a walk goes into this entry: a directory without a reparse point, or
/// one whose tag has the directory bit (its children are reachable, R20).
pub(crate) fn enters(info: &crate::machine::FileInfo) -> bool {
    info.is_directory
        && info
            .reparse_tag
            .is_none_or(|t| crate::reparse::ReparseTag(t).is_directory_bit())
}
