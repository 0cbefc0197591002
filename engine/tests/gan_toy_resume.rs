//! A 2-D toy GAN run's checkpoint (both networks' weights and both optimisers' state, read
//! asynchronously as on WebGPU, the update counts and the random numbers' position): resumed, it goes on exactly as the
//! uninterrupted run, single D and G steps included.

use kindling_engine::backend;
use kindling_engine::common::optimizer::OptimizerKind;
use kindling_engine::lessons::gan::ToySettings;
use kindling_engine::lessons::gan::messages::{StepPart, ToyView};
use kindling_engine::lessons::gan::toy_resume::{ResumeError, ToyCheckpoint};
use kindling_engine::lessons::gan::training::ToyTrainer;
use kindling_engine::protocol;

/// burn's CPU backend keeps one random generator for the process, which every trainer seeds.
static SEEDED: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn settings() -> ToySettings {
    ToySettings {
        g_optimizer: OptimizerKind::Adam,
        d_optimizer: OptimizerKind::Adam,
        seed: 4,
        ..ToySettings::default()
    }
}

/// Ten iterations, one D step and one G step, and the view after.
fn go_on(trainer: &mut ToyTrainer) -> ToyView {
    pollster::block_on(trainer.train_chunk(10, f64::INFINITY));
    pollster::block_on(trainer.step(StepPart::Discriminator));
    pollster::block_on(trainer.step(StepPart::Generator));
    pollster::block_on(trainer.view())
}

#[test]
fn a_resumed_toy_run_takes_the_steps_the_uninterrupted_run_takes() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let mut first = ToyTrainer::new(settings(), backend::cpu()).unwrap();
    pollster::block_on(first.train_chunk(15, f64::INFINITY));
    pollster::block_on(first.step(StepPart::Discriminator));
    let taken = pollster::block_on(first.checkpoint()).expect("the device reads");
    assert_eq!(
        (taken.iterations, taken.d_updates, taken.g_updates),
        (15, 16, 15)
    );
    let carried: ToyCheckpoint =
        protocol::decode(&protocol::encode(&taken).unwrap()).expect("round trip");
    assert_eq!(carried, taken);
    let before = pollster::block_on(first.view());
    let expected = go_on(&mut first);

    let mut second = ToyTrainer::resume(&carried, backend::cpu()).expect("resumes");
    let view = pollster::block_on(second.view());
    assert_eq!((view.fake, view.d_loss), (before.fake, before.d_loss));
    let after = go_on(&mut second);
    assert_eq!(after.fake, expected.fake, "the same G after");
    assert_eq!(after.heat, expected.heat, "the same D after");
    assert_eq!(
        (after.iterations, after.d_updates, after.g_updates),
        (25, 27, 26)
    );

    // Drawing from the run's start again takes other steps.
    let fresh = ToyTrainer::new(settings(), backend::cpu()).unwrap();
    let replayed = ToyCheckpoint {
        rng_draws: pollster::block_on(fresh.checkpoint()).unwrap().rng_draws,
        ..taken.clone()
    };
    let mut third = ToyTrainer::resume(&replayed, backend::cpu()).unwrap();
    assert_ne!(go_on(&mut third).fake, expected.fake);
}

#[test]
fn a_damaged_or_impossible_toy_checkpoint_is_refused_not_a_panic() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let mut trainer = ToyTrainer::new(settings(), backend::cpu()).unwrap();
    pollster::block_on(trainer.train_chunk(3, f64::INFINITY));
    let good = pollster::block_on(trainer.checkpoint()).unwrap();
    let resumed = |c: &ToyCheckpoint| ToyTrainer::resume(c, backend::cpu()).err();
    let unreadable = |c: &ToyCheckpoint| matches!(resumed(c), Some(ResumeError::Unreadable { .. }));
    assert!(unreadable(&ToyCheckpoint {
        generator: good.generator[..good.generator.len() / 2].to_vec(),
        ..good.clone()
    }));
    assert!(unreadable(&ToyCheckpoint {
        g_optimizer: b"junk".to_vec(),
        ..good.clone()
    }));
    assert!(unreadable(&ToyCheckpoint {
        generator: good.discriminator.clone(),
        ..good.clone()
    }));
    assert_eq!(
        resumed(&ToyCheckpoint {
            settings: ToySettings {
                batch_size: 0,
                ..settings()
            },
            ..good.clone()
        }),
        Some(ResumeError::BadSettings)
    );
    for impossible in [
        ToyCheckpoint {
            rng_draws: 0,
            ..good.clone()
        },
        ToyCheckpoint {
            g_updates: 1,
            ..good.clone()
        },
    ] {
        assert_eq!(resumed(&impossible), Some(ResumeError::BadStep { step: 3 }));
    }
    assert_eq!(resumed(&good), None);
}
