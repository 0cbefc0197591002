//! Saving bytes as a file: a Blob, an object URL and a temporary `<a download>`.

use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{Blob, BlobPropertyBag, HtmlAnchorElement, Url};

use crate::services::worker::js_text;

/// How long the object URL stays valid after the click; the browser reads it asynchronously.
const REVOKE_AFTER_MS: i32 = 10_000;

/// Offers `bytes` to the learner as a download named `file_name`.
pub fn save(file_name: &str, bytes: &[u8]) -> Result<(), String> {
    let window = web_sys::window().ok_or("no window")?;
    let document = window.document().ok_or("no document")?;
    let parts = js_sys::Array::of1(&js_sys::Uint8Array::from(bytes));
    let options = BlobPropertyBag::new();
    options.set_type("application/octet-stream");
    let blob =
        Blob::new_with_u8_array_sequence_and_options(&parts, &options).map_err(|e| js_text(&e))?;
    let url = Url::create_object_url_with_blob(&blob).map_err(|e| js_text(&e))?;
    let anchor: HtmlAnchorElement = document
        .create_element("a")
        .map_err(|e| js_text(&e))?
        .dyn_into()
        .map_err(|_| "not an anchor")?;
    anchor.set_href(&url);
    anchor.set_download(file_name);
    let _ = anchor.set_attribute("hidden", "");
    let body = document.body().ok_or("no body")?;
    body.append_child(&anchor).map_err(|e| js_text(&e))?;
    anchor.click();
    anchor.remove();
    let revoke = Closure::once_into_js(move || {
        let _ = Url::revoke_object_url(&url);
    });
    window
        .set_timeout_with_callback_and_timeout_and_arguments_0(
            revoke.unchecked_ref(),
            REVOKE_AFTER_MS,
        )
        .map_err(|e| js_text(&e))?;
    Ok(())
}
