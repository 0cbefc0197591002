//! The lesson's only route to the worker: while the page is open, the worked example of valid
//! inputs is asked for whenever they change, and again from each worker that says `Ready`.

use kindling_engine::lessons::activations::messages::ActivationsCommand;
use kindling_engine::lessons::activations::{ActivationRequest, ActivationResult};
use kindling_engine::protocol::ToWorker;
use yew::prelude::*;

use crate::lessons::activations::state::ActivationsState;
use crate::lessons::worked_answer::{WorkedAction, WorkedLesson};
use crate::route::Route;
use crate::services::worker::WorkerLink;

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
    let worker = worker.clone();
    let next_id = use_mut_ref(|| 0u64);
    let open = route == Route::Activations;
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
            worker.send(ToWorker::Activations(ActivationsCommand::Compute {
                id,
                request,
            }));
        },
    );
}
