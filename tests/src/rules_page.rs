//! The rules page (`docs/rules.md`): every SEMANTICS.md rule id the conformance
//! tables cite, with its rows (description, evidence, source) and the targets
//! they run on, an index per topic, and the rules cited in code that no row
//! checks yet ([`WITHOUT_ROWS`]), each with its statement and source. The
//! page is generated (`ntlinkfs-conformance --rules-page`), never edited; the
//! `rules_page` test fails when it is stale or when code cites an id it lacks.

use crate::scenario::{Evidence, PosixView, Scenario, Topic};
use std::collections::BTreeMap;
use std::fmt::Write;

/// The command that writes the page, run from the repository root.
pub const COMMAND: &str =
    "cargo run -p ntlinkfs-tests --bin ntlinkfs-conformance -- --rules-page > docs/rules.md";

/// A rule cited in code or tests that no conformance row checks yet.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RuleText {
    /// The SEMANTICS.md rule id (`F1`, `HL25` …).
    pub id: &'static str,
    /// What the rule says, in a sentence or two.
    pub statement: &'static str,
    /// Evidence tag and source, as SEMANTICS.md gives them.
    pub source: &'static str,
    /// Why no row checks it (or where it is checked instead).
    pub why: &'static str,
}

/// Rules cited in code without a conformance row, kept short: a new row for
/// one of these removes it from here (the `rules_page` test says so).
pub const WITHOUT_ROWS: &[RuleText] = &[
    RuleText {
        id: "F1",
        statement: "Junctions and symbolic links show as Linux symlinks: a target on a mounted volume reads back as a path under the mount point; ntfs-3g maps other drives under `.NTFS-3G/X:`.",
        source: "[T] NTFS3G reparse.c (ntfs_make_symlink, ntfs_get_fulllink)",
        why: "the rows speak Win32; the FUSE readlink translation is checked by mount-unix's own tests",
    },
    RuleText {
        id: "F3",
        statement: "The attribute word is the xattr `system.ntfs_attrib`: 4 bytes, little-endian FILE_ATTRIBUTE_*.",
        source: "[T] NTFS3G xattrs.c",
        why: "xattrs are POSIX-only; mount-unix's conformance tests check them",
    },
    RuleText {
        id: "F5",
        statement: "st_nlink follows NumberOfLinks (HL21, HL25); ntfs-3g reports directories as 1 unless `posix_nlink`.",
        source: "[T] NTFS3G-MAN",
        why: "a POSIX stat field; mount-unix's conformance and differential tests check it",
    },
    RuleText {
        id: "F6",
        statement: "The errno of a Linux operation: link() across volumes EXDEV, of a directory EPERM, past 1024 names EMLINK; link()/symlink() on FAT EPERM; name too long ENAMETOOLONG; invalid character EINVAL; case collision EEXIST; unlink() of a junction removes it, rmdir() on it ENOTDIR; a loop ELOOP.",
        source: "design suggestion from SEMANTICS §1",
        why: "it is the errno column of the rows: each row's error runs through `errno_for` on the fuse target, and `posix_errno` marks the exceptions",
    },
    RuleText {
        id: "HL25",
        statement: "DOS 8.3 short names are not hard links and are not counted in NumberOfLinks.",
        source: "[D] NTFS3G-MAN `posix_nlink`; [X] for the Windows side",
        why: "the model has no short names; fs-core/tests/hard_links.rs checks none are counted",
    },
    RuleText {
        id: "HL32",
        statement: "The size and attributes in another name's directory entry are refreshed only when the file is opened through that name; handle queries are always current.",
        source: "[D] CHL, HLJ; [O] JSI-10153",
        why: "the model keeps every entry current (a documented model choice, fs-core/tests/hard_links.rs)",
    },
    RuleText {
        id: "HL33",
        statement: "Clearing READONLY through one name of a multi-linked file leaves the other names' directory entries showing READONLY (stale).",
        source: "[D] HLJ",
        why: "stale entries are not modelled (HL32); fs-core/tests/hard_links.rs checks the attribute is the file's",
    },
    RuleText {
        id: "J20",
        statement: "Opening a junction with FILE_NON_DIRECTORY_FILE|FILE_OPEN_REPARSE_POINT fails with FILE_IS_A_DIRECTORY; with FILE_DIRECTORY_FILE it succeeds.",
        source: "[T] WINE-NEW",
        why: "the rows' `open` has no create options; fs-core/tests/junctions.rs checks it",
    },
    RuleText {
        id: "J21",
        statement: "A junction handle as RootDirectory of a relative open gives a version- and machine-dependent status.",
        source: "[T] WINE-NEW (not deterministic)",
        why: "not modelled: the result differs between machines",
    },
    RuleText {
        id: "J22",
        statement: "Junctions are evaluated by the machine that owns the volume, symlinks by the client.",
        source: "[D] NTFS3G-JP",
        why: "one machine, no shares: the resolver applies it to SymlinkEvaluation only",
    },
    RuleText {
        id: "J41",
        statement: "`mklink` prints \"Junction created for A <<===>> B\", \"symbolic link created for …\", \"Hardlink created for …\".",
        source: "[O] CMD-MSG",
        why: "a cmd.exe text: the shell's golden transcripts check it",
    },
    RuleText {
        id: "R21",
        statement: "Reparse points can be set on named streams (`file:stream`).",
        source: "[T] BTRFS reparse18/19",
        why: "the model has no named streams",
    },
    RuleText {
        id: "R22",
        statement: "Reparse points and EAs are not exclusive on modern Windows (EA then symlink and symlink then EA succeed).",
        source: "[D] REPARSE-POINTS vs [T] BTRFS reparse7",
        why: "the model has no Win32 EAs, so there is nothing to be exclusive with",
    },
    RuleText {
        id: "S21",
        statement: "FILE_OVERWRITE with FILE_OPEN_REPARSE_POINT on a symlink overwrites the link object and removes its reparse point; without the flag the target is overwritten.",
        source: "[T] BTRFS reparse3",
        why: "the rows' `open` has no disposition; fs-core/tests/handles.rs checks it",
    },
    RuleText {
        id: "S25",
        statement: "A symlink target may be any NT path, e.g. `\\Device\\NamedPipe\\` (Win10 1703+).",
        source: "[T] WINE-NEW",
        why: "not modelled: the model has no NT object namespace",
    },
    RuleText {
        id: "S33",
        statement: "NtDeleteFile on a symlink deletes the target.",
        source: "[T] WINE-NEW",
        why: "NtDeleteFile is not a model operation; S34 has the same effect through DELETE_ON_CLOSE",
    },
    RuleText {
        id: "S37",
        statement: "CopyFile from a symlink copies the target's content into a regular file.",
        source: "[D] SLEFFECTS; [T] WINE-NEW",
        why: "CopyFile is the shell's and link tools' `copy`, checked by their tests",
    },
    RuleText {
        id: "S38",
        statement: "CopyFile onto an existing symlink replaces the target's content; the link stays.",
        source: "[T] WINE-NEW (contradicts [D] SLEFFECTS)",
        why: "CopyFile is the shell's `copy`, checked by its tests",
    },
    RuleText {
        id: "S50",
        statement: "SymlinkEvaluation has four classes, L2L, L2R, R2L, R2R, by where the link and its target live relative to the accessing machine.",
        source: "[O] SO-229643",
        why: "the rows run on one machine; the S52 and S53 rows check the policy's effect",
    },
    RuleText {
        id: "S51",
        statement: "By default L2L and L2R are enabled, R2L and R2R disabled.",
        source: "[O] SOURCEDADDY, GPORAIS",
        why: "a profile default; fs-core/tests/symlinks.rs checks it",
    },
];

