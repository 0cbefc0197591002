//! The activation and loss lessons open from their URLs with the right numbers, to 3 decimals,
//! computed in the worker; bad input gets a message, not a crash.

use kindling_e2e::{Browser, number, serve_site};

fn sigmoid(x: f64) -> f64 {
    1.0 / (1.0 + (-x).exp())
}

fn shows(browser: &Browser, selector: &str, expected: f64) {
    let text = browser.wait_for(selector, 120, |b| {
        b.text(selector).filter(|t| number(t).is_some())
    });
    let shown = number(&text).unwrap();
    assert!(
        (shown - expected).abs() <= 0.0005 + 1e-9,
        "{selector} shows {text}, expected {expected:.3}"
    );
}

#[test]
fn activation_urls_show_the_computed_values() {
    let site = serve_site();
    let browser = Browser::start();
    let xs = [-4.0, -2.0, 0.0, 2.0, 4.0];
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/activations?fn=sigmoid&x=-4,-2,0,2,4"
    ));
    for (i, &x) in xs.iter().enumerate() {
        shows(&browser, &format!("#out-{i}"), sigmoid(x));
        shows(
            &browser,
            &format!("#grad-{i}"),
            sigmoid(x) * (1.0 - sigmoid(x)),
        );
    }
    // The article's wrong sigmoid values are marked.
    let marked = browser.eval("return document.querySelectorAll('#worked .wrong').length;");
    assert_eq!(marked.as_u64(), Some(3), "three article values are wrong");
    browser.screenshot("activations-sigmoid").ok();

    let xs = [-3.0, -1.0, 0.0, 1.0, 3.0];
    browser.goto(&format!(
        "{site}/?lang=zh&backend=cpu#/activations?fn=tanh&x=-3,-1,0,1,3"
    ));
    for (i, &x) in xs.iter().enumerate() {
        shows(&browser, &format!("#out-{i}"), f64::tanh(x));
    }
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/activations?fn=relu&x=-2,-1,0,1,2"
    ));
    for (i, &x) in [-2.0f64, -1.0, 0.0, 1.0, 2.0].iter().enumerate() {
        shows(&browser, &format!("#out-{i}"), x.max(0.0));
    }
    for bad in ["1,abc", "1e39", "NaN", ""] {
        browser.goto(&format!(
            "{site}/?lang=en&backend=cpu#/activations?fn=sigmoid&x={bad}"
        ));
        browser.wait_for("input message", 60, |b| {
            b.text("#input-error").filter(|t| !t.is_empty())
        });
    }
}

#[test]
fn loss_urls_show_the_computed_values() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/losses?loss=mse&pred=2.5,3.7,1.8&target=2.1,3.9,1.9"
    ));
    let mse = [(2.5f64, 2.1f64), (3.7, 3.9), (1.8, 1.9)]
        .iter()
        .map(|(p, y)| (p - y).powi(2))
        .sum::<f64>()
        / 3.0;
    shows(&browser, "#loss-value", mse);
    browser.screenshot("losses-mse").ok();

    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/losses?loss=bce&pred=0.6,0.4,0.4&target=1,0,1"
    ));
    let bce = -((0.6f64).ln() + (0.6f64).ln() + (0.4f64).ln()) / 3.0;
    shows(&browser, "#loss-value", bce);

    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/losses?loss=gan_d&pred=0.8&target=0.2"
    ));
    shows(&browser, "#loss-value", -(0.8f64.ln() + 0.8f64.ln()));

    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/losses?loss=mse&pred=1,2&target=1"
    ));
    browser.wait_for("length message", 60, |b| {
        b.text("#input-error").filter(|t| !t.is_empty())
    });
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/losses?loss=bce&pred=1.5&target=1"
    ));
    browser.wait_for("probability message", 60, |b| {
        b.text("#input-error").filter(|t| !t.is_empty())
    });
}
