//! The card of a saved detector: the head's settings, the backbone's shape and name, how far it
//! trained and how well it scored. Plain data (no burn): the page shows it.

use serde::{Deserialize, Serialize};

use super::config::{DetectEvaluation, DetectSettings};
use super::data::{CANVAS, Level};
use crate::common::model_card::{FORMAT_VERSION, ParamEntry, Provenance};
use crate::models::resnet::ResnetSettings;

/// The `model` a detector's card names.
pub const DETECTOR_MODEL: &str = "detector";
/// The shipped backbone every detector starts from.
pub const DETECTOR_BASE: &str = "mnist-resnet";
/// The shipped detector's name in `static/models/`.
pub const SHIPPED_DETECTOR: &str = "mnist-detector";

/// A multi-digit detector's score: mAP@0.5 on generated level-two test canvases.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct MapScore {
    /// Canvases scored.
    pub count: usize,
    pub map: f32,
}

/// What a saved detector says about itself, in its model file (the whole network: backbone and
/// head).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DetectCard {
    /// [`FORMAT_VERSION`] when written.
    pub format: u32,
    /// Always [`DETECTOR_MODEL`].
    pub model: String,
    /// Which head the file holds: the single-digit class-and-box head (`one`; files written
    /// before level two have no such field) or the multi-digit CenterNet-style head (`many`).
    #[serde(default)]
    pub level: Level,
    /// The head and the training (steps, batch, rates, unfreezing, seed). At level two the head
    /// kind and the box weight are the single-digit head's, unused.
    pub settings: DetectSettings,
    /// The backbone's shape.
    pub backbone: ResnetSettings,
    /// The network the backbone came from.
    pub base: String,
    /// [rows, cols] of the canvases the detector reads.
    pub image: [usize; 2],
    /// Steps trained.
    pub steps: u64,
    /// Its score on generated test canvases of MNIST's test digits, when measured (level one).
    pub evaluation: Option<DetectEvaluation>,
    /// Its mAP@0.5 on generated level-two test canvases, when measured (level two).
    #[serde(default)]
    pub map: Option<MapScore>,
    /// The seed of those test canvases.
    pub test_seed: u64,
    /// Wall time of the training, in seconds, when known.
    pub training_seconds: Option<f64>,
    /// How a shipped detector was made.
    pub provenance: Option<Provenance>,
    /// Filled in when saving.
    pub parameters: Vec<ParamEntry>,
    /// Filled in when saving.
    pub weights_sha256: String,
    pub created_by: String,
}

impl DetectCard {
    /// The card of a single-digit detector.
    pub fn new(settings: DetectSettings, backbone: ResnetSettings, test_seed: u64) -> Self {
        Self::at_level(Level::One, settings, backbone, test_seed)
    }

    /// The card of a detector with the head of `level`.
    pub fn at_level(
        level: Level,
        settings: DetectSettings,
        backbone: ResnetSettings,
        test_seed: u64,
    ) -> Self {
        Self {
            format: FORMAT_VERSION,
            model: DETECTOR_MODEL.to_string(),
            level,
            settings,
            backbone,
            base: DETECTOR_BASE.to_string(),
            image: [CANVAS, CANVAS],
            steps: 0,
            evaluation: None,
            map: None,
            test_seed,
            training_seconds: None,
            provenance: None,
            parameters: Vec::new(),
            weights_sha256: String::new(),
            created_by: concat!("Kindling ", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }

    /// What is wrong with a card read from a file, in words; None when its network can be built.
    pub fn problem(&self) -> Option<String> {
        if self.image != [CANVAS, CANVAS] {
            return Some(format!(
                "it reads {} × {} canvases, not {CANVAS} × {CANVAS}",
                self.image[0], self.image[1]
            ));
        }
        let mut problems: Vec<String> = self
            .settings
            .validate()
            .iter()
            .map(ToString::to_string)
            .collect();
        problems.extend(self.backbone.validate().iter().map(ToString::to_string));
        if self.backbone.classes != 10 {
            problems.push(format!(
                "its backbone has {} outputs, not the ten digits",
                self.backbone.classes
            ));
        }
        (!problems.is_empty()).then(|| problems.join("; "))
    }
}

/// The name a refusal gives a detector of `level` (a file of the other head is refused with
/// [`crate::common::model_card::ModelFileError::WrongModel`] by a loader for one head).
pub fn head_model_name(level: Level) -> &'static str {
    match level {
        Level::One => "single-digit detector",
        Level::Many => "multi-digit detector",
    }
}
