//! How names that are not valid Unicode are written outside the core (N3).
//!
//! An NTFS name is UTF-16 units, and an unpaired surrogate is a legal unit.
//! Text (`String`) cannot hold one, so each interface picks a form that
//! round-trips:
//!
//! - **Typed text** (the shell, the conformance tables): `%U+D800%` is the one
//!   unit 0xD800. `%U+` with exactly four hex digits and a closing `%`; any
//!   other `%` is literal. [`escape`] writes unpaired surrogates this way and
//!   also a `%` that would otherwise read as the start of an escape, so
//!   `unescape(escape(units)) == units` for every name.
//! - **Bytes** (the Linux view): WTF-8, UTF-8 generalised to surrogate code
//!   points (a lone 0xD800 is `ED A0 80`). Valid UTF-16 gives plain UTF-8, so
//!   only names that were never Unicode look different.

/// The units of `%U+hhhh%` at the start of `s`, if it is one.
fn escape_at(s: &[u8]) -> Option<u16> {
    match s {
        [b'%', b'U' | b'u', b'+', a, b, c, d, b'%', ..] => {
            let hex = [*a, *b, *c, *d];
            if !hex.iter().all(u8::is_ascii_hexdigit) {
                return None;
            }
            u16::from_str_radix(std::str::from_utf8(&hex).ok()?, 16).ok()
        }
        _ => None,
    }
}

/// Typed text to units: `%U+hhhh%` is one unit, everything else is its UTF-16.
pub fn unescape(text: &str) -> Vec<u16> {
    let mut out = Vec::with_capacity(text.len());
    let bytes = text.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        if let Some(u) = escape_at(&bytes[i..]) {
            out.push(u);
            i += 8;
            continue;
        }
        // Escapes are ASCII, so `i` is on a char boundary here.
        let c = text[i..].chars().next().expect("in bounds");
        let mut buf = [0u16; 2];
        out.extend_from_slice(c.encode_utf16(&mut buf));
        i += c.len_utf8();
    }
    out
}

/// Units to typed text: valid Unicode as itself, an unpaired surrogate as
/// `%U+hhhh%`, and a `%` that starts something [`unescape`] would read as an
/// escape as `%U+0025%`.
pub fn escape(units: &[u16]) -> String {
    let decoded: Vec<Result<char, u16>> = char::decode_utf16(units.iter().copied())
        .map(|r| r.map_err(|e| e.unpaired_surrogate()))
        .collect();
    let mut out = String::with_capacity(units.len());
    for (i, r) in decoded.iter().enumerate() {
        match r {
            Ok('%') if starts_escape(&decoded[i..]) => push_escape(&mut out, 0x25),
            Ok(c) => out.push(*c),
            Err(u) => push_escape(&mut out, *u),
        }
    }
    out
}

fn push_escape(out: &mut String, u: u16) {
    out.push_str(&format!("%U+{u:04X}%"));
}

/// True when the text written from a `%` on would read as `%U+hhhh%`. A
/// unit written as an escape starts with `%` too, so it counts as one.
fn starts_escape(from: &[Result<char, u16>]) -> bool {
    let text: String = from.iter().take(8).map(|r| r.unwrap_or('%')).collect();
    escape_at(text.as_bytes()).is_some()
}

/// Units to WTF-8 bytes (the Linux view's names).
pub fn to_wtf8(units: &[u16]) -> Vec<u8> {
    let mut out = Vec::with_capacity(units.len());
    push_wtf8(units, &mut out);
    out
}

/// [`to_wtf8`] appended to `out` (many names into one buffer).
pub fn push_wtf8(units: &[u16], out: &mut Vec<u8>) {
    for r in char::decode_utf16(units.iter().copied()) {
        let cp = match r {
            Ok(c) => u32::from(c),
            Err(e) => u32::from(e.unpaired_surrogate()),
        };
        push_code_point(out, cp);
    }
}

fn push_code_point(out: &mut Vec<u8>, cp: u32) {
    // Plain UTF-8 byte layout; a surrogate code point takes the 3-byte form.
    match cp {
        0..=0x7F => out.push(cp as u8),
        0x80..=0x7FF => out.extend([0xC0 | (cp >> 6) as u8, 0x80 | (cp & 0x3F) as u8]),
        0x800..=0xFFFF => out.extend([
            0xE0 | (cp >> 12) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]),
        _ => out.extend([
            0xF0 | (cp >> 18) as u8,
            0x80 | ((cp >> 12) & 0x3F) as u8,
            0x80 | ((cp >> 6) & 0x3F) as u8,
            0x80 | (cp & 0x3F) as u8,
        ]),
    }
}

