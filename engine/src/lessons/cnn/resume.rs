//! A run's checkpoint, for the page to keep while the worker trains: everything the next worker
//! needs to go on exactly where this one was (the weights as a model file, the optimiser's state
//! as [`crate::common::stepper`] saves it, the step and the run's settings), read with the async
//! reads every backend allows. The curves stay on the page, which drew them.

use serde::{Deserialize, Serialize};

use super::config::CnnSettings;

pub use crate::common::resume::{CHECKPOINT_EVERY_MS, KeptRunError, ResumeError};
use crate::common::resume::{KeptCheckpoint, KeptTraining};

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

impl KeptCheckpoint for CnnCheckpoint {
    /// 3 since the Stepper's checkpoints.
    const KEPT_FORMAT: u32 = 3;
    type Curves = CnnCurves;
}

/// The curves a kept CNN run brings back, as (step, value) points.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct CnnCurves {
    pub loss: Vec<(u64, f32)>,
    pub quick: Vec<(u64, f32)>,
    pub full: Vec<(u64, f32)>,
}

/// A CNN run kept in the browser (IndexedDB) to resume after a reload.
pub type KeptCnnRun = KeptTraining<CnnCheckpoint>;
