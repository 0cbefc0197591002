//! The residual network: batch norm in training and in evaluation, the network's shapes and
//! size, its model file (exact round trip, f16, refusals) and the frozen backbone of transfer
//! learning.

mod common;

use kindling_engine::backend;
use kindling_engine::burn::module::{Module, ModuleVisitor, Param};
use kindling_engine::burn::nn::BatchNormConfig;
use kindling_engine::burn::nn::loss::CrossEntropyLossConfig;
use kindling_engine::burn::tensor::Gradients;
use kindling_engine::burn::tensor::{Device, Tensor, TensorData};
use kindling_engine::common::model_file::{self, ModelFileError, Precision};
use kindling_engine::common::optimizer::OptimizerKind;
use kindling_engine::common::stepper::{Rule, Stepper};
use kindling_engine::datasets::mnist::batch;
use kindling_engine::lessons::cnn::checkpoint::{self as cnn_checkpoint, TrainingRecord};
use kindling_engine::lessons::cnn::config::CnnSettings;
use kindling_engine::lessons::cnn::model::CnnConfig;
use kindling_engine::models::resnet::checkpoint;
use kindling_engine::models::resnet::model::{Resnet, ResnetConfig};
use kindling_engine::models::resnet::{ResnetCard, ResnetProblem, ResnetSettings, Stage};
use kindling_engine::rng::Rng;
use safetensors::SafeTensors;
use serde_json::{Value, json};

use common::{SEEDED, bars};

fn read(tensor: Tensor<1>) -> Vec<f32> {
    pollster::block_on(tensor.into_data_async())
        .unwrap()
        .try_to_vec::<f32>()
        .unwrap()
}

fn close(found: &[f32], expected: &[f64], tolerance: f64) {
    assert_eq!(found.len(), expected.len());
    for (f, e) in found.iter().zip(expected) {
        assert!(
            (*f as f64 - e).abs() <= tolerance,
            "{found:?} vs {expected:?}"
        );
    }
}

#[test]
fn batch_norm_uses_the_batch_in_training_and_the_running_statistics_in_evaluation() {
    let device = backend::cpu();
    let momentum = 0.1;
    let epsilon = 1e-5;
    let norm = BatchNormConfig::new(2)
        .with_momentum(momentum)
        .init(&device);
    // Two batches of [batch 2, channels 2, 1 × 2] maps.
    let first = [1.0, 3.0, 10.0, 20.0, 5.0, 7.0, 30.0, 40.0];
    let second = [0.0, 2.0, -5.0, 5.0, 4.0, 2.0, 15.0, 25.0];
    let maps = |v: &[f64; 8]| {
        let values: Vec<f32> = v.iter().map(|&x| x as f32).collect();
        Tensor::<4>::from_data(TensorData::new(values, [2, 2, 1, 2]), &device)
    };
    // Channel c's values: indices (b, c, 0, w) = b·4 + c·2 + w.
    let channel = |v: &[f64; 8], c: usize| -> Vec<f64> {
        (0..2)
            .flat_map(|b| (0..2).map(move |w| b * 4 + c * 2 + w))
            .map(|i| v[i])
            .collect()
    };
    // The mean and the biased variance (divided by n, as burn computes both the normalisation
    // and the running update).
    let statistics = |values: &[f64]| {
        let n = values.len() as f64;
        let mean = values.iter().sum::<f64>() / n;
        let var = values.iter().map(|x| (x - mean).powi(2)).sum::<f64>() / n;
        (mean, var)
    };
    let normalised = |v: &[f64; 8], stats: [(f64, f64); 2]| -> Vec<f64> {
        (0..8)
            .map(|i| {
                let (mean, var) = stats[(i / 2) % 2];
                (v[i] - mean) / (var + epsilon).sqrt()
            })
            .collect()
    };

    // Training (an autodiff device): normalised with this batch's statistics…
    let out = norm.forward(maps(&first));
    let batch_stats = [0, 1].map(|c| statistics(&channel(&first, c)));
    close(
        &read(out.flatten(0, 3)),
        &normalised(&first, batch_stats),
        1e-4,
    );
    // …and the running statistics move from (0, 1) towards them by the momentum.
    let mut running = [(0.0, 1.0); 2];
    for (r, (mean, var)) in running.iter_mut().zip(batch_stats) {
        *r = (
            (1.0 - momentum) * r.0 + momentum * mean,
            (1.0 - momentum) * r.1 + momentum * var,
        );
    }
    let second_out = norm.forward(maps(&second));
    let second_stats = [0, 1].map(|c| statistics(&channel(&second, c)));
    close(
        &read(second_out.flatten(0, 3)),
        &normalised(&second, second_stats),
        1e-4,
    );
    for (r, (mean, var)) in running.iter_mut().zip(second_stats) {
        *r = (
            (1.0 - momentum) * r.0 + momentum * mean,
            (1.0 - momentum) * r.1 + momentum * var,
        );
    }
    // Evaluation: the running statistics, whatever the batch, and they stay as they are.
    let valid = norm.valid();
    let means = [running[0].0, running[1].0];
    let vars = [running[0].1, running[1].1];
    close(&read(valid.running_mean.value()), &means, 1e-5);
    close(&read(valid.running_var.value()), &vars, 1e-4);
    for _ in 0..2 {
        let out = valid.forward(maps(&first).without_autodiff());
        close(&read(out.flatten(0, 3)), &normalised(&first, running), 1e-4);
    }
    close(&read(valid.running_mean.value()), &means, 1e-5);
    // Not vacuous: the batch's statistics and the running ones differ here.
    assert!((running[0].0 - batch_stats[0].0).abs() > 1.0);
}

