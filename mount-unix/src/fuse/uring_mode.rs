//! The transport choice (`--io-uring`) and what the io_uring queues count:
//! plain data, the same on every system (FUSE over io_uring itself, in
//! `uring`, is Linux's).

use std::sync::atomic::AtomicU64;

/// How the mount chooses its transport (`--io-uring`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    /// io_uring when the kernel offers it, /dev/fuse otherwise.
    Auto,
    /// io_uring or a clear error.
    On,
    /// /dev/fuse read/write only.
    Off,
}

impl Mode {
    /// The switch the test harnesses and CI read: `NTLINKFS_IO_URING` =
    /// auto|on|off (unset: auto).
    pub const ENV: &'static str = "NTLINKFS_IO_URING";

    pub fn parse(s: &str) -> Result<Mode, String> {
        match s {
            "auto" => Ok(Mode::Auto),
            "on" => Ok(Mode::On),
            "off" => Ok(Mode::Off),
            other => Err(format!("expected auto, on or off, not {other:?}")),
        }
    }

    /// The mode `NTLINKFS_IO_URING` asks for; auto when unset.
    pub fn from_env() -> Result<Mode, String> {
        match std::env::var(Mode::ENV) {
            Ok(v) => Mode::parse(&v).map_err(|e| format!("{}: {e}", Mode::ENV)),
            Err(_) => Ok(Mode::Auto),
        }
    }
}

/// How to get FUSE over io_uring, for the error `--io-uring on` gives.
pub const HOW_TO_ENABLE: &str = "enable it as root with `echo Y > \
     /sys/module/fuse/parameters/enable_uring` (it needs Linux 6.14 or newer \
     built with CONFIG_FUSE_IO_URING)";

/// What one queue has served: requests, and how many of them its worker
/// answered on another CPU than the queue's own (its CPU was not ours to
/// pin to). For tests and reports.
#[derive(Debug, Default)]
pub struct QueueStats {
    pub served: AtomicU64,
    pub elsewhere: AtomicU64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn modes_parse_and_refuse_anything_else() {
        assert_eq!(Mode::parse("auto"), Ok(Mode::Auto));
        assert_eq!(Mode::parse("on"), Ok(Mode::On));
        assert_eq!(Mode::parse("off"), Ok(Mode::Off));
        assert_eq!(
            Mode::parse("yes").unwrap_err(),
            "expected auto, on or off, not \"yes\""
        );
    }
}
