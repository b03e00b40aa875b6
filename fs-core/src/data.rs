//! File contents, stored in fixed-size chunks so a write never copies the whole
//! file and holes cost nothing.

/// Chunk size: large enough that sequential I/O touches few chunks.
pub const CHUNK: usize = 64 * 1024;

/// A file's bytes. Each chunk holds up to CHUNK bytes; bytes past a chunk's
/// length (or in a missing chunk) read as zeros. An empty file allocates nothing
/// and costs one pointer in its node (memory per file, issue 7).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FileData(Option<Box<Chunks>>);

#[derive(Debug, Clone, Default, PartialEq, Eq)]
struct Chunks {
    chunks: Vec<Vec<u8>>,
    len: u64,
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

    /// The whole contents.
    pub fn to_vec(&self) -> Vec<u8> {
        self.read(0, self.len() as usize)
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

    /// Zeroes [start, end); the caller keeps `end` within the length.
    fn zero(&mut self, start: u64, end: u64) {
        let mut pos = start;
        while pos < end {
            let ci = (pos / CHUNK as u64) as usize;
            let co = (pos % CHUNK as u64) as usize;
            let n = ((CHUNK - co) as u64).min(end - pos) as usize;
            if let Some(c) = self.chunks.get_mut(ci) {
                if co == 0 && (n == CHUNK || co + n >= c.len()) {
                    // Every stored byte of the chunk is in the range: free it.
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
        Zero(u64, u64),
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
                    DataOp::Zero(o, n) => {
                        d.zero(o, n);
                        let start = (o as usize).min(model.len());
                        let end = (o + n).min(model.len() as u64) as usize;
                        model[start..end].fill(0);
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
        assert!(d.read(2 * CHUNK as u64, CHUNK).iter().all(|&b| b == 0));
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
