//! The toy's target distributions: samples drawn with the engine's seeded generator, and the
//! centres of the mixtures' modes (for the coverage read-out).

use super::settings::Target;
use crate::rng::Rng;

/// Radius of the ring of eight gaussians.
pub const RING_RADIUS: f32 = 0.8;
/// Spacing of the 3 × 3 grid of gaussians.
pub const GRID_SPACING: f32 = 0.7;
/// Standard deviation of each gaussian of the ring and the grid.
pub const MODE_STD: f32 = 0.05;
/// Jitter added to each drawn or pasted point when it is sampled.
pub const CUSTOM_JITTER: f32 = 0.02;

/// The centres of a mixture's gaussians; empty for the other targets.
pub fn modes(target: Target) -> Vec<[f32; 2]> {
    match target {
        Target::Ring => (0..8)
            .map(|i| {
                let angle = std::f32::consts::TAU * i as f32 / 8.0;
                [RING_RADIUS * angle.cos(), RING_RADIUS * angle.sin()]
            })
            .collect(),
        Target::Grid => (0..9)
            .map(|i| {
                let (row, col) = ((i / 3) as f32 - 1.0, (i % 3) as f32 - 1.0);
                [col * GRID_SPACING, row * GRID_SPACING]
            })
            .collect(),
        _ => Vec::new(),
    }
}

/// One point of `target` (`custom`: the learner's points, used by `Target::Custom`).
pub fn sample_one(target: Target, custom: &[[f32; 2]], rng: &mut Rng) -> [f32; 2] {
    let normal = |rng: &mut Rng| rng.normal() as f32;
    match target {
        Target::Ring | Target::Grid => {
            let centres = modes(target);
            let [x, y] = centres[rng.below(centres.len())];
            [x + MODE_STD * normal(rng), y + MODE_STD * normal(rng)]
        }
        Target::Moons => {
            let t = std::f32::consts::PI * rng.uniform() as f32;
            let [x, y] = if rng.below(2) == 0 {
                [t.cos(), t.sin()]
            } else {
                [1.0 - t.cos(), 0.5 - t.sin()]
            };
            // Centred on the origin and scaled into the plot.
            [
                0.55 * (x - 0.5) + 0.04 * normal(rng),
                0.55 * (y - 0.25) + 0.04 * normal(rng),
            ]
        }
        Target::Spiral => {
            let t = rng.uniform() as f32;
            let angle = 3.0 * std::f32::consts::PI * t;
            let radius = 0.1 + 0.85 * t;
            [
                radius * angle.cos() + 0.03 * normal(rng),
                radius * angle.sin() + 0.03 * normal(rng),
            ]
        }
        Target::Line => {
            let t = rng.range(-0.8, 0.8) as f32;
            [t + 0.02 * normal(rng), 0.5 * t + 0.02 * normal(rng)]
        }
        Target::Custom => match custom.get(rng.below(custom.len().max(1))) {
            Some(&[x, y]) => [
                x + CUSTOM_JITTER * normal(rng),
                y + CUSTOM_JITTER * normal(rng),
            ],
            None => [0.0, 0.0],
        },
    }
}

/// `count` points of `target`, flattened as x0, y0, x1, y1, ….
pub fn sample(target: Target, custom: &[[f32; 2]], count: usize, rng: &mut Rng) -> Vec<f32> {
    (0..count)
        .flat_map(|_| sample_one(target, custom, rng))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ring_samples_stay_near_their_modes_and_use_all_of_them() {
        let mut rng = Rng::new(3);
        let points = sample(Target::Ring, &[], 4000, &mut rng);
        let centres = modes(Target::Ring);
        let mut counts = [0usize; 8];
        for p in points.chunks_exact(2) {
            let (best, distance) = centres
                .iter()
                .enumerate()
                .map(|(i, c)| (i, ((p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2)).sqrt()))
                .min_by(|a, b| a.1.total_cmp(&b.1))
                .unwrap();
            assert!(distance < 6.0 * MODE_STD, "{p:?}");
            counts[best] += 1;
        }
        assert!(
            counts.iter().all(|&c| (400..600).contains(&c)),
            "{counts:?}"
        );
    }

    #[test]
    fn every_target_is_seeded_and_inside_the_plot() {
        let custom = [[0.5, 0.5], [-0.5, 0.2]];
        for &target in Target::ALL {
            let a = sample(target, &custom, 500, &mut Rng::new(9));
            let b = sample(target, &custom, 500, &mut Rng::new(9));
            assert_eq!(a, b);
            assert!(
                a.iter().all(|v| v.abs() < super::super::settings::EXTENT),
                "{target:?}"
            );
        }
    }
}
