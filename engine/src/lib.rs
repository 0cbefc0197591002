//! Kindling's engine: models, data sets and hand-written training loops on burn.
//!
//! Nothing here knows about the web: the worker binary wraps this crate, and native tests run it
//! on the CPU backend.

#[cfg(feature = "compute")]
pub mod backend;
pub mod cnn;
pub mod lessons;
#[cfg(feature = "compute")]
pub mod optimizer;
pub mod playground;
pub mod protocol;
pub mod rng;

#[cfg(feature = "compute")]
pub use burn;
