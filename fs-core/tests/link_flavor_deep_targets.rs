//! The flavor check of S22/J13 applies whatever the depth of the link's
//! target: a junction to `C:\t\file.txt` fails like one to `C:\file.txt`.
//!
//! ```text
//! C:\t\file.txt        "x"
//! C:\t\dir\            (directory)
//! C:\j    ══> C:\t\file.txt   (junction to a file)
//! C:\s    ──> C:\t\dir        (file symlink to a directory)
//! C:\via  ══> C:\t            (junction, crossed on the way)
//! C:\j2   ══> C:\via\file.txt (junction whose target path crosses a junction)
//! ```

use ntlinkfs_core::{Follow, Machine, NtError, Profile, SymlinkFlags};

fn machine(profile: &str) -> Machine {
    let p: Profile = profile.parse().unwrap();
    let mut m = Machine::with_volumes(&[('C', ntlinkfs_core::FsKind::Ntfs)], p).unwrap();
    m.create_directory(r"C:\t").unwrap();
    m.create_directory(r"C:\t\dir").unwrap();
    m.write_file(r"C:\t\file.txt", b"x").unwrap();
    m.create_junction(r"C:\j", r"C:\t\file.txt").unwrap();
    m.create_symbolic_link(r"C:\s", r"C:\t\dir", SymlinkFlags::default())
        .unwrap();
    m.create_junction(r"C:\via", r"C:\t").unwrap();
    m.create_junction(r"C:\j2", r"C:\via\file.txt").unwrap();
    m
}

#[test]
fn open_through_link_with_multi_component_target_checks_flavor_j13_s22() {
    let mut m = machine("11");
    let rows: &[(&str, NtError)] = &[
        (r"C:\j", NtError::NotADirectory),
        (r"C:\j2", NtError::NotADirectory),
    ];
    for &(path, want) in rows {
        assert_eq!(m.read_file(path), Err(want), "J13 {path}");
        assert_eq!(
            m.query_information(path, Follow::Reparse).map(|_| ()),
            Err(want),
            "J13 {path}"
        );
    }
    assert_eq!(
        m.query_information(r"C:\s", Follow::Reparse).map(|_| ()),
        Err(NtError::FileIsADirectory),
        "S22"
    );
    // The plain paths still work.
    assert_eq!(m.read_file(r"C:\via\file.txt").unwrap(), b"x");
}

#[test]
fn open_through_link_with_multi_component_target_before_1709_succeeds() {
    let mut m = machine("10-1703");
    assert_eq!(m.read_file(r"C:\j").unwrap(), b"x");
    assert_eq!(m.read_file(r"C:\j2").unwrap(), b"x");
}
