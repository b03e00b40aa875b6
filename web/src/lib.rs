//! The ntlinkfs browser playground (issue 16): the cmd dialect of
//! `ntlinkfs shell` and a picture of what the links do, in a web page.
//!
//! Everything here is plain Rust over the public APIs of `ntlinkfs-core`
//! and `ntlinkfs-shell`, tested natively; `wasm` (built only for
//! `wasm32`) binds it to JavaScript with wasm-bindgen. The page itself is
//! in `web/www/`, and `web/build.sh` puts both together in `web/dist/`.

mod base64;
pub mod json;
pub mod picture;
pub mod playground;
pub mod scenarios;
pub mod session;
#[cfg(target_arch = "wasm32")]
mod wasm;

use ntlinkfs_core::profile::VERSIONS;
use ntlinkfs_core::Profile;

/// The volume kinds the page offers, as `--volume` spells them.
pub const VOLUME_KINDS: &[&str] = &[
    "ntfs", "fat32", "exfat", "refs1.2", "refs3.4", "refs3.5", "refs3.10", "network",
];

/// The profiles for the picker: name and description, oldest first.
pub fn profiles_json() -> String {
    json::array(VERSIONS.iter().map(|(name, _, description)| {
        json::object(&[
            ("name", json::string(name)),
            ("description", json::string(description)),
        ])
    }))
}

/// The guided scenarios for the menu, each with the URL fragment that runs it.
pub fn scenarios_json() -> String {
    json::array(scenarios::SCENARIOS.iter().map(|s| {
        json::object(&[
            ("id", json::string(s.id)),
            ("title", json::string(s.title)),
            ("about", json::string(s.about)),
            ("fragment", json::string(&s.session().to_fragment())),
        ])
    }))
}

/// The `ntlinkfs demo` table observed live on `profile`, as JSON: the
/// heading, the column titles, the rows and the note.
pub fn demo_table_json(profile: &str) -> Result<String, String> {
    let profile: Profile = profile.parse()?;
    let table = ntlinkfs_shell::demo::observe(profile);
    let rows = table.rows().iter().map(|(title, cells)| {
        json::object(&[
            ("title", json::string(title)),
            ("cells", json::strings(cells)),
        ])
    });
    Ok(json::object(&[
        ("heading", json::string(table.heading().trim_end())),
        ("columns", json::strings(&ntlinkfs_shell::demo::HEADINGS)),
        ("rows", json::array(rows)),
        ("note", json::string(table.note().trim_end())),
    ]))
}

/// A session's setup for the page's pickers: the Windows version, the
/// switches, the volumes as `--volume` spells their kinds, the start and the
/// clock.
pub fn setup_json(s: &session::Session) -> String {
    let start = match s.start {
        session::Start::Empty => "empty".to_string(),
        session::Start::Demo => "demo".to_string(),
        session::Start::Files(n) => format!("files {n}"),
    };
    let volumes = s
        .volumes
        .iter()
        .map(|&(letter, kind)| json::strings(&[letter.to_string(), session::kind_arg(kind)]));
    json::object(&[
        ("version", json::string(&s.profile.version.name())),
        ("dev", s.profile.developer_mode.to_string()),
        (
            "user",
            (s.profile.privilege == ntlinkfs_core::Privilege::Unprivileged).to_string(),
        ),
        ("volumes", json::array(volumes)),
        ("start", json::string(&start)),
        ("clock", s.clock.to_string()),
    ])
}

#[cfg(test)]
mod tests;
