//! Everything observable about a machine, to show that a failed call changed
//! nothing (STYLE 6.10: a failed operation leaves no partial state).

use crate::handle::HandleId;
use crate::machine::{DirEntryInfo, FileInfo, Machine, NodeId, VolumeInfo};
use crate::op::Op;
use crate::profile::Profile;
use crate::query::FileName;

/// Everything observable about a machine: volumes, every entry of every
/// directory with its data, reparse buffer and names, the open handles, the
/// current directory and the profile. Two snapshots are equal when no
/// Win32 call could tell the machines apart.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Snapshot {
    /// Every volume's information (letter, kind, label, serial, usage).
    pub volumes: Vec<VolumeInfo>,
    /// Each volume root's information (attributes, times, link count).
    pub roots: Vec<FileInfo>,
    /// Every directory entry, volume by volume, walked without following links.
    pub entries: Vec<Entry>,
    /// Each open handle's id and the information of what it holds.
    pub handles: Vec<(u64, FileInfo)>,
    /// How many handles are open.
    pub open_handles: usize,
    /// The current directory, as cmd.exe prints it.
    pub current_dir: String,
    /// The machine's profile.
    pub profile: Profile,
}

/// One directory entry with everything about the object it names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// Its path from the drive (`C:\a\f`), through the names the walk took.
    pub path: String,
    /// The entry as the directory lists it, not followed.
    pub entry: DirEntryInfo,
    /// The file's data; `None` for a directory.
    pub data: Option<Vec<u8>>,
    /// The raw reparse buffer, when the object has one.
    pub reparse: Option<Vec<u8>>,
    /// Every hard link of the object (FindFirstFileNameW).
    pub names: Vec<FileName>,
}

/// Handle ids probed for open handles; more than any test opens.
const HANDLE_PROBE: u64 = 100_000;

/// Takes a [`Snapshot`] of `m`. It walks every volume by id, never following
/// a link (so the walk is a tree), and reads nothing through a path, so it
/// never changes `m` (no access times) and cannot fail: what cannot be read
/// is left out, and then differs between two snapshots.
///
/// ```
/// use ntlinkfs_core::testing::{fixture, snapshot};
/// use ntlinkfs_core::NtError;
///
/// let mut m = fixture(&[r"dir C:\a", r"file C:\a\f x"]);
/// let before = snapshot(&m);
/// // RemoveDirectoryW refuses a directory that is not empty; nothing changed.
/// assert_eq!(m.remove_directory(r"C:\a").unwrap_err(), NtError::DirectoryNotEmpty);
/// assert_eq!(snapshot(&m), before);
/// m.delete_file(r"C:\a\f").unwrap();
/// assert_ne!(snapshot(&m), before);
/// ```
pub fn snapshot(m: &Machine) -> Snapshot {
    let volumes = m.volume_infos();
    let mut roots = Vec::new();
    let mut entries = Vec::new();
    for v in &volumes {
        let root = m.root(v.id);
        roots.extend(m.info(root));
        let mut stack: Vec<(NodeId, String)> = vec![(root, format!("{}:", v.letter))];
        while let Some((dir, path)) = stack.pop() {
            for e in m.read_dir(dir, None, usize::MAX).unwrap_or_default() {
                let p = format!("{path}\\{}", e.name);
                let id = e.info.id;
                if e.info.is_directory {
                    stack.push((id, p.clone()));
                }
                entries.push(Entry {
                    path: p,
                    data: m.read_node(id, 0, usize::MAX).ok(),
                    reparse: m.get_reparse_point_of(id).ok(),
                    names: m.file_names(id).unwrap_or_default(),
                    entry: e,
                });
            }
        }
    }
    let open_handles = m.open_handle_count();
    let mut handles = Vec::new();
    let mut h = 0u64;
    while handles.len() < open_handles && h < HANDLE_PROBE {
        if let Ok(i) = m.handle_info(HandleId(h)) {
            handles.push((h, i));
        }
        h += 1;
    }
    Snapshot {
        volumes,
        roots,
        entries,
        handles,
        open_handles,
        current_dir: m.current_dir(),
        profile: *m.profile(),
    }
}

/// Asserts that `before` and `after` are equal, for a failed `op`.
///
/// # Panics
///
/// An assertion for tests: when they differ, panics with `rule`, `op` and the
/// first entry that changed (or the paths added or removed), so the
/// difference is readable.
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
