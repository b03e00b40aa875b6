//! Options shared by the subcommands that build an emulated machine
//! (`shell`, `run`, and later `mount`): the profile, the volumes, the clock.
//! Flatten [`MachineOptions`] into a subcommand's `Args` and call `build`.

use crate::image_file::Session;
use ntlinkfs_core::attrs::unix_to_filetime;
use ntlinkfs_core::{fixture, FixedClock, FsKind, Machine, Profile};
use std::path::PathBuf;
use std::str::FromStr;
use std::sync::Arc;

/// The instant the fixed clock reads: 01/15/2024 09:30 AM UTC.
pub const FIXED_UNIX_TIME: i64 = 1_705_311_000;

#[derive(Debug, Clone, clap::Args)]
pub struct MachineOptions {
    /// Windows version and user: nt4, 2000, xp, 2003, vista, 7, 10-1507, 10-1607,
    /// 10-1703, 10-1709, 10-1903, 10, 11 (or a build number), optionally with
    /// +dev (developer mode), -user (not elevated), +longpaths [default: 11; with
    /// --image, the profile saved in the image]
    #[arg(long, value_name = "NAME")]
    pub profile: Option<Profile>,

    /// A volume, LETTER:KIND with KIND ntfs, fat32, exfat, refs or refsX.Y;
    /// repeatable [default: C:ntfs D:ntfs]
    #[arg(long = "volume", value_name = "LETTER:KIND")]
    pub volumes: Vec<VolumeSpec>,

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

/// `E:fat32`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct VolumeSpec {
    pub letter: char,
    pub kind: FsKind,
}

impl FromStr for VolumeSpec {
    type Err = String;

    fn from_str(s: &str) -> Result<VolumeSpec, String> {
        let (letter, kind) = s
            .split_once(':')
            .ok_or_else(|| format!("'{s}': expected LETTER:KIND, e.g. E:fat32"))?;
        let mut chars = letter.chars();
        let (Some(l), None) = (chars.next(), chars.next()) else {
            return Err(format!("'{s}': the drive is one letter A-Z"));
        };
        if !l.is_ascii_alphabetic() {
            return Err(format!("'{s}': the drive is one letter A-Z"));
        }
        let kind = if kind.is_empty() {
            FsKind::Ntfs
        } else {
            kind.parse()?
        };
        Ok(VolumeSpec {
            letter: l.to_ascii_uppercase(),
            kind,
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

    /// The machine these options describe.
    pub fn build(&self) -> Result<Machine, String> {
        let volumes: Vec<(char, FsKind)> = if self.volumes.is_empty() {
            vec![('C', FsKind::Ntfs), ('D', FsKind::Ntfs)]
        } else {
            self.volumes.iter().map(|v| (v.letter, v.kind)).collect()
        };
        let mut m = Machine::empty(self.profile.unwrap_or_default());
        if self.fixed_clock {
            m.set_clock(Arc::new(FixedClock(unix_to_filetime(FIXED_UNIX_TIME, 0))));
        }
        for (letter, kind) in &volumes {
            m.add_volume(*letter, *kind, None)
                .map_err(|_| format!("volume {letter}: is given twice"))?;
        }
        if let Some((first, _)) = volumes.first() {
            m.set_current_drive(*first)
                .map_err(|e| format!("volume {first}: {}", e.message()))?;
        }
        Ok(m)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn volume_spec_parses_letter_and_kind() {
        assert_eq!(
            "e:fat32".parse::<VolumeSpec>(),
            Ok(VolumeSpec {
                letter: 'E',
                kind: FsKind::Fat32
            })
        );
        assert_eq!("F:".parse::<VolumeSpec>().unwrap().kind, FsKind::Ntfs);
        for bad in ["E", "EF:ntfs", "1:ntfs", "E:ext4"] {
            assert!(bad.parse::<VolumeSpec>().is_err(), "{bad}");
        }
    }
}
