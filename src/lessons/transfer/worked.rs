//! One test image through one arm's network, by the numbers the engine computed: the
//! backbone's feature vector, the head's logits, the softmax, the loss, and the gradient each
//! layer receives (none for a frozen layer).

use std::rc::Rc;

use kindling_engine::lessons::transfer::config::{Arm, Target, WorkedExample};
use web_sys::HtmlSelectElement;
use yew::prelude::*;

use crate::format::{fmt_digits, fmt3, percent};
use crate::i18n::{Lang, t, tf};
use crate::lessons::transfer::state::{TransferAction, TransferState};
use crate::lessons::transfer::text::arm_name;
use crate::widgets::pixel_image::{PixelImage, bytes_rgba};

/// Feature values shown before "…".
const FIRST: usize = 8;

/// Class `i` of the target's head as the reader knows it (digits 5–9 are classes 0–4).
pub fn class_name(lang: Lang, target: Target, i: usize) -> String {
    match target {
        Target::Digits => (i + 5).to_string(),
        Target::Fashion => t(lang, &format!("transfer.fashion.{i}")),
    }
}

/// Small gradients stay readable: `0.0123`, `4.56e-5` (without the standard library's
/// exponent formatting, which would add to the page's size).
pub fn small(value: f32) -> String {
    let v = value as f64;
    if v == 0.0 || !v.is_finite() || v.abs() >= 1e-3 {
        return fmt_digits(v, 4);
    }
    let mut exponent = v.abs().log10().floor() as i32;
    let mut mantissa = v / 10f64.powi(exponent);
    if mantissa.abs() >= 9.995 {
        mantissa /= 10.0;
        exponent += 1;
    }
    format!("{}e{exponent}", fmt_digits(mantissa, 2))
}

fn example(lang: Lang, target: Target, e: &WorkedExample) -> Html {
    let name = |i: usize| class_name(lang, target, i);
    let label = name(e.label as usize);
    let shown: Vec<String> = e
        .features
        .iter()
        .take(FIRST)
        .map(|&v| fmt3(v as f64))
        .collect();
    html! {
        <div class="worked-example" id="transfer-worked" data-loss={e.loss.to_string()}>
            <PixelImage rows={28} cols={28} rgba={Rc::new(bytes_rgba(&e.image))}
                label={tf(lang, "transfer.worked.image", &[("index", &e.test_index.to_string()), ("class", &label)])} class="worked-image" />
            <p id="transfer-features">{tf(lang, "transfer.worked.features", &[("size", &e.features.len().to_string()), ("n", &shown.len().to_string())])}
                <code>{format!("[{}, …]", shown.join(", "))}</code></p>
            <table class="worked" id="transfer-logits">
                <thead><tr>
                    { for ["class", "logit", "probability", "bias_gradient"].iter().map(|h| html! { <th scope="col">{t(lang, &format!("transfer.worked.{h}"))}</th> }) }
                </tr></thead>
                <tbody>
                    { for e.logits.iter().enumerate().map(|(i, &logit)| html! {
                        <tr class={classes!((i == e.label as usize).then_some("truth"))}>
                            <th scope="row">{name(i)}</th>
                            <td>{fmt3(logit as f64)}</td>
                            <td>{e.probabilities.get(i).map(|&p| percent(p as f64)).unwrap_or_default()}</td>
                            <td>{e.head_bias_gradient.get(i).map(|&g| fmt3(g as f64)).unwrap_or_default()}</td>
                        </tr>
                    }) }
                </tbody>
            </table>
            <p id="transfer-loss">{tf(lang, "transfer.worked.loss", &[("class", &label), ("loss", &fmt3(e.loss as f64))])}</p>
            <h4>{t(lang, "transfer.worked.gradients")}</h4>
            <ul class="gradients" id="transfer-gradients">
                { for e.layers.iter().map(|l| html! {
                    <li data-trains={l.trains.to_string()}>
                        <span class="layer-name">{l.layer.clone()}</span>{": "}
                        if l.trains {
                            {tf(lang, "transfer.worked.norm", &[("norm", &small(l.norm))])}
                        } else {
                            <span class="padlock" aria-hidden="true">{"🔒 "}</span>{t(lang, "transfer.worked.frozen")}
                        }
                    </li>
                }) }
            </ul>
        </div>
    }
}

pub fn worked(lang: Lang, state: &TransferState, on_action: &Callback<TransferAction>) -> Html {
    let arm = state.work_arm.unwrap_or(Arm::Extract);
    let index = state.work_index;
    let test = state.started.as_ref().map_or(1, |s| s.test.max(1));
    let on_arm = {
        let on_action = on_action.clone();
        Callback::from(move |e: Event| {
            if let Some(select) = e.target_dyn_into::<HtmlSelectElement>()
                && let Some(&arm) = Arm::ALL.iter().find(|a| a.name() == select.value())
            {
                on_action.emit(TransferAction::Work {
                    arm,
                    test_index: index,
                });
            }
        })
    };
    let on_next = {
        let on_action = on_action.clone();
        Callback::from(move |_: MouseEvent| {
            on_action.emit(TransferAction::Work {
                arm,
                test_index: (index + 1) % test,
            })
        })
    };
    let target = state
        .results
        .as_ref()
        .map_or(state.settings.target, |r| r.0.target);
    html! {
        <section class="card" aria-labelledby="transfer-worked-title">
            <h2 id="transfer-worked-title">{t(lang, "transfer.worked.title")}</h2>
            <p>{t(lang, "transfer.worked.lead")}</p>
            <div class="run-bar">
                <label for="transfer-work-arm">{t(lang, "transfer.worked.arm")}</label>
                <select id="transfer-work-arm" onchange={on_arm}>
                    { for Arm::ALL.iter().map(|&a| html! { <option value={a.name()} selected={a == arm}>{arm_name(lang, a)}</option> }) }
                </select>
                <button type="button" id="transfer-work-next" class="button" onclick={on_next}>{t(lang, "transfer.worked.next")}</button>
            </div>
            if let Some(e) = &state.worked {
                { example(lang, target, e) }
            } else {
                <p class="muted">{t(lang, "transfer.worked.wait")}</p>
            }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::small;

    #[test]
    fn small_gradients_are_written_with_an_exponent() {
        assert_eq!(small(0.0), "0.0000");
        assert_eq!(small(0.01234), "0.0123");
        assert_eq!(small(4.56e-5), "4.56e-5");
        assert_eq!(small(-9.999e-4), "-1.00e-3");
        assert_eq!(small(1e-7), "1.00e-7");
    }
}
