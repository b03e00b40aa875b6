//! Serving a connection: the INIT handshake, then worker threads that each
//! read a request, hand it to the file system and send its reply. FORGET,
//! BATCH_FORGET, INTERRUPT and DESTROY are handled here; everything else goes
//! to [`Filesystem::handle`], which answers through a [`Reply`].

use super::abi;
use super::channel::Channel;
use super::request::{self, InitIn, Operation, ParseError, Request};
use std::io;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::Arc;
use std::thread::JoinHandle;

/// The largest write the kernel may send: 1 MiB, the kernel's default limit
/// of 256 pages of 4 KiB.
pub const MAX_WRITE: u32 = 1 << 20;

/// Requests are at most a write plus its headers; one page more covers them.
const BUFFER_SIZE: usize = MAX_WRITE as usize + 4096;

/// What INIT asks for: parallel reads, writes larger than a page, READDIRPLUS
/// (implemented by the file system), set-id clearing done by the file system
/// (HANDLE_KILLPRIV_V2: no GETXATTR per write(2)), max_pages and the extended
/// flags.
const WANTED: u32 = abi::FUSE_ASYNC_READ
    | abi::FUSE_BIG_WRITES
    | abi::FUSE_DO_READDIRPLUS
    | abi::FUSE_HANDLE_KILLPRIV_V2
    | abi::FUSE_MAX_PAGES
    | abi::FUSE_INIT_EXT;

/// A file system served by this transport.
pub trait Filesystem: Send + Sync + 'static {
    /// Answers one request (exactly one reply through `reply`; a reply dropped
    /// unsent answers EIO).
    fn handle(&self, req: &Request, op: Operation<'_>, reply: Reply<'_>);
    /// The kernel dropped `nlookup` references to `nodeid`.
    fn forget(&self, nodeid: u64, nlookup: u64);
}

/// Where replies go: /dev/fuse, or another transport (or a test's recorder).
pub trait Sender: Sync {
    /// Sends the answer to request `unique`: `errno` 0 with `payload`, or an errno.
    fn send(&self, unique: u64, errno: i32, payload: &[&[u8]]) -> io::Result<()>;
}

impl Sender for Channel {
    fn send(&self, unique: u64, errno: i32, payload: &[&[u8]]) -> io::Result<()> {
        if errno == 0 {
            self.reply(unique, payload)
        } else {
            self.reply_error(unique, errno)
        }
    }
}

/// The one answer to a request.
pub struct Reply<'a> {
    to: &'a dyn Sender,
    unique: u64,
    sent: bool,
}

impl<'a> Reply<'a> {
    pub fn new(to: &'a dyn Sender, unique: u64) -> Reply<'a> {
        Reply {
            to,
            unique,
            sent: false,
        }
    }

    pub fn ok(mut self, payload: &[&[u8]]) {
        self.sent = true;
        report(self.to.send(self.unique, 0, payload));
    }

    pub fn error(mut self, errno: i32) {
        self.sent = true;
        report(self.to.send(self.unique, errno, &[]));
    }
}

impl Drop for Reply<'_> {
    fn drop(&mut self) {
        if !self.sent {
            report(self.to.send(self.unique, libc::EIO, &[]));
        }
    }
}

/// A failed reply write. ENOENT means the request was interrupted and is gone
/// (normal); anything else is logged.
fn report(r: io::Result<()>) {
    if let Err(e) = r {
        if e.raw_os_error() != Some(libc::ENOENT) {
            eprintln!("ntlinkfs: reply to the kernel failed: {e}");
        }
    }
}

/// What INIT settled.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Negotiated {
    pub minor: u32,
    pub flags: u32,
    pub max_write: u32,
    /// The kernel offered FUSE over io_uring, we asked for it, so requests
    /// come through the ring once its queues are registered.
    pub io_uring: bool,
    /// The kernel offered FUSE over io_uring (whether or not we took it).
    pub io_uring_offered: bool,
}

