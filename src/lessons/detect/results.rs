//! The run as it trains and once it is over: the class and box losses, live scores, the final
//! mean IoU and class accuracy, and test canvases with the true and the predicted box. Every
//! number here is the engine's (sent by the worker).

use std::rc::Rc;

use kindling_engine::lessons::detect::boxes::PixelBox;
use kindling_engine::lessons::detect::config::Prediction;
use kindling_engine::lessons::detect::data::{CANVAS, Level};
use kindling_engine::lessons::detect::messages::ShownCanvas;
use yew::prelude::*;

use crate::format::{duration, fmt3, group, percent};
use crate::i18n::{Lang, t, tf};
use crate::lessons::detect::state::{DetectAction, Run};
use crate::lessons::detect::widgets::boxed_canvas::{DrawnBox, boxed_canvas};
use crate::widgets::line_chart::{Line, LineChart};
use crate::widgets::stats::{Stat, StatList};

fn stat(id: &'static str, label: String, value: String) -> Stat {
    Stat { id, label, value }
}

/// Live: steps, speed, what trains; the loss curves and the live scores.
pub fn training(lang: Lang, run: &Run) -> Html {
    let points = &run.losses.points;
    let steps = Rc::new(points.iter().map(|(s, _)| *s).collect::<Vec<_>>());
    let many = run.level == Level::Many;
    let (class_key, box_key) = if many {
        ("detect.many.curve_heat", "detect.many.curve_box")
    } else {
        ("detect.curve.class", "detect.curve.box")
    };
    let losses = Rc::new(vec![
        Line {
            label: t(lang, class_key).into(),
            class: "class-loss",
            values: points.iter().map(|(_, l)| l.class).collect(),
        },
        Line {
            label: t(lang, box_key).into(),
            class: "box-loss",
            values: points.iter().map(|(_, l)| l.boxes).collect(),
        },
    ]);
    let (score_steps, scores) = if many {
        (
            run.maps.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            vec![Line {
                label: t(lang, "detect.many.map").into(),
                class: "iou",
                values: run.maps.iter().map(|(_, m)| *m).collect(),
            }],
        )
    } else {
        (
            run.scores.iter().map(|(s, _)| *s).collect::<Vec<_>>(),
            vec![
                Line {
                    label: t(lang, "detect.curve.iou").into(),
                    class: "iou",
                    values: run.scores.iter().map(|(_, e)| e.mean_iou).collect(),
                },
                Line {
                    label: t(lang, "detect.curve.accuracy").into(),
                    class: "accuracy",
                    values: run.scores.iter().map(|(_, e)| e.class_accuracy).collect(),
                },
            ],
        )
    };
    let (score_steps, scores) = (Rc::new(score_steps), Rc::new(scores));
    let scores_aria = if many {
        "detect.many.scores_aria"
    } else {
        "detect.curve.scores_aria"
    };
    let items = vec![
        stat(
            "detect-step",
            t(lang, "detect.stat.step"),
            format!("{} / {}", group(run.step), group(run.steps)),
        ),
        stat(
            "detect-speed",
            t(lang, "detect.stat.speed"),
            format!("{:.1}", run.steps_per_second),
        ),
        stat(
            "detect-trained",
            t(lang, "detect.stat.trained"),
            tf(
                lang,
                "detect.stat.trained_value",
                &[
                    ("trained", &group(run.trained)),
                    ("frozen", &group(run.frozen)),
                ],
            ),
        ),
        stat(
            "detect-backbone",
            t(lang, "detect.stat.backbone"),
            match (run.unfrozen_at, run.settings.unfreeze_at) {
                (Some(step), _) => tf(lang, "detect.stat.unfrozen", &[("step", &group(step))]),
                (None, Some(step)) => tf(
                    lang,
                    "detect.stat.unfreezes",
                    &[("step", &group(step as u64))],
                ),
                (None, None) => t(lang, "detect.stat.frozen"),
            },
        ),
    ];
    html! {
        <div class="detect-training">
            <StatList {items} />
            <div class="chart-pair">
                <LineChart
                    id="detect-losses"
                    aria_label={t(lang, "detect.curve.losses_aria")}
                    x_label={t(lang, "detect.curve.x")}
                    empty={t(lang, "chart.empty")}
                    {steps}
                    lines={losses}
                />
                <LineChart
                    id="detect-scores"
                    aria_label={t(lang, scores_aria)}
                    x_label={t(lang, "detect.curve.x")}
                    empty={t(lang, "detect.curve.scores_empty")}
                    steps={score_steps}
                    lines={scores}
                    top={Some(1.0)}
                />
            </div>
        </div>
    }
}

