//! The detection project in headless Chromium on the CPU backend: a detector trains a tiny
//! budget (its backbone unfrozen halfway), the page shows its scores and test canvases with the
//! true and the predicted boxes, and a drawn digit gets a box; a bad link value and a bad field
//! value show messages (in English and Chinese) and a bad field cannot be run.

use kindling_e2e::{Browser, number, serve_site, stroke_one};

fn data_ready(browser: &Browser) {
    browser.wait_for("the backbone and MNIST loaded", 240, |b| {
        b.attribute("#detect-data-progress", "data-state")
            .filter(|s| s == "ready")
    });
}

#[test]
fn a_detector_trains_on_the_cpu_and_boxes_test_canvases_and_a_drawing() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/detect?steps=4&batch=4&hidden=8&seed=2&unfreeze=2"
    ));
    data_ready(&browser);
    assert!(browser.hash().contains("steps=4"), "{}", browser.hash());
    let ready = browser.text("#detect-data-progress ~ .data-text");
    assert!(
        ready
            .as_deref()
            .is_some_and(|r| r.contains("10,000 test digits")),
        "{ready:?}"
    );
    // The two designs, with the article's two outputs against this head's class and box.
    let article = browser.text("#detect-design-article").unwrap_or_default();
    assert!(
        article.contains("[B, 2]") && article.contains("[B, 1024]"),
        "{article}"
    );
    let ours = browser.text("#detect-design-ours").unwrap_or_default();
    assert!(
        ours.contains("[B, 64, 16, 16]") && ours.contains("[B, 10]") && ours.contains("[B, 4]"),
        "{ours}"
    );

    browser.click("#detect-run");
    browser.wait_for("the final score", 600, |b| b.text("#detect-final"));
    assert_eq!(browser.text("#detect-step").as_deref(), Some("4 / 4"));
    // From step 2 the backbone's convolutions train as well: most parameters train now.
    let backbone = browser.text("#detect-backbone").unwrap_or_default();
    assert!(backbone.contains("since step 2"), "{backbone}");
    let counts: Vec<f64> = browser
        .text("#detect-trained")
        .unwrap_or_default()
        .split(", ")
        .filter_map(|part| number(&part.split(' ').next()?.replace(',', "")))
        .collect();
    assert!(
        counts.len() == 2 && counts[0] > counts[1],
        "trained, frozen: {counts:?}"
    );
    let iou = browser
        .text("#detect-mean-iou")
        .and_then(|t| number(&t))
        .unwrap_or(f64::NAN);
    assert!((0.0..=1.0).contains(&iou), "mean IoU {iou}");
    let accuracy = browser
        .text("#detect-accuracy")
        .and_then(|t| number(&t))
        .unwrap_or(f64::NAN);
    assert!((0.0..=100.0).contains(&accuracy), "accuracy {accuracy}");
    assert!(
        browser
            .text("#detect-final h3")
            .is_some_and(|t| t.contains("200 test canvases")),
        "{:?}",
        browser.text("#detect-final h3")
    );
    assert!(browser.count("#detect-losses polyline.line.class-loss") > 0);
    assert!(browser.count("#detect-losses polyline.line.box-loss") > 0);

    browser.wait_for("eight test canvases", 120, |b| {
        (b.count("#detect-canvases .shown-canvas") == 8).then_some(())
    });
    assert_eq!(browser.count("#detect-canvases rect.box.truth"), 8);
    assert_eq!(browser.count("#detect-canvases rect.box.predicted"), 8);
    // Where the spatial head looked, shaded on each canvas: a 16 × 16 grid of weights.
    assert_eq!(browser.count("#detect-canvases canvas.heat-overlay"), 8);
    assert_eq!(
        browser
            .attribute("#detect-canvas-0 canvas.heat-overlay", "width")
            .as_deref(),
        Some("16")
    );
    // A true box is a real box on the canvas; each canvas states its IoU.
    let width: f64 = browser
        .attribute("#detect-canvas-0 rect.box.truth", "width")
        .and_then(|w| w.parse().ok())
        .unwrap_or(0.0);
    assert!((1.0..=64.0).contains(&width), "true box width {width}");
    let shown_iou = browser
        .text("#detect-canvases .shown-iou")
        .and_then(|t| number(t.trim_start_matches("IoU")))
        .unwrap_or(f64::NAN);
    assert!((0.0..=1.0).contains(&shown_iou), "{shown_iou}");
    browser.eval("document.querySelector('#detect-canvases').scrollIntoView(); return true;");
    browser.screenshot("detect-canvases").ok();

    browser.click("#detect-next");
    browser.wait_for("the next canvases", 120, |b| {
        (b.count("#detect-canvas-8") == 1).then_some(())
    });

    browser.draw("#detect-pad", &stroke_one());
    let answer = browser.wait_for("the drawing's box", 60, |b| {
        b.text("#detect-own-status")
            .filter(|s| s.starts_with("The detector sees a"))
    });
    assert!(answer.contains("orange box"), "{answer}");
    assert_eq!(browser.count("#detect-own-result rect.box.predicted"), 1);
    assert_eq!(browser.count("#detect-own-result canvas.heat-overlay"), 1);
    browser.eval("document.querySelector('#detect-own-title').scrollIntoView(); return true;");
    browser.screenshot("detect-own").ok();
}

