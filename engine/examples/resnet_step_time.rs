//! How long one training step of the default residual network takes natively on the CPU backend
//! (Adam, cross-entropy, random 28 × 28 images), at batch 64 and 128:
//! `cargo run --release -p kindling-engine --example resnet_step_time [-- steps]`.

use std::time::Instant;

use kindling_engine::backend;
use kindling_engine::burn::nn::loss::CrossEntropyLossConfig;
use kindling_engine::common::optimizer::OptimizerKind;
use kindling_engine::common::read::read_scalar;
use kindling_engine::common::stepper::{Rule, Stepper};
use kindling_engine::datasets::mnist::{Images, batch};
use kindling_engine::models::resnet::ResnetSettings;
use kindling_engine::models::resnet::model::ResnetConfig;
use kindling_engine::rng::Rng;

fn main() {
    let steps: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let settings = ResnetSettings::default();
    println!(
        "default resnet: {} parameters (+ {} running statistics)",
        settings.parameter_count(),
        settings.running_values()
    );
    let device = backend::cpu();
    let mut rng = Rng::new(1);
    let count = 128;
    let images = Images {
        rows: 28,
        cols: 28,
        pixels: (0..count * 784).map(|_| rng.below(256) as u8).collect(),
        labels: (0..count).map(|_| rng.below(10) as u8).collect(),
    };
    let loss = CrossEntropyLossConfig::new().init(&device);
    for size in [64, 128] {
        let mut model = ResnetConfig::from_settings(&settings).init(&device);
        let mut adam = Stepper::new(Rule::of(OptimizerKind::Adam));
        let mut run = |n: usize| {
            for _ in 0..n {
                let (x, y) = batch(&images, 0..size, &device);
                let value = loss.forward(model.forward(x), y);
                model = adam.step(1e-3, model.clone(), &value);
                // Wait for the step, as a training loop that reads its loss does.
                pollster::block_on(read_scalar(value));
            }
        };
        run(2);
        let started = Instant::now();
        run(steps);
        let ms = started.elapsed().as_secs_f64() * 1000.0 / steps as f64;
        println!(
            "batch {size}: {ms:.0} ms a step, {:.0} s an epoch of 60 000 images",
            ms * (60_000 / size) as f64 / 1000.0
        );
    }
}
