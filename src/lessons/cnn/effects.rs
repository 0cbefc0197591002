//! The CNN lesson's only route to the worker: one message each time a request counter in its
//! state moves, with its content read from the state; a worker that says `Ready` gets the data
//! and the model the lesson asked for again (the run's checkpoint, when the last worker stopped
//! and left one). Also its route to the shipped models (fetched by the page, then loaded like a
//! file the learner chose).

use kindling_engine::lessons::cnn::messages::{CnnCommand, CnnEvent};
use kindling_engine::protocol::ToWorker;
use yew::prelude::*;

use crate::lessons::cnn::shipped::ShippedProblem;
use crate::lessons::cnn::state::{Arrived, CnnAction, CnnState, ModelMessage, model_file_name};
use crate::lessons::kept_run::use_kept_run;
use crate::services::worker::WorkerLink;
use crate::services::{download, models};

/// A saved model is handed to the browser as soon as it arrives (the state keeps only its card);
/// the action that says so if the browser refused it.
pub fn save_exported(event: &CnnEvent) -> Option<CnnAction> {
    let CnnEvent::Exported { bytes, card } = event else {
        return None;
    };
    let message = download::save(&model_file_name(card), bytes).err()?;
    Some(CnnAction::ModelMessage(ModelMessage::DownloadFailed {
        message,
    }))
}

/// `ready`: the number of the worker that said `Ready`, `None` while there is none (commands
/// then are dropped: the next worker gets the state).
#[hook]
pub fn use_cnn_worker(
    state: &CnnState,
    worker: &WorkerLink,
    ready: Option<u64>,
    on_cnn: Callback<CnnAction>,
) {
    use_kept_run(state, on_cnn.reform(CnnAction::Kept));
    {
        let on_cnn = on_cnn.clone();
        use_effect_with(state.requests.shipped_list, move |&count| {
            if count > 0 {
                wasm_bindgen_futures::spawn_local(async move {
                    on_cnn.emit(CnnAction::Shipped(models::fetch_listing().await));
                });
            }
        });
    }
    {
        let name = state.fetching.as_ref().map(|m| m.name.clone());
        use_effect_with(state.requests.shipped_file, move |&count| {
            if let (true, Some(name)) = (count > 0, name) {
                wasm_bindgen_futures::spawn_local(async move {
                    let result = match models::fetch_file(&name).await {
                        Ok(download) => Ok(Arrived {
                            bytes: download.bytes,
                            sha256: download.sha256,
                        }),
                        Err(message) => Err(ShippedProblem::Unreachable { message }),
                    };
                    on_cnn.emit(CnnAction::ShippedArrived { name, result });
                });
            }
        });
    }
    let send = {
        let worker = worker.clone();
        move |command: CnnCommand| {
            if ready.is_some() {
                worker.send(ToWorker::Cnn(command));
            }
        }
    };
    let requests = state.requests;
    {
        let send = send.clone();
        use_effect_with((ready, requests.data), move |&(_, count)| {
            if count > 0 {
                send(CnnCommand::LoadData);
            }
        });
    }
    {
        // After the worker stopped, the next one resumes the run from its checkpoint.
        let send = send.clone();
        let settings = state.applied.clone();
        let resume = state.resume.clone();
        use_effect_with((ready, requests.load), move |&(_, count)| {
            if count > 0 {
                send(match resume {
                    Some(kept) => CnnCommand::Resume {
                        checkpoint: Box::new((*kept.0).clone()),
                    },
                    None => CnnCommand::Load { settings },
                });
            }
        });
    }
    {
        let send = send.clone();
        let test_index = state.inspect_index;
        use_effect_with(requests.inspect, move |&count| {
            if count > 0 {
                send(CnnCommand::Inspect { test_index });
            }
        });
    }
    {
        let send = send.clone();
        let drawing = state.drawing.clone();
        use_effect_with(requests.predict, move |&id| {
            if let (true, Some(drawing)) = (id > 0, drawing) {
                let pixels = drawing.image.clone();
                send(CnnCommand::Predict { id, pixels });
            }
        });
    }
    {
        let send = send.clone();
        let bytes = state.import.clone();
        use_effect_with(requests.import, move |&count| {
            if let (true, Some(bytes)) = (count > 0, bytes) {
                send(CnnCommand::Import {
                    bytes: (*bytes).clone(),
                });
            }
        });
    }
    use_command(requests.play, CnnCommand::Play, send.clone());
    use_command(requests.pause, CnnCommand::Pause, send.clone());
    use_command(requests.step, CnnCommand::Step, send.clone());
    use_command(requests.roll_back, CnnCommand::RollBack, send.clone());
    use_command(requests.evaluate, CnnCommand::Evaluate, send.clone());
    use_command(requests.export, CnnCommand::Export, send);
}

/// Sends `command` each time `count` moves.
#[hook]
fn use_command(count: u64, command: CnnCommand, send: impl Fn(CnnCommand) + 'static) {
    use_effect_with(count, move |&count| {
        if count > 0 {
            send(command);
        }
    });
}
