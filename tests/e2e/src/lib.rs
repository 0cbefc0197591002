//! Headless Chromium driven through chromedriver with the `fantoccini` WebDriver client, behind a
//! small synchronous API, and a site fixture that serves `dist/` on 127.0.0.1.

use std::fmt::Display;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use fantoccini::wd::{Capabilities, WebDriverCompatibleCommand};
use fantoccini::{Client, ClientBuilder, Locator};
use hyper_util::client::legacy::connect::HttpConnector;
use serde_json::{Value, json};
use tokio::runtime::Runtime;

pub mod recovery;

pub type Result<T> = std::result::Result<T, String>;

/// How long one WebDriver command may take before it counts as failed.
const COMMAND_TIMEOUT: Duration = Duration::from_secs(120);

/// The built site, served from a background thread.
/// Every page's route, the home page first: what the whole-site passes visit.
pub const PAGES: &[&str] = &[
    "",
    "playground",
    "activations",
    "losses",
    "cnn",
    "gan",
    "transfer",
    "detect",
    "detect?level=many",
    "bench",
    "about",
];

pub fn serve_site() -> String {
    let dist = std::env::var_os("KINDLING_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dist"));
    assert!(
        dist.join("index.html").is_file(),
        "no built site at {}: run `cargo xtask test`",
        dist.display()
    );
    let port = xtask::serve::spawn(dist, 0).expect("serve dist/");
    format!("http://127.0.0.1:{port}")
}

/// How Chromium's WebGPU (Dawn) prepares shaders.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Dawn {
    /// Without Dawn's robustness transform (bounds checks in every shader) and its zeroing of
    /// workgroup memory: SwiftShader compiles and runs each kernel faster, and the WebGPU tests
    /// take a third less time (README, "Build time, measured"). The kernels are the shipped
    /// ones, and the browser tests (worker/tests/browser.rs) check them against the CPU with
    /// Dawn's defaults.
    Fast,
    /// As a learner's browser runs them.
    Defaults,
}

/// A chromedriver process, a fresh headless Chromium profile and the WebDriver session on it.
///
/// Every method blocks on a current-thread tokio runtime owned by the browser, so callers stay
/// synchronous.
pub struct Browser {
    runtime: Runtime,
    client: Client,
    driver: Child,
    profile: PathBuf,
    outside: Outside,
}

/// Hosts that Chromium itself contacts in the background whatever page it shows (its updater,
/// Google sign-in, network time, search preconnect, autofill, optimisation hints), measured here
/// with a blank page. The site has no business with any of them; any other host is a failure.
const CHROMIUM_OWN_HOSTS: &[&str] = &[
    "accounts.google.com",
    "clients2.google.com",
    "content-autofill.googleapis.com",
    "optimizationguide-pa.googleapis.com",
    "start.duckduckgo.com",
    "update.googleapis.com",
];

/// The rest of the internet, as this browser sees it: Chromium sends every request for another
/// host than the loopback through this proxy (`--proxy-server`), which writes down its first
/// line and refuses it. Requests from the page, its workers and its service worker all count,
/// which the page's own resource timing cannot see.
struct Outside {
    port: u16,
    requests: Arc<Mutex<Vec<String>>>,
}

impl Outside {
    fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").expect("a port for the proxy");
        let port = listener.local_addr().expect("the proxy's port").port();
        let requests = Arc::new(Mutex::new(Vec::new()));
        let log = Arc::clone(&requests);
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let mut line = String::new();
                let _ = BufReader::new(&stream).read_line(&mut line);
                let line = line.trim().to_string();
                // A connection that sends nothing (a speculative preconnect) asks for nothing.
                if !line.is_empty() && !is_chromiums_own(&line) {
                    log.lock().unwrap_or_else(|e| e.into_inner()).push(line);
                }
                let _ = (&stream).write_all(
                    b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\nConnection: close\r\n\r\n",
                );
            }
        });
        Self { port, requests }
    }
}

