//! `fsutil`: the subcommands about links.
//! `behavior query|set SymlinkEvaluation` shows or sets which symbolic link
//! classes may be followed (S50–S53); `hardlink list` prints every name
//! of a file as a volume-relative path (HL24); `hardlink create`;
//! `reparsepoint query` prints the tag, its bits, the decoded names and a hex
//! dump like Windows' fsutil (its "Substitue" spelling included);
//! `reparsepoint delete` turns a link back into a plain file or directory
//! (J32); `file queryfileid` prints the 128-bit file id (HL20). Errors print
//! as fsutil prints them: `Error:  message`.

use super::{invalid_switch, CmdResult, Out};
use crate::parse::Invocation;
use crate::typed;
use crate::{Failure, Shell};
use ntlinkfs_core::error::NtError;
use ntlinkfs_core::reparse::{
    hex_dump, ReparseTag, IO_REPARSE_TAG_MOUNT_POINT, IO_REPARSE_TAG_SYMLINK,
};
use ntlinkfs_core::Follow;

const USAGE: &str = "\
---- Commands Supported ----

behavior          Control file system behavior (SymlinkEvaluation)
file              File specific commands
hardlink          Hardlink management
reparsePoint      Reparse point management
";

const HARDLINK_USAGE: &str = "\
---- HARDLINK Commands Supported ----

create          Create a hardlink
list            Enumerate hardlinks on a file
";

const REPARSEPOINT_USAGE: &str = "\
---- REPARSEPOINT Commands Supported ----

query           Query a reparse point
delete          Delete a reparse point
";

const BEHAVIOR_USAGE: &str = "\
Usage : fsutil behavior query SymlinkEvaluation
        fsutil behavior set SymlinkEvaluation [L2L:{0|1}] [L2R:{0|1}] [R2R:{0|1}] [R2L:{0|1}]
";

const FILE_USAGE: &str = "\
---- FILE Commands Supported ----

queryfileid     Query the file ID of the specified file
";

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    if let Some(s) = inv.switches.first() {
        return Err(invalid_switch(out, s));
    }
    let args: Vec<&str> = inv.args.iter().map(String::as_str).collect();
    let lower: Vec<String> = args.iter().map(|a| a.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let m = &mut sh.machine;
    match (lower.as_slice(), args.as_slice()) {
        (["hardlink", "list", _], [_, _, path]) => {
            let names = m.find_file_names(&typed(path)).map_err(|e| error(out, e))?;
            for n in names {
                out.println(&ntlinkfs_core::wtf::escape(&n.path_units));
            }
            Ok(())
        }
        (["hardlink", "create", _, _], [_, _, new, existing]) => {
            m.create_hard_link(&typed(new), &typed(existing))
                .map_err(|e| error(out, e))?;
            out.println(&format!("Hardlink created for {new} <<===>> {existing}"));
            Ok(())
        }
        (["reparsepoint", "query", _], [_, _, path]) => {
            let raw = m.get_reparse_point(path).map_err(|e| error(out, e))?;
            out.print(&describe_reparse_point(&raw));
            Ok(())
        }
        (["reparsepoint", "delete", _], [_, _, path]) => {
            m.remove_reparse_point(path).map_err(|e| error(out, e))
        }
        (["file", "queryfileid", _], [_, _, path]) => {
            let info = m
                .query_information(&typed(path), Follow::Reparse)
                .map_err(|e| error(out, e))?;
            out.println(&format!("File ID is 0x{:032x}", info.id.file.0));
            Ok(())
        }
        (["behavior", "query", "symlinkevaluation"], _) => {
            let e = m.profile().symlink_evaluation;
            for (name, on) in [
                ("Local to local", e.local_to_local),
                ("Local to remote", e.local_to_remote),
                ("Remote to local", e.remote_to_local),
                ("Remote to remote", e.remote_to_remote),
            ] {
                let state = if on { "enabled" } else { "disabled" };
                out.println(&format!("{name} symbolic links are {state}."));
            }
            Ok(())
        }
        (["behavior", "set", "symlinkevaluation", classes @ ..], _) if !classes.is_empty() => {
            let mut p = *m.profile();
            for c in classes {
                let (class, value) = c.split_once(':').unwrap_or((c, ""));
                let on = match value {
                    "1" => true,
                    "0" => false,
                    _ => return usage(out, BEHAVIOR_USAGE),
                };
                let e = &mut p.symlink_evaluation;
                match class {
                    "l2l" => e.local_to_local = on,
                    "l2r" => e.local_to_remote = on,
                    "r2l" => e.remote_to_local = on,
                    "r2r" => e.remote_to_remote = on,
                    _ => return usage(out, BEHAVIOR_USAGE),
                }
            }
            m.set_profile(p);
            Ok(())
        }
        (["behavior", ..], _) => usage(out, BEHAVIOR_USAGE),
        (["hardlink", ..], _) => usage(out, HARDLINK_USAGE),
        (["reparsepoint", ..], _) => usage(out, REPARSEPOINT_USAGE),
        (["file", ..], _) => usage(out, FILE_USAGE),
        _ => {
            out.print(USAGE);
            Err(Failure::shell("unknown fsutil command"))
        }
    }
}

