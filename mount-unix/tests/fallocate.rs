//! fallocate(2) on the mount (issue 11: fsx punches holes and preallocates):
//! every mode NTFS can express gives Linux's result, the rest EOPNOTSUPP.
//! Preallocation extends the file (SetEndOfFile) unless FALLOC_FL_KEEP_SIZE;
//! punched holes and zeroed ranges are FSCTL_SET_ZERO_DATA.
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use libc::{
    FALLOC_FL_COLLAPSE_RANGE, FALLOC_FL_INSERT_RANGE, FALLOC_FL_KEEP_SIZE, FALLOC_FL_PUNCH_HOLE,
    FALLOC_FL_ZERO_RANGE,
};
use std::os::fd::AsRawFd;

fn fallocate(f: &std::fs::File, mode: i32, offset: i64, len: i64) -> Result<(), i32> {
    // SAFETY: a valid open descriptor; fallocate touches no memory of ours.
    if unsafe { libc::fallocate(f.as_raw_fd(), mode, offset, len) } < 0 {
        Err(std::io::Error::last_os_error().raw_os_error().unwrap())
    } else {
        Ok(())
    }
}

#[test]
fn fallocate_modes_table() {
    let Some(t) = mount_default() else { return };
    const KEEP: i32 = FALLOC_FL_KEEP_SIZE;
    // (mode, offset, len, the file's bytes afterwards or the errno); each row
    // starts from "abcdefgh".
    type Row = (i32, i64, i64, Result<&'static [u8], i32>);
    let rows: &[Row] = &[
        (0, 4, 8, Ok(b"abcdefgh\0\0\0\0")),
        (0, 0, 4, Ok(b"abcdefgh")),
        (KEEP, 4, 100, Ok(b"abcdefgh")),
        (FALLOC_FL_PUNCH_HOLE | KEEP, 2, 3, Ok(b"ab\0\0\0fgh")),
        (FALLOC_FL_PUNCH_HOLE | KEEP, 6, 100, Ok(b"abcdef\0\0")),
        (FALLOC_FL_ZERO_RANGE, 6, 4, Ok(b"abcdef\0\0\0\0")),
        (FALLOC_FL_ZERO_RANGE | KEEP, 6, 4, Ok(b"abcdef\0\0")),
        (FALLOC_FL_PUNCH_HOLE, 0, 2, Err(libc::EOPNOTSUPP)),
        (FALLOC_FL_COLLAPSE_RANGE, 0, 4096, Err(libc::EOPNOTSUPP)),
        (FALLOC_FL_INSERT_RANGE, 0, 4096, Err(libc::EOPNOTSUPP)),
        (0, 0, 0, Err(libc::EINVAL)),
    ];
    for (i, &(mode, offset, len, want)) in rows.iter().enumerate() {
        let p = t.path(&format!("C/f{i}"));
        std::fs::write(&p, b"abcdefgh").unwrap();
        // Read once so the kernel holds the pages a hole must drop.
        assert_eq!(std::fs::read(&p).unwrap(), b"abcdefgh");
        let f = std::fs::OpenOptions::new()
            .read(true)
            .write(true)
            .open(&p)
            .unwrap();
        let got = fallocate(&f, mode, offset, len);
        drop(f);
        let row = format!("mode {mode:#x} offset {offset} len {len}");
        match want {
            Ok(bytes) => {
                assert_eq!(got, Ok(()), "{row}");
                assert_eq!(std::fs::read(&p).unwrap(), bytes, "{row}");
                let core = t.m.write().read_file(&format!(r"C:\f{i}")).unwrap();
                assert_eq!(core, bytes, "{row}: the core holds the same bytes");
            }
            Err(errno) => {
                assert_eq!(got, Err(errno), "{row}");
                assert_eq!(std::fs::read(&p).unwrap(), b"abcdefgh", "{row}");
            }
        }
    }
}
