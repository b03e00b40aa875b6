//! Volume sizes and the memory budget (issue 11).
//!
//! Every volume has a size; the file data it holds (the files' lengths, byte
//! for byte) must fit in it. A write, extension or copy past the free space
//! fails with STATUS_DISK_FULL and changes nothing; deleting or truncating
//! gives the space back. A file longer than NTFS allows fails with
//! STATUS_FILE_TOO_LARGE.
//!
//! Separately the machine has a memory budget for everything it holds: the
//! file data's chunks and a fixed charge per node and per name. When it is
//! spent, what would allocate more fails with STATUS_DISK_FULL (ENOSPC), so a
//! daemon answers instead of aborting. The core does no I/O: the adapters read
//! the machine's memory size and pass the budget in.

use crate::data::FileData;
use crate::error::{NtError, Result};
use crate::file_ref::RecordNo;
use crate::machine::{Machine, NodeId, VolumeId};
use crate::node::NodeKind;

/// The size of a volume nobody gave a size: 64 GiB, the same on every machine
/// (what `dir` and `df` always showed).
pub const DEFAULT_VOLUME_SIZE: u64 = 64 << 30;

/// Smallest volume: 1 MiB (NTFS's minimum volume size).
pub const MIN_VOLUME_SIZE: u64 = 1 << 20;

/// Largest volume: 2^32 − 1 clusters of 4 KiB, NTFS's limit at its default
/// cluster size.
pub const MAX_VOLUME_SIZE: u64 = ((1 << 32) - 1) * BLOCK_SIZE;

/// The block size the POSIX view reports (statfs): NTFS's default cluster.
/// Volume sizes are whole blocks. File data is counted byte for byte (no
/// cluster rounding), so `dir`'s free space is the size less the bytes stored.
pub const BLOCK_SIZE: u64 = 4096;

/// Largest file: 16 TiB less 64 KiB, NTFS's limit with 4 KiB clusters (2^32
/// clusters, less the 64 KiB the implementation keeps). Longer is
/// STATUS_FILE_TOO_LARGE (EFBIG).
pub const MAX_FILE_SIZE: u64 = (1 << 44) - (64 << 10);

/// Memory charged per node (its record, attributes, times and the data header).
pub const NODE_COST: u64 = 256;

/// Memory charged per name: the name in its node and in its directory's index,
/// sized for a 255-unit name.
pub const NAME_COST: u64 = 1152;

/// A size as people type it: bytes, or a number with `K`, `M`, `G` or `T`
/// (powers of 1024; `KiB`, `KB` and lower case are the same). None when it is
/// not one, or does not fit 64 bits.
pub fn parse_size(text: &str) -> Option<u64> {
    let t = text.trim();
    let digits = t.find(|c: char| !c.is_ascii_digit()).unwrap_or(t.len());
    let (n, unit) = t.split_at(digits);
    let shift = match unit.to_ascii_uppercase().as_str() {
        "" | "B" => 0,
        "K" | "KB" | "KIB" => 10,
        "M" | "MB" | "MIB" => 20,
        "G" | "GB" | "GIB" => 30,
        "T" | "TB" | "TIB" => 40,
        _ => return None,
    };
    n.parse::<u64>().ok()?.checked_mul(1 << shift)
}

/// Checks that `size` can be a volume's size: whole blocks between
/// [`MIN_VOLUME_SIZE`] and [`MAX_VOLUME_SIZE`], else INVALID_PARAMETER.
pub fn check_volume_size(size: u64) -> Result<()> {
    if !(MIN_VOLUME_SIZE..=MAX_VOLUME_SIZE).contains(&size) || size % BLOCK_SIZE != 0 {
        return Err(NtError::InvalidParameter);
    }
    Ok(())
}

impl Machine {
    /// Sets the size of a volume. It must be a volume size
    /// ([`check_volume_size`]) that holds what the volume stores already (else
    /// DISK_FULL).
    pub fn set_volume_size(&mut self, id: VolumeId, size: u64) -> Result<()> {
        let v = self.volumes.get_mut(id).ok_or(NtError::InvalidParameter)?;
        check_volume_size(size)?;
        if size < v.space.used {
            return Err(NtError::DiskFull);
        }
        v.space.size = size;
        Ok(())
    }

    /// The memory budget in bytes ([`u64::MAX`], no limit, unless set).
    pub fn memory_limit(&self) -> u64 {
        self.memory_limit
    }

    /// Sets the memory budget for data and metadata.
    pub fn set_memory_limit(&mut self, bytes: u64) {
        self.memory_limit = bytes;
    }

    /// Memory the machine's contents are charged: file data chunks, and
    /// [`NODE_COST`] per node and [`NAME_COST`] per name.
    pub fn memory_used(&self) -> u64 {
        self.volumes
            .iter()
            .map(|v| {
                v.space.data_memory + v.nodes.len() as u64 * NODE_COST + v.space.names * NAME_COST
            })
            .sum()
    }

