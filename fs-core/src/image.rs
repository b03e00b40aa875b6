//! Saved volumes: a whole [`Machine`] to bytes and back (no file I/O here; the
//! `ntlinkfs` command writes the bytes atomically), and the journal of changes
//! since ([`journal`]). docs/image-format.md describes both byte by byte.
//!
//! Layout (little-endian), format version 3 (versions 1 and 2 are read too):
//!
//! ```text
//! 0   8  magic "NTLNKIMG"
//! 8   4  format version
//! 12  8  payload length
//! 20  4  CRC-32 (IEEE) of bytes 0..20 and of the payload
//! 24  .. payload: profile, default POSIX meta, current drive and directories,
//!        then each volume: its header (letter, kind, label, serial, and from
//!        version 2 its size: the place for volume-level fields), the sequence
//!        table, and every record (record number, kind, attributes, the four
//!        times, POSIX meta, from version 2 the device numbers, names in
//!        order, raw reparse buffer, from version 3 the security
//!        descriptor's DACL, file data by chunk)
//! ```
//!
//! Versions: this build writes [`FORMAT_VERSION`] and reads every version from
//! [`OLDEST_VERSION`] on, each with its own readers (`Format`); a newer one
//! is refused naming it. The committed fixture of each version
//! (fs-core/tests/fixtures) proves old images keep loading.
//!
//! Record and sequence numbers are kept, so every `FileRef` (and every inode
//! the FUSE view derived from one) means the same file after a reload. A
//! directory's index is not stored: it is rebuilt from the names, so it cannot
//! disagree with them. Open handles are not part of an image: it holds the
//! machine as it is once every handle is closed (delete-pending names gone,
//! nameless open files freed).
//!
//! The loader takes any bytes and never panics: the header and checksum are
//! checked before the payload is read, every count is bounded by the bytes
//! that remain, and the result must pass [`invariants::check`].

use crate::attrs::Times;
use crate::data::{FileData, CHUNK};
use crate::file_ref::{RecordNo, SeqNo};
use crate::invariants::{self, Violation};
use crate::machine::Machine;
use crate::name::Name;
use crate::node::{DeviceNumbers, NameLink, Names, Node, NodeKind, PosixMeta, Reparse};
use crate::path::{FullPath, Root};
use crate::profile::{FsKind, Privilege, Profile, SymlinkEvaluation, WindowsVersion};
use crate::reparse::ReparseData;
use crate::security::{Ace, SecurityDescriptor, Trustee};
use crate::space::{
    check_volume_size, BLOCK_SIZE, DEFAULT_VOLUME_SIZE, MAX_FILE_SIZE, MAX_VOLUME_SIZE,
    MIN_VOLUME_SIZE,
};
use crate::volume::{Space, Volume, ROOT_RECORD};
use std::collections::BTreeMap;
use std::fmt;

pub mod journal;

/// The first bytes of every image.
pub const MAGIC: [u8; 8] = *b"NTLNKIMG";
/// The format this build writes and the newest it reads.
pub const FORMAT_VERSION: u32 = 3;
/// The oldest format this build reads. It stays 1: an image saved by any
/// release loads in every later one (docs/image-format.md).
pub const OLDEST_VERSION: u32 = 1;
/// Header size: magic, version, payload length, checksum.
pub const HEADER_LEN: usize = 24;

/// Why bytes were refused as an image.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ImageError {
    /// The bytes do not start with the image magic.
    NotAnImage,
    /// Fewer bytes than the header announces (an interrupted copy or write).
    Truncated {
        /// Bytes the header announces.
        expected: u64,
        /// Bytes there are.
        actual: u64,
    },
    /// More bytes than the header announces.
    TrailingData {
        /// Bytes the header announces.
        expected: u64,
        /// Bytes there are.
        actual: u64,
    },
    /// Written by a newer ntlinkfs (or an unknown version).
    UnsupportedVersion {
        /// The image's version.
        found: u32,
        /// The newest version this build reads.
        supported: u32,
    },
    /// The checksum does not match: the bytes were changed after writing.
    ChecksumMismatch {
        /// The checksum in the header.
        stored: u32,
        /// The checksum of the payload as read.
        computed: u32,
    },
    /// The checksum matches but the contents are inconsistent.
    Malformed(String),
    /// The contents decode to a machine that breaks an invariant.
    Invalid(Violation),
    /// The journal beside the image is damaged before its last frame.
    Journal(String),
}

impl fmt::Display for ImageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ImageError::NotAnImage => f.write_str("not an ntlinkfs image (bad magic)"),
            ImageError::Truncated { expected, actual } => write!(
                f,
                "image is truncated: {actual} bytes, the header announces {expected}"
            ),
            ImageError::TrailingData { expected, actual } => write!(
                f,
                "image has trailing data: {actual} bytes, the header announces {expected}"
            ),
            ImageError::UnsupportedVersion { found, supported } => write!(
                f,
                "image format version {found} is not supported (this ntlinkfs reads \
                 versions {OLDEST_VERSION} to {supported}{})",
                if found > supported {
                    "; it was written by a newer ntlinkfs"
                } else {
                    ""
                }
            ),
            ImageError::ChecksumMismatch { stored, computed } => write!(
                f,
                "image is corrupted: checksum {computed:#010x} does not match the stored \
                 {stored:#010x}"
            ),
            ImageError::Malformed(why) => write!(f, "image is malformed: {why}"),
            ImageError::Invalid(v) => write!(f, "image describes an inconsistent volume: {v}"),
            ImageError::Journal(why) => write!(f, "journal is damaged: {why}"),
        }
    }
}

