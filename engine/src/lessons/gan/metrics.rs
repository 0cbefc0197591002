//! How close the generated points are to the target: a divergence estimated on a grid of bins,
//! and, for the mixtures, the share of samples near each mode. Plain arithmetic on points.

use serde::{Deserialize, Serialize};

use super::settings::EXTENT;

/// Bins per side of the grid the divergences are estimated on.
pub const DIVERGENCE_BINS: usize = 24;
/// Probability added to every bin before normalising, so empty bins give finite logarithms.
const SMOOTHING: f64 = 1e-4;
/// A sample counts for a mode when it lies within this distance of its centre.
pub const MODE_RADIUS: f32 = 0.2;
/// A mode is covered when it receives at least this share of the samples.
pub const COVERED_SHARE: f32 = 0.05;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct Divergence {
    /// KL(real ‖ generated), in nats.
    pub kl: f32,
    /// Jensen–Shannon divergence, in nats (at most ln 2).
    pub js: f32,
}

/// The share of points (x, y pairs) in each bin of a `bins` × `bins` grid over the plot, with
/// every bin smoothed; points outside the plot go to the nearest edge bin.
pub fn histogram(points: &[f32], bins: usize) -> Vec<f64> {
    let mut counts = vec![SMOOTHING; bins * bins];
    let to_bin = |v: f32| {
        let t = (v + EXTENT) / (2.0 * EXTENT);
        ((t * bins as f32).floor().max(0.0) as usize).min(bins - 1)
    };
    for p in points.chunks_exact(2) {
        if p[0].is_finite() && p[1].is_finite() {
            counts[to_bin(p[1]) * bins + to_bin(p[0])] += 1.0;
        }
    }
    let total: f64 = counts.iter().sum();
    counts.iter().map(|c| c / total).collect()
}

fn kl(p: &[f64], q: &[f64]) -> f64 {
    p.iter().zip(q).map(|(&a, &b)| a * (a / b).ln()).sum()
}

/// KL and JS between the real and generated points' histograms.
pub fn divergence(real: &[f32], generated: &[f32]) -> Divergence {
    let p = histogram(real, DIVERGENCE_BINS);
    let q = histogram(generated, DIVERGENCE_BINS);
    let m: Vec<f64> = p.iter().zip(&q).map(|(a, b)| (a + b) / 2.0).collect();
    Divergence {
        kl: kl(&p, &q) as f32,
        js: ((kl(&p, &m) + kl(&q, &m)) / 2.0) as f32,
    }
}

/// For each mode, the share of the points within [`MODE_RADIUS`] of it (the nearest one when
/// several are that close).
pub fn mode_shares(points: &[f32], modes: &[[f32; 2]]) -> Vec<f32> {
    let mut counts = vec![0usize; modes.len()];
    let total = points.len() / 2;
    for p in points.chunks_exact(2) {
        let nearest = modes
            .iter()
            .enumerate()
            .map(|(i, m)| (i, (p[0] - m[0]).hypot(p[1] - m[1])))
            .min_by(|a, b| a.1.total_cmp(&b.1));
        if let Some((i, d)) = nearest
            && d <= MODE_RADIUS
        {
            counts[i] += 1;
        }
    }
    counts
        .iter()
        .map(|&c| c as f32 / total.max(1) as f32)
        .collect()
}

/// How many modes get at least [`COVERED_SHARE`] of the samples.
pub fn covered(shares: &[f32]) -> usize {
    shares.iter().filter(|&&s| s >= COVERED_SHARE).count()
}

/// A class counts as confident from this probability on.
pub const CONFIDENT: f32 = 0.9;

/// What a classifier says about a batch of generated digits: how many it puts in each class, how
/// many it is confident about, and how many classes appear at all.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ClassMeter {
    /// Samples whose most likely class is each class.
    pub histogram: Vec<u32>,
    /// Share of samples whose most likely class has probability at least [`CONFIDENT`].
    pub confident: f32,
    /// Classes that are the most likely one for at least one sample.
    pub classes_seen: u32,
}