#[test]
fn the_default_network_has_its_shapes_and_under_200_000_parameters() {
    let device = backend::cpu();
    let settings = ResnetSettings::default();
    assert!(settings.validate().is_empty());
    assert_eq!(settings.parameter_count(), 77_754);
    let model = ResnetConfig::from_settings(&settings).init(&device);
    // burn counts every float tensor, the running statistics too.
    assert_eq!(
        model.num_params() as u64,
        settings.parameter_count() + settings.running_values()
    );
    let trainable: usize = model_file::parameters(&model)
        .iter()
        .filter(|p| !p.name.contains("running_"))
        .map(|p| p.shape.iter().product::<usize>())
        .sum();
    assert_eq!(trainable as u64, settings.parameter_count());

    let images = Tensor::<4>::zeros([3, 1, 28, 28], &device);
    assert_eq!(model.forward(images.clone()).dims(), [3, 10]);
    assert_eq!(model.features(images.clone()).dims(), [3, 64]);
    assert_eq!(model.feature_maps(images).dims(), [3, 64, 7, 7]);
    assert_eq!(
        (settings.feature_channels(), settings.feature_side(28)),
        (64, 7)
    );
    assert_eq!(model.classes(), 10);

    // Two blocks a stage, an odd side, five classes.
    let deeper = ResnetSettings {
        stem: 8,
        stages: vec![
            Stage {
                channels: 8,
                blocks: 2,
                stride: 1,
            },
            Stage {
                channels: 24,
                blocks: 2,
                stride: 2,
            },
        ],
        classes: 5,
    };
    let model = ResnetConfig::from_settings(&deeper).init(&device);
    assert_eq!(
        model.num_params() as u64,
        deeper.parameter_count() + deeper.running_values()
    );
    let images = Tensor::<4>::zeros([2, 1, 15, 15], &device);
    assert_eq!(model.forward(images.clone()).dims(), [2, 5]);
    assert_eq!(model.feature_maps(images).dims(), [2, 24, 8, 8]);
    assert_eq!(deeper.feature_side(15), 8);
}

#[test]
fn settings_that_cannot_be_built_are_named() {
    let mut settings = ResnetSettings {
        stem: 0,
        classes: 0,
        ..ResnetSettings::default()
    };
    settings.stages[1].stride = 3;
    settings.stages[2].blocks = 0;
    assert_eq!(
        settings.validate(),
        vec![
            ResnetProblem::Stem,
            ResnetProblem::Stage { index: 1 },
            ResnetProblem::Stage { index: 2 },
            ResnetProblem::Classes { classes: 0 },
        ]
    );
    let none = ResnetSettings {
        stages: Vec::new(),
        ..ResnetSettings::default()
    };
    assert_eq!(
        none.validate(),
        vec![ResnetProblem::StageCount { count: 0 }]
    );
    assert_eq!(
        ResnetProblem::Stage { index: 1 }.to_string(),
        "stage 2: channels must be 1 to 512, blocks 1 to 8, stride 1 or 2"
    );
}

