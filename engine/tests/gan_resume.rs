//! A digit GAN run's checkpoint (both networks' weights and both optimisers' state, read
//! asynchronously as on WebGPU, the iteration count and the random numbers' position): taken mid-run, carried as a worker message,
//! and resumed, it goes on exactly as the uninterrupted run.

mod common;

use std::sync::Arc;

use common::{SEEDED, bars};
use kindling_engine::backend;
use kindling_engine::burn::module::Module;
use kindling_engine::common::model_file::{parameters, read_weights};
use kindling_engine::lessons::gan::digits::{DigitModel, DigitSettings};
use kindling_engine::lessons::gan::digits_resume::{DigitCheckpoint, ResumeError};
use kindling_engine::lessons::gan::digits_training::DigitTrainer;
use kindling_engine::protocol;

fn settings(model: DigitModel) -> DigitSettings {
    DigitSettings {
        model,
        batch_size: 8,
        latent: 8,
        seed: 3,
        ..DigitSettings::default()
    }
}

fn images() -> Arc<kindling_engine::datasets::mnist::Images> {
    Arc::new(bars(64, 3))
}

fn fresh(model: DigitModel) -> DigitTrainer {
    DigitTrainer::new(settings(model), images(), backend::cpu()).expect("valid settings")
}

fn resumed(checkpoint: &DigitCheckpoint) -> Result<DigitTrainer, ResumeError> {
    DigitTrainer::resume(checkpoint, images(), backend::cpu())
}

fn checkpoint(trainer: &DigitTrainer) -> DigitCheckpoint {
    pollster::block_on(trainer.checkpoint()).expect("the device reads")
}

/// The trained weights of `model`: every float tensor but batch norms' running statistics (which
/// burn keeps aside until synced; the grid shows they come back).
fn weights<M: Module>(model: &M) -> Vec<f32> {
    let values = pollster::block_on(read_weights(model)).expect("the CPU reads");
    let mut rest = values.as_slice();
    let mut kept = Vec::new();
    for p in parameters(model) {
        let (head, tail) = rest.split_at(p.shape.iter().product());
        if !p.name.contains("running_") {
            kept.extend_from_slice(head);
        }
        rest = tail;
    }
    kept
}

/// D's and G's losses of each of the next `iterations` iterations.
fn losses(trainer: &mut DigitTrainer, iterations: usize) -> Vec<(f32, f32)> {
    (0..iterations)
        .map(|_| {
            assert_eq!(pollster::block_on(trainer.train_chunk(1, f64::INFINITY)), 1);
            let progress = pollster::block_on(trainer.progress());
            (progress.d_loss, progress.g_loss)
        })
        .collect()
}

#[test]
fn a_resumed_run_takes_the_iterations_the_uninterrupted_run_takes() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    // The DCGAN has batch norms (running statistics); both pairs train with Adam.
    for model in [DigitModel::Dcgan, DigitModel::Mlp] {
        let mut first = fresh(model);
        pollster::block_on(first.train_chunk(6, f64::INFINITY));
        let taken = checkpoint(&first);
        let (generator, discriminator) =
            (weights(first.generator()), weights(first.discriminator()));
        assert_eq!(
            (taken.iterations, taken.settings.clone()),
            (6, settings(model))
        );
        assert!(taken.rng_draws > 0 && taken.d_loss.is_finite() && taken.g_loss.is_finite());
        // It crosses to the page and back as a worker message.
        let carried: DigitCheckpoint =
            protocol::decode(&protocol::encode(&taken).unwrap()).expect("round trip");
        assert_eq!(carried, taken);

        let expected = losses(&mut first, 5);
        let grid = pollster::block_on(first.grid());

        let mut second = resumed(&carried).expect("resumes");
        assert_eq!(second.iterations(), 6);
        let progress = pollster::block_on(second.progress());
        assert_eq!(
            (progress.d_loss, progress.g_loss, progress.elapsed_ms),
            (taken.d_loss, taken.g_loss, taken.elapsed_ms),
            "{model:?}: the numbers the page shows at the checkpoint"
        );
        // The same weights and, on the next iterations, the same steps.
        assert!(weights(second.generator()) == generator, "{model:?}");
        assert!(
            weights(second.discriminator()) == discriminator,
            "{model:?}"
        );
        assert_eq!(losses(&mut second, 5), expected, "{model:?}");
        assert_eq!(
            pollster::block_on(second.grid()),
            grid,
            "{model:?}: the same G after"
        );

        // Without the optimisers' state (fresh Adams) the same weights take other steps.
        let blank = checkpoint(&fresh(model));
        let forgetful = DigitCheckpoint {
            g_optimizer: blank.g_optimizer,
            d_optimizer: blank.d_optimizer,
            ..taken.clone()
        };
        assert_ne!(losses(&mut resumed(&forgetful).unwrap(), 5), expected);
        // Drawing from the seed again (other batches and noise) also takes other steps.
        let replayed = DigitCheckpoint {
            iterations: 0,
            rng_draws: 0,
            ..taken.clone()
        };
        assert_ne!(losses(&mut resumed(&replayed).unwrap(), 5), expected);
    }
}

#[test]
fn a_damaged_foreign_or_impossible_checkpoint_is_refused_not_a_panic() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let mut trainer = fresh(DigitModel::Mlp);
    pollster::block_on(trainer.train_chunk(2, f64::INFINITY));
    let good = checkpoint(&trainer);
    let unreadable = |result: Result<DigitTrainer, ResumeError>| {
        matches!(result, Err(ResumeError::Unreadable { .. }))
    };

    let cut = DigitCheckpoint {
        generator: good.generator[..good.generator.len() / 2].to_vec(),
        ..good.clone()
    };
    assert!(unreadable(resumed(&cut)));
    let junk = DigitCheckpoint {
        d_optimizer: b"not a burnpack record".to_vec(),
        ..good.clone()
    };
    assert!(unreadable(resumed(&junk)));
    // The networks swapped: G's record does not fit D.
    let swapped = DigitCheckpoint {
        generator: good.discriminator.clone(),
        discriminator: good.generator.clone(),
        ..good.clone()
    };
    assert!(unreadable(resumed(&swapped)));
    // Another pair of networks (the DCGAN's) does not take the MLP's weights.
    let foreign = DigitCheckpoint {
        settings: settings(DigitModel::Dcgan),
        ..good.clone()
    };
    assert!(unreadable(resumed(&foreign)));
    // Nor does a generator of another width (its position moved with it, so only the weights
    // are wrong).
    let wider = DigitCheckpoint {
        settings: DigitSettings {
            latent: 16,
            ..good.settings.clone()
        },
        rng_draws: 2 * 8 * (3 + 4 * 16),
        ..good.clone()
    };
    assert!(unreadable(resumed(&wider)));
    let invalid = DigitCheckpoint {
        settings: DigitSettings {
            batch_size: 0,
            ..good.settings.clone()
        },
        ..good.clone()
    };
    assert_eq!(resumed(&invalid).err(), Some(ResumeError::BadSettings));
    // An iteration count the random numbers' position does not match, or one that overflows.
    for iterations in [3, 1, u64::MAX] {
        let beyond = DigitCheckpoint {
            iterations,
            ..good.clone()
        };
        assert_eq!(
            resumed(&beyond).err(),
            Some(ResumeError::BadStep { step: iterations })
        );
    }
    assert!(resumed(&good).is_ok());
}
