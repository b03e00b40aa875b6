//! The interactive shell's command history, kept across sessions in the
//! user's data directory: `$XDG_DATA_HOME/ntlinkfs/history`, else
//! `~/.local/share/ntlinkfs/history` (`%APPDATA%\ntlinkfs\history` on
//! Windows). One command a line, appended as each runs, so a killed session
//! keeps what it ran. History is a convenience: when it cannot be written the
//! shell warns once and goes on.

use std::fs::{self, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};

/// The most entries loaded, and kept when the file is trimmed.
const KEEP: usize = 1000;

/// The history file, or None when the environment names no data directory.
pub fn path() -> Option<PathBuf> {
    let var = |name: &str| {
        std::env::var_os(name)
            .map(PathBuf::from)
            .filter(|p| p.is_absolute())
    };
    let data = var("XDG_DATA_HOME").or_else(|| {
        if cfg!(windows) {
            var("APPDATA")
        } else {
            var("HOME").map(|h| h.join(".local").join("share"))
        }
    })?;
    Some(data.join("ntlinkfs").join("history"))
}

/// The file's last entries, oldest first (none when it does not exist yet).
/// A file grown past twice the kept entries is trimmed to them.
pub fn load(path: &Path) -> Result<Vec<String>, String> {
    let text = match fs::read(path) {
        Ok(bytes) => String::from_utf8_lossy(&bytes).into_owned(),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(format!("cannot read {}: {e}", path.display())),
    };
    let lines: Vec<String> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(String::from)
        .collect();
    let kept = lines[lines.len().saturating_sub(KEEP)..].to_vec();
    if lines.len() > 2 * KEEP {
        let mut text = kept.join("\n");
        text.push('\n');
        fs::write(path, text).map_err(|e| format!("cannot trim {}: {e}", path.display()))?;
    }
    Ok(kept)
}

/// Appends one command, creating the file (readable by its owner only, as
/// shells keep history) and its directory when needed.
pub fn append(path: &Path, line: &str) -> Result<(), String> {
    let fail = |e: std::io::Error| format!("cannot write {}: {e}", path.display());
    if let Some(dir) = path.parent() {
        fs::create_dir_all(dir).map_err(fail)?;
    }
    let mut options = OpenOptions::new();
    options.create(true).append(true);
    #[cfg(unix)]
    std::os::unix::fs::OpenOptionsExt::mode(&mut options, 0o600);
    let mut file = options.open(path).map_err(fail)?;
    writeln!(file, "{line}").map_err(fail)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn entries_are_appended_and_loaded_back_in_order() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("ntlinkfs").join("history");
        assert_eq!(load(&path), Ok(Vec::new()));
        for line in ["dir", "mklink /J j C:\\t", "echo done"] {
            append(&path, line).unwrap();
        }
        assert_eq!(
            load(&path).unwrap(),
            ["dir", "mklink /J j C:\\t", "echo done"]
        );
    }

    #[test]
    fn a_long_file_is_trimmed_to_the_last_entries() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("history");
        let lines: Vec<String> = (0..2 * KEEP + 5).map(|i| format!("echo {i}")).collect();
        fs::write(&path, lines.join("\n")).unwrap();
        let loaded = load(&path).unwrap();
        assert_eq!(loaded.len(), KEEP);
        assert_eq!(loaded[0], format!("echo {}", KEEP + 5));
        assert_eq!(fs::read_to_string(&path).unwrap().lines().count(), KEEP);
    }

    #[test]
    fn an_unwritable_place_is_an_error_not_a_panic() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("file");
        fs::write(&file, "x").unwrap();
        // A directory cannot be made under a file.
        let e = append(&file.join("history"), "dir").unwrap_err();
        assert!(e.starts_with("cannot write "), "{e}");
    }
}
