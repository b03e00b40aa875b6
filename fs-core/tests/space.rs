//! Volume sizes, the file size limit and the memory budget (issue 11, item 4):
//! what does not fit fails with STATUS_DISK_FULL (ENOSPC) or
//! STATUS_FILE_TOO_LARGE (EFBIG) and changes nothing; freed data gives its
//! space back.

mod common;
use common::*;
use ntlinkfs_core::{
    Errno, Machine, NtError, Op, OpenOptions, DEFAULT_VOLUME_SIZE, MAX_FILE_SIZE, MAX_VOLUME_SIZE,
    MIN_VOLUME_SIZE,
};

const MIB: u64 = 1 << 20;

/// C: default size; D: 1 MiB holding `D:\f` (1000 bytes).
fn small_d() -> Machine {
    let mut m = machine();
    m.set_volume_size(1, MIB).unwrap();
    build(&mut m, &[r"dir D:\dir"]).unwrap();
    ok(&mut m, write(r"D:\f", &[b'f'; 1000]));
    m
}

fn used(m: &Machine, vol: usize) -> u64 {
    m.volume_info(vol).bytes
}

fn open_rw(m: &mut Machine, path: &str) -> ntlinkfs_core::HandleId {
    handle(ok(m, open(path, OpenOptions::default().write(true))))
}

#[test]
fn the_default_size_is_64_gib_on_every_machine() {
    let m = machine();
    for v in m.volume_infos() {
        assert_eq!(v.size, 64 << 30);
        assert_eq!(v.size, DEFAULT_VOLUME_SIZE);
    }
}

#[test]
fn growth_past_the_free_space_is_disk_full_and_changes_nothing() {
    let mut m = small_d();
    let h = open_rw(&mut m, r"D:\f");
    let free = MIB - 1000;
    // (what, op): each one grows D: by free + 1 bytes or more.
    let rows: Vec<(&str, Op)> = vec![
        (
            "write from 0 past the end",
            Op::Write {
                handle: h,
                offset: 0,
                data: vec![b'x'; MIB as usize + 1],
            },
        ),
        (
            "write one byte past the volume",
            Op::Write {
                handle: h,
                offset: MIB,
                data: vec![b'x'],
            },
        ),
        (
            "write across chunks, the first ones would fit",
            Op::Write {
                handle: h,
                offset: 500,
                data: vec![b'x'; (free + 501) as usize],
            },
        ),
        (
            "extend (SetEndOfFile)",
            Op::SetLen {
                handle: h,
                len: MIB + 1,
            },
        ),
        (
            "extend far",
            Op::SetLen {
                handle: h,
                len: 1 << 40,
            },
        ),
    ];
    for (what, op) in rows {
        fails(&mut m, what, op, NtError::DiskFull);
    }
    assert_eq!(used(&m, 1), 1000);
    // Exactly the free space fits; then not one byte more.
    ok(
        &mut m,
        Op::SetLen {
            handle: h,
            len: MIB,
        },
    );
    assert_eq!(used(&m, 1), MIB);
    fails(
        &mut m,
        "full volume",
        Op::Write {
            handle: h,
            offset: MIB,
            data: vec![1],
        },
        NtError::DiskFull,
    );
    // A new file on a full volume: it may be created, but not given data.
    let g = handle(ok(
        &mut m,
        open(
            r"D:\g",
            OpenOptions::default().disposition(ntlinkfs_core::Disposition::Create),
        ),
    ));
    fails(
        &mut m,
        "full volume, new file",
        Op::Write {
            handle: g,
            offset: 0,
            data: vec![1],
        },
        NtError::DiskFull,
    );
    // Overwriting inside the file needs no space.
    ok(
        &mut m,
        Op::Write {
            handle: h,
            offset: 10,
            data: vec![b'y'; 100],
        },
    );
    // C: is another volume with its own space.
    ok(&mut m, write(r"C:\c", &[1; 4096]));
    ok(&mut m, Op::Close { handle: g });
    ok(&mut m, Op::Close { handle: h });
}

