//! `ntlinkfs demo`: the comparison table of hard links, junctions and
//! symbolic links, every cell observed on a fresh emulated machine (the
//! scenarios live in `ntlinkfs_shell::demo`, shared with the web
//! playground); this module prints it as text, Markdown or JSON.

use ntlinkfs_core::Profile;
use ntlinkfs_shell::demo::{markdown, observe, Table, HEADINGS};
use std::process::ExitCode;

mod columns;

/// Run the link comparison scenarios live and print the table of results
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Windows version and user the scenarios run as (see `shell --help`)
    #[arg(long, value_name = "NAME", default_value = "11")]
    pub profile: Profile,

    /// text: aligned columns that wrap inside their cells to fit the width;
    /// markdown: a Markdown table; json: the same cells as data
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// The width text output fits in [default: the terminal's width; 100 when
    /// standard output is not a terminal]
    #[arg(long, value_name = "COLUMNS", value_parser = clap::value_parser!(u16).range(40..))]
    pub width: Option<u16>,
}

/// How `demo` prints its table.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Format {
    Text,
    Markdown,
    Json,
}

pub fn main(args: Args) -> ExitCode {
    let table = observe(args.profile);
    let out = match args.format {
        Format::Text => {
            let width = args.width.map_or_else(columns::output_width, usize::from);
            text(&table, width)
        }
        Format::Markdown => markdown(&table),
        Format::Json => json(&table),
    };
    print!("{out}");
    ExitCode::SUCCESS
}

/// The table as aligned columns that fit in `width` (cells wrap inside their
/// column), for a terminal.
pub fn text(table: &Table, width: usize) -> String {
    let mut out = columns::wrap_paragraph(&table.heading(), width);
    out.push('\n');
    let heading = std::iter::once("").chain(HEADINGS).map(String::from);
    let mut rows: Vec<Vec<String>> = vec![heading.collect()];
    for (title, cells) in table.rows() {
        let mut row = vec![title.to_string()];
        row.extend(cells.iter().cloned());
        rows.push(row);
    }
    out.push_str(&columns::layout(&rows, width));
    out.push('\n');
    out.push_str(&columns::wrap_paragraph(&table.note(), width));
    out
}

/// The table as JSON: the profile, the column headings, and each row's
/// title with its three cells (the same text as the other formats).
pub fn json(table: &Table) -> String {
    let rows: Vec<serde_json::Value> = table
        .rows()
        .iter()
        .map(|(title, cells)| serde_json::json!({ "title": title, "cells": cells }))
        .collect();
    let doc = serde_json::json!({
        "profile": table.profile().name(),
        "windows": table.profile().version.description(),
        "columns": HEADINGS,
        "rows": rows,
        "note": table.note().trim_end(),
    });
    let mut out = serde_json::to_string_pretty(&doc).expect("JSON values serialize");
    out.push('\n');
    out
}
