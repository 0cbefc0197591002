//! Saving a trained CNN to a safetensors file and loading it back, reading that file as any
//! safetensors reader does, and refusing every damaged or foreign file.

mod common;

use kindling_engine::backend;
use kindling_engine::datasets::mnist::sha256_hex;
use kindling_engine::lessons::cnn::card::{CheckpointError, ModelCard};
use kindling_engine::lessons::cnn::checkpoint::{self, CARD_KEY, OLD_MAGIC};
use kindling_engine::lessons::cnn::config::{CnnField, CnnProblem, CnnSettings, ConvBlock, Pool};
use kindling_engine::lessons::cnn::training::CnnTrainer;
use kindling_engine::rng::Rng;
use safetensors::{Dtype, SafeTensors, tensor::TensorView};
use serde_json::{Value, json};

use common::{SEEDED, bars};

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
    (0..test.len())
        .map(|i| test.image(i).iter().map(|&p| p as f32 / 255.0).collect())
        .collect()
}

/// Each drawing's probabilities, as bits, so equality is exact.
fn predictions(t: &CnnTrainer) -> Vec<Vec<u32>> {
    drawings()
        .iter()
        .map(|d| {
            pollster::block_on(t.predict(d))
                .iter()
                .map(|p| p.to_bits())
                .collect()
        })
        .collect()
}

/// One tensor as a file holds it.
#[derive(Clone, Debug, PartialEq)]
struct Stored {
    name: String,
    dtype: Dtype,
    shape: Vec<usize>,
    bytes: Vec<u8>,
}

/// Where a safetensors file's header ends and its tensor data begins.
fn data_start(bytes: &[u8]) -> usize {
    8 + u64::from_le_bytes(bytes[..8].try_into().unwrap()) as usize
}

/// A file's card (as JSON) and tensors (in file order), read with the plain safetensors crate.
fn split(bytes: &[u8]) -> (Value, Vec<Stored>) {
    let (_, metadata) = SafeTensors::read_metadata(bytes).unwrap();
    let card = serde_json::from_str(&metadata.metadata().as_ref().unwrap()[CARD_KEY]).unwrap();
    let file = SafeTensors::deserialize(bytes).unwrap();
    let tensors = metadata
        .offset_keys()
        .into_iter()
        .map(|name| {
            let view = file.tensor(&name).unwrap();
            Stored {
                name,
                dtype: view.dtype(),
                shape: view.shape().to_vec(),
                bytes: view.data().to_vec(),
            }
        })
        .collect();
    (card, tensors)
}

/// A safetensors file with these tensors and, as its metadata, this card (any string).
fn assemble_raw(card: &str, tensors: &[Stored]) -> Vec<u8> {
    let views = tensors.iter().map(|t| {
        (
            t.name.as_str(),
            TensorView::new(t.dtype, t.shape.clone(), &t.bytes).unwrap(),
        )
    });
    safetensors::serialize(
        views,
        Some(
            [(CARD_KEY.to_string(), card.to_string())]
                .into_iter()
                .collect(),
        ),
    )
    .unwrap()
}

fn assemble(card: &Value, tensors: &[Stored]) -> Vec<u8> {
    assemble_raw(&card.to_string(), tensors)
}

/// As [`assemble`], with the card's checksum set to match the tensors.
fn assemble_signed(card: &Value, tensors: &[Stored]) -> Vec<u8> {
    let unsigned = assemble(card, tensors);
    let mut card = card.clone();
    card["weights_sha256"] = json!(sha256_hex(&unsigned[data_start(&unsigned)..]));
    assemble(&card, tensors)
}

fn small_settings() -> CnnSettings {
    CnnSettings {
        blocks: vec![ConvBlock {
            filters: 2,
            kernel: 3,
            stride: 1,
            padding: 0,
            pool: Pool::Max,
            pool_size: 2,
        }],
        dense: 0,
        batch_size: 32,
        ..CnnSettings::default()
    }
}

fn names_and_shapes(card: &ModelCard) -> Vec<(String, Vec<usize>)> {
    card.parameters
        .iter()
        .map(|p| (p.name.clone(), p.shape.clone()))
        .collect()
}

fn named(list: &[(&str, &[usize])]) -> Vec<(String, Vec<usize>)> {
    list.iter()
        .map(|(n, s)| (n.to_string(), s.to_vec()))
        .collect()
}

