//! The `Core` target: every operation is a direct `Machine` call.

use crate::scenario::{Env, Op};
use crate::target::{Failure, Info, Observed, Target};
use ntlinkfs_core::access::{DELETE, GENERIC_READ};
use ntlinkfs_core::wtf;
use ntlinkfs_core::{
    special, Ace, DeleteSemantics, DeviceNumbers, Disposition, FileInfo, FixedClock, Follow,
    HandleId, LinkOptions, Machine, MoveFlags, OpenOptions, PosixMeta, Profile, RenameOptions,
    SecurityDescriptor, SymlinkFlags, Trustee, Want,
};
use std::sync::Arc;

/// Runs rows on a fresh in-memory `Machine` each.
#[derive(Default)]
pub struct Core {
    m: Option<Machine>,
    /// Handles in open order; a closed one leaves its slot empty so that
    /// the numbers of the others stay.
    handles: Vec<Option<HandleId>>,
}

impl Core {
    pub fn new() -> Core {
        Core::default()
    }

    /// The machine of the current row (for tests that inspect it further).
    pub fn machine(&self) -> Option<&Machine> {
        self.m.as_ref()
    }
}

/// Builds the machine a row's environment describes.
pub fn machine_for(env: &Env) -> Result<Machine, String> {
    let profile: Profile = env.profile.parse()?;
    let mut m = Machine::with_volumes(&env.volumes, profile)
        .map_err(|e| format!("volumes {:?}: {e:?}", env.volumes))?;
    // Fixed time: rows never depend on the host clock.
    m.set_clock(Arc::new(FixedClock(133_000_000_000_000_000)));
    Ok(m)
}

pub(crate) fn info_of(i: &FileInfo) -> Info {
    Info {
        id: Some((i.id.volume as u128) << 64 | u128::from(i.id.file.0)),
        links: Some(i.link_count),
        attrs: Some(i.attributes),
        tag: Some(i.reparse_tag),
        size: Some(i.size),
        is_dir: Some(i.is_directory),
        mode: Some(special::type_bits(i) | u32::from(i.posix.mode & 0o7777)),
        rdev: Some((i.posix.rdev.major, i.posix.rdev.minor)),
        total_links: Some(i.total_links),
        delete_pending: Some(i.delete_pending),
    }
}

impl Target for Core {
    fn name(&self) -> &'static str {
        "core"
    }

    fn begin(&mut self, env: &Env) -> Result<(), String> {
        self.m = Some(machine_for(env)?);
        self.handles.clear();
        Ok(())
    }

    fn apply(&mut self, op: &Op) -> Result<Observed, Failure> {
        self.apply_inner(op)
    }

    /// Every operation, failed or not, leaves the model consistent (DESIGN.md).
    fn verify(&mut self) -> Result<(), String> {
        match &self.m {
            Some(m) => {
                ntlinkfs_core::invariants::check(m).map_err(|v| format!("invariant broken: {v}"))
            }
            None => Ok(()),
        }
    }

    fn end(&mut self) {
        if let Some(m) = self.m.as_mut() {
            for h in self.handles.drain(..).rev().flatten() {
                let _ = m.close(h);
            }
        }
        self.m = None;
    }
}

