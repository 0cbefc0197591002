//! The digit GAN on the CPU backend, on small synthetic images: each step trains only its own
//! network, both networks and the conditional variant run, and a saved generator loads back to
//! give the very same samples.

mod common;

use std::sync::Arc;

use common::{SEEDED, bars};
use kindling_engine::backend;
use kindling_engine::burn::module::Module;
use kindling_engine::common::model_file::{load_weights, parameters, read_weights};
use kindling_engine::lessons::gan::digits::{DigitModel, DigitSettings};
use kindling_engine::lessons::gan::digits_training::{
    DigitTrainer, GRID, generate, load_generator,
};

fn settings(model: DigitModel, conditional: bool) -> DigitSettings {
    DigitSettings {
        model,
        conditional,
        batch_size: 8,
        ..DigitSettings::default()
    }
}

/// The trained weights of `model`: every float tensor but batch norm's running statistics, which
/// a forward pass in training mode updates without any optimiser step.
fn trained<M: Module>(model: &M) -> Vec<f32> {
    let values = pollster::block_on(read_weights(model)).unwrap();
    let mut rest = values.as_slice();
    let mut kept = Vec::new();
    for p in parameters(model) {
        let (head, tail) = rest.split_at(p.shape.iter().product());
        if !p.name.ends_with("running_mean") && !p.name.ends_with("running_var") {
            kept.extend_from_slice(head);
        }
        rest = tail;
    }
    kept
}

/// Every float of the generator NaN, batch norms' running statistics too (which loading writes in
/// place).
fn blow_up_generator(t: &mut DigitTrainer) {
    let count = pollster::block_on(read_weights(t.generator()))
        .unwrap()
        .len();
    let broken = load_weights(
        t.generator().clone(),
        &parameters(t.generator()),
        vec![f32::NAN; count],
    );
    t.set_networks(broken.unwrap(), t.discriminator().clone());
}

fn trainer(settings: DigitSettings) -> DigitTrainer {
    DigitTrainer::new(settings, Arc::new(bars(64, 3)), backend::cpu()).unwrap()
}

#[test]
fn a_d_step_changes_only_d_and_a_g_step_only_g() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    for model in [DigitModel::Dcgan, DigitModel::Mlp] {
        for conditional in [false, true] {
            let mut t = trainer(settings(model, conditional));
            let weights = |t: &DigitTrainer| (trained(t.generator()), trained(t.discriminator()));
            let (g0, d0) = weights(&t);
            pollster::block_on(kindling_engine::common::read::read_scalar(t.d_step()));
            let (g1, d1) = weights(&t);
            assert!(g1 == g0, "{model:?} {conditional}: a D step moved G");
            assert!(d1 != d0, "{model:?} {conditional}: a D step left D");
            pollster::block_on(kindling_engine::common::read::read_scalar(t.g_step()));
            let (g2, d2) = weights(&t);
            assert!(d2 == d1, "{model:?} {conditional}: a G step moved D");
            assert!(g2 != g1, "{model:?} {conditional}: a G step left G");
        }
    }
}

/// Adam's first step moves each weight by its learning rate times g / (|g| + ε), so the largest
/// move of a first D step is the discriminator's own rate: twice the rate set for the DCGAN, the
/// rate set for the MLP pair. G's first step moves by the rate set.
#[test]
fn the_dcgan_discriminator_learns_at_twice_the_rate_set() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let largest_move = |before: &[f32], after: &[f32]| {
        before
            .iter()
            .zip(after)
            .map(|(a, b)| (a - b).abs() as f64)
            .fold(0.0, f64::max)
    };
    for (model, d_rate) in [(DigitModel::Dcgan, 2.0), (DigitModel::Mlp, 1.0)] {
        let settings = settings(model, false);
        let lr = settings.learning_rate;
        let mut t = trainer(settings);
        let (g0, d0) = (trained(t.generator()), trained(t.discriminator()));
        pollster::block_on(kindling_engine::common::read::read_scalar(t.d_step()));
        pollster::block_on(kindling_engine::common::read::read_scalar(t.g_step()));
        let (g1, d1) = (trained(t.generator()), trained(t.discriminator()));
        let d_move = largest_move(&d0, &d1) / lr;
        let g_move = largest_move(&g0, &g1) / lr;
        assert!(
            (d_move - d_rate).abs() < 0.01,
            "{model:?}: D moved {d_move} × the rate"
        );
        assert!(
            (g_move - 1.0).abs() < 0.01,
            "{model:?}: G moved {g_move} × the rate"
        );
    }
}

#[test]
fn training_runs_and_the_grid_is_whole() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let mut t = trainer(settings(DigitModel::Dcgan, true));
    let before = pollster::block_on(t.grid());
    pollster::block_on(t.train_chunk(3, f64::INFINITY));
    let progress = pollster::block_on(t.progress());
    assert_eq!(progress.iterations, 3);
    assert!(progress.d_loss.is_finite() && progress.g_loss.is_finite());
    assert!((0.0..=1.0).contains(&progress.d_real) && (0.0..=1.0).contains(&progress.d_fake));
    let after = pollster::block_on(t.grid());
    assert_eq!(after.len(), GRID * 28 * 28);
    assert!(after.iter().all(|p| (0.0..=1.0).contains(p)));
    assert!(before != after);
    let walk = pollster::block_on(t.walk(1, 2, 5, 7));
    assert_eq!(walk.len(), 5 * 28 * 28);
}

