//! burn's records of a network (its parameters with their ids) and of an optimiser (its state
//! per parameter id) as burnpack bytes, for checkpoints. Records read tensors synchronously:
//! callers check `backend::reads_synchronously` first.

use burn::module::Module;
use burn::optim::ModuleOptimizer;
use burn::store::{ModuleRecord, RecordError};
use burn::tensor::Bytes;

use super::resume::ResumeError;

fn unreadable(error: RecordError) -> ResumeError {
    ResumeError::Unreadable {
        message: error.to_string(),
    }
}

pub fn module_bytes<M: Module>(module: &M) -> Result<Vec<u8>, ResumeError> {
    // A batch norm keeps its latest running statistics aside until they are synced, and a record
    // reads the value before them; `valid` syncs them (in the state the module shares).
    let _ = module.valid();
    let bytes = module
        .clone()
        .into_record()
        .into_bytes()
        .map_err(unreadable)?;
    Ok(bytes.to_vec())
}

/// `module` with the recorded parameters (and their ids, which the optimiser's state is keyed by).
pub fn load_module<M: Module>(module: M, bytes: &[u8]) -> Result<M, ResumeError> {
    let record =
        ModuleRecord::from_bytes(Bytes::from_bytes_vec(bytes.to_vec())).map_err(unreadable)?;
    module.try_load_record(record).map_err(unreadable)
}

pub fn optimizer_bytes(optimizer: &ModuleOptimizer) -> Result<Vec<u8>, ResumeError> {
    Ok(optimizer.into_bytes().map_err(unreadable)?.to_vec())
}

pub fn load_optimizer(
    optimizer: ModuleOptimizer,
    bytes: &[u8],
) -> Result<ModuleOptimizer, ResumeError> {
    optimizer
        .from_bytes(Bytes::from_bytes_vec(bytes.to_vec()))
        .map_err(unreadable)
}