fn error(out: &mut Out, e: NtError) -> Failure {
    out.eprintln(&format!("Error:  {}", e.message()));
    Failure::nt(e)
}

fn usage(out: &mut Out, text: &str) -> CmdResult {
    out.print(text);
    Err(Failure::shell("bad fsutil arguments"))
}

/// `fsutil reparsepoint query` output for a raw REPARSE_DATA_BUFFER: the tag, its
/// bits, the decoded names and the hex dump, as fsutil prints them. Any bytes
/// are accepted (a buffer that does not decode is shown as far as it goes).
pub fn describe_reparse_point(raw: &[u8]) -> String {
    let u16_at = |i: usize| {
        raw.get(i..i + 2)
            .map_or(0, |b| u16::from_le_bytes([b[0], b[1]]))
    };
    let tag = raw
        .get(0..4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let t = ReparseTag(tag);
    let mut s = format!("Reparse Tag Value : 0x{tag:08x}\n");
    if t.is_microsoft() {
        s.push_str("Tag value: Microsoft\n");
    }
    if t.is_name_surrogate() {
        s.push_str("Tag value: Name Surrogate\n");
    }
    let names_at = match tag {
        IO_REPARSE_TAG_MOUNT_POINT => {
            s.push_str("Tag value: Mount Point\n");
            Some(16)
        }
        IO_REPARSE_TAG_SYMLINK => {
            s.push_str("Tag value: Symbolic Link\n");
            Some(20)
        }
        _ => None,
    };
    if let Some(base) = names_at {
        let (so, sl, po, pl) = (u16_at(8), u16_at(10), u16_at(12), u16_at(14));
        let name = |off: u16, len: u16| {
            let start = base + off as usize;
            let units: Vec<u16> = raw
                .get(start..start + len as usize)
                .unwrap_or(&[])
                .chunks_exact(2)
                .map(|c| u16::from_le_bytes([c[0], c[1]]))
                .collect();
            String::from_utf16_lossy(&units)
        };
        s.push_str(&format!("Substitue Name offset: {so}\n"));
        s.push_str(&format!("Substitue Name length: {sl}\n"));
        s.push_str(&format!("Print Name offset:     {po}\n"));
        s.push_str(&format!("Print Name Length:     {pl}\n"));
        s.push_str(&format!("Substitute Name:       {}\n", name(so, sl)));
        s.push_str(&format!("Print Name:            {}\n", name(po, pl)));
    }
    let header = if t.is_microsoft() { 8 } else { 24 };
    s.push_str(&format!("\nReparse Data Length: 0x{:08x}\n", u16_at(4)));
    s.push_str("Reparse Data:\n");
    s.push_str(&hex_dump(raw.get(header..).unwrap_or(&[])));
    s
}
