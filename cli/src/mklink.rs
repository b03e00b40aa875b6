//! `ntlinkfs mklink` on a mounted volume, the parts both platforms share: the
//! arguments as cmd's mklink takes them, the reparse buffer mklink would write,
//! the empty placeholder that carries it, and the success line.

use ntlinkfs_core::Machine;
use std::path::Path;
use std::process::ExitCode;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    FileSymlink,
    DirSymlink,
    Hard,
    Junction,
}

/// `[/D | /H | /J] LINK TARGET`; a bad switch gets cmd's own text.
pub fn parse(args: &[String]) -> Result<(Kind, &str, &str), String> {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    match a.as_slice() {
        [l, t] => Ok((Kind::FileSymlink, l, t)),
        [s, l, t] => match s.to_ascii_uppercase().as_str() {
            "/D" => Ok((Kind::DirSymlink, l, t)),
            "/H" => Ok((Kind::Hard, l, t)),
            "/J" => Ok((Kind::Junction, l, t)),
            _ => Err(format!(
                "Invalid switch - \"{}\".",
                s.trim_start_matches('/')
            )),
        },
        _ => Err("The syntax of the command is incorrect.".into()),
    }
}

/// The reparse buffer mklink writes for a junction (its target already made
/// absolute, J8) or a symbolic link (stored as written, S5–S9).
pub fn reparse_buffer(kind: Kind, target: &str) -> Result<Vec<u8>, String> {
    let scratch = Machine::default();
    let data = if kind == Kind::Junction {
        scratch.junction_data_for(target)
    } else {
        scratch.symlink_data_for(target)
    };
    data.map(|d| d.encode())
        .map_err(|e| e.message().to_string())
}

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
            let what = match kind {
                Kind::Hard => "Hardlink",
                Kind::Junction => "Junction",
                Kind::FileSymlink | Kind::DirSymlink => "symbolic link",
            };
            println!("{what} created for {link} <<===>> {target}");
            ExitCode::SUCCESS
        }
        Err(msg) => {
            println!("{msg}");
            ExitCode::from(1)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parse_table() {
        let v = |s: &[&str]| s.iter().map(|x| x.to_string()).collect::<Vec<_>>();
        assert_eq!(parse(&v(&["l", "t"])), Ok((Kind::FileSymlink, "l", "t")));
        assert_eq!(
            parse(&v(&["/d", "l", "t"])),
            Ok((Kind::DirSymlink, "l", "t"))
        );
        assert_eq!(parse(&v(&["/H", "l", "t"])), Ok((Kind::Hard, "l", "t")));
        assert_eq!(parse(&v(&["/J", "l", "t"])), Ok((Kind::Junction, "l", "t")));
        assert_eq!(
            parse(&v(&["/X", "l", "t"])),
            Err("Invalid switch - \"X\".".to_string())
        );
    }

    #[test]
    fn buffers_are_mklinks() {
        let j = reparse_buffer(Kind::Junction, r"C:\data").unwrap();
        assert_eq!(&j[..4], &[0x03, 0x00, 0x00, 0xA0]);
        let s = reparse_buffer(Kind::FileSymlink, r"..\x").unwrap();
        assert_eq!(&s[..4], &[0x0C, 0x00, 0x00, 0xA0]);
        assert_eq!(&s[16..20], &[1, 0, 0, 0], "relative flag (S7)");
    }
}
