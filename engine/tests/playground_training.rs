//! The playground's training loop on the CPU backend.

use kindling_engine::backend;
use kindling_engine::datasets::toy2d::DatasetKind;
use kindling_engine::lessons::playground::PlaygroundConfig;
use kindling_engine::lessons::playground::training::{BOUNDARY_RESOLUTION, Progress, Trainer};

/// burn's CPU backend keeps one random generator for the process, which every trainer here seeds
/// and draws from: the tests take turns, or one's draws land between another's seed and init.
static SEEDED: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn seeded() -> std::sync::MutexGuard<'static, ()> {
    SEEDED.lock().unwrap_or_else(|e| e.into_inner())
}

fn losses(config: &PlaygroundConfig, steps: u64) -> Vec<Progress> {
    let mut trainer = Trainer::new(config.clone(), backend::cpu()).expect("valid config");
    let mut reports = Vec::new();
    pollster::block_on(trainer.run(steps, 10, |p| reports.push(p)));
    reports
}

#[test]
fn training_lowers_the_loss() {
    let _seeded = seeded();
    let config = PlaygroundConfig {
        dataset: DatasetKind::Circle,
        ..Default::default()
    };
    let trainer = Trainer::new(config.clone(), backend::cpu()).unwrap();
    let before = pollster::block_on(trainer.evaluate());
    let reports = losses(&config, 200);
    let after = reports.last().unwrap().evaluation;
    assert!(
        after.train_loss < before.train_loss * 0.5,
        "{before:?} → {after:?}"
    );
    assert!(after.test_accuracy > 0.9, "{after:?}");
    assert_eq!(reports.len(), 20);
    assert_eq!(reports.last().unwrap().step, 200);
}

#[test]
fn same_seed_same_losses_other_seed_other_losses() {
    let _seeded = seeded();
    let config = PlaygroundConfig {
        dataset: DatasetKind::Xor,
        ..Default::default()
    };
    let a: Vec<f32> = losses(&config, 50).iter().map(|p| p.batch_loss).collect();
    let b: Vec<f32> = losses(&config, 50).iter().map(|p| p.batch_loss).collect();
    let c: Vec<f32> = losses(&PlaygroundConfig { seed: 99, ..config }, 50)
        .iter()
        .map(|p| p.batch_loss)
        .collect();
    assert_eq!(a, b);
    assert_ne!(a, c);
}

#[test]
fn default_spiral_reaches_95_percent_within_2000_steps() {
    let _seeded = seeded();
    let config = PlaygroundConfig::default();
    assert_eq!(config.dataset, DatasetKind::Spiral);
    let reports = losses(&config, 2000);
    let best = reports
        .iter()
        .map(|p| p.evaluation.test_accuracy)
        .fold(0.0, f32::max);
    let last = reports.last().unwrap().evaluation;
    assert!(last.test_accuracy >= 0.95, "final {last:?}, best {best}");
}

#[test]
fn boundary_is_a_probability_grid_that_matches_the_points() {
    let _seeded = seeded();
    let config = PlaygroundConfig {
        dataset: DatasetKind::Gaussians,
        ..Default::default()
    };
    let mut trainer = Trainer::new(config, backend::cpu()).unwrap();
    pollster::block_on(trainer.run(150, 150, |_| {}));
    let grid = pollster::block_on(trainer.boundary());
    assert_eq!(grid.len(), BOUNDARY_RESOLUTION * BOUNDARY_RESOLUTION);
    assert!(grid.iter().all(|p| (0.0..=1.0).contains(p)));
    // Class 1 sits at the top right (x, y > 0), class 0 at the bottom left; row 0 is the top.
    let n = BOUNDARY_RESOLUTION;
    assert!(grid[n - 1] > 0.9, "top right {}", grid[n - 1]);
    assert!(grid[(n - 1) * n] < 0.1, "bottom left {}", grid[(n - 1) * n]);
}

#[test]
fn invalid_settings_are_refused_not_trained() {
    let _seeded = seeded();
    let config = PlaygroundConfig {
        learning_rate: -1.0,
        hidden: vec![0],
        ..Default::default()
    };
    let errors = Trainer::new(config, backend::cpu()).err().expect("refused");
    assert_eq!(errors.len(), 2);
}

/// A learning rate far too high blows the weights up until the loss is no longer a number; the
/// trainer says so, and rolling back returns to the last step whose loss was finite, from which
/// the same steps are taken again.
#[test]
fn a_diverged_run_is_detected_and_rolls_back_to_its_last_finite_step() {
    let _seeded = seeded();
    use kindling_engine::common::activation::Activation;
    use kindling_engine::common::optimizer::OptimizerKind;
    let config = PlaygroundConfig {
        dataset: DatasetKind::Spiral,
        learning_rate: 10.0,
        optimizer: OptimizerKind::Momentum,
        activation: Activation::Linear,
        ..Default::default()
    };
    let mut trainer = Trainer::new(config, backend::cpu()).unwrap();
    assert!(!trainer.diverged());
    let mut chunks = 0;
    while !trainer.diverged() && chunks < 200 {
        pollster::block_on(trainer.train_chunk(5, f64::INFINITY));
        chunks += 1;
    }
    assert!(trainer.diverged(), "no divergence in {chunks} chunks");
    let (bad, good) = (trainer.step_count(), trainer.good_step());
    assert!(good < bad && bad - good <= 5, "{good} → {bad}");
    let batch_loss = |t: &Trainer| pollster::block_on(t.progress()).batch_loss;
    assert!(!batch_loss(&trainer).is_finite());

    trainer.roll_back();
    assert!(!trainer.diverged());
    assert_eq!(trainer.step_count(), good);
    assert!(batch_loss(&trainer).is_finite());
    // The same steps again, from the same state, blow up the same way.
    pollster::block_on(trainer.train_chunk(bad - good, f64::INFINITY));
    assert!(trainer.diverged());
    assert_eq!(trainer.step_count(), bad);
}