#[test]
fn a_saved_generator_loads_back_with_identical_samples() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    for model in [DigitModel::Dcgan, DigitModel::Mlp] {
        let mut t = trainer(settings(model, true));
        pollster::block_on(t.train_chunk(2, f64::INFINITY));
        let bytes = pollster::block_on(t.save_generator()).unwrap();
        let labels = [7u8];
        let expected = pollster::block_on(t.samples(12, 5, &labels));
        let device = backend::cpu();
        let (card, generator) = load_generator(&bytes, &device).unwrap();
        assert_eq!(card.iterations, 2);
        assert_eq!(&card.settings, t.settings());
        let again = pollster::block_on(generate(
            &generator,
            &card.settings,
            12,
            5,
            &labels,
            &device,
        ));
        assert!(again == expected, "{model:?}");
        // A fresh run takes the file, and then samples the same.
        let mut fresh = trainer(settings(model, true));
        assert!(pollster::block_on(fresh.samples(12, 5, &labels)) != expected);
        fresh.load_generator(&bytes).unwrap();
        assert!(pollster::block_on(fresh.samples(12, 5, &labels)) == expected);
        // Damaged or mismatched files are refused.
        let mut damaged = bytes.clone();
        let last = damaged.len() - 1;
        damaged[last] ^= 1;
        assert!(load_generator(&damaged, &device).is_err());
        let mut other = trainer(settings(model, false));
        assert!(other.load_generator(&bytes).is_err());
    }
}

/// Adam's steps are bounded by the learning rate, so within the lesson's range (at most 10) the
/// digits' losses grow huge but stay numbers; a generator whose weights are not numbers makes
/// D's loss NaN at once. The trainer says so, and rolling back returns to the start of the last
/// chunk whose losses were finite (not its end: its last update may already have blown the
/// weights up), with the generator it had, from which training goes on with finite losses.
#[test]
fn a_diverged_run_is_detected_and_rolls_back_to_the_start_of_its_last_finite_chunk() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let mut t = trainer(settings(DigitModel::Mlp, false));
    for _ in 0..3 {
        pollster::block_on(t.train_chunk(5, f64::INFINITY));
    }
    assert!(!t.diverged());
    assert_eq!((t.iterations(), t.good_iterations()), (15, 10));
    blow_up_generator(&mut t);
    pollster::block_on(t.train_chunk(5, f64::INFINITY));
    assert!(t.diverged());
    assert_eq!((t.iterations(), t.good_iterations()), (20, 10));
    let progress = pollster::block_on(t.progress());
    assert!(progress.d_loss.is_nan(), "{progress:?}");

    t.roll_back();
    assert!(!t.diverged());
    let progress = pollster::block_on(t.progress());
    assert_eq!(progress.iterations, 10);
    assert!(
        progress.d_loss.is_finite() && progress.g_loss.is_finite(),
        "{progress:?}"
    );
    assert!(trained(t.generator()).iter().all(|w| w.is_finite()));
    pollster::block_on(t.train_chunk(5, f64::INFINITY));
    assert!(!t.diverged());
    assert_eq!((t.iterations(), t.good_iterations()), (15, 10));
}

/// The DCGAN's batch norms hold running statistics that training (and loading) update in place,
/// so the state a run goes back to must hold its own copy of them, not share them: after a roll
/// back, both networks, statistics included, are those of a fresh run at the same iteration.
#[test]
fn a_rolled_back_dcgan_has_the_batch_norm_statistics_of_its_good_iteration() {
    let _seeded = SEEDED.lock().unwrap_or_else(|e| e.into_inner());
    let everything = |m: &DigitTrainer| {
        (
            pollster::block_on(read_weights(m.generator())).unwrap(),
            pollster::block_on(read_weights(m.discriminator())).unwrap(),
        )
    };
    let mut t = trainer(settings(DigitModel::Dcgan, false));
    for _ in 0..3 {
        pollster::block_on(t.train_chunk(5, f64::INFINITY));
    }
    // Twice: the run that went back blows up again before its kept state is replaced, which
    // must not have been touched by the training in between.
    for _ in 0..2 {
        blow_up_generator(&mut t);
        pollster::block_on(t.train_chunk(5, f64::INFINITY));
        assert!(t.diverged());
        t.roll_back();
        assert_eq!(t.iterations(), 10);
    }

    let mut again = trainer(settings(DigitModel::Dcgan, false));
    for _ in 0..2 {
        pollster::block_on(again.train_chunk(5, f64::INFINITY));
    }
    assert!(everything(&t) == everything(&again));
}
