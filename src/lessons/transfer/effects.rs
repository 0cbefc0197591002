//! The transfer lesson's only route to the worker: one message each time a request counter in
//! its state moves, with its content read from the state; a worker that says `Ready` is asked
//! for the backbone and the data again, given the experiment's checkpoint to resume when the last
//! worker stopped and left one, and given the learner's own classes and examples, then their
//! network's checkpoint likewise. A saved model of own classes is downloaded from here too, and
//! the experiment kept in the browser goes through `kept_run::use_kept_run`.

use kindling_engine::lessons::transfer::config::Arm;
use kindling_engine::lessons::transfer::messages::TransferCommand;
use kindling_engine::protocol::ToWorker;
use yew::prelude::*;

use crate::lessons::kept_run::use_kept_run;
use crate::lessons::transfer::own_state::{OwnState, split_names};
use crate::lessons::transfer::state::{TransferAction, TransferState};
use crate::services::download;
use crate::services::worker::WorkerLink;

/// The name a saved model of own classes is offered under.
const OWN_FILE: &str = "kindling-own-classes.safetensors";

/// `ready`: the number of the worker that said `Ready`, `None` while there is none (commands
/// then are dropped).
#[hook]
pub fn use_transfer_worker(
    state: &TransferState,
    worker: &WorkerLink,
    ready: Option<u64>,
    on_transfer: Callback<TransferAction>,
) {
    use_kept_run(state, on_transfer.reform(TransferAction::Kept));
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
        let resume = state.checkpoints.resume.clone();
        use_effect_with((ready, requests.resume), move |&(_, id)| {
            if let Some(kept) = resume {
                send(TransferCommand::Resume {
                    id,
                    checkpoint: Box::new((*kept.0).clone()),
                });
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
        use_effect_with(requests.roll_back, move |&count| {
            if count > 0 {
                send(TransferCommand::RollBack);
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
    {
        let send = send.clone();
        use_effect_with(requests.inside, move |&count| {
            if count > 0 {
                send(TransferCommand::Inside);
            }
        });
    }
    use_own_classes(&state.own, ready, send);
}

/// The own classes' messages, and the download of a saved model.
#[hook]
fn use_own_classes(
    own: &OwnState,
    ready: Option<u64>,
    send: impl Fn(TransferCommand) + Clone + 'static,
) {
    let r = own.requests.clone();
    {
        // A new worker holds no classes: it is given the page's, with their examples.
        let send = send.clone();
        let names = own.names.clone();
        let examples = own.examples.clone();
        use_effect_with(ready, move |_| {
            if !names.is_empty() {
                send(TransferCommand::OwnNames { names });
                for (class, list) in examples.into_iter().enumerate() {
                    for image in list {
                        send(TransferCommand::OwnAdd {
                            class,
                            image: image.to_vec(),
                        });
                    }
                }
            }
        });
    }
    {
        // After the classes and examples above (effects run in order): the network goes on
        // from its checkpoint when the last worker stopped and left one.
        let send = send.clone();
        let resume = own.checkpoints.resume.clone();
        use_effect_with((ready, r.resume), move |&(_, id)| {
            if let Some(kept) = resume {
                send(TransferCommand::OwnResume {
                    id,
                    checkpoint: Box::new((*kept.0).clone()),
                });
            }
        });
    }
    let names = split_names(&own.draft);
    let (class, image) = r.added.clone();
    let (upload_class, files) = r.uploaded.clone();
    let (remove_class, index) = r.removed;
    let settings = own.settings.clone();
    let test = own.test_drawing.clone();
    let file = r.file.clone();
    use_send(r.names, send.clone(), move || {
        vec![TransferCommand::OwnNames { names }]
    });
    use_send(r.add, send.clone(), move || {
        vec![TransferCommand::OwnAdd {
            class,
            image: image.to_vec(),
        }]
    });
    use_send(r.upload, send.clone(), move || {
        files
            .iter()
            .map(|bytes| TransferCommand::OwnUpload {
                class: upload_class,
                bytes: bytes.clone(),
            })
            .collect()
    });
    use_send(r.remove, send.clone(), move || {
        vec![TransferCommand::OwnRemove {
            class: remove_class,
            index,
        }]
    });
    use_send(r.train, send.clone(), move || {
        vec![TransferCommand::OwnTrain { settings }]
    });
    // Before the prediction: a roll back asks for the drawing again, of the rolled-back network
    // (effects run in the order they are declared, and the worker answers in order).
    use_send(r.roll_back, send.clone(), || {
        vec![TransferCommand::OwnRollBack]
    });
    let asked = r.predict;
    use_send(r.predict, send.clone(), move || {
        test.map(|image| TransferCommand::OwnPredict {
            id: asked,
            image: image.to_vec(),
        })
        .into_iter()
        .collect()
    });
    use_send(r.export, send.clone(), || vec![TransferCommand::OwnExport]);
    use_send(r.import, send, move || {
        vec![TransferCommand::OwnImport {
            bytes: file.to_vec(),
        }]
    });
    let saved = own.saved.clone();
    use_effect_with(saved.0, move |&count| {
        if count > 0 {
            let _ = download::save(OWN_FILE, &saved.1);
        }
    });
}

/// Sends the commands `make` gives each time `count` moves.
#[hook]
fn use_send(
    count: u64,
    send: impl Fn(TransferCommand) + 'static,
    make: impl FnOnce() -> Vec<TransferCommand> + 'static,
) {
    use_effect_with(count, move |&count| {
        if count > 0 {
            for command in make() {
                send(command);
            }
        }
    });
}
