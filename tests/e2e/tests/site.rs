//! The built site in headless Chromium: languages, training, clicks while training, URL state,
//! bad input, console errors, requests that would leave the origin, and the Content-Security-Policy.

use kindling_e2e::{Browser, number, serve_site};

/// Every page visit ends with these checks.
fn assert_clean(browser: &Browser, origin: &str) {
    let errors: Vec<_> = browser
        .console()
        .into_iter()
        .filter(|(level, _)| level == "SEVERE")
        .collect();
    assert!(errors.is_empty(), "console errors: {errors:?}");
    let foreign: Vec<_> = browser
        .requested_urls()
        .into_iter()
        .filter(|u| !u.starts_with(origin))
        .collect();
    assert!(foreign.is_empty(), "requests outside {origin}: {foreign:?}");
}

fn badge_ready(b: &Browser) -> Option<String> {
    b.text("#backend-badge")
        .filter(|t| t.starts_with("CPU ·") || t.starts_with("WebGPU ·"))
}

#[test]
fn home_loads_in_both_languages_with_a_backend_badge() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en#/"));
    let title = browser.wait_for("English home", 60, |b| {
        b.text("h1").filter(|t| !t.is_empty())
    });
    assert_eq!(browser.eval("return document.documentElement.lang;"), "en");
    assert!(title.is_ascii(), "{title}");
    assert!(
        browser
            .eval("return document.querySelectorAll('#idea-map a').length;")
            .as_u64()
            .unwrap_or(0)
            >= 1
    );
    let badge = browser.wait_for("backend badge", 120, badge_ready);
    // Headless Chromium offers only SwiftShader, a software adapter: the CPU is chosen and says why.
    assert!(badge.starts_with("CPU ·"), "{badge}");
    browser.screenshot("home-en").ok();

    browser.goto(&format!("{site}/?lang=zh#/"));
    let title = browser.wait_for("Chinese home", 60, |b| {
        b.text("h1")
            .filter(|t| t.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
    });
    assert_eq!(
        browser.eval("return document.documentElement.lang;"),
        "zh",
        "{title}"
    );
    browser.screenshot("home-zh").ok();
    assert_clean(&browser, &site);
}

fn readout(b: &Browser, selector: &str) -> Option<f64> {
    b.text(selector).as_deref().and_then(number)
}

#[test]
fn playground_trains_answers_clicks_and_keeps_its_run_through_bad_input() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en&backend=cpu#/playground"));
    let initial = browser.wait_for("first loss readout", 120, |b| readout(b, "#train-loss"));
    assert_eq!(readout(&browser, "#step-count"), Some(0.0));

    browser.click("#play");
    let steps = browser.wait_for("300 steps", 120, |b| {
        readout(b, "#step-count").filter(|&s| s >= 300.0)
    });
    // A click while training runs is answered: the run pauses and its step count stops.
    browser.click("#play");
    browser.wait_for("paused status", 30, |b| {
        b.text("#status")
            .filter(|s| s.to_lowercase().contains("paused"))
    });
    std::thread::sleep(std::time::Duration::from_millis(800));
    let paused_at = readout(&browser, "#step-count").unwrap();
    std::thread::sleep(std::time::Duration::from_millis(800));
    assert_eq!(readout(&browser, "#step-count").unwrap(), paused_at);
    assert!(paused_at >= steps);
    let trained = readout(&browser, "#train-loss").unwrap();
    assert!(trained < initial * 0.8, "train loss {initial} → {trained}");
    assert!(readout(&browser, "#steps-per-second").unwrap_or(0.0) > 0.0);
    browser.screenshot("playground-trained").ok();

    // A bad edit shows a message and leaves the run as it was.
    for bad in ["abc", "-1", "", "1e999"] {
        browser.type_into("#field-lr", bad);
        let message = browser.wait_for("learning-rate message", 10, |b| {
            b.text("#error-lr").filter(|t| !t.is_empty())
        });
        assert!(
            !message.contains("lr"),
            "message should be words, not a key: {message}"
        );
        assert_eq!(
            readout(&browser, "#step-count").unwrap(),
            paused_at,
            "bad input {bad:?} reset the run"
        );
    }
    assert_eq!(
        browser.eval("return document.querySelector('#field-lr').getAttribute('aria-invalid');"),
        "true"
    );
    browser.screenshot("playground-bad-input").ok();
    assert_clean(&browser, &site);
}

#[test]
fn the_url_restores_a_configuration() {
    let site = serve_site();
    let browser = Browser::start();
    let query = "data=xor&noise=0.1&train=60&points=300&layers=8,4&act=tanh&opt=momentum&lr=0.05&batch=16&seed=7";
    browser.goto(&format!("{site}/?lang=en&backend=cpu#/playground?{query}"));
    browser.wait_for("first loss readout", 120, |b| readout(b, "#train-loss"));
    for (field, expected) in [
        ("data", "xor"),
        ("noise", "0.1"),
        ("train", "60"),
        ("points", "300"),
        ("layers", "8,4"),
        ("act", "tanh"),
        ("opt", "momentum"),
        ("lr", "0.05"),
        ("batch", "16"),
        ("seed", "7"),
    ] {
        assert_eq!(
            browser.value(&format!("#field-{field}")).as_deref(),
            Some(expected),
            "field {field}"
        );
    }
    let hash = browser.eval("return location.hash;");
    let hash = hash.as_str().unwrap_or("");
    for part in query.split('&') {
        assert!(hash.contains(part), "{part} missing from {hash}");
    }
    // A malformed link keeps defaults for what it cannot read and says so.
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/playground?lr=banana&seed=3"
    ));
    let notice = browser.wait_for("URL notice", 60, |b| {
        b.text("#url-notice").filter(|t| !t.is_empty())
    });
    assert!(!notice.is_empty());
    browser.wait_for("seed 3", 30, |b| {
        b.value("#field-seed").filter(|v| v == "3")
    });
    assert_clean(&browser, &site);
}

