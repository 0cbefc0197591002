//! One folder a lesson: its settings and messages (plain serde data), and behind the `compute`
//! feature its model and training.

pub mod activations;
/// The source article's worked examples, as printed: data the activation and loss lessons share.
pub mod article;
/// Not a lesson: the speed benchmark behind `#/bench`, shaped like one.
pub mod bench;
pub mod cnn;
pub mod detect;
pub mod gan;
pub mod losses;
pub mod playground;
pub mod transfer;
