//! The kernel keeps a file's cached pages across opens only while the file is
//! unchanged (FOPEN_KEEP_CACHE, issue 7): every read must see the current bytes,
//! whether the change came through the mount or straight through the core.
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use std::io::{Seek, SeekFrom, Write};

#[test]
fn read_after_change_sees_new_bytes_whoever_changed_it() {
    let Some(t) = mount_default() else { return };
    let f = t.path("C/cached.txt");
    std::fs::write(&f, b"aaaa").unwrap();
    // Twice: the second open may keep the pages the first read cached.
    assert_eq!(std::fs::read(&f).unwrap(), b"aaaa");
    assert_eq!(std::fs::read(&f).unwrap(), b"aaaa");

    // Same size, rewritten in place through the mount.
    let mut w = std::fs::OpenOptions::new().write(true).open(&f).unwrap();
    w.seek(SeekFrom::Start(1)).unwrap();
    w.write_all(b"bb").unwrap();
    drop(w);
    assert_eq!(std::fs::read(&f).unwrap(), b"abba");
    assert_eq!(std::fs::read(&f).unwrap(), b"abba");

    // Same size, rewritten behind the kernel's back, through the core.
    t.m.write().write_file(r"C:\cached.txt", b"cccc").unwrap();
    assert_eq!(std::fs::read(&f).unwrap(), b"cccc");

    // Through a hard link (one inode, one cache).
    std::fs::hard_link(&f, t.path("C/other.txt")).unwrap();
    std::fs::write(t.path("C/other.txt"), b"dddd").unwrap();
    assert_eq!(std::fs::read(&f).unwrap(), b"dddd");
}

/// Write-only opens go around the page cache (FOPEN_DIRECT_IO, issue 17):
/// what they write must show at once through a descriptor that already has
/// the pages cached and through a shared mapping of them, and an appending
/// write-only descriptor must append after what a cached writer added.
#[test]
fn write_only_opens_stay_coherent_with_cached_readers_and_mappings() {
    use std::os::unix::fs::FileExt;
    let Some(t) = mount_default() else { return };
    let f = t.path("C/direct.bin");
    let page = 4096;
    std::fs::write(&f, vec![b'a'; 2 * page]).unwrap();
    let reader = std::fs::File::open(&f).unwrap();
    let mut buf = vec![0u8; 2 * page];
    reader.read_exact_at(&mut buf, 0).unwrap(); // pages now cached
                                                // SAFETY: a read-only shared mapping of a file this test owns, unmapped below.
    let map = unsafe {
        libc::mmap(
            std::ptr::null_mut(),
            2 * page,
            libc::PROT_READ,
            libc::MAP_SHARED,
            std::os::fd::AsRawFd::as_raw_fd(&reader),
            0,
        )
    };
    assert_ne!(map, libc::MAP_FAILED);
    // SAFETY: the mapping is 2 pages long and stays mapped while read.
    let mapped = || unsafe { std::slice::from_raw_parts(map as *const u8, 2 * page).to_vec() };
    assert_eq!(mapped()[page], b'a');

    let w = std::fs::OpenOptions::new().write(true).open(&f).unwrap();
    w.write_all_at(b"XYZ", page as u64 - 1).unwrap(); // across the page boundary
    let mut want = vec![b'a'; 2 * page];
    want[page - 1..page + 2].copy_from_slice(b"XYZ");
    reader.read_exact_at(&mut buf, 0).unwrap();
    assert_eq!(buf, want, "pread through the cached descriptor");
    assert_eq!(mapped(), want, "the shared mapping");
    // SAFETY: unmapping the mapping made above, no longer read.
    assert_eq!(unsafe { libc::munmap(map, 2 * page) }, 0);

    // A cached writer extends the file; a write-only appender follows it.
    let mut rw = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open(&f)
        .unwrap();
    rw.seek(SeekFrom::End(0)).unwrap();
    rw.write_all(b"tail").unwrap();
    let mut app = std::fs::OpenOptions::new().append(true).open(&f).unwrap();
    app.write_all(b"!").unwrap();
    want.extend_from_slice(b"tail!");
    assert_eq!(std::fs::read(&f).unwrap(), want);
    assert_eq!(std::fs::metadata(&f).unwrap().len(), want.len() as u64);
}

