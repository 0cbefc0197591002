//! Level two's design, step by step: what the CenterNet-style head outputs at each cell, the
//! shape at every layer (from the engine's `shapes::centre_detector`, for the loaded backbone),
//! what it learns from and how its loss is built, how peaks become boxes, what non-maximum
//! suppression does, and how mAP@0.5 is counted. Every number is the engine's.

use kindling_engine::lessons::detect::centres::{
    CLASSES, FOCAL_ALPHA, FOCAL_BETA, HEAT_BIAS, MAP_IOU, MIN_SPREAD, NMS_IOU, OFFSET_WEIGHT,
    REGRESSION, SCORE_THRESHOLD, SIZE_WEIGHT, SPREAD_SHARE, TOP_K, starting_score,
};
use kindling_engine::lessons::detect::data::CANVAS;
use kindling_engine::lessons::detect::shapes;
use kindling_engine::models::resnet::ResnetSettings;
use yew::prelude::*;

use crate::i18n::{Lang, t, tf};
use crate::lessons::detect::text::shape;

/// The steps explained, in order (i18n keys under `detect.design_many.`).
const STEPS: [&str; 6] = ["outputs", "targets", "loss", "peaks", "nms", "map"];

/// A small whole number as superscript digits, for exponents in running text.
fn superscript(n: f32) -> String {
    const DIGITS: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    (n.round() as u32)
        .to_string()
        .chars()
        .filter_map(|c| c.to_digit(10).map(|d| DIGITS[d as usize]))
        .collect()
}

/// The numbers the text quotes, by placeholder.
fn numbers(backbone: &ResnetSettings, hidden: usize) -> Vec<(&'static str, String)> {
    let side = backbone.feature_side(CANVAS);
    vec![
        ("canvas", CANVAS.to_string()),
        ("grid", side.to_string()),
        ("cell", (CANVAS / side.max(1)).to_string()),
        ("classes", CLASSES.to_string()),
        ("regression", REGRESSION.to_string()),
        ("per_cell", (CLASSES + REGRESSION).to_string()),
        ("hidden", hidden.to_string()),
        ("bias", HEAT_BIAS.to_string()),
        ("start", format!("{:.2}", starting_score())),
        ("share", SPREAD_SHARE.to_string()),
        ("min_spread", MIN_SPREAD.to_string()),
        ("alpha", superscript(FOCAL_ALPHA)),
        ("beta", superscript(FOCAL_BETA)),
        ("size_weight", SIZE_WEIGHT.to_string()),
        ("offset_weight", OFFSET_WEIGHT.to_string()),
        ("threshold", SCORE_THRESHOLD.to_string()),
        ("top_k", TOP_K.to_string()),
        ("nms", NMS_IOU.to_string()),
        ("map_iou", MAP_IOU.to_string()),
    ]
}

pub fn design_many(lang: Lang, backbone: &ResnetSettings, hidden: usize) -> Html {
    let numbers = numbers(backbone, hidden);
    let args: Vec<(&str, &str)> = numbers.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let layers = shapes::centre_detector(backbone, hidden);
    html! {
        <section class="card detect-design" id="detect-many-design" aria-labelledby="detect-many-design-title">
            <h2 id="detect-many-design-title">{t(lang, "detect.design_many.title")}</h2>
            <p>{tf(lang, "detect.design_many.lead", &args)}</p>
            <ol class="layer-list" id="detect-many-layers">
                { for layers.iter().map(|layer| html! {
                    <li class={classes!("layer", layer.name)}>
                        <span class="layer-name">{tf(lang, &format!("detect.layer.{}", layer.name), &args)}</span>
                        <code class="layer-shape">{shape(layer)}</code>
                    </li>
                }) }
            </ol>
            { for STEPS.iter().map(|step| html! {
                <>
                    <h3>{t(lang, &format!("detect.design_many.{step}_title"))}</h3>
                    <p id={format!("detect-many-design-{step}")}>{tf(lang, &format!("detect.design_many.{step}"), &args)}</p>
                </>
            }) }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn exponents_read_as_superscripts_and_the_cells_come_from_the_backbone() {
        assert_eq!(superscript(2.0), "²");
        assert_eq!(superscript(14.0), "¹⁴");
        let numbers = numbers(&ResnetSettings::default(), 64);
        let get = |key: &str| numbers.iter().find(|(k, _)| *k == key).unwrap().1.clone();
        assert_eq!(
            (get("grid"), get("cell")),
            ("16".to_string(), "4".to_string())
        );
        assert_eq!(
            (get("per_cell"), get("start")),
            ("14".to_string(), "0.10".to_string())
        );
        assert_eq!(
            (get("alpha"), get("beta")),
            ("²".to_string(), "⁴".to_string())
        );
    }
}
