//! The measurements behind the mount's defaults (docs/mount-unix.md): entry TTL 0
//! against cached names with epoch invalidation, and the number of FUSE threads,
//! for a serial client and for parallel clients. Run as root:
//!
//!     cargo run --release -p ntlinkfs-fuse --example measure

use ntlinkfs_core::{Machine, Shared};
use ntlinkfs_fuse::{mount, MountOptions};
use std::fs;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const STATS: usize = 20_000;
const CYCLES: usize = 2_000;

fn deep(root: &Path) -> PathBuf {
    root.join("C/a/b/c/d/file")
}

/// Path stats of a 6-component path (the kernel walks every component).
fn stat_loop(root: &Path, n: usize) {
    let p = deep(root);
    for _ in 0..n {
        fs::metadata(&p).unwrap();
    }
}

/// create, stat through another spelling, remove: the case-insensitive pattern.
fn cycle_loop(root: &Path, tag: usize, n: usize) {
    let dir = root.join("C/a");
    for i in 0..n {
        let p = dir.join(format!("t{tag}-{i}"));
        fs::write(&p, b"x").unwrap();
        fs::metadata(dir.join(format!("T{tag}-{i}"))).unwrap();
        fs::remove_file(dir.join(format!("T{tag}-{i}"))).unwrap();
    }
}

fn timed(f: impl Fn()) -> Duration {
    let t = Instant::now();
    f();
    t.elapsed()
}

fn run(label: &str, opts: MountOptions) {
    let root = std::env::temp_dir().join(format!("ntlinkfs-measure-{}", std::process::id()));
    fs::create_dir_all(&root).unwrap();
    let m = mount(Shared::new(Machine::default()), &root, &opts).unwrap();
    fs::create_dir_all(root.join("C/a/b/c/d")).unwrap();
    fs::write(deep(&root), b"x").unwrap();
    stat_loop(&root, 1000); // warm
    let serial_stat = timed(|| stat_loop(&root, STATS));
    let serial_cycle = timed(|| cycle_loop(&root, 0, CYCLES));
    let parallel_stat = timed(|| {
        std::thread::scope(|s| {
            for _ in 0..4 {
                s.spawn(|| stat_loop(&root, STATS / 4));
            }
        })
    });
    let parallel_cycle = timed(|| {
        std::thread::scope(|s| {
            for t in 1..=4 {
                let root = &root;
                s.spawn(move || cycle_loop(root, t, CYCLES / 4));
            }
        })
    });
    let us = |d: Duration, n: usize| d.as_secs_f64() * 1e6 / n as f64;
    println!(
        "{label:<28} stat {:>6.2} us  cycle {:>6.1} us  | 4 clients: stat {:>6.2} us  cycle {:>6.1} us",
        us(serial_stat, STATS),
        us(serial_cycle, CYCLES),
        us(parallel_stat, STATS),
        us(parallel_cycle, CYCLES)
    );
    m.unmount().unwrap();
    let _ = fs::remove_dir(&root);
}

fn main() {
    println!("per operation, wall clock ({STATS} stats, {CYCLES} create/stat/unlink cycles)");
    for threads in [1, 2, 4] {
        for (ttl, name) in [
            (Duration::ZERO, "ttl 0"),
            (Duration::from_secs(1), "cached+epoch"),
        ] {
            let opts = MountOptions {
                threads,
                entry_ttl: ttl,
                ..MountOptions::default()
            };
            run(&format!("{threads} thread(s), {name}"), opts);
        }
    }
}
