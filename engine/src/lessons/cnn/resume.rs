//! A run's checkpoint, for the page to keep while the worker trains: everything the next worker
//! needs to go on exactly where this one was (the weights and the optimiser's state as burn
//! records them, in burnpack bytes, the step and the run's settings). The curves stay on the
//! page, which drew them.
//!
//! burn's records read tensors synchronously, which a browser allows only on the CPU backend. On
//! WebGPU a checkpoint holds the weights alone, read asynchronously as a model file
//! ([`CheckpointKind::Weights`]): burn keeps the optimiser's state private to `ModuleOptimizer`
//! and flattens it only through synchronous reads, so that state restarts on resume.

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
    /// What `model` and `optimizer` hold.
    pub kind: CheckpointKind,
    /// The network's parameters: with their ids, burn's `ModuleRecord` as burnpack bytes
    /// ([`CheckpointKind::Records`]), or a Kindling model file ([`CheckpointKind::Weights`]).
    #[serde(with = "serde_bytes")]
    pub model: Vec<u8>,
    /// The optimiser's state per parameter id: burn's `OptimizerRecord` as burnpack bytes; empty
    /// for [`CheckpointKind::Weights`].
    #[serde(with = "serde_bytes")]
    pub optimizer: Vec<u8>,
}

/// How a checkpoint holds the network and the optimiser.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum CheckpointKind {
    /// burn's records of both, read synchronously (the CPU backend): the run goes on exactly.
    Records,
    /// The weights alone, read asynchronously as a model file (WebGPU): the optimiser's state
    /// restarts on resume.
    Weights,
}

impl CnnCheckpoint {
    /// Whether resuming from it keeps the optimiser's state.
    pub fn keeps_optimizer(&self) -> bool {
        self.kind == CheckpointKind::Records
    }
}

/// The format of a [`KeptCnnRun`]; a kept run of another format is not read.
pub const KEPT_FORMAT: u32 = 2;

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
