//! Something on its way: a progress bar with a line of status, and on failure the reason and a
//! retry button.

use yew::prelude::*;

/// How far the load is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Loading,
    Ready,
    Failed,
}

impl Phase {
    fn class(self) -> &'static str {
        match self {
            Phase::Loading => "loading",
            Phase::Ready => "ready",
            Phase::Failed => "failed",
        }
    }
}

/// The status as words, already in the reader's language.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadWords {
    /// The heading (hidden) and the bar's label.
    pub title: String,
    pub status: String,
    /// Why it failed, shown with the retry button.
    pub error: Option<String>,
    pub retry: String,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    /// Prefix of the elements' ids (`{id}-title`, `{id}-progress`, `{id}-error`, `{id}-retry`).
    pub id: AttrValue,
    pub phase: Phase,
    /// `(value, max)` of the bar; `None` while the size is unknown (an indeterminate bar).
    pub amount: Option<(u64, u64)>,
    pub words: LoadWords,
    pub on_retry: Callback<()>,
}

#[component]
pub fn LoadProgress(props: &Props) -> Html {
    let id = &props.id;
    let words = &props.words;
    let state = props.phase.class();
    let on_retry = {
        let on_retry = props.on_retry.clone();
        Callback::from(move |_: MouseEvent| on_retry.emit(()))
    };
    html! {
        <section class={classes!("data-progress", state)} aria-labelledby={format!("{id}-title")}>
            <h2 id={format!("{id}-title")} class="visually-hidden">{words.title.clone()}</h2>
            <div class="data-row">
                <progress
                    id={format!("{id}-progress")}
                    data-state={state}
                    max={props.amount.map(|(_, max)| max.to_string())}
                    value={props.amount.map(|(value, _)| value.to_string())}
                    aria-label={words.title.clone()}
                />
                <p class="data-text" role="status">{words.status.clone()}</p>
            </div>
            if let Some(error) = &words.error {
                <div class="data-error" role="alert">
                    <p id={format!("{id}-error")}>{error.clone()}</p>
                    <button type="button" id={format!("{id}-retry")} class="button small" onclick={on_retry}>
                        {words.retry.clone()}
                    </button>
                </div>
            }
        </section>
    }
}
