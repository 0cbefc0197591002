//! Runs kept in this browser's IndexedDB (a lesson's checkpoint and curves, as bytes under the
//! lesson's name), so that a reload can resume them. Nothing leaves the browser.

use js_sys::{Promise, Reflect, Uint8Array};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{IdbDatabase, IdbObjectStore, IdbRequest, IdbTransaction, IdbTransactionMode};

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

/// Waits for `transaction` to commit. A request's success comes before its transaction
/// commits, and a page closed or reloaded in between loses what it wrote.
fn committed(transaction: &IdbTransaction) -> JsFuture {
    let promise = Promise::new(&mut |resolve, reject| {
        let on_complete = Closure::once_into_js(move || {
            let _ = resolve.call0(&JsValue::NULL);
        });
        let on_abort = Closure::once_into_js(move || {
            let _ = reject.call1(&JsValue::NULL, &"the browser did not keep it".into());
        });
        transaction.set_oncomplete(Some(on_complete.unchecked_ref()));
        transaction.set_onabort(Some(on_abort.unchecked_ref()));
    });
    JsFuture::from(promise)
}

/// Keeps `bytes` under `key`, replacing what was there, once the browser has committed them.
pub async fn put(key: &str, bytes: &[u8]) -> Result<(), String> {
    let store = store(IdbTransactionMode::Readwrite).await?;
    let done = committed(&store.transaction());
    let request = store
        .put_with_key(&Uint8Array::from(bytes), &key.into())
        .map_err(|e| js_text(&e))?;
    finished(&request).await?;
    done.await.map(|_| ()).map_err(|e| js_text(&e))
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

/// What a lesson's effects do with its run kept in the browser (`lessons/kept_run.rs`): look it
/// up under `key` each time `lookups` moves, and keep it each time `keeps` moves (`counts`:
/// `(lookups, keeps)`; `to_keep`: the
/// checkpoint's step or iteration and the run's bytes, made only then); and call `on_hidden` when
/// the tab is hidden or frozen (the browser may discard a hidden tab, and a frozen one runs
/// nothing).
#[yew::hook]
pub fn use_kept_run<F>(
    key: &'static str,
    counts: (u64, u64),
    to_keep: F,
    on_looked: yew::Callback<Result<Option<Vec<u8>>, String>>,
    on_saved: yew::Callback<Result<u64, String>>,
    on_hidden: yew::Callback<()>,
) where
    F: FnOnce() -> Option<(u64, Vec<u8>)> + 'static,
{
    let (lookups, keeps) = counts;
    yew::use_effect_with(lookups, move |&count| {
        if count > 0 {
            wasm_bindgen_futures::spawn_local(async move {
                on_looked.emit(get(key).await);
            });
        }
    });
    yew::use_effect_with(keeps, move |&count| {
        if let (true, Some((at, bytes))) = (count > 0, to_keep()) {
            wasm_bindgen_futures::spawn_local(async move {
                let kept = put(key, &bytes).await;
                on_saved.emit(kept.map(|()| at));
            });
        }
    });
    yew::use_effect_with((), move |_| {
        let document = web_sys::window().and_then(|w| w.document());
        let on_hide = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
            let hidden = web_sys::window()
                .and_then(|w| w.document())
                .is_some_and(|d| d.hidden());
            if hidden || event.type_() == "freeze" {
                on_hidden.emit(());
            }
        });
        listen(document.as_ref(), on_hide.as_ref().unchecked_ref(), true);
        move || {
            listen(document.as_ref(), on_hide.as_ref().unchecked_ref(), false);
            drop(on_hide);
        }
    });
}

/// Adds or removes `listener` for the tab being hidden or frozen.
fn listen(document: Option<&web_sys::Document>, listener: &js_sys::Function, add: bool) {
    let Some(document) = document else { return };
    for event in ["visibilitychange", "freeze"] {
        let _ = if add {
            document.add_event_listener_with_callback(event, listener)
        } else {
            document.remove_event_listener_with_callback(event, listener)
        };
    }
}
