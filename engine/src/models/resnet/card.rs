//! What a saved residual network says about itself. Plain data (no burn): the page shows it.

use serde::{Deserialize, Serialize};

use super::config::ResnetSettings;
use crate::common::model_card::{FORMAT_VERSION, ParamEntry, Provenance};

/// The `model` a residual network's card names.
pub const MODEL_KIND: &str = "resnet";

/// The JSON card a saved residual network carries in its safetensors metadata (the fields it
/// shares with the CNN's `ModelCard` mean the same).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ResnetCard {
    /// [`FORMAT_VERSION`] when written.
    pub format: u32,
    /// Always "resnet".
    pub model: String,
    pub settings: ResnetSettings,
    /// The digits the head's outputs stand for, in order (`[0, 1, 2, 3, 4]` for a network
    /// trained on digits 0–4 only).
    pub classes: Vec<u8>,
    /// [rows, cols] of the images the model reads.
    pub image: [usize; 2],
    /// Where the training images came from, with their licence.
    pub data: String,
    /// Training steps divided by steps per epoch.
    pub epochs_trained: f64,
    pub steps: u64,
    /// Accuracy on the test images of these classes when it was last measured.
    pub test_accuracy: Option<f32>,
    pub seed: u64,
    /// Every float tensor of the network (batch norms' running statistics included), in burn's
    /// module visiting order; filled in when saving.
    pub parameters: Vec<ParamEntry>,
    /// SHA-256 (hex) of the file's tensor data; filled in when saving.
    pub weights_sha256: String,
    pub created_by: String,
    /// How a shipped model was made; None otherwise.
    #[serde(default)]
    pub provenance: Option<Provenance>,
}

impl ResnetCard {
    /// A card for a network of `settings` whose outputs stand for the digits `classes`, on
    /// 28 × 28 images, not yet trained; set the other fields as training goes.
    pub fn new(settings: ResnetSettings, classes: Vec<u8>) -> Self {
        Self {
            format: FORMAT_VERSION,
            model: MODEL_KIND.to_string(),
            settings,
            classes,
            image: [28, 28],
            data: String::new(),
            epochs_trained: 0.0,
            steps: 0,
            test_accuracy: None,
            seed: 0,
            parameters: Vec::new(),
            weights_sha256: String::new(),
            created_by: concat!("Kindling ", env!("CARGO_PKG_VERSION")).to_string(),
            provenance: None,
        }
    }
}
