//! The run's curves against the epoch: the training batches' loss, and the test accuracy (quick
//! checks on the first test images, and full evaluations on all of them).

use std::rc::Rc;

use yew::prelude::*;

use crate::i18n::{Lang, t};
use crate::lessons::cnn::state::Series;
use crate::widgets::loss_chart::nice_ceiling;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub loss: Rc<Series>,
    pub quick: Rc<Series>,
    pub full: Rc<Series>,
    pub steps_per_epoch: u64,
    /// Steps in the whole run: the x axis ends there (or at the last point, if later).
    pub total_steps: u64,
}

const W: f64 = 420.0;
const H: f64 = 240.0;
const LEFT: f64 = 50.0;
const RIGHT: f64 = 14.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 42.0;
const PLOT_W: f64 = W - LEFT - RIGHT;
const PLOT_H: f64 = H - TOP - BOTTOM;

/// Epoch ticks for an axis of `epochs`: every epoch, or fewer when there are many.
pub fn epoch_ticks(epochs: u64) -> Vec<u64> {
    let every = epochs.div_ceil(8).max(1);
    (0..=epochs)
        .filter(|e| e % every == 0 || *e == epochs)
        .collect()
}

struct Axes {
    last_step: u64,
    top: f64,
}

impl Axes {
    fn x(&self, step: u64) -> f64 {
        LEFT + step as f64 / self.last_step.max(1) as f64 * PLOT_W
    }

    fn y(&self, value: f64) -> f64 {
        TOP + PLOT_H - (value / self.top).clamp(0.0, 1.0) * PLOT_H
    }

    fn line(&self, points: &[(u64, f32)]) -> String {
        points
            .iter()
            .filter(|p| p.1.is_finite())
            .map(|&(s, v)| format!("{:.1},{:.1}", self.x(s), self.y(v as f64)))
            .collect::<Vec<_>>()
            .join(" ")
    }
}

fn frame(
    lang: Lang,
    axes: &Axes,
    steps_per_epoch: u64,
    y_ticks: &[(f64, String)],
    y_label: &str,
) -> Html {
    let epochs = axes.last_step.div_ceil(steps_per_epoch.max(1));
    let x_ticks = epoch_ticks(epochs);
    html! {
        <>
            <rect class="chart-bg" x={LEFT.to_string()} y={TOP.to_string()} width={PLOT_W.to_string()} height={PLOT_H.to_string()} />
            { for y_ticks.iter().map(|(v, text)| html! {
                <g class="tick">
                    <line class="grid" x1={LEFT.to_string()} x2={(LEFT + PLOT_W).to_string()} y1={axes.y(*v).to_string()} y2={axes.y(*v).to_string()} />
                    <text x={(LEFT - 6.0).to_string()} y={axes.y(*v).to_string()} text-anchor="end" dominant-baseline="middle">{text.clone()}</text>
                </g>
            }) }
            { for x_ticks.iter().map(|&e| {
                let x = axes.x(e * steps_per_epoch.max(1)).min(LEFT + PLOT_W);
                html! {
                    <g class="tick">
                        <line class="grid" x1={x.to_string()} x2={x.to_string()} y1={TOP.to_string()} y2={(TOP + PLOT_H).to_string()} />
                        <text x={x.to_string()} y={(TOP + PLOT_H + 15.0).to_string()} text-anchor="middle">{e.to_string()}</text>
                    </g>
                }
            }) }
            <line class="axis" x1={LEFT.to_string()} x2={LEFT.to_string()} y1={TOP.to_string()} y2={(TOP + PLOT_H).to_string()} />
            <line class="axis" x1={LEFT.to_string()} x2={(LEFT + PLOT_W).to_string()} y1={(TOP + PLOT_H).to_string()} y2={(TOP + PLOT_H).to_string()} />
            <text class="axis-label" x={(LEFT + PLOT_W / 2.0).to_string()} y={(H - 6.0).to_string()} text-anchor="middle">{t(lang, "cnn.curves.epoch")}</text>
            <text class="axis-label" x="13" y={(TOP + PLOT_H / 2.0).to_string()} text-anchor="middle" transform={format!("rotate(-90 13 {})", TOP + PLOT_H / 2.0)}>{y_label.to_string()}</text>
        </>
    }
}

