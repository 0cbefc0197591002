//! No lost training (issue 14): the CNN lesson and the playground keep their run's latest
//! checkpoint on the page, and when the worker is killed or panics, the new worker resumes the run
//! from it, paused, with the curves up to it. The faults come from the test hooks that
//! `?debug=faults` shows.

use kindling_e2e::recovery::Recoverable;
use kindling_e2e::{Browser, serve_site};

const CNN: Recoverable = Recoverable::steps("#cnn-checkpoint", "#cnn-recovery");
const PLAYGROUND: Recoverable =
    Recoverable::steps("#playground-checkpoint", "#playground-recovery");

fn number(b: &Browser, selector: &str) -> Option<u64> {
    b.text(selector).and_then(|t| t.trim().parse().ok())
}

fn cnn_step(b: &Browser) -> Option<u64> {
    number(b, "#cnn-step-count")
}

fn loss_last_step(b: &Browser) -> Option<u64> {
    b.attribute("#cnn-loss-chart", "data-last-step")
        .and_then(|s| s.parse().ok())
}

fn paused(b: &Browser) -> Option<()> {
    b.attribute("#cnn-play", "data-running")
        .filter(|r| r == "false")
        .map(|_| ())
}

#[test]
fn a_killed_or_panicking_worker_loses_nothing_before_the_last_checkpoint() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu&debug=faults#/cnn?epochs=1"
    ));
    browser.wait_for("MNIST loaded", 180, |b| {
        b.attribute("#cnn-data-progress", "data-state")
            .filter(|s| s == "ready")
    });
    browser.wait_for("untrained model", 60, |b| {
        number(b, "#cnn-step-count").filter(|&s| s == 0)
    });
    assert_eq!(CNN.held(&browser), None);
    let line = browser.text("#cnn-checkpoint").unwrap_or_default();
    assert!(line.contains("every 5 s"), "{line}");

    // Train until the page holds a checkpoint and the run has gone past it; killed then, the
    // page's checkpoint is the one the new worker gets.
    browser.click("#cnn-play");
    let first = CNN.train_past_a_checkpoint(&browser, 300, cnn_step);
    let kept = CNN.kill_worker(&browser, first);
    CNN.resumed(&browser, kept, 180);
    browser.wait_for("paused at the checkpoint's step", 60, |b| {
        cnn_step(b).filter(|&s| s == kept)
    });
    assert!(paused(&browser).is_some(), "resumed paused");
    assert_eq!(loss_last_step(&browser), Some(kept), "the curve up to it");
    browser.screenshot("checkpoint-resumed-after-kill").ok();

    // It trains on from there, then pauses: pausing keeps a checkpoint of that very step.
    browser.click("#cnn-play");
    browser.wait_for("training on", 120, |b| {
        cnn_step(b).filter(|&s| s > kept + 5)
    });
    browser.click("#cnn-play");
    browser.wait_for("paused", 60, paused);
    let at_pause = browser.wait_for("a checkpoint at the pause", 60, |b| {
        let step = cnn_step(b)?;
        (CNN.held(b)? == step).then_some(step)
    });
    assert!(at_pause > kept);

    // A panic in the worker: nothing at all is lost from a paused run.
    Recoverable::panic_worker(&browser);
    CNN.resumed(&browser, at_pause, 180);
    browser.wait_for("the paused step", 60, |b| {
        cnn_step(b).filter(|&s| s == at_pause)
    });
    assert_eq!(loss_last_step(&browser), Some(at_pause));
    browser.click("#cnn-step");
    browser.wait_for("one step more", 120, |b| {
        cnn_step(b).filter(|&s| s == at_pause + 1)
    });

    let foreign: Vec<_> = browser
        .requested_urls()
        .into_iter()
        .filter(|u| !u.starts_with(&site))
        .collect();
    assert!(foreign.is_empty(), "{foreign:?}");
}

#[test]
fn the_fault_hooks_are_hidden_without_the_debug_flag() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en&backend=cpu#/cnn"));
    browser.wait_for("the lesson", 60, |b| b.text("#cnn-checkpoint"));
    assert_eq!(browser.text("#fault-hooks"), None);
}

fn playground_step(b: &Browser) -> Option<u64> {
    number(b, "#step-count")
}

fn playground_curves_end(b: &Browser) -> Option<u64> {
    b.attribute("#playground-curves", "data-last-step")
        .and_then(|s| s.parse().ok())
}

fn playground_paused(b: &Browser) -> Option<()> {
    b.text("#status").filter(|s| s == "Paused").map(|_| ())
}

/// Waits for the playground run to go on from the checkpoint at `kept`, paused, with the curves
/// up to it.
fn playground_resumed_at(browser: &Browser, kept: u64) {
    PLAYGROUND.resumed(browser, kept, 120);
    browser.wait_for("the checkpoint's step", 60, |b| {
        playground_step(b).filter(|&s| s == kept)
    });
    assert!(playground_paused(browser).is_some(), "resumed paused");
    browser.wait_for("the curves up to the checkpoint", 30, |b| {
        playground_curves_end(b).filter(|&s| s == kept)
    });
    let points: usize = browser
        .attribute("#playground-curves", "data-points")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    assert!(
        points > 2,
        "the curves before the checkpoint were kept: {points} points"
    );
}

#[test]
fn a_killed_or_panicking_worker_loses_no_playground_training_before_the_last_checkpoint() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu&debug=faults#/playground"
    ));
    browser.wait_for("the untrained network", 120, |b| {
        b.text("#train-loss").filter(|t| t.trim() != "—")
    });
    assert_eq!(PLAYGROUND.held(&browser), None);
    let line = browser.text("#playground-checkpoint").unwrap_or_default();
    assert!(line.contains("every 5 s"), "{line}");

    // Train until the page holds a checkpoint and the run has gone past it; killed then, the
    // page's checkpoint is the one the new worker gets.
    browser.click("#play");
    let first = PLAYGROUND.train_past_a_checkpoint(&browser, 60, playground_step);
    let kept = PLAYGROUND.kill_worker(&browser, first);
    playground_resumed_at(&browser, kept);
    browser.screenshot("playground-resumed-after-kill").ok();

    // It trains on from there, then pauses: pausing keeps a checkpoint of that very step.
    browser.click("#play");
    browser.wait_for("training on", 60, |b| {
        playground_step(b).filter(|&s| s > kept + 50)
    });
    browser.click("#play");
    browser.wait_for("paused", 30, playground_paused);
    let at_pause = browser.wait_for("a checkpoint at the pause", 30, |b| {
        let step = playground_step(b)?;
        (PLAYGROUND.held(b)? == step).then_some(step)
    });
    assert!(at_pause > kept + 50);

    // A panic in the worker: nothing at all is lost from a paused run.
    Recoverable::panic_worker(&browser);
    playground_resumed_at(&browser, at_pause);
    browser.click("#step");
    browser.wait_for("one step more", 60, |b| {
        playground_step(b).filter(|&s| s == at_pause + 1)
    });
}
