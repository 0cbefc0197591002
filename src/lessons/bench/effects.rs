//! The benchmark's only route to the worker: one `Run` per workload each time a run starts, and
//! the run a link with `auto=1` asks for once a worker is ready. Also the browser's clock and
//! clipboard, which the page needs around a run.

use kindling_engine::lessons::bench::memory::sample_every;
use kindling_engine::lessons::bench::messages::Command;
use kindling_engine::protocol::{ActiveBackend, ToWorker};
use yew::prelude::*;

use crate::lessons::bench::state::{BenchAction, BenchState};
use crate::services::clipboard;
use crate::services::worker::WorkerLink;

/// Now, in UTC to the minute: `2026-01-02 03:04 UTC`.
pub fn now_utc() -> String {
    let iso = String::from(js_sys::Date::new_0().to_iso_string());
    match (iso.get(..10), iso.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => iso,
    }
}

/// Copies `text`, then tells the page how that went.
pub fn copy_text(text: String, on_bench: Callback<BenchAction>) {
    wasm_bindgen_futures::spawn_local(async move {
        let result = clipboard::write_text(&text).await;
        on_bench.emit(BenchAction::Copied(result));
    });
}

/// `ready`: the number of the worker that said `Ready`, and `backend` what it runs on; `None`
/// while there is none. `label`: the backend badge's words.
#[hook]
pub fn use_bench_worker(
    state: &BenchState,
    worker: &WorkerLink,
    ready: Option<u64>,
    backend: Option<ActiveBackend>,
    label: String,
    on_bench: Callback<BenchAction>,
) {
    // A run started: the worker queues one command per workload (the memory ones last) and runs
    // them in order.
    {
        let worker = worker.clone();
        let run = state.current_run().cloned();
        use_effect_with(state.run_requests, move |&count| {
            if let (true, Some(_), Some(run)) = (count > 0, ready, run) {
                for workload in run.workloads {
                    worker.send(ToWorker::Bench(Command::Run {
                        workload,
                        warmup: run.warmup,
                        steps: run.steps,
                    }));
                }
                for (workload, steps) in run.memory {
                    worker.send(ToWorker::Bench(Command::Memory {
                        workload,
                        steps,
                        every: sample_every(steps),
                    }));
                }
            }
        });
    }
    // `auto=1`: one run as soon as a worker is ready.
    use_effect_with((state.auto, ready), move |&(auto, ready)| {
        if let (true, Some(_), Some(backend)) = (auto, ready, backend) {
            on_bench.emit(BenchAction::Run {
                backend,
                label,
                date: now_utc(),
            });
        }
    });
}
