//! Kindling's native program as a library: the `kindling` binary (`main.rs`) parses its command
//! line into [`args::Cli`] and runs one of these modules; the tests call them directly.

pub mod args;
pub mod bench;
pub mod data;
pub mod detector;
pub mod eval;
pub mod evaluate;
pub mod files;
pub mod first_losses;
pub mod fit;
pub mod info;
pub mod loader;
pub mod network;
pub mod plain;
pub mod pretrain;
pub mod recipes;
pub mod run;
pub mod train;
pub mod words;
