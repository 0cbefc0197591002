//! Saving and loading a trained CNN as one safetensors file, in the layout every Kindling model
//! file has ([`crate::common::model_file`]).
//!
//! Every float parameter of the model is a tensor named by its module path
//! (`blocks.0.conv.weight`, `output.bias`, …). The safetensors header's string metadata has one
//! entry, [`CARD_KEY`], whose value is the JSON [`ModelCard`]: the settings the network is built
//! from, the parameters in burn's visiting order, and the SHA-256 of the tensor data (everything
//! after the header), so other tools read the weights as usual and Kindling can tell a damaged
//! file from a good one.

pub use super::card::{CheckpointError, ModelCard, ParamEntry, Provenance};
use super::config::CnnSettings;
use super::model::Cnn;
use crate::common::model_file::{self, impl_card};
pub use crate::common::model_file::{CARD_KEY, FORMAT_VERSION, Precision};

/// The `model` a card must name.
pub const MODEL_KIND: &str = "cnn";
/// How the `.kcnn` files of format 1 began.
pub const OLD_MAGIC: &[u8] = b"KINDLING-CNN\n";

impl_card!(ModelCard, MODEL_KIND);

/// What a card records about training; the rest of the card is filled in when saving.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainingRecord {
    pub settings: CnnSettings,
    /// [rows, cols] of the images.
    pub image: [usize; 2],
    pub data: String,
    pub steps: u64,
    pub steps_per_epoch: u64,
    pub test_accuracy: Option<f32>,
    /// How a shipped model was made; None for a model a learner trained.
    pub provenance: Option<Provenance>,
}

impl TrainingRecord {
    /// The card for this record, without parameters or checksum yet.
    fn card(self, parameters: Vec<ParamEntry>) -> ModelCard {
        ModelCard {
            format: FORMAT_VERSION,
            model: MODEL_KIND.to_string(),
            seed: self.settings.seed,
            settings: self.settings,
            image: self.image,
            data: self.data,
            epochs_trained: self.steps as f64 / self.steps_per_epoch.max(1) as f64,
            steps: self.steps,
            test_accuracy: self.test_accuracy.filter(|a| a.is_finite()),
            weights_sha256: String::new(),
            parameters,
            created_by: concat!("Kindling ", env!("CARGO_PKG_VERSION")).to_string(),
            provenance: self.provenance.map(Box::new),
        }
    }
}

/// A model file for `record`, the `parameters` (visiting order) and their `weights` (all
/// parameters flattened one after another), stored as F32. Empty if the weights do not fit the
/// parameters.
pub fn encode(record: TrainingRecord, parameters: Vec<ParamEntry>, weights: &[f32]) -> Vec<u8> {
    model_file::encode(record.card(parameters), weights, Precision::F32).unwrap_or_default()
}

/// Reads a model file and checks everything that can be checked without building the network:
/// that it is a safetensors file with a Kindling CNN card, the card, the lengths, the checksum,
/// that the tensors are the card's (F32 or F16) and that every weight is finite. Returns the card
/// and the weights (all parameters flattened one after another, in the card's order).
pub fn decode(bytes: &[u8]) -> Result<(ModelCard, Vec<f32>), CheckpointError> {
    if bytes.starts_with(OLD_MAGIC) {
        return Err(CheckpointError::OldFormat);
    }
    Ok(model_file::decode(bytes)?)
}

/// The card of a model file, after the same checks as [`decode`].
pub fn read_card(bytes: &[u8]) -> Result<ModelCard, CheckpointError> {
    decode(bytes).map(|(card, _)| card)
}

/// The model file for `model` (see the module documentation), stored as F32. Empty when the
/// device could not be read.
pub async fn save(model: &Cnn, record: TrainingRecord) -> Vec<u8> {
    save_as(model, record, Precision::F32)
        .await
        .unwrap_or_default()
}

/// As [`save`], in the given precision; fails when the device could not be read or, in F16, a
/// weight does not fit f16.
pub async fn save_as(
    model: &Cnn,
    record: TrainingRecord,
    precision: Precision,
) -> Result<Vec<u8>, CheckpointError> {
    Ok(model_file::save(model, record.card(Vec::new()), precision).await?)
}

/// `model` with its float parameters replaced by `weights` (as read by [`decode`] with `card`),
/// after checking that the card's parameters are the model's.
pub fn load_weights(
    model: Cnn,
    card: &ModelCard,
    weights: Vec<f32>,
) -> Result<Cnn, CheckpointError> {
    Ok(model_file::load_weights(model, &card.parameters, weights)?)
}
