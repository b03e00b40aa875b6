//! `ntlinkfs demo` through the binary (issue 13): the text table fits 100
//! columns when piped (measured with awk, as a user would), `--width` fits
//! narrower, `--format markdown` is the table the README shows (golden files
//! in tests/demo/), and `--format json` holds the same cells.

use std::process::Command;

fn demo(args: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_ntlinkfs"))
        .arg("demo")
        .args(args)
        .output()
        .expect("ntlinkfs runs");
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).expect("UTF-8")
}

#[cfg(unix)]
#[test]
fn piped_demo_fits_100_columns_as_awk_counts_them() {
    for profile in ["11", "xp", "10+dev-user"] {
        // The check, exactly; a wide COLUMNS does not widen piped output.
        let out = Command::new("sh")
            .arg("-c")
            .arg(format!(
                "\"$NTLINKFS\" demo --profile {profile} | awk '{{print length}}'"
            ))
            .env("NTLINKFS", env!("CARGO_BIN_EXE_ntlinkfs"))
            .env("COLUMNS", "300")
            .output()
            .expect("sh runs");
        assert!(out.status.success());
        let lengths: Vec<usize> = String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(|l| l.trim().parse().expect("a length"))
            .collect();
        assert!(lengths.len() > 40, "{lengths:?}");
        let widest = lengths.iter().max().copied().unwrap_or(0);
        assert!(widest <= 100, "{profile}: a line of {widest} columns");
        // The table does use the width (it is not simply narrow).
        assert!(widest >= 90, "{profile}: widest line {widest}");
    }
}

#[test]
fn text_fits_the_given_width_and_keeps_every_word() {
    let markdown = demo(&["--format", "markdown"]);
    for width in ["40", "60", "80", "132"] {
        let text = demo(&["--width", width]);
        let w: usize = width.parse().unwrap();
        for line in text.lines() {
            assert!(line.chars().count() <= w, "{width}: {line:?}");
            assert!(line.len() <= w, "{width} bytes: {line:?}");
            assert_eq!(line.trim_end(), line, "trailing spaces");
        }
        // Wrapping moves words, never drops one (below 80 columns the
        // longest words are cut).
        let words = |s: &str| {
            let mut w: Vec<String> = s
                .split(|c: char| c.is_whitespace() || c == '|')
                .filter(|w| !w.is_empty() && !w.chars().all(|c| c == '-'))
                .map(String::from)
                .collect();
            w.sort();
            w
        };
        if w >= 80 {
            assert_eq!(words(&text), words(&markdown), "width {width}");
        }
    }
}

#[test]
fn markdown_is_the_table_of_before() {
    for profile in ["11", "xp"] {
        let want = std::fs::read_to_string(format!(
            "{}/tests/demo/{profile}.md",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap();
        assert_eq!(demo(&["--profile", profile, "--format", "markdown"]), want);
    }
}

#[test]
fn json_holds_the_cells_of_the_markdown_table() {
    let markdown = demo(&["--profile", "xp", "--format", "markdown"]);
    let doc: serde_json::Value =
        serde_json::from_str(&demo(&["--profile", "xp", "--format", "json"])).expect("JSON");
    assert_eq!(doc["profile"], "xp");
    assert_eq!(doc["windows"], "Windows XP");
    let heading = markdown.lines().find(|l| l.starts_with("| |")).unwrap();
    let columns: Vec<&str> = heading
        .trim_matches('|')
        .split(" | ")
        .skip(1)
        .map(str::trim)
        .collect();
    assert_eq!(doc["columns"], serde_json::json!(columns));
    let table: Vec<Vec<&str>> = markdown
        .lines()
        .filter(|l| l.starts_with("| ") && !l.starts_with("| |"))
        .map(|l| l.trim_matches('|').split(" | ").map(str::trim).collect())
        .collect();
    let rows = doc["rows"].as_array().unwrap();
    assert_eq!(rows.len(), table.len());
    assert_eq!(rows.len(), 14);
    for (row, cells) in rows.iter().zip(&table) {
        assert_eq!(row["title"], cells[0]);
        assert_eq!(row["cells"], serde_json::json!(cells[1..]));
    }
    assert!(markdown.contains(doc["note"].as_str().unwrap()));
}
