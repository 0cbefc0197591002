//! No lost training in the transfer lesson (issue 14): the page keeps the experiment's latest
//! checkpoint (the four arms' weights, optimiser states, steps and batch orders), and when the
//! worker is killed mid-run, the new worker resumes the four arms from it, paused, with each
//! arm's curve up to it, and the experiment finishes its steps from there instead of starting
//! again. The fault comes from the test hooks that `?debug=faults` shows. Kept in the browser
//! there, the paused experiment comes back after a reload at that step with its curves, and
//! finishes from there.

use kindling_e2e::recovery::Recoverable;
use kindling_e2e::{Browser, serve_site};

const TRANSFER: Recoverable = Recoverable::steps("#transfer-checkpoint", "#transfer-recovery");

/// Steps of each arm: enough for the run to outlast its first checkpoint (after 5 s of
/// training) on the CPU, few enough to finish within the test.
const STEPS: u64 = 300;

fn status(b: &Browser) -> Option<String> {
    b.text("#transfer-status")
}

/// The data's loading state, `ready` once the backbone and the data are here.
fn wait_for_data(browser: &Browser) {
    browser.wait_for("the backbone and MNIST loaded", 240, |b| {
        b.attribute("#transfer-data-progress", "data-state")
            .filter(|s| s == "ready")
    });
}

const ARMS: [&str; 4] = ["scratch", "extract", "last_block", "everything"];

/// An arm's points on the curves.
fn points(b: &Browser, arm: &str) -> u64 {
    b.count(&format!("#transfer-curves g.{arm} circle"))
}

/// Keeps the paused experiment in the browser, reloads the page and resumes the kept run: it
/// comes back at step `kept`, paused, with each arm's curve as it was.
fn keep_reload_and_resume(browser: &Browser, kept: u64) {
    let drawn = ARMS.map(|arm| points(browser, arm));
    assert_eq!(
        browser.text("#transfer-resume-kept"),
        None,
        "nothing kept yet"
    );
    browser.click("#transfer-keep");
    browser.wait_for("kept in the browser", 60, |b| {
        b.text("#transfer-kept-message")
            .filter(|t| t.contains(&format!("Kept in this browser at step {kept}.")))
    });

    browser.reload();
    let offer = browser.wait_for("the offer to resume", 120, |b| {
        b.text("#transfer-resume-kept")
    });
    assert_eq!(offer, format!("Resume where I left off (step {kept})"));
    assert_eq!(
        points(browser, "everything"),
        0,
        "a fresh page draws no curve"
    );
    wait_for_data(browser);
    browser.click("#transfer-resume-kept");
    let said = TRANSFER.resumed(browser, kept, 240);
    assert!(said.contains("kept in this browser"), "{said}");
    assert_eq!(status(browser).as_deref(), Some("Paused"));
    assert_eq!(
        ARMS.map(|arm| points(browser, arm)),
        drawn,
        "each arm's curve up to step {kept}, drawn before the reload"
    );
    assert_eq!(browser.text("#transfer-resume-kept"), None, "offered once");
}

#[test]
fn a_killed_worker_and_a_reload_resume_the_four_arms_from_the_last_checkpoint() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu&debug=faults#/transfer?labels=1&steps={STEPS}&batch=4&seed=3"
    ));
    wait_for_data(&browser);
    browser.click("#transfer-run");
    browser.wait_for("the run training", 120, |b| {
        status(b).filter(|s| s == "Training…")
    });
    let line = browser.text("#transfer-checkpoint").unwrap_or_default();
    assert!(
        line.contains("every 5 s") && line.contains("None yet"),
        "{line}"
    );

    // Killed mid-run, once the page holds a checkpoint past the arms' first points (one every
    // tenth of the run): the new worker gets that checkpoint.
    let every = STEPS / 10;
    let first = browser.wait_for("a checkpoint after the first points", 300, |b| {
        TRANSFER.held(b).filter(|&step| step >= every)
    });
    assert!(
        first < STEPS,
        "a checkpoint mid-run, not at its end: step {first}"
    );
    let kept = TRANSFER.kill_worker(&browser, first);
    assert!(kept < STEPS, "{kept}");
    TRANSFER.resumed(&browser, kept, 240);
    browser.wait_for("paused", 60, |b| status(b).filter(|s| s == "Paused"));
    assert_eq!(browser.text("#transfer-play").as_deref(), Some("Play"));
    // The last arm is never ahead of the others: its curve holds exactly its points up to the
    // checkpoint, the ones after it lost with the worker.
    assert_eq!(
        points(&browser, "everything"),
        kept / every,
        "the everything arm's curve up to step {kept}"
    );
    browser.screenshot("transfer-resumed-after-kill").ok();

    // Kept in the browser, the paused experiment comes back after a reload just as it was.
    keep_reload_and_resume(&browser, kept);

    // It finishes from there: every arm ran its steps.
    browser.click("#transfer-play");
    browser.wait_for("four rows of results", 600, |b| {
        (b.count("#transfer-results tbody tr") == 4).then_some(())
    });
    for arm in ARMS {
        let steps = browser.text(&format!(
            "#transfer-results tr[data-arm={arm}] td:nth-of-type(3)"
        ));
        assert_eq!(steps, Some(STEPS.to_string()), "{arm} ran the budget");
        assert_eq!(
            browser.count(&format!("#transfer-curves g.{arm} circle")),
            10,
            "{arm}: one point every tenth of the run, none twice"
        );
    }
    assert!(
        browser
            .text("#transfer-recovery")
            .is_some_and(|t| t.contains(&format!("step {kept},"))),
        "the page still says where the run went on from"
    );

    let foreign: Vec<_> = browser
        .requested_urls()
        .into_iter()
        .filter(|u| !u.starts_with(&site))
        .collect();
    assert!(foreign.is_empty(), "{foreign:?}");
}
