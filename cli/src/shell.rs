//! `ntlinkfs shell`: an interactive cmd.exe-style prompt with line editing,
//! Tab completion and a history kept across sessions (rustyline). Every line
//! runs, pasted or typed ahead, in order. When standard input is not a
//! terminal, lines are read plainly and echoed after their prompt, as a
//! transcript.

mod history;

use crate::image_file;
use crate::options::MachineOptions;
use ntlinkfs_shell::{completion, Outcome, Shell};
use rustyline::error::ReadlineError;
use rustyline::history::DefaultHistory;
use std::io::{BufRead, IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::{Arc, Mutex, MutexGuard, Weak};

/// Open an interactive cmd.exe-style prompt over an emulated machine
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(flatten)]
    pub machine: MachineOptions,
}

pub fn main(args: Args) -> ExitCode {
    let (machine, image) = match args.machine.open() {
        Ok(s) => s.into_parts(),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut shell = Shell::new(machine);
    shell.set_saver(image_file::shell_saver(image.clone()));
    let (code, shell) = if std::io::stdin().is_terminal() {
        interactive(shell)
    } else {
        (piped(&mut shell), shell)
    };
    if !image_file::save_on_exit(image.as_deref(), shell.machine()) {
        return ExitCode::from(2);
    }
    code
}

fn banner(shell: &Shell) -> String {
    let p = shell.machine().profile();
    format!(
        "ntlinkfs shell: emulated NTFS, profile {} ({}).\n\
         Type HELP for the commands, EXIT to leave.\n",
        p.name(),
        p.version.description()
    )
}

/// The line editor's helper: Tab reads the machine's directories through it.
/// Weak, because the shell holds the editor (for its Y/N questions).
struct Helper {
    shell: Weak<Mutex<Shell>>,
}

impl rustyline::completion::Completer for Helper {
    type Candidate = String;

    fn complete(
        &self,
        line: &str,
        pos: usize,
        _: &rustyline::Context<'_>,
    ) -> rustyline::Result<(usize, Vec<String>)> {
        // Busy (a command is asking Y/N): nothing to complete.
        let Some(shell) = self.shell.upgrade() else {
            return Ok((pos, Vec::new()));
        };
        let Ok(shell) = shell.try_lock() else {
            return Ok((pos, Vec::new()));
        };
        Ok(completion::complete(shell.machine(), &line[..pos]))
    }
}

impl rustyline::hint::Hinter for Helper {
    type Hint = String;
}

impl rustyline::highlight::Highlighter for Helper {}

impl rustyline::validate::Validator for Helper {}

impl rustyline::Helper for Helper {}

type LineEditor = rustyline::Editor<Helper, DefaultHistory>;

/// The lock, also after a panic elsewhere (the shell and editor stay usable).
fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(std::sync::PoisonError::into_inner)
}

/// The history file, if there is one, with a warning the first time it
/// cannot be written (never an error: the shell goes on without it).
struct History {
    path: Option<PathBuf>,
}

impl History {
    /// Loads the saved commands into the editor.
    fn open(editor: &mut LineEditor) -> History {
        let mut history = History {
            path: history::path(),
        };
        if let Some(path) = &history.path {
            match history::load(path) {
                Ok(lines) => {
                    for line in lines {
                        let _ = editor.add_history_entry(line);
                    }
                }
                Err(e) => history.give_up(&e),
            }
        }
        history
    }

    fn record(&mut self, editor: &mut LineEditor, line: &str) {
        if line.trim().is_empty() {
            return;
        }
        let _ = editor.add_history_entry(line);
        if let Some(path) = &self.path {
            if let Err(e) = history::append(path, line) {
                self.give_up(&e);
            }
        }
    }

    fn give_up(&mut self, why: &str) {
        eprintln!("warning: the command history is not kept: {why}");
        self.path = None;
    }
}

/// The commands in what the editor returned: a paste brings several lines.
fn lines_of(text: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = text
        .split('\n')
        .map(|l| l.strip_suffix('\r').unwrap_or(l))
        .collect();
    // A paste that ends with a newline adds no empty command.
    if lines.len() > 1 && lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop();
    }
    lines
}

