//! `ntlinkfs audit PATH [--json]`: the links of a tree, scanned without
//! following them: hard-link groups with all their names, junctions and
//! symbolic links with their targets, dangling links, loops, cross-volume
//! links and links that escape the tree.

use crate::copy::print_out;
use crate::options::MachineOptions;
use ntlinkfs_linktools::audit::{audit, to_json, Audit};
use ntlinkfs_linktools::tree::LinkTree;
use std::process::ExitCode;

/// Report the hard links, junctions and symbolic links under PATH: a Windows
/// path on the emulated machine (give it one with --image FILE or --demo), or
/// a host path such as a mounted volume
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The directory to scan, e.g. C:\Users\Alice or /mnt/ntl/C/Users/Alice
    #[arg(value_name = "PATH")]
    pub path: String,

    /// Print JSON instead of a table
    #[arg(long)]
    pub json: bool,

    #[command(flatten)]
    pub machine: MachineOptions,
}

pub fn main(args: Args) -> ExitCode {
    if !crate::copy::is_windows_path(&args.path) {
        #[cfg(unix)]
        return host_main(&args.path, args.json);
        #[cfg(not(unix))]
        {
            eprintln!("error: host paths are audited on Unix hosts (mounts) only");
            return ExitCode::from(2);
        }
    }
    let session = match args.machine.open() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    match audit(session.machine(), &args.path) {
        Ok(a) => print(&a, args.json),
        Err(e) => {
            eprintln!("{}: {}", args.path, e.message());
            eprintln!("error: {}", e.diagnostic());
            ExitCode::FAILURE
        }
    }
}

/// `ntlinkfs audit` of a host path (a mounted volume or any directory).
#[cfg(unix)]
fn host_main(path: &str, json: bool) -> ExitCode {
    use ntlinkfs_linktools::host_audit;
    let root = std::path::Path::new(path);
    match host_audit::audit(root, ntlinkfs_fuse::ntlinkfs_mount_root) {
        Ok(a) => print(&a, json),
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// Prints an audit as a table or JSON.
fn print<T: LinkTree>(a: &Audit<T>, json: bool) -> ExitCode {
    if json {
        let text = serde_json::to_string_pretty(&to_json(a)).unwrap_or_default();
        print_out(&format!("{text}\n"));
    } else {
        print_out(&a.to_string());
    }
    ExitCode::SUCCESS
}
