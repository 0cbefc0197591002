//! The lesson's settings and what the page draws of each arm: plain data (no burn).

use std::fmt;

use serde::{Deserialize, Serialize};

/// The four ways of reusing the backbone, in the order the page lists them.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
#[serde(rename_all = "snake_case")]
pub enum Arm {
    /// A fresh network of the same shape, nothing reused.
    Scratch,
    /// The backbone frozen (its batch norms too), a new head trained on its features.
    Extract,
    /// The new head alone first, then the last block unfrozen with it.
    LastBlock,
    /// Everything trained, the backbone at a smaller learning rate than the head.
    Everything,
}

impl Arm {
    pub const ALL: [Arm; 4] = [Arm::Scratch, Arm::Extract, Arm::LastBlock, Arm::Everything];

    pub fn index(self) -> usize {
        Arm::ALL.iter().position(|&a| a == self).unwrap_or(0)
    }

    pub fn name(self) -> &'static str {
        match self {
            Arm::Scratch => "scratch",
            Arm::Extract => "extract",
            Arm::LastBlock => "last_block",
            Arm::Everything => "everything",
        }
    }
}

/// The task the backbone is reused for.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    /// MNIST digits 5–9: the same kind of images, classes the backbone never saw.
    #[default]
    Digits,
    /// Fashion-MNIST: 28 × 28 grey clothes, a different kind of image.
    Fashion,
}

/// The digits of the digits target, relabelled 0–4 in this order.
pub const TARGET_DIGITS: [u8; 5] = [5, 6, 7, 8, 9];

impl Target {
    pub const ALL: [Target; 2] = [Target::Digits, Target::Fashion];

    pub fn name(self) -> &'static str {
        match self {
            Target::Digits => "digits",
            Target::Fashion => "fashion",
        }
    }

    /// Classes the new head tells apart.
    pub fn classes(self) -> usize {
        match self {
            Target::Digits => TARGET_DIGITS.len(),
            Target::Fashion => crate::datasets::fashion::CLASSES.len(),
        }
    }

    /// The data's folder under `static/`, as `cargo xtask data` writes it.
    pub fn folder(self) -> &'static str {
        match self {
            Target::Digits => "mnist",
            Target::Fashion => crate::datasets::fashion::FOLDER,
        }
    }
}

/// The labelled examples per class a learner can pick; 0 stands for all of them.
pub const LABEL_CHOICES: [u32; 5] = [1, 5, 10, 50, 0];
pub const MAX_STEPS: u32 = 5_000;
pub const MAX_BATCH: usize = 256;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TransferSettings {
    pub target: Target,
    /// Labelled training examples per class; 0 = the whole training set.
    pub labels_per_class: u32,
    /// Training steps for every arm.
    pub steps: u32,
    /// Images per step (fewer when the labelled set is smaller).
    pub batch: usize,
    /// Adam's learning rate for the head (and for every layer of the scratch arm).
    pub learning_rate: f64,
    /// The backbone's learning rate as a share of the head's, in the last two arms.
    pub backbone_multiplier: f64,
    /// Share of the steps the last-block arm spends on the head alone, in [0, 1].
    pub head_first: f64,
    /// Picks the labelled examples, initialises the heads, orders the batches.
    pub seed: u64,
}

impl Default for TransferSettings {
    fn default() -> Self {
        Self {
            target: Target::Digits,
            labels_per_class: 10,
            // A small budget, where reusing a network shows most (engine/tests/transfer.rs
            // holds the measurements): with 10 labels per class and 120 steps, training from
            // scratch catches up with a frozen backbone.
            steps: 30,
            batch: 32,
            learning_rate: 0.01,
            backbone_multiplier: 0.1,
            head_first: 0.5,
            seed: 1,
        }
    }
}

/// Why settings cannot be run.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum TransferProblem {
    LabelsPerClass,
    Steps,
    Batch,
    LearningRate,
    BackboneMultiplier,
    HeadFirst,
}

