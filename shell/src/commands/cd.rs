//! `cd` / `chdir`: shows or changes the current directory. cmd keeps one
//! current directory per drive; `cd D:\x` changes D:'s without switching to
//! D: unless `/D` is given. The path is kept as typed (J19).

use super::{fail, fail_text, invalid_switch, CmdResult, Out};
use crate::parse::{drive_switch, Invocation};
use crate::typed;
use crate::Shell;
use ntlinkfs_core::error::NtError;

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    let mut switch_drive = false;
    for s in &inv.switches {
        match s.as_str() {
            "D" => switch_drive = true,
            other => return Err(invalid_switch(out, other)),
        }
    }
    // cd takes the rest of the line as one path: `cd My Documents` works.
    let path = inv.args.join(" ");
    let m = &mut sh.machine;
    if path.is_empty() {
        out.println(&crate::shown_cwd(m));
        return Ok(());
    }
    if let Some(letter) = drive_switch(&path) {
        if switch_drive {
            return m
                .set_current_drive(letter)
                .map_err(|e| fail_text(out, "The system cannot find the drive specified.", e));
        }
        // `cd D:` shows D:'s current directory.
        let previous = m.current_drive();
        return match m.set_current_drive(letter) {
            Ok(()) => {
                out.println(&crate::shown_cwd(m));
                m.set_current_drive(previous).map_err(|e| fail(out, e))
            }
            Err(e) => Err(fail_text(
                out,
                "The system cannot find the drive specified.",
                e,
            )),
        };
    }
    if m.full_path(&typed(&path))
        .is_ok_and(|p| matches!(p.root, ntlinkfs_core::path::Root::Unc { .. }))
    {
        return Err(fail_text(
            out,
            "CMD does not support UNC paths as current directories.",
            NtError::ObjectPathNotFound,
        ));
    }
    let previous = m.current_drive();
    match m.set_current_dir(&typed(&path)) {
        Ok(()) => {
            if !switch_drive {
                m.set_current_drive(previous).map_err(|e| fail(out, e))?;
            }
            Ok(())
        }
        // cmd words every "not found" as a path not found.
        Err(NtError::ObjectNameNotFound) => Err(fail(out, NtError::ObjectPathNotFound)),
        Err(e) => Err(fail(out, e)),
    }
}