/// Whether a proxy request line (`GET http://host/… HTTP/1.1`, `CONNECT host:443 HTTP/1.1`) is
/// for one of [`CHROMIUM_OWN_HOSTS`].
fn is_chromiums_own(line: &str) -> bool {
    let target = line.split(' ').nth(1).unwrap_or_default();
    let target = target.strip_prefix("http://").unwrap_or(target);
    let host = target.split(['/', ':']).next().unwrap_or_default();
    CHROMIUM_OWN_HOSTS.contains(&host)
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

/// Runs one WebDriver command to completion on `runtime`, within [`COMMAND_TIMEOUT`].
fn block<T, E: Display>(
    runtime: &Runtime,
    command: impl Future<Output = std::result::Result<T, E>>,
) -> Result<T> {
    runtime.block_on(async {
        match tokio::time::timeout(COMMAND_TIMEOUT, command).await {
            Ok(result) => result.map_err(|e| e.to_string()),
            Err(_) => Err(format!(
                "no answer from chromedriver in {} s",
                COMMAND_TIMEOUT.as_secs()
            )),
        }
    })
}

/// chromedriver's (non-standard) `POST /session/{id}/se/log`: the browser console entries since
/// the last call.
#[derive(Debug)]
struct BrowserLog;

impl WebDriverCompatibleCommand for BrowserLog {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> std::result::Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/se/log",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        (
            http::Method::POST,
            Some(json!({"type": "browser"}).to_string()),
        )
    }
}

/// chromedriver's (non-standard) `POST /session/{id}/goog/cdp/execute`: one DevTools protocol
/// command, for what WebDriver cannot do (freezing the page, as a hidden tab is frozen).
#[derive(Debug)]
struct DevTools {
    command: String,
    params: Value,
}

impl WebDriverCompatibleCommand for DevTools {
    fn endpoint(
        &self,
        base_url: &url::Url,
        session_id: Option<&str>,
    ) -> std::result::Result<url::Url, url::ParseError> {
        base_url.join(&format!(
            "session/{}/goog/cdp/execute",
            session_id.unwrap_or_default()
        ))
    }

    fn method_and_body(&self, _request_url: &url::Url) -> (http::Method, Option<String>) {
        let body = json!({"cmd": self.command, "params": self.params});
        (http::Method::POST, Some(body.to_string()))
    }
}

impl Browser {
    /// Runs one DevTools protocol command (`Page.setWebLifecycleState`, …); its result.
    pub fn devtools(&self, command: &str, params: Value) -> Result<Value> {
        self.run(self.client.issue_cmd(DevTools {
            command: command.to_string(),
            params,
        }))
    }

    /// Freezes the page, as Chromium freezes a hidden tab (the page hears `freeze` first), and
    /// makes it active again.
    pub fn freeze_and_thaw(&self) {
        for state in ["frozen", "active"] {
            self.devtools("Page.setWebLifecycleState", json!({ "state": state }))
                .unwrap_or_else(|e| panic!("the page becomes {state}: {e:?}"));
        }
    }

    /// Reloads the page, as a learner does.
    pub fn reload(&self) {
        self.eval("location.reload(); return null;");
    }

    /// Starts chromedriver and a fresh headless Chromium with its own profile. A chromedriver
    /// that does not take the session (it lost its port to another test's, say) is tried again
    /// on another port, twice at most. Its WebGPU skips Dawn's bounds checks and workgroup
    /// zeroing, for speed (see `Dawn::Fast`).
    pub fn start() -> Self {
        Self::start_with(Dawn::Fast)
    }

    /// [`Browser::start`] with WebGPU as a learner's browser has it (Dawn's defaults), for
    /// measuring: the benchmark.
    pub fn start_as_shipped() -> Self {
        Self::start_with(Dawn::Defaults)
    }

    fn start_with(dawn: Dawn) -> Self {
        const ATTEMPTS: usize = 3;
        for attempt in 1..=ATTEMPTS {
            match Self::try_start(dawn) {
                Ok(browser) => return browser,
                Err(e) if attempt < ATTEMPTS => {
                    eprintln!("a browser session, attempt {attempt}: {e}; trying again");
                }
                Err(e) => panic!("a browser session: {e}"),
            }
        }
        unreachable!("the last attempt returns or panics")
    }