impl std::error::Error for ImageError {}

type Res<T> = std::result::Result<T, ImageError>;

fn malformed<T>(why: impl Into<String>) -> Res<T> {
    Err(ImageError::Malformed(why.into()))
}

// ---- CRC-32 ----------------------------------------------------------------

const fn crc_table() -> [u32; 256] {
    let mut table = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        let mut c = i as u32;
        let mut k = 0;
        while k < 8 {
            c = if c & 1 != 0 {
                0xEDB8_8320 ^ (c >> 1)
            } else {
                c >> 1
            };
            k += 1;
        }
        table[i] = c;
        i += 1;
    }
    table
}

static CRC_TABLE: [u32; 256] = crc_table();

/// CRC-32 (IEEE 802.3, as zip and PNG use), continued from `crc`.
fn crc32_update(crc: u32, bytes: &[u8]) -> u32 {
    let mut c = !crc;
    for &b in bytes {
        c = CRC_TABLE[((c ^ u32::from(b)) & 0xFF) as usize] ^ (c >> 8);
    }
    !c
}

/// CRC-32 (IEEE) of `bytes`.
pub fn crc32(bytes: &[u8]) -> u32 {
    crc32_update(0, bytes)
}

fn image_crc(header: &[u8], payload: &[u8]) -> u32 {
    crc32_update(crc32_update(0, &header[..20]), payload)
}

// ---- writer ----------------------------------------------------------------

#[derive(Default)]
pub(crate) struct Writer(pub(crate) Vec<u8>);

impl Writer {
    fn u8(&mut self, v: u8) {
        self.0.push(v);
    }
    fn bool(&mut self, v: bool) {
        self.0.push(u8::from(v));
    }
    fn u16(&mut self, v: u16) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u32(&mut self, v: u32) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn u64(&mut self, v: u64) {
        self.0.extend_from_slice(&v.to_le_bytes());
    }
    fn len(&mut self, n: usize) {
        self.u64(n as u64);
    }
    fn bytes(&mut self, b: &[u8]) {
        self.len(b.len());
        self.0.extend_from_slice(b);
    }
    fn str(&mut self, s: &str) {
        self.bytes(s.as_bytes());
    }
    fn units(&mut self, u: &[u16]) {
        self.len(u.len());
        for &x in u {
            self.u16(x);
        }
    }
}

/// Serialises `m` to image bytes. Equal machines give equal bytes.
pub fn save(m: &Machine) -> Vec<u8> {
    save_as(m, Format::CURRENT)
}

/// [`save`] in an older `format` (tests prove older images still load; what
/// the older format has no place for is left out).
pub(crate) fn save_as(m: &Machine, format: Format) -> Vec<u8> {
    let mut w = Writer::default();
    write_machine_header(&mut w, m);
    w.len(m.volumes.len());
    for v in &m.volumes {
        write_volume(&mut w, v, format);
    }
    frame_image(&w.0, format)
}

/// The header and checksum in front of a payload of `format`.
fn frame_image(payload: &[u8], format: Format) -> Vec<u8> {
    let mut out = Vec::with_capacity(HEADER_LEN + payload.len());
    out.extend_from_slice(&MAGIC);
    out.extend_from_slice(&format.version().to_le_bytes());
    out.extend_from_slice(&(payload.len() as u64).to_le_bytes());
    let crc = image_crc(&out, payload);
    out.extend_from_slice(&crc.to_le_bytes());
    out.extend_from_slice(payload);
    out
}

/// Machine-level fields: profile, default POSIX meta, current drive and
/// directories.
fn write_machine_header(w: &mut Writer, m: &Machine) {
    write_profile(w, &m.profile);
    write_posix(w, m.default_posix);
    w.u8(m.current_drive);
    w.len(m.current_dirs.len());
    for (&drive, path) in &m.current_dirs {
        w.u8(drive);
        write_full_path(w, path);
    }
}

fn write_profile(w: &mut Writer, p: &Profile) {
    w.u32(p.version.build);
    w.bool(p.developer_mode);
    w.bool(p.privilege == Privilege::Unprivileged);
    let e = p.symlink_evaluation;
    w.bool(e.local_to_local);
    w.bool(e.local_to_remote);
    w.bool(e.remote_to_local);
    w.bool(e.remote_to_remote);
    w.bool(p.long_paths);
}

fn write_posix(w: &mut Writer, p: PosixMeta) {
    w.u32(p.uid);
    w.u32(p.gid);
    w.u16(p.mode);
}

