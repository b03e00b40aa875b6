//! One conformance row: the environment, the setup steps, the operation under
//! test with its expected outcome, the follow-up checks of the resulting state,
//! and the SEMANTICS.md rule it comes from.
//!
//! Every path is a Win32 path on the emulated machine (`C:\a\b`); each target
//! maps it to its own namespace (a FUSE mount's `C/a/b`, a scratch directory on a
//! real NTFS volume).

use ntlinkfs_core::{FsKind, NtError, SpecialKind};
use std::fmt;

/// The topics of the suite, one table each.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Topic {
    HardLinks,
    Junctions,
    Symlinks,
    ReparseBuffers,
    RenameMove,
    Delete,
    NamesCase,
    Volumes,
    Profiles,
    Handles,
}

impl Topic {
    pub const ALL: [Topic; 10] = [
        Topic::HardLinks,
        Topic::Junctions,
        Topic::Symlinks,
        Topic::ReparseBuffers,
        Topic::RenameMove,
        Topic::Delete,
        Topic::NamesCase,
        Topic::Volumes,
        Topic::Profiles,
        Topic::Handles,
    ];

    pub fn name(self) -> &'static str {
        match self {
            Topic::HardLinks => "hard links",
            Topic::Junctions => "junctions",
            Topic::Symlinks => "symlinks",
            Topic::ReparseBuffers => "reparse buffers",
            Topic::RenameMove => "rename/move",
            Topic::Delete => "delete",
            Topic::NamesCase => "names and case",
            Topic::Volumes => "volumes and fs kinds",
            Topic::Profiles => "profiles",
            Topic::Handles => "handles and security",
        }
    }
}

/// The volumes and profile a row runs on. The default is what most of
/// SEMANTICS.md describes: C: and D:, both NTFS, Windows 11, elevated.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Env {
    pub volumes: Vec<(char, FsKind)>,
    /// A profile name as `Profile::from_str` takes it (`11`, `xp`, `10+dev-user`).
    pub profile: String,
}

impl Default for Env {
    fn default() -> Self {
        Env {
            volumes: vec![('C', FsKind::Ntfs), ('D', FsKind::Ntfs)],
            profile: "11".into(),
        }
    }
}

impl Env {
    pub fn is_default(&self) -> bool {
        *self == Env::default()
    }
}

/// Flags of CreateSymbolicLinkW (S1, S3).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct SymFlags {
    pub directory: bool,
    pub unprivileged: bool,
}

/// Flags of an `OpenHandle`.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct HandleFlags {
    /// FILE_CREATE (a new file, or with `directory` a new directory).
    pub create: bool,
    /// FILE_DIRECTORY_FILE.
    pub directory: bool,
    /// FILE_DELETE_ON_CLOSE.
    pub delete_on_close: bool,
    /// FILE_OPEN_REPARSE_POINT.
    pub open_reparse_point: bool,
}

