//! The own classes' checkpoints: a fine-tuning caught at step k (before and after its last block
//! unfroze, and after a second session at another rate) and resumed in a fresh trainer, the
//! checkpoint through the page's encoding and back, takes exactly the uninterrupted trainer's
//! next losses; damaged or inconsistent checkpoints are refused with the shared ResumeError.

mod common;

use kindling_engine::backend;
use kindling_engine::burn::tensor::Device;
use kindling_engine::common::resume::ResumeError;
use kindling_engine::lessons::transfer::own::OwnClasses;
use kindling_engine::lessons::transfer::own_card::OwnSettings;
use kindling_engine::lessons::transfer::own_resume::OwnCheckpoint;
use kindling_engine::lessons::transfer::own_training::OwnTrainer;
use kindling_engine::models::resnet::ResnetSettings;
use kindling_engine::models::resnet::model::ResnetConfig;
use kindling_engine::protocol::{decode, encode};

use common::{SEEDED, bars};

/// Bars, columns and crosses, 5 each.
fn shapes() -> OwnClasses {
    let mut own = OwnClasses::default();
    own.set_names(&["minus", "bar", "plus"].map(String::from))
        .unwrap();
    let drawn = bars(15, 1);
    for i in 0..drawn.len() {
        own.add(drawn.labels[i] as usize, drawn.image(i).to_vec())
            .unwrap();
    }
    own
}

/// 8 steps, the last block unfrozen from step 4.
fn settings() -> OwnSettings {
    OwnSettings {
        steps: 8,
        learning_rate: 0.01,
        head_first: 0.5,
        seed: 3,
    }
}

fn fresh(device: &Device) -> OwnTrainer {
    let network = ResnetSettings::default();
    device.seed(5);
    let backbone = ResnetConfig::from_settings(&network).init(device);
    OwnTrainer::new(&backbone, &network, &shapes(), settings(), device.clone()).unwrap()
}

/// Trains to the target, with each step's loss.
fn finish(trainer: &mut OwnTrainer) -> Vec<f32> {
    let mut losses = Vec::new();
    while !trainer.is_finished() {
        pollster::block_on(trainer.train_chunk(1, f64::INFINITY));
        losses.push(trainer.last_loss());
    }
    losses
}

fn advance(trainer: &mut OwnTrainer, steps: u64) {
    for _ in 0..steps {
        pollster::block_on(trainer.train_chunk(1, f64::INFINITY));
    }
}

/// A second session: 4 more steps at another rate.
fn more() -> OwnSettings {
    OwnSettings {
        steps: 4,
        learning_rate: 0.003,
        ..settings()
    }
}

fn checkpoint_at(trainer: &OwnTrainer) -> OwnCheckpoint {
    let checkpoint = pollster::block_on(trainer.checkpoint()).expect("a checkpoint");
    decode(&encode(&checkpoint).expect("encodes")).expect("decodes")
}

#[test]
fn own_training_resumed_from_its_checkpoint_goes_on_exactly_as_the_uninterrupted_one() {
    let _seeded = SEEDED.lock().unwrap();
    let device = backend::cpu().autodiff();
    for k in [3, 6, 10] {
        let mut straight = fresh(&device);
        advance(&mut straight, k.min(8));
        if k > 8 {
            straight.train_more(&more());
            advance(&mut straight, k - 8);
        }
        let checkpoint = checkpoint_at(&straight);
        assert_eq!((checkpoint.step, checkpoint.unfrozen), (k, k > 4), "at {k}");
        let expected = finish(&mut straight);
        if k < 8 {
            straight.train_more(&more());
        }
        let expected_more = finish(&mut straight);

        let _other = fresh(&device);
        let mut again = OwnTrainer::resume(&checkpoint, device.clone()).expect("resumes");
        assert_eq!(again.step_count(), k);
        let seen = finish(&mut again);
        assert!(!seen.is_empty());
        assert_eq!(seen, expected, "resumed at {k}");
        if k < 8 {
            again.train_more(&more());
        }
        assert_eq!(finish(&mut again), expected_more, "a session after {k}");
        assert_eq!(again.step_count(), 12);
        assert_eq!(again.names(), ["minus", "bar", "plus"]);
    }
}

#[test]
fn a_fresh_optimiser_does_not_take_the_same_steps() {
    let _seeded = SEEDED.lock().unwrap();
    let device = backend::cpu().autodiff();
    let mut straight = fresh(&device);
    advance(&mut straight, 5);
    let checkpoint = checkpoint_at(&straight);
    let expected = finish(&mut straight);
    let other = checkpoint_at(&fresh(&device));
    let mixed = OwnCheckpoint {
        optimizer: other.optimizer,
        ..checkpoint
    };
    let mut again = OwnTrainer::resume(&mixed, device.clone()).expect("resumes");
    assert_ne!(finish(&mut again), expected);
}

#[test]
fn damaged_or_inconsistent_checkpoints_are_refused() {
    let _seeded = SEEDED.lock().unwrap();
    let device = backend::cpu().autodiff();
    let mut trainer = fresh(&device);
    advance(&mut trainer, 2);
    let good = checkpoint_at(&trainer);
    let refused = |checkpoint: OwnCheckpoint| {
        OwnTrainer::resume(&checkpoint, device.clone())
            .err()
            .expect("refused")
    };
    let unreadable = |error: ResumeError| matches!(error, ResumeError::Unreadable { .. });

    let mut cut = good.weights.clone();
    cut.truncate(cut.len() / 2);
    assert!(unreadable(refused(OwnCheckpoint {
        weights: cut,
        ..good.clone()
    })));
    assert!(unreadable(refused(OwnCheckpoint {
        optimizer: vec![7; 40],
        ..good.clone()
    })));
    let mut order = good.order.clone();
    order[0] = order[1];
    assert!(unreadable(refused(OwnCheckpoint {
        order,
        ..good.clone()
    })));
    let mut labels = good.labels.clone();
    labels[0] = 3;
    assert!(unreadable(refused(OwnCheckpoint {
        labels,
        ..good.clone()
    })));
    assert!(unreadable(refused(OwnCheckpoint {
        pixels: good.pixels[1..].to_vec(),
        ..good.clone()
    })));
    assert_eq!(
        refused(OwnCheckpoint {
            step: 9,
            ..good.clone()
        }),
        ResumeError::BadStep { step: 9 }
    );
    assert_eq!(
        refused(OwnCheckpoint {
            names: vec!["a".into(), "b".into()],
            ..good.clone()
        }),
        ResumeError::BadSettings
    );
    let mut junk = encode(&good).unwrap();
    for byte in junk.iter_mut().skip(10).step_by(7) {
        *byte ^= 0x5a;
    }
    assert!(
        !decode::<OwnCheckpoint>(&junk)
            .is_ok_and(|c| OwnTrainer::resume(&c, device.clone()).is_ok()),
        "junk bytes do not resume"
    );
    assert!(OwnTrainer::resume(&good, device.clone()).is_ok());
}
