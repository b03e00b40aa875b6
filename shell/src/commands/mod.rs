//! The command table, redirection, and what the commands share: how failures
//! are printed, number and date formats, wildcard matching.

mod attrib;
mod audit;
mod cd;
mod copy;
mod copytree;
mod del;
mod dir;
mod echo;
mod explorer_delete;
pub(crate) mod fsutil;
mod handles;
mod help;
mod icacls;
mod mkdir;
mod mklink;
mod move_cmd;
mod profile;
mod ren;
mod rmdir;
mod save;
mod type_cmd;
mod ver;
mod vol;
mod volume;

use super::lexer::Segment;
use super::parse::{self, Invocation};
use super::{Failure, Outcome, Shell};
use crate::typed;
use ntlinkfs_core::attrs::{civil, FileTime};
use ntlinkfs_core::error::NtError;
use ntlinkfs_core::name::NameKey;
use ntlinkfs_core::path::Root;
use ntlinkfs_core::{Disposition, HandleId, OpenOptions, Want};

pub(crate) const SYNTAX_ERROR: &str = "The syntax of the command is incorrect.\n";

pub(crate) type CmdResult = Result<(), Failure>;

type CmdFn = fn(&mut Shell, &Invocation, &mut Out) -> CmdResult;

/// One internal command: its names, its code, and its line in `help`.
pub(crate) struct CommandDef {
    pub names: &'static [&'static str],
    pub run: CmdFn,
    pub usage: &'static str,
}

pub(crate) const COMMANDS: &[CommandDef] = &[
    CommandDef {
        names: &["cd", "chdir"],
        run: cd::run,
        usage: "CD [/D] [drive:][path]     Displays or changes the current directory.",
    },
    CommandDef {
        names: &["dir"],
        run: dir::run,
        usage: "DIR [path] [/A[attrs]] [/B] [/S]   Lists a directory (attrs: D H S R A L, - negates).",
    },
    CommandDef {
        names: &["md", "mkdir"],
        run: mkdir::run,
        usage: "MD path...                 Creates directories, intermediate ones too.",
    },
    CommandDef {
        names: &["rd", "rmdir"],
        run: rmdir::run,
        usage: "RD [/S] [/Q] path...       Removes a directory (a link: only the link).",
    },
    CommandDef {
        names: &["del", "erase"],
        run: del::run,
        usage: "DEL [/F] [/S] [/Q] names...  Deletes files (a directory name: its files).",
    },
    CommandDef {
        names: &["echo"],
        run: echo::run,
        usage: "ECHO [ON | OFF | text]     Prints text; ECHO. prints an empty line.",
    },
    CommandDef {
        names: &["type"],
        run: type_cmd::run,
        usage: "TYPE file                  Prints a file (links followed).",
    },
    CommandDef {
        names: &["copy"],
        run: copy::run,
        usage: "COPY source [destination]  Copies files (a symlink source copies its target's data).",
    },
    CommandDef {
        names: &["move"],
        run: move_cmd::run,
        usage: "MOVE source destination    Moves or renames a file or directory.",
    },
    CommandDef {
        names: &["ren", "rename"],
        run: ren::run,
        usage: "REN path newname           Renames a file or directory.",
    },
    CommandDef {
        names: &["mklink"],
        run: mklink::run,
        usage: "MKLINK [[/D] | [/H] | [/J]] Link Target   Creates a symbolic link, hard link or junction.",
    },
    CommandDef {
        names: &["fsutil"],
        run: fsutil::run,
        usage: "FSUTIL hardlink list|create, reparsepoint query|delete, file queryfileid,\n                             behavior query|set SymlinkEvaluation",
    },
    CommandDef {
        names: &["attrib"],
        run: attrib::run,
        usage: "ATTRIB [+R|-R] [+A|-A] [+S|-S] [+H|-H] path   Shows or sets attributes (of a link itself).",
    },
    CommandDef {
        names: &["ver"],
        run: ver::run,
        usage: "VER                        Shows the Windows version of the profile.",
    },
    CommandDef {
        names: &["vol"],
        run: vol::run,
        usage: "VOL [drive:]               Shows the volume label and serial number.",
    },
    CommandDef {
        names: &["explorer-delete"],
        run: explorer_delete::run,
        usage: "EXPLORER-DELETE path       Deletes as Explorer does (2000/XP: into junctions).",
    },
    CommandDef {
        names: &["volume"],
        run: volume::run,
        usage: "VOLUME add X: KIND [label] | VOLUME list   Adds (ntfs, fat32, exfat, refs) or lists volumes.",
    },
    CommandDef {
        names: &["profile"],
        run: profile::run,
        usage: "PROFILE [name]             Shows or sets the Windows version (xp, 7, 10, 11+dev-user …).",
    },
    CommandDef {
        names: &["copytree"],
        run: copytree::run,
        usage: "COPYTREE src dst [/J:p] [/D:p] [/F:p] [/H:p]   Link-aware copy; p: SKIP COPY-LINK FOLLOW REMAP REMAP-SKIP, /H: PRESERVE BREAK.",
    },
    CommandDef {
        names: &["audit"],
        run: audit::run,
        usage: "AUDIT [path]               Hard-link groups, junctions, symlinks: dangling, loops, escapes.",
    },
    CommandDef {
        names: &["save"],
        run: save::run,
        usage: "SAVE [file]                Saves the machine to its image file (--image) or to file.",
    },
    CommandDef {
        names: &["open"],
        run: handles::open,
        usage: "OPEN [/A:RWD] [/S:RWD|/S:-] path   Opens path and keeps the handle (access, share: read write delete).",
    },
    CommandDef {
        names: &["close"],
        run: handles::close,
        usage: "CLOSE N | CLOSE /ALL       Closes a handle OPEN kept (a pending delete happens here).",
    },
    CommandDef {
        names: &["icacls"],
        run: icacls::run,
        usage: "ICACLS path [/L] [/grant|/deny Everyone|User:(rights)] [/remove Everyone|User] [/reset]",
    },
    CommandDef {
        names: &["help"],
        run: help::run,
        usage: "HELP                       Lists the commands.",
    },
];

