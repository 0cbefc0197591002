//! No lost training in the detection project (issue 14): the page keeps the run's latest
//! checkpoint, and when the worker is killed mid-run, the new worker resumes the detector from it,
//! paused at its step with the curves up to it, and trains on from there, not from fresh weights
//! at step 0. Level one on the CPU with a small head; the fault comes from the test hook that
//! `?debug=faults` shows.

use kindling_e2e::recovery::Recoverable;
use kindling_e2e::{Browser, serve_site};

const DETECT: Recoverable = Recoverable::steps("#detect-checkpoint", "#detect-recovery");

/// The run's step and its steps, from "12 / 60".
fn steps(b: &Browser) -> Option<(u64, u64)> {
    let text = b.text("#detect-step")?;
    let (step, of) = text.split_once(" / ")?;
    Some((
        step.replace(',', "").trim().parse().ok()?,
        of.replace(',', "").trim().parse().ok()?,
    ))
}

fn step(b: &Browser) -> Option<u64> {
    steps(b).map(|(step, _)| step)
}

fn paused(b: &Browser) -> Option<()> {
    let class = b.attribute("#detect-play", "class")?;
    (!class.contains("running")).then_some(())
}

#[test]
fn a_killed_worker_loses_no_detector_training_before_the_last_checkpoint() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu&debug=faults#/detect?steps=400&batch=2&hidden=8&seed=3"
    ));
    browser.wait_for("the backbone and MNIST loaded", 240, |b| {
        b.attribute("#detect-data-progress", "data-state")
            .filter(|s| s == "ready")
    });
    browser.click("#detect-run");
    let line = browser.wait_for("the checkpoint line", 120, |b| b.text("#detect-checkpoint"));
    assert!(line.contains("every 5 s"), "{line}");

    // Train until the page holds a checkpoint and the run has gone past it; killed then, the
    // page's checkpoint is the one the new worker gets.
    let first = DETECT.train_past_a_checkpoint(&browser, 300, step);
    let kept = DETECT.kill_worker(&browser, first);
    DETECT.resumed(&browser, kept, 300);
    assert_eq!(
        steps(&browser),
        Some((kept, 400)),
        "at the checkpoint's step"
    );
    assert!(paused(&browser).is_some(), "resumed paused");
    browser.screenshot("detect-resumed-after-kill").ok();

    // It trains on from there, not from step 0, and a pause keeps a checkpoint of that step.
    browser.click("#detect-play");
    browser.wait_for("training on from the checkpoint", 300, |b| {
        step(b).filter(|&s| s > kept + 2)
    });
    browser.click("#detect-play");
    browser.wait_for("paused", 60, paused);
    let at_pause = browser.wait_for("a checkpoint at the pause", 60, |b| {
        let step = step(b)?;
        (DETECT.held(b)? == step).then_some(step)
    });
    assert!(at_pause > kept + 2);

    let foreign: Vec<_> = browser
        .requested_urls()
        .into_iter()
        .filter(|u| !u.starts_with(&site))
        .collect();
    assert!(foreign.is_empty(), "{foreign:?}");
}
