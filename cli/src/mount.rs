//! `ntlinkfs mount MOUNTPOINT` and `ntlinkfs unmount MOUNTPOINT`: the emulated
//! volumes as directories `C`, `D`, … of a FUSE mount (DESIGN "mount-unix").
//! Ctrl-C, SIGTERM and `ntlinkfs unmount` unmount cleanly; a dead daemon's stale
//! mount is cleared by the next mount of the same point.

use crate::options::MachineOptions;
use ntlinkfs_core::{Machine, Shared};
use ntlinkfs_fuse::{Durability, IoUringMode, MountOptions, Mounted, Stale, DEFAULT_THREADS};
use ntlinkfs_shell::{run_script, ScriptOptions, Shell, TranscriptSink};
use std::ffi::OsString;
use std::io::{BufRead, BufReader, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};
use std::sync::Arc;

/// Set in the daemon that `--background` starts: print `ready` once mounted.
const READY_ENV: &str = "NTLINKFS_MOUNT_READY";

/// How long the kernel may keep names, misses and attributes (issue 17). The
/// library's default is 1 s because embedders and tests change the core
/// behind the kernel; here nothing does: every change comes through the mount
/// (`ntlinkfs mklink` too), and what the kernel cannot infer from its own
/// request the mount invalidates at once (the dentry epoch for other
/// spellings and misses, INVAL_INODE for other names' attributes, links'
/// attributes never cached). A longer TTL only saves the revalidating
/// LOOKUP and GETATTR of names not touched for a second.
const CACHE_TTL: std::time::Duration = std::time::Duration::from_secs(60);

/// Mount the emulated volumes at MOUNTPOINT (one directory per volume); runs
/// until Ctrl-C, SIGTERM or `ntlinkfs unmount MOUNTPOINT`
#[derive(Debug, clap::Args)]
pub struct Args {
    /// An existing directory to mount on
    #[arg(value_name = "MOUNTPOINT")]
    pub mountpoint: PathBuf,

    /// Prepare the volumes with a cmd-dialect script before mounting (a fixture);
    /// its transcript goes to standard error, and a failing script mounts nothing
    #[arg(long, value_name = "FILE")]
    pub script: Option<PathBuf>,

    /// Return as soon as the mount is live, leaving the file system running.
    /// Errors before the mount is live reach the caller's standard error; the
    /// daemon then lets go of the caller's standard output and error (its
    /// later messages go to /dev/null), so `x=$(ntlinkfs mount M --background)`
    /// returns at once
    #[arg(long)]
    pub background: bool,

    /// FUSE worker threads (the /dev/fuse transport)
    #[arg(long, default_value_t = DEFAULT_THREADS, value_name = "N")]
    pub threads: usize,

    /// FUSE over io_uring: one queue per CPU, each request served on the CPU
    /// that made it. auto: when the kernel offers it (root enables it with
    /// `echo Y > /sys/module/fuse/parameters/enable_uring`, Linux 6.14+);
    /// on: that or an error; off: /dev/fuse read/write. Default: the
    /// NTLINKFS_IO_URING environment variable, else auto
    #[arg(long, value_name = "auto|on|off", value_parser = IoUringMode::parse)]
    pub io_uring: Option<IoUringMode>,

    /// Keep symlinks made from Linux inside the mount: an absolute target starts
    /// at the mount root (`/C/x` is C:\x), `..` stops there; for untrusted trees
    /// (junctions and Windows symlinks stay inside the mount always)
    #[arg(long)]
    pub confine: bool,

    #[command(flatten)]
    pub machine: MachineOptions,
}

/// Unmount an ntlinkfs mount (the daemon then exits)
#[derive(Debug, clap::Args)]
pub struct UnmountArgs {
    #[arg(value_name = "MOUNTPOINT")]
    pub mountpoint: PathBuf,
}

struct Stderr;

impl TranscriptSink for Stderr {
    fn stdout(&mut self, text: &str) {
        let _ = std::io::stderr().lock().write_all(text.as_bytes());
    }

    fn stderr(&mut self, line: &str) {
        let _ = writeln!(std::io::stderr().lock(), "{line}");
    }
}

