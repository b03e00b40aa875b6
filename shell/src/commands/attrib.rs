//! `attrib`: shows or changes the attributes of the object itself, never a
//! link's target (S36). Changing READONLY on one name of a hard-linked file
//! changes it for every name (HL31).

use super::{fail, syntax, CmdResult, Out};
use crate::parse::Invocation;
use crate::typed;
use crate::Shell;
use ntlinkfs_core::attrs::{
    FILE_ATTRIBUTE_ARCHIVE, FILE_ATTRIBUTE_HIDDEN, FILE_ATTRIBUTE_NORMAL, FILE_ATTRIBUTE_READONLY,
    FILE_ATTRIBUTE_SYSTEM,
};

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    if !inv.switches.is_empty() {
        return Err(syntax(out));
    }
    let (mut set, mut clear, mut paths) = (0u32, 0u32, Vec::new());
    for a in &inv.args {
        let bit = |c: char| match c.to_ascii_uppercase() {
            'R' => Some(FILE_ATTRIBUTE_READONLY),
            'A' => Some(FILE_ATTRIBUTE_ARCHIVE),
            'S' => Some(FILE_ATTRIBUTE_SYSTEM),
            'H' => Some(FILE_ATTRIBUTE_HIDDEN),
            _ => None,
        };
        let mut chars = a.chars();
        match (chars.next(), chars.next(), chars.next()) {
            (Some('+'), Some(c), None) => set |= bit(c).ok_or_else(|| syntax(out))?,
            (Some('-'), Some(c), None) => clear |= bit(c).ok_or_else(|| syntax(out))?,
            _ => paths.push(a.as_str()),
        }
    }
    let [path] = paths.as_slice() else {
        return Err(syntax(out));
    };
    let m = &mut sh.machine;
    let attrs = m
        .get_file_attributes(&typed(path))
        .map_err(|e| fail(out, e))?;
    if set | clear == 0 {
        let full = m.full_path(&typed(path)).map_err(|e| fail(out, e))?;
        out.println(&format!("{}{}", letters(attrs), crate::shown_path(&full)));
        return Ok(());
    }
    let new = (attrs & !FILE_ATTRIBUTE_NORMAL & !clear) | set;
    m.set_file_attributes(&typed(path), new)
        .map_err(|e| fail(out, e))
}

/// The attribute columns attrib prints before the path: A, S, H, R.
fn letters(a: u32) -> String {
    let col = |bit: u32, c: char| if a & bit != 0 { c } else { ' ' };
    format!(
        "{}  {}{}{}       ",
        col(FILE_ATTRIBUTE_ARCHIVE, 'A'),
        col(FILE_ATTRIBUTE_SYSTEM, 'S'),
        col(FILE_ATTRIBUTE_HIDDEN, 'H'),
        col(FILE_ATTRIBUTE_READONLY, 'R'),
    )
}
