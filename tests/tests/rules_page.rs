//! docs/rules.md is current, and every rule id cited in the repository's Rust
//! code resolves on it (issue 12: the rules cited in code resolve inside the
//! repository).

use ntlinkfs_tests::{rules_page, tables};
use std::path::{Path, PathBuf};

fn repo_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("tests/ has a parent")
        .to_path_buf()
}

/// Every `.rs` file under `dir`, build outputs and hidden directories left out.
fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    let mut entries: Vec<_> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|e| e.expect("directory entry").path())
        .collect();
    entries.sort();
    for p in entries {
        let name = p.file_name().and_then(|n| n.to_str()).unwrap_or("");
        if p.is_dir() {
            if name != "target" && !name.starts_with('.') {
                rust_files(&p, out);
            }
        } else if name.ends_with(".rs") {
            out.push(p);
        }
    }
}

#[test]
fn rules_page_is_current() {
    let path = repo_root().join("docs/rules.md");
    let on_disk = std::fs::read_to_string(&path).unwrap_or_default();
    let fresh = rules_page::render(&tables::all());
    assert!(
        on_disk == fresh,
        "docs/rules.md is stale (or missing): the conformance tables changed.\n\
         Regenerate it from the repository root with:\n    {}",
        rules_page::COMMAND
    );
}

#[test]
fn every_cited_rule_id_is_on_the_page() {
    let rows = tables::all();
    let listed = rules_page::listed_ids(&rows);
    let mut files = Vec::new();
    rust_files(&repo_root(), &mut files);
    let mut missing = Vec::new();
    for f in &files {
        let text = std::fs::read_to_string(f).unwrap_or_default();
        for id in rules_page::cited_ids(&text) {
            if !listed.contains(&id.as_str()) {
                missing.push(format!("{id} ({})", f.display()));
            }
        }
    }
    missing.dedup();
    assert!(
        missing.is_empty(),
        "rule ids cited in code but not on docs/rules.md: {missing:#?}\n\
         Add a conformance row citing each (tests/src/tables/), or a `WITHOUT_ROWS` \
         entry with its statement and source (tests/src/rules_page.rs); then run:\n    {}",
        rules_page::COMMAND
    );
}

#[test]
fn rules_without_rows_have_no_row() {
    let rows = tables::all();
    for r in rules_page::WITHOUT_ROWS {
        assert!(
            !rows.iter().any(|s| s.rule == r.id),
            "{} has a conformance row now: remove it from WITHOUT_ROWS (tests/src/rules_page.rs)",
            r.id
        );
    }
}
