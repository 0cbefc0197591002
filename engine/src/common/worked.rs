//! The parts of a worked example (the activation and loss lessons): plots and named steps.

use serde::{Deserialize, Serialize};

use super::input::InputError;

/// Samples of a curve for plotting: `ys[k][i]` is curve `k` at `xs[i]`.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Plot {
    pub xs: Vec<f64>,
    pub ys: Vec<Vec<f64>>,
}

/// Range and resolution of a plot's x axis.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq)]
pub struct PlotRange {
    pub min: f64,
    pub max: f64,
    pub samples: usize,
}

impl PlotRange {
    pub const MAX_SAMPLES: usize = 1001;
    pub const LIMIT: f64 = 1e4;

    pub fn xs(&self) -> Vec<f64> {
        let n = self.samples.clamp(2, Self::MAX_SAMPLES);
        (0..n)
            .map(|i| self.min + (self.max - self.min) * i as f64 / (n - 1) as f64)
            .collect()
    }

    pub fn check(&self) -> Result<(), InputError> {
        let ok = self.min.is_finite()
            && self.max.is_finite()
            && self.min < self.max
            && self.min.abs() <= Self::LIMIT
            && self.max.abs() <= Self::LIMIT;
        if ok {
            Ok(())
        } else {
            Err(InputError::BadRange { limit: Self::LIMIT })
        }
    }
}

/// One row of a worked example: a named intermediate quantity, per input.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Step {
    /// A key for the step's label and formula in the lesson text (for example `exp_neg_x`).
    pub key: String,
    pub values: Vec<f64>,
}

impl Step {
    pub fn new(key: &str, values: Vec<f64>) -> Self {
        Self {
            key: key.to_string(),
            values,
        }
    }
}
