//! `ntlinkfs check [OPTIONS] -- COMMAND ARGS…` (issue 15, docs/check.md):
//! runs COMMAND on random NTFS link trees, each on a fresh FUSE mount, judges
//! the `--expect` properties, and shrinks the first failure to a minimal tree
//! written out as a reproducer. The trees come from the proptest strategies
//! of `ntlinkfs_core::testing::tree_strategy`; proptest's runner draws them
//! from `--seed` and its value trees do the shrinking.

use crate::check_case::{self, host, Outcome, Setup, INTERRUPTED};
use crate::check_props::Property;
use crate::check_report::{self, Found};
use ntlinkfs_core::testing::tree_gen::{Stats, TreeSpec};
use ntlinkfs_core::testing::tree_strategy::{machine_for_trees, tree};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::io::{IsTerminal, Write};
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

/// Run a command on random NTFS link trees (each on a fresh mount) and check
/// properties of what it does; the first failure is shrunk to a minimal
/// tree and written out as a reproducer (docs/check.md). In COMMAND, {src}
/// is the tree (C:\src), {dst} a path that does not exist yet (on D:, or on
/// the host with --dst host) and {mnt} the mount point. Exit status: 0 every
/// case held, 1 a property failed, 2 bad usage or setup, 130 interrupted
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Properties to check, comma-separated or repeated: exit-ok, terminates,
    /// source-unchanged, stays-inside, hardlinks=preserved|broken,
    /// junctions=skipped|links|followed, symlinks=skipped|links|followed,
    /// data-equal
    #[arg(
        long,
        value_name = "PROPERTY,...",
        value_delimiter = ',',
        required = true
    )]
    pub expect: Vec<String>,

    /// How many trees to try
    #[arg(long, default_value_t = 100, value_name = "N")]
    pub cases: u32,

    /// The seed of the trees (the same seed draws the same trees) [default: from the clock]
    #[arg(long, value_name = "S")]
    pub seed: Option<u64>,

    /// Most entries in a tree
    #[arg(long, default_value_t = 12, value_name = "M")]
    pub max_entries: usize,

    /// Seconds the command may run on one tree before it is killed
    #[arg(long, default_value_t = DEFAULT_TIMEOUT, value_name = "SECONDS")]
    pub timeout: f64,

    /// Address space the command may use (K, M, G suffixes)
    #[arg(long, default_value = "4G", value_name = "SIZE", value_parser = crate::options::parse_size)]
    pub memory_limit: u64,

    /// Where {dst} is: on the mounted D: volume, or in a host temporary directory
    #[arg(long, value_enum, default_value = "mount", value_name = "WHERE")]
    pub dst: DstPlace,

    /// Run the command as this user [default: the user who started check;
    /// under sudo the invoking user; Windows: always the current user]
    #[arg(long, value_name = "NAME")]
    pub user: Option<String>,

    /// Where the reproducer of a failure goes
    #[arg(long, default_value = "ntlinkfs-check-failures", value_name = "DIR")]
    pub out: PathBuf,

    /// Print how often the trees held each structure
    #[arg(long)]
    pub stats: bool,

    /// The command and its arguments
    #[arg(last = true, value_name = "COMMAND")]
    pub command: Vec<String>,
}

const DEFAULT_TIMEOUT: f64 = 10.0;

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum DstPlace {
    Mount,
    Host,
}

fn usage(msg: &str) -> ExitCode {
    eprintln!("ntlinkfs check: {msg}");
    ExitCode::from(2)
}

/// Progress on a terminal: one line, rewritten at most ten times a second.
struct Progress {
    on: bool,
    start: Instant,
    shown: std::cell::Cell<Option<Instant>>,
}

impl Progress {
    fn show(&self, case: u32, cases: u32, shrinks: u32) {
        let due = self
            .shown
            .get()
            .is_none_or(|t| t.elapsed() >= Duration::from_millis(100));
        if self.on && due {
            self.shown.set(Some(Instant::now()));
            let mut e = std::io::stderr().lock();
            let _ = write!(
                e,
                "\rntlinkfs check: case {case}/{cases}, {shrinks} shrinks, {:.1} s ",
                self.start.elapsed().as_secs_f64()
            );
            let _ = e.flush();
        }
    }

