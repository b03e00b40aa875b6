//! Shared helpers of the rule tests: a deterministic machine, a fixture builder
//! with a tiny line syntax, `ok`/`fails` that run `invariants::check` after every
//! operation, and a snapshot of everything observable so that a failed
//! operation can be shown to have changed nothing (STYLE 6.10).
#![allow(dead_code)]

use ntlinkfs_core::{
    invariants, Clock, DirEntryInfo, FileInfo, FileName, FileTime, Follow, HandleId, LinkOptions,
    Machine, MoveFlags, NodeId, NtError, Op, OpenOptions, Outcome, Profile, SymlinkFlags,
    VolumeInfo,
};
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Arc;

/// A clock that advances one tick per reading, so that any timestamp an
/// operation touches differs from before (a failed op that touched times shows).
pub struct TickClock(AtomicU64);

impl Clock for TickClock {
    fn now(&self) -> FileTime {
        self.0.fetch_add(1, Ordering::Relaxed)
    }
}

/// C: and D:, NTFS, Windows 11, elevated, a ticking clock.
pub fn machine() -> Machine {
    let mut m = Machine::default();
    m.set_clock(Arc::new(TickClock(AtomicU64::new(133_000_000_000_000_000))));
    m
}

/// The default machine with a named profile (`"xp"`, `"10+dev-user"` …).
pub fn machine_with(profile: &str) -> Machine {
    let mut m = machine();
    m.set_profile(profile.parse::<Profile>().expect("profile name"));
    m
}

/// Builds a fixture from lines, each `VERB PATH [ARG]`:
///
/// ```text
/// dir C:\a              md
/// file C:\a\f [text]    a file with contents
/// hard C:\b C:\a\f      CreateHardLink(new, existing)
/// junction C:\j C:\a    mklink /J
/// symlink C:\s T        mklink (file symlink)
/// symlinkd C:\s T       mklink /D
/// ro C:\a\f             set READONLY
/// cd C:\a               current directory
/// ```
pub fn build(m: &mut Machine, lines: &[&str]) {
    for line in lines {
        let mut w = line.split_whitespace();
        let verb = w.next().expect("verb");
        let a = w.next().unwrap_or("");
        let b = w.next().unwrap_or("");
        let r = match verb {
            "dir" => m.create_directory(a).map(drop),
            "file" => m.write_file(a, b.as_bytes()),
            "hard" => m.create_hard_link(a, b).map(drop),
            "junction" => m.create_junction(a, b).map(drop),
            "symlink" => m
                .create_symbolic_link(a, b, SymlinkFlags::default())
                .map(drop),
            "symlinkd" => m
                .create_symbolic_link(
                    a,
                    b,
                    SymlinkFlags {
                        directory: true,
                        ..Default::default()
                    },
                )
                .map(drop),
            "ro" => m.set_file_attributes(a, 0x1),
            "cd" => m.set_current_dir(a),
            other => panic!("unknown fixture verb {other}"),
        };
        r.unwrap_or_else(|e| panic!("fixture line {line:?}: {e:?}"));
        check(m);
    }
}

/// A machine built from fixture lines.
pub fn fixture(lines: &[&str]) -> Machine {
    let mut m = machine();
    build(&mut m, lines);
    m
}

/// Panics with the violation when an invariant is broken.
pub fn check(m: &Machine) {
    if let Err(v) = invariants::check(m) {
        panic!("invariant broken: {v}");
    }
}

/// Applies `op`, which must succeed; checks the invariants.
pub fn ok(m: &mut Machine, op: Op) -> Outcome {
    let r = m.apply(&op);
    check(m);
    r.unwrap_or_else(|e| panic!("{op:?} failed: {e:?} ({})", e.diagnostic()))
}

/// Applies `op`, which must fail with exactly `want` and change nothing; checks
/// the invariants. `rule` names the SEMANTICS rule for the failure message.
pub fn fails(m: &mut Machine, rule: &str, op: Op, want: NtError) {
    let before = snapshot(m);
    let r = m.apply(&op);
    check(m);
    assert_eq!(r, Err(want), "{rule}: {op:?}");
    let after = snapshot(m);
    assert_unchanged(rule, &op, &before, &after);
}

/// Applies `op` and returns its result; checks the invariants, and when the
/// result is an error, that nothing changed.
pub fn attempt(m: &mut Machine, op: &Op) -> Result<Outcome, NtError> {
    let before = snapshot(m);
    let r = m.apply(op);
    check(m);
    if r.is_err() {
        assert_unchanged("failed op", op, &before, &snapshot(m));
    }
    r
}

/// Compares snapshots entry by entry so a difference is readable.
pub fn assert_unchanged(rule: &str, op: &Op, before: &Snapshot, after: &Snapshot) {
    if before == after {
        return;
    }
    for (b, a) in before.entries.iter().zip(&after.entries) {
        assert_eq!(b, a, "{rule}: failed {op:?} changed an entry");
    }
    assert_eq!(
        before.entries.len(),
        after.entries.len(),
        "{rule}: failed {op:?} added or removed entries: {:#?}",
        after.entries.iter().map(|e| &e.path).collect::<Vec<_>>()
    );
    assert_eq!(before, after, "{rule}: failed {op:?} changed the machine");
}

/// Everything observable about a machine.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    pub volumes: Vec<VolumeInfo>,
    pub roots: Vec<FileInfo>,
    pub entries: Vec<Entry>,
    pub handles: Vec<(u64, FileInfo)>,
    pub open_handles: usize,
    pub current_dir: String,
    pub profile: Profile,
}

/// One directory entry with everything about the object it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    pub path: String,
    pub entry: DirEntryInfo,
    pub data: Option<Vec<u8>>,
    pub reparse: Option<Vec<u8>>,
    pub names: Vec<FileName>,
}

/// Walks every volume by id (never following a link, so it is a tree), with
/// infos, data, reparse buffers and names, plus every open handle's info.
pub fn snapshot(m: &Machine) -> Snapshot {
    let volumes = m.volume_infos();
    let mut roots = Vec::new();
    let mut entries = Vec::new();
    for v in &volumes {
        let root = m.root(v.id);
        roots.push(m.info(root).expect("root info"));
        let mut stack: Vec<(NodeId, String)> = vec![(root, format!("{}:", v.letter))];
        while let Some((dir, path)) = stack.pop() {
            for e in m.read_dir(dir, None, usize::MAX).expect("read_dir") {
                let p = format!("{path}\\{}", e.name);
                let id = e.info.id;
                if e.info.is_directory {
                    stack.push((id, p.clone()));
                }
                entries.push(Entry {
                    path: p,
                    data: m.read_node(id, 0, usize::MAX).ok(),
                    reparse: m.get_reparse_point_of(id).ok(),
                    names: m.file_names(id).expect("names"),
                    entry: e,
                });
            }
        }
    }
    let mut handles = Vec::new();
    let mut found = 0;
    let mut h = 0u64;
    while found < m.open_handle_count() && h < 100_000 {
        if let Ok(i) = m.handle_info(HandleId(h)) {
            handles.push((h, i));
            found += 1;
        }
        h += 1;
    }
    Snapshot {
        volumes,
        roots,
        entries,
        handles,
        open_handles: m.open_handle_count(),
        current_dir: m.current_dir(),
        profile: *m.profile(),
    }
}

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
