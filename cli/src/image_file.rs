//! Image files on the host: loading (with the journal beside the image
//! replayed), saving atomically (write a temporary file in the same directory,
//! fsync it, rename it over the old one, fsync the directory, then remove the
//! journal the image now contains), and appending journal frames. A failed save
//! leaves the old file as it was. Used by `shell`, `run`, `mount` (`--image
//! FILE`), the shell's `save` command and `copy`. Formats: docs/image-format.md.

use ntlinkfs_core::image::journal::{self, Journal, Replay};
use ntlinkfs_core::{image, Machine, Shared};
use ntlinkfs_shell::Saver;
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// Loads the machine saved in `path`, with its journal (`path.journal`)
/// replayed if there is one. `Ok(None)` when the file does not exist (a new
/// image); a file that is not a valid image is an error naming it. Temporary
/// files that interrupted saves left beside it are removed first.
pub fn load(path: &Path) -> Result<Option<Machine>, String> {
    remove_stale_temporaries(path);
    let bytes = match fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(format!("cannot read image {}: {e}", path.display())),
    };
    let jpath = journal_path(path);
    let journal = match fs::read(&jpath) {
        Ok(j) => j,
        Err(e) if e.kind() == io::ErrorKind::NotFound => {
            return image::load(&bytes)
                .map(Some)
                .map_err(|e| format!("cannot load image {}: {e}", path.display()));
        }
        Err(e) => return Err(format!("cannot read journal {}: {e}", jpath.display())),
    };
    let (m, replay) = journal::load_with_journal(&bytes, &journal)
        .map_err(|e| format!("cannot load image {}: {e}", path.display()))?;
    let what = match replay {
        Replay::Replayed { frames, torn_tail } => format!(
            "replayed {frames} commit(s){}",
            if torn_tail {
                " (an incomplete last one, never fsync'd, ignored)"
            } else {
                ""
            }
        ),
        Replay::OtherImage => "ignored: the image was saved after it".into(),
        Replay::NoHeader => "ignored: it was never committed to".into(),
    };
    eprintln!("ntlinkfs: journal {}: {what}", jpath.display());
    Ok(Some(m))
}

/// Saves `m` to `path` atomically: nothing is ever half-written.
pub fn save(path: &Path, m: &Machine) -> Result<u64, String> {
    save_bytes(path, m).map(|b| b.len() as u64)
}

/// Saves `m` to `path` atomically and removes the journal the image now
/// contains; returns the image bytes.
fn save_bytes(path: &Path, m: &Machine) -> Result<Vec<u8>, String> {
    let bytes = image::save(m);
    let saved = write_atomic(path, &bytes).and_then(|()| {
        // A crash before this removal leaves a journal of the old image, which
        // names that image and is then ignored (journal::Replay::OtherImage).
        match fs::remove_file(journal_path(path)) {
            Err(e) if e.kind() != io::ErrorKind::NotFound => Err(e),
            _ => Ok(()),
        }
    });
    saved.map_err(|e| format!("cannot save image {}: {e}", path.display()))?;
    remove_stale_temporaries(path);
    Ok(bytes)
}

/// The journal beside an image: `FILE.journal`.
pub fn journal_path(image: &Path) -> PathBuf {
    let mut name = image.as_os_str().to_owned();
    name.push(".journal");
    PathBuf::from(name)
}

/// Removes the temporary files (`.FILE.tmpPID`) that saves interrupted by a
/// crash left beside `image`: those whose process is gone. A live process's
/// file may be a save in progress, so it stays (as does every file where
/// liveness cannot be told: only Linux's /proc is asked).
pub fn remove_stale_temporaries(image: &Path) {
    let (Some(dir), Some(name)) = (image.parent(), image.file_name()) else {
        return;
    };
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let mut prefix = OsString::from(".");
    prefix.push(name);
    prefix.push(".tmp");
    let Some(prefix) = prefix.to_str().map(str::to_string) else {
        return;
    };
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let file = e.file_name();
        let Some(pid) = file
            .to_str()
            .and_then(|f| f.strip_prefix(&prefix))
            .and_then(|p| p.parse::<u32>().ok())
        else {
            continue;
        };
        if pid != std::process::id() && process_is_gone(pid) {
            let _ = fs::remove_file(e.path());
        }
    }
}

fn process_is_gone(pid: u32) -> bool {
    cfg!(target_os = "linux") && !Path::new(&format!("/proc/{pid}")).exists()
}

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

fn sync_dir(path: &Path) {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    if let Ok(d) = File::open(dir) {
        let _ = d.sync_all();
    }
}

/// The temporary file a save writes first: hidden, beside the target, unique
/// per process so two writers never share one.
fn temp_path(path: &Path) -> io::Result<PathBuf> {
    let name = path
        .file_name()
        .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
    let mut tmp = std::ffi::OsString::from(".");
    tmp.push(name);
    tmp.push(format!(".tmp{}", std::process::id()));
    Ok(path.with_file_name(tmp))
}

/// Writes `bytes` to a temporary file, fsyncs it and renames it over `path`.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> io::Result<()> {
    if path.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "is a directory",
        ));
    }
    let tmp = temp_path(path)?;
    // create_new: never reuse (or later remove) a file this save did not make.
    let mut f = OpenOptions::new().write(true).create_new(true).open(&tmp)?;
    let written = (|| {
        f.write_all(bytes)?;
        f.sync_all()?;
        fs::rename(&tmp, path)
    })();
    if let Err(e) = written {
        let _ = fs::remove_file(&tmp);
        return Err(e);
    }
    // The rename itself is durable once the directory is synced.
    sync_dir(path);
    Ok(())
}