/// An operation, named after the Win32 call it stands for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Op {
    /// CreateDirectoryW.
    MkDir(String),
    /// CreateFileW(CREATE_ALWAYS) + WriteFile.
    Write(String, Vec<u8>),
    /// CreateFileW(CREATE_NEW), empty.
    CreateNew(String),
    /// CreateFileW(OPEN_ALWAYS, FILE_APPEND_DATA) + WriteFile at the end.
    Append(String, Vec<u8>),
    /// CreateFileW(OPEN_EXISTING) + ReadFile of the whole file.
    Read(String),
    /// CreateHardLinkW(link, existing).
    HardLink { link: String, existing: String },
    /// NtSetInformationFile(FileLinkInformation, ReplaceIfExists [, IGNORE_READONLY]).
    HardLinkReplace {
        link: String,
        existing: String,
        ignore_readonly: bool,
    },
    /// CreateSymbolicLinkW.
    Symlink {
        link: String,
        target: String,
        flags: SymFlags,
    },
    /// `mklink /J` (CreateDirectory + FSCTL_SET_REPARSE_POINT with a mount point).
    Junction { link: String, target: String },
    /// FSCTL_SET_REPARSE_POINT with a raw buffer.
    SetReparse { path: String, buffer: Vec<u8> },
    /// FSCTL_GET_REPARSE_POINT: the raw buffer.
    GetReparse(String),
    /// FSCTL_DELETE_REPARSE_POINT with a raw request.
    DeleteReparse { path: String, request: Vec<u8> },
    /// The link's stored target (SubstituteName) as text.
    ReadLink(String),
    /// DeleteFileW.
    Delete(String),
    /// RemoveDirectoryW.
    RemoveDir(String),
    /// MoveFileExW (MOVEFILE_REPLACE_EXISTING / MOVEFILE_COPY_ALLOWED).
    Move {
        from: String,
        to: String,
        replace: bool,
        copy_allowed: bool,
    },
    /// SetFileAttributesW.
    SetAttrs(String, u32),
    /// CreateFileW (links followed) + GetFileInformationByHandle: `stat`.
    Stat(String),
    /// The object itself (FILE_FLAG_OPEN_REPARSE_POINT / GetFileAttributes): `lstat`.
    Lstat(String),
    /// FindFirstFileW(`path\*`): the entry names in enumeration order.
    List(String),
    /// FindFirstFileNameW: every name of the file, volume-relative (HL23, HL24).
    Names(String),
    /// NtQueryDirectoryFile on `dir` with FileName `name` and this
    /// FILE_INFORMATION_CLASS: the one entry's class-specific fields as text
    /// (`FileName=j EaSize=0xa0000003`, J18; see `dir_entry_text`).
    QueryDirectory {
        dir: String,
        name: String,
        class: u32,
    },
    /// FindFirstFileW(path): the first entry's `dwFileAttributes` and
    /// `dwReserved0` as text (J18, S36).
    FindFirstFile(String),
    /// GetFinalPathNameByHandleW (DOS form, no `\\?\`).
    FinalPath(String),
    /// SetCurrentDirectoryW.
    Chdir(String),
    /// `rd /s /q`.
    RemoveTree(String),
    /// Explorer's delete of a folder (profile-dependent, J34).
    ExplorerDelete(String),
    /// `del /s /q DIR\PATTERN`: the matching files in DIR and the
    /// subdirectories del walks (profile-dependent for junctions, J34).
    DelS { dir: String, pattern: String },
    /// CreateFileW(OPEN_EXISTING), handle kept open until `CloseAll`.
    Open { path: String, share_delete: bool },
    /// Sets the delete disposition on the most recently opened handle.
    MarkDelete,
    /// Closes every handle `Open` kept, newest first.
    CloseAll,
    /// NtCreateFile with an access mask and share mode (M13, M14); the
    /// handle is kept, numbered in open order (`Open` handles count too).
    OpenHandle {
        path: String,
        access: u32,
        share: u32,
        flags: HandleFlags,
    },
    /// CloseHandle of handle `n` (cleanup: a FILE_DELETE_ON_CLOSE takes effect).
    Close(usize),
    /// DuplicateHandle(DUPLICATE_SAME_ACCESS) of handle `n`: a second handle
    /// on its file object, numbered next.
    Duplicate(usize),
    /// FILE_STANDARD_LINK_INFORMATION through handle `n`.
    HandleStat(usize),
    /// ReadFile of the whole file through handle `n`.
    HandleRead(usize),
    /// FileDispositionInformation through handle `n`.
    Disposition { handle: usize, delete: bool },
    /// FileLinkInformation (or, `rename`, FileRenameInformation) through
    /// handle `handle`, the name relative to handle `root` or a full path.
    NameByHandle {
        handle: usize,
        root: Option<usize>,
        name: String,
        rename: bool,
        replace: bool,
        posix: bool,
    },
    /// FSCTL_SET_REPARSE_POINT through handle `n`.
    SetReparseByHandle { handle: usize, buffer: Vec<u8> },
    /// `icacls PATH /L /deny`/`/grant` for Everyone: the object's DACL becomes
    /// these (allow, mask) ACEs in order; the link itself, not its target.
    SetDacl {
        path: String,
        aces: Vec<(bool, u32)>,
    },
    /// mknod(2) from Linux: a FIFO, socket or device as WSL stores it (a file
    /// with a WSL reparse tag, owner and mode in `$LX*` EAs), owned by root.
    MakeSpecial {
        path: String,
        kind: SpecialKind,
        /// Permission bits.
        mode: u16,
        /// (major, minor); kept for devices only.
        rdev: (u32, u32),
    },
}

