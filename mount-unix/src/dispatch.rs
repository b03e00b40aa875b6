//! Request -> operation -> reply, independent of the transport: a parsed
//! [`Operation`] goes to the matching `NtFs::do_*` call (fs.rs), and its
//! result becomes the reply sent through whatever [`Sender`] the transport
//! gave (`/dev/fuse` today, fuse/server.rs). The one place an error becomes
//! an errno: [`posix_op`] says which POSIX operation a request is, and
//! `errno::for_op` maps the core's status for it (fsync alone fails with the
//! host's own error, writing the image's journal). It also hands out node ids:
//! a symbolic-link file's names each get their own (`node_ids`), so READLINK
//! and the link's size are computed from the name the kernel followed.
//!
//! [`Sender`]: crate::fuse::server::Sender

use crate::attr;
use crate::errno::for_op;
use crate::fs::{Caller, NtFs};
use crate::fuse::abi;
use crate::fuse::reply::{self as wire, DirBuf};
use crate::fuse::request::{INodeNo, Operation, Request};
use crate::fuse::server::{Filesystem, Reply};
use crate::fuse::{FileAttr, FileType};
use crate::inode_map;
use crate::node_ids;
use crate::reply::{Entry, Res};
use ntlinkfs_core::{FileInfo, NtError, PosixOp, SpecialKind};
use std::cell::RefCell;
use std::ffi::OsStr;
use std::os::unix::ffi::OsStrExt;

/// Flags of every file open. FLUSH would do nothing here (data lives in the
/// core and no POSIX locks are kept), so the kernel is told not to send it:
/// one round trip less per close (issue 7).
const FILE_OPEN: u32 = abi::FOPEN_NOFLUSH;

/// The open flags for an open with `flags` (open(2)'s). A write-only open
/// goes around the page cache (FOPEN_DIRECT_IO): its writes are sent to the
/// core as they are (still one WRITE per write(2), each answered before
/// write(2) returns, so ENOSPC and fsync mean what they did), without first
/// being copied into cache pages nobody reads through it (issue 17: 256 MiB
/// written at 1.7 GiB/s instead of 1.0). The kernel drops the pages other
/// opens cached over the range written. A write-only descriptor cannot be
/// mapped, so nothing maps what skips the cache.
fn open_flags(flags: i32, keep_cache: bool) -> u32 {
    let direct = if flags & libc::O_ACCMODE == libc::O_WRONLY {
        abi::FOPEN_DIRECT_IO
    } else {
        0
    };
    let keep = if keep_cache { abi::FOPEN_KEEP_CACHE } else { 0 };
    FILE_OPEN | direct | keep
}

/// The most entries one READDIR(PLUS) answer lists.
const READDIR_MAX: usize = 1024;

/// statfs's block size: the core's (NTFS's default cluster).
const STATFS_BLOCK: u32 = ntlinkfs_core::BLOCK_SIZE as u32;

