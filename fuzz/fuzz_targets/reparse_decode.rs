//! The reparse-buffer decoder (SEMANTICS §6.1–§6.4) on any bytes: no panic; a
//! buffer that decodes re-encodes to one that decodes to the same value; and
//! FSCTL_SET_REPARSE_POINT with it on a fresh file and directory either fails
//! cleanly (nothing changed) or stores exactly those bytes (R5), with the
//! invariants intact.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ntlinkfs_core::reparse::{decode_delete_request, get_into, ReparseData};
use ntlinkfs_core::{invariants, Follow, Machine};

fuzz_target!(|data: &[u8]| {
    if let Ok(d) = ReparseData::decode(data) {
        let again = ReparseData::decode(&d.encode()).expect("an encoded buffer decodes");
        assert_eq!(again, d, "decode(encode(d)) != d");
    }
    let _ = decode_delete_request(data);
    for len in [0, 27, 28, data.len().saturating_sub(1), data.len(), 16384] {
        if let Ok(out) = get_into(data, len) {
            assert_eq!(out, data);
        }
    }
    let mut m = Machine::default();
    m.create_directory(r"C:\d").expect("fresh machine");
    m.create_file(r"C:\f").expect("fresh machine");
    for p in [r"C:\d", r"C:\f"] {
        let before = m
            .query_information(p, Follow::OpenReparsePoint)
            .expect("exists");
        match m.set_reparse_point(p, data) {
            Ok(()) => assert_eq!(m.get_reparse_point(p).as_deref(), Ok(data)),
            Err(_) => assert_eq!(
                m.query_information(p, Follow::OpenReparsePoint).as_ref(),
                Ok(&before),
                "a failed set changed {p}"
            ),
        }
        // Following whatever was stored must fail cleanly or resolve.
        let _ = m.query_information(&format!(r"{p}\x"), Follow::Reparse);
        let _ = m.query_information(p, Follow::Reparse);
    }
    invariants::check(&m).expect("invariants");
});