    fn clear(&self) {
        if self.on {
            eprint!("\r\x1b[K");
        }
    }
}

/// The first failure and its shrinking.
struct Failure {
    spec: TreeSpec,
    property: Property,
    why: String,
    outcome: Outcome,
    case: u32,
    shrinks: u32,
    first_entries: usize,
}

pub fn main(args: Args) -> ExitCode {
    let props: Vec<Property> = match args.expect.iter().map(|p| p.trim().parse()).collect() {
        Ok(p) => p,
        Err(e) => return usage(&e),
    };
    let Some(program) = args.command.first() else {
        return usage("no command to run: put it after `--`, as in `ntlinkfs check --expect exit-ok -- cp -r {src} {dst}`");
    };
    if !host::command_exists(program) {
        return usage(&format!(
            "the command `{program}` was not found (not an executable file, nor in PATH)"
        ));
    }
    if !(args.timeout > 0.0 && args.timeout.is_finite()) {
        return usage("--timeout is a number of seconds above 0");
    }
    let (user, switch_user) = match host::choose_user(args.user.as_deref()) {
        Ok(u) => u,
        Err(e) => return usage(&e),
    };
    // What stops any mount here (no /dev/fuse …), said as `mount` says it.
    if let Some(problem) = host::mount_problem() {
        return usage(&problem);
    }
    let work = match check_case::make_work_dir() {
        Ok(w) => w,
        Err(e) => return usage(&e),
    };
    let setup = Setup {
        command: args.command.clone(),
        props,
        switch_user,
        user,
        timeout: Duration::from_secs_f64(args.timeout),
        memory_limit: args.memory_limit,
        dst_host: args.dst == DstPlace::Host,
        work: work.clone(),
    };
    host::catch_interrupts();
    let code = run(&args, &setup);
    let _ = std::fs::remove_dir_all(&work);
    code
}

fn seed_rng(seed: u64) -> TestRng {
    let mut bytes = [0u8; 32];
    bytes[..8].copy_from_slice(&seed.to_le_bytes());
    TestRng::from_seed(RngAlgorithm::ChaCha, &bytes)
}

