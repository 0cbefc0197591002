//! The detector as a file: the shipped one, used with one click, and the learner's own saved and
//! loaded back, each with its card.

use yew::prelude::*;

use crate::i18n::{Lang, t};
use crate::lessons::detect::state::{DetectAction, DetectState, FileNote, MAX_MODEL_BYTES};
use crate::lessons::detect::text::{card_rows, file_note};
use crate::services::file_read::{self, Chosen};

pub fn model_file(lang: Lang, state: &DetectState, on_action: &Callback<DetectAction>) -> Html {
    let on_file = {
        let on_action = on_action.clone();
        file_read::on_file_chosen(
            MAX_MODEL_BYTES,
            Callback::from(move |chosen| match chosen {
                Chosen::Reading { .. } => {}
                Chosen::Read(bytes) => on_action.emit(DetectAction::Import(bytes)),
                Chosen::TooLarge { bytes } => {
                    on_action.emit(DetectAction::FileNote(FileNote::TooLarge { bytes }))
                }
                Chosen::Unreadable(message) => {
                    on_action.emit(DetectAction::FileNote(FileNote::Unreadable(message)))
                }
            }),
        )
    };
    let act = |action: DetectAction| {
        let on_action = on_action.clone();
        Callback::from(move |_: MouseEvent| on_action.emit(action.clone()))
    };
    let refused = matches!(&state.file_note, Some(n) if !matches!(n, FileNote::Loaded { .. }));
    html! {
        <section class="card detect-file" aria-labelledby="detect-file-title">
            <h2 id="detect-file-title">{t(lang, "detect.file.title")}</h2>
            <p>{t(lang, "detect.file.lead")}</p>
            <div class="model-actions">
                <button type="button" id="detect-use-shipped" class="button"
                    onclick={act(DetectAction::UseShipped)}>{t(lang, "detect.file.use_shipped")}</button>
                <button type="button" id="detect-export" class="button" disabled={!state.detector}
                    onclick={act(DetectAction::Export)}>{t(lang, "detect.file.save")}</button>
            </div>
            <div class="field upload-field">
                <label for="detect-import">{t(lang, "detect.file.load")}</label>
                <input id="detect-import" type="file" accept=".safetensors" onchange={on_file} />
            </div>
            <p id="detect-file-message" class={classes!("model-message", refused.then_some("error"))}
                role={if refused { "alert" } else { "status" }}>
                {state.file_note.as_ref().map(|n| file_note(lang, n)).unwrap_or_default()}
            </p>
            if let Some(card) = &state.card {
                <dl id="detect-card" class="model-card-list" data-shipped={state.card_shipped.to_string()}>
                    { for card_rows(lang, card, state.card_shipped).into_iter().map(|(k, v)| html! { <div class="card-row"><dt>{k}</dt><dd>{v}</dd></div> }) }
                </dl>
            }
        </section>
    }
}
