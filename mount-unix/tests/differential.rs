//! Differential: the same random operation sequences applied through the mount
//! with std::fs and directly to a Machine (the by-id calls a POSIX program means),
//! then the two machines compared: outcomes (errno for errno), names, kinds, link
//! counts, sizes and bytes; and the mount's stat of every path against its core.
// Mount tests: the FUSE transport is Linux-only.
#![cfg(target_os = "linux")]

mod common;
use common::*;
use ntlinkfs_core::{errno_for, Follow, Machine, NtError, PosixOp, ReadOnly, SymlinkFlags, Want};
use std::fs;
use std::os::unix::fs::MetadataExt;

const NAMES: &[&str] = &["a", "b", "A", "d", "d/a", "d/B", "e", "e/x"];
const VOLS: &[&str] = &["C", "D"];

struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

#[derive(Debug, Clone)]
enum Op {
    Write(String, Vec<u8>),
    Link(String, String),
    Unlink(String),
    Mkdir(String),
    Rmdir(String),
    Rename(String, String),
    Symlink(String, String),
    Truncate(String, u64),
}

fn random_path(r: &mut Rng) -> String {
    format!("{}/{}", r.pick(VOLS), r.pick(NAMES))
}

fn random_op(r: &mut Rng) -> Op {
    let p = random_path(r);
    match r.next() % 8 {
        0 | 1 => Op::Write(p, vec![b'x'; (r.next() % 5) as usize]),
        2 => Op::Link(p, random_path(r)),
        3 => Op::Unlink(p),
        4 => Op::Mkdir(p),
        5 => Op::Rmdir(p),
        6 => Op::Rename(p, random_path(r)),
        _ if r.next() % 2 == 0 => Op::Symlink(r.pick(NAMES).replace('/', "\\"), p),
        _ => Op::Truncate(p, r.next() % 3),
    }
}

fn win(p: &str) -> String {
    let (vol, rest) = p.split_once('/').unwrap_or((p, ""));
    format!("{vol}:\\{}", rest.replace('/', "\\"))
}

/// (parent directory, last name) of a mount-relative path.
fn split(p: &str) -> (String, &str) {
    let (dir, name) = p.rsplit_once('/').unwrap();
    let d = win(dir);
    (if d.ends_with('\\') { d } else { d + "\\" }, name)
}

fn errno_of(op: PosixOp, e: NtError) -> i32 {
    ntlinkfs_fuse::errno_value(errno_for(op, e))
}

/// What a name in the reference machine is, seen as the kernel sees it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    File,
    Dir,
    Link,
}

fn kind(i: &ntlinkfs_core::FileInfo) -> Kind {
    match (i.reparse_tag, i.is_directory) {
        (Some(_), _) => Kind::Link,
        (None, true) => Kind::Dir,
        (None, false) => Kind::File,
    }
}

/// The kernel's path walk over the reference machine: the directory holding the
/// last component (links in the prefix followed the core's way), ENOENT/ENOTDIR
/// as the VFS reports them before the file system is asked anything.
fn walk_parent(m: &Machine, p: &str) -> Result<(ntlinkfs_core::NodeId, String), i32> {
    let comps: Vec<&str> = p.split('/').collect();
    let vol = m.volume_by_letter(comps[0].as_bytes()[0]).unwrap();
    let mut dir = m.root(vol);
    let mut prefix = format!("{}:", comps[0]);
    for c in &comps[1..comps.len() - 1] {
        prefix = format!("{prefix}\\{c}");
        let i = m.lookup(dir, c).map_err(|_| libc::ENOENT)?;
        let i = match kind(&i) {
            Kind::Link => m
                .query_information(&prefix, Follow::Reparse)
                .map_err(|e| errno_of(PosixOp::Other, e))?,
            _ => i,
        };
        if !i.is_directory {
            return Err(libc::ENOTDIR);
        }
        dir = i.id;
    }
    Ok((dir, comps[comps.len() - 1].to_string()))
}

