//! The journal beside an image (`IMAGE.journal`): what changed since the image
//! was saved, so that what an application fsync'd survives a crash of the
//! daemon. It is a physical redo log: each commit frame holds the changed
//! records whole, in the encoding the image uses, so replaying the frames in
//! order over the image gives the machine as it was at the last commit. No
//! I/O here: the adapter appends the bytes `Journal::commit` returns and
//! fsyncs them; `load_with_journal` replays a journal file's bytes. The layout
//! is in docs/image-format.md.

use super::{
    check_machine, count_space, crc32, index_names, is_kept, load, read_machine_header, read_node,
    read_node_meta, read_volume_header, saved_seq, write_machine_header, write_node,
    write_node_meta, write_volume_header, Format, ImageError, Reader, Res, Writer, FORMAT_VERSION,
    HEADER_LEN,
};
use crate::data::{DataDelta, FileData};
use crate::file_ref::RecordNo;
use crate::machine::Machine;
use crate::node::{Node, NodeKind};
use crate::space::MAX_FILE_SIZE;
use std::collections::BTreeMap;

/// The first bytes of every journal.
pub const JOURNAL_MAGIC: [u8; 8] = *b"NTLNKJNL";
/// Journal header: magic, format version, image length, image checksum, and
/// the checksum of those 24 bytes.
pub const JOURNAL_HEADER_LEN: usize = 28;
/// Frame header: body length (u64) and the body's CRC-32.
pub const FRAME_HEADER_LEN: usize = 12;

/// Which image a journal extends: its length and checksum. A journal whose
/// image has since been saved again (a crash between the save and the removal
/// of the journal) names the old image and is ignored, never replayed twice.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct ImageId {
    len: u64,
    crc: u32,
}

impl ImageId {
    fn of(image: &[u8]) -> ImageId {
        let crc = image
            .get(20..HEADER_LEN)
            .map_or(0, |b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]));
        ImageId {
            len: image.len() as u64,
            crc,
        }
    }
}

/// The commit side of a journal, kept by the adapter with the machine.
#[derive(Debug, Clone)]
pub struct Journal {
    image: ImageId,
    /// Frames committed so far; frames are numbered from 1.
    frames: u64,
    /// Machine- and volume-level fields as the last frame (or the image) had
    /// them: a commit with no changed record and the same fields is empty.
    last_meta: Vec<u8>,
}

/// Machine-level fields and each volume's header and sequence table length.
fn meta(m: &Machine) -> Vec<u8> {
    let mut w = Writer::default();
    write_machine_header(&mut w, m);
    for v in &m.volumes {
        write_volume_header(&mut w, v, Format::CURRENT);
        w.len(v.seqs.len());
    }
    w.0
}

/// A file's data, to mark what the journal has of it (not a change: the
/// contents, and so the volume's counts, stay as they are).
fn file_data(n: &mut Node) -> Option<&mut FileData> {
    match &mut n.kind {
        NodeKind::File(d) => Some(d),
        _ => None,
    }
}

impl Journal {
    /// A journal over `image`, the bytes just loaded or saved for `m`: nothing
    /// is committed yet, so the changes noted so far are forgotten.
    pub fn start(m: &mut Machine, image: &[u8]) -> Journal {
        for v in &mut m.volumes {
            v.dirty.clear();
            // What the image holds is committed; a record it leaves out (open,
            // nameless) starts from empty should it come back.
            let kept: Vec<bool> = (0..v.seqs.len())
                .map(|rec| is_kept(v, rec as RecordNo))
                .collect();
            for (rec, n) in v.nodes.iter_mut() {
                if let Some(d) = file_data(n) {
                    if kept.get(rec).copied().unwrap_or(false) {
                        d.committed();
                    } else {
                        d.uncommitted();
                    }
                }
            }
        }
        Journal {
            image: ImageId::of(image),
            frames: 0,
            last_meta: meta(m),
        }
    }

    /// The bytes a journal file starts with.
    pub fn header(&self) -> Vec<u8> {
        let mut h = JOURNAL_MAGIC.to_vec();
        h.extend_from_slice(&FORMAT_VERSION.to_le_bytes());
        h.extend_from_slice(&self.image.len.to_le_bytes());
        h.extend_from_slice(&self.image.crc.to_le_bytes());
        let crc = crc32(&h);
        h.extend_from_slice(&crc.to_le_bytes());
        h
    }

    /// Frames committed since `start`.
    pub fn frames(&self) -> u64 {
        self.frames
    }

