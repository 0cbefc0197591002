//! The toy GAN's settings: what the learner chooses, its limits and its validation. Plain data.

use serde::{Deserialize, Serialize};

use crate::common::activation::Activation;
use crate::common::named::named;
use crate::common::optimizer::OptimizerKind;
use crate::common::parse::{BATCH_SIZE, LEARNING_RATE, Problem, SEED};

/// The distribution the generator should learn to imitate.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Target {
    /// Eight gaussians on a circle.
    Ring,
    /// Nine gaussians on a 3 × 3 grid.
    Grid,
    Moons,
    Spiral,
    Line,
    /// Points the learner drew or pasted (`ToySettings::custom`).
    Custom,
}
named!(Target { Ring => "ring", Grid => "grid", Moons => "moons", Spiral => "spiral", Line => "line", Custom => "custom" });

/// Where the generator's noise comes from.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum NoiseKind {
    /// Uniform in [-1, 1] on each axis.
    Uniform,
    /// Standard normal on each axis.
    Gaussian,
}
named!(NoiseKind { Uniform => "uniform", Gaussian => "gaussian" });

/// The pair of losses the two networks minimise.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum LossKind {
    /// D: −log D(x) − log(1 − D(G(z))); G: log(1 − D(G(z))), as in Goodfellow et al.'s game.
    Minimax,
    /// D as in minimax; G: −log D(G(z)), which keeps a gradient while D rejects G's samples.
    NonSaturating,
    /// D: ½(D(x) − 1)² + ½D(G(z))²; G: ½(D(G(z)) − 1)², on D's probability.
    LeastSquares,
}
named!(LossKind { Minimax => "minimax", NonSaturating => "nonsat", LeastSquares => "ls" });

/// Which setting a problem is about; the page words it in its language.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum ToyField {
    Target,
    Points,
    NoiseDim,
    Noise,
    GLayers,
    DLayers,
    GActivation,
    DActivation,
    GOptimizer,
    DOptimizer,
    GLearningRate,
    DLearningRate,
    DSteps,
    Loss,
    BatchSize,
    Seed,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ToyError {
    pub field: ToyField,
    pub problem: ToyProblem,
}

/// Why a toy setting was refused: a number's problem, or too few drawn points.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum ToyProblem {
    Value(Problem),
    TooFewPoints { found: usize, needed: usize },
    TooManyPoints { found: usize, allowed: usize },
}

/// Hidden layers per network, inclusive.
pub const LAYERS: (f64, f64) = (1.0, 4.0);
/// Units per hidden layer, inclusive.
pub const WIDTH: (f64, f64) = (1.0, 128.0);
/// Discriminator steps per generator step, inclusive.
pub const D_STEPS: (f64, f64) = (1.0, 10.0);
/// Noise dimensions the toy offers.
pub const NOISE_DIM: (f64, f64) = (1.0, 2.0);
/// Points a drawn or pasted distribution must have, inclusive.
pub const CUSTOM_POINTS: (usize, usize) = (10, 2000);
/// Half-width of the plotted square: the toy lives in [-EXTENT, EXTENT]².
pub const EXTENT: f32 = 1.2;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ToySettings {
    pub target: Target,
    /// The learner's points, in plot coordinates; used when `target` is `Custom`.
    pub custom: Vec<[f32; 2]>,
    pub noise_dim: usize,
    pub noise: NoiseKind,
    /// Width of each hidden layer of the generator and of the discriminator.
    pub g_hidden: Vec<usize>,
    pub d_hidden: Vec<usize>,
    pub g_activation: Activation,
    pub d_activation: Activation,
    pub g_optimizer: OptimizerKind,
    pub d_optimizer: OptimizerKind,
    pub g_learning_rate: f64,
    pub d_learning_rate: f64,
    /// Discriminator steps before each generator step (k in the original paper).
    pub d_steps: usize,
    pub loss: LossKind,
    /// Real and generated points in each step's batch.
    pub batch_size: usize,
    pub seed: u64,
}

impl Default for ToySettings {
    fn default() -> Self {
        Self {
            target: Target::Ring,
            custom: Vec::new(),
            noise_dim: 2,
            noise: NoiseKind::Gaussian,
            g_hidden: vec![64, 64],
            d_hidden: vec![64, 64],
            g_activation: Activation::Relu,
            d_activation: Activation::Relu,
            g_optimizer: OptimizerKind::Adam,
            d_optimizer: OptimizerKind::Adam,
            g_learning_rate: 0.001,
            d_learning_rate: 0.001,
            d_steps: 1,
            loss: LossKind::NonSaturating,
            batch_size: 128,
            seed: 1,
        }
    }
}

