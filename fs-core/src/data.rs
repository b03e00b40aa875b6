//! File contents, stored in fixed-size chunks so a write never copies the whole
//! file and holes cost nothing. A file also notes what changed since the
//! journal's last commit (`Since`), so a commit holds only the changed chunks:
//! every change to the chunks goes through `Chunks::write`, `Chunks::set_len`
//! or `Chunks::zero`, each marking `since`, else the journal would miss it.
//!
//! Every allocation of file data is fallible (`try_reserve`) and bounded by the
//! memory the caller still has room for: running out is STATUS_DISK_FULL, never
//! an abort, and a failed write changes no byte and no length (issue 11).

use crate::error::{NtError, Result};
use std::collections::BTreeSet;

/// Chunk size: large enough that sequential I/O touches few chunks.
pub const CHUNK: usize = 64 * 1024;

/// A file's bytes. Each chunk holds up to CHUNK bytes; bytes past a chunk's
/// length (or in a missing chunk) read as zeros. An empty file allocates nothing
/// and costs one pointer in its node (memory per file, issue 7).
#[derive(Debug, Default)]
pub struct FileData(Option<Box<Chunks>>);

#[derive(Debug, Default)]
struct Chunks {
    chunks: Vec<Vec<u8>>,
    len: u64,
    /// The chunks' capacities summed, so that [`FileData::heap`] is O(1).
    chunk_bytes: usize,
    since: Since,
}

/// What changed since the last journal commit (image::journal): the file was
/// cut to `min_len` (its shortest length since), and the chunks in `written`
/// were written. Every other chunk is the committed one cut at `min_len`.
/// New contents (from empty, or a copy) start at `min_len` 0 with every chunk
/// written, so they never depend on what the record held before.
#[derive(Debug, Default)]
struct Since {
    min_len: u64,
    written: BTreeSet<usize>,
}

impl Since {
    /// New contents of `chunks` chunks: all of them written since empty.
    fn new_contents(chunks: usize) -> Since {
        Since {
            min_len: 0,
            written: (0..chunks).collect(),
        }
    }
}

/// What a journal commit stores of a file's data (image::journal).
pub(crate) struct DataDelta<'a> {
    pub len: u64,
    /// Cut the committed data to this length first...
    pub min_len: u64,
    /// ...then these chunks hold these bytes (empty: a hole).
    pub chunks: Vec<(usize, &'a [u8])>,
}

impl FileData {
    /// A file holding `bytes` (tests and fixtures; allocation failure panics).
    #[cfg(test)]
    pub fn from_bytes(bytes: &[u8]) -> FileData {
        let mut d = FileData::default();
        d.write(0, bytes, u64::MAX).expect("memory for a test file");
        d
    }

    /// The file size in bytes (sparse holes included).
    pub fn len(&self) -> u64 {
        self.0.as_ref().map_or(0, |c| c.len)
    }

    /// True for a zero-length file.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held in memory (allocation size, for the memory benchmark).
    pub fn allocated(&self) -> usize {
        self.0
            .as_ref()
            .map_or(0, |_| std::mem::size_of::<Chunks>() + self.heap() as usize)
    }

    /// Bytes of chunk memory and chunk table: what the memory budget charges for
    /// the data (the small header is part of the node's charge).
    pub fn heap(&self) -> u64 {
        self.0.as_ref().map_or(0, |c| {
            (c.chunk_bytes + c.chunks.capacity() * std::mem::size_of::<Vec<u8>>()) as u64
        })
    }

    /// Reads up to `len` bytes at `offset` (fewer at the end of the file); the
    /// buffer is as large as the file can be, so its allocation may fail:
    /// STATUS_NO_MEMORY then, not an abort.
    pub fn read(&self, offset: u64, len: usize) -> Result<Vec<u8>> {
        if offset >= self.len() {
            return Ok(Vec::new());
        }
        let n = (offset.saturating_add(len as u64).min(self.len()) - offset) as usize;
        let mut out = Vec::new();
        out.try_reserve_exact(n).map_err(|_| NtError::NoMemory)?;
        out.resize(n, 0);
        self.read_into(offset, &mut out);
        Ok(out)
    }

    /// Fills `out` from `offset`; the caller bounds `out` by the file length.
    pub fn read_into(&self, offset: u64, out: &mut [u8]) {
        let Some(c) = self.0.as_deref() else {
            out.fill(0);
            return;
        };
        c.read_into(offset, out);
    }

