//! A 2-D toy run's checkpoint: both small networks' weights ([`crate::common::snapshot`]) and
//! both optimisers' state ([`crate::common::stepper`]), read asynchronously on every backend, the
//! update counts and the position of the run's random numbers, so that a resumed run draws the
//! batches and noise the uninterrupted run would have drawn.

use serde::{Deserialize, Serialize};

use crate::common::resume::{KeptCheckpoint, KeptTraining};
pub use crate::common::resume::{KeptRunError, ResumeError};

use super::settings::ToySettings;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ToyCheckpoint {
    pub settings: ToySettings,
    pub iterations: u64,
    pub d_updates: u64,
    pub g_updates: u64,
    /// Numbers the run's generator has drawn since its seed (the view's points included).
    pub rng_draws: u64,
    pub elapsed_ms: f64,
    /// The last batch's loss.
    pub batch_loss: f32,
    #[serde(with = "serde_bytes")]
    pub generator: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub discriminator: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub g_optimizer: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub d_optimizer: Vec<u8>,
}

impl KeptCheckpoint for ToyCheckpoint {
    const KEPT_FORMAT: u32 = 1;
    /// (updates, [D loss, G loss, D(x), D(G(z))]) points.
    type Curves = Vec<(u64, [f32; 4])>;
}

/// A 2-D run kept in the browser (IndexedDB) to resume after a reload.
pub type KeptToyRun = KeptTraining<ToyCheckpoint>;
