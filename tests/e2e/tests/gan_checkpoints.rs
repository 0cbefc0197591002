//! No lost training in the GAN lesson (issue 14): the page keeps the run's latest checkpoint, and
//! when the worker is killed or panics, the new worker resumes the run from it, paused, with the
//! curves up to it (and, for the digits, its sample grid). The digits section uses the small MLP
//! pair on the CPU, the 2-D section its default run, to keep it quick; the faults come from the
//! test hooks that `?debug=faults` shows. A digit run kept in the browser (IndexedDB) when the tab
//! is frozen comes back after a reload with "Resume where I left off", and damaged kept bytes are
//! said; so does a 2-D run, kept on request and again, after a single D step, when frozen.

use kindling_e2e::recovery::Recoverable;
use kindling_e2e::{Browser, number, serve_site};

const DIGITS: Recoverable =
    Recoverable::iterations("#gan-digits-checkpoint", "#gan-digits-recovery");
const TOY: Recoverable = Recoverable::iterations("#gan-toy-checkpoint", "#gan-toy-recovery");

fn iterations(b: &Browser) -> Option<u64> {
    let text = b.text("#gan-digits-iterations")?;
    number(text.split_whitespace().next()?).map(|n| n as u64)
}

fn checkpoint(b: &Browser) -> Option<u64> {
    DIGITS.held(b)
}

fn curves_end(b: &Browser) -> Option<u64> {
    b.attribute("#gan-digit-curves-box", "data-last-iteration")
        .and_then(|s| s.parse().ok())
}

fn paused(b: &Browser) -> Option<()> {
    let class = b.attribute("#gan-digits-play", "class")?;
    (!class.contains("running")).then_some(())
}

/// Waits for the run to go on from the checkpoint after `kept` iterations, paused, with the
/// curves up to it and a sample grid.
fn resumed_at(browser: &Browser, kept: u64) {
    DIGITS.resumed(browser, kept, 240);
    browser.wait_for("the checkpoint's iteration", 60, |b| {
        iterations(b).filter(|&n| n == kept)
    });
    assert!(paused(browser).is_some(), "resumed paused");
    assert_eq!(curves_end(browser), Some(kept), "the curves up to it");
    browser.wait_for("the sample grid", 60, |b| {
        b.attribute("#gan-digits-grid", "data-checksum")
    });
}

#[test]
fn a_killed_or_panicking_worker_loses_no_digit_training_before_the_last_checkpoint() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu&debug=faults#/gan?dmodel=mlp&dbatch=16"
    ));
    browser.click_when_enabled("#gan-digits-start");
    browser.wait_for("the first sample grid", 240, |b| {
        b.attribute("#gan-digits-grid", "data-checksum")
    });
    assert_eq!(checkpoint(&browser), None);
    let line = browser.text("#gan-digits-checkpoint").unwrap_or_default();
    assert!(line.contains("every 5 s"), "{line}");

    // Train until the page holds a checkpoint and the run has gone past it; killed then, the
    // page's checkpoint is the one the new worker gets.
    browser.click_when_enabled("#gan-digits-play");
    let first = DIGITS.train_past_a_checkpoint(&browser, 300, iterations);
    let kept = DIGITS.kill_worker(&browser, first);
    resumed_at(&browser, kept);
    browser.screenshot("gan-digits-resumed-after-kill").ok();

    // It trains on from there, then pauses: pausing keeps a checkpoint of that very iteration.
    browser.click_when_enabled("#gan-digits-play");
    browser.wait_for("training on", 120, |b| {
        iterations(b).filter(|&n| n > kept + 5)
    });
    browser.click_when_enabled("#gan-digits-play");
    browser.wait_for("paused", 60, paused);
    let at_pause = browser.wait_for("a checkpoint at the pause", 60, |b| {
        let n = iterations(b)?;
        (checkpoint(b)? == n).then_some(n)
    });
    assert!(at_pause > kept);

    // A panic in the worker: nothing at all is lost from a paused run.
    Recoverable::panic_worker(&browser);
    resumed_at(&browser, at_pause);
    browser.click_when_enabled("#gan-digits-step");
    browser.wait_for("one iteration more", 120, |b| {
        iterations(b).filter(|&n| n == at_pause + 1)
    });
}

fn toy_iterations(b: &Browser) -> Option<u64> {
    number(&b.text("#gan-iterations")?).map(|n| n as u64)
}

fn toy_checkpoint(b: &Browser) -> Option<u64> {
    TOY.held(b)
}

fn toy_paused(b: &Browser) -> Option<()> {
    b.text("#gan-status").filter(|s| s == "Paused").map(|_| ())
}