#[test]
fn a_trained_model_comes_back_bit_identical_and_keeps_training() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let settings = CnnSettings {
        batch_size: 16,
        ..CnnSettings::default()
    };
    let mut original = trainer(settings.clone());
    assert_eq!(
        pollster::block_on(original.train_chunk(6, f64::INFINITY)),
        6
    );
    let bytes = pollster::block_on(original.export(Some(0.5)));
    assert_eq!(checkpoint::read_card(&bytes).map(|c| c.steps), Ok(6));

    let (loaded, card) = import(&bytes).expect("the file loads");
    assert_eq!(card.settings, settings);
    assert_eq!(
        (card.format, card.model.as_str(), card.image),
        (2, "cnn", [28, 28])
    );
    assert_eq!(
        (card.steps, card.seed, card.test_accuracy),
        (6, 1, Some(0.5))
    );
    assert!(
        (card.epochs_trained - 6.0 / 37.0).abs() < 1e-12,
        "{}",
        card.epochs_trained
    );
    assert_eq!(
        card.data,
        "MNIST (600 train / 200 test), CC BY-SA 3.0, LeCun & Cortes"
    );
    assert!(
        card.created_by.starts_with("Kindling "),
        "{}",
        card.created_by
    );
    let expected = named(&[
        ("blocks.0.conv.weight", &[8, 1, 5, 5]),
        ("blocks.0.conv.bias", &[8]),
        ("blocks.1.conv.weight", &[16, 8, 5, 5]),
        ("blocks.1.conv.bias", &[16]),
        ("dense.weight", &[400, 128]),
        ("dense.bias", &[128]),
        ("output.weight", &[128, 10]),
        ("output.bias", &[10]),
    ]);
    assert_eq!(names_and_shapes(&card), expected);

    // Not vacuous: a fresh model with the same seed predicts otherwise.
    assert_ne!(
        predictions(&trainer(settings.clone())),
        predictions(&original)
    );
    assert_eq!(loaded.step_count(), 6);
    assert_eq!(loaded.settings(), &settings);
    assert_eq!(predictions(&loaded), predictions(&original));
    assert_eq!(
        pollster::block_on(loaded.evaluate(None)),
        pollster::block_on(original.evaluate(None))
    );
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
fn other_tools_read_the_file_as_plain_safetensors() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let mut trained = trainer(small_settings());
    pollster::block_on(trained.train_chunk(2, f64::INFINITY));
    let bytes = pollster::block_on(trained.export(Some(0.25)));

    let (_, metadata) = SafeTensors::read_metadata(&bytes).expect("a valid safetensors file");
    let entries = metadata.metadata().as_ref().expect("string metadata");
    assert_eq!(entries.keys().collect::<Vec<_>>(), vec![CARD_KEY]);
    let (card_json, tensors) = split(&bytes);
    let card: ModelCard = serde_json::from_value(card_json.clone()).unwrap();
    assert_eq!(serde_json::to_value(&card).unwrap(), card_json);
    assert_eq!((card.steps, card.test_accuracy), (2, Some(0.25)));
    // The checksum covers all the tensor data, as stored.
    assert_eq!(
        card.weights_sha256,
        sha256_hex(&bytes[data_start(&bytes)..])
    );

    // One F32 tensor for each parameter the card lists, with its shape: 18 + 2 + 338 × 10 + 10.
    let mut stored: Vec<_> = tensors
        .iter()
        .map(|t| (t.name.clone(), t.shape.clone()))
        .collect();
    stored.sort();
    let mut listed = names_and_shapes(&card);
    listed.sort();
    assert_eq!(stored, listed);
    assert!(tensors.iter().all(|t| t.dtype == Dtype::F32));
    assert_eq!(
        tensors.iter().map(|t| t.bytes.len()).sum::<usize>(),
        4 * (18 + 2 + 3380 + 10)
    );

    // The values are the network's: the first layer's filters, as little-endian f32.
    let filters = pollster::block_on(trained.first_layer_filters());
    let weight = tensors
        .iter()
        .find(|t| t.name == "blocks.0.conv.weight")
        .unwrap();
    let values: Vec<f32> = weight
        .bytes
        .chunks_exact(4)
        .map(|b| f32::from_le_bytes(b.try_into().unwrap()))
        .collect();
    let flat: Vec<f32> = filters.iter().flat_map(|f| f.iter().copied()).collect();
    assert_eq!(values.len(), 18);
    assert_eq!(values, flat, "{filters:?}");

    // A file another tool writes with the same tensors and card loads like the original.
    let (loaded, _) = import(&assemble(&card_json, &tensors)).expect("the re-written file loads");
    assert_eq!(predictions(&loaded), predictions(&trained));
}

