//! axe-core's automated accessibility audit (npm `axe-core`, installed by `cargo xtask setup`
//! under the cache) on every page, in both languages: no violation of serious or critical impact,
//! and no request to another origin.

use kindling_e2e::{Browser, PAGES, serve_site};

fn axe_source() -> String {
    let path = std::env::var("KINDLING_AXE").unwrap_or_else(|_| {
        let home = std::env::var("HOME").unwrap_or_default();
        format!("{home}/.cache/kindling/npm-axe/node_modules/axe-core/axe.min.js")
    });
    std::fs::read_to_string(&path)
        .unwrap_or_else(|e| panic!("{path}: {e} (run `cargo xtask setup`)"))
}

/// Serious and critical violations on the current page: (rule, impact, help, first targets).
fn audit(browser: &Browser, axe: &str) -> Vec<String> {
    browser.eval(&format!(
        "{axe}\n; window.axeResult = null; axe.run(document, {{ resultTypes: ['violations'] }}).then(r => {{ window.axeResult = r.violations.map(v => ({{ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map(n => n.target.join(' ')) }})); }}); return 1;"
    ));
    let result = browser.wait_for("the audit", 120, |b| {
        let r = b.eval("return window.axeResult;");
        (!r.is_null()).then_some(r)
    });
    result
        .as_array()
        .into_iter()
        .flatten()
        .filter(|v| matches!(v["impact"].as_str(), Some("serious" | "critical")))
        .map(|v| {
            format!(
                "{} ({}): {} at {}",
                v["id"], v["impact"], v["help"], v["nodes"]
            )
        })
        .collect()
}

#[test]
fn every_page_passes_the_audit_in_both_languages() {
    let axe = axe_source();
    let site = serve_site();
    let browser = Browser::start();
    let mut found = Vec::new();
    for lang in ["en", "zh"] {
        for page in PAGES {
            browser.open_page(&site, lang, page);
            for violation in audit(&browser, &axe) {
                found.push(format!("{lang} #/{page}: {violation}"));
            }
            // Every page loads from this origin alone (the page's resource timing: the
            // worker's own fetches are not in it).
            for url in browser.requested_urls() {
                if !url.starts_with(&site) {
                    found.push(format!("{lang} #/{page}: a request to {url}"));
                }
            }
        }
    }
    assert!(found.is_empty(), "{}", found.join("\n"));
}
