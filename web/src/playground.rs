//! One playground session: the shell (the same interpreter as `ntlinkfs
//! shell`), the session it was built from plus the lines typed since, and
//! the last picture. Everything the page does goes through here; the wasm
//! bindings only translate types.

use crate::picture::{self, Kind, Picture};
use crate::session::Session;
use ntlinkfs_core::attrs::unix_to_filetime;
use ntlinkfs_core::{image, FixedClock, Machine};
use ntlinkfs_shell::{completion, Outcome, Shell};
use std::sync::Arc;

/// The most one paste may hold: more is surely not a list of commands.
pub const MAX_PASTE_BYTES: usize = 256 * 1024;
/// The most lines one paste may run.
pub const MAX_PASTE_LINES: usize = 2_000;
/// The memory budget of the emulated machine (data and metadata).
pub const MEMORY_LIMIT: u64 = 256 << 20;
/// The largest image the page loads.
pub const MAX_IMAGE_BYTES: usize = 256 << 20;

/// What one typed line did, as `ntlinkfs shell` shows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Reply {
    /// The prompt and the line (empty when echo is off).
    pub echo: String,
    /// What the command printed.
    pub output: String,
    /// The `error: …` line `ntlinkfs shell` prints on stderr, if it failed.
    pub error: Option<String>,
}

impl Reply {
    /// The reply as `ntlinkfs shell` prints it with standard input piped:
    /// a blank line, the prompt and the command, the output, the error line.
    pub fn transcript(&self) -> String {
        let mut s = String::new();
        if !self.echo.is_empty() {
            s.push_str(&format!("\n{}\n", self.echo));
        }
        s.push_str(&self.output);
        if let Some(e) = &self.error {
            s.push_str(e);
            s.push('\n');
        }
        s
    }
}

pub struct Playground {
    shell: Shell,
    session: Session,
    /// The session began with an uploaded image, which a URL cannot carry.
    from_image: bool,
    picture: Picture,
}

fn shell_for(mut machine: Machine) -> Shell {
    machine.set_memory_limit(MEMORY_LIMIT);
    let mut shell = Shell::new(machine);
    // The page has no files to save to: its button downloads the image.
    shell.set_saver(Box::new(|_, _| {
        Err("The playground saves with its \"Download image\" button.".into())
    }));
    shell
}

impl Playground {
    /// Builds the session's machine and runs its commands; the replies are
    /// the transcript so far.
    pub fn new(session: Session) -> Result<(Playground, Vec<Reply>), String> {
        let machine = session.machine()?;
        let commands = session.commands.clone();
        let mut p = Playground {
            shell: shell_for(machine),
            session: Session {
                commands: Vec::new(),
                ..session
            },
            from_image: false,
            picture: Picture::default(),
        };
        let replies = commands.iter().map(|c| p.run(c)).collect();
        Ok((p, replies))
    }

    /// A session on the machine saved in `bytes` (an `--image` file), with
    /// the page's clock. The error says why the bytes are not an image.
    pub fn from_image(bytes: &[u8], clock: i64) -> Result<Playground, String> {
        if bytes.len() > MAX_IMAGE_BYTES {
            return Err(format!(
                "The file was not loaded: it is {}; the playground loads images up to {}.",
                size(bytes.len()),
                size(MAX_IMAGE_BYTES)
            ));
        }
        let mut machine = image::load(bytes)
            .map_err(|e| format!("The file was not loaded: {e}. The session is unchanged."))?;
        machine.set_clock(Arc::new(FixedClock(unix_to_filetime(clock, 0))));
        let session = Session {
            profile: *machine.profile(),
            volumes: machine
                .volume_infos()
                .iter()
                .map(|v| (v.letter, v.kind))
                .collect(),
            clock,
            ..Session::default()
        };
        Ok(Playground {
            shell: shell_for(machine),
            session,
            from_image: true,
            picture: Picture::default(),
        })
    }

