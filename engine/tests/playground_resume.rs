//! A playground run's checkpoint (the network's weights and its optimiser's state, read
//! asynchronously as on WebGPU, the step, the batch order and the random numbers' position): resumed, it takes the steps the uninterrupted
//! run takes; a damaged or impossible one is refused, not a panic. A run kept in the browser (the
//! checkpoint and its curves) comes back from its bytes whole, and damaged bytes are refused.

use kindling_engine::backend;
use kindling_engine::common::optimizer::OptimizerKind;
use kindling_engine::common::resume::{KeptCheckpoint, KeptRunError};
use kindling_engine::lessons::playground::PlaygroundConfig;
use kindling_engine::lessons::playground::resume::{
    KeptPlaygroundRun, PlaygroundCheckpoint, ResumeError,
};
use kindling_engine::lessons::playground::training::Trainer;
use kindling_engine::protocol;

/// burn's CPU backend keeps one random generator for the process, which every trainer seeds.
static SEEDED: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn config() -> PlaygroundConfig {
    PlaygroundConfig {
        optimizer: OptimizerKind::Adam,
        learning_rate: 0.01,
        // 160 training points in batches of 30: checkpoints fall mid-epoch.
        points: 200,
        batch_size: 30,
        seed: 5,
        ..PlaygroundConfig::default()
    }
}

/// 17 more steps (past an epoch's end), then the boundary and the last batch's loss.
fn go_on(trainer: &mut Trainer) -> (Vec<f32>, f32) {
    pollster::block_on(trainer.train_chunk(17, f64::INFINITY));
    let progress = pollster::block_on(trainer.progress());
    (pollster::block_on(trainer.boundary()), progress.batch_loss)
}

#[test]
fn a_resumed_playground_run_takes_the_steps_the_uninterrupted_run_takes() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let mut first = Trainer::new(config(), backend::cpu()).unwrap();
    pollster::block_on(first.train_chunk(7, f64::INFINITY));
    let taken = pollster::block_on(first.checkpoint()).expect("the device reads");
    assert_eq!(taken.step, 7);
    assert!(taken.cursor.is_some() && !taken.optimizer.is_empty());
    let carried: PlaygroundCheckpoint =
        protocol::decode(&protocol::encode(&taken).unwrap()).expect("round trip");
    assert_eq!(carried, taken);
    let before = pollster::block_on(first.boundary());
    let expected = go_on(&mut first);

    let mut second = Trainer::resume(&carried, backend::cpu()).expect("resumes");
    assert_eq!(second.step_count(), 7);
    assert_eq!(
        pollster::block_on(second.boundary()),
        before,
        "the same weights"
    );
    assert_eq!(go_on(&mut second), expected, "the same steps after");
    assert_eq!(second.step_count(), 24);

    // A fresh optimiser (the state of another run's step 0) takes other steps.
    let fresh = Trainer::new(config(), backend::cpu()).unwrap();
    let without_state = PlaygroundCheckpoint {
        optimizer: pollster::block_on(fresh.checkpoint()).unwrap().optimizer,
        ..taken.clone()
    };
    let mut third = Trainer::resume(&without_state, backend::cpu()).unwrap();
    assert_ne!(go_on(&mut third).0, expected.0);
}

#[test]
fn a_damaged_or_impossible_playground_checkpoint_is_refused_not_a_panic() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let mut trainer = Trainer::new(config(), backend::cpu()).unwrap();
    pollster::block_on(trainer.train_chunk(3, f64::INFINITY));
    let good = pollster::block_on(trainer.checkpoint()).unwrap();
    let refused = |c: PlaygroundCheckpoint| Trainer::resume(&c, backend::cpu()).err();
    assert!(matches!(
        refused(PlaygroundCheckpoint {
            model: good.model[..good.model.len() / 2].to_vec(),
            ..good.clone()
        }),
        Some(ResumeError::Unreadable { .. })
    ));
    assert!(matches!(
        refused(PlaygroundCheckpoint {
            optimizer: vec![7; 40],
            ..good.clone()
        }),
        Some(ResumeError::Unreadable { .. })
    ));
    // A wider network's weights do not fit this one.
    let wider = PlaygroundConfig {
        hidden: vec![12, 12],
        ..config()
    };
    let other =
        pollster::block_on(Trainer::new(wider, backend::cpu()).unwrap().checkpoint()).unwrap();
    assert!(matches!(
        refused(PlaygroundCheckpoint {
            model: other.model,
            ..good.clone()
        }),
        Some(ResumeError::Unreadable { .. })
    ));
    let bad_step = Some(ResumeError::BadStep { step: 3 });
    let mut repeated = good.order.clone();
    repeated[1] = repeated[0];
    let order_cases = [
        repeated,
        good.order[1..].to_vec(),
        good.order.iter().map(|&i| i + 1).collect(),
    ];
    for order in order_cases {
        let checkpoint = PlaygroundCheckpoint {
            order,
            ..good.clone()
        };
        assert_eq!(refused(checkpoint), bad_step);
    }
    assert_eq!(
        refused(PlaygroundCheckpoint {
            cursor: Some(good.order.len() as u32 + 1),
            ..good.clone()
        }),
        bad_step
    );
    assert_eq!(
        refused(PlaygroundCheckpoint {
            cursor: None,
            ..good.clone()
        }),
        bad_step
    );
    let mut invalid = good.clone();
    invalid.config.batch_size = 0;
    assert_eq!(refused(invalid), Some(ResumeError::BadSettings));
}

#[test]
fn a_kept_playground_run_comes_back_from_its_bytes_and_damaged_bytes_are_refused() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let mut trainer = Trainer::new(config(), backend::cpu()).unwrap();
    pollster::block_on(trainer.train_chunk(9, f64::INFINITY));
    let checkpoint = pollster::block_on(trainer.checkpoint()).unwrap();
    let curves = vec![(0, [0.7, 0.71]), (4, [0.6, 0.64]), (9, [0.52, 0.58])];
    let run = KeptPlaygroundRun::new(checkpoint, curves);
    let bytes = run.to_bytes();
    let back = KeptPlaygroundRun::from_bytes(&bytes).expect("its own bytes read back");
    assert_eq!(back, run);
    let mut resumed = Trainer::resume(&back.checkpoint, backend::cpu()).expect("resumes");
    assert_eq!(resumed.step_count(), 9);
    assert_eq!(
        go_on(&mut resumed),
        go_on(&mut trainer),
        "the kept run takes the steps the run it was kept from takes"
    );

    for cut in [0, 1, bytes.len() / 3, bytes.len() - 1] {
        assert!(
            matches!(
                KeptPlaygroundRun::from_bytes(&bytes[..cut]),
                Err(KeptRunError::Unreadable { .. })
            ),
            "cut at {cut}"
        );
    }
    let junk = vec![0xff; 40];
    assert!(matches!(
        KeptPlaygroundRun::from_bytes(&junk),
        Err(KeptRunError::Unreadable { .. })
    ));
    let newer = KeptPlaygroundRun {
        format: PlaygroundCheckpoint::KEPT_FORMAT + 1,
        ..run.clone()
    };
    assert_eq!(
        KeptPlaygroundRun::from_bytes(&newer.to_bytes()),
        Err(KeptRunError::OtherFormat {
            format: PlaygroundCheckpoint::KEPT_FORMAT + 1
        })
    );
}
