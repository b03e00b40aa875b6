//! The WinFsp file system of one core volume: `winfsp::FileSystemContext` over
//! the shared core. Each method parses the WinFsp name, calls one core
//! operation, and translates the answer; no NTFS rule is decided here, and a
//! file context is only a core handle (STYLE §2).

use crate::control;
use crate::file_info::FspFileInfo;
use crate::open_options::open_options;
use crate::path::{normalized_name, MountTable, VolumePath};
use crate::security::SecurityDescriptor;
use crate::status;
use crate::volume_params;
use ntlinkfs_core::{
    reparse, DeleteSemantics, Disposition, HandleId, Machine, Name, NodeId, NtError, ReparseData,
    Shared, VolumeId,
};
use std::ffi::c_void;
use std::sync::Arc;
use winfsp::constants::FspCleanupFlags;
use winfsp::filesystem::{
    DirInfo, DirMarker, FileInfo, FileSecurity, FileSystemContext, OpenFileInfo, VolumeInfo,
    WideNameInfo,
};
use winfsp::{FspError, U16CStr};

type FspResult<T> = winfsp::Result<T>;

/// An open WinFsp file: nothing but the core handle.
#[derive(Debug)]
pub struct FileContext(HandleId);

/// One mounted volume.
pub struct VolumeFs {
    pub(crate) shared: Shared,
    pub(crate) volume: VolumeId,
    pub(crate) mounts: Arc<MountTable>,
    pub(crate) security: Arc<SecurityDescriptor>,
}

/// The one place a core error becomes a WinFsp error (STYLE 6.2).
trait Fsp<T> {
    fn fsp(self) -> FspResult<T>;
}

impl<T> Fsp<T> for Result<T, NtError> {
    fn fsp(self) -> FspResult<T> {
        self.map_err(|e| FspError::NTSTATUS(status::ntstatus(e)))
    }
}

fn fill(out: &mut FileInfo, f: FspFileInfo) {
    out.file_attributes = f.file_attributes;
    out.reparse_tag = f.reparse_tag;
    out.allocation_size = f.allocation_size;
    out.file_size = f.file_size;
    out.creation_time = f.creation_time;
    out.last_access_time = f.last_access_time;
    out.last_write_time = f.last_write_time;
    out.change_time = f.change_time;
    out.index_number = f.index_number;
    out.hard_links = f.hard_links;
    out.ea_size = f.ea_size;
}

/// Copies `bytes` into a WinFsp output buffer as FSCTL_GET_REPARSE_POINT does
/// (the core's sizing rules, §6.3); returns the length written.
fn copy_out(bytes: &[u8], buffer: &mut [u8]) -> Result<u64, NtError> {
    let out = reparse::get_into(bytes, buffer.len()).map_err(|(e, _)| e)?;
    buffer[..out.len()].copy_from_slice(&out);
    Ok(out.len() as u64)
}

/// Writes the descriptor into WinFsp's buffer when it fits (WinFsp offers
/// 1 KiB first; descriptors are kept within it, see `security`).
fn copy_descriptor(sd: &SecurityDescriptor, buffer: Option<&mut [c_void]>) -> u64 {
    let bytes = sd.as_bytes();
    if let Some(buf) = buffer {
        if buf.len() >= bytes.len() {
            // SAFETY: `buf` is WinFsp's descriptor buffer of `buf.len()` bytes
            // (winfsp-rs builds the c_void slice from a byte count), and
            // `bytes.len() <= buf.len()`; the regions cannot overlap.
            unsafe {
                std::ptr::copy_nonoverlapping(
                    bytes.as_ptr(),
                    buf.as_mut_ptr().cast::<u8>(),
                    bytes.len(),
                );
            }
        }
    }
    bytes.len() as u64
}

impl VolumeFs {
    fn parse(name: &U16CStr) -> FspResult<VolumePath> {
        VolumePath::parse(name.as_slice()).fsp()
    }

    /// The object a path names, nothing followed.
    fn object_info(
        &self,
        m: &Machine,
        path: &VolumePath,
    ) -> Result<ntlinkfs_core::FileInfo, NtError> {
        match (
            m.parent_no_follow(self.volume, &path.components)?,
            path.last_name()?,
        ) {
            (Some(dir), Some(name)) => m.lookup(dir, &name),
            _ => m.info(m.root(self.volume)),
        }
    }

    fn info_of(m: &Machine, h: HandleId) -> Result<FspFileInfo, NtError> {
        Ok(FspFileInfo::from_core(&m.handle_info(h)?))
    }