/// Prefix rank, prefix, number, suffix.
type SortKey = (usize, String, u32, String);

/// A rule id's sort key: SEMANTICS.md's prefix order, then the number, then
/// the suffix (`J8`, `J8a`, `J8b`, `J10`); section ids (`§6.2`) last.
fn sort_key(id: &str) -> SortKey {
    const PREFIXES: [&str; 9] = ["HL", "J", "S", "R", "M", "N", "P", "V", "F"];
    let digits = id.find(|c: char| c.is_ascii_digit()).unwrap_or(id.len());
    let (prefix, rest) = id.split_at(digits);
    let end = rest
        .find(|c: char| !c.is_ascii_digit())
        .unwrap_or(rest.len());
    let number = rest[..end].parse().unwrap_or(0);
    let rank = PREFIXES
        .iter()
        .position(|p| *p == prefix)
        .unwrap_or(PREFIXES.len());
    (rank, prefix.to_string(), number, rest[end..].to_string())
}

/// The HTML anchor of a rule id (`HL1` → `rule-hl1`, `§6.2` → `rule-s6-2`).
fn anchor(id: &str) -> String {
    let mut a = String::from("rule-");
    for c in id.chars() {
        match c {
            '§' => a.push('s'),
            '.' => a.push('-'),
            c if c.is_ascii_alphanumeric() => a.push(c.to_ascii_lowercase()),
            _ => {}
        }
    }
    a
}

