//! The training worker: chooses the backend, then hands each `ToWorker` message to its lesson
//! (`lessons/`) and lets the scheduler train one lesson at a time. It talks to the page only
//! through `ToWorker` / `FromWorker` messages. Two builds run it (`src/bin/`): with the `webgpu`
//! feature it can train on WebGPU and calibrate (`calibrate.rs`), without it only on the CPU.

use std::sync::atomic::{AtomicBool, Ordering};

use futures::StreamExt;
use futures::channel::mpsc::{UnboundedReceiver, unbounded};
use js_sys::{Promise, Reflect};
use kindling_engine::backend;
use kindling_engine::burn::tensor::Device;
use kindling_engine::protocol::{
    self, ActiveBackend, BackendKind, BackendPreference, Calibration, CpuReason, FromWorker,
    ToWorker, judge_adapter,
};
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;
use web_sys::{DedicatedWorkerGlobalScope, MessageEvent};

mod calibrate;
mod lessons;
mod mnist;
mod scheduler;

use scheduler::Scheduler;

pub(crate) fn scope() -> DedicatedWorkerGlobalScope {
    js_sys::global().unchecked_into()
}

pub(crate) fn post(message: &FromWorker) {
    match protocol::encode(message) {
        Ok(bytes) => {
            let _ = scope().post_message(&js_sys::Uint8Array::from(bytes.as_slice()));
        }
        Err(e) => web_sys::console::error_1(&format!("cannot serialise a message: {e}").into()),
    }
}

/// Resolves after `ms` milliseconds, letting the event loop run (and deliver messages) meanwhile.
pub(crate) async fn sleep(ms: i32) {
    let promise = Promise::new(&mut |resolve, _| {
        let _ = scope().set_timeout_with_callback_and_timeout_and_arguments_0(&resolve, ms);
    });
    let _ = JsFuture::from(promise).await;
}

/// Set when the GPU device is lost: the worker has said so and does nothing more (the page starts
/// a CPU worker, which resumes the runs from their checkpoints).
static DEVICE_LOST: AtomicBool = AtomicBool::new(false);

/// wgpu's device-lost callback: tells the page before any later operation on the lost device
/// can fail.
fn device_lost(message: String) {
    if !DEVICE_LOST.swap(true, Ordering::SeqCst) {
        web_sys::console::warn_1(&format!("the GPU device was lost: {message}").into());
        post(&FromWorker::DeviceLost { message });
    }
}

/// Lets the event loop run (and deliver messages) before continuing.
async fn yield_now() {
    sleep(0).await;
}

async fn get(target: &JsValue, key: &str) -> JsValue {
    Reflect::get(target, &key.into()).unwrap_or(JsValue::UNDEFINED)
}

fn text(value: JsValue) -> String {
    value.as_string().unwrap_or_default()
}

/// What the browser offers: the adapter's name, or `Err(reason)` when WebGPU should not be used.
async fn probe_adapter(preference: BackendPreference) -> Result<String, CpuReason> {
    let navigator = get(&scope().into(), "navigator").await;
    let gpu = get(&navigator, "gpu").await;
    if gpu.is_undefined() || gpu.is_null() {
        return Err(CpuReason::NoWebGpu);
    }
    let request = Reflect::get(&gpu, &"requestAdapter".into())
        .ok()
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
    let info = get(&adapter, "info").await;
    let parts: Vec<String> = ["vendor", "architecture", "device", "description"]
        .iter()
        .map(|key| {
            Reflect::get(&info, &(*key).into())
                .map(text)
                .unwrap_or_default()
        })
        .filter(|s| !s.is_empty())
        .collect();
    let name = parts.join(" ");
    let fallback = Reflect::get(&info, &"isFallbackAdapter".into())
        .ok()
        .and_then(|v| v.as_bool())
        .or_else(|| {
            Reflect::get(&adapter, &"isFallbackAdapter".into())
                .ok()
                .and_then(|v| v.as_bool())
        })
        .unwrap_or(false);
    judge_adapter(name, fallback, preference)
}

/// What destroys the GPU device (a test hook); None on the CPU.
type Destroy = Option<Box<dyn Fn()>>;

/// The backend for `preference`; on `Auto`, a calibration cached for this adapter decides.
async fn choose_backend(
    preference: BackendPreference,
    calibration: Option<Calibration>,
) -> (Device, ActiveBackend, Destroy) {
    let cpu = |reason| (backend::cpu(), ActiveBackend::Cpu { reason }, None);
    if preference == BackendPreference::Cpu {
        return cpu(CpuReason::Requested);
    }
    let name = match probe_adapter(preference).await {
        Ok(name) => name,
        Err(reason) => return cpu(reason),
    };
    if preference == BackendPreference::Auto
        && let Some(calibration) = calibration
        && calibration.adapter == name
        && calibration.choice == BackendKind::Cpu
    {
        return cpu(CpuReason::Measured { adapter: name });
    }
    match backend::init_webgpu(device_lost).await {
        // The browser's name, even when empty (the badge then says so): the page files and looks
        // up calibrations under the name its own probe finds, which is this one. wgpu's own
        // description of a browser adapter is generic anyway.
        Ok(gpu) => (
            gpu.device,
            ActiveBackend::WebGpu { adapter: name },
            Some(gpu.destroy),
        ),
        Err(error) => cpu(CpuReason::InitFailed { error }),
    }
}

