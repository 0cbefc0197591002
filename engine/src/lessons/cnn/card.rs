//! What a saved model says about itself, and why a file is not a usable model. Plain data (no
//! burn): the page shows the card and words the errors.

use std::fmt;

use serde::{Deserialize, Serialize};

use super::config::{CnnProblem, CnnSettings};
pub use crate::common::model_card::{ModelFileError, ParamEntry, Provenance};

/// The JSON card a saved model carries in its safetensors metadata.
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
    /// Every float parameter of the network, in burn's module visiting order.
    pub parameters: Vec<ParamEntry>,
    /// SHA-256 (hex) of the file's tensor data: everything after the safetensors header.
    pub weights_sha256: String,
    pub created_by: String,
    /// How a shipped model was made; None for a model a learner trained. Boxed: it is large, and
    /// cards travel inside the worker's messages.
    #[serde(default)]
    pub provenance: Option<Box<Provenance>>,
}

/// Why bytes are not a model this page can load.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointError {
    /// Not a safetensors file with a Kindling model card.
    NotAModel,
    /// A model saved in the `.kcnn` format that earlier versions of Kindling wrote.
    OldFormat,
    /// The card names a format version this version of Kindling does not know.
    UnsupportedVersion {
        version: u32,
    },
    /// The file ends before its header or its tensor data do.
    Truncated,
    /// The card is not valid JSON or misses fields.
    BadCard {
        message: String,
    },
    BadSettings {
        problems: Vec<CnnProblem>,
    },
    /// The tensors do not fit the architecture the card describes.
    ShapeMismatch {
        message: String,
    },
    /// The weights were altered or damaged.
    ChecksumMismatch,
    /// A weight is NaN or infinite.
    NotFinite,
    /// The model reads images of another size than MNIST's 28 × 28.
    WrongImageSize {
        rows: usize,
        cols: usize,
    },
    /// A Kindling model of another kind (`found`: a residual network is "resnet").
    WrongModel {
        found: String,
    },
}

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAModel => write!(f, "this file is not a Kindling CNN model"),
            Self::OldFormat => write!(
                f,
                "this model was saved in Kindling's old .kcnn format, which is no longer read: train it again and save it"
            ),
            Self::UnsupportedVersion { version } => write!(
                f,
                "this model file uses format version {version}, which this version of Kindling cannot read"
            ),
            Self::Truncated => write!(f, "the model file is cut short: part of it is missing"),
            Self::BadCard { message } => {
                write!(f, "the model's description cannot be read: {message}")
            }
            Self::BadSettings { problems } => write!(
                f,
                "the model's settings do not describe a network that can be built ({} problem{})",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            ),
            Self::ShapeMismatch { message } => {
                write!(f, "the weights do not fit the network: {message}")
            }
            Self::ChecksumMismatch => {
                write!(
                    f,
                    "the model's weights do not match their checksum: the file was damaged or altered"
                )
            }
            Self::NotFinite => write!(
                f,
                "a weight is not a number (NaN or infinite), so the model cannot be used"
            ),
            Self::WrongImageSize { rows, cols } => {
                write!(
                    f,
                    "the model reads {rows} × {cols} images, but the images here have another size"
                )
            }
            Self::WrongModel { found } => {
                write!(f, "this file holds a \"{found}\" model, not a CNN")
            }
        }
    }
}

impl std::error::Error for CheckpointError {}

impl From<ModelFileError> for CheckpointError {
    fn from(error: ModelFileError) -> Self {
        match error {
            ModelFileError::NotAModel => Self::NotAModel,
            ModelFileError::UnsupportedVersion { version } => Self::UnsupportedVersion { version },
            ModelFileError::Truncated => Self::Truncated,
            ModelFileError::BadCard { message } => Self::BadCard { message },
            ModelFileError::WrongModel { found, .. } => Self::WrongModel { found },
            ModelFileError::BadSettings { message } | ModelFileError::ShapeMismatch { message } => {
                Self::ShapeMismatch { message }
            }
            ModelFileError::ChecksumMismatch => Self::ChecksumMismatch,
            ModelFileError::NotFinite => Self::NotFinite,
            // A model that could not be read from the device gives no file at all.
            ModelFileError::Unreadable => Self::NotAModel,
        }
    }
}
