//! `vol`: the label and serial number of a drive.

use super::{fail_text, invalid_switch, syntax, CmdResult, Out};
use crate::parse::{drive_switch, Invocation};
use crate::Shell;
use ntlinkfs_core::error::NtError;
use ntlinkfs_core::Machine;

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    if let Some(s) = inv.switches.first() {
        return Err(invalid_switch(out, s));
    }
    let letter = match inv.args.as_slice() {
        [] => sh.machine.current_drive(),
        [d] => drive_switch(d).ok_or_else(|| syntax(out))?,
        _ => return Err(syntax(out)),
    };
    match volume_header(&sh.machine, letter) {
        Some(text) => {
            out.print(&text);
            Ok(())
        }
        None => Err(fail_text(
            out,
            "The system cannot find the drive specified.",
            NtError::ObjectPathNotFound,
        )),
    }
}

/// The two lines `vol` and `dir` start with.
pub(crate) fn volume_header(m: &Machine, letter: char) -> Option<String> {
    let id = m.volume_by_letter(letter as u8)?;
    let v = m.volume_info(id);
    let label = if v.label.is_empty() {
        format!(" Volume in drive {} has no label.", v.letter)
    } else {
        format!(" Volume in drive {} is {}", v.letter, v.label)
    };
    Some(format!(
        "{label}\n Volume Serial Number is {:04X}-{:04X}\n",
        v.serial >> 16,
        v.serial & 0xFFFF
    ))
}
