//! The CNN's settings as text in the link (the settings form's fields are in `fields.rs`): the
//! codec lives in the engine, because the native program reads the same links.

pub use kindling_engine::lessons::cnn::link::*;