/// The INIT answer for the kernel's offer, or the errno to refuse it with.
/// `want_uring`: ask for FUSE over io_uring when the kernel offers it.
pub fn negotiate(i: &InitIn, want_uring: bool) -> Result<(abi::InitOut, Negotiated), i32> {
    if i.major != abi::KERNEL_VERSION || i.minor < abi::MIN_MINOR_VERSION {
        return Err(libc::EPROTO);
    }
    let flags = WANTED & i.flags as u32;
    let offered = i.flags as u32 & abi::FUSE_INIT_EXT != 0
        && (i.flags >> 32) as u32 & abi::FUSE_OVER_IO_URING_FLAGS2 != 0;
    let io_uring = want_uring && offered;
    let flags2 = if io_uring {
        abi::FUSE_OVER_IO_URING_FLAGS2
    } else {
        0
    };
    let page = page_size();
    let out = abi::InitOut {
        major: abi::KERNEL_VERSION,
        minor: abi::KERNEL_MINOR_VERSION,
        max_readahead: i.max_readahead,
        flags,
        max_background: 16,
        congestion_threshold: 12,
        max_write: MAX_WRITE,
        time_gran: 1,
        max_pages: (MAX_WRITE / page).max(1) as u16,
        flags2,
        ..Default::default()
    };
    let n = Negotiated {
        minor: i.minor.min(abi::KERNEL_MINOR_VERSION),
        flags,
        max_write: MAX_WRITE,
        io_uring,
        io_uring_offered: offered,
    };
    Ok((out, n))
}

fn page_size() -> u32 {
    // SAFETY: sysconf has no preconditions.
    let p = unsafe { libc::sysconf(libc::_SC_PAGESIZE) };
    if p > 0 {
        p as u32
    } else {
        4096
    }
}

/// Reads and answers the kernel's INIT (the first request after mount),
/// asking for FUSE over io_uring when `want_uring` and the kernel offers it.
pub fn init(ch: &Channel, want_uring: bool) -> io::Result<Negotiated> {
    let mut buf = vec![0u8; BUFFER_SIZE];
    loop {
        let n = match ch.receive(&mut buf) {
            Err(e)
                if matches!(
                    e.raw_os_error(),
                    Some(libc::EINTR | libc::EAGAIN | libc::ENOENT)
                ) =>
            {
                continue
            }
            r => r?,
        };
        match request::parse(&buf[..n]) {
            Ok((req, Operation::Init(i))) => {
                return match negotiate(&i, want_uring) {
                    Ok((out, n)) => {
                        ch.reply(req.unique, &[abi::bytes_of(&out)])?;
                        Ok(n)
                    }
                    Err(errno) => {
                        ch.reply_error(req.unique, errno)?;
                        Err(io::Error::other(format!(
                            "the kernel speaks FUSE {}.{}; ntlinkfs needs 7.{} or newer",
                            i.major,
                            i.minor,
                            abi::MIN_MINOR_VERSION
                        )))
                    }
                };
            }
            // Nothing but INIT comes before INIT; refuse anything else.
            Ok((req, _)) | Err(ParseError::Arguments(req)) => {
                ch.reply_error(req.unique, libc::EIO)?
            }
            Err(ParseError::Header) => return Err(io::Error::other("malformed FUSE INIT request")),
        }
    }
}

/// Starts `threads` workers serving `fs` on `ch` (after `init`).
pub fn spawn<F: Filesystem>(
    fs: Arc<F>,
    ch: Arc<Channel>,
    threads: usize,
) -> io::Result<Vec<JoinHandle<io::Result<()>>>> {
    (0..threads.max(1))
        .map(|i| {
            let (fs, ch) = (fs.clone(), ch.clone());
            std::thread::Builder::new()
                .name(format!("ntlinkfs-fuse-{i}"))
                .spawn(move || worker(&*fs, &ch))
        })
        .collect()
}

