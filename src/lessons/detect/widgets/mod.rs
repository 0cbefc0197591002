//! The detection project's own widgets: plain data and callbacks, no lesson types.

pub mod boxed_canvas;
