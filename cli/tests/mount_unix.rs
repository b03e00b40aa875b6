//! `ntlinkfs mount` as a process: clean unmount on SIGTERM and SIGINT, a killed
//! daemon's stale mount cleared by the next mount, --background, `unmount`, and
//! mklink / fsutil against the mounted volume. Needs root and /dev/fuse; skips
//! without them unless CI=true.
#![cfg(target_os = "linux")]

use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn fuse_available() -> bool {
    // SAFETY: geteuid cannot fail.
    let ok = Path::new("/dev/fuse").exists() && unsafe { libc::geteuid() } == 0;
    if !ok && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but FUSE is not usable (/dev/fuse and root are required)");
    }
    ok
}

fn exe() -> Command {
    Command::new(env!("CARGO_BIN_EXE_ntlinkfs"))
}

fn fresh(tag: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("ntlinkfs-cli-{tag}-{}", std::process::id()));
    let _ = Command::new("umount").arg("-l").arg(&d).status();
    fs::create_dir_all(&d).unwrap();
    d
}

fn eventually(what: &str, cond: impl Fn() -> bool) {
    for _ in 0..1000 {
        if cond() {
            return;
        }
        std::thread::sleep(Duration::from_millis(10));
    }
    panic!("{what}: not reached within 10 s");
}

fn mounted(mp: &Path) -> bool {
    let mounts = fs::read_to_string("/proc/self/mounts").unwrap();
    let mp = mp.canonicalize().unwrap_or(mp.to_path_buf());
    mounts.lines().any(|l| l.split(' ').nth(1) == mp.to_str())
}

fn start(mp: &Path) -> Child {
    let child = exe()
        .arg("mount")
        .arg(mp)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eventually("mounted", || mp.join("C").is_dir());
    child
}

fn signal(child: &Child, sig: i32) {
    // SAFETY: sending a signal to our own child process.
    assert_eq!(unsafe { libc::kill(child.id() as i32, sig) }, 0);
}

#[test]
fn sigterm_and_sigint_unmount_cleanly() {
    if !fuse_available() {
        return;
    }
    for sig in [libc::SIGTERM, libc::SIGINT] {
        let mp = fresh(&format!("sig{sig}"));
        let mut child = start(&mp);
        fs::write(mp.join("C/f"), b"x").unwrap();
        signal(&child, sig);
        let status = child.wait().unwrap();
        assert!(status.success(), "{status}");
        assert!(!mounted(&mp), "no mount left behind");
        assert!(
            fs::metadata(&mp).is_ok(),
            "no stale 'Transport endpoint is not connected'"
        );
        fs::remove_dir(&mp).unwrap();
    }
}

