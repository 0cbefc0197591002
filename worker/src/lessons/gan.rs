//! The GAN lesson inside the worker: the 2-D toy's two networks, trained in time-boxed chunks,
//! and the view the page draws after each report, and the run's checkpoints for the page to keep;
//! the digits in `gan/digits.rs`. One of the two trains at a time.

mod digits;

use futures::future::LocalBoxFuture;
use kindling_engine::burn::tensor::Device;
use kindling_engine::lessons::gan::messages::{
    DigitCommand, GanCommand, GanEvent, ToyCommand, ToyEvent,
};
use kindling_engine::lessons::gan::targets::modes;
use kindling_engine::lessons::gan::training::ToyTrainer;
use kindling_engine::protocol::{FromWorker, ToWorker};
use web_time::Instant;

use super::Lesson;
use super::checkpointing::Checkpointing;
use crate::{post, sleep};
use digits::Digits;

/// Iterations between two looks at the message queue, at most.
const CHUNK_ITERATIONS: u64 = 100;
/// Milliseconds of training between two looks at the message queue.
const CHUNK_MS: f64 = 40.0;
/// Milliseconds between two views while running.
const REPORT_MS: f64 = 200.0;
/// In slow motion: one iteration, its view, then this pause.
const SLOW_PAUSE_MS: i32 = 250;

fn send(event: ToyEvent) {
    post(&FromWorker::Gan(GanEvent::Toy(event)));
}

pub struct GanLesson {
    device: Device,
    digits: Digits,
    toy: Option<ToyTrainer>,
    running: bool,
    slow: bool,
    since_report_ms: f64,
    /// By the updates, D's and G's: single D or G steps count, not only iterations.
    checkpoints: Checkpointing,
}

impl GanLesson {
    pub fn new(device: Device) -> Self {
        Self {
            digits: Digits::new(device.clone()),
            device,
            toy: None,
            running: false,
            slow: false,
            since_report_ms: 0.0,
            checkpoints: Checkpointing::default(),
        }
    }

    /// A new run (fresh, or resumed at `checkpointed` updates): its checkpoints start again.
    fn new_run(&mut self, trainer: ToyTrainer, checkpointed: Option<u64>) {
        self.toy = Some(trainer);
        self.checkpoints.new_run(checkpointed);
    }