impl Op {
    /// The operation's short name, for reports.
    pub fn verb(&self) -> &'static str {
        match self {
            Op::MkDir(_) => "mkdir",
            Op::Write(..) => "write",
            Op::CreateNew(_) => "create-new",
            Op::Append(..) => "append",
            Op::Read(_) => "read",
            Op::HardLink { .. } => "hardlink",
            Op::HardLinkReplace { .. } => "hardlink-replace",
            Op::Symlink { .. } => "symlink",
            Op::Junction { .. } => "junction",
            Op::SetReparse { .. } => "set-reparse",
            Op::GetReparse(_) => "get-reparse",
            Op::DeleteReparse { .. } => "delete-reparse",
            Op::ReadLink(_) => "readlink",
            Op::Delete(_) => "delete",
            Op::RemoveDir(_) => "rmdir",
            Op::Move { .. } => "move",
            Op::SetAttrs(..) => "set-attrs",
            Op::Stat(_) => "stat",
            Op::Lstat(_) => "lstat",
            Op::List(_) => "list",
            Op::Names(_) => "names",
            Op::QueryDirectory { .. } => "query-directory",
            Op::FindFirstFile(_) => "find-first-file",
            Op::FinalPath(_) => "final-path",
            Op::Chdir(_) => "chdir",
            Op::RemoveTree(_) => "rd-s",
            Op::ExplorerDelete(_) => "explorer-delete",
            Op::DelS { .. } => "del-s",
            Op::Open { .. } => "open",
            Op::MarkDelete => "mark-delete",
            Op::CloseAll => "close-all",
            Op::MakeSpecial { .. } => "mknod",
            Op::OpenHandle { .. } => "open-handle",
            Op::Close(_) => "close",
            Op::Duplicate(_) => "duplicate-handle",
            Op::HandleStat(_) => "handle-stat",
            Op::HandleRead(_) => "handle-read",
            Op::Disposition { .. } => "disposition",
            Op::NameByHandle { rename: false, .. } => "link-by-handle",
            Op::NameByHandle { rename: true, .. } => "rename-by-handle",
            Op::SetReparseByHandle { .. } => "set-reparse-by-handle",
            Op::SetDacl { .. } => "set-dacl",
        }
    }
}

impl fmt::Display for Op {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Op::MkDir(p)
            | Op::CreateNew(p)
            | Op::Read(p)
            | Op::GetReparse(p)
            | Op::ReadLink(p)
            | Op::Delete(p)
            | Op::RemoveDir(p)
            | Op::Stat(p)
            | Op::Lstat(p)
            | Op::List(p)
            | Op::Names(p)
            | Op::FindFirstFile(p)
            | Op::FinalPath(p)
            | Op::Chdir(p)
            | Op::RemoveTree(p)
            | Op::ExplorerDelete(p) => write!(f, "{} {p}", self.verb()),
            Op::Write(p, b) | Op::Append(p, b) => {
                write!(f, "{} {p} {:?}", self.verb(), String::from_utf8_lossy(b))
            }
            Op::HardLink { link, existing } | Op::HardLinkReplace { link, existing, .. } => {
                write!(f, "{} {link} -> {existing}", self.verb())
            }
            Op::Symlink {
                link,
                target,
                flags,
            } => write!(
                f,
                "symlink{} {link} -> {target}",
                if flags.directory { " /D" } else { "" }
            ),
            Op::Junction { link, target } => write!(f, "junction {link} -> {target}"),
            Op::QueryDirectory { dir, name, class } => {
                write!(f, "query-directory {dir} {name} class {class}")
            }
            Op::SetReparse { path, buffer } => {
                write!(f, "set-reparse {path} ({} bytes)", buffer.len())
            }
            Op::DeleteReparse { path, request } => {
                write!(f, "delete-reparse {path} ({} bytes)", request.len())
            }
            Op::Move { from, to, .. } => write!(f, "move {from} -> {to}"),
            Op::DelS { dir, pattern } => write!(f, "del /s {dir}\\{pattern}"),
            Op::SetAttrs(p, a) => write!(f, "set-attrs {p} 0x{a:x}"),
            Op::Open { path, .. } => write!(f, "open {path}"),
            Op::MarkDelete | Op::CloseAll => f.write_str(self.verb()),
            Op::OpenHandle {
                path,
                access,
                share,
                flags,
            } => write!(
                f,
                "open-handle {path} access 0x{access:x} share {share}{}{}",
                if flags.create { " create" } else { "" },
                if flags.delete_on_close {
                    " delete-on-close"
                } else {
                    ""
                }
            ),
            Op::Close(n) | Op::Duplicate(n) | Op::HandleStat(n) | Op::HandleRead(n) => {
                write!(f, "{} #{n}", self.verb())
            }
            Op::Disposition { handle, delete } => write!(f, "disposition #{handle} {delete}"),
            Op::NameByHandle {
                handle, root, name, ..
            } => match root {
                Some(r) => write!(f, "{} #{handle} -> #{r}\\{name}", self.verb()),
                None => write!(f, "{} #{handle} -> {name}", self.verb()),
            },
            Op::SetReparseByHandle { handle, buffer } => {
                write!(f, "{} #{handle} ({} bytes)", self.verb(), buffer.len())
            }
            Op::SetDacl { path, aces } => write!(f, "set-dacl {path} {aces:x?}"),
            Op::MakeSpecial {
                path,
                kind,
                mode,
                rdev,
            } => write!(
                f,
                "mknod {path} {} {mode:o} {}:{}",
                kind.tag_name(),
                rdev.0,
                rdev.1
            ),
        }
    }
}

