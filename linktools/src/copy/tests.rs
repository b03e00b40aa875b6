//! Every policy and every trap, on the demo profile (see `fixture`):
//!
//! ```text
//! C:\Users\Alice\
//!   AppData\Local\Application Data  <JUNCTION> -> C:\Users\Alice\AppData\Local  (loop)
//!   AppData\Local\cache.db, Temp\build.log
//!   AppData\Roaming\settings.ini
//!   Application Data  <JUNCTION> -> ...\AppData\Roaming
//!   Local Settings    <JUNCTION> -> ...\AppData\Local
//!   My Documents      <JUNCTION> -> ...\Documents
//!   Documents\report.txt, notes.txt (= Desktop\notes.txt), My Music <JUNCTION> -> ...\Music
//!   Music\song.mp3
//!   Desktop\report.txt <SYMLINK> -> ...\Documents\report.txt
//!   Desktop\old.txt    <SYMLINK> -> ...\Documents\deleted.txt (dangling)
//!   Projects          <JUNCTION> -> D:\Projects (app\v1, app\v2, app\current <SYMLINKD> -> v2)
//! ```

use super::*;
use crate::audit::audit;
use crate::fixture::demo_machine;
use ntlinkfs_core::invariants;
use ntlinkfs_core::reparse::IO_REPARSE_TAG_MOUNT_POINT;
use ntlinkfs_core::FsKind;
use ntlinkfs_core::{Follow, Machine, SymlinkFlags};

const ALICE: &str = r"C:\Users\Alice";

fn copy(m: &mut Machine, src: &str, dst: &str, opts: CopyOptions) -> CopyReport {
    let r = copy_tree(m, src, dst, &opts, &mut |_| {}).unwrap();
    invariants::check(m).unwrap();
    r
}

fn junctions(p: DirLinkPolicy) -> CopyOptions {
    CopyOptions {
        junctions: p,
        ..Default::default()
    }
}

fn is_link(m: &Machine, path: &str) -> bool {
    m.query_information(path, Follow::OpenReparsePoint)
        .is_ok_and(|i| i.reparse_tag.is_some())
}

