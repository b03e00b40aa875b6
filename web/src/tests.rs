//! The playground's behaviour, natively: what the browser tests check
//! again through the page.

use crate::picture::{Kind, State};
use crate::playground::{Playground, Reply, MAX_PASTE_BYTES};
use crate::scenarios::{self, SCENARIOS};
use crate::session::{Session, Start};
use ntlinkfs_core::image;
use ntlinkfs_shell::{run_script, Captured, ScriptOptions, Shell};

fn session(commands: &[&str]) -> Playground {
    let s = Session {
        commands: commands.iter().map(|c| c.to_string()).collect(),
        ..Session::default()
    };
    Playground::new(s).unwrap().0
}

fn transcript(replies: &[Reply]) -> String {
    replies.iter().map(Reply::transcript).collect()
}

/// HL1/HL23: a hard link is one record with two names and link count 2.
#[test]
fn a_hard_link_is_one_item_with_two_names() {
    let mut p = session(&[r"echo x> C:\a.txt", r"mklink /H C:\b.txt C:\a.txt"]);
    let pic = p.draw();
    let files: Vec<_> = pic.panes[0]
        .items
        .iter()
        .filter(|i| i.kind == Kind::File)
        .collect();
    assert_eq!(files.len(), 1);
    assert_eq!(files[0].names, [r"C:\a.txt", r"C:\b.txt"]);
    assert_eq!(files[0].links, 2);
    let id = files[0].id.clone();
    let before = p.save_image();
    let details = p.details(&id).unwrap();
    assert_eq!(
        details,
        "C:\\>fsutil hardlink list \"C:\\a.txt\"\n\\a.txt\n\\b.txt\n"
    );
    assert_eq!(p.save_image(), before, "details change nothing");
    assert_eq!(p.session().commands.len(), 2, "details are not commands");
}

/// J33: a junction whose target moved dangles; moved back, it works again.
#[test]
fn a_junction_dangles_when_its_target_moves() {
    let mut p = session(&[r"md C:\data", r"mklink /J C:\j C:\data"]);
    let arrow = |p: &mut Playground| p.draw().arrows[0].clone();
    let a = arrow(&mut p);
    assert_eq!(
        (a.state, a.target.as_str(), a.cross),
        (State::Ok, r"C:\data", false)
    );
    assert_eq!(
        a.to,
        p.draw().item_by_path(r"C:\data").map(|i| i.id.clone())
    );
    p.run(r"move C:\data C:\elsewhere");
    let a = arrow(&mut p);
    assert_eq!((a.state, a.to), (State::Dangling, None));
    assert_eq!(a.why, "The system cannot find the file specified.");
    p.run(r"move C:\elsewhere C:\data");
    assert_eq!(arrow(&mut p).state, State::Ok);
}

/// The --demo layout: both Application Data junctions loop, Projects
/// crosses to D:, old.txt dangles, notes.txt is one file with two names.
#[test]
fn the_demo_layout_marks_loops_cross_volume_and_dangling_links() {
    let s = Session {
        start: Start::Demo,
        ..Session::default()
    };
    let (mut p, _) = Playground::new(s).unwrap();
    let pic = p.draw().clone();
    let from = |state: State| -> Vec<String> {
        let mut v: Vec<String> = pic
            .arrows
            .iter()
            .filter(|a| a.state == state)
            .map(|a| pic.item(&a.from).unwrap().path.clone())
            .collect();
        v.sort();
        v
    };
    assert_eq!(
        from(State::Loop),
        [
            r"C:\ProgramData\Application Data",
            r"C:\Users\Alice\AppData\Local\Application Data"
        ]
    );
    assert_eq!(from(State::Dangling), [r"C:\Users\Alice\Desktop\old.txt"]);
    let cross: Vec<_> = pic.arrows.iter().filter(|a| a.cross).collect();
    assert_eq!(cross.len(), 1);
    assert_eq!(
        pic.item(&cross[0].from).unwrap().path,
        r"C:\Users\Alice\Projects"
    );
    assert!(pic.item(cross[0].to.as_ref().unwrap()).unwrap().path == r"D:\Projects");
    let notes = pic.item_by_path(r"C:\Users\Alice\Desktop\notes.txt");
    let notes = notes.or_else(|| pic.item_by_path(r"C:\Users\Alice\Documents\notes.txt"));
    assert_eq!(notes.unwrap().links, 2);
}

