//! The guided scenarios: what people ask about NTFS links, each a session
//! (so a scenario is also a link to share) and a few sentences on what to
//! look at.

use crate::session::{Session, Start};
use ntlinkfs_core::FsKind;

/// One guided scenario.
pub struct Scenario {
    /// Short name, for the menu and the URL.
    pub id: &'static str,
    pub title: &'static str,
    /// What to look at, shown above the terminal.
    pub about: &'static str,
    pub profile: &'static str,
    pub volumes: &'static [(char, FsKind)],
    pub start: Start,
    pub commands: &'static [&'static str],
}

const C_D: &[(char, FsKind)] = &[('C', FsKind::Ntfs), ('D', FsKind::Ntfs)];

pub const SCENARIOS: &[Scenario] = &[
    Scenario {
        id: "hardlink-move",
        title: "A hard link survives the move of its original",
        about: "A hard link is a second name of the same file record, not a pointer to a path. \
                Moving or renaming the original changes one name; the record, its data and the \
                other name stay. The picture shows one file with two names and link count 2.",
        profile: "11",
        volumes: C_D,
        start: Start::Empty,
        commands: &[
            r"md C:\docs",
            r"echo quarterly numbers> C:\docs\report.txt",
            r"mklink /H C:\report-link.txt C:\docs\report.txt",
            r"move C:\docs\report.txt C:\docs\report-2024.txt",
            r"type C:\report-link.txt",
            r"fsutil hardlink list C:\report-link.txt",
        ],
    },
    Scenario {
        id: "junction-move",
        title: "A junction breaks when its target moves",
        about: "A junction stores an absolute path. Move the folder it names and the junction \
                still names the old path: it dangles (the arrow turns red), and it works again \
                if something is put back at that path.",
        profile: "11",
        volumes: C_D,
        start: Start::Empty,
        commands: &[
            r"md C:\data",
            r"echo kept> C:\data\file.txt",
            r"mklink /J C:\shortcut C:\data",
            r"dir /b C:\shortcut",
            r"move C:\data C:\data-moved",
            r"dir /b C:\shortcut",
        ],
    },
    Scenario {
        id: "relative-symlink",
        title: "Relative and absolute symbolic links",
        about: "A symbolic link may store a relative target, resolved from the folder the link \
                is in. Moving the whole tree keeps a relative link working; the absolute one \
                still names the old place and dangles.",
        profile: "11",
        volumes: C_D,
        start: Start::Empty,
        commands: &[
            r"md C:\app\v1",
            r"md C:\app\v2",
            r"echo 2.0> C:\app\v2\version.txt",
            r"mklink /D C:\app\current-relative v2",
            r"mklink /D C:\app\current-absolute C:\app\v2",
            r"move C:\app C:\app-moved",
            r"type C:\app-moved\current-relative\version.txt",
            r"type C:\app-moved\current-absolute\version.txt",
        ],
    },
    Scenario {
        id: "profile-loops",
        title: "\"Documents and Settings\" and the Application Data loops",
        about: "Windows keeps junctions for programs written for XP: C:\\Documents and \
                Settings leads to C:\\Users, and Application Data inside AppData\\Local leads \
                back to AppData\\Local itself. A backup tool that follows junctions walks that \
                loop forever; the picture marks it. This is the --demo layout.",
        profile: "11",
        volumes: C_D,
        start: Start::Demo,
        commands: &[
            r#"fsutil reparsepoint query "C:\Users\Alice\AppData\Local\Application Data""#,
            r"dir /al C:\",
            r#"dir /al "C:\Users\Alice\AppData\Local""#,
        ],
    },
    Scenario {
        id: "xp-explorer-delete",
        title: "Windows 2000/XP Explorer deletes through a junction",
        about: "On Windows 2000 and XP, deleting a folder in Explorer walked into the junctions \
                inside it and deleted the files of their targets too (KB205524). Vista and \
                later remove only the junction. Switch the profile to 11 to compare.",
        profile: "xp",
        volumes: C_D,
        start: Start::Empty,
        commands: &[
            r"md C:\keep",
            r"echo precious> C:\keep\precious.txt",
            r"md C:\scratch",
            r"mklink /J C:\scratch\link C:\keep",
            r"explorer-delete C:\scratch",
            r"dir /b C:\keep",
        ],
    },
    Scenario {
        id: "fat-refuses",
        title: "FAT32 refuses links",
        about: "Hard links, junctions and symbolic links are NTFS (and ReFS) features. On a \
                FAT32 or exFAT volume mklink fails; copying a tree there has to copy the data \
                instead.",
        profile: "11",
        volumes: &[
            ('C', FsKind::Ntfs),
            ('D', FsKind::Ntfs),
            ('E', FsKind::Fat32),
        ],
        start: Start::Empty,
        commands: &[
            r"echo on FAT> E:\a.txt",
            r"mklink /H E:\b.txt E:\a.txt",
            r"mklink /J E:\junction C:\",
            r"mklink E:\link.txt E:\a.txt",
            r"vol E:",
        ],
    },
];

impl Scenario {
    /// The session the scenario runs.
    pub fn session(&self) -> Session {
        Session {
            profile: self.profile.parse().expect("scenario profiles are valid"),
            volumes: self.volumes.to_vec(),
            start: self.start,
            commands: self.commands.iter().map(|c| c.to_string()).collect(),
            ..Session::default()
        }
    }
}

/// The scenario with this id.
pub fn find(id: &str) -> Option<&'static Scenario> {
    SCENARIOS.iter().find(|s| s.id == id)
}
