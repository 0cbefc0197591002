//! "Two networks compete": a GAN on 2-D points (the toy) and on handwritten digits.

pub mod csv;
pub mod digits;
pub mod digits_card;
pub mod digits_link;
pub mod digits_resume;
pub mod link;
pub mod messages;
pub mod metrics;
pub mod settings;
pub mod targets;
pub mod toy_resume;

#[cfg(feature = "compute")]
pub mod digits_model;
#[cfg(feature = "compute")]
pub mod digits_training;
#[cfg(feature = "compute")]
pub mod loss;
#[cfg(feature = "compute")]
pub mod model;
#[cfg(feature = "compute")]
pub mod training;

pub use settings::ToySettings;
