//! `ntlinkfs mount` in a build that cannot mount: Unixes other than Linux,
//! FreeBSD and macOS (our FUSE transport knows those three), and Windows
//! builds without the `winfsp` feature. The command stays, so a user who types it
//! learns what works here and what to use instead.

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
        }
    }
}