/// A table cell: no line breaks, `|` escaped.
fn cell(s: &str) -> String {
    s.replace('|', "\\|").replace('\n', " ")
}

/// Where a row runs: every target, and how the POSIX view (fuse) differs.
fn targets(s: &Scenario) -> String {
    match &s.posix {
        None => "core, fuse, ntfs, winfsp".to_string(),
        Some(PosixView::Skip(why)) => format!("core, ntfs, winfsp; fuse skips: {}", cell(why)),
        Some(PosixView::Errno(e, why)) => format!(
            "core, fuse, ntfs, winfsp; fuse fails with {}: {}",
            e.name(),
            cell(why)
        ),
    }
}

/// The row's title, with its environment when that is not the default one.
fn description(s: &Scenario) -> String {
    let mut d = cell(s.title);
    if !s.env.is_default() {
        let volumes: Vec<String> = s
            .env
            .volumes
            .iter()
            .map(|(l, k)| format!("{l}: {}", k.name()))
            .collect();
        let _ = write!(d, " (profile {}; {})", s.env.profile, volumes.join(", "));
    }
    d
}

/// Renders the page for `rows` (the conformance tables).
pub fn render(rows: &[Scenario]) -> String {
    let mut by_rule: BTreeMap<SortKey, (&str, Vec<&Scenario>)> = BTreeMap::new();
    for s in rows {
        by_rule
            .entry(sort_key(s.rule))
            .or_insert((s.rule, Vec::new()))
            .1
            .push(s);
    }
    let count = |e: Evidence| rows.iter().filter(|s| s.evidence == e).count();
    let mut out = String::new();
    let _ = writeln!(out, "# NTFS rules and the rows that check them\n");
    let _ = writeln!(
        out,
        "<!-- Generated from tests/src/tables/*.rs; do not edit. Regenerate with:\n     {COMMAND} -->\n"
    );
    let _ = writeln!(
        out,
        "The rule ids that code and tests cite (`HL3`, `J8`, `S22` …) are those of \
         SEMANTICS.md, the project's rule book. This page lists, for each id, the \
         conformance rows that check it: what the row shows, its evidence and source, \
         and the targets it runs on. Regenerate it with `{COMMAND}`; \
         `cargo test -p ntlinkfs-tests --test rules_page` fails when it is stale.\n"
    );
    let _ = writeln!(
        out,
        "**{} rows, {} rules.** Evidence: [T] asserted by a test suite that runs on \
         real Windows ({}), [D] Microsoft documentation ({}), [O] a public \
         observation of real Windows ({}), [X] derived and unverified ({}).\n",
        rows.len(),
        by_rule.len(),
        count(Evidence::Tested),
        count(Evidence::Documented),
        count(Evidence::Observed),
        count(Evidence::Unverified),
    );
    let _ = writeln!(
        out,
        "Targets: `core` (the model, in process) runs every row; on Windows, `ntfs` \
         (a real NTFS directory, opt-in) and `winfsp` (a WinFsp mount) run every row \
         too. `fuse` (a FUSE mount on Linux: the POSIX view) runs every row except \
         those marked \"fuse skips\", and reads those marked \"fuse fails with\" as \
         that errno; at run time it also skips a step that POSIX calls cannot express \
         (`ntlinkfs-conformance --verbose` lists each skip with its reason).\n"
    );
    let _ = writeln!(out, "## Index by topic\n");
    let _ = writeln!(out, "| Topic | Rows | Rules |\n|---|---:|---|");
    for topic in Topic::ALL {
        let in_topic: Vec<&Scenario> = rows.iter().filter(|s| s.topic == topic).collect();
        let mut ids: Vec<&str> = in_topic.iter().map(|s| s.rule).collect();
        ids.sort_by_key(|id| sort_key(id));
        ids.dedup();
        let links: Vec<String> = ids
            .iter()
            .map(|id| format!("[{id}](#{})", anchor(id)))
            .collect();
        let _ = writeln!(
            out,
            "| {} | {} | {} |",
            topic.name(),
            in_topic.len(),
            links.join(" ")
        );
    }
    let _ = writeln!(out, "\n## Rules\n");
    for (id, rule_rows) in by_rule.values() {
        let _ = writeln!(out, "<a id=\"{}\"></a>\n### {id}\n", anchor(id));
        let _ = writeln!(
            out,
            "| Row | Evidence | Source | Targets |\n|---|---|---|---|"
        );
        for s in rule_rows {
            let _ = writeln!(
                out,
                "| {} | {} | {} | {} |",
                description(s),
                s.evidence.tag(),
                cell(s.source),
                targets(s)
            );
        }
        out.push('\n');
    }
    if !WITHOUT_ROWS.is_empty() {
        let _ = writeln!(out, "## Rules cited without a row\n");
        let _ = writeln!(
            out,
            "Code and tests cite these rules, but no conformance row checks them yet \
             (tests/src/rules_page.rs, `WITHOUT_ROWS`).\n"
        );
        let mut rules = WITHOUT_ROWS.to_vec();
        rules.sort_by_key(|r| sort_key(r.id));
        for r in rules {
            let _ = writeln!(out, "<a id=\"{}\"></a>\n### {}\n", anchor(r.id), r.id);
            let _ = writeln!(out, "{}\n", r.statement);
            let _ = writeln!(out, "Source: {}.\n\nWhy no row: {}.\n", r.source, r.why);
        }
    }
    while out.ends_with("\n\n") {
        out.pop();
    }
    out
}

