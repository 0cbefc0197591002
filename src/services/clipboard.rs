//! Copying text with `navigator.clipboard.writeText`, where the browser allows it.

use js_sys::{Function, Promise, Reflect};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

use crate::services::worker::js_text;

/// Puts `text` on the clipboard; says why not when the browser has no clipboard here (an
/// insecure origin, for instance) or refuses (no permission, the page not focused).
pub async fn write_text(text: &str) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let navigator: JsValue = window.navigator().into();
    let clipboard = Reflect::get(&navigator, &"clipboard".into()).map_err(|e| js_text(&e))?;
    if clipboard.is_undefined() || clipboard.is_null() {
        return Err("navigator.clipboard is not available".into());
    }
    let write = Reflect::get(&clipboard, &"writeText".into())
        .ok()
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or("navigator.clipboard.writeText is not available")?;
    let promise: Promise = write
        .call1(&clipboard, &JsValue::from_str(text))
        .map_err(|e| js_text(&e))?
        .dyn_into()
        .map_err(|_| "writeText did not return a promise")?;
    JsFuture::from(promise)
        .await
        .map(|_| ())
        .map_err(|e| js_text(&e))
}
