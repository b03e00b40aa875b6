//! Golden transcripts: every `transcripts/NAME.cmd` is run by the real binary
//! (`ntlinkfs run NAME.cmd --fixed-clock`, plus the options on a first line
//! `:: args: …`) and its stdout must equal `NAME.out`, its stderr `NAME.err`
//! (absent when empty), and the exit status must be 0 exactly when stderr is
//! empty.
//!
//! To accept new output after a deliberate change:
//!
//! ```text
//! UPDATE_GOLDEN=1 cargo test -p ntlinkfs --test transcripts
//! ```
//!
//! then review the diff of `cli/tests/transcripts/` before committing.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;

fn scripts() -> Vec<PathBuf> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/transcripts");
    let mut v: Vec<PathBuf> = fs::read_dir(&dir)
        .expect("tests/transcripts exists")
        .map(|e| e.expect("readable entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "cmd"))
        .collect();
    v.sort();
    v
}

/// Options from a first line `:: args: --keep-going --profile xp`.
fn extra_args(script: &str) -> Vec<String> {
    script
        .lines()
        .next()
        .and_then(|l| l.strip_prefix(":: args:"))
        .map(|a| a.split_whitespace().map(str::to_string).collect())
        .unwrap_or_default()
}

/// The first line where two texts differ, for a readable failure.
fn first_difference(want: &str, got: &str) -> String {
    let (w, g): (Vec<&str>, Vec<&str>) = (want.lines().collect(), got.lines().collect());
    for i in 0..w.len().max(g.len()) {
        let (a, b) = (w.get(i), g.get(i));
        if a != b {
            return format!("line {}:\n  want: {:?}\n   got: {:?}", i + 1, a, b);
        }
    }
    "line ends differ".into()
}

#[test]
fn transcripts_match_golden_output() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    let mut failures = Vec::new();
    let all = scripts();
    assert!(!all.is_empty(), "no transcripts found");
    for script in &all {
        let text = fs::read_to_string(script).expect("script is UTF-8");
        let output = Command::new(env!("CARGO_BIN_EXE_ntlinkfs"))
            .arg("run")
            .arg(script)
            .arg("--fixed-clock")
            .args(extra_args(&text))
            .env_remove("NTLINKFS_FIXED_CLOCK")
            .output()
            .expect("the ntlinkfs binary runs");
        let stdout = String::from_utf8(output.stdout).expect("stdout is UTF-8");
        let stderr = String::from_utf8(output.stderr).expect("stderr is UTF-8");
        let name = script.file_name().unwrap().to_string_lossy().into_owned();
        if output.status.success() != stderr.is_empty() {
            failures.push(format!(
                "{name}: exit status {:?} but stderr {:?}",
                output.status.code(),
                stderr
            ));
        }
        let out_path = script.with_extension("out");
        let err_path = script.with_extension("err");
        if update {
            fs::write(&out_path, &stdout).expect("write .out");
            if stderr.is_empty() {
                let _ = fs::remove_file(&err_path);
            } else {
                fs::write(&err_path, &stderr).expect("write .err");
            }
            continue;
        }
        let want_out = fs::read_to_string(&out_path).unwrap_or_default();
        let want_err = fs::read_to_string(&err_path).unwrap_or_default();
        if stdout != want_out {
            failures.push(format!(
                "{name}: stdout differs from {}, {}",
                out_path.file_name().unwrap().to_string_lossy(),
                first_difference(&want_out, &stdout)
            ));
        }
        if stderr != want_err {
            failures.push(format!(
                "{name}: stderr differs, {}",
                first_difference(&want_err, &stderr)
            ));
        }
    }
    assert!(
        failures.is_empty(),
        "{} transcript(s) differ (UPDATE_GOLDEN=1 accepts new output):\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn run_reads_crlf_scripts_from_stdin_and_reports_failure_status() {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ntlinkfs"))
        .args(["run", "-", "--fixed-clock"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ntlinkfs binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"echo a> C:\\a\r\nmklink /H D:\\b C:\\a\r\necho not reached\r\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "\nC:\\>echo a 1>C:\\a\n\nC:\\>mklink /H D:\\b C:\\a\n\
         The new link and the existing file must be on the same NTFS volume.\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: ERROR_NOT_SAME_DEVICE (17) STATUS_NOT_SAME_DEVICE (0xC00000D4)\n"
    );
}

#[test]
fn cli_refuses_bad_options_with_a_clear_message() {
    let rows: &[(&[&str], &str)] = &[
        (
            &["run", "-", "--profile", "winME"],
            "unknown profile 'winME'",
        ),
        (
            &["shell", "--volume", "E:ext4"],
            "unknown filesystem kind 'ext4'",
        ),
        (
            &["run", "/nonexistent/script.cmd"],
            "error: cannot read /nonexistent/script.cmd",
        ),
        (
            &["run", "-", "--volume", "C:ntfs", "--volume", "c:fat32"],
            "volume C: is given twice",
        ),
    ];
    for (args, want) in rows {
        let out = Command::new(env!("CARGO_BIN_EXE_ntlinkfs"))
            .args(*args)
            .stdin(std::process::Stdio::null())
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}");
        assert!(stderr.contains(want), "{args:?}: {stderr}");
    }
}

#[test]
fn shell_reads_piped_input_and_echoes_each_line_after_its_prompt() {
    use std::io::Write;
    use std::process::Stdio;
    let mut child = Command::new(env!("CARGO_BIN_EXE_ntlinkfs"))
        .args(["shell", "--fixed-clock", "--volume", "E:fat32"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ntlinkfs binary runs");
    child
        .stdin
        .take()
        .unwrap()
        .write_all(b"vol\r\nmklink /J j E:\\\nexit\nvol\n")
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out.stdout),
        "\nE:\\>vol\n Volume in drive E is FAT32\n Volume Serial Number is 1A2B-453C\n\
         \nE:\\>mklink /J j E:\\\nLocal NTFS volumes are required to complete the operation.\n\
         \nE:\\>exit\n"
    );
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "error: ERROR_INVALID_FUNCTION (1) STATUS_INVALID_DEVICE_REQUEST (0xC0000010)\n"
    );
    assert_eq!(out.status.code(), Some(1));
}