fn empty(lang: Lang) -> Html {
    html! {
        <text class="chart-empty" x={(LEFT + PLOT_W / 2.0).to_string()} y={(TOP + PLOT_H / 2.0).to_string()} text-anchor="middle">{t(lang, "chart.empty")}</text>
    }
}

#[component]
pub fn CnnCurves(props: &Props) -> Html {
    let lang = props.lang;
    let last_point = [&props.loss, &props.quick, &props.full]
        .iter()
        .filter_map(|s| s.points.last().map(|p| p.0))
        .max()
        .unwrap_or(0);
    let last_step = props.total_steps.max(last_point).max(1);

    let max_loss = props
        .loss
        .points
        .iter()
        .map(|p| p.1)
        .filter(|v| v.is_finite())
        .fold(0.0f32, f32::max);
    let loss_axes = Axes {
        last_step,
        top: nice_ceiling((max_loss as f64).max(0.05)),
    };
    let loss_ticks: Vec<(f64, String)> = [0.0, loss_axes.top / 2.0, loss_axes.top]
        .iter()
        .map(|&v| {
            (
                v,
                format!("{v:.2}")
                    .trim_end_matches('0')
                    .trim_end_matches('.')
                    .to_string(),
            )
        })
        .collect();
    let accuracy_axes = Axes {
        last_step,
        top: 1.0,
    };
    let accuracy_ticks: Vec<(f64, String)> = [0.0, 0.25, 0.5, 0.75, 1.0]
        .iter()
        .map(|&v| (v, format!("{:.0}%", v * 100.0)))
        .collect();

    html! {
        <div class="cnn-curves">
            <figure class="loss-figure">
                <svg id="cnn-loss-chart" class="loss-chart" data-last-step={props.loss.points.last().map(|p| p.0.to_string())} viewBox={format!("0 0 {W} {H}")} role="img" aria-label={t(lang, "cnn.curves.loss_aria")}>
                    { frame(lang, &loss_axes, props.steps_per_epoch, &loss_ticks, &t(lang, "cnn.curves.loss")) }
                    if props.loss.points.is_empty() {
                        { empty(lang) }
                    } else {
                        <polyline class="line train" points={loss_axes.line(&props.loss.points)} />
                    }
                </svg>
                <figcaption class="chart-legend">
                    <span class="legend-item"><span class="line-swatch train" aria-hidden="true" />{t(lang, "cnn.curves.loss_legend")}</span>
                </figcaption>
            </figure>
            <figure class="loss-figure">
                <svg id="cnn-accuracy-chart" class="loss-chart" viewBox={format!("0 0 {W} {H}")} role="img" aria-label={t(lang, "cnn.curves.accuracy_aria")}>
                    { frame(lang, &accuracy_axes, props.steps_per_epoch, &accuracy_ticks, &t(lang, "cnn.curves.accuracy")) }
                    if props.quick.points.is_empty() && props.full.points.is_empty() {
                        { empty(lang) }
                    } else {
                        <polyline class="line test" points={accuracy_axes.line(&props.quick.points)} />
                        { for props.quick.points.iter().map(|&(s, v)| html! {
                            <circle class="point quick" cx={format!("{:.1}", accuracy_axes.x(s))} cy={format!("{:.1}", accuracy_axes.y(v as f64))} r="2.5" />
                        }) }
                        { for props.full.points.iter().map(|&(s, v)| html! {
                            <circle class="point full" data-full-accuracy={v.to_string()} cx={format!("{:.1}", accuracy_axes.x(s))} cy={format!("{:.1}", accuracy_axes.y(v as f64))} r="5" />
                        }) }
                    }
                </svg>
                <figcaption class="chart-legend">
                    <span class="legend-item"><span class="line-swatch test" aria-hidden="true" />{t(lang, "cnn.curves.quick_legend")}</span>
                    <span class="legend-item"><span class="dot-swatch full" aria-hidden="true" />{t(lang, "cnn.curves.full_legend")}</span>
                </figcaption>
            </figure>
        </div>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_ticks_thin_out() {
        assert_eq!(epoch_ticks(2), vec![0, 1, 2]);
        assert_eq!(epoch_ticks(20), vec![0, 3, 6, 9, 12, 15, 18, 20]);
        assert_eq!(epoch_ticks(0), vec![0]);
    }
}
