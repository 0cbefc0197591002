//! Saving a trained CNN to a file and loading it back, and refusing every damaged file.

mod common;

use kindling_engine::backend;
use kindling_engine::lessons::cnn::card::{CheckpointError, ModelCard};
use kindling_engine::lessons::cnn::checkpoint;
use kindling_engine::lessons::cnn::checkpoint::MAGIC;
use kindling_engine::lessons::cnn::config::{CnnField, CnnProblem, CnnSettings, ConvBlock, Pool};
use kindling_engine::datasets::mnist::sha256_hex;
use kindling_engine::lessons::cnn::training::CnnTrainer;
use kindling_engine::rng::Rng;
use serde_json::{Value, json};

use common::{SEEDED, bars};

/// Magic, version byte, card length.
const HEADER: usize = 13 + 1 + 4;

fn trainer(settings: CnnSettings) -> CnnTrainer {
    CnnTrainer::new(settings, bars(600, 1), bars(200, 2), backend::cpu()).expect("valid settings")
}

fn import(bytes: &[u8]) -> Result<(CnnTrainer, ModelCard), CheckpointError> {
    CnnTrainer::from_checkpoint(bytes, bars(600, 1), bars(200, 2), backend::cpu())
}

fn import_error(bytes: &[u8]) -> CheckpointError {
    import(bytes).err().expect("the file is refused")
}

/// Test images as the page would send them: values in [0, 1].
fn drawings() -> Vec<Vec<f32>> {
    let test = bars(8, 5);
    (0..test.len()).map(|i| test.image(i).iter().map(|&p| p as f32 / 255.0).collect()).collect()
}

/// Each drawing's probabilities, as bits, so equality is exact.
fn predictions(t: &CnnTrainer) -> Vec<Vec<u32>> {
    drawings().iter().map(|d| pollster::block_on(t.predict(d)).iter().map(|p| p.to_bits()).collect()).collect()
}

/// A file's card (as JSON) and weights section.
fn split(bytes: &[u8]) -> (Value, Vec<u8>) {
    let length = u32::from_le_bytes(bytes[14..18].try_into().unwrap()) as usize;
    (serde_json::from_slice(&bytes[HEADER..HEADER + length]).unwrap(), bytes[HEADER + length..].to_vec())
}

/// A file with this version byte, card and weights section.
fn assemble(version: u8, card: &Value, weights: &[u8]) -> Vec<u8> {
    let card = serde_json::to_vec(card).unwrap();
    let mut out = MAGIC.to_vec();
    out.push(version);
    out.extend_from_slice(&(card.len() as u32).to_le_bytes());
    out.extend_from_slice(&card);
    out.extend_from_slice(weights);
    out
}

fn small_settings() -> CnnSettings {
    CnnSettings {
        blocks: vec![ConvBlock { filters: 2, kernel: 3, stride: 1, padding: 0, pool: Pool::Max, pool_size: 2 }],
        dense: 0,
        batch_size: 32,
        ..CnnSettings::default()
    }
}

