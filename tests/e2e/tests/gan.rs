//! The GAN lesson in headless Chromium: the 2-D section trains (on the CPU and on WebGPU, which
//! is SwiftShader here) and its plot changes; a drawn distribution is accepted, too few drawn
//! points and a bad CSV are refused with a message. The digits section trains (the MLP on the
//! CPU, the DCGAN on WebGPU) and its grid changes; the conditional variant draws a chosen digit,
//! and its generator downloads and loads back.

use kindling_e2e::{Browser, number, serve_site};

/// The plot's pixels, as a data URL.
fn plot(browser: &Browser) -> String {
    browser
        .eval("return document.querySelector('#gan-plot').toDataURL();")
        .as_str()
        .unwrap_or_default()
        .to_string()
}

fn iterations(browser: &Browser) -> Option<f64> {
    browser.text("#gan-iterations").and_then(|t| number(&t))
}

/// `target`: how many iterations to train before pausing (WebGPU here is SwiftShader, a software
/// renderer, far slower than the CPU backend).
fn trains_and_the_plot_changes(backend: &str, target: f64) {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en&backend={backend}#/gan"));
    browser.wait_for("the untrained view", 120, |b| {
        iterations(b).filter(|&n| n == 0.0)
    });
    assert!(browser.hash().contains("target=ring"), "{}", browser.hash());
    let d_real = browser.wait_for("D's mean output on the real points", 60, |b| {
        b.text("#gan-d-real").and_then(|t| number(&t))
    });
    assert!((0.0..=1.0).contains(&d_real), "{d_real}");
    let before = plot(&browser);

    browser.click("#gan-play");
    browser.wait_for("training iterations", 300, |b| {
        iterations(b).filter(|&n| n >= target)
    });
    browser.click("#gan-play");
    browser.wait_for("paused", 30, |b| {
        b.text("#gan-status").filter(|s| s == "Paused")
    });
    let after = plot(&browser);
    assert_ne!(before, after, "{backend}: the plot did not change");
    let covered = browser.text("#gan-covered").unwrap_or_default();
    assert!(covered.contains("of 8 modes"), "{covered}");

    // One D step after pausing moves only D's count, by one.
    let updates = |b: &Browser| b.text("#gan-updates").unwrap_or_default();
    let was = updates(&browser);
    browser.click("#gan-step-d");
    let now = browser.wait_for("a D step", 30, |b| Some(updates(b)).filter(|u| *u != was));
    let parse =
        |u: &str| -> Vec<u64> { u.split('/').filter_map(|p| p.trim().parse().ok()).collect() };
    let (was, now) = (parse(&was), parse(&now));
    assert_eq!((now[0], now[1]), (was[0] + 1, was[1]), "{was:?} → {now:?}");
    browser.screenshot(&format!("gan-2d-{backend}")).ok();
}

#[test]
fn the_2d_section_trains_on_the_cpu_and_its_plot_changes() {
    trains_and_the_plot_changes("cpu", 100.0);
}

#[test]
fn the_2d_section_trains_on_webgpu_and_its_plot_changes() {
    trains_and_the_plot_changes("webgpu", 3.0);
}

