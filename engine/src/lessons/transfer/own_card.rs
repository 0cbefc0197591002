//! The card of a network fine-tuned on the learner's own classes, and the settings of its
//! training. Plain data (no burn): the page shows both.

use serde::{Deserialize, Serialize};

use super::own::{MAX_CLASSES, MIN_CLASSES};
use crate::common::model_card::{FORMAT_VERSION, ParamEntry};
use crate::models::resnet::ResnetSettings;

/// The `model` such a card names.
pub const OWN_MODEL: &str = "resnet-own-classes";
/// The shipped backbone own classes are fine-tuned from.
pub const OWN_BASE: &str = "mnist04-resnet";

/// How the learner's classes are trained: the new head alone for the first share of the first
/// session's steps, then the last block with it (the last-block arm of the comparison).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct OwnSettings {
    /// Steps a press of "train" runs.
    pub steps: u32,
    pub learning_rate: f64,
    /// Share of the first session's steps on the head alone, in [0, 1].
    pub head_first: f64,
    pub seed: u64,
}

impl Default for OwnSettings {
    fn default() -> Self {
        Self {
            steps: 60,
            learning_rate: 0.003,
            head_first: 0.5,
            seed: 1,
        }
    }
}

pub const MAX_OWN_STEPS: u32 = 2_000;

impl OwnSettings {
    pub fn is_valid(&self) -> bool {
        (1..=MAX_OWN_STEPS).contains(&self.steps)
            && self.learning_rate > 0.0
            && self.learning_rate <= 1.0
            && (0.0..=1.0).contains(&self.head_first)
    }
}

/// What a fine-tuned network of own classes says about itself, in its model file.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct OwnCard {
    /// [`FORMAT_VERSION`] when written.
    pub format: u32,
    /// Always [`OWN_MODEL`].
    pub model: String,
    pub settings: ResnetSettings,
    /// The head's outputs, in order.
    pub class_names: Vec<String>,
    /// [rows, cols] of the images the model reads.
    pub image: [usize; 2],
    /// The network it was fine-tuned from.
    pub base: String,
    /// Examples per class it was last trained on.
    pub examples: Vec<usize>,
    pub steps: u64,
    /// Accuracy on its own examples when saved.
    pub train_accuracy: Option<f32>,
    pub seed: u64,
    /// Filled in when saving.
    pub parameters: Vec<ParamEntry>,
    /// Filled in when saving.
    pub weights_sha256: String,
    pub created_by: String,
}

impl OwnCard {
    pub fn new(settings: ResnetSettings, class_names: Vec<String>) -> Self {
        Self {
            format: FORMAT_VERSION,
            model: OWN_MODEL.to_string(),
            settings,
            class_names,
            image: [28, 28],
            base: OWN_BASE.to_string(),
            examples: Vec::new(),
            steps: 0,
            train_accuracy: None,
            seed: 0,
            parameters: Vec::new(),
            weights_sha256: String::new(),
            created_by: concat!("Kindling ", env!("CARGO_PKG_VERSION")).to_string(),
        }
    }

    /// What is wrong with a card read from a file, in words; None when it can be used.
    pub fn problem(&self) -> Option<String> {
        let count = self.class_names.len();
        if !(MIN_CLASSES..=MAX_CLASSES).contains(&count) {
            return Some(format!(
                "it names {count} classes, not {MIN_CLASSES} to {MAX_CLASSES}"
            ));
        }
        if count != self.settings.classes {
            return Some(format!(
                "it names {count} classes for a head of {} outputs",
                self.settings.classes
            ));
        }
        if self.image != [28, 28] {
            return Some(format!("it reads {:?} images, not 28 × 28", self.image));
        }
        None
    }
}
