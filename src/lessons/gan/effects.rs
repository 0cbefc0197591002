//! The GAN lesson's only route to the worker: its settings whenever a worker is ready (or, when
//! the last worker stopped and left a checkpoint of the toy run, that checkpoint to resume), and
//! one message each time a request counter in its state moves.

use kindling_engine::lessons::gan::messages::{GanCommand, ToyCommand};
use kindling_engine::protocol::ToWorker;
use yew::prelude::*;

use crate::lessons::gan::digits_effects::use_digits_worker;
use crate::lessons::gan::state::{GanAction, GanState};
use crate::lessons::kept_run::use_kept_run;
use crate::services::worker::WorkerLink;

/// `ready`: the number of the worker that said `Ready`, `None` while there is none (commands
/// then are dropped: the next worker gets the state).
#[hook]
pub fn use_gan_worker(
    state: &GanState,
    worker: &WorkerLink,
    ready: Option<u64>,
    on_gan: Callback<GanAction>,
) {
    let send = {
        let worker = worker.clone();
        move |command: ToyCommand| {
            if ready.is_some() {
                worker.send(ToWorker::Gan(GanCommand::Toy(command)));
            }
        }
    };
    use_digits_worker(
        &state.digits,
        worker,
        ready,
        on_gan.reform(GanAction::Digits),
    );
    use_kept_run(state, on_gan.reform(GanAction::Kept));
    let requests = state.requests;
    {
        let send = send.clone();
        let settings = state.toy.clone();
        let resume = state.checkpoints.resume.clone();
        use_effect_with((ready, requests.load), move |_| {
            send(match resume {
                Some(kept) => ToyCommand::Resume {
                    checkpoint: Box::new((*kept.0).clone()),
                },
                None => ToyCommand::Load {
                    settings: Box::new(settings),
                },
            })
        });
    }
    {
        let send = send.clone();
        let slow = state.slow;
        use_effect_with(requests.play, move |&count| {
            if count > 0 {
                send(ToyCommand::Play { slow });
            }
        });
    }
    {
        let send = send.clone();
        use_effect_with(requests.pause, move |&count| {
            if count > 0 {
                send(ToyCommand::Pause);
            }
        });
    }
    {
        let send = send.clone();
        use_effect_with(requests.roll_back, move |&count| {
            if count > 0 {
                send(ToyCommand::RollBack);
            }
        });
    }
    let part = requests.step_part;
    use_effect_with(requests.step, move |&count| {
        if count > 0 {
            send(ToyCommand::Step { part });
        }
    });
}
