//! Vocabulary and machinery that more than one lesson uses.

pub mod activation;
#[cfg(feature = "compute")]
pub mod adam_kernel;
pub mod device_error;
pub mod input;
pub mod matmul_kernel;
pub mod model_card;
#[cfg(feature = "compute")]
pub mod model_file;
pub(crate) mod named;
pub mod number;
pub mod optimizer;
pub mod parse;
#[cfg(feature = "compute")]
pub mod pool;
pub mod preprocess;
#[cfg(feature = "compute")]
pub mod read;
pub mod resume;
#[cfg(feature = "compute")]
pub mod snapshot;
#[cfg(feature = "compute")]
pub mod stepper;
#[cfg(feature = "compute")]
pub mod training;
pub mod worked;
