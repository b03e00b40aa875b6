//! The security descriptor the objects on the mount report: written as SDDL,
//! encoded here as a self-relative SECURITY_DESCRIPTOR (MS-DTYP 2.4.6) without
//! Windows APIs, so it is built and tested on every platform.
//!
//! One descriptor serves every file, except that an object with a DACL of its
//! own in the core (the compatibility junctions, `icacls`) reports the mount's
//! owner and group with that DACL ([`sddl_with_dacl`]); WinFsp uses them for
//! its access checks. Only the SDDL subset a default needs
//! is accepted: `O:`, `G:`, `D:` with flags P/AI/AR and allow/deny ACEs of
//! well-known or literal SIDs; anything else is refused with a message.

/// Owner and group Administrators; SYSTEM, Administrators and Everyone have full
/// access, so a user of the test volume can do everything NTFS would let an
/// administrator do (links are what is being tried, not permissions).
pub const DEFAULT_SDDL: &str = "O:BAG:BAD:P(A;;FA;;;SY)(A;;FA;;;BA)(A;;FA;;;WD)";

/// WinFsp first asks with a 1 KiB buffer; keeping descriptors within it means
/// the size is always known up front.
pub const MAX_DESCRIPTOR_LEN: usize = 1024;

const SE_DACL_PRESENT: u16 = 0x0004;
const SE_DACL_AUTO_INHERIT_REQ: u16 = 0x0100;
const SE_DACL_AUTO_INHERITED: u16 = 0x0400;
const SE_DACL_PROTECTED: u16 = 0x1000;
const SE_SELF_RELATIVE: u16 = 0x8000;
const ACL_REVISION: u8 = 2;

/// DACL control bits and its encoded ACEs.
type Dacl = (u16, Vec<Vec<u8>>);

/// A self-relative security descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SecurityDescriptor {
    bytes: Vec<u8>,
    sddl: String,
}

impl SecurityDescriptor {
    pub fn default_descriptor() -> SecurityDescriptor {
        SecurityDescriptor::from_sddl(DEFAULT_SDDL).expect("the default SDDL is valid")
    }

    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    pub fn sddl(&self) -> &str {
        &self.sddl
    }

    /// Parses the supported SDDL subset and encodes it.
    pub fn from_sddl(sddl: &str) -> Result<SecurityDescriptor, String> {
        let mut owner = None;
        let mut group = None;
        let mut dacl: Option<Dacl> = None;
        let mut rest = sddl.trim();
        while !rest.is_empty() {
            let (section, body) = rest
                .split_at_checked(2)
                .filter(|(s, _)| s.ends_with(':'))
                .ok_or_else(|| format!("SDDL: expected O:, G: or D: at {rest:?}"))?;
            match section {
                "O:" | "G:" => {
                    let end = next_section(body);
                    let sid = sid(&body[..end])?;
                    let slot = if section == "O:" {
                        &mut owner
                    } else {
                        &mut group
                    };
                    if slot.replace(sid).is_some() {
                        return Err(format!("SDDL: {section} given twice"));
                    }
                    rest = &body[end..];
                }
                "D:" => {
                    let (acl, after) = parse_dacl(body)?;
                    if dacl.replace(acl).is_some() {
                        return Err("SDDL: D: given twice".into());
                    }
                    rest = after;
                }
                other => return Err(format!("SDDL: section {other} is not supported")),
            }
        }
        let bytes = encode(owner.as_deref(), group.as_deref(), dacl.as_ref());
        if bytes.len() > MAX_DESCRIPTOR_LEN {
            return Err(format!(
                "SDDL: descriptor is {} bytes, more than {MAX_DESCRIPTOR_LEN}",
                bytes.len()
            ));
        }
        Ok(SecurityDescriptor {
            bytes,
            sddl: sddl.trim().to_string(),
        })
    }
}