fn write_full_path(w: &mut Writer, p: &FullPath) {
    match &p.root {
        Root::Drive(d) => {
            w.u8(0);
            w.u8(*d);
        }
        Root::Unc { server, share } => {
            w.u8(1);
            w.str(server);
            w.str(share);
        }
        Root::Device(s) => {
            w.u8(2);
            w.str(s);
        }
        Root::Nt(s) => {
            w.u8(3);
            w.str(s);
        }
    }
    w.len(p.components.len());
    for c in &p.components {
        w.units(c.units());
    }
    w.bool(p.trailing_separator);
    w.bool(p.verbatim);
}

fn write_kind(w: &mut Writer, k: FsKind) {
    match k {
        FsKind::Ntfs => w.u8(0),
        FsKind::Fat32 => w.u8(1),
        FsKind::ExFat => w.u8(2),
        FsKind::Refs(a, b) => {
            w.u8(3);
            w.u8(a);
            w.u8(b);
        }
        FsKind::Network => w.u8(4),
    }
}

/// Whether record `rec` is kept in an image: reserved records and the root
/// always; any other record while it has a name, not pending delete, in a kept
/// directory. Handles are not saved, so this is the state once they are all
/// closed (a directory that goes away takes nothing with it that would dangle).
pub(crate) fn is_kept(v: &Volume, rec: RecordNo) -> bool {
    match v.nodes.get(rec as usize) {
        None => false,
        Some(n) if rec == ROOT_RECORD || matches!(n.kind, NodeKind::Reserved) => true,
        Some(n) => n.names.iter().any(|l| is_kept_name(v, l)),
    }
}

/// A name is kept when it is not pending delete and its directory is kept
/// (walked up through each directory's one name).
fn is_kept_name(v: &Volume, l: &NameLink) -> bool {
    if l.delete_pending {
        return false;
    }
    let mut dir = l.parent;
    // The bound only stops a corrupt chain; directories form a tree.
    for _ in 0..=v.nodes.len() {
        if dir == ROOT_RECORD {
            return true;
        }
        match v.node(dir).and_then(|n| n.names.first()) {
            Some(up) if !up.delete_pending => dir = up.parent,
            _ => return false,
        }
    }
    false
}

/// The sequence number an image stores for `rec`: a live record dropped from
/// the image is freed on reload, so its sequence moves on as `free` does.
pub(crate) fn saved_seq(v: &Volume, rec: RecordNo) -> SeqNo {
    let s = v.seqs[rec as usize];
    if v.nodes.contains(rec as usize) && !is_kept(v, rec) {
        s.wrapping_add(1).max(1)
    } else {
        s
    }
}

/// Volume-level fields. Later versions add theirs here, at the end, read by
/// `read_volume_header` for the versions that have them (2: the size).
pub(crate) fn write_volume_header(w: &mut Writer, v: &Volume, format: Format) {
    w.u8(v.letter);
    write_kind(w, v.kind);
    w.str(&v.label);
    w.u32(v.serial);
    if format >= Format::V2 {
        w.u64(v.space.size);
    }
}

fn write_volume(w: &mut Writer, v: &Volume, format: Format) {
    write_volume_header(w, v, format);
    w.len(v.seqs.len());
    for rec in 0..v.seqs.len() {
        w.u16(saved_seq(v, rec as RecordNo));
    }
    let nodes: Vec<(RecordNo, &Node)> = v
        .nodes
        .iter()
        .map(|(k, n)| (k as RecordNo, n))
        .filter(|(k, _)| is_kept(v, *k))
        .collect();
    w.len(nodes.len());
    for (rec, node) in nodes {
        write_record(w, v, rec, node, format);
    }
}

/// One record as an image (and a journal frame) stores it: record number,
/// kind, attributes, times, POSIX meta, device numbers, its kept names,
/// reparse buffer, data.
pub(crate) fn write_record(w: &mut Writer, v: &Volume, rec: RecordNo, node: &Node, format: Format) {
    w.u64(rec);
    write_node(w, v, node, format);
}

/// A record's contents after its number.
pub(crate) fn write_node(w: &mut Writer, v: &Volume, node: &Node, format: Format) {
    write_node_meta(w, v, node, format);
    if let NodeKind::File(data) = &node.kind {
        w.u64(data.len());
        let chunks: Vec<(usize, &[u8])> = data.stored_chunks().collect();
        w.len(chunks.len());
        for (i, c) in chunks {
            w.u64(i as u64);
            w.bytes(c);
        }
    }
}

