//! The GAN lesson's settings as text in the link: the codec lives in the engine, next to the
//! settings, so a link means the same everywhere.

pub use kindling_engine::lessons::gan::link::*;