/// A small network, for fast tests.
fn small() -> ResnetSettings {
    ResnetSettings {
        stem: 4,
        stages: vec![
            Stage {
                channels: 4,
                blocks: 1,
                stride: 1,
            },
            Stage {
                channels: 8,
                blocks: 1,
                stride: 2,
            },
        ],
        classes: 3,
    }
}

/// `steps` Adam steps on the synthetic bars (three classes), which moves the weights and the
/// batch norms' running statistics.
fn trained(model: Resnet, steps: usize, device: &Device) -> Resnet {
    let images = bars(16 * steps, 1);
    let loss = CrossEntropyLossConfig::new().init(device);
    let mut adam = Stepper::new(Rule::of(OptimizerKind::Adam));
    let mut model = model;
    for step in 0..steps {
        let (x, y) = batch(&images, step * 16..(step + 1) * 16, device);
        let value = loss.forward(model.forward(x), y);
        model = adam.step(1e-2, model, &value);
    }
    model
}

/// Logits of the model in evaluation for some bars, as bits.
fn logits(model: &Resnet, device: &Device) -> Vec<u32> {
    let (x, _) = batch(&bars(8, 9), 0..8, device);
    let out = model.valid().forward(x.without_autodiff());
    read(out.flatten(0, 1))
        .iter()
        .map(|v| v.to_bits())
        .collect()
}

fn card() -> ResnetCard {
    let mut card = ResnetCard::new(small(), vec![0, 1, 2]);
    card.data = "bars".into();
    card.steps = 3;
    card
}

fn saved(precision: Precision) -> (Resnet, Vec<u8>) {
    let device = backend::cpu();
    device.seed(5);
    let model = trained(
        ResnetConfig::from_settings(&small()).init(&device),
        3,
        &device,
    );
    let bytes = pollster::block_on(checkpoint::save(&model, card(), precision)).unwrap();
    (model, bytes)
}

#[test]
fn a_saved_network_loads_bit_identical_with_its_running_statistics() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let device = backend::cpu();
    let (model, bytes) = saved(Precision::F32);
    let (loaded, read_card) = checkpoint::load(&bytes, &device).expect("the file loads");
    assert_eq!(read_card.model, "resnet");
    assert_eq!(read_card.classes, vec![0, 1, 2]);
    assert_eq!((read_card.data.as_str(), read_card.steps), ("bars", 3));
    assert_eq!(read_card.settings, small());
    assert_eq!(read_card, checkpoint::read_card(&bytes).unwrap());

    // The file holds the running statistics, and training moved them from (0, 1).
    let file = SafeTensors::deserialize(&bytes).unwrap();
    let mean = file.tensor("stem.norm.running_mean").unwrap();
    assert_eq!(mean.shape(), [4]);
    assert!(mean.data().chunks(4).any(|b| b != 0f32.to_le_bytes()));
    let names: Vec<_> = read_card
        .parameters
        .iter()
        .map(|p| p.name.as_str())
        .collect();
    assert_eq!(
        names.iter().filter(|n| n.ends_with("running_var")).count(),
        1 + 2 + 3
    );
    assert!(names.contains(&"blocks.1.shortcut.conv.weight"));
    assert!(names.contains(&"head.weight"));

    assert_eq!(logits(&loaded, &device), logits(&model, &device));
    // Not vacuous: an untrained network of the same shape, and the trained weights with fresh
    // running statistics, give other logits.
    let fresh = ResnetConfig::from_settings(&small()).init(&device);
    assert_ne!(logits(&fresh, &device), logits(&model, &device));
    let (_, mut weights) = checkpoint::decode(&bytes).unwrap();
    let mut offset = 0;
    for p in &read_card.parameters {
        let n: usize = p.shape.iter().product();
        if p.name.ends_with("running_mean") {
            weights[offset..offset + n].fill(0.0);
        }
        offset += n;
    }
    let reset = model_file::load_weights(fresh, &read_card.parameters, weights).unwrap();
    assert_ne!(logits(&reset, &device), logits(&model, &device));
    // Saving the loaded network gives the same file.
    let again = pollster::block_on(checkpoint::save(&loaded, read_card, Precision::F32)).unwrap();
    assert_eq!(again, bytes);
}

