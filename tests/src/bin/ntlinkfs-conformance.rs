//! `ntlinkfs-conformance`: runs every conformance row on every available target
//! and prints a table of rows passed / failed / skipped per topic and target,
//! ending with the line `N passed, M failed`.
//!
//! Options: `--target NAME` (repeatable: core, fuse, ntfs, winfsp), `--verbose` (list
//! skipped rows with their reasons), `--list` (print the rows and exit),
//! `--rules-page` (print docs/rules.md, the rules page, and exit).
//! Exit status: 0 when nothing failed; 1 when a row failed, or when under
//! `CI=true` a required target (core, fuse) is unavailable.

use ntlinkfs_tests::{rules_page, runner, tables, targets};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut wanted: Vec<String> = Vec::new();
    let mut verbose = false;
    let mut list = false;
    let mut rules = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--target" => match args.next() {
                Some(t) => wanted.push(t),
                None => return usage("--target needs a name"),
            },
            "--verbose" | "-v" => verbose = true,
            "--list" => list = true,
            "--rules-page" => rules = true,
            "--help" | "-h" => {
                println!(
                    "usage: ntlinkfs-conformance [--target core|fuse|ntfs|winfsp]... [--verbose] [--list] [--rules-page]"
                );
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown argument {other}")),
        }
    }
    let rows = tables::all();
    if rules {
        print!("{}", rules_page::render(&rows));
        return ExitCode::SUCCESS;
    }
    if list {
        for s in &rows {
            println!(
                "{:<16} {:<5} {} {:<40} {}",
                s.topic.name(),
                s.rule,
                s.evidence.tag(),
                s.source,
                s.title
            );
        }
        println!("{} rows", rows.len());
        return ExitCode::SUCCESS;
    }
    let (mut available, unavailable) = targets::discover(&wanted);
    for (name, why) in &unavailable {
        eprintln!("ntlinkfs-conformance: TARGET UNAVAILABLE: {name}: {why}");
    }
    let mut results = Vec::new();
    for t in available.iter_mut() {
        eprintln!(
            "ntlinkfs-conformance: running {} rows on {}",
            rows.len(),
            t.name()
        );
        results.extend(runner::run_all(t.as_mut(), &rows));
    }
    if verbose {
        print!("{}", runner::skips(&results));
    }
    print!("{}", runner::report(&results, &unavailable));
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let required_missing = ci
        && unavailable
            .iter()
            .any(|(name, _)| targets::REQUIRED_IN_CI.contains(name));
    if runner::totals(&results).failed > 0 || required_missing {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("ntlinkfs-conformance: {msg} (try --help)");
    ExitCode::from(2)
}
