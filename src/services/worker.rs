//! The training worker: spawn it, talk to it, and bring it back after a crash.
//!
//! The service remembers the backend preference, the last playground configuration and what the
//! CNN lesson asked for (`LoadData`, and the settings of its last `Load`), so that a fresh worker
//! (after a panic, an `error` event or a change of backend) gets `Init`, the same `Load` and the
//! same CNN `LoadData` and `Load` again. A CNN trained or imported before the crash is lost: the
//! fresh worker starts an untrained one with the last settings sent. Nothing is posted before
//! the worker says `Started` (earlier messages would be lost): until then these are remembered
//! and other messages wait in a queue.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use kindling_engine::lessons::cnn::CnnSettings;
use kindling_engine::lessons::cnn::messages::CnnCommand;
use kindling_engine::lessons::playground::PlaygroundConfig;
use kindling_engine::protocol::{BackendPreference, FromWorker, ToWorker};
use serde::Serialize;
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use web_sys::{ErrorEvent, Event, MessageEvent, Worker};
use yew::Callback;

/// The worker script, built by trunk next to the page.
const SCRIPT: &str = "./worker_loader.js";
/// Give up restarting after this many crashes within `CRASH_WINDOW_MS`.
const MAX_CRASHES: usize = 5;
const CRASH_WINDOW_MS: f64 = 20_000.0;

/// What the page hears from the service.
#[derive(Clone, Debug, PartialEq)]
pub enum WorkerEvent {
    Message(FromWorker),
    /// The worker crashed. `restarted` says whether a new one is already running.
    Crashed {
        message: String,
        restarted: bool,
    },
}

type MessageClosure = Closure<dyn FnMut(MessageEvent)>;
type ErrorClosure = Closure<dyn FnMut(Event)>;

struct Inner {
    worker: Option<Worker>,
    closures: Option<(MessageClosure, ErrorClosure)>,
    /// Incremented for every worker; events of older workers are ignored.
    generation: u64,
    preference: BackendPreference,
    config: Option<PlaygroundConfig>,
    /// Whether the CNN lesson asked for MNIST.
    cnn_data: bool,
    /// The settings of the CNN lesson's last `Load`.
    cnn_settings: Option<CnnSettings>,
    /// Whether the current worker has said `Started`.
    started: bool,
    /// Messages waiting for `Started`, other than the remembered ones.
    queue: Vec<ToWorker>,
    crashes: Vec<f64>,
    on_event: Callback<WorkerEvent>,
}

#[derive(Clone)]
pub struct WorkerService {
    inner: Rc<RefCell<Inner>>,
}

impl PartialEq for WorkerService {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.inner, &other.inner)
    }
}

pub(crate) fn js_text(value: &JsValue) -> String {
    if let Some(error) = value.dyn_ref::<js_sys::Error>() {
        return String::from(error.message());
    }
    value.as_string().unwrap_or_else(|| format!("{value:?}"))
}

fn post(worker: &Worker, message: &ToWorker) {
    let serializer = serde_wasm_bindgen::Serializer::new().serialize_maps_as_objects(true);
    match message.serialize(&serializer) {
        Ok(value) => {
            if let Err(error) = worker.post_message(&value) {
                web_sys::console::error_1(
                    &format!("kindling: postMessage failed: {}", js_text(&error)).into(),
                );
            }
        }
        Err(error) => {
            web_sys::console::error_1(
                &format!("kindling: cannot encode a message: {error}").into(),
            );
        }
    }
}

impl WorkerService {
    /// Starts a worker and sends it `Init` (and `Load` when `config` is given).
    pub fn start(
        preference: BackendPreference,
        config: Option<PlaygroundConfig>,
        on_event: Callback<WorkerEvent>,
    ) -> Self {
        let inner = Rc::new(RefCell::new(Inner {
            worker: None,
            closures: None,
            generation: 0,
            preference,
            config,
            cnn_data: false,
            cnn_settings: None,
            started: false,
            queue: Vec::new(),
            crashes: Vec::new(),
            on_event,
        }));
        let service = WorkerService { inner };
        if let Err(message) = spawn(&service.inner) {
            let on_event = service.inner.borrow().on_event.clone();
            on_event.emit(WorkerEvent::Crashed {
                message,
                restarted: false,
            });
        }
        service
    }

    /// Sends a message to the running worker, remembering `Load` configurations, `Init`
    /// preferences and the CNN's `LoadData` and `Load` for restarts.
    pub fn send(&self, message: ToWorker) {
        let mut inner = self.inner.borrow_mut();
        let remembered = match &message {
            ToWorker::Load { config } => {
                inner.config = Some(config.clone());
                // A new run makes earlier waiting commands moot.
                inner.queue.clear();
                true
            }
            ToWorker::Init { preference } => {
                inner.preference = *preference;
                true
            }
            ToWorker::Cnn {
                command: CnnCommand::LoadData,
            } => {
                inner.cnn_data = true;
                true
            }
            ToWorker::Cnn {
                command: CnnCommand::Load { settings },
            } => {
                inner.cnn_settings = Some(settings.clone());
                inner
                    .queue
                    .retain(|waiting| !matches!(waiting, ToWorker::Cnn { .. }));
                true
            }
            _ => false,
        };
        if !inner.started {
            if !remembered {
                inner.queue.push(message);
            }
            return;
        }
        if let Some(worker) = &inner.worker {
            post(worker, &message);
        }
    }

