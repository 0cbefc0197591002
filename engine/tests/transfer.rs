//! The transfer lesson: what each arm freezes and how fast each part learns, and the quality bar
//! on real MNIST (feature extraction against training from scratch with 10 labels per class).

mod common;
mod transfer_common;

use kindling_engine::backend;
use kindling_engine::burn::module::Module;
use kindling_engine::burn::tensor::Tensor;
use kindling_engine::lessons::transfer::config::{Arm, Target, TransferSettings};
use kindling_engine::lessons::transfer::model::{
    block_count, is_running_statistic, layer_of, layer_parameters, learning_rates, tensors,
};
use kindling_engine::lessons::transfer::training::TransferRun;
use kindling_engine::lessons::transfer::worked::{feature_map, filters, worked_example};
use kindling_engine::models::resnet::ResnetSettings;
use kindling_engine::models::resnet::model::{Resnet, ResnetConfig};

use common::{SEEDED, bars};

/// Every float tensor of `model` by path, as bits.
fn snapshot(model: &Resnet) -> Vec<(String, Vec<u32>)> {
    struct Visit {
        path: Vec<String>,
        found: Vec<(String, Tensor<1>)>,
    }
    impl kindling_engine::burn::module::ModuleVisitor for Visit {
        fn enter_module(&mut self, name: &str, _: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _: &str, _: &str) {
            self.path.pop();
        }
        fn visit_float<const D: usize>(
            &mut self,
            param: &kindling_engine::burn::module::Param<Tensor<D>>,
        ) {
            let count = param.lazy_shape().num_elements();
            let flat: Tensor<1> = param.val().reshape([count]);
            self.found.push((self.path.join("."), flat));
        }
    }
    let mut visit = Visit {
        path: Vec::new(),
        found: Vec::new(),
    };
    model.visit(&mut visit);
    visit
        .found
        .into_iter()
        .map(|(path, t)| {
            let values = t.into_data().convert::<f32>().try_to_vec::<f32>().unwrap();
            (path, values.iter().map(|v| v.to_bits()).collect())
        })
        .collect()
}

fn small_network() -> ResnetSettings {
    ResnetSettings {
        classes: 3,
        ..ResnetSettings::default()
    }
}

/// A backbone for three classes of bars and the arms on three classes of other bars.
fn run(settings: TransferSettings) -> (Resnet, TransferRun) {
    let device = backend::cpu().autodiff();
    device.seed(5);
    let backbone = ResnetConfig::from_settings(&small_network()).init(&device);
    let run = TransferRun::new(
        settings,
        &backbone,
        &small_network(),
        &bars(60, 1),
        bars(30, 2),
        3,
        device,
    )
    .expect("valid settings");
    (backbone, run)
}

#[test]
fn every_parameter_belongs_to_a_layer_and_the_counts_add_up() {
    let network = ResnetSettings::default();
    let model = ResnetConfig::from_settings(&network).init(&backend::cpu());
    let blocks = block_count(&network);
    for (path, _, _) in tensors(&model) {
        assert!(layer_of(&path, blocks).is_some(), "{path}");
    }
    assert!(
        tensors(&model)
            .iter()
            .any(|(p, _, _)| p == "blocks.2.first.conv.weight")
    );
    let counts = layer_parameters(&model, blocks);
    assert_eq!(counts.len(), blocks + 2);
    assert_eq!(counts.iter().sum::<u64>(), network.parameter_count());
    assert_eq!(counts[blocks + 1], 64 * 10 + 10);
}

