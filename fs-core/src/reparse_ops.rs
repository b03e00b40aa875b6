//! FSCTL_SET_REPARSE_POINT, FSCTL_GET_REPARSE_POINT, FSCTL_DELETE_REPARSE_POINT
//! on raw buffers (SEMANTICS §6.2–§6.4). The object itself is opened: reparse
//! points on the last component are never followed.

use crate::access::{
    FILE_READ_ATTRIBUTES, FILE_SHARE_ALL, FILE_WRITE_ATTRIBUTES, FILE_WRITE_DATA, SYNCHRONIZE,
};
use crate::attrs::FILE_ATTRIBUTE_REPARSE_POINT;
use crate::error::{NtError, Result};
use crate::file_ref::RecordNo;
use crate::handle::{HandleId, OpenOptions};
use crate::machine::{Follow, Machine, NodeId, VolumeId};
use crate::node::Reparse;
use crate::path::PathUnits;
use crate::profile::Privilege;
use crate::reparse::{
    self, ReparseData, ReparseTag, IO_REPARSE_TAG_MOUNT_POINT, IO_REPARSE_TAG_SYMLINK,
};

impl Machine {
    /// FSCTL_SET_REPARSE_POINT on the object at `path`: open it for
    /// FILE_WRITE_ATTRIBUTES (the link itself), call, close.
    pub fn set_reparse_point(
        &mut self,
        path: &(impl PathUnits + ?Sized),
        buffer: &[u8],
    ) -> Result<()> {
        let h = self.open(path, &fsctl_open())?;
        let r = self.set_reparse_point_h(h, buffer);
        self.close(h)?;
        r
    }

    /// FSCTL_SET_REPARSE_POINT on an open handle: the handle needs
    /// FILE_WRITE_DATA or FILE_WRITE_ATTRIBUTES ([T] BTRFS reparse.cpp
    /// reparse16: a FILE_READ_ATTRIBUTES handle gets STATUS_ACCESS_DENIED).
    pub fn set_reparse_point_h(&mut self, h: HandleId, buffer: &[u8]) -> Result<()> {
        let hd = self.handle(h)?;
        if hd.access & (FILE_WRITE_DATA | FILE_WRITE_ATTRIBUTES) == 0 {
            return Err(NtError::AccessDenied);
        }
        let (vol, rec) = (hd.vol, hd.rec);
        self.set_reparse_rec(vol, rec, buffer)
    }

    /// FSCTL_GET_REPARSE_POINT on an open handle (FILE_ANY_ACCESS: any handle).
    pub fn get_reparse_point_h(&self, h: HandleId) -> Result<Vec<u8>> {
        let hd = self.handle(h)?;
        self.get_reparse_rec(hd.vol, hd.rec)
    }

    /// FSCTL_DELETE_REPARSE_POINT on an open handle: the handle needs
    /// FILE_WRITE_ATTRIBUTES (as WinBtrfs's driver, which follows NTFS, checks).
    pub fn delete_reparse_point_h(&mut self, h: HandleId, request: &[u8]) -> Result<()> {
        let hd = self.handle(h)?;
        if hd.access & FILE_WRITE_ATTRIBUTES == 0 {
            return Err(NtError::AccessDenied);
        }
        let (vol, rec) = (hd.vol, hd.rec);
        self.delete_reparse_rec(vol, rec, request)
    }

    /// FSCTL_SET_REPARSE_POINT on a node by id (`system.ntfs_reparse_data`).
    pub fn set_reparse_point_of(&mut self, id: NodeId, buffer: &[u8]) -> Result<()> {
        let rec = self.record_of(id)?;
        self.set_reparse_rec(id.volume, rec, buffer)
    }

