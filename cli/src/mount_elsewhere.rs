//! `ntlinkfs mount` on a Unix where this build cannot mount (macOS, the BSDs):
//! our FUSE transport speaks Linux's /dev/fuse and mount(2) only. The command
//! stays, so a user who types it learns what works here and what to use instead.

use std::process::ExitCode;

/// Mount the emulated volumes (Linux and Windows only; here it says what to use)
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Whatever was given (the Linux build's MOUNTPOINT and options)
    #[arg(
        trailing_var_arg = true,
        allow_hyphen_values = true,
        value_name = "ARGS"
    )]
    pub rest: Vec<std::ffi::OsString>,
}

/// What `ntlinkfs mount` says here (one place, tested below).
pub fn message(os: &str) -> String {
    format!(
        "ntlinkfs mount: not supported on {os} yet. Mounting works on Linux (FUSE, \
         no libfuse needed) and on Windows (WinFsp). Here, use the commands that need \
         no mount: `ntlinkfs shell`, `ntlinkfs run`, `ntlinkfs demo`, `ntlinkfs copy`, \
         `ntlinkfs audit`, `ntlinkfs image`; to mount, run ntlinkfs in a Linux VM or \
         container with /dev/fuse (docker run --device /dev/fuse --cap-add SYS_ADMIN ...)."
    )
}

pub fn main(_args: Args) -> ExitCode {
    eprintln!("{}", message(std::env::consts::OS));
    ExitCode::FAILURE
}

#[cfg(test)]
mod tests {
    #[test]
    fn names_the_platforms_that_mount_and_the_alternatives() {
        let m = super::message("macos");
        for part in [
            "not supported on macos",
            "Linux",
            "WinFsp",
            "ntlinkfs shell",
        ] {
            assert!(m.contains(part), "{part}: {m}");
        }
    }
}