/// A record's contents up to its data: kind, attributes, times, POSIX meta,
/// kept names, reparse buffer.
pub(crate) fn write_node_meta(w: &mut Writer, v: &Volume, node: &Node, format: Format) {
    w.u8(match node.kind {
        NodeKind::Reserved => 0,
        NodeKind::File(_) => 1,
        NodeKind::Directory(_) => 2,
    });
    w.u32(node.attrs);
    let t = node.times;
    for x in [t.creation, t.last_access, t.last_write, t.change] {
        w.u64(x);
    }
    write_posix(w, node.posix);
    if format >= Format::V2 {
        // st_rdev of device nodes (WSL's `$LXDEV`; see `special`).
        w.u32(node.posix.rdev.major);
        w.u32(node.posix.rdev.minor);
    }
    let names: Vec<&NameLink> = node.names.iter().filter(|l| is_kept_name(v, l)).collect();
    w.len(names.len());
    for l in names {
        w.u64(l.parent);
        w.units(l.name.units());
    }
    match &node.reparse {
        None => w.u8(0),
        Some(rp) => {
            w.u8(1);
            w.bytes(&rp.raw);
        }
    }
    if format >= Format::V3 {
        write_security(w, node.security.as_deref());
    }
}

/// A record's security descriptor (version 3): 0 none (everything granted),
/// or 1 then its DACL, each ACE a trustee byte, an allow flag and its mask.
fn write_security(w: &mut Writer, sd: Option<&SecurityDescriptor>) {
    let Some(sd) = sd else {
        w.u8(0);
        return;
    };
    w.u8(1);
    w.len(sd.dacl.len());
    for ace in &sd.dacl {
        w.u8(match ace.trustee {
            Trustee::Everyone => 0,
            Trustee::User => 1,
            Trustee::Administrators => 2,
        });
        w.bool(ace.allow);
        w.u32(ace.mask);
    }
}

// ---- reader ----------------------------------------------------------------

pub(crate) struct Reader<'a> {
    pub(crate) buf: &'a [u8],
    pub(crate) pos: usize,
}

impl<'a> Reader<'a> {
    fn take(&mut self, n: usize, what: &str) -> Res<&'a [u8]> {
        match self.pos.checked_add(n) {
            Some(end) if end <= self.buf.len() => {
                let s = &self.buf[self.pos..end];
                self.pos = end;
                Ok(s)
            }
            _ => malformed(format!("{what} runs past the end of the payload")),
        }
    }
    fn u8(&mut self, what: &str) -> Res<u8> {
        Ok(self.take(1, what)?[0])
    }
    fn bool(&mut self, what: &str) -> Res<bool> {
        match self.u8(what)? {
            0 => Ok(false),
            1 => Ok(true),
            b => malformed(format!("{what}: {b} is not a boolean")),
        }
    }
    fn u16(&mut self, what: &str) -> Res<u16> {
        let b = self.take(2, what)?;
        Ok(u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&mut self, what: &str) -> Res<u32> {
        let mut a = [0u8; 4];
        a.copy_from_slice(self.take(4, what)?);
        Ok(u32::from_le_bytes(a))
    }
    fn u64(&mut self, what: &str) -> Res<u64> {
        let mut a = [0u8; 8];
        a.copy_from_slice(self.take(8, what)?);
        Ok(u64::from_le_bytes(a))
    }
    /// A count of items that take at least `min_size` bytes each: bounded by the
    /// bytes left, so a forged count cannot make the loader allocate or loop.
    fn count(&mut self, min_size: usize, what: &str) -> Res<usize> {
        let n = self.u64(what)?;
        let left = (self.buf.len() - self.pos) as u64;
        if n.saturating_mul(min_size as u64) > left {
            return malformed(format!("{what}: {n} items cannot fit in {left} bytes"));
        }
        Ok(n as usize)
    }
    fn bytes(&mut self, what: &str) -> Res<&'a [u8]> {
        let n = self.count(1, what)?;
        self.take(n, what)
    }
    fn str(&mut self, what: &str) -> Res<String> {
        let b = self.bytes(what)?;
        match std::str::from_utf8(b) {
            Ok(s) => Ok(s.to_string()),
            Err(_) => malformed(format!("{what} is not UTF-8")),
        }
    }
    fn units(&mut self, what: &str) -> Res<Vec<u16>> {
        let n = self.count(2, what)?;
        let b = self.take(n * 2, what)?;
        Ok(b.chunks_exact(2)
            .map(|c| u16::from_le_bytes([c[0], c[1]]))
            .collect())
    }
}

/// The format versions this build reads, each with its own readers for the
/// parts whose layout it changed. A new version adds a variant and its
/// readers; the readers of the old versions stay as they are, so their images
/// keep loading (the committed fixture of each version proves it).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub(crate) enum Format {
    V1,
    /// Adds each volume's size and each record's device numbers.
    V2,
    /// Adds each record's security descriptor (its DACL).
    V3,
}

impl Format {
    /// The format this build writes ([`FORMAT_VERSION`]).
    pub(crate) const CURRENT: Format = Format::V3;

    pub(crate) fn of(version: u32) -> Option<Format> {
        match version {
            1 => Some(Format::V1),
            2 => Some(Format::V2),
            3 => Some(Format::V3),
            _ => None,
        }
    }

    pub(crate) fn version(self) -> u32 {
        match self {
            Format::V1 => 1,
            Format::V2 => 2,
            Format::V3 => 3,
        }
    }
}

