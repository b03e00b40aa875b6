//! `del` / `erase`: deletes files. A name is deleted itself, never a link's
//! target (S30); a directory name (a junction's too) means every file inside
//! it, as cmd.exe reads `del dir` as `del dir\*`. `/S` also deletes matches in
//! subdirectories, in the directories the core's `del_s_directories` gives:
//! into junctions only where the profile's `del /s` did (2000/XP, J34,
//! KB205524). `/F` deletes read-only files (HL34).

use super::{fail, fail_text, has_wildcards, invalid_switch, join, syntax, wildcard_match};
use super::{CmdResult, Out};
use crate::parse::Invocation;
use crate::shown;
use crate::typed;
use crate::Shell;
use ntlinkfs_core::attrs::FILE_ATTRIBUTE_READONLY;
use ntlinkfs_core::error::NtError;
use ntlinkfs_core::{Follow, Machine};

#[derive(Debug, Clone, Copy, Default)]
struct Options {
    force: bool,
    recurse: bool,
    quiet: bool,
}

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    let mut o = Options::default();
    for s in &inv.switches {
        match s.as_str() {
            "F" => o.force = true,
            "S" => o.recurse = true,
            "Q" => o.quiet = true,
            other => return Err(invalid_switch(out, other)),
        }
    }
    if inv.args.is_empty() {
        return Err(syntax(out));
    }
    let mut result = Ok(());
    for name in &inv.args {
        if let Err(f) = delete_arg(sh, name, o, out) {
            result = Err(f);
        }
    }
    result
}

fn delete_arg(sh: &mut Shell, name: &str, o: Options, out: &mut Out) -> CmdResult {
    let full = sh
        .machine
        .full_path(&typed(name))
        .map_err(|e| fail(out, e))?;
    let is_dir = full.components.is_empty()
        || sh
            .machine
            .query_information(&typed(name), Follow::OpenReparsePoint)
            .is_ok_and(|i| i.is_directory);
    let (dir, pattern) = if is_dir {
        (crate::shown_path(&full), "*".to_string())
    } else if has_wildcards(name) || o.recurse {
        let last = full.components.last().map(shown).unwrap_or_default();
        let parent = crate::shown_path(&full.parent().unwrap_or_else(|| full.clone()));
        (parent, last)
    } else {
        return delete_one(&mut sh.machine, &crate::shown_path(&full), o, false, out).map(|_| ());
    };
    if (pattern == "*" || pattern == "*.*") && !o.quiet {
        let q = format!("{}, Are you sure (Y/N)? ", join(&dir, &pattern));
        if !sh.ask(&q, out) {
            return Ok(());
        }
    }
    // With /S the core says which directories del walks (J34: into junctions
    // on 2000/XP only); without it, just DIR.
    let dirs = if o.recurse {
        match sh.machine.del_s_directories(&dir) {
            Ok(dirs) => dirs,
            Err(NtError::ObjectNameNotFound | NtError::ObjectPathNotFound) => Vec::new(),
            Err(e) => return Err(fail(out, e)),
        }
    } else {
        vec![dir.clone()]
    };
    let mut deleted = 0usize;
    let mut result = Ok(());
    for d in dirs {
        if sh
            .machine
            .query_information(&typed(&d), Follow::Reparse)
            .is_err()
        {
            continue; // nothing there: "Could Not Find" below
        }
        let entries = match sh.machine.enumerate(&typed(&d)) {
            Ok(e) => e,
            Err(e) if d == dir => return Err(fail(out, e)),
            Err(_) => continue,
        };
        for e in entries {
            let n = shown(&e.name);
            if e.info.is_directory || !wildcard_match(&pattern, &n) {
                continue;
            }
            match delete_one(&mut sh.machine, &join(&d, &n), o, true, out) {
                Ok(()) => deleted += 1,
                Err(f) => result = Err(f),
            }
        }
    }
    if deleted == 0 && result.is_ok() && (o.recurse || has_wildcards(name)) {
        return Err(fail_text(
            out,
            &format!("Could Not Find {}", join(&dir, &pattern)),
            NtError::ObjectNameNotFound,
        ));
    }
    result
}

/// Deletes one file name; `listed` prints `Deleted file - …` with `/S`.
fn delete_one(m: &mut Machine, path: &str, o: Options, listed: bool, out: &mut Out) -> CmdResult {
    let mut r = m.delete_file(&typed(path));
    if r == Err(NtError::CannotDelete) && o.force {
        let attrs = m.get_file_attributes(&typed(path)).unwrap_or(0);
        r = m
            .set_file_attributes(&typed(path), attrs & !FILE_ATTRIBUTE_READONLY)
            .and_then(|()| m.delete_file(&typed(path)));
    }
    match r {
        Ok(()) => {
            if listed && o.recurse {
                out.println(&format!("Deleted file - {path}"));
            }
            Ok(())
        }
        Err(e @ (NtError::ObjectNameNotFound | NtError::ObjectPathNotFound)) => {
            Err(fail_text(out, &format!("Could Not Find {path}"), e))
        }
        Err(e @ (NtError::CannotDelete | NtError::AccessDenied | NtError::FileIsADirectory)) => {
            out.eprintln(path);
            Err(fail(out, e))
        }
        Err(e) => Err(fail(out, e)),
    }
}