#[test]
fn an_f16_file_decodes_within_f16_precision() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let device = backend::cpu();
    let (model, full) = saved(Precision::F32);
    let half = pollster::block_on(checkpoint::save(&model, card(), Precision::F16)).unwrap();
    // The tensor data (after the header) takes half the bytes.
    let data = |b: &[u8]| b.len() - 8 - u64::from_le_bytes(b[..8].try_into().unwrap()) as usize;
    assert_eq!(2 * data(&half), data(&full));
    let (_, exact) = checkpoint::decode(&full).unwrap();
    let (_, rounded) = checkpoint::decode(&half).unwrap();
    assert_ne!(exact, rounded);
    for (e, r) in exact.iter().zip(&rounded) {
        // 11 significant bits; below 2^-14 f16 is subnormal, with steps of 2^-24.
        assert!(
            (e - r).abs() <= e.abs() * 2f32.powi(-11) + 2f32.powi(-25),
            "{e} {r}"
        );
    }
    let (loaded, _) = checkpoint::load(&half, &device).unwrap();
    let as_floats = |bits: Vec<u32>| bits.into_iter().map(f32::from_bits).collect::<Vec<_>>();
    let (a, b) = (
        as_floats(logits(&loaded, &device)),
        as_floats(logits(&model, &device)),
    );
    for (x, y) in a.iter().zip(&b) {
        assert!((x - y).abs() < 1e-2 * (1.0 + y.abs()), "{a:?} {b:?}");
    }
}

/// The card (JSON) and a copy of the file with another card, its checksum kept.
fn with_card(bytes: &[u8], edit: impl Fn(&mut Value)) -> Vec<u8> {
    let (_, metadata) = SafeTensors::read_metadata(bytes).unwrap();
    let mut card: Value =
        serde_json::from_str(&metadata.metadata().as_ref().unwrap()[model_file::CARD_KEY]).unwrap();
    edit(&mut card);
    let file = SafeTensors::deserialize(bytes).unwrap();
    let tensors: Vec<_> = metadata
        .offset_keys()
        .into_iter()
        .map(|name| {
            let view = file.tensor(&name).unwrap();
            (name, view)
        })
        .collect();
    let entries = [(model_file::CARD_KEY.to_string(), card.to_string())];
    safetensors::serialize(tensors, Some(entries.into_iter().collect())).unwrap()
}

#[test]
fn damaged_and_other_files_are_refused_with_the_reason() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let device = backend::cpu();
    let (_, bytes) = saved(Precision::F32);
    let load = |b: &[u8]| checkpoint::load(b, &device).expect_err("refused");
    assert!(checkpoint::load(&with_card(&bytes, |_| ()), &device).is_ok());

    assert_eq!(load(b"not a model"), ModelFileError::NotAModel);
    let mut rng = Rng::new(3);
    let noise: Vec<u8> = (0..3000).map(|_| rng.below(256) as u8).collect();
    assert_eq!(load(&noise), ModelFileError::NotAModel);
    assert_eq!(load(&bytes[..bytes.len() - 3]), ModelFileError::Truncated);
    let mut flipped = bytes.clone();
    let at = flipped.len() - 10;
    flipped[at] ^= 1;
    assert_eq!(load(&flipped), ModelFileError::ChecksumMismatch);

    // The CNN lesson's model is another architecture.
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
    let cnn_file = pollster::block_on(cnn_checkpoint::save(&cnn, record));
    let error = load(&cnn_file);
    assert_eq!(
        error,
        ModelFileError::WrongModel {
            expected: "resnet".into(),
            found: "cnn".into()
        }
    );
    assert_eq!(
        error.to_string(),
        "this file holds a \"cnn\" model, not a \"resnet\" model"
    );
    // And a residual network is not a CNN.
    assert_eq!(
        cnn_checkpoint::decode(&bytes).err(),
        Some(cnn_checkpoint::CheckpointError::WrongModel {
            found: "resnet".into()
        })
    );

    // A card whose settings describe a wider network than its tensors.
    let wider = with_card(&bytes, |c| c["settings"]["stem"] = json!(6));
    let error = load(&wider);
    assert!(
        matches!(error, ModelFileError::ShapeMismatch { .. }),
        "{error:?}"
    );
    assert!(
        error.to_string().contains("stem.conv.weight [6, 1, 3, 3]"),
        "{error}"
    );
    let invalid = with_card(&bytes, |c| c["settings"]["stages"][1]["stride"] = json!(5));
    assert_eq!(
        load(&invalid),
        ModelFileError::BadSettings {
            message: ResnetProblem::Stage { index: 1 }.to_string()
        }
    );
    let classes = with_card(&bytes, |c| c["classes"] = json!([0, 1]));
    assert!(matches!(load(&classes), ModelFileError::BadCard { .. }));
    let future = with_card(&bytes, |c| c["format"] = json!(9));
    assert_eq!(
        load(&future),
        ModelFileError::UnsupportedVersion { version: 9 }
    );
}

