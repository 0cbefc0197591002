//! The detection project's only route to the worker: one message each time a request counter in
//! its state moves, with its content read from the state; a worker that says `Ready` is asked
//! for the backbone and the data again, and to resume the run's checkpoint when the last worker
//! stopped (or a run kept in the browser, which goes through `kept_run::use_kept_run`). A saved
//! detector is downloaded from here too.

use kindling_engine::lessons::detect::data::Level;
use kindling_engine::lessons::detect::messages::DetectCommand;
use kindling_engine::protocol::ToWorker;
use yew::prelude::*;

use crate::lessons::detect::state::{DetectAction, DetectState, SHOWN};
use crate::lessons::kept_run::use_kept_run;
use crate::services::download;
use crate::services::worker::WorkerLink;

/// The names a saved detector is offered under, by its head.
const DETECTOR_FILE: &str = "detector.safetensors";
const MANY_DETECTOR_FILE: &str = "detector-many.safetensors";

/// `ready`: the number of the worker that said `Ready`, `None` while there is none (commands
/// then are dropped).
#[hook]
pub fn use_detect_worker(
    state: &DetectState,
    worker: &WorkerLink,
    ready: Option<u64>,
    on_detect: Callback<DetectAction>,
) {
    use_kept_run(state, on_detect.reform(DetectAction::Kept));
    let send = {
        let worker = worker.clone();
        move |command: DetectCommand| {
            if ready.is_some() {
                worker.send(ToWorker::Detect(command));
            }
        }
    };
    let requests = state.requests;
    {
        let send = send.clone();
        use_effect_with((ready, requests.prepare), move |&(_, count)| {
            if count > 0 {
                send(DetectCommand::Prepare);
            }
        });
    }
    {
        let send = send.clone();
        let settings = state
            .asked
            .clone()
            .unwrap_or_else(|| state.settings.clone());
        let level = state.asked_level;
        let further = state.asked_further;
        use_effect_with(requests.run, move |&count| {
            if count > 0 {
                send(match (further, level) {
                    (true, _) => DetectCommand::Continue { settings },
                    (false, Level::One) => DetectCommand::Run { settings },
                    (false, Level::Many) => DetectCommand::RunMany { settings },
                });
            }
        });
    }
    {
        let send = send.clone();
        let resume = state.checkpoints.resume.clone();
        use_effect_with((ready, requests.resume), move |&(_, count)| {
            if let (true, Some(kept)) = (count > 0, resume) {
                send(DetectCommand::Resume {
                    checkpoint: Box::new((*kept.0).clone()),
                });
            }
        });
    }
    {
        let send = send.clone();
        use_effect_with(requests.play, move |&count| {
            if count > 0 {
                send(DetectCommand::Play);
            }
        });
    }
    {
        let send = send.clone();
        use_effect_with(requests.pause, move |&count| {
            if count > 0 {
                send(DetectCommand::Pause);
            }
        });
    }
    {
        let send = send.clone();
        use_effect_with(requests.roll_back, move |&count| {
            if count > 0 {
                send(DetectCommand::RollBack);
            }
        });
    }
    {
        let send = send.clone();
        let first = state.show_first;
        use_effect_with(requests.show, move |&count| {
            if count > 0 {
                send(DetectCommand::Show {
                    first,
                    count: SHOWN,
                });
            }
        });
    }
    {
        let send = send.clone();
        use_effect_with(requests.use_shipped, move |&count| {
            if count > 0 {
                send(DetectCommand::UseShipped);
            }
        });
    }
    {
        let send = send.clone();
        use_effect_with(requests.export, move |&count| {
            if count > 0 {
                send(DetectCommand::Export);
            }
        });
    }
    {
        let send = send.clone();
        let bytes = state.import_bytes.clone();
        use_effect_with(requests.import, move |&count| {
            if count > 0 {
                send(DetectCommand::Import {
                    bytes: bytes.to_vec(),
                });
            }
        });
    }
    {
        let saved = state.saved.clone();
        // The saved file's card arrives with it.
        let name = match state.card.as_ref().map(|c| c.level) {
            Some(Level::Many) => MANY_DETECTOR_FILE,
            _ => DETECTOR_FILE,
        };
        use_effect_with(saved.0, move |&count| {
            if count > 0 {
                let _ = download::save(name, &saved.1);
            }
        });
    }
    let pixels = state.drawing.clone();
    use_effect_with(requests.detect, move |&count| {
        if let (true, Some(pixels)) = (count > 0, pixels) {
            send(DetectCommand::Detect {
                id: count,
                pixels: pixels.to_vec(),
            });
        }
    });
}
