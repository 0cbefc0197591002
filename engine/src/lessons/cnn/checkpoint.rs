//! Saving and loading a trained CNN.
//!
//! File format, version 1, in order:
//!
//! 1. magic bytes `KINDLING-CNN\n` (13 bytes);
//! 2. the format version, one byte: 1;
//! 3. the length of the model card in bytes, u32 little-endian;
//! 4. the model card, UTF-8 JSON ([`ModelCard`]);
//! 5. the weights: every float parameter of the model in burn's module visiting order, each
//!    flattened row-major, as f32 little-endian.
//!
//! The card lists the shape of every parameter in the same order, so the weights section has
//! exactly 4 × (sum of the shapes' element counts) bytes, and records the SHA-256 of that section.
//!
//! The format itself (reading, checking, writing) is plain Rust; moving weights in and out of a
//! burn model needs the `compute` feature.

use std::fmt;

pub use super::card::{CheckpointError, ModelCard, ParamEntry};
use super::config::CnnSettings;
use crate::datasets::mnist::sha256_hex;

pub const MAGIC: &[u8; 13] = b"KINDLING-CNN\n";
pub const FORMAT_VERSION: u8 = 1;
/// The `model` a card must name.
pub const MODEL_KIND: &str = "cnn";
/// Magic, version byte and card length.
const HEADER: usize = MAGIC.len() + 1 + 4;

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

impl fmt::Display for CheckpointError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::NotAModel => write!(f, "this file is not a Kindling CNN model"),
            Self::UnsupportedVersion { version } => write!(
                f,
                "this model file uses format version {version}, which this version of Kindling cannot read"
            ),
            Self::Truncated => write!(f, "the model file is cut short: part of it is missing"),
            Self::BadCard { message } => write!(f, "the model's description cannot be read: {message}"),
            Self::BadSettings { problems } => write!(
                f,
                "the model's settings do not describe a network that can be built ({} problem{})",
                problems.len(),
                if problems.len() == 1 { "" } else { "s" }
            ),
            Self::ShapeMismatch { message } => write!(f, "the weights do not fit the network: {message}"),
            Self::ChecksumMismatch => {
                write!(f, "the model's weights do not match their checksum: the file was damaged or altered")
            }
            Self::NotFinite => write!(f, "a weight is not a number (NaN or infinite), so the model cannot be used"),
            Self::WrongImageSize { rows, cols } => {
                write!(f, "the model reads {rows} × {cols} images, but the images here have another size")
            }
        }
    }
}

impl std::error::Error for CheckpointError {}

/// A model file for `record`, parameter `shapes` (visiting order) and their flattened `weights`
/// (all parameters one after another).
pub fn encode(record: TrainingRecord, shapes: Vec<Vec<usize>>, weights: &[f32]) -> Vec<u8> {
    let weight_bytes: Vec<u8> = weights.iter().flat_map(|w| w.to_le_bytes()).collect();
    let card = ModelCard {
        format: FORMAT_VERSION as u32,
        model: MODEL_KIND.to_string(),
        seed: record.settings.seed,
        settings: record.settings,
        image: record.image,
        data: record.data,
        epochs_trained: record.steps as f64 / record.steps_per_epoch.max(1) as f64,
        steps: record.steps,
        test_accuracy: record.test_accuracy.filter(|a| a.is_finite()),
        parameters: shapes.into_iter().map(|shape| ParamEntry { shape }).collect(),
        weights_sha256: sha256_hex(&weight_bytes),
        created_by: concat!("Kindling ", env!("CARGO_PKG_VERSION")).to_string(),
    };
    // Serialising plain data with finite numbers cannot fail.
    let json = serde_json::to_vec_pretty(&card).unwrap_or_default();
    let mut out = Vec::with_capacity(HEADER + json.len() + weight_bytes.len());
    out.extend_from_slice(MAGIC);
    out.push(FORMAT_VERSION);
    out.extend_from_slice(&(json.len() as u32).to_le_bytes());
    out.extend_from_slice(&json);
    out.extend_from_slice(&weight_bytes);
    out
}

