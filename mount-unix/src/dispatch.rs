//! The one place that knows FUSE replies: a parsed [`Operation`] goes to the
//! matching `NtFs::do_*` call, and its `Res` becomes the reply. It also hands
//! out node ids: a symbolic-link file's names each get their own (`node_ids`),
//! so READLINK and the link's size are computed from the name the kernel
//! followed.

use crate::fs::NtFs;
use crate::fuse::abi;
use crate::fuse::reply::{self as wire, DirBuf};
use crate::fuse::request::{INodeNo, Operation, Request};
use crate::fuse::server::{Filesystem, Reply};
use crate::fuse::{FileAttr, FileType};
use crate::inode_map;
use crate::node_ids;
use crate::reply::{Entry, Res};
use ntlinkfs_core::{NtError, PosixOp};
use std::cell::RefCell;
use std::ffi::OsStr;

/// Flags of every file open. FLUSH would do nothing here (data lives in the
/// core and no POSIX locks are kept), so the kernel is told not to send it:
/// one round trip less per close (issue 7).
const FILE_OPEN: u32 = abi::FOPEN_NOFLUSH;

thread_local! {
    /// Each worker's read buffer: reused, so a 1 MiB read does not allocate
    /// (and fault in) fresh memory every time.
    static READ_BUF: RefCell<Vec<u8>> = const { RefCell::new(Vec::new()) };
}

fn answer(reply: Reply<'_>, r: Res<Vec<u8>>) {
    match r {
        Ok(b) => reply.ok(&[&b]),
        Err(e) => reply.error(e.code()),
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
            return ino;
        }
        let (Some(node), Some(dir), Some(name)) = (
            inode_map::node_of(ino),
            self.parent_node(parent),
            name.to_str(),
        ) else {
            return ino;
        };
        let m = self.m.read();
        // Junctions and directory symlinks are directories: they have one name.
        if m.info(node).map_or(true, |i| i.is_directory) {
            return ino;
        }
        if let Ok(t) = Self::link_text_from(&m, node, dir) {
            e.attr.size = t.len() as u64;
            e.attr.blocks = e.attr.size.div_ceil(512);
        }
        self.nodes.name_id(dir, name, node)
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
            if let Ok(t) = Self::link_text_from(&self.m.read(), n.node, n.parent) {
                a.size = t.len() as u64;
                a.blocks = a.size.div_ceil(512);
            }
        }
    }

    fn entry_reply(&self, reply: Reply<'_>, parent: INodeNo, name: &OsStr, r: Res<Entry>) {
        answer(
            reply,
            r.map(|mut e| {
                let nodeid = self.node_id_for(parent, name, &mut e);
                let out = wire::entry_out(
                    nodeid,
                    e.generation,
                    self.entry_ttl(),
                    self.cfg.attr_ttl,
                    &e.attr,
                );
                encoded(|v| wire::entry(v, &out))
            }),
        )
    }

    fn attr_reply(&self, reply: Reply<'_>, ino: INodeNo, r: Res<FileAttr>) {
        answer(
            reply,
            r.map(|mut a| {
                self.fix_link_size(ino, &mut a);
                encoded(|v| wire::attr_out(v, self.cfg.attr_ttl, &a))
            }),
        )
    }

    fn entry_ttl(&self) -> std::time::Duration {
        self.cache.entry_ttl(self.cfg.entry_ttl)
    }

    fn readdir_reply(
        &self,
        reply: Reply<'_>,
        ino: INodeNo,
        fh: crate::fuse::FileHandle,
        offset: u64,
        size: u32,
        plus: bool,
    ) {
        let limit = if plus { 64 } else { 128 };
        let entries = match self.dir_entries(ino, fh, offset, limit) {
            Ok(e) => e,
            Err(e) => return reply.error(e.code()),
        };
        let mut buf = DirBuf::new(size);
        for (off, name, info, attr) in entries {
            if !plus {
                if !buf.add(attr.ino.0, off, attr.kind, name.as_bytes()) {
                    break;
                }
                continue;
            }
            if !buf.fits_plus(name.len()) {
                break;
            }
            let mut e = Entry {
                attr,
                generation: info.as_ref().map_or(0, |i| inode_map::generation_of(i.id)),
            };
            // `.` and `..` count no lookup (the kernel skips them).
            let nodeid = if info.is_some() {
                self.node_id_for(ino, OsStr::new(&name), &mut e)
            } else {
                e.attr.ino.0
            };
            let out = wire::entry_out(
                nodeid,
                e.generation,
                self.entry_ttl(),
                self.cfg.attr_ttl,
                &e.attr,
            );
            buf.add_plus(&out, off, e.attr.kind, name.as_bytes());
        }
        reply.ok(&[&buf.into_bytes()])
    }
}

impl Filesystem for NtFs {
    fn forget(&self, nodeid: u64, nlookup: u64) {
        // Inode numbers are computed, not stored: only name ids hold state.
        if node_ids::is_name_id(nodeid) {
            self.nodes.forget(nodeid, nlookup);
        }
    }

