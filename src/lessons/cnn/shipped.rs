//! The trained models shipped with the site, as this lesson sees them: which cards it offers (CNN
//! cards only), what it shows of each before loading, and whether a fetched file is the one its
//! card describes. Pure functions.
//!
//! A card is read field by field from its JSON (`json::Value`), not into the engine's `ModelCard`:
//! a derived deserializer for the whole card would cost the page's wasm about 5 KB gzip.

use kindling_engine::common::activation::Activation;
use kindling_engine::lessons::cnn::CnnSettings;
use kindling_engine::lessons::cnn::config::{ConvBlock, IMAGE_SIDE, Pool};

use crate::json::Value;
use crate::lessons::cnn::state::MAX_MODEL_BYTES;

/// The `model` of the cards this lesson loads.
pub const CNN: &str = "cnn";

/// A shipped CNN as its card describes it, and the size and SHA-256 of its whole file.
#[derive(Clone, Debug, PartialEq)]
pub struct ShippedModel {
    /// Its name in `static/models/index.json`.
    pub name: String,
    /// The network (blocks, dense width, activation); the training settings are the defaults.
    pub settings: CnnSettings,
    /// The training data and its licence.
    pub data: String,
    pub test_accuracy: Option<f64>,
    /// The command that reproduces the file, and the licence, when the card has a provenance.
    pub command: Option<String>,
    pub licence: Option<String>,
    pub file_sha256: String,
    pub file_bytes: u64,
}

/// A shipped model's name as `index.json` lists it, and its card or why that could not be
/// fetched.
pub type Listed = (String, Result<Value, String>);

/// Why a shipped model did not load; the current model stays.
#[derive(Clone, Debug, PartialEq)]
pub enum ShippedProblem {
    /// The file could not be fetched (offline, missing: the message says).
    Unreachable {
        message: String,
    },
    /// The browser cannot compute a SHA-256 here, so the file cannot be checked.
    NoChecksum {
        message: String,
    },
    /// The file is not the one its card describes: another size, or another SHA-256.
    WrongSize {
        expected: u64,
        found: u64,
    },
    ChecksumMismatch,
}

fn text(card: &Value, key: &str) -> Option<String> {
    card.get(key).and_then(Value::text).map(str::to_string)
}

fn whole(value: &Value, key: &str) -> Option<usize> {
    value
        .get(key)
        .and_then(Value::whole)
        .and_then(|n| n.try_into().ok())
}

/// A convolution block as serde writes `ConvBlock`.
fn block(value: &Value) -> Option<ConvBlock> {
    let pool = match value.get("pool").and_then(Value::text)? {
        "max" => Pool::Max,
        "average" => Pool::Average,
        "none" => Pool::None,
        _ => return None,
    };
    Some(ConvBlock {
        filters: whole(value, "filters")?,
        kernel: whole(value, "kernel")?,
        stride: whole(value, "stride")?,
        padding: whole(value, "padding")?,
        pool,
        pool_size: whole(value, "pool_size")?,
    })
}

/// The network a card's `settings` describe, if it can be built for MNIST.
fn network(settings: &Value) -> Option<CnnSettings> {
    let blocks = settings.get("blocks")?.items();
    let network = CnnSettings {
        blocks: blocks.iter().map(block).collect::<Option<_>>()?,
        dense: whole(settings, "dense")?,
        activation: Activation::from_name(settings.get("activation")?.text()?)?,
        ..CnnSettings::default()
    };
    network
        .validate_for(IMAGE_SIDE, IMAGE_SIDE)
        .is_empty()
        .then_some(network)
}

