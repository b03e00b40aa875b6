//! Random differential runs (`ntlinkfs-conformance --random N`): operation
//! sequences drawn from the model test's generator
//! ([`ntlinkfs_core::testing::ops_gen`]) run on a [`Target`] and on the core
//! ([`Core`]) as the oracle, every result compared, any divergence shrunk to a
//! shortest sequence that still diverges.
//!
//! Compared: every call's outcome (success, or the exact error: an errno is
//! judged through `errno_for` as in the conformance rows), what reads, listings
//! and queries return (data, names in order, link counts, sizes, the
//! directory / reparse-point / read-only attributes, file types, which names
//! are one file), and at the end of each sequence the whole tree, walked on
//! both sides (names, link counts, data, link targets). A call the target
//! cannot express (`Failure::Inexpressible`) ends the sequence there: the
//! steps before it count, the rest is skipped and counted.
//!
//! Shrinking, after the first step that diverges: drop single operations
//! while the sequence still diverges, then replace single operations by
//! simpler ones ([`SeqOp::simpler`], which ends in `md C:\a`), until neither
//! changes anything. The result is 1-minimal: no single operation can be
//! dropped or simplified.

use crate::random_posix::{self, Facts, View};
use crate::scenario::{Env, Op, SymFlags};
use crate::target::{errno_name, Failure, Info, Observed, Target};
use crate::Core;
use ntlinkfs_core::testing::ops_gen::{ops, simpler_sequences, OpsConfig, SeqOp};
use proptest::strategy::{Strategy, ValueTree};
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use std::collections::HashMap;
use std::fmt::Write as _;
use std::time::{Duration, Instant};

/// What a run draws and how much.
#[derive(Debug, Clone)]
pub struct Settings {
    /// Sequences to run.
    pub sequences: usize,
    /// The generator's seed: the same seed draws the same sequences.
    pub seed: u64,
    /// Operations per sequence: 1 to this many.
    pub max_len: usize,
    pub ops: OpsConfig,
    /// The machine both sides start from.
    pub env: Env,
    /// Stop after this many distinct (shrunk) divergences.
    pub max_divergences: usize,
}

impl Settings {
    /// `sequences` sequences of up to 24 portable operations on `drives`.
    pub fn new(sequences: usize, seed: u64, drives: &[char]) -> Settings {
        let env = if drives == ['C'] {
            Env {
                volumes: vec![('C', ntlinkfs_core::FsKind::Ntfs)],
                ..Env::default()
            }
        } else {
            Env::default()
        };
        Settings {
            sequences,
            seed,
            max_len: 24,
            ops: OpsConfig::portable(drives),
            env,
            max_divergences: 8,
        }
    }
}

/// One call as both sides saw it.
#[derive(Debug, Clone)]
pub struct Call {
    pub op: Op,
    /// The Linux calls a POSIX target made for it.
    pub linux: Option<String>,
    pub core: Result<Observed, Failure>,
    pub target: Result<Observed, Failure>,
}

/// How one sequence ended.
#[derive(Debug, Clone)]
pub enum Verdict {
    /// Every result agreed.
    Agree,
    /// The target could not express operation `n`: the steps before it agreed.
    Cut(usize, String),
    /// A result differed: at operation `step` (None: in the final walk).
    Diverge {
        step: Option<usize>,
        what: String,
        /// The kind of difference (the call, both outcomes' kinds, the field
        /// compared): shrinking keeps it, a report lists each kind once.
        class: String,
        calls: Vec<Call>,
    },
}

/// A divergence, shrunk.
#[derive(Debug, Clone)]
pub struct Divergence {
    /// The shortest sequence found that still diverges.
    pub ops: Vec<SeqOp>,
    /// What differed, on the shrunk sequence.
    pub what: String,
    /// The kind of difference (see [`Verdict::Diverge`]).
    pub class: String,
    /// The calls of the shrunk sequence, the final walk's included.
    pub calls: Vec<Call>,
    /// Length of the sequence it was found in, and the runs shrinking took.
    pub found_len: usize,
    pub shrink_runs: usize,
}

