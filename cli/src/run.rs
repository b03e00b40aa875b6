//! `ntlinkfs run SCRIPT|-`: runs a cmd-dialect script and prints its
//! transcript; exit status 0 only when every command succeeded.

use crate::image_file;
use crate::options::MachineOptions;
use ntlinkfs_shell::{run_script, ScriptOptions, Shell, TranscriptSink};
use std::io::{Read, Write};
use std::process::ExitCode;

/// Run a script (CRLF or LF lines) and print its transcript as cmd.exe does
/// with echo on; stop at the first failure unless --keep-going
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The script file, or - to read it from standard input
    #[arg(value_name = "SCRIPT")]
    pub script: String,

    /// Go on after a failed command (the exit status still reports it)
    #[arg(long)]
    pub keep_going: bool,

    #[command(flatten)]
    pub machine: MachineOptions,
}

/// Writes the transcript as it is produced.
struct Stdio;

impl TranscriptSink for Stdio {
    fn stdout(&mut self, text: &str) {
        let mut out = std::io::stdout().lock();
        let _ = out.write_all(text.as_bytes());
        let _ = out.flush();
    }

    fn stderr(&mut self, line: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

pub fn main(args: Args) -> ExitCode {
    let text = match read_script(&args.script) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", args.script);
            return ExitCode::from(2);
        }
    };
    let (machine, image) = match args.machine.open() {
        Ok(s) => s.into_parts(),
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let mut shell = Shell::new(machine);
    shell.set_saver(image_file::shell_saver(image.clone()));
    let opts = ScriptOptions {
        keep_going: args.keep_going,
    };
    let summary = run_script(&mut shell, &text, opts, &mut Stdio);
    if !image_file::save_on_exit(image.as_deref(), shell.machine()) {
        return ExitCode::from(2);
    }
    if summary.success() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// The script's text; bytes that are not UTF-8 are replaced, not refused.
fn read_script(path: &str) -> std::io::Result<String> {
    let mut bytes = Vec::new();
    if path == "-" {
        std::io::stdin().read_to_end(&mut bytes)?;
    } else {
        bytes = std::fs::read(path)?;
    }
    Ok(String::from_utf8_lossy(&bytes).into_owned())
}
