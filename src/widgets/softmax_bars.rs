//! Class probabilities as bars, the most likely class highlighted.

use yew::prelude::*;

use crate::format::percent;
use crate::i18n::fill;

/// The bars' words, already in the reader's language.
#[derive(Clone, Debug, PartialEq)]
pub struct BarWords {
    /// The list's label.
    pub aria: String,
    /// One bar's label, with `{digit}` and `{p}`.
    pub row: String,
    /// The title of the mark beside the right answer.
    pub truth: String,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub words: BarWords,
    #[prop_or_default]
    pub id: Option<AttrValue>,
    pub probabilities: Vec<f32>,
    /// The right answer, when known: marked beside its bar.
    #[prop_or_default]
    pub label: Option<u8>,
    /// The classes' names; without them, each bar is named by its number.
    #[prop_or_default]
    pub names: Vec<String>,
}

/// Index of the largest finite value.
pub fn argmax(values: &[f32]) -> Option<usize> {
    values
        .iter()
        .enumerate()
        .filter(|(_, v)| v.is_finite())
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map(|(i, _)| i)
}

#[component]
pub fn SoftmaxBars(props: &Props) -> Html {
    let words = &props.words;
    let predicted = argmax(&props.probabilities);
    html! {
        <ol
            id={props.id.clone()}
            class={classes!("softmax", (!props.names.is_empty()).then_some("named"))}
            aria-label={words.aria.clone()}
            data-digit={predicted.map(|d| d.to_string())}
        >
            { for props.probabilities.iter().enumerate().map(|(digit, &p)| {
                let width = format!("width: {:.1}%", (p.clamp(0.0, 1.0) * 100.0));
                let is_label = props.label.map(usize::from) == Some(digit);
                let text = percent(p as f64);
                let name = props.names.get(digit).cloned().unwrap_or_else(|| digit.to_string());
                html! {
                    <li
                        class={classes!("bar-row", (predicted == Some(digit)).then_some("predicted"), is_label.then_some("truth"))}
                        aria-label={fill(&words.row, &[("digit", &name), ("p", &text)])}
                    >
                        <span class="bar-digit">{name}</span>
                        <span class="bar-track" aria-hidden="true"><span class="bar-fill" style={width} /></span>
                        <span class="bar-value">{text}</span>
                        if is_label {
                            <span class="bar-truth" title={words.truth.clone()}>{"✓"}</span>
                        }
                    </li>
                }
            }) }
        </ol>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn argmax_skips_nothing_finite() {
        assert_eq!(argmax(&[0.1, 0.7, 0.2]), Some(1));
        assert_eq!(argmax(&[]), None);
        assert_eq!(argmax(&[f32::NAN, 0.5]), Some(1));
    }
}
