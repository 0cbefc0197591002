//! Saving any burn network as one safetensors file, and loading it back.
//!
//! Every float tensor the module visits is stored under its module path (`stem.conv.weight`,
//! `head.bias`, …), as F32 or F16. That includes batch norm's running mean and variance, which
//! burn visits as floats though they are not trained. The safetensors header's string metadata has
//! one entry, [`CARD_KEY`], whose value is the model's JSON card (a [`Card`]): what the network
//! is, its parameters in burn's visiting order, and the SHA-256 of the tensor data (everything
//! after the header), so other tools read the weights as usual and Kindling can tell a damaged
//! file from a good one.
//!
//! Values are only read from the device asynchronously: this runs in the browser on WebGPU too.

use std::cmp::Ordering;

use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
use burn::tensor::{Tensor, TensorData};
use safetensors::tensor::Metadata;
use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use serde::Serialize;
use serde::de::DeserializeOwned;

pub use super::model_card::{FORMAT_VERSION, ModelFileError, ParamEntry, Provenance};
use crate::datasets::mnist::sha256_hex;

/// The metadata key that holds the card.
pub const CARD_KEY: &str = "kindling.model_card";
/// The header length safetensors itself refuses to read past.
const MAX_HEADER: u64 = 100_000_000;

/// How the tensors are stored. Files are always read back as f32.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Precision {
    F32,
    /// Half the size; about three significant decimal digits.
    F16,
}

/// A model's card: JSON in the file's metadata, with at least a `format`, a `model` kind, the
/// parameter list and the checksum of the tensor data.
pub trait Card: Serialize + DeserializeOwned {
    /// The `model` the card names ("cnn", "resnet").
    const MODEL: &'static str;
    /// Every float tensor of the network, in burn's visiting order.
    fn parameters(&self) -> &[ParamEntry];
    fn set_parameters(&mut self, parameters: Vec<ParamEntry>);
    /// SHA-256 (hex) of the file's tensor data.
    fn weights_sha256(&self) -> &str;
    fn set_weights_sha256(&mut self, sha256: String);
}

/// `impl Card for $card` for a card struct with `parameters: Vec<ParamEntry>` and
/// `weights_sha256: String` fields, naming the model `$model`.
macro_rules! impl_card {
    ($card:ty, $model:expr) => {
        impl $crate::common::model_file::Card for $card {
            const MODEL: &'static str = $model;

            fn parameters(&self) -> &[$crate::common::model_card::ParamEntry] {
                &self.parameters
            }

            fn set_parameters(&mut self, parameters: Vec<$crate::common::model_card::ParamEntry>) {
                self.parameters = parameters;
            }

            fn weights_sha256(&self) -> &str {
                &self.weights_sha256
            }

            fn set_weights_sha256(&mut self, sha256: String) {
                self.weights_sha256 = sha256;
            }
        }
    };
}
pub(crate) use impl_card;

/// Each float tensor's module path and shape, in visiting order, without initialising lazy
/// parameters.
pub fn parameters<M: Module>(model: &M) -> Vec<ParamEntry> {
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

    let mut parameters = Parameters::default();
    model.visit(&mut parameters);
    parameters.found
}

/// Every float tensor's values, in visiting order, flattened one after another. None when the
/// device could not be read.
pub async fn read_weights<M: Module>(model: &M) -> Option<Vec<f32>> {
    struct Values(Vec<Tensor<1>>);

    impl ModuleVisitor for Values {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            // [d0, …, d(D−1)] → [d0·…·d(D−1)].
            self.0.push(param.val().flatten(0, D - 1));
        }
    }

    // `valid` folds in the running statistics' last updates, which visiting alone can miss.
    let mut values = Values(Vec::new());
    model.valid().visit(&mut values);
    let mut weights = Vec::new();
    for tensor in values.0 {
        let data = tensor.into_data_async().await.ok()?;
        weights.extend(data.convert::<f32>().try_into_vec::<f32>().ok()?);
    }
    Some(weights)
}

/// `model` with its weight number i (in visiting order, over all its float tensors) `value(i)`:
/// for tests that need weights no random draw can move, or weights that are not numbers.
#[cfg(test)]
pub(crate) fn with_weights<M: Module>(model: M, value: impl Fn(usize) -> f32) -> M {
    let listed = parameters(&model);
    let count = listed
        .iter()
        .map(|p| p.shape.iter().product::<usize>())
        .sum();
    load_weights(model, &listed, (0..count).map(value).collect()).unwrap()
}

