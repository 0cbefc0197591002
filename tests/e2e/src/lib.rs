//! A small WebDriver client for driving headless Chromium through chromedriver, and a site
//! fixture that serves `dist/` on 127.0.0.1.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use serde_json::{Value, json};


pub type Result<T> = std::result::Result<T, String>;

/// The built site, served from a background thread.
pub fn serve_site() -> String {
    let dist = std::env::var_os("KINDLING_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dist"));
    assert!(dist.join("index.html").is_file(), "no built site at {}: run `cargo xtask test`", dist.display());
    let port = xtask::serve::spawn(dist, 0).expect("serve dist/");
    format!("http://127.0.0.1:{port}")
}

pub struct Browser {
    driver: Child,
    base: String,
    session: String,
    profile: PathBuf,
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).map(|a| a.port()).expect("a free port")
}

fn post(url: &str, body: Value) -> Result<Value> {
    match ureq::post(url).timeout(Duration::from_secs(120)).send_json(body) {
        Ok(r) => r.into_json::<Value>().map_err(|e| e.to_string()),
        Err(ureq::Error::Status(code, r)) => Err(format!("{code}: {}", r.into_string().unwrap_or_default())),
        Err(e) => Err(e.to_string()),
    }
}

impl Browser {
    /// Starts chromedriver and a fresh headless Chromium with its own profile.
    pub fn start() -> Self {
        let port = free_port();
        let driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (cargo xtask installs it)");
        let base = format!("http://127.0.0.1:{port}");
        let deadline = Instant::now() + Duration::from_secs(30);
        while ureq::get(&format!("{base}/status")).call().is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile = std::env::temp_dir().join(format!("kindling-e2e-{}-{port}", std::process::id()));
        let mut args: Vec<String> = xtask::CHROME_ARGS.iter().map(|s| s.to_string()).collect();
        args.push("--window-size=1280,1000".into());
        args.push(format!("--user-data-dir={}", profile.display()));
        let caps = json!({"capabilities": {"alwaysMatch": {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args, "prefs": {
                "download.default_directory": profile.join("downloads").display().to_string(),
                "download.prompt_for_download": false,
            }},
            "goog:loggingPrefs": {"browser": "ALL"},
        }}});
        let session = post(&format!("{base}/session"), caps).expect("a browser session");
        let session = session["value"]["sessionId"].as_str().expect("session id").to_string();
        Self { driver, base, session, profile }
    }

    /// Where the browser saves downloads.
    pub fn downloads(&self) -> PathBuf {
        self.profile.join("downloads")
    }

    /// Chooses a local file in an `<input type=file>`, as a person would in the file dialog.
    pub fn upload(&self, selector: &str, path: &std::path::Path) {
        let id = self.element(selector);
        post(&self.url(&format!("/element/{id}/value")), json!({ "text": path.display().to_string() })).expect("choose file");
    }

    fn url(&self, path: &str) -> String {
        format!("{}/session/{}{}", self.base, self.session, path)
    }

    pub fn goto(&self, url: &str) {
        post(&self.url("/url"), json!({ "url": url })).expect("navigate");
    }

    /// Runs `script` (a function body; `return` a value) in the page.
    pub fn eval(&self, script: &str) -> Value {
        post(&self.url("/execute/sync"), json!({ "script": script, "args": [] }))
            .map(|v| v["value"].clone())
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// Text content of the first element matching `selector`, if any.
    pub fn text(&self, selector: &str) -> Option<String> {
        let script = format!("const e = document.querySelector({}); return e ? e.textContent : null;", json!(selector));
        self.eval(&script).as_str().map(|s| s.trim().to_string())
    }

    pub fn value(&self, selector: &str) -> Option<String> {
        let script = format!("const e = document.querySelector({}); return e ? e.value : null;", json!(selector));
        self.eval(&script).as_str().map(str::to_string)
    }

    /// Polls until `probe` gives a value, or panics with `what` after `secs` seconds.
    pub fn wait_for<T>(&self, what: &str, secs: u64, mut probe: impl FnMut(&Self) -> Option<T>) -> T {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(v) = probe(self) {
                return v;
            }
            if Instant::now() > deadline {
                let _ = self.screenshot(&format!("timeout-{}", what.replace(' ', "-")));
                panic!("timed out after {secs} s waiting for {what}; page: {:?}", self.text("body"));
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    fn element(&self, selector: &str) -> String {
        let found = post(&self.url("/element"), json!({"using": "css selector", "value": selector}))
            .unwrap_or_else(|e| panic!("no element {selector}: {e}"));
        found["value"].as_object().and_then(|o| o.values().next()).and_then(|v| v.as_str()).expect("element id").to_string()
    }

    /// A real click, through the browser's input pipeline.
    pub fn click(&self, selector: &str) {
        // Centred, so that the sticky header does not cover it.
        self.eval(&format!(
            "const e = document.querySelector({}); if (e) e.scrollIntoView({{block: 'center'}}); return true;",
            json!(selector)
        ));
        let id = self.element(selector);
        post(&self.url(&format!("/element/{id}/click")), json!({})).unwrap_or_else(|e| panic!("click {selector}: {e}"));
    }

    /// Replaces the text of an input by typing, as a person would.
    pub fn type_into(&self, selector: &str, text: &str) {
        let id = self.element(selector);
        post(&self.url(&format!("/element/{id}/clear")), json!({})).expect("clear");
        post(&self.url(&format!("/element/{id}/value")), json!({ "text": text })).expect("type");
    }

    /// Chooses an option of a `<select>` by value and fires `change`.
    pub fn select(&self, selector: &str, value: &str) {
        self.eval(&format!(
            "const e = document.querySelector({}); e.value = {}; e.dispatchEvent(new Event('change', {{bubbles: true}})); e.dispatchEvent(new Event('input', {{bubbles: true}})); return true;",
            json!(selector),
            json!(value)
        ));
    }

    /// Browser console entries since the last call.
    pub fn console(&self) -> Vec<(String, String)> {
        post(&self.url("/se/log"), json!({"type": "browser"}))
            .map(|v| {
                v["value"]
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| (e["level"].as_str().unwrap_or("").to_string(), e["message"].as_str().unwrap_or("").to_string()))
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every URL the page and its worker fetched.
    pub fn requested_urls(&self) -> Vec<String> {
        self.eval("return performance.getEntriesByType('resource').map(e => e.name).concat([location.href]);")
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect()
    }

    /// Saves a PNG screenshot under the target directory; returns its path.
    pub fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let shot = ureq::get(&self.url("/screenshot")).call().map_err(|e| e.to_string())?;
        let value: Value = shot.into_json().map_err(|e| e.to_string())?;
        let png = decode_base64(value["value"].as_str().unwrap_or(""));
        let dir = std::env::temp_dir().join("kindling-screenshots");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).map_err(|e| e.to_string())?;
        Ok(path)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        let _ = ureq::delete(&self.url("")).call();
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}

fn decode_base64(text: &str) -> Vec<u8> {
    let value = |c: u8| match c {
        b'A'..=b'Z' => Some(c - b'A'),
        b'a'..=b'z' => Some(c - b'a' + 26),
        b'0'..=b'9' => Some(c - b'0' + 52),
        b'+' => Some(62),
        b'/' => Some(63),
        _ => None,
    };
    let digits: Vec<u8> = text.bytes().filter_map(value).collect();
    digits
        .chunks(4)
        .flat_map(|chunk| {
            let n = chunk.iter().enumerate().fold(0u32, |acc, (i, &d)| acc | (d as u32) << (18 - 6 * i));
            let bytes = [(n >> 16) as u8, (n >> 8) as u8, n as u8];
            bytes.into_iter().take(chunk.len().saturating_sub(1))
        })
        .collect()
}

/// Parses a readout such as `0.693`, `97.5%` or `1234`.
pub fn number(text: &str) -> Option<f64> {
    text.trim().trim_end_matches('%').trim().parse().ok()
}

#[cfg(test)]
mod tests {
    #[test]
    fn base64_and_number_parsing() {
        assert_eq!(super::decode_base64("aGVsbG8="), b"hello");
        assert_eq!(super::decode_base64("aGk="), b"hi");
        assert_eq!(super::number("97.5%"), Some(97.5));
        assert_eq!(super::number(" 0.693 "), Some(0.693));
        assert_eq!(super::number("—"), None);
    }
}
