//! The `ntlinkfs` command: one module per subcommand. Adding a subcommand is
//! one variant of [`Command`], one arm in `main`, and one module with an
//! `Args` struct and a `main(Args) -> ExitCode` function. Options that build
//! the emulated machine are shared through [`options::MachineOptions`].

mod audit;
#[cfg(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "macos",
    all(windows, feature = "winfsp")
))]
mod check;
#[cfg(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "macos",
    all(windows, feature = "winfsp")
))]
mod check_case;
#[cfg(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "macos",
    all(windows, feature = "winfsp")
))]
mod check_props;
#[cfg(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "macos",
    all(windows, feature = "winfsp")
))]
mod check_report;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
mod check_unix;
#[cfg(all(windows, feature = "winfsp"))]
mod check_windows;
mod copy;
mod demo;
mod image;
mod image_file;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
mod journal_file;
mod memory;
#[cfg(any(
    target_os = "linux",
    target_os = "freebsd",
    target_os = "macos",
    all(windows, feature = "winfsp")
))]
mod mklink;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
mod mount;
// Also in Linux test builds, so its messages are tested where CI runs.
#[cfg(any(
    test,
    not(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "macos",
        all(windows, feature = "winfsp")
    ))
))]
mod mount_elsewhere;
#[cfg(all(windows, feature = "winfsp"))]
mod mount_windows;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
mod mounted;
#[cfg(all(windows, feature = "winfsp"))]
mod mounted_windows;
#[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
mod mounted_xattr;
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
    #[cfg(all(windows, feature = "winfsp"))]
    Mount(mount_windows::Args),
    #[cfg(all(windows, feature = "winfsp"))]
    Mklink(mounted_windows::MklinkArgs),
    #[cfg(all(windows, feature = "winfsp"))]
    Fsutil(mounted_windows::FsutilArgs),
    #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
    Mount(mount::Args),
    #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
    Unmount(mount::UnmountArgs),
    #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
    Mklink(mounted::MklinkArgs),
    #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
    Fsutil(mounted::FsutilArgs),
    #[cfg(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "macos",
        all(windows, feature = "winfsp")
    ))]
    Check(check::Args),
    #[cfg(not(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "macos",
        all(windows, feature = "winfsp")
    )))]
    Check(mount_elsewhere::CheckArgs),
    #[cfg(not(any(
        target_os = "linux",
        target_os = "freebsd",
        target_os = "macos",
        all(windows, feature = "winfsp")
    )))]
    Mount(mount_elsewhere::Args),
}

fn main() -> ExitCode {
    match Cli::parse().command {
        Command::Shell(args) => shell::main(args),
        Command::Run(args) => run::main(args),
        Command::Demo(args) => demo::main(args),
        Command::Copy(args) => copy::main(args),
        Command::Audit(args) => audit::main(args),
        Command::Image(args) => image::main(args),
        #[cfg(all(windows, feature = "winfsp"))]
        Command::Mount(args) => mount_windows::main(args),
        #[cfg(all(windows, feature = "winfsp"))]
        Command::Mklink(args) => mounted_windows::mklink(args),
        #[cfg(all(windows, feature = "winfsp"))]
        Command::Fsutil(args) => mounted_windows::fsutil(args),
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
        Command::Mount(args) => mount::main(args),
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
        Command::Unmount(args) => mount::unmount(args),
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
        Command::Mklink(args) => mounted::mklink(args),
        #[cfg(any(target_os = "linux", target_os = "freebsd", target_os = "macos"))]
        Command::Fsutil(args) => mounted::fsutil(args),
        #[cfg(any(
            target_os = "linux",
            target_os = "freebsd",
            target_os = "macos",
            all(windows, feature = "winfsp")
        ))]
        Command::Check(args) => check::main(args),
        #[cfg(not(any(
            target_os = "linux",
            target_os = "freebsd",
            target_os = "macos",
            all(windows, feature = "winfsp")
        )))]
        Command::Check(args) => mount_elsewhere::check(args),
        #[cfg(not(any(
            target_os = "linux",
            target_os = "freebsd",
            target_os = "macos",
            all(windows, feature = "winfsp")
        )))]
        Command::Mount(args) => mount_elsewhere::main(args),
    }
}