/// The meter for `probabilities`, `classes` a sample, one sample after another.
pub fn class_meter(probabilities: &[f32], classes: usize) -> ClassMeter {
    let mut histogram = vec![0u32; classes];
    let mut confident = 0usize;
    let rows = probabilities.chunks_exact(classes.max(1));
    let count = rows.len();
    for row in rows {
        let (best, p) =
            row.iter().enumerate().fold(
                (0, f32::NEG_INFINITY),
                |b, (i, &p)| if p > b.1 { (i, p) } else { b },
            );
        histogram[best] += 1;
        if p >= CONFIDENT {
            confident += 1;
        }
    }
    ClassMeter {
        classes_seen: histogram.iter().filter(|&&c| c > 0).count() as u32,
        confident: confident as f32 / count.max(1) as f32,
        histogram,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::gan::settings::Target;
    use crate::lessons::gan::targets::{modes, sample};
    use crate::rng::Rng;

    #[test]
    fn divergence_is_small_for_the_same_distribution_and_large_for_another() {
        let real = sample(Target::Ring, &[], 3000, &mut Rng::new(1));
        let same = sample(Target::Ring, &[], 3000, &mut Rng::new(2));
        let other = sample(Target::Line, &[], 3000, &mut Rng::new(2));
        let near = divergence(&real, &same);
        let far = divergence(&real, &other);
        assert!(near.js < 0.05 && near.kl < 0.2, "{near:?}");
        assert!(far.js > 0.6 && far.kl > 5.0, "{far:?}");
        assert!(far.js <= std::f32::consts::LN_2 + 1e-6);
    }

    #[test]
    fn js_matches_a_hand_computed_pair_of_bins() {
        // All real points in one bin, all generated ones in another: with the smoothing, JS is
        // ln 2 less a little, and KL is large.
        let real = [0.5f32, 0.5].repeat(100);
        let generated = [-0.5f32, -0.5].repeat(100);
        let d = divergence(&real, &generated);
        let bins = (DIVERGENCE_BINS * DIVERGENCE_BINS) as f64;
        let total = 100.0 + bins * SMOOTHING;
        let (hi, lo) = ((100.0 + SMOOTHING) / total, SMOOTHING / total);
        let m = (hi + lo) / 2.0;
        let half = hi * (hi / m).ln() + lo * (lo / m).ln();
        let expected_js = half; // (half + half) / 2
        let expected_kl = hi * (hi / lo).ln() + lo * (lo / hi).ln();
        assert!(
            (d.js as f64 - expected_js).abs() < 1e-5,
            "{d:?} {expected_js}"
        );
        assert!(
            (d.kl as f64 - expected_kl).abs() < 1e-3,
            "{d:?} {expected_kl}"
        );
    }

    #[test]
    fn the_class_meter_counts_the_most_likely_class_and_confidence() {
        let probabilities = [
            0.95, 0.05, 0.0, // confident 0
            0.5, 0.3, 0.2, // unsure 0
            0.1, 0.0, 0.9, // confident 2
            0.0, 0.0, 1.0, // confident 2
        ];
        let meter = class_meter(&probabilities, 3);
        assert_eq!(meter.histogram, [2, 0, 2]);
        assert_eq!(meter.confident, 0.75);
        assert_eq!(meter.classes_seen, 2);
        assert_eq!(class_meter(&[], 10).confident, 0.0);
    }

    #[test]
    fn shares_count_only_points_near_a_mode() {
        let centres = modes(Target::Ring);
        let mut points = Vec::new();
        points.extend_from_slice(&centres[0]);
        points.extend_from_slice(&centres[0]);
        points.extend_from_slice(&[centres[3][0] + 0.1, centres[3][1]]);
        points.extend_from_slice(&[0.0, 0.0]);
        let shares = mode_shares(&points, &centres);
        assert_eq!(shares[0], 0.5);
        assert_eq!(shares[3], 0.25);
        assert_eq!(shares.iter().sum::<f32>(), 0.75);
        assert_eq!(covered(&shares), 2);
        let real = sample(Target::Ring, &[], 1000, &mut Rng::new(4));
        assert_eq!(covered(&mode_shares(&real, &centres)), 8);
    }
}