#[test]
fn another_architecture_round_trips() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let mut settings = CnnSettings {
        dropout: 0.2,
        ..CnnSettings::default()
    };
    settings.blocks[0].pool = Pool::Average;
    settings.blocks[1].pool = Pool::None;
    settings.blocks[1].stride = 2;
    settings.dense = 0;
    let mut original = trainer(settings.clone());
    pollster::block_on(original.train_chunk(2, f64::INFINITY));
    original.set_data_description("bars");
    let bytes = pollster::block_on(original.export(None));
    let (loaded, card) = import(&bytes).expect("the file loads");
    assert_eq!(
        (card.settings.clone(), card.steps, card.test_accuracy),
        (settings, 2, None)
    );
    assert_eq!(card.data, "bars");
    let expected = named(&[
        ("blocks.0.conv.weight", &[8, 1, 5, 5]),
        ("blocks.0.conv.bias", &[8]),
        ("blocks.1.conv.weight", &[16, 8, 5, 5]),
        ("blocks.1.conv.bias", &[16]),
        ("output.weight", &[400, 10]),
        ("output.bias", &[10]),
    ]);
    assert_eq!(names_and_shapes(&card), expected);
    assert_eq!(predictions(&loaded), predictions(&original));
    let filters = |t: &CnnTrainer| pollster::block_on(t.first_layer_filters());
    assert_eq!(filters(&loaded), filters(&original));
}

#[test]
fn damaged_and_foreign_files_are_refused_with_the_reason() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = pollster::block_on(trainer(small_settings()).export(None));
    assert!(import(&bytes).is_ok());
    let (card, tensors) = split(&bytes);
    // The re-assembled file still loads: the tests below edit only what they say.
    assert!(import(&assemble(&card, &tensors)).is_ok());
    let edited = |edit: &dyn Fn(&mut Value)| {
        let mut card = card.clone();
        edit(&mut card);
        card
    };

    // Foreign files.
    assert_eq!(import_error(b""), CheckpointError::NotAModel);
    assert_eq!(
        import_error(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x1c\0\0\0\x1c"),
        CheckpointError::NotAModel
    );
    let mut rng = Rng::new(7);
    let noise: Vec<u8> = (0..5000).map(|_| rng.below(256) as u8).collect();
    assert_eq!(import_error(&noise), CheckpointError::NotAModel);
    assert_eq!(
        CheckpointError::NotAModel.to_string(),
        "this file is not a Kindling CNN model"
    );
    // Another tool's safetensors file: valid, but without a Kindling card.
    let views = tensors.iter().map(|t| {
        (
            t.name.as_str(),
            TensorView::new(t.dtype, t.shape.clone(), &t.bytes).unwrap(),
        )
    });
    let foreign = safetensors::serialize(views, None).unwrap();
    assert!(SafeTensors::deserialize(&foreign).is_ok());
    assert_eq!(import_error(&foreign), CheckpointError::NotAModel);
    // Too short to be told from anything else.
    assert_eq!(import_error(&bytes[..5]), CheckpointError::NotAModel);

    // A `.kcnn` file from an earlier Kindling.
    let mut old = OLD_MAGIC.to_vec();
    old.push(1);
    old.extend_from_slice(&2u32.to_le_bytes());
    old.extend_from_slice(b"{}");
    assert_eq!(import_error(&old), CheckpointError::OldFormat);
    assert!(CheckpointError::OldFormat.to_string().contains(".kcnn"));

    let data = data_start(&bytes);
    for cut in [8, 9, 20, data - 1, data, data + 7, bytes.len() - 1] {
        assert_eq!(
            import_error(&bytes[..cut]),
            CheckpointError::Truncated,
            "cut at {cut}"
        );
    }
    let mut longer = bytes.clone();
    longer.push(0);
    assert!(matches!(
        import_error(&longer),
        CheckpointError::ShapeMismatch { .. }
    ));

    let mut flipped = bytes.clone();
    flipped[data + 21] ^= 0x10;
    assert_eq!(import_error(&flipped), CheckpointError::ChecksumMismatch);

    let future = edited(&|c| c["format"] = json!(3));
    assert_eq!(
        import_error(&assemble(&future, &tensors)),
        CheckpointError::UnsupportedVersion { version: 3 }
    );

    let problem = CnnProblem::OutOfRange {
        field: CnnField::LearningRate,
        min: 1e-6,
        max: 10.0,
    };
    assert_eq!(
        import_error(&assemble(
            &edited(&|c| c["settings"]["learning_rate"] = json!(-1.0)),
            &tensors
        )),
        CheckpointError::BadSettings {
            problems: vec![problem]
        }
    );

    // A card whose shapes are not the tensors'.
    let reshaped = edited(&|c| c["parameters"][0]["shape"] = json!([1, 2, 3, 3]));
    assert!(matches!(
        import_error(&assemble(&reshaped, &tensors)),
        CheckpointError::ShapeMismatch { .. }
    ));
    // Settings for a wider network than the tensors.
    let wider = edited(&|c| c["settings"]["blocks"][0]["filters"] = json!(3));
    let error = import_error(&assemble(&wider, &tensors));
    assert!(
        matches!(error, CheckpointError::ShapeMismatch { .. }),
        "{error:?}"
    );
    assert!(error.to_string().contains("[3, 1, 3, 3]"), "{error}");
    // A tensor the card does not list, one it lists that is missing, one stored as integers.
    let mut extra = tensors.clone();
    extra.push(Stored {
        name: "extra".into(),
        dtype: Dtype::F32,
        shape: vec![1],
        bytes: vec![0; 4],
    });
    assert!(matches!(
        import_error(&assemble_signed(&card, &extra)),
        CheckpointError::ShapeMismatch { .. }
    ));
    let mut renamed = tensors.clone();
    renamed[0].name = "renamed".into();
    assert!(matches!(
        import_error(&assemble_signed(&card, &renamed)),
        CheckpointError::ShapeMismatch { .. }
    ));
    let mut integers = tensors.clone();
    integers[0].dtype = Dtype::I32;
    assert!(matches!(
        import_error(&assemble_signed(&card, &integers)),
        CheckpointError::ShapeMismatch { .. }
    ));

    // A NaN weight with a checksum that matches it.
    let at = |name: &str| tensors.iter().position(|t| t.name == name).unwrap();
    let mut nan = tensors.clone();
    nan[at("blocks.0.conv.weight")].bytes[8..12].copy_from_slice(&f32::NAN.to_le_bytes());
    assert_eq!(
        import_error(&assemble_signed(&card, &nan)),
        CheckpointError::NotFinite
    );
    let mut infinite = tensors.clone();
    infinite[at("output.bias")].bytes[..4].copy_from_slice(&f32::NEG_INFINITY.to_le_bytes());
    assert_eq!(
        import_error(&assemble_signed(&card, &infinite)),
        CheckpointError::NotFinite
    );

    let mlp = edited(&|c| c["model"] = json!("mlp"));
    assert!(matches!(
        import_error(&assemble(&mlp, &tensors)),
        CheckpointError::WrongModel { .. }
    ));
    let unset = edited(&|c| _ = c.as_object_mut().unwrap().remove("settings"));
    assert!(matches!(
        import_error(&assemble(&unset, &tensors)),
        CheckpointError::BadCard { .. }
    ));
    assert!(matches!(
        import_error(&assemble_raw("[", &tensors)),
        CheckpointError::BadCard { .. }
    ));

    let mut small = bars(30, 3);
    (small.rows, small.cols, small.pixels) = (14, 14, small.pixels[..30 * 196].to_vec());
    let error = CnnTrainer::from_checkpoint(&bytes, small.clone(), small, backend::cpu()).err();
    assert_eq!(
        error,
        Some(CheckpointError::WrongImageSize { rows: 28, cols: 28 })
    );
}