    fn try_start(dawn: Dawn) -> Result<Self> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a tokio runtime");
        let port = free_port();
        let mut driver = Command::new("chromedriver")
            .arg(format!("--port={port}"))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("chromedriver (cargo xtask installs it)");
        let deadline = Instant::now() + Duration::from_secs(30);
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            assert!(Instant::now() < deadline, "chromedriver did not start");
            std::thread::sleep(Duration::from_millis(100));
        }
        let profile =
            std::env::temp_dir().join(format!("kindling-e2e-{}-{port}", std::process::id()));
        let mut args: Vec<String> = xtask::CHROME_ARGS.iter().map(|s| s.to_string()).collect();
        args.push("--window-size=1280,1000".into());
        if dawn == Dawn::Fast {
            args.push("--enable-dawn-features=disable_robustness,disable_workgroup_init".into());
        }
        // Loopback addresses (the site) bypass the proxy; everything else reaches `Outside`.
        let outside = Outside::start();
        args.push(format!("--proxy-server=http://127.0.0.1:{}", outside.port));
        args.push(format!("--user-data-dir={}", profile.display()));
        let capabilities = json!({
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args, "prefs": {
                "download.default_directory": profile.join("downloads").display().to_string(),
                "download.prompt_for_download": false,
            }},
            "goog:loggingPrefs": {"browser": "ALL"},
        });
        let Value::Object(capabilities) = capabilities else {
            unreachable!("a JSON object")
        };
        let capabilities: Capabilities = capabilities;
        let client = block(
            &runtime,
            ClientBuilder::new(HttpConnector::new())
                .capabilities(capabilities)
                .connect(&format!("http://127.0.0.1:{port}")),
        );
        match client {
            Ok(client) => Ok(Self {
                runtime,
                client,
                driver,
                profile,
                outside,
            }),
            Err(e) => {
                let _ = driver.kill();
                let _ = driver.wait();
                Err(e)
            }
        }
    }

    /// The first line of each request that tried to leave for another host so far (but for
    /// Chromium's own background requests).
    pub fn foreign_requests(&self) -> Vec<String> {
        self.outside
            .requests
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Like `foreign_requests`, and forgets them: for a test that sends one on purpose.
    pub fn take_foreign_requests(&self) -> Vec<String> {
        std::mem::take(
            &mut *self
                .outside
                .requests
                .lock()
                .unwrap_or_else(|e| e.into_inner()),
        )
    }

    /// Runs one WebDriver command to completion.
    fn run<T, E: Display>(
        &self,
        command: impl Future<Output = std::result::Result<T, E>>,
    ) -> Result<T> {
        block(&self.runtime, command)
    }

    /// Where the browser saves downloads.
    pub fn downloads(&self) -> PathBuf {
        self.profile.join("downloads")
    }

    /// Chooses a local file in an `<input type=file>`, as a person would in the file dialog.
    pub fn upload(&self, selector: &str, path: &Path) {
        self.run(async {
            self.client
                .find(Locator::Css(selector))
                .await?
                .send_keys(&path.display().to_string())
                .await
        })
        .unwrap_or_else(|e| panic!("choose file in {selector}: {e}"));
    }

    pub fn goto(&self, url: &str) {
        self.run(self.client.goto(url))
            .unwrap_or_else(|e| panic!("navigate to {url}: {e}"));
    }

    /// Runs `script` (a function body; `return` a value) in the page.
    pub fn eval(&self, script: &str) -> Value {
        self.run(self.client.execute(script, Vec::new()))
            .unwrap_or_else(|e| panic!("script failed: {e}\n{script}"))
    }

    /// The page's `location.hash` (a lesson's settings in the link).
    pub fn hash(&self) -> String {
        self.eval("return location.hash;")
            .as_str()
            .unwrap_or_default()
            .to_string()
    }

    /// How many elements match `selector`.
    pub fn count(&self, selector: &str) -> u64 {
        self.eval(&format!(
            "return document.querySelectorAll({}).length;",
            json!(selector)
        ))
        .as_u64()
        .unwrap_or(0)
    }

    /// Waits up to a minute for a downloaded file whose name starts with `prefix` and ends in
    /// `.extension`, and returns its path.
    pub fn downloaded(&self, prefix: &str, extension: &str) -> PathBuf {
        self.wait_for(&format!("the download {prefix}*.{extension}"), 60, |b| {
            std::fs::read_dir(b.downloads())
                .ok()?
                .flatten()
                .map(|e| e.path())
                .find(|p| {
                    p.file_name()
                        .is_some_and(|n| n.to_string_lossy().starts_with(prefix))
                        && p.extension().is_some_and(|x| x == extension)
                })
        })
    }

    /// Text content of the first element matching `selector`, if any.
    pub fn text(&self, selector: &str) -> Option<String> {
        let script = format!(
            "const e = document.querySelector({}); return e ? e.textContent : null;",
            json!(selector)
        );
        self.eval(&script).as_str().map(|s| s.trim().to_string())
    }

    /// An attribute of the first element matching `selector`, if both exist.
    pub fn attribute(&self, selector: &str, name: &str) -> Option<String> {
        let script = format!(
            "const e = document.querySelector({}); return e ? e.getAttribute({}) : null;",
            json!(selector),
            json!(name)
        );
        self.eval(&script).as_str().map(str::to_string)
    }

    /// Draws one stroke on the canvas `selector` through its points, given as fractions of its
    /// width and height, as pointer events (what a finger or a mouse sends).
    pub fn draw(&self, selector: &str, points: &[(f64, f64)]) {
        let script = format!(
            r#"
const c = document.querySelector({});
const r = c.getBoundingClientRect();
const points = {};
const at = ([fx, fy], type) => c.dispatchEvent(new PointerEvent(type, {{
  bubbles: true, pointerId: 1, pointerType: 'touch', isPrimary: true, buttons: type === 'pointerup' ? 0 : 1,
  clientX: r.left + fx * r.width, clientY: r.top + fy * r.height }}));
at(points[0], 'pointerdown');
for (const p of points.slice(1)) at(p, 'pointermove');
at(points[points.length - 1], 'pointerup');
return true;
"#,
            json!(selector),
            json!(points)
        );
        self.eval(&script);
    }

    pub fn value(&self, selector: &str) -> Option<String> {
        let script = format!(
            "const e = document.querySelector({}); return e ? e.value : null;",
            json!(selector)
        );
        self.eval(&script).as_str().map(str::to_string)
    }

    /// Polls until `probe` gives a value, or panics with `what` after `secs` seconds.
    pub fn wait_for<T>(
        &self,
        what: &str,
        secs: u64,
        mut probe: impl FnMut(&Self) -> Option<T>,
    ) -> T {
        let deadline = Instant::now() + Duration::from_secs(secs);
        loop {
            if let Some(v) = probe(self) {
                return v;
            }
            if Instant::now() > deadline {
                let _ = self.screenshot(&format!("timeout-{}", what.replace(' ', "-")));
                panic!(
                    "timed out after {secs} s waiting for {what}; page: {:?}",
                    self.text("body")
                );
            }
            std::thread::sleep(Duration::from_millis(100));
        }
    }

    /// Waits (up to 120 s) until `selector` is on the page and not disabled: under load a lesson
    /// renders its buttons a moment after the state that asks for them.
    pub fn wait_enabled(&self, selector: &str) {
        let script = format!(
            "const e = document.querySelector({selector:?}); return e !== null && !e.disabled;"
        );
        self.wait_for(selector, 120, |b| {
            b.eval(&script).as_bool().filter(|&ready| ready)
        });
    }

    /// Clicks `selector` once it is on the page and enabled.
    pub fn click_when_enabled(&self, selector: &str) {
        self.wait_enabled(selector);
        self.click(selector);
    }

    /// A real click, through the browser's input pipeline.
    pub fn click(&self, selector: &str) {
        // Centred, so that the sticky header does not cover it.
        self.eval(&format!(
            "const e = document.querySelector({}); if (e) e.scrollIntoView({{block: 'center'}}); return true;",
            json!(selector)
        ));
        self.run(async {
            self.client
                .find(Locator::Css(selector))
                .await?
                .click()
                .await
        })
        .unwrap_or_else(|e| panic!("click {selector}: {e}"));
    }

    /// Replaces the text of an input by typing, as a person would.
    pub fn type_into(&self, selector: &str, text: &str) {
        self.run(async {
            let input = self.client.find(Locator::Css(selector)).await?;
            input.clear().await?;
            input.send_keys(text).await
        })
        .unwrap_or_else(|e| panic!("type {text:?} into {selector}: {e}"));
    }

    /// Chooses an option of a `<select>` by value and fires `change`.
    pub fn select(&self, selector: &str, value: &str) {
        self.eval(&format!(
            "const e = document.querySelector({}); e.value = {}; e.dispatchEvent(new Event('change', {{bubbles: true}})); e.dispatchEvent(new Event('input', {{bubbles: true}})); return true;",
            json!(selector),
            json!(value)
        ));
    }

    /// Opens `page` (a route from [`PAGES`]) in `lang` on the CPU backend, once its worker is ready.
    pub fn open_page(&self, site: &str, lang: &str, page: &str) {
        self.goto(&format!("{site}/?lang={lang}&backend=cpu#/{page}"));
        self.wait_for("the backend badge", 120, |b| {
            b.text("#backend-badge").filter(|t| t.contains('·'))
        });
    }

    /// Resizes the browser window (the page's viewport follows, less any browser chrome).
    pub fn set_window_size(&self, width: u32, height: u32) {
        self.run(self.client.set_window_size(width, height))
            .expect("window resized");
    }

    /// Browser console entries since the last call, as (level, message).
    pub fn console(&self) -> Vec<(String, String)> {
        self.run(self.client.issue_cmd(BrowserLog))
            .map(|entries| {
                entries
                    .as_array()
                    .into_iter()
                    .flatten()
                    .map(|e| {
                        let field = |name: &str| e[name].as_str().unwrap_or("").to_string();
                        (field("level"), field("message"))
                    })
                    .collect()
            })
            .unwrap_or_default()
    }

    /// Every URL the page and its worker fetched.
    pub fn requested_urls(&self) -> Vec<String> {
        self.eval(
            "return performance.getEntriesByType('resource').map(e => e.name).concat([location.href]);",
        )
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
    }

    /// Saves a PNG screenshot under the temporary directory; returns its path.
    pub fn screenshot(&self, name: &str) -> Result<PathBuf> {
        let png = self.run(self.client.screenshot())?;
        let dir = std::env::temp_dir().join("kindling-screenshots");
        std::fs::create_dir_all(&dir).map_err(|e| e.to_string())?;
        let path = dir.join(format!("{name}.png"));
        std::fs::write(&path, png).map_err(|e| e.to_string())?;
        Ok(path)
    }
}