/// What a check expects of an operation's result.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Expect {
    /// Success, whatever it returns.
    Ok,
    /// This exact error (NtError on the core, its Win32 code on Windows, its
    /// errno through `errno_for` on a FUSE mount).
    Err(NtError),
    /// The exact bytes (Read, GetReparse).
    Bytes(Vec<u8>),
    /// NumberOfLinks (Stat/Lstat).
    Links(u32),
    /// The attribute word (Stat/Lstat).
    Attrs(u32),
    /// The reparse tag, or none (Stat/Lstat).
    Tag(Option<u32>),
    /// End of file (Stat/Lstat).
    Size(u64),
    /// A directory or not (Stat/Lstat).
    IsDir(bool),
    /// Exactly these names, in this order (List, Names).
    Entries(Vec<String>),
    /// This text (ReadLink, FinalPath).
    Text(String),
    /// The same file ID as `Stat` of the other path with links followed (HL20).
    SameFileAs(String),
    /// A different file ID than `Stat` of the other path.
    OtherFileThan(String),
    /// st_mode, file-type bits included (Stat/Lstat; the Linux view's mode).
    Mode(u32),
    /// st_rdev as (major, minor) (Stat/Lstat).
    Rdev(u32, u32),
    /// TotalNumberOfLinks (HandleStat: pending names counted, HL21, M11).
    TotalLinks(u32),
    /// DeletePending (HandleStat).
    DeletePending(bool),
}

/// Where a row's expectation comes from: SEMANTICS.md's evidence tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Evidence {
    /// An assertion in a test suite that runs on real Windows.
    Tested,
    /// Microsoft documentation.
    Documented,
    /// A public observation of real Windows.
    Observed,
    /// Derived and unverified.
    Unverified,
}

impl Evidence {
    pub fn tag(self) -> &'static str {
        match self {
            Evidence::Tested => "[T]",
            Evidence::Documented => "[D]",
            Evidence::Observed => "[O]",
            Evidence::Unverified => "[X]",
        }
    }
}

