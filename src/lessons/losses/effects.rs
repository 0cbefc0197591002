//! The lesson's only route to the worker: its worked example, asked for through the hook the
//! worked-example lessons share.

use kindling_engine::lessons::losses::messages::LossesCommand;
use kindling_engine::lessons::losses::{LossRequest, LossResult};
use kindling_engine::protocol::ToWorker;
use yew::prelude::*;

use crate::lessons::losses::state::LossesState;
use crate::lessons::worked_answer::{WorkedAction, WorkedInputs, WorkedLesson, use_worked_example};
use crate::route::Route;
use crate::services::worker::WorkerLink;

impl WorkedInputs for LossesState {
    type Request = LossRequest;
    fn worked_request(&self) -> Option<LossRequest> {
        self.request().ok()
    }
}

/// `ready`: the number of the worker that said `Ready`, `None` while there is none.
/// `route`: the page shown; `dispatch` hears each request's id before it is sent.
#[hook]
pub fn use_losses_worker(
    lesson: &WorkedLesson<LossesState, LossRequest, LossResult>,
    route: Route,
    worker: &WorkerLink,
    ready: Option<u64>,
    dispatch: Callback<WorkedAction<LossesState, LossRequest, LossResult>>,
) {
    let open = route == Route::Losses;
    let command = |id, request| ToWorker::Losses(LossesCommand::Compute { id, request });
    use_worked_example(lesson, open, worker, ready, dispatch, command);
}
