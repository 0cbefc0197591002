//! Reading a file the learner chose.

use wasm_bindgen_futures::JsFuture;
use web_sys::File;

use crate::services::worker::js_text;

/// The file's bytes.
pub async fn read_bytes(file: &File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| js_text(&e))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}
