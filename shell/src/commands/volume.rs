//! `volume add X: KIND [label] [/SIZE:n]` and `volume list`: the emulator's
//! volumes (a size as `--volume X:KIND:SIZE` takes it, 64 GiB by default).

use super::{fail, fail_text, invalid_switch, syntax, CmdResult, Out};
use crate::parse::{drive_switch, Invocation};
use crate::{Failure, Shell};
use ntlinkfs_core::error::NtError;
use ntlinkfs_core::profile::FsKind;
use ntlinkfs_core::space::{check_volume_size, parse_size};

pub(crate) fn run(sh: &mut Shell, inv: &Invocation, out: &mut Out) -> CmdResult {
    let mut size = None;
    for s in &inv.switches {
        match s.strip_prefix("SIZE:") {
            Some(text) => {
                let n = parse_size(text)
                    .filter(|&n| check_volume_size(n).is_ok())
                    .ok_or_else(|| fail(out, NtError::InvalidParameter))?;
                size = Some(n);
            }
            None => return Err(invalid_switch(out, s)),
        }
    }
    let m = &mut sh.machine;
    match inv.args.as_slice() {
        [verb] if verb.eq_ignore_ascii_case("list") => {
            out.println("Drive  File system  Label        Serial     Files  Bytes");
            for v in m.volume_infos() {
                out.println(&format!(
                    "{}:     {:<12} {:<12} {:04X}-{:04X} {:>6}  {}",
                    v.letter,
                    v.kind.name(),
                    v.label,
                    v.serial >> 16,
                    v.serial & 0xFFFF,
                    v.nodes,
                    v.bytes
                ));
            }
            Ok(())
        }
        [verb, drive, kind, label @ ..] if verb.eq_ignore_ascii_case("add") => {
            let letter = drive_switch(drive).ok_or_else(|| syntax(out))?;
            let kind: FsKind = kind.parse().map_err(|e: String| {
                out.eprintln(&e);
                Failure::shell(e)
            })?;
            let label = label.join(" ");
            let label = (!label.is_empty()).then_some(label.as_str());
            if m.volume_by_letter(letter as u8).is_some() {
                let text = format!("Drive {}: already exists.", letter.to_ascii_uppercase());
                return Err(fail_text(out, &text, NtError::InvalidParameter));
            }
            let id = m
                .add_volume(letter, kind, label)
                .map_err(|e| fail(out, e))?;
            if let Some(size) = size {
                // Checked above: a new volume takes any volume size.
                m.set_volume_size(id, size).map_err(|e| fail(out, e))?;
            }
            out.println(&format!(
                "Volume {}: added ({}).",
                letter.to_ascii_uppercase(),
                kind.name()
            ));
            Ok(())
        }
        _ => Err(syntax(out)),
    }
}
