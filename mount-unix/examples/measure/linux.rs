//! The measurements behind the mount's defaults (docs/performance.md, "Names and the kernel's cache"): entry TTL 0
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

/// Microseconds per operation: serial stat, serial cycle, 4-client stat, 4-client cycle.
fn run(opts: &MountOptions) -> [f64; 4] {
    let root = std::env::temp_dir().join(format!("ntlinkfs-measure-{}", std::process::id()));
    fs::create_dir_all(&root).unwrap();
    let m = mount(Shared::new(Machine::default()), &root, opts).unwrap();
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
    m.unmount().unwrap();
    let _ = fs::remove_dir(&root);
    [
        us(serial_stat, STATS),
        us(serial_cycle, CYCLES),
        us(parallel_stat, STATS),
        us(parallel_cycle, CYCLES),
    ]
}

pub fn main() {
    println!(
        "microseconds per operation, best of {ROUNDS} runs ({STATS} stats of a 6-component \
         path, {CYCLES} create / stat-other-case / unlink cycles)"
    );
    println!(
        "{:<26} {:>8} {:>8} {:>12} {:>12}",
        "", "stat", "cycle", "4x stat", "4x cycle"
    );
    let configs: Vec<(usize, Duration, &str)> = [1, 2, 4]
        .into_iter()
        .flat_map(|t| {
            [
                (t, Duration::ZERO, "ttl 0"),
                (t, Duration::from_secs(1), "cached+epoch"),
            ]
        })
        .collect();
    let mut best = vec![[f64::MAX; 4]; configs.len()];
    // Interleaved rounds, so that a noisy moment does not hit one config only.
    for _ in 0..ROUNDS {
        for (i, (threads, ttl, _)) in configs.iter().enumerate() {
            let opts = MountOptions {
                threads: *threads,
                entry_ttl: *ttl,
                ..MountOptions::default()
            };
            let r = run(&opts);
            for k in 0..4 {
                best[i][k] = best[i][k].min(r[k]);
            }
        }
    }
    for ((threads, _, name), b) in configs.iter().zip(&best) {
        println!(
            "{:<26} {:>8.2} {:>8.1} {:>12.2} {:>12.1}",
            format!("{threads} thread(s), {name}"),
            b[0],
            b[1],
            b[2],
            b[3]
        );
    }
}

const ROUNDS: usize = 3;
