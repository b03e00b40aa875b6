//! `copy`: copies files. A symbolic link source copies its target's data into
//! a regular file (S37); an existing destination that is a symbolic link has
//! its *target* replaced and stays a link (S38). As in a batch file, an
//! existing destination is overwritten without asking. Several sources (a
//! wildcard or a directory) copy into a directory, or are joined into one file.

use super::{fail, has_wildcards, invalid_switch, join, syntax, wildcard_match};
use super::{CmdResult, Out};
use crate::parse::Invocation;
use crate::shown;
use crate::typed;
use crate::{Failure, Shell};
use ntlinkfs_core::error::NtError;
use ntlinkfs_core::{Follow, Machine};

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    for s in &inv.switches {
        // /Y and /-Y (prompting) and /B, /V (binary, verify) change nothing here.
        if !matches!(s.as_str(), "Y" | "-Y" | "B" | "V") {
            return Err(invalid_switch(out, s));
        }
    }
    let (src, dst) = match inv.args.as_slice() {
        [s] => (s.as_str(), "."),
        [s, d] => (s.as_str(), d.as_str()),
        _ => return Err(syntax(out)),
    };
    let m = &mut sh.machine;
    let sources = match sources(m, src) {
        Ok(s) => s,
        Err(e) => return Err(zero_copied(out, e)),
    };
    if sources.is_empty() {
        return Err(zero_copied(out, NtError::ObjectNameNotFound));
    }
    let dst_is_dir = m
        .query_information(&typed(dst), Follow::Reparse)
        .is_ok_and(|i| i.is_directory);
    let many = sources.len() > 1 || has_wildcards(src) || is_dir(m, src);
    if !dst_is_dir && many {
        return concatenate(m, &sources, dst, out);
    }
    let mut copied = 0;
    for (shown, path, name) in &sources {
        let target = if dst_is_dir {
            join(dst, name)
        } else {
            dst.to_string()
        };
        if many {
            out.println(shown);
        }
        if same_file(m, path, &target) {
            out.eprintln("The file cannot be copied onto itself.");
            out.println(&format!("{copied:>9} file(s) copied."));
            return Err(Failure::shell("the file cannot be copied onto itself"));
        }
        let r = m
            .read_file(&typed(path))
            .and_then(|data| m.write_file(&typed(&target), &data));
        if let Err(e) = r {
            return Err(zero_copied_n(out, e, copied));
        }
        copied += 1;
    }
    out.println(&format!("{copied:>9} file(s) copied."));
    Ok(())
}

fn is_dir(m: &Machine, path: &str) -> bool {
    m.query_information(&typed(path), Follow::Reparse)
        .is_ok_and(|i| i.is_directory)
}

/// The files a source names: (name as printed, path, file name).
fn sources(m: &Machine, src: &str) -> Result<Vec<(String, String, String)>, NtError> {
    let wild = has_wildcards(src);
    if !wild && !is_dir(m, src) {
        let full = m.full_path(&typed(src))?;
        let name = full.components.last().map(shown).unwrap_or_default();
        return Ok(vec![(src.to_string(), src.to_string(), name)]);
    }
    let (dir, typed_dir, pattern) = if wild {
        let cut = src.rfind(['\\', '/']).map_or(0, |i| i + 1);
        let full = m.full_path(&typed(src))?;
        let parent = crate::shown_path(&full.parent().unwrap_or_else(|| full.clone()));
        (parent, src[..cut].to_string(), src[cut..].to_string())
    } else {
        (src.to_string(), join(src, ""), "*".to_string())
    };
    Ok(m.enumerate(&typed(&dir))?
        .into_iter()
        .filter(|e| !e.info.is_directory)
        .map(|e| shown(&e.name))
        .filter(|n| wildcard_match(&pattern, n))
        .map(|n| (format!("{typed_dir}{n}"), join(&dir, &n), n))
        .collect())
}

fn same_file(m: &Machine, a: &str, b: &str) -> bool {
    match (
        m.query_information(&typed(a), Follow::Reparse),
        m.query_information(&typed(b), Follow::Reparse),
    ) {
        (Ok(x), Ok(y)) => x.id == y.id,
        _ => false,
    }
}

/// `copy a* b.txt`: the sources joined into one file.
fn concatenate(
    m: &mut Machine,
    sources: &[(String, String, String)],
    dst: &str,
    out: &mut Out,
) -> CmdResult {
    let mut data = Vec::new();
    for (shown, path, _) in sources {
        out.println(shown);
        match m.read_file(&typed(path)) {
            Ok(d) => data.extend_from_slice(&d),
            Err(e) => return Err(zero_copied(out, e)),
        }
    }
    m.write_file(&typed(dst), &data)
        .map_err(|e| zero_copied(out, e))?;
    out.println(&format!("{:>9} file(s) copied.", 1));
    Ok(())
}

/// cmd prints the error, then how many files it copied.
fn zero_copied(out: &mut Out, e: NtError) -> Failure {
    zero_copied_n(out, e, 0)
}

fn zero_copied_n(out: &mut Out, e: NtError, n: usize) -> Failure {
    let f = fail(out, e);
    out.println(&format!("{n:>9} file(s) copied."));
    f
}
