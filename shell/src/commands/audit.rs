//! `audit [path]`: the hard-link groups, junctions and symbolic links of a
//! tree, scanned without following links (the current directory by default).

use super::{fail, invalid_switch, syntax, CmdResult, Out};
use crate::parse::Invocation;
use crate::Shell;
use ntlinkfs_linktools::audit::audit;

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    if let Some(s) = inv.switches.first() {
        return Err(invalid_switch(out, s));
    }
    let path = match inv.args.as_slice() {
        [] => sh.machine.current_dir(),
        [p] => p.clone(),
        _ => return Err(syntax(out)),
    };
    match audit(&sh.machine, &path) {
        Ok(a) => {
            out.print(&a.to_string());
            Ok(())
        }
        Err(e) => Err(fail(out, e)),
    }
}

#[cfg(test)]
mod tests {
    use crate::Shell;
    use ntlinkfs_core::NtError;
    use ntlinkfs_linktools::fixture::demo_machine;

    #[test]
    fn audit_prints_the_table_and_fails_on_a_missing_path() {
        let mut sh = Shell::new(demo_machine());
        assert!(sh.execute(r"cd C:\Users\Alice\AppData").failure.is_none());
        let o = sh.execute("audit");
        assert!(o.failure.is_none());
        assert!(
            o.output.starts_with(r"Audit of C:\Users\Alice\AppData: "),
            "{}",
            o.output
        );
        assert!(o.output.contains("<JUNCTION> C:\\Users\\Alice\\AppData\\Local\\Application Data -> C:\\Users\\Alice\\AppData\\Local  [ok: C:\\Users\\Alice\\AppData\\Local, LOOP]"), "{}", o.output);
        let o = sh.execute(r"audit C:\nope");
        assert_eq!(o.output, "The system cannot find the file specified.\n");
        assert_eq!(o.failure.unwrap().error, Some(NtError::ObjectNameNotFound));
    }
}
