//! Options shared by the subcommands that build an emulated machine
//! (`shell`, `run`, and later `mount`): the profile, the volumes, the clock.
//! Flatten [`MachineOptions`] into a subcommand's `Args` and call `build`.

use crate::image_file::Session;
use ntlinkfs_core::attrs::unix_to_filetime;
use ntlinkfs_core::{FixedClock, FsKind, Machine, Profile, MAX_VOLUME_SIZE, MIN_VOLUME_SIZE};
use ntlinkfs_linktools::fixture;
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

/// The instant the fixed clock reads: 01/15/2024 09:30 AM UTC.
pub const FIXED_UNIX_TIME: i64 = 1_705_311_000;

#[derive(Debug, Clone, clap::Args)]
pub struct MachineOptions {
    /// Windows version and user: nt4, 2000, xp, 2003, vista, 7, 10-1507, 10-1607,
    /// 10-1703, 10-1709, 10-1903, 10, 11 (or a build number as build:NUMBER),
    /// optionally with +dev (developer mode), -user (not elevated), +longpaths
    /// [default: 11; with --image, the profile saved in the image]
    #[arg(long, value_name = "NAME")]
    pub profile: Option<Profile>,

    /// A volume, LETTER:KIND[:SIZE] with KIND ntfs, fat32, exfat, refs,
    /// refsX.Y or network (a mapped network drive) and SIZE in bytes or with K, M, G or T (powers of 1024), whole
    /// 4 KiB blocks from 1M to 16T; repeatable [default: C:ntfs D:ntfs; size
    /// 64G]
    #[arg(long = "volume", value_name = "LETTER:KIND[:SIZE]")]
    pub volumes: Vec<VolumeSpec>,

    /// Memory for file data and metadata; past it writes and new files fail
    /// with ENOSPC / ERROR_DISK_FULL [default: half the machine's memory]
    #[arg(long, value_name = "SIZE", value_parser = parse_size)]
    pub max_memory: Option<u64>,

    /// Stamp every file with the same time (01/15/2024 09:30 AM), for output
    /// that does not change from run to run
    #[arg(long, env = "NTLINKFS_FIXED_CLOCK")]
    pub fixed_clock: bool,

    /// Load the machine from this image file (when it exists; otherwise start
    /// as the other options say) and save it back, atomically, on exit, on
    /// unmount and on the shell's SAVE command
    #[arg(long, value_name = "FILE")]
    pub image: Option<PathBuf>,

    /// Start from a Windows user profile with the links Windows creates
    /// (Documents and Settings, the Application Data junction loops, My
    /// Documents, WinSxS hard links, a junction to D:); needs C: and D: NTFS
    #[arg(long)]
    pub demo: bool,
}

/// `E:fat32`, `D:ntfs:2G`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VolumeSpec {
    pub letter: char,
    pub kind: FsKind,
    /// The volume's size in bytes (None: the 64 GiB default).
    pub size: Option<u64>,
}

/// A size: bytes, or a number with K, M, G or T (powers of 1024; see
/// [`ntlinkfs_core::space::parse_size`]).
pub fn parse_size(s: &str) -> Result<u64, String> {
    ntlinkfs_core::space::parse_size(s)
        .ok_or_else(|| format!("'{s}': a size is a number with K, M, G or T"))
}

impl FromStr for VolumeSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<VolumeSpec, String> {
        let (letter, rest) = s
            .split_once(':')
            .ok_or_else(|| format!("'{s}': expected LETTER:KIND, e.g. E:fat32"))?;
        let (kind, size) = match rest.split_once(':') {
            Some((kind, size)) => (kind, Some(parse_size(size)?)),
            None => (rest, None),
        };
        let Some(l) = ntlinkfs_core::path::letter_alone(letter) else {
            return Err(format!("'{s}': the drive is one letter A-Z"));
        };
        let kind = if kind.is_empty() {
            FsKind::Ntfs
        } else {
            kind.parse()?
        };
        Ok(VolumeSpec {
            letter: l as char,
            kind,
            size,
        })
    }
}

impl MachineOptions {
    /// The machine to work on: loaded from `--image` when that file exists,
    /// else built from the options (with the `--demo` layout when asked), and
    /// remembered with its image file so it can be saved back.
    pub fn open(&self) -> Result<Session, String> {
        if let Some(path) = &self.image {
            if let Some(mut m) = crate::image_file::load(path)? {
                if self.demo {
                    return Err(format!(
                        "--demo builds a new machine, but {} already holds one",
                        path.display()
                    ));
                }
                if !self.volumes.is_empty() {
                    return Err(format!(
                        "--volume describes a new machine, but {} already holds one \
                         (add volumes with the shell's VOLUME ADD)",
                        path.display()
                    ));
                }
                if self.fixed_clock {
                    m.set_clock(Arc::new(FixedClock(unix_to_filetime(FIXED_UNIX_TIME, 0))));
                }
                // An explicit --profile replays the saved volumes under another
                // Windows version; without one the image keeps its own.
                if let Some(p) = self.profile {
                    m.set_profile(p);
                }
                m.set_memory_limit(self.memory_budget());
                return Ok(Session::new(m, Some(path.clone())));
            }
        }
        let mut m = self.build()?;
        if self.demo {
            fixture::user_profile(&mut m).map_err(|e| {
                format!(
                    "--demo needs empty NTFS volumes C: and D: ({})",
                    e.message()
                )
            })?;
        }
        Ok(Session::new(m, self.image.clone()))
    }