/// Where a piece of output goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stream {
    Out,
    Err,
}

/// A command's output, both streams in the order written (cmd prints error
/// messages on stderr, so `dir x > f` still shows them).
#[derive(Debug, Default)]
pub(crate) struct Out {
    chunks: Vec<(Stream, String)>,
}

impl Out {
    pub fn print(&mut self, s: &str) {
        self.push(Stream::Out, s);
    }

    pub fn println(&mut self, s: &str) {
        self.push(Stream::Out, s);
        self.push(Stream::Out, "\n");
    }

    pub fn eprintln(&mut self, s: &str) {
        self.push(Stream::Err, s);
        self.push(Stream::Err, "\n");
    }

    fn push(&mut self, stream: Stream, s: &str) {
        match self.chunks.last_mut() {
            Some((st, text)) if *st == stream => text.push_str(s),
            _ => self.chunks.push((stream, s.to_string())),
        }
    }

    fn stream(&self, which: Stream) -> String {
        self.chunks
            .iter()
            .filter(|(s, _)| *s == which)
            .map(|(_, t)| t.as_str())
            .collect()
    }

    /// The console text, leaving out the streams that were redirected.
    fn console(&self, keep_out: bool, keep_err: bool) -> String {
        self.chunks
            .iter()
            .filter(|(s, _)| match s {
                Stream::Out => keep_out,
                Stream::Err => keep_err,
            })
            .map(|(_, t)| t.as_str())
            .collect()
    }
}

/// Prints the Win32 message of `e` and returns the failure.
pub(crate) fn fail(out: &mut Out, e: NtError) -> Failure {
    out.eprintln(e.message());
    Failure::nt(e)
}

/// Prints cmd.exe's own text for a failure whose cause is `e`.
pub(crate) fn fail_text(out: &mut Out, text: &str, e: NtError) -> Failure {
    out.eprintln(text);
    Failure::nt(e)
}

/// "The syntax of the command is incorrect."
pub(crate) fn syntax(out: &mut Out) -> Failure {
    out.push(Stream::Err, SYNTAX_ERROR);
    Failure::shell("syntax error")
}

/// cmd's text for a switch a command does not know.
pub(crate) fn invalid_switch(out: &mut Out, switch: &str) -> Failure {
    out.eprintln(&format!("Invalid switch - \"{switch}\"."));
    Failure::shell(format!("invalid switch /{switch}"))
}

