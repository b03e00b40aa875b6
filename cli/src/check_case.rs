//! One case of `ntlinkfs check`: make the tree on a fresh machine, mount it
//! (a fresh mount, as `ntlinkfs mount` does), run the command as the chosen
//! user with a timeout and a memory limit, judge the properties, and
//! unmount. What differs per host (the mount, the user, the child's limits,
//! file ids and link texts) is in `host`: check_unix or check_windows.

#[cfg(unix)]
pub(crate) use crate::check_unix as host;
#[cfg(windows)]
pub(crate) use crate::check_windows as host;

use crate::check_props::{picture, reachable_files, Case, Exit, Property};
use ntlinkfs_core::testing::tree_gen::{Tree, TreeSpec};
use ntlinkfs_core::testing::tree_strategy::machine_for_trees;
use ntlinkfs_core::{Machine, PosixMeta, Shared};
use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

/// Set by SIGINT/SIGTERM: the run stops, unmounts and writes what it has.
pub static INTERRUPTED: AtomicBool = AtomicBool::new(false);

/// Who the command runs as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub name: String,
    pub uid: u32,
    pub gid: u32,
}

/// The settings every case shares.
pub struct Setup {
    pub command: Vec<String>,
    pub props: Vec<Property>,
    pub user: User,
    /// Switch to `user` before running (only root can; never on Windows,
    /// where the command runs as the current user).
    #[cfg_attr(windows, allow(dead_code))]
    pub switch_user: bool,
    pub timeout: Duration,
    pub memory_limit: u64,
    pub dst_host: bool,
    /// The directory holding the mount point and host destinations.
    pub work: PathBuf,
}

/// What a case came to.
pub struct Outcome {
    /// The first property that failed, with why.
    pub failure: Option<(Property, String)>,
    pub exit: Exit,
    /// The command line run, after substitution.
    pub argv: Vec<String>,
    /// Its standard output and error, interleaved.
    pub output: Vec<u8>,
}

/// The machine a spec makes, owned by `user` in the Linux view; `fixed`:
/// every time is the fixed clock's (for the report's `dir /s`).
pub fn make_machine(spec: &TreeSpec, user: &User, fixed: bool) -> Result<(Machine, Tree), String> {
    let mut m = machine_for_trees();
    if fixed {
        let t = ntlinkfs_core::attrs::unix_to_filetime(crate::options::FIXED_UNIX_TIME, 0);
        m.set_clock(std::sync::Arc::new(ntlinkfs_core::FixedClock(t)));
    }
    let posix = PosixMeta {
        uid: user.uid,
        gid: user.gid,
        mode: 0o755,
        rdev: Default::default(),
    };
    m.set_default_posix(posix);
    for v in m.volume_infos() {
        let root = m.root(v.id);
        m.set_posix_meta_of(root, posix)
            .map_err(|e| format!("cannot set the owner of {}: {e}", v.letter))?;
    }
    let tree = spec
        .make(&mut m)
        .map_err(|e| format!("cannot make the tree: {}", e.message()))?;
    Ok((m, tree))
}

/// Runs one case from mount to unmount.
pub fn run(spec: &TreeSpec, setup: &Setup) -> Result<Outcome, String> {
    let (machine, tree) = make_machine(spec, &setup.user, false)?;
    let before = picture(&machine);
    let mnt = setup.work.join("mnt");
    let host = setup.work.join("host");
    let (dst, dst_windows) = if setup.dst_host {
        let _ = std::fs::remove_dir_all(&host);
        std::fs::create_dir(&host).map_err(|e| format!("cannot make {}: {e}", host.display()))?;
        host::give_to(&host, &setup.user)
            .map_err(|e| format!("cannot give {} to the user: {e}", host.display()))?;
        (host.join("dst"), None)
    } else {
        (mnt.join("D").join("dst"), Some(r"D:\dst"))
    };
    let src = mnt.join("C").join("src");
    let shared = Shared::new(machine);
    let mount = host::mount(shared.clone(), &mnt)?;
    let argv = substitute(&setup.command, &src, &dst, &mnt);
    let ran = run_command(&argv, setup, &mnt);
    let (exit, output) = match ran {
        Ok(r) => r,
        Err(e) => {
            drop(mount);
            return Err(e);
        }
    };
    // The machine's lock is let go before the copy is read through the
    // mount, whose threads take it.
    let (after, files) = {
        let m = shared.read();
        (picture(&m), reachable_files(&m, &setup.props))
    };
    let case = Case {
        tree: &tree,
        before: &before,
        after: &after,
        files: &files,
        exit,
        src: &src,
        dst: &dst,
        dst_windows,
        dst_host_parent: setup.dst_host.then_some(host.as_path()),
    };
    // A command that had to be killed is a failure whatever was asked.
    let mut props = setup.props.clone();
    if exit == Exit::TimedOut && !props.contains(&Property::Terminates) {
        props.insert(0, Property::Terminates);
    }
    let failure = props
        .iter()
        .find_map(|p| case.violation(*p).map(|why| (*p, why)));
    mount.unmount(&mnt)?;
    if setup.dst_host {
        let _ = std::fs::remove_dir_all(&host);
    }
    Ok(Outcome {
        failure,
        exit,
        argv,
        output,
    })
}

