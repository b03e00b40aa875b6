//! Where each core volume is mounted on Windows: the `ntlinkfs mount` options
//! turned into a [`MountTable`], checked before anything is mounted.
//!
//! As on Linux, a mount directory holds one entry per volume named by its
//! letter (`MOUNTPOINT\C`, `MOUNTPOINT\D`); `--drive C=X:` puts a volume at a
//! host drive letter instead. Absolute link targets are rewritten through the
//! table, so they resolve inside the mounts wherever the volumes are.

use crate::path::{MountPoint, MountTable};
use ntlinkfs_core::VolumeId;

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
        push_unique(&mut table, id, mount)?;
    }
    let rest: Vec<&(VolumeId, char)> = volumes
        .iter()
        .filter(|(id, _)| table.mount_of(*id).is_none())
        .collect();
    match (root.map(MountPoint::parse).transpose()?, rest.as_slice()) {
        (_, []) => {}
        (None, [(_, l), ..]) => {
            return Err(format!(
                "volume {l}: has no place: give MOUNTPOINT (a directory) or --drive {l}=X:"
            ))
        }
        (Some(drive @ MountPoint::Drive(_)), [(id, _)]) => push_unique(&mut table, *id, drive)?,
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
                    MountPoint::Directory(format!("{dir}\\{l}")),
                )?;
            }
        }
    }
    Ok(table)
}

fn single_letter(s: &str) -> Option<char> {
    let s = s.strip_suffix(':').unwrap_or(s);
    let mut c = s.chars();
    match (c.next(), c.next()) {
        (Some(l), None) if l.is_ascii_alphabetic() => Some(l.to_ascii_uppercase()),
        _ => None,
    }
}

fn push_unique(table: &mut MountTable, id: VolumeId, mount: MountPoint) -> Result<(), String> {
    if table.entries.iter().any(|(_, m)| *m == mount) {
        return Err(format!("{} is given to two volumes", mount.to_winfsp()));
    }
    table.entries.push((id, mount));
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
        Vec<(VolumeId, MountPoint)>,
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
                    (0, Directory(r"C:\mnt\n\C".into())),
                    (1, Directory(r"C:\mnt\n\D".into())),
                ],
            ),
            (
                CD,
                None,
                &["c=x:", "D=Y:"],
                vec![(0, Drive('X')), (1, Drive('Y'))],
            ),
            (
                CD,
                Some(r"C:\m"),
                &["D:=Y:"],
                vec![(1, Drive('Y')), (0, Directory(r"C:\m\C".into()))],
            ),
            (&[(0, 'E')], Some("Q:"), &[], vec![(0, Drive('Q'))]),
        ];
        for (vols, root, drives, want) in rows {
            let got = plan(vols, *root, &s(drives)).unwrap();
            assert_eq!(&got.entries, want, "{root:?} {drives:?}");
        }
    }

    #[test]
    fn plan_refuses_bad_placements() {
        let rows: &[(Option<&str>, &[&str], &str)] = &[
            (None, &[], "has no place"),
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
