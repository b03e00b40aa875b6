//! The FUSE-over-io_uring transport (Linux 6.14+, kernel docs
//! "FUSE-over-io-uring design documentation"): one queue per possible CPU, a
//! request goes to the queue of the CPU that sent it, and each queue is served
//! by one worker thread pinned to that CPU, so a request is answered where it
//! was made, without waking another CPU. Each queue has a few ring entries:
//! a 288-byte header buffer and a payload buffer handed to the kernel with
//! REGISTER; the kernel fills an entry with a request and completes the
//! command; the worker answers, and COMMIT_AND_FETCH hands the reply back and
//! the entry out again in one submission.
//!
//! INIT, FORGET, INTERRUPT and notifications stay on /dev/fuse (the kernel
//! sends forgets and interrupts there, and takes notifications only there),
//! so a /dev/fuse worker runs beside the queues.
//!
//! The rings and buffers are made before INIT ([`Pool::start`]): only when
//! every queue has its ring does INIT ask for io_uring, since the kernel,
//! once it agreed, holds every request until all queues are registered.

use super::abi::{self, bytes_of};
use super::channel::Channel;
use super::request;
use super::server::{answer, refuse, Filesystem, Sender};
pub use super::uring_mode::{QueueStats, HOW_TO_ENABLE};
use io_uring::{opcode, squeue, types, IoUring};
use parking_lot::Mutex;
use std::io;
use std::os::fd::AsRawFd;
use std::sync::atomic::Ordering;
use std::sync::mpsc;
use std::sync::Arc;
use std::thread::JoinHandle;

/// Ring entries per queue. Two let the kernel fill the next request while
/// the worker answers one; the worker serves them in turn.
const ENTRIES_PER_QUEUE: usize = 2;

/// The kernel's payload buffer minimum: max(max_write, max_pages * page,
/// FUSE_MIN_READ_BUFFER), all 1 MiB or less with what INIT settles.
const PAYLOAD_SIZE: usize = super::server::MAX_WRITE as usize;

/// The kernel setting that turns FUSE over io_uring on.
pub const ENABLE_PARAMETER: &str = "/sys/module/fuse/parameters/enable_uring";

/// Why this kernel does not offer FUSE over io_uring, or None when it does.
pub fn kernel_refusal() -> Option<String> {
    match std::fs::read_to_string(ENABLE_PARAMETER) {
        Ok(v) if v.trim() == "Y" || v.trim() == "1" => None,
        Ok(_) => Some(format!(
            "FUSE over io_uring is switched off ({ENABLE_PARAMETER} is N)"
        )),
        Err(_) => Some(format!(
            "this kernel has no FUSE over io_uring ({ENABLE_PARAMETER} is missing)"
        )),
    }
}

