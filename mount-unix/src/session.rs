//! Mount lifecycle: mounting (clearing a dead daemon's stale mount first),
//! unmounting, and waiting for SIGINT/SIGTERM. On Linux root mounts with
//! mount(2); anyone else (and root where mount(2) is refused, as in a
//! container without CAP_SYS_ADMIN) through fusermount3 when it is installed.
//! FreeBSD mounts with nmount(2) (`fuse::mount_freebsd`), macOS through
//! macFUSE's helper (`fuse::mount_macos`); their mount tables are read with
//! statfs(2) (`fuse::mount_table`).

use crate::dentry_cache::{DentryCache, KernelLink};
use crate::durability::Durability;
use crate::fs::{FsConfig, NtFs};
use crate::fuse::channel::{Channel, MountConfig};
#[cfg(target_os = "linux")]
use crate::fuse::fusermount;
use crate::fuse::server;
#[cfg(target_os = "linux")]
use crate::fuse::uring;
use crate::fuse::uring_mode::{Mode, QueueStats, HOW_TO_ENABLE};
use crate::memory::Trimmer;
use ntlinkfs_core::Shared;
#[cfg(target_os = "linux")]
use std::ffi::CString;
use std::io;
#[cfg(target_os = "linux")]
use std::os::unix::ffi::OsStrExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::Ordering;
use std::sync::{mpsc, Arc};
use std::thread::JoinHandle;
use std::time::Duration;

/// How to mount.
#[derive(Debug, Clone)]
pub struct MountOptions {
    /// FUSE worker threads (see DEFAULT_THREADS).
    pub threads: usize,
    pub entry_ttl: Duration,
    pub attr_ttl: Duration,
    /// Use FUSE_NOTIFY_INC_EPOCH where the kernel has it (tests turn it off to
    /// exercise the `inval_entry` path older kernels get).
    pub notify_epoch: bool,
    /// Tests only: see `FsConfig::fault_injection`.
    pub fault_injection: bool,
    /// What fsync and fsyncdir commit to: the `--image` mount's journal.
    pub durability: Option<Arc<dyn Durability>>,
    /// `--confine`: symlinks made from Linux (LX symlinks) resolve inside the
    /// mount; see `FsConfig::confine`.
    pub confine: bool,
    /// The transport (`--io-uring`); None: what `NTLINKFS_IO_URING` says,
    /// else auto. The environment variable is the one switch the test
    /// harnesses share, so CI can run every mount test on either transport.
    pub io_uring: Option<Mode>,
}

/// Measured on 2 cores (docs/performance.md, "Names and the kernel's cache"; examples/measure.rs): with names
/// cached, one FUSE thread is fastest for a serial client and for four parallel
/// ones (every change takes the machine's one write lock anyway); more threads
/// only add wake-ups and contention. `--threads N` runs N.
pub const DEFAULT_THREADS: usize = 1;

impl Default for MountOptions {
    fn default() -> Self {
        MountOptions {
            threads: DEFAULT_THREADS,
            entry_ttl: Duration::from_secs(1),
            attr_ttl: Duration::from_secs(1),
            notify_epoch: true,
            fault_injection: false,
            durability: None,
            confine: false,
            io_uring: None,
        }
    }
}

/// A live mount. Dropping it unmounts.
pub struct Mount {
    /// The worker threads; empty once unmounted.
    workers: Vec<JoinHandle<io::Result<()>>>,
    mount_point: PathBuf,
    cache: Arc<DentryCache>,
    entry_ttl: Duration,
    /// The machine, watched for freed memory to give back (memory.rs).
    machine: Shared,
    how: Mounted,
    transport: Transport,
    /// Per-queue counts, with io_uring.
    queue_stats: Option<Arc<[QueueStats]>>,
}

/// How requests reach the file system.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Transport {
    /// read(2) and write(2) on /dev/fuse by `threads` workers; `why`: why not
    /// io_uring (auto mode), if it was tried.
    DevFuse { threads: usize, why: Option<String> },
    /// FUSE over io_uring: one queue per CPU, each worker pinned to its CPU.
    IoUring { queues: usize },
}