    /// Memory still to be had.
    pub(crate) fn memory_room(&self) -> u64 {
        self.memory_limit.saturating_sub(self.memory_used())
    }

    /// Checks that a new node with one name fits the memory budget.
    pub(crate) fn check_room_for_node(&self) -> Result<()> {
        if self.memory_room() < NODE_COST + NAME_COST {
            return Err(NtError::DiskFull);
        }
        Ok(())
    }

    /// Writes into a file's data, within the file size limit, the volume's free
    /// space and the memory budget; on failure nothing changed.
    pub(crate) fn write_data(
        &mut self,
        vol: VolumeId,
        rec: RecordNo,
        offset: u64,
        bytes: &[u8],
    ) -> Result<()> {
        let end = offset
            .checked_add(bytes.len() as u64)
            .filter(|&e| e <= MAX_FILE_SIZE)
            .ok_or(NtError::FileTooLarge)?;
        let room = self.memory_room();
        self.change_data(vol, rec, end, |d| d.write(offset, bytes, room))
    }

    /// SetEndOfFile on a file's data: FILE_TOO_LARGE past the limit, DISK_FULL
    /// when the growth does not fit the volume; a shrink frees its memory.
    pub(crate) fn set_data_len(&mut self, vol: VolumeId, rec: RecordNo, len: u64) -> Result<()> {
        if len > MAX_FILE_SIZE {
            return Err(NtError::FileTooLarge);
        }
        self.change_data_to(vol, rec, len, |d| {
            d.set_len(len);
            Ok(())
        })
    }

    /// A copy of `data` for volume `vol`: DISK_FULL when it does not fit the
    /// volume's free space or the memory budget.
    pub(crate) fn copy_data(&self, data: &FileData, vol: VolumeId) -> Result<FileData> {
        let v = self.vol(vol)?;
        if data.len() > v.space.size.saturating_sub(v.space.used) {
            return Err(NtError::DiskFull);
        }
        data.try_clone(self.memory_room())
    }

    /// A copy of file `src`'s data made for volume `vol`, as CopyFile's data
    /// step (a link-aware copy makes it before the new file, so a copy that
    /// does not fit creates nothing): DISK_FULL when it does not fit the
    /// volume's free space or the memory budget; None when `src` holds none.
    pub fn copy_data_for(&self, src: NodeId, vol: VolumeId) -> Result<Option<FileData>> {
        match self.node(src.volume, self.record_of(src)?)?.data() {
            Some(d) if !d.is_empty() => self.copy_data(d, vol).map(Some),
            _ => Ok(None),
        }
    }

    /// Replaces the data of file `id` with `data` made for its volume by
    /// [`Machine::copy_data_for`].
    pub fn set_data_of(&mut self, id: NodeId, data: FileData) -> Result<()> {
        let rec = self.record_of(id)?;
        self.replace_data(id.volume, rec, data)
    }

    /// Replaces a file's data with `data` (made by [`Machine::copy_data`]).
    pub(crate) fn replace_data(
        &mut self,
        vol: VolumeId,
        rec: RecordNo,
        data: FileData,
    ) -> Result<()> {
        let len = data.len();
        let mut data = Some(data);
        self.change_data_to(vol, rec, len, |d| {
            *d = data.take().expect("called once");
            Ok(())
        })
    }

    /// Runs `f` on the data of a file whose length becomes at least `end`.
    pub(crate) fn change_data(
        &mut self,
        vol: VolumeId,
        rec: RecordNo,
        end: u64,
        f: impl FnOnce(&mut FileData) -> Result<()>,
    ) -> Result<()> {
        let len = self.node(vol, rec)?.size().max(end);
        self.change_data_to(vol, rec, len, f)
    }

    /// Runs `f` on the data of a file whose length becomes `len`, after checking
    /// the growth against the free space; keeps the volume's counts right
    /// whatever `f` returns.
    fn change_data_to(
        &mut self,
        vol: VolumeId,
        rec: RecordNo,
        len: u64,
        f: impl FnOnce(&mut FileData) -> Result<()>,
    ) -> Result<()> {
        let v = self.volumes.get_mut(vol).ok_or(NtError::InvalidParameter)?;
        let space = v.space;
        let node = v.node_mut(rec).ok_or(NtError::FileDeleted)?;
        let NodeKind::File(data) = &mut node.kind else {
            return Err(NtError::InvalidDeviceRequest);
        };
        let (old_len, old_heap) = (data.len(), data.heap());
        if len.saturating_sub(old_len) > space.size.saturating_sub(space.used) {
            return Err(NtError::DiskFull);
        }
        let r = f(data);
        let (new_len, new_heap) = (data.len(), data.heap());
        let s = &mut v.space;
        s.used = s.used - old_len + new_len;
        s.data_memory = s.data_memory - old_heap + new_heap;
        r
    }
}