/// Where the next `X:` section starts in an owner/group value.
fn next_section(s: &str) -> usize {
    let b = s.as_bytes();
    (0..b.len())
        .find(|&i| i + 1 < b.len() && b[i + 1] == b':' && matches!(b[i], b'O' | b'G' | b'D' | b'S'))
        .unwrap_or(b.len())
}

/// DACL flags and ACEs; returns the control bits, the encoded ACEs and the rest.
fn parse_dacl(body: &str) -> Result<(Dacl, &str), String> {
    let mut control = SE_DACL_PRESENT;
    let mut rest = body;
    loop {
        if let Some(r) = rest.strip_prefix("AI") {
            control |= SE_DACL_AUTO_INHERITED;
            rest = r;
        } else if let Some(r) = rest.strip_prefix("AR") {
            control |= SE_DACL_AUTO_INHERIT_REQ;
            rest = r;
        } else if let Some(r) = rest.strip_prefix('P') {
            control |= SE_DACL_PROTECTED;
            rest = r;
        } else {
            break;
        }
    }
    let mut aces = Vec::new();
    while let Some(r) = rest.strip_prefix('(') {
        let end = r
            .find(')')
            .ok_or_else(|| format!("SDDL: unclosed ACE at {rest:?}"))?;
        aces.push(ace(&r[..end])?);
        rest = &r[end + 1..];
    }
    Ok(((control, aces), rest))
}

/// `type;flags;rights;;;sid` → an ACCESS_ALLOWED_ACE / ACCESS_DENIED_ACE.
fn ace(text: &str) -> Result<Vec<u8>, String> {
    let f: Vec<&str> = text.split(';').collect();
    let [kind, flags, rights, obj, inh, who] = f[..] else {
        return Err(format!("SDDL: ACE ({text}) needs six fields"));
    };
    let ace_type: u8 = match kind {
        "A" => 0,
        "D" => 1,
        _ => return Err(format!("SDDL: ACE type {kind:?} is not supported")),
    };
    if !obj.is_empty() || !inh.is_empty() {
        return Err(format!("SDDL: object ACEs are not supported ({text})"));
    }
    let ace_flags = codes(
        flags,
        &[
            ("OI", 0x01),
            ("CI", 0x02),
            ("NP", 0x04),
            ("IO", 0x08),
            ("ID", 0x10),
        ],
    )?;
    let mask = if let Some(hex) = rights.strip_prefix("0x") {
        u32::from_str_radix(hex, 16).map_err(|_| format!("SDDL: bad rights {rights:?}"))?
    } else {
        codes(
            rights,
            &[
                ("FA", 0x001F_01FF),
                ("FR", 0x0012_0089),
                ("FW", 0x0012_0116),
                ("FX", 0x0012_00A0),
                ("GA", 0x1000_0000),
                ("GX", 0x2000_0000),
                ("GW", 0x4000_0000),
                ("GR", 0x8000_0000),
                ("SD", 0x0001_0000),
                ("RC", 0x0002_0000),
                ("WD", 0x0004_0000),
                ("WO", 0x0008_0000),
            ],
        )?
    };
    let sid = sid(who)?;
    let size = 8 + sid.len();
    let mut out = vec![ace_type, ace_flags as u8];
    out.extend_from_slice(&(size as u16).to_le_bytes());
    out.extend_from_slice(&mask.to_le_bytes());
    out.extend_from_slice(&sid);
    Ok(out)
}

/// A run of two-letter codes, OR-ed.
fn codes(text: &str, table: &[(&str, u32)]) -> Result<u32, String> {
    let mut v = 0;
    let mut rest = text;
    while !rest.is_empty() {
        let (code, r) = rest
            .split_at_checked(2)
            .ok_or_else(|| format!("SDDL: bad code {rest:?}"))?;
        v |= table
            .iter()
            .find(|(c, _)| *c == code)
            .map(|(_, b)| *b)
            .ok_or_else(|| format!("SDDL: code {code:?} is not supported"))?;
        rest = r;
    }
    Ok(v)
}

