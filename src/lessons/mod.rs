//! One folder a lesson: its state (reducer), link (URL codec), effects (its only route to the
//! worker), text and page. `worked.rs` and `worked_answer.rs` are not lessons: they hold what the
//! two worked-example lessons (activations, losses) share. `bench` is the speed benchmark's
//! page, shaped like a lesson.

pub mod activations;
pub mod bench;
pub mod checkpoint_text;
pub mod checkpoints;
pub mod cnn;
pub mod data_load;
pub mod detect;
pub mod gan;
pub mod kept_run;
pub mod kept_run_view;
pub mod losses;
pub mod playground;
pub mod transfer;
pub mod worked;
pub mod worked_answer;

use crate::route::Route;

/// What the shell asks of each lesson's state: its route, its settings in the link, and what it
/// does when its page opens or the worker stops. Each lesson implements it in its own `mod.rs`.
pub trait PageLesson {
    fn route(&self) -> Route;
    /// Whether a (raw) link query sets any of this lesson's settings.
    fn has_keys(&self, query: &str) -> bool;
    /// Starts over from the link's settings: the site was opened on this link.
    fn start_from_link(&mut self, query: &str);
    /// Takes the link's settings: the learner changed the link while the page is open.
    fn follow_link(&mut self, query: &str);
    /// The settings the link shows while the page is open.
    fn to_query(&self) -> String;
    /// Whether the link's query already says what `wanted` (a `to_query`) says, so it is left as
    /// the learner wrote it. By default the link always shows `wanted` exactly.
    fn link_holds(_query: &str, _wanted: &str) -> bool
    where
        Self: Sized,
    {
        false
    }
    /// Its page opened.
    fn opened(&mut self) {}
    /// The worker stopped (crashed, failed or was replaced): whatever it was doing is gone.
    fn worker_lost(&mut self) {}
}
