//! The automatic backend choice by measurement: a few training steps of the benchmark's small CNN
//! (workload A) on the CPU, then on WebGPU, time-boxed to one second in all. Each backend has a
//! share of that second; one whose first step (shaders compiled, buffers allocated) is not done
//! by the end of its share loses.

use futures::future::{Either, select};
use kindling_engine::burn::tensor::Device;
use kindling_engine::lessons::bench::runner::BenchRun;
use kindling_engine::lessons::bench::workload::median;
use kindling_engine::protocol::Calibration;
use web_time::{Duration, Instant};

use crate::sleep;

/// The whole calibration's budget.
const TOTAL: Duration = Duration::from_millis(1000);
/// The CPU's share, measured first (it compiles nothing); WebGPU has the rest.
const CPU_SHARE: Duration = Duration::from_millis(400);
/// Timed steps after the first, at most.
const STEPS: usize = 4;
const SEED: u64 = 1;

/// Measures `cpu` and `webgpu` (both with autodiff) and picks the faster one for `adapter`.
pub async fn run(adapter: String, cpu: &Device, webgpu: &Device) -> Calibration {
    let started = Instant::now();
    let cpu_ms = measure(cpu, started + CPU_SHARE).await;
    let webgpu_ms = measure(webgpu, started + TOTAL).await;
    Calibration::new(adapter, cpu_ms, webgpu_ms)
}

/// Milliseconds a step on `device` (the median of the steps after the first, or the first when
/// no other fits), or `None` when the first step is not done by `deadline`.
async fn measure(device: &Device, deadline: Instant) -> Option<f64> {
    let mut bench = BenchRun::without_device_randomness(device, SEED);
    let first = before(deadline, bench.timed_step()).await?;
    let mut steps = Vec::new();
    let mut last = first;
    while steps.len() < STEPS && Instant::now() + Duration::from_secs_f64(last / 1000.0) < deadline
    {
        let Some(ms) = before(deadline, bench.timed_step()).await else {
            break;
        };
        steps.push(ms);
        last = ms;
    }
    Some(if steps.is_empty() {
        first
    } else {
        median(&steps)
    })
}

/// The step's milliseconds if it is done by `deadline`. A step that computes synchronously (the
/// CPU) cannot be interrupted, so its end is checked too.
async fn before(deadline: Instant, step: impl Future<Output = (f64, f32)>) -> Option<f64> {
    let left = deadline.saturating_duration_since(Instant::now());
    let timer = sleep(left.as_millis().min(i32::MAX as u128) as i32);
    let done = match select(Box::pin(step), Box::pin(timer)).await {
        Either::Left(((ms, _), _)) => ms,
        Either::Right(_) => return None,
    };
    (Instant::now() <= deadline).then_some(done)
}
