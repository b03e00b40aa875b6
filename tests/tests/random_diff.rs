//! `ntlinkfs-conformance --random`: the differential runner finds an injected
//! divergence and shrinks it to the minimal sequence; CI-sized runs against
//! the FUSE mount and against ntfs-3g (Debian `ntfs-3g` on an image made
//! here); bad input gives a clear error. docs/conformance.md explains the
//! findings.
#![cfg(feature = "random")]

use ntlinkfs_core::testing::ops_gen::SeqOp;
use ntlinkfs_core::NtError;
use ntlinkfs_tests::random::{self, run_sequence, Settings, Verdict};
use ntlinkfs_tests::scenario::{Env, Op};
use ntlinkfs_tests::{Core, Failure, Observed, Target};
use std::process::Command;

/// The core with one error code wrong: RemoveDirectory of a directory that is
/// not empty says ACCESS_DENIED instead of DIRECTORY_NOT_EMPTY (D3).
struct WrongCode(Core);

impl Target for WrongCode {
    fn name(&self) -> &'static str {
        "wrong-code"
    }
    fn begin(&mut self, env: &Env) -> Result<(), String> {
        self.0.begin(env)
    }
    fn apply(&mut self, op: &Op) -> Result<Observed, Failure> {
        match (op, self.0.apply(op)) {
            (Op::RemoveDir(_), Err(Failure::Nt(NtError::DirectoryNotEmpty))) => {
                Err(Failure::Nt(NtError::AccessDenied))
            }
            (_, r) => r,
        }
    }
    fn end(&mut self) {
        self.0.end()
    }
}

#[test]
fn an_injected_wrong_error_code_shrinks_to_the_minimal_sequence() {
    for seed in [1, 2, 3] {
        let settings = Settings::new(400, seed, &['C', 'C', 'D']);
        let report = random::run(&mut WrongCode(Core::new()), &settings).expect("harness");
        assert_eq!(
            report.divergences.len(),
            1,
            "seed {seed}: one kind of divergence"
        );
        let d = &report.divergences[0];
        // The shortest sequence there is: a directory, something in it, rd.
        assert_eq!(
            d.ops,
            [
                SeqOp::CreateDir(r"C:\a".into()),
                SeqOp::CreateDir(r"C:\a\a".into()),
                SeqOp::RemoveDir(r"C:\a".into()),
            ],
            "seed {seed}: found in {} operations",
            d.found_len
        );
        let script: Vec<String> = d.ops.iter().map(SeqOp::cmd).collect();
        assert_eq!(script, [r"md C:\a", r"md C:\a\a", r"rd C:\a"]);
        let text = random::render(&report, "wrong-code");
        assert!(
            text.contains("STATUS_DIRECTORY_NOT_EMPTY") && text.contains("AccessDenied"),
            "{text}"
        );
    }
}

#[test]
fn the_core_agrees_with_itself() {
    let report =
        random::run(&mut Core::new(), &Settings::new(200, 5, &['C', 'C', 'D'])).expect("harness");
    assert_eq!(report.sequences, 200);
    assert!(report.divergences.is_empty(), "{:?}", report.divergences);
    assert_eq!(report.cut, 0);
}

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// Skips (or, under CI=true, fails) when the environment lacks something.
fn unavailable(what: &str) {
    assert!(!ci(), "required under CI=true: {what}");
    eprintln!("skipped: {what}");
}

#[cfg(all(target_os = "linux", feature = "fuse"))]
#[test]
fn a_ci_sized_run_against_the_fuse_mount_agrees() {
    let mut fuse = match ntlinkfs_tests::fuse_target::FuseMount::probe() {
        Ok(t) => t,
        Err(why) => return unavailable(&format!("the FUSE target: {why}")),
    };
    let report =
        random::run(&mut fuse, &Settings::new(300, 11, &['C', 'C', 'D'])).expect("harness");
    assert!(
        report.divergences.is_empty(),
        "{}",
        random::render(&report, "fuse")
    );
    assert!(report.sequences == 300 && report.cut < 150, "{report:?}");
}

/// An ntfs-3g mount of a fresh image, unmounted and removed on drop.
#[cfg(target_os = "linux")]
struct Ntfs3g {
    dir: std::path::PathBuf,
    mnt: std::path::PathBuf,
}

