//! The comparison table of `ntlinkfs demo` (and of the web playground) of hard links, junctions and
//! symbolic links, every cell observed on a fresh emulated machine: each row
//! is a small scenario run live for each kind of link, and the cell says what
//! happened (with the Win32 message when something was refused). `--profile`
//! runs the same scenarios on another Windows version.

use ntlinkfs_core::attrs::{
    unix_to_filetime, FILE_ATTRIBUTE_ARCHIVE, FILE_ATTRIBUTE_DIRECTORY,
    FILE_ATTRIBUTE_REPARSE_POINT,
};
use ntlinkfs_core::profile::VERSIONS;
use ntlinkfs_core::{
    FixedClock, Follow, FsKind, Machine, MoveFlags, NtError, Privilege, Profile, ReparseData,
    SymlinkFlags, WindowsVersion,
};
use std::sync::Arc;

/// The three kinds of link compared.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Kind {
    Hard,
    Junction,
    Symlink,
}

const KINDS: [Kind; 3] = [Kind::Hard, Kind::Junction, Kind::Symlink];

/// The column headings, one per kind.
pub const HEADINGS: [&str; 3] = [
    "Hard link (mklink /H)",
    "Junction (mklink /J)",
    "Symbolic link (mklink, mklink /D)",
];

/// One cell of the table: a scenario run for one kind of link.
type Cell = fn(Kind, Profile) -> String;

/// Where the scenarios keep their targets.
const FILE: &str = r"C:\t\file.txt";
const DIR: &str = r"C:\t\dir";
const CONTENT: &[u8] = b"data";

/// The observed table: one row per scenario, one cell per kind of link.
pub struct Table {
    profile: Profile,
    rows: Vec<(&'static str, [String; 3])>,
}

/// Runs every scenario on `profile`.
pub fn observe(profile: Profile) -> Table {
    let rows: [(&str, Cell); 14] = [
        ("Supported OS", supported_os),
        ("Works on this profile", on_profile),
        ("Where the target may live", target_location),
        ("Works on files", on_files),
        ("Works on directories", on_directories),
        ("Relative target paths", relative_paths),
        ("Deleting the link", delete_link),
        ("Deleting the target", delete_target),
        ("Moving the target", move_target),
        ("Same file ID as the target", same_id),
        ("Attributes of the link", attributes),
        ("Links one path may pass through", chain_limit),
        ("Needs a privilege", privilege),
        ("Explorer deletes a folder holding it", explorer_delete),
    ];
    let rows = rows
        .into_iter()
        .map(|(title, cell)| {
            let cells = KINDS.map(|k| {
                if title != "Supported OS" && title != "Works on this profile" {
                    if let Err(e) = try_create(k, profile) {
                        return format!("n/a ({})", e.message().trim_end_matches('.'));
                    }
                }
                cell(k, profile)
            });
            (title, cells)
        })
        .collect();
    Table { profile, rows }
}

impl Table {
    /// The profile the scenarios ran on.
    pub fn profile(&self) -> Profile {
        self.profile
    }

