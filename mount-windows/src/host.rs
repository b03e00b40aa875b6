//! The Windows glue: `winfsp::FileSystemContext` over [`VolumeFs`]. Each
//! method converts WinFsp's arguments, makes one `VolumeFs` call and copies
//! the answer into WinFsp's buffers; everything else is in `volume_fs`,
//! which is tested on every platform.

use crate::file_info::FspFileInfo;
use crate::status;
use crate::volume_fs::{copy_out, Opened, Security, VolumeFs};
use ntlinkfs_core::{HandleId, NtError};
use std::ffi::c_void;
use winfsp::constants::FspCleanupFlags;
use winfsp::filesystem::{
    DirInfo, DirMarker, FileInfo, FileSecurity, FileSystemContext, ModificationDescriptor,
    OpenFileInfo, VolumeInfo, WideNameInfo,
};
use winfsp::{FspError, U16CStr};

type FspResult<T> = winfsp::Result<T>;

/// An open WinFsp file: nothing but the core handle.
#[derive(Debug)]
pub struct FileContext(HandleId);

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

fn opened(o: Opened, out: &mut OpenFileInfo) -> FileContext {
    fill(out.as_mut(), o.info);
    if let Some(units) = o.normalized_name {
        // WinFsp's buffer is the limit; a longer name keeps the opened spelling.
        if units.len() * 2 <= usize::from(out.normalized_name_size()) {
            out.set_normalized_name(&units, None);
        }
    }
    FileContext(o.handle)
}

