//! Runs kept in this browser's IndexedDB (a lesson's checkpoint and curves, as bytes under the
//! lesson's name), so that a reload can resume them. Nothing leaves the browser.

use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStore, IdbRequest, IdbTransactionMode};

use crate::services::worker::js_text;

const DATABASE: &str = "kindling";
const VERSION: u32 = 1;
const STORE: &str = "runs";

/// Waits for `request`: its result, or its error in words.
async fn finished(request: &IdbRequest) -> Result<JsValue, String> {
    let promise = Promise::new(&mut |resolve, reject| {
        let done = request.clone();
        let on_success = Closure::once_into_js(move || {
            let _ = resolve.call1(&JsValue::NULL, &done.result().unwrap_or(JsValue::UNDEFINED));
        });
        let failed = request.clone();
        let on_error = Closure::once_into_js(move || {
            let error = Reflect::get(&failed, &"error".into()).unwrap_or(JsValue::UNDEFINED);
            let _ = reject.call1(&JsValue::NULL, &error);
        });
        request.set_onsuccess(Some(on_success.unchecked_ref()));
        request.set_onerror(Some(on_error.unchecked_ref()));
    });
    JsFuture::from(promise).await.map_err(|e| js_text(&e))
}

async fn store(mode: IdbTransactionMode) -> Result<IdbObjectStore, String> {
    let factory = web_sys::window()
        .and_then(|w| w.indexed_db().ok().flatten())
        .ok_or("this browser keeps no IndexedDB here")?;
    let request = factory
        .open_with_u32(DATABASE, VERSION)
        .map_err(|e| js_text(&e))?;
    let upgrading = request.clone();
    let on_upgrade = Closure::once_into_js(move || {
        if let Ok(database) = upgrading.result() {
            // The first opening makes the store; it exists in every later version.
            let _ = database
                .unchecked_into::<IdbDatabase>()
                .create_object_store(STORE);
        }
    });
    request.set_onupgradeneeded(Some(on_upgrade.unchecked_ref()));
    let database: IdbDatabase = finished(&request).await?.unchecked_into();
    database
        .transaction_with_str_and_mode(STORE, mode)
        .and_then(|t| t.object_store(STORE))
        .map_err(|e| js_text(&e))
}

/// Keeps `bytes` under `key`, replacing what was there.
pub async fn put(key: &str, bytes: &[u8]) -> Result<(), String> {
    let store = store(IdbTransactionMode::Readwrite).await?;
    let request = store
        .put_with_key(&Uint8Array::from(bytes), &key.into())
        .map_err(|e| js_text(&e))?;
    finished(&request).await.map(|_| ())
}

/// The bytes kept under `key`; `None` when nothing is; an error when what is there is not bytes.
pub async fn get(key: &str) -> Result<Option<Vec<u8>>, String> {
    let store = store(IdbTransactionMode::Readonly).await?;
    let request = store.get(&key.into()).map_err(|e| js_text(&e))?;
    let value = finished(&request).await?;
    if value.is_undefined() {
        return Ok(None);
    }
    value
        .dyn_into::<Uint8Array>()
        .map(|bytes| Some(bytes.to_vec()))
        .map_err(|_| "what is kept there is not a run".to_string())
}