/// Reads a model file and checks everything that can be checked without building the network:
/// magic, version, lengths, the card, the checksum and that every weight is finite. Returns the
/// card and the weights (all parameters one after another).
pub fn decode(bytes: &[u8]) -> Result<(ModelCard, Vec<f32>), CheckpointError> {
    use CheckpointError::{NotAModel, Truncated};
    if bytes.len() < MAGIC.len() {
        // A beginning of the magic is a cut-short model; anything else (empty too) is not one.
        return Err(if !bytes.is_empty() && MAGIC.starts_with(bytes) { Truncated } else { NotAModel });
    }
    if &bytes[..MAGIC.len()] != MAGIC {
        return Err(NotAModel);
    }
    let version = *bytes.get(MAGIC.len()).ok_or(Truncated)?;
    if version != FORMAT_VERSION {
        return Err(CheckpointError::UnsupportedVersion { version: version as u32 });
    }
    let length = bytes.get(MAGIC.len() + 1..HEADER).ok_or(Truncated)?;
    let card_end = HEADER.saturating_add(u32::from_le_bytes([length[0], length[1], length[2], length[3]]) as usize);
    let json = bytes.get(HEADER..card_end).ok_or(Truncated)?;
    let card: ModelCard = serde_json::from_slice(json).map_err(|e| bad_card(e.to_string()))?;
    check_card(&card)?;

    let too_large = || bad_card("its parameter shapes are impossibly large".to_string());
    let count = card
        .parameters
        .iter()
        .try_fold(0usize, |n, p| p.shape.iter().try_fold(1usize, |m, &d| m.checked_mul(d))?.checked_add(n))
        .ok_or_else(too_large)?;
    let end = count.checked_mul(4).and_then(|b| b.checked_add(card_end)).ok_or_else(too_large)?;
    if bytes.len() < end {
        return Err(Truncated);
    }
    if bytes.len() > end {
        let message = format!("the file has {} bytes more than the card's parameters take", bytes.len() - end);
        return Err(CheckpointError::ShapeMismatch { message });
    }
    let section = &bytes[card_end..];
    if !sha256_hex(section).eq_ignore_ascii_case(&card.weights_sha256) {
        return Err(CheckpointError::ChecksumMismatch);
    }
    let weights: Vec<f32> = section.chunks_exact(4).map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]])).collect();
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

fn check_card(card: &ModelCard) -> Result<(), CheckpointError> {
    if card.model != MODEL_KIND {
        return Err(bad_card(format!("it describes a \"{}\" model, not a CNN", card.model)));
    }
    if card.format != FORMAT_VERSION as u32 {
        return Err(bad_card(format!("it says format {} inside a format {FORMAT_VERSION} file", card.format)));
    }
    Ok(())
}

#[cfg(feature = "compute")]
pub use weights::{load_weights, save};

/// Moving weights between a burn model and a file.
#[cfg(feature = "compute")]
mod weights {
    use burn::module::{Module, ModuleMapper, ModuleVisitor, Param};
    use burn::tensor::{Tensor, TensorData};

    use super::{CheckpointError, ModelCard, TrainingRecord, encode};
    use crate::lessons::cnn::model::Cnn;

    /// Each float parameter's shape, without initialising lazy parameters.
    struct Shapes(Vec<Vec<usize>>);

    impl ModuleVisitor for Shapes {
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            self.0.push(param.lazy_shape().to_vec());
        }
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
            let tensor = Tensor::<D>::from_data(TensorData::new(values, param.lazy_shape()), &param.lazy_device());
            let id = param.id;
            // Keeps the id, the device and whether the parameter requires a gradient.
            param.transform_for_load(tensor, id)
        }
    }

    /// The model file for `model` (see the module documentation). Empty when the device could
    /// not be read.
    pub async fn save(model: &Cnn, record: TrainingRecord) -> Vec<u8> {
        let model = model.valid();
        let mut shapes = Shapes(Vec::new());
        model.visit(&mut shapes);
        let mut values = Values(Vec::new());
        model.visit(&mut values);
        let mut weights = Vec::new();
        for tensor in values.0 {
            match tensor.into_data_async().await.map(|data| data.convert::<f32>().try_into_vec::<f32>()) {
                Ok(Ok(v)) => weights.extend(v),
                _ => return Vec::new(),
            }
        }
        encode(record, shapes.0, &weights)
    }

    /// `model` with its float parameters replaced by `weights` (as read by
    /// [`decode`](super::decode) with `card`), after checking that the card's shapes are the
    /// model's.
    pub fn load_weights(model: Cnn, card: &ModelCard, weights: Vec<f32>) -> Result<Cnn, CheckpointError> {
        let mut shapes = Shapes(Vec::new());
        model.visit(&mut shapes);
        let found: Vec<&Vec<usize>> = card.parameters.iter().map(|p| &p.shape).collect();
        if let Some(index) = (0..shapes.0.len().max(found.len())).find(|&i| shapes.0.get(i) != found.get(i).copied()) {
            let describe = |shape: Option<&Vec<usize>>| shape.map_or("nothing".to_string(), |s| format!("{s:?}"));
            let message = format!(
                "parameter {} should have shape {} but the file has {}",
                index + 1,
                describe(shapes.0.get(index)),
                describe(found.get(index).copied())
            );
            return Err(CheckpointError::ShapeMismatch { message });
        }
        let mut rest = weights.as_slice();
        let mut lists = Vec::with_capacity(shapes.0.len());
        for shape in &shapes.0 {
            let n: usize = shape.iter().product();
            if rest.len() < n {
                return Err(CheckpointError::Truncated);
            }
            let (head, tail) = rest.split_at(n);
            lists.push(head.to_vec());
            rest = tail;
        }
        Ok(model.map(&mut Replace(lists.into_iter())))
    }
}