impl fmt::Display for TransferProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::LabelsPerClass => "labels per class must be 1, 5, 10, 50 or all",
            Self::Steps => "steps must be 1 to 5000",
            Self::Batch => "the batch must hold 1 to 256 images",
            Self::LearningRate => "the learning rate must be above 0 and at most 1",
            Self::BackboneMultiplier => {
                "the backbone's share of the learning rate must be in (0, 1]"
            }
            Self::HeadFirst => "the head-first share must be in [0, 1]",
        })
    }
}

impl TransferSettings {
    pub fn validate(&self) -> Vec<TransferProblem> {
        let mut problems = Vec::new();
        if !LABEL_CHOICES.contains(&self.labels_per_class) {
            problems.push(TransferProblem::LabelsPerClass);
        }
        if !(1..=MAX_STEPS).contains(&self.steps) {
            problems.push(TransferProblem::Steps);
        }
        if !(1..=MAX_BATCH).contains(&self.batch) {
            problems.push(TransferProblem::Batch);
        }
        if !(self.learning_rate > 0.0 && self.learning_rate <= 1.0) {
            problems.push(TransferProblem::LearningRate);
        }
        if !(self.backbone_multiplier > 0.0 && self.backbone_multiplier <= 1.0) {
            problems.push(TransferProblem::BackboneMultiplier);
        }
        if !(0.0..=1.0).contains(&self.head_first) {
            problems.push(TransferProblem::HeadFirst);
        }
        problems
    }

    /// The step at which the last-block arm unfreezes its last block.
    pub fn unfreeze_step(&self) -> u64 {
        (self.steps as f64 * self.head_first).round() as u64
    }
}

/// How one layer of the network trains in one arm: what the page draws (a padlock, the
/// learning-rate multiplier) and counts.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LayerPlan {
    /// "stem", "block 1" … "head".
    pub layer: String,
    /// Trainable parameters in the layer (batch norms' scales and shifts included).
    pub parameters: u64,
    /// Frozen from the start.
    pub frozen: bool,
    /// Frozen for the first steps only (the last block of the last-block arm).
    pub unfrozen_at: Option<u64>,
    /// The layer's learning rate as a multiple of the head's (0 while frozen).
    pub lr_multiplier: f64,
    /// Batch norms run on their running statistics and do not learn.
    pub norms_frozen: bool,
    /// Fresh weights rather than the backbone's.
    pub fresh: bool,
}

/// Layer names as the page shows them: `stem`, `block 1` …, `head`.
pub fn layer_names(blocks: usize) -> Vec<String> {
    let mut names = vec!["stem".to_string()];
    names.extend((1..=blocks).map(|b| format!("block {b}")));
    names.push("head".to_string());
    names
}

/// Each layer's plan in `arm`, for layers of `parameters` trainable parameters each (stem,
/// blocks, head) and `settings`.
pub fn plan(arm: Arm, parameters: &[u64], settings: &TransferSettings) -> Vec<LayerPlan> {
    let blocks = parameters.len().saturating_sub(2);
    let names = layer_names(blocks);
    let last = parameters.len().saturating_sub(1);
    names
        .into_iter()
        .zip(parameters)
        .enumerate()
        .map(|(i, (layer, &parameters))| {
            let head = i == last;
            let last_block = i + 1 == last && blocks > 0;
            let (frozen, unfrozen_at, lr_multiplier, norms_frozen, fresh) = match arm {
                Arm::Scratch => (false, None, 1.0, false, true),
                Arm::Extract => (!head, None, if head { 1.0 } else { 0.0 }, !head, head),
                Arm::LastBlock if head => (false, None, 1.0, false, true),
                Arm::LastBlock if last_block => {
                    (true, Some(settings.unfreeze_step()), 1.0, true, false)
                }
                Arm::LastBlock => (true, None, 0.0, true, false),
                Arm::Everything if head => (false, None, 1.0, false, true),
                Arm::Everything => (false, None, settings.backbone_multiplier, true, false),
            };
            LayerPlan {
                layer,
                parameters,
                frozen,
                unfrozen_at,
                lr_multiplier,
                norms_frozen,
                fresh,
            }
        })
        .collect()
}

