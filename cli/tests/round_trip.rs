//! The browser's code path (the engine's `CnnTrainer`, as the worker drives it) and the native
//! program (burn-train through `kindling`) train the same network and read each other's files.
//!
//! One test: both trainers seed burn's CPU generator, which is global, so nothing else may
//! initialise a network while they do.

use std::sync::Arc;

use kindling_cli::args::Schedule;
use kindling_cli::data::{self, Mnist};
use kindling_cli::evaluate::evaluate;
use kindling_cli::files::{self, Model};
use kindling_cli::fit::{FIRST_LOSSES, Plan};
use kindling_cli::run::train;
use kindling_engine::backend;
use kindling_engine::common::model_file::Precision;
use kindling_engine::lessons::cnn::CnnSettings;
use kindling_engine::lessons::cnn::model::CnnConfig;
use kindling_engine::lessons::cnn::training::CnnTrainer;
use pollster::block_on;

fn subset() -> Mnist {
    let mnist = Mnist::load(&data::folder(None)).expect("MNIST (run `cargo xtask data`)");
    Mnist {
        train: mnist.train.take(2_000),
        test: mnist.test.take(500),
        manifest: mnist.manifest,
    }
}

fn argmax(values: &[f32]) -> u8 {
    let mut best = 0;
    for (i, v) in values.iter().enumerate() {
        if *v > values[best] {
            best = i;
        }
    }
    best as u8
}

/// One epoch of `settings`' training, on the CPU backend, after `steps_before` steps.
fn one_epoch(settings: &CnnSettings, steps_before: u64) -> Plan {
    Plan {
        epochs: 1,
        batch: settings.batch_size,
        seed: settings.seed,
        optimizer: settings.optimizer,
        learning_rate: settings.learning_rate,
        schedule: Schedule::Constant,
        devices: vec![backend::cpu()],
        ddp: false,
        artifacts: std::env::temp_dir().join(format!("kindling-round-trip-{}", std::process::id())),
        resume: None,
        steps_before,
        checkpoints: false,
        first_losses_only: false,
    }
}

#[test]
fn browser_and_native_train_alike_and_read_each_others_files() {
    let mnist = subset();
    let settings = CnnSettings {
        epochs: 1,
        ..CnnSettings::default()
    };

    // The browser's path: the lesson's trainer, one step a chunk as the worker would run them.
    let mut trainer = CnnTrainer::new(
        settings.clone(),
        mnist.train.clone(),
        mnist.test.clone(),
        backend::cpu(),
    )
    .expect("the default settings train");
    let mut browser_losses = Vec::new();
    for _ in 0..FIRST_LOSSES {
        block_on(trainer.train_chunk(1, f64::INFINITY));
        browser_losses.push(trainer.progress().batch_loss);
    }
    while !trainer.is_finished() {
        block_on(trainer.train_chunk(1_000, f64::INFINITY));
    }
    let browser = block_on(trainer.evaluate(None));
    let browser_file = block_on(trainer.export(Some(browser.accuracy)));

    // The browser's file evaluates natively, with the same accuracy.
    let device = backend::cpu().inner();
    let Ok(Model::Cnn { card, net }) = files::load(&browser_file, &device) else {
        panic!("the browser's file is not read as a CNN");
    };
    assert_eq!(card.steps, trainer.step_count());
    let native = evaluate(&net, Arc::new(mnist.test.clone()), &device).unwrap();
    assert_eq!(native.count, 500);
    assert_eq!(native.accuracy, browser.accuracy);
    assert!(native.accuracy > 0.8, "{}", native.accuracy);

    // The browser's file keeps training natively (`kindling train cnn --from`).
    let more = train(
        |device| match files::load(&browser_file, device)? {
            Model::Cnn { net, .. } => Ok(net),
            Model::Resnet { .. } => Err("not a CNN".to_string()),
        },
        settings.seed,
        mnist.train.clone(),
        mnist.test.clone(),
        one_epoch(&settings, card.steps),
    )
    .expect("training continues");
    assert_eq!(more.fitted.steps, 2 * trainer.step_count());
    assert!(
        more.evaluation.accuracy >= native.accuracy - 0.02,
        "{} after a second epoch, {} after the first",
        more.evaluation.accuracy,
        native.accuracy
    );

    // burn-train on the same settings: the same initial weights and batches, so the same first
    // losses as the browser's trainer.
    let plan = one_epoch(&settings, 0);
    let run = train(
        |device| Ok(CnnConfig::from_settings(&settings, 28, 28).init(device)),
        settings.seed,
        mnist.train.clone(),
        mnist.test.clone(),
        plan,
    )
    .expect("native training");
    assert_eq!(run.fitted.steps, trainer.step_count());
    assert_eq!(run.fitted.first_losses, browser_losses);

    // The native file loads through the browser's load path and predicts as natively.
    let native_file = run.save(&settings, Precision::F32, None).expect("saved");
    let (loaded, card) = CnnTrainer::from_checkpoint(
        &native_file,
        mnist.train.clone(),
        mnist.test.clone(),
        backend::cpu(),
    )
    .expect("the browser loads a native file");
    assert_eq!(card.test_accuracy, Some(run.evaluation.accuracy));
    assert_eq!(card.settings, settings);
    for (i, &predicted) in run.evaluation.predictions.iter().enumerate().take(100) {
        let pixels: Vec<f32> = mnist
            .test
            .image(i)
            .iter()
            .map(|&p| p as f32 / 255.0)
            .collect();
        let probabilities = block_on(loaded.predict(&pixels));
        assert_eq!(argmax(&probabilities), predicted, "test image {i}");
    }
    assert_eq!(
        block_on(loaded.evaluate(None)).accuracy,
        run.evaluation.accuracy
    );
}