/// A whole run.
#[derive(Debug, Default)]
pub struct Report {
    pub sequences: usize,
    pub operations: usize,
    /// Sequences that diverged (each kind is shrunk and reported once).
    pub diverged: usize,
    /// Sequences cut short by an operation the target cannot express.
    pub cut: usize,
    /// Why sequences were cut, with counts.
    pub cut_reasons: Vec<(String, usize)>,
    pub divergences: Vec<Divergence>,
    pub elapsed: Duration,
}

/// The conformance operation a generated one stands for (`None`: handle
/// numbers, which the runs here do not generate).
pub fn to_scenario(op: &SeqOp) -> Option<Op> {
    Some(match op.clone() {
        SeqOp::CreateFile(p) => Op::CreateNew(p),
        SeqOp::CreateDir(p) => Op::MkDir(p),
        SeqOp::Write(p, b, false) => Op::Write(p, b),
        SeqOp::Write(p, b, true) => Op::Append(p, b),
        SeqOp::Read(p) => Op::Read(p),
        SeqOp::Stat(p) => Op::Stat(p),
        SeqOp::List(p) => Op::List(p),
        SeqOp::DeleteFile(p) => Op::Delete(p),
        SeqOp::RemoveDir(p) => Op::RemoveDir(p),
        SeqOp::Move(from, to, replace) => Op::Move {
            from,
            to,
            replace,
            copy_allowed: false,
        },
        SeqOp::HardLink(link, existing) => Op::HardLink { link, existing },
        SeqOp::Junction(link, target) => Op::Junction { link, target },
        SeqOp::Symlink(link, target, directory) => Op::Symlink {
            link,
            target,
            flags: SymFlags {
                directory,
                unprivileged: false,
            },
        },
        SeqOp::Open(path) => Op::Open {
            path,
            share_delete: true,
        },
        SeqOp::HandleRead(_) | SeqOp::Close(_) => return None,
    })
}

/// Draws `settings.sequences` sequences, runs each on `target` and on the
/// core, shrinks each divergence. `Err`: the harness itself failed (a
/// target that cannot start a sequence, an I/O error of its own).
pub fn run(target: &mut dyn Target, settings: &Settings) -> Result<Report, String> {
    let start = Instant::now();
    let mut report = Report::default();
    let mut rng_seed = [0u8; 32];
    for (i, b) in rng_seed.iter_mut().enumerate() {
        *b = settings.seed.to_le_bytes()[i % 8] ^ (i as u8);
    }
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &rng_seed),
    );
    let strategy = ops(&settings.ops, 1..settings.max_len.max(1) + 1);
    let mut oracle = Core::new();
    for _ in 0..settings.sequences {
        let seq = strategy
            .new_tree(&mut runner)
            .map_err(|e| format!("generator: {e}"))?
            .current();
        report.sequences += 1;
        match run_sequence(&mut oracle, target, &settings.env, &seq)? {
            Verdict::Agree => report.operations += seq.len(),
            Verdict::Cut(n, why) => {
                report.operations += n;
                report.cut += 1;
                match report.cut_reasons.iter_mut().find(|(r, _)| *r == why) {
                    Some((_, c)) => *c += 1,
                    None => report.cut_reasons.push((why, 1)),
                }
            }
            Verdict::Diverge { step, class, .. } => {
                report.operations += step.map_or(seq.len(), |s| s + 1);
                report.diverged += 1;
                // One report per kind of difference (shrinking keeps the kind).
                if report.divergences.iter().any(|o| o.class == class) {
                    continue;
                }
                report
                    .divergences
                    .push(shrink(&mut oracle, target, settings, seq)?);
                if report.divergences.len() >= settings.max_divergences {
                    break;
                }
            }
        }
    }
    report.elapsed = start.elapsed();
    Ok(report)
}