/// The rule ids the page lists: those of `rows` and of [`WITHOUT_ROWS`].
pub fn listed_ids(rows: &[Scenario]) -> Vec<&'static str> {
    let mut ids: Vec<&'static str> = rows.iter().map(|s| s.rule).collect();
    ids.extend(WITHOUT_ROWS.iter().map(|r| r.id));
    ids.sort_by_key(|id| sort_key(id));
    ids.dedup();
    ids
}

/// Every SEMANTICS.md-style rule id in `text`: a prefix (`HL`, `J`, `S`, `R`,
/// `M`, `N`, `P`, `V`, `F`) directly followed by digits and an optional
/// lower-case letter, as a whole word (`HL3`, `J8a`; not `0x1F2`, `S_IFMT`).
pub fn cited_ids(text: &str) -> Vec<String> {
    const PREFIXES: [&str; 9] = ["HL", "J", "S", "R", "M", "N", "P", "V", "F"];
    let b = text.as_bytes();
    let word = |c: u8| c.is_ascii_alphanumeric() || c == b'_';
    let mut ids = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if (i > 0 && word(b[i - 1])) || !b[i].is_ascii_uppercase() {
            i += 1;
            continue;
        }
        let Some(p) = PREFIXES.iter().find(|p| b[i..].starts_with(p.as_bytes())) else {
            i += 1;
            continue;
        };
        let start = i;
        let mut j = i + p.len();
        let digits = j;
        while j < b.len() && b[j].is_ascii_digit() {
            j += 1;
        }
        if j > digits && b[digits] != b'0' {
            if j < b.len() && b[j].is_ascii_lowercase() {
                j += 1;
            }
            if j == b.len() || !word(b[j]) {
                ids.push(text[start..j].to_string());
            }
        }
        i = j.max(i + 1);
    }
    ids
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cited_ids_finds_whole_rule_ids_only() {
        let text = "HL3, J8a (S22); F7. not 0x1F2, S_IFMT, HL, J0, AJ8, J8ab, V5x1 P11";
        assert_eq!(cited_ids(text), ["HL3", "J8a", "S22", "F7", "P11"]);
    }

    #[test]
    fn rule_ids_sort_as_semantics_orders_them() {
        let mut ids = ["J10", "§6.2", "F1", "J8b", "HL2", "J8", "J8a"];
        ids.sort_by_key(|id| sort_key(id));
        assert_eq!(ids, ["HL2", "J8", "J8a", "J8b", "J10", "F1", "§6.2"]);
    }

    #[test]
    fn anchors_are_lower_case_ascii() {
        assert_eq!(anchor("HL1"), "rule-hl1");
        assert_eq!(anchor("§6.2"), "rule-s6-2");
    }
}