    fn open_path(
        &self,
        path: &VolumePath,
        opts: &ntlinkfs_core::OpenOptions,
        info: &mut OpenFileInfo,
    ) -> Result<FileContext, NtError> {
        let mut m = self.shared.write();
        let h = match (
            m.parent_no_follow(self.volume, &path.components)?,
            path.last_name()?,
        ) {
            (Some(dir), Some(name)) => m.open_at(dir, &name, opts)?,
            // The root exists: creating it collides, as CreateDirectory says.
            _ if opts.disposition == Disposition::Create => {
                return Err(NtError::ObjectNameCollision)
            }
            _ => {
                let root = m.root(self.volume);
                m.open_node(root, opts)?
            }
        };
        match Self::info_of(&m, h) {
            Ok(f) => {
                fill(info.as_mut(), f);
                Self::normalize(&m, h, path, info);
                Ok(FileContext(h))
            }
            Err(e) => {
                let _ = m.close(h);
                Err(e)
            }
        }
    }

    /// Reports the stored spelling of the opened name (case-preserving volume).
    fn normalize(m: &Machine, h: HandleId, path: &VolumePath, info: &mut OpenFileInfo) {
        let names: Vec<String> = m
            .handle_node(h)
            .and_then(|id| m.file_names(id))
            .map(|v| v.into_iter().map(|n| n.path).collect())
            .unwrap_or_default();
        if let Some(units) = normalized_name(path, &names) {
            // WinFsp's buffer is the limit; a longer name keeps the opened spelling.
            if units.len() * 2 <= usize::from(info.normalized_name_size()) {
                info.set_normalized_name(&units, None);
            }
        }
    }

    /// Writes directory entries after `after` into `buffer`; false when full.
    fn fill_entries(
        m: &Machine,
        dir: NodeId,
        mut after: Option<ntlinkfs_core::NameKey>,
        buffer: &mut [u8],
        cursor: &mut u32,
    ) -> Result<bool, NtError> {
        let mut entry: DirInfo = DirInfo::new();
        loop {
            let batch = m.read_dir(dir, after.as_ref(), 128)?;
            let Some(last) = batch.last() else {
                return Ok(true);
            };
            after = Some(last.name.key());
            for e in &batch {
                entry.reset();
                if entry.set_name_raw(e.name.units()).is_err() {
                    continue; // longer than 255 units: the core never stores one (N2)
                }
                fill(entry.file_info_mut(), FspFileInfo::from_core(&e.info));
                if !entry.append_to_buffer(buffer, cursor) {
                    return Ok(false);
                }
            }
        }
    }

    fn dot_entry(
        name: &[u16],
        info: &ntlinkfs_core::FileInfo,
        buffer: &mut [u8],
        cursor: &mut u32,
    ) -> bool {
        let mut entry: DirInfo = DirInfo::new();
        // Two units always fit the 255-unit name buffer.
        let _ = entry.set_name_raw(name);
        fill(entry.file_info_mut(), FspFileInfo::from_core(info));
        entry.append_to_buffer(buffer, cursor)
    }
}

const DOT: &[u16] = &[b'.' as u16];
const DOTDOT: &[u16] = &[b'.' as u16, b'.' as u16];

impl FileSystemContext for VolumeFs {
    type FileContext = FileContext;

    /// Attributes of the object itself; when a prefix is a reparse point, its
    /// index, so that WinFsp resolves it (through `get_reparse_point_by_name`).
    fn get_security_by_name(
        &self,
        file_name: &U16CStr,
        security_descriptor: Option<&mut [c_void]>,
        _winfsp_finder: impl FnOnce(&U16CStr) -> Option<FileSecurity>,
    ) -> FspResult<FileSecurity> {
        let path = Self::parse(file_name)?;
        let m = self.shared.read();
        // The core answers this query itself, in one walk, instead of WinFsp's
        // per-component probing.
        if let Some(i) = m.first_reparse_point(self.volume, &path.components).fsp()? {
            return Ok(FileSecurity {
                reparse: true,
                sz_security_descriptor: 0,
                attributes: path.reparse_index(i),
            });
        }
        let info = self.object_info(&m, &path).fsp()?;
        Ok(FileSecurity {
            reparse: false,
            sz_security_descriptor: copy_descriptor(&self.security, security_descriptor),
            attributes: info.attributes,
        })
    }

