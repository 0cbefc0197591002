//! The default CNN's whole run on MNIST natively (CPU backend), printing the test accuracy on all
//! 10 000 test images after every epoch: `cargo run --release -p xtask --example cnn_two_epochs
//! [-- batch lr dense filters1 filters2]`, with the seed from `SEED` (default: the lesson's).
//! Needs `cargo xtask data` first.

use std::path::PathBuf;
use std::time::Instant;

use kindling_engine::backend;
use kindling_engine::datasets::mnist::Images;
use kindling_engine::lessons::cnn::config::CnnSettings;
use kindling_engine::lessons::cnn::training::CnnTrainer;

fn load(split: &str) -> Images {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../static/mnist");
    xtask::data::load_converted(&dir, split).expect("MNIST converted by `cargo xtask data`")
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let mut settings = CnnSettings::default();
    if let Some(batch) = args.first().and_then(|a| a.parse().ok()) {
        settings.batch_size = batch;
    }
    if let Some(lr) = args.get(1).and_then(|a| a.parse().ok()) {
        settings.learning_rate = lr;
    }
    if let Some(dense) = args.get(2).and_then(|a| a.parse().ok()) {
        settings.dense = dense;
    }
    for (block, arg) in settings.blocks.iter_mut().zip(args.iter().skip(3)) {
        if let Ok(filters) = arg.parse() {
            block.filters = filters;
        }
    }
    if let Some(seed) = std::env::var("SEED").ok().and_then(|s| s.parse().ok()) {
        settings.seed = seed;
    }
    println!("{settings:?}");
    let mut trainer =
        CnnTrainer::new(settings, load("train"), load("test"), backend::cpu()).unwrap();
    let started = Instant::now();
    while !trainer.is_finished() {
        let epoch = trainer.epoch();
        pollster::block_on(trainer.train_chunk(trainer.steps_per_epoch(), f64::INFINITY));
        if trainer.epoch() > epoch {
            let evaluation = pollster::block_on(trainer.evaluate(None));
            println!(
                "epoch {}: test accuracy {:.4}, loss {:.4}, {:.0} s",
                trainer.epoch(),
                evaluation.accuracy,
                evaluation.loss,
                started.elapsed().as_secs_f64()
            );
        }
    }
}
