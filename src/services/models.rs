//! The trained models shipped with the site in `static/models/` (written by the native `kindling`
//! program): their list, each one's card, and a model file with its SHA-256, computed by the
//! browser's own SubtleCrypto, which keeps a SHA-256 implementation out of the page's wasm.
//! Every URL is relative, so the site works from any sub-path and no request leaves it.

use js_sys::{ArrayBuffer, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

use crate::json::Value;
use crate::services::worker::js_text;

const DIR: &str = "static/models/";

/// A shipped model's name, as `index.json` lists it, and its card (`<name>.json`) or why that
/// could not be fetched.
pub type Listed = (String, Result<Value, String>);

/// A model file as it arrived.
pub struct Download {
    pub bytes: Vec<u8>,
    /// The hex SHA-256 of `bytes`, or why the browser could not compute it.
    pub sha256: Result<String, String>,
}

/// Whether `name` is a plain file name (letters, digits, `-`, `_`), so that its URLs stay in
/// `static/models/`.
fn plain(name: &str) -> bool {
    !name.is_empty()
        && name
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
}

/// Every model `static/models/index.json` lists with a plain name, with its card.
pub async fn fetch_listing() -> Result<Vec<Listed>, String> {
    let index: Value = crate::json::fetch_value(&format!("{DIR}index.json")).await?;
    let names = index.get("models").map_or(&[][..], Value::items);
    let mut listed = Vec::new();
    for name in names.iter().filter_map(Value::text).filter(|n| plain(n)) {
        let card = crate::json::fetch_value(&format!("{DIR}{name}.json")).await;
        listed.push((name.to_string(), card));
    }
    Ok(listed)
}

/// The model file `static/models/<name>.safetensors` and its SHA-256.
pub async fn fetch_file(name: &str) -> Result<Download, String> {
    let response = crate::json::response(&format!("{DIR}{name}.safetensors")).await?;
    let buffer: ArrayBuffer = JsFuture::from(response.array_buffer().map_err(|e| js_text(&e))?)
        .await
        .map_err(|e| js_text(&e))?
        .dyn_into()
        .map_err(|_| "not an ArrayBuffer".to_string())?;
    let sha256 = sha256_hex(&buffer).await;
    Ok(Download {
        bytes: Uint8Array::new(&buffer).to_vec(),
        sha256,
    })
}

/// SHA-256 through `crypto.subtle.digest`, as lowercase hex. Browsers offer `crypto.subtle` only
/// on secure pages (https, or http from this machine).
async fn sha256_hex(data: &ArrayBuffer) -> Result<String, String> {
    let window = web_sys::window().ok_or("no window")?;
    let subtle = window.crypto().map_err(|e| js_text(&e))?.subtle();
    if subtle.is_undefined() {
        return Err("crypto.subtle is not available on this page (it needs https)".into());
    }
    let digest = subtle
        .digest_with_str_and_buffer_source("SHA-256", data)
        .map_err(|e| js_text(&e))?;
    let digest = JsFuture::from(digest).await.map_err(|e| js_text(&e))?;
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let digest = Uint8Array::new(&digest).to_vec();
    Ok(digest
        .iter()
        .flat_map(|b| [HEX[usize::from(b >> 4)], HEX[usize::from(b & 15)]])
        .map(char::from)
        .collect())
}

#[cfg(test)]
mod tests {
    #[test]
    fn only_plain_names_become_urls() {
        assert!(super::plain("mnist-classifier") && super::plain("mnist04_resnet"));
        for name in [
            "",
            "../secret",
            "a/b",
            "//host",
            "x.json",
            "mnist classifier",
        ] {
            assert!(!super::plain(name), "{name}");
        }
    }
}
