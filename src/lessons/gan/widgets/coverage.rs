//! The read-outs of a run: D's mean output on real and generated points, the divergence on the
//! grid, and for a mixture one bar per mode with the share of samples near it.

use yew::prelude::*;

use crate::format::{fmt3, percent};
use crate::i18n::{Lang, t, tf};

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub updates: Option<(u64, u64, u64)>,
    pub d_real: Option<f32>,
    pub d_fake: Option<f32>,
    /// (KL, JS) in nats.
    pub divergence: Option<(f32, f32)>,
    pub shares: Vec<f32>,
    /// A mode counts as covered from this share.
    pub covered_share: f32,
}

#[component]
pub fn Readouts(props: &Props) -> Html {
    let lang = props.lang;
    let value = |v: Option<f32>| v.map_or("–".to_string(), |v| fmt3(v as f64));
    let covered = props
        .shares
        .iter()
        .filter(|&&s| s >= props.covered_share)
        .count();
    let most = props
        .shares
        .iter()
        .copied()
        .fold(props.covered_share * 2.0, f32::max);
    let (iterations, updates) = match props.updates {
        Some((iterations, d, g)) => (iterations.to_string(), format!("{d} / {g}")),
        None => ("–".to_string(), "–".to_string()),
    };
    html! {
        <div class="gan-readouts">
            <dl class="stats">
                <div><dt>{t(lang, "gan.read.iterations")}</dt><dd id="gan-iterations">{iterations}</dd></div>
                <div><dt>{t(lang, "gan.read.updates")}</dt><dd id="gan-updates">{updates}</dd></div>
                <div><dt>{t(lang, "gan.read.d_real")}</dt><dd id="gan-d-real">{value(props.d_real)}</dd></div>
                <div><dt>{t(lang, "gan.read.d_fake")}</dt><dd id="gan-d-fake">{value(props.d_fake)}</dd></div>
                <div><dt>{t(lang, "gan.read.js")}</dt><dd id="gan-js">{value(props.divergence.map(|d| d.1))}</dd></div>
                <div><dt>{t(lang, "gan.read.kl")}</dt><dd id="gan-kl">{value(props.divergence.map(|d| d.0))}</dd></div>
            </dl>
            if !props.shares.is_empty() {
                <div class="gan-coverage">
                    <p id="gan-covered">{tf(lang, "gan.read.covered", &[
                        ("covered", &covered.to_string()),
                        ("modes", &props.shares.len().to_string()),
                        ("share", &percent(props.covered_share as f64)),
                    ])}</p>
                    <div class="mode-bars" role="img" aria-label={t(lang, "gan.read.coverage_aria")}>
                        { for props.shares.iter().enumerate().map(|(i, &share)| html! {
                            <div class="mode-bar" title={format!("{}: {}", i + 1, percent(share as f64))}>
                                <span
                                    class={classes!("fill", (share >= props.covered_share).then_some("covered"))}
                                    style={format!("height:{:.1}%", (share / most * 100.0).min(100.0))}
                                />
                                <span class="label">{(i + 1).to_string()}</span>
                            </div>
                        }) }
                    </div>
                </div>
            }
        </div>
    }
}