/// The final score on the test canvases.
pub fn finished(lang: Lang, run: &Run) -> Html {
    let Some((score, elapsed_ms)) = run.finished else {
        return html! {};
    };
    let items = vec![
        stat(
            "detect-mean-iou",
            t(lang, "detect.stat.mean_iou"),
            fmt3(score.mean_iou as f64),
        ),
        stat(
            "detect-accuracy",
            t(lang, "detect.stat.accuracy"),
            percent(score.class_accuracy as f64),
        ),
        stat(
            "detect-hits",
            t(lang, "detect.stat.hits"),
            percent(score.hits as f64),
        ),
        stat(
            "detect-time",
            t(lang, "detect.stat.time"),
            duration(elapsed_ms),
        ),
    ];
    html! {
        <div class="detect-final" id="detect-final">
            <h3>{tf(lang, "detect.final.title", &[("count", &group(score.count as u64))])}</h3>
            <StatList {items} />
        </div>
    }
}

fn pixel_corners(b: &PixelBox) -> [f32; 4] {
    [b.left, b.top, b.right, b.bottom].map(|v| v as f32)
}

/// The predicted box in canvas pixels.
pub fn predicted_corners(p: &Prediction) -> [f32; 4] {
    p.bbox.corners().map(|v| v * CANVAS as f32)
}

pub fn predicted_box(lang: Lang, p: &Prediction) -> DrawnBox {
    DrawnBox {
        corners: predicted_corners(p),
        class: "predicted",
        caption: tf(
            lang,
            "detect.box.predicted",
            &[
                ("class", &p.class.to_string()),
                ("confidence", &percent(p.confidence as f64)),
            ],
        ),
    }
}

fn shown(lang: Lang, canvas: &ShownCanvas) -> Html {
    let truth = DrawnBox {
        corners: pixel_corners(&canvas.truth.bbox),
        class: "truth",
        caption: tf(
            lang,
            "detect.box.truth",
            &[("class", &canvas.truth.class.to_string())],
        ),
    };
    let predicted = predicted_box(lang, &canvas.predicted);
    let right = canvas.predicted.class == canvas.truth.class;
    let label = tf(
        lang,
        "detect.canvas.label",
        &[
            ("index", &canvas.index.to_string()),
            ("class", &canvas.truth.class.to_string()),
        ],
    );
    html! {
        <div class={classes!("shown-canvas", if right { "right" } else { "wrong" })}>
            { boxed_canvas(format!("detect-canvas-{}", canvas.index), CANVAS, &canvas.pixels, &canvas.heat, &[truth, predicted], label) }
            <p class="shown-iou">{tf(lang, "detect.canvas.iou", &[("iou", &fmt3(canvas.iou as f64))])}</p>
        </div>
    }
}

/// The shown test canvases, and a button for the next ones while the worker holds the detector.
pub fn canvases(
    lang: Lang,
    canvases: &[ShownCanvas],
    more: bool,
    on_action: &Callback<DetectAction>,
) -> Html {
    if canvases.is_empty() {
        return html! {};
    }
    let on_action = on_action.clone();
    html! {
        <div class="detect-canvases">
            <h3>{t(lang, "detect.canvases.title")}</h3>
            <p class="muted">{t(lang, "detect.canvases.legend")}</p>
            <div class="canvas-grid" id="detect-canvases">
                { for canvases.iter().map(|c| shown(lang, c)) }
            </div>
            if more {
                <button type="button" id="detect-next" class="button small"
                    onclick={Callback::from(move |_: MouseEvent| on_action.emit(DetectAction::ShowNext))}>
                    {t(lang, "detect.canvases.next")}
                </button>
            }
        </div>
    }
}
