//! Reading a file the learner chose.

use wasm_bindgen_futures::JsFuture;
use web_sys::{File, HtmlInputElement};
use yew::{Callback, Event, TargetCast};

use crate::services::worker::js_text;

/// The file's bytes.
pub async fn read_bytes(file: &File) -> Result<Vec<u8>, String> {
    let buffer = JsFuture::from(file.array_buffer())
        .await
        .map_err(|e| js_text(&e))?;
    Ok(js_sys::Uint8Array::new(&buffer).to_vec())
}

/// What became of a file chosen in a single-file input.
#[derive(Clone, Debug, PartialEq)]
pub enum Chosen {
    /// Small enough: being read now.
    Reading {
        name: String,
    },
    Read(Vec<u8>),
    /// Larger than the input's limit: refused without being read.
    TooLarge {
        bytes: u64,
    },
    /// The browser could not read it.
    Unreadable(String),
}

/// The `change` handler of a single-file input. It takes the chosen file and clears the input, so
/// that choosing the same file again fires `change` again. A file larger than `max_bytes` is
/// refused from its size alone, so a huge file never reaches memory; any other is read. Each stage
/// goes to `on_chosen`.
pub fn on_file_chosen(max_bytes: u64, on_chosen: Callback<Chosen>) -> Callback<Event> {
    Callback::from(move |event: Event| {
        let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
            return;
        };
        let Some(file) = input.files().and_then(|files| files.get(0)) else {
            return;
        };
        input.set_value("");
        let bytes = file.size() as u64;
        if bytes > max_bytes {
            on_chosen.emit(Chosen::TooLarge { bytes });
            return;
        }
        on_chosen.emit(Chosen::Reading { name: file.name() });
        let on_chosen = on_chosen.clone();
        wasm_bindgen_futures::spawn_local(async move {
            on_chosen.emit(match read_bytes(&file).await {
                Ok(bytes) => Chosen::Read(bytes),
                Err(message) => Chosen::Unreadable(message),
            });
        });
    })
}
