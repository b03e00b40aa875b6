//! One case of `ntlinkfs check`: make the tree on a fresh machine, mount it
//! (a fresh FUSE mount, as `ntlinkfs mount` does), run the command as the
//! chosen user with a timeout and a memory limit, judge the properties, and
//! unmount.

use crate::check_props::{picture, reachable_files, Case, Exit, Property};
use ntlinkfs_core::testing::tree_gen::{Tree, TreeSpec};
use ntlinkfs_core::testing::tree_strategy::machine_for_trees;
use ntlinkfs_core::{Machine, PosixMeta, Shared};
use ntlinkfs_fuse::MountOptions;
use std::ffi::CString;
use std::fs::File;
use std::os::unix::fs::PermissionsExt;
use std::os::unix::process::{CommandExt, ExitStatusExt};
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

/// The user the command runs as: `--user NAME`; under sudo the invoking user
/// (SUDO_UID, SUDO_GID); otherwise whoever runs `check`, but never root
/// unless asked for by `--user root`.
pub fn choose_user(asked: Option<&str>) -> Result<User, String> {
    if let Some(name) = asked {
        return lookup(name).ok_or_else(|| format!("no such user: {name}"));
    }
    // SAFETY: getuid and getgid cannot fail.
    let (uid, gid) = unsafe { (libc::getuid(), libc::getgid()) };
    if uid != 0 {
        return Ok(User {
            name: format!("uid {uid}"),
            uid,
            gid,
        });
    }
    let sudo = |v: &str| std::env::var(v).ok().and_then(|s| s.parse::<u32>().ok());
    match (sudo("SUDO_UID"), sudo("SUDO_GID")) {
        (Some(uid), Some(gid)) if uid != 0 => Ok(User {
            name: std::env::var("SUDO_USER").unwrap_or_else(|_| format!("uid {uid}")),
            uid,
            gid,
        }),
        _ => Err(
            "check runs as root, and the command would too: start it with sudo \
                  from your account (the command then runs as you), or name a user with \
                  --user NAME (--user root to run the command as root on purpose)"
                .into(),
        ),
    }
}

fn lookup(name: &str) -> Option<User> {
    let c = CString::new(name).ok()?;
    // SAFETY: getpwnam reads a NUL-terminated name; the record it returns is
    // read at once, before any other call could reuse it.
    unsafe {
        let pw = libc::getpwnam(c.as_ptr());
        if pw.is_null() {
            return None;
        }
        Some(User {
            name: name.to_string(),
            uid: (*pw).pw_uid,
            gid: (*pw).pw_gid,
        })
    }
}

/// The settings every case shares.
pub struct Setup {
    pub command: Vec<String>,
    pub props: Vec<Property>,
    pub user: User,
    /// Switch to `user` before running (only root can).
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
        std::os::unix::fs::chown(&host, Some(setup.user.uid), Some(setup.user.gid))
            .map_err(|e| format!("cannot give {} to the user: {e}", host.display()))?;
        (host.join("dst"), None)
    } else {
        (mnt.join("D").join("dst"), Some(r"D:\dst"))
    };
    let src = mnt.join("C").join("src");
    let shared = Shared::new(machine);
    let mount = ntlinkfs_fuse::mount(shared.clone(), &mnt, &MountOptions::default())
        .map_err(|e| format!("cannot mount at {}: {e}", mnt.display()))?;
    let argv: Vec<String> = setup
        .command
        .iter()
        .map(|a| {
            a.replace("{src}", &src.to_string_lossy())
                .replace("{dst}", &dst.to_string_lossy())
                .replace("{mnt}", &mnt.to_string_lossy())
        })
        .collect();
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
    mount
        .unmount()
        .map_err(|e| format!("cannot unmount {}: {e}", mnt.display()))?;
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

/// Runs `argv` in its own process group (so a timeout or Ctrl-C ends all
/// of it) as the user, under the memory limit, output to a file.
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
        .stderr(err)
        .process_group(0);
    if setup.switch_user {
        cmd.uid(setup.user.uid).gid(setup.user.gid);
    }
    let limit = setup.memory_limit;
    // SAFETY: only setrlimit, which is async-signal-safe, runs in the child.
    unsafe {
        cmd.pre_exec(move || {
            let r = libc::rlimit {
                rlim_cur: limit,
                rlim_max: limit,
            };
            if libc::setrlimit(libc::RLIMIT_AS, &r) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
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
    let start = Instant::now();
    let mut pause = Duration::from_micros(200);
    let exit = loop {
        match child.try_wait() {
            Ok(Some(status)) => {
                break match (status.code(), status.signal()) {
                    (Some(c), _) => Exit::Code(c),
                    (None, Some(s)) => Exit::Signal(s),
                    (None, None) => Exit::Signal(0),
                };
            }
            Ok(None) => {}
            Err(e) => return Err(format!("waiting for {}: {e}", argv[0])),
        }
        if start.elapsed() >= setup.timeout || INTERRUPTED.load(Ordering::Relaxed) {
            // SAFETY: kill has no memory preconditions; the group is the child's.
            unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
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
                let made = std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755))
                    .and_then(|()| std::fs::create_dir(dir.join("mnt")));
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
