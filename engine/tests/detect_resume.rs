//! A detection run's checkpoint (the detector's weights and its Adam state, read asynchronously
//! as on WebGPU, the level, settings and steps): resumed in a fresh run, it takes the steps the
//! uninterrupted run takes, at both levels and across the backbone's unfreezing; another level's,
//! a damaged or an impossible checkpoint is refused, not a panic. A run kept in the browser (the
//! checkpoint and its curves) comes back from its bytes whole; damaged bytes or another format's
//! are refused.

mod detect_common;

use std::sync::Arc;

use kindling_engine::backend;
use kindling_engine::burn::tensor::Device;
use kindling_engine::common::resume::KeptCheckpoint;
use kindling_engine::datasets::mnist::Images;
use kindling_engine::lessons::detect::centre_training::CentreRun;
use kindling_engine::lessons::detect::config::{DetectSettings, StepLosses};
use kindling_engine::lessons::detect::data::Level;
use kindling_engine::lessons::detect::resume::{
    DetectCheckpoint, DetectCurves, KeptDetectRun, KeptRunError, ResumeError,
};
use kindling_engine::lessons::detect::training::DetectRun;
use kindling_engine::models::resnet::model::Resnet;
use kindling_engine::protocol;

/// burn's CPU backend keeps one random generator for the process, which every new run seeds,
/// and a fresh network draws its weights lazily, at its first use: the tests take turns.
static SEEDED: std::sync::Mutex<()> = std::sync::Mutex::new(());
static ONE_AT_A_TIME: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn take_turn() -> std::sync::MutexGuard<'static, ()> {
    ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner())
}

struct Setup {
    train: Arc<Images>,
    test: Arc<Images>,
    backbone: Resnet,
    features: usize,
    device: Device,
}

fn setup() -> Setup {
    let (train, test) = detect_common::mnist();
    let device = backend::cpu();
    // Loading draws a fresh network's weights before the file's replace them.
    let (backbone, network) = {
        let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
        detect_common::shipped_backbone(&device)
    };
    Setup {
        train: Arc::new(train),
        test: Arc::new(test),
        backbone,
        features: network.feature_channels(),
        device,
    }
}

fn settings() -> DetectSettings {
    DetectSettings {
        steps: 6,
        batch: 4,
        hidden: 8,
        seed: 11,
        // Before the checkpoint at step 3 in one test, after it in the other.
        unfreeze_at: Some(2),
        ..DetectSettings::default()
    }
}

/// What either level's run does for these tests.
trait Run: Sized {
    fn new(settings: DetectSettings, s: &Setup) -> Self;
    fn resume(checkpoint: &DetectCheckpoint, s: &Setup) -> Result<Self, ResumeError>;
    fn steps_done(&self) -> u64;
    fn checkpoint(&self) -> DetectCheckpoint;
    fn one_step(&mut self) -> StepLosses;
}

macro_rules! impl_run {
    ($run:ty) => {
        impl Run for $run {
            fn new(settings: DetectSettings, s: &Setup) -> Self {
                let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
                <$run>::new(
                    settings,
                    &s.backbone,
                    s.features,
                    s.train.clone(),
                    s.test.clone(),
                    s.device.clone(),
                )
                .expect("valid settings")
            }
            fn resume(checkpoint: &DetectCheckpoint, s: &Setup) -> Result<Self, ResumeError> {
                // A fresh detector draws its weights before the checkpoint's replace them.
                let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
                <$run>::resume(
                    checkpoint,
                    &s.backbone,
                    s.features,
                    s.train.clone(),
                    s.test.clone(),
                    s.device.clone(),
                )
            }
            fn steps_done(&self) -> u64 {
                <$run>::steps_done(self)
            }
            fn checkpoint(&self) -> DetectCheckpoint {
                pollster::block_on(<$run>::checkpoint(self, 1234.5)).expect("the device reads")
            }
            fn one_step(&mut self) -> StepLosses {
                let (done, losses) = pollster::block_on(self.train_chunk(1, f64::INFINITY));
                assert_eq!(done, 1);
                losses.expect("a step's losses")
            }
        }
    };
}

impl_run!(DetectRun);
impl_run!(CentreRun);

/// A run checkpointed after `at` steps and resumed in a fresh run takes the steps of the run
/// never stopped, to the float; the same weights with a fresh optimiser do not.
fn resumes_exactly<R: Run>(level: Level, settings: DetectSettings, at: u64) {
    let _turn = take_turn();
    let s = setup();
    let mut straight = R::new(settings.clone(), &s);
    let expected: Vec<StepLosses> = (0..settings.steps).map(|_| straight.one_step()).collect();

    let mut first = R::new(settings.clone(), &s);
    for losses in &expected[..at as usize] {
        assert_eq!(first.one_step(), *losses, "the same run up to {at}");
    }
    let taken = first.checkpoint();
    assert_eq!(
        (taken.level, taken.first, taken.step, taken.elapsed_ms),
        (level, 0, at, 1234.5)
    );
    assert_eq!(taken.losses, Some(expected[at as usize - 1]));
    let carried: DetectCheckpoint =
        protocol::decode(&protocol::encode(&taken).unwrap()).expect("round trip");
    assert_eq!(carried, taken);

    let mut second = R::resume(&carried, &s).expect("resumes");
    assert_eq!(second.steps_done(), at);
    let went_on: Vec<StepLosses> = (at..u64::from(settings.steps))
        .map(|_| second.one_step())
        .collect();
    assert_eq!(
        went_on,
        expected[at as usize..],
        "{level:?}: the same steps after"
    );

    // The same weights with another run's optimiser state (another seed's) take other steps.
    let mut other = R::new(
        DetectSettings {
            seed: settings.seed + 1,
            ..settings.clone()
        },
        &s,
    );
    other.one_step();
    let without_its_state = DetectCheckpoint {
        optimizer: other.checkpoint().optimizer,
        ..taken.clone()
    };
    let mut third = R::resume(&without_its_state, &s).expect("resumes");
    // The same weights give the same losses; the update after them differs.
    assert_eq!(third.one_step(), expected[at as usize], "{level:?}");
    assert_ne!(third.one_step(), expected[at as usize + 1], "{level:?}");
}

