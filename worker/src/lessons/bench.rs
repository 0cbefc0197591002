//! The speed benchmark inside the worker: each `Run` is queued, and the queue runs as a training
//! lesson does, so the scheduler pauses any lesson that was training and no training step runs
//! between or inside the timed ones. One workload runs to completion per tick; its result is
//! posted as soon as it is known, and messages are read between workloads. A memory workload
//! runs one sampling interval a tick (`bench/memory.rs`).

mod memory;

use std::collections::VecDeque;

use futures::future::LocalBoxFuture;
use kindling_engine::burn::tensor::Device;
use kindling_engine::lessons::bench::memory::MemoryWorkload;
use kindling_engine::lessons::bench::messages::{Command, Event};
use kindling_engine::lessons::bench::runner;
use kindling_engine::lessons::bench::workload::Workload;
use kindling_engine::protocol::{FromWorker, ToWorker};

use super::Lesson;
use crate::post;
use memory::MemoryRun;

/// Every run starts from the same weights and data, so backends and runs compare like with like.
const SEED: u64 = 1;

fn send(event: Event) {
    post(&FromWorker::Bench(event));
}

enum Queued {
    Timed {
        workload: Workload,
        warmup: u32,
        steps: u32,
    },
    Memory {
        workload: MemoryWorkload,
        steps: u32,
        every: u32,
    },
}

pub struct BenchLesson {
    device: Device,
    queue: VecDeque<Queued>,
    /// The memory workload under way, between ticks.
    memory: Option<MemoryRun>,
}

impl BenchLesson {
    pub fn new(device: Device) -> Self {
        Self {
            device,
            queue: VecDeque::new(),
            memory: None,
        }
    }

    async fn advance_memory(&mut self) {
        let Some(run) = &mut self.memory else { return };
        if let Err(message) = run.advance().await {
            let workload = run.workload();
            self.memory = None;
            send(Event::MemoryFailed { workload, message });
        } else if run.finished()
            && let Some(run) = self.memory.take()
        {
            send(Event::MemoryFinished(run.result()));
        }
    }
}

const STOPPED: &str = "stopped: another lesson started training";

impl Lesson for BenchLesson {
    fn handle(&mut self, message: ToWorker) -> Result<LocalBoxFuture<'_, ()>, ToWorker> {
        match message {
            ToWorker::Bench(Command::Run {
                workload,
                warmup,
                steps,
            }) => {
                self.queue.push_back(Queued::Timed {
                    workload,
                    warmup,
                    steps,
                });
                Ok(Box::pin(async {}))
            }
            ToWorker::Bench(Command::Memory {
                workload,
                steps,
                every,
            }) => {
                self.queue.push_back(Queued::Memory {
                    workload,
                    steps,
                    every,
                });
                Ok(Box::pin(async {}))
            }
            other => Err(other),
        }
    }

    fn running(&self) -> bool {
        !self.queue.is_empty() || self.memory.is_some()
    }

    /// Another lesson started training: what is still queued is not run, and the page hears so.
    fn pause(&mut self) {
        if let Some(run) = self.memory.take() {
            send(Event::MemoryFailed {
                workload: run.workload(),
                message: STOPPED.into(),
            });
        }
        for queued in self.queue.drain(..) {
            send(match queued {
                Queued::Timed { workload, .. } => Event::Failed {
                    workload,
                    message: STOPPED.into(),
                },
                Queued::Memory { workload, .. } => Event::MemoryFailed {
                    workload,
                    message: STOPPED.into(),
                },
            });
        }
    }

    fn tick(&mut self) -> LocalBoxFuture<'_, ()> {
        Box::pin(async move {
            if self.memory.is_some() {
                return self.advance_memory().await;
            }
            match self.queue.pop_front() {
                Some(Queued::Timed {
                    workload,
                    warmup,
                    steps,
                }) => {
                    let result = runner::run(workload, &self.device, SEED, warmup, steps).await;
                    send(Event::Finished(result));
                }
                Some(Queued::Memory {
                    workload,
                    steps,
                    every,
                }) => match MemoryRun::new(workload, steps, every, &self.device, SEED) {
                    Ok(run) => self.memory = Some(run),
                    Err(message) => send(Event::MemoryFailed { workload, message }),
                },
                None => {}
            }
        })
    }
}