/// Runs one command of a line, with its redirections.
pub(crate) fn run_segment(sh: &mut Shell, seg: &Segment, outcome: &mut Outcome) -> CmdResult {
    let inv = parse::parse(&seg.text);
    let mut out = Out::default();
    // cmd opens redirection targets before it runs the command and keeps them
    // open while it runs (`dir > f` lists f; a link to a missing target is
    // created once, J15).
    let mut stdout_to = Sink::Console;
    let mut stderr_to = Sink::Console;
    let mut result = Ok(());
    for r in &seg.redirects {
        let sink = match sink_for(&sh.machine, &r.target) {
            Sink::File(target) => match open_redirect(&mut sh.machine, &target, r.append) {
                Ok(h) => Sink::Handle(h),
                Err(e) => {
                    result = Err(fail(&mut out, e));
                    break;
                }
            },
            other => other,
        };
        let slot = if r.handle == 2 {
            &mut stderr_to
        } else {
            &mut stdout_to
        };
        if let Sink::Handle(old) = std::mem::replace(slot, sink) {
            let _ = sh.machine.close(old);
        }
    }
    if result.is_ok() {
        result = match &inv {
            None => Ok(()),
            Some(inv) => dispatch(sh, inv, &mut out, outcome),
        };
    }
    for (which, to) in [(Stream::Out, &stdout_to), (Stream::Err, &stderr_to)] {
        if let Sink::Handle(h) = to {
            let text = out.stream(which).replace('\n', "\r\n");
            let m = &mut sh.machine;
            let written = m
                .handle_info(*h)
                .and_then(|i| m.write(*h, i.size, text.as_bytes()));
            let closed = m.close(*h);
            if let Err(e) = written.map(drop).and(closed) {
                out.eprintln(e.message());
                result = Err(Failure::nt(e));
            }
        }
    }
    let console = |s: &Sink| matches!(s, Sink::Console);
    outcome
        .output
        .push_str(&out.console(console(&stdout_to), console(&stderr_to)));
    result
}

/// Opens a redirection target as cmd does: created or truncated for `>`,
/// created or kept for `>>`; writes go to its end.
fn open_redirect(
    m: &mut ntlinkfs_core::Machine,
    target: &str,
    append: bool,
) -> ntlinkfs_core::error::Result<HandleId> {
    let disposition = if append {
        Disposition::OpenIf
    } else {
        Disposition::OverwriteIf
    };
    let opts = OpenOptions::default()
        .disposition(disposition)
        .want(Want::File)
        .write(true)
        .share_delete(false);
    m.open(&typed(target), &opts)
}

/// Where a redirected stream goes.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sink {
    Console,
    Discard,
    File(String),
    Handle(HandleId),
}

/// `NUL` discards and `CON` is the console, as the profile's Win32 path rules
/// say (N5, N10: Windows 11 no longer treats `dir\con` as a device).
fn sink_for(m: &ntlinkfs_core::Machine, target: &str) -> Sink {
    match m.full_path(&typed(target)).map(|p| p.root) {
        Ok(Root::Device(name)) if name == "NUL" => Sink::Discard,
        Ok(Root::Device(name)) if name == "CON" || name == "CONOUT$" => Sink::Console,
        _ => Sink::File(target.to_string()),
    }
}

fn dispatch(sh: &mut Shell, inv: &Invocation, out: &mut Out, outcome: &mut Outcome) -> CmdResult {
    if let Some(letter) = parse::drive_switch(&inv.name) {
        return match sh.machine.set_current_drive(letter) {
            Ok(()) => Ok(()),
            Err(e) => Err(fail_text(
                out,
                "The system cannot find the drive specified.",
                e,
            )),
        };
    }
    match inv.key.as_str() {
        "rem" | "cls" => return Ok(()),
        "exit" => {
            outcome.exit = true;
            return Ok(());
        }
        k if k.starts_with(':') => return Ok(()), // a label or a `::` comment
        _ => {}
    }
    match COMMANDS
        .iter()
        .find(|c| c.names.contains(&inv.key.as_str()))
    {
        // `dir /?` and the like print the command's usage line.
        Some(c) if inv.switches.iter().any(|s| s == "?") => {
            out.println(c.usage);
            Ok(())
        }
        Some(c) => (c.run)(sh, inv, out),
        None => {
            out.eprintln(&format!(
                "'{}' is not recognized as an internal or external command,\n\
                 operable program or batch file.",
                inv.name
            ));
            Err(Failure::shell(format!("unknown command '{}'", inv.name)))
        }
    }
}

