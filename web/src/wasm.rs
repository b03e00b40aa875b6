//! The JavaScript face of the playground (wasm32 only): thin wrappers that
//! turn the Rust results into strings, byte arrays and exceptions.

use crate::json;
use crate::picture::Picture;
use crate::playground::{Playground, Reply};
use crate::session::Session;
use wasm_bindgen::prelude::*;

fn replies_json(replies: &[Reply]) -> String {
    json::array(replies.iter().map(|r| {
        json::object(&[
            ("echo", json::string(&r.echo)),
            ("output", json::string(&r.output)),
            (
                "error",
                r.error.as_deref().map_or("null".into(), json::string),
            ),
        ])
    }))
}

/// A playground session for the page.
#[wasm_bindgen]
pub struct Web {
    inner: Playground,
    /// The transcript of the commands the session was built with.
    replayed: String,
}

fn start(p: Result<(Playground, Vec<Reply>), String>) -> Result<Web, JsError> {
    let (inner, replies) = p.map_err(|e| JsError::new(&e))?;
    Ok(Web {
        inner,
        replayed: replies_json(&replies),
    })
}

#[wasm_bindgen]
impl Web {
    /// A new session: a profile name, volumes as `C:ntfs,D:ntfs`, the
    /// clock in seconds since 1970, and the start (`empty`, `demo`,
    /// `files N`).
    #[wasm_bindgen(constructor)]
    pub fn new(profile: &str, volumes: &str, clock: f64, start_with: &str) -> Result<Web, JsError> {
        let mut text = format!(
            "ntlinkfs-web 1\nprofile {profile}\nclock {}\n",
            clock as i64
        );
        for v in volumes.split(',').filter(|v| !v.is_empty()) {
            text.push_str(&format!("volume {v}\n"));
        }
        if start_with != "empty" {
            text.push_str(&format!("start {start_with}\n"));
        }
        let session = Session::from_text(&text).map_err(|e| JsError::new(&e))?;
        start(Playground::new(session))
    }

    /// The session in a URL fragment (`#s=…` or `s=…`).
    #[wasm_bindgen(js_name = fromFragment)]
    pub fn from_fragment(fragment: &str) -> Result<Web, JsError> {
        let session = Session::from_fragment(fragment).map_err(|e| JsError::new(&e))?;
        start(Playground::new(session))
    }

    /// A session on an uploaded image.
    #[wasm_bindgen(js_name = fromImage)]
    pub fn from_image(bytes: &[u8], clock: f64) -> Result<Web, JsError> {
        let inner = Playground::from_image(bytes, clock as i64).map_err(|e| JsError::new(&e))?;
        Ok(Web {
            inner,
            replayed: "[]".into(),
        })
    }

    /// The replies of the commands the session was built with (JSON).
    pub fn replayed(&self) -> String {
        self.replayed.clone()
    }

    /// Runs one line; the reply as JSON `{echo, output, error}`.
    pub fn run(&mut self, line: &str) -> String {
        let r = self.inner.run(line);
        replies_json(&[r])
    }

    /// Runs a paste of several lines (JSON array of replies), or throws
    /// when it is too large, running nothing.
    pub fn paste(&mut self, text: &str) -> Result<String, JsError> {
        let replies = self.inner.paste(text).map_err(|e| JsError::new(&e))?;
        Ok(replies_json(&replies))
    }

    pub fn prompt(&self) -> String {
        self.inner.prompt()
    }

    /// Tab completion: `{start, words}`.
    pub fn complete(&self, line: &str) -> String {
        let (start, words) = self.inner.complete(line);
        json::object(&[
            ("start", start.to_string()),
            ("words", json::strings(&words)),
        ])
    }

    /// The picture of the volumes (JSON, see `picture`).
    pub fn picture(&mut self) -> String {
        let p: &Picture = self.inner.draw();
        p.to_json()
    }

    /// What fsutil says about an item of the last picture.
    pub fn details(&mut self, id: &str) -> Option<String> {
        self.inner.details(id)
    }

    /// The image file (`--image` format).
    #[wasm_bindgen(js_name = saveImage)]
    pub fn save_image(&self) -> Vec<u8> {
        self.inner.save_image()
    }

    /// The fragment that rebuilds the session; throws when there is none.
    pub fn fragment(&self) -> Result<String, JsError> {
        self.inner.fragment().map_err(|e| JsError::new(&e))
    }

    /// The session's setup, for the pickers (JSON, see `setup_json`).
    pub fn setup(&self) -> String {
        crate::setup_json(self.inner.session())
    }

    /// The profile name of the session.
    pub fn profile(&self) -> String {
        self.inner.machine().profile().name()
    }
}

#[wasm_bindgen]
pub fn profiles() -> String {
    crate::profiles_json()
}

#[wasm_bindgen(js_name = volumeKinds)]
pub fn volume_kinds() -> String {
    json::strings(crate::VOLUME_KINDS)
}

#[wasm_bindgen]
pub fn scenarios() -> String {
    crate::scenarios_json()
}

#[wasm_bindgen(js_name = demoTable)]
pub fn demo_table(profile: &str) -> Result<String, JsError> {
    crate::demo_table_json(profile).map_err(|e| JsError::new(&e))
}
