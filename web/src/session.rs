//! What a playground session is made of, small enough for a URL: the
//! profile, the volumes, the clock, the starting layout and the commands
//! typed. Replaying it on a fresh machine gives the same state and the same
//! transcript anywhere (the clock is fixed by the page, volume serials
//! derive from the drive letters).
//!
//! In a URL it is the fragment `#s=` followed by base64url of a few text
//! lines:
//!
//! ```text
//! ntlinkfs-web 1
//! profile 11
//! volume C:ntfs
//! volume D:ntfs
//! clock 1705311000
//! start demo
//! > mklink /H C:\b.txt C:\a.txt
//! ```

use crate::base64;
use ntlinkfs_core::attrs::unix_to_filetime;
use ntlinkfs_core::{FixedClock, FsKind, Machine, Profile};
use ntlinkfs_linktools::fixture;
use std::sync::Arc;

/// The first line of every encoded session.
const MAGIC: &str = "ntlinkfs-web 1";

/// The clock a new session starts with: 2024-01-15 09:30 UTC, as
/// `ntlinkfs --fixed-clock` uses.
pub const DEFAULT_CLOCK: i64 = 1_705_311_000;

/// The most a session fragment may hold (a URL this long is already more
/// than browsers like to share).
pub const MAX_ENCODED: usize = 1 << 20;

/// The layout a session starts from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Start {
    /// Empty volumes.
    Empty,
    /// The `--demo` user profile (linktools' fixture), on C: and D:.
    Demo,
    /// A folder `C:\many` of this many small files: a large volume, to see
    /// the picture fold and to time a command on it.
    Files(u32),
}

/// The most files [`Start::Files`] makes.
pub const MAX_FILES: u32 = 100_000;

/// A session: how to build the machine, and the commands run on it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Session {
    pub profile: Profile,
    pub volumes: Vec<(char, FsKind)>,
    /// Seconds since 1970 (UTC); every timestamp of the session is this one.
    pub clock: i64,
    pub start: Start,
    /// Each line typed, in order.
    pub commands: Vec<String>,
}

impl Default for Session {
    fn default() -> Session {
        Session {
            profile: Profile::default(),
            volumes: vec![('C', FsKind::Ntfs), ('D', FsKind::Ntfs)],
            clock: DEFAULT_CLOCK,
            start: Start::Empty,
            commands: Vec::new(),
        }
    }
}

/// The `--volume` spelling of a kind (`ntfs`, `fat32`, `exfat`, `refs3.4`, `network`).
pub fn kind_arg(kind: FsKind) -> String {
    match kind {
        FsKind::Ntfs => "ntfs".into(),
        FsKind::Fat32 => "fat32".into(),
        FsKind::ExFat => "exfat".into(),
        FsKind::Refs(a, b) => format!("refs{a}.{b}"),
        FsKind::Network => "network".into(),
    }
}

impl Session {
    /// A fresh machine as the session starts (before its commands).
    pub fn machine(&self) -> Result<Machine, String> {
        let mut m = Machine::empty(self.profile);
        m.set_clock(Arc::new(FixedClock(unix_to_filetime(self.clock, 0))));
        for &(letter, kind) in &self.volumes {
            m.add_volume(letter, kind, None)
                .map_err(|_| format!("volume {letter}: is given twice or is not a letter"))?;
        }
        if let Some(&(first, _)) = self.volumes.first() {
            m.set_current_drive(first)
                .map_err(|e| format!("volume {first}: {}", e.message()))?;
        }
        match self.start {
            Start::Empty => {}
            Start::Demo => fixture::user_profile(&mut m).map_err(|e| {
                format!(
                    "the demo layout needs NTFS volumes C: and D: ({})",
                    e.message()
                )
            })?,
            Start::Files(n) => many_files(&mut m, n)
                .map_err(|e| format!("cannot make {n} files in C:\\many ({})", e.message()))?,
        }
        Ok(m)
    }

    /// The session as text lines (see the module docs).
    pub fn to_text(&self) -> String {
        let mut s = format!("{MAGIC}\nprofile {}\n", self.profile.name());
        for &(letter, kind) in &self.volumes {
            s.push_str(&format!("volume {letter}:{}\n", kind_arg(kind)));
        }
        s.push_str(&format!("clock {}\n", self.clock));
        match self.start {
            Start::Empty => {}
            Start::Demo => s.push_str("start demo\n"),
            Start::Files(n) => s.push_str(&format!("start files {n}\n")),
        }
        for c in &self.commands {
            s.push_str(&format!("> {c}\n"));
        }
        s
    }

