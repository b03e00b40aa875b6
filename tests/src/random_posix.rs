//! Where a target driven through POSIX calls differs from Win32 by design,
//! decided call by call in a random run: the conformance rows'
//! `PosixView`, with the same reasons (`tables::POSIX_*`). A rule applies
//! only to a call whose results differ and only under its condition, read
//! from the core's state before the call ([`Facts`]); a call it covers is
//! either the same by design (`View::Same`: both sides failed and changed
//! nothing, the run goes on) or not comparable (`View::Skip`: the states may
//! part, the sequence ends there and is counted as cut short).

use crate::scenario::Op;
use crate::tables::{
    POSIX_CASE_RENAME, POSIX_PREFIX_FILE, POSIX_RENAME, POSIX_RMDIR_LINK, POSIX_TRAVERSAL,
    POSIX_UNLINK_LINK,
};
use crate::target::{errno_value, Failure, Info, Observed};
use ntlinkfs_core::{Errno, Follow, Machine, NtError};

/// Both sides fail and change nothing, but Linux answers from its own checks,
/// made before the file system is asked, in its own order.
pub const POSIX_KERNEL_ORDER: &str = "the kernel checks the new name (EEXIST) and a rename \
     into its own subtree (EINVAL) before the file system sees the call";

/// rename(2) between two names of one file returns 0 and changes nothing.
pub const POSIX_SAME_INODE: &str = "rename(2) between two hard links of one file succeeds \
     and does nothing (POSIX); MoveFileEx moves the name";

/// What the core's state said about a call's paths before it ran.
#[derive(Debug, Default, Clone, PartialEq, Eq)]
pub struct Facts {
    /// A component before the last is an existing non-directory.
    pub prefix_file: bool,
    /// A component before the last is a junction or symbolic link.
    pub via_link: bool,
    /// The last component is a junction or symbolic link.
    pub last_is_link: bool,
    /// A rename's source and destination name one file (a case-only rename).
    pub same_file: bool,
    /// A rename's destination exists.
    pub dest_exists: bool,
    /// The name the call creates (a link, directory, file, rename
    /// destination) exists.
    pub new_name_exists: bool,
    /// A rename's destination lies inside its source.
    pub into_itself: bool,
}

/// The POSIX view of one call.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum View {
    Same(&'static str),
    Skip(&'static str),
}

fn paths(op: &Op) -> Vec<&str> {
    match op {
        Op::MkDir(p)
        | Op::Write(p, _)
        | Op::CreateNew(p)
        | Op::Append(p, _)
        | Op::Read(p)
        | Op::Stat(p)
        | Op::Lstat(p)
        | Op::List(p)
        | Op::Delete(p)
        | Op::RemoveDir(p)
        | Op::ReadLink(p) => vec![p],
        Op::HardLink { link, existing } => vec![link, existing],
        Op::Symlink { link, .. } | Op::Junction { link, .. } => vec![link],
        Op::Move { from, to, .. } => vec![from, to],
        Op::Open { path, .. } => vec![path],
        _ => Vec::new(),
    }
}

/// Reads the facts for `op` from the core before it runs.
pub fn facts(m: &Machine, op: &Op) -> Facts {
    let mut f = Facts::default();
    let is_link = |p: &str| {
        m.query_information(p, Follow::OpenReparsePoint)
            .is_ok_and(|i| i.reparse_tag.is_some())
    };
    for p in paths(op) {
        let comps: Vec<&str> = p.get(3..).unwrap_or("").split('\\').collect();
        for k in 1..comps.len() {
            let prefix = format!("{}{}", &p[..3], comps[..k].join("\\"));
            if is_link(&prefix) {
                f.via_link = true;
            }
            if m.query_information(&prefix, Follow::Reparse)
                .is_ok_and(|i| !i.is_directory)
            {
                f.prefix_file = true;
            }
        }
        if is_link(p) {
            f.last_is_link = true;
        }
    }
    let created = match op {
        Op::MkDir(p) | Op::CreateNew(p) => Some(p),
        Op::HardLink { link, .. } | Op::Symlink { link, .. } | Op::Junction { link, .. } => {
            Some(link)
        }
        Op::Move { to, .. } => Some(to),
        _ => None,
    };
    f.new_name_exists =
        created.is_some_and(|p| m.query_information(p, Follow::OpenReparsePoint).is_ok());
    if let Op::Move { from, to, .. } = op {
        let (a, b) = (from.to_ascii_uppercase(), to.to_ascii_uppercase());
        f.into_itself = b.starts_with(&format!("{a}\\"));
        let id = |p: &str| {
            m.query_information(p, Follow::OpenReparsePoint)
                .map(|i| i.id)
        };
        f.dest_exists = id(to).is_ok();
        f.same_file = f.dest_exists && id(from) == id(to);
    }
    f
}

/// Follows the last component itself: the kernel does that (F1).
fn follows_last(op: &Op) -> bool {
    matches!(
        op,
        Op::Write(..) | Op::CreateNew(_) | Op::Append(..) | Op::Read(_) | Op::Stat(_) | Op::List(_)
    )
}

/// The rule, if any, that covers a call whose results differ.
pub fn judge(
    f: &Facts,
    op: &Op,
    core: &Result<Observed, Failure>,
    target: &Result<Observed, Failure>,
) -> Option<View> {
    if let (Err(Failure::Nt(NtError::ObjectPathNotFound)), Err(Failure::Errno(n, _))) =
        (core, target)
    {
        if f.prefix_file && Some(*n) == errno_value(Errno::ENOTDIR) {
            return Some(View::Same(POSIX_PREFIX_FILE));
        }
    }
    if let (Err(Failure::Nt(_)), Err(Failure::Errno(n, _))) = (core, target) {
        let kernel = (f.new_name_exists && Some(*n) == errno_value(Errno::EEXIST))
            || (f.into_itself && Some(*n) == errno_value(Errno::EINVAL));
        if kernel {
            return Some(View::Same(POSIX_KERNEL_ORDER));
        }
    }
    if f.via_link || (f.last_is_link && follows_last(op)) {
        return Some(View::Skip(POSIX_TRAVERSAL));
    }
    match op {
        Op::Delete(_) | Op::HardLink { .. } if f.last_is_link => {
            Some(View::Skip(POSIX_UNLINK_LINK))
        }
        Op::RemoveDir(_) if f.last_is_link => Some(View::Skip(POSIX_RMDIR_LINK)),
        Op::Move { .. } if f.last_is_link || f.dest_exists => Some(View::Skip(POSIX_RENAME)),
        _ => None,
    }
}

/// A directory's st_nlink in the POSIX view: NTFS's 1 (ntfs-3g's default) or
/// 2 + its subdirectories (ntfs-3g's `posix_nlink`, the ntlinkfs mount; F5).
pub fn dir_links_match(m: &Machine, path: &str, core: &Info, target: &Info) -> bool {
    if core.is_dir != Some(true) || core.tag.flatten().is_some() {
        return false;
    }
    let Some(links) = target.links else {
        return false;
    };
    if links == 1 {
        return true;
    }
    m.enumerate(path).is_ok_and(|es| {
        let subdirs = es
            .iter()
            .filter(|e| e.info.is_directory && e.info.reparse_tag.is_none())
            .count();
        links as usize == 2 + subdirs
    })
}

/// A call whose results may agree while the states part: the sequence ends
/// before it.
pub fn skip_before(f: &Facts, op: &Op) -> Option<&'static str> {
    match op {
        Op::Move { from, to, .. } if f.same_file => Some(if from.eq_ignore_ascii_case(to) {
            POSIX_CASE_RENAME
        } else {
            POSIX_SAME_INODE
        }),
        _ => None,
    }
}

