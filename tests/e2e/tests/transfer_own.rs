//! "Your own classes" on the transfer page, in headless Chromium: three drawn shapes are learned
//! on the CPU backend (two on WebGPU) and a new drawing of each is recognised; an uploaded PNG becomes an
//! example, and files that are not pictures are refused with a message, the examples unchanged;
//! a killed worker loses neither the examples nor the fine-tuned network.

use std::f64::consts::TAU;
use std::path::Path;

use kindling_e2e::recovery::Recoverable;
use kindling_e2e::{Browser, serve_site};

const OWN: Recoverable = Recoverable::steps("#own-checkpoint", "#own-recovery");

fn open(browser: &Browser, site: &str) {
    open_on(browser, site, "cpu");
}

fn open_on(browser: &Browser, site: &str, backend: &str) {
    open_at(
        browser,
        &format!("{site}/?lang=en&backend={backend}#/transfer"),
    );
}

fn open_at(browser: &Browser, url: &str) {
    browser.goto(url);
    // The worker takes one command at a time: the backbone and MNIST come first.
    browser.wait_for("the backbone and MNIST loaded", 240, |b| {
        b.attribute("#transfer-data-progress", "data-state")
            .filter(|s| s == "ready")
    });
}

fn count(browser: &Browser, class: usize) -> Option<u64> {
    browser
        .attribute(&format!("#own-examples-{class}"), "data-count")
        .and_then(|c| c.parse().ok())
}

fn set_names(browser: &Browser, names: &str, classes: usize) {
    browser.type_into("#own-names", names);
    browser.wait_for("the names usable", 10, |b| {
        b.attribute("#own-names-set", "disabled")
            .is_none()
            .then_some(())
    });
    browser.click("#own-names-set");
    browser.wait_for("the classes in the page", 60, |b| {
        (0..classes).all(|c| count(b, c) == Some(0)).then_some(())
    });
}

/// A stroke through points (fractions of the pad), the `k`th of its kind.
type Shape = fn(usize) -> Vec<(f64, f64)>;

/// A ring, `k` making it a little different each time.
fn circle(k: usize) -> Vec<(f64, f64)> {
    let (cx, cy, r) = (0.48 + 0.01 * k as f64, 0.5, 0.25 + 0.02 * (k % 3) as f64);
    (0..=40)
        .map(|i| {
            let a = TAU * f64::from(i) / 40.0;
            (cx + r * a.sin(), cy - r * 1.1 * a.cos())
        })
        .collect()
}

/// A vertical stroke.
fn line(k: usize) -> Vec<(f64, f64)> {
    let x = 0.45 + 0.02 * k as f64;
    (0..=20)
        .map(|i| {
            let t = f64::from(i) / 20.0;
            (x + 0.05 * t, 0.15 + 0.7 * t)
        })
        .collect()
}

/// A Z: across the top, down the diagonal, across the bottom.
fn zigzag(k: usize) -> Vec<(f64, f64)> {
    let (l, r) = (0.25 + 0.015 * k as f64, 0.72 + 0.01 * k as f64);
    let corners = [(l, 0.25), (r, 0.25), (l, 0.75), (r, 0.77)];
    corners
        .windows(2)
        .flat_map(|w| {
            let ((x0, y0), (x1, y1)) = (w[0], w[1]);
            (0..10).map(move |i| {
                let t = f64::from(i) / 10.0;
                (x0 + (x1 - x0) * t, y0 + (y1 - y0) * t)
            })
        })
        .chain([corners[3]])
        .collect()
}

/// Draws on the examples pad and adds the drawing to `class`, the `n`th of that class.
fn add_drawing(browser: &Browser, class: usize, n: u64, stroke: &[(f64, f64)]) {
    browser.draw("#own-canvas", stroke);
    let add = format!("#own-add-{class}");
    browser.wait_for("the drawing ready to add", 10, |b| {
        b.attribute(&add, "disabled").is_none().then_some(())
    });
    browser.click(&add);
    browser.wait_for("the example in its class", 30, |b| {
        (count(b, class) == Some(n)).then_some(())
    });
}

