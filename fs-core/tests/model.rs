//! Model-based property test: random operation sequences applied to the
//! `Machine` and to an independent, deliberately simpler reference model, with
//! results (Ok / exact NtError) and the whole observable state compared after
//! every step, and `invariants::check` run after every step.
//!
//! The reference model is built differently on purpose (STYLE §5.4): it is
//! keyed by full paths (upcased ASCII components), a file's link count is
//! computed by counting the entries that name it, junction targets are kept as
//! path text, and resolution is a few lines of prefix substitution. It knows
//! only what this test generates: files, directories, hard links, junctions,
//! symbolic links and open handles on C: and D: of a Windows 11 machine or a
//! Windows 10 1709 one (delete-pending names, `CON` a device), with a tiny name alphabet
//! that forces case collisions (`a`/`A`), trailing-dot stripping (`x.`), an
//! NT-legal device name (`con`, a plain name on Windows 11), a Win32 device
//! (`nul`), and lexical `.`/`..`.
//!
//! Runs 256 cases by default. For a long run:
//!
//! ```text
//! PROPTEST_CASES=100000 cargo test -p ntlinkfs-core --release --test model
//! ```

use ntlinkfs_core::{invariants, HandleId, Machine, NodeId, NtError, Outcome, ReparseData};
use proptest::prelude::*;
use std::collections::{BTreeMap, HashMap};

// ---- the reference model ---------------------------------------------------

type Key = Vec<String>;
/// Paths (volume, display components) that name one file, grouped and sorted.
type Groups = Vec<Vec<(usize, Vec<String>)>>;

#[derive(Debug, Clone, PartialEq)]
enum Kind {
    Dir,
    File(u32),
    /// A junction: a directory whose target is a drive path (volume, components).
    Junction(usize, Vec<String>),
    /// A symbolic link (object id, directory flavor, target). A file-flavored
    /// one is a file: it can be hard-linked (HL10) and shares its id.
    Symlink(u32, bool, Target),
}

impl Kind {
    /// A directory object: directories, junctions, directory symlinks.
    fn is_dir(&self) -> bool {
        matches!(
            self,
            Kind::Dir | Kind::Junction(..) | Kind::Symlink(_, true, _)
        )
    }

