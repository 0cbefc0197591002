//! Own classes at a learning rate far too high: the loss stops being a number, training stops,
//! and a roll back returns to the start of the last chunk whose loss was one, exactly the run a
//! fresh trainer reaches at that step, its last block frozen or not as it was then.

mod common;

use kindling_engine::backend;
use kindling_engine::burn::tensor::Device;
use kindling_engine::lessons::transfer::own::OwnClasses;
use kindling_engine::lessons::transfer::own_card::OwnSettings;
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

/// 4 steps, the last block unfrozen from step 2.
fn settings() -> OwnSettings {
    OwnSettings {
        steps: 4,
        learning_rate: 0.01,
        head_first: 0.5,
        seed: 3,
    }
}

/// More steps at `learning_rate`.
fn more(learning_rate: f64) -> OwnSettings {
    OwnSettings {
        steps: 40,
        learning_rate,
        ..settings()
    }
}

/// A rate far beyond any the page offers: Adam moves each weight by about this much a step.
const HUGE: f64 = 1e38;

fn fresh(device: &Device) -> OwnTrainer {
    let network = ResnetSettings::default();
    device.seed(5);
    let backbone = ResnetConfig::from_settings(&network).init(device);
    OwnTrainer::new(&backbone, &network, &shapes(), settings(), device.clone()).unwrap()
}

fn chunk(trainer: &mut OwnTrainer) -> u64 {
    pollster::block_on(trainer.train_chunk(2, f64::INFINITY))
}

/// Whether the last block trains, as a checkpoint records it.
fn unfrozen(trainer: &OwnTrainer) -> bool {
    let checkpoint = pollster::block_on(trainer.checkpoint()).expect("a checkpoint");
    let checkpoint: kindling_engine::lessons::transfer::own_resume::OwnCheckpoint =
        decode(&encode(&checkpoint).expect("encodes")).expect("decodes");
    checkpoint.unfrozen
}

fn same(a: f32, b: f32) -> bool {
    a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan())
}

#[test]
fn a_loss_that_stops_being_a_number_stops_own_training_and_a_roll_back_returns_to_a_good_step() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let device = backend::cpu().autodiff();
    let mut t = fresh(&device);
    assert_eq!((t.diverged(), t.good_step()), (None, 0));
    // A first session at a sane rate, then more at a huge one.
    while !t.is_finished() {
        chunk(&mut t);
    }
    assert_eq!((t.step_count(), t.diverged()), (4, None));
    assert!(unfrozen(&t));
    t.train_more(&more(HUGE));
    let mut finite_steps = vec![4];
    while t.diverged().is_none() && !t.is_finished() {
        chunk(&mut t);
        if t.last_loss().is_finite() {
            finite_steps.push(t.step_count());
        }
    }
    let at = t.diverged().expect("the loss stops being a number");
    assert_eq!(at, t.step_count());
    assert!(!t.last_loss().is_finite());
    assert_eq!(chunk(&mut t), 0, "no more steps");
    assert_eq!(t.step_count(), at);
    // The start of the last chunk with a finite loss: two steps before its end.
    let good = t.good_step();
    let expected = finite_steps.last().map_or(0, |&s| s - 2);
    assert_eq!(
        good, expected,
        "finite losses at {finite_steps:?}, not a number at {at}"
    );
    // The chunk from 4 took a huge step after its first loss; the one from 2 was still sane,
    // and unfroze the last block.
    assert_eq!((at, good), (6, 2));

    t.roll_back();
    assert_eq!((t.step_count(), t.diverged()), (good, None));
    let rolled = pollster::block_on(t.accuracy()).expect("an accuracy");
    assert!(rolled.is_finite());
    // The same run, trained to that step again in the same chunks, is the same network, its
    // last block frozen or training as it was at that step.
    let mut again = fresh(&device);
    while again.step_count() < good {
        if again.is_finished() {
            again.train_more(&more(HUGE));
        }
        chunk(&mut again);
    }
    assert_eq!(again.step_count(), good);
    assert_eq!(unfrozen(&t), unfrozen(&again));
    assert_eq!(unfrozen(&t), good > 2);
    let fresh_accuracy = pollster::block_on(again.accuracy()).expect("an accuracy");
    assert_eq!(rolled.to_bits(), fresh_accuracy.to_bits());
    // Its batches, optimiser state and unfreezing too: at a sane rate again, the next steps take
    // the same batches to the same losses.
    t.train_more(&more(0.01));
    again.train_more(&more(0.01));
    for _ in 0..3 {
        pollster::block_on(t.train_chunk(1, f64::INFINITY));
        pollster::block_on(again.train_chunk(1, f64::INFINITY));
        let (a, b) = (t.last_loss(), again.last_loss());
        assert!(same(a, b), "{a} vs {b}");
    }
    assert_eq!(unfrozen(&t), unfrozen(&again));
}