fn check(errors: &mut Vec<ToyError>, field: ToyField, value: f64, (min, max): (f64, f64)) {
    let problem = if !value.is_finite() {
        Problem::NotFinite
    } else if value < min || value > max {
        Problem::OutOfRange { min, max }
    } else {
        return;
    };
    if !errors.iter().any(|e| e.field == field) {
        let problem = ToyProblem::Value(problem);
        errors.push(ToyError { field, problem });
    }
}

fn check_layers(errors: &mut Vec<ToyError>, field: ToyField, widths: &[usize]) {
    check(errors, field, widths.len() as f64, LAYERS);
    for &w in widths {
        check(errors, field, w as f64, WIDTH);
    }
}

impl ToySettings {
    /// Every problem with these settings; empty when they can be trained.
    pub fn validate(&self) -> Vec<ToyError> {
        use ToyField as F;
        let mut errors = Vec::new();
        if self.target == Target::Custom {
            let found = self.custom.len();
            let (needed, allowed) = CUSTOM_POINTS;
            let problem = if found < needed {
                Some(ToyProblem::TooFewPoints { found, needed })
            } else if found > allowed {
                Some(ToyProblem::TooManyPoints { found, allowed })
            } else if self.custom.iter().flatten().any(|v| !v.is_finite()) {
                Some(ToyProblem::Value(Problem::NotFinite))
            } else {
                None
            };
            if let Some(problem) = problem {
                errors.push(ToyError {
                    field: F::Points,
                    problem,
                });
            }
        }
        check(&mut errors, F::NoiseDim, self.noise_dim as f64, NOISE_DIM);
        check_layers(&mut errors, F::GLayers, &self.g_hidden);
        check_layers(&mut errors, F::DLayers, &self.d_hidden);
        check(
            &mut errors,
            F::GLearningRate,
            self.g_learning_rate,
            LEARNING_RATE,
        );
        check(
            &mut errors,
            F::DLearningRate,
            self.d_learning_rate,
            LEARNING_RATE,
        );
        check(&mut errors, F::DSteps, self.d_steps as f64, D_STEPS);
        check(
            &mut errors,
            F::BatchSize,
            self.batch_size as f64,
            BATCH_SIZE,
        );
        check(&mut errors, F::Seed, self.seed as f64, SEED);
        errors
    }
}

/// A preset: settings that show one behaviour, classic failures included. The page explains
/// each under `gan.preset.<name>`.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Preset {
    /// The defaults: a healthy run on the ring.
    Healthy,
    /// A generator far stronger than its discriminator, which settles on a few modes.
    ModeCollapse,
    /// A discriminator that learns much faster, with the minimax loss: G's gradient vanishes.
    StrongD,
    /// Plain SGD with large steps on both sides: the two chase each other around.
    Oscillation,
}
named!(Preset { Healthy => "healthy", ModeCollapse => "collapse", StrongD => "strong_d", Oscillation => "oscillation" });

impl Preset {
    pub fn settings(self) -> ToySettings {
        let base = ToySettings::default();
        match self {
            Preset::Healthy => base,
            Preset::ModeCollapse => ToySettings {
                noise_dim: 1,
                d_hidden: vec![8],
                g_learning_rate: 0.005,
                d_learning_rate: 0.0005,
                ..base
            },
            Preset::StrongD => ToySettings {
                loss: LossKind::Minimax,
                d_steps: 5,
                d_learning_rate: 0.005,
                g_learning_rate: 0.0005,
                ..base
            },
            Preset::Oscillation => ToySettings {
                g_optimizer: OptimizerKind::Momentum,
                d_optimizer: OptimizerKind::Momentum,
                g_learning_rate: 0.05,
                d_learning_rate: 0.05,
                ..base
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_and_presets_are_valid() {
        assert!(ToySettings::default().validate().is_empty());
        for &preset in Preset::ALL {
            assert!(preset.settings().validate().is_empty(), "{preset:?}");
        }
    }

    #[test]
    fn bad_settings_name_their_field() {
        let settings = ToySettings {
            target: Target::Custom,
            custom: vec![[0.0, 0.0]; 9],
            g_hidden: vec![0],
            d_learning_rate: 0.0,
            d_steps: 0,
            ..ToySettings::default()
        };
        let errors = settings.validate();
        let fields: Vec<ToyField> = errors.iter().map(|e| e.field).collect();
        assert_eq!(
            fields,
            [
                ToyField::Points,
                ToyField::GLayers,
                ToyField::DLearningRate,
                ToyField::DSteps
            ]
        );
        assert_eq!(
            errors[0].problem,
            ToyProblem::TooFewPoints {
                found: 9,
                needed: 10
            }
        );
        let enough = ToySettings {
            custom: vec![[0.5, -0.5]; 10],
            ..settings
        };
        assert!(
            !enough
                .validate()
                .iter()
                .any(|e| e.field == ToyField::Points)
        );
    }
}
