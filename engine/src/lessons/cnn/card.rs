//! What a saved model says about itself, and why a file is not a usable model. Plain data (no
//! burn): the page shows the card and words the errors.

use serde::{Deserialize, Serialize};

use super::config::{CnnProblem, CnnSettings};

/// The JSON card at the start of a saved model.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ModelCard {
    pub format: u32,
    /// Always "cnn".
    pub model: String,
    pub settings: CnnSettings,
    /// [rows, cols] of the images the model reads.
    pub image: [usize; 2],
    /// Where the training images came from, with their licence.
    pub data: String,
    /// Training steps divided by steps per epoch.
    pub epochs_trained: f64,
    pub steps: u64,
    /// Accuracy on the whole test set when it was last measured.
    pub test_accuracy: Option<f32>,
    pub seed: u64,
    /// Every float parameter's shape, in the order the weights follow.
    pub parameters: Vec<ParamEntry>,
    pub weights_sha256: String,
    pub created_by: String,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ParamEntry {
    pub shape: Vec<usize>,
}

/// Why bytes are not a model this page can load.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CheckpointError {
    /// The file does not start with Kindling's model header.
    NotAModel,
    UnsupportedVersion { version: u32 },
    /// The file ends before its card or its weights do.
    Truncated,
    /// The card is not valid JSON or misses fields.
    BadCard { message: String },
    BadSettings { problems: Vec<CnnProblem> },
    /// The weights do not fit the architecture the card describes.
    ShapeMismatch { message: String },
    /// The weights were altered or damaged.
    ChecksumMismatch,
    /// A weight is NaN or infinite.
    NotFinite,
    /// The model reads images of another size than MNIST's 28 × 28.
    WrongImageSize { rows: usize, cols: usize },
}