#[test]
fn freezing_leaves_the_backbone_bit_identical() {
    let _seeded = SEEDED.lock().unwrap();
    let settings = TransferSettings {
        steps: 6,
        batch: 8,
        head_first: 0.5,
        ..TransferSettings::default()
    };
    let (backbone, mut run) = run(settings);
    let before = snapshot(&backbone);
    // Three steps of every arm: the last-block arm is still in its head-only phase.
    pollster::block_on(run.train_chunk(12, f64::INFINITY));
    let backbone_part = |snapshot: Vec<(String, Vec<u32>)>| -> Vec<(String, Vec<u32>)> {
        snapshot
            .into_iter()
            .filter(|(p, _)| !p.starts_with("head."))
            .collect()
    };
    for arm in [Arm::Extract, Arm::LastBlock] {
        let after = snapshot(run.arm(arm).model());
        assert_eq!(
            backbone_part(after.clone()),
            backbone_part(before.clone()),
            "{arm:?}: the backbone (running statistics too) is bit-identical"
        );
        let head = |s: &[(String, Vec<u32>)]| s.iter().find(|(p, _)| p == "head.weight").cloned();
        assert_ne!(head(&after), None);
    }
    // The whole run: after unfreezing, only the last block's convolutions change.
    pollster::block_on(run.train_chunk(100, f64::INFINITY));
    assert!(run.is_finished());
    let after = snapshot(run.arm(Arm::LastBlock).model());
    for ((path, old), (_, new)) in before.iter().zip(&after) {
        let changes = old != new;
        let should =
            path.starts_with("head.") || (path.starts_with("blocks.2.") && path.contains("conv"));
        assert_eq!(changes, should, "{path}");
    }
    // Everything: every convolution changes; the batch norms stay as the backbone had them.
    let after = snapshot(run.arm(Arm::Everything).model());
    for ((path, old), (_, new)) in before.iter().zip(&after) {
        if path.contains("norm") {
            assert_eq!(old, new, "{path}");
        } else if path.contains("conv") {
            assert_ne!(old, new, "{path}");
        }
    }
}

#[test]
fn the_backbone_learns_at_its_share_of_the_heads_rate() {
    let _seeded = SEEDED.lock().unwrap();
    let settings = TransferSettings {
        steps: 1,
        batch: 8,
        learning_rate: 0.01,
        backbone_multiplier: 0.1,
        ..TransferSettings::default()
    };
    // The rate each path gets.
    let rates = learning_rates(Arm::Everything, &settings);
    let id = kindling_engine::burn::module::ParamId::new();
    assert_eq!(rates.lr_from_param(id, Some("head.weight")), 0.01);
    assert!((rates.lr_from_param(id, Some("blocks.0.first.conv.weight")) - 0.001).abs() < 1e-12);
    assert!((rates.lr_from_param(id, Some("stem.conv.weight")) - 0.001).abs() < 1e-12);
    let plain = learning_rates(Arm::Extract, &settings);
    assert_eq!(plain.lr_from_param(id, Some("stem.conv.weight")), 0.01);

    // Adam's first step moves each weight by almost exactly its learning rate (m / √v = ±1
    // where the gradient is far above ε): the largest change per tensor shows the rate it got.
    let (backbone, mut run) = run(settings);
    let before = snapshot(&backbone);
    pollster::block_on(run.train_chunk(4, f64::INFINITY));
    let after = snapshot(run.arm(Arm::Everything).model());
    for ((path, old), (_, new)) in before.iter().zip(&after) {
        if path.starts_with("head.") || is_running_statistic(path) || path.contains("norm") {
            continue;
        }
        let largest = old
            .iter()
            .zip(new)
            .map(|(a, b)| (f32::from_bits(*a) - f32::from_bits(*b)).abs())
            .fold(0.0f32, f32::max);
        assert!(
            (largest - 0.001).abs() < 1e-4,
            "{path}: moved by {largest}, expected the backbone's 0.001"
        );
    }
    let head = |s: &[(String, Vec<u32>)]| {
        s.iter()
            .find(|(p, _)| p == "head.weight")
            .map(|(_, v)| v.clone())
            .unwrap()
    };
    let old_head = snapshot(run.arm(Arm::Scratch).model()); // any model: only used for shape
    assert_eq!(head(&old_head).len(), head(&after).len());
}

