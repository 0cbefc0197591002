//! No lost training (issue 14): the CNN lesson and the playground keep their run's latest
//! checkpoint on the page, and when the worker is killed or panics, the new worker resumes the run
//! from it, paused, with the curves up to it. The faults come from the test hooks that
//! `?debug=faults` shows.

use kindling_e2e::{Browser, serve_site};

fn number(b: &Browser, selector: &str) -> Option<u64> {
    b.text(selector).and_then(|t| t.trim().parse().ok())
}

fn checkpoint_step(b: &Browser) -> Option<u64> {
    b.attribute("#cnn-checkpoint", "data-step")
        .and_then(|s| s.parse().ok())
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
    assert_eq!(checkpoint_step(&browser), None);
    let line = browser.text("#cnn-checkpoint").unwrap_or_default();
    assert!(line.contains("every 5 s"), "{line}");

    // Train until the page holds a checkpoint and the run has gone past it.
    browser.click("#cnn-play");
    let first = browser.wait_for("a checkpoint while training", 300, checkpoint_step);
    assert!(first > 0);
    browser.wait_for("steps after the checkpoint", 120, |b| {
        let step = number(b, "#cnn-step-count")?;
        (step > checkpoint_step(b)?).then_some(step)
    });

    // Killed mid-training: the page's checkpoint is the one the new worker gets.
    browser.click("#fault-kill");
    let banner = browser.wait_for("the error banner", 60, |b| {
        b.text("#error-banner").filter(|t| t.contains("killed"))
    });
    let kept = checkpoint_step(&browser).expect("the checkpoint stays on the page");
    assert!(kept >= first, "{banner}");
    let said = browser.wait_for("resumed", 180, |b| {
        b.text("#cnn-recovery")
            .filter(|t| t.contains("goes on from its checkpoint"))
    });
    assert!(said.contains(&format!("step {kept}")), "{said}");
    browser.wait_for("paused at the checkpoint's step", 60, |b| {
        number(b, "#cnn-step-count").filter(|&s| s == kept)
    });
    assert!(paused(&browser).is_some(), "resumed paused");
    assert_eq!(loss_last_step(&browser), Some(kept), "the curve up to it");
    browser.screenshot("checkpoint-resumed-after-kill").ok();

    // It trains on from there, then pauses: pausing keeps a checkpoint of that very step.
    browser.click("#cnn-play");
    browser.wait_for("training on", 120, |b| {
        number(b, "#cnn-step-count").filter(|&s| s > kept + 5)
    });
    browser.click("#cnn-play");
    browser.wait_for("paused", 60, paused);
    let at_pause = browser.wait_for("a checkpoint at the pause", 60, |b| {
        let step = number(b, "#cnn-step-count")?;
        (checkpoint_step(b)? == step).then_some(step)
    });
    assert!(at_pause > kept);

    // A panic in the worker: nothing at all is lost from a paused run.
    browser.click("#fault-panic");
    browser.wait_for("the panic's banner", 60, |b| {
        b.text("#error-banner")
            .filter(|t| t.contains("crash requested by the page"))
    });
    let said = browser.wait_for("resumed again", 180, |b| {
        b.text("#cnn-recovery")
            .filter(|t| t.contains(&format!("step {at_pause}")) && t.contains("goes on"))
    });
    assert!(said.contains("paused"), "{said}");
    browser.wait_for("the paused step", 60, |b| {
        number(b, "#cnn-step-count").filter(|&s| s == at_pause)
    });
    assert_eq!(loss_last_step(&browser), Some(at_pause));
    browser.click("#cnn-step");
    browser.wait_for("one step more", 120, |b| {
        number(b, "#cnn-step-count").filter(|&s| s == at_pause + 1)
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

fn playground_checkpoint(b: &Browser) -> Option<u64> {
    b.attribute("#playground-checkpoint", "data-step")
        .and_then(|s| s.parse().ok())
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
    let said = browser.wait_for("resumed", 120, |b| {
        b.text("#playground-recovery")
            .filter(|t| t.contains(&format!("step {kept},")) && t.contains("goes on"))
    });
    assert!(said.contains("paused"), "{said}");
    browser.wait_for("the checkpoint's step", 60, |b| {
        playground_step(b).filter(|&s| s == kept)
    });
    assert!(playground_paused(browser).is_some(), "resumed paused");
    assert_eq!(
        playground_checkpoint(browser),
        Some(kept),
        "its checkpoint stays"
    );
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
    assert_eq!(playground_checkpoint(&browser), None);
    let line = browser.text("#playground-checkpoint").unwrap_or_default();
    assert!(line.contains("every 5 s"), "{line}");

    // Train until the page holds a checkpoint and the run has gone past it.
    browser.click("#play");
    let first = browser.wait_for("a checkpoint while training", 60, playground_checkpoint);
    assert!(first > 0);
    browser.wait_for("steps after the checkpoint", 60, |b| {
        let step = playground_step(b)?;
        (step > playground_checkpoint(b)?).then_some(step)
    });

    // Killed mid-training: the page's checkpoint is the one the new worker gets.
    browser.click("#fault-kill");
    browser.wait_for("the error banner", 60, |b| {
        b.text("#error-banner").filter(|t| t.contains("killed"))
    });
    let kept = playground_checkpoint(&browser).expect("the checkpoint stays on the page");
    assert!(kept >= first);
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
        (playground_checkpoint(b)? == step).then_some(step)
    });
    assert!(at_pause > kept + 50);

    // A panic in the worker: nothing at all is lost from a paused run.
    browser.click("#fault-panic");
    browser.wait_for("the panic's banner", 60, |b| {
        b.text("#error-banner")
            .filter(|t| t.contains("crash requested by the page"))
    });
    playground_resumed_at(&browser, at_pause);
    browser.click("#step");
    browser.wait_for("one step more", 60, |b| {
        playground_step(b).filter(|&s| s == at_pause + 1)
    });
}
