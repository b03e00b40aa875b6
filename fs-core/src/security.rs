//! Per-file security descriptors, reduced to what link-heavy trees meet: a
//! DACL of allow and deny ACEs for Everyone or the user, over the file rights
//! of [`crate::access`]. A node without a descriptor grants everything (the
//! model's default owner has full control).
//!
//! The check is the DACL walk of SeAccessCheck: ACEs in order, a bit is
//! decided by the first ACE that names it; every desired bit must end up
//! granted, else STATUS_ACCESS_DENIED. MAXIMUM_ALLOWED grants every bit that
//! is allowed before it is denied. The one caller is both the user and a
//! member of Everyone, so both trustees apply to it. Traverse rights are not
//! checked while resolving paths: callers hold SeChangeNotifyPrivilege
//! ("bypass traverse checking"), which every Windows account has by default.

use crate::access::{
    map_generic, FILE_ALL_ACCESS, FILE_SHARE_ALL, MAXIMUM_ALLOWED, READ_CONTROL, WRITE_DAC,
};
use crate::error::{NtError, Result};
use crate::handle::{HandleId, OpenOptions};
use crate::machine::{Follow, Machine, NodeId, Resolved};
use crate::path::PathUnits;

/// Who an ACE is about.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Trustee {
    /// S-1-1-0, every account.
    Everyone,
    /// The account the emulator's caller runs as.
    User,
    /// BUILTIN\\Administrators: the caller is a member when it runs
    /// elevated (the profile holds the privilege).
    Administrators,
}

impl Trustee {
    /// The name icacls prints.
    pub fn name(self) -> &'static str {
        match self {
            Trustee::Everyone => "Everyone",
            Trustee::User => "User",
            Trustee::Administrators => "BUILTIN\\Administrators",
        }
    }

    /// Whether an ACE for this trustee applies to the caller.
    fn applies(self, admin: bool) -> bool {
        self != Trustee::Administrators || admin
    }
}

/// One access-control entry.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ace {
    /// Whom it is about.
    pub trustee: Trustee,
    /// ACCESS_ALLOWED_ACE (true) or ACCESS_DENIED_ACE (false).
    pub allow: bool,
    /// The rights, generic bits already mapped.
    pub mask: u32,
}

/// A security descriptor: its DACL, in order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct SecurityDescriptor {
    /// The ACEs, checked in order.
    pub dacl: Vec<Ace>,
}

impl SecurityDescriptor {
    /// Adds an ACE the way icacls does: deny ACEs go before allow ACEs
    /// (canonical order), each after those of its kind.
    pub fn add(&mut self, ace: Ace) {
        let ace = Ace {
            mask: map_generic(ace.mask),
            ..ace
        };
        let at = if ace.allow {
            self.dacl.len()
        } else {
            self.dacl.iter().take_while(|a| !a.allow).count()
        };
        self.dacl.insert(at, ace);
    }

    /// Removes every ACE of `trustee` (`icacls /remove`).
    pub fn remove(&mut self, trustee: Trustee) {
        self.dacl.retain(|a| a.trustee != trustee);
    }
}

/// The access granted for `desired` (GENERIC_* mapped, MAXIMUM_ALLOWED
/// honoured) by `sd` to the caller (`admin`: it runs elevated, so ACEs for
/// Administrators apply); a node without a descriptor grants everything.
pub fn access_check(sd: Option<&SecurityDescriptor>, desired: u32, admin: bool) -> Result<u32> {
    let desired = map_generic(desired);
    let maximum = desired & MAXIMUM_ALLOWED != 0;
    let wanted = desired & !MAXIMUM_ALLOWED;
    let Some(sd) = sd else {
        return Ok(if maximum {
            wanted | FILE_ALL_ACCESS
        } else {
            wanted
        });
    };
    let (mut allowed, mut denied) = (0u32, 0u32);
    for ace in sd.dacl.iter().filter(|a| a.trustee.applies(admin)) {
        if ace.allow {
            allowed |= ace.mask & !denied;
        } else {
            denied |= ace.mask & !allowed;
        }
    }
    // Every desired bit must be granted; MAXIMUM_ALLOWED that grants nothing
    // is refused too (SeAccessCheck never grants an empty mask).
    if wanted & !allowed != 0 || (maximum && allowed == 0) {
        return Err(NtError::AccessDenied);
    }
    Ok(if maximum { allowed } else { wanted })
}