impl std::fmt::Display for Transport {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Transport::IoUring { queues } => write!(
                f,
                "FUSE over io_uring, {queues} queue(s), one per CPU, each served on its CPU"
            ),
            Transport::DevFuse { threads, why } => {
                write!(f, "/dev/fuse read/write, {threads} thread(s)")?;
                match why {
                    Some(why) => write!(f, "; not io_uring: {why}"),
                    None => Ok(()),
                }
            }
        }
    }
}

/// How a mount was made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Mounted {
    /// Through fusermount3 rather than mount(2).
    pub by_fusermount3: bool,
    /// Other users may enter (allow_other): root, or a user whose
    /// /etc/fuse.conf has user_allow_other.
    pub allow_other: bool,
}

/// What `clear_stale` found at a mount point.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Stale {
    /// Nothing mounted there.
    None,
    /// A dead daemon's mount ("Transport endpoint is not connected"), now gone.
    Cleared,
}

#[cfg(target_os = "linux")]
fn cpath(p: &Path) -> io::Result<CString> {
    CString::new(p.as_os_str().as_bytes())
        .map_err(|e| io::Error::new(io::ErrorKind::InvalidInput, e))
}

#[cfg(target_os = "linux")]
fn umount2(p: &Path, flags: i32) -> io::Result<()> {
    let c = cpath(p)?;
    // SAFETY: `c` is a valid NUL-terminated path for the duration of the call.
    if unsafe { libc::umount2(c.as_ptr(), flags) } == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}

/// Whether `p` is a mount point of a FUSE file system (per /proc/self/mounts).
#[cfg(target_os = "linux")]
pub fn is_fuse_mount(p: &Path) -> bool {
    let Ok(canon) = p.canonicalize().or_else(|_| std::path::absolute(p)) else {
        return false;
    };
    let Ok(mounts) = std::fs::read_to_string("/proc/self/mounts") else {
        return false;
    };
    mounts.lines().any(|l| {
        let f: Vec<&str> = l.split(' ').collect();
        f.len() > 2 && unescape(f[1]) == canon.as_os_str().as_bytes() && f[2].starts_with("fuse")
    })
}

/// The root of the ntlinkfs mount that `p` lies in (p itself or an ancestor).
#[cfg(target_os = "linux")]
pub fn ntlinkfs_mount_root(p: &Path) -> Option<PathBuf> {
    let abs = std::path::absolute(p).ok()?;
    let mounts = std::fs::read_to_string("/proc/self/mounts").ok()?;
    let roots: Vec<Vec<u8>> = mounts
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split(' ').collect();
            (f.len() > 2 && f[0] == "ntlinkfs" && f[2].starts_with("fuse")).then(|| unescape(f[1]))
        })
        .collect();
    abs.ancestors()
        .find(|a| {
            roots
                .iter()
                .any(|r| r.as_slice() == a.as_os_str().as_bytes())
        })
        .map(Path::to_path_buf)
}

/// /proc/mounts escapes space, tab, newline and backslash as octal.
#[cfg(target_os = "linux")]
fn unescape(s: &str) -> Vec<u8> {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'\\' && i + 3 < b.len() && b[i + 1..i + 4].iter().all(u8::is_ascii_digit) {
            let v = (b[i + 1] - b'0') * 64 + (b[i + 2] - b'0') * 8 + (b[i + 3] - b'0');
            out.push(v);
            i += 4;
        } else {
            out.push(b[i]);
            i += 1;
        }
    }
    out
}

/// Whether a request failing with `errno` says the mount's daemon is gone:
/// ENOTCONN ("Transport endpoint is not connected"), or, just after an
/// io_uring daemon died while the kernel tears its queues down, ECONNABORTED
/// or ECANCELED.
pub fn daemon_gone(errno: Option<i32>) -> bool {
    matches!(
        errno,
        Some(libc::ENOTCONN | libc::ECONNABORTED | libc::ECANCELED)
    )
}

