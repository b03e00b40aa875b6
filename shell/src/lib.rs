//! The cmd.exe dialect over a [`Machine`]: plain code over the public Machine
//! API, no I/O. [`Shell::execute`] takes one line and returns the text cmd.exe
//! would print and whether the command failed; [`run_script`] turns a whole
//! script into a transcript as cmd.exe prints it with echo on.
//!
//! ```
//! use ntlinkfs_shell::Shell;
//! use ntlinkfs_core::{Machine, NtError};
//!
//! let mut sh = Shell::new(Machine::default());
//! assert!(sh.execute("echo hello> C:\\a.txt").failure.is_none());
//! let out = sh.execute("mklink /H D:\\b.txt C:\\a.txt");
//! assert_eq!(out.output, "The new link and the existing file must be on the same NTFS volume.\n");
//! assert_eq!(out.failure.unwrap().error, Some(NtError::NotSameDevice));
//! ```

mod commands;
pub mod completion;
pub mod demo;
mod lexer;
pub mod mklink;
mod parse;
mod transcript;
mod typed;

pub use commands::fsutil::describe_reparse_point;
pub use transcript::{run_script, Captured, ScriptOptions, ScriptSummary, TranscriptSink};

use lexer::{Connector, LexError};
use ntlinkfs_core::error::NtError;
use ntlinkfs_core::Machine;
pub(crate) use typed::{shown, shown_cwd, shown_path, typed};

/// Answers a yes/no prompt (`rd /s` without `/q`, `del *`). The text is the
/// question as cmd prints it; the answer is true for yes.
pub type Confirm = Box<dyn FnMut(&str) -> bool + Send>;

/// Saves the machine for the `save` command: the core does no file I/O, so
/// the host installs this. The argument is the file named after `SAVE`, if
/// any; the answer is the line to print, or why saving failed.
pub type Saver = Box<dyn FnMut(&Machine, Option<&str>) -> Result<String, String> + Send>;

/// The interpreter: a machine plus the state cmd.exe keeps (echo on or off).
pub struct Shell {
    machine: Machine,
    echo: bool,
    confirm: Option<Confirm>,
    saver: Option<Saver>,
    /// Handles `open` keeps, by the number it printed (`close N`).
    handles: std::collections::BTreeMap<u32, ntlinkfs_core::HandleId>,
}

/// What one line did.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Outcome {
    /// The text cmd.exe prints (error messages included), `\n` line ends.
    pub output: String,
    /// Set when the (last run) command failed.
    pub failure: Option<Failure>,
    /// `exit` was typed.
    pub exit: bool,
}

/// Why a command failed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Failure {
    /// The NTSTATUS behind it, when the failure came from the machine.
    pub error: Option<NtError>,
    /// A short reason when there is no NTSTATUS (unknown command, bad syntax).
    pub reason: String,
}

impl Failure {
    /// The failure of a machine operation.
    pub fn nt(error: NtError) -> Failure {
        Failure {
            error: Some(error),
            reason: String::new(),
        }
    }

    /// A failure of the command line itself.
    pub fn shell(reason: impl Into<String>) -> Failure {
        Failure {
            error: None,
            reason: reason.into(),
        }
    }

    /// The part of the stderr line after `error: `:
    /// `ERROR_NOT_SAME_DEVICE (17) STATUS_NOT_SAME_DEVICE (0xC00000D4)`.
    pub fn diagnostic(&self) -> String {
        match self.error {
            Some(e) => e.diagnostic(),
            None => self.reason.clone(),
        }
    }
}

impl Shell {
    pub fn new(machine: Machine) -> Shell {
        Shell {
            machine,
            echo: true,
            confirm: None,
            saver: None,
            handles: Default::default(),
        }
    }

    pub fn machine(&self) -> &Machine {
        &self.machine
    }

    pub fn machine_mut(&mut self) -> &mut Machine {
        &mut self.machine
    }

    pub fn into_machine(self) -> Machine {
        self.machine
    }

