//! Offline use, with the site served under a sub-path (`/kindling/`): once the service worker
//! controls the page and the CNN lesson has loaded MNIST, the server goes down (every connection
//! closed unanswered) and a reload still opens the page, and the lesson loads MNIST and trains; a
//! lesson whose data set never loaded says it is not available offline, in both languages. A new
//! release (a changed sw.js) is announced, waits, and is applied only on the learner's click.

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};

use kindling_e2e::Browser;
use serde_json::Value;

/// The built site behind a switch, at /kindling/ of a fresh folder: every entry of dist is
/// linked, except sw.js, which is copied so that a test can publish another release.
struct Site {
    url: String,
    folder: PathBuf,
    down: Arc<AtomicBool>,
}

impl Site {
    fn start(name: &str) -> Self {
        let dist = std::env::var_os("KINDLING_DIST")
            .map(PathBuf::from)
            .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dist"));
        let dist = dist
            .canonicalize()
            .expect("a built site: run `cargo xtask test`");
        let root = std::env::temp_dir().join(format!("kindling-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        let folder = root.join("kindling");
        std::fs::create_dir_all(&folder).unwrap();
        for entry in std::fs::read_dir(&dist).unwrap().flatten() {
            let target = folder.join(entry.file_name());
            if entry.file_name() == "sw.js" {
                std::fs::copy(entry.path(), target).unwrap();
            } else {
                std::os::unix::fs::symlink(entry.path(), target).unwrap();
            }
        }
        assert!(folder.join("sw.js").is_file(), "dist has no sw.js");
        let down = Arc::new(AtomicBool::new(false));
        let port = xtask::serve::spawn_with_switch(root, 0, down.clone()).unwrap();
        Self {
            url: format!("http://127.0.0.1:{port}/kindling"),
            folder,
            down,
        }
    }

    fn network(&self, on: bool) {
        self.down.store(!on, Ordering::SeqCst);
    }
}

fn controlled(b: &Browser) -> bool {
    b.eval("return !!(navigator.serviceWorker && navigator.serviceWorker.controller);") == true
}

/// The version of the service worker controlling the page (it answers on a message port).
fn controller_version(b: &Browser) -> String {
    b.eval(
        "return new Promise(resolve => { const c = new MessageChannel(); c.port1.onmessage = e => resolve(e.data); navigator.serviceWorker.controller.postMessage({kind: 'version'}, [c.port2]); });",
    )
    .as_str()
    .unwrap_or_default()
    .to_string()
}

/// Every cache's name and the paths it holds.
fn caches(b: &Browser) -> Vec<(String, Vec<String>)> {
    let listing = b.eval(
        "return (async () => { const out = []; for (const name of await caches.keys()) { const c = await caches.open(name); out.push([name, (await c.keys()).map(r => new URL(r.url).pathname)]); } return out; })();",
    );
    let Value::Array(caches) = listing else {
        return Vec::new();
    };
    caches
        .iter()
        .map(|c| {
            let paths = c[1].as_array().into_iter().flatten();
            let paths = paths.filter_map(|p| p.as_str().map(str::to_string));
            (c[0].as_str().unwrap_or("").to_string(), paths.collect())
        })
        .collect()
}

fn cached(b: &Browser, path: &str) -> bool {
    caches(b)
        .iter()
        .any(|(_, paths)| paths.iter().any(|p| p == path))
}

/// Opens `url` as a new document (not a change of hash in the current one), proven by a mark
/// the old document held.
fn load_afresh(b: &Browser, url: &str) {
    b.eval("window.oldDocument = true; return true;");
    b.goto(url);
    b.wait_for("a new document", 60, |b| {
        (b.eval("return window.oldDocument === undefined;") == true).then_some(())
    });
}

/// axe-core's serious and critical violations inside `selector` (as accessibility.rs audits whole
/// pages, which never show these notices).
fn audit(b: &Browser, selector: &str) -> Vec<String> {
    let path = std::env::var("KINDLING_AXE").unwrap_or_else(|_| {
        let home = std::env::var("HOME").unwrap_or_default();
        format!("{home}/.cache/kindling/npm-axe/node_modules/axe-core/axe.min.js")
    });
    let axe = std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (run `cargo xtask setup`)"));
    b.eval(&format!(
        "{axe}\n; window.axeResult = null; axe.run({}, {{ resultTypes: ['violations'] }}).then(r => {{ window.axeResult = r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical').map(v => v.id + ': ' + v.help); }}); return 1;",
        serde_json::json!(selector)
    ));
    let result = b.wait_for("the audit", 120, |b| {
        let r = b.eval("return window.axeResult;");
        (!r.is_null()).then_some(r)
    });
    let found = result.as_array().into_iter().flatten();
    found
        .filter_map(|v| v.as_str().map(str::to_string))
        .collect()
}

fn mnist_ready(b: &Browser) {
    b.wait_for("MNIST loaded", 180, |b| {
        b.attribute("#cnn-data-progress", "data-state")
            .filter(|s| s == "ready")
    });
}

#[test]
fn a_lesson_whose_data_loaded_once_works_offline_and_one_whose_data_never_loaded_says_so() {
    let site = Site::start("offline");
    let browser = Browser::start();
    browser.open_page(&site.url, "en", "");
    browser.wait_for("the service worker controlling the page", 120, |b| {
        controlled(b).then_some(())
    });
    assert_eq!(
        browser.text("#update-notice"),
        None,
        "the first install is not a new release"
    );
    // The lesson loads in a document the service worker controls from its start.
    let cnn = |visit: &str| format!("{}/?lang=en&backend=cpu&{visit}#/cnn?epochs=1", site.url);
    load_afresh(&browser, &cnn("visit=2"));
    mnist_ready(&browser);
    for path in [
        "/kindling/index.html",
        "/kindling/i18n/en.json",
        "/kindling/static/models/mnist-classifier.safetensors",
        "/kindling/worker_cpu_loader.js",
        "/kindling/worker_cpu.js",
        "/kindling/worker_cpu_bg.wasm",
        "/kindling/static/mnist/manifest.json",
        "/kindling/static/mnist/train-images-idx3-ubyte.gz",
        "/kindling/static/mnist/t10k-labels-idx1-ubyte.gz",
    ] {
        browser.wait_for(&format!("{path} cached"), 60, |b| {
            cached(b, path).then_some(())
        });
    }
    assert!(
        !cached(&browser, "/kindling/static/fashion-mnist/manifest.json"),
        "a data set no lesson loaded is not cached"
    );

    site.network(false);
    load_afresh(&browser, &cnn("visit=3"));
    browser.wait_for("the CPU worker, from the cache", 120, |b| {
        b.text("#backend-badge").filter(|t| t.contains('·'))
    });
    mnist_ready(&browser);
    browser.wait_for("untrained model", 60, |b| {
        b.text("#cnn-step-count").filter(|s| s == "0")
    });
    browser.click("#cnn-play");
    browser.wait_for("training steps offline", 300, |b| {
        b.text("#cnn-step-count")
            .and_then(|s| s.replace(',', "").parse::<u64>().ok())
            .filter(|&n| n >= 5)
    });
    browser.click("#cnn-play");
    assert_eq!(browser.text("#offline-missing"), None);
    browser.screenshot("offline-cnn").ok();

    for (lang, words) in [("en", "not available offline"), ("zh", "无法离线使用")] {
        load_afresh(
            &browser,
            &format!(
                "{}/?lang={lang}&backend=cpu&visit=4#/transfer?target=fashion",
                site.url
            ),
        );
        let text = browser.wait_for("the data set missing offline", 120, |b| {
            b.text("#offline-missing")
        });
        assert!(text.contains(words), "{lang}: {text}");
        assert!(text.contains("static/fashion-mnist/"), "{lang}: {text}");
        assert_eq!(
            browser
                .attribute("#offline-missing", "data-folder")
                .as_deref(),
            Some("static/fashion-mnist/")
        );
        assert_eq!(audit(&browser, "#offline-missing"), Vec::<String>::new());
        // The lesson's own message is the worker's error in words, not its debug form.
        let error = browser.wait_for("the lesson's data error", 60, |b| {
            b.text("#transfer-data-error")
        });
        assert!(error.contains("manifest.json"), "{lang}: {error}");
        assert!(!error.contains('{'), "{lang}: {error}");
    }
    browser.screenshot("offline-missing").ok();
}

/// Rewrites the served sw.js as a new release: same files, another version.
fn publish_release(folder: &Path, version: &str) {
    let path = folder.join("sw.js");
    let text = std::fs::read_to_string(&path).unwrap();
    let start = text.find("const VERSION = \"").expect("a version line") + 17;
    let end = start + text[start..].find('"').unwrap();
    let text = format!("{}{version}{}", &text[..start], &text[end..]);
    std::fs::write(path, text).unwrap();
}

#[test]
fn a_new_release_is_announced_and_applied_only_on_the_learners_click() {
    let site = Site::start("release");
    let browser = Browser::start();
    browser.open_page(&site.url, "en", "");
    browser.wait_for("the service worker controlling the page", 120, |b| {
        controlled(b).then_some(())
    });
    let first = controller_version(&browser);
    assert_eq!(first.len(), 16, "{first:?}");

    publish_release(&site.folder, "0123456789abcdef");
    // The browser looks for a new release when a document of the site loads.
    load_afresh(
        &browser,
        &format!("{}/?lang=en&backend=cpu&visit=2#/", site.url),
    );
    let text = browser.wait_for("the new release announced", 120, |b| {
        b.text("#update-notice")
    });
    assert!(text.contains("A new version"), "{text}");
    assert_eq!(audit(&browser, "#update-notice"), Vec::<String>::new());
    // Installed but waiting: the page still runs the release it opened with.
    assert_eq!(controller_version(&browser), first);
    assert!(
        caches(&browser)
            .iter()
            .any(|(name, _)| name == &format!("kindling-app-{first}"))
    );

    // While a lesson trains, the update waits: the reload would stop the run.
    browser.eval("location.hash = '#/playground'; return true;");
    browser.wait_for("the playground's worker", 120, |b| {
        b.text("#step-count").filter(|n| n == "0")
    });
    browser.click("#play");
    browser.wait_for("the update held while training", 60, |b| {
        b.text("#update-wait")
            .filter(|_| b.attribute("#update-apply", "disabled").is_some())
    });
    browser.click("#play");
    browser.wait_for("the update offered again once paused", 60, |b| {
        (b.text("#update-wait").is_none() && b.attribute("#update-apply", "disabled").is_none())
            .then_some(())
    });
    assert_eq!(controller_version(&browser), first);

    browser.eval("window.beforeUpdate = true; return true;");
    browser.click("#update-apply");
    browser.wait_for("the page reloaded into the new release", 120, |b| {
        let reloaded = b.eval("return window.beforeUpdate === undefined;") == true;
        (reloaded && controlled(b) && controller_version(b) == "0123456789abcdef").then_some(())
    });
    browser.wait_for("the worker badge", 120, |b| {
        b.text("#backend-badge").filter(|t| t.contains('·'))
    });
    assert_eq!(browser.text("#update-notice"), None);
    let names: Vec<String> = caches(&browser).into_iter().map(|(n, _)| n).collect();
    assert!(
        names.contains(&"kindling-app-0123456789abcdef".to_string()),
        "{names:?}"
    );
    assert!(
        !names.contains(&format!("kindling-app-{first}")),
        "the old release's cache is gone: {names:?}"
    );
}

#[test]
fn an_open_tab_hears_of_a_release_when_it_comes_back_into_view() {
    let site = Site::start("open-tab");
    let browser = Browser::start();
    browser.open_page(&site.url, "en", "");
    browser.wait_for("the service worker controlling the page", 120, |b| {
        controlled(b).then_some(())
    });
    let first = controller_version(&browser);
    publish_release(&site.folder, "fedcba9876543210");
    // No page of the site loads again: only the tab's own look can find the release.
    let waiting = "return navigator.serviceWorker.getRegistration().then(r => !!(r && (r.waiting || r.installing)));";
    assert_eq!(browser.eval(waiting), false);
    assert_eq!(browser.text("#update-notice"), None);
    // What the browser does when the learner comes back to the tab.
    browser.eval("document.dispatchEvent(new Event('visibilitychange')); return true;");
    let text = browser.wait_for("the new release announced", 120, |b| {
        b.text("#update-notice")
    });
    assert!(text.contains("A new version"), "{text}");
    assert_eq!(controller_version(&browser), first);
}