    /// Runs one line and records it in the session.
    pub fn run(&mut self, line: &str) -> Reply {
        let line = line.strip_suffix('\r').unwrap_or(line);
        let echo = if self.shell.echo_on() {
            format!("{}{line}", self.shell.prompt())
        } else {
            String::new()
        };
        let Outcome {
            output, failure, ..
        } = self.shell.execute(line);
        self.session.commands.push(line.to_string());
        Reply {
            echo,
            output,
            error: failure.map(|f| format!("error: {}", f.diagnostic())),
        }
    }

    /// Runs every line of a paste, or none when it is too large.
    pub fn paste(&mut self, text: &str) -> Result<Vec<Reply>, String> {
        let mut lines: Vec<&str> = text.split('\n').collect();
        if lines.len() > 1 && lines.last() == Some(&"") {
            lines.pop(); // a paste ending with a line end adds no command
        }
        if text.len() > MAX_PASTE_BYTES || lines.len() > MAX_PASTE_LINES {
            return Err(format!(
                "The paste was not run: it is {} in {} lines; the playground runs at most {} \
                 or {} lines at once. Nothing was changed.",
                size(text.len()),
                lines.len(),
                size(MAX_PASTE_BYTES),
                MAX_PASTE_LINES
            ));
        }
        Ok(lines.into_iter().map(|l| self.run(l)).collect())
    }

    /// The prompt to show before the input (none when echo is off).
    pub fn prompt(&self) -> String {
        if self.shell.echo_on() {
            self.shell.prompt()
        } else {
            String::new()
        }
    }

    /// Tab completion of `line` up to the cursor: where the replaced word
    /// starts and its candidates, as `ntlinkfs shell` completes.
    pub fn complete(&self, line: &str) -> (usize, Vec<String>) {
        completion::complete(self.shell.machine(), line)
    }

    /// Draws the volumes as they are now.
    pub fn draw(&mut self) -> &Picture {
        self.picture = picture::draw(self.shell.machine());
        &self.picture
    }

    /// What `fsutil` says about the item `id` of the last picture: the
    /// names of a file (`fsutil hardlink list`), the reparse point of a link
    /// (`fsutil reparsepoint query`), the file ID of a folder. Read-only.
    pub fn details(&mut self, id: &str) -> Option<String> {
        let item = self.picture.item(id)?.clone();
        let path = format!("\"{}\"", item.path);
        let commands: Vec<String> = match item.kind {
            Kind::Fold => return None,
            Kind::File => vec![format!("fsutil hardlink list {path}")],
            Kind::Dir => vec![format!("fsutil file queryfileid {path}")],
            Kind::SymlinkFile => vec![
                format!("fsutil reparsepoint query {path}"),
                format!("fsutil hardlink list {path}"),
            ],
            Kind::Junction | Kind::SymlinkDir | Kind::Reparse => {
                vec![format!("fsutil reparsepoint query {path}")]
            }
        };
        let mut text = String::new();
        for c in commands {
            let out = self.shell.execute(&c);
            text.push_str(&format!("{}{c}\n{}", self.shell.prompt(), out.output));
            if let Some(f) = out.failure {
                text.push_str(&format!("error: {}\n", f.diagnostic()));
            }
        }
        Some(text)
    }

    /// The machine in the `--image` format.
    pub fn save_image(&self) -> Vec<u8> {
        image::save(self.shell.machine())
    }

    /// The URL fragment that rebuilds this session, or why there is none.
    pub fn fragment(&self) -> Result<String, String> {
        if self.from_image {
            return Err(
                "This session began with an uploaded image, which a link cannot carry: \
                        share the image (Download image) instead."
                    .into(),
            );
        }
        Ok(self.session.to_fragment())
    }

    pub fn session(&self) -> &Session {
        &self.session
    }

    pub fn machine(&self) -> &Machine {
        self.shell.machine()
    }
}

/// A byte count for people: `10.0 MB`, `256 KiB`.
fn size(bytes: usize) -> String {
    if bytes >= 1 << 20 {
        format!("{:.1} MiB", bytes as f64 / f64::from(1 << 20))
    } else if bytes >= 1 << 10 {
        format!("{} KiB", bytes >> 10)
    } else {
        format!("{bytes} bytes")
    }
}
