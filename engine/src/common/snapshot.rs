//! A network's weights for a checkpoint, read with the async reads every backend allows (burn's
//! records read synchronously, which WebGPU in a browser does not), with each float tensor's
//! path and shape so that a snapshot of another network is refused. Kept by place, like the
//! [`super::stepper::Stepper`]'s state: a snapshot loads into a fresh network, whose parameter
//! ids are new.

use burn::module::Module;
use serde::{Deserialize, Serialize};

use super::model_card::ParamEntry;
use super::model_file::{load_weights, parameters, read_weights};
use super::resume::ResumeError;

#[derive(Serialize, Deserialize)]
struct Snapshot {
    parameters: Vec<ParamEntry>,
    values: Vec<f32>,
}

/// Every float tensor of `module` (batch norm's running statistics included), as bytes.
pub async fn save<M: Module>(module: &M) -> Result<Vec<u8>, ResumeError> {
    let values = read_weights(module)
        .await
        .ok_or_else(|| unreadable("the device could not be read".into()))?;
    let snapshot = Snapshot {
        parameters: parameters(module),
        values,
    };
    postcard::to_allocvec(&snapshot).map_err(|e| unreadable(e.to_string()))
}

/// `module` with the weights `save` wrote; refused when the bytes are damaged or are another
/// network's.
pub fn load<M: Module>(module: M, bytes: &[u8]) -> Result<M, ResumeError> {
    let snapshot: Snapshot = postcard::from_bytes(bytes).map_err(|e| unreadable(e.to_string()))?;
    load_weights(module, &snapshot.parameters, snapshot.values)
        .map_err(|e| unreadable(e.to_string()))
}

fn unreadable(message: String) -> ResumeError {
    ResumeError::Unreadable { message }
}