    /// `--max-memory`, or half the machine's memory (see memory.rs).
    pub fn memory_budget(&self) -> u64 {
        self.max_memory
            .unwrap_or_else(crate::memory::default_budget)
    }

    /// The machine these options describe.
    pub fn build(&self) -> Result<Machine, String> {
        let volumes: Vec<VolumeSpec> = if self.volumes.is_empty() {
            ["C:ntfs", "D:ntfs"]
                .iter()
                .map(|v| v.parse().expect("valid default"))
                .collect()
        } else {
            self.volumes.clone()
        };
        let mut m = Machine::empty(self.profile.unwrap_or_default());
        if self.fixed_clock {
            m.set_clock(Arc::new(FixedClock(unix_to_filetime(FIXED_UNIX_TIME, 0))));
        }
        m.set_memory_limit(self.memory_budget());
        set_owner_to_user(&mut m);
        for v in &volumes {
            let letter = v.letter;
            let id = m
                .add_volume(letter, v.kind, None)
                .map_err(|_| format!("volume {letter}: is given twice"))?;
            if let Some(size) = v.size {
                m.set_volume_size(id, size).map_err(|_| {
                    format!(
                        "volume {letter}: size {size} is not whole 4 KiB blocks from {} to {} bytes",
                        MIN_VOLUME_SIZE, MAX_VOLUME_SIZE
                    )
                })?;
            }
        }
        if let Some(VolumeSpec { letter: first, .. }) = volumes.first() {
            m.set_current_drive(*first)
                .map_err(|e| format!("volume {first}: {}", e.message()))?;
        }
        Ok(m)
    }
}

/// A new machine's files belong to the user who makes it, as files on a disk
/// they format would: a user's mount (through fusermount3) can then write
/// its volumes. Root's machines keep the core's default owner, root.
#[cfg(unix)]
fn set_owner_to_user(m: &mut Machine) {
    // SAFETY: geteuid and getegid have no preconditions and cannot fail.
    let (uid, gid) = unsafe { (libc::geteuid(), libc::getegid()) };
    if uid != 0 {
        m.set_default_posix(ntlinkfs_core::PosixMeta {
            uid,
            gid,
            mode: 0o644,
            rdev: Default::default(),
        });
    }
}

#[cfg(not(unix))]
fn set_owner_to_user(_: &mut Machine) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_spec_parses_letter_and_kind() {
        assert_eq!(
            "e:fat32".parse::<VolumeSpec>(),
            Ok(VolumeSpec {
                letter: 'E',
                kind: FsKind::Fat32,
                size: None,
            })
        );
        assert_eq!("F:".parse::<VolumeSpec>().unwrap().kind, FsKind::Ntfs);
        assert_eq!(
            "z:network".parse::<VolumeSpec>().unwrap().kind,
            FsKind::Network
        );
        assert_eq!(
            "d:ntfs:2G".parse::<VolumeSpec>(),
            Ok(VolumeSpec {
                letter: 'D',
                kind: FsKind::Ntfs,
                size: Some(2 << 30),
            })
        );
        assert_eq!(
            "F::512m".parse::<VolumeSpec>().unwrap().size,
            Some(512 << 20)
        );
        for bad in [
            "E",
            "EF:ntfs",
            "1:ntfs",
            "E:ext4",
            "E:ntfs:",
            "E:ntfs:2X",
            "E:ntfs:-1",
        ] {
            assert!(bad.parse::<VolumeSpec>().is_err(), "{bad}");
        }
    }

    #[test]
    fn sizes_parse_with_binary_units() {
        let rows = [
            ("4096", 4096),
            ("1k", 1 << 10),
            ("3M", 3 << 20),
            ("2GiB", 2 << 30),
            ("1T", 1 << 40),
            ("16tb", 16 << 40),
        ];
        for (text, want) in rows {
            assert_eq!(parse_size(text), Ok(want), "{text}");
        }
        for bad in ["", "G", "1.5G", "1P", "99999999999999999999", "20000000T"] {
            assert!(parse_size(bad).is_err(), "{bad}");
        }
    }

    /// A size that is no volume size is refused by name (issue 11).
    #[test]
    fn bad_volume_sizes_are_refused() {
        let opts = |v: &str| MachineOptions {
            profile: None,
            volumes: vec![v.parse().unwrap()],
            max_memory: None,
            fixed_clock: false,
            image: None,
            demo: false,
        };
        let m = opts("D:ntfs:2M").build().unwrap();
        assert_eq!(m.volume_info(0).size, 2 << 20);
        for bad in ["D:ntfs:1K", "D:ntfs:100000", "D:ntfs:17T"] {
            let e = opts(bad).build().unwrap_err();
            assert!(e.starts_with("volume D: size"), "{e}");
        }
    }
}
