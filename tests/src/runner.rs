//! Runs rows on a target and reports: one verdict per row, a table of passed /
//! failed / skipped per topic and target, and the closing `N passed, M failed`.

use crate::scenario::{Expect, Op, PosixView, Scenario, Topic};
use crate::target::{errno_value, Failure, Observed, Target};
use std::collections::BTreeMap;
use std::fmt::Write as _;

/// A row's verdict on one target.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    Pass,
    Fail(String),
    /// Not run or not judged, with the reason (never counted as passed).
    Skip(String),
}

/// One row's result on one target.
#[derive(Debug, Clone)]
pub struct RowResult {
    pub target: &'static str,
    pub topic: Topic,
    pub id: String,
    pub unverified: bool,
    pub verdict: Verdict,
}

/// Prefix of a skip for a field the target cannot observe.
const UNOBSERVABLE: &str = "not observable";

/// Runs one row on `t`.
pub fn run_row(t: &mut dyn Target, s: &Scenario) -> Verdict {
    if let Err(reason) = t.begin(&s.env) {
        return Verdict::Skip(reason);
    }
    let v = run_steps(t, s);
    t.end();
    v
}

fn run_steps(t: &mut dyn Target, s: &Scenario) -> Verdict {
    let posix = if t.is_posix() { s.posix.as_ref() } else { None };
    if let Some(PosixView::Skip(why)) = posix {
        return Verdict::Skip(format!("POSIX view: {why}"));
    }
    for (i, step) in s.setup.iter().enumerate() {
        match t.apply(step) {
            Ok(_) => {}
            Err(Failure::Inexpressible(r)) => return Verdict::Skip(format!("setup: {r}")),
            Err(f) => return Verdict::Fail(format!("setup step {} `{step}` failed: {f}", i + 1)),
        }
    }
    if let Err(e) = t.verify() {
        return Verdict::Fail(format!("after setup: {e}"));
    }
    if let Some(PosixView::Errno(want, why)) = posix {
        return match t.apply(&s.op) {
            Err(Failure::Errno(n, _)) if errno_value(*want) == Some(n) => Verdict::Pass,
            Err(Failure::Inexpressible(r)) => Verdict::Skip(r),
            other => Verdict::Fail(format!(
                "operation `{}`: POSIX view expects {} ({why}), got {other:?}",
                s.op,
                want.name()
            )),
        };
    }
    let judged = std::iter::once((&s.op, &s.expect, "operation".to_string())).chain(
        s.then
            .iter()
            .enumerate()
            .map(|(i, (op, e))| (op, e, format!("check {}", i + 1))),
    );
    for (op, expect, what) in judged {
        match check(t, op, expect, &what) {
            None => {}
            // A later check a target cannot observe is left out; the operation
            // under test itself must be judged, or the row is skipped.
            Some(Verdict::Skip(m)) if what != "operation" && m.starts_with(UNOBSERVABLE) => {
                continue
            }
            Some(v) => return v,
        }
        if let Err(e) = t.verify() {
            return Verdict::Fail(format!("{what} `{op}`: {e}"));
        }
    }
    Verdict::Pass
}

/// Applies `op` and judges it; `None` means it met the expectation.
fn check(t: &mut dyn Target, op: &Op, expect: &Expect, what: &str) -> Option<Verdict> {
    let got = t.apply(op);
    if let Err(Failure::Inexpressible(r)) = &got {
        return Some(Verdict::Skip(format!("{what} `{op}`: {r}")));
    }
    let fail = |msg: String| Some(Verdict::Fail(format!("{what} `{op}`: {msg}")));
    match (expect, got) {
        (Expect::Err(e), Err(f)) => {
            if f.matches(*e) {
                None
            } else {
                fail(format!("expected {e:?} ({}), got {f}", e.diagnostic()))
            }
        }
        (Expect::Err(e), Ok(o)) => fail(format!("expected {e:?}, but it succeeded ({o:?})")),
        (_, Err(f)) => fail(format!("expected {expect:?}, got error {f}")),
        (Expect::Ok, Ok(_)) => None,
        (Expect::Bytes(want), Ok(Observed::Bytes(got))) => (want != &got)
            .then(|| Verdict::Fail(format!("{what} `{op}`: bytes {got:?}, want {want:?}"))),
        (Expect::Entries(want), Ok(Observed::Entries(got))) => (want != &got)
            .then(|| Verdict::Fail(format!("{what} `{op}`: entries {got:?}, want {want:?}"))),
        (Expect::Text(want), Ok(Observed::Text(got))) => (want != &got)
            .then(|| Verdict::Fail(format!("{what} `{op}`: text {got:?}, want {want:?}"))),
        (Expect::SameFileAs(other) | Expect::OtherFileThan(other), Ok(Observed::Info(i))) => {
            let same = matches!(expect, Expect::SameFileAs(_));
            let other_op = Op::Stat(other.clone());
            let o = match t.apply(&other_op) {
                Ok(Observed::Info(o)) => o,
                Err(Failure::Inexpressible(r)) => return Some(Verdict::Skip(r)),
                r => return fail(format!("stat of {other} for comparison: {r:?}")),
            };
            match (i.id, o.id) {
                (Some(a), Some(b)) if (a == b) == same => None,
                (Some(_), Some(_)) => fail(format!(
                    "file ids {} but should {}",
                    if same { "differ" } else { "are equal" },
                    if same { "be equal" } else { "differ" }
                )),
                _ => Some(Verdict::Skip(format!("{UNOBSERVABLE}: {what}: file ids"))),
            }
        }
        (e, Ok(Observed::Info(i))) => {
            macro_rules! field {
                ($f:ident, $want:expr) => {
                    match i.$f {
                        None => Some(Verdict::Skip(format!(
                            "{UNOBSERVABLE}: {what} `{op}`: {} on this target",
                            stringify!($f)
                        ))),
                        Some(v) if v == $want => None,
                        Some(v) => fail(format!("{} is {:?}, want {:?}", stringify!($f), v, $want)),
                    }
                };
            }
            match e {
                Expect::Links(n) => field!(links, *n),
                Expect::Attrs(a) => match i.attrs {
                    Some(v) if v != *a => fail(format!("attributes 0x{v:x}, want 0x{a:x}")),
                    _ => field!(attrs, *a),
                },
                Expect::Tag(t) => field!(tag, *t),
                Expect::Size(n) => field!(size, *n),
                Expect::IsDir(d) => field!(is_dir, *d),
                Expect::Mode(m) => field!(mode, *m),
                Expect::Rdev(major, minor) => field!(rdev, (*major, *minor)),
                Expect::TotalLinks(n) => field!(total_links, *n),
                Expect::DeletePending(d) => field!(delete_pending, *d),
                other => fail(format!("cannot judge {other:?} on file information")),
            }
        }
        (e, Ok(o)) => fail(format!("expected {e:?}, got {o:?}")),
    }
}