/// The machine to mount (from `--image`, `--demo` and the volume options, see
/// `MachineOptions::open`), then the fixture script; and the image file it is
/// saved to on unmount.
fn build_machine(args: &Args) -> Result<(Machine, Option<PathBuf>), String> {
    let (machine, image) = args.machine.open()?.into_parts();
    let Some(script) = &args.script else {
        return Ok((machine, image));
    };
    let text = std::fs::read_to_string(script)
        .map_err(|e| format!("cannot read {}: {e}", script.display()))?;
    let mut shell = Shell::new(machine);
    let summary = run_script(&mut shell, &text, ScriptOptions::default(), &mut Stderr);
    if !summary.success() {
        return Err(format!(
            "the script {} failed; nothing mounted",
            script.display()
        ));
    }
    Ok((shell.into_machine(), image))
}

/// What stops any mount here: the checks below on Linux; on FreeBSD and
/// macOS the adapter's (the fusefs module, macFUSE: what to load or install).
#[cfg(target_os = "linux")]
pub(crate) fn problem_here() -> Option<String> {
    missing(System::here())
}

#[cfg(not(target_os = "linux"))]
pub(crate) fn problem_here() -> Option<String> {
    ntlinkfs_fuse::mount_problem()
}

/// What mounting needs from this system (see `missing`).
#[cfg(target_os = "linux")]
#[derive(Debug, Clone, Copy)]
pub(crate) struct System {
    /// /dev/fuse exists (the kernel's FUSE module is loaded and, in a
    /// container, the device was passed in).
    fuse_device: bool,
    /// The effective user is root: mount(2) needs CAP_SYS_ADMIN.
    root: bool,
    /// fusermount3 (package fuse3) is in PATH: users mount through it.
    fusermount3: bool,
    /// This user may open /dev/fuse (fusermount3 opens it as the user; most
    /// systems make it mode 0666).
    fuse_device_open: bool,
}

#[cfg(target_os = "linux")]
impl System {
    pub(crate) fn here() -> System {
        System {
            fuse_device: Path::new(FUSE_DEVICE).exists(),
            // SAFETY: geteuid has no preconditions and cannot fail.
            root: unsafe { libc::geteuid() } == 0,
            fusermount3: has_fusermount3(),
            fuse_device_open: may_open(FUSE_DEVICE),
        }
    }
}

#[cfg(target_os = "linux")]
fn may_open(path: &str) -> bool {
    let Ok(c) = std::ffi::CString::new(path) else {
        return false;
    };
    // SAFETY: `c` is a valid NUL-terminated path.
    unsafe { libc::access(c.as_ptr(), libc::R_OK | libc::W_OK) == 0 }
}

#[cfg(target_os = "linux")]
fn has_fusermount3() -> bool {
    ntlinkfs_fuse::fuse::fusermount::find().is_some()
}

#[cfg(target_os = "linux")]
const FUSE_DEVICE: &str = "/dev/fuse";

#[cfg(target_os = "linux")]
/// What stops any mount on this system, said as what to do: a newcomer
/// otherwise reads an errno about the device or the directory.
pub(crate) fn missing(system: System) -> Option<String> {
    if !system.fuse_device {
        return Some(format!(
            "{FUSE_DEVICE} does not exist, so this system cannot mount FUSE file systems: \
             load the module as root (`modprobe fuse`), or in a container start it with \
             `--device /dev/fuse --cap-add SYS_ADMIN`"
        ));
    }
    if !system.root && !system.fusermount3 {
        return Some(
            "mounting needs root or fusermount3, and this is neither: install fuse3 \
             as root for fusermount3, which lets users mount (`apt-get install fuse3`), \
             or run ntlinkfs as root (`sudo ntlinkfs mount ...`)"
                .into(),
        );
    }
    if !system.root && !system.fuse_device_open {
        return Some(format!(
            "{FUSE_DEVICE} is open to root only here, and fusermount3 opens it as you: \
             as root, `chmod 0666 {FUSE_DEVICE}` (what most systems do at boot), \
             or run ntlinkfs as root (`sudo ntlinkfs mount ...`)"
        ));
    }
    None
}

