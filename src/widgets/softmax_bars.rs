//! Ten class probabilities as bars, the most likely digit highlighted.

use yew::prelude::*;

use crate::lessons::cnn::state::argmax;
use crate::format::percent;
use crate::i18n::{Lang, t, tf};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    #[prop_or_default]
    pub id: Option<AttrValue>,
    pub probabilities: Vec<f32>,
    /// The right answer, when known: marked beside its bar.
    #[prop_or_default]
    pub label: Option<u8>,
}

#[component]
pub fn SoftmaxBars(props: &Props) -> Html {
    let lang = props.lang;
    let predicted = argmax(&props.probabilities);
    html! {
        <ol
            id={props.id.clone()}
            class="softmax"
            aria-label={t(lang, "cnn.softmax.aria")}
            data-digit={predicted.map(|d| d.to_string())}
        >
            { for props.probabilities.iter().enumerate().map(|(digit, &p)| {
                let width = format!("width: {:.1}%", (p.clamp(0.0, 1.0) * 100.0));
                let is_label = props.label.map(usize::from) == Some(digit);
                let text = percent(p as f64);
                html! {
                    <li
                        class={classes!("bar-row", (predicted == Some(digit)).then_some("predicted"), is_label.then_some("truth"))}
                        aria-label={tf(lang, "cnn.softmax.row", &[("digit", &digit.to_string()), ("p", &text)])}
                    >
                        <span class="bar-digit">{digit}</span>
                        <span class="bar-track" aria-hidden="true"><span class="bar-fill" style={width} /></span>
                        <span class="bar-value">{text}</span>
                        if is_label {
                            <span class="bar-truth" title={t(lang, "cnn.softmax.truth")}>{"✓"}</span>
                        }
                    </li>
                }
            }) }
        </ol>
    }
}
