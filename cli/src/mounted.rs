//! `ntlinkfs mklink` and `ntlinkfs fsutil` against a mounted volume, from Linux,
//! FreeBSD or macOS (the attribute calls are `mounted_xattr`'s).
//! They speak to the mount only through its documented interface (link(2), mkdir,
//! and the extended attributes `system.ntfs_reparse_data` and
//! `system.ntlinkfs_names`), and print what the shell prints.
//!
//! LINK and PATH are host paths inside an ntlinkfs mount; TARGET is in Windows
//! syntax (`C:\data`, `..\x`, `\\srv\share`), a relative one taken against the
//! current directory when it lies in the mount (mklink /J, /H), or stored as
//! written (symbolic links, S7).

use ntlinkfs_core::path::{self, PathType};
use ntlinkfs_core::{errno_for, NtError, PosixOp};
use ntlinkfs_fuse::{XATTR_NAMES, XATTR_REPARSE_DATA};
use ntlinkfs_shell::describe_reparse_point;
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

/// `hardlink list PATH` or `reparsepoint query PATH` on a mounted volume
#[derive(Debug, clap::Args)]
pub struct FsutilArgs {
    /// hardlink list PATH | reparsepoint query PATH
    #[arg(num_args = 3, value_name = "ARGS")]
    pub args: Vec<String>,
}

/// The message cmd prints for an errno a link call failed with: the first
/// status whose errno it is for that operation (SEMANTICS §1).
fn message(op: PosixOp, errno: i32, kind: Kind) -> String {
    if kind == Kind::Hard && errno == libc::EXDEV {
        // mklink /H has its own text for HL2.
        return "The new link and the existing file must be on the same NTFS volume.".into();
    }
    NtError::ALL
        .iter()
        .find(|e| ntlinkfs_fuse::errno_value(errno_for(op, **e)) == errno)
        .map_or_else(
            || std::io::Error::from_raw_os_error(errno).to_string(),
            |e| e.message().to_string(),
        )
}

fn getxattr(p: &Path, name: &str, follow: bool) -> Result<Vec<u8>, i32> {
    crate::mounted_xattr::get(p, name, follow)
}

fn set_reparse(p: &Path, buffer: &[u8]) -> Result<(), i32> {
    crate::mounted_xattr::create(p, XATTR_REPARSE_DATA, buffer)
}

/// `C:\a\b` -> `<mount root>/C/a/b`; `..\x` -> relative to the current directory.
fn host_path(root: &Path, target: &str) -> PathBuf {
    if let Some((letter, names)) = path::drive_components(target) {
        let mut p = root.join((letter as char).to_string());
        p.extend(names);
        return p;
    }
    PathBuf::from(target.replace('\\', "/"))
}

/// The current directory as a Windows path, when it lies in the mount.
fn cwd_windows(root: &Path) -> Option<String> {
    let cwd = std::env::current_dir().ok()?;
    let rest = cwd.strip_prefix(root).ok()?;
    let mut comps = rest
        .components()
        .map(|c| c.as_os_str().to_string_lossy().into_owned());
    let letter = comps.next()?;
    let tail: Vec<String> = comps.collect();
    Some(format!("{letter}:\\{}", tail.join("\\")))
}

/// The mount root LINK lies in, with LINK's parent resolved.
fn locate(link: &str) -> Result<(PathBuf, PathBuf), String> {
    let p = Path::new(link);
    let parent = p
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    let parent = parent
        .canonicalize()
        .map_err(|_| NtError::ObjectPathNotFound.message().to_string())?;
    let name = p
        .file_name()
        .ok_or_else(|| NtError::ObjectNameInvalid.message().to_string())?;
    let root = ntlinkfs_fuse::ntlinkfs_mount_root(&parent)
        .ok_or_else(|| format!("{link} is not on a mounted ntlinkfs volume"))?;
    Ok((root, parent.join(name)))
}

pub fn mklink(args: MklinkArgs) -> ExitCode {
    let (kind, link, target) = match mklink::parse(&args.args) {
        Ok(x) => x,
        Err(msg) => {
            println!("{msg}");
            return ExitCode::from(1);
        }
    };
    let (root, link_path) = match locate(link) {
        Ok(x) => x,
        Err(e) => {
            println!("{e}");
            return ExitCode::from(1);
        }
    };
    let r = match kind {
        Kind::Hard => std::fs::hard_link(host_path(&root, target), &link_path)
            .map_err(|e| message(PosixOp::Link, e.raw_os_error().unwrap_or(libc::EIO), kind)),
        _ => make_reparse_link(kind, &root, &link_path, target),
    };
    mklink::report(kind, link, target, r)
}

/// Junctions and symbolic links as ntfs-3g makes them: an empty directory (or
/// file, for a file symlink) carrying the reparse buffer mklink would write.
fn make_reparse_link(kind: Kind, root: &Path, link: &Path, target: &str) -> Result<(), String> {
    let target = match (kind, cwd_windows(root)) {
        (Kind::Junction, Some(cwd)) if path::path_type_str(target) == PathType::Relative => {
            format!("{cwd}\\{target}")
        }
        _ => target.to_string(),
    };
    let buffer = mklink::reparse_buffer(kind, &target)?;
    mklink::make_placeholder(
        kind,
        link,
        || set_reparse(link, &buffer),
        |e| match e {
            Ok(io) => message(
                PosixOp::Symlink,
                io.raw_os_error().unwrap_or(libc::EIO),
                kind,
            ),
            Err(errno) => message(PosixOp::Setxattr, errno, kind),
        },
    )
}

pub fn fsutil(args: FsutilArgs) -> ExitCode {
    let a: Vec<String> = args.args.iter().map(|s| s.to_ascii_lowercase()).collect();
    let path = Path::new(&args.args[2]);
    let r = match (a[0].as_str(), a[1].as_str()) {
        ("hardlink", "list") => {
            getxattr(path, XATTR_NAMES, true).map(|v| format!("{}\n", String::from_utf8_lossy(&v)))
        }
        ("reparsepoint", "query") => {
            getxattr(path, XATTR_REPARSE_DATA, false).map(|raw| describe_reparse_point(&raw))
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
        Err(errno) => {
            let op = PosixOp::Getxattr;
            println!("Error:  {}", message(op, errno, Kind::FileSymlink));
            ExitCode::from(1)
        }
    }
}
