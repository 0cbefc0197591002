//! The speed benchmark inside the worker: each `Run` is queued, and the queue runs as a training
//! lesson does, so the scheduler pauses any lesson that was training and no training step runs
//! between or inside the timed ones. One workload runs to completion per tick; its result is
//! posted as soon as it is known, and messages are read between workloads.

use std::collections::VecDeque;

use futures::future::LocalBoxFuture;
use kindling_engine::burn::tensor::Device;
use kindling_engine::lessons::bench::messages::{Command, Event};
use kindling_engine::lessons::bench::runner;
use kindling_engine::lessons::bench::workload::Workload;
use kindling_engine::protocol::{FromWorker, ToWorker};

use super::Lesson;
use crate::post;

/// Every run starts from the same weights and data, so backends and runs compare like with like.
const SEED: u64 = 1;

fn send(event: Event) {
    post(&FromWorker::Bench(event));
}

struct Queued {
    workload: Workload,
    warmup: u32,
    steps: u32,
}

pub struct BenchLesson {
    device: Device,
    queue: VecDeque<Queued>,
}

impl BenchLesson {
    pub fn new(device: Device) -> Self {
        Self {
            device,
            queue: VecDeque::new(),
        }
    }
}

impl Lesson for BenchLesson {
    fn handle(&mut self, message: ToWorker) -> Result<LocalBoxFuture<'_, ()>, ToWorker> {
        match message {
            ToWorker::Bench(Command::Run {
                workload,
                warmup,
                steps,
            }) => {
                self.queue.push_back(Queued {
                    workload,
                    warmup,
                    steps,
                });
                Ok(Box::pin(async {}))
            }
            other => Err(other),
        }
    }

    fn running(&self) -> bool {
        !self.queue.is_empty()
    }

    /// Another lesson started training: what is still queued is not run, and the page hears so.
    fn pause(&mut self) {
        for queued in self.queue.drain(..) {
            send(Event::Failed {
                workload: queued.workload,
                message: "stopped: another lesson started training".into(),
            });
        }
    }

    fn tick(&mut self) -> LocalBoxFuture<'_, ()> {
        Box::pin(async move {
            let Some(next) = self.queue.pop_front() else {
                return;
            };
            let result =
                runner::run(next.workload, &self.device, SEED, next.warmup, next.steps).await;
            send(Event::Finished(result));
        })
    }
}