/// Checks the header and checksum; returns the format and the payload.
fn open(bytes: &[u8]) -> Res<(Format, &[u8])> {
    if bytes.len() < MAGIC.len() || bytes[..MAGIC.len()] != MAGIC {
        return Err(ImageError::NotAnImage);
    }
    if bytes.len() < HEADER_LEN {
        return Err(ImageError::Truncated {
            expected: HEADER_LEN as u64,
            actual: bytes.len() as u64,
        });
    }
    let version = u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]);
    let mut len = [0u8; 8];
    len.copy_from_slice(&bytes[12..20]);
    let payload_len = u64::from_le_bytes(len);
    let stored = u32::from_le_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    let expected = payload_len.saturating_add(HEADER_LEN as u64);
    let actual = bytes.len() as u64;
    let payload = &bytes[HEADER_LEN..];
    // The checksum covers the header too, so a damaged version or length field
    // is reported as corruption when the length still matches.
    if actual == expected {
        let computed = image_crc(bytes, payload);
        if computed != stored {
            return Err(ImageError::ChecksumMismatch { stored, computed });
        }
    }
    let Some(format) = Format::of(version) else {
        return Err(ImageError::UnsupportedVersion {
            found: version,
            supported: FORMAT_VERSION,
        });
    };
    if actual < expected {
        return Err(ImageError::Truncated { expected, actual });
    }
    if actual > expected {
        return Err(ImageError::TrailingData { expected, actual });
    }
    Ok((format, payload))
}

/// Loads a machine from image bytes. Any damage is an error, never a panic; the
/// machine is checked against every invariant before it is returned. It uses
/// the host clock (see [`Machine::set_clock`]).
pub fn load(bytes: &[u8]) -> Res<Machine> {
    let (format, payload) = open(bytes)?;
    let mut r = Reader {
        buf: payload,
        pos: 0,
    };
    let mut m = read_machine_header(&mut r, format)?;
    for _ in 0..r.count(16, "volumes")? {
        let v = read_volume(&mut r, format)?;
        if m.volume_by_letter(v.letter).is_some() {
            return malformed(format!("volume letter {} is repeated", v.letter as char));
        }
        m.volumes.push(v);
    }
    if r.pos != payload.len() {
        return malformed("bytes left after the last volume");
    }
    check_machine(&m)?;
    // Everything is as saved: nothing for the journal yet.
    for v in &mut m.volumes {
        v.dirty.clear();
    }
    Ok(m)
}

/// The checks of a whole machine after loading (or replaying a journal).
pub(crate) fn check_machine(m: &Machine) -> Res<()> {
    if !m.volumes.is_empty() && m.volume_by_letter(m.current_drive).is_none() {
        return malformed("the current drive is not one of the volumes");
    }
    if let Some(&d) = m
        .current_dirs
        .keys()
        .find(|&&d| m.volume_by_letter(d).is_none())
    {
        return malformed(format!("current directory on missing drive {}", d as char));
    }
    invariants::check(m).map_err(ImageError::Invalid)
}

/// Machine-level fields, into a machine with no volumes yet.
pub(crate) fn read_machine_header(r: &mut Reader, format: Format) -> Res<Machine> {
    // Unchanged since version 1.
    let _ = format;
    let profile = read_profile(r)?;
    let mut m = Machine::empty(profile);
    m.default_posix = read_posix(r, "default POSIX meta")?;
    m.current_drive = r.u8("current drive")?;
    let mut current_dirs = BTreeMap::new();
    for _ in 0..r.count(3, "current directories")? {
        let drive = r.u8("current directory drive")?;
        let path = read_full_path(r)?;
        if path.root != Root::Drive(drive) {
            return malformed("a current directory is not on its own drive");
        }
        if current_dirs.insert(drive, path).is_some() {
            return malformed("two current directories for one drive");
        }
    }
    m.current_dirs = current_dirs;
    Ok(m)
}

fn read_profile(r: &mut Reader) -> Res<Profile> {
    let build = r.u32("profile build")?;
    let developer_mode = r.bool("developer mode")?;
    let privilege = if r.bool("privilege")? {
        Privilege::Unprivileged
    } else {
        Privilege::Held
    };
    let symlink_evaluation = SymlinkEvaluation {
        local_to_local: r.bool("symlink evaluation")?,
        local_to_remote: r.bool("symlink evaluation")?,
        remote_to_local: r.bool("symlink evaluation")?,
        remote_to_remote: r.bool("symlink evaluation")?,
    };
    let long_paths = r.bool("long paths")?;
    Ok(Profile {
        version: WindowsVersion { build },
        developer_mode,
        privilege,
        symlink_evaluation,
        long_paths,
    })
}

fn read_posix(r: &mut Reader, what: &str) -> Res<PosixMeta> {
    Ok(PosixMeta {
        uid: r.u32(what)?,
        gid: r.u32(what)?,
        mode: r.u16(what)?,
        rdev: DeviceNumbers::default(),
    })
}

