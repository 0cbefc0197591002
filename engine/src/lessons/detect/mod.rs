//! The detection project: the source article's "pretrained backbone + new head" done right, as
//! finding and naming a digit on a 64 × 64 canvas. The shipped residual network's backbone, a
//! head that reads its maps position by position, and a class and a box out of it.

pub mod boxes;
pub mod card;
#[cfg(feature = "compute")]
pub mod centre_model;
#[cfg(feature = "compute")]
pub mod centre_training;
pub mod centres;
pub mod config;
pub mod data;
#[cfg(feature = "compute")]
pub mod file;
pub mod link;
#[cfg(feature = "compute")]
pub mod loss;
pub mod map;
pub mod messages;
#[cfg(feature = "compute")]
pub mod model;
pub mod resume;
#[cfg(feature = "compute")]
mod schedule;
pub mod shapes;
#[cfg(all(test, feature = "compute"))]
mod test_runs;
#[cfg(feature = "compute")]
pub mod training;

pub use config::{
    DetectEvaluation, DetectProblem, DetectSettings, HeadKind, Prediction, StepLosses,
};
