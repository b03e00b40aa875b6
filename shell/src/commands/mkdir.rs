//! `md` / `mkdir`: creates each directory named, and the missing directories
//! above it, as cmd.exe does with command extensions.

use super::{fail, fail_text, invalid_switch, syntax, CmdResult, Out};
use crate::parse::Invocation;
use crate::typed;
use crate::Shell;
use ntlinkfs_core::error::NtError;
use ntlinkfs_core::path::FullPath;
use ntlinkfs_core::Follow;

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    if let Some(s) = inv.switches.first() {
        return Err(invalid_switch(out, s));
    }
    if inv.args.is_empty() {
        return Err(syntax(out));
    }
    let mut result = Ok(());
    for arg in &inv.args {
        if let Err(f) = make(sh, arg, out) {
            result = Err(f);
        }
    }
    result
}

fn make(sh: &mut Shell, arg: &str, out: &mut Out) -> CmdResult {
    let m = &mut sh.machine;
    let full = m.full_path(&typed(arg)).map_err(|e| fail(out, e))?;
    if full.components.is_empty()
        || m.query_information(&typed(arg), Follow::OpenReparsePoint)
            .is_ok()
    {
        return Err(fail_text(
            out,
            &format!("A subdirectory or file {arg} already exists."),
            NtError::ObjectNameCollision,
        ));
    }
    // Create each missing ancestor, then the directory itself.
    for n in 1..=full.components.len() {
        let prefix = crate::shown_path(&FullPath {
            components: full.components[..n].to_vec(),
            trailing_separator: false,
            ..full.clone()
        });
        let last = n == full.components.len();
        if !last
            && m.query_information(&typed(&prefix), Follow::Reparse)
                .is_ok()
        {
            continue;
        }
        if let Err(e) = m.create_directory(&typed(&prefix)) {
            return Err(match e {
                NtError::ObjectNameCollision => fail_text(
                    out,
                    &format!("A subdirectory or file {arg} already exists."),
                    e,
                ),
                e => fail(out, e),
            });
        }
    }
    Ok(())
}