    /// Writes `bytes` at `offset`, growing the file as needed. The memory it
    /// allocates ([`FileData::heap`]) grows by at most `room` bytes; past that,
    /// or when the allocator refuses, DISK_FULL and the contents are unchanged.
    pub fn write(&mut self, offset: u64, bytes: &[u8], room: u64) -> Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        offset
            .checked_add(bytes.len() as u64)
            .ok_or(NtError::FileTooLarge)?;
        self.0
            .get_or_insert_with(Default::default)
            .write(offset, bytes, room)
    }

    /// Sets the length; bytes past a shrink are dropped (and their memory
    /// freed), growth reads as zeros and allocates no chunk.
    pub fn set_len(&mut self, len: u64) {
        if len == 0 {
            self.0 = None;
        } else {
            self.0.get_or_insert_with(Default::default).set_len(len);
        }
    }

    /// A copy whose memory is at most `room` bytes, or DISK_FULL.
    pub fn try_clone(&self, room: u64) -> Result<FileData> {
        let Some(c) = self.0.as_deref() else {
            return Ok(FileData::default());
        };
        let cost = c.chunks.iter().map(Vec::len).sum::<usize>()
            + c.chunks.len() * std::mem::size_of::<Vec<u8>>();
        if cost as u64 > room {
            return Err(NtError::DiskFull);
        }
        let mut chunks: Vec<Vec<u8>> = Vec::new();
        chunks
            .try_reserve_exact(c.chunks.len())
            .map_err(|_| NtError::DiskFull)?;
        let mut chunk_bytes = 0;
        for src in &c.chunks {
            let mut v = Vec::new();
            v.try_reserve_exact(src.len())
                .map_err(|_| NtError::DiskFull)?;
            v.extend_from_slice(src);
            chunk_bytes += v.capacity();
            chunks.push(v);
        }
        // A copy is new contents for the record it goes to (see `Since`).
        let since = Since::new_contents(chunks.len());
        Ok(FileData(Some(Box::new(Chunks {
            chunks,
            len: c.len,
            chunk_bytes,
            since,
        }))))
    }

    /// Zeroes `len` bytes at `offset` (clipped to the file's length) without
    /// changing the length; chunks the range covers whole are freed, so a
    /// punched hole costs nothing (FSCTL_SET_ZERO_DATA on a sparse file).
    pub fn zero(&mut self, offset: u64, len: u64) {
        let end = offset.saturating_add(len).min(self.len());
        if offset < end {
            if let Some(c) = self.0.as_deref_mut() {
                c.zero(offset, end);
            }
        }
    }

    /// The chunks that hold bytes, by index (for the image writer: holes stay holes).
    pub(crate) fn stored_chunks(&self) -> impl Iterator<Item = (usize, &[u8])> {
        self.0
            .iter()
            .flat_map(|c| c.chunks.iter().enumerate())
            .filter(|(_, c)| !c.is_empty())
            .map(|(i, c)| (i, c.as_slice()))
    }

    /// The whole contents (tests).
    #[cfg(test)]
    pub fn to_vec(&self) -> Vec<u8> {
        self.read(0, self.len() as usize)
            .expect("memory for a test file")
    }

    /// What changed since the last commit (an empty file: cut to 0).
    pub(crate) fn delta(&self) -> DataDelta<'_> {
        match self.0.as_deref() {
            None => DataDelta {
                len: 0,
                min_len: 0,
                chunks: Vec::new(),
            },
            Some(c) => DataDelta {
                len: c.len,
                min_len: c.since.min_len,
                chunks: c
                    .since
                    .written
                    .iter()
                    .map(|&i| (i, c.chunks.get(i).map_or(&[][..], Vec::as_slice)))
                    .collect(),
            },
        }
    }

    /// Marks the contents as committed: nothing changed since.
    pub(crate) fn committed(&mut self) {
        if let Some(c) = self.0.as_deref_mut() {
            c.since = Since {
                min_len: c.len,
                written: BTreeSet::new(),
            };
        }
    }

    /// Marks the contents as new: the next delta starts from empty.
    pub(crate) fn uncommitted(&mut self) {
        if let Some(c) = self.0.as_deref_mut() {
            c.since = Since::new_contents(c.chunks.len());
        }
    }

    /// Replays a delta over these (committed) contents. Its chunks are checked
    /// against its length (within MAX_FILE_SIZE) by the reader; memory the
    /// allocator refuses is DISK_FULL, not an abort.
    pub(crate) fn apply(&mut self, d: &DataDelta) -> Result<()> {
        self.set_len(d.min_len.min(self.len()));
        for &(i, bytes) in &d.chunks {
            let c = self.0.get_or_insert_with(Default::default);
            if c.chunks.len() <= i {
                c.chunks
                    .try_reserve_exact(i + 1 - c.chunks.len())
                    .map_err(|_| NtError::DiskFull)?;
                c.chunks.resize_with(i + 1, Vec::new);
            }
            let mut v = Vec::new();
            v.try_reserve_exact(bytes.len())
                .map_err(|_| NtError::DiskFull)?;
            v.extend_from_slice(bytes);
            c.chunk_bytes = c.chunk_bytes - c.chunks[i].capacity() + v.capacity();
            c.chunks[i] = v;
        }
        self.set_len(d.len);
        Ok(())
    }
}

