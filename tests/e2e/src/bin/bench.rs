//! `cargo xtask bench`: the playground's training speed in headless Chromium on each backend.

use std::time::{Duration, Instant};

use kindling_e2e::{Browser, number, serve_site};

fn main() {
    let site = serve_site();
    println!("{:<8} {:>10} {:>12} {:>10}  adapter", "backend", "steps", "steps/s", "wall s");
    for backend in ["cpu", "webgpu"] {
        let browser = Browser::start();
        browser.goto(&format!("{site}/?lang=en&backend={backend}#/playground"));
        let badge = browser.wait_for("backend badge", 180, |b| b.text("#backend-badge").filter(|t| t.contains(" · ")));
        browser.wait_for("first loss readout", 300, |b| b.text("#train-loss").as_deref().and_then(number));
        let started = Instant::now();
        browser.click("#play");
        // Train for a fixed wall time, long enough to amortise shader compilation on WebGPU.
        std::thread::sleep(Duration::from_secs(30));
        browser.click("#play");
        std::thread::sleep(Duration::from_secs(1));
        let steps = browser.text("#step-count").as_deref().and_then(number).unwrap_or(0.0);
        let rate = browser.text("#steps-per-second").as_deref().and_then(number).unwrap_or(0.0);
        println!("{backend:<8} {steps:>10} {rate:>12.1} {:>10.1}  {badge}", started.elapsed().as_secs_f64());
    }
}
