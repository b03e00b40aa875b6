//! NTFS names: UTF-16 as written (case-preserving) and an upcased key for lookups
//! (case-insensitive), folded per UTF-16 code unit like NTFS's `$UpCase` table.

use crate::error::{NtError, Result};
use std::borrow::Borrow;
use std::fmt;
use std::sync::OnceLock;

/// Longest name component, in UTF-16 code units (SEMANTICS §0, N2).
pub const MAX_NAME_UNITS: usize = 255;

/// The upcase table: one entry per UTF-16 code unit, as NTFS keeps in `$UpCase`.
/// Built from Unicode's simple uppercase mapping where it maps one BMP unit to one
/// BMP unit; everything else (surrogates, `ß`, characters whose uppercase is longer)
/// maps to itself, so folding never changes a name's length.
fn table() -> &'static [u16] {
    static TABLE: OnceLock<Box<[u16]>> = OnceLock::new();
    TABLE.get_or_init(|| {
        (0..=u16::MAX)
            .map(|u| {
                let Some(c) = char::from_u32(u32::from(u)) else {
                    return u;
                };
                let mut up = c.to_uppercase();
                match (up.next(), up.next()) {
                    (Some(x), None) if (x as u32) <= 0xFFFF => x as u32 as u16,
                    _ => u,
                }
            })
            .collect()
    })
}

/// Folds one UTF-16 code unit with the upcase table.
pub fn upcase_unit(u: u16) -> u16 {
    if u < 0x80 {
        return if (0x61..=0x7A).contains(&u) {
            u - 0x20
        } else {
            u
        };
    }
    table()[usize::from(u)]
}

/// A name as written: UTF-16 code units, possibly with unpaired surrogates (N3).
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Name(Box<[u16]>);

/// The case-folded lookup key of a name. Ordering is NTFS collation: upcased units
/// compared as numbers, which is also the order NTFS enumerates a directory in.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Debug)]
pub struct NameKey(Box<[u16]>);

impl Name {
    /// A name from UTF-8 text. It is not validated: see [`validate`].
    pub fn new(s: &str) -> Name {
        // UTF-16 never has more units than UTF-8 has bytes, and for ASCII the
        // counts are equal: one allocation, no regrowth.
        let mut units = Vec::with_capacity(s.len());
        units.extend(s.encode_utf16());
        Name(units.into_boxed_slice())
    }

    /// A name from UTF-16 units. It is not validated: see [`validate`].
    pub fn from_units(units: &[u16]) -> Name {
        Name(units.into())
    }

    /// The UTF-16 units, case preserved.
    pub fn units(&self) -> &[u16] {
        &self.0
    }

    /// Length in UTF-16 units (the unit of the 255 limit, N1).
    pub fn len_units(&self) -> usize {
        self.0.len()
    }

    /// The lookup key.
    pub fn key(&self) -> NameKey {
        NameKey(self.0.iter().map(|&u| upcase_unit(u)).collect())
    }

    /// The name as text; unpaired surrogates become U+FFFD.
    pub fn to_string_lossy(&self) -> String {
        String::from_utf16_lossy(&self.0)
    }

    /// True when this name folds to `key`, without allocating (hot in lookups).
    pub fn matches_key(&self, key: &NameKey) -> bool {
        self.matches_key_units(&key.0)
    }

    /// [`Name::matches_key`] with the key's units.
    pub fn matches_key_units(&self, key: &[u16]) -> bool {
        self.0.len() == key.len()
            && self
                .0
                .iter()
                .zip(key.iter())
                .all(|(&a, &k)| upcase_unit(a) == k)
    }

    /// True when both names fold to the same key (they collide in one directory).
    pub fn eq_ignore_case(&self, other: &Name) -> bool {
        self.0.len() == other.0.len()
            && self
                .0
                .iter()
                .zip(other.0.iter())
                .all(|(&a, &b)| upcase_unit(a) == upcase_unit(b))
    }
}

/// A lookup key on the stack: names up to 64 units (nearly all) fold without
/// a heap allocation. Search maps with `&buf[..]` (see the `Borrow` below).
pub(crate) type KeyBuf = smallvec::SmallVec<[u16; 64]>;

