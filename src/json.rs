//! JSON through the browser's own `JSON.parse` and `JSON.stringify` with serde-wasm-bindgen:
//! serde_json's parser and printer would add about 20 KB gzip to the page's wasm for the little
//! JSON it handles (its text, the MNIST manifest, the worked examples, the calibrations kept in
//! local storage). Natively (in tests) serde_json does the same.

use serde::Serialize;
use serde::de::DeserializeOwned;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

/// A JavaScript error in words.
fn js_error(value: JsValue) -> String {
    match value.dyn_ref::<js_sys::Error>() {
        Some(error) => String::from(error.message()),
        None => value.as_string().unwrap_or_else(|| format!("{value:?}")),
    }
}

/// Parses `text` as JSON into `T`; the error in words.
#[cfg(target_arch = "wasm32")]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    let value = js_sys::JSON::parse(text).map_err(js_error)?;
    serde_wasm_bindgen::from_value(value).map_err(|e| e.to_string())
}

/// Parses `text` as JSON into `T`; the error in words.
#[cfg(not(target_arch = "wasm32"))]
pub fn from_str<T: DeserializeOwned>(text: &str) -> Result<T, String> {
    serde_json::from_str(text).map_err(|e| e.to_string())
}

/// Writes `value` as JSON.
#[cfg(target_arch = "wasm32")]
pub fn to_string<T: Serialize>(value: &T) -> Result<String, String> {
    let serializer = serde_wasm_bindgen::Serializer::json_compatible();
    let value = value.serialize(&serializer).map_err(|e| e.to_string())?;
    js_sys::JSON::stringify(&value)
        .map(String::from)
        .map_err(js_error)
}

/// Writes `value` as JSON.
#[cfg(not(target_arch = "wasm32"))]
pub fn to_string<T: Serialize>(value: &T) -> Result<String, String> {
    serde_json::to_string(value).map_err(|e| e.to_string())
}

/// Fetches `url` (relative to the page, so that the site works from any sub-path) and reads it
/// as JSON into `T`.
pub async fn fetch<T: DeserializeOwned>(url: &str) -> Result<T, String> {
    let window = web_sys::window().ok_or("no window")?;
    let response: Response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(js_error)?
        .dyn_into()
        .map_err(|_| "not a response".to_string())?;
    if !response.ok() {
        return Err(format!("HTTP {}", response.status()));
    }
    let text = JsFuture::from(response.text().map_err(js_error)?)
        .await
        .map_err(js_error)?
        .as_string()
        .unwrap_or_default();
    from_str(&text)
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;

    #[test]
    fn reads_and_writes_json_and_refuses_garbage() {
        let map: HashMap<String, String> = super::from_str(r#"{"a": "b"}"#).unwrap();
        assert_eq!(map["a"], "b");
        assert_eq!(super::to_string(&map).unwrap(), r#"{"a":"b"}"#);
        assert!(super::from_str::<HashMap<String, String>>("{not json").is_err());
    }
}
