//! The transfer experiment's checkpoints: a run caught at step k and resumed in a fresh run (the
//! checkpoint through the page's encoding and back) goes on exactly as the uninterrupted run,
//! step losses, live points and results alike, before and after the last-block arm unfroze;
//! damaged or foreign checkpoints are refused with the shared ResumeError. A run kept in the
//! browser (the checkpoint and each arm's live points up to it) comes back from its bytes and
//! goes on the same way; damaged bytes or another version's are named, not read.

mod common;

use std::collections::BTreeMap;

use kindling_engine::backend;
use kindling_engine::burn::tensor::Device;
use kindling_engine::common::resume::{KeptCheckpoint, KeptRunError};
use kindling_engine::lessons::transfer::config::{ArmPoint, ArmResult, TransferSettings};
use kindling_engine::lessons::transfer::resume::{
    KeptTransferRun, ResumeError, TransferCheckpoint,
};
use kindling_engine::lessons::transfer::training::TransferRun;
use kindling_engine::models::resnet::ResnetSettings;
use kindling_engine::models::resnet::model::{Resnet, ResnetConfig};
use kindling_engine::protocol::{decode, encode};

use common::{SEEDED, bars};

fn network() -> ResnetSettings {
    ResnetSettings {
        classes: 3,
        ..ResnetSettings::default()
    }
}

/// 5 labelled bars per class in batches of 5: three steps an epoch, so the arms reshuffle after
/// a checkpoint too; the last-block arm unfreezes at its step 4.
fn settings() -> TransferSettings {
    TransferSettings {
        labels_per_class: 5,
        steps: 8,
        batch: 5,
        learning_rate: 0.01,
        head_first: 0.5,
        ..TransferSettings::default()
    }
}

fn backbone(device: &Device) -> Resnet {
    device.seed(5);
    ResnetConfig::from_settings(&network()).init(device)
}

fn fresh(backbone: &Resnet, device: &Device) -> TransferRun {
    TransferRun::new(
        settings(),
        backbone,
        &network(),
        &bars(60, 1),
        bars(30, 2),
        3,
        device.clone(),
    )
    .expect("valid settings")
}

fn resumed(
    checkpoint: &TransferCheckpoint,
    backbone: &Resnet,
    device: &Device,
) -> Result<TransferRun, ResumeError> {
    TransferRun::resume(
        checkpoint,
        backbone,
        &network(),
        &bars(60, 1),
        bars(30, 2),
        3,
        device.clone(),
    )
}

/// What a run shows from here to its end: each step's batch loss, the live points as they fall
/// due, and the results.
#[derive(Debug, PartialEq)]
struct Seen {
    losses: Vec<f32>,
    points: Vec<ArmPoint>,
    results: Vec<(f32, f32, u64)>,
}

fn finish(run: &mut TransferRun) -> Seen {
    let (mut losses, mut points) = (Vec::new(), Vec::new());
    while !run.is_finished() {
        pollster::block_on(run.train_chunk(1, f64::INFINITY));
        losses.push(run.last_batch_loss());
        for arm in run.due() {
            points.push(pollster::block_on(run.evaluate(arm, Some(20))));
        }
    }
    let results = pollster::block_on(run.results())
        .into_iter()
        .map(|r: ArmResult| (r.accuracy, r.loss, r.steps))
        .collect();
    Seen {
        losses,
        points,
        results,
    }
}

/// `steps` steps of `run`, their live points taken as the page would.
fn advance(run: &mut TransferRun, steps: u64) {
    for _ in 0..steps {
        pollster::block_on(run.train_chunk(1, f64::INFINITY));
        for arm in run.due() {
            pollster::block_on(run.evaluate(arm, Some(20)));
        }
    }
}

fn checkpoint_at(run: &TransferRun) -> TransferCheckpoint {
    let checkpoint = pollster::block_on(run.checkpoint()).expect("a checkpoint");
    // As the page keeps it and sends it back to the next worker.
    decode(&encode(&checkpoint).expect("encodes")).expect("decodes")
}

#[test]
fn a_run_resumed_from_its_checkpoint_goes_on_exactly_as_the_uninterrupted_one() {
    let _seeded = SEEDED.lock().unwrap();
    let device = backend::cpu().autodiff();
    let backbone = backbone(&device);
    // 13 steps: the last-block arm has taken 3, still head only; 19: it has taken 5, unfrozen.
    for k in [13, 19] {
        let mut straight = fresh(&backbone, &device);
        advance(&mut straight, k);
        let checkpoint = checkpoint_at(&straight);
        assert_eq!(checkpoint.steps_done(), k);
        let unfrozen: Vec<bool> = checkpoint.arms.iter().map(|a| a.unfrozen).collect();
        assert_eq!(unfrozen, [false, false, k == 19, false], "at {k}");
        let expected = finish(&mut straight);

        // Another run's seeding in between: the resumed run owes nothing to the device's state.
        let _other = fresh(&backbone, &device);
        let mut again = resumed(&checkpoint, &backbone, &device).expect("resumes");
        assert_eq!(again.steps_done(), k);
        let seen = finish(&mut again);
        assert!(!seen.losses.is_empty() && !seen.points.is_empty());
        assert_eq!(seen, expected, "resumed at {k}");

        // Fresh optimisers on the same weights go elsewhere: the Adam state is what was kept.
        let mut forgetful = checkpoint.clone();
        let empty = pollster::block_on(fresh(&backbone, &device).checkpoint()).expect("taken");
        for (arm, fresh) in forgetful.arms.iter_mut().zip(&empty.arms) {
            arm.optimizer = fresh.optimizer.clone();
        }
        let mut forgetful = resumed(&forgetful, &backbone, &device).expect("resumes");
        assert_ne!(finish(&mut forgetful).losses, expected.losses);
    }
}

