//! The CNN lesson in headless Chromium on the CPU backend: MNIST loads, training passes 90 % test
//! accuracy, a drawn "1" is recognised, and a downloaded model loads back (a bad file does not).

use std::time::Duration;

use kindling_e2e::{Browser, serve_site, stroke_one};

fn accuracy(b: &Browser, selector: &str) -> Option<f64> {
    b.attribute(selector, "data-accuracy")
        .and_then(|a| a.parse().ok())
}

#[test]
fn cnn_trains_on_mnist_recognises_a_drawn_one_and_round_trips_its_model() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=zh&backend=cpu#/cnn"));
    let han = |text: &str| text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    browser.wait_for("the Chinese lesson", 60, |b| {
        b.text("h1").filter(|t| han(t))
    });
    for section in ["#cnn-architecture", ".data-text", "#cnn-play"] {
        let text = browser.text(section).unwrap_or_default();
        assert!(han(&text), "{section} in Chinese: {text}");
    }
    browser.goto(&format!("{site}/?lang=en&backend=cpu#/cnn?epochs=1"));
    browser.wait_for("MNIST loaded", 180, |b| {
        b.attribute("#cnn-data-progress", "data-state")
            .filter(|s| s == "ready")
    });
    browser.wait_for("untrained model", 60, |b| {
        b.text("#cnn-step-count").filter(|s| s == "0")
    });

    browser.click("#cnn-play");
    let quick = browser.wait_for("quick test accuracy above 90 %", 600, |b| {
        accuracy(b, "#cnn-quick-accuracy").filter(|&a| a > 0.9)
    });
    browser.click("#cnn-play");
    browser.wait_for("paused", 60, |b| {
        b.attribute("#cnn-play", "data-running")
            .filter(|r| r == "false")
    });
    browser.click("#cnn-evaluate");
    let full = browser.wait_for("full test accuracy", 300, |b| accuracy(b, "#cnn-accuracy"));
    assert!(
        full > 0.9,
        "all 10 000 test images: {full} (quick: {quick})"
    );
    let cells =
        browser.eval("return document.querySelectorAll('#cnn-confusion [data-count]').length;");
    assert_eq!(cells.as_u64(), Some(100), "a 10 × 10 confusion matrix");
    browser.screenshot("cnn-trained").ok();

    browser.draw("#cnn-canvas", &stroke_one());
    let digit = browser.wait_for("a prediction of the drawing", 60, |b| {
        b.attribute("#cnn-prediction", "data-digit")
    });
    assert_eq!(digit, "1", "the drawn stroke is a 1");

    browser.click("#cnn-download");
    let file = browser.wait_for("the downloaded model", 60, |b| {
        std::fs::read_dir(b.downloads())
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "safetensors"))
    });
    // Chromium writes the file under a temporary name first; the final name means it is complete.
    std::thread::sleep(Duration::from_millis(500));
    let bytes = std::fs::read(&file).unwrap();
    // A safetensors file: an 8-byte header length, then the header, which begins with the card.
    assert!(
        bytes.len() > 8 && bytes[8..].starts_with(br#"{"__metadata__":{"kindling.model_card":"#),
        "{} bytes",
        bytes.len()
    );

    let junk = browser.downloads().join("not-a-model.safetensors");
    std::fs::write(&junk, b"\x89PNG\r\n\x1a\n not a model").unwrap();
    browser.upload("#cnn-upload", &junk);
    let message = browser.wait_for("a refusal", 60, |b| {
        b.text("#cnn-model-message").filter(|m| !m.is_empty())
    });
    assert!(
        message.to_lowercase().contains("not a kindling"),
        "{message}"
    );
    // The trained model is still there.
    assert_eq!(
        browser
            .attribute("#cnn-prediction", "data-digit")
            .as_deref(),
        Some("1")
    );

    // A fresh run forgets the training; loading the file brings it back.
    browser.click("#cnn-reset");
    browser.wait_for("reset", 60, |b| {
        b.text("#cnn-step-count").filter(|s| s == "0")
    });
    browser.upload("#cnn-upload", &file);
    browser.wait_for("the model card", 60, |b| {
        b.text("#cnn-model-card").filter(|c| c.contains("MNIST"))
    });
    let steps = browser.wait_for("restored steps", 60, |b| {
        b.text("#cnn-step-count").filter(|s| s != "0")
    });
    assert!(steps.parse::<u64>().unwrap_or(0) > 0, "{steps}");
    browser.eval("document.querySelector('#cnn-clear').click(); return true;");
    browser.draw("#cnn-canvas", &stroke_one());
    let digit = browser.wait_for("a prediction by the loaded model", 60, |b| {
        b.attribute("#cnn-prediction", "data-digit")
    });
    assert_eq!(digit, "1");
    browser.screenshot("cnn-loaded").ok();
}

fn step_count(b: &Browser) -> Option<u64> {
    b.text("#cnn-step-count")?.trim().parse().ok()
}

fn paused(b: &Browser) -> Option<()> {
    (b.attribute("#cnn-play", "data-running")? == "false").then_some(())
}

/// Momentum at a learning rate of 10 blows a linear network's weights up within a few steps (with
/// ReLU, MNIST's network dies instead, its loss stuck but a number): training pauses,
/// the page explains the likely cause, and "Go back to step k" returns the run to a step whose
/// loss was a number; the same rate blows it up again, and the page says so again.
#[test]
fn a_diverging_cnn_pauses_explains_and_rolls_back() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/cnn?act=linear&opt=momentum&lr=10&batch=16"
    ));
    browser.wait_for("MNIST loaded", 180, |b| {
        b.attribute("#cnn-data-progress", "data-state")
            .filter(|s| s == "ready")
    });
    browser.wait_for("untrained model", 60, |b| step_count(b).filter(|&s| s == 0));
    assert_eq!(browser.text("#cnn-diverged"), None);

    browser.click("#cnn-play");
    let notice = browser.wait_for("the divergence notice", 120, |b| b.text("#cnn-diverged"));
    assert!(
        notice.contains("learning rate") && notice.contains("NaN"),
        "{notice}"
    );
    browser.wait_for("paused", 30, paused);
    let stopped = step_count(&browser).expect("a step");
    let button = browser.text("#cnn-roll-back").unwrap_or_default();
    let good: u64 = button
        .trim_start_matches("Go back to step")
        .trim()
        .parse()
        .unwrap_or_else(|_| panic!("a step in {button:?}"));
    assert!(good < stopped, "{button} / stopped at {stopped}");
    browser.screenshot("cnn-diverged").ok();

    browser.click("#cnn-roll-back");
    browser.wait_for("the step rolled back", 60, |b| {
        step_count(b).filter(|&s| s == good)
    });
    assert_eq!(browser.text("#cnn-diverged"), None);
    // The loss chart goes back too (it holds no point yet when the first chunk blew up).
    let last_drawn: Option<u64> = browser
        .attribute("#cnn-loss-chart", "data-last-step")
        .and_then(|s| s.parse().ok());
    assert!(
        last_drawn.is_none_or(|s| s <= good),
        "{last_drawn:?} after going back to {good}"
    );

    browser.click("#cnn-play");
    browser.wait_for("the notice again", 120, |b| b.text("#cnn-diverged"));
    browser.wait_for("paused again", 30, paused);
}