/// `model` with every float tensor replaced, in visiting order, by `weights` (as [`decode`]
/// returns them), after checking that `listed` (a card's parameters) are the model's.
pub fn load_weights<M: Module>(
    model: M,
    listed: &[ParamEntry],
    weights: Vec<f32>,
) -> Result<M, ModelFileError> {
    /// Replaces each float tensor with the next list of values (already checked to have its
    /// element count).
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

    let expected = parameters(&model);
    if let Some(index) =
        (0..expected.len().max(listed.len())).find(|&i| expected.get(i) != listed.get(i))
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
            describe(listed.get(index))
        );
        return Err(ModelFileError::ShapeMismatch { message });
    }
    let mut rest = weights.as_slice();
    let mut lists = Vec::with_capacity(expected.len());
    for parameter in &expected {
        let n: usize = parameter.shape.iter().product();
        let (head, tail) = rest.split_at_checked(n).ok_or(ModelFileError::Truncated)?;
        lists.push(head.to_vec());
        rest = tail;
    }
    Ok(model.map(&mut Replace(lists.into_iter())))
}

/// The model file for `model` with `card`, whose parameter list and checksum are filled in here.
/// Fails with [`ModelFileError::Unreadable`] when the device could not be read.
pub async fn save<M: Module, C: Card>(
    model: &M,
    mut card: C,
    precision: Precision,
) -> Result<Vec<u8>, ModelFileError> {
    let weights = read_weights(model)
        .await
        .ok_or(ModelFileError::Unreadable)?;
    card.set_parameters(parameters(model));
    encode(card, &weights, precision)
}

/// A model file for `card` (its parameter list gives the tensors' names and shapes; its checksum
/// is filled in here) and the `weights` of those parameters, one after another. Fails when the
/// weights do not fit the parameters, or when a weight is not finite (in f16: as an f16).
pub fn encode<C: Card>(
    mut card: C,
    weights: &[f32],
    precision: Precision,
) -> Result<Vec<u8>, ModelFileError> {
    // A file with a weight that is not a number would be refused when read back.
    if weights.iter().any(|w| !w.is_finite()) {
        return Err(ModelFileError::NotFinite);
    }
    let bytes: Vec<u8> = match precision {
        Precision::F32 => weights.iter().flat_map(|w| w.to_le_bytes()).collect(),
        Precision::F16 => {
            let halves: Vec<half::f16> = weights.iter().map(|&w| half::f16::from_f32(w)).collect();
            if halves.iter().any(|h| !h.is_finite()) {
                return Err(ModelFileError::NotFinite);
            }
            halves.iter().flat_map(|h| h.to_le_bytes()).collect()
        }
    };
    let total: usize = card
        .parameters()
        .iter()
        .map(|p| p.shape.iter().product::<usize>())
        .sum();
    if total != weights.len() {
        let message = format!("{} weights for {total} parameter values", weights.len());
        return Err(ModelFileError::ShapeMismatch { message });
    }
    // The tensor data does not depend on the metadata: a first pass without it gives the bytes
    // the checksum covers, in the order safetensors lays them out.
    let unsigned = serialize(card.parameters(), &bytes, precision, None)?;
    let (_, data) = split(&unsigned).ok_or(ModelFileError::NotAModel)?;
    card.set_weights_sha256(sha256_hex(data));
    let json = serde_json::to_string(&card).map_err(|e| ModelFileError::BadCard {
        message: e.to_string(),
    })?;
    serialize(card.parameters(), &bytes, precision, Some(json))
}

/// The safetensors file for these parameters and their little-endian bytes, with the card as
/// metadata when given.
fn serialize(
    parameters: &[ParamEntry],
    bytes: &[u8],
    precision: Precision,
    card: Option<String>,
) -> Result<Vec<u8>, ModelFileError> {
    let (dtype, size) = match precision {
        Precision::F32 => (Dtype::F32, 4),
        Precision::F16 => (Dtype::F16, 2),
    };
    let mismatch = |message: String| ModelFileError::ShapeMismatch { message };
    let mut rest = bytes;
    let mut tensors = Vec::with_capacity(parameters.len());
    for parameter in parameters {
        let length = parameter.shape.iter().product::<usize>() * size;
        let (head, tail) = rest
            .split_at_checked(length)
            .ok_or_else(|| mismatch(format!("too few weights for \"{}\"", parameter.name)))?;
        let view = TensorView::new(dtype, parameter.shape.clone(), head)
            .map_err(|e| mismatch(format!("\"{}\": {e}", parameter.name)))?;
        tensors.push((parameter.name.as_str(), view));
        rest = tail;
    }
    // One entry only: safetensors writes its metadata map in hash order, and saving the same
    // model twice must give the same file.
    let metadata = card.map(|card| [(CARD_KEY.to_string(), card)].into_iter().collect());
    safetensors::serialize(tensors, metadata).map_err(|e| mismatch(e.to_string()))
}

