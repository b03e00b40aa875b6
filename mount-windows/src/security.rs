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
//!
//! SetSecurity goes the other way ([`dacl_change`]): the binary descriptor a
//! client sets becomes the core's DACL when every ACE is one the core models
//! (allow or deny, no inheritance, Everyone / BUILTIN\\Users for the user /
//! Administrators, file rights); anything else is STATUS_NOT_SUPPORTED.

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

use ntlinkfs_core::NtError;

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

/// SECURITY_INFORMATION bits of SetSecurity (winnt.h).
pub const OWNER_SECURITY_INFORMATION: u32 = 0x1;
pub const GROUP_SECURITY_INFORMATION: u32 = 0x2;
pub const DACL_SECURITY_INFORMATION: u32 = 0x4;
/// Whether the DACL is protected from inheritance: no inheritance is
/// modelled, so both are accepted and change nothing.
const PROTECTED_DACL_SECURITY_INFORMATION: u32 = 0x8000_0000;
const UNPROTECTED_DACL_SECURITY_INFORMATION: u32 = 0x2000_0000;

/// What a SetSecurity asks of the core's descriptor.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DaclChange {
    /// Nothing the core keeps changes (the owner or group set to what they are).
    Keep,
    /// The new DACL; None: no descriptor (the mount's: a NULL DACL, or the
    /// mount's own DACL given back).
    Set(Option<ntlinkfs_core::SecurityDescriptor>),
}

/// The parts of a self-relative descriptor, each within `bytes`.
struct Parts<'a> {
    owner: Option<&'a [u8]>,
    group: Option<&'a [u8]>,
    /// None: no DACL present, or a NULL DACL (everything granted).
    dacl: Option<&'a [u8]>,
}

fn le16(b: &[u8], at: usize) -> usize {
    usize::from(u16::from_le_bytes([b[at], b[at + 1]]))
}

fn le32(b: &[u8], at: usize) -> usize {
    u32::from_le_bytes([b[at], b[at + 1], b[at + 2], b[at + 3]]) as usize
}

/// A SID's length from its header (revision 1, sub-authority count).
fn sid_len(b: &[u8], at: usize) -> Option<usize> {
    (b.get(at) == Some(&1)).then_some(())?;
    let n = *b.get(at + 1)?;
    (n <= 15).then_some(8 + 4 * usize::from(n))
}

/// The length of a self-relative descriptor (MS-DTYP 2.4.6) from its header
/// and parts: how far its owner, group, SACL and DACL reach. `read(offset,
/// n)` gives `n` bytes at `offset` (the adapter reads WinFsp's pointer; the
/// length is what GetSecurityDescriptorLength would say).
pub fn self_relative_len(read: impl Fn(usize, usize) -> Vec<u8>) -> Result<usize, NtError> {
    let h = read(0, 20);
    if h[0] != 1 || u16::from_le_bytes([h[2], h[3]]) & SE_SELF_RELATIVE == 0 {
        return Err(NtError::InvalidParameter);
    }
    let mut end = 20;
    for (field, is_sid) in [(4, true), (8, true), (12, false), (16, false)] {
        let off = le32(&h, field);
        if off == 0 {
            continue;
        }
        let len = if is_sid {
            let head = read(off, 2);
            sid_len(&head, 0).ok_or(NtError::InvalidParameter)?
        } else {
            le16(&read(off + 2, 2), 0)
        };
        end = end.max(off + len);
    }
    Ok(end)
}

/// Splits a self-relative descriptor, checking every part is inside it.
fn parts(b: &[u8]) -> Result<Parts<'_>, NtError> {
    let bad = NtError::InvalidParameter;
    if b.len() < 20 || b[0] != 1 {
        return Err(bad);
    }
    let control = u16::from_le_bytes([b[2], b[3]]);
    if control & SE_SELF_RELATIVE == 0 {
        return Err(bad);
    }
    let sid_at = |field: usize| -> Result<Option<&[u8]>, NtError> {
        let off = le32(b, field);
        if off == 0 {
            return Ok(None);
        }
        let len = sid_len(b, off).ok_or(bad)?;
        b.get(off..off + len).map(Some).ok_or(bad)
    };
    let (owner, group) = (sid_at(4)?, sid_at(8)?);
    let off = le32(b, 16);
    let dacl = if control & SE_DACL_PRESENT == 0 || off == 0 {
        None
    } else {
        let len = b.get(off + 2..off + 4).map(|s| le16(s, 0)).ok_or(bad)?;
        Some(b.get(off..off + len).filter(|a| a.len() >= 8).ok_or(bad)?)
    };
    Ok(Parts { owner, group, dacl })
}