/// True when `p` is a FUSE mount whose daemon is gone (`daemon_gone`).
/// statfs always reaches the daemon (stat may be answered from the kernel's
/// attribute cache), so it is the probe.
#[cfg(target_os = "linux")]
pub fn is_stale(p: &Path) -> bool {
    let Ok(c) = cpath(p) else { return false };
    // SAFETY: `c` is a valid path and `st` a writable statvfs.
    let r = unsafe {
        let mut st: libc::statvfs = std::mem::zeroed();
        libc::statvfs(c.as_ptr(), &mut st)
    };
    r != 0 && daemon_gone(io::Error::last_os_error().raw_os_error())
}

/// Clears the mount a killed daemon left at `p`: a lazy unmount removes it.
pub fn clear_stale(p: &Path) -> io::Result<Stale> {
    if is_stale(p) {
        detach(p)?;
        return Ok(Stale::Cleared);
    }
    Ok(Stale::None)
}

/// Unmounts whatever is mounted at `p` (the `unmount` command): a plain unmount,
/// or a lazy one when a process still has a file or directory open there. A
/// user's own mount (mount(2) refuses: EPERM) goes through fusermount3.
#[cfg(target_os = "linux")]
pub fn unmount_path(p: &Path) -> io::Result<()> {
    match umount2(p, 0) {
        Err(e) if e.raw_os_error() == Some(libc::EBUSY) => detach(p),
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => unmount_by_helper(p, e),
        r => r,
    }
}

/// A lazy unmount, through fusermount3 where umount2 is refused.
#[cfg(target_os = "linux")]
fn detach(p: &Path) -> io::Result<()> {
    match umount2(p, libc::MNT_DETACH) {
        Err(e) if e.raw_os_error() == Some(libc::EPERM) => unmount_by_helper(p, e),
        r => r,
    }
}

/// `fusermount3 -u -z`, or `refused` when there is no fusermount3.
#[cfg(target_os = "linux")]
fn unmount_by_helper(p: &Path, refused: io::Error) -> io::Result<()> {
    match fusermount::find() {
        Some(helper) => fusermount::unmount(&helper, p),
        None => Err(refused),
    }
}

#[cfg(any(target_os = "freebsd", target_os = "macos"))]
pub use crate::fuse::mount_table::{is_fuse_mount, is_stale, ntlinkfs_mount_root};

/// Unmounts whatever is mounted at `p` (the `unmount` command): a plain
/// unmount, or a forced one when a process still has a file open there
/// (these systems have no lazy unmount).
#[cfg(any(target_os = "freebsd", target_os = "macos"))]
pub fn unmount_path(p: &Path) -> io::Result<()> {
    crate::fuse::mount_table::unmount(p)
}

/// Removes a mount whose daemon is gone or failed: forced.
#[cfg(any(target_os = "freebsd", target_os = "macos"))]
fn detach(p: &Path) -> io::Result<()> {
    crate::fuse::mount_table::force(p)
}

/// Opens and mounts /dev/fuse at `at`: mount(2) as root, fusermount3 otherwise
/// or where mount(2) is refused.
#[cfg(target_os = "linux")]
fn connect(at: &Path, cfg: &MountConfig, root: bool) -> io::Result<(Channel, Mounted)> {
    let by_kernel = Mounted {
        by_fusermount3: false,
        allow_other: cfg.allow_other,
    };
    let refused = if root {
        let channel = Channel::open()?;
        match channel.mount(at, cfg) {
            Ok(()) => return Ok((channel, by_kernel)),
            // Root in a container without the capability.
            Err(e) if e.kind() == io::ErrorKind::PermissionDenied => io::Error::new(
                e.kind(),
                "mount(2) was refused: root without CAP_SYS_ADMIN cannot mount (in a \
                 container, start it with `--cap-add SYS_ADMIN`)",
            ),
            Err(e) => return Err(e),
        }
    } else {
        io::Error::new(
            io::ErrorKind::PermissionDenied,
            "mounting as a user needs fusermount3 (install fuse3: `apt-get install fuse3`) \
             or root",
        )
    };
    let Some(helper) = fusermount::find() else {
        return Err(refused);
    };
    // Users may ask for allow_other only where /etc/fuse.conf allows it.
    let allow_other = cfg.allow_other && (root || fusermount::system_allows_other());
    let cfg = MountConfig {
        allow_other,
        ..cfg.clone()
    };
    let dev = fusermount::mount(&helper, at, &cfg).map_err(|e| {
        if root {
            // Both ways failed: say both, the first being what to fix.
            io::Error::new(e.kind(), format!("{refused}, and {e}"))
        } else {
            e
        }
    })?;
    let how = Mounted {
        by_fusermount3: true,
        allow_other,
    };
    Ok((Channel::from_device(dev), how))
}

