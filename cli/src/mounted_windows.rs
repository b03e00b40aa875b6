//! `ntlinkfs mklink` and `ntlinkfs fsutil` against a volume mounted through
//! WinFsp, from Windows: what Windows' own tools cannot do on a WinFsp volume
//! (its driver has no hard-link support) is asked of the mount directly
//! (`ntlinkfs_winfsp::client`). Prints what the shell prints, as `mounted.rs`
//! does on Linux.

use ntlinkfs_core::NtError;
use ntlinkfs_shell::describe_reparse_point;
use ntlinkfs_winfsp::client;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use crate::mklink::{self, Kind};

/// Create a link on a mounted volume: /H hard link, /J junction, /D directory
/// symbolic link, none a file symbolic link
#[derive(Debug, clap::Args)]
pub struct MklinkArgs {
    /// [/D | /H | /J] LINK TARGET
    #[arg(num_args = 2..=3, value_name = "ARGS", allow_hyphen_values = true)]
    pub args: Vec<String>,
}

pub fn mklink(args: MklinkArgs) -> ExitCode {
    let (kind, link, target) = match mklink::parse(&args.args) {
        Ok(x) => x,
        Err(msg) => {
            println!("{msg}");
            return ExitCode::from(1);
        }
    };
    let r = match kind {
        Kind::Hard => {
            client::create_hard_link(Path::new(link), Path::new(target)).map_err(|e| message(&e))
        }
        _ => make_reparse_link(kind, Path::new(link), target),
    };
    mklink::report(kind, link, target, r)
}

/// Junctions and symbolic links as mklink makes them: an empty directory (or
/// file) carrying the reparse buffer, its target as mklink writes it (a
/// junction's made absolute against the current directory, J8; a symbolic
/// link's stored as written, S7).
fn make_reparse_link(kind: Kind, link: &Path, target: &str) -> Result<(), String> {
    let target = if kind == Kind::Junction {
        let abs: PathBuf = std::path::absolute(target).map_err(|e| message(&e))?;
        abs.display().to_string()
    } else {
        target.to_string()
    };
    let buffer = mklink::reparse_buffer(kind, &target)?;
    mklink::make_placeholder(
        kind,
        link,
        || client::set_reparse_point(link, &buffer),
        |e| match e {
            Ok(io) | Err(io) => message(&io),
        },
    )
}

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
        ("reparsepoint", "query") => {
            client::get_reparse_point(path).map(|raw| describe_reparse_point(&raw))
        }
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