/// The page shows what `ntlinkfs shell` prints: the same text and error
/// lines (compared with a script run, whose echo differs only for
/// redirections, which it shows as cmd rewrites them).
#[test]
fn replies_are_the_shells_transcript() {
    let lines = [
        r"md a",
        r"cd a",
        r"mklink /H x C:\a",
        r"copy nothing.txt f.txt",
        r"mklink /H D:\g.txt C:\a\..\a",
        r"bogus",
    ];
    let (_, replies) = Playground::new(Session {
        commands: lines.iter().map(|l| l.to_string()).collect(),
        ..Session::default()
    })
    .unwrap();
    let mut sh = Shell::new(Session::default().machine().unwrap());
    let mut want = Captured::default();
    run_script(
        &mut sh,
        &lines.join("\n"),
        ScriptOptions { keep_going: true },
        &mut want,
    );
    let stdout: String = replies
        .iter()
        .map(|r| format!("\n{}\n{}", r.echo, r.output))
        .collect();
    let stderr: String = replies
        .iter()
        .filter_map(|r| r.error.as_ref().map(|e| format!("{e}\n")))
        .collect();
    assert_eq!((stdout, stderr), (want.stdout, want.stderr));
    assert!(transcript(&replies).contains(
        "C:\\a>bogus\n'bogus' is not recognized as an internal or external command,\n\
         operable program or batch file.\nerror: unknown command 'bogus'\n"
    ));
}

/// A link's fragment rebuilds the same machine and transcript.
#[test]
fn the_fragment_reproduces_the_session() {
    let mut p = session(&[r"md C:\d", r"mklink /J C:\j C:\d", r"cd C:\j"]);
    let r = p.run("echo hello> f.txt");
    assert_eq!(r.error, None);
    let (q, replies) =
        Playground::new(Session::from_fragment(&p.fragment().unwrap()).unwrap()).unwrap();
    assert_eq!(q.save_image(), p.save_image());
    assert_eq!(replies.last().unwrap(), &r);
    assert_eq!(q.prompt(), r"C:\j>");
}

/// An image saved by the page loads back (and is the `--image` format);
/// bytes that are not an image are refused with the reason.
#[test]
fn images_round_trip_and_bad_ones_are_refused() {
    let mut p = session(&[r"echo x> C:\a.txt", r"mklink /H C:\b.txt C:\a.txt"]);
    let bytes = p.save_image();
    assert!(image::info(&bytes).is_ok());
    let mut q = Playground::from_image(&bytes, 0).unwrap();
    assert_eq!(q.draw().panes, p.draw().panes);
    assert!(q.fragment().unwrap_err().contains("a link cannot carry"));
    let mut corrupt = bytes.clone();
    let last = corrupt.len() - 1;
    corrupt[last] ^= 0xFF;
    for (bad, why) in [
        (&b"hello"[..], "not an ntlinkfs image"),
        (&corrupt[..], "checksum"),
        (&bytes[..bytes.len() / 2], "truncated"),
    ] {
        let e = Playground::from_image(bad, 0).err().unwrap();
        assert!(
            e.starts_with("The file was not loaded: ") && e.contains(why),
            "{e}"
        );
    }
}

