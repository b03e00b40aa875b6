//! Journal frames: replaying every committed frame over the image gives the
//! machine as it was at the last commit, whatever happened in between.

use super::*;
use crate::handle::{DeleteSemantics, HandleId, OpenOptions};
use crate::image::save;
use crate::links::SymlinkFlags;
use crate::namespace::MoveFlags;
use crate::profile::FsKind;
use crate::{FixedClock, Follow};
use proptest::prelude::*;
use std::sync::Arc;

const PATHS: [&str; 10] = [
    r"C:\a",
    r"C:\a\b",
    r"C:\A\c",
    r"C:\j",
    r"C:\j\x",
    r"D:\d",
    r"D:\d\e",
    r"C:\a\b\f",
    r"C:\f.txt",
    r"C:\a\g.txt",
];

/// A machine and the handles open on it.
struct World {
    m: Machine,
    handles: Vec<HandleId>,
}

impl World {
    fn new() -> World {
        let mut m = Machine::default();
        m.set_clock(Arc::new(FixedClock(7)));
        World {
            m,
            handles: Vec::new(),
        }
    }

    /// One random step; errors are fine (they change nothing).
    fn step(&mut self, (kind, a, b, data): (u8, usize, usize, u8)) {
        let m = &mut self.m;
        let (p, q) = (PATHS[a % PATHS.len()], PATHS[b % PATHS.len()]);
        let h = (!self.handles.is_empty()).then(|| self.handles[a % self.handles.len()]);
        let _ = match kind % 21 {
            0 => m.create_directory(p).map(drop),
            1 => m.write_file(p, &vec![data; usize::from(data) * 3]),
            2 => m.create_hard_link(p, q).map(drop),
            3 => m.create_junction(p, q).map(drop),
            4 => m
                .create_symbolic_link(
                    p,
                    q,
                    SymlinkFlags {
                        directory: data % 2 == 0,
                        ..Default::default()
                    },
                )
                .map(drop),
            5 => m.delete_file(p),
            6 => m.remove_directory(p),
            // Across volumes too, by copy and delete (copy_data).
            7 => m.move_file(
                p,
                q,
                MoveFlags {
                    replace_existing: data % 3 == 0,
                    copy_allowed: data % 2 == 0,
                },
            ),
            8 => m.set_file_attributes(p, u32::from(data) & 0x7),
            9 => m
                .open(
                    p,
                    &OpenOptions::default()
                        .access(crate::access::GENERIC_READ | crate::access::DELETE)
                        .write(data % 2 == 0),
                )
                .map(|h| self.handles.push(h)),
            10 => match h {
                Some(h) => {
                    self.handles.retain(|&x| x != h);
                    m.close(h)
                }
                None => Ok(()),
            },
            11 => match h {
                Some(h) => {
                    let sem = if data % 2 == 0 {
                        DeleteSemantics::Classic
                    } else {
                        DeleteSemantics::Posix
                    };
                    m.set_delete_disposition(h, data % 3 != 0, sem)
                }
                None => Ok(()),
            },
            12 => match h {
                Some(h) => {
                    let at = u64::from(data) * 4099 * (b as u64 % 3);
                    m.write(h, at, &[data; 70]).map(drop)
                }
                None => Ok(()),
            },
            13 => match h {
                Some(h) => m.set_len(h, u64::from(data) * 1000),
                None => Ok(()),
            },
            14 => m.set_volume_label(a % 2, &format!("L{data}")),
            // Data copied (copy_data, replace_data) and the volume's size and
            // the memory budget, so that some writes fail for want of room.
            15 => match (
                m.query_information(p, Follow::Reparse),
                m.query_information(q, Follow::Reparse),
            ) {
                (Ok(s), Ok(d)) => match m.copy_data_for(s.id, d.id.volume) {
                    Ok(Some(data)) => m.set_data_of(d.id, data),
                    other => other.map(drop),
                },
                (Err(e), _) | (_, Err(e)) => Err(e),
            },
            16 => m.set_volume_size(a % 2, (1 << 20) * (1 + u64::from(data % 4))),
            17 => {
                let used = m.memory_used();
                m.set_memory_limit(match data % 3 {
                    0 => u64::MAX,
                    n => used + u64::from(n) * 40_000,
                });
                Ok(())
            }
            // FSCTL_SET_ZERO_DATA (fallocate's PUNCH_HOLE) through a handle.
            18 => match h {
                Some(h) => m.zero_range(
                    h,
                    u64::from(data) * 997 * (b as u64 % 3),
                    u64::from(data) * 1500,
                ),
                None => Ok(()),
            },
            // Descriptors, checked (SetFileSecurity: WRITE_DAC, which an
            // earlier descriptor may deny) and unchecked (`--demo`'s way).
            19 => {
                let sd = crate::security::descriptor_from_seed(u64::from(data) << 8 | b as u64);
                if data % 2 == 0 {
                    m.set_security(p, Follow::OpenReparsePoint, sd)
                } else {
                    m.query_information(p, Follow::OpenReparsePoint)
                        .and_then(|i| m.set_security_of(i.id, sd))
                }
            }
            _ => m
                .add_volume(['E', 'F'][a % 2], FsKind::Ntfs, None)
                .map(drop),
        };
    }
}

