//! The journal an `--image` mount keeps beside its image (Unix mounts only:
//! the WinFsp mount saves on unmount). Each fsync appends one frame and fsyncs
//! it; the image module replays it on load and removes it after a save.
//! Formats: docs/image-format.md.

use crate::image_file::{journal_path, save_bytes, sync_dir, write_atomic};
use ntlinkfs_core::image::journal::Journal;
use ntlinkfs_core::{image, Machine, Shared};
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The journal an `--image` mount commits to on fsync: one frame per commit,
/// appended and fsync'd (frames and layout: `ntlinkfs_core::image::journal`).
/// A journal that would grow past its image (and past `FOLD_AT`) is folded
/// instead: the commit saves the whole image and starts a new journal, so
/// replay never costs more than a load and the journal stays bounded.
pub struct JournalFile {
    image: PathBuf,
    path: PathBuf,
    fold_at: u64,
    state: Mutex<JournalState>,
}

/// The journal size below which it is never folded into the image.
pub const FOLD_AT: u64 = 64 << 20;

struct JournalState {
    journal: Journal,
    /// Created on the first commit (with its header fsync'd, and the directory).
    file: Option<File>,
    /// Bytes in the journal file, and in the image it extends.
    written: u64,
    image_len: u64,
    /// A write failed: the file may end in a partial frame, so nothing more is
    /// appended (later commits fail; a clean unmount still saves everything).
    failed: bool,
}

/// What one commit writes.
enum Commit {
    Frame(Vec<u8>),
    /// The whole image, and the journal that will extend it.
    Image(Vec<u8>, Journal),
}

impl JournalFile {
    /// Saves `m` to `image` (folding in the journal it was loaded with) and
    /// starts a new journal over that image; the file appears on first commit.
    pub fn start(image: &Path, m: &mut Machine) -> Result<JournalFile, String> {
        Self::start_folding_at(image, m, FOLD_AT)
    }

    /// `start`, folding once the journal passes `fold_at` bytes (tests).
    pub fn start_folding_at(
        image: &Path,
        m: &mut Machine,
        fold_at: u64,
    ) -> Result<JournalFile, String> {
        let bytes = save_bytes(image, m)?;
        Ok(JournalFile {
            image: image.to_path_buf(),
            path: journal_path(image),
            fold_at,
            state: Mutex::new(JournalState {
                journal: Journal::start(m, &bytes),
                file: None,
                written: 0,
                image_len: bytes.len() as u64,
                failed: false,
            }),
        })
    }

    /// Makes every change to `machine` so far durable: appends one frame and
    /// fsyncs it (or saves the image, see `JournalFile`). Commits are
    /// serialised, so frames are appended in the order they were taken; the
    /// machine is locked only while the frame (or image) is encoded.
    pub fn commit(&self, machine: &Shared) -> io::Result<()> {
        // A panic elsewhere cannot leave the state half-changed: use it as is.
        let mut st = self.state.lock().unwrap_or_else(|p| p.into_inner());
        if st.failed {
            return Err(io::Error::other(
                "an earlier journal write failed; unmount to save the image",
            ));
        }
        let commit = {
            let mut m = machine.write();
            let Some(frame) = st.journal.commit(&mut m) else {
                return Ok(());
            };
            if st.written + frame.len() as u64 <= self.fold_at.max(st.image_len) {
                Commit::Frame(frame)
            } else {
                let bytes = image::save(&m);
                let journal = Journal::start(&mut m, &bytes);
                Commit::Image(bytes, journal)
            }
        };
        let r = match commit {
            Commit::Frame(frame) => self.append(&mut st, &frame),
            Commit::Image(bytes, journal) => self.fold(&mut st, &bytes, journal),
        };
        st.failed = r.is_err();
        r
    }

    /// Replaces the image and its journal by `bytes` and a new, empty journal.
    fn fold(&self, st: &mut JournalState, bytes: &[u8], journal: Journal) -> io::Result<()> {
        write_atomic(&self.image, bytes)?;
        // Until removed, the old journal names the old image: ignored on load.
        match fs::remove_file(&self.path) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => return Err(e),
            _ => {}
        }
        st.journal = journal;
        st.file = None;
        st.written = 0;
        st.image_len = bytes.len() as u64;
        Ok(())
    }

    fn append(&self, st: &mut JournalState, frame: &[u8]) -> io::Result<()> {
        if st.file.is_none() {
            let mut f = OpenOptions::new()
                .write(true)
                .create(true)
                .truncate(true)
                .open(&self.path)?;
            let header = st.journal.header();
            f.write_all(&header)?;
            f.sync_all()?;
            sync_dir(&self.path);
            st.file = Some(f);
            st.written = header.len() as u64;
        }
        let f = st.file.as_mut().expect("created above");
        f.write_all(frame)?;
        f.sync_data()?;
        st.written += frame.len() as u64;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::image_file::load;

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }
    /// Commits append frames; a journal that would outgrow its image is folded
    /// into a new image instead. Either way a load gives the last commit.
    #[test]
    fn commits_append_frames_and_fold_into_the_image_past_the_limit() {
        let d = dir();
        let p = d.path().join("vol.img");
        let mut m = Machine::default();
        let j = JournalFile::start_folding_at(&p, &mut m, 0).unwrap();
        let shared = Shared::new(m);
        let jpath = journal_path(&p);
        let image_len = fs::metadata(&p).unwrap().len();
        shared.write().write_file(r"C:\a", b"first").unwrap();
        j.commit(&shared).unwrap();
        let first = fs::metadata(&jpath).unwrap().len();
        assert!(first > 0 && first < image_len, "a frame, not an image");
        assert_eq!(
            load(&p).unwrap().unwrap().read_file(r"C:\a").unwrap(),
            b"first"
        );
        // Commits until the journal would pass the image: then it is folded.
        let mut folded = false;
        for i in 0..100 {
            shared
                .write()
                .write_file(r"C:\a", &vec![b'x'; 1000 + i])
                .unwrap();
            j.commit(&shared).unwrap();
            if !jpath.exists() {
                folded = true;
                break;
            }
        }
        assert!(folded, "the journal was folded into the image");
        assert!(fs::metadata(&p).unwrap().len() > image_len);
        shared.write().write_file(r"C:\b", b"after").unwrap();
        j.commit(&shared).unwrap();
        assert!(jpath.exists(), "a new journal extends the new image");
        let mut back = load(&p).unwrap().unwrap();
        assert_eq!(back.read_file(r"C:\b").unwrap(), b"after");
        let a = back.read_file(r"C:\a").unwrap();
        assert!(a.len() >= 1000 && a.iter().all(|&b| b == b'x'));
    }
}
