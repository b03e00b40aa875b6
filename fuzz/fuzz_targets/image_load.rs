//! The image loader on any bytes: no panic; what loads satisfies the
//! invariants, and saving it gives an image that loads and saves to the same
//! bytes again.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ntlinkfs_core::{image, invariants};

fuzz_target!(|data: &[u8]| {
    let _ = image::info(data);
    if let Ok(m) = image::load(data) {
        invariants::check(&m).expect("a loaded image keeps the invariants");
        let saved = image::save(&m);
        let again = image::load(&saved).expect("a saved image loads");
        assert_eq!(image::save(&again), saved, "save(load(save(m))) != save(m)");
    }
});
