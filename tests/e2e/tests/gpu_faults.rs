//! Faults on WebGPU (issue 14), on headless Chromium's SwiftShader adapter with a tiny CNN: the
//! run's checkpoints hold the weights and the optimiser's state (read asynchronously), a killed
//! WebGPU worker resumes from one, a GPU out of memory (the hook asks for a 3 GiB buffer) is
//! explained and the run goes on from its checkpoint, and a lost GPU device (the hook destroys
//! it) moves the run to a CPU worker, which goes on from the last checkpoint's step, not from 0,
//! and says so.

use kindling_e2e::{Browser, serve_site};

/// One small convolution, a small dense layer, batches of 8: SwiftShader is slow.
const TINY: &str = "epochs=1&blocks=4x3s1p1max2&dense=16&batch=8&opt=adam";

fn number(b: &Browser, selector: &str) -> Option<u64> {
    b.text(selector).and_then(|t| t.trim().parse().ok())
}

fn checkpoint_step(b: &Browser) -> Option<u64> {
    b.attribute("#cnn-checkpoint", "data-step")
        .and_then(|s| s.parse().ok())
}

fn badge(b: &Browser, prefix: &str) -> Option<String> {
    b.text("#backend-badge").filter(|t| t.starts_with(prefix))
}

fn paused(b: &Browser) -> bool {
    b.attribute("#cnn-play", "data-running").as_deref() == Some("false")
}

/// Trains until the page holds a checkpoint past `after`, then pauses; returns the step of the
/// checkpoint taken at the pause.
fn train_to_a_checkpoint(b: &Browser, after: u64) -> u64 {
    b.click("#cnn-play");
    b.wait_for("a checkpoint while training", 300, |b| {
        checkpoint_step(b).filter(|&s| s > after)
    });
    b.click("#cnn-play");
    b.wait_for("paused", 120, |b| paused(b).then_some(()));
    b.wait_for("a checkpoint at the pause", 120, |b| {
        let step = number(b, "#cnn-step-count")?;
        (checkpoint_step(b)? == step).then_some(step)
    })
}

#[test]
fn on_webgpu_a_killed_worker_a_full_gpu_and_a_lost_gpu_go_on_from_the_last_checkpoint() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=webgpu&debug=faults#/cnn?{TINY}"
    ));
    browser.wait_for("WebGPU badge", 180, |b| badge(b, "WebGPU ·"));
    browser.wait_for("MNIST loaded", 180, |b| {
        b.attribute("#cnn-data-progress", "data-state")
            .filter(|s| s == "ready")
    });
    browser.wait_for("untrained model", 120, |b| {
        number(b, "#cnn-step-count").filter(|&s| s == 0)
    });

    // WebGPU keeps whole checkpoints: the weights, the optimiser's state and the step.
    let first = train_to_a_checkpoint(&browser, 0);
    assert!(first > 0);
    let line = browser.text("#cnn-checkpoint").unwrap_or_default();
    assert!(
        line.contains(&format!("step {first}")) && !line.contains("fresh optimiser"),
        "{line}"
    );

    // A killed WebGPU worker: the next one, on WebGPU again, resumes from the checkpoint.
    browser.click("#fault-kill");
    browser.wait_for("the error banner", 60, |b| {
        b.text("#error-banner").filter(|t| t.contains("killed"))
    });
    let said = browser.wait_for("resumed after the kill", 240, |b| {
        b.text("#cnn-recovery")
            .filter(|t| t.contains(&format!("goes on from its checkpoint at step {first}")))
    });
    assert!(said.contains("the optimiser's state"), "{said}");
    browser.wait_for("the checkpoint's step", 60, |b| {
        number(b, "#cnn-step-count").filter(|&s| s == first)
    });
    assert!(badge(&browser, "WebGPU ·").is_some(), "still on WebGPU");

    // The GPU runs out of memory (the hook asks it for a 3 GiB buffer): the banner says so and
    // what needs less, and a new WebGPU worker goes on from the checkpoint.
    let second = train_to_a_checkpoint(&browser, first);
    assert!(second > first);
    browser.click("#fault-gpu-memory");
    let banner = browser.wait_for("the out-of-memory banner", 120, |b| {
        b.text("#error-banner .error-banner-text")
            .filter(|t| t.contains("GPU ran out of memory"))
    });
    assert!(banner.contains("smaller batch"), "{banner}");
    // The size comes from the worker's message, which itself waits behind "details".
    assert!(
        banner.contains("a buffer of 3.2 GB did not fit"),
        "{banner}"
    );
    assert!(!banner.contains("panicked"), "{banner}");
    browser.click("#error-banner summary");
    let details = browser.wait_for("the worker's own words", 10, |b| {
        b.text("#error-details")
            .filter(|t| t.contains("3221225472"))
    });
    assert!(details.contains("panicked"), "{details}");
    let _ = browser.screenshot("gpu-out-of-memory-banner");
    browser.wait_for("resumed after running out of memory", 240, |b| {
        b.text("#cnn-recovery")
            .filter(|t| t.contains(&format!("goes on from its checkpoint at step {second}")))
    });
    browser.wait_for("the checkpoint's step", 60, |b| {
        number(b, "#cnn-step-count").filter(|&s| s == second)
    });
    assert!(badge(&browser, "WebGPU ·").is_some(), "still on WebGPU");

    // Train on past a newer checkpoint, then lose the GPU mid-run.
    let third = train_to_a_checkpoint(&browser, second);
    assert!(third > second);
    browser.click("#cnn-play");
    browser.wait_for("training again", 120, |b| {
        number(b, "#cnn-step-count").filter(|&s| s > third)
    });
    browser.click("#fault-device-lost");
    let banner = browser.wait_for("the device-lost banner", 60, |b| {
        b.text("#error-banner")
            .filter(|t| t.contains("GPU was lost"))
    });
    assert!(banner.contains("moved to the CPU"), "{banner}");
    let text = browser.wait_for("the CPU badge", 240, |b| badge(b, "CPU ·"));
    assert!(
        text.contains("the GPU was lost"),
        "the badge says why: {text}"
    );
    let kept = checkpoint_step(&browser).expect("the checkpoint stays on the page");
    assert!(kept >= third, "{text}");
    let said = browser.wait_for("resumed on the CPU", 240, |b| {
        b.text("#cnn-recovery")
            .filter(|t| t.contains(&format!("goes on from its checkpoint at step {kept}")))
    });
    assert!(said.contains("paused"), "{said}");
    browser.wait_for("the checkpoint's step on the CPU", 60, |b| {
        number(b, "#cnn-step-count").filter(|&s| s == kept)
    });
    assert!(paused(&browser));
    browser.screenshot("gpu-lost-resumed-on-cpu").ok();

    // It trains on, on the CPU, from there.
    browser.click("#cnn-play");
    browser.wait_for("training on the CPU", 120, |b| {
        number(b, "#cnn-step-count").filter(|&s| s > kept + 3)
    });
    assert!(badge(&browser, "CPU ·").is_some());
}
