//! `profile [NAME]`: shows or sets the Windows version the machine behaves
//! as (`xp`, `7`, `10-1703`, `11+dev-user` …).

use super::{invalid_switch, CmdResult, Out};
use crate::parse::Invocation;
use crate::{Failure, Shell};
use ntlinkfs_core::profile::Profile;

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    if let Some(s) = inv.switches.first() {
        return Err(invalid_switch(out, s));
    }
    let m = &mut sh.machine;
    match inv.args.as_slice() {
        [] => {
            let p = m.profile();
            out.println(&format!(
                "Profile: {} ({})",
                p.name(),
                p.version.description()
            ));
            Ok(())
        }
        [name] => {
            let p: Profile = name.parse().map_err(|e: String| {
                out.eprintln(&e);
                Failure::shell(e)
            })?;
            m.set_profile(p);
            out.println(&format!(
                "Profile: {} ({})",
                p.name(),
                p.version.description()
            ));
            Ok(())
        }
        _ => Err(super::syntax(out)),
    }
}
