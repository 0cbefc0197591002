//! What the benchmark runs and what it reports (plain data, shared with the page).

use serde::{Deserialize, Serialize};

use crate::common::named::named;

/// Examples per training step in every training workload.
pub const BATCH: usize = 64;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "kebab-case")]
pub enum Workload {
    /// A: 28×28×1 → conv 8@5×5 ReLU → max-pool 2 → conv 16@5×5 ReLU → max-pool 2 → dense 10,
    /// softmax cross-entropy, Adam 1e-3 (5,994 parameters).
    CnnSmall,
    /// The CNN lesson's default network, Adam at its default learning rate.
    CnnDefault,
    /// B: one discriminator and one generator step. G 64 → 128 ReLU → 784 tanh;
    /// D 784 → 128 leaky ReLU(0.2) → 1; Adam 2e-4, β1 0.5.
    Gan,
    /// C: A's network, one image, forward only.
    Inference,
    /// D: A's convolutions frozen, a fresh dense head trained.
    Transfer,
}
named!(Workload {
    CnnSmall => "cnn-small",
    CnnDefault => "cnn-default",
    Gan => "gan",
    Inference => "inference",
    Transfer => "transfer",
});

impl Workload {
    /// Examples one step processes.
    pub fn batch(self) -> usize {
        match self {
            Workload::Inference => 1,
            _ => BATCH,
        }
    }
}

/// One workload's timings on one backend, each step waited for (its result read back).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct BenchResult {
    pub workload: Workload,
    /// The first step, shader compilation and first allocations included.
    pub first_ms: f64,
    /// Every later step (warm-up steps excluded).
    pub steps_ms: Vec<f64>,
}

impl BenchResult {
    /// The median of the timed steps; NaN when there are none.
    pub fn median_ms(&self) -> f64 {
        median(&self.steps_ms)
    }
}

/// The median of `values` (the mean of the middle two for an even count); NaN when empty.
pub fn median(values: &[f64]) -> f64 {
    let mut sorted: Vec<f64> = values.iter().copied().filter(|v| !v.is_nan()).collect();
    if sorted.is_empty() {
        return f64::NAN;
    }
    sorted.sort_by(f64::total_cmp);
    let mid = sorted.len() / 2;
    if sorted.len() % 2 == 1 {
        sorted[mid]
    } else {
        (sorted[mid - 1] + sorted[mid]) / 2.0
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn median_of_odd_and_even_counts() {
        assert_eq!(median(&[3.0, 1.0, 2.0]), 2.0);
        assert_eq!(median(&[4.0, 1.0, 3.0, 2.0]), 2.5);
        assert!(median(&[]).is_nan());
    }

    #[test]
    fn workloads_round_trip_through_their_names() {
        for &w in Workload::ALL {
            assert_eq!(Workload::from_name(w.name()), Some(w));
        }
    }
}
