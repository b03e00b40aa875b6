//! `type`: prints a file, links followed (S20). A directory is refused as
//! cmd refuses it.

use super::{fail, invalid_switch, syntax, CmdResult, Out};
use crate::parse::Invocation;
use crate::typed;
use crate::Shell;
use ntlinkfs_core::error::NtError;

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    if let Some(s) = inv.switches.first() {
        return Err(invalid_switch(out, s));
    }
    let [path] = inv.args.as_slice() else {
        return Err(syntax(out));
    };
    // `type nul` prints nothing (N10).
    if sh
        .machine
        .full_path(&typed(path))
        .is_ok_and(|p| p.root == ntlinkfs_core::path::Root::Device("NUL".into()))
    {
        return Ok(());
    }
    match sh.machine.read_file(&typed(path)) {
        Ok(bytes) => {
            let text = String::from_utf8_lossy(&bytes).replace("\r\n", "\n");
            out.print(&text);
            Ok(())
        }
        // `type dir` says "Access is denied."
        Err(NtError::FileIsADirectory) => Err(fail(out, NtError::FileIsADirectory)),
        Err(e) => Err(fail(out, e)),
    }
}
