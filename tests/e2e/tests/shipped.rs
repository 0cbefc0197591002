//! The trained classifier shipped with the site, in the CNN lesson in headless Chromium on the
//! CPU backend: its card shows before anything is loaded, "Load a trained model" loads it, it
//! reads drawn digits, and a copy of its file with one damaged byte or a model of another
//! architecture is refused while the page keeps the model and keeps working; so is a damaged
//! file on the site itself.

use std::path::{Path, PathBuf};

use kindling_e2e::{Browser, serve_site, stroke_one, stroke_zero};
use serde_json::Value;

const NAME: &str = "mnist-classifier";

fn dist() -> PathBuf {
    std::env::var_os("KINDLING_DIST")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../dist"))
}

fn models_dir() -> PathBuf {
    dist().join("static/models")
}

fn copy_tree(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap().flatten() {
        let target = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_tree(&entry.path(), &target);
        } else {
            std::fs::copy(entry.path(), target).unwrap();
        }
    }
}

/// The built site with one byte of the classifier's file changed, served on its own port; and
/// where that copy is.
fn site_with_a_damaged_classifier() -> (String, PathBuf) {
    let copy = std::env::temp_dir().join(format!("kindling-damaged-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&copy);
    copy_tree(&dist(), &copy);
    let file = copy.join(format!("static/models/{NAME}.safetensors"));
    let mut bytes = std::fs::read(&file).unwrap();
    let middle = bytes.len() / 2;
    bytes[middle] ^= 0x01;
    std::fs::write(&file, bytes).unwrap();
    let port = xtask::serve::spawn(copy.clone(), 0).expect("serve the copy");
    (format!("http://127.0.0.1:{port}"), copy)
}

fn load_button(browser: &Browser) -> String {
    let button = format!("#cnn-shipped button[data-model=\"{NAME}\"]");
    browser.wait_for("the load button", 60, |b| {
        let script = format!(
            "const e = document.querySelector({}); return e && !e.disabled;",
            serde_json::json!(button)
        );
        b.eval(&script).as_bool().filter(|&enabled| enabled)
    });
    button
}

/// The shipped cards' JSON, by name, as `index.json` lists them.
fn cards() -> Vec<(String, Value)> {
    let read = |file: &str| -> Value {
        let text = std::fs::read_to_string(models_dir().join(file)).expect(file);
        serde_json::from_str(&text).expect(file)
    };
    let index = read("index.json");
    let names = index["models"].as_array().expect("index.json lists models");
    names
        .iter()
        .map(|n| {
            let name = n.as_str().expect("a name").to_string();
            let card = read(&format!("{name}.json"));
            (name, card)
        })
        .collect()
}

fn predicted(browser: &Browser, what: &str) -> String {
    browser.wait_for(what, 60, |b| b.attribute("#cnn-prediction", "data-digit"))
}

fn draw_and_read(browser: &Browser, stroke: &[(f64, f64)], what: &str) -> String {
    browser.eval("document.querySelector('#cnn-clear').click(); return true;");
    browser.wait_for("a cleared canvas", 30, |b| {
        b.attribute("#cnn-prediction", "data-digit")
            .is_none()
            .then_some(())
    });
    browser.draw("#cnn-canvas", stroke);
    predicted(browser, what)
}

#[test]
fn the_shipped_classifier_loads_from_its_card_reads_drawn_digits_and_refuses_a_damaged_copy() {
    let cards = cards();
    let cnn_cards = cards.iter().filter(|(_, c)| c["model"] == "cnn").count();
    let card = &cards
        .iter()
        .find(|(name, _)| name == NAME)
        .expect("index.json lists the classifier")
        .1;
    let command = card["provenance"]["command"]
        .as_str()
        .expect("the card's command");

    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en&backend=cpu#/cnn"));

    // The card, before anything is loaded: only the CNN cards are offered here.
    let offer = format!("#cnn-shipped article[data-model=\"{NAME}\"]");
    let text = browser.wait_for("the classifier's card", 120, |b| b.text(&offer));
    for part in [NAME, command, "CC BY-SA 3.0", "%", "kB"] {
        assert!(text.contains(part), "{part} in the card: {text}");
    }
    let offered = browser.eval("return document.querySelectorAll('#cnn-shipped article').length;");
    assert_eq!(offered.as_u64(), Some(cnn_cards as u64), "{offered}");

    // The lesson's own untrained model first; then the shipped one replaces it.
    browser.wait_for("MNIST and an untrained model", 300, |b| {
        b.text("#cnn-step-count").filter(|s| s == "0")
    });
    browser.click(&load_button(&browser));
    let steps = card["steps"].as_u64().expect("the card's steps");
    browser.wait_for("the classifier's steps", 120, |b| {
        b.text("#cnn-step-count")
            .filter(|s| s.replace(',', "") == steps.to_string())
    });
    let message = browser.text("#cnn-model-message").unwrap_or_default();
    assert!(message.contains("loaded"), "{message}");
    let provenance = browser.text("#cnn-model-provenance").unwrap_or_default();
    assert!(
        provenance.contains(command) && provenance.contains(NAME),
        "{provenance}"
    );

    assert_eq!(draw_and_read(&browser, &stroke_one(), "a drawn 1"), "1");
    assert_eq!(draw_and_read(&browser, &stroke_zero(), "a drawn 0"), "0");
    browser.screenshot("shipped-classifier").ok();

    // One damaged byte in the weights: refused by their checksum, and the model stays.
    let mut bytes = std::fs::read(models_dir().join(format!("{NAME}.safetensors"))).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x40;
    std::fs::create_dir_all(browser.downloads()).unwrap();
    let damaged = browser.downloads().join("damaged.safetensors");
    std::fs::write(&damaged, &bytes).unwrap();
    browser.upload("#cnn-upload", &damaged);
    let refusal = browser.wait_for("the checksum refusal", 60, |b| {
        b.text("#cnn-model-message")
            .filter(|m| m.contains("checksum"))
    });
    assert!(refusal.contains("altered or damaged"), "{refusal}");
    assert_eq!(
        browser.attribute("#cnn-model-message", "role").as_deref(),
        Some("alert")
    );
    assert_eq!(
        browser.text("#cnn-step-count").map(|s| s.replace(',', "")),
        Some(steps.to_string())
    );
    // A model of another architecture: the shipped residual network.
    let resnet = cards
        .iter()
        .find(|(_, c)| c["model"] == "resnet")
        .map(|(name, _)| models_dir().join(format!("{name}.safetensors")))
        .expect("a shipped residual network");
    browser.upload("#cnn-upload", &resnet);
    let refusal = browser.wait_for("the other architecture's refusal", 60, |b| {
        b.text("#cnn-model-message")
            .filter(|m| m.contains("another kind"))
    });
    assert!(refusal.contains("resnet"), "{refusal}");
    assert_eq!(
        browser.text("#cnn-step-count").map(|s| s.replace(',', "")),
        Some(steps.to_string())
    );
    assert_eq!(
        draw_and_read(&browser, &stroke_one(), "a 1 after the refusals"),
        "1"
    );

    // A site whose copy of the file was damaged: the page's own SHA-256 check refuses it, in
    // Chinese too, and the lesson's untrained model stays.
    let (damaged_site, copy) = site_with_a_damaged_classifier();
    browser.goto(&format!("{damaged_site}/?lang=zh&backend=cpu#/cnn"));
    browser.wait_for("MNIST and an untrained model", 300, |b| {
        b.text("#cnn-step-count").filter(|s| s == "0")
    });
    browser.click(&load_button(&browser));
    let refusal = browser.wait_for("the page's checksum refusal", 60, |b| {
        b.text("#cnn-model-message")
            // The message while fetching names the SHA-256 too: wait for the refusal itself.
            .filter(|m| m.contains("SHA-256") && m.contains(NAME) && m.contains("没有加载"))
    });
    assert!(refusal.contains("没有加载"), "{refusal}");
    assert_eq!(browser.text("#cnn-step-count").as_deref(), Some("0"));
    let digit = draw_and_read(&browser, &stroke_one(), "the untrained model's answer");
    assert!(digit.parse::<u8>().is_ok_and(|d| d < 10), "{digit}");
    let _ = std::fs::remove_dir_all(copy);
}