#[test]
fn copy_junctions_skip_leaves_them_out() {
    let mut m = demo_machine();
    let r = copy(&mut m, ALICE, r"D:\Backup", junctions(DirLinkPolicy::Skip));
    for j in [
        r"AppData\Local\Application Data",
        "My Documents",
        "Projects",
        r"Documents\My Music",
    ] {
        assert!(!m.exists(&format!(r"D:\Backup\{j}")), "{j}");
        assert_eq!(
            r.action_of(format!(r"{ALICE}\{j}")),
            Some(&LinkAction::Skipped)
        );
    }
    assert_eq!(
        m.read_file(r"D:\Backup\Documents\report.txt").unwrap(),
        b"Quarterly report\r\n"
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

#[test]
fn copy_junctions_copy_link_keeps_the_buffer_unchanged() {
    let mut m = demo_machine();
    let r = copy(
        &mut m,
        ALICE,
        r"D:\Backup",
        junctions(DirLinkPolicy::CopyLink),
    );
    for j in [
        r"AppData\Local\Application Data",
        "My Documents",
        "Projects",
    ] {
        let (src, dst) = (format!(r"{ALICE}\{j}"), format!(r"D:\Backup\{j}"));
        assert_eq!(m.get_reparse_point(&dst), m.get_reparse_point(&src), "{j}");
        assert_eq!(r.action_of(&src), Some(&LinkAction::CopiedAsLink));
        // HIDDEN|SYSTEM came along.
        assert_eq!(m.get_file_attributes(&dst), m.get_file_attributes(&src));
    }
    // Unchanged means: still pointing at the source.
    assert_eq!(
        m.final_path(r"D:\Backup\My Documents").unwrap(),
        r"C:\Users\Alice\Documents"
    );
    assert_eq!(r.links.len(), 8);
}

#[test]
fn copy_junctions_follow_copies_contents_and_stops_at_the_application_data_loop() {
    let mut m = demo_machine();
    let r = copy(
        &mut m,
        ALICE,
        r"C:\Backup",
        junctions(DirLinkPolicy::Follow),
    );
    // The self-referencing junction is a loop; nothing is created for it.
    assert_eq!(
        r.action_of(r"C:\Users\Alice\AppData\Local\Application Data"),
        Some(&LinkAction::NotFollowedLoop)
    );
    assert!(!m.exists(r"C:\Backup\AppData\Local\Application Data"));
    // A followed junction is a real directory with the target's files.
    assert!(!is_link(&m, r"C:\Backup\My Documents"));
    assert_eq!(
        m.read_file(r"C:\Backup\My Documents\report.txt").unwrap(),
        b"Quarterly report\r\n"
    );
    // Local Settings -> AppData\Local is followed; inside it the loop is met again.
    assert_eq!(
        m.read_file(r"C:\Backup\Local Settings\cache.db").unwrap(),
        vec![0u8; 64]
    );
    assert!(!m.exists(r"C:\Backup\Local Settings\Application Data"));
    assert_eq!(
        r.links
            .iter()
            .filter(|l| l.action == LinkAction::NotFollowedLoop)
            .count(),
        2
    );
    // A junction to another volume is followed across it; the relative
    // directory symlink inside is copied as a link (its own policy).
    assert_eq!(
        m.read_file(r"C:\Backup\Projects\app\v1\app.exe").unwrap(),
        b"MZ v1"
    );
    assert!(is_link(&m, r"C:\Backup\Projects\app\current"));
    assert_eq!(
        m.read_file(r"C:\Backup\Projects\app\current\app.exe")
            .unwrap(),
        b"MZ v2"
    );
    assert!(r.errors.is_empty(), "{:?}", r.errors);
}

#[test]
fn copy_junctions_remap_rebuilds_inside_links_and_keeps_outside_ones() {
    let mut m = demo_machine();
    let r = copy(
        &mut m,
        ALICE,
        r"D:\Backup",
        junctions(DirLinkPolicy::Remap(Outside::Keep)),
    );
    // The loop is rebuilt as the same loop inside the copy.
    let loop_link = r"D:\Backup\AppData\Local\Application Data";
    assert!(is_link(&m, loop_link));
    assert_eq!(m.final_path(loop_link).unwrap(), r"D:\Backup\AppData\Local");
    assert_eq!(
        r.action_of(r"C:\Users\Alice\AppData\Local\Application Data"),
        Some(&LinkAction::Remapped {
            target: r"D:\Backup\AppData\Local".into()
        })
    );
    assert_eq!(
        m.final_path(r"D:\Backup\My Documents").unwrap(),
        r"D:\Backup\Documents"
    );
    assert_eq!(
        m.final_path(r"D:\Backup\Documents\My Music").unwrap(),
        r"D:\Backup\Music"
    );
    // The junction to another volume points outside: kept as it was.
    assert_eq!(
        r.action_of(r"C:\Users\Alice\Projects"),
        Some(&LinkAction::KeptOutside {
            target: r"D:\Projects".into(),
            why: OutsideReason::OtherVolume
        })
    );
    assert_eq!(
        m.get_reparse_point(r"D:\Backup\Projects"),
        m.get_reparse_point(r"C:\Users\Alice\Projects")
    );
    assert_eq!(
        m.read_reparse_data(r"D:\Backup\My Documents")
            .unwrap()
            .tag()
            .0,
        IO_REPARSE_TAG_MOUNT_POINT
    );
}

#[test]
fn copy_junctions_remap_skip_leaves_out_links_pointing_outside() {
    let mut m = demo_machine();
    let r = copy(
        &mut m,
        r"C:\Users\Alice\Documents",
        r"D:\Docs",
        junctions(DirLinkPolicy::Remap(Outside::Skip)),
    );
    assert_eq!(
        r.action_of(r"C:\Users\Alice\Documents\My Music"),
        Some(&LinkAction::SkippedOutside {
            why: OutsideReason::OutsideTree
        })
    );
    assert!(!m.exists(r"D:\Docs\My Music"));
    let r = copy(
        &mut m,
        ALICE,
        r"D:\Backup",
        junctions(DirLinkPolicy::Remap(Outside::Skip)),
    );
    assert_eq!(
        r.action_of(r"C:\Users\Alice\Projects"),
        Some(&LinkAction::SkippedOutside {
            why: OutsideReason::OtherVolume
        })
    );
}

#[test]
fn copy_directory_symlinks_by_policy() {
    // (policy, what D:\Copy\current is afterwards)
    let rows = [
        (DirLinkPolicy::Skip, LinkAction::Skipped),
        (DirLinkPolicy::CopyLink, LinkAction::CopiedAsLink),
        (DirLinkPolicy::Follow, LinkAction::Followed),
        // A relative link inside the tree keeps its text: it means the same place.
        (
            DirLinkPolicy::Remap(Outside::Keep),
            LinkAction::Remapped {
                target: "v2".into(),
            },
        ),
    ];
    for (policy, want) in rows {
        let mut m = demo_machine();
        let opts = CopyOptions {
            dir_symlinks: policy,
            ..Default::default()
        };
        let r = copy(&mut m, r"D:\Projects\app", r"C:\Copy", opts);
        assert_eq!(
            r.action_of(r"D:\Projects\app\current"),
            Some(&want),
            "{policy:?}"
        );
        let cur = r"C:\Copy\current\app.exe";
        match policy {
            DirLinkPolicy::Skip => assert!(!m.exists(r"C:\Copy\current")),
            DirLinkPolicy::Follow => {
                assert!(!is_link(&m, r"C:\Copy\current"));
                assert_eq!(m.read_file(cur).unwrap(), b"MZ v2");
            }
            _ => {
                assert!(is_link(&m, r"C:\Copy\current"));
                assert_eq!(m.final_path(cur).unwrap(), r"C:\Copy\v2\app.exe");
            }
        }
    }
    // An absolute directory symlink to outside the tree, kept or skipped.
    let mut m = demo_machine();
    let opts = CopyOptions {
        dir_symlinks: DirLinkPolicy::Remap(Outside::Keep),
        ..Default::default()
    };
    let r = copy(&mut m, r"C:\Users", r"D:\U", opts);
    assert_eq!(
        r.action_of(r"C:\Users\All Users"),
        Some(&LinkAction::KeptOutside {
            target: r"C:\ProgramData".into(),
            why: OutsideReason::OutsideTree
        })
    );
    assert_eq!(m.final_path(r"D:\U\All Users").unwrap(), r"C:\ProgramData");
}

#[test]
fn copy_relative_symlink_pointing_outside_is_kept_pointing_at_the_original() {
    let mut m = Machine::default();
    m.create_directory(r"C:\src").unwrap();
    m.create_directory(r"C:\other").unwrap();
    let dir = SymlinkFlags {
        directory: true,
        ..Default::default()
    };
    m.create_symbolic_link(r"C:\src\up", r"..\other", dir)
        .unwrap();
    let opts = CopyOptions {
        dir_symlinks: DirLinkPolicy::Remap(Outside::Keep),
        ..Default::default()
    };
    let r = copy(&mut m, r"C:\src", r"D:\dst", opts);
    assert_eq!(
        r.action_of(r"C:\src\up"),
        Some(&LinkAction::KeptOutside {
            target: r"C:\other".into(),
            why: OutsideReason::OutsideTree
        })
    );
    // Copied as text, `..\other` would have meant D:\other.
    assert_eq!(m.final_path(r"D:\dst\up").unwrap(), r"C:\other");
}

#[test]
fn copy_file_symlinks_by_policy_including_dangling() {
    let rows = [
        (
            FileLinkPolicy::Skip,
            LinkAction::Skipped,
            LinkAction::Skipped,
        ),
        (
            FileLinkPolicy::CopyLink,
            LinkAction::CopiedAsLink,
            LinkAction::CopiedAsLink,
        ),
        (
            FileLinkPolicy::Follow,
            LinkAction::Followed,
            LinkAction::NotFollowedDangling(NtError::ObjectNameNotFound),
        ),
    ];
    for (policy, report, old) in rows {
        let mut m = demo_machine();
        let opts = CopyOptions {
            file_symlinks: policy,
            ..Default::default()
        };
        let r = copy(&mut m, r"C:\Users\Alice\Desktop", r"D:\Desk", opts);
        assert_eq!(
            r.action_of(r"C:\Users\Alice\Desktop\report.txt"),
            Some(&report),
            "{policy:?}"
        );
        assert_eq!(
            r.action_of(r"C:\Users\Alice\Desktop\old.txt"),
            Some(&old),
            "{policy:?}"
        );
        match policy {
            FileLinkPolicy::Skip => assert!(!m.exists(r"D:\Desk\report.txt")),
            FileLinkPolicy::CopyLink => {
                assert_eq!(
                    m.get_reparse_point(r"D:\Desk\old.txt"),
                    m.get_reparse_point(r"C:\Users\Alice\Desktop\old.txt")
                );
                assert_eq!(
                    m.read_file(r"D:\Desk\report.txt").unwrap(),
                    b"Quarterly report\r\n"
                );
            }
            FileLinkPolicy::Follow => {
                assert!(!is_link(&m, r"D:\Desk\report.txt"));
                assert_eq!(
                    m.read_file(r"D:\Desk\report.txt").unwrap(),
                    b"Quarterly report\r\n"
                );
                assert!(m
                    .query_information(r"D:\Desk\old.txt", Follow::OpenReparsePoint)
                    .is_err());
            }
        }
    }
}

#[test]
fn copy_hard_links_preserve_keeps_one_file_on_the_same_and_another_volume() {
    for dst in [r"C:\Copy", r"D:\Copy"] {
        let mut m = demo_machine();
        let r = copy(&mut m, ALICE, dst, CopyOptions::default());
        let a = m
            .query_information(&format!(r"{dst}\Documents\notes.txt"), Follow::Reparse)
            .unwrap();
        let b = m
            .query_information(&format!(r"{dst}\Desktop\notes.txt"), Follow::Reparse)
            .unwrap();
        assert_eq!((a.id, a.link_count), (b.id, 2), "{dst}");
        assert_eq!(r.hard_links_preserved, 1);
        assert!(r.hard_links_lost.is_empty() && r.partial_groups.is_empty());
        // The source keeps its own two names.
        assert_eq!(
            m.query_information(r"C:\Users\Alice\Desktop\notes.txt", Follow::Reparse)
                .unwrap()
                .link_count,
            2
        );
    }
}

#[test]
fn copy_hard_links_break_makes_separate_files() {
    let mut m = demo_machine();
    let opts = CopyOptions {
        hard_links: HardLinkPolicy::Break,
        ..Default::default()
    };
    let r = copy(&mut m, ALICE, r"D:\Copy", opts);
    let a = m
        .query_information(r"D:\Copy\Documents\notes.txt", Follow::Reparse)
        .unwrap();
    let b = m
        .query_information(r"D:\Copy\Desktop\notes.txt", Follow::Reparse)
        .unwrap();
    assert_ne!(a.id, b.id);
    assert_eq!((a.link_count, b.link_count), (1, 1));
    assert_eq!((r.hard_links_broken, r.hard_links_preserved), (1, 0));
}

#[test]
fn copy_hard_links_to_fat_reports_what_could_not_be_preserved() {
    let mut m = demo_machine();
    m.add_volume('E', FsKind::Fat32, Some("USB")).unwrap();
    let r = copy(&mut m, ALICE, r"E:\Copy", junctions(DirLinkPolicy::Skip));
    assert_eq!(r.hard_links_preserved, 0);
    assert_eq!(
        r.hard_links_lost,
        vec![HardLinkLoss {
            path: r"C:\Users\Alice\Documents\notes.txt".into(),
            error: NtError::InvalidDeviceRequest
        }]
    );
    assert_eq!(
        m.read_file(r"E:\Copy\Documents\notes.txt").unwrap(),
        b"remember the milk\r\n"
    );
    assert_eq!(
        m.read_file(r"E:\Copy\Desktop\notes.txt").unwrap(),
        b"remember the milk\r\n"
    );
    // Symlinks cannot live on FAT either (S11): each is a reported error.
    assert_eq!(
        r.action_of(r"C:\Users\Alice\Desktop\report.txt"),
        Some(&LinkAction::Failed(NtError::InvalidDeviceRequest))
    );
    assert_eq!(r.errors.len(), 2);
    assert!(
        r.to_string()
            .contains(r"not preserved: C:\Users\Alice\Documents\notes.txt"),
        "{r}"
    );
}

#[test]
fn copy_reports_hard_link_groups_with_names_outside_the_tree() {
    let mut m = demo_machine();
    let r = copy(
        &mut m,
        r"C:\Windows\System32",
        r"D:\Sys",
        CopyOptions::default(),
    );
    assert_eq!(r.partial_groups.len(), 2);
    assert_eq!(
        r.partial_groups[0],
        PartialGroup {
            copied: vec![r"C:\Windows\System32\drivers\etc\hosts".into()],
            link_count: 2
        }
    );
    assert_eq!(
        m.query_information(r"D:\Sys\notepad.exe", Follow::Reparse)
            .unwrap()
            .link_count,
        1
    );
}

/// ```text
/// C:\T\
///   J  <JUNCTION> -> C:\Outside        (skipped)
///   L  <SYMLINKD> -> C:\T\J\sub        (its target lies behind J)
///   D  <JUNCTION> -> C:\T\missing      (dangling, inside)
/// C:\Outside\sub\f.txt
/// ```
fn skipped_subtree_machine() -> Machine {
    let mut m = Machine::default();
    for d in [r"C:\T", r"C:\Outside", r"C:\Outside\sub"] {
        m.create_directory(d).unwrap();
    }
    m.write_file(r"C:\Outside\sub\f.txt", b"f").unwrap();
    m.create_junction(r"C:\T\J", r"C:\Outside").unwrap();
    let dir = SymlinkFlags {
        directory: true,
        ..Default::default()
    };
    m.create_symbolic_link(r"C:\T\L", r"C:\T\J\sub", dir)
        .unwrap();
    m.create_junction(r"C:\T\D", r"C:\T\missing").unwrap();
    m
}

#[test]
fn copy_remap_of_a_link_whose_target_is_in_a_skipped_subtree_is_not_made_dangling() {
    let mut m = skipped_subtree_machine();
    let opts = CopyOptions {
        junctions: DirLinkPolicy::Skip,
        dir_symlinks: DirLinkPolicy::Remap(Outside::Keep),
        ..Default::default()
    };
    let r = copy(&mut m, r"C:\T", r"D:\T", opts);
    assert_eq!(
        r.action_of(r"C:\T\L"),
        Some(&LinkAction::KeptOutside {
            target: r"C:\T\J\sub".into(),
            why: OutsideReason::NotCopied
        })
    );
    assert_eq!(m.read_file(r"D:\T\L\f.txt").unwrap(), b"f");
    // With the junction followed, the same link is rebuilt into the copy.
    let mut m = skipped_subtree_machine();
    let opts = CopyOptions {
        junctions: DirLinkPolicy::Follow,
        ..opts
    };
    let r = copy(&mut m, r"C:\T", r"D:\T", opts);
    assert_eq!(
        r.action_of(r"C:\T\L"),
        Some(&LinkAction::Remapped {
            target: r"D:\T\J\sub".into()
        })
    );
    assert_eq!(m.final_path(r"D:\T\L\f.txt").unwrap(), r"D:\T\J\sub\f.txt");
    assert_eq!(
        r.action_of(r"C:\T\D"),
        Some(&LinkAction::NotFollowedDangling(
            NtError::ObjectNameNotFound
        ))
    );
}

#[test]
fn copy_remap_of_a_dangling_link_inside_points_at_the_same_missing_place() {
    let mut m = skipped_subtree_machine();
    let r = copy(
        &mut m,
        r"C:\T",
        r"D:\T",
        junctions(DirLinkPolicy::Remap(Outside::Keep)),
    );
    assert_eq!(
        r.action_of(r"C:\T\D"),
        Some(&LinkAction::Remapped {
            target: r"D:\T\missing".into()
        })
    );
    m.create_directory(r"D:\T\missing").unwrap();
    assert_eq!(m.final_path(r"D:\T\D").unwrap(), r"D:\T\missing");
}

#[test]
fn copy_into_itself_is_refused_and_changes_nothing() {
    let mut m = demo_machine();
    let before = ntlinkfs_core::image::save(&m);
    for dst in [
        r"C:\Users\Alice\Backup",
        r"C:\Documents and Settings\Alice\Backup",
        ALICE,
    ] {
        assert_eq!(
            copy_tree(&mut m, ALICE, dst, &CopyOptions::default(), &mut |_| {}).unwrap_err(),
            CopyFailure::DestinationInsideSource,
            "{dst}"
        );
    }
    assert_eq!(ntlinkfs_core::image::save(&m), before);
    assert_eq!(
        copy_tree(
            &mut m,
            r"C:\nope",
            r"D:\x",
            &CopyOptions::default(),
            &mut |_| {}
        )
        .unwrap_err(),
        CopyFailure::Source(NtError::ObjectNameNotFound)
    );
    assert_eq!(
        copy_tree(
            &mut m,
            ALICE,
            r"D:\no\such\dir",
            &CopyOptions::default(),
            &mut |_| {}
        )
        .unwrap_err(),
        CopyFailure::Destination(NtError::ObjectPathNotFound)
    );
}

#[test]
fn copy_follow_never_descends_into_the_destination() {
    let mut m = Machine::default();
    m.create_directory(r"C:\src").unwrap();
    m.create_directory(r"C:\dst").unwrap();
    m.create_junction(r"C:\src\to-dst", r"C:\dst").unwrap();
    let r = copy(
        &mut m,
        r"C:\src",
        r"C:\dst",
        junctions(DirLinkPolicy::Follow),
    );
    assert_eq!(
        r.action_of(r"C:\src\to-dst"),
        Some(&LinkAction::NotFollowedLoop)
    );
}

#[test]
fn copy_into_an_existing_directory_reports_collisions_and_goes_on() {
    let mut m = demo_machine();
    m.create_directory(r"D:\Desk").unwrap();
    m.write_file(r"D:\Desk\notes.txt", b"mine").unwrap();
    let r = copy(
        &mut m,
        r"C:\Users\Alice\Desktop",
        r"D:\Desk",
        CopyOptions::default(),
    );
    assert_eq!(
        r.errors,
        vec![(
            r"C:\Users\Alice\Desktop\notes.txt".to_string(),
            NtError::ObjectNameCollision
        )]
    );
    assert_eq!(m.read_file(r"D:\Desk\notes.txt").unwrap(), b"mine");
    assert!(is_link(&m, r"D:\Desk\report.txt"));
}

#[test]
fn copy_keeps_times_attributes_and_reports_progress() {
    let mut m = demo_machine();
    let src = r"C:\Users\Alice\Documents\report.txt";
    let id = m.query_information(src, Follow::Reparse).unwrap().id;
    m.set_times_of(id, Some(11), Some(22), Some(33)).unwrap();
    m.set_file_attributes(src, ntlinkfs_core::attrs::FILE_ATTRIBUTE_READONLY)
        .unwrap();
    let mut seen = 0;
    let r = copy_tree(
        &mut m,
        r"C:\Users\Alice\Documents",
        r"D:\Docs",
        &CopyOptions::default(),
        &mut |p| {
            seen += 1;
            assert!(p.path.starts_with(r"C:\Users\Alice\Documents\"));
        },
    )
    .unwrap();
    assert_eq!(seen, 3); // My Music, notes.txt, report.txt
    let c = m
        .query_information(r"D:\Docs\report.txt", Follow::Reparse)
        .unwrap();
    assert_eq!(
        (c.times.creation, c.times.last_access, c.times.last_write),
        (11, 22, 33)
    );
    assert_eq!(
        c.attributes & ntlinkfs_core::attrs::FILE_ATTRIBUTE_READONLY,
        ntlinkfs_core::attrs::FILE_ATTRIBUTE_READONLY
    );
    assert_eq!((r.files, r.directories, r.bytes), (2, 0, 37));
    let text = r.to_string();
    assert!(text.contains("Links: 1 junction copied as link"), "{text}");
    assert!(text.contains("Errors: none"), "{text}");
}

#[test]
fn copy_keeps_other_reparse_points_and_the_children_of_directory_bit_tags() {
    let mut m = Machine::default();
    m.create_directory(r"C:\s").unwrap();
    m.create_directory(r"C:\s\cloud").unwrap();
    m.write_file(r"C:\s\cloud\f.txt", b"synced").unwrap();
    // IO_REPARSE_TAG_CLOUD (0x9000001A): Microsoft, directory bit (R20).
    let buf = [0x1A, 0x00, 0x00, 0x90, 2, 0, 0, 0, 0xAB, 0xCD];
    m.set_reparse_point(r"C:\s\cloud", &buf).unwrap();
    let r = copy(&mut m, r"C:\s", r"D:\c", CopyOptions::default());
    assert_eq!(r.action_of(r"C:\s\cloud"), Some(&LinkAction::CopiedAsLink));
    assert_eq!(m.get_reparse_point(r"D:\c\cloud").unwrap(), buf);
    assert_eq!(m.read_file(r"D:\c\cloud\f.txt").unwrap(), b"synced");
}

#[test]
fn policies_parse_from_their_names() {
    assert_eq!(
        "remap-skip".parse(),
        Ok(DirLinkPolicy::Remap(Outside::Skip))
    );
    assert_eq!("remap".parse(), Ok(DirLinkPolicy::Remap(Outside::Keep)));
    assert_eq!("Follow".parse(), Ok(FileLinkPolicy::Follow));
    assert_eq!("break".parse(), Ok(HardLinkPolicy::Break));
    assert!("remap".parse::<FileLinkPolicy>().is_err());
    assert!("sideways"
        .parse::<DirLinkPolicy>()
        .unwrap_err()
        .contains("remap-skip"));
}

mod random {
    //! Random trees with junctions and symlinks anywhere (loops, dangling,
    //! cross-volume), copied with random policies: the copy never panics,
    //! never loops, keeps every invariant and never changes the source.
    use super::*;
    use proptest::prelude::*;

    const PATHS: [&str; 8] = [
        r"C:\s",
        r"C:\s\a",
        r"C:\s\a\b",
        r"C:\s\j",
        r"C:\s\a\k",
        r"C:\o",
        r"D:\x",
        r"C:\s\f",
    ];

    fn step(m: &mut Machine, (kind, a, b): (u8, usize, usize)) {
        let (p, q) = (PATHS[a % PATHS.len()], PATHS[b % PATHS.len()]);
        let dir = SymlinkFlags {
            directory: true,
            ..Default::default()
        };
        let _ = match kind % 6 {
            0 => m.create_directory(p).map(drop),
            1 => m.write_file(p, p.as_bytes()),
            2 => m.create_hard_link(p, q).map(drop),
            3 => m.create_junction(p, q).map(drop),
            4 => m.create_symbolic_link(p, q, dir).map(drop),
            _ => m.create_symbolic_link(p, q, Default::default()).map(drop),
        };
    }

    fn dir_policy() -> impl Strategy<Value = DirLinkPolicy> {
        prop_oneof![
            Just(DirLinkPolicy::Skip),
            Just(DirLinkPolicy::CopyLink),
            Just(DirLinkPolicy::Follow),
            Just(DirLinkPolicy::Remap(Outside::Keep)),
            Just(DirLinkPolicy::Remap(Outside::Skip)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(128))]

        #[test]
        fn copy_of_random_link_trees_terminates_and_leaves_the_source_alone(
            steps in proptest::collection::vec((any::<u8>(), 0usize..8, 0usize..8), 1..30),
            junctions in dir_policy(),
            dir_symlinks in dir_policy(),
            file_follow in any::<bool>(),
            preserve in any::<bool>(),
        ) {
            let mut m = Machine::default();
            m.create_directory(r"C:\s").unwrap();
            for s in steps {
                step(&mut m, s);
            }
            let opts = CopyOptions {
                junctions,
                dir_symlinks,
                file_symlinks: if file_follow { FileLinkPolicy::Follow } else { FileLinkPolicy::CopyLink },
                hard_links: if preserve { HardLinkPolicy::Preserve } else { HardLinkPolicy::Break },
            };
            let source_before = audit(&m, r"C:\s");
            if let Ok(r) = copy_tree(&mut m, r"C:\s", r"D:\copy", &opts, &mut |_| {}) {
                prop_assert!(r.files + r.directories + r.links.len() < 10_000);
            }
            invariants::check(&m).unwrap();
            prop_assert_eq!(audit(&m, r"C:\s"), source_before);
        }
    }
}