    fn open(
        &self,
        file_name: &U16CStr,
        create_options: u32,
        granted_access: u32,
        file_info: &mut OpenFileInfo,
    ) -> FspResult<FileContext> {
        let path = Self::parse(file_name)?;
        let opts = open_options(
            Disposition::Open,
            create_options,
            granted_access,
            0,
            path.trailing_separator,
        );
        self.open_path(&path, &opts, file_info).fsp()
    }

    fn close(&self, context: FileContext) {
        // WinFsp's Close cannot fail; an unknown handle would be a core bug,
        // which the debug-build invariant check reports.
        let _ = self.shared.write().close(context.0);
    }

    fn create(
        &self,
        file_name: &U16CStr,
        create_options: u32,
        granted_access: u32,
        file_attributes: u32,
        _security_descriptor: Option<&[c_void]>,
        _allocation_size: u64,
        extra_buffer: Option<&[u8]>,
        extra_buffer_is_reparse_point: bool,
        file_info: &mut OpenFileInfo,
    ) -> FspResult<FileContext> {
        let path = Self::parse(file_name)?;
        let opts = open_options(
            Disposition::Create,
            create_options,
            granted_access,
            file_attributes,
            path.trailing_separator,
        );
        let ctx = self.open_path(&path, &opts, file_info).fsp()?;
        let Some(buffer) = extra_buffer.filter(|_| extra_buffer_is_reparse_point) else {
            return Ok(ctx);
        };
        // Created with a reparse point (WSL, NFS): all or nothing.
        let buffer = &self.mounts.to_core(buffer);
        let mut m = self.shared.write();
        let set = m
            .handle_node(ctx.0)
            .and_then(|id| m.set_reparse_point_of(id, buffer))
            .and_then(|()| Self::info_of(&m, ctx.0));
        match set {
            Ok(f) => {
                fill(file_info.as_mut(), f);
                Ok(ctx)
            }
            Err(e) => {
                let _ = m.set_delete_disposition(ctx.0, true, DeleteSemantics::Posix);
                let _ = m.close(ctx.0);
                Err(e).fsp()
            }
        }
    }

    /// The last cleanup of a name marked for delete removes it; open handles
    /// keep the data until they close (HL30).
    fn cleanup(&self, context: &FileContext, _file_name: Option<&U16CStr>, flags: u32) {
        if FspCleanupFlags::FspCleanupDelete.is_flagged(flags) {
            // SetDelete already ran the core's checks; Cleanup cannot fail.
            let _ =
                self.shared
                    .write()
                    .set_delete_disposition(context.0, true, DeleteSemantics::Posix);
        }
    }

    fn flush(&self, context: Option<&FileContext>, file_info: &mut FileInfo) -> FspResult<()> {
        // Everything is in memory: there is nothing to write back.
        if let Some(ctx) = context {
            fill(file_info, Self::info_of(&self.shared.read(), ctx.0).fsp()?);
        }
        Ok(())
    }

    fn get_file_info(&self, context: &FileContext, file_info: &mut FileInfo) -> FspResult<()> {
        fill(
            file_info,
            Self::info_of(&self.shared.read(), context.0).fsp()?,
        );
        Ok(())
    }

    fn get_security(
        &self,
        _context: &FileContext,
        security_descriptor: Option<&mut [c_void]>,
    ) -> FspResult<u64> {
        Ok(copy_descriptor(&self.security, security_descriptor))
    }

    fn overwrite(
        &self,
        context: &FileContext,
        file_attributes: u32,
        _replace_file_attributes: bool,
        _allocation_size: u64,
        _extra_buffer: Option<&[u8]>,
        file_info: &mut FileInfo,
    ) -> FspResult<()> {
        let mut m = self.shared.write();
        m.overwrite_handle(context.0, file_attributes).fsp()?;
        fill(file_info, Self::info_of(&m, context.0).fsp()?);
        Ok(())
    }