/// Opens and mounts the FUSE device at `at` the platform's way.
#[cfg(any(target_os = "freebsd", target_os = "macos"))]
fn connect(at: &Path, cfg: &MountConfig, root: bool) -> io::Result<(Channel, Mounted)> {
    #[cfg(target_os = "freebsd")]
    let (channel, allow_other) = crate::fuse::mount_freebsd::connect(at, cfg, root)?;
    #[cfg(target_os = "macos")]
    let (channel, allow_other) = crate::fuse::mount_macos::connect(at, cfg, root)?;
    let how = Mounted {
        by_fusermount3: false,
        allow_other,
    };
    Ok((channel, how))
}

/// What stops any mount on this system, said as what to do (what to
/// install or load); None when nothing does. Linux's is the cli's (it knows
/// fusermount3 and containers).
#[cfg(target_os = "freebsd")]
pub fn mount_problem() -> Option<String> {
    crate::fuse::mount_freebsd::problem(unsafe_free_geteuid() == 0)
}

/// What stops any mount on this system, said as what to do.
#[cfg(target_os = "macos")]
pub fn mount_problem() -> Option<String> {
    crate::fuse::mount_macos::problem()
}

/// Mounts `machine` at `mount_point` and returns once the mount is live (the
/// kernel's INIT has been answered).
pub fn mount(machine: Shared, mount_point: &Path, opts: &MountOptions) -> io::Result<Mount> {
    let mount_point = std::path::absolute(mount_point)?;
    // FUSE_NOTIFY_INC_EPOCH is Linux's (6.16+); FreeBSD and macFUSE get the
    // per-name invalidations and a zero entry TTL instead.
    let epoch = opts.notify_epoch && cfg!(target_os = "linux");
    let cache = Arc::new(DentryCache::new(epoch));
    let fs = NtFs::new(
        machine.clone(),
        cache.clone(),
        FsConfig {
            entry_ttl: opts.entry_ttl,
            attr_ttl: opts.attr_ttl,
            fault_injection: opts.fault_injection,
            durability: opts.durability.clone(),
            confine: opts.confine,
        },
    );
    let mode = match opts.io_uring {
        Some(m) => m,
        None => Mode::from_env().map_err(io::Error::other)?,
    };
    // The rings come first: INIT may ask for io_uring only if they exist.
    let (pool, mut why) = prepare_uring(mode)?;
    let root = unsafe_free_geteuid() == 0;
    let (channel, how) = connect(
        &mount_point,
        &MountConfig {
            fsname: "ntlinkfs".into(),
            subtype: "ntlinkfs".into(),
            default_permissions: true,
            // Multi-user tools and permission checks need other users in
            // (root, or users where /etc/fuse.conf allows it).
            allow_other: true,
            noatime: true,
        },
        root,
    )?;
    let channel = Arc::new(channel);
    let negotiated = match server::init(&channel, pool.is_some()) {
        Ok(n) => n,
        Err(e) => {
            let _ = detach(&mount_point);
            return Err(e);
        }
    };
    cache.connect(KernelLink {
        channel: channel.clone(),
    });
    let fs = Arc::new(fs);
    let queue_stats = pool.as_ref().map(|p| p.stats());
    let started = match pool {
        Some(pool) if negotiated.io_uring => {
            let queues = pool.queues();
            // FORGET and INTERRUPT still come by /dev/fuse: one thread there.
            server::spawn(fs.clone(), channel.clone(), 1).map(|mut w| {
                w.extend(pool.serve(fs, channel));
                (w, Transport::IoUring { queues })
            })
        }
        pool => {
            if let Some(pool) = pool {
                pool.stop();
                why = Some("the kernel did not offer it at INIT".into());
            }
            let threads = opts.threads.max(1);
            if mode == Mode::On {
                Err(io::Error::other(format!(
                    "--io-uring on: the kernel did not offer FUSE over io_uring; {HOW_TO_ENABLE}"
                )))
            } else {
                server::spawn(fs, channel, threads)
                    .map(|w| (w, Transport::DevFuse { threads, why }))
            }
        }
    };
    let (workers, transport) = match started {
        Ok(s) => s,
        Err(e) => {
            let _ = detach(&mount_point);
            return Err(e);
        }
    };
    Ok(Mount {
        workers,
        mount_point,
        cache,
        entry_ttl: opts.entry_ttl,
        machine,
        how,
        transport,
        queue_stats: queue_stats.filter(|_| negotiated.io_uring),
    })
}

