//! "Seeing digits": a convolutional network trained on MNIST.

pub mod effects;
pub mod fields;
pub mod link;
pub mod page;
pub mod state;
pub mod text;
pub mod widgets;
