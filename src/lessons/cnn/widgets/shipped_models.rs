//! The trained models shipped with the site: each one's card, shown before anything is loaded,
//! and a button that loads it. A function rather than a component: it has no state of its own.

use yew::prelude::*;

use crate::i18n::{Lang, t, tf};
use crate::lessons::cnn::card_text::offer_rows;
use crate::lessons::cnn::state::ShippedList;
use crate::lessons::cnn::widgets::card_list::card_list;

/// `can_load`: loading waits for the lesson's own model (the worker and the data ready);
/// `fetching`: the model whose file is on its way; `on_load` loads the model of this name.
pub fn shipped_models(
    lang: Lang,
    list: &ShippedList,
    can_load: bool,
    fetching: Option<&str>,
    on_load: &Callback<String>,
) -> Html {
    let (state, body) = match list {
        ShippedList::NotAsked | ShippedList::Loading => (
            "loading",
            html! { <p class="muted">{t(lang, "cnn.shipped.loading")}</p> },
        ),
        ShippedList::Failed(message) => (
            "failed",
            html! { <p class="notice warning">{tf(lang, "cnn.shipped.list_failed", &[("message", message)])}</p> },
        ),
        ShippedList::Ready { models, unreadable } => (
            "ready",
            html! {
                <>
                    if models.is_empty() {
                        <p class="muted">{t(lang, "cnn.shipped.none")}</p>
                    }
                    for model in models.iter() {
                        <article class="model-card shipped-model" data-model={model.name.clone()}>
                            { card_list(offer_rows(lang, model)) }
                            <button
                                type="button"
                                class="button primary shipped-load"
                                data-model={model.name.clone()}
                                disabled={!can_load || fetching.is_some()}
                                onclick={on_load.reform({
                                    let name = model.name.clone();
                                    move |_: MouseEvent| name.clone()
                                })}
                            >
                                {tf(lang, "cnn.shipped.load", &[("name", &model.name)])}
                            </button>
                        </article>
                    }
                    if !unreadable.is_empty() {
                        <p class="muted small">
                            {tf(lang, "cnn.shipped.unreadable", &[("list", &unreadable.join("; "))])}
                        </p>
                    }
                </>
            },
        ),
    };
    html! {
        <div id="cnn-shipped" class="shipped-models" data-state={state}>
            <h3>{t(lang, "cnn.shipped.title")}</h3>
            <p class="muted small">{t(lang, "cnn.shipped.intro")}</p>
            {body}
        </div>
    }
}
