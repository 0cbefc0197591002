//! Two-class point clouds in the square [-1, 1]², generated from the run's seed.

use serde::{Deserialize, Serialize};

use crate::common::named::named;
use crate::rng::Rng;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum DatasetKind {
    Circle,
    Xor,
    Gaussians,
    Spiral,
}
named!(DatasetKind { Circle => "circle", Xor => "xor", Gaussians => "gaussians", Spiral => "spiral" });

/// Which points to generate: `points` in all, the first `train_count` (after shuffling) for
/// training.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ToySet {
    pub kind: DatasetKind,
    pub points: usize,
    /// Standard deviation of the Gaussian noise, in units of the data's radius.
    pub noise: f64,
    pub train_count: usize,
    pub seed: u64,
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Point {
    pub x: f32,
    pub y: f32,
    /// 0 or 1.
    pub label: u8,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Split {
    pub train: Vec<Point>,
    pub test: Vec<Point>,
}

/// Generates the configured data set and splits it into train and test points.
pub fn generate(config: &ToySet) -> Split {
    let mut rng = Rng::new(config.seed);
    let n = config.points;
    let mut points: Vec<Point> = (0..n)
        .map(|i| {
            let label = (i % 2) as u8;
            let (x, y) = sample(config.kind, label, i / 2, n.div_ceil(2), &mut rng);
            let x = x + config.noise * rng.normal();
            let y = y + config.noise * rng.normal();
            Point {
                x: x.clamp(-1.5, 1.5) as f32,
                y: y.clamp(-1.5, 1.5) as f32,
                label,
            }
        })
        .collect();
    rng.shuffle(&mut points);
    let test = points.split_off(config.train_count.min(config.points));
    Split {
        train: points,
        test,
    }
}

/// One noiseless point of class `label`; `i` of `per_class` orders points along a spiral arm.
fn sample(kind: DatasetKind, label: u8, i: usize, per_class: usize, rng: &mut Rng) -> (f64, f64) {
    use std::f64::consts::{PI, TAU};
    match kind {
        DatasetKind::Circle => {
            let radius = if label == 0 {
                rng.range(0.0, 0.45)
            } else {
                rng.range(0.65, 1.0)
            };
            let angle = rng.range(0.0, TAU);
            (radius * angle.cos(), radius * angle.sin())
        }
        DatasetKind::Xor => {
            // Keep a small margin off the axes so the quadrants are separable without noise.
            let mut coord = || {
                let v = rng.range(0.05, 1.0);
                if rng.uniform() < 0.5 { -v } else { v }
            };
            let (x, y) = (coord(), coord());
            let same_sign = (x > 0.0) == (y > 0.0);
            // Label 1 lives where the signs agree; flip one coordinate if the draw disagrees.
            if same_sign == (label == 1) {
                (x, y)
            } else {
                (-x, y)
            }
        }
        DatasetKind::Gaussians => {
            let centre = if label == 0 { -0.45 } else { 0.45 };
            (centre + 0.18 * rng.normal(), centre + 0.18 * rng.normal())
        }
        DatasetKind::Spiral => {
            let t = i as f64 / per_class as f64;
            let radius = 0.05 + 0.95 * t;
            let angle = 1.75 * TAU * t + if label == 1 { PI } else { 0.0 };
            (radius * angle.sin(), radius * angle.cos())
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn set(kind: DatasetKind, noise: f64) -> ToySet {
        ToySet {
            kind,
            points: 800,
            noise,
            train_count: 400,
            seed: 1,
        }
    }

    #[test]
    fn split_sizes_labels_and_determinism() {
        for &dataset in DatasetKind::ALL {
            let config = ToySet {
                points: 200,
                train_count: 140,
                ..set(dataset, 0.03)
            };
            let split = generate(&config);
            assert_eq!(split.train.len(), 140);
            assert_eq!(split.test.len(), 60);
            let all: Vec<&Point> = split.train.iter().chain(&split.test).collect();
            assert_eq!(all.iter().filter(|p| p.label == 1).count(), 100);
            assert!(all.iter().all(|p| p.x.abs() <= 1.5 && p.y.abs() <= 1.5));
            assert_eq!(generate(&config), split);
            let other = generate(&ToySet { seed: 2, ..config });
            assert_ne!(other, split);
        }
    }

    #[test]
    fn noiseless_xor_and_circle_follow_their_rule() {
        for p in generate(&set(DatasetKind::Xor, 0.0)).train {
            assert_eq!(p.label == 1, (p.x > 0.0) == (p.y > 0.0), "{p:?}");
        }
        for p in generate(&set(DatasetKind::Circle, 0.0)).train {
            let r = (p.x * p.x + p.y * p.y).sqrt();
            assert_eq!(p.label == 1, r > 0.55, "{p:?}");
        }
    }
}
