//! The model file layout every Kindling network shares: any burn module's float tensors
//! (batch norm's running statistics included), F32 or F16, and the card that says what they are.

use kindling_engine::backend;
use kindling_engine::burn::module::Module;
use kindling_engine::burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig};
use kindling_engine::burn::tensor::{Device, Tensor, TensorData};
use kindling_engine::common::model_file::{
    self, Card, FORMAT_VERSION, ModelFileError, ParamEntry, Precision,
};
use kindling_engine::lessons::cnn::checkpoint::{self, TrainingRecord};
use kindling_engine::lessons::cnn::config::CnnSettings;
use kindling_engine::lessons::cnn::model::CnnConfig;
use serde::{Deserialize, Serialize};

#[derive(Module, Debug)]
struct Tiny {
    linear: Linear,
    norm: BatchNorm,
}

fn tiny(device: &Device) -> Tiny {
    Tiny {
        linear: LinearConfig::new(3, 2).init(device),
        norm: BatchNormConfig::new(2).init(device),
    }
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
struct TinyCard {
    format: u32,
    model: String,
    note: String,
    parameters: Vec<ParamEntry>,
    weights_sha256: String,
}

impl Card for TinyCard {
    const MODEL: &'static str = "tiny";
    fn parameters(&self) -> &[ParamEntry] {
        &self.parameters
    }
    fn set_parameters(&mut self, parameters: Vec<ParamEntry>) {
        self.parameters = parameters;
    }
    fn weights_sha256(&self) -> &str {
        &self.weights_sha256
    }
    fn set_weights_sha256(&mut self, sha256: String) {
        self.weights_sha256 = sha256;
    }
}

fn tiny_card() -> TinyCard {
    TinyCard {
        format: FORMAT_VERSION,
        model: "tiny".into(),
        note: "a test".into(),
        parameters: Vec::new(),
        weights_sha256: String::new(),
    }
}

fn weights(model: &Tiny) -> Vec<f32> {
    pollster::block_on(model_file::read_weights(model)).expect("the CPU is readable")
}

#[test]
fn batch_norm_running_statistics_are_saved_and_loaded() {
    let device = backend::cpu();
    let model = tiny(&device);
    let listed: Vec<_> = model_file::parameters(&model)
        .into_iter()
        .map(|p| (p.name, p.shape))
        .collect();
    let expected = [
        ("linear.weight", vec![3, 2]),
        ("linear.bias", vec![2]),
        ("norm.gamma", vec![2]),
        ("norm.beta", vec![2]),
        ("norm.running_mean", vec![2]),
        ("norm.running_var", vec![2]),
    ];
    let expected: Vec<_> = expected
        .into_iter()
        .map(|(n, s)| (n.to_string(), s))
        .collect();
    assert_eq!(listed, expected);

    // A training forward moves the running statistics away from (0, 1).
    let x = Tensor::<2>::from_data(
        TensorData::new(vec![1.0f32, 2.0, 3.0, -4.0, 5.0, 0.5], [2, 3]),
        &device,
    );
    let _ = model.norm.forward(model.linear.forward(x));
    let saved = weights(&model);
    // After 6 + 2 linear values and gamma, beta (2 each): running mean, running variance.
    let running = &saved[12..16];
    assert_ne!(running, &[0.0, 0.0, 1.0, 1.0], "{saved:?}");

    let bytes = pollster::block_on(model_file::save(&model, tiny_card(), Precision::F32)).unwrap();
    let (read, values) = model_file::decode::<TinyCard>(&bytes).unwrap();
    assert_eq!(values, saved);
    assert_eq!(read.note, "a test");
    let fresh = tiny(&device);
    assert_ne!(weights(&fresh), saved);
    let loaded = model_file::load_weights(fresh, &read.parameters, values).unwrap();
    assert_eq!(weights(&loaded), saved);
    let running_mean = pollster::block_on(loaded.norm.running_mean.value().into_data_async())
        .unwrap()
        .try_to_vec::<f32>()
        .unwrap();
    assert_eq!(running_mean, saved[12..14]);
}

#[test]
fn f16_files_are_half_the_size_and_decode_within_f16_precision() {
    let device = backend::cpu();
    let model = tiny(&device);
    let full = pollster::block_on(model_file::save(&model, tiny_card(), Precision::F32)).unwrap();
    let half = pollster::block_on(model_file::save(&model, tiny_card(), Precision::F16)).unwrap();
    let data = |b: &[u8]| b.len() - 8 - u64::from_le_bytes(b[..8].try_into().unwrap()) as usize;
    assert_eq!((data(&full), data(&half)), (4 * 16, 2 * 16));
    let (_, exact) = model_file::decode::<TinyCard>(&full).unwrap();
    let (_, rounded) = model_file::decode::<TinyCard>(&half).unwrap();
    assert_ne!(exact, rounded);
    for (e, r) in exact.iter().zip(&rounded) {
        // f16 keeps 11 significant bits: a relative error of at most 2^-11.
        assert!((e - r).abs() <= e.abs() * 2f32.powi(-11) + 1e-7, "{e} {r}");
    }
    // The f16 file loads into a network like an f32 one.
    let (read, values) = model_file::decode::<TinyCard>(&half).unwrap();
    let loaded = model_file::load_weights(tiny(&device), &read.parameters, values).unwrap();
    assert_eq!(weights(&loaded), rounded);

    // Too large for f16: refused when writing, not turned into infinity.
    let mut large = exact.clone();
    large[0] = 1.0e6;
    let mut listed = tiny_card();
    listed.set_parameters(model_file::parameters(&model));
    assert_eq!(
        model_file::encode(listed.clone(), &large, Precision::F16),
        Err(ModelFileError::NotFinite)
    );
    assert!(model_file::encode(listed.clone(), &large, Precision::F32).is_ok());
    assert!(matches!(
        model_file::encode(listed, &large[1..], Precision::F32),
        Err(ModelFileError::ShapeMismatch { .. })
    ));
}

#[test]
fn a_file_of_another_kind_is_refused_by_name() {
    let device = backend::cpu();
    let settings = CnnSettings::default();
    let cnn = CnnConfig::from_settings(&settings, 28, 28).init(&device);
    let record = TrainingRecord {
        settings,
        image: [28, 28],
        data: "none".into(),
        steps: 0,
        steps_per_epoch: 1,
        test_accuracy: None,
        provenance: None,
    };
    let bytes = pollster::block_on(checkpoint::save_as(&cnn, record, Precision::F16)).unwrap();
    // A CNN in f16 loads as a CNN…
    let (card, values) = checkpoint::decode(&bytes).unwrap();
    assert!(
        checkpoint::load_weights(
            CnnConfig::from_settings(&card.settings, 28, 28).init(&device),
            &card,
            values
        )
        .is_ok()
    );
    // …and is named as what it is where another kind of model is asked for.
    let error = model_file::decode::<TinyCard>(&bytes).unwrap_err();
    assert_eq!(
        error,
        ModelFileError::WrongModel {
            expected: "tiny".into(),
            found: "cnn".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "this file holds a \"cnn\" model, not a \"tiny\" model"
    );
    // A model file of the right kind for another network.
    let other = pollster::block_on(model_file::save(
        &tiny(&device),
        tiny_card(),
        Precision::F32,
    ))
    .unwrap();
    let (read, values) = model_file::decode::<TinyCard>(&other).unwrap();
    let wider = Tiny {
        linear: LinearConfig::new(4, 2).init(&device),
        norm: BatchNormConfig::new(2).init(&device),
    };
    let error = model_file::load_weights(wider, &read.parameters, values).unwrap_err();
    assert!(
        error.to_string().contains("linear.weight [4, 2]"),
        "{error}"
    );
}
