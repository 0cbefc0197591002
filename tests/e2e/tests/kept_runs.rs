//! Runs kept in the browser (issue 14): "Keep this run" stores the CNN's latest checkpoint and
//! curves in IndexedDB, and after a reload "Resume where I left off" brings the run back; damaged
//! stored data gets a message. A frozen tab (the DevTools protocol's page lifecycle, as the
//! browser freezes a hidden tab) keeps the run too, and training goes on after it is thawed with
//! nothing lost. The playground's run is kept the same way: on request, and when frozen after a
//! single step; after a reload it comes back at its step with its curves.

use kindling_e2e::{Browser, serve_site};

fn number(b: &Browser, selector: &str) -> Option<u64> {
    b.text(selector).and_then(|t| t.trim().parse().ok())
}

fn step_attribute(b: &Browser, selector: &str) -> Option<u64> {
    b.attribute(selector, "data-step")
        .and_then(|s| s.parse().ok())
}

fn open_cnn(browser: &Browser, site: &str) {
    browser.goto(&format!("{site}/?lang=en&backend=cpu#/cnn?epochs=1"));
    wait_for_data(browser);
}

fn wait_for_data(browser: &Browser) {
    browser.wait_for("MNIST loaded", 180, |b| {
        b.attribute("#cnn-data-progress", "data-state")
            .filter(|s| s == "ready")
    });
}

/// Trains until the page holds a checkpoint, then pauses; the step it paused at, whose
/// checkpoint the page then holds.
fn train_and_pause(browser: &Browser) -> u64 {
    browser.wait_for("a model", 60, |b| number(b, "#cnn-step-count"));
    browser.click("#cnn-play");
    browser.wait_for("a checkpoint while training", 300, |b| {
        step_attribute(b, "#cnn-checkpoint")
    });
    browser.click("#cnn-play");
    browser.wait_for("a checkpoint at the pause", 60, |b| {
        let paused = b.attribute("#cnn-play", "data-running")? == "false";
        let step = number(b, "#cnn-step-count")?;
        (paused && step_attribute(b, "#cnn-checkpoint")? == step).then_some(step)
    })
}

#[test]
fn a_kept_run_resumes_after_a_reload_with_its_curves() {
    let site = serve_site();
    let browser = Browser::start();
    open_cnn(&browser, &site);
    assert_eq!(browser.text("#cnn-resume-kept"), None, "nothing kept yet");
    let paused = train_and_pause(&browser);
    assert!(paused > 0);
    browser.click("#cnn-keep");
    browser.wait_for("kept in the browser", 60, |b| {
        step_attribute(b, "#cnn-kept-message").filter(|&s| s == paused)
    });

    browser.reload();
    let offered = browser.wait_for("the offer to resume", 120, |b| {
        step_attribute(b, "#cnn-resume-kept")
    });
    assert_eq!(offered, paused);
    let label = browser.text("#cnn-resume-kept").unwrap_or_default();
    assert!(label.contains("Resume where I left off"), "{label}");
    wait_for_data(&browser);
    browser.click("#cnn-resume-kept");
    let said = browser.wait_for("restored", 180, |b| {
        b.text("#cnn-recovery")
            .filter(|t| t.contains("kept in this browser"))
    });
    assert!(said.contains(&format!("step {paused}")), "{said}");
    browser.wait_for("the kept step", 60, |b| {
        number(b, "#cnn-step-count").filter(|&s| s == paused)
    });
    let last = browser
        .attribute("#cnn-loss-chart", "data-last-step")
        .and_then(|s| s.parse::<u64>().ok());
    assert_eq!(last, Some(paused), "the curve up to the kept step");
    let points = browser.eval(
        "return document.querySelector('#cnn-loss-chart polyline.train').getAttribute('points').split(' ').length;",
    );
    assert!(
        points.as_u64().is_some_and(|n| n > 2),
        "the curve before the reload is drawn again: {points}"
    );
    assert_eq!(browser.text("#cnn-resume-kept"), None, "offered once");
    browser.click("#cnn-step");
    browser.wait_for("one step more", 120, |b| {
        number(b, "#cnn-step-count").filter(|&s| s == paused + 1)
    });
    browser.screenshot("kept-run-resumed").ok();
}

#[test]
fn damaged_kept_data_gets_a_message_not_a_panic() {
    let site = serve_site();
    let browser = Browser::start();
    open_cnn(&browser, &site);
    // Damaged bytes where the run is kept (the page made the store when it looked): this
    // format's number (engine CnnCheckpoint's KEPT_FORMAT, 3 since the Stepper's checkpoints), then
    // junk.
    browser.eval(
        "const open = indexedDB.open('kindling', 1);
         open.onupgradeneeded = () => open.result.createObjectStore('runs');
         open.onsuccess = () => {
             const tx = open.result.transaction('runs', 'readwrite');
             tx.objectStore('runs').put(new Uint8Array([3, 250, 3, 4, 5]), 'cnn');
             tx.oncomplete = () => { window.junkKept = true; };
         };
         return null;",
    );
    browser.wait_for("the damaged bytes stored", 30, |b| {
        b.eval("return window.junkKept === true;")
            .as_bool()
            .filter(|&done| done)
    });
    browser.reload();
    let message = browser.wait_for("the message", 120, |b| b.text("#cnn-kept-problem"));
    assert!(message.contains("could not be read"), "{message}");
    assert_eq!(browser.text("#cnn-resume-kept"), None);
    // The lesson goes on: it trains, and keeping the run replaces the damaged bytes.
    let paused = train_and_pause(&browser);
    browser.click("#cnn-keep");
    browser.wait_for("kept", 60, |b| {
        step_attribute(b, "#cnn-kept-message").filter(|&s| s == paused)
    });
    let errors: Vec<_> = browser
        .console()
        .into_iter()
        .filter(|(_, m)| m.contains("panicked"))
        .collect();
    assert!(errors.is_empty(), "{errors:?}");
}

