//! The copy and the audit over what the core models beyond links: WSL special
//! files (reparse points with LX tags) and directory-bit tags (R20).

use ntlinkfs_core::reparse::{ReparseData, IO_REPARSE_TAG_LX_CHR};
use ntlinkfs_core::{
    DeviceNumbers, Follow, FsKind, Machine, NtError, PosixMeta, Profile, SpecialKind,
};
use ntlinkfs_linktools::audit::{audit, LinkKind};
use ntlinkfs_linktools::copy::{copy_tree, CopyOptions, LinkAction};

/// (owner, group), mode, (major, minor).
fn meta(ids: (u32, u32), mode: u16, dev: (u32, u32)) -> PosixMeta {
    let rdev = DeviceNumbers {
        major: dev.0,
        minor: dev.1,
    };
    let (uid, gid) = ids;
    PosixMeta {
        uid,
        gid,
        mode,
        rdev,
    }
}

/// The copy makes them again with the same tag, buffer, owner, mode and
/// device numbers where the destination can hold a reparse point (NTFS), and
/// reports them where it cannot (FAT: nothing is left behind); audit lists them
/// under their tag names.
#[test]
fn copy_and_audit_handle_special_files() {
    let mut m = Machine::with_volumes(
        &[
            ('C', FsKind::Ntfs),
            ('D', FsKind::Ntfs),
            ('E', FsKind::Fat32),
        ],
        Profile::default(),
    )
    .unwrap();
    m.create_directory(r"C:\src").unwrap();
    let tty = meta((1000, 5), 0o620, (4, 64));
    m.create_special_file(r"C:\src\tty", SpecialKind::CharDevice, tty)
        .unwrap();
    m.create_special_file(
        r"C:\src\pipe",
        SpecialKind::Fifo,
        meta((7, 7), 0o600, (0, 0)),
    )
    .unwrap();
    let audit = audit(&m, r"C:\src").unwrap();
    let kinds: Vec<String> = audit.links.iter().map(|l| l.kind.label()).collect();
    assert_eq!(kinds, ["LX_FIFO", "LX_CHR"]);
    // Counted as files (they are NTFS files) and listed under their tags.
    assert_eq!((audit.files, audit.directories), (2, 0));

    let r = copy_tree(
        &mut m,
        r"C:\src",
        r"D:\dst",
        &CopyOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert!(r.errors.is_empty(), "{:?}", r.errors);
    for l in &r.links {
        assert_eq!(l.action, LinkAction::CopiedAsLink, "{}", l.path);
    }
    let copy = m
        .query_information(r"D:\dst\tty", Follow::OpenReparsePoint)
        .unwrap();
    assert_eq!(copy.reparse_tag, Some(IO_REPARSE_TAG_LX_CHR));
    assert_eq!(copy.posix, tty);
    assert_eq!(
        m.lx_extended_attributes_of(copy.id).unwrap(),
        m.lx_extended_attributes_of(
            m.query_information(r"C:\src\tty", Follow::OpenReparsePoint)
                .unwrap()
                .id
        )
        .unwrap()
    );
    assert_eq!(
        m.get_reparse_point(r"D:\dst\pipe").unwrap(),
        [0x24, 0, 0, 0x80, 0, 0, 0, 0]
    );

    let r = copy_tree(
        &mut m,
        r"C:\src",
        r"E:\dst",
        &CopyOptions::default(),
        &mut |_| {},
    )
    .unwrap();
    assert_eq!(r.errors.len(), 2);
    for l in &r.links {
        assert_eq!(l.action, LinkAction::Failed(NtError::InvalidDeviceRequest));
        assert!(matches!(l.kind, LinkKind::Other(_)));
    }
    assert!(!m.exists(r"E:\dst\tty") && !m.exists(r"E:\dst\pipe"));
}

/// A directory whose tag has the directory bit is entered by the audit (its
/// children are reachable, R20); a junction stays a leaf.
#[test]
fn audit_enters_directory_bit_tags_r20() {
    let mut m = Machine::default();
    m.create_directory(r"C:\e").unwrap();
    m.create_directory(r"C:\full").unwrap();
    m.write_file(r"C:\full\x", b"x").unwrap();
    m.write_file(r"C:\data", b"data").unwrap();
    m.create_junction(r"C:\j", r"C:\e").unwrap();
    let cloud = ReparseData::Other {
        tag: 0x9000_3000,
        guid: None,
        data: b"cloud".to_vec(),
    };
    m.set_reparse_point(r"C:\full", &cloud.encode()).unwrap();
    m.write_file(r"C:\full\y", b"y").unwrap();
    let a = audit(&m, r"C:\").unwrap();
    assert_eq!((a.directories, a.files), (2, 3), "e, full; data, x, y");
}