/// The command line with `{src}`, `{dst}` and `{mnt}` replaced by the host
/// paths (Windows paths on Windows), anywhere in an argument.
pub fn substitute(command: &[String], src: &Path, dst: &Path, mnt: &Path) -> Vec<String> {
    command
        .iter()
        .map(|a| {
            a.replace("{src}", &src.to_string_lossy())
                .replace("{dst}", &dst.to_string_lossy())
                .replace("{mnt}", &mnt.to_string_lossy())
        })
        .collect()
}

/// Runs `argv` as the user, contained so that a timeout or Ctrl-C ends all
/// of it (a process group, a Job Object), under the memory limit, output
/// to a file.
fn run_command(argv: &[String], setup: &Setup, cwd: &Path) -> Result<(Exit, Vec<u8>), String> {
    let out_path = setup.work.join("output");
    let out = File::create(&out_path).map_err(|e| format!("cannot make the output file: {e}"))?;
    let err = out
        .try_clone()
        .map_err(|e| format!("cannot make the output file: {e}"))?;
    let mut cmd = Command::new(&argv[0]);
    cmd.args(&argv[1..])
        .current_dir(cwd)
        .stdin(Stdio::null())
        .stdout(out)
        .stderr(err);
    host::prepare(&mut cmd, setup);
    let mut child = cmd.spawn().map_err(|e| {
        let hint = if e.kind() == std::io::ErrorKind::PermissionDenied {
            format!(
                " (it runs as {} in {}: may that user enter the temporary directory?)",
                setup.user.name,
                cwd.display()
            )
        } else {
            String::new()
        };
        format!("cannot run {}: {e}{hint}", argv[0])
    })?;
    let contained = host::contain(&mut child, setup)?;
    let start = Instant::now();
    let mut pause = Duration::from_micros(200);
    let exit = loop {
        match child.try_wait() {
            Ok(Some(status)) => break host::exit_of(status),
            Ok(None) => {}
            Err(e) => return Err(format!("waiting for {}: {e}", argv[0])),
        }
        if start.elapsed() >= setup.timeout || INTERRUPTED.load(Ordering::Relaxed) {
            host::kill(&mut child, &contained);
            let _ = child.wait();
            break Exit::TimedOut;
        }
        std::thread::sleep(pause);
        pause = (pause * 2).min(Duration::from_millis(5));
    };
    let output = std::fs::read(&out_path).unwrap_or_default();
    Ok((exit, output))
}

/// The work directory: a new directory in the temporary directory, open to
/// the user (who must reach the mount point and host destinations).
pub fn make_work_dir() -> Result<PathBuf, String> {
    let base = std::env::temp_dir();
    for n in 0..1000u32 {
        let dir = base.join(format!("ntlinkfs-check.{}.{n}", std::process::id()));
        match std::fs::create_dir(&dir) {
            Ok(()) => {
                let made =
                    host::open_to_user(&dir).and_then(|()| std::fs::create_dir(dir.join("mnt")));
                return made
                    .map(|()| dir)
                    .map_err(|e| format!("cannot prepare a work directory: {e}"));
            }
            Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
            Err(e) => {
                return Err(format!(
                    "cannot make a work directory in {}: {e}",
                    base.display()
                ))
            }
        }
    }
    Err(format!(
        "cannot make a work directory in {}",
        base.display()
    ))
}

#[cfg(test)]
mod tests {
    use super::substitute;
    use std::path::Path;

    #[test]
    fn placeholders_are_replaced_anywhere_in_an_argument() {
        let command: Vec<String> = [
            "cp",
            "-r",
            "{src}",
            "--target={dst}/x",
            "{mnt}{src}",
            "{other}",
        ]
        .map(String::from)
        .to_vec();
        let got = substitute(
            &command,
            Path::new("/m/C/src"),
            Path::new("/m/D/dst"),
            Path::new("/m"),
        );
        assert_eq!(
            got,
            [
                "cp",
                "-r",
                "/m/C/src",
                "--target=/m/D/dst/x",
                "/m/m/C/src",
                "{other}"
            ]
        );
    }
}
