//! The convolutional network lesson: MNIST data, the model and its training.

pub mod data;