/// The shipped model `name` with this card, `None` for a model of another kind (not offered
/// here); an error in words for a card this page cannot use.
pub fn read_card(name: &str, card: &Value) -> Result<Option<ShippedModel>, String> {
    if card.get("model").and_then(Value::text) != Some(CNN) {
        return Ok(None);
    }
    let file_sha256 = text(card, "file_sha256")
        .filter(|s| s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit()))
        .ok_or("file_sha256 is not a SHA-256")?;
    let file_bytes = card
        .get("file_bytes")
        .and_then(Value::whole)
        .filter(|&n| n <= MAX_MODEL_BYTES)
        .ok_or("file_bytes is not a size a model can have")?;
    let settings = card
        .get("settings")
        .and_then(network)
        .ok_or("its settings do not describe a network for MNIST")?;
    let provenance = card.get("provenance");
    let from_provenance = |key| provenance.and_then(|p| text(p, key));
    Ok(Some(ShippedModel {
        name: name.to_string(),
        settings,
        data: from_provenance("data")
            .or_else(|| text(card, "data"))
            .unwrap_or_default(),
        test_accuracy: card.get("test_accuracy").and_then(Value::number),
        command: from_provenance("command"),
        licence: from_provenance("licence"),
        file_sha256: file_sha256.to_ascii_lowercase(),
        file_bytes,
    }))
}

/// The CNNs among the listed cards, and a line for each card that could not be fetched or read.
pub fn offers(listed: Vec<Listed>) -> (Vec<ShippedModel>, Vec<String>) {
    let mut models = Vec::new();
    let mut unreadable = Vec::new();
    for (name, card) in listed {
        match card.and_then(|card| read_card(&name, &card)) {
            Ok(Some(model)) => models.push(model),
            Ok(None) => {}
            Err(message) => unreadable.push(format!("{name} ({message})")),
        }
    }
    (models, unreadable)
}

/// Whether `bytes`, whose SHA-256 the browser computed as `sha256`, are the file `model`'s card
/// describes.
pub fn check_file(
    model: &ShippedModel,
    bytes: &[u8],
    sha256: Result<&str, &str>,
) -> Result<(), ShippedProblem> {
    let found = bytes.len() as u64;
    if found != model.file_bytes {
        return Err(ShippedProblem::WrongSize {
            expected: model.file_bytes,
            found,
        });
    }
    match sha256 {
        Err(message) => Err(ShippedProblem::NoChecksum {
            message: message.to_string(),
        }),
        Ok(hex) if hex.eq_ignore_ascii_case(&model.file_sha256) => Ok(()),
        Ok(_) => Err(ShippedProblem::ChecksumMismatch),
    }
}

#[cfg(test)]
pub mod tests {
    use super::*;
    use kindling_engine::lessons::cnn::card::{ModelCard, ParamEntry, Provenance};

    pub fn card() -> ModelCard {
        let settings = CnnSettings::default();
        ModelCard {
            format: 2,
            model: CNN.into(),
            image: [28, 28],
            data: "MNIST (60 000 train / 10 000 test), CC BY-SA 3.0".into(),
            epochs_trained: 2.0,
            steps: 1874,
            test_accuracy: Some(0.9912),
            seed: 1,
            parameters: vec![
                ParamEntry {
                    name: "blocks.0.conv.weight".into(),
                    shape: vec![8, 1, 5, 5],
                },
                ParamEntry {
                    name: "output.bias".into(),
                    shape: vec![10],
                },
            ],
            weights_sha256: "ab".repeat(32),
            created_by: "Kindling 0.1.0".into(),
            provenance: None,
            settings,
        }
    }

    pub fn provenance() -> Provenance {
        Provenance {
            name: "mnist-classifier".into(),
            data: "MNIST training set, 60 000 images (CC BY-SA 3.0)".into(),
            data_sha256: "ab".repeat(64),
            split: "train 60 000 / test 10 000".into(),
            optimizer: "Adam, learning rate 0.002, batch 64".into(),
            command: "cargo run --release -p kindling-cli -- pretrain mnist-classifier".into(),
            licence: "weights MIT OR Apache-2.0; trained on MNIST, CC BY-SA 3.0".into(),
            first_losses: vec![2.3; 8],
            tolerance: 1e-4,
        }
    }