/// The folded units of a name, for lookups.
pub(crate) fn key_buf(units: &[u16]) -> KeyBuf {
    units.iter().map(|&u| upcase_unit(u)).collect()
}

/// Maps keyed by NameKey can be searched with folded units (`map.get(&buf[..])`),
/// so a lookup needs no allocation. Equality, order and hash are those of the
/// units, as for `Box<[u16]>`.
impl Borrow<[u16]> for NameKey {
    fn borrow(&self) -> &[u16] {
        &self.0
    }
}

impl NameKey {
    /// The upcased UTF-16 units.
    pub fn units(&self) -> &[u16] {
        &self.0
    }

    /// The key of a name given as text.
    pub fn of(s: &str) -> NameKey {
        NameKey(s.encode_utf16().map(upcase_unit).collect())
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_string_lossy())
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:?}", self.to_string_lossy())
    }
}

/// True for the characters NTFS refuses in a name (N4): `< > : " / \ | ? *`, NUL
/// and the control characters 1–31.
pub fn is_invalid_unit(u: u16) -> bool {
    u < 0x20
        || matches!(
            u,
            0x22 | 0x2A | 0x2F | 0x3A | 0x3C | 0x3E | 0x3F | 0x5C | 0x7C
        )
}

/// Validates one name component as NTFS does at the NT layer (N2, N4, N11): not
/// empty, not `.` or `..`, at most 255 UTF-16 units, no invalid characters.
/// Trailing dots and spaces are legal here; only the Win32 layer strips them (N6).
pub fn validate(units: &[u16]) -> Result<()> {
    if units.is_empty() || units.len() > MAX_NAME_UNITS || is_dot_or_dotdot(units) {
        return Err(NtError::ObjectNameInvalid);
    }
    if units.iter().any(|&u| is_invalid_unit(u)) {
        return Err(NtError::ObjectNameInvalid);
    }
    Ok(())
}

/// True for `.` and `..`.
pub fn is_dot_or_dotdot(units: &[u16]) -> bool {
    matches!(units, [0x2E] | [0x2E, 0x2E])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn upcase_folds_per_unit_without_changing_length() {
        assert_eq!(Name::new("straße").key(), NameKey::of("STRAßE"));
        assert_eq!(Name::new("straße").key().units().len(), 6);
        assert_eq!(Name::new("émile").key(), Name::new("ÉMILE").key());
        assert_eq!(Name::new("ΣΊΣΥΦΟΣ").key(), Name::new("σίσυφος").key());
        assert_ne!(Name::new("a").key(), Name::new("b").key());
        // Unpaired surrogates fold to themselves (N3).
        assert_eq!(Name::from_units(&[0xD800]).key().units(), &[0xD800]);
    }

    #[test]
    fn validate_table() {
        let long255 = "a".repeat(255);
        let long256 = "a".repeat(256);
        let fire64 = "\u{1F525}".repeat(64); // 128 units: valid (N2)
        let rows: &[(&str, bool)] = &[
            ("file", true),
            ("FILE.TXT", true),
            ("spam. . .", true), // NT layer keeps trailing dots (N6)
            ("con", true),       // device names are a Win32 rule (N5)
            (&long255, true),
            (&long256, false),
            (&fire64, true),
            ("", false),
            (".", false),
            ("..", false),
            ("...", true),
            ("a<b", false),
            ("a>b", false),
            ("a:b", false),
            ("a\"b", false),
            ("a/b", false),
            ("a\\b", false),
            ("a|b", false),
            ("afile?", false),
            ("a*", false),
            ("a\u{1}b", false),
            ("a\u{1f}b", false),
            ("a\u{0}b", false),
        ];
        for (name, ok) in rows {
            assert_eq!(validate(&u(name)).is_ok(), *ok, "{name:?}");
            if !ok {
                assert_eq!(validate(&u(name)), Err(NtError::ObjectNameInvalid));
            }
        }
        assert!(
            validate(&[0xD800, 0x61]).is_ok(),
            "WTF-16 names are valid (N3)"
        );
    }
}