/// What is wrong with `mp` as a mount point, if anything (checked in the
/// daemon, whose errors reach the caller of `--background` too).
fn mount_point_problem(mp: &Path) -> Option<String> {
    let problem = match std::fs::metadata(mp) {
        Ok(m) if m.is_dir() => return None,
        // A dead daemon's mount point fails stat; the mount clears it.
        Err(e) if ntlinkfs_fuse::daemon_gone(e.raw_os_error()) => return None,
        Ok(_) => "it is not a directory (mount on an empty directory)".to_string(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => format!(
            "the directory does not exist (create it first: mkdir {})",
            mp.display()
        ),
        Err(e) => e.to_string(),
    };
    Some(format!("cannot mount at {}: {problem}", mp.display()))
}

pub fn main(args: Args) -> ExitCode {
    if let Some(problem) = problem_here() {
        return fail(&problem);
    }
    if args.background {
        return background(&args);
    }
    let mp = &args.mountpoint;
    if let Some(problem) = mount_point_problem(mp) {
        return fail(&problem);
    }
    let (machine, image) = match build_machine(&args) {
        Ok(m) => m,
        Err(e) => return fail(&e),
    };
    match ntlinkfs_fuse::clear_stale(mp) {
        Ok(Stale::Cleared) => eprintln!(
            "ntlinkfs: cleared a stale mount at {} (its daemon had died)",
            mp.display()
        ),
        Ok(Stale::None) => {}
        Err(e) => {
            return fail(&format!(
                "cannot clear the stale mount at {}: {e}",
                mp.display()
            ))
        }
    }
    if ntlinkfs_fuse::is_fuse_mount(mp) {
        return fail(&format!("{} is already mounted", mp.display()));
    }
    let mut machine = machine;
    // With an image, fsync commits to its journal (saved first, so the
    // journal extends exactly the image on disk).
    let journal = match &image {
        Some(p) => match crate::journal_file::JournalFile::start(p, &mut machine) {
            Ok(j) => Some(Arc::new(j)),
            Err(e) => return fail(&e),
        },
        None => None,
    };
    let letters: Vec<String> = machine
        .volume_infos()
        .iter()
        .map(|v| format!("{}:", v.letter))
        .collect();
    // Before any thread exists, so that only the signal thread receives them.
    ntlinkfs_fuse::block_termination_signals();
    let shared = Shared::new(machine);
    let opts = MountOptions {
        threads: args.threads,
        durability: journal.map(|j| j as Arc<dyn Durability>),
        confine: args.confine,
        io_uring: args.io_uring,
        entry_ttl: CACHE_TTL,
        attr_ttl: CACHE_TTL,
        ..MountOptions::default()
    };
    let mount = match ntlinkfs_fuse::mount(shared.clone(), mp, &opts) {
        Ok(m) => m,
        Err(e) => return fail(&format!("cannot mount at {}: {e}", mp.display())),
    };
    let note = access_note(mount.how());
    if std::env::var_os(READY_ENV).is_none() {
        eprintln!(
            "ntlinkfs: {} mounted at {} (Ctrl-C or `ntlinkfs unmount {}` unmounts)",
            letters.join(", "),
            mp.display(),
            mp.display()
        );
        eprintln!("ntlinkfs: requests come by {}", mount.transport());
        if let Some(note) = &note {
            eprintln!("ntlinkfs: {note}");
        }
    } else {
        // --background: the caller prints what it reports (its line, then any
        // note this daemon hands it before `ready`); the daemon says nothing on
        // the caller's stderr, which it is about to leave. Standard output is
        // the pipe the parent reads: `transport TEXT`, `note TEXT` lines, then `ready`.
        let mut out = std::io::stdout().lock();
        let _ = writeln!(out, "transport {}", mount.transport());
        if let Some(note) = &note {
            let _ = writeln!(out, "note {note}");
        }
        let _ = writeln!(out, "ready");
        let _ = out.flush();
        drop(out);
        // Holding the caller's stdio open would keep a `$(...)` or a captured
        // subprocess waiting until unmount.
        if let Err(e) = detach_stdio() {
            eprintln!("ntlinkfs: cannot detach from the caller's output: {e}");
        }
    }
    let code = match mount.run_until_signal() {
        Ok(Some(_)) => {
            eprintln!("ntlinkfs: unmounted {}", mp.display());
            ExitCode::SUCCESS
        }
        Ok(None) => ExitCode::SUCCESS, // unmounted from outside
        Err(e) => fail(&format!("unmounting {}: {e}", mp.display())),
    };
    // Saved once the file system is gone, so no write can slip in after it.
    if !crate::image_file::save_on_exit(image.as_deref(), &shared.read()) {
        return ExitCode::from(2);
    }
    code
}

/// What a user mount means for who can enter it, said at start.
fn access_note(how: Mounted) -> Option<&'static str> {
    match (how.by_fusermount3, how.allow_other) {
        (false, true) => None,
        // A user's own mount on FreeBSD or macOS (on Linux users mount
        // through fusermount3, and root always has allow_other).
        (false, false) => Some(
            "mounted without allow_other (only root may ask for it here), so only you \
             can enter the mount, not even root",
        ),
        (true, true) => Some("mounted through fusermount3; other users may enter (allow_other)"),
        (true, false) => Some(
            "mounted through fusermount3 without allow_other (/etc/fuse.conf has no \
             user_allow_other), so only you can enter the mount, not even root",
        ),
    }
}

