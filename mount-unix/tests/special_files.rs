//! FIFOs, sockets and devices through the mount: mknod(2) makes WSL's reparse
//! points in the core, and nodes the core holds show with their type, mode and
//! st_rdev in stat and in readdir (d_type). The kernel, not the daemon, opens a
//! FIFO: data written at one end is read at the other.
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use ntlinkfs_core::special::SpecialKind;
use ntlinkfs_core::{DeviceNumbers, Follow, PosixMeta};
use std::ffi::CString;
use std::fs;
use std::io::{Read, Write};
use std::os::unix::ffi::OsStrExt;
use std::os::unix::fs::{FileTypeExt, MetadataExt, PermissionsExt};
use std::path::Path;

fn mknod(p: &Path, mode: u32, dev: u64) -> i32 {
    let c = CString::new(p.as_os_str().as_bytes()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    unsafe { libc::mknod(c.as_ptr(), mode, dev) }
}

#[test]
fn mknod_makes_wsl_special_files_and_stat_readdir_show_them() {
    let Some(t) = mount_default() else { return };
    assert_eq!(mknod(&t.path("C/pipe"), libc::S_IFIFO | 0o640, 0), 0);
    assert_eq!(
        mknod(
            &t.path("C/tty"),
            libc::S_IFCHR | 0o600,
            libc::makedev(4, 64)
        ),
        0
    );
    assert_eq!(
        mknod(
            &t.path("C/disk"),
            libc::S_IFBLK | 0o600,
            libc::makedev(8, 0x12345)
        ),
        0
    );
    assert_eq!(mknod(&t.path("C/sock"), libc::S_IFSOCK | 0o755, 0), 0);
    // The core holds header-only WSL reparse points and the derived $LX* values.
    {
        let m = t.m.read();
        let cases = [
            (r"C:\pipe", 0x8000_0024u32),
            (r"C:\tty", 0x8000_0025),
            (r"C:\disk", 0x8000_0026),
            (r"C:\sock", 0x8000_0023),
        ];
        for (path, tag) in cases {
            let mut want = tag.to_le_bytes().to_vec();
            want.extend_from_slice(&[0, 0, 0, 0]);
            assert_eq!(m.get_reparse_point(path).unwrap(), want, "{path}");
        }
        let tty = m
            .query_information(r"C:\tty", Follow::OpenReparsePoint)
            .unwrap();
        let eas = m.lx_extended_attributes_of(tty.id).unwrap();
        assert_eq!(eas[2].value, (libc::S_IFCHR | 0o600).to_le_bytes());
        assert_eq!(
            (eas[3].name, &eas[3].value[..]),
            ("$LXDEV", &[4, 0, 0, 0, 64, 0, 0, 0][..])
        );
    }
    let md = |n: &str| fs::symlink_metadata(t.path(n)).unwrap();
    assert_eq!(md("C/pipe").mode(), libc::S_IFIFO | 0o640);
    assert_eq!(
        (md("C/tty").mode(), md("C/tty").rdev()),
        (libc::S_IFCHR | 0o600, libc::makedev(4, 64))
    );
    assert_eq!(md("C/disk").rdev(), libc::makedev(8, 0x12345));
    assert!(md("C/sock").file_type().is_socket());
    // readdir's d_type.
    let mut types: Vec<(String, &str)> = fs::read_dir(t.path("C"))
        .unwrap()
        .map(|e| {
            let e = e.unwrap();
            let ft = e.file_type().unwrap();
            let k = if ft.is_fifo() {
                "fifo"
            } else if ft.is_char_device() {
                "chr"
            } else if ft.is_block_device() {
                "blk"
            } else if ft.is_socket() {
                "sock"
            } else {
                "other"
            };
            (e.file_name().into_string().unwrap(), k)
        })
        .collect();
    types.sort();
    assert_eq!(
        types,
        [
            ("disk".to_string(), "blk"),
            ("pipe".to_string(), "fifo"),
            ("sock".to_string(), "sock"),
            ("tty".to_string(), "chr"),
        ]
    );
    // chmod and chown keep the type and the device numbers.
    fs::set_permissions(t.path("C/tty"), fs::Permissions::from_mode(0o644)).unwrap();
    std::os::unix::fs::lchown(t.path("C/tty"), Some(7), Some(8)).unwrap();
    let tty = md("C/tty");
    assert_eq!(
        (tty.mode(), tty.uid(), tty.gid(), tty.rdev()),
        (libc::S_IFCHR | 0o644, 7, 8, libc::makedev(4, 64))
    );
}

#[test]
fn a_fifo_on_the_mount_is_a_pipe_and_core_made_nodes_show() {
    let Some(t) = mount_default() else { return };
    t.m.write()
        .create_special_file(
            r"C:\made",
            SpecialKind::BlockDevice,
            PosixMeta {
                uid: 0,
                gid: 6,
                mode: 0o660,
                rdev: DeviceNumbers { major: 7, minor: 1 },
            },
        )
        .unwrap();
    let made = fs::symlink_metadata(t.path("C/made")).unwrap();
    assert_eq!(
        (made.mode(), made.gid(), made.rdev()),
        (libc::S_IFBLK | 0o660, 6, libc::makedev(7, 1))
    );
    let pipe = t.path("C/fifo");
    assert_eq!(mknod(&pipe, libc::S_IFIFO | 0o644, 0), 0);
    let reader = {
        let pipe = pipe.clone();
        std::thread::spawn(move || {
            let mut s = String::new();
            fs::File::open(pipe)
                .unwrap()
                .read_to_string(&mut s)
                .unwrap();
            s
        })
    };
    fs::OpenOptions::new()
        .write(true)
        .open(&pipe)
        .unwrap()
        .write_all(b"through the kernel's pipe")
        .unwrap();
    assert_eq!(reader.join().unwrap(), "through the kernel's pipe");
}
