//! The default residual network trained natively on MNIST (CPU backend, Adam, batches of 64, the
//! learning rate decaying to 0 along a cosine over the run), printing the test accuracy after
//! every epoch: `cargo run --release -p xtask --example resnet_epochs [-- epochs [digits
//! [learning_rate]]]`, `digits` such as `01234` for a subset (`all` for all ten). Needs `cargo
//! xtask data` first. The native program trains the shipped models; this checks the
//! architecture.

use std::path::PathBuf;
use std::time::Instant;

use kindling_engine::backend;
use kindling_engine::burn::module::Module;
use kindling_engine::burn::nn::loss::CrossEntropyLossConfig;
use kindling_engine::common::optimizer::OptimizerKind;
use kindling_engine::common::read::{read_floats, read_scalar};
use kindling_engine::common::stepper::{Rule, Stepper};
use kindling_engine::datasets::mnist::{Images, batch};
use kindling_engine::models::resnet::ResnetSettings;
use kindling_engine::models::resnet::model::{Resnet, ResnetConfig};
use kindling_engine::rng::Rng;

const BATCH: usize = 64;

fn load(split: &str, classes: &[u8]) -> Images {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../static/mnist");
    xtask::data::load_converted(&dir, split)
        .expect("MNIST converted by `cargo xtask data`")
        .with_classes(classes)
}

fn accuracy(model: &Resnet, test: &Images, classes: usize) -> f64 {
    let model = model.valid();
    let device = backend::cpu();
    let mut correct = 0;
    for start in (0..test.len()).step_by(500) {
        let end = (start + 500).min(test.len());
        let (x, _) = batch(test, start..end, &device);
        let logits = pollster::block_on(read_floats(model.forward(x.without_autodiff())));
        for (row, &label) in logits.chunks(classes).zip(&test.labels[start..end]) {
            let best = (0..classes)
                .max_by(|&a, &b| row[a].total_cmp(&row[b]))
                .unwrap_or(0);
            correct += usize::from(best == label as usize);
        }
    }
    correct as f64 / test.len() as f64
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let epochs: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(2);
    let classes: Vec<u8> = match args.get(1).map(String::as_str) {
        Some(digits) if digits != "all" => digits.bytes().map(|b| b - b'0').collect(),
        _ => (0..10).collect(),
    };
    let peak: f64 = args.get(2).and_then(|a| a.parse().ok()).unwrap_or(2e-3);
    let (train, test) = (load("train", &classes), load("test", &classes));
    let settings = ResnetSettings {
        classes: classes.len(),
        ..ResnetSettings::default()
    };
    println!(
        "{settings:?}: {} parameters, {} train / {} test images",
        settings.parameter_count(),
        train.len(),
        test.len()
    );
    let device = backend::cpu();
    device.seed(1);
    let mut model = ResnetConfig::from_settings(&settings).init(&device);
    let mut adam = Stepper::new(Rule::of(OptimizerKind::Adam));
    let loss = CrossEntropyLossConfig::new().init(&device);
    let mut rng = Rng::new(2);
    let mut order: Vec<usize> = (0..train.len()).collect();
    let started = Instant::now();
    let total = (epochs * (train.len() / BATCH)) as f64;
    let mut done = 0.0;
    for epoch in 1..=epochs {
        rng.shuffle(&mut order);
        for (step, indices) in order.chunks_exact(BATCH).enumerate() {
            let (x, y) = batch(&train, indices.iter().copied(), &device);
            let value = loss.forward(model.forward(x), y);
            let rate = peak * 0.5 * (1.0 + (std::f64::consts::PI * done / total).cos());
            done += 1.0;
            model = adam.step(rate, model, &value);
            if step % 200 == 0 {
                let value = pollster::block_on(read_scalar(value));
                println!(
                    "epoch {epoch} step {step}: loss {value:.4}, {:.0} s",
                    started.elapsed().as_secs_f64()
                );
            }
        }
        println!(
            "epoch {epoch}: test accuracy {:.4}, {:.0} s",
            accuracy(&model, &test, classes.len()),
            started.elapsed().as_secs_f64()
        );
    }
}