/// Runs every row on `t`.
pub fn run_all(t: &mut dyn Target, rows: &[Scenario]) -> Vec<RowResult> {
    rows.iter()
        .map(|s| RowResult {
            target: t.name(),
            topic: s.topic,
            id: s.id(),
            unverified: s.unverified(),
            verdict: run_row(t, s),
        })
        .collect()
}

/// Counts of one cell of the report.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub passed: usize,
    pub failed: usize,
    pub skipped: usize,
}

impl Counts {
    fn add(&mut self, v: &Verdict) {
        match v {
            Verdict::Pass => self.passed += 1,
            Verdict::Fail(_) => self.failed += 1,
            Verdict::Skip(_) => self.skipped += 1,
        }
    }
}

/// Totals over results.
pub fn totals(results: &[RowResult]) -> Counts {
    let mut c = Counts::default();
    for r in results {
        c.add(&r.verdict);
    }
    c
}

/// The report: a Markdown table of passed/failed/skipped per topic and target,
/// then the closing line `N passed, M failed`.
pub fn report(results: &[RowResult], unavailable: &[(&str, String)]) -> String {
    let mut targets: Vec<&'static str> = Vec::new();
    for r in results {
        if !targets.contains(&r.target) {
            targets.push(r.target);
        }
    }
    let mut cells: BTreeMap<(Topic, &str), Counts> = BTreeMap::new();
    for r in results {
        cells
            .entry((r.topic, r.target))
            .or_default()
            .add(&r.verdict);
    }
    let mut out = String::new();
    out.push_str("| topic |");
    for t in &targets {
        let _ = write!(out, " {t} pass | {t} fail | {t} skip |");
    }
    out.push('\n');
    out.push_str("|---|");
    for _ in &targets {
        out.push_str("---:|---:|---:|");
    }
    out.push('\n');
    let mut sums: BTreeMap<&str, Counts> = BTreeMap::new();
    for topic in Topic::ALL {
        let _ = write!(out, "| {} |", topic.name());
        for t in &targets {
            let c = cells.get(&(topic, *t)).copied().unwrap_or_default();
            let s = sums.entry(t).or_default();
            s.passed += c.passed;
            s.failed += c.failed;
            s.skipped += c.skipped;
            let _ = write!(out, " {} | {} | {} |", c.passed, c.failed, c.skipped);
        }
        out.push('\n');
    }
    out.push_str("| **all** |");
    for t in &targets {
        let c = sums.get(t).copied().unwrap_or_default();
        let _ = write!(out, " {} | {} | {} |", c.passed, c.failed, c.skipped);
    }
    out.push('\n');
    for (t, why) in unavailable {
        let _ = writeln!(out, "\nTARGET UNAVAILABLE: {t}: {why}");
    }
    let fails: Vec<&RowResult> = results
        .iter()
        .filter(|r| matches!(r.verdict, Verdict::Fail(_)))
        .collect();
    if !fails.is_empty() {
        out.push_str("\nFailures:\n");
        for r in fails {
            if let Verdict::Fail(m) = &r.verdict {
                let _ = writeln!(out, "  [{}] {}: {m}", r.target, r.id);
            }
        }
    }
    let c = totals(results);
    let _ = writeln!(out, "\n{} passed, {} failed", c.passed, c.failed);
    out
}

/// Every skipped row with its reason, for `--verbose`.
pub fn skips(results: &[RowResult]) -> String {
    let mut out = String::new();
    for r in results {
        if let Verdict::Skip(why) = &r.verdict {
            let _ = writeln!(out, "  [{}] {}: skipped: {why}", r.target, r.id);
        }
    }
    out
}