/// One worker: until the connection ends (ENODEV after unmount).
fn worker<F: Filesystem>(fs: &F, ch: &Channel) -> io::Result<()> {
    let mut buf = vec![0u8; BUFFER_SIZE];
    loop {
        let n = match ch.receive(&mut buf) {
            Ok(n) => n,
            Err(e) => match e.raw_os_error() {
                // Interrupted, or a request that was aborted before we read it.
                Some(libc::EINTR | libc::EAGAIN | libc::ENOENT) => continue,
                Some(libc::ENODEV) => return Ok(()),
                _ => return Err(e),
            },
        };
        serve_one(fs, ch, &buf[..n]);
    }
}

/// Parses and answers one request.
fn serve_one<F: Filesystem>(fs: &F, ch: &Channel, buf: &[u8]) {
    match request::parse(buf) {
        Ok((req, op)) => answer(fs, ch, req, op),
        Err(e) => refuse(ch, e, buf.len()),
    }
}

/// Answers a request that did not parse: EIO when it can be named, else
/// nothing (logged).
pub(crate) fn refuse(to: &dyn Sender, e: ParseError, len: usize) {
    match e {
        ParseError::Arguments(req) => report(to.send(req.unique, libc::EIO, &[])),
        ParseError::Header => {
            eprintln!("ntlinkfs: dropped a malformed FUSE request ({len} bytes)")
        }
    }
}

/// Answers one parsed request through `to`, whatever transport it came by.
pub(crate) fn answer<F: Filesystem>(fs: &F, to: &dyn Sender, req: Request, op: Operation<'_>) {
    match op {
        Operation::Forget { nlookup } => fs.forget(req.nodeid, nlookup),
        Operation::BatchForget(list) => {
            for (nodeid, nlookup) in list {
                fs.forget(nodeid, nlookup);
            }
        }
        // Every operation here finishes without waiting, so an interrupt has
        // nothing to cut short; the kernel allows ignoring it.
        Operation::Interrupt { .. } => {}
        Operation::Init(_) => report(to.send(req.unique, libc::EIO, &[])),
        Operation::Destroy => report(to.send(req.unique, 0, &[])),
        op => {
            let reply = Reply::new(to, req.unique);
            // A panic is logged; the unsent reply answers EIO as it unwinds,
            // and the worker lives on.
            let r = catch_unwind(AssertUnwindSafe(|| fs.handle(&req, op, reply)));
            if let Err(p) = r {
                let msg = p
                    .downcast_ref::<&str>()
                    .map(|s| s.to_string())
                    .or_else(|| p.downcast_ref::<String>().cloned())
                    .unwrap_or_default();
                eprintln!("ntlinkfs: handler panicked ({msg}); answered EIO");
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn init_takes_only_what_the_kernel_offers() {
        let offer = InitIn {
            major: 7,
            minor: 44,
            max_readahead: 131072,
            flags: u64::from(
                abi::FUSE_ASYNC_READ
                    | abi::FUSE_DO_READDIRPLUS
                    | abi::FUSE_HANDLE_KILLPRIV_V2
                    | (1 << 16),
            ),
        };
        let (out, n) = negotiate(&offer, true).unwrap();
        // Set-id clearing is ours (issue 17: no GETXATTR per write(2)).
        assert_eq!(
            out.flags,
            abi::FUSE_ASYNC_READ | abi::FUSE_DO_READDIRPLUS | abi::FUSE_HANDLE_KILLPRIV_V2
        );
        assert_eq!(
            (out.major, out.minor, out.max_readahead),
            (7, abi::KERNEL_MINOR_VERSION, 131072)
        );
        assert_eq!(
            (out.max_write, n.minor),
            (MAX_WRITE, abi::KERNEL_MINOR_VERSION)
        );
        assert!(out.max_pages >= 1);
    }

    #[test]
    fn init_refuses_old_or_foreign_protocols() {
        let old = InitIn {
            major: 7,
            minor: abi::MIN_MINOR_VERSION - 1,
            max_readahead: 0,
            flags: 0,
        };
        assert_eq!(negotiate(&old, false).unwrap_err(), libc::EPROTO);
        assert_eq!(
            negotiate(
                &InitIn {
                    major: 8,
                    minor: 40,
                    ..old
                },
                false
            )
            .unwrap_err(),
            libc::EPROTO
        );
    }
}
