//! "Your first network": an MLP learning to separate 2-D point clouds.

pub mod config;
pub mod data;
pub mod model;
pub mod training;

pub use config::{Activation, DatasetKind, OptimizerKind, PlaygroundConfig};
