//! Measures the GAN lesson's quality bars on the CPU backend: for the 2-D ring of eight
//! gaussians with the default settings, the first iteration (checked every 250) at which every
//! mode gets at least 5 % of 1 000 samples, and the wall time to get there.
//!
//! `cargo run --release -p kindling-engine --example gan_quality -- [seeds…]`

use kindling_engine::backend;
use kindling_engine::lessons::gan::ToySettings;
use kindling_engine::lessons::gan::metrics::{covered, mode_shares};
use kindling_engine::lessons::gan::settings::Target;
use kindling_engine::lessons::gan::targets::modes;
use kindling_engine::lessons::gan::training::ToyTrainer;
use web_time::Instant;

const CHECK_EVERY: u64 = 250;
const MAX_ITERATIONS: u64 = 20_000;

fn ring(seed: u64) {
    let settings = ToySettings {
        seed,
        ..ToySettings::default()
    };
    let mut trainer = ToyTrainer::new(settings, backend::cpu()).expect("valid settings");
    let centres = modes(Target::Ring);
    let started = Instant::now();
    while trainer.iterations() < MAX_ITERATIONS {
        pollster::block_on(trainer.train_chunk(CHECK_EVERY, f64::INFINITY));
        let samples = pollster::block_on(trainer.samples(1000, 99));
        let shares = mode_shares(&samples, &centres);
        let seconds = started.elapsed().as_secs_f64();
        let n = covered(&shares);
        let least = shares.iter().copied().fold(1.0, f32::min);
        println!(
            "ring seed {seed}: {:>6} iterations, {n}/8 modes covered (least {:.1} %), {seconds:.1} s",
            trainer.iterations(),
            least * 100.0
        );
        if n == 8 {
            return;
        }
    }
}

fn main() {
    let seeds: Vec<u64> = std::env::args()
        .skip(1)
        .filter_map(|s| s.parse().ok())
        .collect();
    for seed in if seeds.is_empty() { vec![1] } else { seeds } {
        ring(seed);
    }
}