#[test]
fn bad_link_and_field_values_show_messages_and_a_bad_field_cannot_run() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/detect?steps=0&head=retinanet&seed=4"
    ));
    let problems = browser.wait_for("the refused link values", 30, |b| {
        b.text("#detect-problems")
    });
    assert!(
        problems.contains("“steps”") && problems.contains("“head”"),
        "{problems}"
    );
    assert_eq!(browser.value("#detect-head").as_deref(), Some("spatial"));
    data_ready(&browser);
    assert_eq!(browser.attribute("#detect-run", "disabled"), None);

    browser.type_into("#field-detect-hidden", "0");
    let error = browser.wait_for("the channels refused", 10, |b| {
        b.text("#error-detect-hidden").filter(|e| !e.is_empty())
    });
    assert!(error.contains("256"), "{error}");
    browser.wait_for("Run disabled", 10, |b| {
        b.attribute("#detect-run", "disabled")
    });
    assert_eq!(
        browser.text("#detect-status").as_deref(),
        Some("Not trained yet.")
    );
    browser.type_into("#field-detect-unfreeze", "soon");
    browser.wait_for("the unfreezing step refused", 10, |b| {
        b.text("#error-detect-unfreeze").filter(|e| !e.is_empty())
    });

    // The same link in Chinese names the refused values in Chinese.
    browser.goto(&format!(
        "{site}/?lang=zh&backend=cpu#/detect?steps=0&head=retinanet&seed=5"
    ));
    let problems = browser.wait_for("the refused link values in Chinese", 30, |b| {
        b.text("#detect-problems").filter(|p| p.contains("链接"))
    });
    assert!(problems.contains("“steps”"), "{problems}");
    assert_eq!(
        browser.text("#page-title").as_deref(),
        Some("找到并认出一个数字")
    );
}

/// The predicted box over the drawing, in canvas pixels: left, top, right, bottom.
fn drawn_box(browser: &Browser) -> [f64; 4] {
    let read = |name: &str| {
        browser
            .attribute("#detect-own-result rect.box.predicted", name)
            .and_then(|v| v.parse::<f64>().ok())
            .unwrap_or(f64::NAN)
    };
    let (x, y) = (read("x"), read("y"));
    [x, y, x + read("width"), y + read("height")]
}

