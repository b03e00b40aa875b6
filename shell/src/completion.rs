//! Tab completion as cmd.exe does it: the word under the cursor is completed
//! to the names in its directory that start with it, compared without case
//! (the core's NameKey), each Tab the next one; a name with a space is
//! quoted. At the start of a command the command names come first.

use crate::shown;
use ntlinkfs_core::{path, Machine, NameKey};

/// The shell's command names (the core keeps its table private); a test
/// checks them against the shell's HELP and against what it runs.
pub const COMMAND_NAMES: &[&str] = &[
    "attrib",
    "audit",
    "cd",
    "chdir",
    "close",
    "copy",
    "copytree",
    "del",
    "dir",
    "echo",
    "erase",
    "exit",
    "explorer-delete",
    "fsutil",
    "help",
    "icacls",
    "md",
    "mkdir",
    "mklink",
    "move",
    "open",
    "profile",
    "rd",
    "rem",
    "ren",
    "rename",
    "rmdir",
    "save",
    "type",
    "ver",
    "vol",
    "volume",
];

/// Characters that make cmd.exe quote a completed name.
const NEEDS_QUOTES: &[char] = &[
    ' ', '&', '(', ')', '[', ']', '{', '}', '^', '=', ';', '!', '\'', '+', ',', '`', '~',
];

/// The completions of `line` up to the cursor: where the replaced word
/// starts, and the words that may replace it, in order.
pub fn complete(machine: &Machine, line: &str) -> (usize, Vec<String>) {
    let (start, command_position) = word_start(line);
    let word = &line[start..];
    let quoted = word.starts_with('"');
    let typed = word.replace('"', "");
    let mut found = Vec::new();
    if command_position && !typed.contains(['\\', '/', ':']) {
        found.extend(commands(&typed));
    }
    found.extend(paths(machine, &typed).into_iter().map(|p| {
        if quoted || p.contains(NEEDS_QUOTES) {
            format!("\"{p}\"")
        } else {
            p
        }
    }));
    (start, found)
}

/// Where the word before the cursor starts (at its opening quote, if any),
/// and whether it is a command name's place: the first word, or the first
/// after `&`, `|` or `(`.
fn word_start(line: &str) -> (usize, bool) {
    let mut start = 0;
    let mut quoted = false;
    for (i, c) in line.char_indices() {
        match c {
            '"' => quoted = !quoted,
            ' ' | '\t' | '&' | '|' | '(' | '<' | '>' if !quoted => start = i + c.len_utf8(),
            _ => {}
        }
    }
    let before = line[..start].trim_end();
    let command_position = before.is_empty() || before.ends_with(['&', '|', '(']);
    (start, command_position)
}

/// The command names that start with `typed`, in upper case when it is.
fn commands(typed: &str) -> Vec<String> {
    let lower = typed.to_ascii_lowercase();
    let upper = typed.chars().any(|c| c.is_ascii_uppercase())
        && !typed.chars().any(|c| c.is_ascii_lowercase());
    COMMAND_NAMES
        .iter()
        .filter(|n| n.starts_with(&lower))
        .map(|n| {
            if upper {
                n.to_ascii_uppercase()
            } else {
                (*n).to_string()
            }
        })
        .collect()
}

/// The paths that complete `typed`: its directory part (as typed) with each
/// name in that directory, in the directory's order, that starts with the
/// rest without regard to case.
fn paths(machine: &Machine, typed: &str) -> Vec<String> {
    let split = typed
        .rfind(['\\', '/'])
        .map(|i| i + 1)
        .or_else(|| path::drive_letter_str(typed).map(|_| 2))
        .unwrap_or(0);
    let (dir, prefix) = typed.split_at(split);
    // `.` names the directory itself: the current one, `C:`'s, or `dir\`.
    let Ok(entries) = machine.enumerate(&crate::typed(&format!("{dir}."))) else {
        return Vec::new();
    };
    let key = NameKey::of(prefix);
    entries
        .iter()
        .map(|e| shown(&e.name))
        .filter(|n| n != "." && n != "..")
        .filter(|n| NameKey::of(n).units().starts_with(key.units()))
        .map(|n| format!("{dir}{n}"))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Shell;
    use ntlinkfs_core::{FsKind, Profile};

    fn machine() -> Machine {
        let mut m = Machine::with_volumes(
            &[('C', FsKind::Ntfs), ('D', FsKind::Ntfs)],
            Profile::default(),
        )
        .unwrap();
        m.create_directory(r"C:\Users").unwrap();
        m.create_directory(r"C:\Users\Alice").unwrap();
        m.create_directory(r"C:\Program Files").unwrap();
        m.write_file(r"C:\ReadMe.txt", b"x").unwrap();
        m.write_file(r"C:\readme2.txt", b"x").unwrap();
        m.write_file(r"D:\data.bin", b"x").unwrap();
        m
    }

    #[test]
    fn words_complete_to_commands_and_names_without_regard_to_case() {
        let m = machine();
        let rows: &[(&str, usize, &[&str])] = &[
            ("di", 0, &["dir"]),
            ("DI", 0, &["DIR"]),
            ("m", 0, &["md", "mkdir", "mklink", "move"]),
            ("dir us", 4, &["Users"]),
            ("dir USERS\\a", 4, &["USERS\\Alice"]),
            ("dir c:\\users\\", 4, &["c:\\users\\Alice"]),
            ("type read", 5, &["ReadMe.txt", "readme2.txt"]),
            ("cd pro", 3, &["\"Program Files\""]),
            ("cd \"pro", 3, &["\"Program Files\""]),
            ("dir d:", 4, &["d:data.bin"]),
            ("echo x & ty", 9, &["type"]),
            ("echo x &ty", 8, &["type"]),
            // Not a command's place: only names.
            ("dir di", 4, &[]),
            ("type nothing", 5, &[]),
            ("dir Z:\\", 4, &[]),
        ];
        for &(line, start, want) in rows {
            assert_eq!(
                complete(&m, line),
                (start, want.iter().map(|s| s.to_string()).collect()),
                "{line}"
            );
        }
        // An empty word: every command and every name here.
        let (start, all) = complete(&m, "");
        assert_eq!(start, 0);
        assert_eq!(all.len(), COMMAND_NAMES.len() + 4);
        assert_eq!(all.last().map(String::as_str), Some("Users"));
    }

    /// The names match the shell's: each runs (`NAME /?` prints its usage),
    /// and each command HELP lists is here.
    #[test]
    fn command_names_are_the_shells() {
        let mut sh = Shell::new(machine());
        for name in COMMAND_NAMES
            .iter()
            .filter(|n| !["exit", "rem"].contains(n))
        {
            let out = sh.execute(&format!("{name} /?"));
            assert!(out.failure.is_none(), "{name}: {}", out.output);
        }
        let help = sh.execute("help").output;
        // The command lines: after the title and a blank line, up to the next
        // blank line (then come drive switches and syntax).
        let listed = help.lines().skip(2).take_while(|l| !l.is_empty());
        for line in listed.filter(|l| !l.starts_with("   ")) {
            let name = line.split_whitespace().next().unwrap().to_ascii_lowercase();
            assert!(COMMAND_NAMES.contains(&name.as_str()), "{name} from HELP");
        }
    }
}
