//! The Win32 and NT path parsers on any UTF-16 input (unpaired surrogates
//! included, N3): no panic; a parsed drive path prints as Win32 text that parses
//! back to the same path; resolving it on a small tree fails cleanly or succeeds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use ntlinkfs_core::path::{full_path_units, nt_path_units, Root};
use ntlinkfs_core::{Follow, Machine, SymlinkFlags};

fuzz_target!(|data: &[u8]| {
    let units: Vec<u16> = data
        .chunks_exact(2)
        .map(|c| u16::from_le_bytes([c[0], c[1]]))
        .collect();
    let mut m = Machine::default();
    m.create_directory(r"C:\a").expect("fresh machine");
    m.create_junction(r"C:\j", r"C:\a").expect("fresh machine");
    m.create_symbolic_link(r"C:\s", r"..\a", SymlinkFlags::default())
        .expect("fresh machine");
    let rules = m.profile().win32_rules();
    let _ = nt_path_units(&units);
    if let Ok(p) = full_path_units(&units, &m, rules) {
        if let Root::Drive(_) = p.root {
            let text = p.to_win32();
            if !p.verbatim
                && p.components
                    .iter()
                    .all(|c| !c.to_string_lossy().contains('\u{FFFD}'))
            {
                let again = ntlinkfs_core::path::full_path(&text, &m, rules);
                assert!(again.is_ok(), "{text:?} does not parse again: {again:?}");
            }
        }
    }
    let text = String::from_utf16_lossy(&units);
    let _ = m.query_information(&text, Follow::Reparse);
    let _ = m.query_information(&text, Follow::OpenReparsePoint);
    let _ = m.create_file(&text);
    ntlinkfs_core::invariants::check(&m).expect("invariants");
});
