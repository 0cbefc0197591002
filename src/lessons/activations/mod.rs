//! "Activation functions": worked examples computed by the worker.

pub mod formula;
pub mod page;
pub mod state;
