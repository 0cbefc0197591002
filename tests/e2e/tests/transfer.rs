//! The transfer lesson in headless Chromium on the CPU backend: the four arms run a few steps
//! and the page shows their table, networks, worked example and inside views; a bad field value
//! shows a message and cannot be run (in English and Chinese); the link carries the settings
//! both ways. The Fashion-MNIST target loads and runs, the measured tables show the engine's
//! numbers from `static/transfer/`, Pause and Play hold and resume a run, and the four arms run
//! on WebGPU.

use kindling_e2e::{Browser, number, serve_site};

fn data_ready(browser: &Browser) {
    browser.wait_for("the backbone and MNIST loaded", 240, |b| {
        b.attribute("#transfer-data-progress", "data-state")
            .filter(|s| s == "ready")
    });
}

#[test]
fn the_four_arms_run_on_the_cpu_and_the_page_shows_their_results() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/transfer?labels=5&steps=6&batch=8&seed=3"
    ));
    data_ready(&browser);
    let backbone = browser.text("#transfer-backbone").unwrap_or_default();
    assert!(backbone.contains("0, 1, 2, 3, 4"), "{backbone}");
    assert!(browser.hash().contains("steps=6"), "{}", browser.hash());

    browser.click("#transfer-run");
    browser.wait_for("four rows of results", 600, |b| {
        (b.count("#transfer-results tbody tr") == 4).then_some(())
    });
    for arm in ["scratch", "extract", "last_block", "everything"] {
        let row = format!("#transfer-results tr[data-arm={arm}]");
        let accuracy = browser
            .text(&format!("{row} td.accuracy"))
            .and_then(|t| number(&t))
            .unwrap_or(f64::NAN);
        assert!((0.0..=100.0).contains(&accuracy), "{arm}: {accuracy}");
        let steps = browser.text(&format!("{row} td:nth-of-type(3)"));
        assert_eq!(steps.as_deref(), Some("6"), "{arm} ran the budget");
    }
    let verdict = browser.text("#transfer-verdict").unwrap_or_default();
    assert!(
        verdict.contains("With 5 labelled examples per class and 6 steps"),
        "{verdict}"
    );
    assert_eq!(browser.count("#transfer-by-labels circle"), 4);

    // Feature extraction freezes every layer but the new head; from scratch freezes none.
    let layers = browser.count("#transfer-network-extract .layer");
    assert!(layers >= 3, "{layers} layers");
    assert_eq!(
        browser.count("#transfer-network-extract .layer[data-frozen=true]"),
        layers - 1
    );
    assert_eq!(
        browser.count("#transfer-network-scratch .layer[data-frozen=true]"),
        0
    );

    // The worked example through the feature extractor: no gradient reaches its backbone.
    browser.wait_for("the worked example", 120, |b| b.text("#transfer-loss"));
    assert_eq!(
        browser.count("#transfer-gradients li[data-trains=false]"),
        layers - 1
    );
    assert_eq!(browser.count("#transfer-gradients li[data-trains=true]"), 1);
    assert_eq!(browser.count("#transfer-logits tbody tr"), 5);

    browser.wait_for("the features in two dimensions", 120, |b| {
        (b.count("#transfer-pca-after circle") > 0).then_some(())
    });
    assert!(browser.count("#transfer-filters-before canvas") > 0);
    for section in ["results", "network-extract", "worked", "inside"] {
        browser.eval(&format!(
            "document.querySelector('#transfer-{section}').scrollIntoView(); return true;"
        ));
        browser.screenshot(&format!("transfer-{section}")).ok();
    }
}

