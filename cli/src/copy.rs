//! `ntlinkfs copy SRC DST [policies]`: a link-aware copy with a policy per
//! link kind. Windows paths (`C:\Users\Alice`) copy inside the emulated
//! machine (`--image FILE`, saved back afterwards, or `--demo`); host paths
//! (`/mnt/ntl/C/Users/Alice`, a mounted volume or any directory) copy on the
//! host with std::fs, reading the ntfs-3g extended attributes where the
//! source has them (see `ntlinkfs_linktools::host_copy`).

use crate::options::MachineOptions;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use ntlinkfs_linktools::copy::{
    copy_tree, CopyOptions, DirLinkPolicy, FileLinkPolicy, HardLinkPolicy, Progress,
};
use ntlinkfs_linktools::tree::LinkTree;
use std::process::ExitCode;
use std::time::Duration;

/// Copy a directory tree, choosing what happens to each kind of link
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The directory to copy: a Windows path on the emulated machine
    /// (C:\Users\Alice) or a host path (a mounted volume, /mnt/ntl/C/Users)
    #[arg(value_name = "SRC")]
    pub src: String,

    /// Where the copy goes (created if missing; an existing directory
    /// receives the entries); the same kind of path as SRC
    #[arg(value_name = "DST")]
    pub dst: String,

    /// Junctions: skip, copy-link (unchanged), follow (copy the contents;
    /// loops are detected), remap (rebuild links into the copy, keep those
    /// pointing outside), remap-skip (…and skip those)
    #[arg(long, value_name = "POLICY", default_value = "copy-link")]
    pub junctions: DirLinkPolicy,

    /// Directory symbolic links: same policies as --junctions
    #[arg(long, value_name = "POLICY", default_value = "copy-link")]
    pub dir_symlinks: DirLinkPolicy,

    /// File symbolic links: skip, copy-link, follow (copy the target's data)
    #[arg(long, value_name = "POLICY", default_value = "copy-link")]
    pub file_symlinks: FileLinkPolicy,

    /// Hard links: preserve (names of one file stay one file) or break
    #[arg(long, value_name = "POLICY", default_value = "preserve")]
    pub hard_links: HardLinkPolicy,

    /// No progress display (it only shows on a terminal anyway)
    #[arg(long)]
    pub quiet: bool,

    #[command(flatten)]
    pub machine: MachineOptions,
}

/// Writes to standard output; a closed pipe (`| head`) is not an error.
pub fn print_out(text: &str) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    let _ = out.write_all(text.as_bytes());
    let _ = out.flush();
}

/// `C:\x`, `c:`, `\\server\share`: a path of the emulated machine.
pub fn is_windows_path(p: &str) -> bool {
    ntlinkfs_core::path::is_win32_syntax(p)
}

/// A spinner with counts on stderr, drawn only when stderr is a terminal.
pub fn progress_bar(quiet: bool) -> ProgressBar {
    if quiet {
        return ProgressBar::hidden();
    }
    let pb = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
    pb.set_style(
        ProgressStyle::with_template("{spinner} {elapsed} {msg}")
            .unwrap_or_else(|_| ProgressStyle::default_spinner()),
    );
    pb.enable_steady_tick(Duration::from_millis(120));
    pb
}

/// The progress line: counts, then the entry being copied.
fn progress_message<T: LinkTree>(p: &Progress<T>) -> String {
    let path = T::show(p.path);
    let (files, dirs, links, bytes) = (p.files, p.directories, p.links, p.bytes);
    format!("{files} files, {dirs} directories, {links} links, {bytes} bytes  {path}")
}

/// Shows every 64th step of a copy on `pb`.
fn show_progress<T: LinkTree>(pb: &ProgressBar) -> impl FnMut(&Progress<T>) + '_ {
    let mut n = 0u64;
    move |p| {
        n += 1;
        if n % 64 == 1 {
            pb.set_message(progress_message(p));
        }
    }
}

pub fn main(args: Args) -> ExitCode {
    let opts = CopyOptions {
        junctions: args.junctions,
        dir_symlinks: args.dir_symlinks,
        file_symlinks: args.file_symlinks,
        hard_links: args.hard_links,
    };
    match (is_windows_path(&args.src), is_windows_path(&args.dst)) {
        (true, true) => machine_copy(&args, &opts),
        (false, false) => host_copy(&args.src, &args.dst, &opts, args.quiet),
        _ => {
            eprintln!(
                "error: SRC and DST must both be Windows paths (on the emulated machine) or \
                 both host paths (e.g. inside a mount)"
            );
            ExitCode::from(2)
        }
    }
}

fn machine_copy(args: &Args, opts: &CopyOptions) -> ExitCode {
    let mut session = match args.machine.open() {
        Ok(s) => s,
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    };
    let pb = progress_bar(args.quiet);
    let mut progress = show_progress(&pb);
    let result = copy_tree(
        session.machine_mut(),
        &args.src,
        &args.dst,
        opts,
        &mut progress,
    );
    pb.finish_and_clear();
    let report = match result {
        Ok(r) => r,
        Err(e) => {
            eprintln!("error: {e}");
            if session.image().is_none() && !args.machine.demo {
                eprintln!("(the machine is new and empty: give --image FILE or --demo)");
            }
            return ExitCode::FAILURE;
        }
    };
    print_out(&report.to_string());
    match session.save() {
        Ok(Some(msg)) => eprintln!("{msg}"),
        Ok(None) => {}
        Err(e) => {
            eprintln!("error: {e}");
            return ExitCode::from(2);
        }
    }
    if report.errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

/// `ntlinkfs copy` between host paths (mounted volumes or any directories).
fn host_copy(src: &str, dst: &str, opts: &CopyOptions, quiet: bool) -> ExitCode {
    use ntlinkfs_linktools::host_copy::copy;
    use std::path::Path;
    let pb = progress_bar(quiet);
    let mut progress = show_progress(&pb);
    let result = copy(
        Path::new(src),
        Path::new(dst),
        opts,
        mount_root,
        &mut progress,
    );
    pb.finish_and_clear();
    match result {
        Ok(r) => {
            print_out(&r.to_string());
            if r.errors.is_empty() {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            }
        }
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

/// The ntlinkfs mount a host path lies in, where a junction can be made.
#[cfg(unix)]
fn mount_root(p: &std::path::Path) -> Option<std::path::PathBuf> {
    ntlinkfs_fuse::ntlinkfs_mount_root(p)
}

#[cfg(not(unix))]
fn mount_root(_p: &std::path::Path) -> Option<std::path::PathBuf> {
    None
}
