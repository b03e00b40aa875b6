use super::*;
use ntlinkfs_core::reparse::{
    IO_REPARSE_TAG_LX_SYMLINK, IO_REPARSE_TAG_MOUNT_POINT, IO_REPARSE_TAG_SYMLINK,
};
use ntlinkfs_core::{ReparseData, SymlinkFlags};
use proptest::prelude::*;

fn dir(m: &Machine, path: &str) -> NodeId {
    m.resolve_node(path).unwrap()
}

fn text_at(m: &Machine, parent: &str, data: &ReparseData) -> String {
    let d = dir(m, parent);
    let from = mount_components(&m.place_of_dir(d).unwrap());
    render(&m.link_hop(d, data).unwrap(), &from)
}

/// Every row: the directory of the link's name, reparse data, expected text (F1).
#[test]
fn targets_read_from_the_names_directory() {
    let mut m = Machine::default();
    m.create_directory(r"C:\a").unwrap();
    m.create_directory(r"C:\a\b").unwrap();
    let d_guid = m.volume_guid(m.volume_by_letter(b'D').unwrap());
    let rows: Vec<(&str, ReparseData, &str)> = vec![
        // Junctions on the same volume, from the root and from below.
        (r"C:\", ReparseData::mount_point(r"\??\C:\data", ""), "data"),
        (
            r"C:\a\b",
            ReparseData::mount_point(r"\??\C:\data\x", ""),
            "../../data/x",
        ),
        (r"C:\a", ReparseData::mount_point(r"\??\C:\", ""), ".."),
        (r"C:\a", ReparseData::mount_point(r"\??\c:\A\b", ""), "b"),
        // A trailing separator: the target must be a directory (P11).
        (
            r"C:\",
            ReparseData::mount_point(r"\??\C:\data\", ""),
            "data/",
        ),
        // Another mounted volume: through the volume directories.
        (
            r"C:\a",
            ReparseData::mount_point(r"\??\D:\y", ""),
            "../../D/y",
        ),
        (
            r"C:\",
            ReparseData::mount_point(&format!(r"\??\{d_guid}\y"), ""),
            "../D/y",
        ),
        // Not mounted: inside the mount, under a name that never exists.
        (
            r"C:\a",
            ReparseData::mount_point(r"\??\Q:\y", ""),
            "../../.NTFS-3G/Q:/y",
        ),
        (
            r"C:\",
            ReparseData::symlink(r"\??\UNC\srv\share\x", "", false),
            "../.NTFS-3G/UNC/srv/share/x",
        ),
        // Relative symlinks work from the name's directory (S8).
        (r"C:\a", ReparseData::symlink(r"..\x", "", true), "../x"),
        (r"C:\a", ReparseData::symlink(r"x\y", "", true), "x/y"),
        (
            r"C:\a\b",
            ReparseData::symlink(r"\top", "", true),
            "../../top",
        ),
        (r"C:\a", ReparseData::symlink(r".\x\..\y", "", true), "y"),
        // Climbing above the volume root is refused by the walk (P4).
        (
            r"C:\a",
            ReparseData::symlink(r"..\..\..\etc\passwd", "", true),
            "../../.NTFS-3G/_../_../_../etc/passwd",
        ),
        // Absolute symlink (flags 0).
        (
            r"D:\",
            ReparseData::symlink(r"\??\C:\x", r"C:\x", false),
            "../C/x",
        ),
        // What Windows does not resolve is not normalised here (P5, P6, S10):
        // a drive path with the relative flag, `..`/`.`/empty components in an
        // absolute target, an empty component in a relative one.
        (
            r"D:\",
            ReparseData::symlink(r"C:\x", r"C:\x", true),
            "../.NTFS-3G/C:/x",
        ),
        (
            r"C:\",
            ReparseData::symlink(r"\??\C:\a\..\b", "", false),
            "../.NTFS-3G/C:/a/_../b",
        ),
        (
            r"C:\",
            ReparseData::mount_point(r"\??\C:\a\.\b", ""),
            "../.NTFS-3G/C:/a/_./b",
        ),
        (
            r"C:\",
            ReparseData::symlink(r"a\\b", "", true),
            "../.NTFS-3G/a/b",
        ),
        (
            r"C:\",
            ReparseData::symlink(r"\??\PIPE\x", "", false),
            "../.NTFS-3G/PIPE/x",
        ),
    ];
    for (parent, data, want) in rows {
        assert_eq!(text_at(&m, parent, &data), want, "{parent} {data:?}");
    }
}

/// A symlink file with a second name at another depth reads, from each name,
/// the text that leads where the core resolves that name (issue 11 item 2).
#[test]
fn each_name_of_a_linked_symlink_reads_its_own_text() {
    let mut m = Machine::default();
    for d in [r"C:\a", r"C:\a\b", r"C:\a\b\c", r"C:\etc"] {
        m.create_directory(d).unwrap();
    }
    m.write_file(r"C:\etc\passwd", b"core").unwrap();
    let s = m
        .create_symbolic_link(r"C:\a\b\c\s", r"C:\etc\passwd", SymlinkFlags::default())
        .unwrap();
    let r = m
        .create_symbolic_link(r"C:\a\b\c\r", r"..\..\x", SymlinkFlags::default())
        .unwrap();
    let root = dir(&m, r"C:\");
    m.create_hard_link_at(s.id, root, "s2").unwrap();
    m.create_hard_link_at(r.id, root, "r2").unwrap();
    let deep = dir(&m, r"C:\a\b\c");
    let text = |id, parent| String::from_utf8(link_text(&m, id, parent, false).unwrap()).unwrap();
    assert_eq!(text(s.id, deep), "../../../etc/passwd");
    assert_eq!(text(s.id, root), "etc/passwd");
    assert_eq!(text(r.id, deep), "../../x");
    // From the root, `..\..\x` climbs above it: Windows refuses it (P4).
    assert_eq!(text(r.id, root), "../.NTFS-3G/_../_../x");
}

#[test]
fn lx_symlinks_read_back_byte_for_byte_and_confined_stay_inside() {
    let mut m = Machine::default();
    m.create_directory(r"C:\a").unwrap();
    let a = dir(&m, r"C:\a");
    let rows: &[(&[u8], &[u8])] = &[
        // (text, what --confine reads)
        (b"/etc/passwd", b"../../etc/passwd"),
        (b"/C/x", b"../x"),
        (b"../x/y", b"../x/y"),
        (b"../../D/y", b"../../D/y"),
        (b"../../../../etc", b"../../etc"),
        (b"x/../../../..", b"../.."),
        (b"./x", b"./x"),
        (b"dangling", b"dangling"),
        (b"caf\xe9/\xff", b"caf\xe9/\xff"),
        (b"/", b"../../"),
        (b"d/", b"d/"),
    ];
    for (i, (t, confined)) in rows.iter().enumerate() {
        let name = format!("l{i}");
        let info = m.create_lx_symlink_at(a, &name, t).unwrap();
        assert_eq!(info.reparse_tag, Some(IO_REPARSE_TAG_LX_SYMLINK));
        assert_eq!(link_text(&m, info.id, a, false).unwrap(), *t);
        assert_eq!(
            link_text(&m, info.id, a, true).unwrap(),
            *confined,
            "{}",
            String::from_utf8_lossy(t)
        );
    }
}

// ---- the property: every name of every link, walked as the kernel walks ----

/// Where a POSIX walk stopped.
#[derive(Debug, PartialEq)]
enum Stop {
    /// A `..` at the mount root or an absolute text: the walk left the mount.
    Escaped(String),
    /// ENOENT, ENOTDIR, ELOOP: nothing reached.
    Failed,
}

/// Directories from the mount root (name, node), and the final file if any.
#[derive(Clone, Debug)]
struct Reached {
    dirs: Vec<(String, NodeId)>,
    file: Option<NodeId>,
}

fn is_link(tag: Option<u32>) -> bool {
    matches!(
        tag,
        Some(IO_REPARSE_TAG_MOUNT_POINT | IO_REPARSE_TAG_SYMLINK | IO_REPARSE_TAG_LX_SYMLINK)
    )
}

/// Walks `text` from `start` as the Linux kernel walks a path over the mount:
/// the root holds the volume directories, each link's text is read through the
/// directory its name was found in and walked from there.
fn walk(
    m: &Machine,
    confine: bool,
    start: &[(String, NodeId)],
    text: &[u8],
    follow_last: bool,
    budget: &mut usize,
) -> Result<Reached, Stop> {
    if text.first() == Some(&b'/') {
        return Err(Stop::Escaped(String::from_utf8_lossy(text).into_owned()));
    }
    let mut dirs = start.to_vec();
    let trailing = text.ends_with(b"/");
    let comps: Vec<&[u8]> = text
        .split(|&b| b == b'/')
        .filter(|c| !c.is_empty())
        .collect();
    for (i, c) in comps.iter().enumerate() {
        let last = i + 1 == comps.len();
        match *c {
            b"." => {}
            b".." => {
                if dirs.pop().is_none() {
                    return Err(Stop::Escaped(String::from_utf8_lossy(text).into_owned()));
                }
            }
            name => {
                let name = std::str::from_utf8(name).map_err(|_| Stop::Failed)?;
                let Some((_, here)) = dirs.last().cloned() else {
                    let vol = match name.as_bytes() {
                        [l] => m.volume_by_letter(*l),
                        _ => None,
                    };
                    dirs.push((name.to_string(), m.root(vol.ok_or(Stop::Failed)?)));
                    continue;
                };
                let e = m.lookup_entry(here, name).map_err(|_| Stop::Failed)?;
                if is_link(e.info.reparse_tag) && (!last || follow_last || trailing) {
                    *budget = budget.checked_sub(1).ok_or(Stop::Failed)?;
                    let t = link_text(m, e.info.id, here, confine).map_err(|_| Stop::Failed)?;
                    let r = walk(m, confine, &dirs, &t, true, budget)?;
                    match r.file {
                        Some(f) if last && !trailing => {
                            return Ok(Reached {
                                dirs,
                                file: Some(f),
                            })
                        }
                        Some(_) => return Err(Stop::Failed),
                        None => dirs = r.dirs,
                    }
                } else if e.info.is_directory && !is_link(e.info.reparse_tag) {
                    dirs.push((e.name.to_string_lossy(), e.info.id));
                } else if last && !trailing {
                    return Ok(Reached {
                        dirs,
                        file: Some(e.info.id),
                    });
                } else {
                    return Err(Stop::Failed);
                }
            }
        }
    }
    Ok(Reached { dirs, file: None })
}

/// The directory stack of a directory node.
fn stack_of(m: &Machine, d: NodeId) -> Vec<(String, NodeId)> {
    let place = m.place_of_dir(d).unwrap();
    let mut stack = vec![(place.letter.to_string(), m.root(place.volume))];
    let mut path = format!("{}:", place.letter);
    for c in &place.components {
        path.push('\\');
        path.push_str(&c.to_string_lossy());
        stack.push((c.to_string_lossy(), m.resolve_node(&path).unwrap()));
    }
    stack
}

#[derive(Debug, Clone)]
enum Target {
    /// CreateSymbolicLinkW / mklink /J with this text (the API normalises).
    Api(String),
    /// A raw buffer: substitute name and the relative flag, as a tool might write.
    Raw(String, bool),
    /// An object made earlier (index into the tree's directories, files and
    /// links), spelled in one of four forms, then `tail` (so most hops land).
    Existing {
        index: usize,
        form: u8,
        tail: Vec<String>,
    },
}

#[derive(Debug, Clone)]
struct LinkSpec {
    kind: u8, // 0 file symlink, 1 directory symlink, 2 junction, 3 LX symlink
    dir: usize,
    target: Target,
    lx: String,
    extra_names: Vec<usize>,
}

fn component() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("..".to_string()),
        Just(".".to_string()),
        Just(String::new()),
        (0..6usize).prop_map(|i| format!("d{i}")),
        (0..4usize).prop_map(|i| format!("f{i}")),
        (0..6usize).prop_map(|i| format!("l{i}")),
        Just("nope".to_string()),
    ]
}

fn target() -> impl Strategy<Value = Target> {
    let comps = prop::collection::vec(component(), 0..5);
    let head = prop_oneof![
        Just(String::new()),
        Just(r"\".to_string()),
        Just(r"C:\".to_string()),
        Just(r"D:\".to_string()),
        Just(r"Q:\".to_string()),
        Just(r"\\srv\share\".to_string()),
        Just(r"\??\C:\".to_string()),
        Just(r"\??\D:\".to_string()),
        Just(r"\??\UNC\srv\share\".to_string()),
    ];
    let random =
        (head, comps, any::<bool>(), any::<u8>()).prop_map(|(head, comps, trailing, how)| {
            let mut t = head.clone() + &comps.join("\\");
            if trailing {
                t.push('\\');
            }
            if t.is_empty() {
                t.push('.');
            }
            match how % 3 {
                0 => Target::Api(t),
                1 => Target::Raw(t, ntlinkfs_core::path::strip_nt_prefix(&head).is_none()),
                _ => Target::Raw(t, false),
            }
        });
    let existing = (0..16usize, 0..4u8, prop::collection::vec(component(), 0..2))
        .prop_map(|(index, form, tail)| Target::Existing { index, form, tail });
    prop_oneof![random, existing]
}

fn lx_text() -> impl Strategy<Value = String> {
    let comps = prop::collection::vec(component(), 0..5);
    (any::<bool>(), comps).prop_map(|(abs, c)| {
        let t = c.join("/");
        match (abs, t.is_empty()) {
            (true, _) => format!("/C/{t}"),
            (false, true) => ".".to_string(),
            (false, false) => t,
        }
    })
}

fn link_spec() -> impl Strategy<Value = LinkSpec> {
    (
        0..4u8,
        0..8usize,
        target(),
        lx_text(),
        prop::collection::vec(0..8usize, 0..3),
    )
        .prop_map(|(kind, dir, target, lx, extra_names)| LinkSpec {
            kind,
            dir,
            target,
            lx,
            extra_names,
        })
}

/// Builds the tree: directories d0.. under earlier ones (C:\ and D:\ first), files
/// f0.., then the links l0.. with extra hard-link names for file links.
fn build(parents: &[usize], files: &[usize], links: &[LinkSpec], with_lx: bool) -> Machine {
    let mut m = Machine::default();
    let mut dirs = vec![r"C:".to_string(), r"D:".to_string()];
    for (i, p) in parents.iter().enumerate() {
        let path = format!(r"{}\d{i}", dirs[p % dirs.len()]);
        m.create_directory(&path).unwrap();
        dirs.push(path);
    }
    let mut objects = dirs.clone();
    for (i, d) in files.iter().enumerate() {
        let path = format!(r"{}\f{i}", dirs[d % dirs.len()]);
        m.write_file(&path, b"f").unwrap();
        objects.push(path);
    }
    for (i, l) in links.iter().enumerate() {
        let at = &dirs[l.dir % dirs.len()];
        let path = format!(r"{at}\l{i}");
        let kind = if with_lx { l.kind } else { l.kind % 3 };
        let target = match &l.target {
            Target::Existing { index, form, tail } => {
                existing_target(&objects, at, *index, *form, tail)
            }
            t => t.clone(),
        };
        let made = match (kind, &target) {
            (3, _) => {
                let d = m.resolve_node(&format!(r"{at}\")).unwrap();
                m.create_lx_symlink_at(d, &format!("l{i}"), l.lx.as_bytes())
                    .map(|i| i.id)
            }
            (_, Target::Existing { .. }) => unreachable!("spelled above"),
            (2, Target::Api(t)) => m.create_junction(&path, t).map(|i| i.id),
            (k, Target::Api(t)) => {
                let flags = SymlinkFlags {
                    directory: k == 1,
                    ..Default::default()
                };
                m.create_symbolic_link(&path, t, flags).map(|i| i.id)
            }
            (k, Target::Raw(t, relative)) => {
                let data = if k == 2 {
                    ReparseData::mount_point(t, "")
                } else {
                    ReparseData::symlink(t, "", *relative)
                };
                let made = if k == 0 {
                    m.write_file(&path, b"").map(|_| ())
                } else {
                    m.create_directory(&path).map(|_| ())
                };
                made.and_then(|()| m.set_reparse_point(&path, &data.encode()))
                    .and_then(|()| m.resolve_node(&format!(r"{at}\")))
                    .and_then(|d| m.lookup_entry(d, &format!("l{i}")))
                    .map(|e| e.info.id)
            }
        };
        let Ok(id) = made else { continue };
        objects.push(path.clone());
        if kind == 0 || kind == 3 {
            for (j, d) in l.extra_names.iter().enumerate() {
                if let Ok(dir) = m.resolve_node(&format!(r"{}\", dirs[d % dirs.len()])) {
                    let _ = m.create_hard_link_at(id, dir, &format!("l{i}h{j}"));
                }
            }
        }
    }
    m
}

/// A target text for `objects[index]` seen from directory `at` (`C:\x\y`):
/// drive-absolute, NT, rooted or `..`-relative, then `tail`.
fn existing_target(
    objects: &[String],
    at: &str,
    index: usize,
    form: u8,
    tail: &[String],
) -> Target {
    let obj = &objects[index % objects.len()];
    let (vol, rest) = obj.split_at(2);
    let mut t = match form {
        0 => format!(r"{obj}\"),
        1 => format!(r"\??\{obj}\"),
        2 => format!(r"{rest}\"),
        _ => {
            let depth = at[2..].split('\\').filter(|c| !c.is_empty()).count();
            format!(r"{}{rest}\", r"..\".repeat(depth))
        }
    };
    t = t.replace(r"\\", r"\");
    for c in tail {
        t.push_str(c);
        t.push('\\');
    }
    let t = t.trim_end_matches('\\').to_string();
    let t = if t.is_empty() || t == vol {
        format!(r"{vol}\")
    } else {
        t
    };
    match form {
        1 => Target::Raw(t, false),
        2 | 3 if !t.starts_with(r"\\") => Target::Raw(t, true),
        _ => Target::Api(t),
    }
}

/// Every name of every link on the machine: (its directory, its name).
fn link_names(m: &Machine) -> Vec<(NodeId, String)> {
    let mut out = Vec::new();
    let mut todo: Vec<NodeId> = m.volume_infos().iter().map(|v| m.root(v.id)).collect();
    while let Some(d) = todo.pop() {
        for e in m.read_dir(d, None, usize::MAX).unwrap() {
            if is_link(e.info.reparse_tag) {
                out.push((d, e.name.to_string_lossy()));
            } else if e.info.is_directory {
                todo.push(e.info.id);
            }
        }
    }
    out
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 96, ..ProptestConfig::default() })]

    /// Issue 11 item 2: for each name of each junction and NTFS symlink, the
    /// text walked from that name's directory reaches exactly the node the core
    /// reaches resolving that name (or both fail), and never leaves the mount.
    #[test]
    fn every_name_reaches_what_the_core_reaches(
        parents in prop::collection::vec(0..8usize, 1..7),
        files in prop::collection::vec(0..8usize, 0..4),
        links in prop::collection::vec(link_spec(), 1..7),
    ) {
        let m = build(&parents, &files, &links, false);
        for (d, name) in link_names(&m) {
            let path = format!(r"{}\{name}", m.path_of(d).unwrap().trim_end_matches('\\'));
            let core = m.resolve_node(&path).ok();
            let mut budget = 40;
            let posix = walk(&m, false, &stack_of(&m, d), name.as_bytes(), true, &mut budget);
            let reached = match posix {
                Ok(r) => r.file.or(r.dirs.last().map(|x| x.1)),
                Err(Stop::Failed) => None,
                Err(e @ Stop::Escaped(_)) => panic!("{path}: {e:?}"),
            };
            prop_assert_eq!(reached, core, "{}", path);
        }
    }

    /// With `--confine`, LX symlinks (any relative or absolute text) join the
    /// tree, and still nothing walks above the mount root.
    #[test]
    fn confined_nothing_leaves_the_mount(
        parents in prop::collection::vec(0..8usize, 1..7),
        files in prop::collection::vec(0..8usize, 0..4),
        links in prop::collection::vec(link_spec(), 1..7),
        tail in prop::collection::vec(component(), 0..4),
    ) {
        let m = build(&parents, &files, &links, true);
        for (d, name) in link_names(&m) {
            // `name/../..` and the like: what follows a link in a path.
            let text = std::iter::once(name.clone()).chain(tail.iter().cloned())
                .collect::<Vec<_>>().join("/");
            let mut budget = 40;
            let r = walk(&m, true, &stack_of(&m, d), text.as_bytes(), true, &mut budget);
            if let Err(Stop::Escaped(t)) = &r {
                // Only the caller's own `..` (after a link that leads to the
                // mount root) may climb out; a link's text never does.
                prop_assert_eq!(t, &text);
            }
        }
    }
}
