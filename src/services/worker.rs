//! The training worker: spawn it, talk to it, and bring it back after a crash.
//!
//! The service knows no lesson: it remembers only the backend preference, holds messages until
//! the worker says `Started` (earlier ones would be lost), and counts crashes. A fresh worker
//! (after a panic, an `error` event or a change of backend) gets `Init`; each lesson then sends
//! its own state again when the worker says `Ready` (see the lessons' `effects.rs`).

use std::cell::RefCell;
use std::rc::{Rc, Weak};

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
// Events are handed on at once; boxing the message would only add an allocation.
#[allow(clippy::large_enum_variant)]
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
    /// Whether the current worker has said `Started`.
    started: bool,
    /// Messages waiting for `Started`.
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
    /// Starts a worker and sends it `Init`.
    pub fn start(preference: BackendPreference, on_event: Callback<WorkerEvent>) -> Self {
        let inner = Rc::new(RefCell::new(Inner {
            worker: None,
            closures: None,
            generation: 0,
            preference,
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

    /// Sends a message to the running worker, or keeps it until the worker listens.
    pub fn send(&self, message: ToWorker) {
        let mut inner = self.inner.borrow_mut();
        if let ToWorker::Init { preference } = message {
            inner.preference = preference;
            return;
        }
        if !inner.started {
            inner.queue.push(message);
            return;
        }
        if let Some(worker) = &inner.worker {
            post(worker, &message);
        }
    }

    /// Replaces the worker by a fresh one with this preference.
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

/// The worker listens now: send it `Init` and whatever waited.
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

/// The page's handle on the worker service, shared by the lessons' effects.
#[derive(Clone, Default)]
pub struct WorkerLink(Rc<RefCell<Option<WorkerService>>>);

impl PartialEq for WorkerLink {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

impl WorkerLink {
    pub fn send(&self, message: ToWorker) {
        if let Some(service) = self.0.borrow().as_ref() {
            service.send(message);
        }
    }

    pub fn connect(&self, service: WorkerService) {
        *self.0.borrow_mut() = Some(service);
    }

    pub fn restart(&self, preference: BackendPreference) {
        if let Some(service) = self.0.borrow().as_ref() {
            service.restart(preference);
        }
    }

    pub fn shutdown(&self) {
        let stopped = self.0.borrow_mut().take();
        if let Some(stopped) = stopped {
            stopped.shutdown();
        }
    }
}
