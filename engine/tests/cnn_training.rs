//! The CNN's training loop on the CPU backend, on a small synthetic image set.

use kindling_engine::backend;
use kindling_engine::common::optimizer::OptimizerKind;
use kindling_engine::common::resume::ResumeError;
use kindling_engine::lessons::cnn::config::{CnnField, CnnProblem, CnnSettings, Pool};
use kindling_engine::lessons::cnn::training::CnnTrainer;

mod common;

use common::{SEEDED, SIDE, bars};

fn trainer(settings: CnnSettings) -> CnnTrainer {
    CnnTrainer::new(settings, bars(600, 1), bars(200, 2), backend::cpu()).expect("valid settings")
}

fn losses(settings: &CnnSettings, chunks: usize) -> Vec<f32> {
    let mut t = trainer(settings.clone());
    (0..chunks)
        .map(|_| {
            pollster::block_on(t.train_chunk(5, f64::INFINITY));
            t.progress().batch_loss
        })
        .collect()
}

#[test]
fn default_network_learns_bars_and_reports_what_the_page_shows() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    // The default network. burn's CPU convolutions are slow (≈ 4 ms an image for a step), so
    // batches of 16 keep the test short: 600 images are 37 steps an epoch; 3 epochs, 111 steps.
    let settings = CnnSettings {
        batch_size: 16,
        epochs: 3,
        ..CnnSettings::default()
    };
    let mut t = trainer(settings);
    assert_eq!((t.steps_per_epoch(), t.total_steps()), (37, 111));
    let before = pollster::block_on(t.evaluate(None));
    let ran = pollster::block_on(t.train_chunk(1000, f64::INFINITY));
    assert_eq!(ran, 111);
    assert!(t.is_finished());
    assert_eq!(
        pollster::block_on(t.train_chunk(10, f64::INFINITY)),
        0,
        "stops after the last epoch"
    );
    assert_eq!((t.epoch(), t.epoch_progress()), (3, 0.0));
    let after = pollster::block_on(t.evaluate(None));
    assert!(after.accuracy > 0.9, "{before:?} → {after:?}");
    assert!(
        after.loss < before.loss * 0.5,
        "{} → {}",
        before.loss,
        after.loss
    );

    assert_eq!(after.count, 200);
    assert_eq!(after.confusion.len(), 100);
    assert_eq!(after.confusion.iter().sum::<u32>(), 200);
    let diagonal: u32 = (0..10).map(|i| after.confusion[i * 10 + i]).sum();
    assert_eq!(diagonal as f32 / 200.0, after.accuracy);
    assert_eq!(after.misclassified.len(), 200 - diagonal as usize);
    assert!(
        after
            .misclassified
            .iter()
            .all(|&(i, p, l)| i < 200 && p != l && l < 3)
    );
    let limited = pollster::block_on(t.evaluate(Some(30)));
    assert_eq!(
        (limited.count, limited.confusion.iter().sum::<u32>()),
        (30, 30)
    );

    // A clean vertical bar in the middle is a 1.
    let mut drawn = vec![0f32; SIDE * SIDE];
    for r in 3..25 {
        drawn[r * SIDE + 13] = 1.0;
        drawn[r * SIDE + 14] = 1.0;
    }
    let probs = pollster::block_on(t.predict(&drawn));
    assert_eq!(probs.len(), 10);
    assert!((probs.iter().sum::<f32>() - 1.0).abs() < 1e-4, "{probs:?}");
    assert!(probs.iter().all(|p| (0.0..=1.0).contains(p)));
    assert!(probs[1] > 0.5, "{probs:?}");
    assert!(pollster::block_on(t.predict(&[0.0; 10])).is_empty());

    let filters = pollster::block_on(t.first_layer_filters());
    assert_eq!(filters.len(), 8);
    assert!(
        filters
            .iter()
            .all(|f| f.len() == 25 && f.iter().all(|v| v.is_finite()))
    );
    let maps = pollster::block_on(t.feature_maps(&drawn));
    let shapes: Vec<_> = maps
        .iter()
        .map(|m| (m.layer.as_str(), m.channels, m.rows, m.cols, m.values.len()))
        .collect();
    assert_eq!(
        shapes,
        vec![
            ("conv1", 8, 28, 28, 8 * 784),
            ("pool1", 8, 14, 14, 8 * 196),
            ("conv2", 16, 10, 10, 16 * 100),
            ("pool2", 16, 5, 5, 16 * 25)
        ]
    );
    // ReLU maps are never negative; max pooling keeps the largest of each 2 × 2 window.
    assert!(maps[0].values.iter().all(|&v| v >= 0.0));
    let (conv1, pool1) = (&maps[0].values, &maps[1].values);
    for (r, c) in [(0, 0), (5, 9), (13, 13)] {
        let window =
            [(0, 0), (0, 1), (1, 0), (1, 1)].map(|(dr, dc)| conv1[(2 * r + dr) * 28 + 2 * c + dc]);
        assert_eq!(
            pool1[r * 14 + c],
            window.into_iter().fold(f32::MIN, f32::max)
        );
    }
    let progress = t.progress();
    assert_eq!(
        (progress.step, progress.epoch, progress.finished),
        (111, 3, true)
    );
    assert!(progress.batch_loss.is_finite());
}