fn trained_accuracy(browser: &Browser) -> f64 {
    browser.wait_for("the trained network", 600, |b| {
        b.attribute("#own-status", "data-accuracy")
            .and_then(|a| a.parse().ok())
    })
}

fn predict(browser: &Browser, stroke: &[(f64, f64)]) -> String {
    browser.eval("document.querySelector('#own-test-clear').click(); return true;");
    browser.wait_for("the pad wiped", 10, |b| {
        b.attribute("#own-prediction", "data-class")
            .is_none()
            .then_some(())
    });
    browser.draw("#own-test-canvas", stroke);
    browser.wait_for("the network's answer", 60, |b| {
        b.attribute("#own-prediction", "data-class")
    })
}

#[test]
fn drawn_classes_are_learned_and_a_new_drawing_is_recognised() {
    let site = serve_site();
    let browser = Browser::start();
    open(&browser, &site);
    set_names(&browser, "circle, line, zigzag", 3);
    let shapes: [Shape; 3] = [circle, line, zigzag];
    for k in 0..5 {
        for (class, shape) in shapes.iter().enumerate() {
            add_drawing(&browser, class, k as u64 + 1, &shape(k));
        }
    }
    assert_eq!(
        browser.eval("return document.querySelectorAll('#own-examples-2 .own-thumb').length;"),
        5
    );
    // One removed and drawn again: the count follows.
    browser.click("#own-remove-1-4");
    browser.wait_for("the example removed", 10, |b| {
        (count(b, 1) == Some(4)).then_some(())
    });
    assert!(browser.attribute("#own-train", "disabled").is_some());
    add_drawing(&browser, 1, 5, &line(4));

    browser.click("#own-train");
    let accuracy = trained_accuracy(&browser);
    assert!(accuracy >= 0.9, "accuracy on its own examples: {accuracy}");
    let status = browser.text("#own-status").unwrap_or_default();
    assert!(status.contains("Trained for 60 steps"), "{status}");

    assert_eq!(predict(&browser, &zigzag(7)), "2", "a new zigzag");
    let bars = browser.text("#own-prediction .softmax").unwrap_or_default();
    for name in ["circle", "line", "zigzag"] {
        assert!(bars.contains(name), "{name} in {bars}");
    }
    assert_eq!(predict(&browser, &circle(6)), "0", "a new circle");
    for (part, name) in [("#own", "examples"), ("#own-train", "trained")] {
        browser.eval(&format!(
            "document.querySelector('{part}').scrollIntoView({{block: 'center'}}); return true;"
        ));
        browser.screenshot(&format!("transfer-own-{name}")).ok();
    }
    save_load_and_train_further(&browser);
}

/// The same on WebGPU (SwiftShader here, slow): two drawn shapes, the shortest training, and a
/// new drawing of each recognised. The badge is checked, so a fall back to the CPU fails.
#[test]
fn drawn_classes_are_learned_on_webgpu() {
    let site = serve_site();
    let browser = Browser::start();
    open_on(&browser, &site, "webgpu");
    let badge = browser.text("#backend-badge").unwrap_or_default();
    assert!(badge.starts_with("WebGPU ·"), "{badge}");
    set_names(&browser, "circle, line", 2);
    let shapes: [Shape; 2] = [circle, line];
    for k in 0..5 {
        for (class, shape) in shapes.iter().enumerate() {
            add_drawing(&browser, class, k as u64 + 1, &shape(k));
        }
    }
    browser.select("#own-steps", "30");
    browser.click("#own-train");
    let accuracy = trained_accuracy(&browser);
    assert!(accuracy >= 0.9, "accuracy on its own examples: {accuracy}");
    assert_eq!(predict(&browser, &circle(6)), "0", "a new circle");
    assert_eq!(predict(&browser, &line(7)), "1", "a new line");
}