    /// Each row's title and its three cells, one per [`HEADINGS`] column.
    pub fn rows(&self) -> &[(&'static str, [String; 3])] {
        &self.rows
    }

    /// The lines above the table.
    pub fn heading(&self) -> String {
        format!(
            "Hard links, junctions and symbolic links on profile {} ({}).\n\
             Every cell was observed just now on a fresh emulated machine.\n",
            self.profile.name(),
            self.profile.version.description()
        )
    }

    /// The line below the table.
    pub fn note(&self) -> String {
        let oldest = VERSIONS.first().map_or("", |(_, _, d)| *d);
        format!(
            "\"Supported OS\" is the oldest profile where the link could be made; \
             the oldest profile ntlinkfs has is {oldest}.\n"
        )
    }
}

/// The table in Markdown, for pages such as the README.
pub fn markdown(table: &Table) -> String {
    let mut out = table.heading();
    out.push('\n');
    out.push_str(&format!("| | {} |\n", HEADINGS.join(" | ")));
    out.push_str("|---|---|---|---|\n");
    for (title, cells) in &table.rows {
        out.push_str(&format!("| {title} | {} |\n", cells.join(" | ")));
    }
    out.push('\n');
    out.push_str(&table.note());
    out
}

/// A fresh machine: C: and D: (NTFS), a fixed clock, a target file and a
/// target directory with one file in it.
fn fresh(profile: Profile) -> Machine {
    // The clock first: the volumes are stamped with it as they are added
    // (and where there is no system clock, as in a browser, it is the only one).
    let mut m = Machine::empty(profile);
    m.set_clock(Arc::new(FixedClock(unix_to_filetime(1_705_311_000, 0))));
    for letter in ['C', 'D'] {
        m.add_volume(letter, FsKind::Ntfs, None)
            .expect("C: and D: are distinct letters");
    }
    let setup = (|| {
        m.create_directory(r"C:\t")?;
        m.write_file(FILE, CONTENT)?;
        m.create_directory(DIR)?;
        m.write_file(r"C:\t\dir\inside.txt", CONTENT)?;
        m.create_directory(r"D:\t")?;
        m.write_file(r"D:\t\file.txt", CONTENT)?;
        m.create_directory(r"D:\t\dir")
    })();
    setup.expect("a fresh machine takes the fixture");
    m
}

/// Makes `link` of `kind` to `target`, a directory flavour where it matters.
fn make(m: &mut Machine, kind: Kind, link: &str, target: &str, dir: bool) -> Result<(), NtError> {
    match kind {
        Kind::Hard => m.create_hard_link(link, target).map(drop),
        Kind::Junction => m.create_junction(link, target).map(drop),
        Kind::Symlink => m
            .create_symbolic_link(
                link,
                target,
                SymlinkFlags {
                    directory: dir,
                    allow_unprivileged_create: m.profile().knows_unprivileged_flag(),
                },
            )
            .map(drop),
    }
}

/// The target each kind is naturally made for: a file, or a directory for a
/// junction (which only links directories, J2).
fn natural_target(kind: Kind) -> (&'static str, bool) {
    match kind {
        Kind::Junction => (DIR, true),
        _ => (FILE, false),
    }
}

/// Reaches the target through the link: the file's data, or the directory's
/// file.
fn reach(m: &mut Machine, link: &str, dir: bool) -> Result<(), NtError> {
    if dir {
        let entries = m.enumerate(link)?;
        match entries
            .iter()
            .any(|e| e.name.to_string_lossy() == "inside.txt")
        {
            true => Ok(()),
            false => Err(NtError::ObjectNameNotFound),
        }
    } else {
        match m.read_file(link)? == CONTENT {
            true => Ok(()),
            false => Err(NtError::ObjectNameNotFound),
        }
    }
}

fn try_create(kind: Kind, profile: Profile) -> Result<Machine, NtError> {
    let mut m = fresh(profile);
    let (target, dir) = natural_target(kind);
    make(&mut m, kind, r"C:\link", target, dir)?;
    Ok(m)
}

fn refused(e: NtError) -> String {
    format!("no: \"{}\"", e.message())
}

fn supported_os(kind: Kind, _profile: Profile) -> String {
    let first = VERSIONS.iter().find(|(_, build, _)| {
        let p = Profile::for_version(WindowsVersion { build: *build });
        try_create(kind, p).is_ok()
    });
    match first {
        Some((_, _, description)) => format!("{description} and later"),
        None => "none".into(),
    }
}

fn on_profile(kind: Kind, profile: Profile) -> String {
    match try_create(kind, profile) {
        Ok(_) => "yes".into(),
        Err(e) => refused(e),
    }
}

fn target_location(kind: Kind, profile: Profile) -> String {
    let dir = kind == Kind::Junction;
    let leaf = if dir { "dir" } else { "file.txt" };
    let mut ok = Vec::new();
    for (i, target) in [
        format!(r"C:\t\{leaf}"),
        format!(r"D:\t\{leaf}"),
        format!(r"\\server\share\{leaf}"),
    ]
    .iter()
    .enumerate()
    {
        let mut m = fresh(profile);
        ok.push(make(&mut m, kind, &format!(r"C:\l{i}"), target, dir).is_ok());
    }
    match ok.as_slice() {
        [true, false, false] => "the same volume only".into(),
        [true, true, false] => "any local volume, not a network share".into(),
        [true, true, true] => "any volume or network share".into(),
        other => format!(
            "same volume: {}, other volume: {}, network: {}",
            other[0], other[1], other[2]
        ),
    }
}

fn on_files(kind: Kind, profile: Profile) -> String {
    let mut m = fresh(profile);
    match make(&mut m, kind, r"C:\link", FILE, false)
        .and_then(|()| reach(&mut m, r"C:\link", false))
    {
        Ok(()) => "yes".into(),
        Err(e) => refused(e),
    }
}

fn on_directories(kind: Kind, profile: Profile) -> String {
    let mut m = fresh(profile);
    match make(&mut m, kind, r"C:\link", DIR, true).and_then(|()| reach(&mut m, r"C:\link", true)) {
        Ok(()) => "yes".into(),
        Err(e) => refused(e),
    }
}

fn relative_paths(kind: Kind, profile: Profile) -> String {
    let mut m = fresh(profile);
    let (target, dir) = natural_target(kind);
    let name = target.rsplit('\\').next().unwrap_or(target);
    let made = m
        .set_current_dir(r"C:\t")
        .and_then(|()| make(&mut m, kind, r"C:\t\link", name, dir));
    if let Err(e) = made {
        return refused(e);
    }
    match m.read_reparse_data(r"C:\t\link") {
        Err(NtError::NotAReparsePoint) => "n/a: no path is stored, only a name".into(),
        Err(e) => refused(e),
        Ok(ReparseData::Symlink { flags, print, .. }) if flags & 1 != 0 => {
            // Move link and target together: a relative link keeps working.
            let moved = m
                .set_current_dir(r"C:\")
                .and_then(|()| m.move_file(r"C:\t", r"C:\t2", MoveFlags::default()))
                .and_then(|()| reach(&mut m, r"C:\t2\link", dir));
            let print = String::from_utf16_lossy(&print);
            match moved {
                Ok(()) => format!("yes: `{print}` is kept and resolved from the link's folder"),
                Err(e) => format!("stored as `{print}`, but {}", refused(e)),
            }
        }
        Ok(data) => format!(
            "no: made absolute, `{}`",
            data.print_name().unwrap_or_default()
        ),
    }
}

fn delete_link(kind: Kind, profile: Profile) -> String {
    let Ok(mut m) = try_create(kind, profile) else {
        return "n/a".into();
    };
    let (target, dir) = natural_target(kind);
    let before = m
        .query_information(target, Follow::Reparse)
        .map(|i| i.link_count);
    let deleted = if dir {
        m.remove_directory(r"C:\link")
    } else {
        m.delete_file(r"C:\link")
    };
    if let Err(e) = deleted {
        return refused(e);
    }
    let after = m
        .query_information(target, Follow::Reparse)
        .map(|i| i.link_count);
    match (reach(&mut m, target, dir), kind, before, after) {
        (Ok(()), Kind::Hard, Ok(b), Ok(a)) => {
            format!("removes one name; the data stays under the other (links {b} → {a})")
        }
        (Ok(()), _, _, _) => "removes the link only; the target stays".into(),
        (Err(e), _, _, _) => format!("the target is gone too ({})", e.message()),
    }
}

fn delete_target(kind: Kind, profile: Profile) -> String {
    let Ok(mut m) = try_create(kind, profile) else {
        return "n/a".into();
    };
    let (target, dir) = natural_target(kind);
    let deleted = if dir {
        m.remove_tree(target).map(drop)
    } else {
        m.delete_file(target)
    };
    if let Err(e) = deleted {
        return refused(e);
    }
    match reach(&mut m, r"C:\link", dir) {
        Ok(()) => "the link keeps the data".into(),
        Err(e) => format!("the link dangles: \"{}\"", e.message()),
    }
}

fn move_target(kind: Kind, profile: Profile) -> String {
    let Ok(mut m) = try_create(kind, profile) else {
        return "n/a".into();
    };
    let (target, dir) = natural_target(kind);
    let moved = format!("{target}.moved");
    if let Err(e) = m.move_file(target, &moved, MoveFlags::default()) {
        return refused(e);
    }
    match reach(&mut m, r"C:\link", dir) {
        Ok(()) => "the link still works".into(),
        Err(e) => {
            let back = m
                .move_file(&moved, target, MoveFlags::default())
                .and_then(|()| reach(&mut m, r"C:\link", dir));
            let revives = if back.is_ok() {
                "; it works again when the target comes back"
            } else {
                ""
            };
            format!("the link dangles: \"{}\"{revives}", e.message())
        }
    }
}

fn same_id(kind: Kind, profile: Profile) -> String {
    let Ok(m) = try_create(kind, profile) else {
        return "n/a".into();
    };
    let (target, _) = natural_target(kind);
    let ids = (
        m.query_information(r"C:\link", Follow::OpenReparsePoint),
        m.query_information(target, Follow::Reparse),
    );
    match ids {
        (Ok(l), Ok(t)) if l.id == t.id => format!("yes: one file with {} names", t.link_count),
        (Ok(_), Ok(_)) => "no: the link is a file of its own".into(),
        (Err(e), _) | (_, Err(e)) => refused(e),
    }
}

fn privilege(kind: Kind, profile: Profile) -> String {
    let user = Profile {
        privilege: Privilege::Unprivileged,
        developer_mode: false,
        ..profile
    };
    let Err(e) = try_create(kind, user) else {
        return "no".into();
    };
    let dev = Profile {
        developer_mode: true,
        ..user
    };
    match try_create(kind, dev) {
        Ok(_) => format!("yes, unless Developer Mode is on: \"{}\"", e.message()),
        Err(_) => format!("yes: \"{}\"", e.message()),
    }
}

fn explorer_delete(kind: Kind, profile: Profile) -> String {
    let mut m = fresh(profile);
    let (target, dir) = natural_target(kind);
    let made = m
        .create_directory(r"C:\f")
        .and_then(|_| make(&mut m, kind, r"C:\f\link", target, dir));
    if let Err(e) = made {
        return refused(e);
    }
    let report = match m.explorer_delete(r"C:\f") {
        Ok(r) => r,
        Err(e) => return refused(e),
    };
    match reach(&mut m, target, dir) {
        Ok(()) if kind == Kind::Hard => "the data stays under the other name".into(),
        Ok(()) => "removes the link only; the target stays".into(),
        Err(_) => format!(
            "also deletes the target's contents ({} item(s))",
            report.deleted_through_junctions
        ),
    }
}

fn attributes(kind: Kind, profile: Profile) -> String {
    let Ok(m) = try_create(kind, profile) else {
        return "n/a".into();
    };
    match m.get_file_attributes(r"C:\link") {
        Ok(a) => {
            let names: Vec<&str> = [
                (FILE_ATTRIBUTE_DIRECTORY, "DIRECTORY"),
                (FILE_ATTRIBUTE_ARCHIVE, "ARCHIVE"),
                (FILE_ATTRIBUTE_REPARSE_POINT, "REPARSE_POINT"),
            ]
            .iter()
            .filter(|(bit, _)| a & bit != 0)
            .map(|(_, n)| *n)
            .collect();
            format!("0x{a:X} ({})", names.join(", "))
        }
        Err(e) => refused(e),
    }
}

/// Builds a chain of links, each to the one before, and finds the longest
/// chain a path may go through (P8: 63, or 31 before Vista).
fn chain_limit(kind: Kind, profile: Profile) -> String {
    if kind == Kind::Hard {
        return "n/a: a hard link is a name, nothing is followed".into();
    }
    let mut m = fresh(profile);
    let mut previous = DIR.to_string();
    for n in 1..=80 {
        let link = format!(r"C:\c{n}");
        if let Err(e) = make(&mut m, kind, &link, &previous, true) {
            return refused(e);
        }
        if let Err(e) = reach(&mut m, &link, true) {
            return format!("{}; one more: \"{}\"", n - 1, e.message());
        }
        previous = link;
    }
    "more than 80".into()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row<'a>(table: &'a str, title: &str) -> Vec<&'a str> {
        let line = table
            .lines()
            .find(|l| l.starts_with(&format!("| {title} |")))
            .unwrap_or_else(|| panic!("no row {title}"));
        line.trim_matches('|')
            .split(" | ")
            .map(str::trim)
            .skip(1)
            .collect()
    }