    /// The commit frame for everything changed since the last one (length and
    /// checksum in front), or `None` when nothing changed. The changes are
    /// then forgotten: the caller must append the frame before the next commit.
    pub fn commit(&mut self, m: &mut Machine) -> Option<Vec<u8>> {
        let now = meta(m);
        if now == self.last_meta && m.volumes.iter().all(|v| v.dirty.is_empty()) {
            return None;
        }
        self.frames += 1;
        let mut w = Writer::default();
        w.u64(self.frames);
        write_machine_header(&mut w, m);
        w.len(m.volumes.len());
        for v in &mut m.volumes {
            write_volume_header(&mut w, v, Format::CURRENT);
            w.len(v.seqs.len());
            let dirty = std::mem::take(&mut v.dirty);
            w.len(dirty.len());
            for &rec in &dirty {
                w.u64(rec);
                w.u16(saved_seq(v, rec));
                match v.nodes.get(rec as usize).filter(|_| is_kept(v, rec)) {
                    // A file: its data as changed since the last commit.
                    Some(
                        node @ Node {
                            kind: NodeKind::File(data),
                            ..
                        },
                    ) => {
                        w.u8(2);
                        write_node_meta(&mut w, v, node, Format::CURRENT);
                        let d = data.delta();
                        w.u64(d.len);
                        w.u64(d.min_len);
                        w.len(d.chunks.len());
                        for (i, c) in d.chunks {
                            w.u64(i as u64);
                            w.bytes(c);
                        }
                    }
                    Some(node) => {
                        w.u8(1);
                        write_node(&mut w, v, node, Format::CURRENT);
                    }
                    None => w.u8(0),
                }
            }
            // The data a replay now has: the committed file's, or none for a
            // record left out (the next delta must then start from empty).
            for rec in dirty {
                let kept = is_kept(v, rec);
                if let Some(d) = v.nodes.get_mut(rec as usize).and_then(file_data) {
                    if kept {
                        d.committed();
                    } else {
                        d.uncommitted();
                    }
                }
            }
        }
        self.last_meta = now;
        let body = w.0;
        let mut frame = Vec::with_capacity(FRAME_HEADER_LEN + body.len());
        frame.extend_from_slice(&(body.len() as u64).to_le_bytes());
        frame.extend_from_slice(&crc32(&body).to_le_bytes());
        frame.extend_from_slice(&body);
        Some(frame)
    }
}

/// What replaying a journal did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Replay {
    /// Frames replayed; `torn_tail` when an incomplete last frame (a write the
    /// crash cut short, never fsync'd) was ignored.
    Replayed {
        /// Complete frames applied.
        frames: u64,
        /// An incomplete last frame was ignored.
        torn_tail: bool,
    },
    /// The journal extends an earlier image (the save that replaced it
    /// finished, so everything in it is in the image already).
    OtherImage,
    /// The journal's header was never completely written: no frame was
    /// committed through it.
    NoHeader,
}

/// Loads `image` and replays `journal` over it, then checks the machine as
/// `load` does. A torn last frame is ignored; damage before it is an error.
pub fn load_with_journal(image: &[u8], journal: &[u8]) -> Res<(Machine, Replay)> {
    let mut m = load(image)?;
    let Some((format, id)) = read_header(journal)? else {
        return Ok((m, Replay::NoHeader));
    };
    if id != ImageId::of(image) {
        return Ok((m, Replay::OtherImage));
    }
    // Records by number while frames are applied; back into slabs at the end.
    let mut maps: Vec<BTreeMap<usize, Node>> = m
        .volumes
        .iter_mut()
        .map(|v| std::mem::take(&mut v.nodes).into_iter().collect())
        .collect();
    let mut pos = JOURNAL_HEADER_LEN;
    let mut frames = 0u64;
    let mut torn_tail = false;
    while pos < journal.len() {
        let rest = &journal[pos..];
        let Some(body_len) = rest
            .get(..8)
            .map(|b| u64::from_le_bytes(b.try_into().expect("8 bytes")))
        else {
            torn_tail = true;
            break;
        };
        let end = (FRAME_HEADER_LEN as u64).saturating_add(body_len);
        if rest.len() < FRAME_HEADER_LEN || (rest.len() as u64) < end {
            torn_tail = true;
            break;
        }
        let end = end as usize;
        let stored = u32::from_le_bytes(rest[8..12].try_into().expect("4 bytes"));
        let body = &rest[FRAME_HEADER_LEN..end];
        if crc32(body) != stored {
            if pos + end == journal.len() {
                torn_tail = true;
                break;
            }
            return Err(ImageError::Journal(format!(
                "frame {} (at byte {pos}) has a wrong checksum and more frames follow",
                frames + 1
            )));
        }
        apply_frame(&mut m, &mut maps, body, format, frames + 1).map_err(|e| match e {
            ImageError::Malformed(why) => {
                ImageError::Journal(format!("frame {}: {why}", frames + 1))
            }
            e => e,
        })?;
        frames += 1;
        pos += end;
    }
    for (v, map) in m.volumes.iter_mut().zip(maps) {
        v.nodes = map.into_iter().collect();
        index_names(v).map_err(|e| ImageError::Journal(format!("after replay: {e}")))?;
        count_space(v, format).map_err(|e| ImageError::Journal(format!("after replay: {e}")))?;
        v.dirty.clear();
    }
    check_machine(&m)?;
    Ok((m, Replay::Replayed { frames, torn_tail }))
}

