//! The playground's only route to the worker: its configuration whenever a worker is ready (or,
//! when the last worker stopped and left a checkpoint of the run, that checkpoint to resume), and
//! one message each time a request counter in its state moves. Its run kept in the browser goes
//! through `kept_run::use_kept_run`.

use kindling_engine::lessons::playground::messages::PlaygroundCommand;
use kindling_engine::protocol::ToWorker;
use yew::prelude::*;

use crate::lessons::kept_run::use_kept_run;
use crate::lessons::playground::state::{PlaygroundAction, PlaygroundState};
use crate::services::worker::WorkerLink;

/// `ready`: the number of the worker that said `Ready`, `None` while there is none (commands
/// then are dropped: the next worker gets the state).
#[hook]
pub fn use_playground_worker(
    state: &PlaygroundState,
    worker: &WorkerLink,
    ready: Option<u64>,
    on_playground: Callback<PlaygroundAction>,
) {
    use_kept_run(state, on_playground.reform(PlaygroundAction::Kept));
    let send = {
        let worker = worker.clone();
        move |command: PlaygroundCommand| {
            if ready.is_some() {
                worker.send(ToWorker::Playground(command));
            }
        }
    };
    let requests = state.requests;
    {
        let send = send.clone();
        let config = state.config.clone();
        let resume = state.checkpoints.resume.clone();
        use_effect_with((ready, requests.load), move |&(_, id)| {
            send(match resume {
                Some(kept) => PlaygroundCommand::Resume {
                    id,
                    checkpoint: Box::new((*kept.0).clone()),
                },
                None => PlaygroundCommand::Load { config },
            })
        });
    }
    use_command(requests.play, PlaygroundCommand::Play, send.clone());
    use_command(requests.pause, PlaygroundCommand::Pause, send.clone());
    use_command(requests.step, PlaygroundCommand::Step, send.clone());
    use_command(requests.roll_back, PlaygroundCommand::RollBack, send);
}

/// Sends `command` each time `count` moves.
#[hook]
fn use_command(count: u64, command: PlaygroundCommand, send: impl Fn(PlaygroundCommand) + 'static) {
    use_effect_with(count, move |&count| {
        if count > 0 {
            send(command);
        }
    });
}
