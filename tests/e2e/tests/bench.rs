//! The benchmark page runs every workload in the worker when its link says `auto=1`, and shows
//! each one's times in its row and in the text to copy, then the memory workloads' samples. CPU
//! backend, two timed steps and four memory steps: it checks that the page works, not how fast it
//! is or how much memory it takes.

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
        "{site}/?lang=en&backend=cpu#/bench?auto=1&steps=2&warmup=0&memory=playground,cnn-small&memsteps=4"
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
    // The memory workloads: on the CPU one wasm-memory row each (no GPU rows), with numbers.
    let memory = browser.eval(
        "return Array.from(document.querySelectorAll('#bench-memory-table tbody tr')).map(r => [r.id, r.dataset.current || '', r.dataset.steps || '', r.dataset.firstBytes || '', r.dataset.peakBytes || '', r.dataset.lastBytes || '', r.dataset.growthPerThousand || '']);",
    );
    let memory = memory.as_array().cloned().unwrap_or_default();
    let ids: Vec<&str> = memory.iter().filter_map(|r| r[0].as_str()).collect();
    assert_eq!(
        ids,
        [
            "bench-memory-0-playground-wasm",
            "bench-memory-0-cnn-small-wasm"
        ],
        "one wasm row per memory workload"
    );
    for row in &memory {
        let cell = |i: usize| row[i].as_str().unwrap_or_default();
        assert_eq!(cell(1), "true", "{row}");
        assert_eq!(cell(2), "4", "{row}");
        let bytes: Vec<f64> = (3..6).filter_map(|i| cell(i).parse().ok()).collect();
        assert_eq!(bytes.len(), 3, "first, peak and last are numbers: {row}");
        // A wasm memory is whole 64 KiB pages, at least one; the peak is the largest sample.
        for &b in &bytes {
            assert!(b >= 65_536.0 && b % 65_536.0 == 0.0, "{row}");
        }
        assert!(bytes[1] >= bytes[0] && bytes[1] >= bytes[2], "{row}");
        let growth: f64 = cell(6)
            .parse()
            .unwrap_or_else(|_| panic!("no growth figure: {row}"));
        assert!(growth.is_finite(), "{row}");
    }
    for line in [
        "| CPU | playground | wasm memory | 4 |",
        "| CPU | cnn-small | wasm memory | 4 |",
    ] {
        assert!(text.contains(line), "{line} missing from the text:\n{text}");
    }
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