/// D's and G's updates shown, added up: the x of the curves' last point.
fn toy_updates(b: &Browser) -> Option<u64> {
    let text = b.text("#gan-updates")?;
    let (d, g) = text.split_once('/')?;
    Some(d.trim().parse::<u64>().ok()? + g.trim().parse::<u64>().ok()?)
}

#[test]
fn a_killed_worker_loses_no_2d_training_before_the_last_checkpoint() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en&backend=cpu&debug=faults#/gan"));
    browser.wait_for("the untrained view", 120, |b| {
        toy_iterations(b).filter(|&n| n == 0)
    });
    assert_eq!(toy_checkpoint(&browser), None);
    let line = browser.text("#gan-toy-checkpoint").unwrap_or_default();
    assert!(line.contains("every 5 s"), "{line}");

    // Train until the page holds a checkpoint and the run has gone past it; killed then, the
    // page's checkpoint is the one the new worker gets.
    browser.click("#gan-play");
    let first = TOY.train_past_a_checkpoint(&browser, 120, toy_iterations);
    let kept = TOY.kill_worker(&browser, first);
    TOY.resumed(&browser, kept, 120);
    browser.wait_for("the checkpoint's iteration", 60, |b| {
        toy_iterations(b).filter(|&n| n == kept)
    });
    assert!(toy_paused(&browser).is_some(), "resumed paused");
    // The curves end at the checkpoint's updates, and those before it are kept.
    let updates = toy_updates(&browser).expect("the resumed run's updates");
    assert!(
        updates >= 2 * kept,
        "{updates} updates after {kept} iterations"
    );
    browser.wait_for("the curves up to the checkpoint", 30, |b| {
        b.attribute("#gan-curves-box", "data-last-update")
            .filter(|u| *u == updates.to_string())
    });
    let points: usize = browser
        .attribute("#gan-curves-box", "data-points")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    assert!(
        points > 2,
        "the curves before the checkpoint were kept: {points} points"
    );
    browser.screenshot("gan-2d-resumed-after-kill").ok();

    // It trains on from there; pausing keeps a checkpoint of that very iteration.
    browser.click("#gan-play");
    browser.wait_for("training on", 60, |b| {
        toy_iterations(b).filter(|&n| n > kept + 20)
    });
    browser.click("#gan-play");
    browser.wait_for("paused", 30, toy_paused);
    let at_pause = browser.wait_for("a checkpoint at the pause", 30, |b| {
        let n = toy_iterations(b)?;
        (toy_checkpoint(b)? == n).then_some(n)
    });
    assert!(at_pause > kept + 20);
}

fn kept_offer(b: &Browser) -> Option<u64> {
    b.attribute("#gan-digits-resume-kept", "data-iterations")
        .and_then(|s| s.parse().ok())
}

