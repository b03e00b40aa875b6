//! `copytree source destination [/J:policy] [/D:policy] [/F:policy] [/H:policy]`:
//! a link-aware copy of a directory tree, with a policy for junctions (/J),
//! directory symbolic links (/D), file symbolic links (/F) and hard links
//! (/H); it prints what was done with every link.
//!
//! Policies: /J and /D: SKIP, COPY-LINK, FOLLOW, REMAP, REMAP-SKIP; /F: SKIP,
//! COPY-LINK, FOLLOW; /H: PRESERVE, BREAK. The default copies links as links
//! and keeps hard links.

use super::{fail, invalid_switch, syntax, CmdResult, Out};
use crate::parse::Invocation;
use crate::{Failure, Shell};
use ntlinkfs_linktools::copy::{copy_tree, CopyFailure, CopyOptions};

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    let mut opts = CopyOptions::default();
    for s in &inv.switches {
        let Some((key, value)) = s.split_once(':') else {
            return Err(invalid_switch(out, s));
        };
        let parsed = match key {
            "J" => value.parse().map(|p| opts.junctions = p),
            "D" => value.parse().map(|p| opts.dir_symlinks = p),
            "F" => value.parse().map(|p| opts.file_symlinks = p),
            "H" => value.parse().map(|p| opts.hard_links = p),
            _ => return Err(invalid_switch(out, s)),
        };
        if let Err(why) = parsed {
            out.eprintln(&why);
            return Err(Failure::shell(why));
        }
    }
    let [src, dst] = inv.args.as_slice() else {
        return Err(syntax(out));
    };
    match copy_tree(&mut sh.machine, src, dst, &opts, &mut |_| {}) {
        Ok(report) => {
            out.print(&report.to_string());
            match report.errors.first() {
                None => Ok(()),
                Some((_, e)) => Err(Failure::nt(*e)),
            }
        }
        Err(CopyFailure::Source(e) | CopyFailure::Destination(e)) => Err(fail(out, e)),
        Err(f @ CopyFailure::DestinationInsideSource) => {
            out.eprintln(&f.to_string());
            Err(Failure::shell("cyclic copy"))
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::Shell;
    use ntlinkfs_linktools::fixture::demo_machine;

    #[test]
    fn copytree_applies_the_switch_policies() {
        let mut sh = Shell::new(demo_machine());
        let o = sh.execute(r"copytree C:\Users\Alice D:\Backup /J:REMAP /F:follow /h:break");
        assert!(o.failure.is_none(), "{}", o.output);
        assert!(
            o.output.contains(r"remapped to D:\Backup\AppData\Local"),
            "{}",
            o.output
        );
        assert!(
            o.output.contains("Hard links: 0 preserved, 1 broken"),
            "{}",
            o.output
        );
        let m = sh.machine();
        assert_eq!(
            m.final_path(r"D:\Backup\My Documents").unwrap(),
            r"D:\Backup\Documents"
        );
    }

    #[test]
    fn copytree_refuses_bad_switches_and_cyclic_copies() {
        let mut sh = Shell::new(demo_machine());
        let o = sh.execute(r"copytree C:\Users\Alice D:\B /J:sideways");
        assert!(
            o.output.starts_with("unknown link policy 'SIDEWAYS'"),
            "{}",
            o.output
        );
        assert_eq!(
            sh.execute(r"copytree C:\Users\Alice D:\B /X").output,
            "Invalid switch - \"X\".\n"
        );
        assert_eq!(
            sh.execute(r"copytree C:\Users\Alice").output,
            "The syntax of the command is incorrect.\n"
        );
        let o = sh.execute(r"copytree C:\Users C:\Users\Alice\Backup");
        assert_eq!(o.output, "Cannot perform a cyclic copy\n");
        assert!(o.failure.is_some());
        let o = sh.execute(r"copytree C:\nope D:\B");
        assert_eq!(o.output, "The system cannot find the file specified.\n");
    }
}
