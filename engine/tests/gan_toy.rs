//! The toy GAN's training loop on the CPU backend: each step trains only its own network, the
//! view is whole and consistent, and the default run covers the ring's eight modes.

use kindling_engine::backend;
use kindling_engine::common::model_file::read_weights;
use kindling_engine::lessons::gan::ToySettings;
use kindling_engine::lessons::gan::messages::StepPart;
use kindling_engine::lessons::gan::metrics::{COVERED_SHARE, mode_shares};
use kindling_engine::lessons::gan::settings::{LossKind, Target};
use kindling_engine::lessons::gan::targets::modes;
use kindling_engine::lessons::gan::training::{ARROWS, HEAT_RESOLUTION, ToyTrainer, VIEW_POINTS};

/// burn's CPU backend keeps one random generator for the process, which every trainer here seeds
/// and draws from: the tests take turns, or one's draws land between another's seed and init.
static SEEDED: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn seeded() -> std::sync::MutexGuard<'static, ()> {
    SEEDED.lock().unwrap_or_else(|e| e.into_inner())
}

fn weights(trainer: &ToyTrainer) -> (Vec<f32>, Vec<f32>) {
    let g = pollster::block_on(read_weights(trainer.generator())).unwrap();
    let d = pollster::block_on(read_weights(trainer.discriminator())).unwrap();
    (g, d)
}

#[test]
fn a_discriminator_step_changes_only_d_and_a_generator_step_only_g() {
    let _seeded = seeded();
    for &loss in LossKind::ALL {
        let settings = ToySettings {
            loss,
            ..ToySettings::default()
        };
        let mut trainer = ToyTrainer::new(settings, backend::cpu()).unwrap();
        let (g0, d0) = weights(&trainer);
        pollster::block_on(trainer.step(StepPart::Discriminator));
        let (g1, d1) = weights(&trainer);
        assert_eq!(g1, g0, "{loss:?}: a D step moved G");
        assert_ne!(d1, d0, "{loss:?}: a D step left D as it was");
        pollster::block_on(trainer.step(StepPart::Generator));
        let (g2, d2) = weights(&trainer);
        assert_eq!(d2, d1, "{loss:?}: a G step moved D");
        assert_ne!(g2, g1, "{loss:?}: a G step left G as it was");
    }
}

#[test]
fn the_same_seed_gives_the_same_run_and_the_view_is_whole() {
    let _seeded = seeded();
    let run = || {
        let mut trainer = ToyTrainer::new(ToySettings::default(), backend::cpu()).unwrap();
        pollster::block_on(trainer.train_chunk(20, f64::INFINITY));
        pollster::block_on(trainer.view())
    };
    let (a, b) = (run(), run());
    assert_eq!(a.fake, b.fake);
    assert_eq!(a.iterations, 20);
    assert_eq!((a.d_updates, a.g_updates), (20, 20));
    assert_eq!(a.fake.len(), 2 * VIEW_POINTS);
    assert_eq!(a.heat.len(), HEAT_RESOLUTION * HEAT_RESOLUTION);
    assert!(a.heat.iter().all(|p| (0.0..=1.0).contains(p)));
    assert_eq!(a.arrows.len(), 2 * ARROWS);
    assert!(a.arrows.iter().all(|v| v.is_finite()) && a.arrows.iter().any(|&v| v != 0.0));
    assert_eq!(a.manifold.points.len(), 2 * 15 * 15);
    assert!((0.0..=1.0).contains(&a.d_real) && (0.0..=1.0).contains(&a.d_fake));
    assert_eq!(a.shares.len(), 8);
    let divergence = a.divergence.unwrap();
    assert!(divergence.js > 0.0 && divergence.js <= std::f32::consts::LN_2);
}

#[test]
fn k_discriminator_steps_run_before_each_generator_step() {
    let _seeded = seeded();
    let settings = ToySettings {
        d_steps: 3,
        noise_dim: 1,
        ..ToySettings::default()
    };
    let mut trainer = ToyTrainer::new(settings, backend::cpu()).unwrap();
    pollster::block_on(trainer.train_chunk(4, f64::INFINITY));
    let view = pollster::block_on(trainer.view());
    assert_eq!(
        (view.iterations, view.d_updates, view.g_updates),
        (4, 12, 4)
    );
    assert_eq!(view.manifold.points.len(), 2 * 80);
}

#[test]
fn a_drawn_distribution_trains() {
    let _seeded = seeded();
    let custom: Vec<[f32; 2]> = (0..12).map(|i| [i as f32 / 10.0 - 0.5, 0.3]).collect();
    let settings = ToySettings {
        target: Target::Custom,
        custom,
        ..ToySettings::default()
    };
    let mut trainer = ToyTrainer::new(settings, backend::cpu()).unwrap();
    assert!(
        trainer
            .real_view()
            .chunks(2)
            .all(|p| (p[1] - 0.3).abs() < 0.15)
    );
    pollster::block_on(trainer.train_chunk(5, f64::INFINITY));
    assert_eq!(trainer.iterations(), 5);
}

