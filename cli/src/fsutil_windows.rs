//! `ntlinkfs fsutil` against a volume mounted through WinFsp, from Windows:
//! what Windows' own tools cannot ask a WinFsp volume (its driver has no
//! hard-link support), asked of the mount directly. Prints what the shell
//! prints.

use ntlinkfs_core::shell::Shell;
use ntlinkfs_core::{Machine, NtError};
use ntlinkfs_winfsp::client;
use std::path::Path;
use std::process::ExitCode;

/// `hardlink list PATH` or `reparsepoint query PATH` on a mounted volume
#[derive(Debug, clap::Args)]
pub struct FsutilArgs {
    #[arg(num_args = 3, value_name = "ARGS")]
    pub args: Vec<String>,
}

/// The Win32 message of an OS error, as cmd.exe prints it.
fn message(e: &std::io::Error) -> String {
    e.raw_os_error()
        .and_then(|code| NtError::ALL.iter().find(|n| n.win32() == code as u32))
        .map_or_else(|| e.to_string(), |n| n.message().to_string())
}

pub fn fsutil(args: FsutilArgs) -> ExitCode {
    let a: Vec<String> = args.args.iter().map(|s| s.to_ascii_lowercase()).collect();
    let path = Path::new(&args.args[2]);
    let r = match (a[0].as_str(), a[1].as_str()) {
        ("hardlink", "list") => client::query_names(path)
            .map(|names| names.iter().map(|n| format!("{n}\n")).collect::<String>()),
        ("reparsepoint", "query") => client::get_reparse_point(path).map(|raw| describe(&raw)),
        _ => {
            println!("Usage : fsutil hardlink list <filename> | reparsepoint query <filename>");
            return ExitCode::from(1);
        }
    };
    match r {
        Ok(text) => {
            print!("{text}");
            ExitCode::SUCCESS
        }
        Err(e) => {
            println!("Error:  {}", message(&e));
            ExitCode::from(1)
        }
    }
}

/// `fsutil reparsepoint query` text for a raw buffer, produced by the shell on
/// a scratch machine holding the same buffer (as `mounted.rs` does on Linux).
fn describe(raw: &[u8]) -> String {
    let mut scratch = Machine::default();
    let tag = raw
        .get(..4)
        .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
    let made = if tag == ntlinkfs_core::reparse::IO_REPARSE_TAG_MOUNT_POINT {
        scratch.create_directory(r"C:\x").map(drop)
    } else {
        scratch.create_file(r"C:\x").map(drop)
    };
    if made
        .and_then(|()| scratch.set_reparse_point(r"C:\x", raw))
        .is_err()
    {
        return ntlinkfs_core::reparse::hex_dump(raw);
    }
    Shell::new(scratch)
        .execute(r"fsutil reparsepoint query C:\x")
        .output
}
