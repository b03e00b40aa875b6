//! `dir`: lists a directory as cmd.exe does, with the volume header, one line
//! per entry (`<DIR>`, `<JUNCTION>`, `<SYMLINK>`, `<SYMLINKD>` and the link's
//! `[target]`, J40), and the File(s)/Dir(s) summary. `/A[attrs]` filters by
//! attribute (default: hidden and system entries are left out), `/B` prints
//! bare names, `/S` recurses into subdirectories (never into junctions or
//! directory symlinks, which are listed but not entered).

use super::vol::volume_header;
use super::{
    commas, fail, format_time, has_wildcards, invalid_switch, join, wildcard_match, CmdResult, Out,
};
use crate::parse::Invocation;
use crate::shown;
use crate::typed;
use crate::{Failure, Shell};
use ntlinkfs_core::attrs::{
    FileTime, FILE_ATTRIBUTE_ARCHIVE, FILE_ATTRIBUTE_DIRECTORY, FILE_ATTRIBUTE_HIDDEN,
    FILE_ATTRIBUTE_READONLY, FILE_ATTRIBUTE_REPARSE_POINT, FILE_ATTRIBUTE_SYSTEM,
};
use ntlinkfs_core::error::NtError;
use ntlinkfs_core::path::FullPath;
use ntlinkfs_core::reparse::{ReparseTag, IO_REPARSE_TAG_MOUNT_POINT, IO_REPARSE_TAG_SYMLINK};
use ntlinkfs_core::{Follow, Machine};

/// `/A` conditions: (attribute mask, wanted). Empty with `all` set is `/A`.
#[derive(Debug, Clone, Default)]
struct AttrFilter {
    all: bool,
    conds: Vec<(u32, bool)>,
}

impl AttrFilter {
    fn parse(spec: &str) -> Option<AttrFilter> {
        let spec = spec.strip_prefix(':').unwrap_or(spec);
        let mut f = AttrFilter {
            all: true,
            conds: Vec::new(),
        };
        let mut negate = false;
        for c in spec.chars() {
            let mask = match c.to_ascii_uppercase() {
                '-' => {
                    negate = true;
                    continue;
                }
                'D' => FILE_ATTRIBUTE_DIRECTORY,
                'H' => FILE_ATTRIBUTE_HIDDEN,
                'S' => FILE_ATTRIBUTE_SYSTEM,
                'R' => FILE_ATTRIBUTE_READONLY,
                'A' => FILE_ATTRIBUTE_ARCHIVE,
                'L' => FILE_ATTRIBUTE_REPARSE_POINT,
                _ => return None,
            };
            f.conds.push((mask, !negate));
            negate = false;
        }
        Some(f)
    }

    fn matches(&self, attributes: u32) -> bool {
        if !self.all && attributes & (FILE_ATTRIBUTE_HIDDEN | FILE_ATTRIBUTE_SYSTEM) != 0 {
            return false;
        }
        self.conds
            .iter()
            .all(|&(mask, want)| (attributes & mask != 0) == want)
    }
}

#[derive(Debug, Default)]
struct Options {
    bare: bool,
    recurse: bool,
    filter: AttrFilter,
}

#[derive(Debug, Default)]
struct Totals {
    files: u64,
    bytes: u64,
    dirs: u64,
}

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    let mut opts = Options::default();
    for s in &inv.switches {
        match s.as_str() {
            "B" => opts.bare = true,
            "S" => opts.recurse = true,
            a if a.starts_with('A') => {
                opts.filter = AttrFilter::parse(&a[1..]).ok_or_else(|| {
                    let spec = a[1..].trim_start_matches(':');
                    out.eprintln(&format!("Parameter format not correct - \"{spec}\"."));
                    Failure::shell(format!("bad attribute filter /{a}"))
                })?;
            }
            other => return Err(invalid_switch(out, other)),
        }
    }
    let targets = if inv.args.is_empty() {
        vec![".".to_string()]
    } else {
        inv.args.clone()
    };
    let m = &sh.machine;
    let mut result = Ok(());
    for (i, target) in targets.iter().enumerate() {
        if let Err(f) = list_target(m, target, &opts, i == 0, out) {
            result = Err(f);
        }
    }
    result
}