    /// Reads [`Session::to_text`]'s lines back; the error says which line is wrong.
    pub fn from_text(text: &str) -> Result<Session, String> {
        let mut lines = text.lines();
        if lines.next() != Some(MAGIC) {
            return Err(format!("it does not start with '{MAGIC}'"));
        }
        let mut s = Session {
            volumes: Vec::new(),
            ..Session::default()
        };
        for (n, line) in lines.enumerate() {
            let bad = |why: String| format!("line {}: {why}", n + 2);
            if let Some(command) = line.strip_prefix("> ") {
                s.commands.push(command.to_string());
                continue;
            }
            let (key, value) = line.split_once(' ').unwrap_or((line, ""));
            match key {
                "profile" => s.profile = value.parse().map_err(bad)?,
                "volume" => {
                    let (letter, kind) = value
                        .split_once(':')
                        .ok_or_else(|| bad(format!("'{value}' is not LETTER:KIND")))?;
                    let letter = ntlinkfs_core::path::letter_alone(letter)
                        .ok_or_else(|| bad(format!("'{letter}' is not a drive letter")))?;
                    s.volumes.push((letter as char, kind.parse().map_err(bad)?));
                }
                "clock" => {
                    s.clock = value
                        .parse()
                        .ok()
                        .filter(|c: &i64| (0..=32_503_680_000).contains(c))
                        .ok_or_else(|| bad(format!("'{value}' is not seconds since 1970")))?
                }
                "start" if value == "demo" => s.start = Start::Demo,
                "start" if value.starts_with("files ") => {
                    let n = value["files ".len()..]
                        .parse()
                        .ok()
                        .filter(|n| *n <= MAX_FILES)
                        .ok_or_else(|| bad(format!("'{value}': at most {MAX_FILES} files")))?;
                    s.start = Start::Files(n);
                }
                _ => return Err(bad(format!("'{line}' is not a session line"))),
            }
        }
        if s.volumes.is_empty() {
            return Err("it names no volume".into());
        }
        Ok(s)
    }

    /// The URL fragment (without `#`): `s=` and the base64url text.
    pub fn to_fragment(&self) -> String {
        format!("s={}", base64::encode(self.to_text().as_bytes()))
    }

    /// Reads a fragment (with or without `#`), saying plainly what is wrong.
    pub fn from_fragment(fragment: &str) -> Result<Session, String> {
        let bad = |why: &str| format!("The session in this link cannot be read: {why}.");
        let f = fragment.strip_prefix('#').unwrap_or(fragment);
        if f.len() > MAX_ENCODED {
            return Err(bad("it is longer than 1 MiB"));
        }
        let code = f
            .strip_prefix("s=")
            .ok_or_else(|| bad("it does not start with #s="))?;
        let bytes = base64::decode(code).ok_or_else(|| bad("it is not base64url text"))?;
        let text = String::from_utf8(bytes).map_err(|_| bad("it is not UTF-8 text"))?;
        Session::from_text(&text).map_err(|why| bad(&why))
    }
}

/// `C:\many\file00001.txt` … with a few bytes each.
fn many_files(m: &mut Machine, n: u32) -> ntlinkfs_core::Result<()> {
    m.create_directory(r"C:\many")?;
    for i in 1..=n {
        m.write_file(&format!(r"C:\many\file{i:05}.txt"), b"x")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_session_round_trips_through_its_fragment() {
        let s = Session {
            profile: "xp".parse().unwrap(),
            volumes: vec![('C', FsKind::Ntfs), ('E', FsKind::Refs(3, 4))],
            clock: 1_000_000_000,
            start: Start::Files(3),
            commands: vec![
                "md \"a b\"".into(),
                "mklink /J C:\\j C:\\a b".into(),
                "".into(),
            ],
        };
        assert_eq!(Session::from_fragment(&s.to_fragment()), Ok(s.clone()));
        assert_eq!(
            Session::from_fragment(&format!("#{}", s.to_fragment())),
            Ok(s)
        );
    }

    #[test]
    fn garbled_fragments_say_what_is_wrong() {
        let enc = |t: &str| format!("s={}", base64::encode(t.as_bytes()));
        let rows: &[(String, &str)] = &[
            ("x=abc".into(), "it does not start with #s="),
            ("s=%%%".into(), "it is not base64url text"),
            (
                format!("s={}", base64::encode(b"\xff\xfe")),
                "it is not UTF-8 text",
            ),
            (enc("hello"), "it does not start with 'ntlinkfs-web 1'"),
            (
                enc("ntlinkfs-web 1\nprofile win98\nvolume C:ntfs"),
                "line 2: unknown profile 'win98'",
            ),
            (
                enc("ntlinkfs-web 1\nvolume C:zfs"),
                "line 2: unknown filesystem kind 'zfs'",
            ),
            (
                enc("ntlinkfs-web 1\nvolume C:ntfs\nclock soon"),
                "line 3: 'soon' is not seconds",
            ),
            (
                enc("ntlinkfs-web 1\nvolume C:ntfs\nrm -rf /"),
                "line 3: 'rm -rf /' is not a session line",
            ),
            (enc("ntlinkfs-web 1\nprofile 11"), "it names no volume"),
        ];
        for (fragment, want) in rows {
            let err = Session::from_fragment(fragment).unwrap_err();
            assert!(
                err.starts_with("The session in this link cannot be read: ") && err.contains(want),
                "{fragment}: {err}"
            );
        }
    }

    #[test]
    fn the_machine_follows_the_session() {
        let s = Session {
            volumes: vec![('C', FsKind::Ntfs), ('F', FsKind::Fat32)],
            ..Session::default()
        };
        let m = s.machine().unwrap();
        let kinds: Vec<_> = m
            .volume_infos()
            .iter()
            .map(|v| (v.letter, v.kind))
            .collect();
        assert_eq!(kinds, [('C', FsKind::Ntfs), ('F', FsKind::Fat32)]);
        let demo_on_fat = Session {
            start: Start::Demo,
            volumes: vec![('C', FsKind::Fat32), ('D', FsKind::Ntfs)],
            ..Session::default()
        };
        assert!(demo_on_fat
            .machine()
            .unwrap_err()
            .starts_with("the demo layout needs"));
        let twice = Session {
            volumes: vec![('C', FsKind::Ntfs), ('C', FsKind::Ntfs)],
            ..Session::default()
        };
        assert!(twice.machine().is_err());
    }
}