#[cfg(target_os = "linux")]
impl Ntfs3g {
    fn mount() -> Result<Ntfs3g, String> {
        let have = |p: &str| {
            Command::new("sh")
                .args(["-c", &format!("command -v {p}")])
                .output()
                .is_ok_and(|o| o.status.success())
        };
        if !have("mkntfs") || !have("ntfs-3g") {
            return Err("mkntfs and ntfs-3g (Debian package ntfs-3g)".into());
        }
        let dir = std::env::temp_dir().join(format!("ntlinkfs-ntfs3g-{}", std::process::id()));
        let (img, mnt) = (dir.join("img"), dir.join("mnt"));
        std::fs::create_dir_all(&mnt).map_err(|e| e.to_string())?;
        let run = |c: &mut Command| -> Result<(), String> {
            let o = c.output().map_err(|e| e.to_string())?;
            o.status
                .success()
                .then_some(())
                .ok_or_else(|| format!("{c:?}: {}", String::from_utf8_lossy(&o.stderr)))
        };
        let f = std::fs::File::create(&img).map_err(|e| e.to_string())?;
        f.set_len(32 << 20).map_err(|e| e.to_string())?;
        let t = Ntfs3g { dir, mnt };
        run(Command::new("mkntfs").args(["-F", "-q", "-f"]).arg(&img))?;
        // No kernel caching of names and attributes: a reparse point set
        // through the xattr changes the file's type under the kernel.
        run(Command::new("ntfs-3g")
            .args(["-o", "entry_timeout=0,attr_timeout=0"])
            .arg(&img)
            .arg(&t.mnt))?;
        // Absolute targets on C: are this volume (ntfs-3g's .NTFS-3G mapping).
        std::fs::create_dir(t.mnt.join(".NTFS-3G")).map_err(|e| e.to_string())?;
        std::os::unix::fs::symlink("..", t.mnt.join(".NTFS-3G/C:")).map_err(|e| e.to_string())?;
        Ok(t)
    }
}

#[cfg(target_os = "linux")]
impl Drop for Ntfs3g {
    fn drop(&mut self) {
        let _ = Command::new("umount").arg(&self.mnt).status();
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// The documented ntfs-3g findings (docs/conformance.md), shrunk, and a
/// CI-sized run past the case difference whose every divergence is the
/// relative-link one.
#[cfg(target_os = "linux")]
#[test]
fn ntfs_3g_differs_only_where_docs_conformance_md_says() {
    use ntlinkfs_tests::dir_target::DirTarget;
    let ntfs = match Ntfs3g::mount() {
        Ok(t) => t,
        Err(why) => return unavailable(&format!("an ntfs-3g mount: {why}")),
    };
    let mut dir = DirTarget::open(&ntfs.mnt, &["a", "b", "ab"]).expect("dir target");
    let env = Settings::new(1, 0, &['C']).env;
    let mut oracle = Core::new();
    let mut diverge = |ops: &[SeqOp]| match run_sequence(&mut oracle, &mut dir, &env, ops) {
        Ok(Verdict::Diverge { what, .. }) => what,
        other => panic!("{ops:?}: expected a divergence, got {other:?}"),
    };
    // 1. Names are case-sensitive (POSIX namespace); NTFS under Windows is not (N1).
    let what = diverge(&[
        SeqOp::CreateDir(r"C:\a".into()),
        SeqOp::CreateDir(r"C:\A".into()),
    ]);
    assert!(
        what.starts_with("mkdir: the core fails with ObjectNameCollision"),
        "{what}"
    );
    // 2. A relative symbolic link whose target is missing reads as a link
    //    to the text "unsupported reparse tag 0xa000000c"; writing through
    //    it makes a file of that name.
    let what = diverge(&[
        SeqOp::Symlink(r"C:\b".into(), "ab".into(), false),
        SeqOp::Write(r"C:\b".into(), Vec::new(), false),
    ]);
    assert!(
        what.contains("unsupported reparse tag 0xa000000c"),
        "{what}"
    );

    let mut settings = Settings::new(200, 3, &['C']);
    settings.ops.names = vec![(6, "a"), (5, "b"), (2, "ab")];
    let report = random::run(&mut dir, &settings).expect("harness");
    for d in &report.divergences {
        assert!(
            d.ops
                .iter()
                .any(|op| matches!(op, SeqOp::Symlink(_, t, _) if !t.contains(':'))),
            "a divergence without a relative link: {}",
            random::render(&report, "ntfs-3g")
        );
    }
}

#[test]
fn bad_targets_are_clear_errors() {
    let bin = env!("CARGO_BIN_EXE_ntlinkfs-conformance");
    let scratch = std::env::temp_dir().join(format!("ntlinkfs-badtarget-{}", std::process::id()));
    std::fs::create_dir_all(&scratch).unwrap();
    let file = scratch.join("f");
    std::fs::write(&file, b"x").unwrap();
    let cases: Vec<(Vec<String>, &str)> = vec![
        (
            vec!["--target".into(), "nfs".into()],
            r#"unknown target "nfs" (core, fuse, ntfs, winfsp or dir:PATH)"#,
        ),
        (vec!["--target".into(), "dir:".into()], "dir: needs a path"),
        (
            vec!["--target".into(), "dir:/nonexistent-ntlinkfs".into()],
            "dir:/nonexistent-ntlinkfs: No such file or directory",
        ),
        (
            vec!["--target".into(), format!("dir:{}", file.display())],
            "not a directory",
        ),
        (
            vec!["--target".into(), format!("dir:{}", scratch.display())],
            "not the root of a mounted filesystem",
        ),
        (vec![], "--random needs exactly one --target"),
    ];
    for (args, want) in cases {
        let out = Command::new(bin)
            .args(["--random", "3"])
            .args(&args)
            .output()
            .unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert!(err.contains(want), "{args:?}: {err}");
        assert!(!err.contains("panicked"), "{args:?}: {err}");
    }
    let out = Command::new(bin).args(["--random", "x"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    std::fs::remove_dir_all(&scratch).unwrap();
}
