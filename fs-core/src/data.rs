//! File contents, stored in fixed-size chunks so a write never copies the whole
//! file and holes cost nothing. A file also notes what changed since the
//! journal's last commit (`Since`), so a commit holds only the changed chunks.

use std::collections::BTreeSet;

/// Chunk size: large enough that sequential I/O touches few chunks.
pub const CHUNK: usize = 64 * 1024;

/// A file's bytes. Each chunk holds up to CHUNK bytes; bytes past a chunk's
/// length (or in a missing chunk) read as zeros. An empty file allocates nothing
/// and costs one pointer in its node (memory per file, issue 7).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileData(Option<Box<Chunks>>);

#[derive(Debug, Default)]
struct Chunks {
    chunks: Vec<Vec<u8>>,
    len: u64,
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

/// A copy is new contents for the record it goes to (see `Since`).
impl Clone for Chunks {
    fn clone(&self) -> Chunks {
        Chunks {
            chunks: self.chunks.clone(),
            len: self.len,
            since: Since {
                min_len: 0,
                written: (0..self.chunks.len()).collect(),
            },
        }
    }
}

/// Contents only: what changed since a commit is not part of a file's value.
impl PartialEq for Chunks {
    fn eq(&self, other: &Chunks) -> bool {
        self.len == other.len && self.chunks == other.chunks
    }
}

impl Eq for Chunks {}

/// What a journal commit stores of a file's data (image::journal).
pub(crate) struct DataDelta<'a> {
    pub len: u64,
    /// Cut the committed data to this length first...
    pub min_len: u64,
    /// ...then these chunks hold these bytes (empty: a hole).
    pub chunks: Vec<(usize, &'a [u8])>,
}

impl FileData {
    pub fn from_bytes(bytes: &[u8]) -> FileData {
        let mut d = FileData::default();
        d.write(0, bytes);
        d
    }

