//! `icacls`: shows or changes an object's DACL, for the rights the model
//! keeps (security.rs): Everyone or the user, allow or deny, over list /
//! traverse / read / write / delete and the other file rights. `/L` works on
//! a link itself rather than its target, as icacls's own `/L` does.

use super::{syntax, CmdResult, Out};
use crate::parse::Invocation;
use crate::typed;
use crate::Shell;
use ntlinkfs_core::access::*;
use ntlinkfs_core::error::NtError;
use ntlinkfs_core::{Ace, Follow, SecurityDescriptor, Trustee};

/// The rights icacls names, in the order it prints specific rights.
const SPECIFIC: &[(&str, u32)] = &[
    ("DE", DELETE),
    ("RC", READ_CONTROL),
    ("WDAC", WRITE_DAC),
    ("WO", WRITE_OWNER),
    ("S", SYNCHRONIZE),
    ("RD", FILE_READ_DATA),
    ("WD", FILE_WRITE_DATA),
    ("AD", FILE_APPEND_DATA),
    ("REA", FILE_READ_EA),
    ("WEA", FILE_WRITE_EA),
    ("X", FILE_EXECUTE),
    ("DC", FILE_DELETE_CHILD),
    ("RA", FILE_READ_ATTRIBUTES),
    ("WA", FILE_WRITE_ATTRIBUTES),
];

/// icacls's simple rights: full, modify, read and execute, read, write, delete.
const MODIFY: u32 = FILE_GENERIC_READ | FILE_GENERIC_WRITE | FILE_GENERIC_EXECUTE | DELETE;
const SIMPLE: &[(&str, u32)] = &[
    ("F", FILE_ALL_ACCESS),
    ("M", MODIFY),
    ("RX", FILE_GENERIC_READ | FILE_GENERIC_EXECUTE),
    ("R", FILE_GENERIC_READ),
    ("W", FILE_GENERIC_WRITE),
    ("D", DELETE),
];

enum Change {
    Add(Ace),
    Remove(Trustee),
    Reset,
}

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    // Switch order matters here (`/grant X /deny Y`), so the line is read as typed.
    let words = split_words(&inv.rest);
    let (mut path, mut follow, mut changes) = (None, Follow::Reparse, Vec::new());
    let mut i = 0;
    while i < words.len() {
        let w = words[i].as_str();
        let arg = words.get(i + 1).map(String::as_str);
        match w.to_ascii_lowercase().as_str() {
            "/l" => follow = Follow::OpenReparsePoint,
            "/reset" => changes.push(Change::Reset),
            "/grant" | "/deny" => {
                let ace = parse_ace(
                    arg.ok_or_else(|| syntax(out))?,
                    w.eq_ignore_ascii_case("/grant"),
                )
                .ok_or_else(|| invalid(out, arg.unwrap_or_default()))?;
                changes.push(Change::Add(ace));
                i += 1;
            }
            "/remove" => {
                let t = trustee(arg.ok_or_else(|| syntax(out))?)
                    .ok_or_else(|| invalid(out, arg.unwrap_or_default()))?;
                changes.push(Change::Remove(t));
                i += 1;
            }
            _ if w.starts_with('/') => return Err(invalid(out, w)),
            _ if path.is_none() => path = Some(w.to_string()),
            _ => return Err(invalid(out, w)),
        }
        i += 1;
    }
    let Some(path) = path else {
        return Err(syntax(out));
    };
    let m = &mut sh.machine;
    let current = match m.security(&typed(&path), follow) {
        Ok(sd) => sd,
        Err(e) => return Err(failed(out, &path, e)),
    };
    if changes.is_empty() {
        show(out, &path, current.as_ref());
        out.println("");
        out.println("Successfully processed 1 files; Failed processing 0 files");
        return Ok(());
    }
    let mut sd = current.unwrap_or_default();
    let mut reset = false;
    for c in changes {
        match c {
            Change::Add(ace) => sd.add(ace),
            Change::Remove(t) => sd.remove(t),
            Change::Reset => {
                sd = SecurityDescriptor::default();
                reset = true;
            }
        }
    }
    // `/reset` with nothing after it: no descriptor, everything granted.
    let new = (!(reset && sd.dacl.is_empty())).then_some(sd);
    match m.set_security(&path, follow, new) {
        Ok(()) => {
            out.println(&format!("processed file: {path}"));
            out.println("Successfully processed 1 files; Failed processing 0 files");
            Ok(())
        }
        Err(e) => Err(failed(out, &path, e)),
    }
}

