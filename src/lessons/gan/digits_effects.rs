//! The digits section's messages to the worker, one each time a request counter moves (a new
//! worker gets the run's checkpoint, when the last one stopped and left one), and the download
//! of a saved generator.

use kindling_engine::lessons::gan::messages::{DigitCommand, GanCommand};
use kindling_engine::protocol::ToWorker;
use yew::prelude::*;

use crate::lessons::gan::digits_state::{DigitsAction, DigitsState};
use crate::lessons::kept_run::use_kept_run;
use crate::services::download;
use crate::services::worker::WorkerLink;

/// Frames in a latent walk.
const WALK_FRAMES: u32 = 8;

#[hook]
pub fn use_digits_worker(
    state: &DigitsState,
    worker: &WorkerLink,
    ready: Option<u64>,
    on_digits: Callback<DigitsAction>,
) {
    use_kept_run(state, on_digits.reform(DigitsAction::Kept));
    let send = {
        let worker = worker.clone();
        move |command: DigitCommand| {
            if ready.is_some() {
                worker.send(ToWorker::Gan(GanCommand::Digits(command)));
            }
        }
    };
    let r = state.requests.clone();
    let started = state.started;
    let settings = state.settings.clone();
    let (from, to) = state.walk_seeds;
    let label = state.draw_label;
    let file = r.file.clone();
    {
        // After the worker stopped, the next one resumes the run from its checkpoint.
        let send = send.clone();
        let resume = state.checkpoints.resume.clone();
        use_effect_with((ready, r.load), move |_| {
            if started {
                send(match resume {
                    Some(kept) => DigitCommand::Resume {
                        checkpoint: Box::new((*kept.0).clone()),
                    },
                    None => DigitCommand::Load { settings },
                });
            }
        });
    }
    let commands = [
        (r.play, DigitCommand::Play),
        (r.pause, DigitCommand::Pause),
        (r.step, DigitCommand::Step),
        (r.roll_back, DigitCommand::RollBack),
        (
            r.walk,
            DigitCommand::Walk {
                from,
                to,
                frames: WALK_FRAMES,
                label,
            },
        ),
        (r.draw, DigitCommand::Draw { label }),
        (r.save, DigitCommand::Save),
        (
            r.open,
            DigitCommand::LoadGenerator {
                bytes: file.to_vec(),
            },
        ),
    ];
    let [a, b, c, d, e, f, g, h] = commands;
    use_send(a, send.clone());
    use_send(b, send.clone());
    use_send(c, send.clone());
    use_send(d, send.clone());
    use_send(e, send.clone());
    use_send(f, send.clone());
    use_send(g, send.clone());
    use_send(h, send);
    let saved = state.saved.clone();
    use_effect_with(saved.0, move |&count| {
        if count > 0 {
            let _ = download::save("gan-generator.safetensors", &saved.1);
        }
    });
}

/// Sends the command each time its counter moves.
#[hook]
fn use_send(request: (u64, DigitCommand), send: impl Fn(DigitCommand) + 'static) {
    let (count, command) = request;
    use_effect_with(count, move |&count| {
        if count > 0 {
            send(command);
        }
    });
}