    /// Installs the answerer of yes/no prompts; it shows the question itself.
    /// Without one, prompts are printed and answered "N" (a script cannot
    /// answer; use `/Q`).
    pub fn set_confirm(&mut self, confirm: Confirm) {
        self.confirm = Some(confirm);
    }

    /// Installs what the `save` command calls (the image file of the session).
    pub fn set_saver(&mut self, saver: Saver) {
        self.saver = Some(saver);
    }

    /// The prompt cmd.exe shows: the current directory and `>`.
    pub fn prompt(&self) -> String {
        format!("{}>", shown_cwd(&self.machine))
    }

    /// Whether commands are echoed (`echo off` turns it off).
    pub fn echo_on(&self) -> bool {
        self.echo
    }

    /// Runs one line: one command or several joined by `&`, `&&`, `||`, with
    /// `>`/`>>` redirections. Never panics on any input.
    pub fn execute(&mut self, line: &str) -> Outcome {
        let mut outcome = Outcome::default();
        if is_comment(line) {
            return outcome; // REM takes the rest of the line as it is: no `|`, no `>`
        }
        let segments = match lexer::split_line(line) {
            Ok(s) => s,
            Err(LexError::Syntax) => {
                outcome.output = commands::SYNTAX_ERROR.to_string();
                outcome.failure = Some(Failure::shell("syntax error"));
                return outcome;
            }
            Err(LexError::Unsupported(what)) => {
                outcome.output = commands::SYNTAX_ERROR.to_string();
                outcome.failure = Some(Failure::shell(what));
                return outcome;
            }
        };
        let mut last_failed = false;
        for seg in segments {
            let run = match seg.connector {
                Connector::First | Connector::Always => true,
                Connector::IfOk => !last_failed,
                Connector::IfFailed => last_failed,
            };
            if !run {
                continue;
            }
            let r = commands::run_segment(self, &seg, &mut outcome);
            last_failed = r.is_err();
            outcome.failure = r.err();
            if outcome.exit {
                break;
            }
        }
        outcome
    }

    /// Asks a yes/no question through the installed answerer.
    pub(crate) fn ask(&mut self, question: &str, out: &mut commands::Out) -> bool {
        match self.confirm.as_mut() {
            // An interactive answerer shows the question itself.
            Some(f) => f(question),
            None => {
                out.print(question);
                out.println("N");
                false
            }
        }
    }
}