#[test]
fn a_digit_run_kept_in_the_browser_resumes_after_a_reload_and_damage_is_said() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/gan?dmodel=mlp&dbatch=16"
    ));
    browser.click_when_enabled("#gan-digits-start");
    browser.wait_for("the first sample grid", 240, |b| {
        b.attribute("#gan-digits-grid", "data-checksum")
    });
    assert_eq!(kept_offer(&browser), None, "nothing kept yet");

    // Train, pause: the page holds the checkpoint of the paused iteration.
    browser.click_when_enabled("#gan-digits-play");
    browser.wait_for("a checkpoint while training", 300, checkpoint);
    browser.click_when_enabled("#gan-digits-play");
    browser.wait_for("paused", 60, paused);
    let at_pause = browser.wait_for("a checkpoint at the pause", 60, |b| {
        let n = iterations(b)?;
        (checkpoint(b)? == n).then_some(n)
    });

    // Frozen, as Chromium freezes a hidden tab: the page keeps the run in IndexedDB.
    browser.freeze_and_thaw();
    let kept = browser.wait_for("kept when frozen", 60, |b| {
        let text = b.text("#gan-digits-kept-message")?;
        text.contains("hidden")
            .then(|| b.attribute("#gan-digits-kept-message", "data-iterations"))
            .flatten()
            .and_then(|s| s.parse::<u64>().ok())
    });
    assert_eq!(kept, at_pause);

    // After a reload, the run is offered before the section starts, and resumed with its curves.
    browser.reload();
    let offered = browser.wait_for("the offer to resume", 120, kept_offer);
    assert_eq!(offered, kept);
    browser.click("#gan-digits-resume-kept");
    let said = browser.wait_for("restored", 240, |b| {
        b.text("#gan-digits-recovery")
            .filter(|t| t.contains("kept in this browser goes on"))
    });
    assert!(said.contains(&format!("after {kept} iterations")), "{said}");
    browser.wait_for("the kept iteration", 60, |b| {
        iterations(b).filter(|&n| n == kept)
    });
    assert!(paused(&browser).is_some(), "restored paused");
    assert_eq!(curves_end(&browser), Some(kept), "the curves up to it");
    assert_eq!(
        checkpoint(&browser),
        Some(kept),
        "its checkpoint is the page's"
    );
    assert_eq!(kept_offer(&browser), None, "offered once");
    browser.click_when_enabled("#gan-digits-step");
    browser.wait_for("one iteration more", 120, |b| {
        iterations(b).filter(|&n| n == kept + 1)
    });

    // Damaged bytes where the run is kept (not even a format number): said after a reload,
    // nothing offered, no panic.
    browser.eval(
        "const open = indexedDB.open('kindling', 1);
         open.onsuccess = () => {
             const tx = open.result.transaction('runs', 'readwrite');
             tx.objectStore('runs').put(new Uint8Array([255, 255, 255, 255, 255, 255]), 'gan-digits');
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
    let message = browser.wait_for("the message", 120, |b| b.text("#gan-digits-kept-problem"));
    assert!(message.contains("could not be read"), "{message}");
    assert_eq!(kept_offer(&browser), None);
    let panics: Vec<_> = browser
        .console()
        .into_iter()
        .filter(|(_, m)| m.contains("panicked"))
        .collect();
    assert!(panics.is_empty(), "{panics:?}");
}

#[test]
fn a_2d_run_kept_in_the_browser_resumes_after_a_reload() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en&backend=cpu#/gan"));
    browser.wait_for("the untrained view", 120, |b| {
        toy_iterations(b).filter(|&n| n == 0)
    });
    assert_eq!(
        browser.text("#gan-toy-resume-kept"),
        None,
        "nothing kept yet"
    );
    browser.click("#gan-play");
    browser.wait_for("a checkpoint while training", 120, toy_checkpoint);
    browser.click("#gan-play");
    browser.wait_for("paused", 30, toy_paused);
    let at_pause = browser.wait_for("a checkpoint at the pause", 30, |b| {
        let n = toy_iterations(b)?;
        (toy_checkpoint(b)? == n).then_some(n)
    });
    let updates = toy_updates(&browser).expect("the paused run's updates");

    // Kept on request; after a reload it is offered and comes back with its curves.
    browser.click("#gan-toy-keep");
    browser.wait_for("kept in the browser", 60, |b| {
        b.attribute("#gan-toy-kept-message", "data-iterations")
            .filter(|n| *n == at_pause.to_string())
    });
    // One D step while paused moves the updates, not the iterations: the page gets its
    // checkpoint, and a hidden (frozen) tab keeps that one, not the one kept before.
    browser.click("#gan-step-d");
    let updates = updates + 1;
    browser.wait_for("the D step's checkpoint", 60, |b| {
        b.attribute("#gan-toy-checkpoint", "data-updates")
            .filter(|u| *u == updates.to_string())
    });
    browser.freeze_and_thaw();
    browser.wait_for("kept when frozen", 60, |b| {
        b.text("#gan-toy-kept-message")
            .filter(|t| t.contains("hidden"))
    });
    browser.reload();
    let offered = browser.wait_for("the offer to resume", 120, |b| {
        b.attribute("#gan-toy-resume-kept", "data-iterations")
            .and_then(|s| s.parse::<u64>().ok())
    });
    assert_eq!(offered, at_pause);
    browser.click("#gan-toy-resume-kept");
    let said = browser.wait_for("restored", 120, |b| {
        b.text("#gan-toy-recovery")
            .filter(|t| t.contains("kept in this browser goes on"))
    });
    assert!(
        said.contains(&format!("after {at_pause} iterations")),
        "{said}"
    );
    browser.wait_for("the kept iteration", 60, |b| {
        toy_iterations(b).filter(|&n| n == at_pause)
    });
    assert!(toy_paused(&browser).is_some(), "restored paused");
    assert_eq!(toy_checkpoint(&browser), Some(at_pause));
    browser.wait_for("the D step kept too", 30, |b| {
        toy_updates(b).filter(|&u| u == updates)
    });
    browser.wait_for("the curves up to the kept updates", 30, |b| {
        b.attribute("#gan-curves-box", "data-last-update")
            .filter(|u| *u == updates.to_string())
    });
    let points: usize = browser
        .attribute("#gan-curves-box", "data-points")
        .and_then(|p| p.parse().ok())
        .unwrap_or(0);
    assert!(
        points > 2,
        "the curves before the reload came back: {points} points"
    );
}