#[test]
fn a_drawn_distribution_is_accepted_and_a_bad_csv_is_refused() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en&backend=cpu#/gan"));
    browser.wait_for("the untrained view", 120, |b| {
        iterations(b).filter(|&n| n == 0.0)
    });

    // Too few points: refused with a message.
    browser.click("#gan-draw");
    browser.draw("#gan-plot", &[(0.5, 0.5)]);
    browser.click("#gan-draw-use");
    let error = browser.wait_for("too few points refused", 10, |b| b.text("#gan-data-error"));
    assert!(error.contains("at least 10"), "{error}");
    assert!(browser.hash().contains("target=ring"));

    // Two strokes, an "L": accepted, and the run restarts on them.
    let down: Vec<(f64, f64)> = (0..=20).map(|i| (0.3, 0.2 + 0.03 * i as f64)).collect();
    let across: Vec<(f64, f64)> = (0..=15).map(|i| (0.3 + 0.03 * i as f64, 0.8)).collect();
    browser.draw("#gan-plot", &down);
    browser.draw("#gan-plot", &across);
    browser.click("#gan-draw-use");
    browser.wait_for("the drawn target in the link", 20, |b| {
        Some(b.hash()).filter(|h| h.contains("target=custom") && h.contains("pts="))
    });
    assert_eq!(browser.text("#gan-data-error"), None);
    browser.wait_for("a view of the new run", 60, |b| {
        iterations(b).filter(|&n| n == 0.0)
    });
    browser.click("#gan-step");
    browser.wait_for("one iteration on the drawing", 60, |b| {
        iterations(b).filter(|&n| n == 1.0)
    });

    // A CSV with text, then one with a single column: refused, the drawing stays.
    let link = browser.hash();
    browser.click(".gan-csv summary");
    for (csv, expected) in [
        ("x,y\n1,2\nabc,3\n", "Line 3"),
        ("1,2\n3\n", "Line 2 has one value"),
    ] {
        browser.type_into("#gan-csv-text", csv);
        browser.click("#gan-csv-use");
        let error = browser.wait_for("the CSV refused", 10, |b| {
            b.text("#gan-data-error").filter(|e| e.contains(expected))
        });
        assert!(!error.is_empty());
        assert_eq!(browser.hash(), link, "a refused CSV changes nothing");
    }
    // A 1 GB file (sparse on disk) is refused by its size, unread; the drawing stays.
    let huge = sparse_file("points.csv");
    browser.upload("#gan-csv-file", &huge);
    let error = browser.wait_for("the huge CSV refused", 10, |b| {
        b.text("#gan-data-error").filter(|e| e.contains("1.1 GB"))
    });
    assert!(error.contains("Nothing was read"), "{error}");
    assert_eq!(browser.hash(), link, "a refused file changes nothing");
    let _ = std::fs::remove_file(&huge);
    // A good one is taken.
    let good: String = (0..12).map(|i| format!("{i},{}\n", (i * i) % 7)).collect();
    browser.type_into("#gan-csv-text", &good);
    browser.click("#gan-csv-use");
    browser.wait_for("the CSV's points in the link", 20, |b| {
        Some(b.hash()).filter(|h| *h != link && h.contains("target=custom"))
    });
    assert_eq!(browser.text("#gan-data-error"), None);
}

/// How many iterations the digits section reports.
fn digit_iterations(browser: &Browser) -> Option<f64> {
    let text = browser.text("#gan-digits-iterations")?;
    number(text.split_whitespace().next()?)
}

fn grid_checksum(browser: &Browser) -> Option<String> {
    browser.attribute("#gan-digits-grid", "data-checksum")
}

/// `model`: "mlp" or "dcgan"; `target`: iterations before pausing (fewer on WebGPU, which is
/// SwiftShader here).
fn digits_train_and_the_grid_changes(backend: &str, model: &str, target: f64) {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend={backend}#/gan?dmodel={model}&dbatch=32"
    ));
    let badge = if backend == "cpu" {
        "CPU ·"
    } else {
        "WebGPU ·"
    };
    browser.wait_for("the backend asked for", 180, |b| {
        b.text("#backend-badge").filter(|t| t.starts_with(badge))
    });
    browser.click_when_enabled("#gan-digits-start");
    let first = browser.wait_for("the first sample grid", 240, grid_checksum);
    assert_eq!(digit_iterations(&browser), Some(0.0));
    browser.click_when_enabled("#gan-digits-play");
    browser.wait_for("training iterations", 300, |b| {
        digit_iterations(b).filter(|&n| n >= target)
    });
    browser.click_when_enabled("#gan-digits-play");
    let later = grid_checksum(&browser).unwrap_or_default();
    assert_ne!(first, later, "{backend}: the grid did not change");
    browser.click_when_enabled("#gan-walk");
    browser.wait_for("a latent walk", 120, |b| {
        b.attribute("#gan-walk-frames", "data-checksum")
    });
    browser
        .screenshot(&format!("gan-digits-{model}-{backend}"))
        .ok();
}

