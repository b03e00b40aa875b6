//! `ntlinkfs mount` on Windows: every volume of the machine as its own WinFsp
//! file system, in MOUNTPOINT\C, MOUNTPOINT\D … (the Linux layout) or at host
//! drive letters (`--drive C=X:`). Ctrl-C unmounts. WinFsp must be installed.
//!
//! This module links the GPL-3.0 `winfsp` crate: a Windows build of this
//! binary is GPL-3.0 (see docs/windows.md, Licence).

use crate::options::MachineOptions;
use ntlinkfs_core::{Machine, Shared};
use ntlinkfs_shell::{run_script, ScriptOptions, Shell, TranscriptSink};
use ntlinkfs_winfsp::path::MountPoint;
use ntlinkfs_winfsp::security::{SecurityDescriptor, DEFAULT_SDDL};
use ntlinkfs_winfsp::{mount, plan};
use std::io::Write;
use std::process::ExitCode;

/// Mount the machine's volumes through WinFsp until Ctrl-C
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A directory that gets one mount per volume (MOUNTPOINT\C, MOUNTPOINT\D);
    /// created if missing, its volume entries must not exist. A drive letter
    /// (X:) takes a machine with one volume. Without it, each volume is
    /// mounted at its own letter (use --volume with free letters, e.g. X: Y:)
    #[arg(value_name = "MOUNTPOINT")]
    pub mountpoint: Option<String>,

    /// Mount volume L at host drive X: instead (repeatable); absolute link
    /// targets then resolve there
    #[arg(long = "drive", value_name = "L=X:")]
    pub drives: Vec<String>,

    /// Run this cmd-dialect script on the machine before mounting (stops at
    /// the first failure); hard links made here show under every name
    #[arg(long, value_name = "FILE")]
    pub script: Option<String>,

    /// The security descriptor every file reports (SDDL: O:, G:, D: with
    /// allow/deny ACEs)
    #[arg(long, value_name = "SDDL", default_value = DEFAULT_SDDL)]
    pub sddl: String,

    #[command(flatten)]
    pub machine: MachineOptions,
}

struct Stdio;

impl TranscriptSink for Stdio {
    fn stdout(&mut self, text: &str) {
        let _ = std::io::stdout().lock().write_all(text.as_bytes());
    }

    fn stderr(&mut self, line: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

pub fn main(args: Args) -> ExitCode {
    match mount_main(args) {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::from(2)
        }
    }
}

fn mount_main(args: Args) -> Result<(), String> {
    let security = SecurityDescriptor::from_sddl(&args.sddl)?;
    let (machine, image_path) = build_machine(&args)?;
    let volumes: Vec<_> = machine
        .volume_infos()
        .iter()
        .map(|v| (v.id, v.letter))
        .collect();
    let root = args.mountpoint.as_deref().map(absolute).transpose()?;
    let table = plan::plan(&volumes, root.as_deref(), &args.drives)?;
    if let Some(dir) = &root {
        if matches!(MountPoint::parse(dir)?, MountPoint::Directory(_)) {
            std::fs::create_dir_all(dir).map_err(|e| format!("cannot create {dir}: {e}"))?;
        }
    }
    let lines: Vec<String> = table
        .entries
        .iter()
        .map(|(_, letter, at)| format!("{letter}: -> {}", at.to_winfsp()))
        .collect();
    let shared = Shared::new(machine);
    mount::serve(shared.clone(), table, security, move || {
        for l in &lines {
            println!("mounted {l}");
        }
        println!("Press Ctrl-C to unmount.");
    })
    .map_err(|e| e.to_string())?;
    if let Some(msg) = crate::image_file::save_to(image_path.as_deref(), &shared.read())? {
        println!("{msg}");
    }
    Ok(())
}

/// The machine (from `--image`, `--demo` and the volume options, see
/// `MachineOptions::open`) and the image file to save it to.
fn build_machine(args: &Args) -> Result<(Machine, Option<std::path::PathBuf>), String> {
    let (mut m, image_path) = args.machine.open()?.into_parts();
    if let Some(path) = &args.script {
        let text = std::fs::read(path).map_err(|e| format!("cannot read {path}: {e}"))?;
        let mut shell = Shell::new(m);
        let summary = run_script(
            &mut shell,
            &String::from_utf8_lossy(&text),
            ScriptOptions { keep_going: false },
            &mut Stdio,
        );
        if !summary.success() {
            return Err(format!("{path}: the script failed; nothing was mounted"));
        }
        m = shell.into_machine();
    }
    Ok((m, image_path))
}

fn absolute(p: &str) -> Result<String, String> {
    if MountPoint::parse(p).is_ok() {
        return Ok(p.to_string());
    }
    std::path::absolute(p)
        .map(|a| a.display().to_string())
        .map_err(|e| format!("{p}: {e}"))
}
