//! Core benchmarks (issue 7), in process, printing figures:
//!
//!     cargo bench -p ntlinkfs-core --bench core
//!
//! 1. cycle: create file + hard link + stat both names + delete both, 10,000 times;
//! 2. resolution through chains of 1, 8 and 32 junctions/symlinks;
//! 3. lookup and listing in a directory of 100,000 entries;
//! 4. memory per file at 1,000,000 files (counting allocator).
//!
//! Each timed figure is the best of 5 rounds (the machine is shared); an argument
//! (`cycle`, `chains`, `big`, `memory`) runs one group.

use ntlinkfs_core::{Follow, Machine, NameKey, SymlinkFlags};
use std::alloc::{GlobalAlloc, Layout, System};
use std::hint::black_box;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

/// Counts live heap bytes so memory per file is measured, not estimated.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);

// SAFETY: forwards to the system allocator and only counts sizes.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, l: Layout) -> *mut u8 {
        LIVE.fetch_add(l.size(), Ordering::Relaxed);
        // SAFETY: same layout contract as the caller's.
        unsafe { System.alloc(l) }
    }
    unsafe fn dealloc(&self, p: *mut u8, l: Layout) {
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        // SAFETY: p was allocated by System.alloc with layout l.
        unsafe { System.dealloc(p, l) }
    }
    unsafe fn realloc(&self, p: *mut u8, l: Layout, new: usize) -> *mut u8 {
        LIVE.fetch_add(new, Ordering::Relaxed);
        LIVE.fetch_sub(l.size(), Ordering::Relaxed);
        // SAFETY: p was allocated by System with layout l.
        unsafe { System.realloc(p, l, new) }
    }
}

#[global_allocator]
static GLOBAL: Counting = Counting;

fn per_op(start: Instant, n: usize) -> f64 {
    start.elapsed().as_secs_f64() * 1e6 / n as f64
}

/// Rounds per timed figure: the best one is printed, so that other work on the
/// machine (a shared 2-core box) inflates the figure as little as possible.
const ROUNDS: usize = 5;

/// The smallest of `ROUNDS` runs of `f` (each returns µs per operation).
fn best(mut f: impl FnMut() -> f64) -> f64 {
    (0..ROUNDS).map(|_| f()).fold(f64::INFINITY, f64::min)
}

fn cycle() {
    let mut m = Machine::default();
    m.create_directory(r"C:\d").unwrap();
    let n = 10_000;
    let us = best(|| {
        let start = Instant::now();
        for i in 0..n {
            let a = format!(r"C:\d\f{i}");
            let b = format!(r"C:\d\l{i}");
            m.create_file(&a).unwrap();
            m.create_hard_link(&b, &a).unwrap();
            black_box(m.query_information(&a, Follow::Reparse).unwrap());
            black_box(m.query_information(&b, Follow::Reparse).unwrap());
            m.delete_file(&a).unwrap();
            m.delete_file(&b).unwrap();
        }
        per_op(start, n)
    });
    println!(
        "cycle (create + link + 2 stat + 2 delete), path API: {us:.2} µs per cycle (target < 2 µs)"
    );

    let root = m.root(0);
    let d = m.lookup(root, "d").unwrap().id;
    let us = best(|| {
        let start = Instant::now();
        for i in 0..n {
            let a = format!("f{i}");
            let b = format!("l{i}");
            let f = m.create_file_at(d, &a, 0).unwrap();
            m.create_hard_link_at(f.id, d, &b).unwrap();
            black_box(m.lookup(d, &a).unwrap());
            black_box(m.lookup(d, &b).unwrap());
            m.delete_at(d, &a, ntlinkfs_core::Want::File).unwrap();
            m.delete_at(d, &b, ntlinkfs_core::Want::File).unwrap();
        }
        per_op(start, n)
    });
    println!("cycle (create + link + 2 stat + 2 delete), by-id API: {us:.2} µs per cycle (target < 2 µs)");
}

