//! Several named values against the step, as an SVG line chart: the loss chart's shape for any
//! number of lines, each with its own CSS class and legend label.

use std::rc::Rc;

use yew::prelude::*;

use crate::widgets::loss_chart::nice_ceiling;

/// One line: its label, its CSS class (`line <class>`), and its value at each point of `steps`.
#[derive(Clone, Debug, PartialEq)]
pub struct Line {
    pub label: AttrValue,
    pub class: &'static str,
    pub values: Vec<f32>,
}

#[derive(Properties, PartialEq)]
pub struct Props {
    pub id: AttrValue,
    pub aria_label: AttrValue,
    pub x_label: AttrValue,
    /// Shown while there is nothing to draw.
    pub empty: AttrValue,
    pub steps: Rc<Vec<u64>>,
    pub lines: Rc<Vec<Line>>,
    /// The top of the value axis; by default a round number above the largest value.
    #[prop_or_default]
    pub top: Option<f64>,
}

const W: f64 = 480.0;
const H: f64 = 220.0;
const LEFT: f64 = 44.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 40.0;

fn label(value: f64) -> String {
    if value == 0.0 {
        "0".into()
    } else if value >= 10.0 {
        format!("{value:.0}")
    } else if value >= 1.0 {
        format!("{value:.1}")
    } else {
        format!("{value:.2}")
    }
}

#[component]
pub fn LineChart(props: &Props) -> Html {
    let steps = &props.steps;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;
    let first = steps.first().copied().unwrap_or(0);
    let last = steps.last().copied().unwrap_or(0).max(first + 1);
    let largest = props
        .lines
        .iter()
        .flat_map(|l| l.values.iter())
        .filter(|v| v.is_finite())
        .fold(0.0f32, |a, &b| a.max(b)) as f64;
    let top = props.top.unwrap_or_else(|| nice_ceiling(largest.max(0.05)));
    let x = |step: u64| LEFT + step.saturating_sub(first) as f64 / (last - first) as f64 * plot_w;
    let y = |v: f64| TOP + plot_h - (v / top).clamp(0.0, 1.0) * plot_h;
    let polyline = |values: &[f32]| {
        steps
            .iter()
            .zip(values)
            .filter(|(_, v)| v.is_finite())
            .map(|(&s, &v)| format!("{:.1},{:.1}", x(s), y(v as f64)))
            .collect::<Vec<_>>()
            .join(" ")
    };
    let f = |v: f64| format!("{v:.1}");
    html! {
        <figure class="line-figure">
            <svg id={props.id.clone()} class="line-chart" viewBox={format!("0 0 {W} {H}")} role="img" aria-label={props.aria_label.clone()}>
                <rect class="chart-bg" x={f(LEFT)} y={f(TOP)} width={f(plot_w)} height={f(plot_h)} />
                { for [0.0, top / 2.0, top].iter().map(|&v| html! {
                    <g class="tick">
                        <line class="grid" x1={f(LEFT)} x2={f(LEFT + plot_w)} y1={f(y(v))} y2={f(y(v))} />
                        <text x={f(LEFT - 6.0)} y={f(y(v))} text-anchor="end" dominant-baseline="middle">{label(v)}</text>
                    </g>
                }) }
                if !steps.is_empty() {
                    { for [first, last].iter().map(|&s| html! {
                        <text class="tick" x={f(x(s))} y={f(TOP + plot_h + 16.0)} text-anchor="middle">{s.to_string()}</text>
                    }) }
                }
                <line class="axis" x1={f(LEFT)} x2={f(LEFT)} y1={f(TOP)} y2={f(TOP + plot_h)} />
                <line class="axis" x1={f(LEFT)} x2={f(LEFT + plot_w)} y1={f(TOP + plot_h)} y2={f(TOP + plot_h)} />
                <text class="axis-label" x={f(LEFT + plot_w / 2.0)} y={f(H - 6.0)} text-anchor="middle">{props.x_label.clone()}</text>
                if steps.is_empty() {
                    <text class="chart-empty" x={f(LEFT + plot_w / 2.0)} y={f(TOP + plot_h / 2.0)} text-anchor="middle">{props.empty.clone()}</text>
                } else {
                    { for props.lines.iter().map(|line| html! {
                        <polyline class={classes!("line", line.class)} points={polyline(&line.values)} />
                    }) }
                }
            </svg>
            <figcaption class="chart-legend">
                { for props.lines.iter().map(|line| html! {
                    <span class="legend-item"><span class={classes!("line-swatch", line.class)} aria-hidden="true" />{line.label.clone()}</span>
                }) }
            </figcaption>
        </figure>
    }
}