#[test]
fn the_worked_example_shows_gradients_only_where_an_arm_trains() {
    let _seeded = SEEDED.lock().unwrap();
    let (_, run) = run(TransferSettings {
        steps: 2,
        batch: 8,
        ..TransferSettings::default()
    });
    let device = backend::cpu().autodiff();
    let blocks = 3;
    let test = run.test_set().clone();
    let extract = pollster::block_on(worked_example(
        Arm::Extract,
        run.arm(Arm::Extract).model(),
        blocks,
        &test,
        4,
        &device,
    ))
    .unwrap();
    assert_eq!(extract.features.len(), 64);
    assert_eq!(extract.logits.len(), 3);
    let sum: f32 = extract.probabilities.iter().sum();
    assert!((sum - 1.0).abs() < 1e-5);
    let label = extract.label as usize;
    assert!((extract.loss + extract.probabilities[label].ln()).abs() < 1e-4);
    // ∂loss/∂bias = p − one-hot(label).
    for (i, (g, p)) in extract
        .head_bias_gradient
        .iter()
        .zip(&extract.probabilities)
        .enumerate()
    {
        let expected = p - if i == label { 1.0 } else { 0.0 };
        assert!((g - expected).abs() < 1e-5, "{g} vs {expected}");
    }
    let trains: Vec<bool> = extract.layers.iter().map(|l| l.trains).collect();
    assert_eq!(trains, [false, false, false, false, true]);
    assert!(extract.layers[..4].iter().all(|l| l.norm == 0.0));
    assert!(extract.layers[4].norm > 0.0);
    let everything = pollster::block_on(worked_example(
        Arm::Everything,
        run.arm(Arm::Everything).model(),
        blocks,
        &test,
        4,
        &device,
    ))
    .unwrap();
    assert!(everything.layers.iter().all(|l| l.trains && l.norm > 0.0));
    assert!(
        pollster::block_on(worked_example(
            Arm::Extract,
            run.arm(Arm::Extract).model(),
            blocks,
            &test,
            1000,
            &device
        ))
        .is_none()
    );
    let map = pollster::block_on(feature_map(
        run.arm(Arm::Extract).model(),
        &test,
        20,
        &device,
    ));
    assert_eq!(map.points.len(), 20);
    assert!(map.explained > 0.0 && map.explained <= 1.0 + 1e-6);
    let kernels = pollster::block_on(filters(run.arm(Arm::Extract).model()));
    assert_eq!((kernels.side, kernels.kernels.len()), (3, 16));
}

