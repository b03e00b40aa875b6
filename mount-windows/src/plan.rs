//! Where each core volume is mounted on Windows: the `ntlinkfs mount` options
//! turned into a [`MountTable`], checked before anything is mounted.
//!
//! Without options every volume is mounted at its own letter (volume X: at
//! host X:), so host paths and the machine's agree. As on Linux, a MOUNTPOINT
//! directory holds one entry per volume named by its letter (`MOUNTPOINT\C`,
//! `MOUNTPOINT\D`); `--drive C=X:` puts a volume at another host drive letter. Absolute link targets are rewritten through the
//! table, so they resolve inside the mounts wherever the volumes are.

use crate::path::{MountPoint, MountTable};
use ntlinkfs_core::{path, VolumeId};

/// `volumes`: (id, letter) of every core volume; `root`: the MOUNTPOINT
/// argument, if any; `drives`: the `--drive L=X:` options.
pub fn plan(
    volumes: &[(VolumeId, char)],
    root: Option<&str>,
    drives: &[String],
) -> Result<MountTable, String> {
    let mut table = MountTable::default();
    for d in drives {
        let (vol, at) = d
            .split_once('=')
            .ok_or_else(|| format!("--drive {d}: expected VOLUME=X:, e.g. C=X:"))?;
        let letter = single_letter(vol)
            .ok_or_else(|| format!("--drive {d}: {vol:?} is not a volume letter"))?;
        let id = volumes
            .iter()
            .find(|(_, l)| l.eq_ignore_ascii_case(&letter))
            .map(|(id, _)| *id)
            .ok_or_else(|| format!("--drive {d}: there is no volume {letter}:"))?;
        let mount @ MountPoint::Drive(_) = MountPoint::parse(at)? else {
            return Err(format!("--drive {d}: {at:?} is not a drive letter"));
        };
        if table.mount_of(id).is_some() {
            return Err(format!("--drive {d}: volume {letter}: is placed twice"));
        }
        push_unique(&mut table, id, letter, mount)?;
    }
    let rest: Vec<&(VolumeId, char)> = volumes
        .iter()
        .filter(|(id, _)| table.mount_of(*id).is_none())
        .collect();
    match (root.map(MountPoint::parse).transpose()?, rest.as_slice()) {
        (_, []) => {}
        // Each volume at its own letter: host paths and the machine's agree.
        (None, rest) => {
            for (id, l) in rest {
                push_unique(&mut table, *id, *l, MountPoint::Drive(*l))?;
            }
        }
        (Some(drive @ MountPoint::Drive(_)), [(id, l)]) => push_unique(&mut table, *id, *l, drive)?,
        (Some(MountPoint::Drive(x)), _) => {
            return Err(format!(
                "{x}: holds one volume; give a directory as MOUNTPOINT or --drive for each volume"
            ))
        }
        (Some(MountPoint::Directory(dir)), rest) => {
            for (id, l) in rest {
                push_unique(
                    &mut table,
                    *id,
                    *l,
                    MountPoint::Directory(format!("{dir}\\{l}")),
                )?;
            }
        }
    }
    Ok(table)
}

/// `X` or `X:` alone, upper case.
fn single_letter(s: &str) -> Option<char> {
    path::letter_alone(s)
        .or_else(|| path::drive_alone(s))
        .map(char::from)
}

fn push_unique(
    table: &mut MountTable,
    id: VolumeId,
    letter: char,
    mount: MountPoint,
) -> Result<(), String> {
    if table.entries.iter().any(|(_, _, m)| *m == mount) {
        return Err(format!("{} is given to two volumes", mount.to_winfsp()));
    }
    table.entries.push((id, letter, mount));
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use MountPoint::*;

    const CD: &[(VolumeId, char)] = &[(0, 'C'), (1, 'D')];

    /// volumes, MOUNTPOINT, --drive options → the table.
    type Row<'a> = (
        &'a [(VolumeId, char)],
        Option<&'a str>,
        &'a [&'a str],
        Vec<(VolumeId, char, MountPoint)>,
    );

    fn s(v: &[&str]) -> Vec<String> {
        v.iter().map(|x| x.to_string()).collect()
    }

    #[test]
    fn plan_places_every_volume() {
        let rows: &[Row] = &[
            (
                CD,
                Some(r"C:\mnt\n"),
                &[],
                vec![
                    (0, 'C', Directory(r"C:\mnt\n\C".into())),
                    (1, 'D', Directory(r"C:\mnt\n\D".into())),
                ],
            ),
            (
                CD,
                None,
                &["c=x:", "D=Y:"],
                vec![(0, 'C', Drive('X')), (1, 'D', Drive('Y'))],
            ),
            (
                CD,
                None,
                &[],
                vec![(0, 'C', Drive('C')), (1, 'D', Drive('D'))],
            ),
            (
                CD,
                None,
                &["C=Q:"],
                vec![(0, 'C', Drive('Q')), (1, 'D', Drive('D'))],
            ),
            (
                CD,
                Some(r"C:\m"),
                &["D:=Y:"],
                vec![(1, 'D', Drive('Y')), (0, 'C', Directory(r"C:\m\C".into()))],
            ),
            (&[(0, 'E')], Some("Q:"), &[], vec![(0, 'E', Drive('Q'))]),
        ];
        for (vols, root, drives, want) in rows {
            let got = plan(vols, *root, &s(drives)).unwrap();
            assert_eq!(&got.entries, want, "{root:?} {drives:?}");
        }
    }

    #[test]
    fn plan_refuses_bad_placements() {
        let rows: &[(Option<&str>, &[&str], &str)] = &[
            (None, &["C=D:"], "given to two volumes"), // D: is D's own letter
            (Some("Q:"), &[], "holds one volume"),
            (None, &["C=X:", "D=X:"], "given to two volumes"),
            (None, &["C=X:", "C=Y:"], "placed twice"),
            (None, &["E=X:"], "no volume E:"),
            (None, &["C"], "expected VOLUME=X:"),
            (None, &[r"C=C:\dir"], "not a drive letter"),
            (Some("relative"), &[], "absolute directory"),
        ];
        for (root, drives, msg) in rows {
            let err = plan(CD, *root, &s(drives)).unwrap_err();
            assert!(err.contains(msg), "{root:?} {drives:?}: {err}");
        }
    }
}