/// The capacity a chunk grows to so that it holds `need` bytes: at least double
/// (appends stay amortised), never past CHUNK.
fn grown_capacity(capacity: usize, need: usize) -> usize {
    need.max(capacity * 2).min(CHUNK)
}

impl Chunks {
    fn read_into(&self, offset: u64, out: &mut [u8]) {
        let mut pos = offset;
        let mut done = 0;
        while done < out.len() {
            let ci = (pos / CHUNK as u64) as usize;
            let co = (pos % CHUNK as u64) as usize;
            let n = (CHUNK - co).min(out.len() - done);
            let dst = &mut out[done..done + n];
            match self.chunks.get(ci) {
                Some(c) if co < c.len() => {
                    let avail = (c.len() - co).min(n);
                    dst[..avail].copy_from_slice(&c[co..co + avail]);
                    dst[avail..].fill(0);
                }
                _ => dst.fill(0),
            }
            done += n;
            pos += n as u64;
        }
    }

    /// The chunks `offset..offset+len` touches: (index, offset in chunk, bytes).
    fn spans(offset: u64, len: usize) -> impl Iterator<Item = (usize, usize, usize)> {
        let mut pos = offset;
        let mut done = 0;
        std::iter::from_fn(move || {
            if done >= len {
                return None;
            }
            let ci = (pos / CHUNK as u64) as usize;
            let co = (pos % CHUNK as u64) as usize;
            let n = (CHUNK - co).min(len - done);
            done += n;
            pos += n as u64;
            Some((ci, co, n))
        })
    }

    /// Reserves every byte the write needs, then copies: the copy cannot fail,
    /// so a failure leaves the contents as they were.
    fn write(&mut self, offset: u64, bytes: &[u8], room: u64) -> Result<()> {
        let last = (offset + bytes.len() as u64 - 1) / CHUNK as u64;
        let table = usize::try_from(last)
            .ok()
            .and_then(|l| l.checked_add(1))
            .ok_or(NtError::DiskFull)?;
        // What the write costs in memory, checked against the room first.
        let slot = std::mem::size_of::<Vec<u8>>() as u64;
        let table_cap = if table <= self.chunks.capacity() {
            self.chunks.capacity()
        } else {
            table.max(self.chunks.capacity() * 2)
        };
        let mut cost = ((table_cap - self.chunks.capacity()) as u64).saturating_mul(slot);
        for (ci, co, n) in Self::spans(offset, bytes.len()) {
            let cap = self.chunks.get(ci).map_or(0, Vec::capacity);
            if cap < co + n {
                cost += (grown_capacity(cap, co + n) - cap) as u64;
            }
        }
        if cost > room {
            return Err(NtError::DiskFull);
        }
        if self.chunks.len() < table {
            self.chunks
                .try_reserve_exact(table_cap - self.chunks.len())
                .map_err(|_| NtError::DiskFull)?;
            self.chunks.resize_with(table, Vec::new);
        }
        for (ci, co, n) in Self::spans(offset, bytes.len()) {
            let c = &mut self.chunks[ci];
            let cap = c.capacity();
            if cap < co + n {
                c.try_reserve_exact(grown_capacity(cap, co + n) - c.len())
                    .map_err(|_| NtError::DiskFull)?;
                self.chunk_bytes += c.capacity() - cap;
            }
        }
        let mut done = 0;
        for (ci, co, n) in Self::spans(offset, bytes.len()) {
            self.since.written.insert(ci);
            let c = &mut self.chunks[ci];
            let src = &bytes[done..done + n];
            if c.len() == co {
                // Appending (sequential writes): copy once, no zero fill first.
                c.extend_from_slice(src);
            } else {
                if c.len() < co + n {
                    c.resize(co + n, 0);
                }
                c[co..co + n].copy_from_slice(src);
            }
            done += n;
        }
        self.len = self.len.max(offset + bytes.len() as u64);
        Ok(())
    }

