//! Paths as the user types them: text, where `%U+hhhh%` is one UTF-16 unit
//! (an unpaired surrogate, N3, has no other way in). Every path the shell
//! hands to the core goes through [`typed`], and every name it prints through
//! [`shown`], so a name printed by `dir` can be typed back (docs/shell.md).

use ntlinkfs_core::path::PathUnits;
use ntlinkfs_core::{wtf, FullPath, Name};
use std::borrow::Cow;

/// A typed path on its way to the core.
pub struct Typed<'a>(&'a str);

/// Wraps typed text (`&str`, `&String`) for a core call.
pub fn typed<S: AsRef<str> + ?Sized>(text: &S) -> Typed<'_> {
    Typed(text.as_ref())
}

impl PathUnits for Typed<'_> {
    fn path_units(&self) -> Cow<'_, [u16]> {
        Cow::Owned(wtf::unescape(self.0))
    }
}

/// A stored name as the shell prints it: itself when it is valid Unicode,
/// with `%U+hhhh%` for each unpaired surrogate.
pub fn shown(name: &Name) -> String {
    wtf::escape(name.units())
}

/// A full path as the shell prints it (see [`shown`]).
pub fn shown_path(path: &FullPath) -> String {
    wtf::escape(&path.to_win32_units())
}

/// The current directory as the shell prints it (see [`shown`]).
pub fn shown_cwd(m: &ntlinkfs_core::Machine) -> String {
    wtf::escape(&m.current_dir_units())
}