impl Machine {
    /// GetFileSecurity's DACL for the object at `path` (`follow`: through a
    /// link at the last name or the link itself); None: no descriptor, all
    /// access granted.
    pub fn security(
        &self,
        path: &(impl PathUnits + ?Sized),
        follow: Follow,
    ) -> Result<Option<SecurityDescriptor>> {
        let r = self.resolve_str(path, follow)?;
        let rec = r.node.ok_or(NtError::ObjectNameNotFound)?;
        Ok(self.node(r.vol, rec)?.security.as_deref().cloned())
    }

    /// SetFileSecurity(DACL_SECURITY_INFORMATION) on the object at `path`:
    /// open it for WRITE_DAC, set, close. `None` removes the descriptor
    /// (everything granted again).
    pub fn set_security(
        &mut self,
        path: &(impl PathUnits + ?Sized),
        follow: Follow,
        sd: Option<SecurityDescriptor>,
    ) -> Result<()> {
        // SetFileSecurityW opens for WRITE_DAC alone (no SYNCHRONIZE, which
        // the compatibility junctions deny).
        let opts = OpenOptions::default()
            .access(WRITE_DAC)
            .share(FILE_SHARE_ALL)
            .follow(follow);
        let h = self.open(path, &opts)?;
        let r = self.set_security_h(h, sd);
        self.close(h)?;
        r
    }

    /// NtSetSecurityObject on a handle: it needs WRITE_DAC.
    pub fn set_security_h(&mut self, h: HandleId, sd: Option<SecurityDescriptor>) -> Result<()> {
        let hd = self.handle(h)?;
        if hd.access & WRITE_DAC == 0 {
            return Err(NtError::AccessDenied);
        }
        let (vol, rec) = (hd.vol, hd.rec);
        let now = self.now();
        let node = self.node_mut(vol, rec)?;
        node.security = sd.map(Box::new);
        node.times.change = now;
        Ok(())
    }

    /// NtQuerySecurityObject on a handle: it needs READ_CONTROL.
    pub fn security_h(&self, h: HandleId) -> Result<Option<SecurityDescriptor>> {
        let hd = self.handle(h)?;
        if hd.access & READ_CONTROL == 0 {
            return Err(NtError::AccessDenied);
        }
        Ok(self.node(hd.vol, hd.rec)?.security.as_deref().cloned())
    }

    /// The descriptor of a node by id (the WinFsp adapter's GetSecurity).
    pub fn security_of(&self, id: NodeId) -> Result<Option<SecurityDescriptor>> {
        let rec = self.record_of(id)?;
        Ok(self.node(id.volume, rec)?.security.as_deref().cloned())
    }

    /// Sets the descriptor of a node by id, unchecked (fixtures, `--demo`).
    pub fn set_security_of(&mut self, id: NodeId, sd: Option<SecurityDescriptor>) -> Result<()> {
        let rec = self.record_of(id)?;
        self.node_mut(id.volume, rec)?.security = sd.map(Box::new);
        Ok(())
    }

    /// The access check of opening a resolved path for `desired`: the
    /// reparse point followed at the last name first (NTFS checks it before
    /// it reparses: J42), then the object.
    pub(crate) fn check_path_access(&self, r: &Resolved, desired: u32) -> Result<()> {
        if let Some((vol, rec)) = r.link_node {
            self.access_check_node(vol, rec, desired)?;
        }
        Ok(())
    }

    /// [`access_check`] of node `rec` for the machine's caller.
    pub(crate) fn access_check_node(
        &self,
        vol: crate::machine::VolumeId,
        rec: crate::file_ref::RecordNo,
        desired: u32,
    ) -> Result<u32> {
        let admin = self.profile.privilege == crate::profile::Privilege::Held;
        access_check(self.node(vol, rec)?.security.as_deref(), desired, admin)
    }
}

