//! The image loader on any bytes: no panic; what loads satisfies the
//! invariants, and saving it gives an image that loads and saves to the same
//! bytes again. Each input is tried as it is (header checks) and with its
//! header repaired (magic, version, length, CRC-32), so that mutations reach
//! the payload parser instead of stopping at the checksum.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ntlinkfs_core::image::{self, FORMAT_VERSION, HEADER_LEN, MAGIC};
use ntlinkfs_core::invariants;

fn check(bytes: &[u8]) {
    let _ = image::info(bytes);
    if let Ok(m) = image::load(bytes) {
        invariants::check(&m).expect("a loaded image keeps the invariants");
        let saved = image::save(&m);
        let again = image::load(&saved).expect("a saved image loads");
        assert_eq!(image::save(&again), saved, "save(load(save(m))) != save(m)");
    }
}

fuzz_target!(|data: &[u8]| {
    check(data);
    if data.len() >= HEADER_LEN {
        let mut fixed = data.to_vec();
        let payload_len = (fixed.len() - HEADER_LEN) as u64;
        fixed[..8].copy_from_slice(&MAGIC);
        fixed[8..12].copy_from_slice(&FORMAT_VERSION.to_le_bytes());
        fixed[12..20].copy_from_slice(&payload_len.to_le_bytes());
        let mut covered = fixed[..20].to_vec();
        covered.extend_from_slice(&fixed[HEADER_LEN..]);
        fixed[20..24].copy_from_slice(&image::crc32(&covered).to_le_bytes());
        check(&fixed);
    }
});
