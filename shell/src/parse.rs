//! Turns one command's text into an invocation: the command name as cmd.exe
//! finds it (`cd..`, `echo.`, `dir/b` and `X:` work), its arguments and its
//! switches (`/S /Q`, `/s/q`, `/A:L`).

use super::lexer::{words, Word};

/// One parsed command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Invocation {
    /// The name as typed (for messages).
    pub name: String,
    /// The name in lower case, as the command table knows it.
    pub key: String,
    /// Everything after the name, as typed (quotes kept): `echo` prints from it.
    pub rest: String,
    /// Arguments that are not switches, quotes removed.
    pub args: Vec<String>,
    /// Switches in upper case without the `/` (`/a:l` gives `A:L`).
    pub switches: Vec<String>,
}

/// Internal command names that may be followed directly by `.`, `/`, `\` or
/// `:` without a space (cmd.exe ends an internal command's name there).
const GLUED: &[&str] = &[
    "cd", "chdir", "dir", "md", "mkdir", "rd", "rmdir", "echo", "type", "del", "erase", "copy",
    "move", "ren", "rename", "vol", "help", "cls", "rem",
];

/// Parses one command; `None` for an empty one.
pub(crate) fn parse(text: &str) -> Option<Invocation> {
    let text = text.trim_start_matches(|c: char| c.is_whitespace() || c == '@');
    if text.is_empty() {
        return None;
    }
    let first_end = first_word_end(text);
    let first = &text[..first_end];
    let lower = first.to_ascii_lowercase();
    let mut name_len = first_end;
    for g in GLUED {
        if lower.len() > g.len()
            && lower.starts_with(g)
            && matches!(
                lower.as_bytes()[g.len()],
                b'.' | b'/' | b'\\' | b'(' | b'+' | b'='
            )
        {
            name_len = g.len();
            break;
        }
    }
    let name = text[..name_len].to_string();
    let rest = text[name_len..].to_string();
    let mut args = Vec::new();
    let mut switches = Vec::new();
    for Word { text, quoted } in words(&rest) {
        if !quoted && text.starts_with('/') {
            switches.extend(
                text.split('/')
                    .filter(|s| !s.is_empty())
                    .map(|s| s.to_ascii_uppercase()),
            );
        } else {
            args.push(text);
        }
    }
    Some(Invocation {
        key: unquote(&name).to_ascii_lowercase(),
        name: unquote(&name),
        rest,
        args,
        switches,
    })
}

/// End of the first word: whitespace outside quotes.
fn first_word_end(text: &str) -> usize {
    let mut in_quotes = false;
    for (i, c) in text.char_indices() {
        if c == '"' {
            in_quotes = !in_quotes;
        } else if c.is_whitespace() && !in_quotes {
            return i;
        }
    }
    text.len()
}

fn unquote(s: &str) -> String {
    s.chars().filter(|&c| c != '"').collect()
}

/// The drive letter of a bare `X:` command, as typed (the core's
/// `drive_alone` recognises it).
pub(crate) fn drive_switch(name: &str) -> Option<char> {
    ntlinkfs_core::path::drive_alone(name).and(name.chars().next())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_finds_names_the_way_cmd_does() {
        type Row<'a> = (&'a str, &'a str, &'a str, &'a [&'a str], &'a [&'a str]);
        let rows: &[Row] = &[
            // line, key, rest, args, switches
            ("cd..", "cd", "..", &[".."], &[]),
            ("CD\\", "cd", "\\", &["\\"], &[]),
            ("echo.", "echo", ".", &["."], &[]),
            ("dir/b/s", "dir", "/b/s", &[], &["B", "S"]),
            (
                "rd /s /Q  \"a b\"",
                "rd",
                " /s /Q  \"a b\"",
                &["a b"],
                &["S", "Q"],
            ),
            ("dir /a:l", "dir", " /a:l", &[], &["A:L"]),
            ("  @Mklink /J j t", "mklink", " /J j t", &["j", "t"], &["J"]),
            ("directory", "directory", "", &[], &[]),
            ("\"foo bar\" x", "foo bar", " x", &["x"], &[]),
        ];
        for &(line, key, rest, args, switches) in rows {
            let inv = parse(line).unwrap();
            assert_eq!(inv.key, key, "{line}");
            assert_eq!(inv.rest, rest, "{line}");
            assert_eq!(inv.args, args, "{line}");
            assert_eq!(inv.switches, switches, "{line}");
        }
        assert_eq!(parse("   "), None);
        assert_eq!(drive_switch("d:"), Some('d'));
        assert_eq!(drive_switch("d:x"), None);
    }
}