impl Core {
    fn apply_inner(&mut self, op: &Op) -> Result<Observed, Failure> {
        let m = self
            .m
            .as_mut()
            .ok_or_else(|| Failure::Harness("no row started".into()))?;
        let unit = |r: ntlinkfs_core::Result<()>| r.map(|()| Observed::Unit).map_err(Failure::Nt);
        let any =
            |r: ntlinkfs_core::Result<FileInfo>| r.map(|_| Observed::Unit).map_err(Failure::Nt);
        match op {
            Op::MkDir(p) => any(m.create_directory(&wtf::unescape(p))),
            Op::Write(p, b) => unit(m.write_file(&wtf::unescape(p), b)),
            Op::CreateNew(p) => any(m.create_file(&wtf::unescape(p))),
            Op::Append(p, b) => unit(m.append_file(&wtf::unescape(p), b)),
            Op::Read(p) => m
                .read_file(&wtf::unescape(p))
                .map(Observed::Bytes)
                .map_err(Failure::Nt),
            Op::HardLink { link, existing } => {
                any(m.create_hard_link(&wtf::unescape(link), &wtf::unescape(existing)))
            }
            Op::HardLinkReplace {
                link,
                existing,
                ignore_readonly,
            } => any(m.create_hard_link_ex(
                link,
                existing,
                LinkOptions {
                    replace_if_exists: true,
                    ignore_readonly: *ignore_readonly,
                    posix_semantics: false,
                },
            )),
            Op::Symlink {
                link,
                target,
                flags,
            } => any(m.create_symbolic_link(
                &wtf::unescape(link),
                &wtf::unescape(target),
                SymlinkFlags {
                    directory: flags.directory,
                    allow_unprivileged_create: flags.unprivileged,
                },
            )),
            Op::Junction { link, target } => {
                any(m.create_junction(&wtf::unescape(link), &wtf::unescape(target)))
            }
            Op::SetReparse { path, buffer } => unit(m.set_reparse_point(path, buffer)),
            Op::GetReparse(p) => m
                .get_reparse_point(p)
                .map(Observed::Bytes)
                .map_err(Failure::Nt),
            Op::DeleteReparse { path, request } => unit(m.delete_reparse_point(path, request)),
            Op::ReadLink(p) => m.read_reparse_data(p).map_err(Failure::Nt).and_then(|d| {
                d.substitute_units()
                    .map(|u| Observed::Text(wtf::escape(u)))
                    .ok_or(Failure::Nt(ntlinkfs_core::NtError::NotAReparsePoint))
            }),
            Op::Delete(p) => unit(m.delete_file(&wtf::unescape(p))),
            Op::RemoveDir(p) => unit(m.remove_directory(&wtf::unescape(p))),
            Op::Move {
                from,
                to,
                replace,
                copy_allowed,
            } => unit(m.move_file(
                &wtf::unescape(from),
                &wtf::unescape(to),
                MoveFlags {
                    replace_existing: *replace,
                    copy_allowed: *copy_allowed,
                },
            )),
            Op::SetAttrs(p, a) => unit(m.set_file_attributes(p, *a)),
            Op::Stat(p) => m
                .query_information(&wtf::unescape(p), Follow::Reparse)
                .map(|i| Observed::Info(info_of(&i)))
                .map_err(Failure::Nt),
            Op::Lstat(p) => m
                .query_information(&wtf::unescape(p), Follow::OpenReparsePoint)
                .map(|i| Observed::Info(info_of(&i)))
                .map_err(Failure::Nt),
            Op::List(p) => m
                .enumerate(&wtf::unescape(p))
                .map(|v| Observed::Entries(v.iter().map(|e| wtf::escape(e.name.units())).collect()))
                .map_err(Failure::Nt),
            Op::Names(p) => m
                .find_file_names(p)
                .map(|v| Observed::Entries(v.into_iter().map(|n| n.path).collect()))
                .map_err(Failure::Nt),
            Op::FinalPath(p) => m.final_path(p).map(Observed::Text).map_err(Failure::Nt),
            Op::QueryDirectory { dir, name, class } => {
                let v = m
                    .query_directory(dir, *class, Some(name))
                    .map_err(Failure::Nt)?;
                let e = v
                    .first()
                    .ok_or(Failure::Nt(ntlinkfs_core::NtError::ObjectNameNotFound))?;
                Ok(Observed::Text(crate::scenario::dir_entry_text(
                    &e.file_name().to_string_lossy(),
                    e.ea_size(),
                    e.reparse_point_tag(),
                )))
            }
            Op::FindFirstFile(p) => {
                let v = m.find_files(p).map_err(Failure::Nt)?;
                let e = v
                    .first()
                    .ok_or(Failure::Nt(ntlinkfs_core::NtError::ObjectNameNotFound))?;
                Ok(Observed::Text(crate::scenario::find_data_text(
                    e.file_attributes,
                    e.reserved0,
                )))
            }
            Op::Chdir(p) => unit(m.set_current_dir(p)),
            Op::RemoveTree(p) => m
                .remove_tree(p)
                .map(|_| Observed::Unit)
                .map_err(Failure::Nt),
            Op::DelS { dir, pattern } => {
                for d in m.del_s_directories(dir).map_err(Failure::Nt)? {
                    let found = m
                        .query_directory(&d, 1, Some(pattern))
                        .map_err(Failure::Nt)?;
                    for e in found {
                        let is_file = e.basics().is_some_and(|b| b.file_attributes & 0x10 == 0);
                        if is_file {
                            let sep = if d.ends_with('\\') { "" } else { "\\" };
                            m.delete_file(&format!("{d}{sep}{}", e.file_name()))
                                .map_err(Failure::Nt)?;
                        }
                    }
                }
                Ok(Observed::Unit)
            }
            Op::ExplorerDelete(p) => m
                .explorer_delete(p)
                .map(|_| Observed::Unit)
                .map_err(Failure::Nt),
            Op::Open { path, share_delete } => {
                // GENERIC_READ as the Windows target opens, with DELETE so that
                // `MarkDelete` may set a disposition through it (M14).
                let opts = OpenOptions::default()
                    .access(GENERIC_READ | DELETE)
                    .share_delete(*share_delete);
                let h = m.open(path, &opts).map_err(Failure::Nt)?;
                self.handles.push(Some(h));
                Ok(Observed::Unit)
            }
            Op::MarkDelete => {
                let h = self
                    .handles
                    .iter()
                    .rev()
                    .flatten()
                    .next()
                    .copied()
                    .ok_or_else(|| Failure::Harness("mark-delete with no open handle".into()))?;
                unit(m.set_delete_disposition(h, true, DeleteSemantics::Classic))
            }
            Op::OpenHandle {
                path,
                access,
                share,
                flags,
            } => {
                let mut opts = OpenOptions::default();
                if flags.create {
                    opts = opts.disposition(Disposition::Create);
                }
                if flags.directory {
                    opts = opts.want(Want::Directory);
                }
                if flags.open_reparse_point {
                    opts = opts.follow(Follow::OpenReparsePoint);
                }
                // NtCreateFile asks for exactly this access (no write added by
                // the disposition).
                let opts = opts
                    .access(*access)
                    .share(*share)
                    .delete_on_close(flags.delete_on_close);
                let h = m.open(path, &opts).map_err(Failure::Nt)?;
                self.handles.push(Some(h));
                Ok(Observed::Unit)
            }
            Op::Close(n) => {
                let h = nth(&self.handles, *n)?;
                self.handles[*n] = None;
                unit(m.close(h))
            }
            Op::Duplicate(n) => {
                let h = m
                    .duplicate_handle(nth(&self.handles, *n)?)
                    .map_err(Failure::Nt)?;
                self.handles.push(Some(h));
                Ok(Observed::Unit)
            }
            Op::HandleStat(n) => m
                .handle_info(nth(&self.handles, *n)?)
                .map(|i| Observed::Info(info_of(&i)))
                .map_err(Failure::Nt),
            Op::HandleRead(n) => {
                let h = nth(&self.handles, *n)?;
                let size = m.handle_info(h).map_err(Failure::Nt)?.size;
                m.read(h, 0, size as usize)
                    .map(Observed::Bytes)
                    .map_err(Failure::Nt)
            }
            Op::Disposition { handle, delete } => unit(m.set_delete_disposition(
                nth(&self.handles, *handle)?,
                *delete,
                DeleteSemantics::Classic,
            )),
            Op::NameByHandle {
                handle,
                root,
                name,
                rename,
                replace,
                posix,
            } => {
                let h = nth(&self.handles, *handle)?;
                let root = root.map(|r| nth(&self.handles, r)).transpose()?;
                if *rename {
                    let opts = RenameOptions {
                        replace_if_exists: *replace,
                        posix_semantics: *posix,
                    };
                    unit(m.set_rename_information(h, root, name, opts))
                } else {
                    let opts = LinkOptions {
                        replace_if_exists: *replace,
                        ignore_readonly: false,
                        posix_semantics: *posix,
                    };
                    any(m.set_link_information(h, root, name, opts))
                }
            }
            Op::SetReparseByHandle { handle, buffer } => {
                unit(m.set_reparse_point_h(nth(&self.handles, *handle)?, buffer))
            }
            Op::SetDacl { path, aces } => {
                let mut sd = SecurityDescriptor::default();
                for &(allow, mask) in aces {
                    sd.dacl.push(Ace {
                        trustee: Trustee::Everyone,
                        allow,
                        mask,
                    });
                }
                unit(m.set_security(path, Follow::OpenReparsePoint, Some(sd)))
            }
            Op::MakeSpecial {
                path,
                kind,
                mode,
                rdev,
            } => any(m.create_special_file(
                path,
                *kind,
                PosixMeta {
                    uid: 0,
                    gid: 0,
                    mode: *mode,
                    rdev: DeviceNumbers {
                        major: rdev.0,
                        minor: rdev.1,
                    },
                },
            )),
            Op::CloseAll => {
                while let Some(h) = self.handles.pop() {
                    if let Some(h) = h {
                        m.close(h).map_err(Failure::Nt)?;
                    }
                }
                Ok(Observed::Unit)
            }
        }
    }
}

/// Handle number `n` of the row, if it is open.
fn nth(handles: &[Option<HandleId>], n: usize) -> Result<HandleId, Failure> {
    handles
        .get(n)
        .copied()
        .flatten()
        .ok_or_else(|| Failure::Harness(format!("no open handle #{n}")))
}
