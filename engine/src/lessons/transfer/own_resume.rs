//! The checkpoint of the network fine-tuned on the learner's own classes, for the page to keep
//! while the worker trains: its weights ([`crate::common::snapshot`]) and Adam state
//! ([`crate::common::stepper`]), read asynchronously, with the examples it trains on, its step
//! and target, its batch order and generator position, and whether its last block trains
//! already, so that the next worker goes on exactly where this one was.

use serde::{Deserialize, Serialize};

use super::own_card::OwnSettings;
use crate::models::resnet::ResnetSettings;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct OwnCheckpoint {
    /// The seed, and the learning rate of the latest session.
    pub settings: OwnSettings,
    /// The network's shape (its head has one output per class).
    pub network: ResnetSettings,
    pub names: Vec<String>,
    /// The examples it trains on (28 × 28 bytes each) and their classes: the ones it had when
    /// training last started, which the page may have changed since.
    #[serde(with = "serde_bytes")]
    pub pixels: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub labels: Vec<u8>,
    pub step: u64,
    /// The step training pauses at.
    pub target: u64,
    /// The step the last block starts training at (None: from the start, a loaded network).
    pub unfreeze_at: Option<u64>,
    /// Whether the last block trains already.
    pub unfrozen: bool,
    /// Numbers the batch generator has drawn since its seed.
    pub rng_draws: u64,
    /// The order of the examples this epoch (the generator shuffles it in place).
    pub order: Vec<u32>,
    /// Training time so far, in milliseconds.
    pub elapsed_ms: f64,
    pub last_batch_loss: f32,
    /// As [`crate::common::snapshot::save`] writes them.
    #[serde(with = "serde_bytes")]
    pub weights: Vec<u8>,
    /// As [`crate::common::stepper::Stepper::save`] writes it.
    #[serde(with = "serde_bytes")]
    pub optimizer: Vec<u8>,
}