/// The trained network is saved with its card; a junk file is refused; the saved file loads
/// back with its classes, reads the drawing on the test pad, and trains further on new examples.
fn save_load_and_train_further(browser: &Browser) {
    browser.click("#own-export");
    let file = browser.wait_for("the saved model", 60, |b| {
        std::fs::read_dir(b.downloads())
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|p| p.extension().is_some_and(|x| x == "safetensors"))
    });
    // Chromium writes the file under a temporary name first; the final name means it is complete.
    std::thread::sleep(std::time::Duration::from_millis(500));
    let bytes = std::fs::read(&file).unwrap();
    assert!(
        bytes.len() > 8 && bytes[8..].starts_with(br#"{"__metadata__":{"kindling.model_card":"#),
        "{} bytes",
        bytes.len()
    );
    let card = browser.text("#own-card").unwrap_or_default();
    assert!(
        card.contains("circle, line, zigzag") && card.contains("mnist04-resnet"),
        "{card}"
    );

    let junk = browser.downloads().join("junk.safetensors");
    std::fs::write(&junk, b"not a model at all").unwrap();
    browser.upload("#own-import", &junk);
    let refused = browser.wait_for("the junk refused", 30, |b| {
        b.text("#own-file-message").filter(|m| !m.is_empty())
    });
    assert!(refused.contains("not loaded"), "{refused}");
    assert_eq!(count(browser, 0), Some(5), "a refused file changes nothing");

    // Other classes first, so that loading visibly brings the saved ones back.
    // (Each class keeps its examples by position; the third goes, and the network with it.)
    browser.type_into("#own-names", "a, b");
    browser.click("#own-names-set");
    browser.wait_for("two classes", 60, |b| {
        (count(b, 2).is_none() && count(b, 1) == Some(5)).then_some(())
    });
    assert!(browser.attribute("#own-export", "disabled").is_some());
    browser.upload("#own-import", &file);
    let loaded = browser.wait_for("the file loaded", 60, |b| {
        b.text("#own-file-message").filter(|m| m.contains("Loaded"))
    });
    assert!(loaded.contains("60 steps"), "{loaded}");
    assert_eq!(
        browser.value("#own-names").as_deref(),
        Some("circle, line, zigzag")
    );
    assert_eq!((count(browser, 0), count(browser, 2)), (Some(0), Some(0)));
    let answer = browser.wait_for("the loaded network's answer", 60, |b| {
        b.attribute("#own-prediction", "data-class")
    });
    assert_eq!(answer, "0", "the circle still on the test pad");

    let shapes: [Shape; 3] = [circle, line, zigzag];
    for k in 0..5 {
        for (class, shape) in shapes.iter().enumerate() {
            add_drawing(browser, class, k as u64 + 1, &shape(k + 1));
        }
    }
    browser.click("#own-train");
    browser.wait_for("trained further", 600, |b| {
        b.text("#own-status")
            .filter(|s| s.contains("Trained for 120 steps"))
    });
    assert_eq!(predict(browser, &line(9)), "1", "a new line");
}

/// A PNG of `width × height` grey pixels, `ink(x, y)` black and the rest white: 8-bit greyscale,
/// its image data in stored (uncompressed) deflate blocks.
fn png(width: u32, height: u32, ink: impl Fn(u32, u32) -> bool) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = !0u32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xedb8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(data);
        let crc = crc32(&out[start..]);
        out.extend(crc.to_be_bytes());
    }
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0); // no filter
        raw.extend((0..width).map(|x| if ink(x, y) { 0u8 } else { 255 }));
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend(len.to_le_bytes());
        zlib.extend((!len).to_le_bytes());
        zlib.extend(*block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend(((b << 16) | a).to_be_bytes());
    let mut header = Vec::new();
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 0, 0, 0, 0]); // 8-bit greyscale
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