    fn set_reparse_rec(&mut self, vol: VolumeId, rec: RecordNo, buffer: &[u8]) -> Result<()> {
        if !self.volumes[vol].kind.supports_reparse_points() || !self.profile.supports_junctions() {
            return Err(NtError::InvalidDeviceRequest);
        }
        let data = ReparseData::decode(buffer)?;
        let tag = data.tag();
        let node = self.node(vol, rec)?;
        if rec == crate::volume::ROOT_RECORD {
            return Err(NtError::AccessDenied);
        }
        match tag.0 {
            IO_REPARSE_TAG_MOUNT_POINT if !node.is_dir() => return Err(NtError::NotADirectory), // J4
            _ => {}
        }
        let dir_bit_ok = tag.is_directory_bit() && self.profile.supports_directory_bit_tags();
        if node.entries().is_some_and(|e| !e.is_empty()) && !dir_bit_ok {
            return Err(NtError::DirectoryNotEmpty); // J3, S12
        }
        if tag.0 == IO_REPARSE_TAG_SYMLINK {
            if !node.is_dir() && node.size() > 0 {
                return Err(NtError::IoReparseDataInvalid); // S12
            }
            if self.profile.privilege != Privilege::Held {
                return Err(NtError::PrivilegeNotHeld); // S2 (FSCTL path)
            }
        }
        if let Some(existing) = &node.reparse {
            let old = existing.data.tag();
            if old != tag {
                return Err(NtError::IoReparseTagMismatch); // J7
            }
            if let (ReparseData::Other { guid: g1, .. }, ReparseData::Other { guid: g2, .. }) =
                (&existing.data, &data)
            {
                if g1 != g2 {
                    return Err(NtError::ReparseAttributeConflict);
                }
            }
        }
        if let ReparseData::Symlink {
            substitute, flags, ..
        } = &data
        {
            if substitute.is_empty() && flags & reparse::SYMLINK_FLAG_RELATIVE != 0 {
                return Err(NtError::IoReparseDataInvalid); // P5
            }
        }
        let now = self.now();
        let archive = tag.0 == IO_REPARSE_TAG_MOUNT_POINT && self.profile.junction_gets_archive();
        let node = self.node_mut(vol, rec)?;
        node.reparse = Some(Box::new(Reparse {
            raw: buffer.into(),
            data,
        }));
        node.attrs |= FILE_ATTRIBUTE_REPARSE_POINT;
        if archive {
            // J1: Windows 2000 reports 0x430 for a junction set by FSCTL (WINE-OLD).
            node.attrs |= crate::attrs::FILE_ATTRIBUTE_ARCHIVE;
        }
        node.times.change = now;
        Ok(())
    }

    /// FSCTL_GET_REPARSE_POINT: the bytes exactly as set (R5).
    pub fn get_reparse_point(&self, path: &(impl PathUnits + ?Sized)) -> Result<Vec<u8>> {
        let r = self.resolve_str(path, Follow::OpenReparsePoint)?;
        let rec = r.node.ok_or(NtError::ObjectNameNotFound)?;
        self.get_reparse_rec(r.vol, rec)
    }

    /// FSCTL_GET_REPARSE_POINT on a node by id.
    pub fn get_reparse_point_of(&self, id: NodeId) -> Result<Vec<u8>> {
        let rec = self.record_of(id)?;
        self.get_reparse_rec(id.volume, rec)
    }

    fn get_reparse_rec(&self, vol: VolumeId, rec: RecordNo) -> Result<Vec<u8>> {
        let node = self.node(vol, rec)?;
        node.reparse
            .as_ref()
            .map(|r| r.raw.to_vec())
            .ok_or(NtError::NotAReparsePoint)
    }

    /// The decoded reparse point at `path` (the link itself).
    pub fn read_reparse_data(&self, path: &(impl PathUnits + ?Sized)) -> Result<ReparseData> {
        let r = self.resolve_str(path, Follow::OpenReparsePoint)?;
        let rec = r.node.ok_or(NtError::ObjectNameNotFound)?;
        let node = self.node(r.vol, rec)?;
        node.reparse
            .as_ref()
            .map(|r| r.data.clone())
            .ok_or(NtError::NotAReparsePoint)
    }

