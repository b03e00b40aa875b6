//! `ren` / `rename`: renames within the same directory. The new name has no
//! path. A case-only rename changes the stored case (M1); a name that exists
//! (in any case) is refused (M2).

use super::{fail, fail_text, invalid_switch, syntax, CmdResult, Out};
use crate::parse::Invocation;
use crate::typed;
use crate::Shell;
use ntlinkfs_core::error::NtError;
use ntlinkfs_core::MoveFlags;

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    if let Some(s) = inv.switches.first() {
        return Err(invalid_switch(out, s));
    }
    let [src, new_name] = inv.args.as_slice() else {
        return Err(syntax(out));
    };
    if new_name.contains(['\\', '/', ':']) || new_name.is_empty() {
        return Err(syntax(out));
    }
    let m = &mut sh.machine;
    let full = m.full_path(&typed(src)).map_err(|e| fail(out, e))?;
    let Some(parent) = full.parent() else {
        return Err(syntax(out));
    };
    let target = super::join(&crate::shown_path(&parent), new_name);
    match m.move_file(&typed(src), &typed(&target), MoveFlags::default()) {
        Ok(()) => Ok(()),
        Err(e @ (NtError::ObjectNameCollision | NtError::ObjectNameNotFound)) => Err(fail_text(
            out,
            if e == NtError::ObjectNameCollision {
                "A duplicate file name exists, or the file\ncannot be found."
            } else {
                e.message()
            },
            e,
        )),
        Err(e) => Err(fail(out, e)),
    }
}
