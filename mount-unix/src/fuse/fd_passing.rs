//! How a mount helper (fusermount3 on Linux, mount_macfuse on macOS) hands us
//! the device it opened: over a Unix stream socket pair whose one end it
//! inherits, as one descriptor sent as SCM_RIGHTS with one byte of payload.

use std::io;
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd, RawFd};

/// A connected pair of Unix stream sockets, both close-on-exec (the helper's
/// end is made inheritable in the child only).
pub fn socket_pair() -> io::Result<(OwnedFd, OwnedFd)> {
    // Linux sets close-on-exec with the sockets; macOS has no SOCK_CLOEXEC.
    #[cfg(target_os = "linux")]
    let kind = libc::SOCK_STREAM | libc::SOCK_CLOEXEC;
    #[cfg(not(target_os = "linux"))]
    let kind = libc::SOCK_STREAM;
    let mut fds = [0 as RawFd; 2];
    // SAFETY: `fds` is a writable array of two descriptors.
    if unsafe { libc::socketpair(libc::AF_UNIX, kind, 0, fds.as_mut_ptr()) } != 0 {
        return Err(io::Error::last_os_error());
    }
    // SAFETY: socketpair returned two new descriptors that nothing else owns.
    let pair = unsafe { (OwnedFd::from_raw_fd(fds[0]), OwnedFd::from_raw_fd(fds[1])) };
    #[cfg(not(target_os = "linux"))]
    for fd in [&pair.0, &pair.1] {
        cloexec(fd)?;
    }
    Ok(pair)
}

/// Receives one descriptor sent as SCM_RIGHTS on `sock`, close-on-exec; None
/// at end of file (the helper exited without sending one).
pub fn receive_fd(sock: &OwnedFd) -> io::Result<Option<OwnedFd>> {
    // Linux marks the received descriptor close-on-exec as it arrives.
    #[cfg(target_os = "linux")]
    let flags = libc::MSG_CMSG_CLOEXEC;
    #[cfg(not(target_os = "linux"))]
    let flags = 0;
    let mut byte = [0u8; 1];
    let mut iov = libc::iovec {
        iov_base: byte.as_mut_ptr().cast(),
        iov_len: byte.len(),
    };
    // Room for one control message carrying one int, aligned for cmsghdr.
    let mut control = [0u64; 8];
    // SAFETY: CMSG_SPACE is a pure size computation.
    let space = unsafe { libc::CMSG_SPACE(std::mem::size_of::<libc::c_int>() as u32) } as usize;
    if space > std::mem::size_of_val(&control) {
        return Err(io::Error::other("control buffer too small"));
    }
    loop {
        // SAFETY: msghdr is plain data; every pointer set below outlives the call.
        let mut msg: libc::msghdr = unsafe { std::mem::zeroed() };
        msg.msg_iov = &mut iov;
        msg.msg_iovlen = 1;
        msg.msg_control = control.as_mut_ptr().cast();
        msg.msg_controllen = space as _;
        // SAFETY: `msg` describes valid buffers.
        let n = unsafe { libc::recvmsg(sock.as_raw_fd(), &mut msg, flags) };
        if n < 0 {
            let e = io::Error::last_os_error();
            if e.kind() == io::ErrorKind::Interrupted {
                continue;
            }
            return Err(e);
        }
        if n == 0 {
            return Ok(None);
        }
        // SAFETY: the kernel filled `msg`; CMSG_FIRSTHDR/CMSG_DATA walk the
        // control buffer it describes, and the descriptor it carries was just
        // received: nothing else owns it.
        let fd = unsafe {
            let c = libc::CMSG_FIRSTHDR(&msg);
            if c.is_null()
                || (*c).cmsg_level != libc::SOL_SOCKET
                || (*c).cmsg_type != libc::SCM_RIGHTS
            {
                return Err(io::Error::new(
                    io::ErrorKind::InvalidData,
                    "a message without a descriptor",
                ));
            }
            let fd = std::ptr::read_unaligned(libc::CMSG_DATA(c).cast::<libc::c_int>());
            OwnedFd::from_raw_fd(fd)
        };
        #[cfg(not(target_os = "linux"))]
        cloexec(&fd)?;
        return Ok(Some(fd));
    }
}

#[cfg(not(target_os = "linux"))]
fn cloexec(fd: &OwnedFd) -> io::Result<()> {
    // SAFETY: fcntl on a descriptor we own.
    if unsafe { libc::fcntl(fd.as_raw_fd(), libc::F_SETFD, libc::FD_CLOEXEC) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}