/// Runs one sequence on both sides from a fresh `env` and compares.
pub fn run_sequence(
    oracle: &mut Core,
    target: &mut dyn Target,
    env: &Env,
    seq: &[SeqOp],
) -> Result<Verdict, String> {
    oracle.begin(env).map_err(|e| format!("core: {e}"))?;
    if let Err(e) = target.begin(env) {
        oracle.end();
        return Err(format!("{}: {e}", target.name()));
    }
    let verdict = compare_sequence(oracle, target, env, seq);
    target.end();
    oracle.end();
    verdict
}

fn compare_sequence(
    oracle: &mut Core,
    target: &mut dyn Target,
    env: &Env,
    seq: &[SeqOp],
) -> Result<Verdict, String> {
    let mut ids = Ids::default();
    let mut calls = Vec::new();
    for (i, op) in seq.iter().enumerate() {
        let Some(op) = to_scenario(op) else { continue };
        match step(oracle, target, op, &mut ids, &mut calls)? {
            Step::Same => {}
            Step::Cut(why) => return Ok(Verdict::Cut(i, why)),
            Step::Differ(what, class) => {
                return Ok(Verdict::Diverge {
                    step: Some(i),
                    what,
                    class,
                    calls,
                })
            }
        }
    }
    // The whole tree, walked on both sides in step: listings, then each
    // entry's information, and its data or link target.
    let mut dirs: Vec<String> = env.volumes.iter().map(|v| format!("{}:\\", v.0)).collect();
    while let Some(dir) = dirs.pop() {
        let names = match step(oracle, target, Op::List(dir.clone()), &mut ids, &mut calls)? {
            Step::Same => match &calls.last().map(|c| &c.core) {
                Some(Ok(Observed::Entries(n))) => n.clone(),
                _ => Vec::new(),
            },
            Step::Cut(why) => return Ok(Verdict::Cut(seq.len(), why)),
            Step::Differ(what, class) => return Ok(diverge_at_end(what, class, calls)),
        };
        for name in names {
            let p = if dir.ends_with('\\') {
                format!("{dir}{name}")
            } else {
                format!("{dir}\\{name}")
            };
            let info = match step(oracle, target, Op::Lstat(p.clone()), &mut ids, &mut calls)? {
                Step::Same => match &calls.last().map(|c| &c.core) {
                    Some(Ok(Observed::Info(i))) => i.clone(),
                    _ => continue,
                },
                Step::Cut(why) => return Ok(Verdict::Cut(seq.len(), why)),
                Step::Differ(what, class) => return Ok(diverge_at_end(what, class, calls)),
            };
            let next = if info.tag.flatten().is_some() {
                Op::ReadLink(p)
            } else if info.is_dir == Some(true) {
                dirs.push(p);
                continue;
            } else {
                Op::Read(p)
            };
            match step(oracle, target, next, &mut ids, &mut calls)? {
                Step::Same => {}
                Step::Cut(why) => return Ok(Verdict::Cut(seq.len(), why)),
                Step::Differ(what, class) => return Ok(diverge_at_end(what, class, calls)),
            }
        }
    }
    Ok(Verdict::Agree)
}

fn diverge_at_end(what: String, class: String, calls: Vec<Call>) -> Verdict {
    Verdict::Diverge {
        step: None,
        what: format!("in the final tree: {what}"),
        class: format!("final tree: {class}"),
        calls,
    }
}

enum Step {
    Same,
    Cut(String),
    /// What differed, and its kind.
    Differ(String, String),
}

