//! The lesson's only route to the worker: while the page is open, the worked example of valid
//! inputs is asked for whenever they change, and again from each worker that says `Ready`.

use kindling_engine::lessons::losses::messages::LossesCommand;
use kindling_engine::lessons::losses::{LossRequest, LossResult};
use kindling_engine::protocol::ToWorker;
use yew::prelude::*;

use crate::lessons::losses::state::LossesState;
use crate::lessons::worked_answer::{WorkedAction, WorkedLesson};
use crate::route::Route;
use crate::services::worker::WorkerLink;

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
    let worker = worker.clone();
    let next_id = use_mut_ref(|| 0u64);
    let open = route == Route::Losses;
    use_effect_with(
        (open, lesson.inputs.clone(), ready),
        move |(open, inputs, ready)| {
            let Some(request) = inputs.request().ok().filter(|_| *open && ready.is_some()) else {
                return;
            };
            let id = {
                let mut next = next_id.borrow_mut();
                *next += 1;
                *next
            };
            dispatch.emit(WorkedAction::Requested {
                id,
                request: request.clone(),
            });
            worker.send(ToWorker::Losses(LossesCommand::Compute { id, request }));
        },
    );
}