/// The core ACEs of a binary ACL: allow and deny ACEs without inheritance
/// flags, for Everyone (S-1-1-0), the user (BUILTIN\\Users, as
/// [`sddl_with_dacl`] reports it) or BUILTIN\Administrators, with file
/// rights (GENERIC_* mapped). Anything else is not modelled: NOT_SUPPORTED.
fn core_aces(acl: &[u8]) -> Result<Vec<ntlinkfs_core::Ace>, NtError> {
    use ntlinkfs_core::Trustee;
    let bad = NtError::InvalidParameter;
    if !matches!(acl[0], 2 | 4) {
        return Err(bad);
    }
    let count = le16(acl, 4);
    let everyone = sid("WD").expect("alias");
    let users = sid("BU").expect("alias");
    let admins = sid("BA").expect("alias");
    let mut at = 8;
    let mut out = Vec::with_capacity(count);
    for _ in 0..count {
        let head = acl.get(at..at + 8).ok_or(bad)?;
        let size = le16(head, 2);
        let ace = acl.get(at..at + size).filter(|a| a.len() >= 8).ok_or(bad)?;
        let allow = match ace[0] {
            0 => true,
            1 => false,
            _ => return Err(NtError::NotSupported),
        };
        if ace[1] != 0 {
            return Err(NtError::NotSupported);
        }
        let who = &ace[8..];
        let trustee = if who == everyone {
            Trustee::Everyone
        } else if who == users {
            Trustee::User
        } else if who == admins {
            Trustee::Administrators
        } else {
            return Err(NtError::NotSupported);
        };
        let mask = ntlinkfs_core::access::map_generic(le32(ace, 4) as u32);
        if mask & !ntlinkfs_core::access::FILE_ALL_ACCESS != 0 {
            return Err(NtError::NotSupported);
        }
        out.push(ntlinkfs_core::Ace {
            trustee,
            allow,
            mask,
        });
        at += size;
    }
    Ok(out)
}

