//! The learner's own distribution: draw it on the plot, or paste or upload a CSV of points.

use kindling_engine::lessons::gan::csv::{CsvError, MAX_TEXT_BYTES};
use web_sys::HtmlTextAreaElement;
use yew::prelude::*;

use crate::i18n::{Lang, t, tf};
use crate::services::file_read::{self, Chosen};

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
        file_read::on_file_chosen(
            MAX_TEXT_BYTES as u64,
            Callback::from(move |chosen| match chosen {
                Chosen::Reading { .. } => {}
                Chosen::Read(bytes) => on_csv.emit(String::from_utf8_lossy(&bytes).into_owned()),
                Chosen::TooLarge { bytes } => on_refused.emit(CsvError::TooLarge {
                    bytes,
                    allowed: MAX_TEXT_BYTES as u64,
                }),
                // A file the browser cannot read gives text the parser refuses.
                Chosen::Unreadable(_) => on_csv.emit(String::new()),
            }),
        )
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
