//! What the CNN tests share: the seeding lock and a small synthetic image set.

use std::sync::Mutex;

use kindling_engine::datasets::mnist::Images;
use kindling_engine::rng::Rng;

/// burn's CPU backend keeps one global random generator: tests that seed it run one at a time.
pub static SEEDED: Mutex<()> = Mutex::new(());

pub const SIDE: usize = 28;

/// 28 × 28 images of a horizontal bar (0), a vertical bar (1) or a cross (2), at random
/// positions and lengths, with noise.
pub fn bars(count: usize, seed: u64) -> Images {
    let mut rng = Rng::new(seed);
    let mut pixels = Vec::with_capacity(count * SIDE * SIDE);
    let mut labels = Vec::with_capacity(count);
    for i in 0..count {
        let label = (i % 3) as u8;
        let mut image = [0f32; SIDE * SIDE];
        let (row, col) = (4 + rng.below(20), 4 + rng.below(20));
        let (from, to) = (rng.below(6), SIDE - rng.below(6));
        for t in from..to {
            for w in 0..2 {
                if label != 1 {
                    image[(row + w - 1) * SIDE + t] = 1.0;
                }
                if label != 0 {
                    image[t * SIDE + col + w - 1] = 1.0;
                }
            }
        }
        pixels.extend(
            image
                .iter()
                .map(|&v| ((v * 0.8 + 0.3 * rng.uniform() as f32).min(1.0) * 255.0) as u8),
        );
        labels.push(label);
    }
    Images {
        rows: SIDE,
        cols: SIDE,
        pixels,
        labels,
    }
}
