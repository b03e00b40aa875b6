//! `ver`: the Windows version of the profile, as cmd.exe prints it.

use super::{invalid_switch, syntax, CmdResult, Out};
use crate::parse::Invocation;
use crate::Shell;

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    if let Some(s) = inv.switches.first() {
        return Err(invalid_switch(out, s));
    }
    if !inv.args.is_empty() {
        return Err(syntax(out));
    }
    let build = sh.machine.profile().version.build;
    // The kernel version each release reports with its build number.
    let (name, version) = match build {
        0..=1381 => ("Windows NT", format!("4.0.{build}")),
        1382..=2195 => ("Windows 2000", format!("5.00.{build}")),
        2196..=2600 => ("Windows XP", format!("5.1.{build}")),
        2601..=3790 => ("Windows", format!("5.2.{build}")),
        3791..=6002 => ("Windows", format!("6.0.{build}")),
        6003..=7601 => ("Windows", format!("6.1.{build}")),
        7602..=9200 => ("Windows", format!("6.2.{build}")),
        9201..=9600 => ("Windows", format!("6.3.{build}")),
        _ => ("Windows", format!("10.0.{build}")),
    };
    out.println("");
    out.println(&format!("Microsoft {name} [Version {version}]"));
    Ok(())
}
