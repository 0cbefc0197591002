//! The detection project's words built from the engine's values (the templates are in
//! `www/i18n`, under `detect.`).

use kindling_engine::lessons::detect::card::{DetectCard, SHIPPED_DETECTOR};
use kindling_engine::lessons::detect::config::DetectProblem;
use kindling_engine::lessons::detect::data::Level;
use kindling_engine::lessons::detect::shapes::{Dim, Layer};

use crate::format::{duration, group, percent, size};
use crate::i18n::{Lang, model_file_error, t, tf};
use crate::lessons::detect::state::FileNote;

pub fn problem(lang: Lang, problem: DetectProblem) -> String {
    let key = match problem {
        DetectProblem::Hidden => "hidden",
        DetectProblem::Steps => "steps",
        DetectProblem::Batch => "batch",
        DetectProblem::LearningRate => "learning_rate",
        DetectProblem::UnfreezeAt => "unfreeze",
        DetectProblem::BackboneShare => "backbone_share",
        DetectProblem::BoxWeight => "box_weight",
    };
    t(lang, &format!("detect.problem.{key}"))
}

pub fn file_note(lang: Lang, note: &FileNote) -> String {
    match note {
        FileNote::Loaded {
            shipped,
            steps,
            moved_to,
        } => {
            let loaded = if *shipped {
                t(lang, "detect.file.loaded_shipped")
            } else {
                tf(lang, "detect.file.loaded", &[("steps", &group(*steps))])
            };
            match moved_to {
                Some(level) => format!(
                    "{loaded} {}",
                    t(lang, &format!("detect.file.moved.{}", level.name()))
                ),
                None => loaded,
            }
        }
        FileNote::Refused(error) => tf(
            lang,
            "detect.file.refused",
            &[("why", &model_file_error(lang, error))],
        ),
        FileNote::TooLarge { bytes } => {
            tf(lang, "detect.file.too_large", &[("size", &size(*bytes))])
        }
        FileNote::Unreadable(message) => tf(lang, "detect.file.unreadable", &[("why", message)]),
        FileNote::Unavailable(message) => tf(lang, "detect.file.unavailable", &[("why", message)]),
    }
}

/// A detector's card as (label, value) rows.
pub fn card_rows(lang: Lang, card: &DetectCard, shipped: bool) -> Vec<(String, String)> {
    let row = |key: &str, value: String| (t(lang, &format!("detect.card.{key}")), value);
    let name = if shipped {
        SHIPPED_DETECTOR.to_string()
    } else {
        t(lang, "detect.card.yours")
    };
    let settings = &card.settings;
    let head = match card.level {
        Level::One => t(lang, &format!("detect.head.{}", settings.head.name())),
        Level::Many => t(lang, "detect.card.head_centre"),
    };
    let mut rows = vec![
        row("name", name),
        row("base", card.base.clone()),
        row(
            "level",
            t(lang, &format!("detect.level.{}", card.level.name())),
        ),
        row(
            "head",
            tf(
                lang,
                "detect.card.head_value",
                &[("head", &head), ("hidden", &settings.hidden.to_string())],
            ),
        ),
        row(
            "steps",
            match settings.unfreeze_at {
                Some(at) => tf(
                    lang,
                    "detect.card.steps_unfrozen",
                    &[
                        ("steps", &group(card.steps)),
                        ("batch", &settings.batch.to_string()),
                        ("at", &group(u64::from(at))),
                    ],
                ),
                None => tf(
                    lang,
                    "detect.card.steps_frozen",
                    &[
                        ("steps", &group(card.steps)),
                        ("batch", &settings.batch.to_string()),
                    ],
                ),
            },
        ),
        row("seed", settings.seed.to_string()),
    ];
    if let Some(score) = card.evaluation {
        rows.push(row(
            "score",
            tf(
                lang,
                "detect.card.score_value",
                &[
                    ("iou", &format!("{:.3}", score.mean_iou)),
                    ("accuracy", &percent(score.class_accuracy as f64)),
                    ("count", &group(score.count as u64)),
                    ("seed", &card.test_seed.to_string()),
                ],
            ),
        ));
    }
    if let Some(score) = card.map {
        rows.push(row(
            "score",
            tf(
                lang,
                "detect.card.map_value",
                &[
                    ("map", &format!("{:.3}", score.map)),
                    ("count", &group(score.count as u64)),
                    ("seed", &card.test_seed.to_string()),
                ],
            ),
        ));
    }
    if let Some(seconds) = card.training_seconds {
        rows.push(row("time", duration(seconds * 1000.0)));
    }
    let parameters: usize = card
        .parameters
        .iter()
        .map(|p| p.shape.iter().product::<usize>())
        .sum();
    rows.push(row(
        "parameters",
        tf(
            lang,
            "detect.card.parameters_value",
            &[
                ("count", &group(parameters as u64)),
                ("size", &size(parameters as u64 * 4)),
            ],
        ),
    ));
    if let Some(provenance) = &card.provenance {
        rows.push(row("command", provenance.command.clone()));
        rows.push(row("licence", provenance.licence.clone()));
    }
    rows
}

/// A layer's output shape with the batch first, e.g. `[B, 64, 16, 16]`.
pub fn shape(layer: &Layer) -> String {
    let dims: Vec<String> = std::iter::once("B".to_string())
        .chain(layer.shape.iter().map(|d| match d {
            Dim::Size(n) => n.to_string(),
            Dim::Symbol(s) => s.to_string(),
        }))
        .collect();
    format!("[{}]", dims.join(", "))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_read_with_the_batch_first() {
        let layer = Layer {
            name: "article_pool",
            shape: vec![Dim::Symbol("C"), Dim::Size(8), Dim::Size(8)],
        };
        assert_eq!(shape(&layer), "[B, C, 8, 8]");
    }
}
