//! Splits a command line the way cmd.exe does before it runs anything: `"`
//! groups, `^` escapes the next character, `>`/`>>` (optionally `1>`/`2>`)
//! redirect output, and `&`, `&&`, `||` chain commands. Redirections are taken
//! out of the command text, as cmd does (so `echo hi > f` writes `hi ` with the
//! space), and the echoed form moves them to the end (`echo hi  1>f`).

/// How a command is joined to the one before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Connector {
    /// The first command of the line.
    First,
    /// `&`: run whatever happened before.
    Always,
    /// `&&`: run only if the previous command succeeded.
    IfOk,
    /// `||`: run only if the previous command failed.
    IfFailed,
}

/// An output redirection.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Redirect {
    /// 1 (stdout) or 2 (stderr).
    pub handle: u8,
    pub append: bool,
    /// The target with quotes removed.
    pub target: String,
    /// The target as typed.
    pub raw_target: String,
}

/// One command of a line.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Segment {
    pub connector: Connector,
    /// The command text with redirections removed (quotes kept, carets consumed).
    pub text: String,
    pub redirects: Vec<Redirect>,
}

impl Segment {
    /// The text cmd.exe echoes for this command: redirections moved to the end
    /// as ` 1>target`.
    pub fn display(&self) -> String {
        let mut s = self.text.trim_start().to_string();
        for r in &self.redirects {
            let op = if r.append { ">>" } else { ">" };
            s.push_str(&format!(" {}{op}{}", r.handle, r.raw_target));
        }
        s
    }
}

/// Why a line could not be split.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LexError {
    /// A redirection without a target, or a connector without a command.
    Syntax,
    /// `|` and `<` are cmd features this shell does not have.
    Unsupported(&'static str),
}

/// Splits `line` into chained commands.
pub(crate) fn split_line(line: &str) -> Result<Vec<Segment>, LexError> {
    let chars: Vec<char> = line.chars().collect();
    let mut segments = Vec::new();
    let mut seg = Segment {
        connector: Connector::First,
        text: String::new(),
        redirects: Vec::new(),
    };
    // Length of `seg.text` when its last redirection was taken out: whitespace
    // typed after a redirection is not part of the command (cmd drops it).
    let mut after_redirect: Option<usize> = None;
    let mut in_quotes = false;
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if in_quotes {
            seg.text.push(c);
            in_quotes = c != '"';
            i += 1;
            continue;
        }
        match c {
            '"' => {
                in_quotes = true;
                seg.text.push(c);
                i += 1;
            }
            '^' => {
                if let Some(&next) = chars.get(i + 1) {
                    seg.text.push(next);
                }
                i += 2;
            }
            '&' | '|' => {
                let double = chars.get(i + 1) == Some(&c);
                let connector = match (c, double) {
                    ('&', false) => Connector::Always,
                    ('&', true) => Connector::IfOk,
                    ('|', true) => Connector::IfFailed,
                    _ => return Err(LexError::Unsupported("pipes are not supported")),
                };
                finish(&mut seg, after_redirect.take());
                if seg.text.trim().is_empty() && seg.redirects.is_empty() {
                    return Err(LexError::Syntax);
                }
                segments.push(std::mem::replace(
                    &mut seg,
                    Segment {
                        connector,
                        text: String::new(),
                        redirects: Vec::new(),
                    },
                ));
                i += if double { 2 } else { 1 };
            }
            '<' => return Err(LexError::Unsupported("input redirection is not supported")),
            '>' => {
                let handle = take_handle_digit(&mut seg.text);
                let append = chars.get(i + 1) == Some(&'>');
                i += if append { 2 } else { 1 };
                if chars.get(i) == Some(&'&') {
                    return Err(LexError::Unsupported("handle duplication is not supported"));
                }
                while chars.get(i).is_some_and(|c| c.is_whitespace()) {
                    i += 1;
                }
                let (raw_target, target, next) = read_target(&chars, i);
                if target.is_empty() {
                    return Err(LexError::Syntax);
                }
                i = next;
                seg.redirects.push(Redirect {
                    handle,
                    append,
                    target,
                    raw_target,
                });
                after_redirect = Some(seg.text.len());
            }
            _ => {
                seg.text.push(c);
                i += 1;
            }
        }
    }
    finish(&mut seg, after_redirect);
    if seg.connector != Connector::First && seg.text.trim().is_empty() {
        return Err(LexError::Syntax);
    }
    segments.push(seg);
    Ok(segments)
}

/// Drops whitespace typed after the last redirection.
fn finish(seg: &mut Segment, after_redirect: Option<usize>) {
    if let Some(len) = after_redirect {
        if seg.text[len..].trim().is_empty() {
            seg.text.truncate(len);
        }
    }
}

