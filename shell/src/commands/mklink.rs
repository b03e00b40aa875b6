//! `mklink`: creates a file or directory symbolic link, a hard link (`/H`) or
//! a junction (`/J`), printing exactly what cmd.exe prints on success (J41)
//! and on failure: the Win32 message, or cmd's own text where cmd checks
//! first (J8a: "Local NTFS volumes are required…", "Local volumes are
//! required…"; HL2: "The new link and the existing file must be on the same
//! NTFS volume."; S2: "You do not have sufficient privilege…").

use super::{fail, fail_text, invalid_switch, syntax, CmdResult, Out};
use crate::mklink::{created_text, Kind};
use crate::parse::Invocation;
use crate::typed;
use crate::Shell;
use ntlinkfs_core::error::NtError;
use ntlinkfs_core::path::Root;
use ntlinkfs_core::Machine;
use ntlinkfs_core::SymlinkFlags;

const USAGE: &str = "\
Creates a symbolic link.

MKLINK [[/D] | [/H] | [/J]] Link Target

        /D      Creates a directory symbolic link.  Default is a file
                symbolic link.
        /H      Creates a hard link instead of a symbolic link.
        /J      Creates a Directory Junction.
        Link    Specifies the new symbolic link name.
        Target  Specifies the path (relative or absolute) that the new link
                refers to.
";

pub(crate) const NTFS_REQUIRED: &str = "Local NTFS volumes are required to complete the operation.";
pub(crate) const LOCAL_REQUIRED: &str = "Local volumes are required to complete the operation.";
pub(crate) const SAME_NTFS_VOLUME: &str =
    "The new link and the existing file must be on the same NTFS volume.";
const NO_PRIVILEGE: &str = "You do not have sufficient privilege to perform this operation.";

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    if inv.args.is_empty() && inv.switches.is_empty() {
        out.print(USAGE);
        return Err(crate::Failure::shell("mklink needs a link and a target"));
    }
    let mut kind = Kind::FileSymlink;
    for s in &inv.switches {
        let Some(k) = Kind::from_switch(s) else {
            return Err(invalid_switch(out, s));
        };
        if kind != Kind::FileSymlink && kind != k {
            return Err(syntax(out));
        }
        kind = k;
    }
    let [link, target] = inv.args.as_slice() else {
        return Err(syntax(out));
    };
    let m = &mut sh.machine;
    match kind {
        Kind::Hard => match m.create_hard_link(&typed(link), &typed(target)) {
            Ok(_) => {
                out.println(&created_text(kind, link, target));
                Ok(())
            }
            Err(e @ NtError::NotSameDevice) => Err(fail_text(out, SAME_NTFS_VOLUME, e)),
            Err(e) => Err(fail(out, e)),
        },
        Kind::Junction => {
            if !on_local_ntfs(m, link) {
                return Err(fail_text(out, NTFS_REQUIRED, NtError::InvalidDeviceRequest));
            }
            match m.create_junction(&typed(link), &typed(target)) {
                Ok(_) => {
                    out.println(&created_text(kind, link, target));
                    Ok(())
                }
                Err(e) if is_network(m, target) => Err(fail_text(out, LOCAL_REQUIRED, e)),
                Err(e) => Err(fail(out, e)),
            }
        }
        Kind::FileSymlink | Kind::DirSymlink => {
            // cmd.exe passes the unprivileged flag from Windows 10 1703 on.
            let flags = SymlinkFlags {
                directory: kind == Kind::DirSymlink,
                allow_unprivileged_create: m.profile().knows_unprivileged_flag(),
            };
            match m.create_symbolic_link(&typed(link), &typed(target), flags) {
                Ok(_) => {
                    out.println(&created_text(kind, link, target));
                    Ok(())
                }
                Err(e @ NtError::PrivilegeNotHeld) => Err(fail_text(out, NO_PRIVILEGE, e)),
                Err(e) => Err(fail(out, e)),
            }
        }
    }
}

/// J8a: cmd refuses a junction whose own volume is not a local NTFS one
/// (FAT32, exFAT, a UNC path, a mapped network drive).
fn on_local_ntfs(m: &Machine, link: &str) -> bool {
    let Ok(full) = m.full_path(&typed(link)) else {
        return true; // the machine reports the bad path itself
    };
    match full.root {
        Root::Drive(d) => m.volume_by_letter(d).is_none_or(|id| {
            let kind = m.volume_info(id).kind;
            kind.supports_reparse_points() && !kind.is_network()
        }),
        Root::Unc { .. } => false,
        _ => true,
    }
}

/// A target on a network share (UNC, or a drive letter mapped to one) is
/// refused with "Local volumes …" (J2, J8a).
fn is_network(m: &Machine, target: &str) -> bool {
    m.full_path(&typed(target)).is_ok_and(|p| match p.root {
        Root::Unc { .. } => true,
        Root::Drive(d) => m
            .volume_by_letter(d)
            .is_some_and(|id| m.volume_info(id).kind.is_network()),
        _ => false,
    })
}