fn interactive(mut shell: Shell) -> (ExitCode, Shell) {
    let mut editor = match LineEditor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot open the line editor: {e}");
            return (piped(&mut shell), shell);
        }
    };
    println!("{}", banner(&shell));
    let mut history = History::open(&mut editor);
    let shell = Arc::new(Mutex::new(shell));
    editor.set_helper(Some(Helper {
        shell: Arc::downgrade(&shell),
    }));
    let editor = Arc::new(Mutex::new(editor));
    // A question (DEL's "Are you sure (Y/N)?") reads its answer through the
    // editor too, so that an answer pasted with the command is the one used.
    let asker = editor.clone();
    lock(&shell).set_confirm(Box::new(move |question| {
        let answer = lock(&asker).readline(question);
        answer.is_ok_and(|a| a.trim().eq_ignore_ascii_case("y"))
    }));
    let mut failed = false;
    let mut code = None;
    'session: loop {
        // With echo off cmd shows no prompt.
        let prompt = {
            let shell = lock(&shell);
            if shell.echo_on() {
                shell.prompt()
            } else {
                String::new()
            }
        };
        let read = lock(&editor).readline(&prompt);
        match read {
            Ok(text) => {
                for (i, line) in lines_of(&text).into_iter().enumerate() {
                    history.record(&mut lock(&editor), line);
                    let mut shell = lock(&shell);
                    // The lines after the first of a paste show after their
                    // prompt, as cmd.exe shows each command it runs.
                    if i > 0 && shell.echo_on() {
                        println!("{}{line}", shell.prompt());
                    }
                    let outcome = shell.execute(line);
                    failed = report(&outcome);
                    if outcome.exit {
                        break 'session;
                    }
                    if !line.trim().is_empty() && shell.echo_on() {
                        println!();
                    }
                }
            }
            Err(ReadlineError::Interrupted) => println!("^C"),
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                code = Some(ExitCode::from(2));
                break;
            }
        }
    }
    let code = code.unwrap_or(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    });
    // The editor holds only a weak reference: this is the one strong one.
    let shell = match Arc::try_unwrap(shell) {
        Ok(m) => m
            .into_inner()
            .unwrap_or_else(std::sync::PoisonError::into_inner),
        Err(_) => unreachable!("only the session loop holds the shell"),
    };
    (code, shell)
}

/// Prints a command's output and its diagnostic; true when it failed.
fn report(outcome: &Outcome) -> bool {
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(outcome.output.as_bytes());
    let _ = out.flush();
    match &outcome.failure {
        Some(f) => {
            eprintln!("error: {}", f.diagnostic());
            true
        }
        None => false,
    }
}

/// Standard input is a file or a pipe: each line is shown after its prompt,
/// as cmd.exe shows typed commands.
fn piped(shell: &mut Shell) -> ExitCode {
    let mut any_failed = false;
    for line in std::io::stdin().lock().lines() {
        let Ok(line) = line else { break };
        let line = line.strip_suffix('\r').unwrap_or(&line).to_string();
        if shell.echo_on() {
            println!("\n{}{}", shell.prompt(), line);
        }
        let outcome = shell.execute(&line);
        any_failed |= report(&outcome);
        if outcome.exit {
            break;
        }
    }
    if any_failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A paste brings several lines in one edit: each is a command.
    #[test]
    fn a_paste_is_split_into_its_lines() {
        let rows: [(&str, &[&str]); 5] = [
            ("dir", &["dir"]),
            ("", &[""]),
            ("echo a\necho b\necho c\n", &["echo a", "echo b", "echo c"]),
            ("echo a\r\necho b", &["echo a", "echo b"]),
            ("echo a\n\necho c", &["echo a", "", "echo c"]),
        ];
        for (text, want) in rows {
            assert_eq!(lines_of(text), want, "{text:?}");
        }
    }
}
