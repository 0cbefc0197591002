//! MNIST on its way: bytes received, then the image counts, or why it failed.

use yew::prelude::*;

use crate::format::{group, size};
use crate::i18n::{Lang, t, tf};
use crate::lessons::cnn::state::DataStatus;
use crate::lessons::data_load::data_load_error;
use crate::widgets::load_progress::{LoadProgress, LoadWords, Phase};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub data: DataStatus,
    pub on_retry: Callback<()>,
}

#[component]
pub fn DataProgress(props: &Props) -> Html {
    let lang = props.lang;
    let (phase, amount, status) = match &props.data {
        DataStatus::Idle | DataStatus::Loading { total: 0, .. } => {
            (Phase::Loading, None, t(lang, "cnn.data.starting"))
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
            (Phase::Loading, Some((*loaded, *total)), text)
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
            (Phase::Ready, Some((1, 1)), text)
        }
        DataStatus::Failed(_) => (Phase::Failed, Some((0, 1)), t(lang, "cnn.data.failed")),
    };
    let error = match &props.data {
        DataStatus::Failed(error) => Some(data_load_error(lang, error)),
        _ => None,
    };
    let words = LoadWords {
        title: t(lang, "cnn.data.title"),
        status,
        error,
        retry: t(lang, "cnn.data.retry"),
    };
    html! {
        <LoadProgress id="cnn-data" {phase} {amount} {words} on_retry={props.on_retry.clone()} />
    }
}