/// A paste too large runs nothing; a normal one runs each line.
#[test]
fn a_huge_paste_is_refused_and_changes_nothing() {
    let mut p = session(&[r"md C:\a"]);
    let before = p.save_image();
    let huge = "echo x>C:\\f.txt\n".repeat(10 << 20 >> 4); // 10 MiB
    let e = p.paste(&huge).unwrap_err();
    assert!(
        e.starts_with("The paste was not run: it is 10.0 MiB"),
        "{e}"
    );
    assert!(e.ends_with("Nothing was changed."));
    assert!(huge.len() > MAX_PASTE_BYTES);
    assert_eq!(p.save_image(), before);
    assert_eq!(p.session().commands, [r"md C:\a"]);
    let replies = p.paste("md C:\\b\r\nmd C:\\c\n").unwrap();
    assert_eq!(replies.len(), 2);
    assert_eq!(p.session().commands, [r"md C:\a", r"md C:\b", r"md C:\c"]);
}

/// A large directory folds: the picture stays small whatever the volume.
#[test]
fn large_directories_fold() {
    let (mut p, _) = Playground::new(Session {
        start: Start::Files(10_000),
        ..Session::default()
    })
    .unwrap();
    let pic = p.draw();
    let fold = pic.panes[0]
        .items
        .iter()
        .find(|i| i.kind == Kind::Fold)
        .unwrap();
    assert_eq!(fold.folded, 10_000 - crate::picture::FOLD_KEEP);
    assert!(pic.panes[0].items.len() < 40);
}

/// Tab completes as `ntlinkfs shell` does (the shell crate's completion).
#[test]
fn tab_completes_commands_and_names() {
    let p = session(&[r"md C:\Users", r"md C:\Users\Alice"]);
    assert_eq!(p.complete("mkl"), (0, vec!["mklink".to_string()]));
    assert_eq!(p.complete(r"cd C:\us"), (3, vec![r"C:\Users".to_string()]));
}

/// Every scenario runs, and shows what it is about.
#[test]
fn scenarios_show_what_they_are_about() {
    let run = |id: &str| {
        let (mut p, replies) = Playground::new(scenarios::find(id).unwrap().session()).unwrap();
        (transcript(&replies), p.draw().clone())
    };
    let (t, pic) = run("hardlink-move");
    assert!(
        t.contains("C:\\>type C:\\report-link.txt\nquarterly numbers\n"),
        "{t}"
    );
    assert!(pic.panes[0].items.iter().any(|i| i.links == 2));
    let (t, pic) = run("junction-move");
    assert!(
        t.ends_with("error: ERROR_FILE_NOT_FOUND (2) STATUS_OBJECT_NAME_NOT_FOUND (0xC0000034)\n"),
        "{t}"
    );
    assert_eq!(pic.arrows[0].state, State::Dangling);
    let (t, pic) = run("relative-symlink");
    assert!(t.contains("current-relative\\version.txt\n2.0\n"), "{t}");
    let states: Vec<State> = pic.arrows.iter().map(|a| a.state).collect();
    assert!(
        states.contains(&State::Ok) && states.contains(&State::Dangling),
        "{states:?}"
    );
    let (_, pic) = run("profile-loops");
    assert_eq!(
        pic.arrows.iter().filter(|a| a.state == State::Loop).count(),
        2
    );
    // J34 (KB205524): XP's Explorer deletes inside the junction target.
    let (t, _) = run("xp-explorer-delete");
    assert!(
        t.contains("1 item(s) deleted inside junction targets"),
        "{t}"
    );
    assert!(
        t.ends_with(
            "C:\\>dir /b C:\\keep\nFile Not Found\n\
             error: ERROR_FILE_NOT_FOUND (2) STATUS_OBJECT_NAME_NOT_FOUND (0xC0000034)\n"
        ),
        "{t}"
    );
    let (t, _) = run("fat-refuses");
    assert_eq!(t.matches("error: ").count(), 3, "{t}");
    for s in SCENARIOS {
        assert!(
            Session::from_fragment(&s.session().to_fragment()).is_ok(),
            "{}",
            s.id
        );
    }
}

