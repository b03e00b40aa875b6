//! Text in columns for a terminal: each cell wraps inside its column so that
//! every line fits the width, and the columns stay aligned.

/// Two spaces between columns.
const GAP: &str = "  ";

/// The width to fit when none is given: the terminal's (from the ioctl, else
/// `COLUMNS`) when standard output is one; 100 otherwise, so that piped
/// output does not depend on where it was made.
pub fn output_width() -> usize {
    use std::io::IsTerminal;
    const NOT_A_TERMINAL: usize = 100;
    if !std::io::stdout().is_terminal() {
        return NOT_A_TERMINAL;
    }
    terminal_columns()
        .or_else(|| std::env::var("COLUMNS").ok()?.trim().parse().ok())
        .filter(|w| *w > 0)
        .unwrap_or(NOT_A_TERMINAL)
}

#[cfg(unix)]
fn terminal_columns() -> Option<usize> {
    // SAFETY: TIOCGWINSZ writes one winsize into `ws`, a valid local.
    let mut ws: libc::winsize = unsafe { std::mem::zeroed() };
    let r = unsafe { libc::ioctl(libc::STDOUT_FILENO, libc::TIOCGWINSZ, &mut ws) };
    (r == 0 && ws.ws_col > 0).then_some(usize::from(ws.ws_col))
}

#[cfg(not(unix))]
fn terminal_columns() -> Option<usize> {
    None
}

/// The columns a string takes: one per character (the table's text has no
/// wide or combining characters).
fn columns(s: &str) -> usize {
    s.chars().count()
}

/// Bytes beyond one per column: a byte-counting reader (mawk's `length`)
/// sees a line that much longer.
fn extra_bytes(s: &str) -> usize {
    s.len() - columns(s)
}

/// Splits `text` into lines of at most `width` columns, at spaces; a word
/// longer than the width is cut.
pub fn wrap(text: &str, width: usize) -> Vec<String> {
    let width = width.max(1);
    let mut lines = Vec::new();
    let mut line = String::new();
    for word in text.split(' ').filter(|w| !w.is_empty()) {
        let mut word: Vec<char> = word.chars().collect();
        let used = columns(&line);
        if used > 0 && used + 1 + word.len() <= width {
            line.push(' ');
            line.extend(&word);
            continue;
        }
        if used > 0 {
            lines.push(std::mem::take(&mut line));
        }
        while word.len() > width {
            lines.push(word.drain(..width).collect());
        }
        line.extend(&word);
    }
    if !line.is_empty() || lines.is_empty() {
        lines.push(line);
    }
    lines
}

/// Each line of `text` wrapped to `width`; every line ends with a newline.
pub fn wrap_paragraph(text: &str, width: usize) -> String {
    let mut out = String::new();
    for line in text.lines() {
        for part in wrap(line, width.saturating_sub(extra_bytes(line))) {
            out.push_str(&part);
            out.push('\n');
        }
    }
    out
}

/// `rows` (the first is the heading) as aligned columns within `width`: the
/// heading, a rule, then the rows, a blank line between two. Lines carry no trailing
/// spaces.
pub fn layout(rows: &[Vec<String>], width: usize) -> String {
    let n = rows.first().map_or(0, Vec::len);
    if n == 0 {
        return String::new();
    }
    let natural: Vec<usize> = (0..n)
        .map(|c| rows.iter().map(|r| columns(&r[c])).max().unwrap_or(0))
        .collect();
    // Room for the bytes beyond one per column, so that a line fits the width
    // counted in bytes as well as in columns.
    let extra: usize = (0..n)
        .map(|c| rows.iter().map(|r| extra_bytes(&r[c])).max().unwrap_or(0))
        .sum();
    let budget = width.saturating_sub(GAP.len() * (n - 1) + extra).max(n);
    let widths = fit(&natural, budget);
    let mut out = String::new();
    for (i, row) in rows.iter().enumerate() {
        if i == 1 {
            let rule: Vec<String> = widths.iter().map(|w| "-".repeat(*w)).collect();
            out.push_str(&rule.join(GAP));
            out.push('\n');
        }
        if i > 1 {
            out.push('\n');
        }
        let cells: Vec<Vec<String>> = row.iter().zip(&widths).map(|(t, w)| wrap(t, *w)).collect();
        let height = cells.iter().map(Vec::len).max().unwrap_or(1);
        for l in 0..height {
            let mut line = String::new();
            for (c, cell) in cells.iter().enumerate() {
                if c > 0 {
                    line.push_str(GAP);
                }
                let part = cell.get(l).map_or("", String::as_str);
                line.push_str(part);
                line.extend(std::iter::repeat_n(' ', widths[c] - columns(part)));
            }
            out.push_str(line.trim_end());
            out.push('\n');
        }
    }
    out
}

/// Column widths within `budget`: every column its natural width when all
/// fit; otherwise the narrow columns keep theirs and the others share the
/// rest equally.
fn fit(natural: &[usize], budget: usize) -> Vec<usize> {
    if natural.iter().sum::<usize>() <= budget {
        return natural.to_vec();
    }
    let mut widths = natural.to_vec();
    let mut open: Vec<usize> = (0..natural.len()).collect();
    let mut left = budget;
    loop {
        let share = left / open.len();
        let (narrow, wide): (Vec<usize>, Vec<usize>) =
            open.iter().partition(|&&c| natural[c] <= share);
        if narrow.is_empty() {
            for (i, &c) in wide.iter().enumerate() {
                widths[c] = (share + usize::from(i < left % wide.len())).max(1);
            }
            return widths;
        }
        for &c in &narrow {
            left -= natural[c];
        }
        open = wide;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn words_wrap_at_spaces_and_long_words_are_cut() {
        let rows: [(&str, usize, &[&str]); 5] = [
            ("the link dangles", 10, &["the link", "dangles"]),
            ("the link dangles", 16, &["the link dangles"]),
            ("REPARSE_POINT)", 5, &["REPAR", "SE_PO", "INT)"]),
            ("", 5, &[""]),
            ("links 2 → 1", 7, &["links 2", "→ 1"]),
        ];
        for (text, width, want) in rows {
            assert_eq!(wrap(text, width), want, "{text} at {width}");
        }
    }

    #[test]
    fn columns_share_the_width_the_narrow_ones_keep_theirs() {
        assert_eq!(fit(&[3, 10, 10], 40), [3, 10, 10]);
        assert_eq!(fit(&[3, 30, 30], 23), [3, 10, 10]);
        assert_eq!(fit(&[3, 30, 31], 24), [3, 11, 10]);
        assert_eq!(fit(&[30, 30, 30], 3), [1, 1, 1]);
    }

    #[test]
    fn a_layout_is_aligned_and_fits() {
        let rows: Vec<Vec<String>> = [
            ["", "One", "Two"],
            ["a", "the link keeps the data", "links 2 → 1"],
        ]
        .iter()
        .map(|r| r.iter().map(|s| s.to_string()).collect())
        .collect();
        let text = layout(&rows, 20);
        assert_eq!(
            text,
            "   One      Two\n\
             -  -------  ------\n\
             a  the      links\n   \
                link     2 → 1\n   \
                keeps\n   \
                the\n   \
                data\n"
        );
        // Within 20 counted in bytes too (the arrow is three).
        assert!(text.lines().all(|l| l.len() <= 20), "{text}");
    }
}
