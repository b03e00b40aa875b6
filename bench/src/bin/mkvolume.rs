//! `mkvolume FILES PER_DIR (--image FILE | --dir DIR)`
//!
//! Builds the tree bench/long/scale.sh walks: FILES empty files in
//! directories of PER_DIR under `tree` (`tree\dNNNNN\fNNNNN`), either as an
//! ntlinkfs image of one C: volume (for `ntlinkfs mount --image`) or as real
//! files under DIR (tmpfs, for comparison).

use ntlinkfs_core::{image, Machine};
use std::path::PathBuf;

fn usage() -> ! {
    eprintln!("usage: mkvolume FILES PER_DIR (--image FILE | --dir DIR)");
    std::process::exit(2);
}

fn main() {
    let a: Vec<String> = std::env::args().skip(1).collect();
    let (Some(files), Some(per_dir)) = (
        a.first().and_then(|s| s.parse::<usize>().ok()),
        a.get(1)
            .and_then(|s| s.parse::<usize>().ok())
            .filter(|&n| n > 0),
    ) else {
        usage()
    };
    let names = (0..files).map(|i| (i / per_dir, i % per_dir));
    match (a.get(2).map(String::as_str), a.get(3)) {
        (Some("--image"), Some(out)) => {
            let mut m = Machine::default();
            let top = m.create_directory(r"C:\tree").expect("mkdir").id;
            let mut dir = None;
            for (d, f) in names {
                if f == 0 {
                    let name = format!("d{d:05}");
                    dir = Some(m.create_directory_at(top, &name).expect("mkdir").id);
                }
                let dir = dir.expect("made above");
                m.create_file_at(dir, &format!("f{f:05}"), 0)
                    .expect("create");
            }
            // The machine's own memory, built in place (no image load), for
            // comparison with the daemon's (bench/long/scale.sh).
            eprintln!("mkvolume: VmRSS with the machine built: {} KiB", rss_kib());
            std::fs::write(out, image::save(&m)).expect("write the image");
        }
        (Some("--dir"), Some(out)) => {
            let top = PathBuf::from(out).join("tree");
            for (d, f) in names {
                let dir = top.join(format!("d{d:05}"));
                if f == 0 {
                    std::fs::create_dir_all(&dir).expect("mkdir");
                }
                std::fs::File::create(dir.join(format!("f{f:05}"))).expect("create");
            }
        }
        _ => usage(),
    }
}

fn rss_kib() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find_map(|l| l.strip_prefix("VmRSS:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        })
        .unwrap_or(0)
}