fn chains() {
    for depth in [1usize, 8, 32] {
        for kind in ["junction", "symlink"] {
            let mut m = Machine::default();
            m.create_directory(r"C:\t").unwrap();
            m.write_file(r"C:\t\file", b"x").unwrap();
            // l0 -> t, l1 -> l0, ... each link one more reparse point on the way.
            let mut prev = r"C:\t".to_string();
            for i in 0..depth {
                let link = format!(r"C:\l{i}");
                match kind {
                    "junction" => m.create_junction(&link, &prev).unwrap(),
                    _ => m
                        .create_symbolic_link(
                            &link,
                            &prev,
                            SymlinkFlags {
                                directory: true,
                                ..Default::default()
                            },
                        )
                        .unwrap(),
                };
                prev = link;
            }
            let path = format!(r"{prev}\file");
            let n = 20_000;
            let us = best(|| {
                let start = Instant::now();
                for _ in 0..n {
                    black_box(m.query_information(&path, Follow::Reparse).unwrap());
                }
                per_op(start, n)
            });
            println!(
                "resolve through {depth:>2} {kind}s: {us:.2} µs ({:.3} µs per reparse point)",
                us / depth as f64
            );
        }
    }
}

fn big_directory() {
    let mut m = Machine::default();
    m.create_directory(r"C:\big").unwrap();
    let root = m.root(0);
    let big = m.lookup(root, "big").unwrap().id;
    let n = 100_000;
    let start = Instant::now();
    for i in 0..n {
        m.create_file_at(big, &format!("file{i:06}"), 0).unwrap();
    }
    println!(
        "create {n} entries in one directory: {:.2} µs each",
        per_op(start, n)
    );
    let lookups = 200_000;
    let us = best(|| {
        let start = Instant::now();
        for i in 0..lookups {
            black_box(
                m.lookup(big, &format!("FILE{:06}", (i * 7919) % n))
                    .unwrap(),
            );
        }
        per_op(start, lookups)
    });
    println!("case-insensitive lookup in {n} entries: {us:.2} µs each");
    // Listing in pages with a cursor, as readdir does: must stay linear overall.
    let us = best(|| {
        let start = Instant::now();
        let mut after: Option<NameKey> = None;
        let mut seen = 0;
        loop {
            let page = m.read_dir(big, after.as_ref(), 128).unwrap();
            if page.is_empty() {
                break;
            }
            seen += page.len();
            after = Some(page.last().unwrap().name.key());
        }
        assert_eq!(seen, n);
        per_op(start, n)
    });
    println!(
        "list {n} entries in pages of 128: {:.1} ms total ({us:.3} µs per entry)",
        us * n as f64 / 1e3
    );
}

fn memory() {
    let n = 1_000_000;
    let before = LIVE.load(Ordering::Relaxed);
    let mut m = Machine::default();
    let root = m.root(0);
    let mut dirs = Vec::new();
    for d in 0..100 {
        dirs.push(m.create_directory_at(root, &format!("d{d:03}")).unwrap().id);
    }
    let mut name_bytes = 0usize;
    for i in 0..n {
        let name = format!("f{i:07}");
        name_bytes += name.len() * 2; // UTF-16 units stored
        m.create_file_at(dirs[i % dirs.len()], &name, 0).unwrap();
    }
    let used = LIVE.load(Ordering::Relaxed) - before;
    let per_file = used as f64 / n as f64;
    let name_per_file = name_bytes as f64 / n as f64;
    println!(
        "memory at {n} files: {:.0} MiB, {per_file:.0} bytes per file ({:.0} excluding one UTF-16 copy of the name; target ≤ 200 + name)",
        used as f64 / (1 << 20) as f64,
        per_file - name_per_file
    );
    black_box(m);
}

fn main() {
    let only = std::env::args().nth(1).filter(|a| !a.starts_with('-'));
    let run = |name: &str| only.as_deref().is_none_or(|o| o == name);
    if run("cycle") {
        cycle();
    }
    if run("chains") {
        chains();
    }
    if run("big") {
        big_directory();
    }
    if run("memory") {
        memory();
    }
}
