//! The `ntlinkfs` command: one module per subcommand. Adding a subcommand is
//! one variant of [`Command`], one arm in `main`, and one module with an
//! `Args` struct and a `main(Args) -> ExitCode` function. Options that build
//! the emulated machine are shared through [`options::MachineOptions`].

mod audit;
mod copy;
mod demo;
mod image;
mod image_file;
#[cfg(unix)]
mod journal_file;
mod memory;
#[cfg(any(unix, windows))]
mod mklink;
#[cfg(unix)]
mod mount;
#[cfg(windows)]
mod mount_windows;
#[cfg(unix)]
mod mounted;
#[cfg(windows)]
mod mounted_windows;
mod options;
mod run;
mod shell;

use clap::{Parser, Subcommand};
use std::process::ExitCode;

/// NTFS link behaviour off Windows: hard links, junctions and symbolic links
/// on emulated volumes, with the rules and error codes of Windows NTFS.
#[derive(Debug, Parser)]
#[command(name = "ntlinkfs", version)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Debug, Subcommand)]
enum Command {
    Shell(shell::Args),
    Run(run::Args),
    Demo(demo::Args),
    Copy(copy::Args),
    Audit(audit::Args),
    Image(image::Args),
    #[cfg(windows)]
    Mount(mount_windows::Args),
    #[cfg(windows)]
    Mklink(mounted_windows::MklinkArgs),
    #[cfg(windows)]
    Fsutil(mounted_windows::FsutilArgs),
    #[cfg(unix)]
    Mount(mount::Args),
    #[cfg(unix)]
    Unmount(mount::UnmountArgs),
    #[cfg(unix)]
    Mklink(mounted::MklinkArgs),
    #[cfg(unix)]
    Fsutil(mounted::FsutilArgs),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Shell(args) => shell::main(args),
        Command::Run(args) => run::main(args),
        Command::Demo(args) => demo::main(args),
        Command::Copy(args) => copy::main(args),
        Command::Audit(args) => audit::main(args),
        Command::Image(args) => image::main(args),
        #[cfg(windows)]
        Command::Mount(args) => mount_windows::main(args),
        #[cfg(windows)]
        Command::Mklink(args) => mounted_windows::mklink(args),
        #[cfg(windows)]
        Command::Fsutil(args) => mounted_windows::fsutil(args),
        #[cfg(unix)]
        Command::Mount(args) => mount::main(args),
        #[cfg(unix)]
        Command::Unmount(args) => mount::unmount(args),
        #[cfg(unix)]
        Command::Mklink(args) => mounted::mklink(args),
        #[cfg(unix)]
        Command::Fsutil(args) => mounted::fsutil(args),
    }
}