#[cfg(target_os = "linux")]
type Pool = uring::Pool<NtFs>;

/// The io_uring queues to offer at INIT, or None (with why not, when auto
/// tried) for /dev/fuse; an error when `--io-uring on` cannot have them.
#[cfg(target_os = "linux")]
fn prepare_uring(mode: Mode) -> io::Result<(Option<Pool>, Option<String>)> {
    if mode == Mode::Off {
        return Ok((None, None));
    }
    let refused = match uring::kernel_refusal() {
        None => match uring::Pool::start() {
            Ok(pool) => return Ok((Some(pool), None)),
            Err(e) => e.to_string(),
        },
        Some(why) => why,
    };
    if mode == Mode::On {
        return Err(io::Error::other(format!(
            "--io-uring on: {refused}; {HOW_TO_ENABLE}"
        )));
    }
    Ok((None, Some(refused)))
}

/// FreeBSD and macOS have no FUSE over io_uring: never a queue pool.
#[cfg(not(target_os = "linux"))]
enum Pool {}

#[cfg(not(target_os = "linux"))]
impl Pool {
    fn queues(&self) -> usize {
        match *self {}
    }
    fn stats(&self) -> Arc<[QueueStats]> {
        match *self {}
    }
    fn serve(self, _: Arc<NtFs>, _: Arc<Channel>) -> Vec<JoinHandle<io::Result<()>>> {
        match self {}
    }
    fn stop(self) {
        match self {}
    }
}

/// `--io-uring on` is refused here; auto and off mean /dev/fuse.
#[cfg(not(target_os = "linux"))]
fn prepare_uring(mode: Mode) -> io::Result<(Option<Pool>, Option<String>)> {
    if mode == Mode::On {
        return Err(io::Error::other(
            "--io-uring on: FUSE over io_uring is Linux's (6.14 or newer)",
        ));
    }
    Ok((None, None))
}

fn unsafe_free_geteuid() -> u32 {
    // SAFETY: geteuid has no preconditions and cannot fail.
    unsafe { libc::geteuid() }
}

/// How the mount keeps the kernel's name cache right (for tests and reports).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CacheStats {
    pub epochs: u64,
    /// Names that appeared while another spelling of theirs was cached as a
    /// miss (each bumped the epoch).
    pub stale_misses: u64,
    /// The entry TTL in force: the configured one, or zero without the epoch.
    pub entry_ttl: Duration,
}

impl Mount {
    pub fn mount_point(&self) -> &Path {
        &self.mount_point
    }

    /// How it was mounted (for the start message).
    pub fn how(&self) -> Mounted {
        self.how
    }

    /// How requests reach the file system (for the start message).
    pub fn transport(&self) -> &Transport {
        &self.transport
    }

