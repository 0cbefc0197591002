//! A 2-D toy run's checkpoint: both small networks' weights ([`crate::common::snapshot`]) and
//! both optimisers' state ([`crate::common::stepper`]), read asynchronously on every backend, the
//! update counts and the position of the run's random numbers, so that a resumed run draws the
//! batches and noise the uninterrupted run would have drawn.

use serde::{Deserialize, Serialize};

pub use crate::common::resume::ResumeError;

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

/// The format of a [`KeptToyRun`]; a kept run of another format is not read.
pub const KEPT_FORMAT: u32 = 1;

/// A 2-D run kept in the browser (IndexedDB) to resume after a reload: its checkpoint and the
/// curves the page drew up to it, as (updates, [D loss, G loss, D(x), D(G(z))]) points.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct KeptToyRun {
    pub format: u32,
    pub checkpoint: ToyCheckpoint,
    pub curves: Vec<(u64, [f32; 4])>,
}

impl KeptToyRun {
    pub fn new(checkpoint: ToyCheckpoint, curves: Vec<(u64, [f32; 4])>) -> Self {
        Self {
            format: KEPT_FORMAT,
            checkpoint,
            curves,
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        crate::protocol::encode(self).unwrap_or_default()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, crate::common::resume::KeptRunError> {
        crate::common::resume::read_kept(bytes, KEPT_FORMAT)
    }
}
