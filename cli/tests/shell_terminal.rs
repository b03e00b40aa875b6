//! The interactive shell in a real terminal (tmux), as issue 13 asks: three
//! lines pasted all run, in order, with and without bracketed paste; Tab
//! completes command names and paths without regard to case; the history
//! comes back in the next session. Skips without tmux, except under CI=true.
#![cfg(unix)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

/// A tmux server of its own (its own socket), running `ntlinkfs shell` in one
/// pane, with the history kept under `data`.
struct Terminal {
    socket: PathBuf,
}

fn tmux_here() -> bool {
    let ok = Command::new("tmux")
        .arg("-V")
        .output()
        .is_ok_and(|o| o.status.success());
    if !ok && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but tmux is missing (apt-get install -y tmux)");
    }
    if !ok {
        eprintln!("skipped: no tmux");
    }
    ok
}

impl Terminal {
    fn start(dir: &Path, data: &Path) -> Terminal {
        // A socket per terminal: a server whose last session just ended may
        // still be going away.
        static STARTED: AtomicUsize = AtomicUsize::new(0);
        let n = STARTED.fetch_add(1, Ordering::Relaxed);
        let t = Terminal {
            socket: dir.join(format!("tmux-{n}.sock")),
        };
        let out = t.tmux(&[
            "new-session",
            "-d",
            "-s",
            "t",
            "-x",
            "150",
            "-y",
            "60",
            "env",
            &format!("XDG_DATA_HOME={}", data.display()),
            env!("CARGO_BIN_EXE_ntlinkfs"),
            "shell",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        t.wait_for("the first prompt", |s| s.lines().any(|l| l == r"C:\>"));
        t
    }

    fn tmux(&self, args: &[&str]) -> Output {
        Command::new("tmux")
            .arg("-S")
            .arg(&self.socket)
            .args(args)
            .env_remove("TMUX")
            .output()
            .expect("tmux runs")
    }

    /// The screen and its scrollback, long lines joined, trailing blanks cut.
    fn screen(&self) -> String {
        let out = self.tmux(&["capture-pane", "-p", "-J", "-S", "-", "-t", "t"]);
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .map(str::trim_end)
            .collect::<Vec<_>>()
            .join("\n")
    }

    fn wait_for(&self, what: &str, done: impl Fn(&str) -> bool) -> String {
        for _ in 0..1000 {
            let s = self.screen();
            if done(&s) {
                return s;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("{what}: not on the screen within 10 s:\n{}", self.screen());
    }

    /// Waits for the shell to end (its pane, and so the session, closes).
    fn wait_for_exit(&self) {
        for _ in 0..1000 {
            if !self.tmux(&["has-session", "-t", "t"]).status.success() {
                return;
            }
            std::thread::sleep(Duration::from_millis(10));
        }
        panic!("the shell did not exit within 10 s:\n{}", self.screen());
    }

    fn paste(&self, text: &str, bracketed: bool) {
        let out = self.tmux(&["set-buffer", "-b", "p", text]);
        assert!(out.status.success());
        let mut args = vec!["paste-buffer", "-b", "p", "-t", "t"];
        if bracketed {
            args.push("-p");
        }
        assert!(self.tmux(&args).status.success());
    }

    fn keys(&self, keys: &[&str]) {
        let mut args = vec!["send-keys", "-t", "t"];
        args.extend(keys);
        assert!(self.tmux(&args).status.success());
    }
}

impl Drop for Terminal {
    fn drop(&mut self) {
        let _ = self.tmux(&["kill-server"]);
    }
}

/// Whether `want` are whole lines of `screen`, in this order.
fn in_order(screen: &str, want: &[&str]) -> bool {
    let mut lines = screen.lines();
    want.iter().all(|w| lines.any(|l| l == *w))
}

const PASTE: &str = "echo first-line\necho second-line\necho third-line\n";

const RAN: &[&str] = &[
    r"C:\>echo first-line",
    "first-line",
    r"C:\>echo second-line",
    "second-line",
    r"C:\>echo third-line",
    "third-line",
    r"C:\>",
];

#[test]
fn three_pasted_lines_all_run_in_order() {
    if !tmux_here() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let t = Terminal::start(dir.path(), dir.path());
    // As keystrokes: each newline is an Enter, the lines after the first are
    // typed ahead while the first runs.
    t.paste(PASTE, false);
    t.wait_for("three commands and their output", |s| in_order(s, RAN));
}

#[test]
fn a_bracketed_paste_of_three_lines_runs_three_commands() {
    if !tmux_here() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let t = Terminal::start(dir.path(), dir.path());
    t.paste(PASTE, true);
    // Bracketed, the paste waits on the line for Enter, as in bash; nothing
    // has run yet (this is what shows the paste was bracketed).
    let s = t.wait_for("the pasted lines", |s| {
        in_order(
            s,
            &[
                r"C:\>echo first-line",
                "echo second-line",
                "echo third-line",
            ],
        )
    });
    assert!(!s.lines().any(|l| l == "first-line"), "{s}");
    t.keys(&["Enter"]);
    let s = t.wait_for("three commands and their output", |s| {
        in_order(s, &["echo third-line"]) && in_order(s, &RAN[1..])
    });
    // Not one ECHO of the three lines.
    assert!(!s.contains("first-line echo"), "{s}");
}

#[test]
fn tab_completes_commands_and_paths_without_regard_to_case() {
    if !tmux_here() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let t = Terminal::start(dir.path(), dir.path());
    t.paste("md \"Program Files\\Tools\"\nmd Users\n", false);
    t.wait_for("the directories made", |s| {
        in_order(s, &[r"C:\>md Users", r"C:\>"])
    });
    // A command name, then a path from the current directory; the name with
    // a space comes quoted, in its stored case.
    t.keys(&["E", "C", "Tab", " ", "done-echo", "Enter"]);
    t.wait_for("ECHO completed", |s| {
        in_order(s, &[r"C:\>ECHO done-echo", "done-echo"])
    });
    t.keys(&["c", "d", " ", "p", "R", "o", "Tab", "Enter"]);
    t.wait_for("cd completed", |s| {
        in_order(s, &[r#"C:\>cd "Program Files""#, r"C:\Program Files>"])
    });
    // Paths relative to the emulated current directory; Tab again cycles.
    t.keys(&["d", "i", "r", " ", "/", "b", " ", "t", "Tab", "Enter"]);
    t.wait_for("a relative path completed", |s| {
        in_order(s, &[r"C:\Program Files>dir /b Tools", r"C:\Program Files>"])
    });
    t.keys(&["c", "d", " ", "\\", "u", "Tab", "Enter"]);
    t.wait_for("an absolute path completed", |s| {
        in_order(s, &[r"C:\Program Files>cd \Users", r"C:\Users>"])
    });
}

#[test]
fn history_comes_back_in_the_next_session() {
    if !tmux_here() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    {
        let t = Terminal::start(dir.path(), &data);
        t.keys(&["echo remembered", "Enter"]);
        t.wait_for("the echo", |s| in_order(s, &["remembered"]));
        t.keys(&["exit", "Enter"]);
        t.wait_for_exit();
    }
    let saved = std::fs::read_to_string(data.join("ntlinkfs").join("history")).unwrap();
    assert_eq!(saved, "echo remembered\nexit\n");
    let t = Terminal::start(dir.path(), &data);
    // Up twice: past `exit` to the echo.
    t.keys(&["Up", "Up", "Enter"]);
    t.wait_for("the echo again", |s| {
        in_order(s, &[r"C:\>echo remembered", "remembered"])
    });
}

/// A question's answer pasted with its command answers it, and the lines
/// after it run next (the answer is read through the line editor too).
#[test]
fn a_pasted_answer_answers_the_question() {
    if !tmux_here() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let t = Terminal::start(dir.path(), dir.path());
    t.paste(
        "md x\necho hi > x\\f.txt\ndel x\ny\ndir /b x\necho after\n",
        false,
    );
    t.wait_for("the answer used and the lines after it run", |s| {
        in_order(
            s,
            &[
                r"C:\>del x",
                r"C:\x\*, Are you sure (Y/N)? y",
                r"C:\>dir /b x",
                "File Not Found",
                r"C:\>echo after",
                "after",
            ],
        )
    });
}