/// SetSecurity's translation: what `security_information` asks to set from
/// the self-relative `modification` descriptor, given the mount's descriptor
/// `base` (owner, group and default DACL). The core keeps a DACL only: an
/// owner or group other than the mount's, a SACL or a label, and ACEs the
/// core does not model are refused (STATUS_NOT_SUPPORTED); malformed bytes
/// are STATUS_INVALID_PARAMETER.
pub fn dacl_change(
    base: &SecurityDescriptor,
    security_information: u32,
    modification: &[u8],
) -> Result<DaclChange, NtError> {
    let modelled = OWNER_SECURITY_INFORMATION
        | GROUP_SECURITY_INFORMATION
        | DACL_SECURITY_INFORMATION
        | PROTECTED_DACL_SECURITY_INFORMATION
        | UNPROTECTED_DACL_SECURITY_INFORMATION;
    if security_information & !modelled != 0 {
        return Err(NtError::NotSupported);
    }
    let new = parts(modification)?;
    let mount = parts(base.as_bytes()).expect("the mount's descriptor is valid");
    for (bit, given, kept) in [
        (OWNER_SECURITY_INFORMATION, new.owner, mount.owner),
        (GROUP_SECURITY_INFORMATION, new.group, mount.group),
    ] {
        if security_information & bit != 0 && given != kept {
            return Err(NtError::NotSupported);
        }
    }
    if security_information & DACL_SECURITY_INFORMATION == 0 {
        return Ok(DaclChange::Keep);
    }
    let Some(acl) = new.dacl else {
        return Ok(DaclChange::Set(None));
    };
    // The mount's own DACL given back (a round trip of GetSecurity on an
    // object without one): no descriptor again.
    if mount.dacl == Some(acl) {
        return Ok(DaclChange::Set(None));
    }
    Ok(DaclChange::Set(Some(ntlinkfs_core::SecurityDescriptor {
        dacl: core_aces(acl)?,
    })))
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

#[cfg(test)]
mod set_security_tests {
    use super::*;
    use ntlinkfs_core::{Ace, Trustee};

    fn sd(sddl: &str) -> Vec<u8> {
        SecurityDescriptor::from_sddl(sddl)
            .unwrap()
            .as_bytes()
            .to_vec()
    }

    fn core(aces: &[(Trustee, bool, u32)]) -> DaclChange {
        DaclChange::Set(Some(ntlinkfs_core::SecurityDescriptor {
            dacl: aces
                .iter()
                .map(|&(trustee, allow, mask)| Ace {
                    trustee,
                    allow,
                    mask,
                })
                .collect(),
        }))
    }

    /// SDDL (encoded as WinFsp passes it) → the core's DACL, or the status
    /// a SetSecurity gets.
    #[test]
    fn set_security_translation_table() {
        let base = SecurityDescriptor::default_descriptor();
        let dacl = DACL_SECURITY_INFORMATION;
        let rows: &[(u32, &str, Result<DaclChange, NtError>)] = &[
            // The compatibility junctions' DACL, in order.
            (
                dacl,
                "D:P(D;;0x100001;;;WD)(A;;0x1200a9;;;WD)(A;;FA;;;BA)",
                Ok(core(&[
                    (Trustee::Everyone, false, 0x0010_0001),
                    (Trustee::Everyone, true, 0x0012_00a9),
                    (Trustee::Administrators, true, 0x001F_01FF),
                ])),
            ),
            // GENERIC_* mapped; the user is BUILTIN\Users.
            (
                dacl | PROTECTED_DACL_SECURITY_INFORMATION,
                "D:(A;;GR;;;BU)",
                Ok(core(&[(Trustee::User, true, 0x0012_0089)])),
            ),
            // An empty DACL grants nothing; a NULL DACL everything.
            (dacl, "D:", Ok(core(&[]))),
            (dacl, "O:BA", Ok(DaclChange::Set(None))),
            // The mount's own DACL back: no descriptor.
            (dacl, DEFAULT_SDDL, Ok(DaclChange::Set(None))),
            // Owner and group as they are: nothing changes.
            (
                OWNER_SECURITY_INFORMATION | GROUP_SECURITY_INFORMATION,
                "O:BAG:BA",
                Ok(DaclChange::Keep),
            ),
            // Not modelled: another owner, a SACL, other SIDs, inheritance,
            // rights beyond the file's.
            (
                OWNER_SECURITY_INFORMATION,
                "O:SY",
                Err(NtError::NotSupported),
            ),
            (0x8, "O:BA", Err(NtError::NotSupported)),
            (dacl, "D:(A;;FA;;;SY)", Err(NtError::NotSupported)),
            (
                dacl,
                "D:(A;;FA;;;S-1-5-21-1-2-3-1001)",
                Err(NtError::NotSupported),
            ),
            (dacl, "D:(A;OICI;FA;;;WD)", Err(NtError::NotSupported)),
            (dacl, "D:(A;;0x1000000;;;WD)", Err(NtError::NotSupported)),
        ];
        for (info, sddl, want) in rows {
            assert_eq!(&dacl_change(&base, *info, &sd(sddl)), want, "{sddl}");
        }
        // What the adapter reports for a core DACL sets that DACL again.
        let back = core(&[
            (Trustee::Everyone, false, 0x0010_0001),
            (Trustee::User, true, 0x001F_01FF),
        ]);
        let DaclChange::Set(Some(c)) = &back else {
            unreachable!()
        };
        let reported = sd(&sddl_with_dacl(DEFAULT_SDDL, c));
        assert_eq!(dacl_change(&base, dacl, &reported), Ok(back));
    }

    #[test]
    fn malformed_descriptors_are_invalid_parameter_and_lengths_are_exact() {
        let base = SecurityDescriptor::default_descriptor();
        let good = sd("O:BAG:BAD:P(D;;0x100001;;;WD)(A;;FA;;;BU)");
        let len = self_relative_len(|at, n| good[at..at + n].to_vec()).unwrap();
        assert_eq!(len, good.len());
        let mut absolute = good.clone();
        absolute[3] &= 0x7F; // not SE_SELF_RELATIVE
        let mut short_acl = good.clone();
        let dacl_at = le32(&good, 16);
        short_acl[dacl_at + 2] = 200; // ACL size past the end
        for bad in [
            &good[..10],
            &absolute[..],
            &short_acl[..],
            &good[..good.len() - 4],
        ] {
            assert_eq!(
                dacl_change(&base, DACL_SECURITY_INFORMATION, bad),
                Err(NtError::InvalidParameter)
            );
        }
    }
}
