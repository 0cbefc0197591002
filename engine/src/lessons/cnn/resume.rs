//! A run's checkpoint, for the page to keep while the worker trains: everything the next worker
//! needs to go on exactly where this one was (the weights as a model file, the optimiser's state
//! as [`crate::common::stepper`] saves it, the step and the run's settings), read with the async
//! reads every backend allows. The curves stay on the page, which drew them.

use serde::{Deserialize, Serialize};

use super::config::CnnSettings;

pub use crate::common::resume::{CHECKPOINT_EVERY_MS, KeptRunError, ResumeError};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CnnCheckpoint {
    pub settings: CnnSettings,
    /// Steps done.
    pub step: u64,
    /// Training time so far, in milliseconds.
    pub elapsed_ms: f64,
    /// The last batch's loss (NaN before any), the first point the resumed run reports.
    pub batch_loss: f32,
    /// The last evaluation on the whole test set, for a saved model's card.
    pub test_accuracy: Option<f32>,
    /// The network as a Kindling model file.
    #[serde(with = "serde_bytes")]
    pub model: Vec<u8>,
    /// The optimiser's state ([`crate::common::stepper::Stepper::save`]).
    #[serde(with = "serde_bytes")]
    pub optimizer: Vec<u8>,
}

/// The format of a [`KeptCnnRun`]; a kept run of another format is not read.
pub const KEPT_FORMAT: u32 = 3;

/// A run kept in the browser (IndexedDB) to resume after a reload: its checkpoint and the curves
/// the page drew up to it, as (step, value) points.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct KeptCnnRun {
    pub format: u32,
    pub checkpoint: CnnCheckpoint,
    pub loss: Vec<(u64, f32)>,
    pub quick: Vec<(u64, f32)>,
    pub full: Vec<(u64, f32)>,
}

impl KeptCnnRun {
    pub fn new(checkpoint: CnnCheckpoint) -> Self {
        Self {
            format: KEPT_FORMAT,
            checkpoint,
            loss: Vec::new(),
            quick: Vec::new(),
            full: Vec::new(),
        }
    }

    pub fn to_bytes(&self) -> Vec<u8> {
        crate::protocol::encode(self).unwrap_or_default()
    }

    pub fn from_bytes(bytes: &[u8]) -> Result<Self, KeptRunError> {
        crate::common::resume::read_kept(bytes, KEPT_FORMAT)
    }
}