#[test]
fn a_bad_value_shows_a_message_and_cannot_run() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en&backend=cpu#/transfer?steps=6"));
    // WebDriver's clear() sends no input event, so a redraw while loading would put the old text
    // back before the keys arrive: type once the page is still.
    data_ready(&browser);
    assert_eq!(browser.attribute("#transfer-run", "disabled"), None);

    browser.type_into("#field-transfer-steps", "0");
    let error = browser.wait_for("the steps refused", 10, |b| {
        b.text("#error-transfer-steps").filter(|e| !e.is_empty())
    });
    assert!(error.contains("between 1 and 5000"), "{error}");
    browser.wait_for("Run disabled", 10, |b| {
        b.attribute("#transfer-run", "disabled")
    });
    assert!(browser.hash().contains("steps=6"), "{}", browser.hash());
    assert_eq!(
        browser.text("#transfer-status").as_deref(),
        Some("Not run yet.")
    );
    assert_eq!(browser.count("#transfer-results"), 0);

    // A good value again: the message goes and Run comes back.
    browser.type_into("#field-transfer-steps", "4");
    browser.wait_for("Run enabled", 10, |b| {
        b.attribute("#transfer-run", "disabled")
            .is_none()
            .then_some(())
    });
    assert_eq!(browser.text("#error-transfer-steps").as_deref(), Some(""));

    // A link with values the lesson cannot use names them and keeps the defaults.
    browser.goto(&format!("{site}/?lang=en&backend=cpu#/transfer?seed=1"));
    let default_steps = browser.wait_for("the default steps", 30, |b| {
        b.value("#field-transfer-steps")
    });
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/transfer?steps=0&labels=7"
    ));
    let problems = browser.wait_for("the refused link values", 30, |b| {
        b.text("#transfer-problems")
    });
    assert!(
        problems.contains("“steps”") && problems.contains("“labels”"),
        "{problems}"
    );
    assert_eq!(browser.value("#field-transfer-steps"), Some(default_steps));

    // The same in Chinese: the page's words and the link's message.
    browser.goto(&format!("{site}/?lang=zh&backend=cpu#/transfer?steps=0"));
    let han = |text: &str| text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    browser.wait_for("the Chinese lesson", 60, |b| {
        b.text("h1").filter(|t| han(t))
    });
    for part in ["#transfer-run", "#transfer-problems", "#transfer-status"] {
        let text = browser.text(part).unwrap_or_default();
        assert!(han(&text), "{part} in Chinese: {text}");
    }
}

#[test]
fn the_link_carries_the_settings_both_ways() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/transfer?labels=all&steps=7&batch=16&lr=0.01&blr=0.5&head=0.25&seed=9"
    ));
    data_ready(&browser);
    assert_eq!(browser.value("#field-transfer-steps").as_deref(), Some("7"));
    for (field, value) in [
        ("batch", "16"),
        ("lr", "0.01"),
        ("blr", "0.5"),
        ("head", "0.25"),
    ] {
        let selector = format!("#field-transfer-{field}");
        assert_eq!(browser.value(&selector).as_deref(), Some(value), "{field}");
    }
    assert_eq!(browser.value("#transfer-labels").as_deref(), Some("0"));

    // A change in the page goes into the link, the other settings kept.
    browser.select("#transfer-labels", "50");
    let link = browser.wait_for("labels in the link", 10, |b| {
        Some(b.hash()).filter(|h| h.contains("labels=50"))
    });
    for part in [
        "steps=7",
        "batch=16",
        "lr=0.01",
        "blr=0.5",
        "head=0.25",
        "seed=9",
    ] {
        assert!(link.contains(part), "{part} in {link}");
    }
    browser.type_into("#field-transfer-seed", "12");
    browser.wait_for("the seed in the link", 10, |b| {
        Some(b.hash()).filter(|h| h.contains("seed=12"))
    });

    // A link changed while the page is open moves the fields.
    browser.eval("location.hash = '#/transfer?steps=9&labels=1'; return true;");
    browser.wait_for("the fields following the link", 10, |b| {
        b.value("#field-transfer-steps").filter(|v| v == "9")
    });
    assert_eq!(browser.value("#transfer-labels").as_deref(), Some("1"));
}

