//! Points coloured by class on an SVG, scaled to fit.

use yew::prelude::*;

const SIDE: f64 = 220.0;
const PAD: f64 = 8.0;

/// `labels`: the class of each point (its colour: CSS class `class-<n>`).
pub fn scatter(id: &'static str, aria_label: String, points: &[[f32; 2]], labels: &[u8]) -> Html {
    let extent = |axis: usize| {
        points
            .iter()
            .map(|p| p[axis] as f64)
            .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), v| {
                (lo.min(v), hi.max(v))
            })
    };
    let (x, y) = (extent(0), extent(1));
    let scale = |v: f64, (lo, hi): (f64, f64)| {
        let span = if hi > lo { hi - lo } else { 1.0 };
        PAD + (v - lo) / span * (SIDE - 2.0 * PAD)
    };
    html! {
        <svg {id} class="transfer-scatter" viewBox={format!("0 0 {SIDE} {SIDE}")}
            role="img" aria-label={aria_label}>
            { for points.iter().zip(labels).map(|(p, label)| html! {
                <circle class={format!("class-{label}")} r="2.5"
                    cx={format!("{:.1}", scale(p[0] as f64, x))}
                    cy={format!("{:.1}", SIDE - scale(p[1] as f64, y))} />
            }) }
        </svg>
    }
}
