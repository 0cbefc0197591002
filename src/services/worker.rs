//! The training worker: choose its build, spawn it, talk to it, and bring it back after a crash.
//!
//! The service knows no lesson: it remembers only the backend preference, holds messages until
//! the worker says `Started` (earlier ones would be lost), and counts crashes. A fresh worker
//! (after a panic, an `error` event or a change of backend) gets `Init`; each lesson then sends
//! its own state again when the worker says `Ready` (see the lessons' `effects.rs`).
//!
//! There are two builds of the worker (see `choose_build`): the CPU-only one, a quarter of the
//! size, for browsers without a usable GPU, and the WebGPU one. On `Auto` with a hardware adapter
//! the WebGPU worker is asked to calibrate (`CALIBRATE_AFTER_MS` after `Ready`; it waits until no
//! lesson trains), and what it measured is kept per adapter in local storage for the next start.

use std::cell::RefCell;
use std::rc::{Rc, Weak};

use js_sys::{Promise, Reflect};
use kindling_engine::protocol::{
    self, ActiveBackend, BackendKind, BackendPreference, Calibration, CpuReason, FromWorker,
    ToWorker, judge_adapter,
};
use wasm_bindgen::JsCast;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{ErrorEvent, Event, MessageEvent, Worker};
use yew::Callback;

use crate::services::storage;

/// Give up restarting after this many crashes within `CRASH_WINDOW_MS`.
const MAX_CRASHES: usize = 5;
const CRASH_WINDOW_MS: f64 = 20_000.0;
/// How long after `Ready` the WebGPU worker is asked to calibrate: after the first lesson is
/// interactive, not during its start.
const CALIBRATE_AFTER_MS: i32 = 2_000;

/// The two builds of the worker, each a script that trunk builds next to the page.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WorkerBuild {
    /// The CPU backend only (`worker/src/bin/worker_cpu.rs`).
    Cpu,
    /// WebGPU and the CPU backend (`worker/src/bin/worker.rs`).
    WebGpu,
}

impl WorkerBuild {
    pub fn script(self) -> &'static str {
        match self {
            WorkerBuild::Cpu => "./worker_cpu_loader.js",
            WorkerBuild::WebGpu => "./worker_loader.js",
        }
    }
}

/// The build to start. `probe` is what `navigator.gpu` offered (only asked on `Auto`): no usable
/// adapter, or a software one, means the CPU worker; a hardware adapter the WebGPU worker, unless
/// `cached`, a calibration on that adapter, measured the CPU faster.
pub fn choose_build(
    preference: BackendPreference,
    probe: Option<&Result<String, CpuReason>>,
    cached: Option<&Calibration>,
) -> WorkerBuild {
    match (preference, probe) {
        (BackendPreference::Cpu, _) => WorkerBuild::Cpu,
        (BackendPreference::WebGpu, _) => WorkerBuild::WebGpu,
        (BackendPreference::Auto, Some(Ok(adapter))) => match cached {
            Some(c) if c.adapter == *adapter && c.choice == BackendKind::Cpu => WorkerBuild::Cpu,
            _ => WorkerBuild::WebGpu,
        },
        (BackendPreference::Auto, _) => WorkerBuild::Cpu,
    }
}

