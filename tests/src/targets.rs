//! Which targets exist here, and why the others do not.

use crate::target::Target;

/// Targets that must run under `CI=true`: a missing one fails the run.
pub const REQUIRED_IN_CI: &[&str] = &["core", "fuse"];

/// The targets named in `wanted` (all when empty) that are available, and the
/// unavailable ones with the reason, to be reported loudly.
#[allow(clippy::type_complexity)]
pub fn discover(wanted: &[String]) -> (Vec<Box<dyn Target>>, Vec<(&'static str, String)>) {
    let want = |n: &str| wanted.is_empty() || wanted.iter().any(|w| w == n);
    let mut ok: Vec<Box<dyn Target>> = Vec::new();
    let mut missing = Vec::new();
    if want("core") {
        ok.push(Box::new(crate::Core::new()));
    }
    if want("fuse") {
        #[cfg(target_os = "linux")]
        match crate::fuse_target::FuseMount::probe() {
            Ok(t) => ok.push(Box::new(t)),
            Err(why) => missing.push(("fuse", why)),
        }
        #[cfg(not(target_os = "linux"))]
        missing.push(("fuse", "the FUSE target is built on Linux only".to_string()));
    }
    if want("winfsp") {
        // ntlinkfs-winfsp's `mount::Mounted` mounts a machine per row; the Win32
        // operations shared with `ntfs` are what this target still needs.
        missing.push((
            "winfsp",
            "runs only on Windows with WinFsp installed, through the Win32 operations of the ntfs target".to_string(),
        ));
    }
    if want("ntfs") {
        missing.push((
            "ntfs",
            "runs only on Windows with NTLINKFS_REAL_NTFS set".to_string(),
        ));
    }
    (ok, missing)
}
