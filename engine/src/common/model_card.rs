//! What every saved model's card shares, whatever the network: its parameter list, how it was
//! made (provenance), and why a file is not a model that can be loaded. Plain data (no burn):
//! the page shows cards and words the errors.

use std::fmt;

use serde::{Deserialize, Serialize};

/// The version of the model file layout that cards record.
pub const FORMAT_VERSION: u32 = 2;

/// One float tensor of a saved network.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ParamEntry {
    /// The parameter's module path, which is also its tensor's name in the file
    /// (`blocks.0.conv.weight`).
    pub name: String,
    pub shape: Vec<usize>,
}

/// How a shipped model was made, so that anyone can make it again and check it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Provenance {
    /// The shipped model's name ("mnist-classifier").
    pub name: String,
    /// The training data and its licence ("MNIST training set, 60 000 images (CC BY-SA 3.0)").
    pub data: String,
    /// SHA-256 of the training data: the hex of the train images file's SHA-256 (as
    /// `static/mnist/manifest.json` lists it), then the labels file's.
    pub data_sha256: String,
    /// "train 60 000 / test 10 000".
    pub split: String,
    /// "Adam, learning rate 0.001, batch 32".
    pub optimizer: String,
    /// The exact command that reproduces the file.
    pub command: String,
    pub licence: String,
    /// The first training-batch losses, which a retraining must reproduce.
    pub first_losses: Vec<f32>,
    /// The absolute loss difference allowed across machines (CPU kernels differ by instruction
    /// set); on the same machine the losses must be equal.
    pub tolerance: f32,
}

/// Why bytes are not a model of the kind asked for.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum ModelFileError {
    /// Not a safetensors file with a Kindling model card.
    NotAModel,
    /// The card names a format version this version of Kindling does not know.
    UnsupportedVersion { version: u32 },
    /// The file ends before its header or its tensor data do.
    Truncated,
    /// The card is not valid JSON or misses fields.
    BadCard { message: String },
    /// A Kindling model of another kind (a CNN where a residual network was asked for).
    WrongModel { expected: String, found: String },
    /// The card's settings do not describe a network that can be built.
    BadSettings { message: String },
    /// The tensors do not fit the architecture the card describes.
    ShapeMismatch { message: String },
    /// The weights were altered or damaged.
    ChecksumMismatch,
    /// A weight is NaN or infinite (or, when writing f16, too large for f16).
    NotFinite,
    /// Saving: the weights could not be read back from the device.
    Unreadable,
}

impl fmt::Display for ModelFileError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAModel => write!(f, "this file is not a Kindling model"),
            Self::UnsupportedVersion { version } => write!(
                f,
                "this model file uses format version {version}, which this version of Kindling cannot read"
            ),
            Self::Truncated => write!(f, "the model file is cut short: part of it is missing"),
            Self::BadCard { message } => {
                write!(f, "the model's description cannot be read: {message}")
            }
            Self::WrongModel { expected, found } => write!(
                f,
                "this file holds a \"{found}\" model, not a \"{expected}\" model"
            ),
            Self::BadSettings { message } => write!(
                f,
                "the model's settings do not describe a network that can be built: {message}"
            ),
            Self::ShapeMismatch { message } => {
                write!(f, "the weights do not fit the network: {message}")
            }
            Self::ChecksumMismatch => write!(
                f,
                "the model's weights do not match their checksum: the file was damaged or altered"
            ),
            Self::NotFinite => write!(
                f,
                "a weight is not a number (NaN or infinite), so the model cannot be used"
            ),
            Self::Unreadable => write!(f, "the weights could not be read from the device"),
        }
    }
}

impl std::error::Error for ModelFileError {}