    /// Replaces the worker by a fresh one with this preference; it gets `Init`, the last `Load`
    /// and the CNN's `LoadData` and last `Load` again.
    pub fn restart(&self, preference: BackendPreference) {
        {
            let mut inner = self.inner.borrow_mut();
            inner.preference = preference;
            inner.crashes.clear();
        }
        stop(&self.inner);
        if let Err(message) = spawn(&self.inner) {
            let on_event = self.inner.borrow().on_event.clone();
            on_event.emit(WorkerEvent::Crashed {
                message,
                restarted: false,
            });
        }
    }

    /// Stops the worker for good.
    pub fn shutdown(&self) {
        stop(&self.inner);
    }
}

/// Terminates the current worker. Its closures are dropped later: this may run inside one of them.
fn stop(this: &Rc<RefCell<Inner>>) {
    let (worker, closures) = {
        let mut inner = this.borrow_mut();
        inner.generation += 1;
        inner.started = false;
        inner.queue.clear();
        (inner.worker.take(), inner.closures.take())
    };
    if let Some(worker) = worker {
        worker.set_onmessage(None);
        worker.set_onerror(None);
        worker.terminate();
    }
    if let Some(closures) = closures {
        wasm_bindgen_futures::spawn_local(async move {
            drop(closures);
        });
    }
}

fn spawn(this: &Rc<RefCell<Inner>>) -> Result<(), String> {
    let worker = Worker::new(SCRIPT).map_err(|e| js_text(&e))?;
    let generation = {
        let mut inner = this.borrow_mut();
        inner.generation += 1;
        inner.generation
    };

    let weak = Rc::downgrade(this);
    let on_message = MessageClosure::new(move |event: MessageEvent| {
        received(&weak, generation, event.data());
    });
    let weak = Rc::downgrade(this);
    let on_error = ErrorClosure::new(move |event: Event| {
        event.prevent_default();
        let message = event
            .dyn_ref::<ErrorEvent>()
            .map(|e| e.message())
            .filter(|m| !m.trim().is_empty())
            .unwrap_or_else(|| "the worker reported an error".to_string());
        crashed(&weak, generation, message);
    });
    worker.set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    worker.set_onerror(Some(on_error.as_ref().unchecked_ref()));

    let mut inner = this.borrow_mut();
    inner.started = false;
    inner.queue.clear();
    inner.worker = Some(worker);
    inner.closures = Some((on_message, on_error));
    Ok(())
}

fn received(weak: &Weak<RefCell<Inner>>, generation: u64, data: JsValue) {
    let Some(this) = weak.upgrade() else { return };
    let on_event = {
        let inner = this.borrow();
        if inner.generation != generation {
            return;
        }
        inner.on_event.clone()
    };
    match serde_wasm_bindgen::from_value::<FromWorker>(data) {
        Ok(FromWorker::Started) => {
            started(&this);
            on_event.emit(WorkerEvent::Message(FromWorker::Started));
        }
        Ok(FromWorker::Panicked { message }) => crashed(weak, generation, message),
        Ok(message) => on_event.emit(WorkerEvent::Message(message)),
        Err(error) => {
            web_sys::console::warn_1(
                &format!("kindling: unreadable worker message: {error}").into(),
            );
        }
    }
}

/// The worker listens now: send it `Init`, the current `Load`, the CNN's and whatever waited.
fn started(this: &Rc<RefCell<Inner>>) {
    let mut inner = this.borrow_mut();
    inner.started = true;
    let queue = std::mem::take(&mut inner.queue);
    let Some(worker) = inner.worker.clone() else {
        return;
    };
    post(
        &worker,
        &ToWorker::Init {
            preference: inner.preference,
        },
    );
    if let Some(config) = inner.config.clone() {
        post(&worker, &ToWorker::Load { config });
    }
    if inner.cnn_data {
        let command = CnnCommand::LoadData;
        post(&worker, &ToWorker::Cnn { command });
    }
    if let Some(settings) = inner.cnn_settings.clone() {
        let command = CnnCommand::Load { settings };
        post(&worker, &ToWorker::Cnn { command });
    }
    for message in queue {
        post(&worker, &message);
    }
}

fn crashed(weak: &Weak<RefCell<Inner>>, generation: u64, message: String) {
    let Some(this) = weak.upgrade() else { return };
    let may_restart = {
        let mut inner = this.borrow_mut();
        if inner.generation != generation {
            return;
        }
        let now = js_sys::Date::now();
        inner.crashes.retain(|t| now - t < CRASH_WINDOW_MS);
        inner.crashes.push(now);
        inner.crashes.len() <= MAX_CRASHES
    };
    stop(&this);
    let (restarted, message) = if may_restart {
        match spawn(&this) {
            Ok(()) => (true, message),
            Err(error) => (false, format!("{message} ({error})")),
        }
    } else {
        (false, message)
    };
    let on_event = this.borrow().on_event.clone();
    on_event.emit(WorkerEvent::Crashed { message, restarted });
}