/// Which float tensors of `model` got a gradient in `grads`, by module path.
fn with_gradient(model: &Resnet, grads: &Gradients) -> Vec<(String, bool)> {
    struct Visit<'a> {
        path: Vec<String>,
        grads: &'a Gradients,
        found: Vec<(String, bool)>,
    }
    impl ModuleVisitor for Visit<'_> {
        fn enter_module(&mut self, name: &str, _: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _: &str, _: &str) {
            self.path.pop();
        }
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let has = param.val().grad(self.grads).is_some();
            self.found.push((self.path.join("."), has));
        }
    }
    let mut visit = Visit {
        path: Vec::new(),
        grads,
        found: Vec::new(),
    };
    model.visit(&mut visit);
    visit.found
}

#[test]
fn a_frozen_backbone_gets_no_gradient_while_the_new_head_learns() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let device = backend::cpu();
    let (model, bytes) = saved(Precision::F32);
    let (backbone, _) = checkpoint::load(&bytes, &device).unwrap();
    let model_weights = pollster::block_on(model_file::read_weights(&model)).unwrap();
    let model = backbone.with_new_head(2, &device).freeze_backbone();
    assert_eq!(model.classes(), 2);

    let images = bars(16, 4).with_classes(&[1, 2]);
    let (x, y) = batch(&images, 0..images.len(), &device);
    assert_eq!(model.forward(x.clone()).dims(), [images.len(), 2]);
    let loss = CrossEntropyLossConfig::new()
        .init(&device)
        .forward(model.forward(x), y);
    let grads = loss.backward();
    let found = with_gradient(&model, &grads);
    let head: Vec<_> = found
        .iter()
        .filter(|(n, _)| n.starts_with("head."))
        .collect();
    assert_eq!(head.len(), 2);
    assert!(head.iter().all(|(_, has)| *has), "{found:?}");
    let backbone: Vec<_> = found
        .iter()
        .filter(|(n, _)| !n.starts_with("head."))
        .collect();
    assert!(backbone.len() > 20);
    assert!(backbone.iter().all(|(_, has)| !has), "{found:?}");

    // An optimiser step moves the head only; the backbone's weights and running statistics stay.
    let before = pollster::block_on(model_file::read_weights(&model)).unwrap();
    let head_values = 8 * 2 + 2;
    let body = before.len() - head_values;
    assert_eq!(before[..body], model_weights[..body]);
    let mut adam = Stepper::new(Rule::of(OptimizerKind::Adam));
    let loss = CrossEntropyLossConfig::new().init(&device).forward(
        model.forward(batch(&images, 0..images.len(), &device).0),
        batch(&images, 0..images.len(), &device).1,
    );
    let model = adam.step(1e-2, model, &loss);
    let after = pollster::block_on(model_file::read_weights(&model)).unwrap();
    assert_eq!(after[..body], before[..body]);
    assert_ne!(after[body..], before[body..]);
}
