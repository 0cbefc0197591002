//! A digit run's checkpoint, for the page to keep while the worker trains: both networks' weights
//! ([`crate::common::snapshot`]) and both optimisers' state ([`crate::common::stepper`]), read
//! asynchronously on every backend, the iteration count and the position of the run's random
//! numbers, so that the next worker goes on exactly where this one was. The curves stay on the
//! page, which drew them.

use serde::{Deserialize, Serialize};

pub use crate::common::resume::{CHECKPOINT_EVERY_MS, KeptRunError, ResumeError};
use crate::common::resume::{KeptCheckpoint, KeptTraining};

use super::digits::DigitSettings;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DigitCheckpoint {
    pub settings: DigitSettings,
    /// Iterations done (one D step and one G step each).
    pub iterations: u64,
    /// Numbers the run's generator has drawn since its seed (batches and noise): where the
    /// resumed run goes on drawing.
    pub rng_draws: u64,
    /// Training time so far, in milliseconds.
    pub elapsed_ms: f64,
    /// The last iteration's losses and D's mean outputs, the first numbers the resumed run shows.
    pub d_loss: f32,
    pub g_loss: f32,
    pub d_real: f32,
    pub d_fake: f32,
    /// Each network's weights, as [`crate::common::snapshot::save`] writes them.
    #[serde(with = "serde_bytes")]
    pub generator: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub discriminator: Vec<u8>,
    /// Each optimiser's state, as [`crate::common::stepper::Stepper::save`] writes it.
    #[serde(with = "serde_bytes")]
    pub g_optimizer: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub d_optimizer: Vec<u8>,
}

impl KeptCheckpoint for DigitCheckpoint {
    /// 3 since the DCGAN's discriminator learns at twice the rate set (a run kept before would
    /// not train on as it began); 4 since the DCGAN has a third layer on each side.
    const KEPT_FORMAT: u32 = 4;
    /// (iteration, [D loss, G loss, D(x), D(G(z))]) points.
    type Curves = Vec<(u64, [f32; 4])>;
}

/// A digit run kept in the browser (IndexedDB) to resume after a reload.
pub type KeptDigitRun = KeptTraining<DigitCheckpoint>;
