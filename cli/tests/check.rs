//! `ntlinkfs check` on real tools nobody here wrote (issue 15): rsync keeps
//! hard links, `cp -r` breaks them (shrunk to one file with two names),
//! `cp -rL` fails on a junction loop (shrunk to one loop), tar round trips;
//! and bad input: an unknown property, a missing command, a hanging or
//! memory-eating command, Ctrl-C. Through the real binary and FUSE mounts
//! under /tmp/check-*; needs root, /dev/fuse, rsync, cp, tar and sh: skips
//! without them, except under CI=true, where anything missing is a failure.
//! Every test checks that nothing is left mounted.
#![cfg(target_os = "linux")]

use std::path::PathBuf;
use std::process::{Command, Output, Stdio};
use std::time::Duration;

mod common;
use common::usable;

/// A scratch directory /tmp/check-TAG-PID (the temporary directory `check`
/// mounts in); on drop, asserts nothing is mounted below it and removes it.
struct Scratch(PathBuf);

impl Scratch {
    fn new(tag: &str) -> Scratch {
        let d = PathBuf::from(format!("/tmp/check-{tag}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        Scratch(d)
    }

    fn out(&self) -> PathBuf {
        self.0.join("out")
    }

    fn read(&self, name: &str) -> String {
        std::fs::read_to_string(self.out().join(name)).unwrap()
    }

    fn mounts(&self) -> Vec<String> {
        let mounts = std::fs::read_to_string("/proc/self/mounts").unwrap();
        let me = self.0.to_string_lossy().into_owned();
        mounts
            .lines()
            .filter(|l| l.split(' ').nth(1).is_some_and(|m| m.starts_with(&me)))
            .map(String::from)
            .collect()
    }

    /// `ntlinkfs check --out OUT ARGS` with TMPDIR here.
    fn command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(env!("CARGO_BIN_EXE_ntlinkfs"));
        c.arg("check")
            .arg("--out")
            .arg(self.out())
            .args(args)
            .env("TMPDIR", &self.0)
            .env_remove("SUDO_UID")
            .env_remove("SUDO_GID")
            .stdin(Stdio::null());
        c
    }

    fn check(&self, args: &[&str]) -> Output {
        self.command(args).output().unwrap()
    }

    /// Nothing mounted, no work directory left, only the reproducer.
    fn assert_clean(&self) {
        assert_eq!(self.mounts(), Vec::<String>::new());
        let left: Vec<String> = std::fs::read_dir(&self.0)
            .unwrap()
            .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
            .filter(|n| n != "out" && n != "open")
            .collect();
        assert_eq!(left, Vec::<String>::new(), "work directories left");
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        for m in self.mounts() {
            let mp = m.split(' ').nth(1).unwrap().to_string();
            let _ = Command::new("umount").arg("-l").arg(&mp).status();
        }
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

fn text(b: &[u8]) -> String {
    String::from_utf8_lossy(b).into_owned()
}

/// The summary line without its elapsed time.
fn summary(o: &Output) -> String {
    let out = text(&o.stdout);
    let line = out.lines().last().unwrap_or("").to_string();
    match line.rsplit_once(", ") {
        Some((head, _secs)) => format!("{head})"),
        None => line,
    }
}

const RSYNC_PROPS: &str = "hardlinks=preserved,source-unchanged,stays-inside,terminates";

/// rsync -aH keeps hard links, leaves the source as it was and writes only
/// below {dst}, on trees that held every structure (--stats).
#[test]
fn rsync_keeps_hard_links_and_stays_inside() {
    if !usable(&["rsync"]) {
        return;
    }
    let s = Scratch::new("rsync");
    let o = s.check(&[
        "--expect",
        RSYNC_PROPS,
        "--cases",
        "60",
        "--seed",
        "1",
        "--user",
        "nobody",
        "--stats",
        "--",
        "rsync",
        "-aH",
        "{src}/",
        "{dst}/",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stderr));
    assert_eq!(
        summary(&o),
        format!("ntlinkfs check: 60 cases held: {RSYNC_PROPS} (seed 1)")
    );
    let out = text(&o.stdout);
    assert!(
        out.starts_with("structures in 60 generated trees:\n"),
        "{out}"
    );
    // Every structure the properties are about was there.
    for what in [
        "hard-link groups in one directory",
        "hard-link groups across directories",
        "junction loops",
        "cross-volume junctions",
        "dangling links",
        "relative symlinks",
        "absolute symlinks",
        "UNC symlinks",
    ] {
        let line = out.lines().find(|l| l.ends_with(what)).unwrap();
        let n: u64 = line.split_whitespace().next().unwrap().parse().unwrap();
        assert!(n > 0, "no {what} in 60 trees:\n{out}");
    }
    assert!(!s.out().exists(), "no failure, no reproducer");
    s.assert_clean();
}

/// cp -r copies each name of a file as a separate file: hardlinks=preserved
/// fails, and the tree shrinks to one file with two names. The reproducer
/// holds the image, the script, the command line and the report.
#[test]
fn cp_r_breaks_hard_links_shrunk_to_one_file_with_two_names() {
    if !usable(&["cp"]) {
        return;
    }
    let s = Scratch::new("cpr");
    let args = [
        "--expect",
        "exit-ok,hardlinks=preserved",
        "--seed",
        "1",
        "--user",
        "nobody",
        "--",
        "cp",
        "-r",
        "{src}",
        "{dst}",
    ];
    let o = s.check(&args);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    let out = s.out().display().to_string();
    assert_eq!(
        summary(&o),
        format!(
            "ntlinkfs check: case 1 of 100 failed hardlinks=preserved: C:\\src\\Docs and \
             C:\\src\\a are one file, but their copies {{dst}}/Docs and {{dst}}/a are 2 files; \
             shrunk to 2 entries in 20 shrinks; reproducer in {out} (seed 1)"
        )
    );
    assert_eq!(
        s.read("tree.cmd"),
        "md C:\\src\r\nmd D:\\elsewhere\r\necho outside> D:\\elsewhere\\outside.txt\r\n\
         echo x> C:\\src\\Docs\r\nmklink /H C:\\src\\a C:\\src\\Docs\r\n"
    );
    assert_eq!(
        s.read("command.txt"),
        "ntlinkfs check --expect exit-ok,hardlinks=preserved --seed 1 --cases 100 \
         --max-entries 12 --user nobody -- cp -r {src} {dst}\n"
    );
    let report = s.read("report.txt");
    let expected_head = "property violated: hardlinks=preserved\n\
        why: C:\\src\\Docs and C:\\src\\a are one file, but their copies {dst}/Docs and {dst}/a are 2 files\n";
    assert!(report.starts_with(expected_head), "{report}");
    assert!(report.contains("\nexit status 0\n"), "{report}");
    assert!(
        report.contains("found: case 1 of 100 (seed 1), shrunk in 20 steps from 6 entries to 2\n"),
        "{report}"
    );
    let drawn = "\n Directory of C:\\src\n\n\
        01/15/2024  09:30 AM    <DIR>          .\n\
        01/15/2024  09:30 AM    <DIR>          ..\n\
        01/15/2024  09:30 AM                 3 a\n\
        01/15/2024  09:30 AM                 3 Docs\n\
        \x20              2 File(s)              6 bytes\n";
    assert!(report.contains(drawn), "{report}");
    // The image loads, and the script makes the tree with two names.
    let info = Command::new(env!("CARGO_BIN_EXE_ntlinkfs"))
        .args(["image", "info"])
        .arg(s.out().join("tree.img"))
        .output()
        .unwrap();
    assert_eq!(info.status.code(), Some(0), "{}", text(&info.stderr));
    let run = Command::new(env!("CARGO_BIN_EXE_ntlinkfs"))
        .args(["run", "--profile", "11+longpaths"])
        .arg(s.out().join("tree.cmd"))
        .output()
        .unwrap();
    assert_eq!(run.status.code(), Some(0), "{}", text(&run.stdout));
    assert!(text(&run.stdout).contains("Hardlink created for C:\\src\\a <<===>> C:\\src\\Docs"));
    s.assert_clean();
}

/// GNU cp -rL detects the cycle a junction loop makes and exits 1; the tree
/// shrinks to the one loop (J rules: a junction to its own directory).
#[test]
fn cp_rl_fails_on_a_junction_loop_shrunk_to_one_loop() {
    if !usable(&["cp"]) {
        return;
    }
    let s = Scratch::new("cprl");
    let o = s.check(&[
        "--expect", "exit-ok", "--seed", "1", "--user", "nobody", "--", "cp", "-rL", "{src}",
        "{dst}",
    ]);
    assert_eq!(o.status.code(), Some(1), "{}", text(&o.stderr));
    assert_eq!(
        summary(&o),
        format!(
            "ntlinkfs check: case 1 of 100 failed exit-ok: the command exited with status 1; \
             shrunk to 1 entries in 15 shrinks; reproducer in {} (seed 1)",
            s.out().display()
        )
    );
    assert_eq!(
        s.read("tree.cmd"),
        "md C:\\src\r\nmd D:\\elsewhere\r\necho outside> D:\\elsewhere\\outside.txt\r\n\
         mklink /J C:\\src\\a C:\\src\r\n"
    );
    let report = s.read("report.txt");
    assert!(report.contains("\nexit status 1\n"), "{report}");
    assert!(
        report.contains("cp: cannot copy cyclic symbolic link"),
        "{report}"
    );
    assert!(report.contains("<JUNCTION>     a [C:\\src]"), "{report}");
    s.assert_clean();
}

/// GNU cp -rL follows junctions and symlinks: the copies are directories
/// and files with the targets' bytes (loops and dangling links left out).
#[test]
fn cp_rl_follows_links() {
    if !usable(&["cp"]) {
        return;
    }
    let s = Scratch::new("follow");
    let props = "junctions=followed,symlinks=followed,data-equal,source-unchanged";
    let o = s.check(&[
        "--expect", props, "--cases", "40", "--seed", "1", "--user", "nobody", "--", "cp", "-rL",
        "{src}", "{dst}",
    ]);
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    assert_eq!(
        summary(&o),
        format!("ntlinkfs check: 40 cases held: {props} (seed 1)")
    );
    s.assert_clean();
}

/// A tar round trip keeps everything: hard links, links as links reaching
/// the copies of their targets, every file's bytes; the source unchanged.
#[test]
fn tar_round_trip_keeps_links_and_data() {
    if !usable(&["tar", "sh"]) {
        return;
    }
    let s = Scratch::new("tar");
    let props = "exit-ok,terminates,hardlinks=preserved,junctions=links,symlinks=links,\
                 data-equal,source-unchanged,stays-inside";
    let o = s.check(&[
        "--expect",
        props,
        "--cases",
        "60",
        "--seed",
        "2",
        "--user",
        "nobody",
        "--",
        "sh",
        "-c",
        "mkdir {dst} && tar -C {src} -cf - . | tar -C {dst} -xf -",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    assert_eq!(
        summary(&o),
        format!("ntlinkfs check: 60 cases held: {props} (seed 2)")
    );
    s.assert_clean();
}

/// --dst host: {dst} is in a host directory; rsync -aH keeps hard links
/// there too, and nothing else appears beside it.
#[test]
fn rsync_to_the_host_keeps_hard_links() {
    if !usable(&["rsync"]) {
        return;
    }
    let s = Scratch::new("host");
    let props = "hardlinks=preserved,data-equal,stays-inside,source-unchanged";
    let o = s.check(&[
        "--expect", props, "--cases", "30", "--seed", "3", "--dst", "host", "--user", "nobody",
        "--", "rsync", "-aH", "{src}/", "{dst}/",
    ]);
    assert_eq!(
        o.status.code(),
        Some(0),
        "{}{}",
        text(&o.stdout),
        text(&o.stderr)
    );
    // And a command writing beside {dst} is caught.
    let o = s.check(&[
        "--expect",
        "stays-inside",
        "--cases",
        "1",
        "--seed",
        "3",
        "--dst",
        "host",
        "--user",
        "nobody",
        "--",
        "sh",
        "-c",
        "mkdir {dst}; echo > {dst}/../stray",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        summary(&o).starts_with(
            "ntlinkfs check: case 1 of 1 failed stays-inside: stray was created beside {dst}; \
             shrunk to 0 entries"
        ),
        "{}",
        summary(&o)
    );
    s.assert_clean();
}

/// Each property that fails says where (table: command, property, message).
#[test]
fn failing_properties_name_what_changed() {
    if !usable(&["sh", "rsync"]) {
        return;
    }
    let s = Scratch::new("props");
    let rows: [(&[&str], &str, &str); 8] = [
        (
            &["sh", "-c", "echo x > {src}/new"],
            "source-unchanged",
            "failed source-unchanged: C:\\src\\new was created; shrunk to 0 entries in 6 shrinks",
        ),
        (
            &["sh", "-c", "mkdir {dst}; echo > {mnt}/D/stray"],
            "stays-inside",
            "failed stays-inside: D:\\stray was created; shrunk to 0 entries in 6 shrinks",
        ),
        (
            &["rsync", "-aH", "{src}/", "{dst}/"],
            "junctions=skipped",
            "failed junctions=skipped: the junction C:\\src\\a was not skipped: {dst}/a exists; \
             shrunk to 1 entries",
        ),
        (
            &["rsync", "-aH", "{src}/", "{dst}/"],
            "hardlinks=broken",
            "failed hardlinks=broken: C:\\src\\",
        ),
        (
            &["rsync", "-aH", "{src}/", "{dst}/"],
            "junctions=followed",
            "failed junctions=followed: the junction C:\\src\\a was not followed: {dst}/a is a \
             link; shrunk to 1 entries",
        ),
        (
            &["rsync", "-aH", "{src}/", "{dst}/"],
            "symlinks=followed",
            "was not followed: {dst}/a is a link; shrunk to 1 entries",
        ),
        (
            &["cp", "-rL", "{src}", "{dst}"],
            "junctions=links",
            "failed junctions=links: the junction C:\\src\\a was not copied as a link: {dst}/a \
             does not exist; shrunk to 1 entries",
        ),
        (
            &[
                "sh",
                "-c",
                "cp -r {src} {dst}; find {dst} -type f -exec sh -c 'echo changed > $1' _ {} ';'",
            ],
            "data-equal",
            "failed data-equal: C:\\src\\a: its copy {dst}/a has other data; shrunk to 1 entries",
        ),
    ];
    for (command, property, want) in rows {
        let mut args = vec![
            "--expect", property, "--seed", "3", "--user", "nobody", "--",
        ];
        args.extend(command);
        let o = s.check(&args);
        assert_eq!(o.status.code(), Some(1), "{property}: {}", text(&o.stderr));
        assert!(summary(&o).contains(want), "{property}: {}", summary(&o));
    }
    s.assert_clean();
}

/// The command runs as the invoking user under sudo, as --user says, and
/// never as root unless asked.
#[test]
fn the_command_runs_as_the_invoking_user() {
    if !usable(&["sh", "id"]) {
        return;
    }
    let s = Scratch::new("user");
    let is = |uid: &str| format!("test $(id -u) = {uid} && test $(stat -c %u {{src}}) = {uid}");
    let args = |uid: &str| {
        vec![
            "--expect".to_string(),
            "exit-ok".into(),
            "--cases".into(),
            "3".into(),
            "--seed".into(),
            "1".into(),
            "--".into(),
            "sh".into(),
            "-c".into(),
            is(uid),
        ]
    };
    let sudo = s
        .command(&[])
        .args(args("65534"))
        .env("SUDO_UID", "65534")
        .env("SUDO_GID", "65534")
        .output()
        .unwrap();
    assert_eq!(sudo.status.code(), Some(0), "{}", text(&sudo.stdout));
    let mut user = vec!["--user".to_string(), "nobody".into()];
    user.extend(args("65534"));
    let o = s.command(&[]).args(&user).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    let mut root = vec!["--user".to_string(), "root".into()];
    root.extend(args("0"));
    let o = s.command(&[]).args(&root).output().unwrap();
    assert_eq!(o.status.code(), Some(0), "{}", text(&o.stdout));
    // As root, with neither sudo nor --user: refused before anything mounts.
    let o = s.command(&[]).args(args("0")).output().unwrap();
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        text(&o.stderr),
        "ntlinkfs check: check runs as root, and the command would too: start it with sudo \
         from your account (the command then runs as you), or name a user with --user NAME \
         (--user root to run the command as root on purpose)\n"
    );
    s.assert_clean();
}

/// Bad usage: a clear message, status 2, nothing mounted, no panic.
#[test]
fn bad_input_is_refused_before_mounting() {
    if !usable(&[]) {
        return;
    }
    let s = Scratch::new("bad");
    let props = "exit-ok, terminates, source-unchanged, stays-inside, hardlinks=preserved|broken, \
                 junctions=skipped|links|followed, symlinks=skipped|links|followed, data-equal";
    let rows: [(&[&str], String); 5] = [
        (
            &["--expect", "exit-ok,hardlinks=kept", "--", "true"],
            format!("unknown property `hardlinks=kept`; the properties are: {props}"),
        ),
        (
            &["--expect", "exit-ok", "--", "no-such-command-here", "{src}"],
            "the command `no-such-command-here` was not found (not an executable file, nor in PATH)"
                .into(),
        ),
        (
            &["--expect", "exit-ok"],
            "no command to run: put it after `--`, as in `ntlinkfs check --expect exit-ok -- cp -r {src} {dst}`"
                .into(),
        ),
        (
            &["--expect", "exit-ok", "--timeout", "0", "--", "true"],
            "--timeout is a number of seconds above 0".into(),
        ),
        (
            &["--expect", "exit-ok", "--user", "no-such-user-x", "--", "true"],
            "no such user: no-such-user-x".into(),
        ),
    ];
    for (args, want) in rows {
        let o = s.check(args);
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert_eq!(text(&o.stderr), format!("ntlinkfs check: {want}\n"));
        assert_eq!(text(&o.stdout), "");
    }
    s.assert_clean();
}

/// A hanging command is killed at --timeout, a memory-eating one by the
/// memory limit; each case is reported and the mount is gone.
#[test]
fn hanging_and_memory_eating_commands_are_ended() {
    if !usable(&["sh", "sleep", "head", "tr"]) {
        return;
    }
    let s = Scratch::new("limits");
    let o = s.check(&[
        "--expect",
        "exit-ok",
        "--cases",
        "1",
        "--max-entries",
        "0",
        "--timeout",
        "0.3",
        "--user",
        "nobody",
        "--",
        "sleep",
        "30",
    ]);
    assert_eq!(o.status.code(), Some(1));
    assert!(
        summary(&o).starts_with(
            "ntlinkfs check: case 1 of 1 failed terminates: the command did not end within \
             the timeout and was killed; shrunk to 0 entries in 0 shrinks"
        ),
        "{}",
        summary(&o)
    );
    assert!(s
        .read("report.txt")
        .contains("\nkilled after the timeout\n"));
    let o = s.check(&[
        "--expect",
        "exit-ok",
        "--cases",
        "1",
        "--max-entries",
        "0",
        "--memory-limit",
        "40M",
        "--user",
        "nobody",
        "--",
        "sh",
        "-c",
        "x=$(head -c 100000000 /dev/zero | tr '\\0' a); echo ${#x}",
    ]);
    assert_eq!(o.status.code(), Some(1));
    let report = s.read("report.txt");
    assert!(
        report.starts_with("property violated: exit-ok\n"),
        "{report}"
    );
    assert!(!report.contains("\nexit status 0\n"), "{report}");
    s.assert_clean();
}

/// Ctrl-C while shrinking: the mount goes, the best tree so far is written,
/// status 130.
#[test]
fn ctrl_c_unmounts_and_writes_the_best_so_far() {
    if !usable(&["sh", "sleep", "ls"]) {
        return;
    }
    let s = Scratch::new("sigint");
    // The command runs as nobody: the marker goes in a directory open to all.
    let open = s.0.join("open");
    std::fs::create_dir(&open).unwrap();
    std::fs::set_permissions(&open, std::os::unix::fs::PermissionsExt::from_mode(0o777)).unwrap();
    let marker = open.join("marker");
    // Fails at once on a tree with entries; hangs on the empty one that
    // shrinking reaches.
    let script = format!(
        "[ -z \"$(ls -A {{src}})\" ] && touch {} && sleep 30; exit 1",
        marker.display()
    );
    let child = s
        .command(&[
            "--expect",
            "exit-ok",
            "--seed",
            "1",
            "--timeout",
            "60",
            "--user",
            "nobody",
            "--",
            "sh",
            "-c",
            &script,
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    for _ in 0..600 {
        if marker.exists() {
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(marker.exists(), "shrinking never reached the empty tree");
    // SAFETY: kill has no memory preconditions.
    unsafe { libc::kill(child.id() as i32, libc::SIGINT) };
    let o = child.wait_with_output().unwrap();
    assert_eq!(o.status.code(), Some(130));
    assert!(
        summary(&o).contains("failed exit-ok: the command exited with status 1; shrinking interrupted, best so far to "),
        "{}",
        summary(&o)
    );
    let script = s.read("tree.cmd");
    assert!(
        script.lines().count() > 3,
        "the best tree has entries: {script}"
    );
    s.assert_clean();
}
