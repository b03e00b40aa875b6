//! The Unix part of `ntlinkfs check` (Linux, macOS, FreeBSD): the user the
//! command runs as, the FUSE mount, the child's process group and memory
//! limit, Ctrl-C, and what the properties read through the mount (file ids,
//! link texts). Everything else is shared (check_case, check_props).

use crate::check_case::{Setup, User, INTERRUPTED};
use crate::check_props::{normalize, Exit};
use ntlinkfs_core::Shared;
use ntlinkfs_fuse::MountOptions;
use std::ffi::CString;
use std::os::unix::fs::{MetadataExt, PermissionsExt};
use std::os::unix::process::{CommandExt, ExitStatusExt};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitStatus};
use std::sync::atomic::Ordering;

/// The user the command runs as, and whether to switch to it: `--user
/// NAME`; under sudo the invoking user (SUDO_UID, SUDO_GID); otherwise
/// whoever runs `check`, but never root unless asked for by `--user root`.
pub fn choose_user(asked: Option<&str>) -> Result<(User, bool), String> {
    // SAFETY: getuid cannot fail.
    let me = unsafe { libc::getuid() };
    let user = pick_user(asked)?;
    if me != 0 && user.uid != me {
        return Err("only root can run the command as another user (--user)".into());
    }
    Ok((user, me == 0))
}

fn pick_user(asked: Option<&str>) -> Result<User, String> {
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

/// Whether `name` runs: a path to an executable file, or found in PATH.
pub fn command_exists(name: &str) -> bool {
    let runs = |p: &Path| {
        std::fs::metadata(p).is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
    };
    if name.contains('/') {
        return runs(Path::new(name));
    }
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|d| runs(&d.join(name))))
}

extern "C" fn on_interrupt(_: libc::c_int) {
    INTERRUPTED.store(true, Ordering::Relaxed);
}

pub fn catch_interrupts() {
    let handler = on_interrupt as extern "C" fn(libc::c_int) as libc::sighandler_t;
    // SAFETY: the handler only stores to an atomic, which is signal-safe.
    unsafe {
        libc::signal(libc::SIGINT, handler);
        libc::signal(libc::SIGTERM, handler);
    }
}

/// What stops any mount here, said as `ntlinkfs mount` says it.
pub fn mount_problem() -> Option<String> {
    crate::mount::problem_here()
}

/// The work directory must be open to the user the command runs as.
pub fn open_to_user(dir: &Path) -> std::io::Result<()> {
    std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o755))
}

/// Gives a host destination directory to the user.
pub fn give_to(dir: &Path, user: &User) -> std::io::Result<()> {
    std::os::unix::fs::chown(dir, Some(user.uid), Some(user.gid))
}

/// A fresh FUSE mount of every volume at `mnt` (`mnt/C`, `mnt/D`).
pub struct Mounted(ntlinkfs_fuse::Mount);

pub fn mount(shared: Shared, mnt: &Path) -> Result<Mounted, String> {
    ntlinkfs_fuse::mount(shared, mnt, &MountOptions::default())
        .map(Mounted)
        .map_err(|e| format!("cannot mount at {}: {e}", mnt.display()))
}

impl Mounted {
    pub fn unmount(self, mnt: &Path) -> Result<(), String> {
        self.0
            .unmount()
            .map_err(|e| format!("cannot unmount {}: {e}", mnt.display()))
    }
}

/// The child runs in its own process group (so a timeout or Ctrl-C ends
/// all of it), as the user, under RLIMIT_AS (macOS has it as RLIMIT_RSS and
/// does not enforce it; the timeout still holds there).
pub fn prepare(cmd: &mut Command, setup: &Setup) {
    cmd.process_group(0);
    if setup.switch_user {
        cmd.uid(setup.user.uid).gid(setup.user.gid);
    }
    // FreeBSD's rlim_t is signed; no limit anyone asks for comes near i64::MAX.
    let limit = setup.memory_limit.min(i64::MAX as u64) as libc::rlim_t;
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
}

/// Nothing more to hold on Unix: the process group is the container.
pub struct Contained;

pub fn contain(_child: &mut Child, _setup: &Setup) -> Result<Contained, String> {
    Ok(Contained)
}

/// Ends the child and everything it started.
pub fn kill(child: &mut Child, _: &Contained) {
    // SAFETY: kill has no memory preconditions; the group is the child's.
    unsafe { libc::kill(-(child.id() as i32), libc::SIGKILL) };
}

pub fn exit_of(status: ExitStatus) -> Exit {
    match (status.code(), status.signal()) {
        (Some(c), _) => Exit::Code(c),
        (None, Some(s)) => Exit::Signal(s),
        (None, None) => Exit::Signal(0),
    }
}

/// The file `p` names (links followed), as (device, inode).
pub fn file_id(p: &Path) -> Option<(u64, u64)> {
    let m = std::fs::metadata(p).ok()?;
    Some((m.dev(), m.ino()))
}

/// Where the link at `link` leads, lexically: the place its text names,
/// from the link's directory.
pub fn link_target(link: &Path) -> Option<PathBuf> {
    let text = std::fs::read_link(link).ok()?;
    Some(normalize(&link.parent()?.join(text)))
}