fn read_full_path(r: &mut Reader) -> Res<FullPath> {
    let root = match r.u8("path root")? {
        0 => Root::Drive(r.u8("drive")?),
        1 => Root::Unc {
            server: r.str("UNC server")?,
            share: r.str("UNC share")?,
        },
        2 => Root::Device(r.str("device")?),
        3 => Root::Nt(r.str("NT path")?),
        t => return malformed(format!("unknown path root kind {t}")),
    };
    let mut components = Vec::new();
    for _ in 0..r.count(8, "path components")? {
        components.push(Name::from_units(&r.units("path component")?));
    }
    Ok(FullPath {
        root,
        components,
        trailing_separator: r.bool("trailing separator")?,
        verbatim: r.bool("verbatim")?,
    })
}

fn read_kind(r: &mut Reader) -> Res<FsKind> {
    Ok(match r.u8("filesystem kind")? {
        0 => FsKind::Ntfs,
        1 => FsKind::Fat32,
        2 => FsKind::ExFat,
        3 => FsKind::Refs(r.u8("ReFS version")?, r.u8("ReFS version")?),
        // A new value, not a new format: images without a network drive are
        // unchanged, and an older build refuses one naming the kind.
        4 => FsKind::Network,
        k => return malformed(format!("unknown filesystem kind {k}")),
    })
}

/// Volume-level fields, as an empty volume (no records, no sequence table).
/// Version 1 has no size: the volume gets the default until its records are
/// counted (`count_space`).
pub(crate) fn read_volume_header(r: &mut Reader, format: Format) -> Res<Volume> {
    let letter = r.u8("volume letter")?;
    let kind = read_kind(r)?;
    let label = r.str("volume label")?;
    let serial = r.u32("volume serial")?;
    let size = match format {
        Format::V1 => DEFAULT_VOLUME_SIZE,
        Format::V2 | Format::V3 => r.u64("volume size")?,
    };
    if !letter.is_ascii_uppercase() {
        return malformed(format!("volume letter {letter:#04x} is not A to Z"));
    }
    if check_volume_size(size).is_err() {
        return malformed(format!(
            "volume {}: size {size} is not whole {BLOCK_SIZE}-byte blocks from \
             {MIN_VOLUME_SIZE} to {MAX_VOLUME_SIZE}",
            letter as char
        ));
    }
    Ok(Volume {
        letter,
        kind,
        label,
        serial,
        nodes: Default::default(),
        seqs: Vec::new(),
        dirty: Default::default(),
        space: Space::empty(size),
    })
}

/// Counts what the volume's records hold (`Space`), once they are all read.
/// Version 2 stores the size, which must hold them; a version 1 image (made
/// before volumes had sizes, when files could reach 1 TiB) gets the default
/// size, or what it holds rounded up to a block when that is more.
pub(crate) fn count_space(v: &mut Volume, format: Format) -> Res<()> {
    let counted = Space::count(v.space.size, &v.nodes);
    v.space = match format {
        Format::V1 => Space {
            size: counted.size.max(counted.used.next_multiple_of(BLOCK_SIZE)),
            ..counted
        },
        Format::V2 | Format::V3 => counted,
    };
    if v.space.used > v.space.size {
        return malformed(format!(
            "volume {}: {} bytes stored on a volume of {}",
            v.letter as char, v.space.used, v.space.size
        ));
    }
    Ok(())
}

fn read_volume(r: &mut Reader, format: Format) -> Res<Volume> {
    let mut v = read_volume_header(r, format)?;
    let n = r.count(2, "sequence table")?;
    for _ in 0..n {
        v.seqs.push(r.u16("sequence number")?);
    }
    if v.seqs.len() <= ROOT_RECORD as usize {
        return malformed("sequence table shorter than the root record");
    }
    let mut records: Vec<(usize, Node)> = Vec::new();
    let mut last: Option<u64> = None;
    for _ in 0..r.count(60, "records")? {
        let (rec, node) = read_record(r, format)?;
        if last.is_some_and(|l| rec <= l) || rec >= v.seqs.len() as u64 {
            return malformed(format!(
                "record {rec} out of order or past the sequence table"
            ));
        }
        last = Some(rec);
        records.push((rec as usize, node));
    }
    v.nodes = records.into_iter().collect();
    index_names(&mut v)?;
    count_space(&mut v, format)?;
    Ok(v)
}

/// Rebuilds every directory's index from the names its children carry (an
/// index is never trusted from bytes, so it cannot disagree with them).
pub(crate) fn index_names(v: &mut Volume) -> Res<()> {
    let mut links: Vec<(RecordNo, Name, RecordNo)> = Vec::new();
    for (rec, node) in &mut v.nodes {
        if let Some(entries) = node.entries_mut() {
            entries.clear();
        }
        for l in node.names.iter() {
            links.push((l.parent, l.name.clone(), rec as RecordNo));
        }
    }
    for (parent, name, child) in links {
        let Some(dir) = v.nodes.get_mut(parent as usize) else {
            return malformed(format!(
                "record {child} is named in missing directory {parent}"
            ));
        };
        let Some(entries) = dir.entries_mut() else {
            return malformed(format!(
                "record {child} is named in {parent}, not a directory"
            ));
        };
        if entries.insert(name.key(), child).is_some() {
            return malformed(format!("name {name:?} appears twice in directory {parent}"));
        }
    }
    Ok(())
}

