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
    numbers(&values)?;
    let snapshot = Snapshot {
        parameters: parameters(module),
        values,
    };
    postcard::to_allocvec(&snapshot).map_err(|e| unreadable(e.to_string()))
}

/// `module` with the weights `save` wrote; refused when the bytes are damaged or are another
/// network's, or when a weight is not a number.
pub fn load<M: Module>(module: M, bytes: &[u8]) -> Result<M, ResumeError> {
    let snapshot: Snapshot = postcard::from_bytes(bytes).map_err(|e| unreadable(e.to_string()))?;
    numbers(&snapshot.values)?;
    load_weights(module, &snapshot.parameters, snapshot.values)
        .map_err(|e| unreadable(e.to_string()))
}

/// Weights that are all numbers, or [`ResumeError::NotNumbers`]. A chunk's last loss can still be
/// a number when its last update has already blown the weights up.
fn numbers(values: &[f32]) -> Result<(), ResumeError> {
    match values.iter().all(|v| v.is_finite()) {
        true => Ok(()),
        false => Err(ResumeError::NotNumbers),
    }
}

fn unreadable(message: String) -> ResumeError {
    ResumeError::Unreadable { message }
}

#[cfg(test)]
mod tests {
    use burn::nn::{Linear, LinearConfig};

    use super::*;
    use crate::backend;

    fn linear() -> Linear {
        LinearConfig::new(3, 2).init(&backend::cpu())
    }

    /// Weights that are not numbers are neither written nor read: a checkpoint of a run that blew
    /// up is not worth keeping, and one that says so (damaged, or hand-made) is not resumed.
    #[test]
    fn weights_that_are_not_numbers_are_neither_saved_nor_loaded() {
        let good = pollster::block_on(save(&linear())).unwrap();
        assert!(load(linear(), &good).is_ok());

        let values = pollster::block_on(read_weights(&linear())).unwrap();
        let blown = load_weights(
            linear(),
            &parameters(&linear()),
            vec![f32::NAN; values.len()],
        );
        let blown = blown.unwrap();
        assert_eq!(
            pollster::block_on(save(&blown)),
            Err(ResumeError::NotNumbers)
        );

        let mut snapshot: Snapshot = postcard::from_bytes(&good).unwrap();
        snapshot.values[4] = f32::INFINITY;
        let bytes = postcard::to_allocvec(&snapshot).unwrap();
        assert!(matches!(
            load(linear(), &bytes),
            Err(ResumeError::NotNumbers)
        ));
    }
}
