//! The CNN lesson inside the worker: MNIST, the trainer, its evaluations and what the page looks
//! at (feature maps, predictions of drawings, saved models).

use std::sync::Arc;

use futures::future::LocalBoxFuture;
use kindling_engine::burn::tensor::Device;
use kindling_engine::common::resume::ResumeError;
use kindling_engine::datasets::mnist::Images;
use kindling_engine::lessons::cnn::checkpoint;
use kindling_engine::lessons::cnn::messages::{CnnCommand, CnnEvent, Inspection};
use kindling_engine::lessons::cnn::resume::CHECKPOINT_EVERY_MS;
use kindling_engine::lessons::cnn::training::CnnTrainer;
use kindling_engine::protocol::{FromWorker, ToWorker};
use web_time::Instant;

use super::Lesson;
use crate::{mnist, post};

/// Milliseconds of training between two looks at the message queue.
const CHUNK_MS: f64 = 150.0;
const CHUNK_STEPS: u64 = 200;
/// Milliseconds between two progress reports while running.
const REPORT_MS: f64 = 500.0;
/// Progress reports between two inspections of the chosen test image.
const REPORTS_PER_INSPECTION: u32 = 3;
/// Test images in a quick evaluation (the live accuracy curve).
const QUICK_EVAL_IMAGES: usize = 1_000;
/// Quick evaluations per epoch.
const QUICK_EVALS_PER_EPOCH: u64 = 10;

fn send(event: CnnEvent) {
    post(&FromWorker::Cnn(event));
}

enum Data {
    Missing,
    Ready {
        train: Arc<Images>,
        test: Arc<Images>,
    },
    /// The last attempt failed; the next command that needs data tries again.
    Failed,
}

pub struct CnnLesson {
    device: Device,
    data: Data,
    trainer: Option<CnnTrainer>,
    running: bool,
    inspect: usize,
    next_quick_eval: u64,
    last_full_accuracy: Option<f32>,
    since_report_ms: f64,
    reports: u32,
    since_checkpoint_ms: f64,
    /// The step of the last checkpoint sent for this run.
    checkpointed: Option<u64>,
    /// This run's checkpoints cannot be taken, and the page has been told.
    no_checkpoints: bool,
}

impl CnnLesson {
    pub fn new(device: Device) -> Self {
        Self {
            device,
            data: Data::Missing,
            trainer: None,
            running: false,
            inspect: 0,
            next_quick_eval: 0,
            last_full_accuracy: None,
            since_report_ms: 0.0,
            reports: 0,
            since_checkpoint_ms: 0.0,
            checkpointed: None,
            no_checkpoints: false,
        }
    }

    fn set_running(&mut self, running: bool) {
        let running = running && self.trainer.as_ref().is_some_and(|t| !t.is_finished());
        if running != self.running {
            self.running = running;
            send(CnnEvent::Running { running });
        }
    }

    /// Loads MNIST unless it is loaded; a failed load is tried again.
    async fn ensure_data(&mut self) -> Option<(Arc<Images>, Arc<Images>)> {
        if let Data::Ready { train, test } = &self.data {
            return Some((train.clone(), test.clone()));
        }
        let mut last_sent = 0;
        let loaded = mnist::load(|loaded, total| {
            // About every 2 % (and the first and last), not for every network chunk.
            if loaded == 0 || loaded == total || loaded - last_sent >= total / 50 {
                last_sent = loaded;
                send(CnnEvent::DataProgress { loaded, total });
            }
        })
        .await;
        match loaded {
            Ok((train, test)) => {
                send(CnnEvent::DataReady {
                    train: train.len(),
                    test: test.len(),
                });
                let (train, test) = (Arc::new(train), Arc::new(test));
                self.data = Data::Ready {
                    train: train.clone(),
                    test: test.clone(),
                };
                Some((train, test))
            }
            Err(error) => {
                send(CnnEvent::DataFailed { error });
                self.data = Data::Failed;
                None
            }
        }
    }

    /// Makes `trainer` the current run and tells the page everything about it.
    async fn adopt(&mut self, trainer: CnnTrainer, card: Option<checkpoint::ModelCard>) {
        self.set_running(false);
        self.next_quick_eval = trainer.step_count();
        self.last_full_accuracy = card.as_ref().and_then(|c| c.test_accuracy);
        send(CnnEvent::Loaded {
            settings: trainer.settings().clone(),
            layers: trainer.layers().to_vec(),
            steps_per_epoch: trainer.steps_per_epoch(),
            card,
        });
        self.trainer = Some(trainer);
        self.checkpointed = None;
        self.no_checkpoints = false;
        self.since_checkpoint_ms = 0.0;
        self.report(true).await;
        self.quick_evaluation().await;
        // An imported model is worth keeping before it trains.
        self.send_checkpoint().await;
    }

