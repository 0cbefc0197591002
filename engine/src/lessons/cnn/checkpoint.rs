//! Saving and loading a trained CNN as one safetensors file.
//!
//! Every float parameter of the model is an F32 tensor named by its module path
//! (`blocks.0.conv.weight`, `output.bias`, …). The safetensors header's string metadata has one
//! entry, [`CARD_KEY`], whose value is the JSON [`ModelCard`]: the settings the network is built
//! from, the parameters in burn's visiting order, and the SHA-256 of the tensor data (everything
//! after the header), so other tools read the weights as usual and Kindling can tell a damaged
//! file from a good one.

use std::cmp::Ordering;

use safetensors::tensor::Metadata;
use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use serde::Deserialize;

pub use super::card::{CheckpointError, ModelCard, ParamEntry};
use super::config::CnnSettings;
use crate::datasets::mnist::sha256_hex;

/// The format version a card records.
pub const FORMAT_VERSION: u32 = 2;
/// The metadata key that holds the card.
pub const CARD_KEY: &str = "kindling.model_card";
/// The `model` a card must name.
pub const MODEL_KIND: &str = "cnn";
/// How the `.kcnn` files of format 1 began.
pub const OLD_MAGIC: &[u8] = b"KINDLING-CNN\n";
/// The header length safetensors itself refuses to read past.
const MAX_HEADER: u64 = 100_000_000;

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
}

/// A model file for `record`, the `parameters` (visiting order) and their `weights` (all
/// parameters flattened one after another). Empty if the weights do not fit the parameters.
pub fn encode(record: TrainingRecord, parameters: Vec<ParamEntry>, weights: &[f32]) -> Vec<u8> {
    let bytes: Vec<u8> = weights.iter().flat_map(|w| w.to_le_bytes()).collect();
    // The tensor data does not depend on the metadata: a first pass without it gives the bytes
    // the checksum covers, in the order safetensors lays them out.
    let Some(unsigned) = serialize(&parameters, &bytes, None) else {
        return Vec::new();
    };
    let Some((_, data)) = split(&unsigned) else {
        return Vec::new();
    };
    let card = ModelCard {
        format: FORMAT_VERSION,
        model: MODEL_KIND.to_string(),
        seed: record.settings.seed,
        settings: record.settings,
        image: record.image,
        data: record.data,
        epochs_trained: record.steps as f64 / record.steps_per_epoch.max(1) as f64,
        steps: record.steps,
        test_accuracy: record.test_accuracy.filter(|a| a.is_finite()),
        weights_sha256: sha256_hex(data),
        parameters,
        created_by: concat!("Kindling ", env!("CARGO_PKG_VERSION")).to_string(),
    };
    // Serialising plain data with finite numbers cannot fail.
    let json = serde_json::to_string(&card).unwrap_or_default();
    serialize(&card.parameters, &bytes, Some(json)).unwrap_or_default()
}

/// The safetensors file for these parameters and their little-endian bytes, with the card as
/// metadata when given.
fn serialize(parameters: &[ParamEntry], bytes: &[u8], card: Option<String>) -> Option<Vec<u8>> {
    let mut rest = bytes;
    let mut tensors = Vec::with_capacity(parameters.len());
    for parameter in parameters {
        let length = parameter.shape.iter().product::<usize>().checked_mul(4)?;
        let (head, tail) = rest.split_at_checked(length)?;
        tensors.push((
            parameter.name.as_str(),
            TensorView::new(Dtype::F32, parameter.shape.clone(), head).ok()?,
        ));
        rest = tail;
    }
    // One entry only: safetensors writes its metadata map in hash order, and saving the same
    // model twice must give the same file.
    let metadata = card.map(|card| [(CARD_KEY.to_string(), card)].into_iter().collect());
    safetensors::serialize(tensors, metadata).ok()
}

/// A safetensors file's header (JSON) and tensor data, when its header is complete.
fn split(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let length = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let end = usize::try_from(length).ok()?.checked_add(8)?;
    Some((bytes.get(8..end)?, bytes.get(end..)?))
}