    /// Entries in NTFS collation order; `.` and `..` first except at the root.
    /// The marker is the last name returned, so a listing survives changes.
    fn read_directory(
        &self,
        context: &FileContext,
        _pattern: Option<&U16CStr>,
        marker: DirMarker,
        buffer: &mut [u8],
    ) -> FspResult<u32> {
        let m = self.shared.read();
        let dir = m.handle_node(context.0).fsp()?;
        let info = m.info(dir).fsp()?;
        if !info.is_directory {
            return Err(NtError::NotADirectory).fsp();
        }
        let mut cursor = 0u32;
        let is_root = dir == m.root(self.volume);
        let after = match marker.inner() {
            None => {
                if !is_root {
                    let parent = m
                        .file_names(dir)
                        .ok()
                        .and_then(|n| n.first().map(|n| n.parent))
                        .and_then(|p| m.info(p).ok())
                        .unwrap_or_else(|| info.clone());
                    if !Self::dot_entry(DOT, &info, buffer, &mut cursor)
                        || !Self::dot_entry(DOTDOT, &parent, buffer, &mut cursor)
                    {
                        return Ok(cursor);
                    }
                }
                None
            }
            Some(DOT) => {
                let parent = m
                    .file_names(dir)
                    .ok()
                    .and_then(|n| n.first().map(|n| n.parent))
                    .and_then(|p| m.info(p).ok())
                    .unwrap_or_else(|| info.clone());
                if !Self::dot_entry(DOTDOT, &parent, buffer, &mut cursor) {
                    return Ok(cursor);
                }
                None
            }
            Some(DOTDOT) => None,
            Some(name) => Some(Name::from_units(name).key()),
        };
        if Self::fill_entries(&m, dir, after, buffer, &mut cursor).fsp()? {
            DirInfo::<255>::finalize_buffer(buffer, &mut cursor);
        }
        Ok(cursor)
    }

    fn rename(
        &self,
        _context: &FileContext,
        file_name: &U16CStr,
        new_file_name: &U16CStr,
        replace_if_exists: bool,
    ) -> FspResult<()> {
        let from = Self::parse(file_name)?;
        let to = Self::parse(new_file_name)?;
        let mut m = self.shared.write();
        let ends = |m: &Machine, p: &VolumePath| -> Result<(NodeId, String), NtError> {
            match (
                m.parent_no_follow(self.volume, &p.components)?,
                p.last_name()?,
            ) {
                (Some(dir), Some(name)) => Ok((dir, name)),
                // A volume root cannot move (the core's answer for MoveFileEx).
                _ => Err(NtError::AccessDenied),
            }
        };
        let (from_dir, from_name) = ends(&m, &from).fsp()?;
        let (to_dir, to_name) = ends(&m, &to).fsp()?;
        m.rename_at(from_dir, &from_name, to_dir, &to_name, replace_if_exists)
            .fsp()
    }

    fn set_basic_info(
        &self,
        context: &FileContext,
        file_attributes: u32,
        creation_time: u64,
        last_access_time: u64,
        last_write_time: u64,
        _last_change_time: u64,
        file_info: &mut FileInfo,
    ) -> FspResult<()> {
        // 0 and INVALID_FILE_ATTRIBUTES mean "leave as is", as do zero times.
        let time = |t: u64| (t != 0).then_some(t);
        let mut m = self.shared.write();
        let id = m.handle_node(context.0).fsp()?;
        if file_attributes != 0 && file_attributes != u32::MAX {
            m.set_attributes_of(id, file_attributes).fsp()?;
        }
        m.set_times_of(
            id,
            time(creation_time),
            time(last_access_time),
            time(last_write_time),
        )
        .fsp()?;
        fill(file_info, Self::info_of(&m, context.0).fsp()?);
        Ok(())
    }

    /// Marks the name for delete, or clears the mark; the core checks whether it
    /// may go (non-empty directory, read-only: M9, HL34). Cleanup removes it.
    fn set_delete(
        &self,
        context: &FileContext,
        _file_name: &U16CStr,
        delete_file: bool,
    ) -> FspResult<()> {
        self.shared
            .write()
            .set_delete_disposition(context.0, delete_file, DeleteSemantics::Classic)
            .fsp()
    }

    fn set_file_size(
        &self,
        context: &FileContext,
        new_size: u64,
        set_allocation_size: bool,
        file_info: &mut FileInfo,
    ) -> FspResult<()> {
        let mut m = self.shared.write();
        let size = m.handle_info(context.0).fsp()?.size;
        // Allocation is not modelled; an allocation below the size truncates.
        if !set_allocation_size || new_size < size {
            m.set_len(context.0, new_size).fsp()?;
        }
        fill(file_info, Self::info_of(&m, context.0).fsp()?);
        Ok(())
    }

    fn read(&self, context: &FileContext, buffer: &mut [u8], offset: u64) -> FspResult<u32> {
        let n = self
            .shared
            .read()
            .read_into(context.0, offset, buffer)
            .fsp()?;
        Ok(n as u32)
    }