    /// The id of a file object (files and file symlinks), shared by its hard links.
    fn file_id(&self) -> Option<u32> {
        match self {
            Kind::File(id) | Kind::Symlink(id, false, _) => Some(*id),
            _ => None,
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Target {
    /// `C:\…` made absolute by CreateSymbolicLink (S5): volume, components.
    Abs(usize, Vec<String>),
    /// Stored as written, resolved against the link's directory (S7, P3, P4).
    Rel(String),
}

#[derive(Debug, Clone)]
struct Entry {
    name: String,
    kind: Kind,
    /// Marked for delete while a handle is open (classic semantics, M10).
    pending: bool,
}

/// Where a path leads in the model.
#[derive(Debug, Clone)]
enum Loc {
    /// An existing object (an empty key is the volume root); `via` is the
    /// flavor (directory?) of the link followed at the last component.
    Found {
        vol: usize,
        key: Key,
        via: Option<bool>,
    },
    /// A missing last name in an existing directory.
    Missing {
        vol: usize,
        parent: Key,
        name: String,
    },
}

#[derive(Debug, Default, Clone)]
struct Model {
    vols: [BTreeMap<Key, Entry>; 2],
    data: HashMap<u32, Vec<u8>>,
    next: u32,
    /// The file each open handle holds, in opening order.
    handles: Vec<u32>,
    /// Windows 10 1709 rather than 11: DeleteFile leaves the name pending while
    /// handles are open (M10), and `CON` is a device too (N5).
    classic: bool,
}

/// What the model predicts an operation returns.
#[derive(Debug, PartialEq)]
enum Out {
    Done,
    Bytes(Vec<u8>),
    /// (is directory, size, link count)
    Stat(bool, u64, u32),
    /// (name, is directory) in enumeration order.
    List(Vec<(String, bool)>),
}

const MAX_REPARSE: usize = 63;
/// The "volume" a Win32 device path names.
const DEVICE: usize = usize::MAX;

fn up(s: &str) -> String {
    s.to_ascii_uppercase()
}

impl Model {
    /// Win32 normalisation of `X:\c1\c2…` as this test writes paths: `.` and `..`
    /// lexically, trailing dots and spaces off the last component, `NUL` as the
    /// last component is a device (Windows 11), which no file operation opens.
    fn parse(&self, path: &str) -> Result<(usize, Vec<String>), NtError> {
        let vol = if path.starts_with('C') { 0 } else { 1 };
        let mut comps: Vec<String> = Vec::new();
        for c in path[3..].split('\\').filter(|c| !c.is_empty()) {
            match c {
                "." => {}
                ".." => {
                    comps.pop();
                }
                c => comps.push(c.to_string()),
            }
        }
        if let Some(last) = comps.pop() {
            let t = last.trim_end_matches(['.', ' ']);
            if !t.is_empty() {
                comps.push(t.to_string());
            }
        }
        let device = |c: &String| {
            c.eq_ignore_ascii_case("nul") || (self.classic && c.eq_ignore_ascii_case("con"))
        };
        if comps.last().is_some_and(device) {
            // A device, not a file: parsing succeeds, every lookup fails.
            return Ok((DEVICE, comps));
        }
        Ok((vol, comps))
    }

    fn kind(&self, vol: usize, key: &Key) -> Option<&Kind> {
        if key.is_empty() {
            return Some(&Kind::Dir);
        }
        self.vols[vol].get(key).map(|e| &e.kind)
    }

    fn is_dir(&self, vol: usize, key: &Key) -> bool {
        matches!(
            self.kind(vol, key),
            Some(Kind::Dir | Kind::Junction(..) | Kind::Symlink(_, true, _))
        )
    }

    fn children(&self, vol: usize, key: &Key) -> Vec<(&Key, &Entry)> {
        self.vols[vol]
            .range(key.clone()..)
            .take_while(|(k, _)| k.starts_with(key))
            .filter(|(k, _)| k.len() == key.len() + 1)
            .collect()
    }

    /// Resolution by prefix substitution: a junction met before the last
    /// component (or at it, with `follow`) is replaced by its target.
    fn resolve(
        &self,
        vol: usize,
        comps: &[String],
        follow: bool,
        file_prefix: NtError,
    ) -> Result<Loc, NtError> {
        if vol == DEVICE {
            return Err(NtError::ObjectNameInvalid);
        }
        let mut stack: Vec<String> = comps.iter().rev().cloned().collect();
        let (mut vol, mut cur): (usize, Key) = (vol, Vec::new());
        let (mut redirects, mut via) = (0, None);
        while let Some(c) = stack.pop() {
            let last = stack.is_empty();
            if !self.is_dir(vol, &cur) {
                return Err(file_prefix);
            }
            let mut key = cur.clone();
            key.push(up(&c));
            match self.vols[vol].get(&key).map(|e| &e.kind) {
                None if last => {
                    return Ok(Loc::Missing {
                        vol,
                        parent: cur,
                        name: c,
                    })
                }
                None => return Err(NtError::ObjectPathNotFound),
                Some(Kind::Junction(..) | Kind::Symlink(..)) if !last || follow => {
                    let kind = self.vols[vol][&key].kind.clone();
                    // Where the link sends the rest of the walk: the target's
                    // components from a volume root.
                    let (tv, comps, is_dir) = match kind {
                        Kind::Junction(tv, t) => (tv, t, true),
                        Kind::Symlink(_, d, Target::Abs(tv, t)) => (tv, t, d),
                        Kind::Symlink(_, d, Target::Rel(text)) => {
                            let mut out = cur.clone();
                            for part in text.split('\\') {
                                match part {
                                    "" => return Err(NtError::ObjectNameInvalid),
                                    "." => {}
                                    ".." => {
                                        if out.pop().is_none() {
                                            return Err(NtError::IoReparseDataInvalid);
                                            // P3
                                        }
                                    }
                                    p => out.push(p.to_string()),
                                }
                            }
                            (vol, out, d)
                        }
                        _ => unreachable!("matched a link"),
                    };
                    redirects += 1;
                    if redirects > MAX_REPARSE {
                        return Err(NtError::ReparsePointNotResolved);
                    }
                    // The link followed at the last name decides what the
                    // final object must be (J13, S22), whatever its target's path holds.
                    if last {
                        via = Some(is_dir);
                    }
                    stack.extend(comps.into_iter().rev());
                    vol = tv;
                    cur = Vec::new();
                }
                Some(_) => cur = key,
            }
        }
        Ok(Loc::Found { vol, key: cur, via })
    }

    fn links(&self, vol: usize, id: u32) -> u32 {
        self.vols[vol]
            .values()
            .filter(|e| !e.pending && e.kind.file_id() == Some(id))
            .count() as u32
    }

    fn add(&mut self, vol: usize, parent: &Key, name: &str, kind: Kind) {
        let mut key = parent.clone();
        key.push(up(name));
        self.vols[vol].insert(
            key,
            Entry {
                name: name.to_string(),
                kind,
                pending: false,
            },
        );
    }

    fn new_file(&mut self, data: Vec<u8>) -> Kind {
        self.next += 1;
        self.data.insert(self.next, data);
        Kind::File(self.next)
    }

    fn remove(&mut self, vol: usize, key: &Key) {
        if let Some(Entry {
            kind: Kind::File(id) | Kind::Symlink(id, ..),
            ..
        }) = self.vols[vol].remove(key)
        {
            self.release(id);
        }
    }

    /// Data lives until the last name and the last handle are gone (HL30).
    fn release(&mut self, id: u32) {
        if (0..2).all(|v| self.links(v, id) == 0) && !self.handles.contains(&id) {
            self.data.remove(&id);
        }
    }

    /// M9: every open of a name pending delete fails, even FILE_CREATE.
    fn check_pending(&self, vol: usize, key: &Key) -> Result<(), NtError> {
        match self.vols[vol].get(key) {
            Some(e) if e.pending => Err(NtError::DeletePending),
            _ => Ok(()),
        }
    }

    /// The object an open reaches, after the checks CreateFile makes on an
    /// existing object opened as a file (J13 flavor, then FILE_NON_DIRECTORY_FILE).
    fn open_file(&self, vol: usize, key: &Key, via: Option<bool>) -> Result<u32, NtError> {
        match self.kind(vol, key) {
            Some(Kind::File(_)) if via == Some(true) => Err(NtError::NotADirectory),
            Some(Kind::File(id)) => Ok(*id),
            _ => Err(NtError::FileIsADirectory),
        }
    }

    /// S22, S23, J13 for queries and listings: the link's flavor must match.
    fn check_flavor(&self, vol: usize, key: &Key, via: Option<bool>) -> Result<(), NtError> {
        match (via, self.is_dir(vol, key)) {
            (Some(true), false) => Err(NtError::NotADirectory),
            (Some(false), true) => Err(NtError::FileIsADirectory),
            _ => Ok(()),
        }
    }

    fn apply(&mut self, op: &MOp) -> Result<Out, NtError> {
        use NtError::*;
        match op {
            MOp::CreateFile(p) => {
                let (v, c) = self.parse(p)?;
                match self.resolve(v, &c, true, ObjectPathNotFound)? {
                    Loc::Found { vol, key, .. } => {
                        self.check_pending(vol, &key)?;
                        Err(ObjectNameCollision)
                    }
                    Loc::Missing { vol, parent, name } => {
                        let k = self.new_file(Vec::new());
                        self.add(vol, &parent, &name, k);
                        Ok(Out::Done)
                    }
                }
            }
            MOp::CreateDir(p) => {
                let (v, c) = self.parse(p)?;
                match self.resolve(v, &c, false, ObjectPathNotFound)? {
                    Loc::Found { vol, key, .. } => {
                        self.check_pending(vol, &key)?;
                        Err(ObjectNameCollision)
                    }
                    Loc::Missing { vol, parent, name } => {
                        self.add(vol, &parent, &name, Kind::Dir);
                        Ok(Out::Done)
                    }
                }
            }
            MOp::Write(p, bytes, append) => {
                let (v, c) = self.parse(p)?;
                match self.resolve(v, &c, true, ObjectPathNotFound)? {
                    Loc::Found { vol, key, via } => {
                        self.check_pending(vol, &key)?;
                        let id = self.open_file(vol, &key, via)?;
                        let d = self.data.get_mut(&id).expect("file data");
                        if !*append {
                            d.clear();
                        }
                        d.extend_from_slice(bytes);
                    }
                    Loc::Missing { vol, parent, name } => {
                        let k = self.new_file(bytes.clone());
                        self.add(vol, &parent, &name, k);
                    }
                }
                Ok(Out::Done)
            }
            MOp::Read(p) | MOp::Open(p) => {
                let (v, c) = self.parse(p)?;
                match self.resolve(v, &c, true, ObjectPathNotFound)? {
                    Loc::Missing { .. } => Err(ObjectNameNotFound),
                    Loc::Found { vol, key, via } => {
                        self.check_pending(vol, &key)?;
                        let id = self.open_file(vol, &key, via)?;
                        if let MOp::Open(_) = op {
                            self.handles.push(id);
                            return Ok(Out::Done);
                        }
                        Ok(Out::Bytes(self.data[&id].clone()))
                    }
                }
            }
            MOp::HandleRead(i) => Ok(Out::Bytes(self.data[&self.handles[*i]].clone())),
            MOp::Close(i) => {
                let id = self.handles.remove(*i);
                if !self.handles.contains(&id) {
                    // The last handle: names marked for delete go now (M10).
                    for vol in &mut self.vols {
                        vol.retain(|_, e| !(e.pending && e.kind.file_id() == Some(id)));
                    }
                }
                self.release(id);
                Ok(Out::Done)
            }
            MOp::Stat(p) | MOp::List(p) => {
                let (v, c) = self.parse(p)?;
                let (vol, key) = match self.resolve(v, &c, true, ObjectPathNotFound)? {
                    Loc::Missing { .. } => return Err(ObjectNameNotFound),
                    Loc::Found { vol, key, via } => {
                        // Queries open the object (M9); a listing only reads it.
                        if let MOp::Stat(_) = op {
                            self.check_pending(vol, &key)?;
                        }
                        self.check_flavor(vol, &key, via)?;
                        (vol, key)
                    }
                };
                if let MOp::Stat(_) = op {
                    return Ok(match self.kind(vol, &key) {
                        Some(Kind::File(id)) => {
                            Out::Stat(false, self.data[id].len() as u64, self.links(vol, *id))
                        }
                        _ => Out::Stat(true, 0, 1),
                    });
                }
                if !self.is_dir(vol, &key) {
                    return Err(NotADirectory);
                }
                // A junction reached without following lists its own (empty) directory.
                Ok(Out::List(
                    self.children(vol, &key)
                        .into_iter()
                        .map(|(_, e)| (e.name.clone(), e.kind.is_dir()))
                        .collect(),
                ))
            }
            MOp::DeleteFile(p) => {
                let (v, c) = self.parse(p)?;
                match self.resolve(v, &c, false, ObjectPathNotFound)? {
                    Loc::Missing { .. } => Err(ObjectNameNotFound),
                    Loc::Found { vol, key, .. } => {
                        self.check_pending(vol, &key)?;
                        if self.is_dir(vol, &key) {
                            return Err(FileIsADirectory); // M12, J31, S32
                        }
                        let id = self.kind(vol, &key).and_then(Kind::file_id);
                        if self.classic && id.is_some_and(|id| self.handles.contains(&id)) {
                            // M10 before 1903: the name stays until the last close.
                            self.vols[vol].get_mut(&key).expect("found").pending = true;
                        } else {
                            self.remove(vol, &key); // S30: a link goes, not its target
                        }
                        Ok(Out::Done)
                    }
                }
            }
            MOp::RemoveDir(p) => {
                let (v, c) = self.parse(p)?;
                match self.resolve(v, &c, false, ObjectPathNotFound)? {
                    Loc::Missing { .. } => Err(ObjectNameNotFound),
                    Loc::Found { key, .. } if key.is_empty() => Err(CannotDelete),
                    Loc::Found { vol, key, .. } if self.check_pending(vol, &key).is_err() => {
                        Err(DeletePending)
                    }
                    Loc::Found { vol, key, .. } => match self.kind(vol, &key) {
                        Some(Kind::File(_) | Kind::Symlink(_, false, _)) => Err(NotADirectory), // M12
                        Some(Kind::Dir) if !self.children(vol, &key).is_empty() => {
                            Err(DirectoryNotEmpty)
                        }
                        _ => {
                            self.remove(vol, &key); // J30: a junction goes alone
                            Ok(Out::Done)
                        }
                    },
                }
            }
            MOp::Move(from, to, replace) => {
                let (sv, sc) = self.parse(from)?;
                let (dv, dc) = self.parse(to)?;
                let s = self.resolve(sv, &sc, false, InvalidParameter)?;
                let d = self.resolve(dv, &dc, false, InvalidParameter)?;
                let Loc::Found {
                    vol: sv, key: skey, ..
                } = s
                else {
                    return Err(ObjectNameNotFound);
                };
                if skey.is_empty() {
                    return Err(AccessDenied);
                }
                // MoveFileEx opens the source before it looks at what the
                // target names.
                self.check_pending(sv, &skey)?;
                let (dv, dparent, dname, existing) = match d {
                    Loc::Found { key, .. } if key.is_empty() => return Err(AccessDenied),
                    Loc::Found { vol, key, .. } => {
                        let name = dc.last().expect("not a root").clone();
                        (vol, key[..key.len() - 1].to_vec(), name, Some(key))
                    }
                    Loc::Missing { vol, parent, name } => (vol, parent, name, None),
                };
                let is_dir = self.is_dir(sv, &skey);
                if sv != dv {
                    return Err(NotSameDevice); // M6
                }
                if is_dir && dparent.starts_with(&skey) {
                    return Err(InvalidParameter);
                }
                let mut dkey = dparent.clone();
                dkey.push(up(&dname));
                if dkey == skey {
                    // M1: a case-only rename changes the stored name.
                    self.vols[sv].get_mut(&skey).expect("source").name = dname;
                    return Ok(Out::Done);
                }
                if let Some(ekey) = existing {
                    self.check_pending(sv, &ekey)?;
                    if !*replace {
                        return Err(ObjectNameCollision); // M2
                    }
                    let ek = self.kind(sv, &ekey).cloned();
                    if ek.as_ref().is_none_or(Kind::is_dir) {
                        return Err(AccessDenied); // M3
                    }
                    if ek
                        .as_ref()
                        .and_then(Kind::file_id)
                        .is_some_and(|id| self.handles.contains(&id))
                    {
                        return Err(AccessDenied); // M3: an open file is not replaced
                    }
                    if ek.as_ref().and_then(Kind::file_id)
                        == self.kind(sv, &skey).and_then(Kind::file_id)
                    {
                        self.remove(sv, &skey); // another name of the same file
                        return Ok(Out::Done);
                    }
                    self.remove(sv, &ekey);
                }
                // Re-key the source and everything below it.
                let moved: Vec<(Key, Entry)> = self.vols[sv]
                    .range(skey.clone()..)
                    .take_while(|(k, _)| k.starts_with(&skey))
                    .map(|(k, e)| (k.clone(), e.clone()))
                    .collect();
                for (k, mut e) in moved {
                    self.vols[sv].remove(&k);
                    let mut nk = dkey.clone();
                    nk.extend_from_slice(&k[skey.len()..]);
                    if k == skey {
                        e.name = dname.clone();
                    }
                    self.vols[sv].insert(nk, e);
                }
                Ok(Out::Done)
            }
            MOp::HardLink(link, existing) => {
                let (sv, sc) = self.parse(existing)?;
                let s = self.resolve(sv, &sc, false, ObjectPathNotFound)?;
                // CreateHardLinkW opens the existing name before it looks at
                // the new one: a missing one fails first.
                let Loc::Found {
                    vol: sv, key: skey, ..
                } = s
                else {
                    return Err(ObjectNameNotFound);
                };
                self.check_pending(sv, &skey)?; // M9: the existing name is opened
                let (dv, dc) = self.parse(link)?;
                let d = self.resolve(dv, &dc, false, InvalidParameter)?;
                // HL10: a file symlink is linked itself.
                let Some(kind) = self.kind(sv, &skey).filter(|k| !k.is_dir()).cloned() else {
                    return Err(FileIsADirectory); // HL1
                };
                let (dv, parent, name) = match d {
                    Loc::Found { vol, .. } if vol != sv => return Err(NotSameDevice),
                    Loc::Found { vol, key, .. } => {
                        self.check_pending(vol, &key)?;
                        return Err(ObjectNameCollision); // HL4
                    }
                    Loc::Missing { vol, parent, name } => (vol, parent, name),
                };
                if dv != sv {
                    return Err(NotSameDevice); // HL2
                }
                self.add(dv, &parent, &name, kind);
                Ok(Out::Done)
            }
            MOp::Symlink(link, target, dir) => {
                let (lv, lc) = self.parse(link)?;
                let d = self.resolve(lv, &lc, false, ObjectPathNotFound)?;
                let target = if target.starts_with("C:") || target.starts_with("D:") {
                    let (tv, tc) = self.parse(target)?;
                    if tv == DEVICE {
                        return Err(ObjectNameInvalid);
                    }
                    Target::Abs(tv, tc)
                } else {
                    Target::Rel(target.clone())
                };
                match d {
                    Loc::Found { vol, key, .. } => {
                        self.check_pending(vol, &key)?;
                        Err(ObjectNameCollision)
                    }
                    Loc::Missing { vol, parent, name } => {
                        self.next += 1;
                        self.data.insert(self.next, Vec::new());
                        self.add(vol, &parent, &name, Kind::Symlink(self.next, *dir, target));
                        Ok(Out::Done)
                    }
                }
            }
            MOp::Junction(link, target) => {
                let (lv, lc) = self.parse(link)?;
                let d = self.resolve(lv, &lc, false, ObjectPathNotFound)?;
                let (tv, tc) = self.parse(target)?;
                if tv == DEVICE {
                    return Err(ObjectNameInvalid);
                }
                match d {
                    Loc::Found { vol, key, .. } => {
                        self.check_pending(vol, &key)?;
                        Err(ObjectNameCollision)
                    }
                    Loc::Missing { vol, parent, name } => {
                        self.add(vol, &parent, &name, Kind::Junction(tv, tc));
                        Ok(Out::Done)
                    }
                }
            }
        }
    }

    /// The observable state, as `observe` reads it from a Machine.
    fn state(&self) -> Vec<Seen> {
        let mut out = Vec::new();
        for (vol, entries) in self.vols.iter().enumerate() {
            for (key, e) in entries {
                let path: Vec<String> = (1..=key.len())
                    .map(|n| entries[&key[..n].to_vec()].name.clone())
                    .collect();
                let (kind, data, links) = match &e.kind {
                    Kind::Dir => ("dir".to_string(), Vec::new(), 1),
                    Kind::File(id) => (
                        "file".to_string(),
                        self.data[id].clone(),
                        self.links(vol, *id),
                    ),
                    Kind::Symlink(_, d, t) => {
                        let text = match t {
                            Target::Abs(tv, c) => {
                                let l = if *tv == 0 { 'C' } else { 'D' };
                                format!(r"\??\{l}:\{} 0", c.join("\\"))
                            }
                            Target::Rel(text) => format!("{text} 1"),
                        };
                        (
                            format!("symlink{} {text}", if *d { "d" } else { "" }),
                            Vec::new(),
                            if *d {
                                1
                            } else {
                                self.links(vol, e.kind.file_id().expect("file"))
                            },
                        )
                    }
                    Kind::Junction(tv, t) => {
                        let l = if *tv == 0 { 'C' } else { 'D' };
                        (
                            format!(r"junction \??\{l}:\{}", t.join("\\")),
                            Vec::new(),
                            1,
                        )
                    }
                };
                out.push(Seen {
                    vol,
                    path,
                    kind,
                    data,
                    links,
                    pending: e.pending,
                });
            }
        }
        out.sort_by(|a, b| (a.vol, &a.path).cmp(&(b.vol, &b.path)));
        out
    }

    /// Which paths name the same file: groups of paths, sorted.
    fn file_groups(&self) -> Groups {
        let mut groups: BTreeMap<u32, Vec<(usize, Vec<String>)>> = BTreeMap::new();
        for (vol, entries) in self.vols.iter().enumerate() {
            for (key, e) in entries {
                if let Some(id) = e.kind.file_id() {
                    let path = (1..=key.len())
                        .map(|n| entries[&key[..n].to_vec()].name.clone())
                        .collect();
                    groups.entry(id).or_default().push((vol, path));
                }
            }
        }
        let mut g: Vec<_> = groups
            .into_values()
            .map(|mut v| {
                v.sort();
                v
            })
            .collect();
        g.sort();
        g
    }
}

/// One entry as both sides report it.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Seen {
    vol: usize,
    path: Vec<String>,
    kind: String,
    data: Vec<u8>,
    links: u32,
    pending: bool,
}

/// Walks a Machine by id (no link is followed) into the model's terms.
fn observe(m: &Machine) -> (Vec<Seen>, Groups) {
    let mut out = Vec::new();
    let mut groups: BTreeMap<NodeId, Vec<(usize, Vec<String>)>> = BTreeMap::new();
    for vol in 0..2 {
        let mut stack: Vec<(NodeId, Vec<String>)> = vec![(m.root(vol), Vec::new())];
        while let Some((dir, path)) = stack.pop() {
            for e in m.read_dir(dir, None, usize::MAX).expect("read_dir") {
                let mut p = path.clone();
                p.push(e.name.to_string());
                let id = e.info.id;
                let link = match m.reparse_data_of(id) {
                    Ok(ReparseData::MountPoint { substitute, .. }) => Some(format!(
                        "junction {}",
                        String::from_utf16_lossy(&substitute)
                    )),
                    Ok(ReparseData::Symlink {
                        substitute, flags, ..
                    }) => Some(format!(
                        "symlink{} {} {flags}",
                        if e.info.is_directory { "d" } else { "" },
                        String::from_utf16_lossy(&substitute)
                    )),
                    Ok(other) => Some(format!("{other:?}")),
                    Err(_) => None,
                };
                if !e.info.is_directory {
                    groups.entry(id).or_default().push((vol, p.clone()));
                }
                let kind = match (e.info.is_directory, link) {
                    (_, Some(link)) => link,
                    (true, None) => "dir".to_string(),
                    (false, None) => "file".to_string(),
                };
                if e.info.is_directory {
                    stack.push((id, p.clone()));
                }
                out.push(Seen {
                    vol,
                    data: m.read_node(id, 0, usize::MAX).unwrap_or_default(),
                    links: e.info.link_count,
                    pending: e.info.delete_pending,
                    kind,
                    path: p,
                });
            }
        }
    }
    out.sort_by(|a, b| (a.vol, &a.path).cmp(&(b.vol, &b.path)));
    let mut g: Vec<_> = groups
        .into_values()
        .map(|mut v| {
            v.sort();
            v
        })
        .collect();
    g.sort();
    (out, g)
}

// ---- operations ----------------------------------------------------------------

// The generator is the library's (`testing::ops_gen`), shared with
// `ntlinkfs-conformance --random`.
use ntlinkfs_core::testing::ops_gen::{ops, OpsConfig, SeqOp as MOp};

/// The core's answer in the model's terms.
fn outcome(op: &MOp, o: Outcome) -> Out {
    match (op, o) {
        (MOp::Read(_), Outcome::Bytes(b)) => Out::Bytes(b),
        (MOp::Stat(_), Outcome::Info(i)) => Out::Stat(i.is_directory, i.size, i.link_count),
        (MOp::List(_), Outcome::Entries(es)) => Out::List(
            es.into_iter()
                .map(|e| (e.name.to_string(), e.info.is_directory))
                .collect(),
        ),
        _ => Out::Done,
    }
}

fn run(ops: &[MOp], classic: bool) -> Result<(), TestCaseError> {
    let mut m = Machine::default();
    let mut model = Model {
        classic,
        ..Model::default()
    };
    if classic {
        m.set_profile("10-1709".parse().expect("profile"));
    }
    // The machine's handles, parallel to the model's.
    let mut hs: Vec<HandleId> = Vec::new();
    for (i, op) in ops.iter().enumerate() {
        let op = &match op {
            MOp::HandleRead(_) | MOp::Close(_) if hs.is_empty() => continue,
            MOp::HandleRead(n) => MOp::HandleRead(n % hs.len()),
            MOp::Close(n) => MOp::Close(n % hs.len()),
            op => op.clone(),
        };
        let got = match op {
            MOp::HandleRead(n) => m.read(hs[*n], 0, 1 << 20).map(Out::Bytes),
            MOp::Close(n) => m.close(hs.remove(*n)).map(|()| Out::Done),
            _ => m.apply(&op.to_op().expect("not a handle number")).map(|o| {
                if let Outcome::Handle(h) = o {
                    hs.push(h);
                }
                outcome(op, o)
            }),
        };
        let want = model.apply(op);
        prop_assert_eq!(&got, &want, "step {}: {:?}", i, op);
        if let Err(v) = invariants::check(&m) {
            prop_assert!(false, "step {}: {:?}: invariant broken: {}", i, op, v);
        }
        let (seen, groups) = observe(&m);
        prop_assert_eq!(&seen, &model.state(), "step {}: {:?}: state differs", i, op);
        prop_assert_eq!(
            &groups,
            &model.file_groups(),
            "step {}: {:?}: hard-link groups differ",
            i,
            op
        );
    }
    Ok(())
}

proptest! {
    // 256 cases unless PROPTEST_CASES says otherwise.
    #![proptest_config(ProptestConfig::default())]

    #[test]
    fn machine_matches_reference_model(
        ops in ops(&OpsConfig::model(), 1..60),
        classic in any::<bool>(),
    ) {
        run(&ops, classic)?;
    }
}