#[test]
fn a_trained_model_comes_back_bit_identical_and_keeps_training() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let settings = CnnSettings { batch_size: 16, ..CnnSettings::default() };
    let mut original = trainer(settings.clone());
    assert_eq!(pollster::block_on(original.train_chunk(6, f64::INFINITY)), 6);
    let bytes = pollster::block_on(original.export(Some(0.5)));

    // Header, card, then 4 bytes for each of the 208 + 3216 + 51 328 + 1 290 parameters.
    assert_eq!(&bytes[..13], b"KINDLING-CNN\n");
    assert_eq!(bytes[13], 1);
    let (card_json, weights) = split(&bytes);
    assert_eq!(weights.len(), 4 * 56_042);
    assert_eq!(card_json["weights_sha256"], json!(sha256_hex(&weights)));
    assert_eq!(checkpoint::read_card(&bytes).map(|c| c.steps), Ok(6));

    let (loaded, card) = import(&bytes).expect("the file loads");
    assert_eq!(card.settings, settings);
    assert_eq!((card.format, card.model.as_str(), card.image), (1, "cnn", [28, 28]));
    assert_eq!((card.steps, card.seed, card.test_accuracy), (6, 1, Some(0.5)));
    assert!((card.epochs_trained - 6.0 / 37.0).abs() < 1e-12, "{}", card.epochs_trained);
    assert_eq!(card.data, "MNIST (600 train / 200 test), CC BY-SA 3.0, LeCun & Cortes");
    assert!(card.created_by.starts_with("Kindling "), "{}", card.created_by);
    let shapes: Vec<_> = card.parameters.iter().map(|p| p.shape.clone()).collect();
    let expected: Vec<Vec<usize>> =
        vec![vec![8, 1, 5, 5], vec![8], vec![16, 8, 5, 5], vec![16], vec![400, 128], vec![128], vec![128, 10], vec![10]];
    assert_eq!(shapes, expected);
    assert_eq!(serde_json::to_value(&card).unwrap(), card_json);

    // Not vacuous: a fresh model with the same seed predicts otherwise.
    assert_ne!(predictions(&trainer(settings.clone())), predictions(&original));
    assert_eq!(loaded.step_count(), 6);
    assert_eq!(loaded.settings(), &settings);
    assert_eq!(predictions(&loaded), predictions(&original));
    assert_eq!(pollster::block_on(loaded.evaluate(None)), pollster::block_on(original.evaluate(None)));
    // Saving the loaded model gives the same file.
    assert_eq!(pollster::block_on(loaded.export(Some(0.5))), bytes);

    // Progress continues from step 6, and the weights still learn.
    let mut loaded = loaded;
    let before = predictions(&loaded);
    assert_eq!(pollster::block_on(loaded.train_chunk(3, f64::INFINITY)), 3);
    let progress = loaded.progress();
    assert_eq!((progress.step, progress.total_steps), (9, 74));
    assert!(progress.batch_loss.is_finite());
    assert_ne!(predictions(&loaded), before);
}

#[test]
fn another_architecture_round_trips() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let mut settings = CnnSettings { dropout: 0.2, ..CnnSettings::default() };
    settings.blocks[0].pool = Pool::Average;
    settings.blocks[1].pool = Pool::None;
    settings.blocks[1].stride = 2;
    settings.dense = 0;
    let mut original = trainer(settings.clone());
    pollster::block_on(original.train_chunk(2, f64::INFINITY));
    original.set_data_description("bars");
    let bytes = pollster::block_on(original.export(None));
    let (loaded, card) = import(&bytes).expect("the file loads");
    assert_eq!((card.settings, card.steps, card.test_accuracy), (settings, 2, None));
    assert_eq!(card.data, "bars");
    let shapes: Vec<_> = card.parameters.iter().map(|p| p.shape.clone()).collect();
    let expected: Vec<Vec<usize>> = vec![vec![8, 1, 5, 5], vec![8], vec![16, 8, 5, 5], vec![16], vec![400, 10], vec![10]];
    assert_eq!(shapes, expected);
    assert_eq!(predictions(&loaded), predictions(&original));
    let filters = |t: &CnnTrainer| pollster::block_on(t.first_layer_filters());
    assert_eq!(filters(&loaded), filters(&original));
}

