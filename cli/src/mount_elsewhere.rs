//! `ntlinkfs mount` and `ntlinkfs check` (which mounts every tree it makes)
//! in a build that cannot mount: Unixes other than Linux, FreeBSD and macOS
//! (our FUSE transport knows those three), and Windows builds without the
//! `winfsp` feature. The commands stay, so a user who types one learns what
//! works here and what to use instead.
// Test builds everywhere compile this module for its tests alone.
#![cfg_attr(test, allow(dead_code))]

use std::process::ExitCode;

/// Mount the emulated volumes (this build cannot: it says what to use instead)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Whatever was given (MOUNTPOINT and options of the builds that mount)
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    pub rest: Vec<std::ffi::OsString>,
}

/// Run a command on random NTFS link trees (this build cannot: it says what
/// to use instead)
#[derive(Debug, clap::Args)]
pub struct CheckArgs {
    /// Whatever was given (the options and command of the builds that check)
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    pub rest: Vec<std::ffi::OsString>,
}

/// What `ntlinkfs mount` says on `os` (std::env::consts::OS).
pub fn message(os: &str) -> String {
    let no_mount = "Here, use the commands that need no mount: `ntlinkfs shell`, \
                    `ntlinkfs run`, `ntlinkfs demo`, `ntlinkfs copy`, `ntlinkfs audit`, \
                    `ntlinkfs image`.";
    if os == "windows" {
        return format!(
            "ntlinkfs mount: this ntlinkfs was built without WinFsp support. To mount, \
             install WinFsp (winget install WinFsp.WinFsp) and LLVM (winget install \
             LLVM.LLVM), then rebuild with the `winfsp` feature: cargo install --path cli \
             --features winfsp (that binary is GPL-3.0, like the WinFsp adapter). {no_mount}"
        );
    }
    format!(
        "ntlinkfs mount: mounting is not supported on {os} yet; it works on Linux (FUSE, \
         no libfuse needed), FreeBSD (fusefs), macOS (macFUSE) and Windows (WinFsp). \
         {no_mount} To mount, run ntlinkfs on Linux: in a VM, or in a container with \
         /dev/fuse (docker run --device /dev/fuse --cap-add SYS_ADMIN ...)."
    )
}

pub fn main(_args: Args) -> ExitCode {
    eprintln!("{}", message(std::env::consts::OS));
    ExitCode::FAILURE
}

/// What `ntlinkfs check` says on `os`: it needs what `mount` needs.
pub fn check_message(os: &str) -> String {
    let why = "ntlinkfs check: each generated tree is run on a fresh mount, and";
    let mount = message(os);
    let rest = mount.strip_prefix("ntlinkfs mount:").unwrap_or(&mount);
    format!("{why}{rest}")
}

pub fn check(_args: CheckArgs) -> ExitCode {
    eprintln!("{}", check_message(std::env::consts::OS));
    // As `check` says a setup problem: exit status 2.
    ExitCode::from(2)
}

#[cfg(test)]
mod tests {
    #[test]
    fn says_what_mounts_where_and_what_to_use_here() {
        let cases: [(&str, &[&str]); 3] = [
            (
                "openbsd",
                &[
                    "not supported on openbsd",
                    "Linux",
                    "macFUSE",
                    "WinFsp",
                    "ntlinkfs shell",
                ],
            ),
            (
                "netbsd",
                &["not supported on netbsd", "/dev/fuse", "ntlinkfs demo"],
            ),
            (
                "windows",
                &[
                    "without WinFsp",
                    "--features winfsp",
                    "GPL-3.0",
                    "ntlinkfs shell",
                ],
            ),
        ];
        for (os, parts) in cases {
            let m = super::message(os);
            for part in parts {
                assert!(m.contains(part), "{os}: {part}: {m}");
            }
            let c = super::check_message(os);
            assert!(
                c.starts_with("ntlinkfs check: each generated tree is run on a fresh mount, and "),
                "{c}"
            );
            for part in parts {
                assert!(c.contains(part), "check, {os}: {part}: {c}");
            }
        }
    }
}
