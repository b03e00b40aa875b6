//! `move`: moves or renames a file or directory with MoveFileEx. A link is
//! moved itself, its target untouched (S35, M8); a file may move to another
//! volume, a directory may not (M6: "Access is denied."). As in a batch file,
//! an existing file at the destination is replaced without asking.

use super::{fail, invalid_switch, join, syntax, CmdResult, Out};
use crate::parse::Invocation;
use crate::shown;
use crate::typed;
use crate::Shell;
use ntlinkfs_core::Follow;
use ntlinkfs_core::MoveFlags;

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    for s in &inv.switches {
        if !matches!(s.as_str(), "Y" | "-Y") {
            return Err(invalid_switch(out, s));
        }
    }
    let [src, dst] = inv.args.as_slice() else {
        return Err(syntax(out));
    };
    let m = &mut sh.machine;
    let src_info = m
        .query_information(&typed(src), Follow::OpenReparsePoint)
        .map_err(|e| fail(out, e))?;
    let full = m.full_path(&typed(src)).map_err(|e| fail(out, e))?;
    let name = full.components.last().map(shown).unwrap_or_default();
    // Into an existing directory (links followed), keeping the name.
    let into_dir = m
        .query_information(&typed(dst), Follow::Reparse)
        .is_ok_and(|i| i.is_directory);
    let target = if into_dir && !same_object(m, src, dst) {
        join(dst, &name)
    } else {
        dst.to_string()
    };
    // cmd's move is MoveFileEx with MOVEFILE_COPY_ALLOWED: a directory bound
    // for another volume fails "Access is denied." (M6).
    let flags = MoveFlags {
        replace_existing: true,
        copy_allowed: true,
    };
    let what = if src_info.is_directory {
        "dir(s)"
    } else {
        "file(s)"
    };
    // After a failed move of an existing source cmd also counts what it moved.
    if let Err(e) = m.move_file(&typed(src), &typed(&target), flags) {
        let f = fail(out, e);
        out.println(&format!("{:>9} {what} moved.", 0));
        return Err(f);
    }
    out.println(&format!("{:>9} {what} moved.", 1));
    Ok(())
}

/// `move a A` renames in place: the destination names the source itself.
fn same_object(m: &ntlinkfs_core::Machine, a: &str, b: &str) -> bool {
    match (
        m.query_information(&typed(a), Follow::OpenReparsePoint),
        m.query_information(&typed(b), Follow::OpenReparsePoint),
    ) {
        (Ok(x), Ok(y)) => x.id == y.id,
        _ => false,
    }
}
