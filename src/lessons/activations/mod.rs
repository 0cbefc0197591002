//! "Activation functions": worked examples computed by the worker.

pub mod effects;
pub mod formula;
pub mod page;
pub mod state;

use crate::lessons::PageLesson;
use crate::lessons::worked_answer::{WorkedAction, WorkedLesson};
use crate::route::Route;
use kindling_engine::lessons::activations::{ActivationRequest, ActivationResult};
use state::ActivationsState;

impl PageLesson for WorkedLesson<ActivationsState, ActivationRequest, ActivationResult> {
    fn route(&self) -> Route {
        Route::Activations
    }

    fn has_keys(&self, query: &str) -> bool {
        ActivationsState::has_keys(query)
    }

    fn start_from_link(&mut self, query: &str) {
        *self = WorkedLesson::new(ActivationsState::from_query(query));
    }

    fn follow_link(&mut self, query: &str) {
        self.reduce(WorkedAction::SetInputs(ActivationsState::from_query(query)));
    }

    fn to_query(&self) -> String {
        self.inputs.to_query()
    }
}