#[test]
fn the_demo_table_is_the_clis() {
    let t = crate::demo_table_json("xp").unwrap();
    assert!(t.starts_with("{\"heading\":\"Hard links, junctions and symbolic links on profile xp"));
    assert_eq!(t.matches("\"title\":").count(), 14);
    assert!(crate::demo_table_json("win98")
        .unwrap_err()
        .contains("unknown profile"));
}

#[test]
fn the_setup_of_a_session_is_what_the_pickers_show() {
    let s = Session {
        profile: "xp+dev-user".parse().unwrap(),
        start: Start::Files(7),
        ..Session::default()
    };
    assert_eq!(
        crate::setup_json(&s),
        r#"{"version":"xp","dev":true,"user":true,"volumes":[["C","ntfs"],["D","ntfs"]],"start":"files 7","clock":1705311000}"#
    );
}

/// The clock is the page's: a shared link prints the same times anywhere.
#[test]
fn times_come_from_the_sessions_clock() {
    let s = Session {
        clock: 946_684_800, // 2000-01-01 00:00 UTC
        commands: vec![r"md C:\d".into(), r"dir C:\".into()],
        ..Session::default()
    };
    let (_, replies) = Playground::new(s).unwrap();
    assert!(
        replies[1]
            .output
            .contains("01/01/2000  12:00 AM    <DIR>          d\n"),
        "{}",
        replies[1].output
    );
}

/// Panes follow the volumes; a symbolic link to another volume crosses,
/// and a folder's details are its file ID.
#[test]
fn panes_cross_volume_links_and_folder_details() {
    let (mut p, _) = Playground::new(Session {
        volumes: vec![
            ('C', ntlinkfs_core::FsKind::Ntfs),
            ('D', ntlinkfs_core::FsKind::Ntfs),
            ('E', ntlinkfs_core::FsKind::Fat32),
        ],
        commands: vec![
            r"md D:\target".into(),
            r"mklink /D C:\to-d D:\target".into(),
            r"echo x> E:\on-fat.txt".into(),
        ],
        ..Session::default()
    })
    .unwrap();
    let pic = p.draw().clone();
    let kinds: Vec<(char, &str)> = pic
        .panes
        .iter()
        .map(|p| (p.letter, p.kind.as_str()))
        .collect();
    assert_eq!(kinds, [('C', "NTFS"), ('D', "NTFS"), ('E', "FAT32")]);
    let a = &pic.arrows[0];
    assert_eq!(
        (a.state, a.cross, a.target.as_str()),
        (State::Ok, true, r"D:\target")
    );
    assert_eq!(pic.item(a.to.as_ref().unwrap()).unwrap().path, r"D:\target");
    assert_eq!(pic.item(&a.from).unwrap().kind, Kind::SymlinkDir);
    let dir = pic.item_by_path(r"D:\target").unwrap().id.clone();
    let details = p.details(&dir).unwrap();
    assert!(
        details.starts_with("C:\\>fsutil file queryfileid \"D:\\target\"\nFile ID is 0x"),
        "{details}"
    );
    assert_eq!(p.details("C:nothing"), None);
}

/// Issue 14: a DACL set in the page (`icacls`) is in the downloaded image and
/// comes back with an upload (image format version 3).
#[test]
fn an_uploaded_image_keeps_its_dacls() {
    use ntlinkfs_core::Follow;
    let p = session(&[r"md C:\d", r"icacls C:\d /deny Everyone:(RD)"]);
    let before = p.machine().security(r"C:\d", Follow::Reparse).unwrap();
    assert!(before.is_some(), "icacls set a DACL");
    let bytes = p.save_image();
    assert_eq!(image::info(&bytes).unwrap().format_version, 3);
    let q = Playground::from_image(&bytes, 0).unwrap();
    assert_eq!(
        q.machine().security(r"C:\d", Follow::Reparse).unwrap(),
        before
    );
}