fn upload(browser: &Browser, class: usize, dir: &Path, name: &str, bytes: &[u8]) {
    let path = dir.join(name);
    std::fs::write(&path, bytes).unwrap();
    browser.upload(&format!("#own-upload-{class}"), &path);
}

fn message(browser: &Browser, part: &str) -> String {
    browser.wait_for(part, 30, |b| {
        b.text("#own-upload-message").filter(|m| m.contains(part))
    })
}

#[test]
fn an_uploaded_png_becomes_an_example_and_a_file_that_is_not_a_picture_is_refused() {
    let site = serve_site();
    let browser = Browser::start();
    open(&browser, &site);
    // Names the engine refuses: said as they are typed, and the classes cannot be set.
    for (names, words) in [
        ("plus", "the list now has 1"),
        ("plus, plus", "used twice"),
        ("a, b, c, d, e, f", "the list now has 6"),
        ("plus, , minus", "Class 2 has no name"),
    ] {
        browser.type_into("#own-names", names);
        let problems = browser.wait_for(words, 10, |b| {
            b.text("#own-name-problems").filter(|p| p.contains(words))
        });
        assert!(problems.contains(words), "{names}: {problems}");
        assert!(browser.attribute("#own-names-set", "disabled").is_some());
    }
    assert_eq!(count(&browser, 0), None, "no classes yet");
    set_names(&browser, "plus, minus", 2);
    assert_eq!(browser.text("#own-name-problems"), None);
    let dir = std::env::temp_dir().join(format!("kindling-own-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();

    // A large plus sign, off centre on a wide white picture.
    let plus = png(300, 200, |x, y| {
        (x.abs_diff(110) < 8 && y.abs_diff(90) < 60) || (y.abs_diff(90) < 8 && x.abs_diff(110) < 60)
    });
    upload(&browser, 0, &dir, "plus.png", &plus);
    browser.wait_for("the uploaded example", 60, |b| {
        (count(b, 0) == Some(1)).then_some(())
    });
    assert_eq!(count(&browser, 1), Some(0));
    assert_eq!(browser.text("#own-upload-message").as_deref(), Some(""));
    // The worker's 28 × 28 example, drawn in the page: white ink in the middle, black corners.
    let pixel = |x: u32, y: u32| {
        browser
            .eval(&format!(
                "const c = document.querySelector('#own-examples-0 .own-thumb'); \
                 return c.getContext('2d').getImageData({x}, {y}, 1, 1).data[0];"
            ))
            .as_u64()
            .unwrap_or(999)
    };
    assert!(pixel(14, 14) > 200, "ink at the centre: {}", pixel(14, 14));
    assert_eq!(pixel(0, 0), 0);

    // Not a picture, an empty file, a picture of one colour: a message each, nothing added.
    upload(&browser, 0, &dir, "notes.png", b"these are not pixels");
    message(&browser, "not a picture");
    upload(&browser, 1, &dir, "empty.png", b"");
    message(&browser, "empty");
    upload(&browser, 1, &dir, "white.png", &png(40, 40, |_, _| false));
    message(&browser, "one colour");
    assert_eq!((count(&browser, 0), count(&browser, 1)), (Some(1), Some(0)));
    let role = browser.attribute("#own-upload-message", "role");
    assert_eq!(role.as_deref(), Some("alert"));

    // A decompression bomb: a small file whose header claims 30,000 × 30,000 pixels. It is
    // refused by what the header says, before the browser decodes anything (a decoded picture
    // this size would take 3.6 GB; if it were decoded, its missing pixel data would make it
    // "could not be read" instead).
    let mut bomb = png(2, 2, |_, _| true);
    bomb[16..20].copy_from_slice(&30_000u32.to_be_bytes());
    bomb[20..24].copy_from_slice(&30_000u32.to_be_bytes());
    upload(&browser, 0, &dir, "bomb.png", &bomb);
    message(&browser, "30,000 × 30,000 pixels, too many");
    assert_eq!((count(&browser, 0), count(&browser, 1)), (Some(1), Some(0)));

    // Too large to read: refused by its size alone.
    let huge = dir.join("huge.png");
    std::fs::write(&huge, vec![0u8; 11 << 20]).unwrap();
    browser.upload("#own-upload-0", &huge);
    message(&browser, "at most");
    // The same message in Chinese.
    browser.click("#lang-zh");
    let han = |text: &str| text.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c));
    browser.wait_for("the message in Chinese", 30, |b| {
        b.text("#own-upload-message")
            .filter(|m| han(m) && m.contains("MB"))
    });
    browser.click("#lang-en");
    message(&browser, "at most");
    assert_eq!((count(&browser, 0), count(&browser, 1)), (Some(1), Some(0)));

    // A good file again clears the message.
    upload(
        &browser,
        1,
        &dir,
        "minus.png",
        &png(120, 60, |x, y| y.abs_diff(30) < 5 && x.abs_diff(60) < 45),
    );
    browser.wait_for("the second example", 60, |b| {
        (count(b, 1) == Some(1)).then_some(())
    });
    assert_eq!(browser.text("#own-upload-message").as_deref(), Some(""));
    browser.eval(
        "document.querySelector('#own-examples-0').scrollIntoView({block: 'center'}); return true;",
    );
    browser.screenshot("transfer-own-uploads").ok();
    let _ = std::fs::remove_dir_all(&dir);
}

