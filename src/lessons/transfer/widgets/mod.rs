//! The transfer lesson's own widgets.

pub mod examples;
pub mod lines;
pub mod network;
pub mod scatter;
