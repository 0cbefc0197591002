//! The lesson's only route to the worker: its worked example, asked for through the hook the
//! worked-example lessons share.

use kindling_engine::lessons::activations::messages::ActivationsCommand;
use kindling_engine::lessons::activations::{ActivationRequest, ActivationResult};
use kindling_engine::protocol::ToWorker;
use yew::prelude::*;

use crate::lessons::activations::state::ActivationsState;
use crate::lessons::worked_answer::{WorkedAction, WorkedInputs, WorkedLesson, use_worked_example};
use crate::route::Route;
use crate::services::worker::WorkerLink;

impl WorkedInputs for ActivationsState {
    type Request = ActivationRequest;
    fn worked_request(&self) -> Option<ActivationRequest> {
        self.request().ok()
    }
}

/// `ready`: the number of the worker that said `Ready`, `None` while there is none.
/// `route`: the page shown; `dispatch` hears each request's id before it is sent.
#[hook]
pub fn use_activations_worker(
    lesson: &WorkedLesson<ActivationsState, ActivationRequest, ActivationResult>,
    route: Route,
    worker: &WorkerLink,
    ready: Option<u64>,
    dispatch: Callback<WorkedAction<ActivationsState, ActivationRequest, ActivationResult>>,
) {
    let open = route == Route::Activations;
    let command = |id, request| ToWorker::Activations(ActivationsCommand::Compute { id, request });
    use_worked_example(lesson, open, worker, ready, dispatch, command);
}