/// icacls's report of a file it could not process.
fn failed(out: &mut Out, path: &str, e: NtError) -> crate::Failure {
    out.eprintln(&format!("{path}: {}", e.message()));
    out.println("Successfully processed 0 files; Failed processing 1 files");
    crate::Failure::nt(e)
}

fn invalid(out: &mut Out, what: &str) -> crate::Failure {
    out.eprintln(&format!("Invalid parameter \"{what}\""));
    crate::Failure::shell(format!("icacls: invalid parameter {what}"))
}

/// `path Everyone:(DENY)(S,RD)` lines, the path once, the ACEs aligned under it.
fn show(out: &mut Out, path: &str, sd: Option<&SecurityDescriptor>) {
    let lines: Vec<String> = match sd {
        // No descriptor: everything is granted to everyone.
        None => vec!["Everyone:(F)".into()],
        Some(sd) => sd
            .dacl
            .iter()
            .map(|a| {
                let deny = if a.allow { "" } else { "(DENY)" };
                format!("{}:{deny}({})", a.trustee.name(), rights_text(a.mask))
            })
            .collect(),
    };
    let pad = " ".repeat(path.chars().count() + 1);
    for (i, l) in lines.iter().enumerate() {
        if i == 0 {
            out.println(&format!("{path} {l}"));
        } else {
            out.println(&format!("{pad}{l}"));
        }
    }
}

/// `F`, `RX` … for the masks icacls names, else the specific rights `S,RD`.
pub(crate) fn rights_text(mask: u32) -> String {
    if let Some((name, _)) = SIMPLE.iter().find(|(_, m)| *m == mask) {
        return (*name).to_string();
    }
    SPECIFIC
        .iter()
        .filter(|(_, m)| mask & m != 0)
        .map(|(n, _)| *n)
        .collect::<Vec<_>>()
        .join(",")
}

/// `Everyone:(S,RD)`, `User:F`, `*S-1-1-0:(RX)`.
fn parse_ace(text: &str, allow: bool) -> Option<Ace> {
    let (who, rights) = text.rsplit_once(':')?;
    let mut mask = 0;
    for group in rights.split(')').filter(|g| !g.is_empty()) {
        let group = group.trim_start_matches('(');
        for r in group.split(',') {
            let r = r.trim().to_ascii_uppercase();
            mask |= SIMPLE
                .iter()
                .chain(SPECIFIC)
                .find(|(n, _)| *n == r)
                .map(|(_, m)| *m)?;
        }
    }
    (mask != 0).then_some(Ace {
        trustee: trustee(who)?,
        allow,
        mask,
    })
}

fn trustee(name: &str) -> Option<Trustee> {
    match name.to_ascii_lowercase().as_str() {
        "everyone" | "*s-1-1-0" => Some(Trustee::Everyone),
        "user" | "%username%" => Some(Trustee::User),
        "administrators" | "builtin\\administrators" | "*s-1-5-32-544" => {
            Some(Trustee::Administrators)
        }
        _ => None,
    }
}

/// Words of a command line, double quotes grouping (and removed).
fn split_words(s: &str) -> Vec<String> {
    let (mut words, mut cur, mut quoted, mut any) = (Vec::new(), String::new(), false, false);
    for c in s.chars() {
        match c {
            '"' => {
                quoted = !quoted;
                any = true;
            }
            c if c.is_whitespace() && !quoted => {
                if any || !cur.is_empty() {
                    words.push(std::mem::take(&mut cur));
                }
                any = false;
            }
            c => cur.push(c),
        }
    }
    if any || !cur.is_empty() {
        words.push(cur);
    }
    words
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn rights_read_and_print_as_icacls_writes_them() {
        let ace = parse_ace("Everyone:(S,RD)", false).unwrap();
        assert_eq!(ace.mask, SYNCHRONIZE | FILE_LIST_DIRECTORY);
        assert_eq!(rights_text(ace.mask), "S,RD");
        assert_eq!(rights_text(FILE_GENERIC_READ | FILE_GENERIC_EXECUTE), "RX");
        assert_eq!(parse_ace("User:F", true).unwrap().mask, FILE_ALL_ACCESS);
        assert_eq!(parse_ace("Nobody:F", true), None);
        assert_eq!(parse_ace("Everyone:(Q)", true), None);
        assert_eq!(
            split_words(r#""C:\Documents and Settings" /deny Everyone:(S,RD)"#),
            [r"C:\Documents and Settings", "/deny", "Everyone:(S,RD)"]
        );
    }
}