    /// Zeroes [start, end); the caller keeps `end` within the length.
    fn zero(&mut self, start: u64, end: u64) {
        let mut pos = start;
        while pos < end {
            let ci = (pos / CHUNK as u64) as usize;
            let co = (pos % CHUNK as u64) as usize;
            let n = ((CHUNK - co) as u64).min(end - pos) as usize;
            if let Some(c) = self.chunks.get_mut(ci) {
                // A zeroed or freed chunk is a change the journal must carry.
                self.since.written.insert(ci);
                if co == 0 && (n == CHUNK || co + n >= c.len()) {
                    // Every stored byte of the chunk is in the range: free it.
                    self.chunk_bytes -= c.capacity();
                    *c = Vec::new();
                } else if co < c.len() {
                    let stop = (co + n).min(c.len());
                    c[co..stop].fill(0);
                }
            }
            pos += n as u64;
        }
    }

    fn set_len(&mut self, len: u64) {
        self.since.min_len = self.since.min_len.min(len);
        if len < self.len {
            let keep_chunks = len.div_ceil(CHUNK as u64) as usize;
            // Chunks past the new end are gone: the delta's cut drops them.
            self.since.written.split_off(&keep_chunks);
            if keep_chunks < self.chunks.len() {
                let freed: usize = self.chunks[keep_chunks..].iter().map(Vec::capacity).sum();
                self.chunks.truncate(keep_chunks);
                self.chunk_bytes -= freed;
            }
            // Only the chunk that holds the new end is cut; when it was never
            // allocated (a hole), the chunks before it are whole and stay so.
            if self.chunks.len() == keep_chunks {
                if let Some(last) = self.chunks.last_mut() {
                    let tail = (len - (keep_chunks as u64 - 1) * CHUNK as u64) as usize;
                    last.truncate(tail);
                }
            }
            self.shrink_table();
        }
        self.len = len;
    }

