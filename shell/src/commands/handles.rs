//! `open` and `close`: not cmd commands, but what a second program holding
//! a file open looks like to cmd. `open` keeps a handle with the access and
//! share mode asked for, so that the next commands meet Windows' sharing
//! rules (`type` of a file open for writing without FILE_SHARE_READ: "The
//! process cannot access the file because it is being used by another
//! process."); `close` lets go of it.

use super::{fail, invalid_switch, syntax, CmdResult, Out};
use crate::parse::Invocation;
use crate::typed;
use crate::Shell;
use ntlinkfs_core::access::{
    DELETE, FILE_SHARE_DELETE, FILE_SHARE_READ, FILE_SHARE_WRITE, GENERIC_READ, GENERIC_WRITE,
};
use ntlinkfs_core::{Follow, OpenOptions};

/// `OPEN [/A:RWD] [/S:RWD|/S:-] path`: access read by default, sharing
/// read, write and delete by default (CreateFileW's usual sharing).
pub(crate) fn open(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    let (mut access, mut share) = (
        GENERIC_READ,
        FILE_SHARE_READ | FILE_SHARE_WRITE | FILE_SHARE_DELETE,
    );
    for s in &inv.switches {
        match s.split_once(':') {
            Some(("A", letters)) => {
                access = letter_bits(letters, [GENERIC_READ, GENERIC_WRITE, DELETE])
                    .filter(|&a| a != 0)
                    .ok_or_else(|| syntax(out))?
            }
            Some(("S", "-")) => share = 0,
            Some(("S", letters)) => {
                share = letter_bits(
                    letters,
                    [FILE_SHARE_READ, FILE_SHARE_WRITE, FILE_SHARE_DELETE],
                )
                .ok_or_else(|| syntax(out))?
            }
            _ => return Err(invalid_switch(out, s)),
        }
    }
    let [path] = inv.args.as_slice() else {
        return Err(syntax(out));
    };
    // A directory opens too (FILE_FLAG_BACKUP_SEMANTICS); links are followed.
    let opts = OpenOptions::default()
        .access(access)
        .share(share)
        .follow(Follow::Reparse);
    let h = sh
        .machine
        .open(&typed(path), &opts)
        .map_err(|e| fail(out, e))?;
    let n = sh.handles.keys().next_back().map_or(1, |n| n + 1);
    sh.handles.insert(n, h);
    let full = sh
        .machine
        .full_path(&typed(path))
        .map(|p| crate::shown_path(&p))
        .unwrap_or_else(|_| path.clone());
    out.println(&format!("Handle {n} open on {full}."));
    Ok(())
}

/// `CLOSE N` or `CLOSE /ALL`.
pub(crate) fn close(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    let numbers: Vec<u32> = match (inv.switches.as_slice(), inv.args.as_slice()) {
        ([all], []) if all == "ALL" => sh.handles.keys().rev().copied().collect(),
        ([], [n]) => vec![n.parse().map_err(|_| syntax(out))?],
        _ => return Err(syntax(out)),
    };
    for n in numbers {
        let Some(h) = sh.handles.remove(&n) else {
            out.eprintln(&format!("No open handle {n}."));
            return Err(crate::Failure::shell(format!("no handle {n}")));
        };
        sh.machine.close(h).map_err(|e| fail(out, e))?;
    }
    Ok(())
}

/// `RWD` letters to bits (each at most once); None for anything else.
fn letter_bits(letters: &str, bits: [u32; 3]) -> Option<u32> {
    let mut v = 0;
    for c in letters.chars() {
        let i = "RWD".find(c.to_ascii_uppercase())?;
        v |= bits[i];
    }
    Some(v)
}