/// The Linux calls a POSIX target makes for `op`, for the report: paths
/// relative to the mount (`C/a` on the FUSE mount, `a` under `dir:PATH`).
pub fn linux_calls(target: &str, op: &Op) -> String {
    let dir = target == "dir";
    let p = |w: &str| -> String {
        let (letter, rest) = w.split_once(":\\").unwrap_or(("C", w));
        let rest = rest.replace('\\', "/");
        match (dir, rest.is_empty()) {
            (true, true) => ".".into(),
            (true, false) => rest,
            (false, _) => format!("{letter}/{rest}"),
        }
    };
    let reparse = |l: &str, what: &str, make: &str| {
        format!(
            "{make}(\"{}\"); lsetxattr(\"{}\", \"system.ntfs_reparse_data\", <{what}>)",
            p(l),
            p(l)
        )
    };
    match op {
        Op::MkDir(x) => format!("mkdir(\"{}\")", p(x)),
        Op::Write(x, b) => format!(
            "open(\"{}\", O_WRONLY|O_CREAT|O_TRUNC); write({} bytes)",
            p(x),
            b.len()
        ),
        Op::CreateNew(x) => format!("open(\"{}\", O_WRONLY|O_CREAT|O_EXCL)", p(x)),
        Op::Append(x, b) => format!(
            "open(\"{}\", O_WRONLY|O_CREAT|O_APPEND); write({} bytes)",
            p(x),
            b.len()
        ),
        Op::Read(x) => format!("open(\"{}\", O_RDONLY); read", p(x)),
        Op::HardLink { link, existing } => format!("link(\"{}\", \"{}\")", p(existing), p(link)),
        Op::Symlink {
            link,
            target: t,
            flags,
        } if dir => reparse(
            link,
            &format!("symbolic link {t:?}"),
            if flags.directory { "mkdir" } else { "creat" },
        ),
        Op::Symlink {
            link, target: t, ..
        } => format!("symlink({t:?}, \"{}\")", p(link)),
        Op::Junction { link, target: t } => reparse(link, &format!("mount point {t:?}"), "mkdir"),
        Op::ReadLink(x) | Op::GetReparse(x) => {
            format!("lgetxattr(\"{}\", \"system.ntfs_reparse_data\")", p(x))
        }
        Op::Delete(x) => format!("unlink(\"{}\")", p(x)),
        Op::RemoveDir(x) => format!("rmdir(\"{}\")", p(x)),
        Op::Move {
            from, to, replace, ..
        } => format!(
            "renameat2(\"{}\", \"{}\", {})",
            p(from),
            p(to),
            if *replace { "0" } else { "RENAME_NOREPLACE" }
        ),
        Op::Stat(x) => format!(
            "stat(\"{}\"); getxattr(system.ntfs_attrib, system.ntfs_reparse_data)",
            p(x)
        ),
        Op::Lstat(x) => format!(
            "lstat(\"{}\"); lgetxattr(system.ntfs_attrib, system.ntfs_reparse_data)",
            p(x)
        ),
        Op::List(x) => format!("opendir(\"{}\"); readdir", p(x)),
        Op::Open { path, .. } => format!("open(\"{}\", O_RDONLY)", p(path)),
        other => other.verb().to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ntlinkfs_core::testing::fixture;
    use ntlinkfs_core::PosixOp as P;

    type Outcome = Result<Observed, Failure>;
    /// Why, the call, the core's outcome, the target's, the rule expected.
    type Row = (&'static str, Op, Outcome, Outcome, Option<View>);

    fn errno(e: Errno, op: P) -> Outcome {
        Err(Failure::Errno(errno_value(e).expect("unix"), op))
    }

    #[test]
    fn each_rule_covers_its_case_and_no_other() {
        let m = fixture(&[r"file C:\f x", r"dir C:\d", r"junction C:\j C:\d"]);
        let nt = |e: NtError| Err(Failure::Nt(e));
        let mv = |from: &str, to: &str| Op::Move {
            from: from.into(),
            to: to.into(),
            replace: false,
            copy_allowed: false,
        };
        let link = |l: &str, e: &str| Op::HardLink {
            link: l.into(),
            existing: e.into(),
        };
        let rows: Vec<Row> = vec![
            (
                "§1: a file in the path is ENOTDIR",
                Op::MkDir(r"C:\f\x".into()),
                nt(NtError::ObjectPathNotFound),
                errno(Errno::ENOTDIR, P::Other),
                Some(View::Same(POSIX_PREFIX_FILE)),
            ),
            (
                "the same errno without a file in the path is a divergence",
                Op::MkDir(r"C:\x\y".into()),
                nt(NtError::ObjectPathNotFound),
                errno(Errno::ENOTDIR, P::Other),
                None,
            ),
            (
                "HL1 against the kernel's EEXIST for an existing new name",
                link(r"C:\d", r"C:\d"),
                nt(NtError::FileIsADirectory),
                errno(Errno::EEXIST, P::Link),
                Some(View::Same(POSIX_KERNEL_ORDER)),
            ),
            (
                "a rename into its own subtree is the kernel's EINVAL",
                mv(r"C:\d", r"C:\d\x"),
                nt(NtError::InvalidParameter),
                errno(Errno::EINVAL, P::Rename),
                Some(View::Same(POSIX_KERNEL_ORDER)),
            ),
            (
                "F6: unlink(2) removes a junction",
                Op::Delete(r"C:\j".into()),
                nt(NtError::FileIsADirectory),
                Ok(Observed::Unit),
                Some(View::Skip(POSIX_UNLINK_LINK)),
            ),
            (
                "F1: the kernel follows the junction itself",
                Op::Read(r"C:\j\x".into()),
                nt(NtError::ObjectNameNotFound),
                errno(Errno::EACCES, P::Open),
                Some(View::Skip(POSIX_TRAVERSAL)),
            ),
            (
                "a wrong errno on a plain file is a divergence",
                Op::Read(r"C:\g".into()),
                nt(NtError::ObjectNameNotFound),
                errno(Errno::EACCES, P::Open),
                None,
            ),
        ];
        for (why, op, core, target, want) in rows {
            let f = facts(&m, &op);
            assert_eq!(judge(&f, &op, &core, &target), want, "{why}: {op:?} {f:?}");
        }
        let same = mv(r"C:\f", r"C:\F");
        assert_eq!(
            skip_before(&facts(&m, &same), &same),
            Some(POSIX_CASE_RENAME)
        );
        let other = mv(r"C:\f", r"C:\g");
        assert_eq!(skip_before(&facts(&m, &other), &other), None);
    }

    #[test]
    fn reports_show_the_linux_calls() {
        let op = Op::Junction {
            link: r"C:\j".into(),
            target: r"C:\d".into(),
        };
        assert_eq!(
            linux_calls("dir", &op),
            r#"mkdir("j"); lsetxattr("j", "system.ntfs_reparse_data", <mount point "C:\\d">)"#
        );
        assert_eq!(
            linux_calls(
                "fuse",
                &Op::HardLink {
                    link: r"D:\b".into(),
                    existing: r"D:\a".into()
                }
            ),
            r#"link("D/a", "D/b")"#
        );
    }
}
