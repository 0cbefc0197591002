//! The speed benchmark (`#/bench`): not a lesson but shaped like one. The engine's fixed
//! workloads, timed in the worker on the learner's own machine, one column per backend.

pub mod effects;
pub mod link;
pub mod memory_table;
pub mod page;
pub mod state;
pub mod text;

use crate::lessons::PageLesson;
use crate::route::Route;
use state::{BenchAction, BenchState};

impl PageLesson for BenchState {
    fn route(&self) -> Route {
        Route::Bench
    }

    fn has_keys(&self, query: &str) -> bool {
        link::has_keys(query)
    }

    fn start_from_link(&mut self, query: &str) {
        *self = BenchState::from_link(link::from_query(query));
    }

    fn follow_link(&mut self, query: &str) {
        self.reduce(BenchAction::FromLink(link::from_query(query)));
    }

    fn to_query(&self) -> String {
        link::to_query(&self.settings)
    }

    fn worker_lost(&mut self) {
        self.reduce(BenchAction::WorkerLost);
    }
}
