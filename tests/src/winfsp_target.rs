//! The `WinFspMount` target (Windows only): each row gets a fresh machine
//! mounted through `ntlinkfs-winfsp`, one WinFsp file system per volume under
//! a scratch directory (`<scratch>\m<N>\C`, `\D`), and runs through the same
//! Win32 operations as the `ntfs` target, on those directories.
//!
//! WinFsp has no hard links of its own: CreateHardLinkW and
//! FindFirstFileNameW fail on any WinFsp volume, and every file reports one
//! link. So hard links and file names go through the adapter's private
//! requests (`ntlinkfs_winfsp::client`, what `ntlinkfs mklink /H` and
//! `ntlinkfs fsutil hardlink list` do), and the link count is a field this
//! target cannot observe. Everything else is Windows' own view of the mount.
//!
//! Scratch directory: `NTLINKFS_WINFSP_SCRATCH`, else the temp directory.

use crate::core_target::machine_for;
use crate::ntfs_target::RealNtfs;
use crate::scenario::{Env, Op};
use crate::target::{Failure, Observed, Target};
use ntlinkfs_core::Shared;
use ntlinkfs_winfsp::mount::Mounted;
use ntlinkfs_winfsp::{client, plan, SecurityDescriptor};
use std::fs;
use std::io;
use std::path::{Path, PathBuf};

/// Runs rows through WinFsp mounts of the core.
pub struct WinFspMount {
    base: PathBuf,
    row: usize,
    mounted: Option<Mounted>,
    ops: RealNtfs,
}

fn win32(e: io::Error) -> Failure {
    match e.raw_os_error() {
        Some(c) => Failure::Win32(c as u32),
        None => Failure::Harness(e.to_string()),
    }
}

impl WinFspMount {
    /// Checks that WinFsp is there and mounts work by mounting once.
    pub fn probe() -> Result<WinFspMount, String> {
        let base = std::env::var_os("NTLINKFS_WINFSP_SCRATCH")
            .map_or_else(std::env::temp_dir, PathBuf::from)
            .join(format!("ntlinkfs-winfsp-{}", std::process::id()));
        fs::create_dir_all(&base).map_err(|e| format!("{}: {e}", base.display()))?;
        let mut t = WinFspMount {
            base,
            row: 0,
            mounted: None,
            ops: RealNtfs::on_roots(String::new(), None),
        };
        t.begin(&Env::default())
            .map_err(|e| format!("mounting failed: {e}"))?;
        t.end();
        Ok(t)
    }

    fn row_dir(&self) -> PathBuf {
        self.base.join(format!("m{}", self.row))
    }
}

impl Target for WinFspMount {
    fn name(&self) -> &'static str {
        "winfsp"
    }

    fn begin(&mut self, env: &Env) -> Result<(), String> {
        // The I/O manager that follows links is this host's, as for `ntfs`.
        if env.profile != "11" && env.profile != "10" {
            return Err(format!(
                "profile {}: links are followed by this host's I/O manager",
                env.profile
            ));
        }
        let m = machine_for(env)?;
        self.row += 1;
        let dir = self.row_dir();
        fs::create_dir_all(&dir).map_err(|e| format!("{}: {e}", dir.display()))?;
        let dir_text = dir.to_string_lossy().into_owned();
        let volumes: Vec<_> = m.volume_infos().iter().map(|v| (v.id, v.letter)).collect();
        let table = plan::plan(&volumes, Some(&dir_text), &[])?;
        let root = |l: char| {
            volumes
                .iter()
                .any(|(_, v)| *v == l)
                .then(|| format!("{dir_text}\\{l}"))
        };
        let (root_c, root_d) = (root('C').unwrap_or_default(), root('D'));
        let mounted = Mounted::new(
            Shared::new(m),
            table,
            SecurityDescriptor::default_descriptor(),
        )
        .map_err(|e| e.to_string())?;
        self.mounted = Some(mounted);
        self.ops = RealNtfs::on_roots(root_c, root_d);
        Ok(())
    }

    fn apply(&mut self, op: &Op) -> Result<Observed, Failure> {
        match op {
            Op::HardLink { link, existing } => {
                let (l, e) = (self.ops.host(link)?, self.ops.host(existing)?);
                client::create_hard_link(Path::new(&l), Path::new(&e))
                    .map(|()| Observed::Unit)
                    .map_err(win32)
            }
            Op::Names(p) => client::query_names(Path::new(&self.ops.host(p)?))
                .map(Observed::Entries)
                .map_err(win32),
            // WinFsp reports one link for every file: not observable here.
            Op::Stat(_) | Op::Lstat(_) => match self.ops.apply(op)? {
                Observed::Info(mut info) => {
                    info.links = None;
                    Ok(Observed::Info(info))
                }
                other => Ok(other),
            },
            _ => self.ops.apply(op),
        }
    }

    fn end(&mut self) {
        let _ = self.ops.apply(&Op::CloseAll);
        // Dropping the mount unmounts every volume; the machine goes with it.
        self.mounted = None;
        let _ = fs::remove_dir_all(self.row_dir());
    }
}