thread_local! {
    /// Each worker's read buffer: reused, so a 1 MiB read does not allocate
    /// (and fault in) fresh memory every time.
    static READ_BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

/// The POSIX operation a request is, for its errno (`ntlinkfs_core::errno_for`).
pub(crate) fn posix_op(op: &Operation<'_>) -> PosixOp {
    use Operation as O;
    match op {
        O::Link { .. } => PosixOp::Link,
        O::Unlink { .. } => PosixOp::Unlink,
        O::Rmdir { .. } => PosixOp::Rmdir,
        O::Rename { .. } => PosixOp::Rename,
        O::Symlink { .. } => PosixOp::Symlink,
        O::Readlink => PosixOp::Readlink,
        O::Getxattr { .. } | O::Listxattr { .. } => PosixOp::Getxattr,
        O::Setxattr { .. } => PosixOp::Setxattr,
        O::Removexattr { .. } => PosixOp::Removexattr,
        O::Open { .. } | O::Opendir { .. } | O::Create { .. } => PosixOp::Open,
        // mknod of a regular file is an open(O_CREAT) (do_mknod).
        O::Mknod { mode, .. } if SpecialKind::of_mode(*mode).is_none() => PosixOp::Open,
        _ => PosixOp::Other,
    }
}

/// The errno a failed `op` answers with.
fn errno(op: PosixOp, e: NtError) -> i32 {
    for_op(op, e).code()
}

fn answer(reply: Reply<'_>, op: PosixOp, r: Res<Vec<u8>>) {
    match r {
        Ok(b) => reply.ok(&[&b]),
        Err(e) => reply.error(errno(op, e)),
    }
}

fn encoded(f: impl FnOnce(&mut Vec<u8>)) -> Vec<u8> {
    // The largest fixed reply (create: entry + open) is 144 bytes.
    let mut v = Vec::with_capacity(160);
    f(&mut v);
    v
}

impl NtFs {
    /// The node id the kernel gets for `name` in `parent` with this entry: a
    /// name id for a symbolic-link file (its size then measured from this
    /// name), the inode number for everything else. Counts one lookup.
    fn node_id_for(&self, parent: INodeNo, name: &OsStr, e: &mut Entry) -> u64 {
        let ino = e.attr.ino.0;
        if e.attr.kind != FileType::Symlink {
            self.held.gave(ino);
            return ino;
        }
        let (Some(node), Some(dir), Some(name)) = (
            inode_map::node_of(ino),
            self.parent_node(parent),
            // WTF-8, the exact units (N3): a surrogate name keeps its own id.
            ntlinkfs_core::wtf::from_wtf8(name.as_bytes()),
        ) else {
            return ino;
        };
        let m = self.m.read();
        // Junctions and directory symlinks are directories: they have one name.
        if m.info(node).map_or(true, |i| i.is_directory) {
            self.held.gave(ino);
            return ino;
        }
        if let Ok(t) = Self::link_text(&m, node, dir, self.cfg.confine) {
            e.attr.size = t.len() as u64;
            e.attr.blocks = e.attr.size.div_ceil(512);
        }
        self.nodes.name_id(dir, &name, node)
    }

    /// The core node of a FUSE parent id (a directory, so a plain inode number).
    fn parent_node(&self, parent: INodeNo) -> Option<ntlinkfs_core::NodeId> {
        inode_map::node_of(parent.0)
    }

    /// A link's size seen through the name id `ino`: its text from that name.
    fn fix_link_size(&self, ino: INodeNo, a: &mut FileAttr) {
        if let Some(n) = node_ids::is_name_id(ino.0)
            .then(|| self.nodes.resolve(ino.0))
            .flatten()
        {
            if let Ok(t) = Self::link_text(&self.m.read(), n.node, n.parent, self.cfg.confine) {
                a.size = t.len() as u64;
                a.blocks = a.size.div_ceil(512);
            }
        }
    }

    fn entry_reply(
        &self,
        reply: Reply<'_>,
        op: PosixOp,
        parent: INodeNo,
        name: &OsStr,
        r: Res<Entry>,
    ) {
        answer(
            reply,
            op,
            r.map(|mut e| {
                let nodeid = self.node_id_for(parent, name, &mut e);
                let out = wire::entry_out(
                    nodeid,
                    e.generation,
                    self.name_ttl(&e),
                    self.attr_ttl(&e.attr),
                    &e.attr,
                );
                encoded(|v| wire::entry(v, &out))
            }),
        )
    }

    fn attr_reply(&self, reply: Reply<'_>, op: PosixOp, ino: INodeNo, r: Res<FileAttr>) {
        answer(
            reply,
            op,
            r.map(|mut a| {
                self.fix_link_size(ino, &mut a);
                encoded(|v| wire::attr_out(v, self.attr_ttl(&a), &a))
            }),
        )
    }

    fn entry_ttl(&self) -> std::time::Duration {
        self.cache.entry_ttl(self.cfg.entry_ttl)
    }

    /// How long the kernel may keep the name of `e` (none: `Entry::cache_name`).
    fn name_ttl(&self, e: &Entry) -> std::time::Duration {
        if e.cache_name {
            self.entry_ttl()
        } else {
            std::time::Duration::ZERO
        }
    }

    /// How long the kernel may keep `a`. Never for a link: its readlink text,
    /// and so its st_size, is placed from the directory it is read through
    /// and from where its target is (readlink.rs), so a rename above it or of
    /// its target changes it without a request for the link itself.
    fn attr_ttl(&self, a: &FileAttr) -> std::time::Duration {
        if a.kind == FileType::Symlink {
            std::time::Duration::ZERO
        } else {
            self.cfg.attr_ttl
        }
    }

    #[allow(clippy::too_many_arguments)]
    fn readdir_reply(
        &self,
        reply: Reply<'_>,
        op: PosixOp,
        ino: INodeNo,
        fh: crate::fuse::FileHandle,
        offset: u64,
        size: u32,
        plus: bool,
    ) {
        // As many entries as the kernel's buffer can take (each record is at
        // least its header and 8 name bytes), so a directory usually takes one
        // call plus the empty one that ends it (issue 17); capped to bound the
        // time the machine's lock is held.
        let least = if plus { 160 } else { 32 };
        let limit = (size as usize / least).clamp(1, READDIR_MAX);
        // READDIRPLUS: attributes for the nodes the kernel does not hold from
        // a recent answer (held.rs), and always for a symbolic-link file (its
        // node id is per name) and a directory: listing a directory marks its
        // atime stale in the kernel, and opendir(3)'s fstat would then cost a
        // GETATTR at the next walk; a fresh entry from the parent's listing
        // clears that (one per directory, where a walk pays a round trip).
        let held = plus.then(|| self.held.fresh(self.entry_ttl() / 2));
        let with_attr = |i: &FileInfo| {
            held.as_ref().is_some_and(|held| match attr::kind_of(i) {
                FileType::Directory => true,
                FileType::Symlink if !i.is_directory => true,
                _ => !held.holds(inode_map::ino_of(i.id)),
            })
        };
        let entries = match self.dir_entries(ino, fh, offset, limit, with_attr) {
            Ok(e) => e,
            Err(e) => return reply.error(errno(op, e)),
        };
        let mut buf = DirBuf::new(size);
        for l in &entries.entries {
            let name = entries.name(l);
            let Some(mut e) = l.entry.clone() else {
                // A plain entry; in READDIRPLUS, node id 0 (no attributes).
                let fits = if plus {
                    buf.add_plain_plus(l.ino, l.off, l.kind, name)
                } else {
                    buf.add(l.ino, l.off, l.kind, name)
                };
                if !fits {
                    break;
                }
                continue;
            };
            if !buf.fits_plus(name.len()) {
                break;
            }
            let nodeid = self.node_id_for(ino, OsStr::from_bytes(name), &mut e);
            let out = wire::entry_out(
                nodeid,
                e.generation,
                self.name_ttl(&e),
                self.attr_ttl(&e.attr),
                &e.attr,
            );
            buf.add_plus(&out, l.off, e.attr.kind, name);
        }
        reply.ok(&[&buf.into_bytes()])
    }
}

impl Filesystem for NtFs {
    fn forget(&self, nodeid: u64, nlookup: u64) {
        if node_ids::is_name_id(nodeid) {
            self.nodes.forget(nodeid, nlookup);
        } else {
            self.held.forget(nodeid, nlookup);
        }
    }

    fn handle(&self, req: &Request, op: Operation<'_>, reply: Reply<'_>) {
        use Operation as O;
        let ino = INodeNo(req.nodeid);
        let p = posix_op(&op);
        let caller = Caller {
            uid: req.uid(),
            gid: req.gid(),
        };
        match op {
            O::Lookup { name } => match self.do_lookup(ino, name) {
                // A miss in a directory: a negative entry, kept as long as a
                // name (do_lookup remembered the spelling, dentry_cache).
                Err(NtError::ObjectNameNotFound)
                    if ino.0 != abi::ROOT_ID && !self.entry_ttl().is_zero() =>
                {
                    let ttl = self.entry_ttl();
                    let out = abi::EntryOut {
                        entry_valid: ttl.as_secs(),
                        entry_valid_nsec: ttl.subsec_nanos(),
                        ..Default::default() // node id 0: "no such name"
                    };
                    reply.ok(&[&encoded(|v| wire::entry(v, &out))])
                }
                r => self.entry_reply(reply, p, ino, name, r),
            },
            O::Getattr { .. } => self.attr_reply(reply, p, ino, self.do_getattr(ino)),
            O::Setattr(s) => {
                let r = self.do_setattr(ino, &s);
                if s.mode.is_some() {
                    // READONLY follows the owner write bit: the kernel must re-read.
                    self.cache.attributes_changed(ino.0);
                }
                self.attr_reply(reply, p, ino, r)
            }
            O::Readlink => {
                // Through a name id: from that name's directory; else its first name's.
                let parent = node_ids::is_name_id(ino.0)
                    .then(|| self.nodes.resolve(ino.0))
                    .flatten()
                    .map(|n| n.parent);
                answer(reply, p, self.do_readlink(ino, parent))
            }
            O::Symlink { name, target } => {
                let r = self.do_symlink(caller, ino, name, target);
                self.entry_reply(reply, p, ino, name, r)
            }
            O::Mknod {
                name,
                mode,
                umask,
                rdev,
            } => {
                let r = self.do_mknod(caller, ino, name, mode, umask, rdev);
                self.entry_reply(reply, p, ino, name, r)
            }
            O::Mkdir { name, mode, umask } => {
                let r = self.do_mkdir(caller, ino, name, mode, umask);
                self.entry_reply(reply, p, ino, name, r)
            }
            O::Unlink { name } => answer(reply, p, self.do_unlink(ino, name).map(|()| Vec::new())),
            O::Rmdir { name } => answer(reply, p, self.do_rmdir(ino, name).map(|()| Vec::new())),
            O::Rename {
                name,
                newparent,
                newname,
                flags,
            } => {
                let r = self.do_rename(ino, name, newparent, newname, flags);
                if r.is_ok() {
                    if let (Some(from), Some(to), Some(a), Some(b)) = (
                        self.parent_node(ino),
                        self.parent_node(newparent),
                        name.to_str(),
                        newname.to_str(),
                    ) {
                        self.nodes.renamed(from, a, to, b);
                    }
                }
                answer(reply, p, r.map(|()| Vec::new()))
            }
            O::Link { ino: file, newname } => {
                let r = self.do_link(file, ino, newname);
                self.entry_reply(reply, p, ino, newname, r)
            }
            O::Open { flags } => answer(
                reply,
                p,
                self.do_open(ino, flags, ntlinkfs_core::Want::File)
                    .map(|(fh, keep)| encoded(|v| wire::open(v, fh, open_flags(flags.0, keep)))),
            ),
            O::Read { fh, offset, size } => {
                READ_BUF.with_borrow_mut(|buf| match self.do_read(fh, offset, size, buf) {
                    Ok(n) => reply.ok(&[&buf[..n]]),
                    Err(e) => reply.error(errno(p, e)),
                })
            }
            O::Write {
                fh,
                offset,
                data,
                kill_suidgid,
            } => answer(
                reply,
                p,
                self.do_write(ino, fh, offset, data, kill_suidgid)
                    .map(|n| encoded(|v| wire::write(v, n as u32))),
            ),
            O::Statfs => answer(
                reply,
                p,
                self.do_statfs(ino).map(|s| {
                    let k = abi::Kstatfs {
                        blocks: s.blocks,
                        bfree: s.bfree,
                        bavail: s.bfree,
                        files: s.files,
                        ffree: s.ffree,
                        bsize: STATFS_BLOCK,
                        namelen: 255,
                        frsize: STATFS_BLOCK,
                        ..Default::default()
                    };
                    encoded(|v| wire::statfs(v, &k))
                }),
            ),
            O::Release { fh } => answer(reply, p, self.do_release(fh).map(|()| Vec::new())),
            // With an image, the journal commits every change (do_fsync);
            // without one, memory is all there is.
            O::Fsync { .. } | O::Fsyncdir { .. } => match self.do_fsync() {
                Ok(()) => reply.ok(&[]),
                Err(e) => reply.error(e.raw_os_error().unwrap_or(libc::EIO)),
            },
            // Data lives in memory: nothing to flush.
            O::Flush { .. } => reply.ok(&[]),
            O::Setxattr { name, value, flags } => answer(
                reply,
                p,
                self.do_setxattr(ino, name, value, flags, req.uid())
                    .map(|()| Vec::new()),
            ),
            O::Getxattr { name, size } => {
                self.xattr_reply(reply, p, size, self.do_getxattr(ino, name))
            }
            // The system.* attributes are not listed (as ntfs-3g): copying tools
            // would otherwise try to copy the attribute word and reparse data of
            // every file.
            O::Listxattr { size } => self.xattr_reply(reply, p, size, Ok(Vec::new())),
            O::Removexattr { name } => answer(
                reply,
                p,
                self.do_removexattr(ino, name, req.uid())
                    .map(|()| Vec::new()),
            ),
            O::Opendir { .. } => answer(
                reply,
                p,
                self.do_opendir(ino)
                    .map(|fh| encoded(|v| wire::open(v, fh, 0))),
            ),
            O::Readdir { fh, offset, size } => {
                self.readdir_reply(reply, p, ino, fh, offset, size, false)
            }
            O::Readdirplus { fh, offset, size } => {
                self.readdir_reply(reply, p, ino, fh, offset, size, true)
            }
            O::Releasedir { fh } => answer(reply, p, self.do_releasedir(fh).map(|()| Vec::new())),
            // Mounted with default_permissions: the kernel checks modes itself.
            O::Access { .. } => reply.ok(&[]),
            O::Create {
                name,
                mode,
                umask,
                flags,
            } => answer(
                reply,
                p,
                self.do_create(caller, ino, name, mode, umask, flags)
                    .map(|(mut e, fh)| {
                        let nodeid = self.node_id_for(ino, name, &mut e);
                        let out = wire::entry_out(
                            nodeid,
                            e.generation,
                            self.name_ttl(&e),
                            self.cfg.attr_ttl,
                            &e.attr,
                        );
                        encoded(|v| wire::create(v, &out, fh, open_flags(flags, false)))
                    }),
            ),
            O::Fallocate {
                fh,
                offset,
                length,
                mode,
            } => answer(
                reply,
                p,
                self.do_fallocate(ino, fh, (offset, length, mode), caller.uid != 0)
                    .map(|()| Vec::new()),
            ),
            // Handled by the server; anything else is not implemented here (the
            // kernel then uses its generic code, as for LSEEK, or fails ENOSYS).
            O::Init(_)
            | O::Destroy
            | O::Interrupt { .. }
            | O::Forget { .. }
            | O::BatchForget(_)
            | O::Lseek { .. }
            | O::Unknown(_) => reply.error(libc::ENOSYS),
        }
    }
}

impl NtFs {
    /// getxattr/listxattr: size 0 asks for the length; a smaller buffer is ERANGE.
    fn xattr_reply(&self, reply: Reply<'_>, op: PosixOp, size: u32, r: Res<Vec<u8>>) {
        match r {
            Ok(v) if size == 0 => reply.ok(&[&encoded(|o| wire::xattr_size(o, v.len() as u32))]),
            Ok(v) if v.len() > size as usize => reply.error(errno(op, NtError::BufferTooSmall)),
            Ok(v) => reply.ok(&[&v]),
            Err(e) => reply.error(errno(op, e)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::dentry_cache::DentryCache;
    use crate::durability::Durability;
    use crate::fs::FsConfig;
    use crate::fuse::server::Sender;
    use crate::fuse::FileHandle;
    use ntlinkfs_core::{Machine, Shared, SymlinkFlags};
    use parking_lot::Mutex;
    use std::sync::Arc;
    use std::time::Duration;

    /// Records the replies a transport would send.
    #[derive(Default)]
    struct Recorder(Mutex<Vec<(i32, Vec<u8>)>>);

    impl Sender for Recorder {
        fn send(&self, _unique: u64, errno: i32, payload: &[&[u8]]) -> std::io::Result<()> {
            self.0.lock().push((errno, payload.concat()));
            Ok(())
        }
    }

    fn fs_with(m: Machine) -> NtFs {
        fs_durable(m, None)
    }

    fn fs_durable(m: Machine, durability: Option<Arc<dyn Durability>>) -> NtFs {
        let cfg = config(Duration::from_secs(1), durability);
        NtFs::new(Shared::new(m), Arc::new(DentryCache::new(false)), cfg)
    }

    /// Names and attributes kept for `ttl`.
    fn config(ttl: Duration, durability: Option<Arc<dyn Durability>>) -> FsConfig {
        FsConfig {
            entry_ttl: ttl,
            attr_ttl: ttl,
            fault_injection: false,
            durability,
            confine: false,
        }
    }

    /// Counts commits; fails them with `errno` when it is not 0.
    struct Commits {
        count: Mutex<u32>,
        errno: i32,
    }

    impl Durability for Commits {
        fn commit(&self, _machine: &Shared) -> std::io::Result<()> {
            *self.count.lock() += 1;
            match self.errno {
                0 => Ok(()),
                e => Err(std::io::Error::from_raw_os_error(e)),
            }
        }
    }

    /// Issue 11 images: FSYNC and FSYNCDIR commit the image's journal (and
    /// report its failure); without an image they are answered at once.
    #[test]
    fn fsync_and_fsyncdir_commit_the_journal() {
        let ops = || {
            [
                Operation::Fsync {
                    fh: FileHandle(0),
                    datasync: false,
                },
                Operation::Fsyncdir {
                    fh: FileHandle(0),
                    datasync: true,
                },
            ]
        };
        let ok = Arc::new(Commits {
            count: Mutex::new(0),
            errno: 0,
        });
        let fs = fs_durable(Machine::default(), Some(ok.clone()));
        for op in ops() {
            assert_eq!(call(&fs, abi::ROOT_ID, op), Ok(Vec::new()));
        }
        assert_eq!(*ok.count.lock(), 2);
        let full = Arc::new(Commits {
            count: Mutex::new(0),
            errno: libc::ENOSPC,
        });
        let fs = fs_durable(Machine::default(), Some(full.clone()));
        for op in ops() {
            assert_eq!(call(&fs, abi::ROOT_ID, op), Err(libc::ENOSPC));
        }
        assert_eq!(*full.count.lock(), 2);
        let fs = fs_with(Machine::default());
        for op in ops() {
            assert_eq!(call(&fs, abi::ROOT_ID, op), Ok(Vec::new()));
        }
    }

    /// A file system whose dentry cache is connected (names kept for 60 s, as
    /// `ntlinkfs mount` keeps them); its notifications go to /dev/null.
    fn connected(m: Machine) -> NtFs {
        let cfg = config(Duration::from_secs(60), None);
        let cache = DentryCache::new(true);
        let null = std::fs::OpenOptions::new().write(true).open("/dev/null");
        cache.connect(crate::dentry_cache::KernelLink {
            channel: Arc::new(crate::fuse::channel::Channel::from_device(null.unwrap())),
        });
        NtFs::new(Shared::new(m), Arc::new(cache), cfg)
    }

    /// Issue 17: an empty directory is named uncached (entry TTL 0), so turning
    /// it into a junction needs no dentry epoch, which would make the kernel
    /// drop every name it has; a directory named while it had entries and
    /// then emptied does (kind_change.rs drives both through the kernel).
    #[test]
    fn only_a_directory_named_with_entries_costs_an_epoch_to_become_a_junction() {
        let fs = connected(Machine::default());
        let c = walk(&fs, &["C"]).nodeid;
        let epochs = || fs.cache.epochs.load(std::sync::atomic::Ordering::Relaxed);
        let junction = ntlinkfs_core::ReparseData::mount_point(r"\??\C:\", r"C:\").encode();
        let entry_valid = |b: Vec<u8>| abi::read::<abi::EntryOut>(&b).unwrap().entry_valid;
        let turn = |d: u64| {
            let op = Operation::Setxattr {
                name: OsStr::new("system.ntfs_reparse_data"),
                value: &junction,
                flags: 0,
            };
            call(&fs, d, op).unwrap();
        };
        let mkdir = |name| {
            let op = Operation::Mkdir {
                name: OsStr::new(name),
                mode: 0o755,
                umask: 0,
            };
            let b = call(&fs, c, op).unwrap();
            assert_eq!(entry_valid(b.clone()), 0, "{name}: empty, named uncached");
            abi::read::<abi::EntryOut>(&b).unwrap().nodeid
        };
        let start = epochs();
        let fresh = mkdir("fresh");
        turn(fresh);
        assert_eq!(epochs(), start, "never named with entries: no epoch");

        let emptied = mkdir("emptied");
        let op = Operation::Mknod {
            name: OsStr::new("f"),
            mode: abi::S_IFREG | 0o644,
            umask: 0,
            rdev: 0,
        };
        call(&fs, emptied, op).unwrap();
        let named = call(
            &fs,
            c,
            Operation::Lookup {
                name: OsStr::new("emptied"),
            },
        );
        assert_eq!(
            entry_valid(named.unwrap()),
            60,
            "with an entry, named for 60 s"
        );
        call(
            &fs,
            emptied,
            Operation::Unlink {
                name: OsStr::new("f"),
            },
        )
        .unwrap();
        turn(emptied);
        assert_eq!(
            epochs(),
            start + 1,
            "named with entries, then emptied: the epoch"
        );
    }

    /// Sends one operation about `nodeid`; the payload or the errno.
    fn call(fs: &NtFs, nodeid: u64, op: Operation<'_>) -> Result<Vec<u8>, i32> {
        let r = Recorder::default();
        let req = Request {
            unique: 1,
            nodeid,
            ..Request::default()
        };
        fs.handle(&req, op, Reply::new(&r, 1));
        let mut sent = r.0.lock();
        assert_eq!(sent.len(), 1, "exactly one reply");
        let (errno, bytes) = sent.pop().unwrap();
        if errno == 0 {
            Ok(bytes)
        } else {
            Err(errno)
        }
    }

    fn lookup(fs: &NtFs, parent: u64, name: &str) -> abi::EntryOut {
        let b = call(
            fs,
            parent,
            Operation::Lookup {
                name: OsStr::new(name),
            },
        )
        .unwrap();
        abi::read(&b).unwrap()
    }

    fn walk(fs: &NtFs, path: &[&str]) -> abi::EntryOut {
        let mut e = lookup(fs, abi::ROOT_ID, path[0]);
        for name in &path[1..] {
            e = lookup(fs, e.nodeid, name);
        }
        e
    }

    /// Issue 11 item 2 without a mount: two names of one symlink file get two
    /// node ids, one st_ino, and each its own text and size.
    #[test]
    fn names_of_a_symlink_file_have_their_own_node_ids() {
        let mut m = Machine::default();
        m.create_directory(r"C:\a").unwrap();
        m.create_directory(r"C:\a\b").unwrap();
        m.create_symbolic_link(r"C:\a\b\s", r"C:\t", SymlinkFlags::default())
            .unwrap();
        m.create_hard_link(r"C:\s2", r"C:\a\b\s").unwrap();
        let fs = fs_with(m);
        let deep = walk(&fs, &["C", "a", "b", "s"]);
        let top = walk(&fs, &["C", "s2"]);
        assert_ne!(deep.nodeid, top.nodeid);
        assert_eq!(deep.attr.ino, top.attr.ino, "one file, one st_ino");
        assert_eq!((deep.attr.size, top.attr.size), (7, 1));
        assert_eq!(
            call(&fs, deep.nodeid, Operation::Readlink).unwrap(),
            b"../../t"
        );
        assert_eq!(call(&fs, top.nodeid, Operation::Readlink).unwrap(), b"t");
        let attr = |id| {
            let b = call(&fs, id, Operation::Getattr { fh: None }).unwrap();
            abi::read::<abi::AttrOut>(&b).unwrap().attr
        };
        assert_eq!((attr(deep.nodeid).size, attr(top.nodeid).size), (7, 1));
        assert_eq!(
            lookup(&fs, walk(&fs, &["C"]).nodeid, "S2").nodeid,
            top.nodeid
        );

        // Two lookups of s2: it lives until both are forgotten.
        fs.forget(top.nodeid, 1);
        assert_eq!(call(&fs, top.nodeid, Operation::Readlink).unwrap(), b"t");
        fs.forget(top.nodeid, 1);
        assert_eq!(
            call(&fs, top.nodeid, Operation::Readlink),
            Err(libc::ENOENT)
        );
        assert_eq!(
            call(&fs, deep.nodeid, Operation::Readlink).unwrap(),
            b"../../t"
        );
    }

    /// N3: a symlink file's name with an unpaired surrogate (WTF-8 in the
    /// Linux view) gets its own node id, kept across lookups, and reads its text.
    #[test]
    fn a_surrogate_name_of_a_symlink_file_keeps_its_node_id() {
        let mut m = Machine::default();
        m.create_directory(r"C:\a").unwrap();
        let name: Vec<u16> = r"C:\a\s".encode_utf16().chain([0xD800]).collect();
        m.create_symbolic_link(&name, r"C:\t", SymlinkFlags::default())
            .unwrap();
        m.create_hard_link(r"C:\s2", &name).unwrap();
        let fs = fs_with(m);
        let a = walk(&fs, &["C", "a"]).nodeid;
        let wtf8 = OsStr::from_bytes(b"s\xED\xA0\x80");
        let look = || {
            let b = call(&fs, a, Operation::Lookup { name: wtf8 }).unwrap();
            abi::read::<abi::EntryOut>(&b).unwrap()
        };
        let (first, again) = (look(), look());
        assert_ne!(first.nodeid, first.attr.ino, "a name id, not the inode");
        assert_eq!(again.nodeid, first.nodeid);
        assert_eq!(
            call(&fs, first.nodeid, Operation::Readlink).unwrap(),
            b"../t"
        );
    }

    /// Directories, files and junctions keep node id == st_ino.
    #[test]
    fn other_nodes_keep_their_inode_number_as_node_id() {
        let mut m = Machine::default();
        m.create_directory(r"C:\d").unwrap();
        m.write_file(r"C:\d\f", b"x").unwrap();
        m.create_junction(r"C:\j", r"C:\d").unwrap();
        let fs = fs_with(m);
        for path in [&["C"][..], &["C", "d"], &["C", "d", "f"], &["C", "j"]] {
            let e = walk(&fs, path);
            assert_eq!(e.nodeid, e.attr.ino, "{path:?}");
        }
        assert_eq!(
            call(
                &fs,
                1 << 41,
                Operation::Lookup {
                    name: OsStr::new("x")
                }
            ),
            Err(libc::ENOENT),
            "a node id never handed out"
        );
    }

    /// The errno each failed request answers with: the core's status mapped
    /// once, for the POSIX operation the request is (F6, M12, HL1, §1).
    #[test]
    fn each_request_fails_with_its_operations_errno() {
        let mut m = Machine::default();
        m.create_directory(r"C:\d").unwrap();
        m.write_file(r"C:\d\f", b"x").unwrap();
        m.create_junction(r"C:\j", r"C:\d").unwrap();
        let fs = fs_with(m);
        let c = walk(&fs, &["C"]).nodeid;
        let d = walk(&fs, &["C", "d"]).nodeid;
        let f = walk(&fs, &["C", "d", "f"]).nodeid;
        let n = OsStr::new;
        let long = "n".repeat(256);
        let rows: Vec<(&str, u64, Operation<'_>, i32)> = vec![
            (
                "lookup of a missing name",
                c,
                Operation::Lookup { name: n("x") },
                libc::ENOENT,
            ),
            (
                "a name of 256 units (N2)",
                c,
                Operation::Lookup { name: n(&long) },
                libc::ENAMETOOLONG,
            ),
            (
                "mkdir at the mount root",
                abi::ROOT_ID,
                Operation::Mkdir {
                    name: n("x"),
                    mode: 0o755,
                    umask: 0,
                },
                libc::EACCES,
            ),
            (
                "mkdir over a file",
                d,
                Operation::Mkdir {
                    name: n("F"),
                    mode: 0o755,
                    umask: 0,
                },
                libc::EEXIST,
            ),
            (
                "unlink of a directory (M12)",
                c,
                Operation::Unlink { name: n("d") },
                libc::EISDIR,
            ),
            (
                "rmdir of a full directory",
                c,
                Operation::Rmdir { name: n("d") },
                libc::ENOTEMPTY,
            ),
            (
                "rmdir of a junction (F6)",
                c,
                Operation::Rmdir { name: n("j") },
                libc::ENOTDIR,
            ),
            (
                "rmdir of a file",
                d,
                Operation::Rmdir { name: n("f") },
                libc::ENOTDIR,
            ),
            (
                "link of a directory (HL1)",
                c,
                Operation::Link {
                    ino: INodeNo(d),
                    newname: n("dl"),
                },
                libc::EPERM,
            ),
            (
                "link onto a name",
                c,
                Operation::Link {
                    ino: INodeNo(f),
                    newname: n("D"),
                },
                libc::EEXIST,
            ),
            (
                "rename exchange",
                c,
                Operation::Rename {
                    name: n("d"),
                    newparent: INodeNo(c),
                    newname: n("j"),
                    flags: crate::fuse::RenameFlags::RENAME_EXCHANGE,
                },
                libc::EOPNOTSUPP,
            ),
            (
                "readlink of a file (§1)",
                f,
                Operation::Readlink,
                libc::EINVAL,
            ),
            (
                "mknod of a directory",
                d,
                Operation::Mknod {
                    name: n("m"),
                    mode: abi::S_IFDIR,
                    umask: 0,
                    rdev: 0,
                },
                libc::EOPNOTSUPP,
            ),
            (
                "getxattr of no such name",
                f,
                Operation::Getxattr {
                    name: n("user.x"),
                    size: 0,
                },
                crate::errno::raw(ntlinkfs_core::Errno::ENODATA),
            ),
            (
                "getxattr into a small buffer",
                f,
                Operation::Getxattr {
                    name: n(crate::xattr::ATTRIB),
                    size: 1,
                },
                libc::ERANGE,
            ),
            (
                "setxattr by a non-owner",
                f,
                Operation::Setxattr {
                    name: n(crate::xattr::ATTRIB),
                    value: &[0x20, 0, 0, 0],
                    flags: 0,
                },
                libc::EPERM,
            ),
            (
                "removexattr of the attribute word",
                f,
                Operation::Removexattr {
                    name: n(crate::xattr::ATTRIB),
                },
                libc::EOPNOTSUPP,
            ),
            (
                "removexattr of reparse data by a non-owner",
                f,
                Operation::Removexattr {
                    name: n(crate::xattr::REPARSE_DATA),
                },
                libc::EPERM,
            ),
            (
                "read of an unknown handle",
                f,
                Operation::Read {
                    fh: FileHandle(77),
                    offset: 0,
                    size: 1,
                },
                libc::EINVAL,
            ),
        ];
        for (what, nodeid, op, want) in rows {
            let req = Request {
                unique: 1,
                nodeid,
                uid: 4242,
                gid: 4242,
                pid: 1,
            };
            let r = Recorder::default();
            fs.handle(&req, op, Reply::new(&r, 1));
            let sent = r.0.lock();
            assert_eq!(sent.len(), 1, "{what}: one reply");
            assert_eq!(sent[0].0, want, "{what}");
        }
    }

    /// Issue 17 (`find`): READDIRPLUS carries attributes only for the nodes
    /// the kernel does not hold from a recent answer (held.rs); the others go
    /// as plain entries (node id 0), so the kernel makes nothing for them. A
    /// node it forgot gets attributes again; a symbolic-link file (a node id
    /// per name) and a directory (its attributes refreshed before a walk opens
    /// it) always have them.
    #[test]
    fn readdirplus_leaves_out_the_attributes_of_nodes_the_kernel_holds() {
        let mut m = Machine::default();
        let d = m.create_directory(r"C:\d").unwrap().id;
        for name in ["known", "new"] {
            m.create_file_at(d, name, 0).unwrap();
        }
        m.create_directory(r"C:\d\sub").unwrap();
        m.create_symbolic_link(r"C:\d\link", "known", SymlinkFlags::default())
            .unwrap();
        let fs = connected(m);
        let dir = walk(&fs, &["C", "d"]).nodeid;
        let known = lookup(&fs, dir, "known").nodeid;
        // (name, node id) of each record of one READDIRPLUS of the whole directory.
        let list = || -> Vec<(String, u64)> {
            let open = call(
                &fs,
                dir,
                Operation::Opendir {
                    flags: crate::fuse::OpenFlags(0),
                },
            );
            let fh = FileHandle(abi::read::<abi::OpenOut>(&open.unwrap()).unwrap().fh);
            let op = Operation::Readdirplus {
                fh,
                offset: 0,
                size: 65536,
            };
            let b = call(&fs, dir, op).unwrap();
            call(&fs, dir, Operation::Releasedir { fh }).unwrap();
            let mut out = Vec::new();
            let mut at = 0;
            while at < b.len() {
                let e: abi::EntryOut = abi::read(&b[at..]).unwrap();
                let d: abi::Dirent = abi::read(&b[at + 128..]).unwrap();
                let name = &b[at + 152..at + 152 + d.namelen as usize];
                out.push((String::from_utf8(name.to_vec()).unwrap(), e.nodeid));
                at += abi::dirent_align(152 + d.namelen as usize);
            }
            out
        };
        let first = list();
        let id = |name: &str| first.iter().find(|(n, _)| n == name).unwrap().1;
        let (new, sub, link) = (id("new"), id("sub"), id("link"));
        assert!(new != 0 && sub != 0 && link != 0, "{first:?}");
        let names = |ids: [u64; 6]| -> Vec<(String, u64)> {
            [".", "..", "known", "link", "new", "sub"]
                .iter()
                .map(|n| n.to_string())
                .zip(ids)
                .collect()
        };
        assert_eq!(
            first,
            names([0, 0, 0, link, new, sub]),
            "held since the lookup"
        );
        assert_eq!(
            list(),
            names([0, 0, 0, link, 0, sub]),
            "held: only the link and the directory"
        );
        // FORGET of every lookup counted: the node is listed in full again.
        fs.forget(new, 1);
        fs.forget(known, 1);
        assert_eq!(list(), names([0, 0, known, link, new, sub]));
    }

    /// Issue 17 scale: a directory of 100,000 entries is listed in as many
    /// READDIRPLUS calls as the kernel's buffer requires (each resumes after
    /// the last name, a B-tree range: no call rescans the names before it),
    /// every name exactly once, and each name is then found by lookup.
    #[test]
    fn a_directory_of_100000_entries_lists_in_full_buffers_and_looks_up() {
        const N: usize = 100_000;
        const SIZE: u32 = 128 * 1024; // the kernel's readdir buffer (max_pages 32)
        let mut m = Machine::default();
        let big = m.create_directory(r"C:\big").unwrap().id;
        for i in 0..N {
            m.create_file_at(big, &format!("f{i:06}"), 0).unwrap();
        }
        let fs = fs_with(m);
        let dir = walk(&fs, &["C", "big"]).nodeid;
        let open = call(
            &fs,
            dir,
            Operation::Opendir {
                flags: crate::fuse::OpenFlags(0),
            },
        );
        let fh = abi::read::<abi::OpenOut>(&open.unwrap()).unwrap().fh;
        let (mut offset, mut calls, mut names) = (0, 0, Vec::with_capacity(N + 2));
        loop {
            let op = Operation::Readdirplus {
                fh: FileHandle(fh),
                offset,
                size: SIZE,
            };
            let b = call(&fs, dir, op).unwrap();
            calls += 1;
            if b.is_empty() {
                break;
            }
            let mut at = 0;
            while at < b.len() {
                let d: abi::Dirent = abi::read(&b[at + 128..]).unwrap();
                let name = &b[at + 152..at + 152 + d.namelen as usize];
                names.push(String::from_utf8(name.to_vec()).unwrap());
                offset = d.off;
                at += abi::dirent_align(152 + d.namelen as usize);
            }
        }
        assert_eq!(names.len(), N + 2, ". and .. and every name");
        let mut unique = names.clone();
        unique.sort();
        unique.dedup();
        assert_eq!(unique.len(), N + 2, "no name twice");
        // Records of 160 bytes (names of 7 bytes): 819 fit in 128 KiB.
        let per_call = SIZE as usize / 160;
        assert_eq!(
            calls,
            (N + 2).div_ceil(per_call) + 1,
            "full buffers, then the end"
        );
        for i in (0..N).step_by(7) {
            let e = lookup(&fs, dir, &format!("F{i:06}")); // N1: any case
            assert_ne!(e.nodeid, 0);
        }
        assert_eq!(
            call(
                &fs,
                dir,
                Operation::Lookup {
                    name: OsStr::new("f100000")
                }
            ),
            Err(libc::ENOENT),
            "a miss (not cached: no kernel link)"
        );
    }

    /// Which POSIX operation each request is: its errno column.
    #[test]
    fn requests_name_their_posix_operation() {
        let n = OsStr::new("x");
        let rows = [
            (
                Operation::Link {
                    ino: INodeNo(2),
                    newname: n,
                },
                PosixOp::Link,
            ),
            (Operation::Unlink { name: n }, PosixOp::Unlink),
            (Operation::Rmdir { name: n }, PosixOp::Rmdir),
            (Operation::Readlink, PosixOp::Readlink),
            (Operation::Listxattr { size: 0 }, PosixOp::Getxattr),
            (
                Operation::Opendir {
                    flags: crate::fuse::OpenFlags(0),
                },
                PosixOp::Open,
            ),
            (
                Operation::Mknod {
                    name: n,
                    mode: abi::S_IFREG,
                    umask: 0,
                    rdev: 0,
                },
                PosixOp::Open,
            ),
            (
                Operation::Mknod {
                    name: n,
                    mode: abi::S_IFIFO,
                    umask: 0,
                    rdev: 0,
                },
                PosixOp::Other,
            ),
            (
                Operation::Mkdir {
                    name: n,
                    mode: 0,
                    umask: 0,
                },
                PosixOp::Other,
            ),
            (Operation::Statfs, PosixOp::Other),
        ];
        for (op, want) in rows {
            assert_eq!(posix_op(&op), want, "{op:?}");
        }
    }
}