fn step_strategy() -> impl Strategy<Value = ((u8, usize, usize, u8), bool)> {
    (
        (any::<u8>(), 0usize..10, 0usize..10, any::<u8>()),
        any::<bool>(),
    )
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(200))]

    /// Random operations, committed at random points: the image plus every
    /// frame is exactly the state at the last commit (as a save then would
    /// store it), and a frame cut short anywhere gives the state before it.
    #[test]
    fn replay_gives_the_state_at_the_last_commit(
        before in proptest::collection::vec(step_strategy(), 0..10),
        steps in proptest::collection::vec(step_strategy(), 0..60),
        cut in any::<prop::sample::Index>(),
    ) {
        let mut w = World::new();
        for (s, _) in before {
            w.step(s);
        }
        let image = save(&w.m);
        let mut j = Journal::start(&mut w.m, &image);
        let mut file = j.header();
        let mut at_commit = image.clone();
        let mut before_last = (file.len(), image.clone());
        for (s, commit) in steps {
            w.step(s);
            if commit {
                let state = save(&w.m);
                if let Some(frame) = j.commit(&mut w.m) {
                    before_last = (file.len(), at_commit.clone());
                    file.extend_from_slice(&frame);
                } else {
                    prop_assert_eq!(&state, &at_commit, "an empty commit changed nothing");
                }
                at_commit = state;
            }
        }
        let (back, replay) = load_with_journal(&image, &file).unwrap();
        prop_assert_eq!(replay, Replay::Replayed { frames: j.frames(), torn_tail: false });
        prop_assert_eq!(save(&back), at_commit);
        // A torn last frame is ignored: the state of the commit before it.
        let (start, state) = before_last;
        if start < file.len() {
            let at = start + cut.index(file.len() - start);
            let (back, replay) = load_with_journal(&image, &file[..at]).unwrap();
            prop_assert_eq!(save(&back), state);
            let torn = at > start;
            prop_assert!(
                matches!(replay, Replay::Replayed { torn_tail, .. } if torn_tail == torn),
                "{:?}", replay
            );
        }
    }
}

/// A journal with two frames over a small image.
fn two_frames() -> (Vec<u8>, Vec<u8>, Machine) {
    let mut w = World::new();
    let image = save(&w.m);
    let mut j = Journal::start(&mut w.m, &image);
    let mut file = j.header();
    w.m.write_file(r"C:\one", b"1").unwrap();
    file.extend(j.commit(&mut w.m).unwrap());
    w.m.write_file(r"C:\two", b"2").unwrap();
    file.extend(j.commit(&mut w.m).unwrap());
    assert_eq!(j.commit(&mut w.m), None, "nothing changed since");
    (image, file, w.m)
}

#[test]
fn a_journal_of_another_image_or_without_header_is_ignored() {
    let (image, file, mut m) = two_frames();
    let (mut back, r) = load_with_journal(&image, &file).unwrap();
    assert_eq!(
        r,
        Replay::Replayed {
            frames: 2,
            torn_tail: false
        }
    );
    assert_eq!(back.read_file(r"C:\two").unwrap(), b"2");
    // The image was saved again (the journal is in it): not replayed twice.
    let newer = save(&m);
    let (_, r) = load_with_journal(&newer, &file).unwrap();
    assert_eq!(r, Replay::OtherImage);
    m.delete_file(r"C:\one").unwrap();
    for cut in 0..JOURNAL_HEADER_LEN {
        let (_, r) = load_with_journal(&image, &file[..cut]).unwrap();
        assert_eq!(r, Replay::NoHeader, "header cut at {cut}");
    }
}

#[test]
fn damage_before_the_last_frame_is_refused_naming_the_frame() {
    let (image, mut file, _) = two_frames();
    file[JOURNAL_HEADER_LEN + FRAME_HEADER_LEN + 3] ^= 1;
    let err = load_with_journal(&image, &file).unwrap_err();
    assert_eq!(
        err.to_string(),
        format!(
            "journal is damaged: frame 1 (at byte {JOURNAL_HEADER_LEN}) has a wrong \
             checksum and more frames follow"
        )
    );
    // The same damage in the last frame is a torn write: ignored.
    let (image, mut file, _) = two_frames();
    let last = file.len() - 2;
    file[last] ^= 1;
    let (back, r) = load_with_journal(&image, &file).unwrap();
    assert_eq!(
        r,
        Replay::Replayed {
            frames: 1,
            torn_tail: true
        }
    );
    assert!(back.exists(r"C:\one") && !back.exists(r"C:\two"));
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    /// A damaged journal whose frame checksums were made to match is refused
    /// with an error, or replays to a machine that checks and saves to an
    /// image that loads; it never panics.
    #[test]
    fn a_damaged_journal_is_refused_or_consistent(
        steps in proptest::collection::vec(step_strategy(), 1..30),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..4),
    ) {
        let mut w = World::new();
        let image = save(&w.m);
        let mut j = Journal::start(&mut w.m, &image);
        let mut frames = Vec::new();
        for (s, commit) in steps {
            w.step(s);
            if commit {
                frames.extend(j.commit(&mut w.m));
            }
        }
        frames.extend(j.commit(&mut w.m));
        // Damage the bodies, then make every frame's checksum match again.
        let mut file = j.header();
        for mut f in frames {
            for (i, v) in &edits {
                let at = FRAME_HEADER_LEN + i.index(f.len() - FRAME_HEADER_LEN);
                f[at] = *v;
            }
            let crc = crc32(&f[FRAME_HEADER_LEN..]);
            f[8..12].copy_from_slice(&crc.to_le_bytes());
            file.extend_from_slice(&f);
        }
        match load_with_journal(&image, &file) {
            Err(e) => prop_assert!(e.to_string().len() > 20, "{}", e),
            Ok((m, _)) => {
                prop_assert!(crate::invariants::check(&m).is_ok());
                let again = save(&m);
                prop_assert_eq!(save(&load(&again).unwrap()), again);
            }
        }
    }
}