#[test]
fn a_worker_panic_shows_a_banner_and_the_worker_restarts() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu&debug=crash-worker#/playground"
    ));
    let banner = browser.wait_for("error banner", 120, |b| {
        b.text("#error-banner").filter(|t| !t.is_empty())
    });
    assert!(banner.contains("crash requested by the page"), "{banner}");
    // The new worker gets the same settings and trains.
    browser.wait_for("loss readout after restart", 120, |b| {
        readout(b, "#train-loss")
    });
    browser.click("#play");
    browser.wait_for("steps after restart", 120, |b| {
        readout(b, "#step-count").filter(|&s| s >= 50.0)
    });
    browser.click("#play");
    browser.screenshot("playground-after-crash").ok();
    // The panic itself is logged to the console; nothing may leave the origin all the same.
    let foreign: Vec<_> = browser
        .requested_urls()
        .into_iter()
        .filter(|u| !u.starts_with(&site))
        .collect();
    assert!(foreign.is_empty(), "{foreign:?}");
}

#[test]
fn the_content_security_policy_allows_no_inline_script_and_no_eval() {
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en#/"));
    browser.wait_for("the backend badge", 120, badge_ready);
    assert_clean(&browser, &site);
    assert_eq!(
        browser.eval("return document.querySelectorAll('script:not([src])').length;"),
        0,
        "the built page still holds an inline script"
    );
    let policy = browser
        .eval(
            "return document.querySelector('meta[http-equiv=\"Content-Security-Policy\"]').content;",
        )
        .as_str()
        .unwrap_or_default()
        .to_string();
    let scripts = policy
        .split(';')
        .map(str::trim)
        .find(|d| d.starts_with("script-src"))
        .unwrap_or_default();
    assert_eq!(scripts, "script-src 'self' 'wasm-unsafe-eval'", "{policy}");
    assert!(policy.contains("default-src 'self'"), "{policy}");
    // An injected script is refused by the policy, not merely absent. (Scripts that WebDriver
    // runs, like this one, are exempt; the one it adds to the page is not.)
    let inline = browser.eval(
        "const s = document.createElement('script');
         s.textContent = 'window.injected = true;';
         document.head.appendChild(s);
         return window.injected === true;",
    );
    assert_eq!(inline, false, "an inline script ran");
    let refusals: Vec<_> = browser
        .console()
        .into_iter()
        .filter(|(_, message)| message.contains("Content Security Policy"))
        .collect();
    assert!(!refusals.is_empty(), "no policy violation was reported");
}

#[test]
fn a_diverging_run_pauses_explains_and_rolls_back() {
    let site = serve_site();
    let browser = Browser::start();
    // Momentum at a learning rate of 10 on a linear network blows the weights up within a few
    // dozen steps.
    browser.goto(&format!(
        "{site}/?lang=en&backend=cpu#/playground?data=spiral&act=linear&opt=momentum&lr=10"
    ));
    browser.wait_for("first loss readout", 120, |b| readout(b, "#train-loss"));
    browser.click("#play");
    let message = browser.wait_for("the divergence notice", 60, |b| {
        b.text("#diverged").filter(|t| !t.is_empty())
    });
    assert!(message.contains("learning rate"), "{message}");
    browser.wait_for("paused status", 30, |b| {
        b.text("#status")
            .filter(|s| s.to_lowercase().contains("paused"))
    });
    let stopped_at = readout(&browser, "#step-count").unwrap();
    let button = browser.text("#roll-back").unwrap_or_default();
    let good = number(button.trim_start_matches("Go back to step")).unwrap_or(f64::NAN);
    assert!(good < stopped_at, "{button} / {stopped_at}");
    browser.screenshot("playground-diverged").ok();

    browser.click("#roll-back");
    browser.wait_for("the step rolled back", 30, |b| {
        readout(b, "#step-count").filter(|&s| s == good)
    });
    assert!(browser.text("#diverged").is_none());
    // The same learning rate blows up again from there, and says so again.
    browser.click("#play");
    browser.wait_for("the notice again", 60, |b| b.text("#diverged"));
    assert_clean(&browser, &site);
}

#[test]
fn a_request_to_another_origin_is_caught_by_the_test_harness() {
    // Every test's browser fails on a request that leaves for another origin (see
    // `Browser`'s drop); this checks that such a request is in fact seen, and that the site's
    // own requests are not.
    let site = serve_site();
    let browser = Browser::start();
    browser.goto(&format!("{site}/?lang=en#/"));
    browser.wait_for("the home page", 60, |b| b.text("h1"));
    assert_eq!(browser.foreign_requests(), Vec::<String>::new());
    browser.goto("http://kindling-elsewhere.example/page");
    let seen = browser.wait_for("the foreign request", 30, |b| {
        Some(b.foreign_requests()).filter(|r| !r.is_empty())
    });
    assert_eq!(
        seen,
        ["GET http://kindling-elsewhere.example/page HTTP/1.1"]
    );
    browser.take_foreign_requests();
}