/// Applies `op` to both sides, records the call, compares.
fn step(
    oracle: &mut Core,
    target: &mut dyn Target,
    op: Op,
    ids: &mut Ids,
    calls: &mut Vec<Call>,
) -> Result<Step, String> {
    let posix = target.is_posix();
    let facts = match oracle.machine() {
        Some(m) if posix => random_posix::facts(m, &op),
        _ => Facts::default(),
    };
    // File identities hold between changes only: ntfs-3g's inode number is
    // the MFT record number, reused once a file is gone; NTFS's file
    // reference adds a sequence number that st_ino does not carry.
    if !matches!(
        op,
        Op::Stat(_) | Op::Lstat(_) | Op::List(_) | Op::Read(_) | Op::ReadLink(_)
    ) {
        *ids = Ids::default();
    }
    if let Some(why) = random_posix::skip_before(&facts, &op) {
        return Ok(Step::Cut(why.to_string()));
    }
    let core = oracle.apply(&op);
    let mut tgt = target.apply(&op);
    if let Err(Failure::Harness(e)) = &core {
        return Err(format!("core: {op:?}: {e}"));
    }
    if let Err(Failure::Harness(e)) = &tgt {
        return Err(format!("{}: {op:?}: {e}", target.name()));
    }
    if let Err(Failure::Inexpressible(why)) = &tgt {
        return Ok(Step::Cut(why.clone()));
    }
    if let Err(e) = oracle.verify() {
        return Ok(Step::Differ(
            format!("{op:?}: the core's {e}"),
            "core invariant".into(),
        ));
    }
    // A directory's st_nlink is the POSIX view's (F5): judged here, then
    // compared as the core's.
    if let (Ok(Observed::Info(c)), Ok(Observed::Info(t)), Op::Stat(p) | Op::Lstat(p), Some(m)) =
        (&core, &mut tgt, &op, oracle.machine())
    {
        if posix && random_posix::dir_links_match(m, p, c, t) {
            t.links = c.links;
        }
    }
    let mut verdict = compare(&core, &tgt, ids).map_err(|e| format!("{}: {e}", op.verb()));
    if verdict.is_err() && posix {
        match random_posix::judge(&facts, &op, &core, &tgt) {
            Some(View::Same(_)) => verdict = Ok(()),
            Some(View::Skip(why)) => return Ok(Step::Cut(why.to_string())),
            None => {}
        }
    }
    let result = match verdict {
        Ok(()) => Step::Same,
        Err(what) => {
            let field = match (&core, &tgt) {
                (Ok(_), Ok(_)) => what.split(':').nth(1).unwrap_or("").trim().to_string(),
                _ => String::new(),
            };
            let class = format!("{} {} / {} {field}", op.verb(), kind(&core), kind(&tgt));
            Step::Differ(what, class)
        }
    };
    calls.push(Call {
        linux: posix.then(|| random_posix::linux_calls(target.name(), &op)),
        op,
        core,
        target: tgt,
    });
    Ok(result)
}

/// Core file identities ↔ target ones, kept one-to-one over a sequence: two
/// names are one file on one side exactly when they are on the other.
#[derive(Default)]
struct Ids {
    to_target: HashMap<u128, u128>,
    to_core: HashMap<u128, u128>,
}

impl Ids {
    fn pair(&mut self, core: u128, target: u128) -> Result<(), String> {
        let a = *self.to_target.entry(core).or_insert(target);
        let b = *self.to_core.entry(target).or_insert(core);
        if a != target || b != core {
            return Err("which names are one file differs (hard-link groups)".into());
        }
        Ok(())
    }
}

/// The attributes compared: READONLY, DIRECTORY, REPARSE_POINT (ARCHIVE and
/// the rest are the filesystem's housekeeping).
const ATTR_MASK: u32 = 0x1 | 0x10 | 0x400;
const S_IFMT: u32 = 0o170_000;

fn compare(
    core: &Result<Observed, Failure>,
    target: &Result<Observed, Failure>,
    ids: &mut Ids,
) -> Result<(), String> {
    match (core, target) {
        (Err(Failure::Nt(e)), Err(f)) if f.matches(*e) => Ok(()),
        (Err(Failure::Nt(e)), Err(f)) => Err(format!(
            "the core fails with {} ({}), the target with {}",
            e.ntstatus_name(),
            expected_errno(*e, f),
            f
        )),
        (Err(f), Ok(o)) => Err(format!(
            "the core fails with {f}, the target returns {}",
            show(o)
        )),
        (Ok(o), Err(f)) => Err(format!(
            "the core returns {}, the target fails with {f}",
            show(o)
        )),
        (Err(f), Err(g)) => Err(format!("the core fails with {f}, the target with {g}")),
        (Ok(Observed::Info(a)), Ok(Observed::Info(b))) => compare_info(a, b, ids),
        (Ok(Observed::Entries(a)), Ok(Observed::Entries(b))) if a != b => {
            Err(format!("entries: the core lists {a:?}, the target {b:?}"))
        }
        (Ok(a), Ok(b)) if a != b => Err(format!(
            "result: the core returns {}, the target {}",
            show(a),
            show(b)
        )),
        (Ok(_), Ok(_)) => Ok(()),
    }
}

