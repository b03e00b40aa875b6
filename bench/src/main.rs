//! `fsbench DIR [--label NAME] [--files N] [--mib N] [--stats N] [--tree N] [--only GROUPS]
//! [--marker FILE]`
//!
//! Runs the issue-7 phases with std::fs against any directory (an ntlinkfs
//! mount's volume directory, tmpfs, ntfs-3g) and prints one line per phase:
//! `LABEL PHASE SECONDS [RATE]`. bench/mount.sh runs it on all three and prints
//! the ratios. With `--marker`, each phase's start and end are written to FILE
//! (a tracefs `trace_marker`), so that bench/mount.sh can count the FUSE
//! requests each phase sends.

use std::fs::{self, File};
use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

/// Where phase boundaries are written (`--marker`).
static MARKER: OnceLock<Mutex<File>> = OnceLock::new();

fn mark(what: &str, name: &str) {
    if let Some(m) = MARKER.get() {
        // One write per line: trace_marker takes each write as one record.
        let _ = m
            .lock()
            .unwrap()
            .write_all(format!("fsbench {what} {name}\n").as_bytes());
    }
}

struct Args {
    dir: PathBuf,
    label: String,
    files: usize,
    mib: usize,
    stats: usize,
    tree: usize,
    /// Phase groups to run (all when empty): meta, data, deep, tree.
    only: Vec<String>,
}

fn parse_args() -> Result<Args, String> {
    let mut it = std::env::args().skip(1);
    let mut a = Args {
        dir: PathBuf::new(),
        label: "fs".into(),
        files: 10_000,
        mib: 256,
        stats: 100_000,
        tree: 100_000,
        only: Vec::new(),
    };
    let mut dir = None;
    while let Some(arg) = it.next() {
        let mut num = |name: &str| -> Result<usize, String> {
            it.next()
                .and_then(|v| v.parse().ok())
                .ok_or(format!("{name} takes a number"))
        };
        match arg.as_str() {
            "--label" => a.label = it.next().ok_or("--label takes a name")?,
            "--files" => a.files = num("--files")?,
            "--mib" => a.mib = num("--mib")?,
            "--stats" => a.stats = num("--stats")?,
            "--tree" => a.tree = num("--tree")?,
            "--only" => {
                let v = it.next().ok_or("--only takes meta,data,deep,tree")?;
                a.only = v.split(',').map(str::to_string).collect();
            }
            "--marker" => {
                let p = it.next().ok_or("--marker takes a file")?;
                let f = fs::OpenOptions::new()
                    .write(true)
                    .open(&p)
                    .map_err(|e| format!("--marker {p}: {e}"))?;
                let _ = MARKER.set(Mutex::new(f));
            }
            s if s.starts_with('-') => return Err(format!("unknown option {s}")),
            s => dir = Some(PathBuf::from(s)),
        }
    }
    a.dir = dir
        .ok_or("usage: fsbench DIR [--label NAME] [--files N] [--mib N] [--stats N] [--tree N] [--only GROUPS] [--marker FILE]")?;
    Ok(a)
}

fn phase<T>(
    label: &str,
    name: &str,
    f: impl FnOnce() -> std::io::Result<T>,
) -> std::io::Result<(T, f64)> {
    mark("start", name);
    let start = Instant::now();
    let r = f()?;
    let secs = start.elapsed().as_secs_f64();
    mark("end", name);
    println!("{label}\t{name}\t{secs:.4}");
    Ok((r, secs))
}

/// A phase run `n` times, timed as its fastest run: a cached read of 256 MiB
/// takes tens of milliseconds, where one run's noise is ±20%, and the first
/// re-read of fresh pages also moves them to the kernel's active list, which
/// no later read pays. Every file system gets the same treatment.
fn best_phase(
    label: &str,
    name: &str,
    n: usize,
    mut f: impl FnMut() -> std::io::Result<()>,
) -> std::io::Result<f64> {
    mark("start", name);
    let mut best = f64::INFINITY;
    for _ in 0..n {
        let start = Instant::now();
        f()?;
        best = best.min(start.elapsed().as_secs_f64());
    }
    mark("end", name);
    println!("{label}\t{name}\t{best:.4}");
    Ok(best)
}

fn metadata_phases(a: &Args, root: &Path) -> std::io::Result<()> {
    let dir = root.join("meta");
    fs::create_dir_all(&dir)?;
    let names: Vec<PathBuf> = (0..a.files)
        .map(|i| dir.join(format!("file{i:05}")))
        .collect();
    let links: Vec<PathBuf> = (0..a.files)
        .map(|i| dir.join(format!("link{i:05}")))
        .collect();
    phase(&a.label, "create", || {
        names.iter().try_for_each(|p| File::create(p).map(drop))
    })?;
    phase(&a.label, "link", || {
        names
            .iter()
            .zip(&links)
            .try_for_each(|(p, l)| fs::hard_link(p, l))
    })?;
    phase(&a.label, "stat", || {
        names
            .iter()
            .chain(&links)
            .try_for_each(|p| fs::symlink_metadata(p).map(drop))
    })?;
    // Names that are not there, each probed twice (as a build's include path
    // or a shell's PATH search does): not part of the metadata sum.
    let missing: Vec<PathBuf> = (0..a.files)
        .map(|i| dir.join(format!("missing{i:05}")))
        .collect();
    phase(&a.label, "stat-missing", || {
        for p in missing.iter().chain(&missing) {
            match fs::symlink_metadata(p) {
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                Err(e) => return Err(e),
                Ok(_) => return Err(std::io::Error::other(format!("{}: exists", p.display()))),
            }
        }
        Ok(())
    })?;
    phase(&a.label, "rename-half", || {
        names
            .iter()
            .step_by(2)
            .try_for_each(|p| fs::rename(p, p.with_extension("moved")))
    })?;
    phase(&a.label, "unlink", || {
        for (i, p) in names.iter().enumerate() {
            let p = if i % 2 == 0 {
                p.with_extension("moved")
            } else {
                p.clone()
            };
            fs::remove_file(p)?;
        }
        links.iter().try_for_each(fs::remove_file)
    })?;
    fs::remove_dir(&dir)
}

