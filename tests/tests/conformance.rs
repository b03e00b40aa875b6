//! Every conformance row passes on the core, and the suite is as large as
//! issue 5 asks.

use ntlinkfs_tests::runner::{self, Verdict};
use ntlinkfs_tests::{tables, Core, Topic};

#[test]
fn every_row_passes_on_the_core() {
    let rows = tables::all();
    let results = runner::run_all(&mut Core::new(), &rows);
    let failures: Vec<String> = results
        .iter()
        .filter_map(|r| match &r.verdict {
            Verdict::Fail(m) => Some(format!("{}: {m}", r.id)),
            Verdict::Skip(m) => Some(format!("{}: skipped on the core: {m}", r.id)),
            Verdict::Pass => None,
        })
        .collect();
    assert!(
        failures.is_empty(),
        "{} rows failed:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn suite_has_at_least_150_rows_and_every_topic() {
    let rows = tables::all();
    assert!(rows.len() >= 150, "only {} rows", rows.len());
    for t in Topic::ALL {
        assert!(
            rows.iter().any(|r| r.topic == t),
            "no rows for {}",
            t.name()
        );
    }
}

#[test]
fn every_row_cites_a_rule_and_a_source() {
    for r in tables::all() {
        assert!(
            !r.rule.is_empty() && !r.source.is_empty() && !r.title.is_empty(),
            "{r:?}"
        );
    }
}
