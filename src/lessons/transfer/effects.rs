//! The transfer lesson's only route to the worker: one message each time a request counter in
//! its state moves, with its content read from the state; a worker that says `Ready` is asked
//! for the backbone and the data again.

use kindling_engine::lessons::transfer::config::Arm;
use kindling_engine::lessons::transfer::messages::TransferCommand;
use kindling_engine::protocol::ToWorker;
use yew::prelude::*;

use crate::lessons::transfer::state::TransferState;
use crate::services::worker::WorkerLink;

/// `ready`: the number of the worker that said `Ready`, `None` while there is none (commands
/// then are dropped).
#[hook]
pub fn use_transfer_worker(state: &TransferState, worker: &WorkerLink, ready: Option<u64>) {
    let send = {
        let worker = worker.clone();
        move |command: TransferCommand| {
            if ready.is_some() {
                worker.send(ToWorker::Transfer(command));
            }
        }
    };
    let requests = state.requests;
    {
        let send = send.clone();
        let target = state.settings.target;
        use_effect_with((ready, requests.prepare), move |&(_, count)| {
            if count > 0 {
                send(TransferCommand::Prepare { target });
            }
        });
    }
    {
        let send = send.clone();
        let settings = state.settings.clone();
        use_effect_with(requests.run, move |&count| {
            if count > 0 {
                send(TransferCommand::Run { settings });
            }
        });
    }
    {
        let send = send.clone();
        use_effect_with(requests.play, move |&count| {
            if count > 0 {
                send(TransferCommand::Play);
            }
        });
    }
    {
        let send = send.clone();
        use_effect_with(requests.pause, move |&count| {
            if count > 0 {
                send(TransferCommand::Pause);
            }
        });
    }
    {
        let send = send.clone();
        let arm = state.work_arm.unwrap_or(Arm::Extract);
        let test_index = state.work_index;
        use_effect_with(requests.work, move |&count| {
            if count > 0 {
                send(TransferCommand::Work { arm, test_index });
            }
        });
    }
    use_effect_with(requests.inside, move |&count| {
        if count > 0 {
            send(TransferCommand::Inside);
        }
    });
}
