//! No lost training in the detection project (issue 14): the page keeps the run's latest
//! checkpoint, and when the worker is killed mid-run, the new worker resumes the detector from it,
//! paused at its step with the curves up to it, and trains on from there, not from fresh weights
//! at step 0. Level one on the CPU with a small head; the fault comes from the test hook that
//! `?debug=faults` shows. A run kept in the browser ("Keep this run") is offered after a reload
//! and comes back at its step with its curves, paused, and trains on from there.

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

/// The loss chart's points, and its first and last step (the axis' ticks).
fn loss_chart(b: &Browser) -> Option<(u64, u64, u64)> {
    let read = b.eval(
        "const line = document.querySelector('#detect-losses polyline.class-loss');
         const ticks = [...document.querySelectorAll('#detect-losses text.tick')];
         if (!line || ticks.length < 2) return null;
         return [line.getAttribute('points').split(' ').length,
                 Number(ticks[0].textContent), Number(ticks[ticks.length - 1].textContent)];",
    );
    let read = read.as_array()?;
    let number = |i: usize| read.get(i)?.as_u64();
    Some((number(0)?, number(1)?, number(2)?))
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

#[test]
fn a_kept_detection_run_resumes_after_a_reload_with_its_step_and_curves() {
    let site = serve_site();
    let browser = Browser::start();
    let ready = |browser: &Browser| {
        browser.wait_for("the backbone and MNIST loaded", 240, |b| {
            b.attribute("#detect-data-progress", "data-state")
                .filter(|s| s == "ready")
        })
    };
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/detect?steps=400&batch=2&hidden=8&seed=3"
    ));
    ready(&browser);
    assert_eq!(
        browser.text("#detect-resume-kept"),
        None,
        "nothing kept yet"
    );
    browser.click("#detect-run");
    browser.wait_for("a checkpoint while training", 300, |b| DETECT.held(b));
    browser.click("#detect-play");
    browser.wait_for("paused", 60, paused);
    let at_pause = browser.wait_for("a checkpoint at the pause", 60, |b| {
        let step = step(b)?;
        (DETECT.held(b)? == step).then_some(step)
    });
    let (points, first, last) = loss_chart(&browser).expect("the loss curves");
    assert!(points > 2 && last == at_pause, "{points} points to {last}");
    browser.click("#detect-keep");
    browser.wait_for("kept in the browser", 60, |b| {
        // Two reads: the text itself names the step.
        let text = b.text("#detect-kept-message")?;
        (text.contains(&format!("step {at_pause}"))
            && b.attribute("#detect-kept-message", "data-step")? == at_pause.to_string())
        .then_some(())
    });

    browser.reload();
    let offered = browser.wait_for("the offer to resume", 120, |b| {
        b.attribute("#detect-resume-kept", "data-step")
            .and_then(|s| s.parse::<u64>().ok())
    });
    assert_eq!(offered, at_pause);
    let label = browser.text("#detect-resume-kept").unwrap_or_default();
    assert!(label.contains("Resume where I left off"), "{label}");
    assert_eq!(
        browser.text("#detect-step"),
        None,
        "no run before the resume"
    );
    ready(&browser);
    browser.click("#detect-resume-kept");
    let said = DETECT.resumed(&browser, at_pause, 180);
    assert!(said.contains("kept in this browser"), "{said}");
    assert_eq!(steps(&browser), Some((at_pause, 400)), "at the kept step");
    assert!(paused(&browser).is_some(), "resumed paused");
    assert_eq!(
        loss_chart(&browser),
        Some((points, first, at_pause)),
        "the curves drawn before the reload"
    );
    assert_eq!(browser.text("#detect-resume-kept"), None, "offered once");
    browser.screenshot("detect-kept-resumed").ok();

    // It trains on from the kept step: the curves go on from there, not from step 0.
    browser.click("#detect-play");
    browser.wait_for("training on from the kept step", 300, |b| {
        step(b).filter(|&s| s > at_pause)
    });
    browser.click("#detect-play");
    browser.wait_for("paused", 60, paused);
    let (more, from, to) = loss_chart(&browser).expect("the loss curves");
    assert!(
        from == first && to > at_pause && more > points,
        "{more} points from {from} to {to}"
    );

    let foreign: Vec<_> = browser
        .requested_urls()
        .into_iter()
        .filter(|u| !u.starts_with(&site))
        .collect();
    assert!(foreign.is_empty(), "{foreign:?}");
}
