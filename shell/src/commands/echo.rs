//! `echo`: prints its text as typed (quotes and trailing spaces kept), `echo.`
//! prints an empty line, `echo on|off` switches command echoing.

use super::{CmdResult, Out};
use crate::parse::Invocation;
use crate::Shell;

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    let rest = inv.rest.as_str();
    // The first character after ECHO is a delimiter and not printed; `.`, `(`,
    // `/`, `\` and the like are cmd's "echo an empty line" forms.
    let Some(first) = rest.chars().next() else {
        out.println(if sh.echo {
            "ECHO is on."
        } else {
            "ECHO is off."
        });
        return Ok(());
    };
    let text = &rest[first.len_utf8()..];
    if first.is_whitespace() {
        match text.trim().to_ascii_lowercase().as_str() {
            "" => {
                out.println(if sh.echo {
                    "ECHO is on."
                } else {
                    "ECHO is off."
                });
                return Ok(());
            }
            "on" => {
                sh.echo = true;
                return Ok(());
            }
            "off" => {
                sh.echo = false;
                return Ok(());
            }
            _ => {}
        }
    }
    out.println(text);
    Ok(())
}