#[test]
fn damaged_and_foreign_files_are_refused_with_the_reason() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = pollster::block_on(trainer(small_settings()).export(None));
    assert!(import(&bytes).is_ok());
    let (card, weights) = split(&bytes);
    // The re-assembled file (compact JSON) still loads: the tests below edit only what they say.
    assert!(import(&assemble(1, &card, &weights)).is_ok());

    assert_eq!(import_error(b""), CheckpointError::NotAModel);
    assert_eq!(import_error(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x1c\0\0\0\x1c"), CheckpointError::NotAModel);
    let mut rng = Rng::new(7);
    let noise: Vec<u8> = (0..5000).map(|_| rng.below(256) as u8).collect();
    assert_eq!(import_error(&noise), CheckpointError::NotAModel);
    assert_eq!(CheckpointError::NotAModel.to_string(), "this file is not a Kindling CNN model");

    let card_end = bytes.len() - weights.len();
    for cut in [5, 13, 14, 16, HEADER, HEADER + 10, card_end - 1, card_end, card_end + 7, bytes.len() - 1] {
        assert_eq!(import_error(&bytes[..cut]), CheckpointError::Truncated, "cut at {cut}");
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(import_error(&longer), CheckpointError::ShapeMismatch { .. }));

    let mut flipped = bytes.clone();
    flipped[card_end + 21] ^= 0x10;
    assert_eq!(import_error(&flipped), CheckpointError::ChecksumMismatch);

    assert_eq!(import_error(&assemble(2, &card, &weights)), CheckpointError::UnsupportedVersion { version: 2 });

    let mut edited = card.clone();
    edited["settings"]["learning_rate"] = json!(-1.0);
    let problem = CnnProblem::OutOfRange { field: CnnField::LearningRate, min: 1e-6, max: 10.0 };
    assert_eq!(
        import_error(&assemble(1, &edited, &weights)),
        CheckpointError::BadSettings { problems: vec![problem] }
    );

    // Shapes that do not match the settings, with the same number of weights.
    let mut edited = card.clone();
    edited["parameters"][0]["shape"] = json!([1, 2, 3, 3]);
    assert!(matches!(import_error(&assemble(1, &edited, &weights)), CheckpointError::ShapeMismatch { .. }));
    // Settings for a wider network than the weights.
    let mut edited = card.clone();
    edited["settings"]["blocks"][0]["filters"] = json!(3);
    let error = import_error(&assemble(1, &edited, &weights));
    assert!(matches!(error, CheckpointError::ShapeMismatch { .. }), "{error:?}");
    assert!(error.to_string().contains("[3, 1, 3, 3]"), "{error}");

    // A NaN weight with a checksum that matches it.
    let mut nan = weights.clone();
    nan[8..12].copy_from_slice(&f32::NAN.to_le_bytes());
    let mut edited = card.clone();
    edited["weights_sha256"] = json!(sha256_hex(&nan));
    assert_eq!(import_error(&assemble(1, &edited, &nan)), CheckpointError::NotFinite);

    let mut edited = card.clone();
    edited["model"] = json!("mlp");
    assert!(matches!(import_error(&assemble(1, &edited, &weights)), CheckpointError::BadCard { .. }));
    let mut edited = card.clone();
    edited.as_object_mut().unwrap().remove("settings");
    assert!(matches!(import_error(&assemble(1, &edited, &weights)), CheckpointError::BadCard { .. }));
    let mut not_json = bytes.clone();
    not_json[HEADER] = b'[';
    assert!(matches!(import_error(&not_json), CheckpointError::BadCard { .. }));

    let mut small = bars(30, 3);
    (small.rows, small.cols, small.pixels) = (14, 14, small.pixels[..30 * 196].to_vec());
    let error = CnnTrainer::from_checkpoint(&bytes, small.clone(), small, backend::cpu()).err();
    assert_eq!(error, Some(CheckpointError::WrongImageSize { rows: 28, cols: 28 }));
}

#[test]
fn random_and_mangled_bytes_never_panic() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = pollster::block_on(trainer(small_settings()).export(None));
    let mut rng = Rng::new(11);
    for round in 0..300 {
        let candidate: Vec<u8> = match round % 4 {
            // Pure noise, sometimes behind a valid header.
            0 => (0..rng.below(200)).map(|_| rng.below(256) as u8).collect(),
            1 => {
                let mut v = bytes[..HEADER].to_vec();
                v.extend((0..rng.below(400)).map(|_| rng.below(256) as u8));
                v
            }
            // A valid file cut anywhere.
            2 => bytes[..rng.below(bytes.len())].to_vec(),
            // A valid file with a few bytes changed anywhere.
            _ => {
                let mut v = bytes.clone();
                for _ in 0..1 + rng.below(3) {
                    let at = rng.below(v.len());
                    v[at] = rng.below(256) as u8;
                }
                v
            }
        };
        if let Err(error) = checkpoint::decode(&candidate) {
            assert!(!error.to_string().is_empty());
        }
        let _ = import(&candidate);
    }
}
