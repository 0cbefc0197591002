//! Choosing the test image to look inside the network with: by number, at random, or the next
//! one the network gets wrong.

use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{Lang, t, tf};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub index: usize,
    /// Number of test images, once the data is loaded.
    pub test_count: Option<usize>,
    /// Test images the latest full evaluation got wrong, in order.
    pub mistakes: Vec<usize>,
    pub on_pick: Callback<usize>,
}

/// The first mistake after `index`, wrapping around.
pub fn next_mistake(mistakes: &[usize], index: usize) -> Option<usize> {
    mistakes
        .iter()
        .copied()
        .find(|&m| m > index)
        .or_else(|| mistakes.first().copied())
}

#[component]
pub fn TestImagePicker(props: &Props) -> Html {
    let lang = props.lang;
    let count = props.test_count.unwrap_or(0);
    let last = count.saturating_sub(1);
    let problem = use_state(|| false);

    let onchange = {
        let on_pick = props.on_pick.clone();
        let problem = problem.clone();
        Callback::from(move |event: Event| {
            let Some(input) = event.target_dyn_into::<HtmlInputElement>() else {
                return;
            };
            match input.value().trim().parse::<usize>() {
                Ok(index) if index <= last => {
                    problem.set(false);
                    on_pick.emit(index);
                }
                _ => problem.set(true),
            }
        })
    };
    let on_random = {
        let on_pick = props.on_pick.clone();
        Callback::from(move |_: MouseEvent| {
            on_pick.emit((js_sys::Math::random() * count as f64) as usize % count.max(1))
        })
    };
    let next = next_mistake(&props.mistakes, props.index);
    let on_next = {
        let on_pick = props.on_pick.clone();
        Callback::from(move |_: MouseEvent| {
            if let Some(next) = next {
                on_pick.emit(next);
            }
        })
    };

    html! {
        <div class="picker">
            <div class={classes!("field", "picker-field", problem.then_some("invalid"))}>
                <label for="cnn-test-index">{tf(lang, "cnn.picker.label", &[("last", &last.to_string())])}</label>
                <input
                    id="cnn-test-index"
                    type="number"
                    inputmode="numeric"
                    min="0"
                    max={last.to_string()}
                    value={props.index.to_string()}
                    disabled={count == 0}
                    aria-invalid={if *problem { "true" } else { "false" }}
                    aria-describedby="error-cnn-test-index"
                    {onchange}
                />
                <p class="field-error" id="error-cnn-test-index" aria-live="polite">
                    if *problem { {tf(lang, "cnn.picker.problem", &[("last", &last.to_string())])} }
                </p>
            </div>
            <div class="picker-buttons">
                <button type="button" id="cnn-random" class="button small" disabled={count == 0} onclick={on_random}>
                    {t(lang, "cnn.picker.random")}
                </button>
                <button type="button" id="cnn-next-mistake" class="button small" disabled={next.is_none()} onclick={on_next}>
                    {t(lang, "cnn.picker.next_mistake")}
                </button>
            </div>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn next_mistake_wraps_around() {
        assert_eq!(next_mistake(&[3, 8, 20], 0), Some(3));
        assert_eq!(next_mistake(&[3, 8, 20], 8), Some(20));
        assert_eq!(next_mistake(&[3, 8, 20], 25), Some(3));
        assert_eq!(next_mistake(&[], 5), None);
    }
}