#[test]
fn damaged_or_foreign_checkpoints_are_refused() {
    let _seeded = SEEDED.lock().unwrap();
    let device = backend::cpu().autodiff();
    let backbone = backbone(&device);
    let mut run = fresh(&backbone, &device);
    advance(&mut run, 9);
    let good = checkpoint_at(&run);
    assert!(resumed(&good, &backbone, &device).is_ok());

    let unreadable = |c: &TransferCheckpoint| {
        matches!(
            resumed(c, &backbone, &device),
            Err(ResumeError::Unreadable { .. })
        )
    };
    let mut truncated = good.clone();
    let weights = &mut truncated.arms[2].weights;
    weights.truncate(weights.len() / 2);
    assert!(unreadable(&truncated), "half a network");
    let mut junk = good.clone();
    junk.arms[1].optimizer = b"junk".to_vec();
    assert!(unreadable(&junk), "an optimiser state of junk");
    let mut swapped = good.clone();
    swapped.arms.swap(0, 3);
    assert!(unreadable(&swapped), "arms out of order");
    let mut missing = good.clone();
    missing.arms.pop();
    assert!(unreadable(&missing), "an arm missing");
    let mut order = good.clone();
    order.arms[0].order[0] = order.arms[0].order[1];
    assert!(unreadable(&order), "a batch order that is no permutation");
    let mut unfrozen = good.clone();
    unfrozen.arms[1].unfrozen = true;
    assert!(unreadable(&unfrozen), "an unfrozen extraction arm");

    let mut past = good.clone();
    past.arms[0].step = 99;
    assert_eq!(
        resumed(&past, &backbone, &device).err(),
        Some(ResumeError::BadStep { step: 99 })
    );
    let mut settings = good.clone();
    settings.settings.steps = 0;
    assert_eq!(
        resumed(&settings, &backbone, &device).err(),
        Some(ResumeError::BadSettings)
    );
    // A backbone of another shape (a narrower stem) does not take these weights.
    let narrower = ResnetSettings {
        stem: 8,
        ..network()
    };
    let other = ResnetConfig::from_settings(&narrower).init(&device);
    let refused = TransferRun::resume(
        &good,
        &other,
        &narrower,
        &bars(60, 1),
        bars(30, 2),
        3,
        device.clone(),
    );
    assert!(matches!(refused, Err(ResumeError::Unreadable { .. })));
}

#[test]
fn a_kept_run_comes_back_from_its_bytes_and_damaged_or_other_bytes_are_named() {
    let _seeded = SEEDED.lock().unwrap();
    let device = backend::cpu().autodiff();
    let backbone = backbone(&device);
    let mut run = fresh(&backbone, &device);
    // The live points as the page draws them, each arm's own.
    let mut curves: BTreeMap<_, Vec<ArmPoint>> = BTreeMap::new();
    for _ in 0..14 {
        pollster::block_on(run.train_chunk(1, f64::INFINITY));
        for arm in run.due() {
            let point = pollster::block_on(run.evaluate(arm, Some(20)));
            curves.entry(point.arm).or_default().push(point);
        }
    }
    let checkpoint = checkpoint_at(&run);
    assert!(curves.values().all(|points| !points.is_empty()));
    let kept = KeptTransferRun::new(checkpoint, curves);
    let bytes = kept.to_bytes();
    let back = KeptTransferRun::from_bytes(&bytes).expect("its own bytes read back");
    assert_eq!(back, kept);
    let mut again = resumed(&back.checkpoint, &backbone, &device).expect("resumes");
    assert_eq!(
        finish(&mut again),
        finish(&mut run),
        "the kept run goes on as the run it was kept from"
    );

    for cut in [0, 1, bytes.len() / 3, bytes.len() - 1] {
        assert!(
            matches!(
                KeptTransferRun::from_bytes(&bytes[..cut]),
                Err(KeptRunError::Unreadable { .. })
            ),
            "cut at {cut}"
        );
    }
    assert!(matches!(
        KeptTransferRun::from_bytes(&[0xff; 40]),
        Err(KeptRunError::Unreadable { .. })
    ));
    let other = KeptTransferRun {
        format: TransferCheckpoint::KEPT_FORMAT + 1,
        ..kept
    };
    assert_eq!(
        KeptTransferRun::from_bytes(&other.to_bytes()),
        Err(KeptRunError::OtherFormat {
            format: TransferCheckpoint::KEPT_FORMAT + 1
        })
    );
}
