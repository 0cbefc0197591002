//! "Seeing digits": a small convolutional network trained on MNIST.

pub mod card;
#[cfg(feature = "compute")]
pub mod checkpoint;
pub mod config;
pub mod link;
pub mod messages;
#[cfg(feature = "compute")]
pub mod model;
pub mod resume;
/// Drawings made ready for the network live in `common` (the transfer lesson's own classes use
/// them too); this path stays for the CNN lesson's users.
pub use crate::common::preprocess;
#[cfg(feature = "compute")]
pub mod training;

pub use config::{
    CnnEvaluation, CnnProblem, CnnProgress, CnnSettings, ConvBlock, LayerShape, Pool,
};