/// The quality bar, on the lesson's defaults (seed 1): checked every 250 iterations, each
/// of the eight modes gets at least 5 % of 1 000 samples by iteration 10 000. A GAN's coverage
/// comes and goes, and the exact iteration moves with the CPU kernels' summation order (burn-flex
/// with or without rayon): in `cargo xtask test`'s build it is first reached at 7 500 and held to
/// 9 750; one unbroken run of 7 500 iterations reached it in the engine-only build but not in
/// that one. (`examples/gan_quality.rs` measures the first such iteration on other seeds.)
#[test]
fn the_default_run_covers_all_eight_modes_of_the_ring_within_10000_iterations() {
    let _seeded = seeded();
    let mut trainer = ToyTrainer::new(ToySettings::default(), backend::cpu()).unwrap();
    let centres = modes(Target::Ring);
    let shares = |trainer: &ToyTrainer| {
        mode_shares(&pollster::block_on(trainer.samples(1000, 99)), &centres)
    };
    let before = shares(&trainer);
    assert!(before.iter().any(|&s| s < COVERED_SHARE), "{before:?}");
    let mut last = before;
    for _ in 0..40 {
        pollster::block_on(trainer.train_chunk(250, f64::INFINITY));
        last = shares(&trainer);
        if last.iter().all(|&s| s >= COVERED_SHARE) {
            return;
        }
    }
    panic!("not all eight modes covered by iteration 10 000: {last:?}");
}

/// Momentum at a learning rate of 10 blows both networks up until a loss is no longer a number;
/// the trainer says so, and rolling back returns to the start of the last chunk whose losses were
/// finite (not its end: its last update may already have blown the weights up), from which a sane
/// learning rate trains on, and the same rate blows up again at the same iteration.
#[test]
fn a_diverged_run_is_detected_and_rolls_back_to_the_start_of_its_last_finite_chunk() {
    use kindling_engine::common::optimizer::OptimizerKind;
    let _seeded = seeded();
    let settings = ToySettings {
        g_optimizer: OptimizerKind::Momentum,
        d_optimizer: OptimizerKind::Momentum,
        g_learning_rate: 10.0,
        d_learning_rate: 10.0,
        ..ToySettings::default()
    };
    let mut trainer = ToyTrainer::new(settings, backend::cpu()).unwrap();
    assert!(!trainer.diverged());
    let mut chunks = 0;
    while !trainer.diverged() && chunks < 200 {
        pollster::block_on(trainer.train_chunk(5, f64::INFINITY));
        chunks += 1;
    }
    assert!(trainer.diverged(), "no divergence in {chunks} chunks");
    let (bad, good) = (trainer.iterations(), trainer.good_iterations());
    assert_eq!(good, bad.saturating_sub(10), "{chunks} chunks");

    trainer.roll_back();
    assert!(!trainer.diverged());
    assert_eq!(trainer.iterations(), good);
    let view = pollster::block_on(trainer.view());
    assert_eq!(
        (view.iterations, view.d_updates, view.g_updates),
        (good, good, good)
    );
    assert!(
        view.d_loss.is_finite() && view.g_loss.is_finite(),
        "{view:?}"
    );
    let (g, d) = weights(&trainer);
    assert!(g.iter().chain(&d).all(|w| w.is_finite()));

    // The same networks at the lesson's learning rate train on with finite losses.
    let mut sane = ToyTrainer::new(ToySettings::default(), backend::cpu()).unwrap();
    sane.set_networks(trainer.generator().clone(), trainer.discriminator().clone());
    pollster::block_on(sane.train_chunk(20, f64::INFINITY));
    assert!(!sane.diverged());
    let view = pollster::block_on(sane.view());
    assert!(
        view.d_loss.is_finite() && view.g_loss.is_finite(),
        "{view:?}"
    );

    // The same iterations again, from the same state, blow up the same way.
    pollster::block_on(trainer.train_chunk(bad - good, f64::INFINITY));
    assert!(trainer.diverged());
    assert_eq!(trainer.iterations(), bad);
}

/// A single step counts too: a D step whose loss is not a number is a divergence, and the state
/// before it is the one to go back to.
#[test]
fn a_single_step_that_diverges_rolls_back_to_the_state_before_it() {
    use kindling_engine::common::optimizer::OptimizerKind;
    let _seeded = seeded();
    let settings = ToySettings {
        g_optimizer: OptimizerKind::Momentum,
        d_optimizer: OptimizerKind::Momentum,
        g_learning_rate: 10.0,
        d_learning_rate: 10.0,
        ..ToySettings::default()
    };
    let mut trainer = ToyTrainer::new(settings, backend::cpu()).unwrap();
    let mut steps = 0;
    while !trainer.diverged() && steps < 1000 {
        let before = trainer.updates();
        let part = if steps % 2 == 0 {
            StepPart::Discriminator
        } else {
            StepPart::Generator
        };
        pollster::block_on(trainer.step(part));
        steps += 1;
        if !trainer.diverged() {
            assert_eq!(trainer.updates(), before + 1);
        }
    }
    assert!(trainer.diverged(), "no divergence in {steps} steps");
    let updates = trainer.updates();
    trainer.roll_back();
    assert!(!trainer.diverged());
    // Back to the state before the last finite step: two updates back.
    assert_eq!(trainer.updates(), updates - 2);
}
