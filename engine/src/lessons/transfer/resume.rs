//! The experiment's checkpoint, for the page to keep while the worker trains: each arm's weights
//! ([`crate::common::snapshot`]) and Adam state ([`crate::common::stepper`]), read asynchronously
//! on every backend, with its step, the position of its batch order and whether its last block
//! was unfrozen, so that the next worker rebuilds the arms (their freezing included) and goes on
//! exactly where this one was. The curves stay on the page, which drew them; a run kept in the
//! browser ([`KeptTransferRun`]) holds both.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

pub use crate::common::resume::{CHECKPOINT_EVERY_MS, KeptRunError, ResumeError};
use crate::common::resume::{KeptCheckpoint, KeptTraining};

use super::config::{Arm, ArmPoint, TransferSettings};

/// One arm where the checkpoint caught it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ArmCheckpoint {
    pub arm: Arm,
    /// Steps this arm has taken.
    pub step: u64,
    /// Numbers the arm's batch generator has drawn since its seed.
    pub rng_draws: u64,
    /// The order of the labelled examples this epoch (the generator shuffles it in place).
    pub order: Vec<u32>,
    /// Whether the last block trains already (the last-block arm after its head-only phase).
    pub unfrozen: bool,
    /// This arm's training time so far, in milliseconds.
    pub elapsed_ms: f64,
    /// The step of the arm's last live point (the next is due from there).
    pub evaluated_at: u64,
    /// The network's weights, as [`crate::common::snapshot::save`] writes them.
    #[serde(with = "serde_bytes")]
    pub weights: Vec<u8>,
    /// The optimiser's state, as [`crate::common::stepper::Stepper::save`] writes it.
    #[serde(with = "serde_bytes")]
    pub optimizer: Vec<u8>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct TransferCheckpoint {
    pub settings: TransferSettings,
    /// In the order of [`Arm::ALL`].
    pub arms: Vec<ArmCheckpoint>,
    /// The whole run's training time so far (waits for the device included), in milliseconds.
    pub elapsed_ms: f64,
    pub last_batch_loss: f32,
}

impl TransferCheckpoint {
    /// Steps of all arms together (the arms take their steps in turn).
    pub fn steps_done(&self) -> u64 {
        self.arms.iter().map(|a| a.step).sum()
    }

    /// The step of the arm furthest behind (the others are at most one ahead): where the page
    /// says the experiment resumes.
    pub fn step(&self) -> u64 {
        self.arms.iter().map(|a| a.step).min().unwrap_or(0)
    }

    /// `arm`'s step in the checkpoint (0 when it is missing).
    pub fn arm_step(&self, arm: Arm) -> u64 {
        self.arms
            .iter()
            .find(|a| a.arm == arm)
            .map_or(0, |a| a.step)
    }
}

impl KeptCheckpoint for TransferCheckpoint {
    const KEPT_FORMAT: u32 = 1;
    /// Each arm's live points up to its step in the checkpoint. The rest of what the page shows
    /// of a run comes back from the resumed worker (the arms' plans, the data's sizes) or is of
    /// finished runs only (the results, the worked example, the look inside).
    type Curves = BTreeMap<Arm, Vec<ArmPoint>>;
}

/// The transfer experiment kept in the browser (IndexedDB) to resume after a reload.
pub type KeptTransferRun = KeptTraining<TransferCheckpoint>;