/// A varied descriptor from `seed`, for the property tests of images and
/// journals: none, an empty DACL (nothing granted), or up to four ACEs of any
/// trustee, allow or deny, with the masks that matter and arbitrary ones.
#[cfg(test)]
pub(crate) fn descriptor_from_seed(seed: u64) -> Option<SecurityDescriptor> {
    use crate::access::*;
    let mut x = seed;
    let mut next = move || {
        x = x
            .wrapping_mul(6_364_136_223_846_793_005)
            .wrapping_add(1_442_695_040_888_963_407);
        x >> 32
    };
    let n = next() % 6;
    if n == 5 {
        return None;
    }
    const MASKS: [u32; 6] = [
        SYNCHRONIZE | FILE_LIST_DIRECTORY,
        FILE_GENERIC_READ | FILE_GENERIC_EXECUTE,
        FILE_ALL_ACCESS,
        DELETE,
        WRITE_DAC,
        FILE_WRITE_DATA | FILE_APPEND_DATA,
    ];
    let dacl = (0..n)
        .map(|_| {
            let r = next();
            Ace {
                trustee: [Trustee::Everyone, Trustee::User, Trustee::Administrators]
                    [(r % 3) as usize],
                allow: r & 8 != 0,
                mask: match (r >> 4) % 8 {
                    6 => (next() as u32) & FILE_ALL_ACCESS,
                    7 => next() as u32,
                    i => MASKS[i as usize],
                },
            }
        })
        .collect();
    Some(SecurityDescriptor { dacl })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::access::*;

    fn sd(aces: &[(bool, u32)]) -> SecurityDescriptor {
        let mut s = SecurityDescriptor::default();
        for &(allow, mask) in aces {
            s.dacl.push(Ace {
                trustee: Trustee::Everyone,
                allow,
                mask,
            });
        }
        s
    }

    #[test]
    fn access_check_table() {
        // The compatibility junctions' DACL: Everyone:(DENY)(S,RD), Everyone:(RX).
        let compat = sd(&[
            (false, SYNCHRONIZE | FILE_LIST_DIRECTORY),
            (true, FILE_GENERIC_READ | FILE_GENERIC_EXECUTE),
        ]);
        let rows: [(Option<&SecurityDescriptor>, u32, Result<u32>); 7] = [
            (None, GENERIC_READ, Ok(FILE_GENERIC_READ)),
            (None, MAXIMUM_ALLOWED, Ok(FILE_ALL_ACCESS)),
            (
                Some(&compat),
                FILE_LIST_DIRECTORY | SYNCHRONIZE,
                Err(NtError::AccessDenied),
            ),
            (
                Some(&compat),
                FILE_READ_ATTRIBUTES,
                Ok(FILE_READ_ATTRIBUTES),
            ),
            (Some(&compat), DELETE, Err(NtError::AccessDenied)),
            (
                Some(&compat),
                MAXIMUM_ALLOWED,
                Ok(READ_CONTROL | FILE_READ_ATTRIBUTES | FILE_READ_EA | FILE_EXECUTE),
            ),
            // An allow before a deny wins for the bits it names.
            (
                Some(&sd(&[(true, FILE_READ_DATA), (false, FILE_READ_DATA)])),
                FILE_READ_DATA,
                Ok(FILE_READ_DATA),
            ),
        ];
        for (sd, desired, want) in rows {
            assert_eq!(
                access_check(sd, desired, false),
                want,
                "{desired:#x} with {sd:?}"
            );
        }
    }

    #[test]
    fn administrators_aces_apply_to_an_elevated_caller_only() {
        let mut s = sd(&[(false, SYNCHRONIZE | FILE_LIST_DIRECTORY)]);
        s.dacl.push(Ace {
            trustee: Trustee::Administrators,
            allow: true,
            mask: FILE_ALL_ACCESS,
        });
        assert_eq!(access_check(Some(&s), WRITE_DAC, true), Ok(WRITE_DAC));
        assert_eq!(
            access_check(Some(&s), WRITE_DAC, false),
            Err(NtError::AccessDenied)
        );
        // The deny before it still wins for its bits, elevated or not.
        assert_eq!(
            access_check(Some(&s), FILE_LIST_DIRECTORY, true),
            Err(NtError::AccessDenied)
        );
    }

    #[test]
    fn icacls_puts_deny_aces_first() {
        let mut s = SecurityDescriptor::default();
        s.add(Ace {
            trustee: Trustee::User,
            allow: true,
            mask: GENERIC_ALL,
        });
        s.add(Ace {
            trustee: Trustee::Everyone,
            allow: false,
            mask: DELETE,
        });
        assert!(!s.dacl[0].allow && s.dacl[1].allow);
        assert_eq!(s.dacl[1].mask, FILE_ALL_ACCESS);
        s.remove(Trustee::Everyone);
        assert_eq!(s.dacl.len(), 1);
    }
}
