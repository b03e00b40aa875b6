//! Concurrent clients: several threads linking, renaming, unlinking and writing
//! in the same directories at once; afterwards the core's invariants hold and
//! the mount shows exactly the core's names and link counts.
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use ntlinkfs_core::invariants;
use std::collections::BTreeMap;
use std::fs;
use std::os::unix::fs::MetadataExt;

const THREADS: u64 = 4;
const OPS: usize = 400;

#[test]
fn threads_linking_renaming_unlinking_keep_the_invariants() {
    // The default session and a four-thread one, where handlers really overlap.
    for threads in [ntlinkfs_fuse::DEFAULT_THREADS, 4] {
        let opts = ntlinkfs_fuse::MountOptions {
            threads,
            ..Default::default()
        };
        if let Some(t) = mount_with(ntlinkfs_core::Machine::default(), opts) {
            clients(&t);
        }
    }
}

fn clients(t: &TestMount) {
    for d in ["C/p", "C/q"] {
        fs::create_dir(t.path(d)).unwrap();
    }
    std::thread::scope(|s| {
        for id in 0..THREADS {
            s.spawn(move || {
                let mut r = 0x2545_F491_4F6C_DD1D_u64.wrapping_mul(id + 1);
                let mut next = || {
                    r ^= r << 13;
                    r ^= r >> 7;
                    r ^= r << 17;
                    r
                };
                let names = ["a", "b", "c", "D", "e", "F"];
                for _ in 0..OPS {
                    let mut pick = || {
                        let dir = if next() % 2 == 0 { "C/p" } else { "C/q" };
                        t.path(&format!("{dir}/{}", names[(next() % 6) as usize]))
                    };
                    let (x, y) = (pick(), pick());
                    // Failures (ENOENT, EEXIST, ...) are expected under contention.
                    let _ = match next() % 5 {
                        0 => fs::write(&x, b"data"),
                        1 => fs::hard_link(&x, &y),
                        2 => fs::rename(&x, &y),
                        3 => fs::remove_file(&x),
                        _ => fs::metadata(&x).map(drop),
                    };
                }
            });
        }
    });
    eventually(|| t.m.read().open_handle_count() == 0);
    invariants::check(&t.m.read()).unwrap();
    // The mount's view equals the core's: names and link counts.
    let core: BTreeMap<String, u32> = {
        let m = t.m.read();
        let c = m.volume_by_letter(b'C').unwrap();
        m.walk(m.root(c))
            .unwrap()
            .into_iter()
            .filter(|(_, e)| !e.info.is_directory)
            .map(|(p, e)| {
                (
                    p.replacen("C:\\", "C/", 1).replace('\\', "/"),
                    e.info.link_count,
                )
            })
            .collect()
    };
    let mut seen = BTreeMap::new();
    for d in ["C/p", "C/q"] {
        for e in fs::read_dir(t.path(d)).unwrap() {
            let e = e.unwrap();
            let name = format!("{d}/{}", e.file_name().to_str().unwrap());
            seen.insert(name, fs::symlink_metadata(e.path()).unwrap().nlink() as u32);
        }
    }
    assert_eq!(seen, core);
}
