//! "Loss functions": worked examples computed by the worker.

pub mod effects;
pub mod formula;
pub mod page;
pub mod panels;
pub mod state;

use crate::lessons::PageLesson;
use crate::lessons::worked_answer::{WorkedAction, WorkedLesson};
use crate::route::Route;
use kindling_engine::lessons::losses::{LossRequest, LossResult};
use state::LossesState;

impl PageLesson for WorkedLesson<LossesState, LossRequest, LossResult> {
    fn route(&self) -> Route {
        Route::Losses
    }

    fn has_keys(&self, query: &str) -> bool {
        LossesState::has_keys(query)
    }

    fn start_from_link(&mut self, query: &str) {
        *self = WorkedLesson::new(LossesState::from_query(query));
    }

    fn follow_link(&mut self, query: &str) {
        self.reduce(WorkedAction::SetInputs(LossesState::from_query(query)));
    }

    fn to_query(&self) -> String {
        self.inputs.to_query()
    }
}
