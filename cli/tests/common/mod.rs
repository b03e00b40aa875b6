//! What the cli's mount tests share: whether they can run here.

use std::path::Path;
use std::process::Command;

fn ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true")
}

/// True when FUSE and every program in `tools` can be used; panics under
/// CI=true when one cannot.
pub fn usable(tools: &[&str]) -> bool {
    // SAFETY: geteuid cannot fail.
    let fuse = Path::new("/dev/fuse").exists() && unsafe { libc::geteuid() } == 0;
    let missing: Vec<&str> = tools
        .iter()
        .copied()
        .filter(|t| Command::new(t).arg("--version").output().is_err())
        .collect();
    let why = match (fuse, missing.is_empty()) {
        (true, true) => return true,
        (false, _) => "/dev/fuse and root are required".to_string(),
        (true, false) => format!("not installed: {}", missing.join(", ")),
    };
    assert!(!ci(), "CI=true but this test cannot run: {why}");
    eprintln!("skipping: {why}");
    false
}