/// The engine's measured table for `target` as shipped (`static/transfer/table-<target>.json`).
fn shipped_table(target: &str) -> serde_json::Value {
    let path = format!(
        "{}/../../static/transfer/table-{target}.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_json::from_str(&text).unwrap()
}

#[test]
fn the_fashion_target_runs_on_the_cpu_and_the_measured_tables_show() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/transfer?target=fashion&labels=1&steps=4&batch=8&seed=2"
    ));
    data_ready(&browser);
    let ready = browser
        .text("#transfer-data-progress + .data-text")
        .unwrap_or_default();
    assert!(ready.contains("10,000 test images"), "{ready}");

    // Both targets' measured tables, every cell as the engine wrote it.
    browser.wait_for("the measured tables", 60, |b| {
        (b.count("#transfer-measured table tbody tr") == 10).then_some(())
    });
    for target in ["digits", "fashion"] {
        let table = shipped_table(target);
        let arms = table["arms"].as_array().unwrap();
        for row in table["rows"].as_array().unwrap() {
            let labels = row["labels_per_class"].as_u64().unwrap();
            for (arm, accuracy) in arms.iter().zip(row["accuracy"].as_array().unwrap()) {
                let cell = format!(
                    "#transfer-measured-{target} tr[data-labels='{labels}'] td[data-arm={}]",
                    arm.as_str().unwrap()
                );
                let shown = browser.text(&cell).unwrap_or_default();
                let wanted = format!("{:.1}%", accuracy.as_f64().unwrap() * 100.0);
                assert_eq!(shown, wanted, "{cell}");
            }
        }
    }

    browser.click("#transfer-run");
    browser.wait_for("four rows of results", 600, |b| {
        (b.count("#transfer-results tbody tr") == 4).then_some(())
    });
    for arm in ["scratch", "extract", "last_block", "everything"] {
        let row = format!("#transfer-results tr[data-arm={arm}]");
        let accuracy = browser
            .text(&format!("{row} td.accuracy"))
            .and_then(|t| number(&t))
            .unwrap_or(f64::NAN);
        assert!((0.0..=100.0).contains(&accuracy), "{arm}: {accuracy}");
        let steps = browser.text(&format!("{row} td:nth-of-type(3)"));
        assert_eq!(steps.as_deref(), Some("4"), "{arm} ran the budget");
    }
    // Ten classes of clothes in the worked example's logits.
    browser.wait_for("the worked example", 120, |b| b.text("#transfer-loss"));
    assert_eq!(browser.count("#transfer-logits tbody tr"), 10);
    browser.eval("document.querySelector('#transfer-measured').scrollIntoView(); return true;");
    browser.screenshot("transfer-measured").ok();
}

#[test]
fn pause_holds_a_run_and_play_resumes_it() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/transfer?labels=1&steps=5000&batch=4"
    ));
    data_ready(&browser);
    assert_eq!(browser.count("#transfer-play"), 0);
    browser.click("#transfer-run");
    browser.wait_for("the run training", 120, |b| {
        b.text("#transfer-status").filter(|s| s == "Training…")
    });
    assert_eq!(browser.text("#transfer-play").as_deref(), Some("Pause"));

    browser.click("#transfer-play");
    browser.wait_for("the run paused", 60, |b| {
        b.text("#transfer-status").filter(|s| s == "Paused")
    });
    assert_eq!(browser.text("#transfer-play").as_deref(), Some("Play"));
    assert_eq!(browser.count("#transfer-results"), 0);

    browser.click("#transfer-play");
    browser.wait_for("the run training again", 60, |b| {
        b.text("#transfer-status").filter(|s| s == "Training…")
    });
    assert_eq!(browser.text("#transfer-play").as_deref(), Some("Pause"));
}

/// WebGPU here is SwiftShader (software) and slow: one label per class and one step, and the
/// test waits for each arm's live point (its accuracy on the first test images after that step)
/// rather than the final score on the whole test set. The badge is checked so that a silent
/// fall back to the CPU fails the test.
#[test]
fn the_four_arms_train_on_webgpu() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=webgpu#/transfer?labels=1&steps=1&batch=4"
    ));
    browser.wait_for("the WebGPU backend", 180, |b| {
        b.text("#backend-badge")
            .filter(|t| t.starts_with("WebGPU ·"))
    });
    data_ready(&browser);
    browser.click("#transfer-run");
    for arm in ["scratch", "extract", "last_block", "everything"] {
        browser.wait_for(&format!("{arm}'s point after its step"), 400, |b| {
            (b.count(&format!("#transfer-curves g.{arm} circle")) == 1).then_some(())
        });
    }
    let badge = browser.text("#backend-badge").unwrap_or_default();
    assert!(badge.starts_with("WebGPU ·"), "{badge}");
    browser.screenshot("transfer-webgpu-curves").ok();
}
