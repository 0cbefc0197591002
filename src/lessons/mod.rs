//! One folder a lesson: its state (reducer), link (URL codec), effects (its only route to the
//! worker), text and page. `worked.rs` and `worked_answer.rs` are not lessons: they hold what the
//! two worked-example lessons (activations, losses) share.

pub mod activations;
pub mod cnn;
pub mod losses;
pub mod playground;
pub mod worked;
pub mod worked_answer;