    fn write(
        &self,
        context: &FileContext,
        buffer: &[u8],
        offset: u64,
        write_to_eof: bool,
        constrained_io: bool,
        file_info: &mut FileInfo,
    ) -> FspResult<u32> {
        let mut m = self.shared.write();
        let size = m.handle_info(context.0).fsp()?.size;
        let offset = if write_to_eof { size } else { offset };
        // Constrained (paging) I/O never extends the file.
        let data = if constrained_io {
            let room = size.saturating_sub(offset).min(buffer.len() as u64) as usize;
            &buffer[..room]
        } else {
            buffer
        };
        let n = if data.is_empty() {
            0
        } else {
            m.write(context.0, offset, data).fsp()?
        };
        fill(file_info, Self::info_of(&m, context.0).fsp()?);
        Ok(n as u32)
    }

    fn get_volume_info(&self, out_volume_info: &mut VolumeInfo) -> FspResult<()> {
        let info = self.shared.read().volume_info(self.volume);
        let (total, free) = volume_params::space(info.bytes);
        out_volume_info.total_size = total;
        out_volume_info.free_size = free;
        out_volume_info.set_volume_label(String::from_utf16_lossy(&volume_params::label_units(
            &info.label,
        )));
        Ok(())
    }

    fn set_volume_label(
        &self,
        volume_label: &U16CStr,
        volume_info: &mut VolumeInfo,
    ) -> FspResult<()> {
        let label = String::from_utf16(volume_label.as_slice())
            .map_err(|_| NtError::InvalidParameter)
            .fsp()?;
        self.shared
            .write()
            .set_volume_label(self.volume, &label)
            .fsp()?;
        self.get_volume_info(volume_info)
    }

    /// Where the reparse point at `file_name` leads, by the core's rules, as an
    /// absolute symbolic link on the host's mounts: WinFsp's resolver then hands
    /// it straight to the I/O manager (which re-parses, with its own limit) and
    /// never applies resolution rules of its own.
    fn get_reparse_point_by_name(
        &self,
        file_name: &U16CStr,
        _is_directory: bool,
        buffer: &mut [u8],
    ) -> FspResult<u64> {
        let path = Self::parse(file_name)?;
        let target = self
            .shared
            .read()
            .reparse_target(self.volume, &path.components)
            .fsp()?;
        let nt = self.mounts.nt_path(&target).fsp()?;
        let link = ReparseData::Symlink {
            print: nt[4..].to_vec(), // without `\??\`
            substitute: nt,
            flags: 0,
        };
        copy_out(&link.encode(), buffer).fsp()
    }

    /// The adapter's private requests (see `control`); any other code is not
    /// this file system's.
    fn control(
        &self,
        context: &FileContext,
        control_code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> FspResult<u32> {
        if control_code != control::IOCTL_NTLINKFS_QUERY_NAMES {
            return Err(NtError::InvalidDeviceRequest).fsp();
        }
        let m = self.shared.read();
        let names = m
            .handle_node(context.0)
            .and_then(|id| m.file_names(id))
            .fsp()?;
        let paths: Vec<String> = names.into_iter().map(|n| n.path).collect();
        let skip = control::names_request_skip(input);
        let reply = control::names_reply(&paths, skip, output.len()).fsp()?;
        output[..reply.len()].copy_from_slice(&reply);
        Ok(reply.len() as u32)
    }

    /// FSCTL_GET_REPARSE_POINT: the core's raw buffer, exactly as set (R5).
    fn get_reparse_point(
        &self,
        context: &FileContext,
        _file_name: &U16CStr,
        buffer: &mut [u8],
    ) -> FspResult<u64> {
        let m = self.shared.read();
        let raw = m
            .handle_node(context.0)
            .and_then(|id| m.get_reparse_point_of(id))
            .fsp()?;
        copy_out(&raw, buffer).fsp()
    }

    fn set_reparse_point(
        &self,
        context: &FileContext,
        _file_name: &U16CStr,
        buffer: &[u8],
    ) -> FspResult<()> {
        let buffer = self.mounts.to_core(buffer);
        let mut m = self.shared.write();
        let id = m.handle_node(context.0).fsp()?;
        m.set_reparse_point_of(id, &buffer).fsp()
    }

    fn delete_reparse_point(
        &self,
        context: &FileContext,
        _file_name: &U16CStr,
        buffer: &[u8],
    ) -> FspResult<()> {
        let mut m = self.shared.write();
        let id = m.handle_node(context.0).fsp()?;
        m.delete_reparse_point_of(id, buffer).fsp()
    }
}