    fn render(profile: Profile) -> String {
        markdown(&observe(profile))
    }

    #[test]
    fn demo_on_windows_11_matches_the_rules() {
        let t = render("11".parse().unwrap());
        assert_eq!(
            row(&t, "Supported OS"),
            [
                "Windows NT 4.0 and later",
                "Windows 2000 and later",
                "Windows Vista and later"
            ]
        );
        // HL2, J2/V4, S6.
        assert_eq!(
            row(&t, "Where the target may live"),
            [
                "the same volume only",
                "any local volume, not a network share",
                "any volume or network share"
            ]
        );
        // HL1: no directory hard links; J13: a junction to a file does not open.
        let dirs = row(&t, "Works on directories");
        assert_eq!(dirs, ["no: \"Access is denied.\"", "yes", "yes"]);
        assert_eq!(
            row(&t, "Works on files")[1],
            "no: \"The directory name is invalid.\""
        );
        // J33, M8: absolute links dangle and revive; a hard link does not care.
        let moved = row(&t, "Moving the target");
        assert_eq!(moved[0], "the link still works");
        assert!(moved[1].starts_with("the link dangles") && moved[1].contains("works again"));
        // J8, S7.
        let rel = row(&t, "Relative target paths");
        assert_eq!(rel[1], "no: made absolute, `C:\\t\\dir`");
        assert!(rel[2].starts_with("yes"));
        // S2/S3: only symlinks need the privilege, developer mode lifts it.
        let p = row(&t, "Needs a privilege");
        assert_eq!(&p[..2], ["no", "no"]);
        assert!(p[2].starts_with("yes, unless Developer Mode is on"));
        // J1; P8.
        assert_eq!(
            row(&t, "Attributes of the link"),
            [
                "0x20 (ARCHIVE)",
                "0x410 (DIRECTORY, REPARSE_POINT)",
                "0x420 (ARCHIVE, REPARSE_POINT)"
            ]
        );
        let chain = row(&t, "Links one path may pass through");
        assert!(chain[1].starts_with("63; one more: "), "{}", chain[1]);
        assert!(chain[2].starts_with("63; one more: "), "{}", chain[2]);
        // J34: modern Explorer removes only the junction.
        assert_eq!(
            row(&t, "Explorer deletes a folder holding it")[1],
            "removes the link only; the target stays"
        );
    }

    #[test]
    fn demo_on_xp_has_no_symlinks_and_explorer_empties_junction_targets() {
        let t = render("xp".parse().unwrap());
        let on = row(&t, "Works on this profile");
        assert_eq!(&on[..2], ["yes", "yes"]);
        assert_eq!(on[2], "no: \"The request is not supported.\"");
        assert!(row(&t, "Deleting the link")[2].starts_with("n/a"));
        // J34 (KB205524): XP's Explorer deletes inside the junction target.
        assert!(row(&t, "Explorer deletes a folder holding it")[1]
            .starts_with("also deletes the target's contents"));
        // P8: 31 reparse points on XP.
        assert!(row(&t, "Links one path may pass through")[1].starts_with("31; one more: "));
        // J1: Windows 2000 sets ARCHIVE on junctions.
        let t2000 = render("2000".parse().unwrap());
        assert_eq!(
            row(&t2000, "Attributes of the link")[1],
            "0x430 (DIRECTORY, ARCHIVE, REPARSE_POINT)"
        );
        // J13 is a Windows 10 1709 change: before it a junction to a file opened.
        assert_eq!(row(&t, "Works on files")[1], "yes");
    }
}
