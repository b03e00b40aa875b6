//! Random operation sequences for the property tests and the `op_sequence` fuzz
//! target: bytes decode into the core's own [`Op`]s (links, junctions,
//! symlinks, renames, deletes across C: and D:), every op is applied, the
//! invariants are checked after every step (the core's and
//! [`resolver::check_invariants`]), and every path's full resolution is
//! compared with the independent [`resolver`].
//!
//! Names come from a tiny alphabet (`a`, `A`, `b`, `ab`) so that case
//! collisions, replaced targets and link cycles come up constantly (STYLE §5.4).

use crate::resolver;
use ntlinkfs_core::access::{
    DELETE, FILE_READ_ATTRIBUTES, FILE_READ_DATA, FILE_SHARE_ALL, FILE_WRITE_DATA, GENERIC_READ,
    GENERIC_WRITE, MAXIMUM_ALLOWED,
};
use ntlinkfs_core::{
    invariants, Ace, DeleteSemantics, FixedClock, Follow, HandleId, LinkOptions, Machine,
    MoveFlags, Op, OpenOptions, RenameOptions, SecurityDescriptor, SymlinkFlags, Trustee,
};
use std::sync::Arc;

const NAMES: [&str; 4] = ["a", "A", "b", "ab"];

/// Every path the generator may name: depth 1–3 on C: and D:.
pub fn candidate_paths() -> Vec<String> {
    let mut out = Vec::new();
    for vol in ["C:", "D:"] {
        let mut level = vec![vol.to_string()];
        for _ in 0..3 {
            let mut next = Vec::new();
            for p in &level {
                for n in NAMES {
                    next.push(format!(r"{p}\{n}"));
                }
            }
            out.extend(next.iter().cloned());
            level = next;
        }
    }
    out
}

/// Desired accesses the generator opens with: readers, writers, deleters,
/// attribute-only opens and MAXIMUM_ALLOWED.
pub const ACCESS: [u32; 8] = [
    GENERIC_READ,
    GENERIC_WRITE,
    GENERIC_READ | GENERIC_WRITE,
    DELETE,
    FILE_READ_DATA | DELETE,
    FILE_WRITE_DATA,
    FILE_READ_ATTRIBUTES,
    MAXIMUM_ALLOWED,
];

/// Relative symlink targets, chosen to climb, stay, and fall off the root.
const RELATIVE: [&str; 6] = [
    "a",
    r"..\b",
    r"..\..\ab",
    r".\A\..\b",
    r"\a",
    r"..\..\..\..\a",
];

struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn next(&mut self) -> Option<u8> {
        let (b, rest) = self.0.split_first()?;
        self.0 = rest;
        Some(*b)
    }
}

