//! `ntlinkfs shell`: an interactive cmd.exe-style prompt with line editing
//! and history (rustyline). When standard input is not a terminal, lines are
//! read plainly and echoed after their prompt, as a transcript.

use crate::image_file;
use crate::options::MachineOptions;
use ntlinkfs_shell::{Outcome, Shell};
use rustyline::error::ReadlineError;
use std::io::{BufRead, IsTerminal, Write};
use std::process::ExitCode;

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
    let code = if std::io::stdin().is_terminal() {
        interactive(&mut shell)
    } else {
        piped(&mut shell)
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

fn interactive(shell: &mut Shell) -> ExitCode {
    let mut editor = match rustyline::DefaultEditor::new() {
        Ok(e) => e,
        Err(e) => {
            eprintln!("error: cannot open the line editor: {e}");
            return piped(shell);
        }
    };
    shell.set_confirm(Box::new(|question| {
        print!("{question}");
        let _ = std::io::stdout().flush();
        let mut answer = String::new();
        let _ = std::io::stdin().lock().read_line(&mut answer);
        answer.trim().eq_ignore_ascii_case("y")
    }));
    println!("{}", banner(shell));
    let mut failed = false;
    loop {
        // With echo off cmd shows no prompt.
        let prompt = if shell.echo_on() {
            shell.prompt()
        } else {
            String::new()
        };
        match editor.readline(&prompt) {
            Ok(line) => {
                if !line.trim().is_empty() {
                    let _ = editor.add_history_entry(line.as_str());
                }
                let outcome = shell.execute(&line);
                failed = report(&outcome);
                if outcome.exit {
                    break;
                }
                if !line.trim().is_empty() && shell.echo_on() {
                    println!();
                }
            }
            Err(ReadlineError::Interrupted) => println!("^C"),
            Err(ReadlineError::Eof) => break,
            Err(e) => {
                eprintln!("error: {e}");
                return ExitCode::from(2);
            }
        }
    }
    if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
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
