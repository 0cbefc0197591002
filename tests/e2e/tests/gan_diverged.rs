//! The GAN's 2-D section in headless Chromium, on the CPU: a run whose loss stops being a number
//! pauses, says why, keeps no checkpoint of its blown-up state, and rolls back to the last state
//! known to be good.

use kindling_e2e::{Browser, number, serve_site};

fn iterations(browser: &Browser) -> Option<f64> {
    browser.text("#gan-iterations").and_then(|t| number(&t))
}

#[test]
fn a_diverging_2d_run_pauses_explains_and_rolls_back() {
    let site = serve_site();
    let browser = Browser::start();
    // Momentum at a learning rate of 10 on both networks blows the weights up within a few dozen
    // iterations. In slow motion each iteration is a chunk of its own, so the last good state is
    // past the start.
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/gan?gopt=momentum&dopt=momentum&glr=10&dlr=10"
    ));
    browser.wait_for("the untrained view", 120, |b| {
        iterations(b).filter(|&n| n == 0.0)
    });
    browser.click("#gan-slow");
    browser.click("#gan-play");
    let message = browser.wait_for("the divergence notice", 60, |b| {
        b.text("#gan-toy-diverged").filter(|t| !t.is_empty())
    });
    assert!(message.contains("learning rate"), "{message}");
    browser.wait_for("paused status", 30, |b| {
        b.text("#gan-status").filter(|s| s == "Paused")
    });
    let stopped_at = iterations(&browser).unwrap_or(f64::NAN);
    assert!(
        message.contains(&format!("after {stopped_at} iterations")),
        "{message} / {stopped_at}"
    );
    let button = browser.text("#gan-toy-roll-back").unwrap_or_default();
    let good = number(button.trim_start_matches("Go back to iteration")).unwrap_or(f64::NAN);
    assert!(good > 0.0 && good < stopped_at, "{button} / {stopped_at}");
    // The page keeps no checkpoint of the blown-up state.
    let kept = browser
        .attribute("#gan-toy-checkpoint", "data-iterations")
        .and_then(|i| number(&i));
    assert!(
        kept.is_none_or(|k| k < stopped_at),
        "{kept:?} / {stopped_at}"
    );
    browser.screenshot("gan-2d-diverged").ok();

    browser.click("#gan-toy-roll-back");
    browser.wait_for("the iterations rolled back", 30, |b| {
        iterations(b).filter(|&n| n == good)
    });
    assert!(browser.text("#gan-toy-diverged").is_none());
    let d_real = browser.text("#gan-d-real").and_then(|t| number(&t));
    assert!(
        d_real.is_some_and(|d| (0.0..=1.0).contains(&d)),
        "{d_real:?}"
    );
    // The rolled-back state is the page's checkpoint now (the text names its iterations).
    browser.wait_for("the rolled-back checkpoint", 30, |b| {
        b.text("#gan-toy-checkpoint")
            .filter(|t| t.contains(&format!("after {good} iterations")))
    });
    assert_eq!(browser.text("#gan-status").as_deref(), Some("Paused"));
}