/// How a row reads in the POSIX view of a FUSE mount, where that differs from
/// Win32 by design (SEMANTICS §10) rather than by a bug.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PosixView {
    /// The row cannot be said through POSIX calls; the reason says why.
    Skip(&'static str),
    /// The operation fails with this errno instead (its later checks are not
    /// run: the state differs by design); the reason cites the rule.
    Errno(ntlinkfs_core::Errno, &'static str),
}

/// One row of a conformance table.
#[derive(Debug, Clone)]
pub struct Scenario {
    pub topic: Topic,
    /// SEMANTICS.md rule id (`HL4`, `J13`, `§6.2` …).
    pub rule: &'static str,
    pub evidence: Evidence,
    /// The evidence itself (`BTRFS links.cpp link3a`, `WINE-NEW`, a doc id).
    pub source: &'static str,
    /// What the row shows, in one line.
    pub title: &'static str,
    pub env: Env,
    /// Steps that must succeed before the operation.
    pub setup: Vec<Op>,
    /// The operation under test and what it must do.
    pub op: Op,
    pub expect: Expect,
    /// Checks of the resulting state, each an operation and its expectation.
    pub then: Vec<(Op, Expect)>,
    /// Where the POSIX view differs by design.
    pub posix: Option<PosixView>,
}

impl Scenario {
    /// A stable id for reports: rule, then a short hash of the title.
    pub fn id(&self) -> String {
        format!("{} {}", self.rule, self.title)
    }

    pub fn unverified(&self) -> bool {
        self.evidence == Evidence::Unverified
    }
}

/// Builds a row: `row(T, "HL4", "BTRFS link3a", "title").given(..).when(op, expect)`.
pub struct RowBuilder {
    s: Scenario,
}

pub fn row(
    topic: Topic,
    rule: &'static str,
    evidence: Evidence,
    source: &'static str,
    title: &'static str,
) -> RowBuilder {
    RowBuilder {
        s: Scenario {
            topic,
            rule,
            evidence,
            source,
            title,
            env: Env::default(),
            setup: Vec::new(),
            op: Op::CloseAll,
            expect: Expect::Ok,
            then: Vec::new(),
            posix: None,
        },
    }
}

impl RowBuilder {
    pub fn env(mut self, env: Env) -> Self {
        self.s.env = env;
        self
    }

    pub fn profile(mut self, profile: &str) -> Self {
        self.s.env.profile = profile.into();
        self
    }

    pub fn volume(mut self, letter: char, kind: FsKind) -> Self {
        self.s.env.volumes.push((letter, kind));
        self
    }

    pub fn given(mut self, steps: impl IntoIterator<Item = Op>) -> Self {
        self.s.setup.extend(steps);
        self
    }

    pub fn when(mut self, op: Op, expect: Expect) -> Self {
        self.s.op = op;
        self.s.expect = expect;
        self
    }

    pub fn then(mut self, op: Op, expect: Expect) -> Self {
        self.s.then.push((op, expect));
        self
    }

    /// The POSIX view cannot express this row.
    pub fn posix_skip(mut self, reason: &'static str) -> Self {
        self.s.posix = Some(PosixView::Skip(reason));
        self
    }

    /// The POSIX view answers the operation with this errno.
    pub fn posix_errno(mut self, e: ntlinkfs_core::Errno, reason: &'static str) -> Self {
        self.s.posix = Some(PosixView::Errno(e, reason));
        self
    }

    pub fn build(self) -> Scenario {
        self.s
    }
}

/// Short constructors the tables are written with.
pub mod dsl {
    use super::{Expect, HandleFlags, Op, SymFlags};
    use ntlinkfs_core::{NtError, SpecialKind};

    pub fn mkdir(p: &str) -> Op {
        Op::MkDir(p.into())
    }
    pub fn write(p: &str, b: &str) -> Op {
        Op::Write(p.into(), b.as_bytes().to_vec())
    }
    pub fn create(p: &str) -> Op {
        Op::CreateNew(p.into())
    }
    pub fn append(p: &str, b: &str) -> Op {
        Op::Append(p.into(), b.as_bytes().to_vec())
    }
    pub fn read(p: &str) -> Op {
        Op::Read(p.into())
    }
    pub fn hardlink(link: &str, existing: &str) -> Op {
        Op::HardLink {
            link: link.into(),
            existing: existing.into(),
        }
    }
    pub fn hardlink_replace(link: &str, existing: &str, ignore_readonly: bool) -> Op {
        Op::HardLinkReplace {
            link: link.into(),
            existing: existing.into(),
            ignore_readonly,
        }
    }
    pub fn symlink(link: &str, target: &str) -> Op {
        Op::Symlink {
            link: link.into(),
            target: target.into(),
            flags: SymFlags::default(),
        }
    }
    pub fn symlink_dir(link: &str, target: &str) -> Op {
        Op::Symlink {
            link: link.into(),
            target: target.into(),
            flags: SymFlags {
                directory: true,
                unprivileged: false,
            },
        }
    }
    pub fn symlink_flags(link: &str, target: &str, directory: bool, unprivileged: bool) -> Op {
        Op::Symlink {
            link: link.into(),
            target: target.into(),
            flags: SymFlags {
                directory,
                unprivileged,
            },
        }
    }
    pub fn junction(link: &str, target: &str) -> Op {
        Op::Junction {
            link: link.into(),
            target: target.into(),
        }
    }
    pub fn set_reparse(p: &str, buffer: Vec<u8>) -> Op {
        Op::SetReparse {
            path: p.into(),
            buffer,
        }
    }
    pub fn get_reparse(p: &str) -> Op {
        Op::GetReparse(p.into())
    }
    pub fn delete_reparse(p: &str, request: Vec<u8>) -> Op {
        Op::DeleteReparse {
            path: p.into(),
            request,
        }
    }
    pub fn readlink(p: &str) -> Op {
        Op::ReadLink(p.into())
    }
    pub fn del(p: &str) -> Op {
        Op::Delete(p.into())
    }
    pub fn rmdir(p: &str) -> Op {
        Op::RemoveDir(p.into())
    }
    pub fn mv(from: &str, to: &str) -> Op {
        Op::Move {
            from: from.into(),
            to: to.into(),
            replace: false,
            copy_allowed: false,
        }
    }
    pub fn mv_replace(from: &str, to: &str) -> Op {
        Op::Move {
            from: from.into(),
            to: to.into(),
            replace: true,
            copy_allowed: false,
        }
    }
    pub fn mv_copy(from: &str, to: &str) -> Op {
        Op::Move {
            from: from.into(),
            to: to.into(),
            replace: false,
            copy_allowed: true,
        }
    }
    pub fn attrs(p: &str, a: u32) -> Op {
        Op::SetAttrs(p.into(), a)
    }
    pub fn stat(p: &str) -> Op {
        Op::Stat(p.into())
    }
    pub fn lstat(p: &str) -> Op {
        Op::Lstat(p.into())
    }
    pub fn list(p: &str) -> Op {
        Op::List(p.into())
    }
    pub fn names(p: &str) -> Op {
        Op::Names(p.into())
    }
    pub fn query_dir(dir: &str, name: &str, class: u32) -> Op {
        Op::QueryDirectory {
            dir: dir.into(),
            name: name.into(),
            class,
        }
    }
    pub fn find_first(p: &str) -> Op {
        Op::FindFirstFile(p.into())
    }
    pub fn final_path(p: &str) -> Op {
        Op::FinalPath(p.into())
    }
    pub fn chdir(p: &str) -> Op {
        Op::Chdir(p.into())
    }
    pub fn rd_s(p: &str) -> Op {
        Op::RemoveTree(p.into())
    }
    pub fn explorer_delete(p: &str) -> Op {
        Op::ExplorerDelete(p.into())
    }
    pub fn del_s(dir: &str, pattern: &str) -> Op {
        Op::DelS {
            dir: dir.into(),
            pattern: pattern.into(),
        }
    }
    pub fn mknod(p: &str, kind: SpecialKind, mode: u16, rdev: (u32, u32)) -> Op {
        Op::MakeSpecial {
            path: p.into(),
            kind,
            mode,
            rdev,
        }
    }
    pub fn open(p: &str) -> Op {
        Op::Open {
            path: p.into(),
            share_delete: true,
        }
    }
    pub fn open_handle(p: &str, access: u32, share: u32) -> Op {
        Op::OpenHandle {
            path: p.into(),
            access,
            share,
            flags: HandleFlags::default(),
        }
    }
    pub fn open_handle_flags(p: &str, access: u32, share: u32, flags: HandleFlags) -> Op {
        Op::OpenHandle {
            path: p.into(),
            access,
            share,
            flags,
        }
    }
    pub fn close(n: usize) -> Op {
        Op::Close(n)
    }
    pub fn duplicate(n: usize) -> Op {
        Op::Duplicate(n)
    }
    pub fn handle_stat(n: usize) -> Op {
        Op::HandleStat(n)
    }
    pub fn handle_read(n: usize) -> Op {
        Op::HandleRead(n)
    }
    pub fn disposition(handle: usize, delete: bool) -> Op {
        Op::Disposition { handle, delete }
    }
    pub fn link_by_handle(handle: usize, root: Option<usize>, name: &str) -> Op {
        Op::NameByHandle {
            handle,
            root,
            name: name.into(),
            rename: false,
            replace: false,
            posix: false,
        }
    }
    pub fn rename_by_handle(handle: usize, root: Option<usize>, name: &str) -> Op {
        Op::NameByHandle {
            handle,
            root,
            name: name.into(),
            rename: true,
            replace: false,
            posix: false,
        }
    }
    pub fn posix_link_replace(handle: usize, name: &str, posix: bool) -> Op {
        Op::NameByHandle {
            handle,
            root: None,
            name: name.into(),
            rename: false,
            replace: true,
            posix,
        }
    }
    pub fn set_reparse_by_handle(handle: usize, buffer: Vec<u8>) -> Op {
        Op::SetReparseByHandle { handle, buffer }
    }
    pub fn set_dacl(p: &str, aces: &[(bool, u32)]) -> Op {
        Op::SetDacl {
            path: p.into(),
            aces: aces.to_vec(),
        }
    }
    pub fn total_links(n: u32) -> Expect {
        Expect::TotalLinks(n)
    }
    pub fn delete_pending(d: bool) -> Expect {
        Expect::DeletePending(d)
    }
    pub fn open_exclusive(p: &str) -> Op {
        Op::Open {
            path: p.into(),
            share_delete: false,
        }
    }

    pub fn mode_is(m: u32) -> Expect {
        Expect::Mode(m)
    }
    pub fn rdev_is(major: u32, minor: u32) -> Expect {
        Expect::Rdev(major, minor)
    }
    pub fn ok() -> Expect {
        Expect::Ok
    }
    pub fn err(e: NtError) -> Expect {
        Expect::Err(e)
    }
    pub fn bytes(b: &str) -> Expect {
        Expect::Bytes(b.as_bytes().to_vec())
    }
    pub fn raw(b: Vec<u8>) -> Expect {
        Expect::Bytes(b)
    }
    pub fn links(n: u32) -> Expect {
        Expect::Links(n)
    }
    pub fn attrs_are(a: u32) -> Expect {
        Expect::Attrs(a)
    }
    pub fn tag(t: u32) -> Expect {
        Expect::Tag(Some(t))
    }
    pub fn no_tag() -> Expect {
        Expect::Tag(None)
    }
    pub fn size(n: u64) -> Expect {
        Expect::Size(n)
    }
    pub fn is_dir(d: bool) -> Expect {
        Expect::IsDir(d)
    }
    pub fn entries(v: &[&str]) -> Expect {
        Expect::Entries(v.iter().map(|s| s.to_string()).collect())
    }
    pub fn text(s: &str) -> Expect {
        Expect::Text(s.into())
    }
    pub fn same_file(p: &str) -> Expect {
        Expect::SameFileAs(p.into())
    }
    pub fn other_file(p: &str) -> Expect {
        Expect::OtherFileThan(p.into())
    }
}

/// The fields a directory class has that J18 rows check, as one line:
/// `FileName=…`, then `EaSize=0x…` and `ReparsePointTag=0x…` where the class
/// has them. Every target renders its entry with this.
pub fn dir_entry_text(name: &str, ea_size: Option<u32>, tag: Option<u32>) -> String {
    let mut s = format!("FileName={name}");
    if let Some(e) = ea_size {
        s.push_str(&format!(" EaSize=0x{e:x}"));
    }
    if let Some(t) = tag {
        s.push_str(&format!(" ReparsePointTag=0x{t:x}"));
    }
    s
}

/// FindFirstFileW's fields J18 rows check, as one line.
pub fn find_data_text(attributes: u32, reserved0: u32) -> String {
    format!("dwFileAttributes=0x{attributes:x} dwReserved0=0x{reserved0:x}")
}