    /// Sends the run's checkpoint, unless the page already has the one of this step; says once
    /// when the run's checkpoints cannot be taken.
    async fn send_checkpoint(&mut self) {
        self.since_checkpoint_ms = 0.0;
        let Some(trainer) = &self.trainer else { return };
        let step = trainer.step_count();
        // A diverged run's weights are not worth keeping: the page keeps the last good one.
        let diverged = trainer.diverged().is_some();
        if step == 0 || diverged || self.checkpointed == Some(step) || self.no_checkpoints {
            return;
        }
        match trainer.checkpoint(self.last_full_accuracy).await {
            Ok(checkpoint) => {
                send(CnnEvent::Checkpoint { checkpoint });
                self.checkpointed = Some(step);
            }
            // Blown up after the last loss read: see `Checkpointing::send`.
            Err(ResumeError::NotNumbers) => {}
            Err(error) => {
                send(CnnEvent::NoCheckpoint { error });
                self.no_checkpoints = true;
            }
        }
    }

    async fn run(&mut self, command: CnnCommand) {
        match command {
            CnnCommand::LoadData => {
                self.ensure_data().await;
            }
            CnnCommand::Load { settings } => {
                let Some((train, test)) = self.ensure_data().await else {
                    return;
                };
                match CnnTrainer::new(settings, train, test, self.device.clone()) {
                    Ok(trainer) => self.adopt(trainer, None).await,
                    Err(problems) => send(CnnEvent::Rejected { problems }),
                }
            }
            CnnCommand::Play => self.set_running(true),
            CnnCommand::Pause => {
                self.set_running(false);
                // The page shows the step it paused at, which is the checkpoint's.
                self.report(false).await;
                self.send_checkpoint().await;
            }
            CnnCommand::Step => {
                self.set_running(false);
                if let Some(trainer) = &mut self.trainer {
                    let epoch = trainer.epoch();
                    trainer.train_chunk(1, f64::INFINITY).await;
                    if trainer.epoch() > epoch {
                        self.full_evaluation().await;
                    }
                }
                self.report(true).await;
                if !self.stop_if_diverged() {
                    self.send_checkpoint().await;
                }
            }
            CnnCommand::RollBack => {
                self.set_running(false);
                if let Some(trainer) = &mut self.trainer {
                    trainer.roll_back();
                    self.next_quick_eval = trainer.step_count();
                }
                self.report(true).await;
                self.quick_evaluation().await;
                self.send_checkpoint().await;
            }
            CnnCommand::Evaluate => self.full_evaluation().await,
            CnnCommand::Inspect { test_index } => {
                self.inspect = test_index;
                self.inspection().await;
            }
            CnnCommand::Predict { id, pixels } => {
                let probabilities = match &self.trainer {
                    Some(trainer) => trainer.predict(&pixels).await,
                    None => Vec::new(),
                };
                send(CnnEvent::Predicted { id, probabilities });
            }
            CnnCommand::Export => {
                if let Some(trainer) = &self.trainer {
                    let bytes = trainer.export(self.last_full_accuracy).await;
                    match checkpoint::read_card(&bytes) {
                        Ok(card) => send(CnnEvent::Exported { bytes, card }),
                        Err(error) => send(CnnEvent::ImportFailed { error }),
                    }
                }
            }
            CnnCommand::Import { bytes } => {
                let Some((train, test)) = self.ensure_data().await else {
                    return;
                };
                match CnnTrainer::from_checkpoint(&bytes, train, test, self.device.clone()) {
                    Ok((trainer, card)) => self.adopt(trainer, Some(card)).await,
                    Err(error) => send(CnnEvent::ImportFailed { error }),
                }
            }
            CnnCommand::Resume { checkpoint } => {
                let Some((train, test)) = self.ensure_data().await else {
                    return;
                };
                match CnnTrainer::resume(&checkpoint, train, test, self.device.clone()) {
                    Ok(trainer) => {
                        self.set_running(false);
                        let step = trainer.step_count();
                        send(CnnEvent::Resumed {
                            settings: trainer.settings().clone(),
                            layers: trainer.layers().to_vec(),
                            steps_per_epoch: trainer.steps_per_epoch(),
                            step,
                        });
                        self.next_quick_eval = step;
                        self.last_full_accuracy = checkpoint.test_accuracy;
                        self.trainer = Some(trainer);
                        // The page holds this step's checkpoint already.
                        self.checkpointed = Some(step);
                        self.no_checkpoints = false;
                        self.since_checkpoint_ms = 0.0;
                        self.report(true).await;
                        self.quick_evaluation().await;
                    }
                    Err(error) => send(CnnEvent::ResumeFailed { error }),
                }
            }
        }
    }

