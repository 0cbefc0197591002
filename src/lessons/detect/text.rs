//! The detection project's words built from the engine's values (the templates are in
//! `www/i18n`, under `detect.`).

use kindling_engine::lessons::detect::config::DetectProblem;
use kindling_engine::lessons::detect::shapes::{Dim, Layer};

use crate::i18n::{Lang, t};

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
