//! Page text in English and Chinese: flat key → string maps in `www/i18n/*.json`. In the
//! browser each language is fetched when first needed (trunk copies the files to `i18n/`), so
//! the page's wasm carries no text and a learner downloads only the language they read.

use std::collections::HashMap;
use std::sync::OnceLock;

use kindling_engine::common::model_card::ModelFileError;
use kindling_engine::common::parse::Problem;
use kindling_engine::lessons::playground::config::{ConfigError, Field};
use serde::{Deserialize, Serialize};

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "lowercase")]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    pub const ALL: [Lang; 2] = [Lang::En, Lang::Zh];

    /// The short code used in URLs and storage.
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// The value for `<html lang>`.
    pub fn html_lang(self) -> &'static str {
        self.code()
    }

    /// Parses `en` / `zh` exactly (URL and storage values).
    pub fn from_code(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "zh" => Some(Lang::Zh),
            _ => None,
        }
    }

    /// Picks a language from a browser language tag such as `zh-CN` or `en-GB`.
    pub fn from_browser(tag: &str) -> Lang {
        if tag.trim().to_ascii_lowercase().starts_with("zh") {
            Lang::Zh
        } else {
            Lang::En
        }
    }
}

type Table = HashMap<String, String>;

/// Natively (tests) both tables are compiled in.
#[cfg(not(target_arch = "wasm32"))]
fn table(lang: Lang) -> Option<&'static Table> {
    static EN: OnceLock<Table> = OnceLock::new();
    static ZH: OnceLock<Table> = OnceLock::new();
    let parse = |text: &str| crate::json::from_str(text).unwrap_or_default();
    Some(match lang {
        Lang::En => EN.get_or_init(|| parse(include_str!("../www/i18n/en.json"))),
        Lang::Zh => ZH.get_or_init(|| parse(include_str!("../www/i18n/zh.json"))),
    })
}

/// In the browser each table is fetched once, by `load`.
#[cfg(target_arch = "wasm32")]
fn cell(lang: Lang) -> &'static OnceLock<Table> {
    static EN: OnceLock<Table> = OnceLock::new();
    static ZH: OnceLock<Table> = OnceLock::new();
    match lang {
        Lang::En => &EN,
        Lang::Zh => &ZH,
    }
}

#[cfg(target_arch = "wasm32")]
fn table(lang: Lang) -> Option<&'static Table> {
    cell(lang).get()
}

/// FNV-1a, evaluated at compile time over each file: the tables' URLs change with their content,
/// so a browser never pairs this build with a cached table of another.
#[cfg(target_arch = "wasm32")]
const fn fnv1a(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut i = 0;
    while i < bytes.len() {
        hash ^= bytes[i] as u64;
        hash = hash.wrapping_mul(0x0100_0000_01b3);
        i += 1;
    }
    hash
}

/// Relative, so that the site works from any sub-path.
#[cfg(target_arch = "wasm32")]
fn url(lang: Lang) -> String {
    const EN: u64 = fnv1a(include_bytes!("../www/i18n/en.json"));
    const ZH: u64 = fnv1a(include_bytes!("../www/i18n/zh.json"));
    let version = match lang {
        Lang::En => EN,
        Lang::Zh => ZH,
    };
    format!("i18n/{}.json?v={version:016x}", lang.code())
}

/// Fetches `lang`'s table unless it is already there.
#[cfg(target_arch = "wasm32")]
pub async fn load(lang: Lang) -> Result<(), String> {
    if table(lang).is_none() {
        let table: Table = crate::json::fetch(&url(lang)).await?;
        let _ = cell(lang).set(table);
    }
    Ok(())
}

/// Natively both tables are always there.
#[cfg(not(target_arch = "wasm32"))]
pub async fn load(_lang: Lang) -> Result<(), String> {
    Ok(())
}

/// Runs `then` once `lang`'s table is there: at once if it is, else after fetching it. Only the
/// latest request runs, so quick switches end in the language chosen last; a table that cannot
/// be fetched leaves the page in its language (the reason goes to the console).
pub fn when_loaded(lang: Lang, then: impl FnOnce() + 'static) {
    thread_local! {
        static LATEST: std::cell::Cell<u64> = const { std::cell::Cell::new(0) };
    }
    let request = LATEST.with(|latest| {
        latest.set(latest.get() + 1);
        latest.get()
    });
    if table(lang).is_some() {
        then();
        return;
    }
    wasm_bindgen_futures::spawn_local(async move {
        match load(lang).await {
            Ok(()) if LATEST.with(|latest| latest.get()) == request => then(),
            Ok(()) => {}
            Err(error) => web_sys::console::error_1(
                &format!("kindling: cannot load the {} text: {error}", lang.code()).into(),
            ),
        }
    });
}

/// The text for `key`; the key itself when it is missing.
pub fn t(lang: Lang, key: &str) -> String {
    table(lang)
        .and_then(|table| table.get(key))
        .cloned()
        .unwrap_or_else(|| key.to_string())
}

