//! One folder a lesson: its settings and messages (plain serde data), and behind the `compute`
//! feature its model and training.

pub mod activations;
pub mod cnn;
pub mod losses;
pub mod playground;