/// A SID alias or `S-1-<authority>-<sub>...` → its binary form.
fn sid(text: &str) -> Result<Vec<u8>, String> {
    let literal = match text {
        "SY" => "S-1-5-18",
        "BA" => "S-1-5-32-544",
        "BU" => "S-1-5-32-545",
        "WD" => "S-1-1-0",
        "AU" => "S-1-5-11",
        "CO" => "S-1-3-0",
        "AN" => "S-1-5-7",
        s => s,
    };
    let bad = || format!("SDDL: SID {text:?} is not supported");
    let mut parts = literal
        .strip_prefix("S-1-")
        .ok_or_else(bad)?
        .split('-')
        .map(|p| p.parse::<u64>().map_err(|_| bad()));
    let authority = parts.next().ok_or_else(bad)??;
    let subs: Vec<u64> = parts.collect::<Result<_, _>>()?;
    if authority >= 1 << 48
        || subs.is_empty()
        || subs.len() > 15
        || subs.iter().any(|&s| s > u64::from(u32::MAX))
    {
        return Err(bad());
    }
    let mut out = vec![1, subs.len() as u8];
    out.extend_from_slice(&authority.to_be_bytes()[2..]);
    for s in subs {
        out.extend_from_slice(&(s as u32).to_le_bytes());
    }
    Ok(out)
}

/// Header, owner, group, DACL (any order is valid in self-relative form).
fn encode(owner: Option<&[u8]>, group: Option<&[u8]>, dacl: Option<&Dacl>) -> Vec<u8> {
    let mut control = SE_SELF_RELATIVE;
    let mut body = Vec::new();
    let mut place = |part: Option<&[u8]>| -> u32 {
        match part {
            None => 0,
            Some(p) => {
                let off = 20 + body.len();
                body.extend_from_slice(p);
                off as u32
            }
        }
    };
    let owner_off = place(owner);
    let group_off = place(group);
    let acl = dacl.map(|(bits, aces)| {
        control |= bits;
        let size = 8 + aces.iter().map(Vec::len).sum::<usize>();
        let mut a = vec![ACL_REVISION, 0];
        a.extend_from_slice(&(size as u16).to_le_bytes());
        a.extend_from_slice(&(aces.len() as u16).to_le_bytes());
        a.extend_from_slice(&[0, 0]);
        for ace in aces {
            a.extend_from_slice(ace);
        }
        a
    });
    let dacl_off = place(acl.as_deref());
    let mut out = vec![1, 0];
    out.extend_from_slice(&control.to_le_bytes());
    out.extend_from_slice(&owner_off.to_le_bytes());
    out.extend_from_slice(&group_off.to_le_bytes());
    out.extend_from_slice(&0u32.to_le_bytes()); // no SACL
    out.extend_from_slice(&dacl_off.to_le_bytes());
    out.extend_from_slice(&body);
    out
}

