//! Image files on the host: loading (with the journal beside the image
//! replayed), saving atomically (write a temporary file in the same directory,
//! fsync it, rename it over the old one, fsync the directory, then remove the
//! journal the image now contains). A failed save leaves the old file as it
//! was. The journal a mount appends to is `journal_file`. Used by `shell`, `run`, `mount` (`--image
//! FILE`), the shell's `save` command and `copy`. Formats: docs/image-format.md.

use ntlinkfs_core::image::journal::{self, Replay};
use ntlinkfs_core::{image, Machine};
use ntlinkfs_shell::Saver;
use std::ffi::OsString;
use std::fs::{self, File, OpenOptions};
use std::io::{self, Write};
use std::path::{Path, PathBuf};

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
pub(crate) fn save_bytes(path: &Path, m: &Machine) -> Result<Vec<u8>, String> {
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

pub(crate) fn sync_dir(path: &Path) {
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
}