/// `rem …` (REM ends at whitespace, `.`, `/` or the end of the line).
fn is_comment(line: &str) -> bool {
    let t = line.trim_start_matches(|c: char| c.is_whitespace() || c == '@');
    let b = t.as_bytes();
    b.len() >= 3
        && b[..3].eq_ignore_ascii_case(b"rem")
        && b.get(3)
            .is_none_or(|c| c.is_ascii_whitespace() || *c == b'.' || *c == b'/')
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntlinkfs_core::attrs::FixedClock;
    use proptest::prelude::*;
    use std::sync::Arc;

    fn shell() -> Shell {
        let mut m = Machine::default();
        m.set_clock(Arc::new(FixedClock(133_500_000_000_000_000)));
        Shell::new(m)
    }

    #[test]
    fn execute_unknown_command_prints_cmd_text() {
        let mut sh = shell();
        let o = sh.execute("foo bar");
        assert_eq!(
            o.output,
            "'foo' is not recognized as an internal or external command,\n\
             operable program or batch file.\n"
        );
        assert_eq!(o.failure.unwrap().error, None);
    }

    #[test]
    fn execute_rem_ignores_the_rest_of_the_line() {
        let mut sh = shell();
        for line in ["rem a | b > c", "REM", "@rem.x", "rem/?"] {
            assert_eq!(sh.execute(line), Outcome::default(), "{line}");
        }
        assert!(!sh.machine().exists(&typed(r"C:\c")));
        assert!(sh.execute("remove").failure.is_some());
    }

    #[test]
    fn execute_chains_run_on_status() {
        let mut sh = shell();
        let o = sh.execute("cd nowhere && echo no || echo yes & echo always");
        assert_eq!(
            o.output,
            "The system cannot find the path specified.\nyes \nalways\n"
        );
        assert!(o.failure.is_none());
    }

    fn line_strategy() -> impl Strategy<Value = String> {
        let words = prop::sample::select(vec![
            "cd",
            "cd /d",
            "dir",
            "dir /s /b",
            "dir /al",
            "dir /a-d",
            "md",
            "rd /s /q",
            "del /s /q",
            "echo",
            "echo.",
            "type",
            "copy",
            "move",
            "ren",
            "mklink",
            "mklink /d",
            "mklink /h",
            "mklink /j",
            "fsutil hardlink list",
            "fsutil hardlink create",
            "fsutil reparsepoint query",
            "fsutil reparsepoint delete",
            "fsutil file queryfileid",
            "vol",
            "explorer-delete",
            "volume add",
            "volume list",
            "profile",
            "help",
            "a",
            "b",
            "a\\b",
            "..",
            "\\",
            "C:",
            "D:\\",
            "E:",
            "Z:",
            "*",
            "?",
            "\"",
            "\"a b\"",
            ">",
            ">>",
            "&",
            "&&",
            "||",
            "^",
            "|",
            "<",
            "/",
            "/x",
            "\\\\srv\\s",
            "\\??\\C:\\a",
            "con",
            "x.txt",
            "fat32",
            "xp",
            "2000",
            "11+dev-user",
            "%",
            "(",
            ")",
        ]);
        // Well-formed commands over a tiny namespace reach deep into the machine.
        let verbs = prop::sample::select(vec![
            "md",
            "rd",
            "rd /s /q",
            "del /q",
            "del /s /q",
            "echo x >",
            "echo y >>",
            "type",
            "copy",
            "move",
            "ren",
            "mklink",
            "mklink /d",
            "mklink /h",
            "mklink /j",
            "cd",
            "cd /d",
            "dir /s",
            "dir /b /s /a",
            "explorer-delete",
            "attrib +r",
            "attrib -r",
            "fsutil reparsepoint delete",
            "fsutil reparsepoint query",
            "fsutil hardlink list",
            "profile xp",
            "profile 11",
            "profile 10-1703",
            "volume add F: fat32",
            "copytree",
            "copytree /j:follow /h:break",
            "copytree /j:remap /d:copy-link",
            "audit",
            "save",
            "ver",
            "fsutil behavior set SymlinkEvaluation R2L:1",
        ]);
        let paths = prop::sample::select(vec![
            "a",
            "A",
            "b",
            "a\\b",
            "a\\b\\c",
            "..",
            "C:\\",
            "C:\\a",
            "D:\\a",
            "F:\\a",
            "j",
            "j\\x",
            "*",
            "a\\*",
            "\\\\srv\\s\\a",
            ".\\a",
            "a.",
            "con",
        ]);
        let structured = (verbs, prop::collection::vec(paths, 0..3))
            .prop_map(|(v, p)| format!("{v} {}", p.join(" ")));
        prop_oneof![
            3 => structured,
            1 => prop::collection::vec(words, 0..7).prop_map(|w| w.join(" ")),
            1 => any::<String>(),
            1 => "[a-z:\\\\./ \"*?<>|&^-]{0,30}",
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(400))]

        /// Bad input never panics and never breaks the machine's invariants.
        #[test]
        fn execute_arbitrary_lines_never_panics(
            lines in prop::collection::vec(line_strategy(), 1..24),
            answer_yes in any::<bool>(),
        ) {
            let mut sh = shell();
            // Answering the prompts of rd /s and del * takes the destructive paths.
            sh.set_confirm(Box::new(move |_| answer_yes));
            for line in &lines {
                let _ = sh.execute(line);
                prop_assert!(ntlinkfs_core::invariants::check(sh.machine()).is_ok(), "after {line:?}");
            }
        }
    }
}