    /// Sends the run's checkpoint, unless the page already has the one of these updates or a
    /// loss is no longer a number (the page keeps the last good one); says once when the run's
    /// checkpoints cannot be taken.
    async fn send_checkpoint(&mut self) {
        let run = self
            .toy
            .as_ref()
            .filter(|toy| !toy.diverged())
            .map(|toy| (toy.updates(), toy.checkpoint()));
        self.checkpoints
            .send(
                run,
                |checkpoint| {
                    send(ToyEvent::Checkpoint {
                        checkpoint: Box::new(checkpoint),
                    })
                },
                |error| send(ToyEvent::NoCheckpoint { error }),
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
        if let Some(toy) = &self.toy {
            send(ToyEvent::View {
                view: Box::new(toy.view().await),
            });
        }
    }

    fn set_running(&mut self, running: bool) {
        let running = running && self.toy.is_some();
        if running != self.running {
            self.running = running;
            send(ToyEvent::Running { running });
            // Training stopped (paused, diverged, or another run took over): the page keeps where
            // it is, once the caller can wait for the device (`send_due_checkpoint`).
            if !running {
                self.checkpoints.stopped();
            }
        }
    }

    async fn toy(&mut self, command: ToyCommand) {
        match command {
            ToyCommand::Load { settings } => {
                let settings = *settings;
                match ToyTrainer::new(settings.clone(), self.device.clone()) {
                    Ok(trainer) => {
                        send(ToyEvent::Loaded {
                            real: trainer.real_view().to_vec(),
                            modes: modes(settings.target),
                            settings,
                        });
                        self.new_run(trainer, None);
                        self.set_running(false);
                        self.report().await;
                    }
                    Err(errors) => send(ToyEvent::Rejected { errors }),
                }
            }
            ToyCommand::Play { slow } => {
                self.slow = slow;
                self.digits.set_running(false);
                self.set_running(true);
            }
            ToyCommand::Pause => {
                // The page's counts and view lag training by up to one report; bring them up
                // to date before saying "paused", or the next step seems to train many times.
                if self.running {
                    self.report().await;
                }
                self.set_running(false);
            }
            ToyCommand::Step { part } => {
                self.set_running(false);
                if let Some(toy) = &mut self.toy {
                    toy.step(part).await;
                }
                self.report().await;
                self.stop_if_diverged();
                self.send_checkpoint().await;
            }
            ToyCommand::RollBack => {
                self.set_running(false);
                if let Some(toy) = &mut self.toy {
                    toy.roll_back();
                }
                self.report().await;
                self.send_checkpoint().await;
            }
            ToyCommand::Resume { checkpoint } => {
                match ToyTrainer::resume(&checkpoint, self.device.clone()) {
                    Ok(trainer) => {
                        send(ToyEvent::Resumed {
                            real: trainer.real_view().to_vec(),
                            modes: modes(checkpoint.settings.target),
                            iterations: trainer.iterations(),
                            updates: trainer.updates(),
                        });
                        // The page holds these updates' checkpoint already.
                        let updates = trainer.updates();
                        self.new_run(trainer, Some(updates));
                        self.set_running(false);
                        self.report().await;
                    }
                    Err(error) => send(ToyEvent::ResumeFailed { error }),
                }
            }
        }
        self.send_due_checkpoint().await;
    }

    /// Pauses a run whose loss is no longer a number, and says so: more steps cannot help.
    fn stop_if_diverged(&mut self) {
        let Some(toy) = &self.toy else { return };
        if toy.diverged() {
            let (iterations, good_iterations) = (toy.iterations(), toy.good_iterations());
            self.set_running(false);
            send(ToyEvent::Diverged {
                iterations,
                good_iterations,
            });
        }
    }
}

impl Lesson for GanLesson {
    fn handle(&mut self, message: ToWorker) -> Result<LocalBoxFuture<'_, ()>, ToWorker> {
        match message {
            ToWorker::Gan(GanCommand::Toy(command)) => Ok(Box::pin(self.toy(command))),
            ToWorker::Gan(GanCommand::Digits(command)) => Ok(Box::pin(async move {
                let play = command == DigitCommand::Play;
                self.digits.handle(command).await;
                if play {
                    self.set_running(false);
                    self.send_due_checkpoint().await;
                }
            })),
            other => Err(other),
        }
    }

    fn running(&self) -> bool {
        self.running || self.digits.running
    }

    fn pause(&mut self) {
        self.set_running(false);
        self.digits.set_running(false);
    }

    fn paused(&mut self) -> LocalBoxFuture<'_, ()> {
        Box::pin(async move {
            self.send_due_checkpoint().await;
            self.digits.send_checkpoint().await;
        })
    }

    fn tick(&mut self) -> LocalBoxFuture<'_, ()> {
        Box::pin(async move {
            if self.digits.running {
                self.digits.tick().await;
                return;
            }
            let started = Instant::now();
            let Some(toy) = &mut self.toy else { return };
            if self.slow {
                toy.train_chunk(1, f64::INFINITY).await;
                self.report().await;
                self.checkpoints
                    .trained(started.elapsed().as_secs_f64() * 1000.0);
                self.stop_if_diverged();
                if self.checkpoints.is_due() || self.checkpoints.interval_passed() {
                    self.send_checkpoint().await;
                }
                if self.running {
                    sleep(SLOW_PAUSE_MS).await;
                }
                return;
            }
            toy.train_chunk(CHUNK_ITERATIONS, CHUNK_MS).await;
            let took_ms = started.elapsed().as_secs_f64() * 1000.0;
            self.since_report_ms += took_ms;
            self.checkpoints.trained(took_ms);
            let diverged = self.toy.as_ref().is_some_and(ToyTrainer::diverged);
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
