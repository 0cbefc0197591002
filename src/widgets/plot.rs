//! A function and its derivative plotted over x, with shading, markers and a hover read-out.

use std::rc::Rc;

use yew::prelude::*;

use crate::format::{fmt_digits, fmt3};
use crate::i18n::{Lang, fill, t};

const W: f64 = 560.0;
const H: f64 = 300.0;
const LEFT: f64 = 50.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 36.0;

#[derive(Properties, PartialEq)]
pub struct PlotProps {
    pub lang: Lang,
    /// The SVG's id.
    pub id: AttrValue,
    /// The read-out's id.
    pub readout_id: AttrValue,
    /// The read-out's words, with `{x}`, `{f}` and `{df}` where the values go.
    pub readout: AttrValue,
    pub aria_label: AttrValue,
    pub xs: Rc<Vec<f64>>,
    /// The function and its derivative.
    pub f: Rc<Vec<f64>>,
    pub df: Rc<Vec<f64>>,
    pub f_label: AttrValue,
    pub df_label: AttrValue,
    /// Shade where |f′| is below this (saturated: almost no gradient).
    #[prop_or_default]
    pub shade_below: Option<f64>,
    /// Points to mark on f.
    #[prop_or_default]
    pub markers: Vec<(f64, f64)>,
    /// A vertical line to mark (the current prediction).
    #[prop_or_default]
    pub vline: Option<f64>,
    /// Values beyond ± this are drawn at the edge.
    #[prop_or_default]
    pub y_clip: Option<f64>,
    #[prop_or_default]
    pub stale: bool,
}

fn axis_label(value: f64) -> String {
    if value.abs() >= 100.0 {
        fmt_digits(value, 0)
    } else if value.abs() >= 10.0 {
        fmt_digits(value, 1)
    } else {
        fmt_digits(value, 2)
    }
}

