//! A playground run's checkpoint, for the page to keep while the worker trains: the network's
//! weights ([`crate::common::snapshot`]) and its optimiser's state ([`crate::common::stepper`]),
//! read asynchronously on every backend, the step, the batch order and the position of the run's
//! random numbers, so that a resumed run takes the batches the uninterrupted one would have. The
//! curves stay on the page, which drew them; a run kept in the browser ([`KeptPlaygroundRun`])
//! holds both.

use serde::{Deserialize, Serialize};

use crate::common::resume::{KeptCheckpoint, KeptTraining};
pub use crate::common::resume::{KeptRunError, ResumeError};

use super::PlaygroundConfig;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct PlaygroundCheckpoint {
    pub config: PlaygroundConfig,
    /// Steps done.
    pub step: u64,
    /// Training time so far, in milliseconds.
    pub elapsed_ms: f64,
    /// The last batch's loss.
    pub batch_loss: f32,
    /// The training points' order in this epoch, and how many of them were used.
    pub order: Vec<u32>,
    /// `None` before the first batch (the next one shuffles).
    pub cursor: Option<u32>,
    /// Numbers the run's generator has drawn since its seed.
    pub rng_draws: u64,
    #[serde(with = "serde_bytes")]
    pub model: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub optimizer: Vec<u8>,
}

impl KeptCheckpoint for PlaygroundCheckpoint {
    const KEPT_FORMAT: u32 = 1;
    /// (step, [train loss, test loss]) points.
    type Curves = Vec<(u64, [f32; 2])>;
}

/// A playground run kept in the browser (IndexedDB) to resume after a reload.
pub type KeptPlaygroundRun = KeptTraining<PlaygroundCheckpoint>;