/// `1>` / `2>`: a lone digit right before `>` names the handle.
fn take_handle_digit(text: &mut String) -> u8 {
    let bytes = text.as_bytes();
    let n = bytes.len();
    if n >= 1 && (bytes[n - 1] == b'1' || bytes[n - 1] == b'2') {
        let lone = n == 1 || bytes[n - 2].is_ascii_whitespace();
        if lone {
            let h = bytes[n - 1] - b'0';
            text.pop();
            return h;
        }
    }
    1
}

/// Reads a redirection target starting at `i`: (as typed, unquoted, next index).
fn read_target(chars: &[char], mut i: usize) -> (String, String, usize) {
    let mut raw = String::new();
    let mut text = String::new();
    let mut in_quotes = false;
    while let Some(&c) = chars.get(i) {
        if !in_quotes && (c.is_whitespace() || matches!(c, '&' | '|' | '<' | '>')) {
            break;
        }
        if c == '"' {
            in_quotes = !in_quotes;
        } else {
            text.push(c);
        }
        raw.push(c);
        i += 1;
    }
    (raw, text, i)
}

/// One argument word: the text with quotes removed, and whether it was quoted
/// (a quoted `/x` is a name, not a switch).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Word {
    pub text: String,
    pub quoted: bool,
}

/// Splits command text into words at unquoted whitespace.
pub(crate) fn words(text: &str) -> Vec<Word> {
    let mut out = Vec::new();
    let mut cur = String::new();
    let mut quoted = false;
    let mut in_quotes = false;
    let mut started = false;
    for c in text.chars() {
        if c == '"' {
            in_quotes = !in_quotes;
            quoted = true;
            started = true;
        } else if c.is_whitespace() && !in_quotes {
            if started {
                out.push(Word {
                    text: std::mem::take(&mut cur),
                    quoted,
                });
            }
            quoted = false;
            started = false;
        } else {
            cur.push(c);
            started = true;
        }
    }
    if started {
        out.push(Word { text: cur, quoted });
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn split_line_moves_redirection_out_of_the_text() {
        let s = split_line("echo hi > a.txt").unwrap();
        assert_eq!(s.len(), 1);
        assert_eq!(s[0].text, "echo hi ");
        assert_eq!(s[0].display(), "echo hi  1>a.txt");
        assert_eq!(s[0].redirects[0].target, "a.txt");
        let s = split_line("echo hi>>\"a b.txt\"").unwrap();
        assert_eq!(s[0].display(), "echo hi 1>>\"a b.txt\"");
        assert_eq!(s[0].redirects[0].target, "a b.txt");
        assert!(s[0].redirects[0].append);
    }

    #[test]
    fn split_line_handles_quotes_carets_and_connectors() {
        let s = split_line("echo \"a > b\" & echo c^&d && cd x || echo y").unwrap();
        let texts: Vec<_> = s.iter().map(|s| (s.connector, s.text.trim())).collect();
        assert_eq!(
            texts,
            vec![
                (Connector::First, "echo \"a > b\""),
                (Connector::Always, "echo c&d"),
                (Connector::IfOk, "cd x"),
                (Connector::IfFailed, "echo y"),
            ]
        );
        let s = split_line("dir 2>nul").unwrap();
        assert_eq!(s[0].redirects[0].handle, 2);
        assert_eq!(s[0].text, "dir ");
    }

    #[test]
    fn split_line_refuses_what_it_cannot_do() {
        let rows: &[(&str, LexError)] = &[
            (
                "echo a | more",
                LexError::Unsupported("pipes are not supported"),
            ),
            (
                "sort < a",
                LexError::Unsupported("input redirection is not supported"),
            ),
            ("echo a >", LexError::Syntax),
            ("& echo a", LexError::Syntax),
            ("echo a &&", LexError::Syntax),
            (
                "dir 2>&1",
                LexError::Unsupported("handle duplication is not supported"),
            ),
        ];
        for (line, want) in rows {
            assert_eq!(split_line(line), Err(*want), "{line}");
        }
    }

    #[test]
    fn words_strip_quotes() {
        let w = words(r#"mklink "my link" C:\t /D"#);
        let t: Vec<_> = w.iter().map(|w| (w.text.as_str(), w.quoted)).collect();
        assert_eq!(
            t,
            vec![
                ("mklink", false),
                ("my link", true),
                ("C:\\t", false),
                ("/D", false)
            ]
        );
        assert_eq!(words("\"\"")[0].text, "");
    }
}
