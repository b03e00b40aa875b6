//! WSL special files in the core: exact tags, reparse bytes, attributes and
//! `$LX*` values (module header of `special`), and all-or-nothing creation.

use super::*;
use crate::attrs::FILE_ATTRIBUTE_READONLY;
use crate::profile::{FsKind, Profile};
use crate::{Follow, Machine, SymlinkFlags};

fn meta(uid: u32, gid: u32, mode: u16, major: u32, minor: u32) -> PosixMeta {
    PosixMeta {
        uid,
        gid,
        mode,
        rdev: DeviceNumbers { major, minor },
    }
}

fn ea(name: &'static str, value: &[u8]) -> LxEa {
    LxEa {
        name,
        value: value.to_vec(),
    }
}

#[test]
fn each_kind_is_an_empty_file_with_a_header_only_reparse_point_and_lx_eas() {
    // (kind, tag bytes, $LXMOD bytes, $LXDEV bytes): mode 0o640 | type bits.
    type Case = (SpecialKind, [u8; 4], [u8; 4], Option<[u8; 8]>);
    let cases: [Case; 4] = [
        (
            SpecialKind::Fifo,
            [0x24, 0, 0, 0x80],
            [0xa0, 0x11, 0, 0],
            None,
        ),
        (
            SpecialKind::Socket,
            [0x23, 0, 0, 0x80],
            [0xa0, 0xc1, 0, 0],
            None,
        ),
        (
            SpecialKind::CharDevice,
            [0x25, 0, 0, 0x80],
            [0xa0, 0x21, 0, 0],
            Some([1, 0, 0, 0, 3, 0, 0, 0]),
        ),
        (
            SpecialKind::BlockDevice,
            [0x26, 0, 0, 0x80],
            [0xa0, 0x61, 0, 0],
            Some([1, 0, 0, 0, 3, 0, 0, 0]),
        ),
    ];
    for (kind, tag, lxmod, lxdev) in cases {
        let mut m = Machine::default();
        let info = m
            .create_special_file(r"C:\node", kind, meta(1000, 100, 0o640, 1, 3))
            .unwrap();
        assert_eq!(info.reparse_tag, Some(u32::from_le_bytes(tag)), "{kind:?}");
        assert_eq!(
            (info.size, info.is_directory, info.link_count),
            (0, false, 1)
        );
        // ARCHIVE | REPARSE_POINT, as a file WSL creates.
        assert_eq!(info.attributes, 0x420, "{kind:?}");
        let raw = m.get_reparse_point(r"C:\node").unwrap();
        assert_eq!(raw, [&tag[..], &[0, 0, 0, 0]].concat(), "{kind:?}");
        assert_eq!(kind_of(&info), Some(kind));
        let mut want = vec![
            ea("$LXUID", &[0xe8, 0x03, 0, 0]),
            ea("$LXGID", &[100, 0, 0, 0]),
            ea("$LXMOD", &lxmod),
        ];
        if let Some(dev) = lxdev {
            want.push(ea("$LXDEV", &dev));
        }
        assert_eq!(
            m.lx_extended_attributes_of(info.id).unwrap(),
            want,
            "{kind:?}"
        );
        let expect_rdev = if lxdev.is_some() { (1, 3) } else { (0, 0) };
        assert_eq!((info.posix.rdev.major, info.posix.rdev.minor), expect_rdev);
    }
}

#[test]
fn type_bits_of_every_node_kind() {
    let mut m = Machine::default();
    m.create_directory(r"C:\d").unwrap();
    m.write_file(r"C:\f", b"x").unwrap();
    m.create_junction(r"C:\j", r"C:\d").unwrap();
    m.create_symbolic_link(r"C:\s", "f", SymlinkFlags::default())
        .unwrap();
    let q = |m: &Machine, p: &str| m.query_information(p, Follow::OpenReparsePoint).unwrap();
    let cases = [
        (r"C:\d", S_IFDIR),
        (r"C:\f", S_IFREG),
        (r"C:\j", S_IFLNK),
        (r"C:\s", S_IFLNK),
    ];
    for (path, bits) in cases {
        assert_eq!(type_bits(&q(&m, path)), bits, "{path}");
    }
    let d = q(&m, r"C:\d");
    let f = q(&m, r"C:\f");
    // $LXMOD of a directory and a file: the type bits with the permission bits.
    assert_eq!(
        lx_extended_attributes(&d)[2].value,
        0o40755u32.to_le_bytes()
    );
    assert_eq!(
        lx_extended_attributes(&f)[2].value,
        0o100644u32.to_le_bytes()
    );
    assert_eq!(lx_extended_attributes(&f).len(), 3, "no $LXDEV on a file");
    for kind in SpecialKind::ALL {
        assert_eq!(SpecialKind::of_mode(kind.type_bits() | 0o644), Some(kind));
        assert_eq!(SpecialKind::of_tag(kind.tag()), Some(kind));
    }
    assert_eq!(SpecialKind::of_mode(S_IFREG | 0o644), None);
    assert_eq!(SpecialKind::of_mode(S_IFDIR), None);
}