/// A safetensors file's header (JSON) and tensor data, when its header is complete.
fn split(bytes: &[u8]) -> Option<(&[u8], &[u8])> {
    let length = u64::from_le_bytes(bytes.get(..8)?.try_into().ok()?);
    let end = usize::try_from(length).ok()?.checked_add(8)?;
    Some((bytes.get(8..end)?, bytes.get(end..)?))
}

/// Reads a model file and checks everything that can be checked without building the network:
/// that it is a safetensors file with a Kindling card of kind `C::MODEL`, the card, the lengths,
/// the checksum, that the tensors are the card's (F32 or F16) and that every weight is finite.
/// Returns the card and the weights as f32 (all parameters one after another, in the card's
/// order).
pub fn decode<C: Card>(bytes: &[u8]) -> Result<(C, Vec<f32>), ModelFileError> {
    use ModelFileError::{NotAModel, Truncated};
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
    let card: C = read_card_json(card)?;

    match data.len().cmp(&metadata.data_len()) {
        Ordering::Less => return Err(Truncated),
        Ordering::Greater => {
            let extra = data.len() - metadata.data_len();
            let message = format!("the file has {extra} bytes more than its tensors take");
            return Err(ModelFileError::ShapeMismatch { message });
        }
        Ordering::Equal => {}
    }
    if !sha256_hex(data).eq_ignore_ascii_case(card.weights_sha256()) {
        return Err(ModelFileError::ChecksumMismatch);
    }
    let tensors = SafeTensors::deserialize(bytes).map_err(|_| NotAModel)?;
    let weights = card_weights(card.parameters(), &tensors)?;
    if weights.iter().any(|w| !w.is_finite()) {
        return Err(ModelFileError::NotFinite);
    }
    Ok((card, weights))
}

fn bad_card(message: String) -> ModelFileError {
    ModelFileError::BadCard { message }
}

/// A card from its JSON, if it is of kind `C::MODEL` and this version of Kindling reads its
/// format.
pub fn read_card_json<C: Card>(json: &str) -> Result<C, ModelFileError> {
    #[derive(serde::Deserialize)]
    struct Head {
        format: u32,
        model: Option<String>,
    }
    let head: Head = serde_json::from_str(json).map_err(|e| bad_card(e.to_string()))?;
    if let Some(found) = head.model.filter(|m| m != C::MODEL) {
        let expected = C::MODEL.to_string();
        return Err(ModelFileError::WrongModel { expected, found });
    }
    if head.format != FORMAT_VERSION {
        return Err(ModelFileError::UnsupportedVersion {
            version: head.format,
        });
    }
    serde_json::from_str(json).map_err(|e| bad_card(e.to_string()))
}

/// The weights of the listed parameters, one after another, after checking that the file holds
/// exactly those tensors, as F32 or F16 of the listed shapes.
fn card_weights(listed: &[ParamEntry], tensors: &SafeTensors) -> Result<Vec<f32>, ModelFileError> {
    let mismatch = |message: String| ModelFileError::ShapeMismatch { message };
    if tensors.len() != listed.len() {
        let (file, listed) = (tensors.len(), listed.len());
        return Err(mismatch(format!(
            "the file has {file} tensors but its card lists {listed}"
        )));
    }
    let mut weights = Vec::new();
    for ParamEntry { name, shape } in listed {
        let tensor = tensors
            .tensor(name)
            .map_err(|_| mismatch(format!("the file has no tensor \"{name}\"")))?;
        if tensor.shape() != shape.as_slice() {
            let found = tensor.shape();
            return Err(mismatch(format!(
                "\"{name}\" has shape {found:?} but the card says {shape:?}"
            )));
        }
        match tensor.dtype() {
            Dtype::F32 => weights.extend(
                tensor
                    .data()
                    .chunks_exact(4)
                    .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])),
            ),
            Dtype::F16 => weights.extend(
                tensor
                    .data()
                    .chunks_exact(2)
                    .map(|b| half::f16::from_le_bytes([b[0], b[1]]).to_f32()),
            ),
            other => {
                return Err(mismatch(format!(
                    "\"{name}\" is stored as {other}, not F32 or F16"
                )));
            }
        }
    }
    Ok(weights)
}