/// The error a dead daemon's mount answers. Over io_uring the connection is
/// cut only once the kernel has torn the daemon's rings down, just after the
/// process is gone: a request that comes in between fails with ECONNABORTED
/// or ECANCELED, so those mean "not yet" (at most a few seconds).
fn stale_error(mp: &Path) -> Option<i32> {
    for _ in 0..500 {
        let e = fs::read_dir(mp).err()?.raw_os_error();
        if !matches!(e, Some(libc::ECONNABORTED | libc::ECANCELED)) {
            return e;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    Some(libc::ECONNABORTED)
}

#[test]
fn a_killed_daemons_mount_is_cleared_by_the_next_mount() {
    if !fuse_available() {
        return;
    }
    let mp = fresh("stale");
    let mut child = start(&mp);
    signal(&child, libc::SIGKILL);
    child.wait().unwrap();
    assert_eq!(stale_error(&mp), Some(libc::ENOTCONN), "a stale mount");
    let log = mp.with_extension("log");
    let out = exe()
        .args(["mount", "--background"])
        .arg(&mp)
        .stderr(fs::File::create(&log).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success());
    let stdout = String::from_utf8(out.stdout).unwrap();
    let pid: i32 = stdout
        .trim()
        .rsplit(' ')
        .next()
        .unwrap()
        .trim_end_matches(')')
        .parse()
        .unwrap();
    assert!(
        mp.join("D").is_dir(),
        "--background returns once the mount is live"
    );
    let msg = fs::read_to_string(&log).unwrap();
    assert!(msg.contains("cleared a stale mount at"), "{msg}");
    let st = exe().arg("unmount").arg(&mp).status().unwrap();
    assert!(st.success());
    assert!(!mounted(&mp));
    eventually("daemon exit", || {
        !Path::new(&format!("/proc/{pid}")).exists()
            || fs::read_to_string(format!("/proc/{pid}/stat")).is_ok_and(|s| s.contains(") Z "))
    });
    let again = exe().arg("unmount").arg(&mp).output().unwrap();
    assert!(!again.status.success());
    assert!(String::from_utf8_lossy(&again.stderr).contains("is not mounted"));
    let _ = fs::remove_file(&log);
    fs::remove_dir(&mp).unwrap();
}

#[test]
fn script_fixture_mklink_and_fsutil_against_the_mount() {
    if !fuse_available() {
        return;
    }
    let mp = fresh("mklink");
    let script = mp.with_extension("cmd");
    fs::write(&script, "mkdir C:\\data\r\necho hi> C:\\data\\f.txt\r\n").unwrap();
    let log = mp.with_extension("log");
    let out = exe()
        .args(["mount", "--background", "--script"])
        .arg(&script)
        .arg(&mp)
        .stderr(fs::File::create(&log).unwrap())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        fs::read_to_string(&log).unwrap()
    );
    let run = |args: &[&str]| {
        let o = exe().args(args).current_dir(mp.join("C")).output().unwrap();
        (o.status.success(), String::from_utf8(o.stdout).unwrap())
    };
    let rows: &[(&[&str], bool, &str)] = &[
        (
            &["mklink", "/J", "j", r"C:\data"],
            true,
            "Junction created for j <<===>> C:\\data\n",
        ),
        (
            &["mklink", "/H", "h.txt", r"C:\data\f.txt"],
            true,
            "Hardlink created for h.txt <<===>> C:\\data\\f.txt\n",
        ),
        (
            &["mklink", "s.txt", r"data\f.txt"],
            true,
            "symbolic link created for s.txt <<===>> data\\f.txt\n",
        ),
        (
            &["mklink", "/D", "sd", r"..\C\data"],
            true,
            "symbolic link created for sd <<===>> ..\\C\\data\n",
        ),
        (
            &["mklink", "/J", "j", r"C:\data"],
            false,
            "Cannot create a file when that file already exists.\n",
        ),
        (
            &["mklink", "/H", "../D/x", r"C:\data\f.txt"],
            false,
            "The new link and the existing file must be on the same NTFS volume.\n",
        ),
        (
            &["fsutil", "hardlink", "list", "h.txt"],
            true,
            "\\data\\f.txt\n\\h.txt\n",
        ),
        (
            &["fsutil", "reparsepoint", "query", "data"],
            false,
            "Error:  The file or directory is not a reparse point.\n",
        ),
    ];
    for (args, ok, want) in rows {
        let (success, out) = run(args);
        assert_eq!((success, out.as_str()), (*ok, *want), "{args:?}");
    }
    assert_eq!(fs::read_to_string(mp.join("C/j/f.txt")).unwrap(), "hi\r\n");
    assert_eq!(fs::read_to_string(mp.join("C/s.txt")).unwrap(), "hi\r\n");
    let (_, q) = run(&["fsutil", "reparsepoint", "query", "j"]);
    assert!(q.starts_with("Reparse Tag Value : 0xa0000003\n"), "{q}");
    assert!(q.contains("Substitute Name:       \\??\\C:\\data\n"), "{q}");
    assert!(exe().arg("unmount").arg(&mp).status().unwrap().success());
    let _ = fs::remove_file(&log);
    let _ = fs::remove_file(&script);
    fs::remove_dir(&mp).unwrap();
}

fn start_with_image(mp: &Path, image: &Path) -> Child {
    let child = exe()
        .arg("mount")
        .arg(mp)
        .arg("--image")
        .arg(image)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    // Listing reaches the daemon (a stat may be answered from the kernel's
    // cache of a stale mount).
    eventually("mounted", || fs::read_dir(mp.join("C")).is_ok());
    child
}

/// Issue 11: with --image, what an application fsync'd survives kill -9 of the
/// daemon (the journal beside the image is replayed by the next mount), and a
/// clean unmount folds the journal into the image.
#[test]
fn fsynced_data_survives_kill_9_of_the_daemon() {
    use std::io::Write;
    if !fuse_available() {
        return;
    }
    let mp = fresh("journal");
    let image = mp.with_extension("img");
    let journal = mp.with_extension("img.journal");
    let _ = fs::remove_file(&image);
    let _ = fs::remove_file(&journal);
    let mut child = start_with_image(&mp, &image);
    // Three chunks and a bit, so the frame carries a multi-chunk record.
    let mut data: Vec<u8> = (0..200_003u32).map(|i| (i * 7 % 251) as u8).collect();
    let mut f = fs::File::create(mp.join("C/synced.bin")).unwrap();
    f.write_all(&data).unwrap();
    f.sync_all().unwrap();
    // Then a change inside it and a cut, each fsync'd (journalled as deltas).
    use std::os::unix::fs::FileExt;
    f.write_all_at(b"patched", 70_000).unwrap();
    data[70_000..70_007].copy_from_slice(b"patched");
    f.sync_data().unwrap();
    f.set_len(150_000).unwrap();
    data.truncate(150_000);
    f.sync_all().unwrap();
    drop(f);
    // fsyncdir commits too: a directory and a file made since.
    fs::create_dir(mp.join("C/dir")).unwrap();
    fs::write(mp.join("C/dir/in.txt"), b"in a directory").unwrap();
    fs::File::open(mp.join("C/dir"))
        .unwrap()
        .sync_all()
        .unwrap();
    // Changes nobody fsync'd: they may be lost, but must not damage the rest.
    fs::write(mp.join("C/unsynced.txt"), b"maybe lost").unwrap();
    fs::write(mp.join("C/synced.bin"), b"overwritten, not synced").unwrap();
    fs::remove_file(mp.join("C/dir/in.txt")).unwrap();
    signal(&child, libc::SIGKILL);
    child.wait().unwrap();
    assert!(journal.is_file(), "the journal is beside the image");
    let info = exe().args(["image", "info"]).arg(&image).output().unwrap();
    let said = String::from_utf8(info.stdout).unwrap();
    assert!(
        said.contains("bytes of changes not in the image yet (the next load replays them)"),
        "{said}"
    );

    // The next mount clears the stale mount and replays the journal.
    let mut child = start_with_image(&mp, &image);
    assert_eq!(fs::read(mp.join("C/synced.bin")).unwrap(), data);
    assert_eq!(
        fs::read(mp.join("C/dir/in.txt")).unwrap(),
        b"in a directory"
    );
    assert!(!journal.exists(), "folded into the image at mount");
    fs::write(mp.join("C/late.txt"), b"saved at unmount").unwrap();
    signal(&child, libc::SIGTERM);
    assert!(child.wait().unwrap().success());
    assert!(!journal.exists(), "a clean unmount leaves no journal");

    let mut child = start_with_image(&mp, &image);
    assert_eq!(
        fs::read(mp.join("C/late.txt")).unwrap(),
        b"saved at unmount"
    );
    assert_eq!(fs::read(mp.join("C/synced.bin")).unwrap(), data);
    signal(&child, libc::SIGTERM);
    assert!(child.wait().unwrap().success());
    let _ = fs::remove_file(&image);
    fs::remove_dir(&mp).unwrap();
}

/// Runs `script` with `sh -c`, failing the test if it has not finished within
/// 60 s (a hang until unmount is the bug; the mount is then taken down).
fn sh_within_a_minute(script: &str, mp: &Path) -> std::process::Output {
    let child = Command::new("sh")
        .arg("-c")
        .arg(script)
        .env("NTLINKFS", env!("CARGO_BIN_EXE_ntlinkfs"))
        .env("M", mp)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let (tx, rx) = std::sync::mpsc::channel();
    std::thread::spawn(move || {
        let _ = tx.send(child.wait_with_output());
    });
    match rx.recv_timeout(Duration::from_secs(60)) {
        Ok(out) => out.unwrap(),
        Err(_) => {
            let _ = exe().arg("unmount").arg(mp).status();
            panic!("`{script}` still waits after 60 s: the daemon holds its stdio");
        }
    }
}

/// Issue 11: `--background` lets go of the caller's stdout and stderr once the
/// mount is live, so capturing its output returns at once.
#[test]
fn background_mount_under_command_substitution_returns() {
    if !fuse_available() {
        return;
    }
    let mp = fresh("capture");
    for capture in [
        r#"x=$("$NTLINKFS" mount "$M" --background); echo "$x""#,
        r#"x=$("$NTLINKFS" mount "$M" --background 2>&1); echo "$x""#,
    ] {
        let out = sh_within_a_minute(capture, &mp);
        assert!(out.status.success(), "{out:?}");
        let said = String::from_utf8(out.stdout).unwrap();
        // One line, the caller's: the daemon says nothing on the caller's
        // output once it is in the background.
        assert_eq!(said.lines().count(), 1, "{said}");
        assert!(said.starts_with("ntlinkfs: mounted at"), "{said}");
        assert!(mp.join("C").is_dir());
        assert!(exe().arg("unmount").arg(&mp).status().unwrap().success());
    }
    // Errors before the mount is live still reach the caller.
    let out = sh_within_a_minute(
        r#"x=$("$NTLINKFS" mount "$M/missing" --background 2>&1); echo "$x""#,
        &mp,
    );
    let said = String::from_utf8(out.stdout).unwrap();
    assert!(said.contains("cannot mount"), "{said}");
    fs::remove_dir(&mp).unwrap();
}

/// statvfs of `p`: (total bytes, free bytes).
fn statvfs(p: &Path) -> (u64, u64) {
    use std::os::unix::ffi::OsStrExt;
    let c = std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap();
    // SAFETY: `c` is a valid path and `st` a writable statvfs.
    let st = unsafe {
        let mut st: libc::statvfs = std::mem::zeroed();
        assert_eq!(libc::statvfs(c.as_ptr(), &mut st), 0);
        st
    };
    (st.f_blocks * st.f_frsize, st.f_bfree * st.f_frsize)
}

/// Issue 11: `--volume D:ntfs:SIZE` and `--max-memory`. Writes past the size
/// or the budget get ENOSPC and change nothing, a size past NTFS's largest file
/// EFBIG; statfs reports each volume's size and free space; the daemon stays
/// up and answers afterwards.
#[test]
fn writes_past_the_size_or_the_memory_budget_get_enospc_and_the_daemon_stays_up() {
    use std::io::Write;
    if !fuse_available() {
        return;
    }
    const MIB: u64 = 1 << 20;
    let mp = fresh("size");
    let mut child = exe()
        .arg("mount")
        .arg(&mp)
        .args([
            "--volume",
            "C:",
            "--volume",
            "D:ntfs:1M",
            "--max-memory",
            "32M",
        ])
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    eventually("mounted", || mp.join("D").is_dir());
    assert_eq!(statvfs(&mp.join("C")), (64 << 30, 64 << 30));
    assert_eq!(statvfs(&mp.join("D")), (MIB, MIB));

    // The volume's size: what fits is written, the rest is ENOSPC.
    let d = mp.join("D/f");
    let mut f = fs::File::create(&d).unwrap();
    let e = f.write_all(&vec![b'd'; MIB as usize + 1]).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOSPC));
    assert_eq!(fs::metadata(&d).unwrap().len(), MIB);
    assert_eq!(statvfs(&mp.join("D")), (MIB, 0));
    // An extension past the free space, and past NTFS's largest file.
    let e = f.set_len(2 * MIB).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOSPC));
    let e = f.set_len(ntlinkfs_core::MAX_FILE_SIZE + 1).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::EFBIG));
    {
        use std::os::fd::AsRawFd;
        // SAFETY: `f` is an open file; fallocate only reads its arguments.
        let r = unsafe { libc::fallocate(f.as_raw_fd(), 0, 0, 2 * MIB as libc::off_t) };
        assert_eq!(r, -1);
        let e = std::io::Error::last_os_error();
        assert_eq!(e.raw_os_error(), Some(libc::ENOSPC), "fallocate");
    }
    assert_eq!(fs::metadata(&d).unwrap().len(), MIB, "nothing changed");
    drop(f);
    assert_eq!(fs::read(&d).unwrap(), vec![b'd'; MIB as usize]);
    // Freed data is free space again, once the kernel's RELEASE of the read
    // above (sent after close returns) has closed the daemon's handle: until
    // then the unlinked file is open and keeps its data, as on any filesystem.
    fs::remove_file(&d).unwrap();
    eventually("the freed megabyte is free space again", || {
        statvfs(&mp.join("D")) == (MIB, MIB)
    });

    // The memory budget: C: has room on the volume, the daemon has not.
    let c = mp.join("C/big");
    let mut f = fs::File::create(&c).unwrap();
    let e = f.write_all(&vec![b'c'; 64 * MIB as usize]).unwrap_err();
    assert_eq!(e.raw_os_error(), Some(libc::ENOSPC));
    let written = fs::metadata(&c).unwrap().len();
    assert!(written > 0 && written < 32 * MIB, "{written}");
    drop(f);
    fs::remove_file(&c).unwrap();

    // The daemon is up and answers.
    assert!(child.try_wait().unwrap().is_none(), "the daemon stays up");
    fs::write(mp.join("C/after"), b"still here").unwrap();
    assert_eq!(fs::read(mp.join("C/after")).unwrap(), b"still here");
    fs::write(mp.join("D/after"), vec![1; 4096]).unwrap();
    assert_eq!(statvfs(&mp.join("D")), (MIB, MIB - 4096));

    signal(&child, libc::SIGTERM);
    assert!(child.wait().unwrap().success());
    assert!(!mounted(&mp));
    fs::remove_dir(&mp).unwrap();
}

