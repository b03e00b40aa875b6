//! `rd` / `rmdir`: removes an empty directory, or with `/S` a whole tree.
//! A junction or directory symlink is removed as a link: its target stays
//! (J30, S31, J34). `/S` without `/Q` asks first.

use super::{fail, invalid_switch, syntax, CmdResult, Out};
use crate::parse::Invocation;
use crate::typed;
use crate::Shell;

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    let (mut tree, mut quiet) = (false, false);
    for s in &inv.switches {
        match s.as_str() {
            "S" => tree = true,
            "Q" => quiet = true,
            other => return Err(invalid_switch(out, other)),
        }
    }
    if inv.args.is_empty() {
        return Err(syntax(out));
    }
    let mut result = Ok(());
    for path in &inv.args {
        let r = if tree {
            if !quiet && !sh.ask(&format!("{path}, Are you sure (Y/N)? "), out) {
                continue;
            }
            sh.machine.remove_tree(&typed(path)).map(|_| ())
        } else {
            sh.machine.remove_directory(&typed(path))
        };
        if let Err(e) = r {
            result = Err(fail(out, e));
        }
    }
    result
}