    /// Trains for a moment, evaluating at the end of each epoch and now and then on part of the
    /// test set, and reports.
    async fn train(&mut self) {
        let Some(trainer) = &mut self.trainer else {
            self.set_running(false);
            return;
        };
        let started = Instant::now();
        let epoch = trainer.epoch();
        trainer.train_chunk(CHUNK_STEPS, CHUNK_MS).await;
        let (step, finished, new_epoch) = (
            trainer.step_count(),
            trainer.is_finished(),
            trainer.epoch() > epoch,
        );
        let took_ms = started.elapsed().as_secs_f64() * 1000.0;
        self.since_report_ms += took_ms;
        self.since_checkpoint_ms += took_ms;
        if self.stop_if_diverged() {
            self.since_report_ms = 0.0;
            self.report(false).await;
            return;
        }
        if new_epoch {
            self.full_evaluation().await;
        } else if step >= self.next_quick_eval {
            self.quick_evaluation().await;
        }
        if finished {
            self.set_running(false);
        }
        if finished || self.since_report_ms >= REPORT_MS {
            self.since_report_ms = 0.0;
            self.reports += 1;
            self.report(finished || self.reports.is_multiple_of(REPORTS_PER_INSPECTION))
                .await;
        }
        if finished || self.since_checkpoint_ms >= CHECKPOINT_EVERY_MS {
            self.send_checkpoint().await;
        }
    }

    /// Pauses a run whose loss is no longer a number, and says so: more steps cannot help.
    /// Whether it had diverged.
    fn stop_if_diverged(&mut self) -> bool {
        let Some(trainer) = &self.trainer else {
            return false;
        };
        let Some(step) = trainer.diverged() else {
            return false;
        };
        let good_step = trainer.good_step();
        self.set_running(false);
        send(CnnEvent::Diverged { step, good_step });
        true
    }

    async fn report(&self, inspect: bool) {
        if let Some(trainer) = &self.trainer {
            send(CnnEvent::Progress {
                progress: trainer.progress(),
            });
            if inspect {
                self.inspection().await;
            }
        }
    }

    async fn quick_evaluation(&mut self) {
        let Some(trainer) = &self.trainer else { return };
        let evaluation = trainer.evaluate(Some(QUICK_EVAL_IMAGES)).await;
        let step = trainer.step_count();
        self.next_quick_eval = step + (trainer.steps_per_epoch() / QUICK_EVALS_PER_EPOCH).max(1);
        send(CnnEvent::Evaluated {
            step,
            full: false,
            evaluation,
            gallery: Vec::new(),
        });
    }

    async fn full_evaluation(&mut self) {
        let Some(trainer) = &self.trainer else { return };
        let evaluation = trainer.evaluate(None).await;
        let test = trainer.test_set();
        let gallery = evaluation
            .misclassified
            .iter()
            .flat_map(|&(index, _, _)| test.image(index).to_vec())
            .collect();
        self.last_full_accuracy = Some(evaluation.accuracy);
        let step = trainer.step_count();
        self.next_quick_eval = step + (trainer.steps_per_epoch() / QUICK_EVALS_PER_EPOCH).max(1);
        send(CnnEvent::Evaluated {
            step,
            full: true,
            evaluation,
            gallery,
        });
    }

    async fn inspection(&self) {
        let Some(trainer) = &self.trainer else { return };
        let test = trainer.test_set();
        let test_index = self.inspect.min(test.len().saturating_sub(1));
        if test.is_empty() {
            return;
        }
        let image = test.image(test_index).to_vec();
        let pixels: Vec<f32> = image.iter().map(|&p| p as f32 / 255.0).collect();
        send(CnnEvent::Inspected {
            inspection: Inspection {
                test_index,
                label: test.labels[test_index],
                probabilities: trainer.predict(&pixels).await,
                filters: trainer.first_layer_filters().await,
                maps: trainer.feature_maps(&pixels).await,
                image,
            },
        });
    }
}

impl Lesson for CnnLesson {
    fn handle(&mut self, message: ToWorker) -> Result<LocalBoxFuture<'_, ()>, ToWorker> {
        match message {
            ToWorker::Cnn(command) => Ok(Box::pin(self.run(command))),
            other => Err(other),
        }
    }

    fn running(&self) -> bool {
        self.running
    }

    fn pause(&mut self) {
        self.set_running(false);
    }

    fn tick(&mut self) -> LocalBoxFuture<'_, ()> {
        Box::pin(self.train())
    }
}
