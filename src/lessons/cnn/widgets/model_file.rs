//! The CNN lesson's model file panel: saving the trained model to a file, loading one back or
//! one of the trained models shipped with the site, and the loaded model's card.

use kindling_engine::lessons::cnn::card::ModelCard;
use yew::prelude::*;

use crate::i18n::{Lang, t};
use crate::lessons::cnn::card_text::{card_rows, provenance_rows};
use crate::lessons::cnn::state::{MAX_MODEL_BYTES, ModelMessage, ShippedList};
use crate::lessons::cnn::text::model_message;
use crate::lessons::cnn::widgets::card_list::card_list;
use crate::lessons::cnn::widgets::shipped_models::shipped_models;
use crate::services::file_read::{self, Chosen};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub has_model: bool,
    pub card: Option<ModelCard>,
    pub message: Option<ModelMessage>,
    /// Save the model.
    pub on_export: Callback<()>,
    /// Load the model in these bytes.
    pub on_import: Callback<Vec<u8>>,
    pub on_message: Callback<ModelMessage>,
    /// The trained models shipped with the site.
    pub shipped: ShippedList,
    /// The shipped model whose file is on its way.
    pub fetching: Option<String>,
    /// Load the shipped model of this name.
    pub on_load_shipped: Callback<String>,
}

fn card_view(lang: Lang, card: &ModelCard) -> Html {
    html! {
        <>
            { card_list(card_rows(lang, card)) }
            if let Some(provenance) = &card.provenance {
                <div id="cnn-model-provenance" class="model-provenance">
                    <h4>{t(lang, "cnn.card.provenance")}</h4>
                    { card_list(provenance_rows(lang, provenance)) }
                </div>
            }
        </>
    }
}

#[component]
pub fn ModelFile(props: &Props) -> Html {
    let lang = props.lang;
    let on_download = {
        let on_export = props.on_export.clone();
        Callback::from(move |_: MouseEvent| on_export.emit(()))
    };
    let on_file = {
        let on_import = props.on_import.clone();
        let on_message = props.on_message.clone();
        file_read::on_file_chosen(
            MAX_MODEL_BYTES,
            Callback::from(move |chosen| match chosen {
                Chosen::Reading { name } => on_message.emit(ModelMessage::Reading { name }),
                Chosen::Read(bytes) => on_import.emit(bytes),
                Chosen::TooLarge { bytes } => on_message.emit(ModelMessage::TooLarge { bytes }),
                Chosen::Unreadable(message) => {
                    on_message.emit(ModelMessage::Unreadable { message })
                }
            }),
        )
    };
    // `cnn-model-message` answers the last file chosen; saving reports beside the button.
    let (import, export) = match &props.message {
        Some(m) if m.is_import_result() => (Some(m), None),
        Some(ModelMessage::Reading { .. }) | None => (None, None),
        Some(m) => (None, Some(m)),
    };
    let failed = props.message.as_ref().is_some_and(ModelMessage::is_failure);
    let text = |m: Option<&ModelMessage>| m.map(|m| model_message(lang, m)).unwrap_or_default();
    let reading = match &props.message {
        Some(m @ ModelMessage::Reading { .. }) => model_message(lang, m),
        _ => String::new(),
    };
    html! {
        <div class="model-file">
            <p class="muted">{t(lang, "cnn.model.intro")}</p>
            <div class="model-actions">
                <button type="button" id="cnn-download" class="button primary" disabled={!props.has_model} onclick={on_download}>
                    {t(lang, "cnn.model.download")}
                </button>
                <p id="cnn-model-status" class={classes!("model-status", failed.then_some("error"))} role="status">
                    {text(export)}
                </p>
            </div>
            { shipped_models(lang, &props.shipped, props.has_model, props.fetching.as_deref(), &props.on_load_shipped) }
            <div class="field upload-field">
                <label for="cnn-upload">{t(lang, "cnn.model.upload")}</label>
                <input id="cnn-upload" type="file" accept=".safetensors" onchange={on_file} />
                <p class="field-hint" role="status">{reading}</p>
            </div>
            <p
                id="cnn-model-message"
                class={classes!("model-message", (failed && import.is_some()).then_some("error"), import.is_some().then_some("shown"))}
                role={if failed { "alert" } else { "status" }}
            >
                {text(import)}
            </p>
            <div id="cnn-model-card" class="model-card">
                <h3>{t(lang, "cnn.card.title")}</h3>
                if let Some(card) = &props.card {
                    { card_view(lang, card) }
                } else {
                    <p class="muted">{t(lang, "cnn.card.none")}</p>
                }
            </div>
        </div>
    }
}