#[test]
fn a_resumed_single_digit_run_takes_the_steps_of_the_run_never_stopped() {
    // Checkpointed after the backbone unfroze (at step 2): it resumes unfrozen, at its rates.
    resumes_exactly::<DetectRun>(Level::One, settings(), 3);
}

#[test]
fn a_resumed_multi_digit_run_takes_the_steps_of_the_run_never_stopped() {
    // Checkpointed before the backbone unfreezes (at step 2): the resumed run unfreezes it.
    let settings = DetectSettings {
        steps: 4,
        batch: 2,
        ..settings()
    };
    resumes_exactly::<CentreRun>(Level::Many, settings, 1);
}

#[test]
fn another_levels_or_a_damaged_or_impossible_checkpoint_is_refused() {
    let _turn = take_turn();
    let s = setup();
    let mut run = <DetectRun as Run>::new(settings(), &s);
    run.one_step();
    let good = Run::checkpoint(&run);
    assert!(<DetectRun as Run>::resume(&good, &s).is_ok());

    let unreadable = |result: Result<CentreRun, ResumeError>| {
        matches!(result.err(), Some(ResumeError::Unreadable { .. }))
    };
    assert!(
        unreadable(<CentreRun as Run>::resume(&good, &s)),
        "level one's at level two"
    );
    let other_level = DetectCheckpoint {
        level: Level::Many,
        ..good.clone()
    };
    assert!(
        unreadable(<CentreRun as Run>::resume(&other_level, &s)),
        "level one's detector said to be level two's"
    );

    let refused = |checkpoint: DetectCheckpoint| <DetectRun as Run>::resume(&checkpoint, &s).err();
    let half = |bytes: &[u8]| bytes[..bytes.len() / 2].to_vec();
    assert!(matches!(
        refused(DetectCheckpoint {
            model: half(&good.model),
            ..good.clone()
        }),
        Some(ResumeError::Unreadable { .. })
    ));
    assert!(matches!(
        refused(DetectCheckpoint {
            optimizer: b"junk".to_vec(),
            ..good.clone()
        }),
        Some(ResumeError::Unreadable { .. })
    ));
    assert!(matches!(
        refused(DetectCheckpoint {
            settings: DetectSettings {
                hidden: 16,
                ..good.settings.clone()
            },
            ..good.clone()
        }),
        Some(ResumeError::Unreadable { .. })
    ));
    assert_eq!(
        refused(DetectCheckpoint {
            step: 7,
            ..good.clone()
        }),
        Some(ResumeError::BadStep { step: 7 })
    );
    assert_eq!(
        refused(DetectCheckpoint {
            settings: DetectSettings {
                hidden: 0,
                ..good.settings.clone()
            },
            ..good.clone()
        }),
        Some(ResumeError::BadSettings)
    );
}

#[test]
fn a_kept_detection_run_comes_back_from_its_bytes_and_damaged_bytes_are_refused() {
    let _turn = take_turn();
    let s = setup();
    let settings = DetectSettings {
        steps: 4,
        batch: 2,
        ..settings()
    };
    let mut run = <CentreRun as Run>::new(settings.clone(), &s);
    let losses: Vec<(u64, StepLosses)> = (1..=3).map(|step| (step, run.one_step())).collect();
    let curves = DetectCurves {
        losses,
        scores: Vec::new(),
        maps: vec![(2, 0.25)],
        unfrozen_at: Some(2),
    };
    let kept = KeptDetectRun::new(Run::checkpoint(&run), curves);
    let next = run.one_step();
    let bytes = kept.to_bytes();
    let back = KeptDetectRun::from_bytes(&bytes).expect("its own bytes read back");
    assert_eq!(back, kept);
    let mut resumed = <CentreRun as Run>::resume(&back.checkpoint, &s).expect("resumes");
    assert_eq!(resumed.steps_done(), 3);
    assert_eq!(
        resumed.one_step(),
        next,
        "the kept run takes the step the run it was kept from takes"
    );

    for cut in [0, 1, bytes.len() / 3, bytes.len() - 1] {
        assert!(
            matches!(
                KeptDetectRun::from_bytes(&bytes[..cut]),
                Err(KeptRunError::Unreadable { .. })
            ),
            "cut at {cut}"
        );
    }
    assert!(matches!(
        KeptDetectRun::from_bytes(&[0xff; 40]),
        Err(KeptRunError::Unreadable { .. })
    ));
    let newer = KeptDetectRun {
        format: DetectCheckpoint::KEPT_FORMAT + 1,
        ..kept
    };
    assert_eq!(
        KeptDetectRun::from_bytes(&newer.to_bytes()),
        Err(KeptRunError::OtherFormat {
            format: DetectCheckpoint::KEPT_FORMAT + 1
        })
    );
}
