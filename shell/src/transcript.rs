//! Runs a script (CRLF or LF lines) and writes its transcript as cmd.exe does
//! with echo on: for each command a blank line, the prompt and the command,
//! then its output. Each failure also gives one diagnostic line for stderr,
//! `error: WIN32_NAME (CODE) NTSTATUS_NAME (0xXXXXXXXX)`.

use super::lexer;
use super::Shell;

/// How to run a script.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScriptOptions {
    /// Go on after a failed command (the default stops at the first).
    pub keep_going: bool,
}

/// What a script did.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScriptSummary {
    /// Commands run (lines with a command on them).
    pub commands: usize,
    pub failures: usize,
    /// The script stopped at a failure before its end.
    pub stopped: bool,
}

impl ScriptSummary {
    pub fn success(&self) -> bool {
        self.failures == 0
    }
}

/// Where a transcript goes: console text, and diagnostic lines.
pub trait TranscriptSink {
    fn stdout(&mut self, text: &str);
    /// One line, without its line end.
    fn stderr(&mut self, line: &str);
}

/// A transcript kept in memory.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Captured {
    pub stdout: String,
    pub stderr: String,
}

impl TranscriptSink for Captured {
    fn stdout(&mut self, text: &str) {
        self.stdout.push_str(text);
    }
    fn stderr(&mut self, line: &str) {
        self.stderr.push_str(line);
        self.stderr.push('\n');
    }
}

/// Runs every line of `script` on `shell`.
pub fn run_script(
    shell: &mut Shell,
    script: &str,
    opts: ScriptOptions,
    sink: &mut dyn TranscriptSink,
) -> ScriptSummary {
    let mut summary = ScriptSummary::default();
    let script = script.strip_prefix('\u{feff}').unwrap_or(script);
    for raw in script.split('\n') {
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let trimmed = line.trim_start();
        if trimmed.is_empty() || trimmed.starts_with(':') {
            continue; // blank lines and labels are not echoed
        }
        let (quiet, command) = match trimmed.strip_prefix('@') {
            Some(rest) => (true, rest),
            None => (false, trimmed),
        };
        if shell.echo_on() && !quiet {
            let shown = match lexer::split_line(command) {
                _ if super::is_comment(command) => command.to_string(),
                Ok(segs) if segs.len() == 1 => segs[0].display(),
                _ => command.to_string(),
            };
            sink.stdout(&format!("\n{}{shown}\n", shell.prompt()));
        }
        summary.commands += 1;
        let outcome = shell.execute(command);
        sink.stdout(&outcome.output);
        if let Some(f) = &outcome.failure {
            summary.failures += 1;
            sink.stderr(&format!("error: {}", f.diagnostic()));
            if !opts.keep_going {
                summary.stopped = true;
                break;
            }
        }
        if outcome.exit {
            break;
        }
    }
    summary
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntlinkfs_core::Machine;

    #[test]
    fn run_script_echoes_like_cmd_and_stops_at_first_failure() {
        let mut sh = Shell::new(Machine::default());
        let mut t = Captured::default();
        let script =
            "@echo hidden\r\nmd a\r\n\r\n:label\r\ncd a\r\nmklink /H x C:\\a\r\necho never\r\n";
        let s = run_script(&mut sh, script, ScriptOptions::default(), &mut t);
        assert_eq!(
            t.stdout,
            "hidden\n\nC:\\>md a\n\nC:\\>cd a\n\nC:\\a>mklink /H x C:\\a\nAccess is denied.\n"
        );
        assert_eq!(
            t.stderr,
            "error: ERROR_ACCESS_DENIED (5) STATUS_FILE_IS_A_DIRECTORY (0xC00000BA)\n"
        );
        assert_eq!(
            s,
            ScriptSummary {
                commands: 4,
                failures: 1,
                stopped: true
            }
        );
    }

    #[test]
    fn run_script_keep_going_runs_everything() {
        let mut sh = Shell::new(Machine::default());
        let mut t = Captured::default();
        let s = run_script(
            &mut sh,
            "cd nowhere\necho off\necho still here\nbogus\n",
            ScriptOptions { keep_going: true },
            &mut t,
        );
        assert_eq!(s.failures, 2);
        assert!(!s.success());
        assert_eq!(
            t.stdout,
            "\nC:\\>cd nowhere\nThe system cannot find the path specified.\n\nC:\\>echo off\n\
             still here\n'bogus' is not recognized as an internal or external command,\n\
             operable program or batch file.\n"
        );
    }
}
