//! The digit GAN's settings: which pair of networks, conditional or not, and its training.
//! Plain data.

use serde::{Deserialize, Serialize};

use crate::common::named::named;
use crate::common::parse::{BATCH_SIZE, LEARNING_RATE, Problem, SEED};

/// The pair of networks.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum DigitModel {
    /// As the article describes it: transposed convolutions up from the noise, convolutions
    /// down to one logit.
    Dcgan,
    /// Two small perceptrons: quicker on the CPU backend.
    Mlp,
}
named!(DigitModel { Dcgan => "dcgan", Mlp => "mlp" });

impl DigitModel {
    /// The discriminator's learning rate over the one set (the generator's). The DCGAN's
    /// discriminator is the smaller of its two networks; learning at twice the rate (a two
    /// time-scale update rule) it gave sharper digits sooner, at no cost in time: 64.4 % of
    /// samples confidently classified at 2,000 iterations against 59.9 % at the same rate,
    /// measured with the DCGAN's earlier two-layer networks (`examples/gan_digits_quality.rs`).
    /// The MLP pair meets its bar at one rate.
    pub fn discriminator_rate(self) -> f64 {
        match self {
            DigitModel::Dcgan => 2.0,
            DigitModel::Mlp => 1.0,
        }
    }
}

/// Noise values, inclusive.
pub const LATENT: (f64, f64) = (2.0, 128.0);
/// Digit classes.
pub const CLASSES: usize = 10;
/// Side of an image.
pub const SIDE: usize = 28;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DigitSettings {
    pub model: DigitModel,
    /// The label joins the noise and the discriminator's input.
    pub conditional: bool,
    pub latent: usize,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub seed: u64,
}

impl Default for DigitSettings {
    fn default() -> Self {
        Self {
            model: DigitModel::Dcgan,
            conditional: false,
            latent: 32,
            learning_rate: 0.0005,
            batch_size: 64,
            seed: 1,
        }
    }
}

/// Which digit setting a problem is about.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum DigitField {
    Latent,
    LearningRate,
    BatchSize,
    Seed,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DigitError {
    pub field: DigitField,
    pub problem: Problem,
}

impl DigitSettings {
    /// Every problem with these settings; empty when they can be trained.
    pub fn validate(&self) -> Vec<DigitError> {
        let mut errors = Vec::new();
        let mut check = |field, value: f64, (min, max): (f64, f64)| {
            let problem = if !value.is_finite() {
                Problem::NotFinite
            } else if value < min || value > max {
                Problem::OutOfRange { min, max }
            } else {
                return;
            };
            errors.push(DigitError { field, problem });
        };
        check(DigitField::Latent, self.latent as f64, LATENT);
        check(DigitField::LearningRate, self.learning_rate, LEARNING_RATE);
        check(DigitField::BatchSize, self.batch_size as f64, BATCH_SIZE);
        check(DigitField::Seed, self.seed as f64, SEED);
        errors
    }

    /// What the generator reads: the noise, and the label's one-hot code when conditional.
    pub fn generator_input(&self) -> usize {
        self.latent + if self.conditional { CLASSES } else { 0 }
    }
}
