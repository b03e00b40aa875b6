//! The directories `del /s` walks (J34, KB205524): plain subdirectories
//! always, junctions only on 2000/XP, each directory once.

use ntlinkfs_core::{Machine, NtError};

fn machine(profile: &str) -> Machine {
    let mut m = Machine::default();
    m.set_profile(profile.parse().unwrap());
    for d in [r"C:\t", r"C:\tree", r"C:\tree\sub"] {
        m.create_directory(d).unwrap();
    }
    m.create_junction(r"C:\tree\j", r"C:\t").unwrap();
    m.create_junction(r"C:\tree\sub\loop", r"C:\tree").unwrap();
    m
}

#[test]
fn del_s_walks_into_junctions_on_xp_only_and_once() {
    let rows: [(&str, &[&str]); 2] = [
        ("xp", &[r"C:\tree", r"C:\tree\j", r"C:\tree\sub"]),
        ("11", &[r"C:\tree", r"C:\tree\sub"]),
    ];
    for (profile, want) in rows {
        let m = machine(profile);
        assert_eq!(m.del_s_directories(r"C:\tree").unwrap(), want, "{profile}");
    }
}

#[test]
fn del_s_needs_a_directory() {
    let mut m = machine("11");
    m.write_file(r"C:\f", b"x").unwrap();
    assert_eq!(m.del_s_directories(r"C:\f"), Err(NtError::NotADirectory));
    assert_eq!(
        m.del_s_directories(r"C:\none"),
        Err(NtError::ObjectNameNotFound)
    );
}