/// Whether a worker that said `Ready` on `backend` should calibrate: on `Auto`, on WebGPU, and
/// only while nothing is cached for its adapter.
pub fn wants_calibration(
    preference: BackendPreference,
    backend: &ActiveBackend,
    cached: Option<&Calibration>,
) -> bool {
    preference == BackendPreference::Auto
        && matches!(backend, ActiveBackend::WebGpu { .. })
        && cached.is_none()
}

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
    /// What the current worker gets with `Init`: the calibration cached for the page's adapter.
    calibration: Option<Calibration>,
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
    match protocol::encode(message) {
        Ok(bytes) => {
            let value = js_sys::Uint8Array::from(bytes.as_slice());
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
            calibration: None,
            started: false,
            queue: Vec::new(),
            crashes: Vec::new(),
            on_event,
        }));
        let service = WorkerService { inner };
        spawn(&service.inner);
        service
    }

    /// Sends a message to the running worker, or keeps it until the worker listens.
    pub fn send(&self, message: ToWorker) {
        let mut inner = self.inner.borrow_mut();
        if let ToWorker::Init { preference, .. } = message {
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
        spawn(&self.inner);
    }

    /// Stops the worker for good.
    pub fn shutdown(&self) {
        stop(&self.inner);
    }

    /// Ends the worker without a word from it, as the browser ends one that ran out of memory,
    /// and recovers as from any crash (a test hook: `shell/fault_hooks.rs`).
    pub fn kill(&self) {
        let generation = {
            let inner = self.inner.borrow();
            if let Some(worker) = &inner.worker {
                worker.terminate();
            }
            inner.generation
        };
        crashed(
            &Rc::downgrade(&self.inner),
            generation,
            "the worker was killed".to_string(),
        );
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

/// What `navigator.gpu.requestAdapter()` offers the page, judged as the worker judges it: the
/// adapter's name, or why the CPU is used.
async fn probe_adapter(preference: BackendPreference) -> Result<String, CpuReason> {
    let get = |target: &JsValue, key: &str| Reflect::get(target, &key.into()).ok();
    let gpu = get(&js_sys::global(), "navigator")
        .and_then(|navigator| get(&navigator, "gpu"))
        .filter(|gpu| !gpu.is_undefined() && !gpu.is_null())
        .ok_or(CpuReason::NoWebGpu)?;
    let request = get(&gpu, "requestAdapter")
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or(CpuReason::NoWebGpu)?;
    let promise: Promise = request
        .call0(&gpu)
        .map_err(|_| CpuReason::NoAdapter)?
        .unchecked_into();
    let adapter = JsFuture::from(promise)
        .await
        .map_err(|_| CpuReason::NoAdapter)?;
    if adapter.is_null() || adapter.is_undefined() {
        return Err(CpuReason::NoAdapter);
    }
    let info = get(&adapter, "info").unwrap_or(JsValue::UNDEFINED);
    let name = ["vendor", "architecture", "device", "description"]
        .iter()
        .filter_map(|key| get(&info, key).and_then(|v| v.as_string()))
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(" ");
    let fallback = get(&info, "isFallbackAdapter")
        .and_then(|v| v.as_bool())
        .or_else(|| get(&adapter, "isFallbackAdapter").and_then(|v| v.as_bool()))
        .unwrap_or(false);
    judge_adapter(name, fallback, preference)
}

/// Starts a fresh worker: at once, events of the old one are ignored and messages wait; once the
/// build is chosen (on `Auto` after asking the browser for an adapter), the worker itself.
fn spawn(this: &Rc<RefCell<Inner>>) {
    let (generation, preference) = {
        let mut inner = this.borrow_mut();
        inner.generation += 1;
        inner.started = false;
        inner.queue.clear();
        (inner.generation, inner.preference)
    };
    let weak = Rc::downgrade(this);
    wasm_bindgen_futures::spawn_local(async move {
        let probe = match preference {
            BackendPreference::Auto => Some(probe_adapter(preference).await),
            _ => None,
        };
        let cached = match &probe {
            Some(Ok(adapter)) => storage::load_calibration(adapter),
            _ => None,
        };
        let build = choose_build(preference, probe.as_ref(), cached.as_ref());
        let Some(this) = weak.upgrade() else { return };
        if this.borrow().generation != generation {
            return;
        }
        if let Err(message) = open(&this, generation, build, cached) {
            let on_event = this.borrow().on_event.clone();
            on_event.emit(WorkerEvent::Crashed {
                message,
                restarted: false,
            });
        }
    });
}

fn open(
    this: &Rc<RefCell<Inner>>,
    generation: u64,
    build: WorkerBuild,
    calibration: Option<Calibration>,
) -> Result<(), String> {
    let worker = Worker::new(build.script()).map_err(|e| js_text(&e))?;
    crate::services::offline::keep_build(build.script());
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
    inner.worker = Some(worker);
    inner.closures = Some((on_message, on_error));
    inner.calibration = calibration;
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
    let bytes = js_sys::Uint8Array::new(&data).to_vec();
    match protocol::decode::<FromWorker>(&bytes) {
        Ok(FromWorker::Started) => {
            started(&this);
            on_event.emit(WorkerEvent::Message(FromWorker::Started));
        }
        Ok(FromWorker::Panicked { message }) => crashed(weak, generation, message),
        Ok(FromWorker::Ready { backend }) => {
            let preference = this.borrow().preference;
            let cached = match &backend {
                ActiveBackend::WebGpu { adapter } => storage::load_calibration(adapter),
                ActiveBackend::Cpu { .. } => None,
            };
            if wants_calibration(preference, &backend, cached.as_ref()) {
                calibrate_later(weak.clone(), generation);
            }
            on_event.emit(WorkerEvent::Message(FromWorker::Ready { backend }));
        }
        Ok(FromWorker::Calibrated {
            calibration,
            trained,
        }) => {
            // Kept before the page hears it: a worker started because of it must find it.
            storage::save_calibration(&calibration);
            on_event.emit(WorkerEvent::Message(FromWorker::Calibrated {
                calibration,
                trained,
            }));
        }
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
            calibration: inner.calibration.clone(),
        },
    );
    for message in queue {
        post(&worker, &message);
    }
}

/// Asks worker `generation` to calibrate in `CALIBRATE_AFTER_MS`, if it is still the current one.
fn calibrate_later(weak: Weak<RefCell<Inner>>, generation: u64) {
    let ask = Closure::once_into_js(move || {
        let Some(this) = weak.upgrade() else { return };
        let inner = this.borrow();
        if inner.generation == generation
            && inner.started
            && let Some(worker) = &inner.worker
        {
            post(worker, &ToWorker::Calibrate);
        }
    });
    if let Some(window) = web_sys::window() {
        let _ = window.set_timeout_with_callback_and_timeout_and_arguments_0(
            ask.unchecked_ref(),
            CALIBRATE_AFTER_MS,
        );
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
    if may_restart {
        spawn(&this);
    }
    let on_event = this.borrow().on_event.clone();
    on_event.emit(WorkerEvent::Crashed {
        message,
        restarted: may_restart,
    });
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

    pub fn kill(&self) {
        let service = self.0.borrow().clone();
        if let Some(service) = service {
            service.kill();
        }
    }

    pub fn shutdown(&self) {
        let stopped = self.0.borrow_mut().take();
        if let Some(stopped) = stopped {
            stopped.shutdown();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn calibration(adapter: &str, choice: BackendKind) -> Calibration {
        Calibration {
            adapter: adapter.into(),
            cpu_ms: Some(30.0),
            webgpu_ms: Some(90.0),
            choice,
        }
    }

    #[test]
    fn the_build_follows_the_preference_the_adapter_and_the_measurement() {
        use BackendPreference::*;
        let hardware = Ok("Intel Xe".to_string());
        let software = Err(CpuReason::SoftwareAdapter {
            adapter: "SwiftShader".into(),
        });
        assert_eq!(choose_build(Cpu, None, None), WorkerBuild::Cpu);
        assert_eq!(choose_build(WebGpu, None, None), WorkerBuild::WebGpu);
        assert_eq!(choose_build(Auto, Some(&software), None), WorkerBuild::Cpu);
        assert_eq!(
            choose_build(Auto, Some(&Err(CpuReason::NoWebGpu)), None),
            WorkerBuild::Cpu
        );
        assert_eq!(
            choose_build(Auto, Some(&hardware), None),
            WorkerBuild::WebGpu
        );
        let cpu_faster = calibration("Intel Xe", BackendKind::Cpu);
        assert_eq!(
            choose_build(Auto, Some(&hardware), Some(&cpu_faster)),
            WorkerBuild::Cpu
        );
        let gpu_faster = calibration("Intel Xe", BackendKind::WebGpu);
        assert_eq!(
            choose_build(Auto, Some(&hardware), Some(&gpu_faster)),
            WorkerBuild::WebGpu
        );
        let elsewhere = calibration("AMD", BackendKind::Cpu);
        assert_eq!(
            choose_build(Auto, Some(&hardware), Some(&elsewhere)),
            WorkerBuild::WebGpu
        );
        assert_eq!(WorkerBuild::Cpu.script(), "./worker_cpu_loader.js");
        assert_eq!(WorkerBuild::WebGpu.script(), "./worker_loader.js");
    }

    #[test]
    fn only_an_uncalibrated_auto_webgpu_worker_calibrates() {
        use BackendPreference::*;
        let gpu = ActiveBackend::WebGpu {
            adapter: "Intel Xe".into(),
        };
        let cpu = ActiveBackend::Cpu {
            reason: CpuReason::NoWebGpu,
        };
        assert!(wants_calibration(Auto, &gpu, None));
        assert!(!wants_calibration(WebGpu, &gpu, None));
        assert!(!wants_calibration(Auto, &cpu, None));
        let cached = calibration("Intel Xe", BackendKind::WebGpu);
        assert!(!wants_calibration(Auto, &gpu, Some(&cached)));
    }
}
