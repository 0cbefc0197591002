//! Train and test loss against the step, as an SVG line chart.

use std::rc::Rc;

use yew::prelude::*;

use crate::i18n::{Lang, t};
use crate::widgets::series::Series;

/// Most points kept for the chart.
pub const MAX_POINTS: usize = 500;

/// The losses at one step.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TrainTest {
    pub train: f32,
    pub test: f32,
}

/// Train and test loss over the steps.
pub type LossHistory = Series<TrainTest, MAX_POINTS>;

#[derive(Properties, PartialEq)]
pub struct Props {
    pub lang: Lang,
    pub history: Rc<LossHistory>,
}

const W: f64 = 480.0;
const H: f64 = 260.0;
const LEFT: f64 = 52.0;
const RIGHT: f64 = 16.0;
const TOP: f64 = 14.0;
const BOTTOM: f64 = 44.0;

/// A round number at or above `value`, for the top of the loss axis.
pub(crate) fn nice_ceiling(value: f64) -> f64 {
    if !(value.is_finite() && value > 0.0) {
        return 1.0;
    }
    let magnitude = 10f64.powf(value.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * magnitude >= value {
            return m * magnitude;
        }
    }
    10.0 * magnitude
}

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

fn polyline(
    points: &[(u64, TrainTest)],
    pick: fn(&TrainTest) -> f32,
    x: &dyn Fn(u64) -> f64,
    y: &dyn Fn(f64) -> f64,
) -> String {
    points
        .iter()
        .filter(|(_, p)| pick(p).is_finite())
        .map(|(step, p)| format!("{:.1},{:.1}", x(*step), y(pick(p) as f64)))
        .collect::<Vec<_>>()
        .join(" ")
}

#[component]
pub fn LossChart(props: &Props) -> Html {
    let lang = props.lang;
    let points = &props.history.points;
    let plot_w = W - LEFT - RIGHT;
    let plot_h = H - TOP - BOTTOM;

    let first = points.first().map(|p| p.0).unwrap_or(0);
    let last = points.last().map(|p| p.0).unwrap_or(0).max(first + 1);
    let max_loss = points
        .iter()
        .flat_map(|(_, p)| [p.train, p.test])
        .filter(|v| v.is_finite())
        .fold(0.0f32, f32::max) as f64;
    let top = nice_ceiling(max_loss.max(0.05));

    let x = move |step: u64| {
        LEFT + (step.saturating_sub(first)) as f64 / (last - first) as f64 * plot_w
    };
    let y = move |loss: f64| TOP + plot_h - (loss / top).clamp(0.0, 1.0) * plot_h;

    let train = polyline(points, |p| p.train, &x, &y);
    let test = polyline(points, |p| p.test, &x, &y);
    let y_ticks = [0.0, top / 2.0, top];
    let x_ticks = [first, last];

    html! {
        <figure class="loss-figure">
            <svg
                id="loss-chart"
                class="loss-chart"
                viewBox={format!("0 0 {W} {H}")}
                role="img"
                aria-label={t(lang, "chart.aria")}
            >
                <rect class="chart-bg" x={LEFT.to_string()} y={TOP.to_string()} width={plot_w.to_string()} height={plot_h.to_string()} />
                { for y_ticks.iter().map(|&v| html! {
                    <g class="tick">
                        <line class="grid" x1={LEFT.to_string()} x2={(LEFT + plot_w).to_string()} y1={y(v).to_string()} y2={y(v).to_string()} />
                        <text x={(LEFT - 6.0).to_string()} y={y(v).to_string()} text-anchor="end" dominant-baseline="middle">{label(v)}</text>
                    </g>
                }) }
                if !points.is_empty() {
                    { for x_ticks.iter().map(|&s| html! {
                        <text class="tick" x={x(s).to_string()} y={(TOP + plot_h + 16.0).to_string()} text-anchor="middle">{s.to_string()}</text>
                    }) }
                }
                <line class="axis" x1={LEFT.to_string()} x2={LEFT.to_string()} y1={TOP.to_string()} y2={(TOP + plot_h).to_string()} />
                <line class="axis" x1={LEFT.to_string()} x2={(LEFT + plot_w).to_string()} y1={(TOP + plot_h).to_string()} y2={(TOP + plot_h).to_string()} />
                <text class="axis-label" x={(LEFT + plot_w / 2.0).to_string()} y={(H - 6.0).to_string()} text-anchor="middle">{t(lang, "chart.x_label")}</text>
                <text class="axis-label" x="14" y={(TOP + plot_h / 2.0).to_string()} text-anchor="middle" transform={format!("rotate(-90 14 {})", TOP + plot_h / 2.0)}>{t(lang, "chart.y_label")}</text>
                if points.is_empty() {
                    <text class="chart-empty" x={(LEFT + plot_w / 2.0).to_string()} y={(TOP + plot_h / 2.0).to_string()} text-anchor="middle">{t(lang, "chart.empty")}</text>
                } else {
                    <polyline class="line train" points={train} />
                    <polyline class="line test" points={test} />
                }
            </svg>
            <figcaption class="chart-legend">
                <span class="legend-item"><span class="line-swatch train" aria-hidden="true" />{t(lang, "chart.train")}</span>
                <span class="legend-item"><span class="line-swatch test" aria-hidden="true" />{t(lang, "chart.test")}</span>
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn history_stays_bounded_and_ordered() {
        let point = TrainTest {
            train: 1.0,
            test: 1.0,
        };
        let mut history = LossHistory::default();
        for step in 0..10_000 {
            history.push(step, point);
        }
        assert!(history.points.len() <= MAX_POINTS);
        assert!(history.points.len() > MAX_POINTS / 4);
        assert!(history.points.windows(2).all(|w| w[0].0 < w[1].0));
        history.push(0, point);
        assert_eq!(history.points.len(), 1);
    }

    #[test]
    fn loss_axis_tops_are_round() {
        assert_eq!(nice_ceiling(0.7), 1.0);
        assert_eq!(nice_ceiling(2.2), 2.5);
        assert_eq!(nice_ceiling(f64::NAN), 1.0);
    }
}