/// f and f′ over a range of x, with a read-out of the values under the pointer or arrow keys.
#[component]
pub fn FunctionPlot(props: &PlotProps) -> Html {
    let hover = use_state(|| None::<usize>);
    let svg_ref = use_node_ref();
    let xs = &props.xs;
    let n = xs.len();
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let (x_lo, x_hi) = match (xs.first(), xs.last()) {
        (Some(&a), Some(&b)) if b > a => (a, b),
        _ => (0.0, 1.0),
    };
    let clip = props.y_clip.unwrap_or(f64::INFINITY);
    let finite = props
        .f
        .iter()
        .chain(props.df.iter())
        .filter(|v| v.is_finite())
        .map(|v| v.clamp(-clip, clip));
    let (mut y_lo, mut y_hi) = finite.fold((0.0f64, 0.0f64), |(lo, hi), v| (lo.min(v), hi.max(v)));
    if y_hi - y_lo < 1e-9 {
        y_lo -= 1.0;
        y_hi += 1.0;
    }
    let pad = (y_hi - y_lo) * 0.06;
    let (y_lo, y_hi) = (y_lo - pad, y_hi + pad);
    let sx = move |x: f64| LEFT + (x - x_lo) / (x_hi - x_lo) * plot_w;
    let sy = move |y: f64| {
        let y = if y.is_nan() { 0.0 } else { y.clamp(y_lo, y_hi) };
        TOP + plot_h - (y - y_lo) / (y_hi - y_lo) * plot_h
    };
    let line = |ys: &[f64]| {
        xs.iter()
            .zip(ys)
            .filter(|(_, y)| !y.is_nan())
            .map(|(&x, &y)| format!("{:.2},{:.2}", sx(x), sy(y)))
            .collect::<Vec<_>>()
            .join(" ")
    };

    // Runs of samples where |f′| is tiny, as x intervals.
    let mut shaded: Vec<(f64, f64)> = Vec::new();
    if let Some(limit) = props.shade_below.filter(|_| n > 1) {
        let half = (x_hi - x_lo) / (n - 1) as f64 / 2.0;
        let mut start: Option<usize> = None;
        for i in 0..=n {
            let flat = i < n && props.df.get(i).is_some_and(|d| d.abs() < limit);
            match (flat, start) {
                (true, None) => start = Some(i),
                (false, Some(s)) => {
                    shaded.push(((xs[s] - half).max(x_lo), (xs[i - 1] + half).min(x_hi)));
                    start = None;
                }
                _ => {}
            }
        }
    }

    let pick = {
        let hover = hover.clone();
        let svg_ref = svg_ref.clone();
        let xs = props.xs.clone();
        Callback::from(move |e: MouseEvent| {
            let Some(svg) = svg_ref.cast::<web_sys::Element>() else {
                return;
            };
            let width = svg.client_width() as f64;
            if width <= 0.0 || xs.is_empty() {
                return;
            }
            let vx = e.offset_x() as f64 * W / width;
            let x = x_lo + (vx - LEFT) / plot_w * (x_hi - x_lo);
            let nearest = xs
                .iter()
                .enumerate()
                .min_by(|a, b| (a.1 - x).abs().total_cmp(&(b.1 - x).abs()))
                .map(|(i, _)| i);
            hover.set(nearest);
        })
    };
    let on_leave = {
        let hover = hover.clone();
        Callback::from(move |_: MouseEvent| hover.set(None))
    };
    let on_key = {
        let hover = hover.clone();
        Callback::from(move |e: KeyboardEvent| {
            if n == 0 {
                return;
            }
            let current = hover.unwrap_or(n / 2).min(n - 1);
            let next = match e.key().as_str() {
                "ArrowLeft" => current.saturating_sub(1),
                "ArrowRight" => (current + 1).min(n - 1),
                _ => return,
            };
            e.prevent_default();
            hover.set(Some(next));
        })
    };

    let lang = props.lang;
    let selected = hover.filter(|&i| i < n);
    let readout = match selected {
        Some(i) => fill(
            &props.readout,
            &[
                ("x", &fmt3(xs[i])),
                ("f", &fmt3(props.f.get(i).copied().unwrap_or(f64::NAN))),
                ("df", &fmt3(props.df.get(i).copied().unwrap_or(f64::NAN))),
            ],
        ),
        None => t(lang, "plot.readout_hint"),
    };
    let mut x_ticks = vec![x_lo, x_hi];
    if x_lo < 0.0 && x_hi > 0.0 {
        x_ticks.push(0.0);
    }
    let mut y_ticks = vec![y_lo + pad, y_hi - pad];
    if y_lo < 0.0 && y_hi > 0.0 {
        y_ticks.push(0.0);
    }
    let s = |v: f64| format!("{v:.2}");

    html! {
        <figure class={classes!("lesson-figure", props.stale.then_some("stale"))}>
            <svg
                id={props.id.clone()}
                ref={svg_ref}
                class="lesson-plot"
                viewBox={format!("0 0 {W} {H}")}
                role="img"
                tabindex="0"
                aria-label={props.aria_label.clone()}
                onmousemove={pick}
                onmouseleave={on_leave}
                onkeydown={on_key}
            >
                <rect class="chart-bg" x={s(LEFT)} y={s(TOP)} width={s(plot_w)} height={s(plot_h)} />
                { for shaded.iter().map(|&(a, b)| html! {
                    <rect class="saturated" x={s(sx(a))} y={s(TOP)} width={s((sx(b) - sx(a)).max(0.5))} height={s(plot_h)} />
                }) }
                { for y_ticks.iter().map(|&v| html! {
                    <g class="tick">
                        <line class="grid" x1={s(LEFT)} x2={s(LEFT + plot_w)} y1={s(sy(v))} y2={s(sy(v))} />
                        <text x={s(LEFT - 6.0)} y={s(sy(v))} text-anchor="end" dominant-baseline="middle">{axis_label(v)}</text>
                    </g>
                }) }
                { for x_ticks.iter().map(|&v| html! {
                    <g class="tick">
                        <line class="grid" x1={s(sx(v))} x2={s(sx(v))} y1={s(TOP)} y2={s(TOP + plot_h)} />
                        <text x={s(sx(v))} y={s(TOP + plot_h + 16.0)} text-anchor="middle">{axis_label(v)}</text>
                    </g>
                }) }
                <line class="axis" x1={s(LEFT)} x2={s(LEFT)} y1={s(TOP)} y2={s(TOP + plot_h)} />
                <line class="axis" x1={s(LEFT)} x2={s(LEFT + plot_w)} y1={s(TOP + plot_h)} y2={s(TOP + plot_h)} />
                if let Some(v) = props.vline.filter(|v| (x_lo..=x_hi).contains(v)) {
                    <line class="current" x1={s(sx(v))} x2={s(sx(v))} y1={s(TOP)} y2={s(TOP + plot_h)} />
                }
                <polyline class="curve df" points={line(&props.df)} />
                <polyline class="curve f" points={line(&props.f)} />
                { for props.markers.iter().filter(|(x, y)| (x_lo..=x_hi).contains(x) && y.is_finite()).map(|&(x, y)| html! {
                    <circle class="marker" cx={s(sx(x))} cy={s(sy(y))} r="4" />
                }) }
                if let Some(i) = selected {
                    <line class="hover-line" x1={s(sx(xs[i]))} x2={s(sx(xs[i]))} y1={s(TOP)} y2={s(TOP + plot_h)} />
                    <circle class="hover-dot f" cx={s(sx(xs[i]))} cy={s(sy(props.f.get(i).copied().unwrap_or(f64::NAN)))} r="4" />
                    <circle class="hover-dot df" cx={s(sx(xs[i]))} cy={s(sy(props.df.get(i).copied().unwrap_or(f64::NAN)))} r="4" />
                }
            </svg>
            <figcaption class="chart-legend">
                <span class="legend-item"><span class="line-swatch f" aria-hidden="true" />{props.f_label.clone()}</span>
                <span class="legend-item"><span class="line-swatch df" aria-hidden="true" />{props.df_label.clone()}</span>
                if props.shade_below.is_some() {
                    <span class="legend-item"><span class="swatch saturated" aria-hidden="true" />{t(lang, "plot.saturated")}</span>
                }
            </figcaption>
            <p id={props.readout_id.clone()} class="plot-readout" aria-live="polite">{readout}</p>
        </figure>
    }
}
