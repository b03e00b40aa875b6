//! The reproducer `ntlinkfs check` writes for a failure: the minimal tree as
//! an image (`--image` format) and as the cmd script that makes it, the
//! command line, and a report with the tree drawn as `dir /s` draws it.

use crate::check_case::{make_machine, Outcome, User};
use crate::check_props::Property;
use ntlinkfs_core::image;
use ntlinkfs_core::testing::tree_gen::{TreeSpec, SRC};
use ntlinkfs_shell::Shell;
use std::path::Path;

/// Where a failure came from, for the report.
pub struct Found {
    pub seed: u64,
    pub case: u32,
    pub cases: u32,
    pub shrinks: u32,
    pub first_entries: usize,
    /// The `ntlinkfs check` command line that finds it again.
    pub rerun: String,
    /// The command as given, before substitution.
    pub command: String,
}

/// `dir /s C:\src` of the tree `spec` makes, with fixed times.
pub fn dir_s(spec: &TreeSpec, user: &User) -> Result<String, String> {
    let (mut m, _) = make_machine(spec, user, true)?;
    m.set_current_dir(SRC)
        .map_err(|e| e.message().to_string())?;
    let mut shell = Shell::new(m);
    Ok(shell.execute(&format!("dir /s {SRC}")).output)
}

/// Writes the reproducer of `outcome` (the minimal tree `spec`) into `out`.
pub fn write(
    out: &Path,
    spec: &TreeSpec,
    user: &User,
    property: Property,
    why: &str,
    outcome: &Outcome,
    found: &Found,
) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write the reproducer in {}: {e}", out.display());
    std::fs::create_dir_all(out).map_err(fail)?;
    let (m, tree) = make_machine(spec, user, false)?;
    std::fs::write(out.join("tree.img"), image::save(&m)).map_err(fail)?;
    let mut script = tree.script().join("\r\n");
    script.push_str("\r\n");
    std::fs::write(out.join("tree.cmd"), script).map_err(fail)?;
    std::fs::write(out.join("command.txt"), format!("{}\n", found.rerun)).map_err(fail)?;
    let report = format!(
        "property violated: {property}\n\
         why: {why}\n\
         command: {}\n\
         ran: {}\n\
         {}\n\
         output:\n{}\n\
         found: case {} of {} (seed {}), shrunk in {} steps from {} entries to {}\n\
         again: {}\n\
         make the tree: ntlinkfs run --profile 11+longpaths tree.cmd, or ntlinkfs mount --image tree.img MOUNTPOINT\n\
         \n\
         the minimal tree (dir /s {SRC}; D:\\elsewhere holds outside.txt):\n{}",
        found.command,
        shell_words(&outcome.argv),
        outcome.exit,
        indent(&shown_output(&outcome.output)),
        found.case,
        found.cases,
        found.seed,
        found.shrinks,
        found.first_entries,
        tree.entries.len(),
        found.rerun,
        dir_s(spec, user)?,
    );
    std::fs::write(out.join("report.txt"), report).map_err(fail)?;
    Ok(())
}

/// The most of the command's output a report shows.
const OUTPUT_SHOWN: usize = 64 * 1024;

fn shown_output(output: &[u8]) -> String {
    if output.len() <= OUTPUT_SHOWN {
        return String::from_utf8_lossy(output).into_owned();
    }
    format!(
        "{}\n... ({} bytes in all; the first {OUTPUT_SHOWN} shown)",
        String::from_utf8_lossy(&output[..OUTPUT_SHOWN]),
        output.len()
    )
}

fn indent(text: &str) -> String {
    text.lines().map(|l| format!("  {l}\n")).collect()
}

/// `argv` as a shell would need it typed.
pub fn shell_words(argv: &[String]) -> String {
    argv.iter()
        .map(|a| {
            let plain = !a.is_empty()
                && a.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-_./=:,{}@%+".contains(c));
            if plain {
                a.clone()
            } else {
                format!("'{}'", a.replace('\'', r"'\''"))
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntlinkfs_core::testing::snapshot;
    use ntlinkfs_core::testing::tree_strategy::{machine_for_trees, tree};
    use proptest::prelude::*;

    /// What a script and `make` must agree on: every name, its attributes,
    /// data, link data and hard links (times and ids may differ).
    fn shape(m: &ntlinkfs_core::Machine) -> Vec<String> {
        snapshot(m)
            .entries
            .iter()
            .map(|e| {
                format!(
                    "{} {:#x} {:?} {:?} {}",
                    e.path, e.entry.info.attributes, e.data, e.reparse, e.entry.info.link_count
                )
            })
            .collect()
    }

    proptest! {
        #![proptest_config(proptest::test_runner::Config {
            cases: 48, failure_persistence: None, ..Default::default()
        })]

        /// The reproducer's cmd script makes exactly the tree `make` makes.
        #[test]
        fn the_script_makes_the_same_tree(spec in tree(12)) {
            let mut made = machine_for_trees();
            let t = spec.make(&mut made).unwrap();
            let mut shell = Shell::new(machine_for_trees());
            for line in t.script() {
                let o = shell.execute(&line);
                prop_assert!(o.failure.is_none(), "{line}: {}", o.output);
            }
            prop_assert_eq!(shape(shell.machine()), shape(&made));
        }
    }

    #[test]
    fn command_lines_are_quoted_for_a_shell() {
        let argv: Vec<String> = ["sh", "-c", "tar -cf - {src}", "it's"]
            .map(String::from)
            .to_vec();
        assert_eq!(shell_words(&argv), r"sh -c 'tar -cf - {src}' 'it'\''s'");
    }
}
