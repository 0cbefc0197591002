//! The default CNN on real MNIST (the files `cargo xtask data` makes), on the CPU backend: a short
//! fixed-seed run on the first 6 000 training images must pass a stated accuracy on 1 000 test
//! images it never saw.

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

#[test]
fn default_cnn_learns_real_digits_from_six_thousand_images() {
    let train = load("train").take(6_000);
    let test = load("test").take(1_000);
    // One epoch of the default network (Adam, learning rate 0.001, seed 1) at batch 16: 375 steps.
    let settings = CnnSettings {
        batch_size: 16,
        epochs: 1,
        ..CnnSettings::default()
    };
    let mut trainer = CnnTrainer::new(settings, train, test, backend::cpu()).unwrap();
    let before = pollster::block_on(trainer.evaluate(None));
    let started = Instant::now();
    assert_eq!(
        pollster::block_on(trainer.train_chunk(u64::MAX, f64::INFINITY)),
        375
    );
    let seconds = started.elapsed().as_secs_f64();
    let after = pollster::block_on(trainer.evaluate(None));
    println!(
        "6 000 MNIST images, 1 epoch, batch 16: accuracy {:.3} → {:.3}, loss {:.3} → {:.3}, {:.1} ms/step",
        before.accuracy,
        after.accuracy,
        before.loss,
        after.loss,
        seconds * 1000.0 / 375.0
    );
    assert!(
        before.accuracy < 0.3,
        "an untrained network guesses: {}",
        before.accuracy
    );
    assert!(
        after.accuracy >= 0.90,
        "stated accuracy: at least 90 % on 1 000 unseen test images, got {}",
        after.accuracy
    );
    assert_eq!(after.count, 1_000);
}
