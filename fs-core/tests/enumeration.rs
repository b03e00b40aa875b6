//! Directory enumeration by class (J18): NtQueryDirectoryFile's shapes and
//! FindFirstFileW's find data, `.` and `..`, the FileName filter, and the
//! refusals.

use ntlinkfs_core::{DirEntryClassed, DirInfoClass, Machine, NtError, SymlinkFlags};

fn names(v: &[DirEntryClassed]) -> Vec<String> {
    v.iter().map(|e| e.file_name().to_string_lossy()).collect()
}

fn machine() -> Machine {
    let mut m = Machine::default();
    m.create_directory(r"C:\d").unwrap();
    m.write_file(r"C:\d\b.txt", b"xyz").unwrap();
    m.write_file(r"C:\d\a.log", b"").unwrap();
    m.create_directory(r"C:\d\sub").unwrap();
    m.create_junction(r"C:\j", r"C:\d").unwrap();
    m.create_symbolic_link(r"C:\d\s", "b.txt", SymlinkFlags::default())
        .unwrap();
    m
}

#[test]
fn dots_first_except_at_a_root_then_collation_order() {
    let m = machine();
    let all = m.query_directory(r"C:\d", 12, None).unwrap();
    assert_eq!(names(&all), [".", "..", "a.log", "b.txt", "s", "sub"]);
    let root = m.query_directory(r"C:\", 12, None).unwrap();
    assert_eq!(names(&root), ["d", "j"]);
    // Through the junction: the target's entries (J17).
    let via = m.query_directory(r"C:\j", 12, None).unwrap();
    assert_eq!(names(&via), names(&all));
}

#[test]
fn the_filter_matches_as_win32_wildcards_do() {
    let m = machine();
    let rows: [(&str, &[&str]); 5] = [
        ("*.txt", &["b.txt"]),
        ("?.log", &["a.log"]),
        ("s*", &["s", "sub"]),
        ("B.TXT", &["b.txt"]),
        ("nothing", &[]),
    ];
    for (p, want) in rows {
        let got = m.query_directory(r"C:\d", 1, Some(p)).unwrap();
        assert_eq!(names(&got), want, "{p}");
    }
}

#[test]
fn each_class_has_its_shape_and_sizes() {
    let m = machine();
    for class in DirInfoClass::ALL {
        let v = m
            .query_directory(r"C:\d", class.value(), Some("b.txt"))
            .unwrap();
        assert_eq!(v.len(), 1);
        let e = &v[0];
        assert_eq!(e.class(), class);
        if let Some(b) = e.basics() {
            assert_eq!((b.end_of_file, b.allocation_size), (3, 4096));
            assert_eq!(b.file_attributes, 0x20);
        }
        let want_ea = match class {
            DirInfoClass::Directory | DirInfoClass::Names => None,
            _ => Some(0),
        };
        assert_eq!(e.ea_size(), want_ea, "{class:?}");
    }
    let id = m.query_directory(r"C:\d", 38, Some("b.txt")).unwrap();
    let extd = m.query_directory(r"C:\d", 60, Some("b.txt")).unwrap();
    let info = m.info(m.resolve_node(r"C:\d\b.txt").unwrap()).unwrap();
    match (&id[0], &extd[0]) {
        (
            DirEntryClassed::IdFullDirectory { file_id, .. },
            DirEntryClassed::IdExtdDirectory { file_id: wide, .. },
        ) => {
            assert_eq!(*file_id, info.id.file.0, "HL20");
            assert_eq!(wide[..8], file_id.to_le_bytes());
            assert_eq!(wide[8..], [0; 8]);
        }
        other => panic!("{other:?}"),
    }
}

#[test]
fn refusals() {
    let m = machine();
    // The class is checked before the path is looked up.
    assert_eq!(
        m.query_directory(r"C:\nowhere", 33, None),
        Err(NtError::InvalidInfoClass)
    );
    assert_eq!(
        m.query_directory(r"C:\nowhere", 1, None),
        Err(NtError::ObjectNameNotFound)
    );
    assert_eq!(
        m.query_directory(r"C:\d\b.txt", 1, None),
        Err(NtError::NotADirectory)
    );
    assert_eq!(m.find_files(r"C:\d\zz*"), Err(NtError::ObjectNameNotFound));
    assert_eq!(m.find_files(r"C:\"), Err(NtError::ObjectNameNotFound));
}

#[test]
fn find_files_lists_dots_and_reports_tags_in_reserved0() {
    let m = machine();
    let v = m.find_files(r"C:\d\*").unwrap();
    let got: Vec<(String, u32)> = v
        .iter()
        .map(|e| (e.file_name.to_string_lossy(), e.reserved0))
        .collect();
    assert_eq!(
        got,
        [
            (".".to_string(), 0),
            ("..".to_string(), 0),
            ("a.log".to_string(), 0),
            ("b.txt".to_string(), 0),
            ("s".to_string(), 0xA000_000C),
            ("sub".to_string(), 0),
        ]
    );
    let j = m.find_files(r"C:\j").unwrap();
    assert_eq!((j[0].file_attributes, j[0].reserved0), (0x410, 0xA000_0003));
}

#[test]
fn paging_by_id_continues_after_the_key() {
    let m = machine();
    let d = m.resolve_node(r"C:\d").unwrap();
    let first = m
        .query_directory_of(d, DirInfoClass::IdExtdBothDirectory, None, 2)
        .unwrap();
    assert_eq!(names(&first), ["a.log", "b.txt"]);
    let key = first[1].file_name().key();
    let rest = m
        .query_directory_of(d, DirInfoClass::IdExtdBothDirectory, Some(&key), 10)
        .unwrap();
    assert_eq!(names(&rest), ["s", "sub"]);
    assert_eq!(rest[0].reparse_point_tag(), Some(0xA000_000C));
    assert_eq!(rest[0].ea_size(), Some(0));
}