#[test]
fn random_and_mangled_bytes_never_panic() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let bytes = pollster::block_on(trainer(small_settings()).export(None));
    let data = data_start(&bytes);
    let mut rng = Rng::new(11);
    for round in 0..300 {
        let candidate: Vec<u8> = match round % 4 {
            // Pure noise, sometimes behind a valid header.
            0 => (0..rng.below(200)).map(|_| rng.below(256) as u8).collect(),
            1 => {
                let mut v = bytes[..data].to_vec();
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

/// The shipped model files, cut at every 61st byte and damaged at random (a few bytes, in the
/// header or anywhere): every result is a value or an error, never a panic, and every cut file is
/// refused.
#[test]
fn shipped_model_files_damaged_at_random_are_read_or_refused() {
    use kindling_engine::models::resnet::checkpoint as resnet_checkpoint;
    let cnn: &[u8] = include_bytes!("../../static/models/mnist-classifier.safetensors");
    let resnet: &[u8] = include_bytes!("../../static/models/mnist04-resnet.safetensors");
    for file in [cnn, resnet] {
        for cut in (0..file.len()).step_by(61) {
            assert!(checkpoint::decode(&file[..cut]).is_err(), "cut at {cut}");
            assert!(
                resnet_checkpoint::decode(&file[..cut]).is_err(),
                "cut at {cut}"
            );
        }
        let mut rng = Rng::new(11);
        for round in 0..400 {
            let mut bytes = file.to_vec();
            // Half the rounds in the header (its length, then JSON), where parsers go wrong most.
            let span = if round % 2 == 0 { 4096 } else { bytes.len() };
            for _ in 0..1 + rng.below(6) {
                let at = rng.below(span);
                bytes[at] = rng.below(256) as u8;
            }
            let _ = checkpoint::decode(&bytes);
            let _ = resnet_checkpoint::decode(&bytes);
        }
    }
}
