//! The detection project's settings and results: plain data (no burn). The network's own burn
//! configuration, built from these, is [`super::model::DetectorConfig`].

use std::fmt;

use serde::{Deserialize, Serialize};

use super::boxes::RelBox;

/// How the head reads the backbone's output maps.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum HeadKind {
    /// Reads the maps position by position: a heat map says where the digit is (its centre is
    /// the heat map's expected position), and the features there give its class and size.
    #[default]
    Spatial,
    /// Averages the maps over every position first, as a classifier does: the baseline that
    /// shows why pooling loses where the digit was.
    Pooled,
}

impl HeadKind {
    pub const ALL: [HeadKind; 2] = [HeadKind::Spatial, HeadKind::Pooled];

    pub fn name(self) -> &'static str {
        match self {
            HeadKind::Spatial => "spatial",
            HeadKind::Pooled => "pooled",
        }
    }
}

pub const MAX_STEPS: u32 = 20_000;
pub const MAX_BATCH: usize = 256;
pub const MAX_HIDDEN: usize = 256;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DetectSettings {
    pub head: HeadKind,
    /// Channels of the head's two 3 × 3 convolutions over the backbone's maps.
    pub hidden: usize,
    pub steps: u32,
    /// Canvases per step (each step draws new ones).
    pub batch: usize,
    /// Adam's learning rate for the head.
    pub learning_rate: f64,
    /// The step from which the backbone's convolutions train too (its batch norms stay as they
    /// were learnt); None keeps the backbone frozen throughout.
    pub unfreeze_at: Option<u32>,
    /// The backbone's learning rate, once unfrozen, as a share of the head's.
    pub backbone_share: f64,
    /// Weight of the box losses (smooth L1 + 1 − IoU) against the class's cross-entropy.
    pub box_weight: f64,
    /// Draws the canvases, initialises the head.
    pub seed: u64,
}

impl Default for DetectSettings {
    fn default() -> Self {
        Self {
            head: HeadKind::Spatial,
            hidden: 64,
            steps: 600,
            batch: 32,
            learning_rate: 0.003,
            unfreeze_at: None,
            backbone_share: 0.1,
            box_weight: 2.0,
            seed: 1,
        }
    }
}

/// Why settings cannot be run.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DetectProblem {
    Hidden,
    Steps,
    Batch,
    LearningRate,
    UnfreezeAt,
    BackboneShare,
    BoxWeight,
}

impl fmt::Display for DetectProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Hidden => "the head needs 1 to 256 channels",
            Self::Steps => "steps must be 1 to 20000",
            Self::Batch => "the batch must hold 1 to 256 canvases",
            Self::LearningRate => "the learning rate must be above 0 and at most 1",
            Self::UnfreezeAt => "the backbone can be unfrozen at a step before the last",
            Self::BackboneShare => "the backbone's share of the learning rate must be in (0, 1]",
            Self::BoxWeight => "the box losses' weight must be above 0 and at most 100",
        })
    }
}

impl DetectSettings {
    /// Every problem, none for settings that can be trained.
    pub fn validate(&self) -> Vec<DetectProblem> {
        let mut problems = Vec::new();
        let positive_up_to = |v: f64, max: f64| v.is_finite() && v > 0.0 && v <= max;
        if !(1..=MAX_HIDDEN).contains(&self.hidden) {
            problems.push(DetectProblem::Hidden);
        }
        if !(1..=MAX_STEPS).contains(&self.steps) {
            problems.push(DetectProblem::Steps);
        }
        if !(1..=MAX_BATCH).contains(&self.batch) {
            problems.push(DetectProblem::Batch);
        }
        if !positive_up_to(self.learning_rate, 1.0) {
            problems.push(DetectProblem::LearningRate);
        }
        if self.unfreeze_at.is_some_and(|at| at >= self.steps) {
            problems.push(DetectProblem::UnfreezeAt);
        }
        if !positive_up_to(self.backbone_share, 1.0) {
            problems.push(DetectProblem::BackboneShare);
        }
        if !positive_up_to(self.box_weight, 100.0) {
            problems.push(DetectProblem::BoxWeight);
        }
        problems
    }
}

/// A detector's score on generated test canvases.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Default)]
pub struct DetectEvaluation {
    /// Canvases scored.
    pub count: usize,
    /// Mean IoU of the predicted box with the true one.
    pub mean_iou: f32,
    /// Share of canvases whose class is right.
    pub class_accuracy: f32,
    /// Share of canvases with IoU ≥ 0.5 and the right class: a detection that counts.
    pub hits: f32,
}

/// The losses of one batch.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct StepLosses {
    pub total: f32,
    pub class: f32,
    /// Smooth L1 + (1 − IoU), unweighted.
    pub boxes: f32,
}

/// What the detector says about one canvas.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Prediction {
    pub class: u8,
    pub bbox: RelBox,
    /// The softmax probability of the predicted class.
    pub confidence: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_defaults_are_valid_and_each_bad_value_is_named() {
        assert!(DetectSettings::default().validate().is_empty());
        let bad = DetectSettings {
            hidden: 0,
            steps: 0,
            batch: 1000,
            learning_rate: f64::NAN,
            unfreeze_at: Some(0),
            backbone_share: 1.5,
            box_weight: 0.0,
            ..DetectSettings::default()
        };
        assert_eq!(
            bad.validate(),
            vec![
                DetectProblem::Hidden,
                DetectProblem::Steps,
                DetectProblem::Batch,
                DetectProblem::LearningRate,
                DetectProblem::UnfreezeAt,
                DetectProblem::BackboneShare,
                DetectProblem::BoxWeight,
            ]
        );
        let late = DetectSettings {
            unfreeze_at: Some(600),
            ..DetectSettings::default()
        };
        assert_eq!(late.validate(), vec![DetectProblem::UnfreezeAt]);
        let fine = DetectSettings {
            unfreeze_at: Some(599),
            ..DetectSettings::default()
        };
        assert!(fine.validate().is_empty());
    }
}