/// `1234567` → `1,234,567`.
pub(crate) fn commas(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// `MM/DD/YYYY  HH:MM AM` as `dir` prints it (en-US, UTC).
pub(crate) fn format_time(t: FileTime) -> String {
    let (y, mo, d, h, mi) = civil(t);
    let (h12, ampm) = match h {
        0 => (12, "AM"),
        1..=11 => (h, "AM"),
        12 => (12, "PM"),
        _ => (h - 12, "PM"),
    };
    format!("{mo:02}/{d:02}/{y:04}  {h12:02}:{mi:02} {ampm}")
}

/// True when the last component has `*` or `?`.
pub(crate) fn has_wildcards(path: &str) -> bool {
    let last = path.rsplit(['\\', '/']).next().unwrap_or(path);
    last.contains(['*', '?'])
}

/// cmd's wildcard match, case-insensitive as NTFS names are (N1). `*.*`
/// matches every name and a pattern ending in `.*` matches names without a dot.
pub(crate) fn wildcard_match(pattern: &str, name: &str) -> bool {
    if pattern == "*" || pattern == "*.*" {
        return true;
    }
    let p = NameKey::of(pattern);
    let n = NameKey::of(name);
    if glob(p.units(), n.units()) {
        return true;
    }
    if pattern.ends_with(".*") && !name.contains('.') {
        let dotted = NameKey::of(&format!("{name}."));
        return glob(p.units(), dotted.units());
    }
    false
}

fn glob(p: &[u16], n: &[u16]) -> bool {
    const STAR: u16 = b'*' as u16;
    const QUESTION: u16 = b'?' as u16;
    // Iterative match with backtracking to the last star.
    let (mut pi, mut ni) = (0, 0);
    let mut star: Option<(usize, usize)> = None;
    while ni < n.len() {
        if pi < p.len() && (p[pi] == QUESTION || p[pi] == n[ni]) {
            pi += 1;
            ni += 1;
        } else if pi < p.len() && p[pi] == STAR {
            star = Some((pi, ni));
            pi += 1;
        } else if let Some((sp, sn)) = star {
            pi = sp + 1;
            ni = sn + 1;
            star = Some((sp, sn + 1));
        } else {
            return false;
        }
    }
    while pi < p.len() && p[pi] == STAR {
        pi += 1;
    }
    pi == p.len()
}

/// `dir\name` with one separator.
pub(crate) fn join(dir: &str, name: &str) -> String {
    if dir.ends_with('\\') {
        format!("{dir}{name}")
    } else {
        format!("{dir}\\{name}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commas_groups_thousands() {
        let rows = [
            (0, "0"),
            (999, "999"),
            (1000, "1,000"),
            (1234567, "1,234,567"),
        ];
        for (n, s) in rows {
            assert_eq!(commas(n), s);
        }
    }

    #[test]
    fn format_time_is_us_twelve_hour() {
        use ntlinkfs_core::attrs::unix_to_filetime;
        // 2024-01-15 00:05, 12:30 and 21:45 UTC.
        assert_eq!(
            format_time(unix_to_filetime(1_705_277_100, 0)),
            "01/15/2024  12:05 AM"
        );
        assert_eq!(
            format_time(unix_to_filetime(1_705_321_800, 0)),
            "01/15/2024  12:30 PM"
        );
        assert_eq!(
            format_time(unix_to_filetime(1_705_355_100, 0)),
            "01/15/2024  09:45 PM"
        );
    }

    #[test]
    fn wildcard_match_follows_cmd_rules() {
        let rows = [
            ("*", "a", true),
            ("*.*", "noext", true),
            ("*.txt", "A.TXT", true),
            ("*.txt", "a.txt.bak", false),
            ("a?c", "abc", true),
            ("a?c", "ac", false),
            ("*.*", "", true),
            ("b*", "abc", false),
            ("*c", "abc", true),
            ("noext.*", "noext", true),
            ("a*b*c", "aXbYbZc", true),
        ];
        for (p, n, want) in rows {
            assert_eq!(wildcard_match(p, n), want, "{p} {n}");
        }
    }
}