/// The bar: digits 5–9 with 10 labels per class and the default settings (30 steps of
/// 32 images, learning rate 0.01, seed 1), from the shipped backbone trained on digits 0–4:
/// feature extraction beats training from scratch by at least 15 points, and the better
/// fine-tuning arm is at least as good as feature extraction.
///
/// Measured on 2026-12-01 (engine/examples/transfer_table.rs, seed 1, 10 labels per class):
///
/// | steps | lr    | scratch | extract | last block | everything |
/// |-------|-------|---------|---------|------------|------------|
/// | 20    | 0.003 | 34.1 %  | 63.0 %  | 78.4 %     | 74.4 %     |
/// | 20    | 0.01  | 46.7 %  | 77.4 %  | 42.2 %     | 77.9 %     |
/// | 30    | 0.003 | 55.3 %  | 72.1 %  | 87.2 %     | 78.9 %     |
/// | 30    | 0.01  | 43.8 %  | 79.7 %  | 78.0 %     | 86.3 %     |
/// | 40    | 0.003 | 69.0 %  | 76.9 %  | 86.2 %     | 86.7 %     |
/// | 40    | 0.01  | 70.2 %  | 80.8 %  | 81.1 %     | 88.1 %     |
/// | 120   | 0.003 | 77.9 %  | 80.0 %  | 92.3 %     | 90.8 %     |
/// | 120   | 0.01  | 81.9 %  | 82.6 %  | 89.2 %     | 90.9 %     |
///
/// With 120 steps scratch catches up (50 images seen 77 times each); the bar holds at the small
/// budget the lesson starts with. Other seeds at the defaults: seed 2 scratch 44.3 %, extract
/// 77.6 %, everything 82.2 %; seed 3 59.0 %, 81.9 %, 90.4 %; seed 4 70.7 %, 80.7 %, 81.8 % (a
/// gap of 10 points only: with 10 labels a class the pick of examples matters).
#[test]
fn with_ten_labels_per_class_feature_extraction_beats_scratch() {
    let _seeded = SEEDED.lock().unwrap();
    let (train, test) = transfer_common::load_target(Target::Digits);
    let device = backend::cpu().autodiff();
    let (backbone, network) = transfer_common::shipped_backbone(&device);
    let settings = TransferSettings::default();
    assert_eq!(
        (settings.labels_per_class, settings.target),
        (10, Target::Digits)
    );
    let mut run = TransferRun::new(
        settings,
        &backbone,
        &network,
        &train,
        test,
        Target::Digits.classes(),
        device,
    )
    .unwrap();
    while !run.is_finished() {
        pollster::block_on(run.train_chunk(1000, f64::INFINITY));
    }
    let results = pollster::block_on(run.results());
    let accuracy = |arm: Arm| results[arm.index()].accuracy * 100.0;
    eprintln!(
        "10 labels per class: scratch {:.1} %, extract {:.1} %, last block {:.1} %, everything {:.1} %",
        accuracy(Arm::Scratch),
        accuracy(Arm::Extract),
        accuracy(Arm::LastBlock),
        accuracy(Arm::Everything)
    );
    assert!(
        accuracy(Arm::Extract) >= accuracy(Arm::Scratch) + 15.0,
        "{results:?}"
    );
    let best_fine_tune = accuracy(Arm::LastBlock).max(accuracy(Arm::Everything));
    assert!(best_fine_tune >= accuracy(Arm::Extract), "{results:?}");
}

/// Fashion-MNIST as the target: the shipped digits backbone gets a ten-class head, and the four
/// arms each run their steps on a small labelled sample and are measured on a few test images.
#[test]
fn the_four_arms_train_on_a_small_fashion_sample() {
    let _seeded = SEEDED.lock().unwrap();
    let (train, test) = transfer_common::load_target(Target::Fashion);
    let device = backend::cpu().autodiff();
    let (backbone, network) = transfer_common::shipped_backbone(&device);
    let settings = TransferSettings {
        target: Target::Fashion,
        labels_per_class: 5,
        steps: 4,
        batch: 10,
        ..TransferSettings::default()
    };
    let mut run = TransferRun::new(
        settings,
        &backbone,
        &network,
        &train,
        test.take(200),
        Target::Fashion.classes(),
        device.clone(),
    )
    .unwrap();
    assert_eq!(run.train_set().len(), 50);
    let mut classes: Vec<u8> = run.train_set().labels.clone();
    classes.sort();
    classes.dedup();
    assert_eq!(classes, (0..10).collect::<Vec<u8>>());
    while !run.is_finished() {
        pollster::block_on(run.train_chunk(100, f64::INFINITY));
    }
    let results = pollster::block_on(run.results());
    assert_eq!(results.len(), 4);
    for (result, arm) in results.iter().zip(Arm::ALL) {
        assert_eq!((result.arm, result.steps), (arm, 4));
        assert!(result.loss.is_finite() && (0.0..=1.0).contains(&result.accuracy));
        let example = pollster::block_on(worked_example(
            arm,
            run.arm(arm).model(),
            block_count(&network),
            run.test_set(),
            0,
            &device,
        ))
        .unwrap();
        assert_eq!(example.probabilities.len(), 10, "{arm:?}");
    }
}
