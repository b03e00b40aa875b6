//! `help`: the commands this shell knows.

use super::{CmdResult, Out, COMMANDS};
use crate::parse::Invocation;
use crate::Shell;

pub(crate) fn run(_sh: &mut Shell, _inv: &Invocation, out: &mut Out) -> CmdResult {
    out.println("Commands (cmd.exe dialect; names are case-insensitive):");
    out.println("");
    for c in COMMANDS {
        out.println(&format!("  {}", c.usage));
    }
    out.println("");
    out.println("  X:                         Switches to drive X.");
    out.println("  REM text, :: text          Comments.  EXIT leaves the shell.");
    out.println("  cmd > file, >> file        Redirects output; & && || chain commands.");
    Ok(())
}
