//! MNIST on its way: bytes received, then the image counts, or why it failed.

use yew::prelude::*;

use crate::lessons::cnn::state::DataStatus;
use crate::format::{group, size};
use crate::lessons::cnn::text::data_load_error;
use crate::i18n::{Lang, t, tf};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub data: DataStatus,
    pub on_retry: Callback<()>,
}

#[component]
pub fn DataProgress(props: &Props) -> Html {
    let lang = props.lang;
    let (state, value, max, text) = match &props.data {
        DataStatus::Idle | DataStatus::Loading { total: 0, .. } => {
            ("loading", None, None, t(lang, "cnn.data.starting"))
        }
        DataStatus::Loading { loaded, total } => {
            let percent = (*loaded as f64 / *total as f64 * 100.0).min(100.0);
            let text = tf(
                lang,
                "cnn.data.loading",
                &[
                    ("loaded", &size(*loaded)),
                    ("total", &size(*total)),
                    ("percent", &format!("{percent:.0}")),
                ],
            );
            ("loading", Some(*loaded), Some(*total), text)
        }
        DataStatus::Ready { train, test } => {
            let text = tf(
                lang,
                "cnn.data.ready",
                &[
                    ("train", &group(*train as u64)),
                    ("test", &group(*test as u64)),
                ],
            );
            ("ready", Some(1), Some(1), text)
        }
        DataStatus::Failed(_) => ("failed", Some(0), Some(1), t(lang, "cnn.data.failed")),
    };
    let on_retry = {
        let on_retry = props.on_retry.clone();
        Callback::from(move |_: MouseEvent| on_retry.emit(()))
    };
    html! {
        <section class={classes!("data-progress", state)} aria-labelledby="cnn-data-title">
            <h2 id="cnn-data-title" class="visually-hidden">{t(lang, "cnn.data.title")}</h2>
            <div class="data-row">
                <progress
                    id="cnn-data-progress"
                    data-state={state}
                    max={max.map(|m| m.to_string())}
                    value={value.map(|v| v.to_string())}
                    aria-label={t(lang, "cnn.data.title")}
                />
                <p class="data-text" role="status">{text}</p>
            </div>
            if let DataStatus::Failed(error) = &props.data {
                <div class="data-error" role="alert">
                    <p id="cnn-data-error">{data_load_error(lang, error)}</p>
                    <button type="button" id="cnn-data-retry" class="button small" onclick={on_retry}>
                        {t(lang, "cnn.data.retry")}
                    </button>
                </div>
            }
        </section>
    }
}
