//! "Activation functions": worked examples computed by the worker.

pub mod effects;
pub mod formula;
pub mod page;
pub mod state;
