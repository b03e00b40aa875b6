//! The picture of the volumes: each file record once, with all of its names
//! and its link count, and an arrow for every junction and symbolic link to
//! what it reaches, marked when it dangles, loops back to a folder above it,
//! or leaves its volume. Read through the core's public queries only.
//!
//! The picture folds: a directory shows its first [`FOLD_KEEP`] entries and
//! one "N more" item, and a pane stops at [`PANE_LIMIT`] items, so that a
//! volume of any size draws in the same time.

use crate::json;
use ntlinkfs_core::{Follow, Machine, NodeId, NtError, ReparseData, VolumeInfo};
use std::collections::HashSet;

/// Entries a directory shows before folding the rest.
pub const FOLD_KEEP: usize = 16;
/// Items a volume's pane shows at most.
pub const PANE_LIMIT: usize = 240;

/// What an item of a pane is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    Dir,
    File,
    Junction,
    SymlinkDir,
    SymlinkFile,
    /// Another reparse point (WSL symlink, AF_UNIX socket …).
    Reparse,
    /// The entries of a directory not drawn.
    Fold,
}

impl Kind {
    pub fn name(self) -> &'static str {
        match self {
            Kind::Dir => "dir",
            Kind::File => "file",
            Kind::Junction => "junction",
            Kind::SymlinkDir => "symlinkd",
            Kind::SymlinkFile => "symlink",
            Kind::Reparse => "reparse",
            Kind::Fold => "fold",
        }
    }
}

/// One row of a pane: a file record, or a fold.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    /// `C:` and the file reference in hex; unique on the machine.
    pub id: String,
    pub kind: Kind,
    /// 0 for the root.
    pub depth: usize,
    /// The name under the directory it is drawn in.
    pub name: String,
    /// The full path it is drawn at.
    pub path: String,
    /// Every name of the record, full paths (one for directories).
    pub names: Vec<String>,
    pub links: u32,
    /// For a fold: how many entries it hides.
    pub folded: usize,
}

/// How an arrow ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum State {
    /// It reaches its target.
    Ok,
    /// Its target does not exist.
    Dangling,
    /// It reaches a folder above itself: a walk that follows it never ends.
    Loop,
    /// Following it fails for another reason (the message says which).
    Refused,
}

impl State {
    pub fn name(self) -> &'static str {
        match self {
            State::Ok => "ok",
            State::Dangling => "dangling",
            State::Loop => "loop",
            State::Refused => "refused",
        }
    }
}

/// A junction's or symbolic link's arrow.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Arrow {
    pub from: String,
    /// The record reached, when there is one.
    pub to: Option<String>,
    /// The target as stored (the print name).
    pub target: String,
    pub state: State,
    /// The target is on another volume.
    pub cross: bool,
    /// Why it is not [`State::Ok`]: the Win32 message.
    pub why: String,
}

/// One volume.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Pane {
    pub letter: char,
    pub kind: String,
    pub label: String,
    pub serial: u32,
    /// Records on the volume.
    pub records: usize,
    pub items: Vec<Item>,
    /// Items left out past [`PANE_LIMIT`].
    pub cut: bool,
}

/// The whole picture.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Picture {
    pub panes: Vec<Pane>,
    pub arrows: Vec<Arrow>,
}

/// The id of a record in the picture (and in the page's DOM).
pub fn item_id(m: &Machine, id: NodeId) -> String {
    let letter = m.volume_info(id.volume).letter;
    format!("{letter}:{:x}", id.file.0)
}

/// Draws every volume of `m`.
pub fn draw(m: &Machine) -> Picture {
    let mut picture = Picture::default();
    let mut drawn = HashSet::new();
    for v in m.volume_infos() {
        let mut walk = Walk {
            m,
            volume: &v,
            pane: Pane {
                letter: v.letter,
                kind: v.kind.name(),
                label: v.label.clone(),
                serial: v.serial,
                records: v.nodes,
                items: Vec::new(),
                cut: false,
            },
            arrows: &mut picture.arrows,
            drawn: &mut drawn,
            ancestors: Vec::new(),
        };
        walk.root();
        picture.panes.push(walk.pane);
    }
    picture
}

struct Walk<'a> {
    m: &'a Machine,
    volume: &'a VolumeInfo,
    pane: Pane,
    arrows: &'a mut Vec<Arrow>,
    drawn: &'a mut HashSet<NodeId>,
    /// The directories above the one being listed, and it.
    ancestors: Vec<NodeId>,
}

