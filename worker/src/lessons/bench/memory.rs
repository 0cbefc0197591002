//! A memory workload inside the worker: a long training run, one sampling interval a tick, with
//! the worker's wasm memory and burn's GPU allocator sampled after each.

use kindling_engine::burn::tensor::Device;
use kindling_engine::common::read::read_scalar;
use kindling_engine::lessons::bench::memory::{MemoryResult, MemorySample, MemoryWorkload};
use kindling_engine::lessons::bench::runner::{BenchRun, gpu_memory};
use kindling_engine::lessons::bench::workload::Workload;
use kindling_engine::lessons::playground::config::PlaygroundConfig;
use kindling_engine::lessons::playground::training::Trainer;
use wasm_bindgen::JsCast;

/// Steps the playground runs between two reports, as its lesson does at most.
const PLAYGROUND_CHUNK: u64 = 50;

enum Stepper {
    /// The playground's default run, reported (evaluation and boundary) after every chunk.
    Playground(Box<Trainer>),
    Cnn(Box<BenchRun>),
}

pub struct MemoryRun {
    workload: MemoryWorkload,
    steps: u32,
    every: u32,
    done: u32,
    device: Device,
    stepper: Stepper,
    samples: Vec<MemorySample>,
}

/// The worker's wasm linear memory in bytes.
fn wasm_bytes() -> u64 {
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let buffer: js_sys::ArrayBuffer = memory.buffer().unchecked_into();
    buffer.byte_length() as u64
}

impl MemoryRun {
    /// A fresh run, seeded; its first sample is taken now, before any step.
    pub fn new(
        workload: MemoryWorkload,
        steps: u32,
        every: u32,
        device: &Device,
        seed: u64,
    ) -> Result<Self, String> {
        let stepper = match workload {
            MemoryWorkload::Playground => {
                device.seed(seed);
                let trainer = Trainer::new(PlaygroundConfig::default(), device.clone())
                    .map_err(|errors| format!("the playground's default settings: {errors:?}"))?;
                Stepper::Playground(Box::new(trainer))
            }
            MemoryWorkload::CnnSmall => {
                Stepper::Cnn(Box::new(BenchRun::new(Workload::CnnSmall, device, seed)))
            }
        };
        let mut run = Self {
            workload,
            steps,
            every: every.max(1),
            done: 0,
            device: device.clone(),
            stepper,
            samples: Vec::new(),
        };
        run.sample();
        Ok(run)
    }

    pub fn workload(&self) -> MemoryWorkload {
        self.workload
    }

    fn sample(&mut self) {
        self.samples.push(MemorySample {
            step: self.done,
            wasm_bytes: wasm_bytes(),
            gpu: gpu_memory(&self.device),
        });
    }

    /// Runs the next interval, each step waited for, then samples.
    pub async fn advance(&mut self) -> Result<(), String> {
        let interval = self.every.min(self.steps - self.done);
        match &mut self.stepper {
            Stepper::Playground(trainer) => {
                let mut left = u64::from(interval);
                while left > 0 {
                    let ran = trainer
                        .train_chunk(left.min(PLAYGROUND_CHUNK), f64::INFINITY)
                        .await;
                    trainer.progress().await;
                    trainer.boundary().await;
                    if ran == 0 {
                        return Err(format!(
                            "the playground stopped training at step {}",
                            trainer.step_count()
                        ));
                    }
                    left = left.saturating_sub(ran);
                }
            }
            Stepper::Cnn(run) => {
                for _ in 0..interval {
                    read_scalar(run.step()).await;
                }
            }
        }
        self.done += interval;
        self.sample();
        Ok(())
    }

    pub fn finished(&self) -> bool {
        self.done >= self.steps
    }

    pub fn result(self) -> MemoryResult {
        MemoryResult {
            workload: self.workload,
            steps: self.steps,
            samples: self.samples,
        }
    }
}