/// The queue count the kernel expects: one per possible CPU
/// (num_possible_cpus), all of which must be registered.
pub fn possible_cpus() -> usize {
    std::fs::read_to_string("/sys/devices/system/cpu/possible")
        .ok()
        .and_then(|s| count_cpu_list(s.trim()))
        .unwrap_or_else(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// The number of CPUs in a kernel CPU list such as `0-3,5`.
fn count_cpu_list(s: &str) -> Option<usize> {
    let mut n = 0;
    for part in s.split(',') {
        n += match part.split_once('-') {
            Some((a, b)) => {
                let (a, b) = (a.parse::<usize>().ok()?, b.parse::<usize>().ok()?);
                b.checked_sub(a)? + 1
            }
            None => {
                part.parse::<usize>().ok()?;
                1
            }
        };
    }
    (n > 0).then_some(n)
}

/// Pins the calling thread to `cpu`; false when that CPU is not ours to use
/// (offline, or outside the process's allowed set).
fn pin_to(cpu: usize) -> bool {
    // SAFETY: a zeroed cpu_set_t is an empty set; CPU_SET stays within it for
    // cpu < CPU_SETSIZE (checked); sched_setaffinity reads the set it is given.
    unsafe {
        if cpu >= libc::CPU_SETSIZE as usize {
            return false;
        }
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

/// One ring entry's buffers, lent to the kernel while a command on it is in
/// flight: raw allocations, touched only while the entry is in userspace
/// (after its completion, before the next command on it).
struct Ent {
    header: *mut abi::UringReqHeader,
    payload: *mut u8,
    /// iov[0] = header, iov[1] = payload: what REGISTER points the kernel at.
    iov: Box<[libc::iovec; 2]>,
}

impl Ent {
    fn new() -> Ent {
        let header = Box::into_raw(Box::<abi::UringReqHeader>::default());
        let payload = Box::into_raw(vec![0u8; PAYLOAD_SIZE].into_boxed_slice()).cast::<u8>();
        let iov = Box::new([
            libc::iovec {
                iov_base: header.cast(),
                iov_len: std::mem::size_of::<abi::UringReqHeader>(),
            },
            libc::iovec {
                iov_base: payload.cast(),
                iov_len: PAYLOAD_SIZE,
            },
        ]);
        Ent {
            header,
            payload,
            iov,
        }
    }

    /// Frees the buffers. Only once the kernel has given the entry back for
    /// good (or never had it).
    fn free(self) {
        // SAFETY: both were made by Box::into_raw in `new` with these types
        // and sizes, and are freed once.
        unsafe {
            drop(Box::from_raw(self.header));
            drop(Box::from_raw(std::ptr::slice_from_raw_parts_mut(
                self.payload,
                PAYLOAD_SIZE,
            )));
        }
    }
}

/// The answer a handler gave, kept until the handler has returned (the
/// request it read lies in the same payload buffer the reply goes to).
#[derive(Default)]
struct Pending {
    sent: bool,
    unique: u64,
    errno: i32,
    data: Vec<u8>,
}

#[derive(Default)]
struct RingReply(Mutex<Pending>);

impl Sender for RingReply {
    fn send(&self, unique: u64, errno: i32, payload: &[&[u8]]) -> io::Result<()> {
        let mut p = self.0.lock();
        p.sent = true;
        p.unique = unique;
        p.errno = errno;
        p.data.clear();
        if errno == 0 {
            for part in payload {
                p.data.extend_from_slice(part);
            }
        }
        Ok(())
    }
}

/// What the main thread tells a prepared queue after INIT.
enum Go<F> {
    Serve(Arc<F>, Arc<Channel>),
    Stop,
}

/// A prepared queue: its worker thread, pinned, with its ring and buffers.
struct Prepared<F> {
    thread: JoinHandle<io::Result<()>>,
    go: mpsc::Sender<Go<F>>,
}

/// The queues, made before INIT.
pub struct Pool<F> {
    queues: Vec<Prepared<F>>,
    stats: Arc<[QueueStats]>,
}

impl<F: Filesystem> Pool<F> {
    /// Starts one worker per possible CPU, each pinned to its CPU with its
    /// ring and entries made; fails (stopping them) when any cannot.
    pub fn start() -> io::Result<Pool<F>> {
        let n = possible_cpus();
        let (ready_tx, ready_rx) = mpsc::channel::<io::Result<()>>();
        let stats: Arc<[QueueStats]> = (0..n).map(|_| QueueStats::default()).collect();
        let mut pool = Pool {
            queues: Vec::new(),
            stats: stats.clone(),
        };
        for qid in 0..n {
            let (go, go_rx) = mpsc::channel();
            let ready = ready_tx.clone();
            let stats = stats.clone();
            let thread = std::thread::Builder::new()
                .name(format!("ntlinkfs-uring-{qid}"))
                .spawn(move || queue_worker(qid, ready, go_rx, stats))?;
            pool.queues.push(Prepared { thread, go });
        }
        drop(ready_tx);
        for _ in 0..n {
            let r = ready_rx
                .recv()
                .unwrap_or_else(|_| Err(io::Error::other("a ring worker ended early")));
            if let Err(e) = r {
                pool.stop();
                return Err(e);
            }
        }
        Ok(pool)
    }

    /// The number of queues (one per possible CPU).
    pub fn queues(&self) -> usize {
        self.queues.len()
    }

    /// Each queue's counts, index = queue = CPU.
    pub fn stats(&self) -> Arc<[QueueStats]> {
        self.stats.clone()
    }

    /// Registers every queue's entries and serves requests from them.
    pub fn serve(self, fs: Arc<F>, ch: Arc<Channel>) -> Vec<JoinHandle<io::Result<()>>> {
        self.queues
            .into_iter()
            .map(|q| {
                let _ = q.go.send(Go::Serve(fs.clone(), ch.clone()));
                q.thread
            })
            .collect()
    }

    /// Ends the prepared workers unused (INIT did not take io_uring).
    pub fn stop(self) {
        for q in &self.queues {
            let _ = q.go.send(Go::Stop);
        }
        for q in self.queues {
            let _ = q.thread.join();
        }
    }
}

type Ring = IoUring<squeue::Entry128>;

fn new_ring() -> io::Result<Ring> {
    // The queue's requests are copied in by task work that runs when its one
    // worker waits for completions (DEFER_TASKRUN): no interrupting it.
    let entries = (ENTRIES_PER_QUEUE * 2).next_power_of_two() as u32;
    IoUring::builder()
        .setup_single_issuer()
        .setup_defer_taskrun()
        .build(entries)
        .or_else(|_| IoUring::builder().build(entries))
}

/// One queue: pin, make the ring and entries, report ready, wait for INIT's
/// outcome, then register and serve until the connection ends.
fn queue_worker<F: Filesystem>(
    qid: usize,
    ready: mpsc::Sender<io::Result<()>>,
    go: mpsc::Receiver<Go<F>>,
    stats: Arc<[QueueStats]>,
) -> io::Result<()> {
    // A CPU we may not run on still needs its queue registered; its worker
    // then runs wherever the scheduler puts it.
    pin_to(qid);
    let ring = match new_ring() {
        Ok(r) => r,
        Err(e) => {
            let e = io::Error::new(e.kind(), format!("cannot set up an io_uring: {e}"));
            let _ = ready.send(Err(io::Error::new(e.kind(), e.to_string())));
            return Err(e);
        }
    };
    let ents: Vec<Ent> = (0..ENTRIES_PER_QUEUE).map(|_| Ent::new()).collect();
    let _ = ready.send(Ok(()));
    drop(ready);
    let (fs, ch) = match go.recv() {
        Ok(Go::Serve(fs, ch)) => (fs, ch),
        Ok(Go::Stop) | Err(_) => {
            drop(ring);
            ents.into_iter().for_each(Ent::free);
            return Ok(());
        }
    };
    let mut q = Queue {
        ring,
        ents,
        qid: qid as u16,
        fd: ch.as_raw_fd(),
        lent: 0,
        stats,
    };
    let r = q.serve(&*fs);
    q.close();
    r
}

struct Queue {
    ring: Ring,
    ents: Vec<Ent>,
    qid: u16,
    fd: i32,
    /// Entries with a command in flight (the kernel may write their buffers).
    lent: usize,
    stats: Arc<[QueueStats]>,
}

impl Queue {
    /// The SQE of `cmd` for entry `i`: IORING_OP_URING_CMD on /dev/fuse with
    /// fuse_uring_cmd_req in its command area, the entry's iovecs at addr.
    fn sqe(&self, i: usize, cmd: u32, commit_id: u64) -> squeue::Entry128 {
        let req = abi::UringCmdReq {
            commit_id,
            qid: self.qid,
            ..Default::default()
        };
        let mut area = [0u8; 80];
        area[..std::mem::size_of::<abi::UringCmdReq>()].copy_from_slice(bytes_of(&req));
        let e = opcode::UringCmd80::new(types::Fd(self.fd), cmd)
            .cmd(area)
            .addr(Some(self.ents[i].iov.as_ptr() as u64))
            .build()
            .user_data(i as u64);
        with_iov_count(e, 2)
    }

    fn push(&mut self, e: squeue::Entry128) -> io::Result<()> {
        // SAFETY: the entry's iovecs and buffers live until the kernel has
        // given the entry back (`close` frees them only then, or leaks them).
        let r = unsafe { self.ring.submission().push(&e) };
        if r.is_err() {
            // The ring has room for every entry's one command; never full.
            self.ring.submit()?;
            // SAFETY: as above.
            unsafe { self.ring.submission().push(&e) }
                .map_err(|_| io::Error::other("io_uring submission queue full"))?;
        }
        self.lent += 1;
        Ok(())
    }

    fn serve<F: Filesystem>(&mut self, fs: &F) -> io::Result<()> {
        for i in 0..self.ents.len() {
            let e = self.sqe(i, abi::URING_CMD_REGISTER, 0);
            self.push(e)?;
        }
        let reply = RingReply::default();
        let mut done: Vec<(usize, i32)> = Vec::with_capacity(self.ents.len());
        // REGISTERs the kernel asked to try again (EAGAIN: INIT not settled
        // yet), bounded so that a kernel that keeps refusing ends the queue.
        let mut retries = 0;
        while self.lent > 0 {
            match self.ring.submit_and_wait(1) {
                Ok(_) => {}
                Err(e) if e.raw_os_error() == Some(libc::EINTR) => continue,
                Err(e) => return Err(e),
            }
            done.clear();
            done.extend(
                self.ring
                    .completion()
                    .map(|c| (c.user_data() as usize, c.result())),
            );
            for &(i, res) in &done {
                self.lent -= 1;
                if res == -libc::EAGAIN && retries < 1000 {
                    retries += 1;
                    std::thread::sleep(std::time::Duration::from_millis(1));
                    let e = self.sqe(i, abi::URING_CMD_REGISTER, 0);
                    self.push(e)?;
                    continue;
                }
                if res < 0 {
                    match -res {
                        // The connection ended (unmount, abort): this
                        // entry is back for good.
                        libc::ENOTCONN | libc::ECANCELED | libc::ECONNABORTED => continue,
                        errno => {
                            let e = io::Error::from_raw_os_error(errno);
                            return Err(io::Error::new(
                                e.kind(),
                                format!("FUSE io_uring queue {}: {e}", self.qid),
                            ));
                        }
                    }
                }
                let commit_id = self.answer(fs, i, &reply);
                self.count();
                let e = self.sqe(i, abi::URING_CMD_COMMIT_AND_FETCH, commit_id);
                self.push(e)?;
            }
        }
        Ok(())
    }

    fn count(&self) {
        let s = &self.stats[usize::from(self.qid)];
        s.served.fetch_add(1, Ordering::Relaxed);
        // SAFETY: sched_getcpu has no preconditions.
        if unsafe { libc::sched_getcpu() } != i32::from(self.qid) {
            s.elsewhere.fetch_add(1, Ordering::Relaxed);
        }
    }

    /// Answers the request in entry `i` and writes the reply into it;
    /// returns the commit id to hand it back with.
    fn answer<F: Filesystem>(&mut self, fs: &F, i: usize, reply: &RingReply) -> u64 {
        let ent = &self.ents[i];
        // SAFETY: the kernel completed this entry's command: the buffers are
        // ours until the next command on it, and hold a request.
        let (header, payload) = unsafe {
            (
                &mut *ent.header,
                std::slice::from_raw_parts_mut(ent.payload, PAYLOAD_SIZE),
            )
        };
        let commit_id = header.ent_in_out.commit_id;
        let len = (header.ent_in_out.payload_sz as usize).min(PAYLOAD_SIZE);
        let in_header = abi::read::<abi::InHeader>(&header.in_out).unwrap_or_default();
        {
            match request::parse_ring(&header.in_out, &header.op_in, &payload[..len]) {
                Ok((req, op)) => answer(fs, reply, req, op),
                Err(e) => refuse(reply, e, len),
            }
        }
        let mut p = reply.0.lock();
        if !p.sent || p.unique != in_header.unique {
            // FORGET and INTERRUPT have no answer and never come this way;
            // the kernel still waits for one, so it gets EIO.
            p.unique = in_header.unique;
            p.errno = libc::EIO;
            p.data.clear();
        }
        if p.data.len() > PAYLOAD_SIZE {
            p.errno = libc::EIO;
            p.data.clear();
        }
        payload[..p.data.len()].copy_from_slice(&p.data);
        let out = abi::OutHeader {
            len: (std::mem::size_of::<abi::OutHeader>() + p.data.len()) as u32,
            error: -p.errno,
            unique: p.unique,
        };
        header.in_out[..std::mem::size_of::<abi::OutHeader>()].copy_from_slice(bytes_of(&out));
        header.ent_in_out.payload_sz = p.data.len() as u32;
        p.sent = false;
        commit_id
    }

    /// Closes the ring, then frees the buffers if the kernel gave every entry
    /// back; otherwise they are left allocated (the kernel may still write
    /// them until it notices the ring is gone).
    fn close(self) {
        let Queue {
            ring, ents, lent, ..
        } = self;
        drop(ring);
        if lent == 0 {
            ents.into_iter().for_each(Ent::free);
        }
    }
}

/// Sets the SQE's `len` (the iovec count, FUSE_URING_IOV_SEGS = 2), which the
/// io-uring crate's UringCmd80 builder does not expose.
fn with_iov_count(mut e: squeue::Entry128, n: u32) -> squeue::Entry128 {
    // struct io_uring_sqe: opcode u8, flags u8, ioprio u16, fd i32, off u64,
    // addr u64, then len u32 at byte 24. Entry128 is repr(C): the 64-byte
    // io_uring_sqe, then the 64 bytes of the big SQE's second half.
    const LEN_OFFSET: usize = 24;
    const _: () = assert!(std::mem::size_of::<squeue::Entry128>() == 128);
    // SAFETY: Entry128 is a repr(C) 128-byte plain-data struct; bytes 24..28
    // are the sqe's len field, written unaligned-safe.
    unsafe {
        let p = (&mut e as *mut squeue::Entry128).cast::<u8>();
        p.add(LEN_OFFSET).cast::<u32>().write_unaligned(n);
    }
    e
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cpu_lists_count_their_cpus() {
        for (list, n) in [
            ("0", Some(1)),
            ("0-1", Some(2)),
            ("0-3,5", Some(5)),
            ("0-3,8-11", Some(8)),
            ("", None),
            ("3-1", None),
            ("x", None),
        ] {
            assert_eq!(count_cpu_list(list), n, "{list:?}");
        }
    }

    /// The SQE carries the command, the queue and the iovec count where the
    /// kernel reads them (fuse_uring_cmd, fuse_uring_get_iovec_from_sqe).
    #[test]
    fn commands_are_laid_out_as_the_kernel_reads_them() {
        let req = abi::UringCmdReq {
            commit_id: 0x1122,
            qid: 3,
            ..Default::default()
        };
        let mut area = [0u8; 80];
        area[..24].copy_from_slice(bytes_of(&req));
        let e = opcode::UringCmd80::new(types::Fd(7), abi::URING_CMD_COMMIT_AND_FETCH)
            .cmd(area)
            .addr(Some(0xdead_beef))
            .build();
        let e = with_iov_count(e, 2);
        // SAFETY: Entry128 is 128 bytes of plain data (asserted above).
        let b: [u8; 128] = unsafe { std::mem::transmute(e) };
        assert_eq!(b[0], 46, "IORING_OP_URING_CMD");
        assert_eq!(i32::from_ne_bytes(b[4..8].try_into().unwrap()), 7, "fd");
        assert_eq!(
            u32::from_ne_bytes(b[8..12].try_into().unwrap()),
            abi::URING_CMD_COMMIT_AND_FETCH,
            "cmd_op"
        );
        assert_eq!(
            u64::from_ne_bytes(b[16..24].try_into().unwrap()),
            0xdead_beef
        );
        assert_eq!(u32::from_ne_bytes(b[24..28].try_into().unwrap()), 2, "len");
        // The command area starts at byte 48.
        assert_eq!(u64::from_ne_bytes(b[56..64].try_into().unwrap()), 0x1122);
        assert_eq!(u16::from_ne_bytes(b[64..66].try_into().unwrap()), 3, "qid");
    }
}