    /// Gives back a chunk table much larger than its chunks, when the smaller
    /// one can be had (a refused allocation keeps the large one).
    fn shrink_table(&mut self) {
        if self.chunks.capacity() <= 2 * self.chunks.len() + 4 {
            return;
        }
        let mut smaller: Vec<Vec<u8>> = Vec::new();
        if smaller.try_reserve_exact(self.chunks.len()).is_ok() {
            smaller.append(&mut self.chunks);
            self.chunks = smaller;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_read_across_chunks_and_holes() {
        let mut d = FileData::default();
        d.write(10, b"hello", u64::MAX).unwrap();
        assert_eq!(d.len(), 15);
        assert_eq!(d.read(0, 100).unwrap(), [&[0u8; 10][..], b"hello"].concat());
        let big: Vec<u8> = (0..(CHUNK * 2 + 100)).map(|i| i as u8).collect();
        d.write(CHUNK as u64 - 3, &big, u64::MAX).unwrap();
        assert_eq!(d.read(CHUNK as u64 - 3, big.len()).unwrap(), big);
        assert_eq!(d.len(), CHUNK as u64 - 3 + big.len() as u64);
        d.write(CHUNK as u64 * 10, b"x", u64::MAX).unwrap();
        assert_eq!(d.read(CHUNK as u64 * 5, 4).unwrap(), vec![0; 4]);
        assert_eq!(d.read(CHUNK as u64 * 10, 10).unwrap(), b"x");
    }

    /// Issue 11: extending past unallocated chunks, then shrinking inside them,
    /// must not cut the last allocated chunk (fsx found this as data loss).
    #[test]
    fn shrink_inside_a_hole_keeps_earlier_chunks() {
        let mut d = FileData::from_bytes(&[b'A'; CHUNK]);
        d.set_len(300_000);
        d.set_len(200_000);
        assert_eq!(d.read(0, CHUNK).unwrap(), vec![b'A'; CHUNK]);
        assert!(d
            .read(CHUNK as u64, 200_000)
            .unwrap()
            .iter()
            .all(|&b| b == 0));
        assert_eq!(d.len(), 200_000);
    }

    /// Issue 11: an allocation the allocator refuses is DISK_FULL, not an abort,
    /// and the file is as it was.
    #[test]
    fn a_refused_allocation_is_disk_full() {
        let mut d = FileData::from_bytes(b"kept");
        // The chunk table for this offset is petabytes: no allocator gives it.
        assert_eq!(d.write(1 << 62, b"x", u64::MAX), Err(NtError::DiskFull));
        assert_eq!(d.to_vec(), b"kept");
        assert_eq!(
            d.write(u64::MAX, b"x", u64::MAX),
            Err(NtError::FileTooLarge)
        );
        assert_eq!(d.to_vec(), b"kept");
    }

    /// A read buffer no allocator gives is STATUS_NO_MEMORY, not an abort.
    #[test]
    fn a_refused_read_buffer_is_no_memory() {
        let mut d = FileData::from_bytes(b"x");
        d.set_len(1 << 63);
        assert_eq!(d.read(0, usize::MAX), Err(NtError::NoMemory));
        assert_eq!(d.read(0, 1).unwrap(), b"x");
    }

    /// The memory a write may add is bounded by its room; a write that does not
    /// fit changes nothing.
    #[test]
    fn room_bounds_the_memory_a_write_adds() {
        let mut d = FileData::from_bytes(b"ab");
        let before = d.heap();
        assert_eq!(
            d.write(0, &[1; CHUNK * 3], 3 * CHUNK as u64),
            Err(NtError::DiskFull)
        );
        assert_eq!((d.to_vec(), d.heap()), (b"ab".to_vec(), before));
        d.write(0, &[1; CHUNK * 3], 4 * CHUNK as u64).unwrap();
        assert!(d.heap() - before <= 4 * CHUNK as u64);
        assert_eq!(d.len(), 3 * CHUNK as u64);
        // Capacity never grows past a chunk.
        let c = d.0.as_deref().unwrap();
        assert!(c.chunks.iter().all(|c| c.capacity() == CHUNK));
    }

    /// The running count of chunk bytes is the chunks' capacities.
    fn counted_right(d: &FileData) -> bool {
        d.0.as_deref()
            .is_none_or(|c| c.chunk_bytes == c.chunks.iter().map(Vec::capacity).sum::<usize>())
    }

    #[derive(Debug, Clone)]
    enum DataOp {
        Write(u64, Vec<u8>, u64),
        SetLen(u64),
        Zero(u64, u64),
        Read(u64, usize),
    }

    fn data_op() -> impl proptest::strategy::Strategy<Value = DataOp> {
        use proptest::prelude::*;
        // Offsets span five chunks so writes, holes and cuts cross chunk edges.
        let span = 5 * CHUNK as u64;
        prop_oneof![
            (
                0..span,
                proptest::collection::vec(any::<u8>(), 0..3000),
                prop_oneof![Just(u64::MAX), 0..(2 * CHUNK as u64)],
            )
                .prop_map(|(o, b, room)| DataOp::Write(o, b, room)),
            (0..span).prop_map(DataOp::SetLen),
            (0..span, 0..(2 * CHUNK as u64)).prop_map(|(o, n)| DataOp::Zero(o, n)),
            (0..span, 0..(2 * CHUNK)).prop_map(|(o, n)| DataOp::Read(o, n)),
        ]
    }

    proptest::proptest! {
        /// Any sequence of writes, extends, shrinks and reads agrees with a plain
        /// byte vector (issue 11's truncate data loss, as a property).
        #[test]
        fn agrees_with_a_byte_vector(ops in proptest::collection::vec(data_op(), 1..40)) {
            let mut d = FileData::default();
            let mut model: Vec<u8> = Vec::new();
            for op in ops {
                match op {
                    DataOp::Write(o, b, room) => {
                        let before = d.heap();
                        if d.write(o, &b, room).is_err() {
                            // Did not fit the room: nothing changed.
                            proptest::prop_assert_eq!(d.to_vec(), model.clone());
                            continue;
                        }
                        proptest::prop_assert!(d.heap() - before <= room);
                        if !b.is_empty() {
                            let end = o as usize + b.len();
                            if model.len() < end {
                                model.resize(end, 0);
                            }
                            model[o as usize..end].copy_from_slice(&b);
                        }
                    }
                    DataOp::SetLen(n) => {
                        d.set_len(n);
                        model.resize(n as usize, 0);
                    }
                    DataOp::Zero(o, n) => {
                        d.zero(o, n);
                        let start = (o as usize).min(model.len());
                        let end = (o + n).min(model.len() as u64) as usize;
                        model[start..end].fill(0);
                    }
                    DataOp::Read(o, n) => {
                        let start = (o as usize).min(model.len());
                        let end = (o as usize).saturating_add(n).min(model.len());
                        proptest::prop_assert_eq!(d.read(o, n).unwrap(), model[start..end].to_vec());
                    }
                }
                proptest::prop_assert_eq!(d.len(), model.len() as u64);
                proptest::prop_assert!(counted_right(&d));
            }
            proptest::prop_assert_eq!(d.to_vec(), model);
        }
    }

    /// A punched hole reads as zeros, keeps the length and frees whole chunks.
    #[test]
    fn zero_keeps_length_and_frees_whole_chunks() {
        let mut d = FileData::from_bytes(&[9u8; 3 * CHUNK]);
        let full = d.allocated();
        d.zero(CHUNK as u64 - 2, CHUNK as u64 + 4);
        assert_eq!(d.len(), 3 * CHUNK as u64);
        let v = d.to_vec();
        assert_eq!(&v[..CHUNK - 2], &[9; CHUNK - 2][..]);
        assert!(v[CHUNK - 2..2 * CHUNK + 2].iter().all(|&b| b == 0));
        assert_eq!(&v[2 * CHUNK + 2..], &[9; CHUNK - 2][..]);
        assert_eq!(d.allocated(), full - CHUNK, "the middle chunk is freed");
        d.zero(2 * CHUNK as u64, u64::MAX);
        assert_eq!(
            d.len(),
            3 * CHUNK as u64,
            "past the end: clipped, no growth"
        );
        assert!(d
            .read(2 * CHUNK as u64, CHUNK)
            .unwrap()
            .iter()
            .all(|&b| b == 0));
    }

    proptest::proptest! {
        /// The journal's delta: the committed contents, cut and patched as the
        /// delta says, are the contents now (issue 11 journal), whatever writes
        /// failed for want of room.
        #[test]
        fn a_delta_over_the_committed_contents_gives_the_contents_now(
            before in proptest::collection::vec(data_op(), 0..10),
            after in proptest::collection::vec(data_op(), 0..20),
        ) {
            let mut d = FileData::default();
            let run = |d: &mut FileData, ops: &[DataOp]| {
                for op in ops {
                    match op {
                        DataOp::Write(o, b, room) => {
                            let _ = d.write(*o, b, *room);
                        }
                        DataOp::SetLen(n) => d.set_len(*n),
                        DataOp::Zero(o, n) => d.zero(*o, *n),
                        DataOp::Read(..) => {}
                    }
                }
            };
            run(&mut d, &before);
            d.committed();
            let mut base = d.try_clone(u64::MAX).unwrap();
            run(&mut d, &after);
            base.apply(&d.delta()).unwrap();
            proptest::prop_assert_eq!(base.to_vec(), d.to_vec());
            proptest::prop_assert!(counted_right(&base));
        }
    }

    #[test]
    fn set_len_shrinks_and_grows_with_zeros() {
        let mut d = FileData::from_bytes(&[7u8; CHUNK + 10]);
        d.set_len(5);
        assert_eq!(d.to_vec(), vec![7; 5]);
        d.set_len(CHUNK as u64 + 2);
        let v = d.to_vec();
        assert_eq!(&v[..5], &[7; 5]);
        assert!(v[5..].iter().all(|&b| b == 0));
        d.set_len(0);
        assert!(d.is_empty());
        assert_eq!(d.read(0, 10).unwrap(), Vec::<u8>::new());
    }
}
