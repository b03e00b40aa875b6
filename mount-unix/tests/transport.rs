//! Issue 17: the mount's two transports. `--io-uring off` reads and writes
//! /dev/fuse; `on` serves every request through FUSE over io_uring, one
//! queue per possible CPU, or refuses clearly where the kernel does not
//! offer it. Both serve the same bytes and link counts.
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;

use common::{fresh_dir, fuse_available};
use ntlinkfs_core::{Machine, Shared};
use ntlinkfs_fuse::fuse::uring::{kernel_refusal, possible_cpus};
use ntlinkfs_fuse::{mount, IoUringMode, MountOptions, Transport};
use std::os::unix::fs::MetadataExt;

fn opts(mode: IoUringMode) -> MountOptions {
    MountOptions {
        io_uring: Some(mode),
        ..MountOptions::default()
    }
}

/// Files, hard links, a rename, a large write and read back, a listing.
fn exercise(root: &std::path::Path) {
    let c = root.join("C");
    let data: Vec<u8> = (0..3 << 20).map(|i| (i % 251) as u8).collect();
    std::fs::write(c.join("a.bin"), &data).unwrap();
    std::fs::hard_link(c.join("a.bin"), c.join("b.bin")).unwrap();
    std::fs::rename(c.join("b.bin"), c.join("B2.bin")).unwrap();
    assert_eq!(std::fs::metadata(c.join("a.bin")).unwrap().nlink(), 2);
    assert_eq!(std::fs::read(c.join("B2.bin")).unwrap(), data);
    let mut names: Vec<String> = std::fs::read_dir(&c)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    assert_eq!(names, ["B2.bin", "a.bin"]);
    std::fs::remove_file(c.join("a.bin")).unwrap();
    assert_eq!(std::fs::metadata(c.join("B2.bin")).unwrap().nlink(), 1);
    assert_eq!(
        std::fs::metadata(c.join("a.bin"))
            .unwrap_err()
            .raw_os_error(),
        Some(libc::ENOENT)
    );
}

#[test]
fn off_serves_over_dev_fuse() {
    if !fuse_available() {
        return;
    }
    let root = fresh_dir("transport-off");
    let m = mount(
        Shared::new(Machine::default()),
        &root,
        &opts(IoUringMode::Off),
    )
    .unwrap();
    assert_eq!(
        *m.transport(),
        Transport::DevFuse {
            threads: 1,
            why: None
        }
    );
    exercise(&root);
    m.unmount().unwrap();
    std::fs::remove_dir(&root).unwrap();
}

#[test]
fn on_serves_over_io_uring_or_says_how_to_enable_it() {
    if !fuse_available() {
        return;
    }
    let root = fresh_dir("transport-on");
    let r = mount(
        Shared::new(Machine::default()),
        &root,
        &opts(IoUringMode::On),
    );
    match kernel_refusal() {
        None => {
            let m = r.unwrap();
            assert_eq!(
                *m.transport(),
                Transport::IoUring {
                    queues: possible_cpus()
                }
            );
            exercise(&root);
            m.unmount().unwrap();
        }
        Some(why) => {
            let e = r.err().expect("--io-uring on must fail here").to_string();
            assert!(e.contains(&why), "{e}");
            assert!(
                e.contains("echo Y > /sys/module/fuse/parameters/enable_uring"),
                "{e}"
            );
        }
    }
    std::fs::remove_dir(&root).unwrap();
}

/// Pins the calling thread to `cpu`; false where that CPU is not ours.
fn pin_to(cpu: usize) -> bool {
    // SAFETY: a zeroed cpu_set_t is empty; cpu < CPU_SETSIZE is checked.
    unsafe {
        if cpu >= libc::CPU_SETSIZE as usize {
            return false;
        }
        let mut set: libc::cpu_set_t = std::mem::zeroed();
        libc::CPU_SET(cpu, &mut set);
        libc::sched_setaffinity(0, std::mem::size_of::<libc::cpu_set_t>(), &set) == 0
    }
}

/// The point of the io_uring transport: a request is answered by the queue
/// of the CPU that made it, on that CPU. Lookups of fresh names from a
/// thread pinned to each CPU in turn all reach that CPU's queue.
#[test]
fn each_request_is_served_on_the_cpu_that_made_it() {
    if !fuse_available() || kernel_refusal().is_some() {
        return;
    }
    let root = fresh_dir("transport-cpu");
    let m = mount(
        Shared::new(Machine::default()),
        &root,
        &opts(IoUringMode::On),
    )
    .unwrap();
    let c = root.join("C");
    for cpu in 0..possible_cpus() {
        let c = c.clone();
        let before = m.queue_counts();
        let pinned = std::thread::spawn(move || {
            if !pin_to(cpu) {
                return false;
            }
            for i in 0..50 {
                let e = std::fs::metadata(c.join(format!("none-{cpu}-{i}"))).unwrap_err();
                assert_eq!(e.raw_os_error(), Some(libc::ENOENT));
            }
            true
        })
        .join()
        .unwrap();
        if !pinned {
            continue; // not a CPU this test may run on
        }
        let after = m.queue_counts();
        // Every lookup reached this CPU's queue, and its worker answered each
        // on this CPU (other queues may see stray requests from elsewhere).
        let (b, a) = (before[cpu], after[cpu]);
        assert!(a.0 - b.0 >= 50, "queue {cpu} served {} of 50", a.0 - b.0);
        assert_eq!(a.1, b.1, "queue {cpu} answered on another CPU");
    }
    m.unmount().unwrap();
    std::fs::remove_dir(&root).unwrap();
}
