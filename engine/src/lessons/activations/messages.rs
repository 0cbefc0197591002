//! The activation lesson's messages between the page and the worker (inside
//! `ToWorker::Activations` and `FromWorker::Activations`). Plain serde data.

use serde::{Deserialize, Serialize};

use super::{ActivationRequest, ActivationResult};
use crate::common::input::InputError;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum ActivationsCommand {
    /// Work the example through; answered by `Computed` with the same `id`.
    Compute { id: u64, request: ActivationRequest },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum ActivationsEvent {
    Computed {
        id: u64,
        result: Result<ActivationResult, InputError>,
    },
}