#[test]
fn truncate_and_delete_give_the_space_back() {
    let mut m = small_d();
    ok(&mut m, write(r"D:\big", &vec![7; (MIB - 1000) as usize]));
    assert_eq!(used(&m, 1), MIB);
    let h = open_rw(&mut m, r"D:\big");
    ok(&mut m, Op::SetLen { handle: h, len: 10 });
    assert_eq!(used(&m, 1), 1010);
    ok(
        &mut m,
        Op::SetLen {
            handle: h,
            len: MIB - 1000,
        },
    );
    // Deleted while open: the data stays (and its space) until the last handle.
    ok(&mut m, del(r"D:\big"));
    assert_eq!(used(&m, 1), MIB);
    ok(&mut m, Op::Close { handle: h });
    assert_eq!(used(&m, 1), 1000);
    // A file with two names is freed with the last one.
    ok(&mut m, hard(r"D:\dir\f2", r"D:\f"));
    ok(&mut m, del(r"D:\f"));
    assert_eq!(used(&m, 1), 1000);
    ok(&mut m, del(r"D:\dir\f2"));
    assert_eq!(used(&m, 1), 0);
    ok(&mut m, write(r"D:\again", &vec![1; MIB as usize]));
    assert_eq!(used(&m, 1), MIB);
}

#[test]
fn a_copy_to_a_volume_without_room_is_disk_full_and_changes_nothing() {
    let mut m = small_d();
    ok(&mut m, write(r"C:\big", &vec![3; MIB as usize]));
    fails(
        &mut m,
        "move across volumes (copy + delete)",
        mv_copy(r"C:\big", r"D:\big"),
        NtError::DiskFull,
    );
    ok(&mut m, write(r"C:\fits", &vec![3; (MIB - 1000) as usize]));
    ok(&mut m, mv_copy(r"C:\fits", r"D:\fits"));
    assert_eq!(used(&m, 1), MIB);
}

#[test]
fn past_the_largest_ntfs_file_is_file_too_large_efbig() {
    let mut m = machine();
    m.set_volume_size(0, MAX_VOLUME_SIZE).unwrap();
    ok(&mut m, write(r"C:\f", b"x"));
    let h = open_rw(&mut m, r"C:\f");
    let rows = [
        Op::SetLen {
            handle: h,
            len: MAX_FILE_SIZE + 1,
        },
        Op::SetLen {
            handle: h,
            len: u64::MAX,
        },
        Op::Write {
            handle: h,
            offset: MAX_FILE_SIZE,
            data: vec![1],
        },
        Op::Write {
            handle: h,
            offset: u64::MAX,
            data: vec![1],
        },
    ];
    for op in rows {
        fails(&mut m, "max file size", op, NtError::FileTooLarge);
    }
    let e = NtError::FileTooLarge;
    assert_eq!(
        (e.ntstatus(), e.win32(), e.errno()),
        (0xC000_0904, 223, Errno::EFBIG)
    );
    // A sparse extension to exactly the limit is a size, not memory.
    ok(
        &mut m,
        Op::SetLen {
            handle: h,
            len: MAX_FILE_SIZE,
        },
    );
    assert_eq!(m.handle_info(h).unwrap().size, MAX_FILE_SIZE);
    ok(&mut m, Op::SetLen { handle: h, len: 1 });
    ok(&mut m, Op::Close { handle: h });
}

#[test]
fn volume_sizes_are_checked() {
    let mut m = small_d();
    for bad in [0, MIN_VOLUME_SIZE - 4096, MIB + 1, MAX_VOLUME_SIZE + 4096] {
        assert_eq!(
            m.set_volume_size(0, bad),
            Err(NtError::InvalidParameter),
            "{bad}"
        );
    }
    assert_eq!(m.set_volume_size(9, MIB), Err(NtError::InvalidParameter));
    ok(&mut m, write(r"C:\two", &vec![1; 2 * MIB as usize]));
    // Smaller than what the volume holds: refused.
    assert_eq!(m.set_volume_size(0, MIB), Err(NtError::DiskFull));
    assert_eq!(m.set_volume_size(0, 2 * MIB), Ok(()));
    assert_eq!(m.volume_info(0).size, 2 * MIB);
}

