//! Shared helpers of the mount tests: a machine mounted in a fresh directory.
//! The tests need root and /dev/fuse; without FUSE they skip, except under CI=true,
//! where a missing FUSE is a failure.
#![allow(dead_code)]

use ntlinkfs_core::{Machine, Shared};
use ntlinkfs_fuse::{mount, Mount, MountOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct TestMount {
    pub root: PathBuf,
    pub m: Shared,
    pub mount: Option<Mount>,
}

impl TestMount {
    pub fn path(&self, rel: &str) -> PathBuf {
        self.root.join(rel)
    }

    pub fn unmount(&mut self) {
        if let Some(m) = self.mount.take() {
            m.unmount().expect("unmount");
        }
    }
}

impl Drop for TestMount {
    fn drop(&mut self) {
        self.unmount();
        let _ = std::fs::remove_dir(&self.root);
    }
}

/// True when FUSE can be used; panics under CI=true when it cannot.
pub fn fuse_available() -> bool {
    let ok = Path::new("/dev/fuse").exists() && unsafe_free_geteuid() == 0;
    if !ok && std::env::var("CI").is_ok_and(|v| v == "true") {
        panic!("CI=true but FUSE is not usable here (/dev/fuse and root are required)");
    }
    if !ok {
        eprintln!("skipping: /dev/fuse missing or not root");
    }
    ok
}

fn unsafe_free_geteuid() -> u32 {
    // SAFETY: geteuid cannot fail.
    unsafe { libc::geteuid() }
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

pub fn fresh_dir(tag: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let d = std::env::temp_dir().join(format!("ntlinkfs-{tag}-{}-{n}", std::process::id()));
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Mounts `m` with `opts`, or None when FUSE is unavailable (and CI is unset).
pub fn mount_with(m: Machine, opts: MountOptions) -> Option<TestMount> {
    if !fuse_available() {
        return None;
    }
    let root = fresh_dir("mnt");
    let m = Shared::new(m);
    let mount = mount(m.clone(), &root, &opts).expect("mount");
    Some(TestMount {
        root,
        m,
        mount: Some(mount),
    })
}

pub fn mount_default() -> Option<TestMount> {
    mount_with(Machine::default(), MountOptions::default())
}

/// The errno of an io::Error.
pub fn errno(e: std::io::Error) -> i32 {
    e.raw_os_error().expect("an OS error")
}

/// getxattr through libc; Err(errno).
pub fn getxattr(p: &Path, name: &str) -> Result<Vec<u8>, i32> {
    let cp = cstr(p);
    let cn = std::ffi::CString::new(name).unwrap();
    let mut buf = vec![0u8; 65536];
    // SAFETY: valid C strings and a buffer of the given length.
    let n =
        unsafe { libc::lgetxattr(cp.as_ptr(), cn.as_ptr(), buf.as_mut_ptr().cast(), buf.len()) };
    if n < 0 {
        return Err(last_errno());
    }
    buf.truncate(n as usize);
    Ok(buf)
}

pub fn setxattr(p: &Path, name: &str, value: &[u8], flags: i32) -> Result<(), i32> {
    let cp = cstr(p);
    let cn = std::ffi::CString::new(name).unwrap();
    // SAFETY: valid C strings and a value buffer of the given length.
    let r = unsafe {
        libc::lsetxattr(
            cp.as_ptr(),
            cn.as_ptr(),
            value.as_ptr().cast(),
            value.len(),
            flags,
        )
    };
    if r < 0 {
        Err(last_errno())
    } else {
        Ok(())
    }
}

pub fn removexattr(p: &Path, name: &str) -> Result<(), i32> {
    let cp = cstr(p);
    let cn = std::ffi::CString::new(name).unwrap();
    // SAFETY: valid C strings.
    let r = unsafe { libc::lremovexattr(cp.as_ptr(), cn.as_ptr()) };
    if r < 0 {
        Err(last_errno())
    } else {
        Ok(())
    }
}

pub fn renameat2(from: &Path, to: &Path, flags: u32) -> Result<(), i32> {
    let (a, b) = (cstr(from), cstr(to));
    // SAFETY: valid C strings; AT_FDCWD for both directories.
    let r = unsafe {
        libc::renameat2(
            libc::AT_FDCWD,
            a.as_ptr(),
            libc::AT_FDCWD,
            b.as_ptr(),
            flags,
        )
    };
    if r < 0 {
        Err(last_errno())
    } else {
        Ok(())
    }
}

fn cstr(p: &Path) -> std::ffi::CString {
    use std::os::unix::ffi::OsStrExt;
    std::ffi::CString::new(p.as_os_str().as_bytes()).unwrap()
}

fn last_errno() -> i32 {
    std::io::Error::last_os_error().raw_os_error().unwrap()
}

/// Waits (up to 10 s) for a condition that the kernel makes true asynchronously,
/// such as a release after close.
pub fn eventually(cond: impl Fn() -> bool) {
    for _ in 0..1000 {
        if cond() {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(10));
    }
    panic!("condition not reached within 10 s");
}