/// Points standard output and error at /dev/null.
fn detach_stdio() -> std::io::Result<()> {
    use std::os::fd::AsRawFd;
    let null = std::fs::OpenOptions::new().write(true).open("/dev/null")?;
    for fd in [libc::STDOUT_FILENO, libc::STDERR_FILENO] {
        // SAFETY: dup2 onto a standard descriptor from one we hold open; the
        // std handles of fds 1 and 2 stay valid (they now write to /dev/null).
        if unsafe { libc::dup2(null.as_raw_fd(), fd) } < 0 {
            return Err(std::io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Starts this command again without --background in its own process group (so
/// the terminal's Ctrl-C does not reach it) and returns once it reports `ready`.
fn background(args: &Args) -> ExitCode {
    let exe = match std::env::current_exe() {
        Ok(e) => e,
        Err(e) => return fail(&format!("cannot find the ntlinkfs executable: {e}")),
    };
    let rest: Vec<OsString> = std::env::args_os()
        .skip(1)
        .filter(|a| a != "--background")
        .collect();
    let child = Command::new(exe)
        .args(rest)
        .env(READY_ENV, "1")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .process_group(0)
        .spawn();
    let mut child = match child {
        Ok(c) => c,
        Err(e) => return fail(&format!("cannot start the mount daemon: {e}")),
    };
    // `transport TEXT` and `note TEXT` lines, then `ready` (or nothing, if the daemon failed).
    let mut notes = Vec::new();
    let mut transport = String::new();
    let mut ready = false;
    if let Some(out) = child.stdout.take() {
        for line in BufReader::new(out).lines().map_while(Result::ok) {
            if let Some(t) = line.strip_prefix("transport ") {
                transport = t.to_string();
                continue;
            }
            match line.strip_prefix("note ") {
                Some(note) => notes.push(note.to_string()),
                None => {
                    ready = line.trim() == "ready";
                    break;
                }
            }
        }
    }
    if ready {
        // The pid last: scripts take the last word.
        println!(
            "ntlinkfs: mounted at {}, requests by {transport} (daemon pid {})",
            args.mountpoint.display(),
            child.id()
        );
        for note in notes {
            eprintln!("ntlinkfs: {note}");
        }
        return ExitCode::SUCCESS;
    }
    let status = child.wait();
    fail(&format!(
        "the mount daemon exited before the mount was live ({})",
        status.map_or_else(|e| e.to_string(), |s| s.to_string())
    ))
}

impl Durability for crate::journal_file::JournalFile {
    fn commit(&self, machine: &Shared) -> std::io::Result<()> {
        crate::journal_file::JournalFile::commit(self, machine)
    }
}

pub fn unmount(args: UnmountArgs) -> ExitCode {
    let mp: &Path = &args.mountpoint;
    if !ntlinkfs_fuse::is_stale(mp) && !ntlinkfs_fuse::is_fuse_mount(mp) {
        return fail(&format!("{} is not mounted", mp.display()));
    }
    let daemons = daemons_of(mp);
    if let Err(e) = ntlinkfs_fuse::unmount_path(mp) {
        return fail(&format!("cannot unmount {}: {e}", mp.display()));
    }
    // Return once the daemon is gone, so that its image file is saved when this
    // command returns (a script may mount it again at once).
    for _ in 0..6000 {
        if daemons.iter().all(|pid| !alive(*pid)) {
            return ExitCode::SUCCESS;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    fail(&format!(
        "{} is unmounted, but its daemon has not exited after 60 s",
        mp.display()
    ))
}

/// The `ntlinkfs mount` processes serving `mp` (by their command lines).
fn daemons_of(mp: &Path) -> Vec<u32> {
    let Ok(target) = std::path::absolute(mp) else {
        return Vec::new();
    };
    let Ok(procs) = std::fs::read_dir("/proc") else {
        return Vec::new();
    };
    procs
        .filter_map(|e| e.ok()?.file_name().to_str()?.parse::<u32>().ok())
        .filter(|pid| {
            let Ok(cmd) = std::fs::read(format!("/proc/{pid}/cmdline")) else {
                return false;
            };
            let args: Vec<&[u8]> = cmd.split(|b| *b == 0).collect();
            let cwd = std::fs::read_link(format!("/proc/{pid}/cwd")).unwrap_or_default();
            args.first().is_some_and(|a| a.ends_with(b"ntlinkfs"))
                && args.get(1) == Some(&&b"mount"[..])
                && args.iter().skip(2).any(|a| {
                    let p = Path::new(std::ffi::OsStr::from_bytes(a));
                    cwd.join(p) == target
                })
        })
        .collect()
}

fn alive(pid: u32) -> bool {
    // A zombie has exited; only its parent has not collected it yet.
    std::fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| {
        !s.rsplit(')')
            .next()
            .is_some_and(|r| r.trim_start().starts_with('Z'))
    })
}

fn fail(msg: &str) -> ExitCode {
    eprintln!("ntlinkfs: {msg}");
    ExitCode::from(1)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Each missing piece is named with what to do (issue 13), the device
    /// first: without it even root cannot mount.
    #[cfg(target_os = "linux")]
    #[test]
    fn a_mount_that_cannot_work_says_what_is_missing() {
        let no_device = "/dev/fuse does not exist, so this system cannot mount FUSE file \
                         systems: load the module as root (`modprobe fuse`), or in a \
                         container start it with `--device /dev/fuse --cap-add SYS_ADMIN`";
        let neither = "mounting needs root or fusermount3, and this is neither: install \
                       fuse3 as root for fusermount3, which lets users mount (`apt-get \
                       install fuse3`), or run ntlinkfs as root (`sudo ntlinkfs mount ...`)";
        let closed = "/dev/fuse is open to root only here, and fusermount3 opens it as \
                      you: as root, `chmod 0666 /dev/fuse` (what most systems do at boot), \
                      or run ntlinkfs as root (`sudo ntlinkfs mount ...`)";
        // (/dev/fuse, root, fusermount3, /dev/fuse open to this user, what is said)
        let rows = [
            (false, true, true, true, Some(no_device)),
            (false, true, false, false, Some(no_device)),
            (false, false, true, true, Some(no_device)),
            (false, false, false, false, Some(no_device)),
            (true, false, false, true, Some(neither)),
            (true, false, false, false, Some(neither)),
            (true, false, true, false, Some(closed)),
            // A user mounts through fusermount3.
            (true, false, true, true, None),
            // Root opens the device itself, whatever its mode.
            (true, true, false, false, None),
            (true, true, true, true, None),
        ];
        for (fuse_device, root, fusermount3, fuse_device_open, want) in rows {
            let system = System {
                fuse_device,
                root,
                fusermount3,
                fuse_device_open,
            };
            assert_eq!(missing(system).as_deref(), want, "{system:?}");
        }
    }

    #[test]
    fn a_user_mount_says_who_can_enter() {
        let how = |by_fusermount3, allow_other| Mounted {
            by_fusermount3,
            allow_other,
        };
        assert_eq!(access_note(how(false, true)), None);
        assert_eq!(
            access_note(how(false, false)),
            Some(
                "mounted without allow_other (only root may ask for it here), so only you \
                 can enter the mount, not even root"
            )
        );
        assert_eq!(
            access_note(how(true, true)),
            Some("mounted through fusermount3; other users may enter (allow_other)")
        );
        assert_eq!(
            access_note(how(true, false)),
            Some(
                "mounted through fusermount3 without allow_other (/etc/fuse.conf has no \
                 user_allow_other), so only you can enter the mount, not even root"
            )
        );
    }

    #[test]
    fn a_mount_point_must_be_a_directory() {
        let dir = std::env::temp_dir();
        let file = std::env::current_exe().unwrap();
        let absent = dir.join("ntlinkfs-no-such-mount-point");
        assert_eq!(mount_point_problem(&dir), None);
        assert_eq!(
            mount_point_problem(&absent),
            Some(format!(
                "cannot mount at {0}: the directory does not exist (create it first: mkdir {0})",
                absent.display()
            ))
        );
        assert_eq!(
            mount_point_problem(&file),
            Some(format!(
                "cannot mount at {}: it is not a directory (mount on an empty directory)",
                file.display()
            ))
        );
    }
}
