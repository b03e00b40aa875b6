//! Op constructors and readers that make the rule tests' rows read like the
//! Win32 calls. The machine, the drawn-tree fixtures, the invariant checks and
//! the snapshot come from [`ntlinkfs_core::testing`], re-exported here.
#![allow(dead_code)]

pub use ntlinkfs_core::testing::*;
use ntlinkfs_core::{
    FileInfo, Follow, HandleId, LinkOptions, Machine, MoveFlags, Op, OpenOptions, Outcome,
    SymlinkFlags,
};

// ---- Op constructors: rows read like the Win32 calls --------------------------

pub fn create_file(p: &str) -> Op {
    Op::CreateFile { path: p.into() }
}
pub fn mkdir(p: &str) -> Op {
    Op::CreateDirectory { path: p.into() }
}
pub fn write(p: &str, data: &[u8]) -> Op {
    Op::WriteFile {
        path: p.into(),
        data: data.to_vec(),
    }
}
pub fn read(p: &str) -> Op {
    Op::ReadFile { path: p.into() }
}
pub fn del(p: &str) -> Op {
    Op::DeleteFile { path: p.into() }
}
pub fn rmdir(p: &str) -> Op {
    Op::RemoveDirectory { path: p.into() }
}
pub fn mv(from: &str, to: &str) -> Op {
    Op::MoveFile {
        from: from.into(),
        to: to.into(),
        flags: MoveFlags::default(),
    }
}
pub fn mv_replace(from: &str, to: &str) -> Op {
    Op::MoveFile {
        from: from.into(),
        to: to.into(),
        flags: MoveFlags {
            replace_existing: true,
            copy_allowed: false,
        },
    }
}
pub fn mv_copy(from: &str, to: &str) -> Op {
    Op::MoveFile {
        from: from.into(),
        to: to.into(),
        flags: MoveFlags {
            replace_existing: false,
            copy_allowed: true,
        },
    }
}
pub fn hard(link: &str, existing: &str) -> Op {
    Op::CreateHardLink {
        link: link.into(),
        existing: existing.into(),
        options: LinkOptions::default(),
    }
}
pub fn hard_ex(link: &str, existing: &str, replace: bool, ignore_readonly: bool) -> Op {
    Op::CreateHardLink {
        link: link.into(),
        existing: existing.into(),
        options: LinkOptions {
            replace_if_exists: replace,
            ignore_readonly,
            posix_semantics: false,
        },
    }
}
pub fn symlink(link: &str, target: &str) -> Op {
    Op::CreateSymbolicLink {
        link: link.into(),
        target: target.into(),
        flags: SymlinkFlags::default(),
    }
}
pub fn symlinkd(link: &str, target: &str) -> Op {
    Op::CreateSymbolicLink {
        link: link.into(),
        target: target.into(),
        flags: SymlinkFlags {
            directory: true,
            allow_unprivileged_create: false,
        },
    }
}
pub fn symlink_flags(link: &str, target: &str, directory: bool, unprivileged: bool) -> Op {
    Op::CreateSymbolicLink {
        link: link.into(),
        target: target.into(),
        flags: SymlinkFlags {
            directory,
            allow_unprivileged_create: unprivileged,
        },
    }
}
pub fn junction(link: &str, target: &str) -> Op {
    Op::CreateJunction {
        link: link.into(),
        target: target.into(),
    }
}
pub fn set_rp(p: &str, buffer: Vec<u8>) -> Op {
    Op::SetReparsePoint {
        path: p.into(),
        buffer,
    }
}
pub fn get_rp(p: &str) -> Op {
    Op::GetReparsePoint { path: p.into() }
}
pub fn del_rp(p: &str, request: Vec<u8>) -> Op {
    Op::DeleteReparsePoint {
        path: p.into(),
        request,
    }
}
pub fn stat(p: &str) -> Op {
    Op::QueryInformation {
        path: p.into(),
        follow: Follow::Reparse,
    }
}
pub fn lstat(p: &str) -> Op {
    Op::QueryInformation {
        path: p.into(),
        follow: Follow::OpenReparsePoint,
    }
}
pub fn attrs_op(p: &str) -> Op {
    Op::GetFileAttributes { path: p.into() }
}
pub fn set_attrs(p: &str, attributes: u32) -> Op {
    Op::SetFileAttributes {
        path: p.into(),
        attributes,
    }
}
pub fn dir_list(p: &str) -> Op {
    Op::Enumerate { path: p.into() }
}
pub fn names_op(p: &str) -> Op {
    Op::FindFileNames { path: p.into() }
}
pub fn open(p: &str, options: OpenOptions) -> Op {
    Op::Open {
        path: p.into(),
        options,
    }
}
pub fn cd(p: &str) -> Op {
    Op::SetCurrentDir { path: p.into() }
}

// ---- Reading results -----------------------------------------------------------

/// Information of `path` (links followed).
pub fn info(m: &Machine, path: &str) -> FileInfo {
    m.query_information(path, Follow::Reparse)
        .unwrap_or_else(|e| panic!("stat {path}: {e:?}"))
}

/// Information of the object at `path` itself (links not followed).
pub fn linfo(m: &Machine, path: &str) -> FileInfo {
    m.query_information(path, Follow::OpenReparsePoint)
        .unwrap_or_else(|e| panic!("lstat {path}: {e:?}"))
}

/// Reads a whole file (links followed); invariants checked.
pub fn contents(m: &mut Machine, path: &str) -> Vec<u8> {
    match ok(m, read(path)) {
        Outcome::Bytes(b) => b,
        o => panic!("unexpected {o:?}"),
    }
}

/// The handle an `Op::Open` returned.
pub fn handle(o: Outcome) -> HandleId {
    match o {
        Outcome::Handle(h) => h,
        o => panic!("not a handle: {o:?}"),
    }
}

/// Entry names of a directory (links followed), in enumeration order.
pub fn listing(m: &Machine, path: &str) -> Vec<String> {
    m.enumerate(path)
        .unwrap_or_else(|e| panic!("dir {path}: {e:?}"))
        .into_iter()
        .map(|e| e.name.to_string())
        .collect()
}

/// `fsutil hardlink list`: the volume-relative path of every name.
pub fn hardlink_list(m: &Machine, path: &str) -> Vec<String> {
    m.find_file_names(path)
        .unwrap_or_else(|e| panic!("names {path}: {e:?}"))
        .into_iter()
        .map(|n| n.path)
        .collect()
}
