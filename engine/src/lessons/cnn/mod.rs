//! "Seeing digits": a small convolutional network trained on MNIST.

pub mod card;
#[cfg(feature = "compute")]
pub mod checkpoint;
pub mod config;
pub mod link;
pub mod messages;
#[cfg(feature = "compute")]
pub mod model;
pub mod preprocess;
#[cfg(feature = "compute")]
pub mod training;

pub use config::{
    CnnEvaluation, CnnProblem, CnnProgress, CnnSettings, ConvBlock, LayerShape, Pool,
};