/// The text for `key` with `{name}` placeholders filled in.
pub fn tf(lang: Lang, key: &str, args: &[(&str, &str)]) -> String {
    fill(&t(lang, key), args)
}

/// Replaces each `{name}` in `template` by its value; unknown placeholders stay as they are.
pub fn fill(template: &str, args: &[(&str, &str)]) -> String {
    let mut out = template.to_string();
    for (name, value) in args {
        out = out.replace(&format!("{{{name}}}"), value);
    }
    out
}

/// A number as it should appear in a message (no trailing `.0`).
fn number(value: f64) -> String {
    format!("{value}")
}

/// Why a value was refused, in words.
pub fn problem_text(lang: Lang, problem: &Problem) -> String {
    match problem {
        Problem::Empty => t(lang, "problem.empty"),
        Problem::NotANumber => t(lang, "problem.not_a_number"),
        Problem::NotAWholeNumber => t(lang, "problem.not_a_whole_number"),
        Problem::NotFinite => t(lang, "problem.not_finite"),
        Problem::OutOfRange { min, max } => tf(
            lang,
            "problem.out_of_range",
            &[("min", &number(*min)), ("max", &number(*max))],
        ),
        Problem::Unknown => t(lang, "problem.unknown"),
    }
}

/// Why a model file was refused or could not be written, in words (any lesson's model files).
pub fn model_file_error(lang: Lang, error: &ModelFileError) -> String {
    match error {
        ModelFileError::NotAModel => t(lang, "model_file.not_a_model"),
        ModelFileError::UnsupportedVersion { version } => tf(
            lang,
            "model_file.unsupported_version",
            &[("version", &version.to_string())],
        ),
        ModelFileError::Truncated => t(lang, "model_file.truncated"),
        ModelFileError::BadCard { message } => {
            tf(lang, "model_file.bad_card", &[("message", message)])
        }
        ModelFileError::WrongModel { expected, found } => tf(
            lang,
            "model_file.wrong_model",
            &[("expected", expected), ("found", found)],
        ),
        ModelFileError::BadSettings { message } => {
            tf(lang, "model_file.bad_settings", &[("message", message)])
        }
        ModelFileError::ShapeMismatch { message } => {
            tf(lang, "model_file.shape_mismatch", &[("message", message)])
        }
        ModelFileError::ChecksumMismatch => t(lang, "model_file.checksum_mismatch"),
        ModelFileError::NotFinite => t(lang, "model_file.not_finite"),
        ModelFileError::Unreadable => t(lang, "model_file.unreadable"),
    }
}

/// The name of a setting.
pub fn field_name(lang: Lang, field: Field) -> String {
    t(lang, &format!("field.{}", field.key()))
}

/// A problem with a setting, named: "Noise: must be between 0 and 0.5".
pub fn config_error_text(lang: Lang, error: &ConfigError) -> String {
    tf(
        lang,
        "problem.with_field",
        &[
            ("field", &field_name(lang, error.field)),
            ("problem", &problem_text(lang, &error.problem)),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_languages_have_the_same_keys() {
        let en = table(Lang::En).unwrap();
        let zh = table(Lang::Zh).unwrap();
        assert!(!en.is_empty());
        let mut missing: Vec<&String> = en.keys().filter(|k| !zh.contains_key(*k)).collect();
        missing.extend(zh.keys().filter(|k| !en.contains_key(*k)));
        assert!(missing.is_empty(), "{missing:?}");
    }

    #[test]
    fn every_model_file_error_has_words_in_both_languages() {
        let message = || "m".to_string();
        let errors = [
            ModelFileError::NotAModel,
            ModelFileError::UnsupportedVersion { version: 9 },
            ModelFileError::Truncated,
            ModelFileError::BadCard { message: message() },
            ModelFileError::WrongModel {
                expected: "digit-gan".into(),
                found: "cnn".into(),
            },
            ModelFileError::BadSettings { message: message() },
            ModelFileError::ShapeMismatch { message: message() },
            ModelFileError::ChecksumMismatch,
            ModelFileError::NotFinite,
            ModelFileError::Unreadable,
        ];
        for lang in [Lang::En, Lang::Zh] {
            for error in &errors {
                let text = model_file_error(lang, error);
                assert!(!text.starts_with("model_file."), "{error:?}: {text}");
                assert!(!text.contains('{'), "{error:?}: {text}");
            }
        }
        let wrong = model_file_error(Lang::En, &errors[4]);
        assert!(
            wrong.contains("cnn") && wrong.contains("digit-gan"),
            "{wrong}"
        );
    }

    #[test]
    fn placeholders_and_missing_keys() {
        assert_eq!(fill("a {x} b {y}", &[("x", "1"), ("y", "2")]), "a 1 b 2");
        assert_eq!(t(Lang::En, "no.such.key"), "no.such.key");
        assert_eq!(Lang::from_browser("zh-TW"), Lang::Zh);
        assert_eq!(Lang::from_browser("de"), Lang::En);
        assert_eq!(Lang::from_code("ZH"), Some(Lang::Zh));
    }
}