/// Writes the descriptor into WinFsp's buffer when it fits (WinFsp offers
/// 1 KiB first; descriptors are kept within it, see `security`); returns its
/// length, which WinFsp uses to ask again if it did not fit.
fn copy_descriptor(bytes: &[u8], buffer: Option<&mut [c_void]>) -> u64 {
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

impl FileSystemContext for VolumeFs {
    type FileContext = FileContext;

    fn get_security_by_name(
        &self,
        file_name: &U16CStr,
        security_descriptor: Option<&mut [c_void]>,
        _winfsp_finder: impl FnOnce(&U16CStr) -> Option<FileSecurity>,
    ) -> FspResult<FileSecurity> {
        // The core answers the reparse query itself, in one walk, instead of
        // WinFsp's per-component probing (`_winfsp_finder`).
        Ok(match self.security_by_name(file_name.as_slice()).fsp()? {
            Security::Reparse { index } => FileSecurity {
                reparse: true,
                sz_security_descriptor: 0,
                attributes: index,
            },
            Security::Object {
                attributes,
                descriptor,
            } => FileSecurity {
                reparse: false,
                sz_security_descriptor: copy_descriptor(&descriptor, security_descriptor),
                attributes,
            },
        })
    }

    fn open(
        &self,
        file_name: &U16CStr,
        create_options: u32,
        granted_access: u32,
        file_info: &mut OpenFileInfo,
    ) -> FspResult<FileContext> {
        let o = VolumeFs::open(self, file_name.as_slice(), create_options, granted_access).fsp()?;
        Ok(opened(o, file_info))
    }

    fn close(&self, context: FileContext) {
        VolumeFs::close(self, context.0);
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
        let reparse = extra_buffer.filter(|_| extra_buffer_is_reparse_point);
        let o = VolumeFs::create(
            self,
            file_name.as_slice(),
            create_options,
            granted_access,
            file_attributes,
            reparse,
        )
        .fsp()?;
        Ok(opened(o, file_info))
    }

    fn cleanup(&self, context: &FileContext, _file_name: Option<&U16CStr>, flags: u32) {
        let delete = FspCleanupFlags::FspCleanupDelete.is_flagged(flags);
        VolumeFs::cleanup(self, context.0, delete);
    }

    fn flush(&self, context: Option<&FileContext>, file_info: &mut FileInfo) -> FspResult<()> {
        // Everything is in memory: there is nothing to write back.
        if let Some(ctx) = context {
            fill(file_info, VolumeFs::file_info(self, ctx.0).fsp()?);
        }
        Ok(())
    }

    fn get_file_info(&self, context: &FileContext, file_info: &mut FileInfo) -> FspResult<()> {
        fill(file_info, VolumeFs::file_info(self, context.0).fsp()?);
        Ok(())
    }

    fn get_security(
        &self,
        context: &FileContext,
        security_descriptor: Option<&mut [c_void]>,
    ) -> FspResult<u64> {
        let descriptor = self.handle_descriptor(context.0).fsp()?;
        Ok(copy_descriptor(&descriptor, security_descriptor))
    }

    fn set_security(
        &self,
        context: &FileContext,
        security_information: u32,
        modification_descriptor: ModificationDescriptor,
    ) -> FspResult<()> {
        let p = modification_descriptor.as_mut_ptr() as *const u8;
        if p.is_null() {
            return Err(NtError::InvalidParameter).fsp();
        }
        // SAFETY: WinFsp passes the self-relative descriptor the kernel
        // captured and validated; only bytes within the extent its header and
        // parts announce are read (what GetSecurityDescriptorLength measures).
        let read =
            |at: usize, n: usize| unsafe { std::slice::from_raw_parts(p.add(at), n) }.to_vec();
        let len = crate::security::self_relative_len(read).fsp()?;
        // SAFETY: as above, `len` is the descriptor's own extent.
        let bytes = unsafe { std::slice::from_raw_parts(p, len) };
        VolumeFs::set_security(self, context.0, security_information, bytes).fsp()
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
        fill(
            file_info,
            VolumeFs::overwrite(self, context.0, file_attributes).fsp()?,
        );
        Ok(())
    }

    fn read_directory(
        &self,
        context: &FileContext,
        _pattern: Option<&U16CStr>,
        marker: DirMarker,
        buffer: &mut [u8],
    ) -> FspResult<u32> {
        const PAGE: usize = 128;
        let mut cursor = 0u32;
        let mut entry: DirInfo = DirInfo::new();
        let mut after: Option<Vec<u16>> = marker.inner().map(<[u16]>::to_vec);
        loop {
            let page = VolumeFs::read_directory(self, context.0, after.as_deref(), PAGE).fsp()?;
            for e in &page {
                entry.reset();
                // Names longer than 255 units never exist (N2); were one to, it
                // is left out rather than listed under a wrong name.
                if entry.set_name_raw(e.name.as_slice()).is_err() {
                    continue;
                }
                fill(entry.file_info_mut(), e.info);
                if !entry.append_to_buffer(buffer, &mut cursor) {
                    return Ok(cursor); // full: WinFsp asks again after the last name
                }
            }
            match page.last() {
                Some(last) if page.len() == PAGE => after = Some(last.name.clone()),
                _ => break,
            }
        }
        DirInfo::<255>::finalize_buffer(buffer, &mut cursor);
        Ok(cursor)
    }

    fn rename(
        &self,
        _context: &FileContext,
        file_name: &U16CStr,
        new_file_name: &U16CStr,
        replace_if_exists: bool,
    ) -> FspResult<()> {
        VolumeFs::rename(
            self,
            file_name.as_slice(),
            new_file_name.as_slice(),
            replace_if_exists,
        )
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
        let info = VolumeFs::set_basic_info(
            self,
            context.0,
            file_attributes,
            creation_time,
            last_access_time,
            last_write_time,
        )
        .fsp()?;
        fill(file_info, info);
        Ok(())
    }

    fn set_delete(
        &self,
        context: &FileContext,
        _file_name: &U16CStr,
        delete_file: bool,
    ) -> FspResult<()> {
        VolumeFs::set_delete(self, context.0, delete_file).fsp()
    }

    fn set_file_size(
        &self,
        context: &FileContext,
        new_size: u64,
        set_allocation_size: bool,
        file_info: &mut FileInfo,
    ) -> FspResult<()> {
        let info = VolumeFs::set_file_size(self, context.0, new_size, set_allocation_size).fsp()?;
        fill(file_info, info);
        Ok(())
    }

    fn read(&self, context: &FileContext, buffer: &mut [u8], offset: u64) -> FspResult<u32> {
        Ok(VolumeFs::read(self, context.0, offset, buffer).fsp()? as u32)
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
        let (n, info) = VolumeFs::write(
            self,
            context.0,
            buffer,
            offset,
            write_to_eof,
            constrained_io,
        )
        .fsp()?;
        fill(file_info, info);
        Ok(n as u32)
    }

    fn get_volume_info(&self, out_volume_info: &mut VolumeInfo) -> FspResult<()> {
        let (total, free, label) = VolumeFs::volume_info(self);
        out_volume_info.total_size = total;
        out_volume_info.free_size = free;
        out_volume_info.set_volume_label(String::from_utf16_lossy(&label));
        Ok(())
    }

    fn set_volume_label(
        &self,
        volume_label: &U16CStr,
        volume_info: &mut VolumeInfo,
    ) -> FspResult<()> {
        VolumeFs::set_volume_label(self, volume_label.as_slice()).fsp()?;
        self.get_volume_info(volume_info)
    }

    fn get_reparse_point_by_name(
        &self,
        file_name: &U16CStr,
        _is_directory: bool,
        buffer: &mut [u8],
    ) -> FspResult<u64> {
        let link = self.reparse_point_by_name(file_name.as_slice()).fsp()?;
        Ok(copy_out(&link, buffer).fsp()? as u64)
    }

    fn get_reparse_point(
        &self,
        context: &FileContext,
        _file_name: &U16CStr,
        buffer: &mut [u8],
    ) -> FspResult<u64> {
        let raw = self.reparse_point(context.0).fsp()?;
        Ok(copy_out(&raw, buffer).fsp()? as u64)
    }

    fn set_reparse_point(
        &self,
        context: &FileContext,
        _file_name: &U16CStr,
        buffer: &[u8],
    ) -> FspResult<()> {
        VolumeFs::set_reparse_point(self, context.0, buffer).fsp()
    }

    fn delete_reparse_point(
        &self,
        context: &FileContext,
        _file_name: &U16CStr,
        buffer: &[u8],
    ) -> FspResult<()> {
        VolumeFs::delete_reparse_point(self, context.0, buffer).fsp()
    }

    fn control(
        &self,
        context: &FileContext,
        control_code: u32,
        input: &[u8],
        output: &mut [u8],
    ) -> FspResult<u32> {
        let reply = VolumeFs::control(self, context.0, control_code, input, output.len()).fsp()?;
        output[..reply.len()].copy_from_slice(&reply);
        Ok(reply.len() as u32)
    }
}
