//! The speed benchmark (`#/bench` and `cargo xtask bench`): fixed workloads on seeded synthetic
//! data, timed step by step on the backend the worker runs. The models are bench models for now;
//! the GAN and transfer lessons will reuse them.

pub mod memory;
pub mod messages;
pub mod workload;

#[cfg(feature = "compute")]
pub mod model;
#[cfg(feature = "compute")]
pub mod runner;
