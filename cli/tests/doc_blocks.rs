//! Runs the command blocks of README.md and docs/*.md as printed (issue 13), so
//! every command a newcomer pastes works and prints what the page shows.
//!
//! Each page runs in a fresh temporary directory, its blocks in order, with the
//! freshly built `ntlinkfs` first on PATH (target/debug), `LC_ALL=C`, and
//! `XDG_DATA_HOME` in a scratch directory. Every block (and every `$ ` command
//! of a console block) runs in its own `bash`; the working directory carries
//! over from one to the next, shell variables do not.
//!
//! The info string of a fenced block says what the runner does with it:
//!
//! | marker | what happens |
//! |---|---|
//! | `sh` | run (`set -e -o pipefail`); must exit 0; output not compared |
//! | `sh root` | the same, but needs root and /dev/fuse |
//! | `console` | `$ command` lines, each followed by its expected output (stdout and stderr together); compared; the exit status is not checked |
//! | `console root` | the same, but needs root and /dev/fuse |
//! | `transcript NAME` | a cmd-dialect session: must equal `ntlinkfs run --fixed-clock ARGS cli/tests/transcripts/NAME.cmd` (ARGS from its `:: args:` line), stdout and stderr together |
//! | `sh repo` | a command for the repository checkout (cargo, scripts) or an interactive one: not run here (cargo inside `cargo test` would wait on its own build lock); listed as skipped; .ci/run runs the suites these name |
//! | `text` | not run: syntax, layouts, output shown on its own |
//! | `cmd`, `powershell` | another system (Windows): not run; listed as skipped |
//! | `sh macos`, `sh freebsd` | another system (macOS, FreeBSD): not run; listed as skipped |
//! | `rust` | compiled and run as a doctest: only on a page ntlinkfs-tests includes as doc (`ModelPage` in tests/src/lib.rs; see [`DOCTESTED`]) |
//! | `rust ignore` | a fragment: not compiled; listed as skipped |
//!
//! A block with no marker, or another one, is an error. Besides fenced blocks,
//! `<!-- output of: CMD -->` … `<!-- end output -->` around Markdown (the demo
//! table) is compared with what CMD prints.
//!
//! Comparison is exact after these normalisations, the only ones: trailing
//! whitespace of each line and trailing empty lines are dropped; `[..]` in an
//! expected line matches any text within that line (dates in `ls -l`, inode
//! numbers, process ids); an expected line `...` matches any number of lines.
//!
//! Root blocks run where root and /dev/fuse exist; elsewhere they, and every
//! later block of the page (which may depend on them), are skipped with a
//! message, except under CI=true, where that is a failure. A page that mounts
//! must unmount by its end: a mount left below the page's directory fails the
//! page (and is detached). Every skipped block is printed with its reason
//! (`cargo test --test doc_blocks -- --nocapture` shows them).

#![cfg(unix)]

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// Pages whose `rust` blocks ntlinkfs-tests compiles as doctests.
const DOCTESTED: &[&str] = &["docs/model.md"];

/// The longest any one block or command may run.
const TIMEOUT_SECONDS: &str = "300";

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .unwrap()
        .to_path_buf()
}

#[derive(Debug)]
enum Block {
    /// Script, needs root.
    Sh(String, bool),
    /// (command, expected output) pairs, needs root.
    Console(Vec<(String, String)>, bool),
    Transcript(String, String),
    Skipped(String),
}

/// One block with the line it starts on.
struct Located {
    line: usize,
    block: Block,
}

