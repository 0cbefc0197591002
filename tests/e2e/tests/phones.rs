//! Every page at a phone's width (360 CSS pixels): nothing wider than the screen, so that no page
//! scrolls sideways; a screenshot of each is kept for a person to look at.

use kindling_e2e::{Browser, PAGES, serve_site};

/// Elements that stick out past the viewport's right edge (outside scrolling containers, whose
/// own overflow is by design), as short descriptions.
const OVERFLOW: &str = "
    const width = document.documentElement.clientWidth;
    const scrolls = el => { for (let p = el.parentElement; p; p = p.parentElement) {
        const o = getComputedStyle(p).overflowX; if (o === 'auto' || o === 'scroll' || o === 'hidden') return true; }
        return false; };
    const out = [];
    for (const el of document.body.querySelectorAll('*')) {
        const r = el.getBoundingClientRect();
        if (r.width > 0 && r.right > width + 1 && !scrolls(el)) {
            out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
                (el.className && el.className.baseVal === undefined ? '.' + String(el.className).split(' ').join('.') : '') +
                ' right=' + Math.round(r.right));
        }
    }
    return { width, scroll: document.documentElement.scrollWidth, out: out.slice(0, 8) };";

#[test]
fn every_page_fits_a_360_pixel_screen_in_both_languages() {
    let site = serve_site();
    let browser = Browser::start();
    browser.set_window_size(360, 740);
    let mut found = Vec::new();
    for lang in ["en", "zh"] {
        for page in PAGES {
            browser.open_page(&site, lang, page);
            let report = browser.eval(OVERFLOW);
            let (width, scroll) = (report["width"].as_u64(), report["scroll"].as_u64());
            assert!(width.is_some_and(|w| w <= 360), "{report}");
            if scroll > width {
                found.push(format!("{lang} #/{page}: {report}"));
            }
            let name = if page.is_empty() { "home" } else { page };
            browser.screenshot(&format!("phone-{lang}-{name}")).ok();
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