    /// The decoded reparse point of a node by id.
    pub fn reparse_data_of(&self, id: NodeId) -> Result<ReparseData> {
        let rec = self.record_of(id)?;
        let node = self.node(id.volume, rec)?;
        node.reparse
            .as_ref()
            .map(|r| r.data.clone())
            .ok_or(NtError::NotAReparsePoint)
    }

    /// FSCTL_DELETE_REPARSE_POINT with the request buffer (§6.4).
    pub fn delete_reparse_point(
        &mut self,
        path: &(impl PathUnits + ?Sized),
        request: &[u8],
    ) -> Result<()> {
        let h = self.open(path, &fsctl_open())?;
        let r = self.delete_reparse_point_h(h, request);
        self.close(h)?;
        r
    }

    /// FSCTL_DELETE_REPARSE_POINT on a node by id.
    pub fn delete_reparse_point_of(&mut self, id: NodeId, request: &[u8]) -> Result<()> {
        let rec = self.record_of(id)?;
        self.delete_reparse_rec(id.volume, rec, request)
    }

    /// Removes whatever reparse point a node has (`removexattr`, `fsutil
    /// reparsepoint delete`), building the request from the stored tag.
    pub fn remove_reparse_point_of(&mut self, id: NodeId) -> Result<()> {
        let rec = self.record_of(id)?;
        let request = self.delete_request_for(id.volume, rec)?;
        self.delete_reparse_rec(id.volume, rec, &request)
    }

    /// `fsutil reparsepoint delete PATH`.
    pub fn remove_reparse_point(&mut self, path: &(impl PathUnits + ?Sized)) -> Result<()> {
        let h = self.open(path, &fsctl_open())?;
        let r = self
            .handle(h)
            .and_then(|hd| self.delete_request_for(hd.vol, hd.rec));
        let r = r.and_then(|request| self.delete_reparse_point_h(h, &request));
        self.close(h)?;
        r
    }

    fn delete_request_for(&self, vol: VolumeId, rec: RecordNo) -> Result<Vec<u8>> {
        let node = self.node(vol, rec)?;
        let rp = node.reparse.as_ref().ok_or(NtError::NotAReparsePoint)?;
        let tag = rp.data.tag().0;
        Ok(match &rp.data {
            ReparseData::Other { guid: Some(g), .. } => {
                let mut v = reparse::delete_request(tag);
                v.extend_from_slice(g);
                v
            }
            _ => reparse::delete_request(tag),
        })
    }

    fn delete_reparse_rec(&mut self, vol: VolumeId, rec: RecordNo, request: &[u8]) -> Result<()> {
        let (tag, guid) = reparse::decode_delete_request(request)?;
        let node = self.node(vol, rec)?;
        let existing = node.reparse.as_ref().ok_or(NtError::NotAReparsePoint)?;
        if existing.data.tag() != tag {
            return Err(NtError::IoReparseTagMismatch);
        }
        if let ReparseData::Other { guid: stored, .. } = &existing.data {
            if guid.is_some() && *stored != guid {
                return Err(NtError::ReparseAttributeConflict);
            }
        }
        let _ = ReparseTag(tag.0);
        let node = self.node_mut(vol, rec)?;
        node.reparse = None;
        node.attrs &= !FILE_ATTRIBUTE_REPARSE_POINT;
        // Device numbers belong to an LX_CHR/LX_BLK tag (`special`): none remain
        // to reappear if a device tag is set again.
        node.posix.rdev = Default::default();
        Ok(())
    }
}

/// How the path-based FSCTL calls open the object: the link itself, for its
/// attributes (not its data: no share conflict, no read-only refusal).
fn fsctl_open() -> OpenOptions {
    OpenOptions::default()
        .access(FILE_READ_ATTRIBUTES | FILE_WRITE_ATTRIBUTES | SYNCHRONIZE)
        .share(FILE_SHARE_ALL)
        .follow(Follow::OpenReparsePoint)
}