    /// A shipped card as the native program writes it: the card's JSON plus `file_sha256` and
    /// `file_bytes`, read as the page reads it.
    pub fn shipped_json(card: &ModelCard, sha256: &str, bytes: u64) -> Value {
        let json = crate::json::to_string(card).unwrap();
        let members = json.strip_suffix('}').unwrap();
        let shipped = format!(r#"{members},"file_sha256":"{sha256}","file_bytes":{bytes}}}"#);
        Value::parse(&shipped).unwrap()
    }

    pub fn shipped(sha256: &str, bytes: u64) -> ShippedModel {
        let mut card = card();
        card.provenance = Some(Box::new(provenance()));
        read_card("mnist-classifier", &shipped_json(&card, sha256, bytes))
            .unwrap()
            .unwrap()
    }

    #[test]
    fn a_cnn_card_reads_as_the_engine_writes_it() {
        let sha = "0123456789ABCDEF".repeat(4);
        let model = shipped(&sha, 90_000);
        assert_eq!(model.name, "mnist-classifier");
        assert_eq!(model.settings, CnnSettings::default());
        assert_eq!(model.data, provenance().data);
        assert_eq!(model.test_accuracy.map(|a| (a * 1e4).round()), Some(9912.0));
        assert_eq!(model.command, Some(provenance().command));
        assert_eq!(model.licence, Some(provenance().licence));
        assert_eq!(
            (model.file_sha256, model.file_bytes),
            (sha.to_ascii_lowercase(), 90_000)
        );

        // Every pool kind and activation, as serde writes them; no provenance: the card's data.
        let mut other = card();
        other.settings.blocks[0].pool = Pool::Average;
        other.settings.blocks[1].pool = Pool::None;
        other.settings.blocks[1].padding = 2;
        other.settings.dense = 0;
        for &activation in Activation::ALL {
            other.settings.activation = activation;
            let model = read_card("m", &shipped_json(&other, &sha, 5))
                .unwrap()
                .unwrap();
            assert_eq!(model.settings.blocks, other.settings.blocks);
            assert_eq!(
                (model.settings.dense, model.settings.activation),
                (0, activation)
            );
            assert_eq!(
                (model.data.as_str(), model.command),
                (other.data.as_str(), None)
            );
        }
    }

    #[test]
    fn only_cnn_cards_are_offered_and_bad_ones_are_said() {
        let sha = "ab".repeat(32);
        let resnet = r#"{"format": 2, "model": "resnet", "file_sha256": "x", "file_bytes": 5}"#;
        let mut wide = card();
        wide.settings.blocks[0].kernel = 40;
        let listed = vec![
            (
                "mnist-classifier".to_string(),
                Ok(shipped_json(&card(), &sha, 9)),
            ),
            ("mnist-resnet".to_string(), Value::parse(resnet)),
            ("missing".to_string(), Err("HTTP 404".to_string())),
            (
                "bad-sha".to_string(),
                Ok(shipped_json(&card(), "not hex", 9)),
            ),
            (
                "huge".to_string(),
                Ok(shipped_json(&card(), &sha, MAX_MODEL_BYTES + 1)),
            ),
            ("too-wide".to_string(), Ok(shipped_json(&wide, &sha, 9))),
            ("html".to_string(), Value::parse("\"<!doctype html>\"")),
        ];
        let (models, unreadable) = offers(listed);
        assert_eq!(
            models.iter().map(|m| m.name.as_str()).collect::<Vec<_>>(),
            ["mnist-classifier"]
        );
        let names: Vec<&str> = unreadable
            .iter()
            .map(|u| u.split(' ').next().unwrap())
            .collect();
        assert_eq!(names, ["missing", "bad-sha", "huge", "too-wide"]);
        assert!(unreadable[0].contains("HTTP 404"), "{unreadable:?}");
    }

    #[test]
    fn a_file_loads_only_when_its_size_and_checksum_are_the_cards() {
        let sha = "ab".repeat(32);
        let model = shipped(&sha, 4);
        let bytes = [1, 2, 3, 4];
        assert_eq!(check_file(&model, &bytes, Ok(&sha)), Ok(()));
        assert_eq!(
            check_file(&model, &bytes, Ok(&sha.to_ascii_uppercase())),
            Ok(())
        );
        assert_eq!(
            check_file(&model, &bytes, Ok(&"cd".repeat(32))),
            Err(ShippedProblem::ChecksumMismatch)
        );
        assert_eq!(
            check_file(&model, &bytes[..3], Ok(&sha)),
            Err(ShippedProblem::WrongSize {
                expected: 4,
                found: 3
            })
        );
        assert_eq!(
            check_file(&model, &bytes, Err("no subtle")),
            Err(ShippedProblem::NoChecksum {
                message: "no subtle".into()
            })
        );
    }
}