fn data_phases(a: &Args, root: &Path) -> std::io::Result<()> {
    let path = root.join("big.bin");
    let block = vec![0xA5u8; 1 << 20];
    let mib = a.mib as f64;
    let (_, w) = phase(&a.label, "write", || {
        let mut f = File::create(&path)?;
        for _ in 0..a.mib {
            f.write_all(&block)?;
        }
        f.sync_all()
    })?;
    println!("{}\twrite-rate\t{:.0} MiB/s", a.label, mib / w);
    let mut buf = vec![0u8; 1 << 20];
    let mut read_all = || -> std::io::Result<()> {
        let mut f = File::open(&path)?;
        while f.read(&mut buf)? > 0 {}
        Ok(())
    };
    let (_, r) = phase(&a.label, "read", &mut read_all)?;
    println!("{}\tread-rate\t{:.0} MiB/s", a.label, mib / r);
    let r = best_phase(&a.label, "read-cached", 3, read_all)?;
    println!("{}\tread-cached-rate\t{:.0} MiB/s", a.label, mib / r);
    fs::remove_file(&path)
}

fn deep_stat(a: &Args, root: &Path) -> std::io::Result<()> {
    let mut deep = root.join("deep");
    for i in 0..16 {
        deep.push(format!("level{i}"));
    }
    fs::create_dir_all(&deep)?;
    let file = deep.join("leaf.txt");
    File::create(&file)?;
    phase(&a.label, "deep-stat", || {
        (0..a.stats).try_for_each(|_| fs::metadata(&file).map(drop))
    })?;
    fs::remove_dir_all(root.join("deep"))
}

/// A tree of `n` entries (100 per directory) with a junction (or, where the fs
/// has no NTFS xattrs, a symlink) in every directory, then a `find`-style walk
/// that does not follow links.
fn tree_walk(a: &Args, root: &Path) -> std::io::Result<()> {
    let top = root.join("tree");
    fs::create_dir_all(&top)?;
    let per_dir = 100;
    let dirs = a.tree.div_ceil(per_dir + 1);
    let junction = ntlinkfs_core::ReparseData::mount_point(r"\??\C:\tree", r"C:\tree").encode();
    let (_, _) = phase(&a.label, "tree-build", || {
        for d in 0..dirs {
            let dir = top.join(format!("d{d:04}"));
            fs::create_dir(&dir)?;
            for f in 0..per_dir - 1 {
                File::create(dir.join(format!("f{f:03}")))?;
            }
            let j = dir.join("junction");
            fs::create_dir(&j)?;
            if xattr::set(&j, "system.ntfs_reparse_data", &junction).is_err() {
                fs::remove_dir(&j)?;
                std::os::unix::fs::symlink("..", &j)?;
            }
        }
        Ok(())
    })?;
    let walk = || -> std::io::Result<usize> {
        let mut count = 0usize;
        let mut stack = vec![top.clone()];
        while let Some(d) = stack.pop() {
            for e in fs::read_dir(&d)? {
                let e = e?;
                count += 1;
                if e.file_type()?.is_dir() {
                    stack.push(e.path());
                }
            }
        }
        Ok(count)
    };
    let (count, _) = phase(&a.label, "find", walk)?;
    println!("{}\tfind-entries\t{count}", a.label);
    // The same walk again, with what the first one left in the caches.
    phase(&a.label, "find-again", walk)?;
    phase(&a.label, "tree-remove", || {
        for d in 0..dirs {
            let dir = top.join(format!("d{d:04}"));
            let j = dir.join("junction");
            if fs::symlink_metadata(&j)?.is_dir() {
                fs::remove_dir(&j)?;
            } else {
                fs::remove_file(&j)?;
            }
            fs::remove_dir_all(&dir)?;
        }
        fs::remove_dir(&top)
    })?;
    Ok(())
}

fn main() {
    let a = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("fsbench: {e}");
            std::process::exit(2);
        }
    };
    let root = a.dir.join(format!("fsbench-{}", std::process::id()));
    let run = || -> std::io::Result<()> {
        fs::create_dir(&root)?;
        let wanted = |g: &str| a.only.is_empty() || a.only.iter().any(|o| o == g);
        if wanted("meta") {
            metadata_phases(&a, &root)?;
        }
        if wanted("data") {
            data_phases(&a, &root)?;
        }
        if wanted("deep") {
            deep_stat(&a, &root)?;
        }
        if wanted("tree") {
            tree_walk(&a, &root)?;
        }
        fs::remove_dir(&root)
    };
    if let Err(e) = run() {
        eprintln!("fsbench: {}: {e}", a.dir.display());
        std::process::exit(1);
    }
}