/// `EEXIST for link` (what the core's error means on the POSIX call the
/// target made), or the Win32 code.
fn expected_errno(e: ntlinkfs_core::NtError, f: &Failure) -> String {
    match f {
        Failure::Errno(_, op) => format!("{} for {op:?}", ntlinkfs_core::errno_for(*op, e).name()),
        _ => format!("Win32 {}", e.win32()),
    }
}

fn show(o: &Observed) -> String {
    match o {
        Observed::Unit => "success".into(),
        Observed::Bytes(b) => format!("bytes {:?}", String::from_utf8_lossy(b)),
        Observed::Text(t) => format!("{t:?}"),
        Observed::Entries(e) => format!("entries {e:?}"),
        Observed::Info(i) => format!("{i:?}"),
    }
}

fn compare_info(a: &Info, b: &Info, ids: &mut Ids) -> Result<(), String> {
    let both = |x: Option<u64>, y: Option<u64>, what: &str| match (x, y) {
        (Some(x), Some(y)) if x != y => Err(format!("{what}: the core says {x}, the target {y}")),
        _ => Ok(()),
    };
    both(a.links.map(u64::from), b.links.map(u64::from), "link count")?;
    both(a.size, b.size, "size")?;
    both(
        a.is_dir.map(u64::from),
        b.is_dir.map(u64::from),
        "is a directory",
    )?;
    both(
        a.attrs.map(|x| u64::from(x & ATTR_MASK)),
        b.attrs.map(|x| u64::from(x & ATTR_MASK)),
        "attributes (READONLY|DIRECTORY|REPARSE_POINT)",
    )?;
    both(
        a.mode.map(|m| u64::from(m & S_IFMT)),
        b.mode.map(|m| u64::from(m & S_IFMT)),
        "file type (st_mode & S_IFMT)",
    )?;
    if let (Some(Some(x)), Some(Some(y))) = (a.tag, b.tag) {
        if x != y {
            return Err(format!(
                "reparse tag: the core says {x:#x}, the target {y:#x}"
            ));
        }
    }
    if let (Some(Some(_)), Some(None)) | (Some(None), Some(Some(_))) = (a.tag, b.tag) {
        return Err(format!(
            "reparse point: the core says {:?}, the target {:?}",
            a.tag, b.tag
        ));
    }
    if let (Some(x), Some(y)) = (a.id, b.id) {
        ids.pair(x, y)?;
    }
    Ok(())
}

