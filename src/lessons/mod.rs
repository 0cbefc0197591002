//! One folder a lesson: its state (reducer), link (URL codec), effects (its only route to the
//! worker), text and page.

pub mod activations;
pub mod cnn;
pub mod losses;
pub mod playground;
pub mod worked;
pub mod worked_answer;
