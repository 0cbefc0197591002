//! The MNIST files' description, `static/mnist/manifest.json` (written by `cargo xtask data`),
//! fetched from the site itself.

use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

pub use kindling_engine::datasets::mnist::MnistManifest;

use crate::services::worker::js_text;

/// Relative, so that the site works from any sub-path.
pub const URL: &str = "static/mnist/manifest.json";

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
    MnistManifest::from_json(&text)
}
