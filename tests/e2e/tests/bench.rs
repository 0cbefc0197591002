//! The benchmark page runs every workload in the worker when its link says `auto=1`, and shows
//! each one's times in its row and in the text to copy. CPU backend, two timed steps: it checks
//! that the page works, not how fast it is.

use kindling_e2e::{Browser, serve_site};
use serde_json::json;

fn attribute(browser: &Browser, selector: &str, name: &str) -> Option<String> {
    let script = format!(
        "const e = document.querySelector({}); return e ? e.getAttribute({}) : null;",
        json!(selector),
        json!(name)
    );
    browser.eval(&script).as_str().map(str::to_string)
}

const WORKLOADS: [&str; 5] = ["cnn-small", "cnn-default", "gan", "inference", "transfer"];

#[test]
fn an_auto_run_fills_every_row_and_the_text() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/bench?auto=1&steps=2&warmup=0"
    ));
    let state = browser.wait_for("the run to end", 600, |b| {
        attribute(b, "#bench-state", "data-state").filter(|s| s == "done" || s == "failed")
    });
    assert_eq!(
        state,
        "done",
        "the run failed: {:?}",
        browser.text("#bench-state")
    );
    let rows = browser.eval(
        "return Array.from(document.querySelectorAll('#bench-table tbody tr')).map(r => r.id);",
    );
    let rows: Vec<&str> = rows
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|v| v.as_str())
        .collect();
    let expected: Vec<String> = WORKLOADS.iter().map(|w| format!("bench-row-{w}")).collect();
    assert_eq!(rows, expected, "one row per workload");
    for workload in WORKLOADS {
        let row = format!("#bench-row-{workload}");
        for name in ["data-first-ms", "data-median-ms"] {
            let value = attribute(&browser, &row, name)
                .and_then(|v| v.parse::<f64>().ok())
                .unwrap_or_else(|| panic!("{row} has no numeric {name}"));
            assert!(value > 0.0 && value.is_finite(), "{row} {name} = {value}");
        }
    }
    let text = browser.text("#bench-text").unwrap_or_default();
    for workload in WORKLOADS {
        assert!(
            text.contains(&format!("| {workload} |")),
            "{workload} missing from the text:\n{text}"
        );
    }
    assert!(text.contains("CPU"), "{text}");
    // The Run button is back, and the link keeps the settings but not `auto`: a reload does not
    // run again.
    assert_eq!(
        browser.eval("return document.querySelector('#bench-run').disabled;"),
        json!(false)
    );
    let hash = browser.eval("return location.hash;");
    let hash = hash.as_str().unwrap_or_default();
    assert!(
        hash.starts_with("#/bench?") && hash.contains("steps=2") && !hash.contains("auto"),
        "{hash}"
    );
    browser.screenshot("bench-cpu").ok();
}
