//! "Your first network": an MLP learning to separate 2-D point clouds.

pub mod config;
pub mod messages;
#[cfg(feature = "compute")]
pub mod model;
pub mod report;
pub mod resume;
#[cfg(feature = "compute")]
pub mod training;

pub use config::PlaygroundConfig;