#[test]
fn chmod_and_chown_show_in_the_lx_eas_and_keep_the_device_numbers() {
    let mut m = Machine::default();
    let info = m
        .create_special_file(r"C:\tty", SpecialKind::CharDevice, meta(0, 0, 0o600, 4, 64))
        .unwrap();
    m.set_posix_of(info.id, Some(7), Some(8), Some(0o444))
        .unwrap();
    let after = m.info(info.id).unwrap();
    assert_eq!(after.posix, meta(7, 8, 0o444, 4, 64));
    assert_eq!(after.reparse_tag, Some(IO_REPARSE_TAG_LX_CHR));
    // No write bit left: READONLY, as for any file in the Linux view.
    assert_ne!(after.attributes & FILE_ATTRIBUTE_READONLY, 0);
    assert_eq!(
        lx_extended_attributes(&after),
        vec![
            ea("$LXUID", &[7, 0, 0, 0]),
            ea("$LXGID", &[8, 0, 0, 0]),
            ea("$LXMOD", &0o20444u32.to_le_bytes()),
            ea("$LXDEV", &[4, 0, 0, 0, 64, 0, 0, 0]),
        ]
    );
}

#[test]
fn fifo_and_socket_drop_device_numbers() {
    let mut m = Machine::default();
    for (path, kind) in [(r"C:\p", SpecialKind::Fifo), (r"C:\s", SpecialKind::Socket)] {
        let info = m
            .create_special_file(path, kind, meta(0, 0, 0o644, 9, 9))
            .unwrap();
        assert_eq!(info.posix.rdev, DeviceNumbers::default(), "{path}");
    }
}

#[test]
fn creation_is_all_or_nothing() {
    let mut m = Machine::with_volumes(
        &[('C', FsKind::Ntfs), ('E', FsKind::Fat32)],
        Profile::default(),
    )
    .unwrap();
    m.write_file(r"C:\taken", b"data").unwrap();
    let before = |m: &Machine| {
        m.volume_infos()
            .iter()
            .map(|v| (v.nodes, v.bytes))
            .collect::<Vec<_>>()
    };
    let start = before(&m);
    let fifo = meta(0, 0, 0o644, 0, 0);
    let cases = [
        (r"C:\taken", NtError::ObjectNameCollision),
        (r"C:\TAKEN", NtError::ObjectNameCollision),
        (r"E:\fifo", NtError::InvalidDeviceRequest),
        (r"C:\bad|name", NtError::ObjectNameInvalid),
        (r"C:\missing\fifo", NtError::ObjectNameNotFound),
    ];
    for (path, err) in cases {
        assert_eq!(
            m.create_special_file(path, SpecialKind::Fifo, fifo)
                .unwrap_err(),
            err,
            "{path}"
        );
        assert_eq!(before(&m), start, "{path} changed the volume");
    }
    assert_eq!(m.read_file(r"C:\taken").unwrap(), b"data");
    assert_eq!(
        m.get_reparse_point(r"C:\taken").unwrap_err(),
        NtError::NotAReparsePoint
    );
}

/// Removing the reparse point (fsutil reparsepoint delete) leaves a plain empty
/// file: no device numbers stay behind, so setting LX_CHR again gives 0:0.
#[test]
fn removing_the_tag_drops_the_device_numbers() {
    let mut m = Machine::default();
    let info = m
        .create_special_file(r"C:\tty", SpecialKind::CharDevice, meta(0, 0, 0o600, 4, 64))
        .unwrap();
    m.remove_reparse_point(r"C:\tty").unwrap();
    let plain = m.info(info.id).unwrap();
    assert_eq!((plain.reparse_tag, plain.attributes), (None, 0x20));
    assert_eq!(plain.posix.rdev, DeviceNumbers::default());
    m.set_reparse_point(r"C:\tty", &SpecialKind::CharDevice.reparse_buffer())
        .unwrap();
    let again = m.info(info.id).unwrap();
    assert_eq!(kind_of(&again), Some(SpecialKind::CharDevice));
    assert_eq!(lx_extended_attributes(&again)[3].value, [0; 8]);
}