/// A machine and the image file it is saved to, if any.
pub struct Session {
    machine: Machine,
    image: Option<PathBuf>,
}

impl Session {
    pub fn new(machine: Machine, image: Option<PathBuf>) -> Session {
        Session { machine, image }
    }

    pub fn machine(&self) -> &Machine {
        &self.machine
    }

    pub fn machine_mut(&mut self) -> &mut Machine {
        &mut self.machine
    }

    pub fn image(&self) -> Option<&Path> {
        self.image.as_deref()
    }

    /// Splits into the machine and the image path (the shell owns the machine
    /// while it runs; [`save_to`] saves it afterwards).
    pub fn into_parts(self) -> (Machine, Option<PathBuf>) {
        (self.machine, self.image)
    }

    /// Saves to the image file, if there is one; the message says where.
    pub fn save(&self) -> Result<Option<String>, String> {
        save_to(self.image.as_deref(), &self.machine)
    }
}

/// Saves `m` to `image` if given: `Saved FILE (N bytes).`
pub fn save_to(image: Option<&Path>, m: &Machine) -> Result<Option<String>, String> {
    match image {
        None => Ok(None),
        Some(p) => save(p, m).map(|n| Some(format!("Saved {} ({n} bytes).", p.display()))),
    }
}

/// The shell's SAVE command: to the file named after SAVE, else the image.
pub fn shell_saver(image: Option<PathBuf>) -> Saver {
    Box::new(move |m, file| {
        let path = file
            .map(PathBuf::from)
            .or_else(|| image.clone())
            .ok_or_else(|| {
                "No image file: start ntlinkfs with --image FILE, or give SAVE a file name."
                    .to_string()
            })?;
        save(&path, m).map(|n| format!("Saved {} ({n} bytes).", path.display()))
    })
}

/// Saves on exit (shell, run, unmount), telling on stderr; false when it failed.
pub fn save_on_exit(image: Option<&Path>, m: &Machine) -> bool {
    match save_to(image, m) {
        Ok(Some(msg)) => {
            eprintln!("{msg}");
            true
        }
        Ok(None) => true,
        Err(e) => {
            eprintln!("error: {e}");
            false
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir() -> tempfile::TempDir {
        tempfile::tempdir().unwrap()
    }

    #[test]
    fn save_then_load_round_trips_and_leaves_no_temporary_file() {
        let d = dir();
        let p = d.path().join("vol.img");
        let mut m = Machine::default();
        m.write_file(r"C:\a.txt", b"hello").unwrap();
        m.create_hard_link(r"C:\b.txt", r"C:\a.txt").unwrap();
        let n = save(&p, &m).unwrap();
        assert_eq!(fs::metadata(&p).unwrap().len(), n);
        let mut back = load(&p).unwrap().unwrap();
        assert_eq!(back.read_file(r"C:\b.txt").unwrap(), b"hello");
        let names: Vec<_> = fs::read_dir(d.path()).unwrap().collect();
        assert_eq!(names.len(), 1, "only the image remains");
    }

    #[test]
    fn load_of_a_missing_file_is_a_new_image() {
        let d = dir();
        assert!(load(&d.path().join("new.img")).unwrap().is_none());
    }

    #[test]
    fn load_of_a_damaged_file_names_the_file_and_the_damage() {
        let d = dir();
        let p = d.path().join("vol.img");
        save(&p, &Machine::default()).unwrap();
        let mut bytes = fs::read(&p).unwrap();
        bytes.truncate(bytes.len() - 3);
        fs::write(&p, &bytes).unwrap();
        let err = load(&p).unwrap_err();
        assert!(
            err.starts_with(&format!(
                "cannot load image {}: image is truncated",
                p.display()
            )),
            "{err}"
        );
        fs::write(&p, b"hello").unwrap();
        assert!(load(&p)
            .unwrap_err()
            .ends_with("not an ntlinkfs image (bad magic)"));
    }

    #[test]
    fn failed_save_leaves_the_old_file_untouched() {
        let d = dir();
        let p = d.path().join("vol.img");
        save(&p, &Machine::default()).unwrap();
        let before = fs::read(&p).unwrap();
        // A stale temporary file of this process blocks the write (create_new).
        fs::write(temp_path(&p).unwrap(), b"stale").unwrap();
        let mut m = Machine::default();
        m.write_file(r"C:\x", b"x").unwrap();
        assert!(save(&p, &m).is_err());
        assert_eq!(fs::read(&p).unwrap(), before);
        // Saving onto a directory fails and changes nothing.
        let sub = d.path().join("sub");
        fs::create_dir(&sub).unwrap();
        assert!(save(&sub, &m).unwrap_err().contains("is a directory"));
        assert!(sub.is_dir());
    }

    /// Issue 11: an interrupted save leaves `.FILE.tmpPID`; the next load or
    /// save removes it once its process is gone (and never a live one's).
    #[test]
    fn stale_temporaries_of_dead_processes_are_removed_on_load_and_save() {
        let d = dir();
        let p = d.path().join("vol.img");
        save(&p, &Machine::default()).unwrap();
        // Past any pid_max: no such process.
        let dead = d.path().join(".vol.img.tmp4999999");
        let live = d.path().join(".vol.img.tmp1");
        let other = d.path().join(".other.img.tmp4999999");
        for f in [&dead, &live, &other] {
            fs::write(f, b"half a save").unwrap();
        }
        load(&p).unwrap().unwrap();
        assert!(
            !dead.exists(),
            "a dead process's temporary is removed on load"
        );
        assert!(live.exists() && other.exists());
        fs::write(&dead, b"again").unwrap();
        save(&p, &Machine::default()).unwrap();
        assert!(!dead.exists(), "and on save");
        assert!(live.exists() && other.exists());
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
