//! `ntlinkfs audit PATH [--json]`: the links of a tree, scanned without
//! following them: hard-link groups with all their names, junctions and
//! symbolic links with their targets, dangling links, loops, cross-volume
//! links and links that escape the tree.

use crate::copy::print_out;
use crate::options::MachineOptions;
use ntlinkfs_core::audit::{Audit, LinkKind};
use ntlinkfs_core::NtError;
use serde_json::{json, Value};
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
        return crate::host_audit::main(&args.path, args.json);
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
    match session.machine().audit(&args.path) {
        Ok(a) => {
            if args.json {
                let text = serde_json::to_string_pretty(&to_json(&a)).unwrap_or_default();
                print_out(&format!("{text}\n"));
            } else {
                print_out(&a.to_string());
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("{}: {}", args.path, e.message());
            eprintln!("error: {}", e.diagnostic());
            ExitCode::FAILURE
        }
    }
}

pub fn kind_name(k: LinkKind) -> &'static str {
    match k {
        LinkKind::Junction => "junction",
        LinkKind::DirectorySymlink => "directory_symlink",
        LinkKind::FileSymlink => "file_symlink",
        LinkKind::Other(_) => "other",
    }
}

fn error_json(e: NtError) -> Value {
    json!({
        "win32": e.win32_name(),
        "win32_code": e.win32(),
        "ntstatus": e.ntstatus_name(),
        "message": e.message(),
    })
}

/// The audit as JSON (field names are part of the interface: keep them).
pub fn to_json(a: &Audit) -> Value {
    json!({
        "root": a.root,
        "directories": a.directories,
        "files": a.files,
        "summary": {
            "hard_link_groups": a.hard_link_groups.len(),
            "links": a.links.len(),
            "dangling": a.dangling(),
            "loops": a.loops(),
            "cross_volume": a.cross_volume(),
            "escaping": a.escaping(),
        },
        "hard_link_groups": a.hard_link_groups.iter().map(|g| json!({
            "file_id": g.id.file.to_string(),
            "link_count": g.link_count,
            "size": g.size,
            "names": g.names.iter().map(|n| json!({"path": n.path, "inside": n.inside})).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "links": a.links.iter().map(|l| json!({
            "path": l.path,
            "kind": kind_name(l.kind),
            "tag": match l.kind { LinkKind::Other(t) => Some(format!("{t:#010x}")), _ => None },
            "target": l.target,
            "resolves": l.resolves_to.is_some(),
            "resolves_to": l.resolves_to,
            "error": l.error.map(error_json),
            "dangling": l.dangling,
            "loop": l.is_loop,
            "cross_volume": l.cross_volume,
            "escapes": l.escapes,
        })).collect::<Vec<_>>(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntlinkfs_core::fixture::demo_machine;

    #[test]
    fn audit_json_of_the_demo_profile() {
        let m = demo_machine();
        let v = to_json(&m.audit(r"C:\Users\Alice").unwrap());
        assert_eq!(v["summary"]["links"], 8);
        assert_eq!(v["summary"]["loops"], 1);
        let old = v["links"]
            .as_array()
            .unwrap()
            .iter()
            .find(|l| l["path"] == r"C:\Users\Alice\Desktop\old.txt")
            .unwrap();
        assert_eq!(old["kind"], "file_symlink");
        assert_eq!(old["dangling"], true);
        assert_eq!(old["resolves_to"], Value::Null);
        assert_eq!(old["error"]["win32"], "ERROR_FILE_NOT_FOUND");
        assert_eq!(old["error"]["win32_code"], 2);
        let g = &v["hard_link_groups"][0];
        assert_eq!(g["link_count"], 2);
        assert_eq!(g["names"][1]["path"], r"C:\Users\Alice\Desktop\notes.txt");
    }
}