/// One record (the layout `write_record` writes), for `format`.
pub(crate) fn read_record(r: &mut Reader, format: Format) -> Res<(RecordNo, Node)> {
    let rec = r.u64("record number")?;
    Ok((rec, read_node(r, format, rec)?))
}

/// A record's contents after its number, for `format`.
pub(crate) fn read_node(r: &mut Reader, format: Format, rec: RecordNo) -> Res<Node> {
    let (kind, mut node) = read_node_meta(r, format, rec)?;
    if kind == 1 {
        node.kind = NodeKind::File(read_data(r, rec)?);
    }
    Ok(node)
}

/// A record's contents up to its data (`write_node_meta`): the kind byte, and
/// the node with no data yet.
pub(crate) fn read_node_meta(r: &mut Reader, format: Format, rec: RecordNo) -> Res<(u8, Node)> {
    let kind_byte = r.u8("record kind")?;
    let attrs = r.u32("attributes")?;
    let times = Times {
        creation: r.u64("creation time")?,
        last_access: r.u64("last access time")?,
        last_write: r.u64("last write time")?,
        change: r.u64("change time")?,
    };
    let mut posix = read_posix(r, "POSIX meta")?;
    match format {
        Format::V1 => {}
        Format::V2 | Format::V3 => {
            posix.rdev = DeviceNumbers {
                major: r.u32("device major")?,
                minor: r.u32("device minor")?,
            };
        }
    }
    // Pushed straight into the node's SmallVec: a Vec converted afterwards
    // would keep its heap block (capacity 4, 128 bytes) even for one name,
    // about 120 bytes per file after loading an image (issue 17).
    let mut names = Names::new();
    for _ in 0..r.count(16, "names")? {
        let parent = r.u64("name parent")?;
        let name = Name::from_units(&r.units("name")?);
        names.push(NameLink {
            parent,
            name,
            delete_pending: false,
        });
    }
    let reparse = match r.u8("reparse flag")? {
        0 => None,
        1 => {
            let raw = r.bytes("reparse buffer")?;
            let data = ReparseData::decode(raw).map_err(|e| {
                ImageError::Malformed(format!(
                    "record {rec}: reparse buffer does not decode: {}",
                    e.message()
                ))
            })?;
            Some(Box::new(Reparse {
                raw: raw.into(),
                data,
            }))
        }
        f => return malformed(format!("record {rec}: reparse flag {f}")),
    };
    // Older images have no descriptors: every record grants everything, as
    // every node did before descriptors existed.
    let security = match format {
        Format::V1 | Format::V2 => None,
        Format::V3 => read_security(r, rec)?,
    };
    let kind = match kind_byte {
        0 => NodeKind::Reserved,
        1 => NodeKind::File(FileData::default()),
        2 => NodeKind::Directory(Default::default()),
        k => return malformed(format!("record {rec}: unknown kind {k}")),
    };
    let node = Node {
        kind,
        attrs,
        times,
        names,
        reparse,
        posix,
        open_count: 0,
        security,
    };
    Ok((kind_byte, node))
}

/// `write_security`'s bytes. Masks are kept as stored (any bits: the access
/// check reads them as they are); trustees and flags must be known values.
fn read_security(r: &mut Reader, rec: RecordNo) -> Res<Option<Box<SecurityDescriptor>>> {
    match r.u8("security flag")? {
        0 => return Ok(None),
        1 => {}
        f => return malformed(format!("record {rec}: security flag {f}")),
    }
    let n = r.count(6, "DACL")?;
    let mut dacl = Vec::with_capacity(n);
    for _ in 0..n {
        let trustee = match r.u8("ACE trustee")? {
            0 => Trustee::Everyone,
            1 => Trustee::User,
            2 => Trustee::Administrators,
            t => return malformed(format!("record {rec}: unknown ACE trustee {t}")),
        };
        let allow = r.bool("ACE allow flag")?;
        let mask = r.u32("ACE mask")?;
        dacl.push(Ace {
            trustee,
            allow,
            mask,
        });
    }
    Ok(Some(Box::new(SecurityDescriptor { dacl })))
}

fn read_data(r: &mut Reader, rec: u64) -> Res<FileData> {
    let len = r.u64("file length")?;
    if len > MAX_FILE_SIZE {
        return malformed(format!("record {rec}: file length {len} over the limit"));
    }
    let mut data = FileData::default();
    for (index, bytes) in read_chunks(r, rec, len)? {
        data.write(index * CHUNK as u64, bytes, u64::MAX)
            .map_err(|e| ImageError::Malformed(format!("record {rec}: {}", e.message())))?;
    }
    data.set_len(len);
    Ok(data)
}