#[test]
fn the_digits_section_shows_a_sample_grid_that_changes() {
    digits_train_and_the_grid_changes("cpu", "mlp", 20.0);
}

#[test]
fn the_digits_section_trains_the_dcgan_on_webgpu() {
    digits_train_and_the_grid_changes("webgpu", "dcgan", 3.0);
}

#[test]
fn the_conditional_digit_gan_draws_a_digit_and_its_generator_loads_back() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/gan?dmodel=mlp&dbatch=32&dcond=1"
    ));
    browser.click_when_enabled("#gan-digits-start");
    browser.wait_for("the first sample grid", 240, grid_checksum);
    browser.click_when_enabled("#gan-digits-play");
    browser.wait_for("10 iterations", 240, |b| {
        digit_iterations(b).filter(|&n| n >= 10.0)
    });
    browser.click_when_enabled("#gan-digits-play");

    // The shipped classifier reads 1,000 samples for the mode-collapse meter.
    let classes = browser.wait_for("the mode-collapse meter", 120, |b| {
        b.attribute("#gan-meter", "data-classes")
    });
    let classes: u32 = classes.parse().unwrap();
    assert!((1..=10).contains(&classes), "{classes}");
    let bars = browser.eval("return document.querySelectorAll('#gan-meter .mode-bar').length;");
    assert_eq!(bars.as_u64(), Some(10));

    // "Draw me a 7": eight samples asked for that digit.
    browser.select("#gan-draw-label", "7");
    browser.click_when_enabled("#gan-draw-digit");
    browser.wait_for("the drawn samples", 60, |b| {
        b.attribute("#gan-drawn", "data-checksum")
    });
    let caption = browser
        .eval(
            "return document.querySelector('#gan-drawn [aria-label]').getAttribute('aria-label');",
        )
        .as_str()
        .unwrap_or_default()
        .to_string();
    assert!(caption.contains('7'), "{caption}");

    // The generator downloads as a model file with its card, a junk file is refused with words,
    // and the downloaded file loads back.
    browser.click_when_enabled("#gan-save");
    let file = browser.wait_for("the downloaded generator", 60, |b| {
        std::fs::read_dir(b.downloads())
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "safetensors"))
    });
    std::thread::sleep(std::time::Duration::from_millis(500));
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        bytes.len() > 8 && bytes[8..].starts_with(br#"{"__metadata__":{"kindling.model_card":"#),
        "{} bytes",
        bytes.len()
    );
    let junk = browser.downloads().join("junk.safetensors");
    std::fs::write(&junk, b"not a model at all").unwrap();
    browser.upload("#gan-open", &junk);
    let note = browser.wait_for("the junk refused", 60, |b| {
        b.text("#gan-file-note")
            .filter(|n| n.contains("not a Kindling model"))
    });
    assert!(!note.contains("NotAModel"), "{note}");
    // A 1 GB file is refused by its size, unread, and the run goes on as it was.
    let huge = sparse_file("generator.safetensors");
    browser.upload("#gan-open", &huge);
    browser.wait_for("the huge file refused", 30, |b| {
        b.text("#gan-file-note")
            .filter(|n| n.contains("1.1 GB") && n.contains("at most 8.0 MB"))
    });
    let _ = std::fs::remove_file(&huge);
    browser.upload("#gan-open", &file);
    browser.wait_for("the generator loaded back", 60, |b| {
        b.text("#gan-file-note")
            .filter(|n| n.contains("Generator loaded"))
    });
}

/// A 1 GiB file of zeros named `name` that takes no room on disk: the page must refuse it by
/// its size, without reading it.
fn sparse_file(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("kindling-huge-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let path = dir.join(name);
    std::fs::File::create(&path)
        .unwrap()
        .set_len(1 << 30)
        .unwrap();
    path
}
