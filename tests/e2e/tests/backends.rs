//! Which worker build the page starts, in headless Chromium, whose only WebGPU adapter is
//! SwiftShader (a software one): on `Auto` the CPU-only worker, on `webgpu` the WebGPU worker,
//! and the other one after a switch in the badge. A calibration (forced with `?debug=calibrate`,
//! since `Auto` never starts the WebGPU worker here) shows in the badge and is kept per adapter.

use kindling_e2e::{Browser, number, serve_site};

const CPU_SCRIPT: &str = "/worker_cpu_loader.js";
const WEBGPU_SCRIPT: &str = "/worker_loader.js";

fn badge(b: &Browser, prefix: &str) -> Option<String> {
    b.text("#backend-badge").filter(|t| t.starts_with(prefix))
}

/// Which of the two worker scripts the page has asked for: (CPU-only, WebGPU).
fn scripts(b: &Browser) -> (bool, bool) {
    let urls = b.requested_urls();
    let asked = |script: &str| urls.iter().any(|u| u.ends_with(script));
    (asked(CPU_SCRIPT), asked(WEBGPU_SCRIPT))
}

/// Console errors since the last look; none are expected.
fn assert_no_errors(b: &Browser) {
    let errors: Vec<_> = b
        .console()
        .into_iter()
        .filter(|(level, _)| level == "SEVERE")
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");
}

#[test]
fn auto_starts_the_cpu_worker_on_a_software_adapter() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en&backend=auto#/playground"));
    let text = browser.wait_for("CPU badge", 120, |b| badge(b, "CPU ·"));
    assert!(text.contains("software adapter"), "{text}");
    assert_eq!(
        scripts(&browser),
        (true, false),
        "{:?}",
        browser.requested_urls()
    );
    // The CPU worker trains the lesson.
    browser.wait_for("loss readout", 120, |b| {
        b.text("#train-loss").as_deref().and_then(number)
    });
    assert!(browser.text("#backend-measured").is_none());
    assert_no_errors(&browser);
}

#[test]
fn webgpu_starts_the_webgpu_worker_and_a_switch_starts_the_cpu_worker() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en&backend=webgpu#/"));
    browser.wait_for("WebGPU badge", 180, |b| badge(b, "WebGPU ·"));
    assert_eq!(
        scripts(&browser),
        (false, true),
        "{:?}",
        browser.requested_urls()
    );
    browser.select("#backend-select", "cpu");
    let text = browser.wait_for("CPU badge after the switch", 120, |b| badge(b, "CPU ·"));
    assert_eq!(text, "CPU · you chose the CPU");
    assert_eq!(scripts(&browser), (true, true));
    assert_no_errors(&browser);
}

#[test]
fn a_calibration_is_shown_and_kept_for_the_adapter() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en&backend=webgpu&debug=calibrate#/"));
    let adapter = browser
        .wait_for("WebGPU badge", 180, |b| badge(b, "WebGPU · "))
        .trim_start_matches("WebGPU · ")
        .to_string();
    let measured = browser.wait_for("measurement", 120, |b| b.text("#backend-measured"));
    assert!(measured.starts_with("measured: "), "{measured}");
    println!("{adapter}: {measured}");
    let kept = browser.eval("return localStorage.getItem('kindling.calibrations');");
    let kept: serde_json::Value =
        serde_json::from_str(kept.as_str().expect("a calibration is kept")).unwrap();
    let calibration = &kept[0]["calibration"];
    assert_eq!(calibration["adapter"], adapter.as_str(), "{kept}");
    let choice = calibration["choice"].as_str().unwrap_or_default();
    assert!(choice == "cpu" || choice == "webgpu", "{kept}");
    // Kept with when and in which browser it was measured, so that it can expire.
    let user_agent = browser.eval("return navigator.userAgent;");
    assert_eq!(kept[0]["browser"], user_agent, "{kept}");
    assert!(
        kept[0]["measured_ms"].as_f64().unwrap_or(0.0) > 0.0,
        "{kept}"
    );
    // The learner chose WebGPU: the measurement neither switches nor offers a switch.
    assert!(browser.text("#backend-switch").is_none());
    assert!(badge(&browser, "WebGPU · ").is_some());
    assert_no_errors(&browser);
}