/// Lists one argument: a directory's contents, or the entries of its parent
/// that match a name or a wildcard pattern.
fn list_target(m: &Machine, target: &str, opts: &Options, first: bool, out: &mut Out) -> CmdResult {
    let full = m.full_path(&typed(target)).map_err(|e| fail(out, e))?;
    let (dir, pattern) = split_target(m, target, &full);
    if first && !opts.bare {
        if let Some(letter) = full.drive() {
            if let Some(h) = volume_header(m, letter as char) {
                out.print(&h);
            }
        }
    }
    let mut totals = Totals::default();
    let mut listed_any = false;
    let mut stack = vec![crate::shown_path(&dir)];
    let mut first_dir = true;
    while let Some(dir_text) = stack.pop() {
        let entries = match m.enumerate(&typed(&dir_text)) {
            Ok(e) => e,
            // A directory that refuses listing (J42: the compatibility
            // junctions deny it to Everyone): FindFirstFileW fails with
            // ERROR_ACCESS_DENIED and dir says "File Not Found" under the
            // directory's header, as for an empty match.
            Err(NtError::AccessDenied) if first_dir => {
                if !opts.bare {
                    out.println("");
                    out.println(&format!(" Directory of {dir_text}"));
                    out.println("");
                }
                out.eprintln("File Not Found");
                return Err(Failure::nt(NtError::AccessDenied));
            }
            Err(e) if first_dir => {
                if !opts.bare {
                    out.println("");
                }
                return Err(fail(out, listing_error(e, &pattern)));
            }
            Err(_) => continue,
        };
        first_dir = false;
        let mut lines = Vec::new();
        let mut here = Totals::default();
        let is_root = m
            .full_path(&typed(&dir_text))
            .map(|p| p.components.is_empty())
            .unwrap_or(true);
        // `.` and `..` are listed (and counted) except at a root and with /B.
        let dots = !is_root && !opts.bare && wildcard_match(&pattern, ".");
        if dots && opts.filter.matches(FILE_ATTRIBUTE_DIRECTORY) {
            for (dot, path) in [(".", dir_text.clone()), ("..", parent_text(m, &dir_text))] {
                let t = m
                    .query_information(&typed(&path), Follow::Reparse)
                    .map(|i| i.times.last_write)
                    .unwrap_or_default();
                here.dirs += 1;
                lines.push(entry_line(t, "<DIR>", dot));
            }
        }
        let mut subdirs = Vec::new();
        for e in &entries {
            let name = shown(&e.name);
            let i = &e.info;
            if i.is_directory && i.reparse_tag.is_none() {
                subdirs.push(join(&dir_text, &name));
            }
            if !wildcard_match(&pattern, &name) || !opts.filter.matches(i.attributes) {
                continue;
            }
            let link = link_column(m, i.id, i.reparse_tag, i.is_directory);
            if opts.bare {
                lines.push(if opts.recurse {
                    join(&dir_text, &name)
                } else {
                    name.clone()
                });
            } else {
                let t = i.times.last_write;
                lines.push(match &link {
                    Some((col, target)) => entry_line(t, col, &format!("{name} [{target}]")),
                    None if i.is_directory => entry_line(t, "<DIR>", &name),
                    None => size_line(t, i.size, &name),
                });
            }
            match (&link, i.is_directory) {
                (_, true) => here.dirs += 1,
                (Some(_), false) => here.files += 1, // a file symlink counts 0 bytes
                (None, false) => {
                    here.files += 1;
                    here.bytes += i.size;
                }
            }
        }
        let matched = here.files + here.dirs > 0;
        if matched {
            listed_any = true;
            if !opts.bare {
                out.println("");
                out.println(&format!(" Directory of {dir_text}"));
                out.println("");
            }
            for l in lines {
                out.println(&l);
            }
            if !opts.bare {
                out.println(&files_line(here.files, here.bytes));
                if !opts.recurse {
                    out.println(&dirs_line(m, &full, here.dirs));
                }
            }
        }
        totals.files += here.files;
        totals.bytes += here.bytes;
        totals.dirs += here.dirs;
        if opts.recurse {
            stack.extend(subdirs.into_iter().rev());
        }
    }
    if !listed_any {
        if !opts.bare {
            out.println("");
            out.println(&format!(" Directory of {}", crate::shown_path(&dir)));
            out.println("");
        }
        out.eprintln("File Not Found");
        return Err(Failure::nt(NtError::ObjectNameNotFound));
    }
    if opts.recurse && !opts.bare {
        out.println("");
        out.println("     Total Files Listed:");
        out.println(&files_line(totals.files, totals.bytes));
        out.println(&dirs_line(m, &full, totals.dirs));
    }
    Ok(())
}

