//! The run's numbers: step, losses, accuracy and speed.

use kindling_engine::lessons::playground::report::Progress;
use yew::prelude::*;

use crate::i18n::{Lang, t};
use crate::widgets::stats::{Stat, StatList};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub progress: Option<Progress>,
}

fn loss(value: Option<f32>) -> String {
    match value {
        Some(v) => format!("{v:.3}"),
        None => "—".to_string(),
    }
}

#[component]
pub fn Stats(props: &Props) -> Html {
    let lang = props.lang;
    let p = props.progress.as_ref();
    let step = p.map(|p| p.step).unwrap_or(0).to_string();
    let train_loss = loss(p.map(|p| p.evaluation.train_loss));
    let test_loss = loss(p.map(|p| p.evaluation.test_loss));
    let accuracy = match p {
        Some(p) => format!("{:.1}%", p.evaluation.test_accuracy * 100.0),
        None => "—".to_string(),
    };
    let speed = match p {
        Some(p) if p.steps_per_second.is_finite() => format!("{:.0}", p.steps_per_second.max(0.0)),
        _ => "0".to_string(),
    };
    let items = [
        ("step-count", "stats.step", step),
        ("train-loss", "stats.train_loss", train_loss),
        ("test-loss", "stats.test_loss", test_loss),
        ("test-accuracy", "stats.test_accuracy", accuracy),
        ("steps-per-second", "stats.speed", speed),
    ]
    .into_iter()
    .map(|(id, key, value)| Stat {
        id,
        label: t(lang, key),
        value,
    })
    .collect::<Vec<_>>();
    html! { <StatList {items} /> }
}
