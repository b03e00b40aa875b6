//! `ntlinkfs-conformance`: runs every conformance row on every available target
//! and prints a table of rows passed / failed / skipped per topic and target,
//! ending with the line `N passed, M failed`.
//!
//! Options: `--target NAME` (repeatable: core, fuse, ntfs, winfsp), `--verbose` (list
//! skipped rows with their reasons), `--list` (print the rows and exit),
//! `--rules-page` (print docs/rules.md, the rules page, and exit).
//! Exit status: 0 when nothing failed; 1 when a row failed, or when under
//! `CI=true` a required target (core, fuse) is unavailable.
//!
//! `--random N [--seed S] [--max-len L] [--names a,b,ab] --target T` runs N
//! random operation sequences on T (core, fuse, ntfs, winfsp or `dir:PATH`, a
//! mounted filesystem's root as C:) and on the core, and prints each
//! divergence shrunk, as a cmd script and as the calls made
//! (`ntlinkfs_tests::random`). Exit status 0 when nothing diverged, 1 when
//! something did, 2 on bad input.

#[cfg(feature = "random")]
use ntlinkfs_tests::random::{self, Settings};
use ntlinkfs_tests::{rules_page, runner, tables, targets};
use std::process::ExitCode;

fn main() -> ExitCode {
    let mut wanted: Vec<String> = Vec::new();
    let mut verbose = false;
    let mut list = false;
    let mut rules = false;
    let mut random: Option<usize> = None;
    let mut seed: u64 = 0;
    let mut max_len: Option<usize> = None;
    let mut names: Option<String> = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        let mut number = |what: &str| -> Result<u64, ExitCode> {
            let v = args
                .next()
                .ok_or_else(|| usage(&format!("{what} needs a number")))?;
            v.parse()
                .map_err(|_| usage(&format!("{what} {v:?}: not a number")))
        };
        match a.as_str() {
            "--random" => match number("--random") {
                Ok(n) => random = Some(n as usize),
                Err(code) => return code,
            },
            "--seed" => match number("--seed") {
                Ok(n) => seed = n,
                Err(code) => return code,
            },
            "--max-len" => match number("--max-len") {
                Ok(n) if n > 0 => max_len = Some(n as usize),
                Ok(_) => return usage("--max-len must be at least 1"),
                Err(code) => return code,
            },
            "--names" => match args.next() {
                Some(n) => names = Some(n),
                None => return usage("--names needs a comma-separated list"),
            },
            "--target" => match args.next() {
                Some(t) => wanted.push(t),
                None => return usage("--target needs a name"),
            },
            "--verbose" | "-v" => verbose = true,
            "--list" => list = true,
            "--rules-page" => rules = true,
            "--help" | "-h" => {
                println!(
                    "usage: ntlinkfs-conformance [--target core|fuse|ntfs|winfsp]... [--verbose] [--list] [--rules-page]\n       \
                     ntlinkfs-conformance --random N [--seed S] [--max-len L] [--names a,b,ab] --target core|fuse|ntfs|winfsp|dir:PATH"
                );
                return ExitCode::SUCCESS;
            }
            other => return usage(&format!("unknown argument {other}")),
        }
    }
    if let Some(n) = random {
        return run_random(n, seed, max_len, names.as_deref(), &wanted);
    }
    if names.is_some() || max_len.is_some() {
        return usage("--names and --max-len go with --random");
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

#[cfg(not(feature = "random"))]
fn run_random(_: usize, _: u64, _: Option<usize>, _: Option<&str>, _: &[String]) -> ExitCode {
    usage("--random: built without the `random` feature")
}

/// `--random N`: the differential run on one target.
#[cfg(feature = "random")]
fn run_random(
    n: usize,
    seed: u64,
    max_len: Option<usize>,
    names: Option<&str>,
    wanted: &[String],
) -> ExitCode {
    let [name] = wanted else {
        return usage("--random needs exactly one --target (core, fuse, ntfs, winfsp or dir:PATH)");
    };
    let drives: &[char] = if name.starts_with("dir:") {
        &['C']
    } else {
        &['C', 'C', 'D']
    };
    let mut settings = Settings::new(n, seed, drives);
    if let Some(l) = max_len {
        settings.max_len = l;
    }
    if let Some(list) = names {
        let chosen: Vec<&str> = list.split(',').filter(|s| !s.is_empty()).collect();
        let bad = chosen
            .iter()
            .find(|s| !s.chars().all(|c| c.is_ascii_alphanumeric()));
        if chosen.is_empty() || bad.is_some() {
            return usage(&format!(
                "--names {list:?}: give plain names (letters and digits), comma-separated"
            ));
        }
        // The generator keeps names for the whole run: leaked once, on purpose.
        settings.ops.names = chosen
            .into_iter()
            .map(|s| (1, &*Box::leak(s.to_string().into_boxed_str())))
            .collect();
    }
    let mut target: Box<dyn ntlinkfs_tests::Target> = match open_target(name, &settings) {
        Ok(t) => t,
        Err(e) => {
            eprintln!("ntlinkfs-conformance: {e}");
            return ExitCode::from(2);
        }
    };
    eprintln!(
        "ntlinkfs-conformance: {n} random sequences on {name}, seed {seed}, up to {} operations each",
        settings.max_len
    );
    match random::run(target.as_mut(), &settings) {
        Ok(report) => {
            print!("{}", random::render(&report, name));
            if report.divergences.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("ntlinkfs-conformance: {name}: {e}");
            ExitCode::from(2)
        }
    }
}

#[cfg(feature = "random")]
fn open_target(name: &str, settings: &Settings) -> Result<Box<dyn ntlinkfs_tests::Target>, String> {
    if let Some(path) = name.strip_prefix("dir:") {
        if path.is_empty() {
            return Err("dir: needs a path (dir:/mnt/ntfs)".into());
        }
        #[cfg(target_os = "linux")]
        {
            let generated: Vec<&str> = settings.ops.names.iter().map(|n| n.1).collect();
            return ntlinkfs_tests::dir_target::DirTarget::open(path.as_ref(), &generated)
                .map(|t| Box::new(t) as Box<dyn ntlinkfs_tests::Target>);
        }
        #[cfg(not(target_os = "linux"))]
        {
            let _ = settings;
            return Err(format!("dir:{path}: the dir: target runs on Linux"));
        }
    }
    if !["core", "fuse", "ntfs", "winfsp"].contains(&name) {
        return Err(format!(
            "unknown target {name:?} (core, fuse, ntfs, winfsp or dir:PATH)"
        ));
    }
    let (mut ok, missing) = targets::discover(&[name.to_string()]);
    match (ok.pop(), missing.first()) {
        (Some(t), _) => Ok(t),
        (None, Some((_, why))) => Err(format!("target {name} unavailable: {why}")),
        (None, None) => Err(format!("target {name} unavailable")),
    }
}
