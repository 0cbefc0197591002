//! Each lesson inside the worker.

pub mod cnn;
