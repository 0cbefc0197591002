//! The loss lesson's messages between the page and the worker (inside `ToWorker::Losses` and
//! `FromWorker::Losses`). Plain serde data.

use serde::{Deserialize, Serialize};

use super::{LossRequest, LossResult};
use crate::common::input::InputError;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum LossesCommand {
    /// Work the example through; answered by `Computed` with the same `id`.
    Compute { id: u64, request: LossRequest },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum LossesEvent {
    Computed {
        id: u64,
        result: Result<LossResult, InputError>,
    },
}
