//! mklink's part that does not depend on where the link is made: the kinds
//! and their switches, the arguments as `ntlinkfs mklink` receives them, the
//! reparse buffer mklink writes, and the line it prints on success. The
//! shell's `mklink` command and `ntlinkfs mklink` on a mounted volume both use
//! these, so the two say the same.

use ntlinkfs_core::Machine;

/// What mklink makes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    /// No switch: a file symbolic link.
    FileSymlink,
    /// `/D`: a directory symbolic link.
    DirSymlink,
    /// `/H`: a hard link.
    Hard,
    /// `/J`: a directory junction.
    Junction,
}

impl Kind {
    /// The kind a switch names (`D`, `H`, `J`, any case, without the slash).
    pub fn from_switch(switch: &str) -> Option<Kind> {
        match switch.to_ascii_uppercase().as_str() {
            "D" => Some(Kind::DirSymlink),
            "H" => Some(Kind::Hard),
            "J" => Some(Kind::Junction),
            _ => None,
        }
    }
}

/// cmd's text when the arguments do not fit any form.
pub const SYNTAX_ERROR: &str = "The syntax of the command is incorrect.";

/// cmd's text for a switch mklink does not know (the switch without its `/`).
pub fn invalid_switch_text(switch: &str) -> String {
    format!("Invalid switch - \"{switch}\".")
}

/// `[/D | /H | /J] LINK TARGET` as separate arguments; a bad switch or count
/// gets cmd's own text.
pub fn parse_args(args: &[String]) -> Result<(Kind, &str, &str), String> {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    match a.as_slice() {
        [l, t] => Ok((Kind::FileSymlink, l, t)),
        [s, l, t] => match s.strip_prefix('/').and_then(Kind::from_switch) {
            Some(kind) => Ok((kind, l, t)),
            None => Err(invalid_switch_text(s.trim_start_matches('/'))),
        },
        _ => Err(SYNTAX_ERROR.into()),
    }
}

/// The line mklink prints when the link was made (J41).
pub fn created_text(kind: Kind, link: &str, target: &str) -> String {
    let what = match kind {
        Kind::Hard => "Hardlink",
        Kind::Junction => "Junction",
        Kind::FileSymlink | Kind::DirSymlink => "symbolic link",
    };
    format!("{what} created for {link} <<===>> {target}")
}

/// The reparse buffer mklink writes for a junction (its target already made
/// absolute, J8) or a symbolic link (stored as written, S5–S9); a hard link
/// has none, and asking for one is answered as for a symbolic link.
pub fn reparse_buffer(kind: Kind, target: &str) -> Result<Vec<u8>, String> {
    let scratch = Machine::default();
    let data = if kind == Kind::Junction {
        scratch.junction_data_for(&crate::typed::typed(target))
    } else {
        scratch.symlink_data_for(&crate::typed::typed(target))
    };
    data.map(|d| d.encode())
        .map_err(|e| e.message().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The arguments of `ntlinkfs mklink` and what cmd's mklink makes of them.
    #[test]
    fn parse_table() {
        let bad = |text: &str| Err(text.to_string());
        let cases: [(&[&str], Result<Kind, String>); 7] = [
            (&["l", "t"], Ok(Kind::FileSymlink)),
            (&["/d", "l", "t"], Ok(Kind::DirSymlink)),
            (&["/H", "l", "t"], Ok(Kind::Hard)),
            (&["/J", "l", "t"], Ok(Kind::Junction)),
            (&["/X", "l", "t"], bad("Invalid switch - \"X\".")),
            (&["//D", "l", "t"], bad("Invalid switch - \"D\".")),
            (&["l"], bad(SYNTAX_ERROR)),
        ];
        for (args, want) in cases {
            let args: Vec<String> = args.iter().map(|a| a.to_string()).collect();
            let got = parse_args(&args).map(|(kind, l, t)| {
                assert_eq!((l, t), ("l", "t"), "{args:?}");
                kind
            });
            assert_eq!(got, want, "{args:?}");
        }
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
