//! Model files as the engine writes them (safetensors, the card in the header's metadata), of
//! either kind, and the `.json` card that lies beside a shipped model.

use std::path::Path;
use std::sync::Arc;

use burn::tensor::Device;
use kindling_engine::common::model_file::CARD_KEY;
use kindling_engine::datasets::mnist::{Images, sha256_hex};
use kindling_engine::lessons::cnn::checkpoint::{self, ModelCard};
use kindling_engine::lessons::cnn::model::{Cnn, CnnConfig};
use kindling_engine::models::resnet::ResnetCard;
use kindling_engine::models::resnet::checkpoint as resnet_file;
use kindling_engine::models::resnet::model::Resnet;
use serde_json::{Map, Value};

use crate::evaluate::{Evaluation, evaluate};
use crate::words::cnn_problem;

/// A model file's network, built from its card, with its weights. Made once a command, so the
/// variants' difference in size does not matter.
#[allow(clippy::large_enum_variant)]
pub enum Model {
    Cnn { card: ModelCard, net: Cnn },
    Resnet { card: ResnetCard, net: Resnet },
}

impl Model {
    pub fn kind(&self) -> &'static str {
        match self {
            Model::Cnn { .. } => "cnn",
            Model::Resnet { .. } => "resnet",
        }
    }

    /// The test accuracy the card states.
    pub fn stated_accuracy(&self) -> Option<f32> {
        match self {
            Model::Cnn { card, .. } => card.test_accuracy,
            Model::Resnet { card, .. } => card.test_accuracy,
        }
    }

    /// The digits the model tells apart, in the order of its outputs.
    pub fn digits(&self) -> Vec<u8> {
        match self {
            Model::Cnn { .. } => (0..10).collect(),
            Model::Resnet { card, .. } => card.classes.clone(),
        }
    }

    /// The network on `set`, whose labels must be positions in [`digits`](Self::digits).
    pub fn evaluate(&self, set: Arc<Images>, device: &Device) -> Result<Evaluation, String> {
        match self {
            Model::Cnn { net, .. } => evaluate(net, set, device),
            Model::Resnet { net, .. } => evaluate(net, set, device),
        }
    }
}

pub fn read(path: &Path) -> Result<Vec<u8>, String> {
    std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))
}

/// The card's JSON text, as the file's header holds it (no checks beyond reading the header).
pub fn card_json(bytes: &[u8]) -> Result<String, String> {
    let not_a_model =
        || "this file is not a Kindling model (no model card in a safetensors header)";
    let length = bytes
        .get(..8)
        .and_then(|b| b.try_into().ok())
        .map(u64::from_le_bytes)
        .ok_or_else(not_a_model)?;
    let header = usize::try_from(length)
        .ok()
        .and_then(|length| bytes.get(8..8usize.checked_add(length)?))
        .ok_or_else(not_a_model)?;
    let header: Value = serde_json::from_slice(header).map_err(|_| not_a_model())?;
    header["__metadata__"][CARD_KEY]
        .as_str()
        .map(str::to_string)
        .ok_or_else(|| not_a_model().to_string())
}

/// Reads a model file of any kind and builds its network on `device`, after the engine's
/// checks (format, checksum, shapes, finite weights).
pub fn load(bytes: &[u8], device: &Device) -> Result<Model, String> {
    let card: Value = serde_json::from_str(&card_json(bytes)?)
        .map_err(|e| format!("the model's card is not JSON: {e}"))?;
    match card["model"].as_str() {
        Some("cnn") => load_cnn(bytes, device),
        Some("resnet") => {
            let (net, card) = resnet_file::load(bytes, device).map_err(|e| e.to_string())?;
            Ok(Model::Resnet { card, net })
        }
        Some(other) => Err(format!("this program cannot read \"{other}\" models")),
        None => Err("the model's card does not say what model it is".to_string()),
    }
}

fn load_cnn(bytes: &[u8], device: &Device) -> Result<Model, String> {
    let (card, weights) = checkpoint::decode(bytes).map_err(|e| e.to_string())?;
    let [rows, cols] = card.image;
    let problems = card.settings.validate_for(rows, cols);
    if let Some(problem) = problems.first() {
        return Err(format!(
            "the model's settings cannot be built: {}",
            cnn_problem(problem)
        ));
    }
    let net = CnnConfig::from_settings(&card.settings, rows, cols).init(device);
    let net = checkpoint::load_weights(net, &card, weights).map_err(|e| e.to_string())?;
    Ok(Model::Cnn { card, net })
}

/// The `.json` card of a shipped model: the card in the file, plus `file_sha256` (of the whole
/// file) and `file_bytes`.
pub fn sidecar(bytes: &[u8]) -> Result<String, String> {
    let mut card: Map<String, Value> = serde_json::from_str(&card_json(bytes)?)
        .map_err(|e| format!("the model's card is not a JSON object: {e}"))?;
    card.insert("file_sha256".into(), sha256_hex(bytes).into());
    card.insert("file_bytes".into(), bytes.len().into());
    Ok(serde_json::to_string_pretty(&card).map_err(|e| e.to_string())? + "\n")
}

/// Checks a `.json` card against the model file: the file's size and SHA-256, and that the rest
/// is the card inside the file.
pub fn check_sidecar(bytes: &[u8], json: &str) -> Result<(), String> {
    let mut listed: Map<String, Value> =
        serde_json::from_str(json).map_err(|e| format!("the .json card is not JSON: {e}"))?;
    let sha = listed.remove("file_sha256");
    let size = listed.remove("file_bytes");
    if sha.as_ref().and_then(Value::as_str) != Some(sha256_hex(bytes).as_str()) {
        return Err(format!(
            "the file's SHA-256 is {}, the .json card says {}",
            sha256_hex(bytes),
            sha.unwrap_or(Value::Null)
        ));
    }
    if size.as_ref().and_then(Value::as_u64) != Some(bytes.len() as u64) {
        return Err(format!(
            "the file has {} bytes, the .json card says {}",
            bytes.len(),
            size.unwrap_or(Value::Null)
        ));
    }
    let inside: Map<String, Value> = serde_json::from_str(&card_json(bytes)?)
        .map_err(|e| format!("the model's card is not a JSON object: {e}"))?;
    if inside != listed {
        let differ: Vec<&String> = inside
            .keys()
            .chain(listed.keys())
            .filter(|k| inside.get(*k) != listed.get(*k))
            .collect();
        return Err(format!(
            "the .json card differs from the card inside the file in: {differ:?}"
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn what_is_not_a_model_file_is_named_so() {
        for bytes in [&b""[..], &b"hello"[..], &[255u8; 16][..]] {
            let error = card_json(bytes).unwrap_err();
            assert!(error.contains("not a Kindling model"), "{error}");
        }
        let error = load(b"{}", &Device::flex()).err().unwrap();
        assert!(error.contains("not a Kindling model"), "{error}");
    }
}