    fn handle(&self, req: &Request, op: Operation<'_>, reply: Reply<'_>) {
        use Operation as O;
        let ino = INodeNo(req.nodeid);
        match op {
            O::Lookup { name } => self.entry_reply(reply, ino, name, self.do_lookup(ino, name)),
            O::Getattr { .. } => self.attr_reply(reply, ino, self.do_getattr(ino)),
            O::Setattr(s) => {
                let r = self.do_setattr(ino, s.mode, s.uid, s.gid, s.size, s.atime, s.mtime, s.fh);
                if s.mode.is_some() {
                    // READONLY follows the owner write bit: the kernel must re-read.
                    self.cache.attributes_changed(ino.0);
                }
                self.attr_reply(reply, ino, r)
            }
            O::Readlink => answer(reply, self.do_readlink(ino)),
            O::Symlink { name, target } => {
                let r = self.do_symlink(req, ino, name, target);
                self.entry_reply(reply, ino, name, r)
            }
            O::Mknod {
                name, mode, umask, ..
            } => {
                let r = self.do_mknod(req, ino, name, mode, umask);
                self.entry_reply(reply, ino, name, r)
            }
            O::Mkdir { name, mode, umask } => {
                let r = self.do_mkdir(req, ino, name, mode, umask);
                self.entry_reply(reply, ino, name, r)
            }
            O::Unlink { name } => answer(reply, self.do_unlink(ino, name).map(|()| Vec::new())),
            O::Rmdir { name } => answer(reply, self.do_rmdir(ino, name).map(|()| Vec::new())),
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
                answer(reply, r.map(|()| Vec::new()))
            }
            O::Link { ino: file, newname } => {
                let r = self.do_link(file, ino, newname);
                self.entry_reply(reply, ino, newname, r)
            }
            O::Open { flags } => answer(
                reply,
                self.do_open(ino, flags, ntlinkfs_core::Want::File)
                    .map(|(fh, keep)| {
                        let f = if keep {
                            FILE_OPEN | abi::FOPEN_KEEP_CACHE
                        } else {
                            FILE_OPEN
                        };
                        encoded(|v| wire::open(v, fh, f))
                    }),
            ),
            O::Read { fh, offset, size } => {
                READ_BUF.with_borrow_mut(|buf| match self.do_read(fh, offset, size, buf) {
                    Ok(n) => reply.ok(&[&buf[..n]]),
                    Err(e) => reply.error(e.code()),
                })
            }
            O::Write { fh, offset, data } => answer(
                reply,
                self.do_write(ino, fh, offset, data)
                    .map(|n| encoded(|v| wire::write(v, n as u32))),
            ),
            O::Statfs => answer(
                reply,
                self.do_statfs(ino).map(|s| {
                    let k = abi::Kstatfs {
                        blocks: s.blocks,
                        bfree: s.bfree,
                        bavail: s.bfree,
                        files: s.files,
                        ffree: s.ffree,
                        bsize: 4096,
                        namelen: 255,
                        frsize: 4096,
                        ..Default::default()
                    };
                    encoded(|v| wire::statfs(v, &k))
                }),
            ),
            O::Release { fh } => answer(reply, self.do_release(fh).map(|()| Vec::new())),
            // In memory: every write is already as durable as it gets.
            O::Fsync { .. } | O::Fsyncdir { .. } => reply.ok(&[]),
            // Data lives in memory: nothing to flush.
            O::Flush { .. } => reply.ok(&[]),
            O::Setxattr { name, value, flags } => answer(
                reply,
                self.do_setxattr(ino, name, value, flags, req.uid())
                    .map(|()| Vec::new()),
            ),
            O::Getxattr { name, size } => {
                self.xattr_reply(reply, size, self.do_getxattr(ino, name))
            }
            // The system.* attributes are not listed (as ntfs-3g): copying tools
            // would otherwise try to copy the attribute word and reparse data of
            // every file.
            O::Listxattr { size } => self.xattr_reply(reply, size, Ok(Vec::new())),
            O::Removexattr { name } => answer(
                reply,
                self.do_removexattr(ino, name, req.uid())
                    .map(|()| Vec::new()),
            ),
            O::Opendir { .. } => answer(
                reply,
                self.do_opendir(ino)
                    .map(|fh| encoded(|v| wire::open(v, fh, 0))),
            ),
            O::Readdir { fh, offset, size } => {
                self.readdir_reply(reply, ino, fh, offset, size, false)
            }
            O::Readdirplus { fh, offset, size } => {
                self.readdir_reply(reply, ino, fh, offset, size, true)
            }
            O::Releasedir { fh } => answer(reply, self.do_releasedir(fh).map(|()| Vec::new())),
            // Mounted with default_permissions: the kernel checks modes itself.
            O::Access { .. } => reply.ok(&[]),
            O::Create {
                name,
                mode,
                umask,
                flags,
            } => answer(
                reply,
                self.do_create(req, ino, name, mode, umask, flags)
                    .map(|(mut e, fh)| {
                        let nodeid = self.node_id_for(ino, name, &mut e);
                        let out = wire::entry_out(
                            nodeid,
                            e.generation,
                            self.entry_ttl(),
                            self.cfg.attr_ttl,
                            &e.attr,
                        );
                        encoded(|v| wire::create(v, &out, fh, FILE_OPEN))
                    }),
            ),
            O::Fallocate {
                fh,
                offset,
                length,
                mode,
            } => answer(
                reply,
                self.do_fallocate(fh, offset, length, mode)
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
    fn xattr_reply(&self, reply: Reply<'_>, size: u32, r: Res<Vec<u8>>) {
        match r {
            Ok(v) if size == 0 => reply.ok(&[&encoded(|o| wire::xattr_size(o, v.len() as u32))]),
            Ok(v) if v.len() > size as usize => {
                reply.error(crate::errno::for_op(PosixOp::Getxattr, NtError::BufferTooSmall).code())
            }
            Ok(v) => reply.ok(&[&v]),
            Err(e) => reply.error(e.code()),
        }
    }
}