/// The journal header, or `None` when it is incomplete (cut short by a crash
/// before it was fsync'd, so no frame was committed behind it).
fn read_header(journal: &[u8]) -> Res<Option<(Format, ImageId)>> {
    let Some(h) = journal.get(..JOURNAL_HEADER_LEN) else {
        return Ok(None);
    };
    if h[..8] != JOURNAL_MAGIC {
        return Ok(None);
    }
    let word = |i: usize| u32::from_le_bytes(h[i..i + 4].try_into().expect("4 bytes"));
    if crc32(&h[..24]) != word(24) {
        return Ok(None);
    }
    let version = word(8);
    let Some(format) = Format::of(version) else {
        return Err(ImageError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    };
    let len = u64::from_le_bytes(h[12..20].try_into().expect("8 bytes"));
    Ok(Some((format, ImageId { len, crc: word(20) })))
}

fn apply_frame(
    m: &mut Machine,
    maps: &mut Vec<BTreeMap<usize, Node>>,
    body: &[u8],
    format: Format,
    expected: u64,
) -> Res<()> {
    let mut r = Reader { buf: body, pos: 0 };
    let number = r.u64("frame number")?;
    if number != expected {
        return super::malformed(format!("numbered {number}, expected {expected}"));
    }
    let header = read_machine_header(&mut r, format)?;
    m.profile = header.profile;
    m.default_posix = header.default_posix;
    m.current_drive = header.current_drive;
    m.current_dirs = header.current_dirs;
    let count = r.count(16, "volumes")?;
    if count < m.volumes.len() {
        return super::malformed(format!(
            "{count} volumes, but the machine has {}",
            m.volumes.len()
        ));
    }
    for i in 0..count {
        let h = read_volume_header(&mut r, format)?;
        if i == m.volumes.len() {
            if m.volume_by_letter(h.letter).is_some() {
                return super::malformed(format!("volume {} added twice", h.letter as char));
            }
            m.volumes.push(h);
            maps.push(BTreeMap::new());
        } else {
            let v = &mut m.volumes[i];
            if v.letter != h.letter || v.kind != h.kind {
                return super::malformed(format!(
                    "volume {} is {} in the frame",
                    i + 1,
                    h.letter as char
                ));
            }
            v.label = h.label;
            v.serial = h.serial;
            // Counted against the records once the frames are replayed.
            v.space.size = h.space.size;
        }
        let v = &mut m.volumes[i];
        let map = &mut maps[i];
        // Records past the old table are new, so each is in the frame: a
        // length the frame cannot back is refused before anything grows.
        let seqs = r.u64("sequence table length")?;
        let most = (v.seqs.len() as u64).saturating_add((body.len() / 11) as u64);
        if seqs < v.seqs.len() as u64 || seqs > most {
            return super::malformed(format!(
                "sequence table length {seqs} (was {})",
                v.seqs.len()
            ));
        }
        v.seqs.resize(seqs as usize, 1);
        for _ in 0..r.count(11, "changed records")? {
            let rec: RecordNo = r.u64("record number")?;
            let seq = r.u16("sequence number")?;
            let Some(slot) = v.seqs.get_mut(rec as usize) else {
                return super::malformed(format!("record {rec} past the sequence table"));
            };
            *slot = seq;
            match r.u8("record state")? {
                0 => {
                    map.remove(&(rec as usize));
                }
                1 => {
                    map.insert(rec as usize, read_node(&mut r, format, rec)?);
                }
                2 => {
                    let (kind, mut node) = read_node_meta(&mut r, format, rec)?;
                    if kind != 1 {
                        return super::malformed(format!(
                            "record {rec}: a data change to kind {kind}"
                        ));
                    }
                    let delta = read_delta(&mut r, rec)?;
                    // The committed data, or none for a record that was not a
                    // file then (its delta must then start from empty).
                    let mut data = match map.remove(&(rec as usize)) {
                        Some(Node {
                            kind: NodeKind::File(d),
                            ..
                        }) => d,
                        _ if delta.min_len == 0 => FileData::default(),
                        _ => {
                            return super::malformed(format!(
                                "record {rec}: a data change to a record that held no file"
                            ))
                        }
                    };
                    data.apply(&delta).map_err(|e| {
                        ImageError::Malformed(format!("record {rec}: {}", e.message()))
                    })?;
                    node.kind = NodeKind::File(data);
                    map.insert(rec as usize, node);
                }
                s => return super::malformed(format!("record {rec}: state {s}")),
            }
        }
    }
    if r.pos != body.len() {
        return super::malformed("bytes left after the last volume");
    }
    Ok(())
}

/// A file's data change (`DataDelta`), checked as an image's data is.
fn read_delta<'a>(r: &mut Reader<'a>, rec: RecordNo) -> Res<DataDelta<'a>> {
    let len = r.u64("file length")?;
    let min_len = r.u64("shortest length")?;
    if len > MAX_FILE_SIZE || min_len > len {
        return super::malformed(format!(
            "record {rec}: file length {len} (shortest {min_len}) out of range"
        ));
    }
    let chunks = super::read_chunks(r, rec, len)?
        .into_iter()
        .map(|(index, bytes)| (index as usize, bytes))
        .collect();
    Ok(DataDelta {
        len,
        min_len,
        chunks,
    })
}

#[cfg(test)]
mod tests;