impl Walk<'_> {
    fn root(&mut self) {
        let root = self.m.root(self.volume.id);
        let path = format!("{}:\\", self.volume.letter);
        self.pane.items.push(Item {
            id: item_id(self.m, root),
            kind: Kind::Dir,
            depth: 0,
            name: path.clone(),
            path: path.clone(),
            names: vec![path.clone()],
            links: 1,
            folded: 0,
        });
        self.drawn.insert(root);
        self.dir(root, &path, 1);
    }

    fn full(&self, rooted: &str) -> String {
        format!("{}:{rooted}", self.volume.letter)
    }

    /// Lists `dir` (at `path`) at `depth`, and below it.
    fn dir(&mut self, dir: NodeId, path: &str, depth: usize) {
        let Ok(total) = self.m.entry_count(dir) else {
            return;
        };
        let Ok(entries) = self.m.read_dir(dir, None, FOLD_KEEP) else {
            return;
        };
        self.ancestors.push(dir);
        let sep = if path.ends_with('\\') { "" } else { "\\" };
        for e in &entries {
            if self.pane.items.len() >= PANE_LIMIT {
                self.pane.cut = true;
                break;
            }
            let info = &e.info;
            // A hard link group is drawn once, at the first name reached.
            if !self.drawn.insert(info.id) {
                continue;
            }
            let name = e.name.to_string_lossy();
            let child = format!("{path}{sep}{name}");
            let names = match self.m.file_names(info.id) {
                Ok(n) => n.iter().map(|f| self.full(&f.path)).collect(),
                Err(_) => vec![child.clone()],
            };
            let kind = match (info.reparse_tag, info.is_directory) {
                (None, true) => Kind::Dir,
                (None, false) => Kind::File,
                (Some(ntlinkfs_core::reparse::IO_REPARSE_TAG_MOUNT_POINT), _) => Kind::Junction,
                (Some(ntlinkfs_core::reparse::IO_REPARSE_TAG_SYMLINK), true) => Kind::SymlinkDir,
                (Some(ntlinkfs_core::reparse::IO_REPARSE_TAG_SYMLINK), false) => Kind::SymlinkFile,
                (Some(_), _) => Kind::Reparse,
            };
            let id = item_id(self.m, info.id);
            self.pane.items.push(Item {
                id: id.clone(),
                kind,
                depth,
                name,
                path: child.clone(),
                names,
                links: info.link_count,
                folded: 0,
            });
            match kind {
                Kind::Junction | Kind::SymlinkDir | Kind::SymlinkFile => {
                    let arrow = self.arrow(info.id, id, &child);
                    self.arrows.push(arrow);
                }
                Kind::Dir => self.dir(info.id, &child, depth + 1),
                _ => {}
            }
        }
        self.ancestors.pop();
        let shown = entries.len();
        if total > shown && !self.pane.cut {
            self.pane.items.push(Item {
                id: format!("{}:more", item_id(self.m, dir)),
                kind: Kind::Fold,
                depth,
                name: format!("… {} more", total - shown),
                path: path.to_string(),
                names: Vec::new(),
                links: 0,
                folded: total - shown,
            });
        }
    }

    /// Where the link at `path` leads.
    fn arrow(&self, link: NodeId, from: String, path: &str) -> Arrow {
        let target = self
            .m
            .reparse_data_of(link)
            .ok()
            .and_then(|d: ReparseData| d.print_name())
            .unwrap_or_default();
        let mut arrow = Arrow {
            from,
            to: None,
            target,
            state: State::Ok,
            cross: false,
            why: String::new(),
        };
        match self.m.query_information(path, Follow::Reparse) {
            Ok(info) => {
                arrow.to = Some(item_id(self.m, info.id));
                arrow.cross = info.id.volume != link.volume;
                if self.ancestors.contains(&info.id) {
                    arrow.state = State::Loop;
                    arrow.why =
                        "it leads to a folder above itself: a walk that follows links never ends"
                            .into();
                }
            }
            Err(e @ (NtError::ObjectNameNotFound | NtError::ObjectPathNotFound)) => {
                arrow.state = State::Dangling;
                arrow.why = e.message().to_string();
            }
            Err(e) => {
                arrow.state = if e.errno() == ntlinkfs_core::Errno::ELOOP {
                    State::Loop
                } else {
                    State::Refused
                };
                arrow.why = e.message().to_string();
            }
        }
        arrow
    }
}

impl Picture {
    /// The picture as the page reads it.
    pub fn to_json(&self) -> String {
        let panes = self.panes.iter().map(|p| {
            let items = p.items.iter().map(|i| {
                json::object(&[
                    ("id", json::string(&i.id)),
                    ("kind", json::string(i.kind.name())),
                    ("depth", i.depth.to_string()),
                    ("name", json::string(&i.name)),
                    ("path", json::string(&i.path)),
                    ("names", json::strings(&i.names)),
                    ("links", i.links.to_string()),
                    ("folded", i.folded.to_string()),
                ])
            });
            json::object(&[
                ("letter", json::string(&p.letter.to_string())),
                ("kind", json::string(&p.kind)),
                ("label", json::string(&p.label)),
                (
                    "serial",
                    json::string(&format!("{:04X}-{:04X}", p.serial >> 16, p.serial & 0xFFFF)),
                ),
                ("records", p.records.to_string()),
                ("cut", p.cut.to_string()),
                ("items", json::array(items)),
            ])
        });
        let arrows = self.arrows.iter().map(|a| {
            json::object(&[
                ("from", json::string(&a.from)),
                ("to", a.to.as_deref().map_or("null".into(), json::string)),
                ("target", json::string(&a.target)),
                ("state", json::string(a.state.name())),
                ("cross", a.cross.to_string()),
                ("why", json::string(&a.why)),
            ])
        });
        json::object(&[
            ("panes", json::array(panes)),
            ("arrows", json::array(arrows)),
        ])
    }

    /// The item drawn at this path.
    pub fn item_by_path(&self, path: &str) -> Option<&Item> {
        self.panes
            .iter()
            .flat_map(|p| &p.items)
            .find(|i| i.kind != Kind::Fold && i.path == path)
    }

    /// The item with this id.
    pub fn item(&self, id: &str) -> Option<&Item> {
        self.panes
            .iter()
            .flat_map(|p| &p.items)
            .find(|i| i.id == id)
    }
}