    pub fn len(&self) -> u64 {
        self.0.as_ref().map_or(0, |c| c.len)
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Bytes held in memory (allocation size, for the memory benchmark).
    pub fn allocated(&self) -> usize {
        self.0.as_ref().map_or(0, |c| {
            std::mem::size_of::<Chunks>()
                + c.chunks.iter().map(Vec::capacity).sum::<usize>()
                + c.chunks.capacity() * std::mem::size_of::<Vec<u8>>()
        })
    }

    /// Reads up to `len` bytes at `offset` (fewer at the end of the file).
    pub fn read(&self, offset: u64, len: usize) -> Vec<u8> {
        if offset >= self.len() {
            return Vec::new();
        }
        let end = offset.saturating_add(len as u64).min(self.len());
        let mut out = vec![0u8; (end - offset) as usize];
        self.read_into(offset, &mut out);
        out
    }

    /// Fills `out` from `offset`; the caller bounds `out` by the file length.
    pub fn read_into(&self, offset: u64, out: &mut [u8]) {
        let Some(c) = self.0.as_deref() else {
            out.fill(0);
            return;
        };
        c.read_into(offset, out);
    }

    /// Writes `bytes` at `offset`, growing the file as needed.
    pub fn write(&mut self, offset: u64, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        self.0
            .get_or_insert_with(Default::default)
            .write(offset, bytes);
    }

    /// Sets the length; bytes past a shrink are dropped, growth reads as zeros.
    pub fn set_len(&mut self, len: u64) {
        if len == 0 {
            self.0 = None;
        } else {
            self.0.get_or_insert_with(Default::default).set_len(len);
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

    /// The whole contents.
    pub fn to_vec(&self) -> Vec<u8> {
        self.read(0, self.len() as usize)
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
            c.since = Since {
                min_len: 0,
                written: (0..c.chunks.len()).collect(),
            };
        }
    }

    /// Replays a delta over these (committed) contents.
    pub(crate) fn apply(&mut self, d: &DataDelta) {
        self.set_len(d.min_len.min(self.len()));
        for &(i, bytes) in &d.chunks {
            let c = self.0.get_or_insert_with(Default::default);
            if c.chunks.len() <= i {
                c.chunks.resize_with(i + 1, Vec::new);
            }
            c.chunks[i] = bytes.to_vec();
        }
        self.set_len(d.len);
    }
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

    fn write(&mut self, offset: u64, bytes: &[u8]) {
        let mut pos = offset;
        let mut done = 0;
        while done < bytes.len() {
            let ci = (pos / CHUNK as u64) as usize;
            let co = (pos % CHUNK as u64) as usize;
            let n = (CHUNK - co).min(bytes.len() - done);
            if self.chunks.len() <= ci {
                self.chunks.resize_with(ci + 1, Vec::new);
            }
            let c = &mut self.chunks[ci];
            if c.len() < co + n && c.capacity() < co + n && co + n > c.capacity() * 2 {
                c.reserve_exact(co + n - c.len());
            }
            self.since.written.insert(ci);
            if c.len() == co {
                // Appending (sequential writes): copy once, no zero fill first.
                c.extend_from_slice(&bytes[done..done + n]);
            } else {
                if c.len() < co + n {
                    c.resize(co + n, 0);
                }
                c[co..co + n].copy_from_slice(&bytes[done..done + n]);
            }
            done += n;
            pos += n as u64;
        }
        self.len = self.len.max(offset + bytes.len() as u64);
    }

    fn set_len(&mut self, len: u64) {
        self.since.min_len = self.since.min_len.min(len);
        if len < self.len {
            let keep_chunks = len.div_ceil(CHUNK as u64) as usize;
            self.chunks.truncate(keep_chunks);
            // Only the chunk that holds the new end is cut; when it was never
            // allocated (a hole), the chunks before it are whole and stay so.
            if self.chunks.len() == keep_chunks {
                if let Some(last) = self.chunks.last_mut() {
                    let tail = (len - (keep_chunks as u64 - 1) * CHUNK as u64) as usize;
                    last.truncate(tail);
                }
            }
            self.chunks.shrink_to_fit();
        }
        self.len = len;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn write_read_across_chunks_and_holes() {
        let mut d = FileData::default();
        d.write(10, b"hello");
        assert_eq!(d.len(), 15);
        assert_eq!(d.read(0, 100), [&[0u8; 10][..], b"hello"].concat());
        let big: Vec<u8> = (0..(CHUNK * 2 + 100)).map(|i| i as u8).collect();
        d.write(CHUNK as u64 - 3, &big);
        assert_eq!(d.read(CHUNK as u64 - 3, big.len()), big);
        assert_eq!(d.len(), CHUNK as u64 - 3 + big.len() as u64);
        d.write(CHUNK as u64 * 10, b"x");
        assert_eq!(d.read(CHUNK as u64 * 5, 4), vec![0; 4]);
        assert_eq!(d.read(CHUNK as u64 * 10, 10), b"x");
    }

    /// Issue 11: extending past unallocated chunks, then shrinking inside them,
    /// must not cut the last allocated chunk (fsx found this as data loss).
    #[test]
    fn shrink_inside_a_hole_keeps_earlier_chunks() {
        let mut d = FileData::from_bytes(&[b'A'; CHUNK]);
        d.set_len(300_000);
        d.set_len(200_000);
        assert_eq!(d.read(0, CHUNK), vec![b'A'; CHUNK]);
        assert!(d.read(CHUNK as u64, 200_000).iter().all(|&b| b == 0));
        assert_eq!(d.len(), 200_000);
    }

    #[derive(Debug, Clone)]
    enum DataOp {
        Write(u64, Vec<u8>),
        SetLen(u64),
        Read(u64, usize),
    }

    fn data_op() -> impl proptest::strategy::Strategy<Value = DataOp> {
        use proptest::prelude::*;
        // Offsets span five chunks so writes, holes and cuts cross chunk edges.
        let span = 5 * CHUNK as u64;
        prop_oneof![
            (0..span, proptest::collection::vec(any::<u8>(), 0..3000))
                .prop_map(|(o, b)| DataOp::Write(o, b)),
            (0..span).prop_map(DataOp::SetLen),
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
                    DataOp::Write(o, b) => {
                        d.write(o, &b);
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
                    DataOp::Read(o, n) => {
                        let start = (o as usize).min(model.len());
                        let end = (o as usize).saturating_add(n).min(model.len());
                        proptest::prop_assert_eq!(d.read(o, n), model[start..end].to_vec());
                    }
                }
                proptest::prop_assert_eq!(d.len(), model.len() as u64);
            }
            proptest::prop_assert_eq!(d.to_vec(), model);
        }
    }

    proptest::proptest! {
        /// The journal's delta: the committed contents, cut and patched as the
        /// delta says, are the contents now (issue 11 journal).
        #[test]
        fn a_delta_over_the_committed_contents_gives_the_contents_now(
            before in proptest::collection::vec(data_op(), 0..10),
            after in proptest::collection::vec(data_op(), 0..20),
        ) {
            let mut d = FileData::default();
            let run = |d: &mut FileData, ops: &[DataOp]| {
                for op in ops {
                    match op {
                        DataOp::Write(o, b) => d.write(*o, b),
                        DataOp::SetLen(n) => d.set_len(*n),
                        DataOp::Read(..) => {}
                    }
                }
            };
            run(&mut d, &before);
            d.committed();
            let mut base = d.clone();
            run(&mut d, &after);
            base.apply(&d.delta());
            proptest::prop_assert_eq!(base.to_vec(), d.to_vec());
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
        assert_eq!(d.read(0, 10), Vec::<u8>::new());
    }
}