/// The worker's state between messages: the lessons, and a calibration the page asked for.
struct Worker {
    scheduler: Scheduler,
    device: Device,
    active: ActiveBackend,
    calibrate: bool,
    destroy: Destroy,
}

impl Worker {
    async fn dispatch(&mut self, message: ToWorker) {
        match message {
            // The backend is chosen once per worker; the page restarts the worker to change it.
            ToWorker::Init { .. } => {}
            ToWorker::Crash => panic!("crash requested by the page"),
            ToWorker::LoseDevice => self.lose_device().await,
            ToWorker::OverfillGpu => self.overfill_gpu().await,
            // Measured as soon as no lesson trains, so that no training step runs meanwhile.
            ToWorker::Calibrate => self.calibrate = true,
            message => self.scheduler.handle(message).await,
        }
    }

    /// Destroys the GPU device (a test hook), then waits for wgpu's device-lost callback, so
    /// that no training step runs on the lost device before the page hears of it.
    async fn lose_device(&mut self) {
        let Some(destroy) = &self.destroy else {
            web_sys::console::warn_1(&"no GPU device to lose: this worker runs on the CPU".into());
            return;
        };
        destroy();
        for _ in 0..500 {
            if DEVICE_LOST.load(Ordering::SeqCst) {
                return;
            }
            sleep(10).await;
        }
        // Lost all the same: a destroyed device takes no more work.
        device_lost("the device was destroyed and said nothing".into());
    }

    /// Runs out of GPU memory (a test hook): the failed read stops this worker with the reason.
    async fn overfill_gpu(&mut self) {
        if self.destroy.is_none() {
            web_sys::console::warn_1(&"no GPU memory to fill: this worker runs on the CPU".into());
            return;
        }
        let value = backend::overfill(&self.device).await;
        web_sys::console::warn_1(&format!("a 3 GiB buffer was read on the GPU: {value}").into());
    }

    /// Runs a calibration that is due: only on WebGPU is there a choice to measure.
    async fn calibrate(&mut self) {
        self.calibrate = false;
        let ActiveBackend::WebGpu { adapter } = &self.active else {
            web_sys::console::warn_1(&"calibration skipped: this worker runs on the CPU".into());
            return;
        };
        let calibration = calibrate::run(adapter.clone(), &backend::cpu(), &self.device).await;
        post(&FromWorker::Calibrated {
            calibration,
            trained: self.scheduler.trained(),
        });
    }
}

async fn serve(mut inbox: UnboundedReceiver<ToWorker>) {
    // The first message chooses the backend.
    let (preference, calibration) = loop {
        match inbox.next().await {
            Some(ToWorker::Init {
                preference,
                calibration,
            }) => break (preference, calibration),
            Some(_) => continue,
            None => return,
        }
    };
    let (device, active, destroy) = choose_backend(preference, calibration).await;
    post(&FromWorker::Ready {
        backend: active.clone(),
    });
    let mut worker = Worker {
        scheduler: Scheduler::new(lessons::all(&device)),
        device,
        active,
        calibrate: false,
        destroy,
    };
    loop {
        if DEVICE_LOST.load(Ordering::SeqCst) {
            return;
        }
        if !worker.scheduler.running() {
            if worker.calibrate {
                worker.calibrate().await;
                continue;
            }
            match inbox.next().await {
                Some(message) => worker.dispatch(message).await,
                None => return,
            }
            continue;
        }
        while let Ok(message) = inbox.try_recv() {
            worker.dispatch(message).await;
        }
        // No training step on a lost device.
        if DEVICE_LOST.load(Ordering::SeqCst) {
            return;
        }
        worker.scheduler.tick().await;
        yield_now().await;
    }
}

/// The worker's entry point (both builds' `main`): listens, then says `Started`.
pub fn run() {
    std::panic::set_hook(Box::new(|info| {
        let message = info.to_string();
        web_sys::console::error_1(&message.clone().into());
        post(&FromWorker::Panicked { message });
    }));
    let (sender, inbox) = unbounded();
    let on_message = Closure::<dyn FnMut(MessageEvent)>::new(move |event: MessageEvent| {
        let bytes = js_sys::Uint8Array::new(&event.data()).to_vec();
        match protocol::decode::<ToWorker>(&bytes) {
            Ok(message) => {
                let _ = sender.unbounded_send(message);
            }
            Err(e) => post(&FromWorker::Failed {
                message: format!("unreadable message: {e}"),
            }),
        }
    });
    scope().set_onmessage(Some(on_message.as_ref().unchecked_ref()));
    on_message.forget();
    wasm_bindgen_futures::spawn_local(serve(inbox));
    post(&FromWorker::Started);
}