/// One arm's accuracy on the test set at one step.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct ArmPoint {
    pub arm: Arm,
    pub step: u64,
    pub accuracy: f32,
    pub loss: f32,
    /// Test images it was measured on.
    pub count: usize,
}

/// One arm's result after its last step, on the whole test set.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ArmResult {
    pub arm: Arm,
    pub accuracy: f32,
    pub loss: f32,
    pub steps: u64,
    /// Trainable parameters the arm changed, and those it left as the backbone had them.
    pub trained: u64,
    pub frozen: u64,
    pub elapsed_ms: f64,
}

/// The gradient that reaches one layer in a worked example.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LayerGradient {
    pub layer: String,
    /// The layer asked for a gradient (false: frozen, it got none).
    pub trains: bool,
    /// The gradient's length (root of the sum of squares over the layer's parameters); 0 when
    /// frozen.
    pub norm: f32,
}

/// One test image through one arm's network, by the numbers.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct WorkedExample {
    pub arm: Arm,
    pub test_index: usize,
    pub label: u8,
    #[serde(with = "serde_bytes")]
    pub image: Vec<u8>,
    /// The backbone's pooled output (the head's input), all of it.
    pub features: Vec<f32>,
    pub logits: Vec<f32>,
    pub probabilities: Vec<f32>,
    /// Cross-entropy: −ln of the label's probability.
    pub loss: f32,
    /// ∂loss/∂(head bias): the probabilities minus the one-hot label.
    pub head_bias_gradient: Vec<f32>,
    /// Every layer's gradient, stem to head.
    pub layers: Vec<LayerGradient>,
}

/// Test images' backbone features projected onto their two principal axes.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct FeatureMap2d {
    /// [x, y] per image.
    pub points: Vec<[f32; 2]>,
    pub labels: Vec<u8>,
    /// Share of the features' variance the two axes hold.
    pub explained: f32,
}

/// First-layer kernels, one row-major `side × side` list each.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Filters {
    pub side: usize,
    pub kernels: Vec<Vec<f32>>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_default_settings_are_valid_and_bad_ones_are_named() {
        assert!(TransferSettings::default().validate().is_empty());
        let bad = TransferSettings {
            labels_per_class: 7,
            steps: 0,
            batch: 0,
            learning_rate: 0.0,
            backbone_multiplier: 2.0,
            head_first: 1.5,
            ..TransferSettings::default()
        };
        assert_eq!(bad.validate().len(), 6);
    }

    #[test]
    fn plans_freeze_what_each_arm_says() {
        let settings = TransferSettings::default();
        let parameters = [160, 4_700, 14_000, 55_000, 325];
        let frozen = |arm| -> Vec<bool> {
            plan(arm, &parameters, &settings)
                .iter()
                .map(|l| l.frozen)
                .collect()
        };
        assert_eq!(frozen(Arm::Scratch), [false; 5]);
        assert_eq!(frozen(Arm::Extract), [true, true, true, true, false]);
        assert_eq!(frozen(Arm::LastBlock), [true, true, true, true, false]);
        assert_eq!(frozen(Arm::Everything), [false; 5]);
        let last_block = plan(Arm::LastBlock, &parameters, &settings);
        assert_eq!(last_block[3].unfrozen_at, Some(15));
        assert_eq!(last_block[2].unfrozen_at, None);
        let everything = plan(Arm::Everything, &parameters, &settings);
        assert_eq!(everything[0].lr_multiplier, 0.1);
        assert_eq!(everything[4].lr_multiplier, 1.0);
    }
}