/// No lost training (issue 14): when training stops, the page keeps the network's checkpoint;
/// when the worker is killed, the new worker gets the classes and examples again, then the network
/// from that checkpoint, and "Train more" goes on from its step instead of from a new network.
/// (A default fine-tune ends before its first timed checkpoint, so the kill comes after it.)
#[test]
fn a_killed_worker_keeps_the_fine_tuned_network_and_training_goes_on_from_it() {
    let site = serve_site();
    let browser = Browser::start();
    open_at(
        &browser,
        &format!("{site}/?lang=en&backend=cpu&debug=faults#/transfer"),
    );
    set_names(&browser, "circle, line", 2);
    let shapes: [Shape; 2] = [circle, line];
    for k in 0..5 {
        for (class, shape) in shapes.iter().enumerate() {
            add_drawing(&browser, class, k as u64 + 1, &shape(k));
        }
    }
    browser.select("#own-steps", "30");
    browser.click("#own-train");
    let accuracy = trained_accuracy(&browser);
    let status = browser.text("#own-status").unwrap_or_default();
    assert!(status.contains("Trained for 30 steps"), "{status}");
    browser.wait_for("the checkpoint of the finished fine-tune", 60, |b| {
        OWN.held(b).filter(|&s| s == 30)
    });

    let kept = OWN.kill_worker(&browser, 30);
    assert_eq!(kept, 30);
    browser.wait_for("the network resumed from its checkpoint", 300, |b| {
        b.text("#own-recovery")
            .filter(|t| t.contains("goes on from its checkpoint at step 30"))
    });
    // The same weights on the same examples: the same accuracy, without training again.
    assert_eq!(trained_accuracy(&browser), accuracy);
    let status = browser.text("#own-status").unwrap_or_default();
    assert!(status.contains("Trained for 30 steps"), "{status}");
    for class in 0..2 {
        assert_eq!(count(&browser, class), Some(5), "the examples stay");
    }
    assert_eq!(predict(&browser, &circle(6)), "0", "a new circle");

    // Trained further, it counts on from the checkpoint's step.
    browser.click("#own-train");
    browser.wait_for("thirty steps more", 600, |b| {
        b.text("#own-status")
            .filter(|s| s.contains("Trained for 60 steps"))
    });
    let foreign: Vec<_> = browser
        .requested_urls()
        .into_iter()
        .filter(|u| !u.starts_with(&site))
        .collect();
    assert!(foreign.is_empty(), "{foreign:?}");
}