/// The directory to enumerate and the pattern its entries must match.
fn split_target(m: &Machine, target: &str, full: &FullPath) -> (FullPath, String) {
    let last = full.components.last().map(shown).unwrap_or_default();
    let parent = || full.parent().unwrap_or_else(|| full.clone());
    if full.components.is_empty() {
        return (full.clone(), "*".into());
    }
    if has_wildcards(target) {
        return (parent(), last);
    }
    // A directory, junction or directory symlink is listed (links followed);
    // anything else is looked for by name in its parent.
    match m.query_information(&typed(target), Follow::OpenReparsePoint) {
        Ok(i) if i.is_directory => (full.clone(), "*".into()),
        _ => (parent(), last),
    }
}

/// FindFirstFile(`dir\pattern`) in a missing directory fails "path not found".
fn listing_error(e: NtError, pattern: &str) -> NtError {
    match e {
        NtError::ObjectNameNotFound if pattern != "*" => NtError::ObjectPathNotFound,
        other => other,
    }
}

fn parent_text(m: &Machine, dir: &str) -> String {
    m.full_path(&typed(dir))
        .ok()
        .and_then(|p| p.parent())
        .map(|p| crate::shown_path(&p))
        .unwrap_or_else(|| dir.to_string())
}

/// `<JUNCTION>` and its print name (the substitute name when the print name is
/// empty), `<SYMLINK>`/`<SYMLINKD>` and the target (J40).
fn link_column(
    m: &Machine,
    id: ntlinkfs_core::NodeId,
    tag: Option<u32>,
    is_dir: bool,
) -> Option<(&'static str, String)> {
    let col = match (tag?, is_dir) {
        (IO_REPARSE_TAG_MOUNT_POINT, _) => "<JUNCTION>",
        (IO_REPARSE_TAG_SYMLINK, true) => "<SYMLINKD>",
        (IO_REPARSE_TAG_SYMLINK, false) => "<SYMLINK>",
        // Any other name surrogate (a WSL symlink, IO_REPARSE_TAG_LX_SYMLINK):
        // cmd shows it as a junction whose target it cannot read, `[...]`
        // (Trail of Bits, "Why Windows can't follow WSL symlinks", 2024).
        (t, _) if ReparseTag(t).is_name_surrogate() => {
            return Some(("<JUNCTION>", "...".to_string()))
        }
        _ => return None,
    };
    let data = m.reparse_data_of(id).ok()?;
    // Exact units, shown with `%U+hhhh%` like names (N3).
    let print = data.print_units().unwrap_or_default();
    let target = if print.is_empty() {
        data.substitute_units().unwrap_or_default()
    } else {
        print
    };
    let target = ntlinkfs_core::wtf::escape(target);
    Some((col, target))
}

fn entry_line(t: FileTime, column: &str, name: &str) -> String {
    format!("{}    {column:<14} {name}", format_time(t))
}

fn size_line(t: FileTime, size: u64, name: &str) -> String {
    format!("{}    {:>14} {name}", format_time(t), commas(size))
}

fn files_line(files: u64, bytes: u64) -> String {
    format!("{files:>16} File(s) {:>14} bytes", commas(bytes))
}

fn dirs_line(m: &Machine, full: &FullPath, dirs: u64) -> String {
    // The volume's free space: its size less the bytes stored (space.rs).
    let free = full
        .drive()
        .and_then(|d| m.volume_by_letter(d))
        .map(|id| m.volume_info(id))
        .map_or(ntlinkfs_core::space::DEFAULT_VOLUME_SIZE, |v| {
            v.size.saturating_sub(v.bytes)
        });
    format!("{dirs:>16} Dir(s) {:>15} bytes free", commas(free))
}
