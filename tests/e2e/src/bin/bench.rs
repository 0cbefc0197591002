//! `cargo xtask bench`: training speed in headless Chromium on each backend — the playground's
//! steps/s and the default CNN's ms per step and examples/s (batch 64). `cargo xtask bench full`
//! also runs the default CNN's two epochs on the CPU backend and reports the wall time and the
//! test accuracy at the end of each epoch.

use std::time::{Duration, Instant};

use kindling_e2e::{Browser, number, serve_site};

fn badge(browser: &Browser) -> String {
    browser.wait_for("backend badge", 180, |b| {
        b.text("#backend-badge").filter(|t| t.contains(" · "))
    })
}

fn attribute(b: &Browser, selector: &str, name: &str) -> Option<String> {
    let script = format!(
        "const e = document.querySelector('{selector}'); return e ? e.getAttribute('{name}') : null;"
    );
    b.eval(&script).as_str().map(str::to_string)
}

fn playground(site: &str) {
    println!("playground (spiral, default network)");
    println!(
        "{:<8} {:>10} {:>12} {:>10}  adapter",
        "backend", "steps", "steps/s", "wall s"
    );
    for backend in ["cpu", "webgpu"] {
        let browser = Browser::start();
        browser.goto(&format!("{site}/?lang=en&backend={backend}#/playground"));
        let badge = badge(&browser);
        browser.wait_for("first loss readout", 300, |b| {
            b.text("#train-loss").as_deref().and_then(number)
        });
        let started = Instant::now();
        browser.click("#play");
        // Train for a fixed wall time, long enough to amortise shader compilation on WebGPU.
        std::thread::sleep(Duration::from_secs(30));
        browser.click("#play");
        std::thread::sleep(Duration::from_secs(1));
        let steps = browser
            .text("#step-count")
            .as_deref()
            .and_then(number)
            .unwrap_or(0.0);
        let rate = browser
            .text("#steps-per-second")
            .as_deref()
            .and_then(number)
            .unwrap_or(0.0);
        println!(
            "{backend:<8} {steps:>10} {rate:>12.1} {:>10.1}  {badge}",
            started.elapsed().as_secs_f64()
        );
    }
}

fn open_cnn(site: &str, backend: &str, query: &str) -> (Browser, String) {
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en&backend={backend}#/cnn{query}"));
    let badge = badge(&browser);
    browser.wait_for("MNIST", 300, |b| {
        attribute(b, "#cnn-data-progress", "data-state").filter(|s| s == "ready")
    });
    browser.wait_for("a fresh model", 120, |b| {
        b.text("#cnn-step-count").filter(|s| s == "0")
    });
    (browser, badge)
}

fn cnn_speed(site: &str) {
    println!("CNN (default LeNet-style network at batch 64, MNIST)");
    println!(
        "{:<8} {:>8} {:>10} {:>12} {:>10}  adapter",
        "backend", "steps", "ms/step", "examples/s", "wall s"
    );
    for backend in ["cpu", "webgpu"] {
        let (browser, badge) = open_cnn(site, backend, "?batch=64");
        let started = Instant::now();
        browser.click("#cnn-play");
        std::thread::sleep(Duration::from_secs(60));
        browser.click("#cnn-play");
        std::thread::sleep(Duration::from_secs(2));
        let steps = browser
            .text("#cnn-step-count")
            .as_deref()
            .and_then(number)
            .unwrap_or(0.0);
        let examples = attribute(&browser, "#cnn-examples-per-second", "data-value")
            .and_then(|v| v.parse::<f64>().ok())
            .or_else(|| {
                browser
                    .text("#cnn-examples-per-second")
                    .as_deref()
                    .and_then(number)
            })
            .unwrap_or(0.0);
        let ms = if examples > 0.0 {
            64_000.0 / examples
        } else {
            f64::NAN
        };
        println!(
            "{backend:<8} {steps:>8} {ms:>10.1} {examples:>12.1} {:>10.1}  {badge}",
            started.elapsed().as_secs_f64()
        );
    }
}

/// The acceptance run: two epochs of the default CNN on the CPU backend.
fn cnn_full(site: &str) {
    let (browser, badge) = open_cnn(site, "cpu", "");
    println!("CNN default run, 2 epochs, {badge}");
    let started = Instant::now();
    browser.click("#cnn-play");
    let mut seen = 0;
    loop {
        std::thread::sleep(Duration::from_secs(5));
        let epochs: Vec<f64> = browser
            .eval("return Array.from(document.querySelectorAll('[data-full-accuracy]')).map(e => Number(e.getAttribute('data-full-accuracy')));")
            .as_array()
            .map(|a| a.iter().filter_map(|v| v.as_f64()).collect())
            .unwrap_or_default();
        for accuracy in epochs.iter().skip(seen) {
            println!(
                "  full test accuracy {:.4} after {:.0} s",
                accuracy,
                started.elapsed().as_secs_f64()
            );
        }
        seen = seen.max(epochs.len());
        let running = attribute(&browser, "#cnn-play", "data-running");
        if running.as_deref() == Some("false") && seen >= 2 {
            break;
        }
        if started.elapsed() > Duration::from_secs(3 * 3600) {
            println!("  gave up after 3 h");
            break;
        }
    }
    let accuracy = attribute(&browser, "#cnn-accuracy", "data-accuracy").unwrap_or_default();
    let examples = browser.text("#cnn-examples-per-second").unwrap_or_default();
    println!(
        "  finished: accuracy {accuracy}, wall {:.0} s, {examples}",
        started.elapsed().as_secs_f64()
    );
}

fn main() {
    let site = serve_site();
    if std::env::args().any(|a| a == "full") {
        cnn_full(&site);
        return;
    }
    playground(&site);
    cnn_speed(&site);
}