/// Shrinks a diverging sequence (see the module's text).
pub fn shrink(
    oracle: &mut Core,
    target: &mut dyn Target,
    settings: &Settings,
    mut seq: Vec<SeqOp>,
) -> Result<Divergence, String> {
    let found_len = seq.len();
    let mut runs = 0;
    let wanted = match run_sequence(oracle, target, &settings.env, &seq)? {
        Verdict::Diverge { step, class, .. } => {
            // Cut after the first diverging step.
            seq.truncate(step.map_or(seq.len(), |i| i + 1));
            class
        }
        other => return Err(format!("the divergence did not recur: {other:?}")),
    };
    let mut diverges = |s: &[SeqOp], runs: &mut usize| -> Result<Option<usize>, String> {
        *runs += 1;
        Ok(match run_sequence(oracle, target, &settings.env, s)? {
            Verdict::Diverge { step, class, .. } if class == wanted => {
                Some(step.map_or(s.len(), |i| i + 1))
            }
            _ => None,
        })
    };
    loop {
        let mut changed = false;
        let mut i = seq.len();
        while i > 0 {
            i -= 1;
            let mut cand = seq.clone();
            cand.remove(i);
            if let Some(n) = diverges(&cand, &mut runs)? {
                cand.truncate(n);
                seq = cand;
                changed = true;
                i = i.min(seq.len());
            }
        }
        let mut i = 0;
        while i < seq.len() {
            for simpler in seq[i].simpler(&settings.ops) {
                let mut cand = seq.clone();
                cand[i] = simpler;
                if let Some(n) = diverges(&cand, &mut runs)? {
                    cand.truncate(n);
                    seq = cand;
                    changed = true;
                    break;
                }
            }
            i += 1;
        }
        for cand in simpler_sequences(&seq, &settings.ops) {
            if let Some(n) = diverges(&cand, &mut runs)? {
                seq = cand;
                seq.truncate(n);
                changed = true;
                break;
            }
        }
        if !changed {
            break;
        }
    }
    runs += 1;
    let (what, class, calls) = match run_sequence(oracle, target, &settings.env, &seq)? {
        Verdict::Diverge {
            what, class, calls, ..
        } => (what, class, calls),
        other => return Err(format!("the shrunk divergence did not recur: {other:?}")),
    };
    Ok(Divergence {
        ops: seq,
        what,
        class,
        calls,
        found_len,
        shrink_runs: runs,
    })
}

/// The report: each divergence as a cmd script and as the calls made, then
/// the one-line summary.
pub fn render(report: &Report, target: &str) -> String {
    let mut out = String::new();
    for (n, d) in report.divergences.iter().enumerate() {
        let _ = writeln!(
            out,
            "divergence {} on {target}: {}\n  shrunk from {} to {} operations in {} runs",
            n + 1,
            d.what,
            d.found_len,
            d.ops.len(),
            d.shrink_runs
        );
        out.push_str("  cmd script:\n");
        for op in &d.ops {
            let _ = writeln!(out, "    {}", op.cmd());
        }
        out.push_str("  calls made (core | target):\n");
        for c in &d.calls {
            let _ = writeln!(out, "    {:?}", c.op);
            let _ = writeln!(out, "      core:   {}", outcome(&c.core));
            if let Some(call) = &c.linux {
                let _ = writeln!(out, "      target: {call}");
                let _ = writeln!(out, "              {}", outcome(&c.target));
            } else {
                let _ = writeln!(out, "      target: {}", outcome(&c.target));
            }
        }
    }
    if !report.cut_reasons.is_empty() {
        out.push_str("sequences cut short (the target cannot express a call):\n");
        for (why, n) in &report.cut_reasons {
            let _ = writeln!(out, "  {n:>5}  {why}");
        }
    }
    let secs = report.elapsed.as_secs_f64();
    let _ = writeln!(
        out,
        "{} sequences ({} operations, {} cut short) on {target} in {secs:.2} s ({:.0} sequences/s): {} diverged, {} kinds of divergence",
        report.sequences,
        report.operations,
        report.cut,
        report.sequences as f64 / secs.max(1e-9),
        report.diverged,
        report.divergences.len()
    );
    out
}

/// An outcome's kind: `success`, `entries` …, or the error's name.
fn kind(r: &Result<Observed, Failure>) -> String {
    match r {
        Ok(Observed::Unit) => "success".into(),
        Ok(Observed::Bytes(_)) => "bytes".into(),
        Ok(Observed::Info(_)) => "info".into(),
        Ok(Observed::Entries(_)) => "entries".into(),
        Ok(Observed::Text(_)) => "text".into(),
        Err(Failure::Nt(e)) => e.ntstatus_name().into(),
        Err(Failure::Errno(n, _)) => errno_name(*n).into(),
        Err(f) => f.to_string(),
    }
}

fn outcome(r: &Result<Observed, Failure>) -> String {
    match r {
        Ok(o) => show(o),
        Err(Failure::Errno(n, op)) => format!("errno {n} {} ({op:?})", errno_name(*n)),
        Err(f) => f.to_string(),
    }
}