/// A file's stored chunks, as the image and the journal both keep them: index
/// and bytes, in rising index order, each at most a chunk and inside the file's
/// `len` (an empty chunk only before the end).
pub(crate) fn read_chunks<'a>(r: &mut Reader<'a>, rec: u64, len: u64) -> Res<Vec<(u64, &'a [u8])>> {
    let mut chunks = Vec::new();
    let mut last: Option<u64> = None;
    for _ in 0..r.count(16, "data chunks")? {
        let index = r.u64("chunk index")?;
        let bytes = r.bytes("chunk")?;
        let start = index.saturating_mul(CHUNK as u64);
        if last.is_some_and(|l| index <= l)
            || bytes.len() > CHUNK
            || start.saturating_add(bytes.len() as u64) > len
            || (bytes.is_empty() && start >= len)
        {
            return malformed(format!("record {rec}: chunk {index} out of order or range"));
        }
        last = Some(index);
        chunks.push((index, bytes));
    }
    Ok(chunks)
}

// ---- describing an image ---------------------------------------------------

/// What one volume of an image holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeSummary {
    /// Drive letter.
    pub letter: char,
    /// File system.
    pub kind: FsKind,
    /// Volume label.
    pub label: String,
    /// Serial number.
    pub serial: u32,
    /// Files (not directories), each counted once.
    pub files: usize,
    /// Directories, the root excluded.
    pub directories: usize,
    /// Files with more than one name.
    pub hard_linked_files: usize,
    /// Names beyond the first, over all files.
    pub extra_names: usize,
    /// Junctions.
    pub junctions: usize,
    /// Symbolic links.
    pub symlinks: usize,
    /// Reparse points of any other tag.
    pub other_reparse_points: usize,
    /// Bytes of file data.
    pub bytes: u64,
}

/// `ntlinkfs image info`: what an image holds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageInfo {
    /// Format version of the bytes read.
    pub format_version: u32,
    /// Size of the image in bytes.
    pub size: u64,
    /// The stored checksum.
    pub checksum: u32,
    /// The saved profile.
    pub profile: Profile,
    /// The saved current directory.
    pub current_dir: String,
    /// Every volume, in drive order.
    pub volumes: Vec<VolumeSummary>,
}

/// Loads and describes an image (so a damaged one is refused exactly as `load` would).
pub fn info(bytes: &[u8]) -> Res<ImageInfo> {
    let m = load(bytes)?;
    let checksum = u32::from_le_bytes([bytes[20], bytes[21], bytes[22], bytes[23]]);
    let volumes = m
        .volumes
        .iter()
        .map(|v| {
            let mut s = VolumeSummary {
                letter: v.letter as char,
                kind: v.kind,
                label: v.label.clone(),
                serial: v.serial,
                files: 0,
                directories: 0,
                hard_linked_files: 0,
                extra_names: 0,
                junctions: 0,
                symlinks: 0,
                other_reparse_points: 0,
                bytes: 0,
            };
            for (rec, n) in v.user_records().filter(|(r, _)| *r != ROOT_RECORD) {
                let _ = rec;
                if n.is_dir() {
                    // Junctions and directory symlinks are counted as links only.
                    if n.reparse.is_none() {
                        s.directories += 1;
                    }
                } else {
                    s.files += 1;
                    s.bytes += n.size();
                    if n.names.len() > 1 {
                        s.hard_linked_files += 1;
                        s.extra_names += n.names.len() - 1;
                    }
                }
                match n.reparse.as_ref().map(|rp| &rp.data) {
                    Some(ReparseData::MountPoint { .. }) => s.junctions += 1,
                    Some(ReparseData::Symlink { .. }) => s.symlinks += 1,
                    Some(ReparseData::Other { .. }) => s.other_reparse_points += 1,
                    None => {}
                }
            }
            s
        })
        .collect();
    Ok(ImageInfo {
        format_version: u32::from_le_bytes([bytes[8], bytes[9], bytes[10], bytes[11]]),
        size: bytes.len() as u64,
        checksum,
        profile: m.profile,
        current_dir: m.current_dir(),
        volumes,
    })
}

impl fmt::Display for ImageInfo {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "ntlinkfs image, format version {}, {} bytes, CRC-32 {:#010x}",
            self.format_version, self.size, self.checksum
        )?;
        writeln!(
            f,
            "profile {} ({}), current directory {}",
            self.profile,
            self.profile.version.description(),
            self.current_dir
        )?;
        writeln!(
            f,
            "{:<4} {:<10} {:<12} {:<9} {:>7} {:>7} {:>11} {:>9} {:>8} {:>12}",
            "vol",
            "kind",
            "label",
            "serial",
            "dirs",
            "files",
            "hard-linked",
            "junctions",
            "symlinks",
            "bytes"
        )?;
        for v in &self.volumes {
            writeln!(
                f,
                "{:<4} {:<10} {:<12} {:<9} {:>7} {:>7} {:>11} {:>9} {:>8} {:>12}",
                format!("{}:", v.letter),
                v.kind.name(),
                v.label,
                format!("{:04X}-{:04X}", v.serial >> 16, v.serial & 0xFFFF),
                v.directories,
                v.files,
                format!("{} (+{})", v.hard_linked_files, v.extra_names),
                v.junctions,
                v.symlinks,
                v.bytes
            )?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests;