#[test]
fn same_seed_same_losses_other_seed_other_losses() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    // Dropout draws from the seeded generator too.
    let settings = CnnSettings {
        dropout: 0.3,
        batch_size: 16,
        ..CnnSettings::default()
    };
    let a = losses(&settings, 3);
    let b = losses(&settings, 3);
    let c = losses(
        &CnnSettings {
            seed: 99,
            ..settings
        },
        3,
    );
    assert!(a.iter().all(|l| l.is_finite()), "{a:?}");
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn other_architectures_train() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let mut settings = CnnSettings::default();
    settings.blocks[0].pool = Pool::Average;
    settings.blocks[1].pool = Pool::None;
    settings.blocks[1].stride = 2;
    settings.dense = 0;
    settings.batch_size = 64;
    let mut t = trainer(settings);
    // conv1 [8,28,28] → avg-pool [8,14,14] → conv2 stride 2 [16,5,5] → output.
    let shapes: Vec<_> = t.layers().iter().map(|l| l.shape.clone()).collect();
    assert_eq!(
        shapes,
        vec![vec![8, 28, 28], vec![8, 14, 14], vec![16, 5, 5], vec![10]]
    );
    assert_eq!(pollster::block_on(t.train_chunk(3, f64::INFINITY)), 3);
    assert!(t.progress().batch_loss.is_finite());
    assert!(
        (t.epoch_progress() - 3.0 / 9.0).abs() < 1e-12,
        "600 / 64: 9 steps an epoch"
    );
    let empty = trainer(CnnSettings {
        blocks: vec![],
        ..CnnSettings::default()
    });
    assert!(pollster::block_on(empty.first_layer_filters()).is_empty());
}

#[test]
fn invalid_settings_are_refused_before_training() {
    let mut settings = CnnSettings {
        learning_rate: -1.0,
        ..CnnSettings::default()
    };
    settings.blocks[1].kernel = 20;
    let problems = CnnTrainer::new(settings, bars(30, 1), bars(30, 2), backend::cpu())
        .err()
        .expect("refused");
    assert_eq!(
        problems,
        vec![
            CnnProblem::KernelTooLarge {
                block: 1,
                kernel: 20,
                input: [14, 14]
            },
            CnnProblem::OutOfRange {
                field: CnnField::LearningRate,
                min: 1e-6,
                max: 10.0
            },
        ]
    );
    let mut small = bars(30, 3);
    small.rows = 14;
    small.cols = 56;
    let refused = CnnTrainer::new(CnnSettings::default(), bars(30, 1), small, backend::cpu()).err();
    assert_eq!(refused, Some(vec![CnnProblem::BadImages]));
}

/// Momentum at a learning rate of 10 blows the weights up within a few steps: the run stops at
/// the first chunk whose loss is not a number, trains no further, and rolls back to the start of
/// the last chunk whose loss was one, exactly the run as it was at that step.
#[test]
fn a_loss_that_stops_being_a_number_stops_the_run_and_a_roll_back_returns_to_a_good_step() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let settings = CnnSettings {
        optimizer: OptimizerKind::Momentum,
        learning_rate: 10.0,
        batch_size: 16,
        epochs: 3,
        ..CnnSettings::default()
    };
    let mut t = trainer(settings.clone());
    assert_eq!((t.diverged(), t.good_step()), (None, 0));
    let mut finite_steps = Vec::new();
    while t.diverged().is_none() && !t.is_finished() {
        pollster::block_on(t.train_chunk(2, f64::INFINITY));
        if t.progress().batch_loss.is_finite() {
            finite_steps.push(t.step_count());
        }
    }
    let at = t.diverged().expect("the loss stops being a number");
    assert_eq!(at, t.step_count());
    assert!(!t.progress().batch_loss.is_finite());
    assert_eq!(
        pollster::block_on(t.train_chunk(2, f64::INFINITY)),
        0,
        "no more steps"
    );
    assert_eq!(t.step_count(), at);
    // Blown-up weights make no checkpoint, which a page would otherwise keep and resume from.
    let checkpoint = |t: &CnnTrainer| pollster::block_on(t.checkpoint(None)).map(|_| ());
    assert_eq!(checkpoint(&t), Err(ResumeError::NotNumbers));
    // The start of the last chunk with a finite loss: two steps before its end.
    let good = t.good_step();
    let expected = finite_steps.last().map_or(0, |&s| s - 2);
    assert_eq!(
        good, expected,
        "finite losses at {finite_steps:?}, NaN at {at}"
    );

    t.roll_back();
    assert_eq!((t.step_count(), t.diverged()), (good, None));
    assert_eq!(checkpoint(&t), Ok(()));
    let rolled = pollster::block_on(t.evaluate(Some(50)));
    assert!(rolled.loss.is_finite(), "the weights are numbers again");
    // The same run, trained to that step again in the same chunks, is the same network.
    let mut again = trainer(settings);
    while again.step_count() < good {
        pollster::block_on(again.train_chunk(2, f64::INFINITY));
    }
    assert_eq!(again.step_count(), good);
    let fresh = pollster::block_on(again.evaluate(Some(50)));
    assert_eq!(rolled.loss.to_bits(), fresh.loss.to_bits());
    // Its batches and optimiser state too: the next step takes the same batch to the same loss.
    pollster::block_on(t.train_chunk(1, f64::INFINITY));
    pollster::block_on(again.train_chunk(1, f64::INFINITY));
    let (a, b) = (t.progress().batch_loss, again.progress().batch_loss);
    assert!(
        a.to_bits() == b.to_bits() || (a.is_nan() && b.is_nan()),
        "{a} vs {b}"
    );
}
