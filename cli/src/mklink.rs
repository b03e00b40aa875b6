//! `ntlinkfs mklink` on a mounted volume, the host side both platforms share:
//! the empty placeholder that carries the reparse buffer, and printing the
//! outcome. The arguments, the buffer and the texts are mklink's own, from
//! `ntlinkfs_shell::mklink`.

pub use ntlinkfs_shell::mklink::{created_text, parse_args as parse, reparse_buffer, Kind};
use std::path::Path;
use std::process::ExitCode;

/// Makes the empty file (file symlink) or directory that carries the buffer,
/// then `set` attaches it; if that fails the placeholder goes again, so a
/// failed mklink leaves nothing behind.
pub fn make_placeholder<E>(
    kind: Kind,
    link: &Path,
    set: impl FnOnce() -> Result<(), E>,
    describe: impl Fn(Result<std::io::Error, E>) -> String,
) -> Result<(), String> {
    let made = if kind == Kind::FileSymlink {
        std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(link)
            .map(drop)
    } else {
        std::fs::create_dir(link)
    };
    made.map_err(|e| describe(Ok(e)))?;
    if let Err(e) = set() {
        let _ = if kind == Kind::FileSymlink {
            std::fs::remove_file(link)
        } else {
            std::fs::remove_dir(link)
        };
        return Err(describe(Err(e)));
    }
    Ok(())
}

/// Prints what cmd's mklink prints and gives its exit status.
pub fn report(kind: Kind, link: &str, target: &str, r: Result<(), String>) -> ExitCode {
    match r {
        Ok(()) => {
            println!("{}", created_text(kind, link, target));
            ExitCode::SUCCESS
        }
        Err(msg) => {
            println!("{msg}");
            ExitCode::from(1)
        }
    }
}
