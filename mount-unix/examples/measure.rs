//! The measurements behind the mount's defaults (see `measure/linux.rs`).
//! Run as root: `cargo run --release -p ntlinkfs-fuse --example measure`.

// Mounting is Linux-only; elsewhere the example says so instead of failing to build.
#[cfg(target_os = "linux")]
#[path = "measure/linux.rs"]
mod linux;

fn main() {
    #[cfg(target_os = "linux")]
    linux::main();
    #[cfg(not(target_os = "linux"))]
    eprintln!("measure: ntlinkfs mounts run on Linux only");
}