#[test]
fn a_journal_of_a_newer_format_is_refused_naming_its_version() {
    let (image, mut file, _) = two_frames();
    file[8..12].copy_from_slice(&(FORMAT_VERSION + 1).to_le_bytes());
    let crc = crc32(&file[..24]);
    file[24..28].copy_from_slice(&crc.to_le_bytes());
    let err = load_with_journal(&image, &file).unwrap_err();
    assert_eq!(
        err,
        ImageError::UnsupportedVersion {
            found: FORMAT_VERSION + 1,
            supported: FORMAT_VERSION
        }
    );
}

/// A file left out of the image (its one name pending delete while a handle
/// is open) that comes back after the journal starts is journalled whole.
#[test]
fn a_file_left_out_of_the_image_that_comes_back_is_journalled_whole() {
    let mut w = World::new();
    w.m.write_file(r"C:\f.txt", &[7u8; 100_000]).unwrap();
    let h =
        w.m.open(
            r"C:\f.txt",
            &OpenOptions::default()
                .access(crate::access::GENERIC_READ | crate::access::DELETE)
                .write(true),
        )
        .unwrap();
    w.m.set_delete_disposition(h, true, DeleteSemantics::Classic)
        .unwrap();
    let image = save(&w.m);
    let mut j = Journal::start(&mut w.m, &image);
    let mut file = j.header();
    w.m.set_delete_disposition(h, false, DeleteSemantics::Classic)
        .unwrap();
    w.m.write(h, 5, b"back").unwrap();
    w.m.close(h).unwrap();
    file.extend(j.commit(&mut w.m).unwrap());
    let (mut back, _) = load_with_journal(&image, &file).unwrap();
    assert_eq!(save(&back), save(&w.m));
    assert_eq!(
        back.read_file(r"C:\f.txt").unwrap(),
        w.m.read_file(r"C:\f.txt").unwrap()
    );
}

/// A descriptor set after the image was saved (the `--demo` compatibility
/// junctions' deny ACE, then its removal) is in the frames: replay gives each
/// committed DACL, and listing the junction is refused again after replay.
#[test]
fn descriptors_survive_journal_replay() {
    use crate::access::*;
    use crate::security::{Ace, SecurityDescriptor, Trustee};
    let mut w = World::new();
    w.m.create_directory(r"C:\a").unwrap();
    w.m.create_junction(r"C:\j", r"C:\a").unwrap();
    let image = save(&w.m);
    let mut j = Journal::start(&mut w.m, &image);
    let mut file = j.header();
    let mut sd = SecurityDescriptor::default();
    for (trustee, allow, mask) in [
        (Trustee::Everyone, false, SYNCHRONIZE | FILE_LIST_DIRECTORY),
        (Trustee::Everyone, true, GENERIC_READ | GENERIC_EXECUTE),
        (Trustee::Administrators, true, GENERIC_ALL),
    ] {
        sd.add(Ace {
            trustee,
            allow,
            mask,
        });
    }
    let list = OpenOptions::default()
        .access(FILE_LIST_DIRECTORY | SYNCHRONIZE)
        .follow(Follow::OpenReparsePoint);
    w.m.set_security(r"C:\j", Follow::OpenReparsePoint, Some(sd.clone()))
        .unwrap();
    file.extend(j.commit(&mut w.m).unwrap());
    let (mut back, _) = load_with_journal(&image, &file).unwrap();
    assert_eq!(
        back.security(r"C:\j", Follow::OpenReparsePoint).unwrap(),
        Some(sd)
    );
    assert_eq!(back.open(r"C:\j", &list), Err(crate::NtError::AccessDenied));
    // Removed again (unchecked, as an administrator's tool would): the next
    // frame carries the removal.
    let id =
        w.m.query_information(r"C:\j", Follow::OpenReparsePoint)
            .unwrap()
            .id;
    w.m.set_security_of(id, None).unwrap();
    file.extend(j.commit(&mut w.m).expect("a descriptor change is a change"));
    let (back, _) = load_with_journal(&image, &file).unwrap();
    assert_eq!(
        back.security(r"C:\j", Follow::OpenReparsePoint).unwrap(),
        None
    );
}