fn run(args: &Args, setup: &Setup) -> ExitCode {
    let seed = args.seed.unwrap_or_else(|| {
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos() as u64)
    });
    let progress = Progress {
        on: std::io::stderr().is_terminal(),
        start: Instant::now(),
        shown: std::cell::Cell::new(None),
    };
    let config = Config {
        failure_persistence: None,
        ..Config::default()
    };
    let mut runner = TestRunner::new_with_rng(config, seed_rng(seed));
    let strategy = tree(args.max_entries);
    let mut stats = Stats::default();
    let mut failure: Option<Failure> = None;
    let mut done = 0;
    for case in 1..=args.cases {
        if INTERRUPTED.load(Ordering::Relaxed) {
            break;
        }
        progress.show(case, args.cases, 0);
        let mut value = match strategy.new_tree(&mut runner) {
            Ok(v) => v,
            Err(e) => return usage(&format!("cannot draw a tree: {e}")),
        };
        let spec = value.current();
        if let Ok(t) = spec.make(&mut machine_for_trees()) {
            stats.add(&t.stats());
        }
        let outcome = match check_case::run(&spec, setup) {
            Ok(o) => o,
            Err(e) => return usage(&e),
        };
        if INTERRUPTED.load(Ordering::Relaxed) {
            break;
        }
        done = case;
        let Some((property, why)) = outcome.failure.clone() else {
            continue;
        };
        let mut f = Failure {
            first_entries: spec.entries.len(),
            spec,
            property,
            why,
            outcome,
            case,
            shrinks: 0,
        };
        // A shrink run that cannot mount ends the shrinking; the smallest
        // failing tree so far is still the reproducer.
        if let Err(e) = shrink(&mut value, &mut f, setup, &progress, args.cases) {
            progress.clear();
            eprintln!("ntlinkfs check: while shrinking: {e}");
        }
        failure = Some(f);
        break;
    }
    progress.clear();
    if args.stats {
        println!("structures in {done} generated trees:");
        for (what, n) in stats.rows() {
            println!("  {n:>6}  {what}");
        }
    }
    let secs = progress.start.elapsed().as_secs_f64();
    let interrupted = INTERRUPTED.load(Ordering::Relaxed);
    let Some(f) = failure else {
        if interrupted {
            println!("ntlinkfs check: interrupted after {done} cases, all held (seed {seed}, {secs:.1} s)");
            return ExitCode::from(130);
        }
        println!(
            "ntlinkfs check: {done} cases held: {} (seed {seed}, {secs:.1} s)",
            props_text(&setup.props)
        );
        return ExitCode::SUCCESS;
    };
    let found = Found {
        seed,
        case: f.case,
        cases: args.cases,
        shrinks: f.shrinks,
        first_entries: f.first_entries,
        rerun: rerun_line(args, seed),
        command: check_report::shell_words(&args.command),
    };
    if let Err(e) = check_report::write(
        &args.out,
        &f.spec,
        &setup.user,
        f.property,
        &f.why,
        &f.outcome,
        &found,
    ) {
        eprintln!("ntlinkfs check: {e}");
        return ExitCode::from(2);
    }
    let entries = f
        .spec
        .make(&mut machine_for_trees())
        .map_or(0, |t| t.entries.len());
    println!(
        "ntlinkfs check: case {} of {} failed {}: {}; {} to {} entries in {} shrinks; reproducer in {} (seed {seed}, {secs:.1} s)",
        f.case,
        args.cases,
        f.property,
        f.why,
        if interrupted { "shrinking interrupted, best so far" } else { "shrunk" },
        entries,
        f.shrinks,
        args.out.display()
    );
    ExitCode::from(if interrupted { 130 } else { 1 })
}

/// proptest's shrinking: simplify while the same property still fails,
/// complicate back when it holds.
fn shrink(
    value: &mut impl ValueTree<Value = TreeSpec>,
    f: &mut Failure,
    setup: &Setup,
    progress: &Progress,
    cases: u32,
) -> Result<(), String> {
    if !value.simplify() {
        return Ok(());
    }
    loop {
        if INTERRUPTED.load(Ordering::Relaxed) {
            return Ok(());
        }
        progress.show(f.case, cases, f.shrinks);
        let spec = value.current();
        let outcome = check_case::run(&spec, setup)?;
        if INTERRUPTED.load(Ordering::Relaxed) {
            return Ok(());
        }
        let still = matches!(&outcome.failure, Some((p, _)) if *p == f.property);
        let more = if still {
            f.shrinks += 1;
            f.why = outcome.failure.clone().map(|x| x.1).unwrap_or_default();
            f.spec = spec;
            f.outcome = outcome;
            value.simplify()
        } else {
            value.complicate()
        };
        if !more {
            return Ok(());
        }
    }
}

fn props_text(props: &[Property]) -> String {
    props
        .iter()
        .map(|p| p.to_string())
        .collect::<Vec<_>>()
        .join(",")
}

/// The `ntlinkfs check` line that finds the same failure again.
fn rerun_line(args: &Args, seed: u64) -> String {
    let mut argv: Vec<String> = vec![
        "ntlinkfs".into(),
        "check".into(),
        "--expect".into(),
        args.expect.join(","),
        "--seed".into(),
        seed.to_string(),
        "--cases".into(),
        args.cases.to_string(),
        "--max-entries".into(),
        args.max_entries.to_string(),
    ];
    if args.dst == DstPlace::Host {
        argv.extend(["--dst".into(), "host".into()]);
    }
    if let Some(user) = &args.user {
        argv.extend(["--user".into(), user.clone()]);
    }
    if args.timeout != DEFAULT_TIMEOUT {
        argv.extend(["--timeout".into(), args.timeout.to_string()]);
    }
    argv.push("--".into());
    argv.extend(args.command.iter().cloned());
    check_report::shell_words(&argv)
}
