//! Kindling's engine: models, data sets and hand-written training loops on burn.
//!
//! Nothing here knows about the web: the worker binary wraps this crate, and native tests run it
//! on the CPU backend. Without the `compute` feature it is only plain data (settings, messages,
//! data generation), which the page uses without linking burn.

#[cfg(feature = "compute")]
pub mod backend;
pub mod common;
pub mod datasets;
pub mod lessons;
pub mod models;
pub mod protocol;
pub mod rng;

#[cfg(feature = "compute")]
pub use burn;