fn parse(page: &str, text: &str) -> Result<Vec<Located>, String> {
    let mut blocks = Vec::new();
    let mut lines = text.lines().enumerate();
    while let Some((n, line)) = lines.next() {
        let line_no = n + 1;
        if let Some(rest) = line.strip_prefix("<!-- output of: ") {
            let cmd = rest
                .strip_suffix(" -->")
                .ok_or(format!("{page}:{line_no}: unclosed comment"))?;
            let body: Vec<&str> = lines
                .by_ref()
                .map(|(_, l)| l)
                .take_while(|l| *l != "<!-- end output -->")
                .collect();
            let expected = body.join("\n");
            let block = Block::Console(vec![(cmd.to_string(), expected)], false);
            blocks.push(Located {
                line: line_no,
                block,
            });
            continue;
        }
        let Some(info) = line.trim_start().strip_prefix("```") else {
            continue;
        };
        if line.starts_with(' ') {
            return Err(format!(
                "{page}:{line_no}: indented fence: the runner reads column 0 only"
            ));
        }
        let body: Vec<&str> = lines
            .by_ref()
            .map(|(_, l)| l)
            .take_while(|l| !l.starts_with("```"))
            .collect();
        let body = body.join("\n");
        let words: Vec<&str> = info.split_whitespace().collect();
        let block = match words.as_slice() {
            ["sh"] => Block::Sh(body, false),
            ["sh", "root"] => Block::Sh(body, true),
            ["console"] => Block::Console(console(page, line_no, &body)?, false),
            ["console", "root"] => Block::Console(console(page, line_no, &body)?, true),
            ["transcript", name] => Block::Transcript(name.to_string(), body),
            ["sh", "repo"] => Block::Skipped(
                "`sh repo`: run from the repository checkout or interactive, not here".into(),
            ),
            ["text"] => continue,
            ["cmd"] | ["powershell"] => Block::Skipped(format!("`{info}`: Windows, not run here")),
            ["sh", "macos"] => Block::Skipped(format!("`{info}`: macOS, not run here")),
            ["sh", "freebsd"] => Block::Skipped(format!("`{info}`: FreeBSD, not run here")),
            ["rust"] if DOCTESTED.contains(&page) => continue,
            ["rust"] => {
                return Err(format!(
                    "{page}:{line_no}: a `rust` block on a page no crate compiles as doctests; \
                     mark it `rust ignore` or include the page"
                ))
            }
            ["rust", "ignore"] => Block::Skipped("`rust ignore`: a fragment, not compiled".into()),
            _ => return Err(format!("{page}:{line_no}: unknown block marker `{info}`")),
        };
        blocks.push(Located {
            line: line_no,
            block,
        });
    }
    Ok(blocks)
}

/// Splits a console block into commands and their expected output.
fn console(page: &str, line_no: usize, body: &str) -> Result<Vec<(String, String)>, String> {
    let mut out: Vec<(String, String)> = Vec::new();
    for line in body.lines() {
        if let Some(cmd) = line.strip_prefix("$ ") {
            out.push((cmd.to_string(), String::new()));
        } else if let Some((_, expected)) = out.last_mut() {
            expected.push_str(line);
            expected.push('\n');
        } else {
            return Err(format!(
                "{page}:{line_no}: console block must start with `$ `"
            ));
        }
    }
    Ok(out)
}

fn root_and_fuse() -> bool {
    // SAFETY: geteuid has no preconditions.
    Path::new("/dev/fuse").exists() && unsafe { libc::geteuid() } == 0
}

/// The page's run: its directory, the file holding the working directory.
struct Run {
    work: tempfile::TempDir,
    state: tempfile::TempDir,
}

impl Run {
    fn new() -> Run {
        let work = tempfile::Builder::new()
            .prefix("ntlinkfs-docs-")
            .tempdir()
            .unwrap();
        let state = tempfile::tempdir().unwrap();
        fs::write(state.path().join("cwd"), work.path().to_str().unwrap()).unwrap();
        Run { work, state }
    }