    /// With io_uring, per queue (= CPU): the requests it served, and how many
    /// of them its worker answered on another CPU. Empty on /dev/fuse.
    pub fn queue_counts(&self) -> Vec<(u64, u64)> {
        self.queue_stats.as_deref().map_or(Vec::new(), |s| {
            s.iter()
                .map(|q| {
                    (
                        q.served.load(Ordering::Relaxed),
                        q.elsewhere.load(Ordering::Relaxed),
                    )
                })
                .collect()
        })
    }

    pub fn cache_stats(&self) -> CacheStats {
        CacheStats {
            epochs: self.cache.epochs.load(Ordering::Relaxed),
            stale_misses: self.cache.stale_misses.load(Ordering::Relaxed),
            entry_ttl: self.cache.entry_ttl(self.entry_ttl),
        }
    }

    /// True once the session has ended (unmounted from outside).
    pub fn is_finished(&self) -> bool {
        self.workers.iter().all(JoinHandle::is_finished)
    }

    /// Unmounts and waits for the session threads to end.
    pub fn unmount(mut self) -> io::Result<()> {
        self.unmount_inner()
    }

    fn unmount_inner(&mut self) -> io::Result<()> {
        if self.workers.is_empty() {
            return Ok(());
        }
        if !self.is_finished() {
            unmount_path(&self.mount_point)?;
        }
        let mut result = Ok(());
        for w in self.workers.drain(..) {
            let r = w
                .join()
                .unwrap_or_else(|_| Err(io::Error::other("a FUSE worker panicked")));
            result = result.and(r);
        }
        result
    }

    /// Blocks until SIGINT or SIGTERM arrives (then unmounts) or the file system is
    /// unmounted from outside, giving freed file data back to the system as it
    /// goes. Call `block_termination_signals` before `mount`, so that no session
    /// thread takes the signal instead.
    pub fn run_until_signal(mut self) -> io::Result<Option<i32>> {
        let mut trimmer = Trimmer::default();
        let (tx, rx) = mpsc::channel();
        std::thread::Builder::new()
            .name("ntlinkfs-signals".into())
            .spawn(move || {
                let _ = tx.send(wait_signal());
            })?;
        loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(sig) => {
                    self.unmount_inner()?;
                    return Ok(Some(sig));
                }
                Err(mpsc::RecvTimeoutError::Timeout) if self.is_finished() => {
                    self.unmount_inner()?;
                    return Ok(None);
                }
                Err(_) => {
                    trimmer.observe(self.machine.read().memory_used());
                }
            }
        }
    }
}

impl Drop for Mount {
    fn drop(&mut self) {
        let _ = self.unmount_inner();
    }
}

fn termination_set() -> libc::sigset_t {
    // SAFETY: sigemptyset/sigaddset initialise and fill a local set.
    unsafe {
        let mut set: libc::sigset_t = std::mem::zeroed();
        libc::sigemptyset(&mut set);
        libc::sigaddset(&mut set, libc::SIGINT);
        libc::sigaddset(&mut set, libc::SIGTERM);
        libc::sigaddset(&mut set, libc::SIGHUP);
        set
    }
}

/// Blocks SIGINT, SIGTERM and SIGHUP in this thread and the threads it starts
/// afterwards, so that `run_until_signal` receives them with sigwait.
pub fn block_termination_signals() {
    let set = termination_set();
    // SAFETY: `set` is initialised; a null old-set pointer is allowed.
    unsafe {
        libc::pthread_sigmask(libc::SIG_BLOCK, &set, std::ptr::null_mut());
    }
}

fn wait_signal() -> i32 {
    let set = termination_set();
    let mut sig = 0;
    // SAFETY: `set` is initialised and `sig` is a valid out pointer.
    unsafe {
        libc::sigwait(&set, &mut sig);
    }
    sig
}

#[cfg(all(test, target_os = "linux"))]
mod tests {
    use super::*;

    #[test]
    fn mounts_escapes_are_decoded() {
        assert_eq!(unescape(r"/tmp/a\040b"), b"/tmp/a b");
        assert_eq!(unescape("/plain"), b"/plain");
    }
}