/// Decodes bytes into operations; every byte string gives a well-formed list.
pub fn decode_ops(data: &[u8]) -> Vec<Op> {
    let mut b = Bytes(data);
    let mut ops = Vec::new();
    // Shallow paths are likelier, so that deeper ones have parents to live in.
    let path = |b: &mut Bytes| -> Option<String> {
        let v = b.next()?;
        let depth = [1, 1, 1, 1, 2, 2, 3][usize::from(v % 7)];
        let mut p = if v & 0x80 != 0 { "D:" } else { "C:" }.to_string();
        for _ in 0..depth {
            p.push('\\');
            p.push_str(NAMES[usize::from(b.next()? % 4)]);
        }
        Some(p)
    };
    while let Some(kind) = b.next() {
        let Some(p) = path(&mut b) else { break };
        let Some(arg) = b.next() else { break };
        let op = match kind % 24 {
            0..=3 => Op::CreateDirectory { path: p },
            4 | 5 => Op::WriteFile {
                path: p,
                data: vec![arg; usize::from(arg % 4)],
            },
            6 => {
                let Some(existing) = path(&mut b) else { break };
                Op::CreateHardLink {
                    link: p,
                    existing,
                    options: LinkOptions {
                        replace_if_exists: arg & 1 != 0,
                        ignore_readonly: false,
                        posix_semantics: false,
                    },
                }
            }
            7 | 8 => {
                let target = if arg & 2 != 0 {
                    RELATIVE[usize::from(arg >> 2) % RELATIVE.len()].to_string()
                } else {
                    let Some(t) = path(&mut b) else { break };
                    t
                };
                Op::CreateSymbolicLink {
                    link: p,
                    target,
                    flags: SymlinkFlags {
                        directory: arg & 1 != 0,
                        allow_unprivileged_create: false,
                    },
                }
            }
            9 | 10 => {
                let Some(target) = path(&mut b) else { break };
                Op::CreateJunction { link: p, target }
            }
            11 => {
                let Some(to) = path(&mut b) else { break };
                Op::MoveFile {
                    from: p,
                    to,
                    flags: MoveFlags {
                        replace_existing: arg & 1 != 0,
                        copy_allowed: arg & 2 != 0,
                    },
                }
            }
            12 => Op::DeleteFile { path: p },
            13 => Op::RemoveDirectory { path: p },
            14 => Op::RemoveTree { path: p },
            // Handles with access masks and share modes (M13, M14): the core's
            // invariants check that open handles never conflict.
            16 | 17 => Op::Open {
                path: p,
                options: OpenOptions::default()
                    .access(ACCESS[usize::from(arg % 8)])
                    .share(u32::from(arg >> 3) & FILE_SHARE_ALL)
                    .delete_on_close(arg & 0x40 != 0),
            },
            18 => Op::Close {
                handle: HandleId(u64::from(arg % 4)),
            },
            19 => Op::SetDeleteDisposition {
                handle: HandleId(u64::from(arg % 4)),
                delete: arg & 4 == 0,
                semantics: if arg & 8 == 0 {
                    DeleteSemantics::Classic
                } else {
                    DeleteSemantics::Posix
                },
            },
            // Names and ACLs changed through handles (HL11, M11, J42).
            20 | 21 => {
                let options = LinkOptions {
                    replace_if_exists: arg & 1 != 0,
                    ignore_readonly: false,
                    posix_semantics: arg & 2 != 0,
                };
                let handle = HandleId(u64::from(arg >> 2) % 4);
                let root = (arg & 0x40 != 0).then_some(HandleId(u64::from(arg >> 4) % 4));
                let name = if root.is_some() {
                    NAMES[usize::from(arg % 4)].to_string()
                } else {
                    p
                };
                if kind % 24 == 20 {
                    Op::SetLinkInformation {
                        handle,
                        root,
                        name,
                        options,
                    }
                } else {
                    Op::SetRenameInformation {
                        handle,
                        root,
                        name,
                        options: RenameOptions {
                            replace_if_exists: options.replace_if_exists,
                            posix_semantics: options.posix_semantics,
                        },
                    }
                }
            }
            22 => {
                let mut sd = SecurityDescriptor::default();
                sd.add(Ace {
                    trustee: Trustee::Everyone,
                    allow: false,
                    mask: ACCESS[usize::from(arg % 8)] & !MAXIMUM_ALLOWED,
                });
                Op::SetSecurity {
                    path: p,
                    follow: if arg & 8 == 0 {
                        Follow::Reparse
                    } else {
                        Follow::OpenReparsePoint
                    },
                    descriptor: (arg & 0x10 == 0).then_some(sd),
                }
            }
            _ => Op::SetFileAttributes {
                path: p,
                attributes: u32::from(arg & 0x27),
            },
        };
        ops.push(op);
    }
    ops
}

/// A fresh C: + D: machine with a fixed clock.
pub fn machine() -> Machine {
    let mut m = Machine::default();
    m.set_clock(Arc::new(FixedClock(133_000_000_000_000_000)));
    m
}

/// Compares the core's resolution of every candidate and existing path with
/// the independent resolver.
pub fn compare_resolution(m: &Machine) -> Result<(), String> {
    let mut paths = candidate_paths();
    paths.extend(resolver::all_paths(m).into_iter().map(|(p, _)| p));
    for p in paths {
        let core = m.query_information(&p, Follow::Reparse).map(|i| i.id);
        let mine = resolver::resolve(m, &p);
        if core != mine {
            return Err(format!(
                "{p}: core resolves to {core:?}, the independent resolver to {mine:?}"
            ));
        }
    }
    Ok(())
}

/// Applies `ops`, checking the invariants after every step and the resolution
/// of every path every 16 steps and at the end. The error names the step.
pub fn run(ops: &[Op]) -> Result<Machine, String> {
    run_with(ops, 16)
}

/// [`run`] comparing resolutions every `every` steps (and at the end): the
/// fuzz target compares only at the end, for throughput.
pub fn run_with(ops: &[Op], every: usize) -> Result<Machine, String> {
    let every = every.max(1);
    let mut m = machine();
    for (i, op) in ops.iter().enumerate() {
        let _ = m.apply(op);
        let step = |e: String| format!("after step {i} {op:?}: {e}");
        invariants::check(&m).map_err(|v| step(v.to_string()))?;
        resolver::check_invariants(&m).map_err(step)?;
        if i % every == every - 1 {
            compare_resolution(&m).map_err(step)?;
        }
    }
    compare_resolution(&m).map_err(|e| format!("at the end: {e}"))?;
    Ok(m)
}
