//! How the shell shows what Linux made through a mount: WSL special files and
//! LX symbolic links, listed and queried as cmd.exe does on Windows.

use ntlinkfs_core::{DeviceNumbers, FixedClock, Machine, NtError, PosixMeta, SpecialKind};
use ntlinkfs_shell::Shell;
use std::sync::Arc;

/// Owned by root, group `gid`, with this mode and device number.
fn owned_by_root(gid: u32, mode: u16, (major, minor): (u32, u32)) -> PosixMeta {
    let rdev = DeviceNumbers { major, minor };
    PosixMeta {
        uid: 0,
        gid,
        mode,
        rdev,
    }
}

/// The shell shows them as Windows does: `dir` lists a plain 0-byte file (cmd
/// names only junctions and symlinks), `dir /AL` lists them as reparse points,
/// `fsutil reparsepoint query` prints the Microsoft tag, data length 0 and no
/// data bytes, and opening one without FILE_FLAG_OPEN_REPARSE_POINT fails with
/// STATUS_IO_REPARSE_TAG_NOT_HANDLED ("The file cannot be accessed by the
/// system.", ERROR_CANT_ACCESS_FILE 1920): no Windows filter handles the tag.
#[test]
fn the_shell_shows_them_as_windows_does() {
    let mut m = Machine::default();
    m.set_clock(Arc::new(FixedClock(133_500_000_000_000_000)));
    m.create_directory(r"C:\dev").unwrap();
    let plain = owned_by_root(0, 0o644, (0, 0));
    m.create_special_file(r"C:\dev\pipe", SpecialKind::Fifo, plain)
        .unwrap();
    m.create_special_file(
        r"C:\dev\tty",
        SpecialKind::CharDevice,
        owned_by_root(5, 0o620, (4, 1)),
    )
    .unwrap();
    m.write_file(r"C:\dev\f.txt", b"abc").unwrap();
    let mut sh = Shell::new(m);
    let dir = sh.execute(r"dir C:\dev").output;
    for line in [
        "01/17/2024  09:20 PM                 0 pipe\n",
        "01/17/2024  09:20 PM                 0 tty\n",
        "               3 File(s)              3 bytes\n",
    ] {
        assert!(dir.contains(line), "{dir}");
    }
    let links = sh.execute(r"dir /AL C:\dev").output;
    assert!(
        links.contains("               2 File(s)              0 bytes\n"),
        "{links}"
    );
    for (path, tag) in [
        (r"C:\dev\pipe", "0x80000024"),
        (r"C:\dev\tty", "0x80000025"),
    ] {
        let o = sh.execute(&format!("fsutil reparsepoint query {path}"));
        assert_eq!(
            o.output,
            format!(
                "Reparse Tag Value : {tag}\nTag value: Microsoft\n\n\
                 Reparse Data Length: 0x00000000\nReparse Data:\n"
            )
        );
    }
    let o = sh.execute(r"type C:\dev\pipe");
    assert_eq!(o.output, "The file cannot be accessed by the system.\n");
    let e = o.failure.unwrap().error.unwrap();
    assert_eq!((e, e.win32()), (NtError::IoReparseTagNotHandled, 1920));
}

/// A symlink made from Linux as WSL stores it is listed by `dir` as cmd lists
/// it: a junction whose target it cannot read (S27, issue 11 item 5).
#[test]
fn dir_lists_an_lx_symlink_as_an_unreadable_junction_s27() {
    let mut m = Machine::default();
    let root = m.resolve_node(r"C:\").unwrap();
    m.create_lx_symlink_at(root, "lx", b"/etc/passwd").unwrap();
    let mut sh = Shell::new(m);
    let out = sh.execute(r"dir C:\").output;
    let line = out.lines().find(|l| l.contains(" lx")).unwrap();
    assert!(line.ends_with("<JUNCTION>     lx [...]"), "{line}");
}
