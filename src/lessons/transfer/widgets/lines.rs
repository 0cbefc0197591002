//! Accuracies (0 to 1) against x, one line per arm, on an SVG; x linear or logarithmic. Each
//! line has its own x values (the arms' live points fall at slightly different steps).

use yew::prelude::*;

const W: f64 = 440.0;
const H: f64 = 220.0;
const LEFT: f64 = 40.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 10.0;
const BOTTOM: f64 = 38.0;

#[derive(Clone, PartialEq)]
pub struct Line {
    /// A CSS class (its colour).
    pub class: &'static str,
    pub label: String,
    pub points: Vec<(f64, f64)>,
}

/// The chart's text and scale: its element's id, its label, the x axis's label, whether x is
/// drawn on a log scale (every x must then be above 0), and labels under the axis at given x.
pub struct Axes {
    pub id: &'static str,
    pub aria_label: String,
    pub x_label: String,
    pub log_x: bool,
    pub ticks: Vec<(f64, String)>,
}

/// A plain function, not a component: a component costs the page its own props and diffing.
pub fn lines(axes: Axes, lines: Vec<Line>) -> Html {
    let fx = |x: f64| if axes.log_x { x.max(1e-9).ln() } else { x };
    let (lo, hi) = lines
        .iter()
        .flat_map(|l| l.points.iter().map(|p| p.0))
        .chain(axes.ticks.iter().map(|t| t.0))
        .map(fx)
        .fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
            (lo.min(x), hi.max(x))
        });
    let lo = if lo.is_finite() { lo } else { 0.0 };
    let span = if hi > lo { hi - lo } else { 1.0 };
    let sx = |x: f64| LEFT + (fx(x) - lo) / span * (W - LEFT - RIGHT);
    let sy = |y: f64| TOP + (1.0 - y.clamp(0.0, 1.0)) * (H - TOP - BOTTOM);
    let f = |v: f64| format!("{v:.1}");
    html! {
        <figure class="line-figure">
            <svg id={axes.id} class="line-chart" viewBox={format!("0 0 {W} {H}")} role="img"
                aria-label={axes.aria_label}>
                { for [0.0, 0.5, 1.0].iter().map(|&y| html! {
                    <g class="tick">
                        <line class="grid" x1={f(LEFT)} x2={f(W - RIGHT)} y1={f(sy(y))} y2={f(sy(y))} />
                        <text x={f(LEFT - 6.0)} y={f(sy(y))} text-anchor="end" dominant-baseline="middle">{format!("{:.0}%", y * 100.0)}</text>
                    </g>
                }) }
                { for axes.ticks.iter().map(|(x, label)| html! {
                    <text class="tick" x={f(sx(*x))} y={f(H - BOTTOM + 16.0)} text-anchor="middle">{label.clone()}</text>
                }) }
                <text class="axis-label" x={f((LEFT + W - RIGHT) / 2.0)} y={f(H - 4.0)} text-anchor="middle">{axes.x_label}</text>
                { for lines.iter().map(|line| html! {
                    <g class={classes!("arm-line", line.class)}>
                        <polyline class="line" points={line.points.iter().map(|&(x, y)| format!("{},{}", f(sx(x)), f(sy(y)))).collect::<Vec<_>>().join(" ")} />
                        { for line.points.iter().map(|&(x, y)| html! { <circle cx={f(sx(x))} cy={f(sy(y))} r="2.5" /> }) }
                    </g>
                }) }
            </svg>
            <figcaption class="chart-legend">
                { for lines.iter().map(|line| html! {
                    <span class="legend-item"><span class={classes!("line-swatch", line.class)} aria-hidden="true" />{line.label.clone()}</span>
                }) }
            </figcaption>
        </figure>
    }
}