/// Reads a model file and checks everything that can be checked without building the network:
/// that it is a safetensors file with a Kindling card, the card, the lengths, the checksum, that
/// the tensors are the card's and that every weight is finite. Returns the card and the weights
/// (all parameters flattened one after another, in the card's order).
pub fn decode(bytes: &[u8]) -> Result<(ModelCard, Vec<f32>), CheckpointError> {
    use CheckpointError::{NotAModel, Truncated};
    if bytes.starts_with(OLD_MAGIC) {
        return Err(CheckpointError::OldFormat);
    }
    let Some(length) = bytes.get(..8) else {
        // Too short to tell a cut-short model from anything else.
        return Err(NotAModel);
    };
    let length = u64::from_le_bytes(length.try_into().map_err(|_| NotAModel)?);
    if length > MAX_HEADER {
        return Err(NotAModel);
    }
    let Some((header, data)) = split(bytes) else {
        // The header is cut: a model if what there is of it begins as Kindling writes it
        // (safetensors writes the metadata first).
        let start = format!(r#"{{"__metadata__":{{"{CARD_KEY}":"#);
        let (start, seen) = (start.as_bytes(), &bytes[8..]);
        let ours = start.starts_with(seen) || seen.starts_with(start);
        return Err(if ours && length >= start.len() as u64 {
            Truncated
        } else {
            NotAModel
        });
    };
    let metadata: Metadata = serde_json::from_slice(header).map_err(|_| NotAModel)?;
    let card = metadata
        .metadata()
        .as_ref()
        .and_then(|m| m.get(CARD_KEY))
        .ok_or(NotAModel)?;
    let card = read_card_json(card)?;

    match data.len().cmp(&metadata.data_len()) {
        Ordering::Less => return Err(Truncated),
        Ordering::Greater => {
            let extra = data.len() - metadata.data_len();
            let message = format!("the file has {extra} bytes more than its tensors take");
            return Err(CheckpointError::ShapeMismatch { message });
        }
        Ordering::Equal => {}
    }
    if !sha256_hex(data).eq_ignore_ascii_case(&card.weights_sha256) {
        return Err(CheckpointError::ChecksumMismatch);
    }
    let tensors = SafeTensors::deserialize(bytes).map_err(|_| NotAModel)?;
    let weights = card_weights(&card, &tensors)?;
    if weights.iter().any(|w| !w.is_finite()) {
        return Err(CheckpointError::NotFinite);
    }
    Ok((card, weights))
}

/// The card of a model file, after the same checks as [`decode`].
pub fn read_card(bytes: &[u8]) -> Result<ModelCard, CheckpointError> {
    decode(bytes).map(|(card, _)| card)
}

fn bad_card(message: String) -> CheckpointError {
    CheckpointError::BadCard { message }
}

/// The card from its JSON, if this version of Kindling reads its format.
fn read_card_json(json: &str) -> Result<ModelCard, CheckpointError> {
    #[derive(Deserialize)]
    struct Format {
        format: u32,
    }
    let Format { format } = serde_json::from_str(json).map_err(|e| bad_card(e.to_string()))?;
    if format != FORMAT_VERSION {
        return Err(CheckpointError::UnsupportedVersion { version: format });
    }
    let card: ModelCard = serde_json::from_str(json).map_err(|e| bad_card(e.to_string()))?;
    if card.model != MODEL_KIND {
        return Err(bad_card(format!(
            "it describes a \"{}\" model, not a CNN",
            card.model
        )));
    }
    Ok(card)
}

/// The weights of the card's parameters, one after another, after checking that the file holds
/// exactly those tensors, as F32 of the card's shapes.
fn card_weights(card: &ModelCard, tensors: &SafeTensors) -> Result<Vec<f32>, CheckpointError> {
    let mismatch = |message: String| CheckpointError::ShapeMismatch { message };
    if tensors.len() != card.parameters.len() {
        let (file, listed) = (tensors.len(), card.parameters.len());
        return Err(mismatch(format!(
            "the file has {file} tensors but its card lists {listed}"
        )));
    }
    let mut weights = Vec::new();
    for ParamEntry { name, shape } in &card.parameters {
        let tensor = tensors
            .tensor(name)
            .map_err(|_| mismatch(format!("the file has no tensor \"{name}\"")))?;
        if tensor.dtype() != Dtype::F32 {
            return Err(mismatch(format!(
                "\"{name}\" is stored as {}, not F32",
                tensor.dtype()
            )));
        }
        if tensor.shape() != shape.as_slice() {
            let found = tensor.shape();
            return Err(mismatch(format!(
                "\"{name}\" has shape {found:?} but the card says {shape:?}"
            )));
        }
        weights.extend(
            tensor
                .data()
                .chunks_exact(4)
                .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
        );
    }
    Ok(weights)
}

pub use weights::{load_weights, save};

/// Moving weights between a burn model and a file.
mod weights {
    use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
    use burn::tensor::{Tensor, TensorData};

    use super::{CheckpointError, ModelCard, ParamEntry, TrainingRecord, encode};
    use crate::lessons::cnn::model::Cnn;

    /// Each float parameter's module path and shape, without initialising lazy parameters.
    #[derive(Default)]
    struct Parameters {
        path: Vec<String>,
        found: Vec<ParamEntry>,
    }

    impl ModuleVisitor for Parameters {
        fn enter_module(&mut self, name: &str, _container_type: &str) {
            self.path.push(name.to_string());
        }

        fn exit_module(&mut self, _name: &str, _container_type: &str) {
            self.path.pop();
        }

        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.found.push(ParamEntry {
                name: self.path.join("."),
                shape: param.lazy_shape().to_vec(),
            });
        }
    }

    fn parameters(model: &Cnn) -> Vec<ParamEntry> {
        let mut parameters = Parameters::default();
        model.visit(&mut parameters);
        parameters.found
    }

    /// Each float parameter's value, flattened.
    struct Values(Vec<Tensor<1>>);

    impl ModuleVisitor for Values {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            // [d0, …, d(D−1)] → [d0·…·d(D−1)].
            self.0.push(param.val().flatten(0, D - 1));
        }
    }

    /// Replaces each float parameter, in visiting order, with the next list of values (already
    /// checked to have the parameter's element count).
    struct Replace(std::vec::IntoIter<Vec<f32>>);

    impl ModuleMapper for Replace {
        fn map_float<const D: usize>(&mut self, param: Param<Tensor<D>>) -> Param<Tensor<D>> {
            let Some(values) = self.0.next() else {
                return param;
            };
            // [d0·…·d(D−1)] values → the parameter's [d0, …, d(D−1)].
            let tensor = Tensor::<D>::from_data(
                TensorData::new(values, param.lazy_shape()),
                &param.lazy_device(),
            );
            let id = param.id;
            // Keeps the id, the device and whether the parameter requires a gradient.
            param.transform_for_load(tensor, id)
        }
    }

    /// The model file for `model` (see the module documentation). Empty when the device could
    /// not be read.
    pub async fn save(model: &Cnn, record: TrainingRecord) -> Vec<u8> {
        let model = model.valid();
        let mut values = Values(Vec::new());
        model.visit(&mut values);
        let mut weights = Vec::new();
        for tensor in values.0 {
            // Read asynchronously: a synchronous read of a WebGPU tensor is not possible in the browser.
            match tensor
                .into_data_async()
                .await
                .map(|data| data.convert::<f32>().try_into_vec::<f32>())
            {
                Ok(Ok(v)) => weights.extend(v),
                _ => return Vec::new(),
            }
        }
        encode(record, parameters(&model), &weights)
    }

    /// `model` with its float parameters replaced by `weights` (as read by
    /// [`decode`](super::decode) with `card`), after checking that the card's parameters are the
    /// model's.
    pub fn load_weights(
        model: Cnn,
        card: &ModelCard,
        weights: Vec<f32>,
    ) -> Result<Cnn, CheckpointError> {
        let expected = parameters(&model);
        let found = &card.parameters;
        if let Some(index) =
            (0..expected.len().max(found.len())).find(|&i| expected.get(i) != found.get(i))
        {
            let describe = |p: Option<&ParamEntry>| {
                p.map_or("nothing".to_string(), |p| {
                    format!("{} {:?}", p.name, p.shape)
                })
            };
            let message = format!(
                "parameter {} should be {} but the file has {}",
                index + 1,
                describe(expected.get(index)),
                describe(found.get(index))
            );
            return Err(CheckpointError::ShapeMismatch { message });
        }
        let mut rest = weights.as_slice();
        let mut lists = Vec::with_capacity(expected.len());
        for parameter in &expected {
            let n: usize = parameter.shape.iter().product();
            let (head, tail) = rest.split_at_checked(n).ok_or(CheckpointError::Truncated)?;
            lists.push(head.to_vec());
            rest = tail;
        }
        Ok(model.map(&mut Replace(lists.into_iter())))
    }
}
