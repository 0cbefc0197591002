//! The per-language text files say the same things: same keys, no empty strings, same
//! placeholders.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

fn load(lang: &str) -> BTreeMap<String, String> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join(format!("../www/i18n/{lang}.json"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    serde_json::from_str(&text)
        .unwrap_or_else(|e| panic!("{}: not a flat string map: {e}", path.display()))
}

fn placeholders(text: &str) -> BTreeSet<String> {
    text.split('{')
        .skip(1)
        .filter_map(|part| part.split_once('}').map(|(name, _)| name.to_string()))
        .collect()
}

#[test]
fn english_and_chinese_have_the_same_keys_and_placeholders() {
    let en = load("en");
    let zh = load("zh");
    let en_keys: BTreeSet<_> = en.keys().collect();
    let zh_keys: BTreeSet<_> = zh.keys().collect();
    assert_eq!(
        en_keys.difference(&zh_keys).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "missing in zh"
    );
    assert_eq!(
        zh_keys.difference(&en_keys).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "missing in en"
    );
    assert!(en.len() > 20, "only {} strings", en.len());
    for (key, english) in &en {
        let chinese = &zh[key];
        assert!(
            !english.trim().is_empty() && !chinese.trim().is_empty(),
            "{key} is empty"
        );
        assert_eq!(placeholders(english), placeholders(chinese), "{key}");
    }
    // The Chinese file is in Chinese.
    let han = zh
        .values()
        .filter(|v| v.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)))
        .count();
    assert!(
        han * 10 >= zh.len() * 8,
        "only {han} of {} Chinese strings contain Chinese",
        zh.len()
    );
}
