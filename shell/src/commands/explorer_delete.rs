//! `explorer-delete`: deletes a file or folder as Explorer does. On Windows
//! 2000/XP (profile) Explorer walks into junctions and deletes the target's
//! contents too (J34, KB205524); later versions remove only the junction.

use super::{fail, invalid_switch, syntax, CmdResult, Out};
use crate::parse::Invocation;
use crate::typed;
use crate::Shell;

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    if let Some(s) = inv.switches.first() {
        return Err(invalid_switch(out, s));
    }
    let [path] = inv.args.as_slice() else {
        return Err(syntax(out));
    };
    let r = sh
        .machine
        .explorer_delete(&typed(path))
        .map_err(|e| fail(out, e))?;
    out.println(&format!(
        "Deleted {path}: {} file(s), {} folder(s), {} link(s); {} item(s) deleted inside junction targets.",
        r.files, r.directories, r.links, r.deleted_through_junctions
    ));
    Ok(())
}
