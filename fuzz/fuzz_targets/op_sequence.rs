//! Random operation sequences (links, junctions, symlinks, renames, deletes on
//! C: and D:): the invariants after every op, and every path's resolution equal
//! to the independent resolver's at the end (ntlinkfs-tests `model::run_with`).
#![no_main]

use libfuzzer_sys::fuzz_target;
use ntlinkfs_tests::model;

fuzz_target!(|data: &[u8]| {
    let ops = model::decode_ops(data);
    if let Err(e) = model::run_with(&ops, usize::MAX) {
        panic!("{e}\nops: {ops:#?}");
    }
});
