//! `ntlinkfs image info FILE`: what a saved image holds, or why it cannot be
//! loaded (truncated, corrupted, written by a newer ntlinkfs).

use ntlinkfs_core::image;
use std::path::PathBuf;
use std::process::ExitCode;

/// Work with saved images (`--image FILE` of shell, run and mount)
#[derive(Debug, clap::Args)]
pub struct Args {
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, clap::Subcommand)]
pub enum Command {
    /// Describe an image: format version, checksum, profile, and per volume
    /// its kind, label, serial, directories, files, hard links, junctions,
    /// symbolic links and bytes. Exit status 1 when it is not a valid image.
    Info {
        /// The image file
        file: PathBuf,
    },
}

pub fn main(args: Args) -> ExitCode {
    match args.command {
        Command::Info { file } => info(&file),
    }
}

fn info(file: &PathBuf) -> ExitCode {
    let bytes = match std::fs::read(file) {
        Ok(b) => b,
        Err(e) => {
            eprintln!("error: cannot read {}: {e}", file.display());
            return ExitCode::from(2);
        }
    };
    match image::info(&bytes) {
        Ok(i) => {
            crate::copy::print_out(&format!("{}: {i}", file.display()));
            // What this describes is the image alone: say so when a crash left
            // changes beside it that the next load replays.
            let journal = crate::image_file::journal_path(file);
            if let Ok(meta) = std::fs::metadata(&journal) {
                crate::copy::print_out(&format!(
                    "journal {}: {} bytes of changes not in the image yet (the next load \
                     replays them)\n",
                    journal.display(),
                    meta.len()
                ));
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            eprintln!("error: {}: {e}", file.display());
            ExitCode::FAILURE
        }
    }
}