impl Drop for Browser {
    fn drop(&mut self) {
        // Ends the WebDriver session, which quits Chromium, before chromedriver itself.
        let _ = block(&self.runtime, self.client.clone().close());
        let _ = self.driver.kill();
        let _ = self.driver.wait();
        let _ = std::fs::remove_dir_all(&self.profile);
        // Every test's whole session, whatever it did, requested nothing from another origin.
        let foreign = self.foreign_requests();
        if !std::thread::panicking() {
            assert!(
                foreign.is_empty(),
                "requests left the site for another origin: {foreign:?}"
            );
        }
    }
}

/// A handwritten 1: a vertical stroke down the middle, slightly slanted.
pub fn stroke_one() -> Vec<(f64, f64)> {
    (0..=30)
        .map(|i| {
            let t = f64::from(i) / 30.0;
            (0.53 - 0.04 * t, 0.15 + 0.7 * t)
        })
        .collect()
}

/// A handwritten 0: an upright ellipse, closed.
pub fn stroke_zero() -> Vec<(f64, f64)> {
    (0..=48)
        .map(|i| {
            let angle = std::f64::consts::TAU * f64::from(i) / 48.0;
            (0.5 + 0.22 * angle.sin(), 0.5 - 0.33 * angle.cos())
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
    fn number_parsing() {
        assert_eq!(super::number("97.5%"), Some(97.5));
        assert_eq!(super::number(" 0.693 "), Some(0.693));
        assert_eq!(super::number("—"), None);
    }
}