/// The mount's SDDL with its DACL replaced by a core descriptor's ACEs, in
/// order: Everyone is `WD`; the user is `BU` (BUILTIN\\Users, the group every
/// interactive account is in: the mount has no account of its own).
pub fn sddl_with_dacl(base: &str, sd: &ntlinkfs_core::SecurityDescriptor) -> String {
    let head = base.find("D:").map_or(base, |i| &base[..i]);
    let mut out = format!("{head}D:P");
    for ace in &sd.dacl {
        let kind = if ace.allow { 'A' } else { 'D' };
        let sid = match ace.trustee {
            ntlinkfs_core::Trustee::Everyone => "WD",
            ntlinkfs_core::Trustee::User => "BU",
            ntlinkfs_core::Trustee::Administrators => "BA",
        };
        out.push_str(&format!("({kind};;0x{:x};;;{sid})", ace.mask));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn small_descriptor_golden_bytes() {
        let sd = SecurityDescriptor::from_sddl("O:SYG:SYD:(A;;FA;;;WD)").unwrap();
        #[rustfmt::skip]
        let want: &[u8] = &[
            0x01, 0x00, 0x04, 0x80,             // revision 1, control SELF_RELATIVE|DACL_PRESENT
            20, 0, 0, 0,  32, 0, 0, 0,          // owner at 20, group at 32
            0, 0, 0, 0,   44, 0, 0, 0,          // no SACL, DACL at 44
            1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0, // owner S-1-5-18
            1, 1, 0, 0, 0, 0, 0, 5, 18, 0, 0, 0, // group S-1-5-18
            2, 0, 28, 0, 1, 0, 0, 0,            // ACL rev 2, 28 bytes, 1 ACE
            0, 0, 20, 0, 0xFF, 0x01, 0x1F, 0x00, // ALLOWED, 20 bytes, FILE_ALL_ACCESS
            1, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0,  // S-1-1-0 (Everyone)
        ];
        assert_eq!(sd.as_bytes(), want);
    }

    #[test]
    fn default_descriptor_layout() {
        let sd = SecurityDescriptor::default_descriptor();
        let b = sd.as_bytes();
        assert_eq!(u16::from_le_bytes([b[2], b[3]]), 0x9004); // + DACL_PROTECTED
                                                              // owner and group BA (16 bytes each), DACL: 8 + 20 + 24 + 20.
        assert_eq!(b.len(), 20 + 16 + 16 + 72);
        let dacl = u32::from_le_bytes(b[16..20].try_into().unwrap()) as usize;
        assert_eq!(&b[dacl..dacl + 8], &[2, 0, 72, 0, 3, 0, 0, 0]);
        assert_eq!(sd.sddl(), DEFAULT_SDDL);
    }

    #[test]
    fn sddl_subset_table() {
        let ok = [
            "O:BA",
            "D:PAI(A;OICI;FRFX;;;BU)(D;;0x10000;;;AN)",
            "O:S-1-5-21-1-2-3-500G:BUD:(A;;GA;;;AU)",
            "",
        ];
        for s in ok {
            assert!(SecurityDescriptor::from_sddl(s).is_ok(), "{s}");
        }
        let bad = [
            "S:(AU;;FA;;;WD)",    // SACLs not supported
            "D:(OA;;FA;;;WD)",    // object ACE type
            "D:(A;;FA;guid;;WD)", // object GUID
            "D:(A;;ZZ;;;WD)",     // unknown right
            "D:(A;;FA;;;XX)",     // unknown alias
            "D:(A;;FA;;;WD",      // unclosed
            "O:BAO:BA",           // twice
            "O:S-1-5",            // no sub-authority
            "X",
        ];
        for s in bad {
            assert!(SecurityDescriptor::from_sddl(s).is_err(), "{s}");
        }
        let many = format!("D:{}", "(A;;FA;;;S-1-5-21-1-2-3-4)".repeat(40));
        assert!(SecurityDescriptor::from_sddl(&many)
            .unwrap_err()
            .contains("more than 1024"));
    }

    #[test]
    fn a_core_dacl_replaces_the_mount_dacl() {
        use ntlinkfs_core::{Ace, Trustee};
        let sd = ntlinkfs_core::SecurityDescriptor {
            dacl: vec![
                Ace {
                    trustee: Trustee::Everyone,
                    allow: false,
                    mask: 0x0010_0001,
                },
                Ace {
                    trustee: Trustee::User,
                    allow: true,
                    mask: 0x0012_00a9,
                },
            ],
        };
        let sddl = sddl_with_dacl(DEFAULT_SDDL, &sd);
        assert_eq!(sddl, "O:BAG:BAD:P(D;;0x100001;;;WD)(A;;0x1200a9;;;BU)");
        assert!(SecurityDescriptor::from_sddl(&sddl).is_ok());
    }
}
