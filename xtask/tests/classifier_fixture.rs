//! The shipped classifier's logits, natively on the CPU backend, for the first MNIST test image of
//! each digit, against `tests/fixtures/mnist-classifier-logits.json`: the fixture the browser test
//! compares the CPU and WebGPU backends with. The fixture names the model file by its SHA-256, so a
//! new model fails here until the fixture is made again:
//! `KINDLING_BLESS=1 cargo test --release -p xtask --test classifier_fixture`.

use std::path::PathBuf;

use kindling_engine::backend;
use kindling_engine::common::read::read_floats;
use kindling_engine::datasets::mnist::{self, Images, sha256_hex};
use kindling_engine::lessons::cnn::checkpoint;
use kindling_engine::lessons::cnn::model::CnnConfig;
use serde_json::{Value, json};

/// Logits may differ this much (times 1 + |logit|) from the fixture: the CPU kernels' summation
/// order differs between instruction sets; on the machine that wrote the fixture they are equal.
const TOLERANCE: f32 = 1e-4;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn fixture_path() -> PathBuf {
    root().join("tests/fixtures/mnist-classifier-logits.json")
}

/// The first test image of each digit, in order of the digits.
fn first_of_each_digit(test: &Images) -> Vec<usize> {
    (0..10u8)
        .map(|digit| test.labels.iter().position(|&l| l == digit).unwrap())
        .collect()
}

/// The classifier in `file` applied to `images`: ten logits each.
fn logits(file: &[u8], images: &Images) -> Vec<Vec<f32>> {
    let device = backend::cpu();
    let (card, weights) = checkpoint::decode(file).expect("the shipped classifier decodes");
    let model = CnnConfig::from_settings(&card.settings, images.rows, images.cols).init(&device);
    let model = checkpoint::load_weights(model, &card, weights).unwrap();
    let (batch, _) = mnist::batch(images, 0..images.len(), &device);
    let flat = pollster::block_on(read_floats(model.forward(batch)));
    flat.chunks(10).map(<[f32]>::to_vec).collect()
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

#[test]
fn the_fixture_holds_the_shipped_classifiers_logits() {
    let file = std::fs::read(root().join("static/models/mnist-classifier.safetensors")).unwrap();
    let test = xtask::data::load_converted(&root().join("static/mnist"), "test")
        .expect("MNIST converted by `cargo xtask data`");
    let indices = first_of_each_digit(&test);
    let images = Images {
        rows: test.rows,
        cols: test.cols,
        pixels: indices
            .iter()
            .flat_map(|&i| test.image(i).to_vec())
            .collect(),
        labels: indices.iter().map(|&i| test.labels[i]).collect(),
    };
    let computed = logits(&file, &images);
    for (digit, l) in computed.iter().enumerate() {
        let best = (0..10).max_by(|&a, &b| l[a].total_cmp(&l[b])).unwrap();
        assert_eq!(
            best, digit,
            "the classifier reads test image {}",
            indices[digit]
        );
    }

    if std::env::var_os("KINDLING_BLESS").is_some() {
        let entries: Vec<Value> = indices
            .iter()
            .zip(&computed)
            .map(|(&index, logits)| {
                json!({
                    "index": index,
                    "label": test.labels[index],
                    "pixels": hex(test.image(index)),
                    "logits": logits,
                })
            })
            .collect();
        let fixture = json!({
            "model": "mnist-classifier",
            "file_sha256": sha256_hex(&file),
            "images": entries,
        });
        let text = serde_json::to_string_pretty(&fixture).unwrap() + "\n";
        std::fs::write(fixture_path(), text).unwrap();
    }

    let fixture: Value =
        serde_json::from_str(&std::fs::read_to_string(fixture_path()).unwrap()).unwrap();
    assert_eq!(
        fixture["file_sha256"].as_str(),
        Some(sha256_hex(&file).as_str()),
        "the fixture is for another model file: make it again with KINDLING_BLESS=1"
    );
    let entries = fixture["images"].as_array().unwrap();
    assert_eq!(entries.len(), indices.len());
    for ((entry, &index), computed) in entries.iter().zip(&indices).zip(&computed) {
        assert_eq!(entry["index"].as_u64(), Some(index as u64));
        assert_eq!(entry["label"].as_u64(), Some(u64::from(test.labels[index])));
        assert_eq!(
            entry["pixels"].as_str(),
            Some(hex(test.image(index)).as_str())
        );
        let stored: Vec<f32> = entry["logits"]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_f64().unwrap() as f32)
            .collect();
        assert_eq!(stored.len(), 10);
        for (s, c) in stored.iter().zip(computed) {
            assert!(
                (s - c).abs() <= TOLERANCE * (1.0 + s.abs()),
                "test image {index}: fixture {stored:?}, now {computed:?}"
            );
        }
    }
}