#[test]
fn a_spent_memory_budget_is_disk_full_and_changes_nothing() {
    let mut m = machine();
    build(&mut m, &[r"dir C:\d", r"file C:\d\f data"]).unwrap();
    let h = open_rw(&mut m, r"C:\d\f");
    m.set_memory_limit(m.memory_used() + 256 * 1024);
    // Data: a write whose chunks do not fit the budget.
    fails(
        &mut m,
        "budget, write",
        Op::Write {
            handle: h,
            offset: 0,
            data: vec![1; 512 * 1024],
        },
        NtError::DiskFull,
    );
    // A sparse extension costs no memory: it is only a size.
    ok(
        &mut m,
        Op::SetLen {
            handle: h,
            len: 1 << 30,
        },
    );
    ok(&mut m, Op::SetLen { handle: h, len: 4 });
    // Fill the budget with data, then metadata is refused too.
    ok(
        &mut m,
        Op::Write {
            handle: h,
            offset: 0,
            data: vec![1; 192 * 1024],
        },
    );
    m.set_memory_limit(m.memory_used() + 100);
    fails(
        &mut m,
        "budget, write",
        Op::Write {
            handle: h,
            offset: 1 << 20,
            data: vec![1],
        },
        NtError::DiskFull,
    );
    for (what, op) in [
        ("budget, new file", create_file(r"C:\d\new")),
        ("budget, new directory", mkdir(r"C:\d\sub")),
        ("budget, new name", hard(r"C:\d\link", r"C:\d\f")),
        ("budget, new symlink", symlink(r"C:\d\s", r"f")),
    ] {
        fails(&mut m, what, op, NtError::DiskFull);
    }
    // Freeing data makes room again.
    ok(&mut m, Op::SetLen { handle: h, len: 0 });
    ok(&mut m, create_file(r"C:\d\new"));
    ok(
        &mut m,
        Op::Write {
            handle: h,
            offset: 0,
            data: vec![1; 128 * 1024],
        },
    );
    ok(&mut m, Op::Close { handle: h });
    assert!(m.memory_used() <= m.memory_limit());
}

#[test]
fn memory_used_follows_the_data() {
    let mut m = machine();
    let empty = m.memory_used();
    ok(&mut m, write(r"C:\f", &vec![1; 10 * 64 * 1024]));
    let full = m.memory_used();
    assert!(full >= empty + 10 * 64 * 1024, "{empty} {full}");
    ok(&mut m, del(r"C:\f"));
    assert_eq!(m.memory_used(), empty);
}

/// An image keeps each volume's size (format 2), past the default too; images
/// made before volumes had sizes load with one that holds them (the image
/// module's tests, which can write format 1).
#[test]
fn an_image_holding_more_than_the_default_size_loads() {
    let mut m = machine();
    m.set_volume_size(0, 128 << 30).unwrap();
    ok(&mut m, write(r"C:\sparse", b"x"));
    let h = open_rw(&mut m, r"C:\sparse");
    ok(
        &mut m,
        Op::SetLen {
            handle: h,
            len: (100 << 30) + 1,
        },
    );
    ok(&mut m, Op::Close { handle: h });
    let loaded = ntlinkfs_core::image::load(&ntlinkfs_core::image::save(&m)).unwrap();
    check(&loaded);
    let c = loaded.volume_info(0);
    assert_eq!((c.bytes, c.size), ((100 << 30) + 1, 128 << 30));
    assert_eq!(loaded.volume_info(1).size, DEFAULT_VOLUME_SIZE);
}
