//! The learner's own distribution: draw it on the plot, or paste or upload a CSV of points.

use kindling_engine::lessons::gan::csv::{CsvError, MAX_TEXT_BYTES};
use wasm_bindgen_futures::spawn_local;
use web_sys::{HtmlInputElement, HtmlTextAreaElement};
use yew::prelude::*;

use crate::i18n::{Lang, t, tf};
use crate::services::file_read;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub drawing: bool,
    pub drawn: usize,
    /// Why the last drawing or CSV was not used, in words.
    pub error: Option<String>,
    pub on_start: Callback<()>,
    pub on_clear: Callback<()>,
    pub on_use: Callback<()>,
    pub on_cancel: Callback<()>,
    /// CSV text, pasted or read from a file.
    pub on_csv: Callback<String>,
    /// A file refused before it was read (too large).
    pub on_refused: Callback<CsvError>,
}

fn click(callback: &Callback<()>) -> Callback<MouseEvent> {
    let callback = callback.clone();
    Callback::from(move |_| callback.emit(()))
}

#[component]
pub fn OwnData(props: &Props) -> Html {
    let lang = props.lang;
    let text = use_node_ref();
    let on_paste = {
        let (text, on_csv) = (text.clone(), props.on_csv.clone());
        Callback::from(move |_: MouseEvent| {
            if let Some(area) = text.cast::<HtmlTextAreaElement>() {
                on_csv.emit(area.value());
            }
        })
    };
    let on_file = {
        let on_csv = props.on_csv.clone();
        let on_refused = props.on_refused.clone();
        Callback::from(move |e: Event| {
            let Some(input) = e.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            let bytes = file.size() as u64;
            if bytes > MAX_TEXT_BYTES as u64 {
                on_refused.emit(CsvError::TooLarge {
                    bytes,
                    allowed: MAX_TEXT_BYTES as u64,
                });
                return;
            }
            let on_csv = on_csv.clone();
            spawn_local(async move {
                // A file that cannot be read, or is not text, gives text the parser refuses.
                let bytes = file_read::read_bytes(&file).await.unwrap_or_default();
                on_csv.emit(String::from_utf8_lossy(&bytes).into_owned());
            });
        })
    };
    html! {
        <div class="gan-own-data">
            if props.drawing {
                <p id="gan-draw-hint">{tf(lang, "gan.own.drawing", &[("count", &props.drawn.to_string())])}</p>
                <div class="run-bar">
                    <button type="button" id="gan-draw-use" class="button primary" onclick={click(&props.on_use)}>{t(lang, "gan.own.use")}</button>
                    <button type="button" id="gan-draw-clear" class="button" onclick={click(&props.on_clear)}>{t(lang, "gan.own.clear")}</button>
                    <button type="button" id="gan-draw-cancel" class="button" onclick={click(&props.on_cancel)}>{t(lang, "gan.own.cancel")}</button>
                </div>
            } else {
                <button type="button" id="gan-draw" class="button" onclick={click(&props.on_start)}>{t(lang, "gan.own.draw")}</button>
            }
            <details class="gan-csv">
                <summary>{t(lang, "gan.own.csv")}</summary>
                <p class="muted">{t(lang, "gan.own.csv_hint")}</p>
                <label for="gan-csv-text" class="visually-hidden">{t(lang, "gan.own.csv")}</label>
                <textarea id="gan-csv-text" ref={text} rows="5" spellcheck="false" placeholder="x,y\n0.1,0.5\n…" />
                <div class="run-bar">
                    <button type="button" id="gan-csv-use" class="button" onclick={on_paste}>{t(lang, "gan.own.csv_use")}</button>
                    <label class="button file">
                        {t(lang, "gan.own.csv_file")}
                        <input type="file" id="gan-csv-file" accept=".csv,.txt,text/csv,text/plain" onchange={on_file} />
                    </label>
                </div>
            </details>
            if let Some(error) = &props.error {
                <p id="gan-data-error" class="field-error" role="alert">{error.clone()}</p>
            }
        </div>
    }
}
