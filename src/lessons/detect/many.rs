//! Level two on the page (several digits a canvas): the final mAP@0.5 with its precision–recall
//! read-out and AP per digit, test canvases with every true and detected box, and the boxes on
//! the learner's drawing. Every number here is the engine's (sent by the worker).

use kindling_engine::lessons::detect::boxes::Detection;
use kindling_engine::lessons::detect::data::CANVAS;
use kindling_engine::lessons::detect::map::{MapReport, READ_OUT_SCORES};
use kindling_engine::lessons::detect::messages::ShownMany;
use yew::prelude::*;

use crate::format::{duration, fmt3, group, percent};
use crate::i18n::{Lang, t, tf};
use crate::lessons::detect::state::{DetectAction, Run};
use crate::lessons::detect::widgets::boxed_canvas::{DrawnBox, boxed_canvas};
use crate::widgets::stats::{Stat, StatList};

/// A detection in canvas pixels, captioned with its digit and score.
pub fn detection_box(lang: Lang, d: &Detection) -> DrawnBox {
    DrawnBox {
        corners: d.bbox.corners().map(|v| v * CANVAS as f32),
        class: "predicted",
        caption: tf(
            lang,
            "detect.box.predicted",
            &[
                ("class", &d.class.to_string()),
                ("confidence", &percent(d.score as f64)),
            ],
        ),
    }
}

/// Detections scoring at least this are drawn (the mAP counts every one).
pub const DRAWN_SCORE: f32 = 0.3;

/// The precision–recall read-out: recall and precision when only detections at least so sure
/// are kept, at a few scores.
fn read_out(lang: Lang, report: &MapReport) -> Html {
    html! {
        <div class="table-scroll" tabindex="0">
            <table class="worked" id="detect-pr">
                <caption>{t(lang, "detect.many.pr_caption")}</caption>
                <thead><tr>
                    <th scope="col">{t(lang, "detect.many.pr_score")}</th>
                    <th scope="col">{t(lang, "detect.many.pr_recall")}</th>
                    <th scope="col">{t(lang, "detect.many.pr_precision")}</th>
                </tr></thead>
                <tbody>
                    { for report.at_scores(&READ_OUT_SCORES).into_iter().map(|(score, point)| html! {
                        <tr>
                            <th scope="row">{format!("≥ {score:.1}")}</th>
                            if let Some(p) = point {
                                <td>{percent(p.recall as f64)}</td>
                                <td>{percent(p.precision as f64)}</td>
                            } else {
                                <td colspan="2">{t(lang, "detect.many.pr_none")}</td>
                            }
                        </tr>
                    }) }
                </tbody>
            </table>
        </div>
    }
}

fn per_digit(lang: Lang, report: &MapReport) -> Html {
    html! {
        <div class="table-scroll" tabindex="0">
            <table class="worked" id="detect-ap">
                <caption>{t(lang, "detect.many.ap_caption")}</caption>
                <thead><tr>
                    <th scope="col">{t(lang, "detect.many.ap_digit")}</th>
                    { for (0..report.per_class.len()).map(|c| html! { <th scope="col">{c.to_string()}</th> }) }
                </tr></thead>
                <tbody><tr>
                    <th scope="row">{t(lang, "detect.many.ap")}</th>
                    { for report.per_class.iter().map(|ap| html! {
                        <td>{ap.map_or_else(|| "–".to_string(), |a| fmt3(a as f64))}</td>
                    }) }
                </tr></tbody>
            </table>
        </div>
    }
}

/// The final mAP@0.5 on the test canvases, with the read-outs.
pub fn finished_many(lang: Lang, run: &Run) -> Html {
    let Some((report, elapsed_ms)) = &run.map_finished else {
        return html! {};
    };
    let items = vec![
        Stat {
            id: "detect-map",
            label: t(lang, "detect.many.map"),
            value: fmt3(report.map as f64),
        },
        Stat {
            id: "detect-found",
            label: t(lang, "detect.many.counted"),
            value: tf(
                lang,
                "detect.many.counted_value",
                &[
                    ("truths", &group(report.truths as u64)),
                    ("detections", &group(report.detections as u64)),
                ],
            ),
        },
        Stat {
            id: "detect-time",
            label: t(lang, "detect.stat.time"),
            value: duration(*elapsed_ms),
        },
    ];
    html! {
        <div class="detect-final" id="detect-final">
            <h3>{t(lang, "detect.many.final_title")}</h3>
            <StatList {items} />
            <p class="muted">{t(lang, "detect.many.map_explained")}</p>
            { read_out(lang, report) }
            <p class="muted">{t(lang, "detect.many.pr_explained")}</p>
            { per_digit(lang, report) }
        </div>
    }
}

fn shown(lang: Lang, canvas: &ShownMany) -> Html {
    let truths = canvas.truths.iter().map(|o| DrawnBox {
        corners: [o.bbox.left, o.bbox.top, o.bbox.right, o.bbox.bottom].map(|v| v as f32),
        class: "truth",
        caption: tf(lang, "detect.box.truth", &[("class", &o.class.to_string())]),
    });
    let found = canvas
        .detections
        .iter()
        .filter(|d| d.score >= DRAWN_SCORE)
        .map(|d| detection_box(lang, d));
    let boxes: Vec<DrawnBox> = truths.chain(found).collect();
    let digits: Vec<String> = canvas.truths.iter().map(|o| o.class.to_string()).collect();
    let label = tf(
        lang,
        "detect.many.canvas_label",
        &[
            ("index", &canvas.index.to_string()),
            ("digits", &digits.join(", ")),
        ],
    );
    html! {
        <div class="shown-canvas">
            { boxed_canvas(format!("detect-canvas-{}", canvas.index), CANVAS, &canvas.pixels, &[], &boxes, label) }
        </div>
    }
}

/// Level two's shown test canvases, and a button for the next ones.
pub fn canvases_many(
    lang: Lang,
    canvases: &[ShownMany],
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
            <p class="muted">{tf(lang, "detect.many.legend", &[("score", &percent(DRAWN_SCORE as f64))])}</p>
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

/// The multi-digit detector's boxes on the drawing.
pub fn own_answer(lang: Lang, pixels: &[u8], detections: &[Detection]) -> Html {
    let kept: Vec<&Detection> = detections
        .iter()
        .filter(|d| d.score >= DRAWN_SCORE)
        .collect();
    let boxes: Vec<DrawnBox> = kept.iter().map(|d| detection_box(lang, d)).collect();
    let digits: Vec<String> = kept.iter().map(|d| d.class.to_string()).collect();
    let answer = if kept.is_empty() {
        t(lang, "detect.many.own_none")
    } else {
        tf(
            lang,
            "detect.many.own_answer",
            &[
                ("count", &kept.len().to_string()),
                ("digits", &digits.join(", ")),
            ],
        )
    };
    html! {
        <>
            { boxed_canvas("detect-own-result".into(), CANVAS, pixels, &[], &boxes, t(lang, "detect.own.result_label")) }
            <p id="detect-own-status">{answer}</p>
        </>
    }
}
