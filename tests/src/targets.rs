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
        #[cfg(all(target_os = "linux", feature = "fuse"))]
        match crate::fuse_target::FuseMount::probe() {
            Ok(t) => ok.push(Box::new(t)),
            Err(why) => missing.push(("fuse", why)),
        }
        #[cfg(not(all(target_os = "linux", feature = "fuse")))]
        missing.push((
            "fuse",
            "built without the FUSE target (Linux, feature `fuse`)".to_string(),
        ));
    }
    if want("winfsp") {
        #[cfg(windows)]
        match crate::winfsp_target::WinFspMount::probe() {
            Ok(t) => ok.push(Box::new(t)),
            Err(why) => missing.push(("winfsp", why)),
        }
        #[cfg(not(windows))]
        missing.push((
            "winfsp",
            "runs only on Windows with WinFsp installed".to_string(),
        ));
    }
    if want("ntfs") {
        #[cfg(windows)]
        match crate::ntfs_target::RealNtfs::from_env() {
            Ok(t) => ok.push(Box::new(t)),
            Err(why) => missing.push(("ntfs", why)),
        }
        #[cfg(not(windows))]
        missing.push((
            "ntfs",
            "runs on Windows only, opt-in with NTLINKFS_REAL_NTFS=<scratch dir on NTFS>"
                .to_string(),
        ));
    }
    (ok, missing)
}