/// The op applied directly to the machine: the VFS's own checks first (in the
/// order Linux makes them), then the core call the adapter makes. `None`: the op
/// is left out on both sides (O_CREAT through a dangling link).
fn direct(m: &mut Machine, op: &Op) -> Option<Result<(), i32>> {
    let e = |op: PosixOp| move |e: NtError| errno_of(op, e);
    let look = |m: &Machine,
                p: &str|
     -> Result<
        (
            ntlinkfs_core::NodeId,
            String,
            Option<ntlinkfs_core::FileInfo>,
        ),
        i32,
    > {
        let (d, n) = walk_parent(m, p)?;
        let i = m.lookup(d, &n).ok();
        Ok((d, n, i))
    };
    Some(match op {
        Op::Write(p, _) | Op::Truncate(p, _) => {
            let (d, n, i) = match look(m, p) {
                Ok(x) => x,
                Err(e) => return Some(Err(e)),
            };
            let target = match &i {
                Some(i) if kind(i) == Kind::Link => {
                    match m.query_information(&win(p), Follow::Reparse) {
                        Ok(t) => Some(t),
                        Err(_) => return None,
                    }
                }
                other => other.clone(),
            };
            match (op, target) {
                (_, Some(t)) if t.is_directory => Err(libc::EISDIR),
                (Op::Truncate(_, len), Some(t)) => {
                    m.set_len_of(t.id, *len).map_err(e(PosixOp::Other))
                }
                (Op::Truncate(..), None) => Err(libc::ENOENT),
                (Op::Write(_, data), Some(t)) => m
                    .set_len_of(t.id, 0)
                    .and_then(|()| {
                        let h =
                            m.open_node(t.id, &ntlinkfs_core::OpenOptions::default().write(true))?;
                        let r = m.write(h, 0, data);
                        m.close(h)?;
                        r.map(drop)
                    })
                    .map_err(e(PosixOp::Open)),
                (Op::Write(_, data), None) => {
                    let opts = ntlinkfs_core::OpenOptions::default()
                        .disposition(ntlinkfs_core::Disposition::Create)
                        .want(Want::File);
                    m.open_at(d, &n, &opts)
                        .and_then(|h| {
                            let r = m.write(h, 0, data);
                            m.close(h)?;
                            r.map(drop)
                        })
                        .map_err(e(PosixOp::Open))
                }
                _ => unreachable!("only writes and truncates come here"),
            }
        }
        Op::Link(from, to) => (|| {
            let (_, _, src) = look(m, from)?;
            let src = src.ok_or(libc::ENOENT)?;
            let (d, n, dst) = look(m, to)?;
            if dst.is_some() {
                return Err(libc::EEXIST);
            }
            if kind(&src) == Kind::Dir {
                return Err(libc::EPERM);
            }
            m.create_hard_link_at(src.id, d, &n)
                .map(drop)
                .map_err(e(PosixOp::Link))
        })(),
        Op::Unlink(p) => (|| {
            let (d, n, i) = look(m, p)?;
            let i = i.ok_or(libc::ENOENT)?;
            let want = match kind(&i) {
                Kind::Dir => return Err(libc::EISDIR),
                Kind::Link => Want::Any,
                Kind::File => Want::File,
            };
            m.delete_at_ex(d, &n, want, ReadOnly::Ignored)
                .map_err(e(PosixOp::Unlink))
        })(),
        Op::Rmdir(p) => (|| {
            let (d, n, i) = look(m, p)?;
            if kind(&i.ok_or(libc::ENOENT)?) != Kind::Dir {
                return Err(libc::ENOTDIR);
            }
            m.delete_at_ex(d, &n, Want::Directory, ReadOnly::Ignored)
                .map_err(e(PosixOp::Rmdir))
        })(),
        Op::Mkdir(p) => (|| {
            let (d, n, i) = look(m, p)?;
            if i.is_some() {
                return Err(libc::EEXIST);
            }
            m.create_directory_at(d, &n)
                .map(drop)
                .map_err(e(PosixOp::Other))
        })(),
        Op::Symlink(target, p) => (|| {
            let (d, n, i) = look(m, p)?;
            if i.is_some() {
                return Err(libc::EEXIST);
            }
            let full = format!("{}{target}", split(p).0);
            let directory = m
                .query_information(&full, Follow::Reparse)
                .is_ok_and(|i| i.is_directory);
            let flags = SymlinkFlags {
                directory,
                allow_unprivileged_create: true,
            };
            m.create_symbolic_link_at(d, &n, target, flags)
                .map(drop)
                .map_err(e(PosixOp::Symlink))
        })(),
        Op::Rename(from, to) => (|| {
            // Both parents are walked before either name is looked up.
            let (fd, fname, src) = look(m, from)?;
            let (td, tname, dst) = look(m, to)?;
            let src = src.ok_or(libc::ENOENT)?;
            let ancestors = |m: &Machine, mut d: ntlinkfs_core::NodeId| {
                let mut out = vec![d];
                while let Some(p) = m
                    .file_names(d)
                    .ok()
                    .and_then(|ns| ns.first().map(|n| n.parent))
                {
                    if p == d {
                        break;
                    }
                    out.push(p);
                    d = p;
                }
                out
            };
            if src.is_directory && kind(&src) == Kind::Dir && ancestors(m, td).contains(&src.id) {
                return Err(libc::EINVAL); // into itself
            }
            if let Some(dst) = &dst {
                if ancestors(m, fd).contains(&dst.id) {
                    return Err(libc::ENOTEMPTY); // onto its own ancestor
                }
                if dst.id == src.id {
                    return Ok(()); // the same inode: rename(2) does nothing
                }
                match (kind(&src) == Kind::Dir, kind(dst) == Kind::Dir) {
                    (true, false) => return Err(libc::ENOTDIR),
                    (false, true) => return Err(libc::EISDIR),
                    _ => {}
                }
            }
            m.rename_at_ex(fd, &fname, td, &tname, true, ReadOnly::Ignored)
                .map_err(e(PosixOp::Rename))
        })(),
    })
}