#[test]
fn a_frozen_tab_keeps_the_run_and_training_goes_on_after_it() {
    let site = serve_site();
    let browser = Browser::start();
    open_cnn(&browser, &site);
    browser.wait_for("a model", 60, |b| number(b, "#cnn-step-count"));
    browser.click("#cnn-play");
    let before = browser.wait_for("a checkpoint while training", 300, |b| {
        step_attribute(b, "#cnn-checkpoint")
    });

    // Frozen, as Chromium freezes a hidden tab: the page hears `freeze` and keeps the run.
    browser.freeze_and_thaw();
    let kept = browser.wait_for("kept when frozen", 60, |b| {
        let text = b.text("#cnn-kept-message")?;
        text.contains("hidden")
            .then(|| step_attribute(b, "#cnn-kept-message"))
            .flatten()
    });
    assert!(kept >= before, "{kept} ≥ {before}");

    // Training goes on, past what was kept, and the page's checkpoint moves on with it.
    browser.wait_for("training after the thaw", 120, |b| {
        let running = b.attribute("#cnn-play", "data-running")? == "true";
        (running && number(b, "#cnn-step-count")? > kept).then_some(())
    });
    browser.wait_for("a later checkpoint", 300, |b| {
        step_attribute(b, "#cnn-checkpoint").filter(|&s| s > kept)
    });
    browser.click("#cnn-play");
    // A reload offers the run as it was kept when frozen.
    browser.reload();
    let offered = browser.wait_for("the offer to resume", 120, |b| {
        step_attribute(b, "#cnn-resume-kept")
    });
    assert_eq!(offered, kept);
}

fn playground_step(b: &Browser) -> Option<u64> {
    number(b, "#step-count")
}

fn playground_checkpoint(b: &Browser) -> Option<u64> {
    step_attribute(b, "#playground-checkpoint")
}

fn playground_paused(b: &Browser) -> Option<()> {
    b.text("#status").filter(|s| s == "Paused").map(|_| ())
}

#[test]
fn a_kept_playground_run_resumes_after_a_reload_with_its_curves_and_step() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en&backend=cpu#/playground"));
    browser.wait_for("the untrained network", 120, |b| {
        b.text("#train-loss").filter(|t| t.trim() != "—")
    });
    assert_eq!(
        browser.text("#playground-resume-kept"),
        None,
        "nothing kept yet"
    );
    browser.click("#play");
    browser.wait_for("a checkpoint while training", 60, playground_checkpoint);
    browser.click("#play");
    browser.wait_for("paused", 30, playground_paused);
    let at_pause = browser.wait_for("a checkpoint at the pause", 30, |b| {
        let step = playground_step(b)?;
        (playground_checkpoint(b)? == step).then_some(step)
    });
    assert!(at_pause > 0);
    browser.click("#playground-keep");
    browser.wait_for("kept in the browser", 60, |b| {
        step_attribute(b, "#playground-kept-message").filter(|&s| s == at_pause)
    });

    // One step while paused: its checkpoint is the one a frozen (hidden) tab keeps.
    browser.click("#step");
    let kept = at_pause + 1;
    browser.wait_for("the step's checkpoint", 60, |b| {
        playground_checkpoint(b).filter(|&s| s == kept)
    });
    browser.freeze_and_thaw();
    let message = browser.wait_for("kept when frozen", 60, |b| {
        // The text and the attribute are two reads: the text must itself name the step, or it
        // may be the message before (kept on request, one step earlier).
        let text = b.text("#playground-kept-message")?;
        let current = step_attribute(b, "#playground-kept-message")? == kept
            && text.contains(&format!("step {kept}"));
        current.then_some(text)
    });
    assert!(message.contains("hidden"), "{message}");

    browser.reload();
    let offered = browser.wait_for("the offer to resume", 120, |b| {
        step_attribute(b, "#playground-resume-kept")
    });
    assert_eq!(offered, kept);
    let label = browser.text("#playground-resume-kept").unwrap_or_default();
    assert!(label.contains("Resume where I left off"), "{label}");
    browser.wait_for("a fresh network first", 120, |b| {
        b.text("#train-loss").filter(|t| t.trim() != "—")
    });
    assert_eq!(playground_step(&browser), Some(0));
    browser.click("#playground-resume-kept");
    let said = browser.wait_for("restored", 120, |b| {
        b.text("#playground-recovery")
            .filter(|t| t.contains("kept in this browser goes on"))
    });
    assert!(said.contains(&format!("step {kept}")), "{said}");
    browser.wait_for("the kept step", 60, |b| {
        playground_step(b).filter(|&s| s == kept)
    });
    assert!(playground_paused(&browser).is_some(), "restored paused");
    assert_eq!(playground_checkpoint(&browser), Some(kept));
    browser.wait_for("the curves up to the kept step", 30, |b| {
        b.attribute("#playground-curves", "data-last-step")
            .and_then(|s| s.parse::<u64>().ok())
            .filter(|&s| s == kept)
    });
    let points: usize = browser
        .attribute("#playground-curves", "data-points")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    assert!(
        points > 2,
        "the curves before the reload are drawn again: {points} points"
    );
    assert_eq!(
        browser.text("#playground-resume-kept"),
        None,
        "offered once"
    );
    browser.click("#step");
    browser.wait_for("one step more", 60, |b| {
        playground_step(b).filter(|&s| s == kept + 1)
    });
}