/// `--confine`: a symlink made from Linux with an absolute target resolves from
/// the mount root, so it can never reach a host file (issue 11 item 5).
#[test]
fn confine_keeps_linux_symlinks_inside_the_mount() {
    if !fuse_available() {
        return;
    }
    let mp = fresh("confine");
    let out = exe()
        .args(["mount", "--background", "--confine"])
        .arg(&mp)
        .stderr(Stdio::null())
        .output()
        .unwrap();
    assert!(out.status.success());
    let c = mp.join("C");
    std::os::unix::fs::symlink("/etc/passwd", c.join("host")).unwrap();
    let text = fs::read_link(c.join("host")).unwrap();
    assert_eq!(text.to_str(), Some("../etc/passwd"));
    assert_eq!(
        fs::read(c.join("host")).unwrap_err().raw_os_error(),
        Some(libc::ENOENT)
    );
    assert!(exe().arg("unmount").arg(&mp).status().unwrap().success());
    fs::remove_dir(&mp).unwrap();
}

/// Issue 17: names are cached, misses included. Links made by `ntlinkfs mklink`
/// while mounted are seen at once through spellings answered "not found" just
/// before (N1), with their kind, and a hard link's count through the other name.
#[test]
fn mklink_while_mounted_is_seen_through_spellings_that_missed() {
    if !fuse_available() {
        return;
    }
    let mp = fresh("mklink-cache");
    let script = mp.with_extension("cmd");
    fs::write(&script, "mkdir C:\\data\r\necho hi> C:\\data\\f.txt\r\n").unwrap();
    let out = exe()
        .args(["mount", "--background", "--script"])
        .arg(&script)
        .arg(&mp)
        .output()
        .unwrap();
    assert!(out.status.success());
    let c = mp.join("C");
    let f = c.join("data/f.txt");
    assert_eq!(fs::metadata(&f).unwrap().nlink(), 1); // cached attributes
    type Is = fn(&fs::Metadata) -> bool;
    let rows: [(&[&str], &str, Is); 4] = [
        (&["/J", "j"], "J", |m| m.file_type().is_symlink()),
        (&["/H", "h.txt"], "H.TXT", |m| m.is_file() && m.nlink() == 2),
        (&["s.txt"], "S.TXT", |m| m.file_type().is_symlink()),
        (&["/D", "sd"], "SD", |m| m.file_type().is_symlink()),
    ];
    for (args, other, is) in rows {
        let name = args[args.len() - 1];
        for s in [name, other] {
            let e = fs::symlink_metadata(c.join(s)).unwrap_err();
            assert_eq!(e.raw_os_error(), Some(libc::ENOENT), "{s} before");
        }
        let target = if args[0] == "/H" {
            r"C:\data\f.txt"
        } else {
            r"C:\data"
        };
        let o = exe()
            .arg("mklink")
            .args(args)
            .arg(target)
            .current_dir(&c)
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&o.stdout)
        );
        for s in [name, other] {
            let md = fs::symlink_metadata(c.join(s));
            assert!(md.as_ref().is_ok_and(is), "{args:?}: {s} after: {md:?}");
        }
    }
    assert_eq!(
        fs::metadata(&f).unwrap().nlink(),
        2,
        "HL3: through the other name"
    );
    assert!(exe().arg("unmount").arg(&mp).status().unwrap().success());
    let _ = fs::remove_file(&script);
    fs::remove_dir(&mp).unwrap();
}