/// The op through the mount.
fn mounted(t: &TestMount, op: &Op) -> Result<(), i32> {
    let r = match op {
        Op::Write(p, data) => fs::write(t.path(p), data),
        Op::Truncate(p, n) => fs::OpenOptions::new()
            .write(true)
            .open(t.path(p))
            .and_then(|f| f.set_len(*n)),
        Op::Link(from, to) => fs::hard_link(t.path(from), t.path(to)),
        Op::Unlink(p) => fs::remove_file(t.path(p)),
        Op::Mkdir(p) => fs::create_dir(t.path(p)),
        Op::Rmdir(p) => fs::remove_dir(t.path(p)),
        Op::Rename(from, to) => fs::rename(t.path(from), t.path(to)),
        Op::Symlink(target, p) => std::os::unix::fs::symlink(target, t.path(p)),
    };
    r.map_err(errno)
}

/// Every node of a machine: path (upper-cased for the map key), kind, links, bytes.
fn state(m: &mut Machine) -> Vec<String> {
    let mut out = Vec::new();
    for v in m.volume_infos() {
        for (path, e) in m.walk(m.root(v.id)).unwrap() {
            let i = &e.info;
            let data = if i.is_directory || i.reparse_tag.is_some() {
                String::new()
            } else {
                String::from_utf8_lossy(&m.read_file(&path).unwrap()).into_owned()
            };
            out.push(format!(
                "{path} dir={} tag={:?} links={} size={} data={data}",
                i.is_directory, i.reparse_tag, i.link_count, i.size
            ));
        }
    }
    out
}

const STEPS: usize = 600;

#[test]
fn random_sequences_agree_with_the_core() {
    for seed in [
        0x9E37_79B9_7F4A_7C15,
        0xD1B5_4A32_D192_ED03,
        42,
        7,
        0xABCDEF,
    ] {
        one_sequence(seed);
    }
}

fn one_sequence(seed: u64) {
    let Some(t) = mount_default() else { return };
    let mut reference = Machine::default();
    let mut rng = Rng(seed);
    let mut disagreements = Vec::new();
    for step in 0..STEPS {
        let op = random_op(&mut rng);
        let Some(want) = direct(&mut reference, &op) else {
            continue;
        };
        let got = mounted(&t, &op);
        if want != got {
            disagreements.push(format!(
                "seed {seed} step {step}: {op:?}: core {want:?}, mount {got:?}"
            ));
        }
    }
    assert!(disagreements.is_empty(), "{}", disagreements.join("\n"));
    assert_eq!(state(&mut t.m.write()), state(&mut reference));
    // What the mount shows is its core: kind, link count and size per path.
    let lines = state(&mut t.m.write());
    for line in &lines {
        let path = line.split(' ').next().unwrap();
        let rel = path.replacen(":\\", "/", 1).replace('\\', "/");
        let md = fs::symlink_metadata(t.path(&rel)).unwrap();
        let links: u64 = line
            .split("links=")
            .nth(1)
            .unwrap()
            .split(' ')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        if line.contains("dir=true tag=None") {
            // Directories count POSIX-style: 2 + subdirectories (posix_nlink, F5).
            let prefix = format!("{path}\\");
            let subdirs = lines
                .iter()
                .filter(|l| {
                    let p = l.split(' ').next().unwrap();
                    p.strip_prefix(&prefix)
                        .is_some_and(|rest| !rest.contains('\\'))
                        && l.contains("dir=true tag=None")
                })
                .count() as u64;
            assert_eq!(md.nlink(), 2 + subdirs, "{path}");
        } else {
            assert_eq!(md.nlink(), links, "{path}");
        }
        if line.contains("dir=false tag=None") {
            let size: u64 = line
                .split("size=")
                .nth(1)
                .unwrap()
                .split(' ')
                .next()
                .unwrap()
                .parse()
                .unwrap();
            assert_eq!(md.len(), size, "{path}");
        }
    }
}
