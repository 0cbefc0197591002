//! A CNN run's checkpoint (the network as a model file and the optimiser's state, read
//! asynchronously as on WebGPU): taken mid-epoch, carried as a worker message, and resumed, it
//! goes on exactly as the uninterrupted run.

use kindling_engine::backend;
use kindling_engine::common::optimizer::OptimizerKind;
use kindling_engine::lessons::cnn::config::CnnSettings;
use kindling_engine::lessons::cnn::resume::{CnnCheckpoint, ResumeError};
use kindling_engine::lessons::cnn::training::CnnTrainer;
use kindling_engine::protocol;

mod common;

use common::{SEEDED, bars};

/// Adam (state per parameter) and dropout (random masks) are what a checkpoint must carry or
/// reproduce; 600 images in batches of 16 are 37 steps an epoch.
fn settings() -> CnnSettings {
    CnnSettings {
        batch_size: 16,
        epochs: 2,
        optimizer: OptimizerKind::Adam,
        learning_rate: 0.002,
        dropout: 0.25,
        seed: 5,
        ..CnnSettings::default()
    }
}

fn fresh() -> CnnTrainer {
    CnnTrainer::new(settings(), bars(600, 1), bars(60, 2), backend::cpu()).expect("valid settings")
}

fn resumed(checkpoint: &CnnCheckpoint) -> Result<CnnTrainer, ResumeError> {
    CnnTrainer::resume(checkpoint, bars(600, 1), bars(60, 2), backend::cpu())
}

/// The batch loss of each of the next `steps` steps.
fn step_losses(trainer: &mut CnnTrainer, steps: usize) -> Vec<f32> {
    (0..steps)
        .map(|_| {
            assert_eq!(pollster::block_on(trainer.train_chunk(1, f64::INFINITY)), 1);
            trainer.progress().batch_loss
        })
        .collect()
}

fn take(trainer: &CnnTrainer, test_accuracy: Option<f32>) -> CnnCheckpoint {
    pollster::block_on(trainer.checkpoint(test_accuracy)).expect("the device reads")
}

fn model_file(trainer: &CnnTrainer) -> Vec<u8> {
    let bytes = pollster::block_on(trainer.export(None));
    assert!(!bytes.is_empty());
    bytes
}

#[test]
fn a_resumed_run_takes_the_steps_the_uninterrupted_run_takes() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let mut first = fresh();
    pollster::block_on(first.train_chunk(20, f64::INFINITY));
    let taken = take(&first, Some(0.5));
    assert_eq!((taken.step, taken.settings.clone()), (20, settings()));
    assert!(!taken.model.is_empty() && !taken.optimizer.is_empty());
    // It crosses to the page and back as a worker message.
    let checkpoint: CnnCheckpoint =
        protocol::decode(&protocol::encode(&taken).unwrap()).expect("round trip");
    assert_eq!(checkpoint, taken);

    // The uninterrupted run, over the end of the first epoch (step 37) into the second.
    let expected = step_losses(&mut first, 30);

    let mut second = resumed(&checkpoint).expect("resumes");
    assert_eq!(second.step_count(), 20);
    let progress = second.progress();
    assert_eq!(
        (progress.elapsed_ms, progress.batch_loss),
        (checkpoint.elapsed_ms, checkpoint.batch_loss)
    );
    assert!(checkpoint.batch_loss.is_finite());
    let again = take(&second, Some(0.5));
    assert_eq!(again.model, checkpoint.model, "the same weights");
    assert_eq!(step_losses(&mut second, 30), expected);
    assert_eq!(
        model_file(&second),
        model_file(&first),
        "the same weights after"
    );

    // Without the optimiser's state (a fresh Adam) the same weights take other steps: the state
    // is what made them equal.
    let forgetful = CnnCheckpoint {
        optimizer: pollster::block_on(fresh().checkpoint(None))
            .unwrap()
            .optimizer,
        ..checkpoint.clone()
    };
    let mut third = resumed(&forgetful).expect("resumes");
    assert_ne!(step_losses(&mut third, 30), expected);
}

#[test]
fn a_damaged_or_foreign_checkpoint_is_refused_not_a_panic() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let mut trainer = fresh();
    pollster::block_on(trainer.train_chunk(3, f64::INFINITY));
    let good = take(&trainer, None);
    let unreadable = |result: Result<CnnTrainer, ResumeError>| {
        matches!(result, Err(ResumeError::Unreadable { .. }))
    };

    let cut = CnnCheckpoint {
        model: good.model[..good.model.len() / 2].to_vec(),
        ..good.clone()
    };
    assert!(unreadable(resumed(&cut)));
    let junk = CnnCheckpoint {
        optimizer: b"not an optimiser's state".to_vec(),
        ..good.clone()
    };
    assert!(unreadable(resumed(&junk)));
    // Momentum's state is not Adam's.
    let other_rule = CnnCheckpoint {
        settings: CnnSettings {
            optimizer: OptimizerKind::Momentum,
            ..good.settings.clone()
        },
        ..good.clone()
    };
    assert!(unreadable(resumed(&other_rule)));
    // A network of another shape does not take these weights.
    let wider = CnnCheckpoint {
        settings: CnnSettings {
            dense: good.settings.dense * 2,
            ..good.settings.clone()
        },
        ..good.clone()
    };
    assert!(unreadable(resumed(&wider)));
    let beyond = CnnCheckpoint {
        step: 10_000,
        ..good.clone()
    };
    assert_eq!(
        resumed(&beyond).err(),
        Some(ResumeError::BadStep { step: 10_000 })
    );
    assert!(resumed(&good).is_ok());
}