#[test]
fn the_shipped_detector_boxes_a_drawn_digit_and_a_detector_saves_refuses_junk_and_loads_back() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/detect?steps=4&batch=4&hidden=8&seed=2"
    ));
    data_ready(&browser);

    // A "1" drawn high on the left of the square, not where MNIST's digits sit.
    let stroke: Vec<(f64, f64)> = (0..=30)
        .map(|i| {
            let t = f64::from(i) / 30.0;
            (0.27 - 0.03 * t, 0.1 + 0.32 * t)
        })
        .collect();
    browser.draw("#detect-pad", &stroke);
    assert!(
        browser
            .text("#detect-own-status")
            .is_some_and(|s| s.contains("use the shipped one")),
        "{:?}",
        browser.text("#detect-own-status")
    );

    browser.click("#detect-use-shipped");
    let card = browser.wait_for("the shipped detector's card", 120, |b| {
        b.text("#detect-card")
    });
    for part in [
        "mnist-detector",
        "mnist-resnet",
        "0.853",
        "97.5",
        "1,000 test canvases",
        "pretrain mnist-detector",
        "CC BY-SA 3.0",
    ] {
        assert!(card.contains(part), "{part} in the card: {card}");
    }
    let answer = browser.wait_for("the drawing's box", 120, |b| {
        b.text("#detect-own-status")
            .filter(|s| s.starts_with("The detector sees a"))
    });
    // The ink spans x 0.24–0.27 and y 0.10–0.42 of the square: on the 64 × 64 canvas about
    // x 15–17, y 6–27 (the pen adds a few pixels around it).
    let [left, top, right, bottom] = drawn_box(&browser);
    let ink = [13.0, 4.0, 20.0, 29.0];
    let overlap_x = right.min(ink[2]) - left.max(ink[0]);
    let overlap_y = bottom.min(ink[3]) - top.max(ink[1]);
    assert!(
        overlap_x > 0.0 && overlap_y > 10.0,
        "box {:?} against the ink {ink:?}; {answer}",
        [left, top, right, bottom]
    );
    let (centre_x, centre_y) = ((left + right) / 2.0, (top + bottom) / 2.0);
    assert!(
        (10.0..24.0).contains(&centre_x) && (8.0..26.0).contains(&centre_y),
        "box centre ({centre_x}, {centre_y})"
    );
    browser.eval("document.querySelector('#detect-own-title').scrollIntoView(); return true;");
    browser.screenshot("detect-shipped-own").ok();
    // The shipped detector's score on the page's 200 test canvases, measured in the browser.
    let final_title = browser.wait_for("the shipped detector's score", 120, |b| {
        b.text("#detect-final h3")
    });
    assert!(final_title.contains("200 test canvases"), "{final_title}");
    let iou = browser
        .text("#detect-mean-iou")
        .and_then(|t| number(&t))
        .unwrap_or(f64::NAN);
    assert!(
        iou >= 0.75,
        "mean IoU of the shipped detector in the browser: {iou}"
    );

    // With a detector loaded, Train goes on from it; a new detector has its own button.
    assert_eq!(
        browser.text("#detect-run").as_deref(),
        Some("Train the loaded detector further")
    );
    assert!(browser.text("#detect-further").is_some());

    // The learner's own detector: a tiny run, saved with its card.
    browser.click("#detect-run-fresh");
    browser.wait_for("the run's final score", 600, |b| {
        b.text("#detect-step").filter(|s| s == "4 / 4")?;
        b.text("#detect-final")
    });
    assert!(
        browser.text("#detect-card").is_none(),
        "the new run has no card yet"
    );
    browser.click("#detect-export");
    let file = browser.downloaded("detector", "safetensors");
    // Chromium writes the file under a temporary name first; the final name means it is complete.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        bytes.len() > 8 && bytes[8..].starts_with(br#"{"__metadata__":{"kindling.model_card":"#),
        "{} bytes",
        bytes.len()
    );
    let card = browser.text("#detect-card").unwrap_or_default();
    assert!(
        card.contains("your own") && card.contains("4 steps"),
        "{card}"
    );

    // Junk is refused, in words, and the run on screen stays.
    let junk = browser.downloads().join("junk.safetensors");
    std::fs::write(&junk, b"not a model at all").unwrap();
    browser.upload("#detect-import", &junk);
    let refused = browser.wait_for("the junk refused", 60, |b| {
        b.text("#detect-file-message").filter(|m| !m.is_empty())
    });
    assert!(
        refused.contains("not loaded") && refused.contains("not a Kindling model"),
        "{refused}"
    );
    assert_eq!(
        browser.attribute("#detect-file-message", "role").as_deref(),
        Some("alert")
    );
    assert_eq!(browser.text("#detect-step").as_deref(), Some("4 / 4"));
    assert!(browser.text("#detect-final").is_some());

    // The shipped one again, then the saved file back: its card, and boxes on the drawing.
    browser.click("#detect-use-shipped");
    browser.wait_for("the shipped detector again", 120, |b| {
        b.text("#detect-card")
            .filter(|c| c.contains("mnist-detector"))
    });
    browser.upload("#detect-import", &file);
    let loaded = browser.wait_for("the saved detector loaded", 120, |b| {
        b.text("#detect-file-message")
            .filter(|m| m.contains("Loaded"))
    });
    assert!(loaded.contains("4 steps"), "{loaded}");
    let card = browser.text("#detect-card").unwrap_or_default();
    assert!(
        card.contains("your own") && card.contains("8 channels"),
        "{card}"
    );
    browser.wait_for("the loaded detector's box on the drawing", 120, |b| {
        (b.count("#detect-own-result rect.box.predicted") == 1).then_some(())
    });

    // The loaded detector trains further: 4 more steps, counted on from its 4.
    browser.click("#detect-run");
    browser.wait_for("the loaded detector trained further", 300, |b| {
        b.text("#detect-step").filter(|s| s == "8 / 8")?;
        b.text("#detect-final")
    });
    assert!(browser.text("#detect-further").is_some());
}