/// WTF-8 bytes to units; `None` for bytes that are not WTF-8 (the name cannot
/// exist on NTFS: EILSEQ). A surrogate pair written as two 3-byte sequences is
/// refused, as WTF-8 requires the 4-byte form for it.
pub fn from_wtf8(bytes: &[u8]) -> Option<Vec<u16>> {
    if let Ok(s) = std::str::from_utf8(bytes) {
        return Some(s.encode_utf16().collect());
    }
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        let (len, init) = match b {
            0..=0x7F => (1, u32::from(b)),
            0xC2..=0xDF => (2, u32::from(b & 0x1F)),
            0xE0..=0xEF => (3, u32::from(b & 0x0F)),
            0xF0..=0xF4 => (4, u32::from(b & 0x07)),
            _ => return None,
        };
        let tail = bytes.get(i + 1..i + len)?;
        let mut cp = init;
        for &t in tail {
            if t & 0xC0 != 0x80 {
                return None;
            }
            cp = (cp << 6) | u32::from(t & 0x3F);
        }
        // Overlong forms and out-of-range values are not WTF-8.
        let min = [0, 0, 0x80, 0x800, 0x1_0000][len];
        if cp < min || cp > 0x10_FFFF {
            return None;
        }
        if (0xD800..=0xDFFF).contains(&cp) {
            let high = (0xD800..=0xDBFF).contains(&cp);
            let after_high = out
                .last()
                .is_some_and(|&u: &u16| (0xD800..=0xDBFF).contains(&u));
            if !high && after_high {
                return None; // a pair must be written as one 4-byte character
            }
            out.push(cp as u16);
        } else if let Some(c) = char::from_u32(cp) {
            let mut buf = [0u16; 2];
            out.extend_from_slice(c.encode_utf16(&mut buf));
        }
        i += len;
    }
    Some(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn u(s: &str) -> Vec<u16> {
        s.encode_utf16().collect()
    }

    #[test]
    fn escape_round_trips_and_reads_as_documented() {
        let rows: &[(&[u16], &str)] = &[
            (&[0x61, 0xD800, 0x62], "a%U+D800%b"),
            (&[0xDC00], "%U+DC00%"),
            (&[0xDC00, 0xD800], "%U+DC00%%U+D800%"),
            (&[0xD83D, 0xDE00], "\u{1F600}"), // a pair is a character
            (&u("100%"), "100%"),
            (&u("%U+0041%"), "%U+0025%U+0041%"), // a literal that reads as an escape
            (&u("%U+00G1%"), "%U+00G1%"),
            (
                &[0x25, 0x55, 0x2B, 0x44, 0x38, 0x30, 0x30, 0xD800],
                "%U+0025%U+D800%U+D800%",
            ),
        ];
        for (units, text) in rows {
            assert_eq!(escape(units), *text, "{units:x?}");
            assert_eq!(unescape(text), *units, "{text}");
        }
        assert_eq!(unescape("%u+d800%"), vec![0xD800]);
    }

    #[test]
    fn wtf8_round_trips_and_refuses_what_is_not_wtf8() {
        let rows: &[(&[u16], &[u8])] = &[
            (&[0x61, 0xD800], &[0x61, 0xED, 0xA0, 0x80]),
            (&[0xDFFF], &[0xED, 0xBF, 0xBF]),
            (&[0xD83D, 0xDE00], "\u{1F600}".as_bytes()),
            (&[0xE9], "é".as_bytes()),
        ];
        for (units, bytes) in rows {
            assert_eq!(to_wtf8(units), *bytes, "{units:x?}");
            assert_eq!(from_wtf8(bytes).as_deref(), Some(*units), "{bytes:x?}");
        }
        // Not WTF-8: stray continuation, overlong, a pair as two 3-byte forms.
        for bad in [
            &[0x80][..],
            &[0xC0, 0x80],
            &[0xED, 0xA0, 0xBD, 0xED, 0xB8, 0x80],
        ] {
            assert_eq!(from_wtf8(bad), None, "{bad:x?}");
        }
    }
}
