//! The detection project's settings as text in the link: the codec lives in the engine, next to
//! the settings.

pub use kindling_engine::lessons::detect::link::*;
