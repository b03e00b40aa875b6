//! WinFsp is only ever delay-loaded (winfsp crate, "Build-time requirements"):
//! a Windows build of `ntlinkfs` with the `winfsp` feature links winfsp-x64.dll lazily, so the binary
//! starts without WinFsp and `mount` explains what is missing. This is what
//! `winfsp::build::winfsp_link_delayload` emits, without compiling winfsp
//! for the build host.

fn main() {
    let os = std::env::var("CARGO_CFG_TARGET_OS").unwrap_or_default();
    let env = std::env::var("CARGO_CFG_TARGET_ENV").unwrap_or_default();
    let abi = std::env::var("CARGO_CFG_TARGET_ABI").unwrap_or_default();
    let arch = std::env::var("CARGO_CFG_TARGET_ARCH").unwrap_or_default();
    // Only a build with the `winfsp` feature imports the DLL at all.
    if os != "windows" || std::env::var_os("CARGO_FEATURE_WINFSP").is_none() {
        return;
    }
    let dll = match arch.as_str() {
        "x86_64" => "winfsp-x64.dll",
        "x86" => "winfsp-x86.dll",
        "aarch64" => "winfsp-a64.dll",
        _ => return,
    };
    match (env.as_str(), abi.as_str()) {
        ("msvc", _) => {
            println!("cargo:rustc-link-lib=dylib=delayimp");
            println!("cargo:rustc-link-arg=/DELAYLOAD:{dll}");
        }
        ("gnu", "llvm") => println!("cargo:rustc-link-arg=-Wl,--delayload={dll}"),
        _ => {}
    }
}
