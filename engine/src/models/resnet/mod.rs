//! A small residual network for 28 × 28 digits: the backbone the transfer-learning lesson and
//! the detection project start from, and what the shipped `mnist04-resnet` and `mnist-resnet`
//! models are.

pub mod card;
#[cfg(feature = "compute")]
pub mod checkpoint;
pub mod config;
#[cfg(feature = "compute")]
pub mod model;

pub use card::ResnetCard;
pub use config::{ResnetProblem, ResnetSettings, Stage};
