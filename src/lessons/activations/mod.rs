//! "Activation functions": worked examples computed by the worker.

pub mod page;
