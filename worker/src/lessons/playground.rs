//! The playground inside the worker: one MLP on 2-D points, its progress and decision boundary,
//! and the run's checkpoints for the page to keep.

use futures::future::LocalBoxFuture;
use kindling_engine::burn::tensor::Device;
use kindling_engine::lessons::playground::messages::{PlaygroundCommand, PlaygroundEvent};
use kindling_engine::lessons::playground::training::{BOUNDARY_RESOLUTION, Trainer};
use kindling_engine::protocol::{FromWorker, ToWorker};
use web_time::Instant;

use super::Lesson;
use super::checkpointing::Checkpointing;
use crate::post;

/// Steps run between two looks at the message queue, at most.
const CHUNK_STEPS: u64 = 50;
/// Milliseconds of training between two looks at the message queue.
const CHUNK_MS: f64 = 40.0;
/// Milliseconds between two progress reports (with the decision boundary) while running.
const REPORT_MS: f64 = 150.0;

fn send(event: PlaygroundEvent) {
    post(&FromWorker::Playground(event));
}

pub struct PlaygroundLesson {
    device: Device,
    trainer: Option<Trainer>,
    running: bool,
    since_report_ms: f64,
    /// By step.
    checkpoints: Checkpointing,
}

impl PlaygroundLesson {
    pub fn new(device: Device) -> Self {
        Self {
            device,
            trainer: None,
            running: false,
            since_report_ms: 0.0,
            checkpoints: Checkpointing::default(),
        }
    }

    /// A new run (fresh, or resumed at step `checkpointed`): its checkpoints start again.
    fn new_run(&mut self, trainer: Trainer, checkpointed: Option<u64>) {
        self.trainer = Some(trainer);
        self.checkpoints.new_run(checkpointed);
    }

    /// Sends the run's checkpoint, unless the page has this step's already or the loss is no
    /// longer a number (the page keeps the last good one); says once when the run's checkpoints
    /// cannot be taken.
    async fn send_checkpoint(&mut self) {
        let run = self
            .trainer
            .as_ref()
            .filter(|trainer| !trainer.diverged())
            .map(|trainer| (trainer.step_count(), trainer.checkpoint()));
        self.checkpoints
            .send(
                run,
                |checkpoint| {
                    send(PlaygroundEvent::Checkpoint {
                        checkpoint: Box::new(checkpoint),
                    })
                },
                |error| send(PlaygroundEvent::NoCheckpoint { error }),
            )
            .await;
    }

    /// The checkpoint owed since training stopped, if any.
    async fn send_due_checkpoint(&mut self) {
        if self.checkpoints.is_due() {
            self.send_checkpoint().await;
        }
    }

    async fn report(&self) {
        if let Some(trainer) = &self.trainer {
            send(PlaygroundEvent::Progress {
                progress: trainer.progress().await,
            });
            send(PlaygroundEvent::Boundary {
                resolution: BOUNDARY_RESOLUTION as u32,
                probabilities: trainer.boundary().await,
            });
        }
    }

    fn set_running(&mut self, running: bool) {
        let running = running && self.trainer.is_some();
        if running != self.running {
            self.running = running;
            send(PlaygroundEvent::Running { running });
            // Training stopped (paused, diverged, another lesson took over): the page keeps where
            // it is, once the caller can wait for the device (`send_due_checkpoint`).
            if !running {
                self.checkpoints.stopped();
            }
        }
    }

    async fn run(&mut self, command: PlaygroundCommand) {
        match command {
            PlaygroundCommand::Load { config } => {
                match Trainer::new(config.clone(), self.device.clone()) {
                    Ok(trainer) => {
                        send(PlaygroundEvent::Loaded {
                            config,
                            split: trainer.split().clone(),
                        });
                        self.new_run(trainer, None);
                        self.set_running(false);
                        self.report().await;
                    }
                    Err(errors) => send(PlaygroundEvent::Rejected { errors }),
                }
            }
            PlaygroundCommand::Resume { id, checkpoint } => {
                match Trainer::resume(&checkpoint, self.device.clone()) {
                    Ok(trainer) => {
                        let step = trainer.step_count();
                        send(PlaygroundEvent::Resumed {
                            id,
                            step,
                            config: trainer.config().clone(),
                            split: trainer.split().clone(),
                        });
                        // The page holds this step's checkpoint already.
                        self.new_run(trainer, Some(step));
                        self.set_running(false);
                        self.report().await;
                    }
                    Err(error) => send(PlaygroundEvent::ResumeFailed { id, error }),
                }
            }
            PlaygroundCommand::Play => self.set_running(true),
            PlaygroundCommand::Pause => {
                // The page's step and curves lag training by up to one report; bring them up to
                // date before saying "paused", so they match the checkpoint the pause sends.
                if self.running {
                    self.report().await;
                }
                self.set_running(false);
            }
            PlaygroundCommand::Step => {
                self.set_running(false);
                if let Some(trainer) = &mut self.trainer {
                    trainer.train_chunk(1, f64::INFINITY).await;
                }
                self.report().await;
                self.stop_if_diverged();
                self.send_checkpoint().await;
            }
            PlaygroundCommand::RollBack => {
                self.set_running(false);
                if let Some(trainer) = &mut self.trainer {
                    trainer.roll_back();
                }
                self.report().await;
                self.send_checkpoint().await;
            }
        }
        self.send_due_checkpoint().await;
    }

    /// Pauses a run whose loss is no longer a number, and says so: more steps cannot help.
    fn stop_if_diverged(&mut self) {
        let Some(trainer) = &self.trainer else { return };
        if trainer.diverged() {
            let (step, good_step) = (trainer.step_count(), trainer.good_step());
            self.set_running(false);
            send(PlaygroundEvent::Diverged { step, good_step });
        }
    }
}

impl Lesson for PlaygroundLesson {
    fn handle(&mut self, message: ToWorker) -> Result<LocalBoxFuture<'_, ()>, ToWorker> {
        match message {
            ToWorker::Playground(command) => Ok(Box::pin(self.run(command))),
            other => Err(other),
        }
    }

    fn running(&self) -> bool {
        self.running
    }

    fn pause(&mut self) {
        self.set_running(false);
    }

    fn paused(&mut self) -> LocalBoxFuture<'_, ()> {
        Box::pin(self.send_due_checkpoint())
    }

    fn tick(&mut self) -> LocalBoxFuture<'_, ()> {
        Box::pin(async move {
            let started = Instant::now();
            if let Some(trainer) = &mut self.trainer {
                trainer.train_chunk(CHUNK_STEPS, CHUNK_MS).await;
            }
            let took_ms = started.elapsed().as_secs_f64() * 1000.0;
            self.since_report_ms += took_ms;
            self.checkpoints.trained(took_ms);
            let diverged = self.trainer.as_ref().is_some_and(Trainer::diverged);
            if self.since_report_ms >= REPORT_MS || diverged {
                self.since_report_ms = 0.0;
                self.report().await;
            }
            self.stop_if_diverged();
            if self.checkpoints.is_due() || self.checkpoints.interval_passed() {
                self.send_checkpoint().await;
            }
        })
    }
}