    /// Runs `script` in bash from the current working directory; stdout and
    /// stderr together. Returns (exit ok, output).
    fn bash(&self, script: &str, strict: bool) -> (bool, String) {
        let exe = Path::new(env!("CARGO_BIN_EXE_ntlinkfs"));
        let path = format!(
            "{}:{}",
            exe.parent().unwrap().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let full = format!(
            "exec 2>&1\ncd -- \"$(cat \"$NTLINKFS_DOC_STATE/cwd\")\" || exit 99\n\
             trap 'pwd > \"$NTLINKFS_DOC_STATE/cwd\"' EXIT\n{}{script}\n",
            if strict { "set -e -o pipefail\n" } else { "" }
        );
        let out = Command::new("timeout")
            .args([TIMEOUT_SECONDS, "bash", "-c", &full])
            .env("PATH", path)
            .env("LC_ALL", "C")
            .env("NTLINKFS_DOC_STATE", self.state.path())
            .env("XDG_DATA_HOME", self.state.path())
            .env_remove("NTLINKFS_FIXED_CLOCK")
            .stdin(Stdio::null())
            .output()
            .expect("run bash");
        (
            out.status.success(),
            String::from_utf8_lossy(&out.stdout).into_owned(),
        )
    }

    /// Mount points left below the page's directory.
    fn mounts_left(&self) -> Vec<String> {
        let dir = self.work.path().to_str().unwrap();
        fs::read_to_string("/proc/self/mounts")
            .unwrap_or_default()
            .lines()
            .filter_map(|l| l.split(' ').nth(1))
            .filter(|m| m.starts_with(dir))
            .map(str::to_string)
            .collect()
    }
}

fn normalised(s: &str) -> Vec<&str> {
    let mut lines: Vec<&str> = s.lines().map(str::trim_end).collect();
    while lines.last() == Some(&"") {
        lines.pop();
    }
    lines
}

fn lines_match(expected: &[&str], actual: &[&str]) -> bool {
    match expected.split_first() {
        None => actual.is_empty(),
        Some((&"...", rest)) => (0..=actual.len()).any(|i| lines_match(rest, &actual[i..])),
        Some((e, rest)) => {
            !actual.is_empty() && line_matches(e, actual[0]) && lines_match(rest, &actual[1..])
        }
    }
}

fn line_matches(expected: &str, actual: &str) -> bool {
    let parts: Vec<&str> = expected.split("[..]").collect();
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if parts.len() == 1 {
        return expected == actual;
    }
    let Some(mut rest) = actual.strip_prefix(first) else {
        return false;
    };
    for part in &parts[1..parts.len() - 1] {
        match rest.find(part) {
            Some(i) => rest = &rest[i + part.len()..],
            None => return false,
        }
    }
    rest.ends_with(last)
}

fn compare(expected: &str, actual: &str) -> Result<(), String> {
    if lines_match(&normalised(expected), &normalised(actual)) {
        Ok(())
    } else {
        Err(format!("expected:\n{expected}\n--- got:\n{actual}---"))
    }
}

/// The transcript's args line and script path.
fn transcript_command(name: &str) -> String {
    let cmd = repo().join(format!("cli/tests/transcripts/{name}.cmd"));
    let text = fs::read_to_string(&cmd).unwrap_or_else(|e| panic!("{}: {e}", cmd.display()));
    let args = text
        .lines()
        .next()
        .and_then(|l| l.strip_prefix(":: args:"))
        .unwrap_or("");
    format!("ntlinkfs run --fixed-clock {args} '{}'", cmd.display())
}

/// Runs one page; returns its failures and prints what was skipped.
fn run_page(page: &str) -> Vec<String> {
    let text = fs::read_to_string(repo().join(page)).unwrap();
    let blocks = match parse(page, &text) {
        Ok(b) => b,
        Err(e) => return vec![e],
    };
    let run = Run::new();
    let can_root = root_and_fuse();
    let ci = std::env::var("CI").is_ok_and(|v| v == "true");
    let mut failures = Vec::new();
    let mut skipping: Option<usize> = None;
    for Located { line, block } in &blocks {
        let at = format!("{page}:{line}");
        let needs_root = matches!(block, Block::Sh(_, true) | Block::Console(_, true));
        if needs_root && !can_root && skipping.is_none() {
            if ci {
                failures.push(format!(
                    "{at}: CI=true but root and /dev/fuse are not both here"
                ));
                break;
            }
            skipping = Some(*line);
        }
        if let Some(from) = skipping {
            eprintln!("doc_blocks: SKIPPED {at}: needs root and /dev/fuse (from line {from} on)");
            continue;
        }
        match block {
            Block::Skipped(why) => eprintln!("doc_blocks: SKIPPED {at}: {why}"),
            Block::Sh(script, _) => {
                let (ok, out) = run.bash(script, true);
                if !ok {
                    failures.push(format!("{at}: block failed:\n{script}\n--- output:\n{out}"));
                    break;
                }
            }
            Block::Console(cmds, _) => {
                for (cmd, expected) in cmds {
                    let (_, out) = run.bash(cmd, false);
                    if let Err(e) = compare(expected, &out) {
                        failures.push(format!("{at}: $ {cmd}\n{e}"));
                    }
                }
            }
            Block::Transcript(name, expected) => {
                let (_, out) = run.bash(&transcript_command(name), false);
                if let Err(e) = compare(expected, &out) {
                    failures.push(format!("{at}: transcript {name}\n{e}"));
                }
            }
        }
    }
    for mount in run.mounts_left() {
        failures.push(format!(
            "{page}: left {mount} mounted (pages unmount by their end)"
        ));
        let _ = Command::new("umount").args(["-l", &mount]).status();
    }
    failures
}

fn check(page: &str) {
    let failures = run_page(page);
    assert!(failures.is_empty(), "{}", failures.join("\n\n"));
}

/// The pages this test runs; `every_page_is_run` keeps the list complete.
const PAGES: &[&str] = &[
    "README.md",
    "docs/shell.md",
    "docs/mount-linux.md",
    "docs/mount-macos-freebsd.md",
    "docs/windows.md",
    "docs/backup-tools.md",
    "docs/conformance.md",
    "docs/model.md",
    "docs/performance.md",
    "docs/image-format.md",
    "docs/check.md",
    "docs/web.md",
];

#[test]
fn every_page_is_run() {
    let mut pages: Vec<String> = fs::read_dir(repo().join("docs"))
        .unwrap()
        .map(|e| format!("docs/{}", e.unwrap().file_name().to_string_lossy()))
        .filter(|p| p.ends_with(".md") && p != "docs/rules.md") // generated, no blocks
        .collect();
    pages.push("README.md".into());
    for p in &pages {
        assert!(
            PAGES.contains(&p.as_str()),
            "{p} is not in doc_blocks.rs PAGES"
        );
    }
    let rules = fs::read_to_string(repo().join("docs/rules.md")).unwrap();
    assert!(
        !rules.contains("```"),
        "docs/rules.md has blocks: run it too"
    );
}

#[test]
fn readme() {
    check("README.md");
}

#[test]
fn shell() {
    check("docs/shell.md");
}

#[test]
fn mount_linux() {
    check("docs/mount-linux.md");
}

#[test]
fn mount_macos_freebsd() {
    check("docs/mount-macos-freebsd.md");
}

#[test]
fn windows() {
    check("docs/windows.md");
}

#[test]
fn backup_tools() {
    check("docs/backup-tools.md");
}

#[test]
fn conformance() {
    check("docs/conformance.md");
}

#[test]
fn model() {
    check("docs/model.md");
}

#[test]
fn check_page() {
    check("docs/check.md");
}

#[test]
fn performance() {
    check("docs/performance.md");
}

#[test]
fn image_format() {
    check("docs/image-format.md");
}

#[test]
fn web() {
    check("docs/web.md");
}

#[test]
fn matching_rules() {
    let cases: &[(&str, &str, bool)] = &[
        ("a\nb\n", "a\nb", true),
        ("a  \n\n", "a", true),
        ("a\n", "b", false),
        ("x [..] z\n", "x 12 y z", true),
        ("x [..] z\n", "x 12 y", false),
        ("a\n...\nd\n", "a\nb\nc\nd", true),
        ("a\n...\n", "a", true),
        ("a\n...\nd\n", "a\nb", false),
    ];
    for (expected, actual, ok) in cases {
        assert_eq!(
            compare(expected, actual).is_ok(),
            *ok,
            "{expected:?} vs {actual:?}"
        );
    }
}