/// What the property test below does to one file.
#[derive(Debug, Clone)]
enum Step {
    /// pwrite through a write-only descriptor (around the page cache).
    DirectWrite(u64, usize, u8),
    /// pwrite through a read-write descriptor (through the page cache).
    CachedWrite(u64, usize, u8),
    /// Append through a write-only O_APPEND descriptor.
    Append(usize, u8),
    Truncate(u64),
    /// Reopen the cached descriptors (the kernel may keep the pages).
    Reopen,
}

fn step() -> impl proptest::strategy::Strategy<Value = Step> {
    use proptest::prelude::*;
    // Offsets and lengths around page boundaries, within 4 pages.
    let off = 0u64..4 * 4096;
    let len = prop_oneof![1usize..16, 4090usize..4100, 1usize..9000];
    prop_oneof![
        (off.clone(), len.clone(), any::<u8>()).prop_map(|(o, l, b)| Step::DirectWrite(o, l, b)),
        (off.clone(), len.clone(), any::<u8>()).prop_map(|(o, l, b)| Step::CachedWrite(o, l, b)),
        (len, any::<u8>()).prop_map(|(l, b)| Step::Append(l, b)),
        off.prop_map(Step::Truncate),
        Just(Step::Reopen),
    ]
}

/// Issue 17's write-only opens around the page cache, as a property: after
/// any sequence of direct writes, cached writes, appends, truncations and
/// reopens, a descriptor whose pages are cached, a shared mapping and a fresh
/// open all read exactly the bytes a plain model of the file holds.
#[test]
fn every_reader_sees_what_was_written_however_it_was_written() {
    use std::os::fd::AsRawFd;
    use std::os::unix::fs::FileExt;
    let Some(t) = mount_default() else { return };
    let f = t.path("C/prop.bin");
    let open_rw = || {
        std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .create(true)
            .truncate(false)
            .open(&f)
            .unwrap()
    };
    let mut runner =
        proptest::test_runner::TestRunner::new(proptest::test_runner::Config::with_cases(64));
    let steps = proptest::collection::vec(step(), 1..24);
    runner
        .run(&steps, |steps| {
            std::fs::write(&f, b"").unwrap();
            let mut model: Vec<u8> = Vec::new();
            let mut rw = open_rw();
            let writer = std::fs::OpenOptions::new().write(true).open(&f).unwrap();
            for s in &steps {
                match *s {
                    Step::DirectWrite(o, l, b) | Step::CachedWrite(o, l, b) => {
                        let via = if matches!(s, Step::DirectWrite(..)) {
                            &writer
                        } else {
                            &rw
                        };
                        via.write_all_at(&vec![b; l], o).unwrap();
                        let end = o as usize + l;
                        if model.len() < end {
                            model.resize(end, 0);
                        }
                        model[o as usize..end].fill(b);
                    }
                    Step::Append(l, b) => {
                        let mut a = std::fs::OpenOptions::new().append(true).open(&f).unwrap();
                        a.write_all(&vec![b; l]).unwrap();
                        model.extend(std::iter::repeat_n(b, l));
                    }
                    Step::Truncate(n) => {
                        rw.set_len(n).unwrap();
                        model.resize(n as usize, 0);
                    }
                    Step::Reopen => rw = open_rw(),
                }
                // The cached descriptor, a shared mapping of it, a fresh open.
                let mut got = vec![0u8; model.len()];
                rw.read_exact_at(&mut got, 0).unwrap();
                proptest::prop_assert_eq!(&got, &model, "pread after {:?}", s);
                if !model.is_empty() {
                    // SAFETY: a read-only shared mapping of the file's current
                    // length, read and unmapped before the next step changes it.
                    let map = unsafe {
                        libc::mmap(
                            std::ptr::null_mut(),
                            model.len(),
                            libc::PROT_READ,
                            libc::MAP_SHARED,
                            rw.as_raw_fd(),
                            0,
                        )
                    };
                    proptest::prop_assert_ne!(map, libc::MAP_FAILED);
                    // SAFETY: `map` spans model.len() readable bytes.
                    let mapped =
                        unsafe { std::slice::from_raw_parts(map as *const u8, model.len()) };
                    let same = mapped == model.as_slice();
                    // SAFETY: unmapping the mapping made above.
                    unsafe { libc::munmap(map, model.len()) };
                    proptest::prop_assert!(same, "mapping after {:?}", s);
                }
                proptest::prop_assert_eq!(
                    &std::fs::read(&f).unwrap(),
                    &model,
                    "read after {:?}",
                    s
                );
            }
            Ok(())
        })
        .unwrap();
}
