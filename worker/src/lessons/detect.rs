//! The detection project inside the worker: the shipped `mnist-resnet` backbone and MNIST, a
//! detector trained on generated 64 × 64 canvases in time-boxed chunks, its scores, test canvases
//! with their true and predicted boxes, and the learner's drawn canvas through it.

use std::sync::Arc;

use futures::future::LocalBoxFuture;
use js_sys::Uint8Array;
use kindling_engine::burn::tensor::Device;
use kindling_engine::common::model_file;
use kindling_engine::datasets::mnist::Images;
use kindling_engine::lessons::detect::boxes::iou;
use kindling_engine::lessons::detect::card::{DetectCard, MapScore};
use kindling_engine::lessons::detect::centre_training::{self, CentreRun};
use kindling_engine::lessons::detect::config::{DetectEvaluation, DetectSettings};
use kindling_engine::lessons::detect::data::{self, CANVAS, Level};
use kindling_engine::lessons::detect::file::{self, LoadedDetector};
use kindling_engine::lessons::detect::messages::{
    DetectCommand, DetectEvent, ShownCanvas, ShownMany,
};
use kindling_engine::lessons::detect::model::parameter_counts;
use kindling_engine::lessons::detect::resume::DetectCheckpoint;
use kindling_engine::lessons::detect::training::{DetectRun, TEST_SEED, detect_drawn_looking};
use kindling_engine::models::resnet::ResnetSettings;
use kindling_engine::models::resnet::checkpoint;
use kindling_engine::models::resnet::model::Resnet;
use kindling_engine::protocol::{FromWorker, ToWorker};
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;

use super::Lesson;
use super::checkpointing::Checkpointing;
use crate::{mnist, post, scope};

mod run;

use run::{DetectorRun, DivergingRun, train_a_moment};

/// The shipped backbone, trained on all ten digits.
const BACKBONE: &str = "static/models/mnist-resnet.safetensors";
/// The shipped detector, trained natively by `kindling pretrain mnist-detector`.
const SHIPPED: &str = "static/models/mnist-detector.safetensors";
/// Test canvases scored while training (about five times a run) and at its end.
const LIVE_EVAL: usize = 50;
const FINAL_EVAL: usize = 200;
/// The most test canvases one `Show` returns.
const MAX_SHOWN: usize = 24;

fn send(event: DetectEvent) {
    post(&FromWorker::Detect(event));
}

fn keep(checkpoint: DetectCheckpoint) {
    send(DetectEvent::Checkpoint {
        checkpoint: Box::new(checkpoint),
    });
}

fn refused(error: kindling_engine::common::resume::ResumeError) {
    send(DetectEvent::NoCheckpoint { error });
}

struct Backbone {
    model: Resnet,
    settings: ResnetSettings,
}

pub struct DetectLesson {
    device: Device,
    backbone: Option<Backbone>,
    /// MNIST's (train, test) digits, which the canvases are made of.
    digits: Option<(Arc<Images>, Arc<Images>)>,
    run: Option<DetectRun>,
    /// The multi-digit (level two) run, when that level is the one trained; `run` is None then.
    many: Option<CentreRun>,
    running: bool,
    /// Wall time spent training the run so far.
    trained_ms: f64,
    /// The step of the next live score.
    next_eval: u64,
    /// The card of a detector loaded from a file, saved again as it came.
    origin: Option<DetectCard>,
    /// The trained run's final score, for its card.
    final_eval: Option<DetectEvaluation>,
    /// The trained multi-digit run's final mAP@0.5, for its card.
    final_map: Option<MapScore>,
    /// By the steps the detector has had.
    checkpoints: Checkpointing,
}

/// The whole file at `path` on the site.
async fn fetch_bytes(path: &str) -> Result<Vec<u8>, String> {
    let response: Response = JsFuture::from(scope().fetch_with_str(path))
        .await
        .map_err(|e| format!("{path}: {e:?}"))?
        .unchecked_into();
    if !response.ok() {
        return Err(format!("{path}: HTTP {}", response.status()));
    }
    let buffer = response.array_buffer().map_err(|e| format!("{e:?}"))?;
    let buffer = JsFuture::from(buffer)
        .await
        .map_err(|e| format!("{path}: {e:?}"))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

impl DetectLesson {
    pub fn new(device: Device) -> Self {
        Self {
            device,
            backbone: None,
            digits: None,
            run: None,
            many: None,
            running: false,
            trained_ms: 0.0,
            next_eval: 0,
            origin: None,
            final_eval: None,
            final_map: None,
            checkpoints: Checkpointing::default(),
        }
    }

    /// Sends the run's checkpoint once it has trained, unless the page has this step's already;
    /// says once when the run's checkpoints cannot be taken.
    async fn send_checkpoint(&mut self) {
        let elapsed_ms = self.trained_ms;
        // A run that has not trained yet (a loaded detector) holds nothing to keep.
        let progress = |done: u64, first: u64| if done > first { done } else { 0 };
        match (&self.run, &self.many) {
            // A diverged run's weights are not worth keeping: the page keeps the last good one.
            (Some(run), _) if run.diverged().is_some() => {
                let none: Option<(u64, std::future::Ready<_>)> = None;
                self.checkpoints.send(none, keep, refused).await
            }
            (_, Some(run)) if run.diverged().is_some() => {
                let none: Option<(u64, std::future::Ready<_>)> = None;
                self.checkpoints.send(none, keep, refused).await
            }
            (Some(run), _) => {
                let held = (
                    progress(run.steps_done(), run.first_step()),
                    run.checkpoint(elapsed_ms),
                );
                self.checkpoints.send(Some(held), keep, refused).await
            }
            (_, Some(run)) => {
                let held = (
                    progress(run.steps_done(), run.first_step()),
                    run.checkpoint(elapsed_ms),
                );
                self.checkpoints.send(Some(held), keep, refused).await
            }
            _ => {}
        }
    }

    /// The checkpoint owed since training stopped, if any.
    async fn send_due_checkpoint(&mut self) {
        if self.checkpoints.is_due() {
            self.send_checkpoint().await;
        }
    }

    /// Goes on from `checkpoint`, paused where it was taken; a finished run is scored again.
    async fn resume(&mut self, checkpoint: DetectCheckpoint) {
        self.set_running(false);
        if !self.prepare().await {
            return;
        }
        let (Some(backbone), Some((train, test))) = (&self.backbone, &self.digits) else {
            return;
        };
        let (model, features) = (&backbone.model, backbone.settings.feature_channels());
        let (train, test, device) = (train.clone(), test.clone(), self.device.clone());
        let resumed = match checkpoint.level {
            Level::One => {
                DetectRun::resume(&checkpoint, model, features, train, test, device).map(|run| {
                    let shown = (run.next_live_score(), run.end_step(), run.counts());
                    self.many = None;
                    self.run = Some(run);
                    shown
                })
            }
            Level::Many => CentreRun::resume(&checkpoint, model, features, train, test, device)
                .map(|run| {
                    let shown = (run.next_live_score(), run.end_step(), run.counts());
                    self.run = None;
                    self.many = Some(run);
                    shown
                }),
        };
        match resumed {
            Ok((next_eval, steps, (trained, frozen))) => {
                self.trained_ms = checkpoint.elapsed_ms;
                self.next_eval = next_eval;
                self.origin = None;
                self.final_eval = None;
                self.final_map = None;
                // The page holds this step's checkpoint already.
                self.checkpoints.new_run(Some(checkpoint.step));
                send(DetectEvent::Resumed {
                    step: checkpoint.step,
                    steps,
                    trained,
                    frozen,
                });
                if steps == checkpoint.step {
                    self.score_final().await;
                }
            }
            Err(error) => send(DetectEvent::ResumeFailed { error }),
        }
    }

    /// Replaces the detector with the one in `bytes`, or says why not (the detector stays).
    async fn install(&mut self, bytes: &[u8], shipped: bool) {
        if !self.prepare().await {
            return;
        }
        let Some((train, test)) = self.digits.clone() else {
            return;
        };
        let (model, card) = match file::load_any(bytes, &self.device) {
            Ok(loaded) => loaded,
            Err(error) => return send(DetectEvent::FileRefused { error }),
        };
        self.set_running(false);
        self.run = None;
        self.many = None;
        self.checkpoints.new_run(None);
        self.trained_ms = card.training_seconds.unwrap_or(0.0) * 1000.0;
        self.final_eval = card.evaluation;
        self.final_map = card.map;
        self.origin = Some(card.clone());
        let (settings, steps) = (card.settings.clone(), card.steps);
        let device = self.device.clone();
        let (trained, frozen) = match model {
            LoadedDetector::One(model) => {
                let run = DetectRun::loaded(model, settings, steps, train, test, device);
                let counts = parameter_counts(run.model());
                self.run = Some(run);
                counts
            }
            LoadedDetector::Many(model) => {
                let run = CentreRun::loaded(model, settings, steps, train, test, device);
                let counts = parameter_counts(run.model());
                self.many = Some(run);
                counts
            }
        };
        send(DetectEvent::ModelLoaded {
            card: Box::new(card),
            shipped,
            trained,
            frozen,
        });
        // Scored here as a trained run is, so the page shows it alike.
        if let Some(run) = &self.run {
            let evaluation = run.evaluate(FINAL_EVAL).await;
            send(DetectEvent::Finished {
                evaluation,
                elapsed_ms: self.trained_ms,
            });
        } else if let Some(run) = &self.many {
            let report = run.evaluate(FINAL_EVAL).await.summarised();
            send(DetectEvent::ManyFinished {
                report,
                elapsed_ms: self.trained_ms,
            });
        }
    }

    /// The detector as a model file: a loaded one with its card as it came, a trained one with a
    /// card of its settings, steps, final score and training time.
    async fn export(&self) {
        let Some(backbone) = &self.backbone else {
            return;
        };
        let saved = if let Some(run) = &self.run {
            let card = self.origin.clone().unwrap_or_else(|| {
                let mut card =
                    DetectCard::new(run.settings().clone(), backbone.settings.clone(), TEST_SEED);
                card.steps = run.steps_done();
                card.evaluation = self.final_eval;
                card.training_seconds = Some((self.trained_ms / 1000.0).round());
                card
            });
            file::save(run.model(), card).await
        } else if let Some(run) = &self.many {
            let card = self.origin.clone().unwrap_or_else(|| {
                let mut card = DetectCard::at_level(
                    Level::Many,
                    run.settings().clone(),
                    backbone.settings.clone(),
                    TEST_SEED,
                );
                card.steps = run.steps_done();
                card.map = self.final_map;
                card.training_seconds = Some((self.trained_ms / 1000.0).round());
                card
            });
            file::save_many(run.model(), card).await
        } else {
            return;
        };
        match saved {
            Ok(bytes) => {
                // The card with its parameter list and checksum, as the file holds it.
                match model_file::decode::<DetectCard>(&bytes) {
                    Ok((card, _)) => send(DetectEvent::Exported {
                        bytes,
                        card: Box::new(card),
                    }),
                    Err(error) => send(DetectEvent::FileRefused { error }),
                }
            }
            Err(error) => send(DetectEvent::FileRefused { error }),
        }
    }

    fn set_running(&mut self, running: bool) {
        let running = running
            && (self.run.as_ref().is_some_and(|r| !r.is_finished())
                || self.many.as_ref().is_some_and(|r| !r.is_finished()));
        if running != self.running {
            self.running = running;
            if !running {
                send(DetectEvent::Paused);
                // The page keeps where it stopped, once the caller can wait for the device.
                self.checkpoints.stopped();
            }
        }
    }

    /// Loads the backbone and MNIST unless they are loaded; says what failed.
    async fn prepare(&mut self) -> bool {
        if self.backbone.is_none() {
            let loaded = fetch_bytes(BACKBONE).await.and_then(|bytes| {
                checkpoint::load(&bytes, &self.device).map_err(|e| format!("{BACKBONE}: {e}"))
            });
            match loaded {
                Ok((model, card)) => {
                    self.backbone = Some(Backbone {
                        model,
                        settings: card.settings,
                    })
                }
                Err(message) => {
                    send(DetectEvent::Failed { message });
                    return false;
                }
            }
        }
        if self.digits.is_none() {
            let mut last_sent = 0;
            let loaded = mnist::load(|loaded, total| {
                if loaded == 0 || loaded == total || loaded - last_sent >= total / 50 {
                    last_sent = loaded;
                    send(DetectEvent::Progress { loaded, total });
                }
            })
            .await;
            match loaded {
                Ok((train, test)) => self.digits = Some((Arc::new(train), Arc::new(test))),
                Err(error) => {
                    send(DetectEvent::DataFailed { error });
                    return false;
                }
            }
        }
        if let (Some(backbone), Some((train, test))) = (&self.backbone, &self.digits) {
            send(DetectEvent::Ready {
                backbone_parameters: backbone.settings.parameter_count(),
                backbone: backbone.settings.clone(),
                train_digits: train.len(),
                test_digits: test.len(),
            });
        }
        true
    }

    async fn handle_command(&mut self, command: DetectCommand) {
        self.command(command).await;
        self.send_due_checkpoint().await;
    }

    async fn command(&mut self, command: DetectCommand) {
        match command {
            DetectCommand::Prepare => {
                self.prepare().await;
            }
            DetectCommand::Run { settings } => {
                self.running = false;
                self.run = None;
                self.many = None;
                if !self.prepare().await {
                    return;
                }
                let (Some(backbone), Some((train, test))) = (&self.backbone, &self.digits) else {
                    return;
                };
                match DetectRun::new(
                    settings,
                    &backbone.model,
                    backbone.settings.feature_channels(),
                    train.clone(),
                    test.clone(),
                    self.device.clone(),
                ) {
                    Ok(run) => {
                        let (trained, frozen) = parameter_counts(run.model());
                        send(DetectEvent::Started { trained, frozen });
                        self.trained_ms = 0.0;
                        self.origin = None;
                        self.final_eval = None;
                        self.next_eval = run.live_interval();
                        self.run = Some(run);
                        self.checkpoints.new_run(None);
                        self.set_running(true);
                    }
                    Err(problems) => send(DetectEvent::Refused { problems }),
                }
            }
            DetectCommand::RunMany { settings } => self.run_many(settings).await,
            DetectCommand::Continue { settings } => self.train_further(settings),
            DetectCommand::Play => self.set_running(true),
            DetectCommand::Pause => self.set_running(false),
            DetectCommand::RollBack => self.roll_back().await,
            DetectCommand::Resume { checkpoint } => self.resume(*checkpoint).await,
            DetectCommand::Show { first, count } if self.many.is_some() => {
                self.show_many(first, count).await
            }
            DetectCommand::Show { first, count } => self.show(first, count).await,
            DetectCommand::UseShipped => match fetch_bytes(SHIPPED).await {
                Ok(bytes) => self.install(&bytes, true).await,
                Err(message) => send(DetectEvent::ShippedUnavailable { message }),
            },
            DetectCommand::Import { bytes } => self.install(&bytes, false).await,
            DetectCommand::Export => self.export().await,
            DetectCommand::Detect { id, pixels } if self.many.is_some() => {
                let Some(run) = &self.many else { return };
                match centre_training::detect_drawn(run.model(), &pixels, &self.device).await {
                    Some(detections) => send(DetectEvent::DetectedMany { id, detections }),
                    None => send(DetectEvent::Failed {
                        message: format!(
                            "a drawing needs {} pixels, not {}",
                            CANVAS * CANVAS,
                            pixels.len()
                        ),
                    }),
                }
            }
            DetectCommand::Detect { id, pixels } => {
                let Some(run) = &self.run else { return };
                match detect_drawn_looking(run.model(), &pixels, &self.device).await {
                    Some((prediction, heat)) => send(DetectEvent::Detected {
                        id,
                        prediction,
                        heat,
                    }),
                    None => send(DetectEvent::Failed {
                        message: format!(
                            "a drawing needs {} pixels, not {}",
                            CANVAS * CANVAS,
                            pixels.len()
                        ),
                    }),
                }
            }
        }
    }

    /// Starts a multi-digit run, as `Run` starts a single-digit one.
    async fn run_many(&mut self, settings: DetectSettings) {
        self.running = false;
        self.run = None;
        self.many = None;
        if !self.prepare().await {
            return;
        }
        let (Some(backbone), Some((train, test))) = (&self.backbone, &self.digits) else {
            return;
        };
        match CentreRun::new(
            settings,
            &backbone.model,
            backbone.settings.feature_channels(),
            train.clone(),
            test.clone(),
            self.device.clone(),
        ) {
            Ok(run) => {
                let (trained, frozen) = parameter_counts(run.model());
                send(DetectEvent::Started { trained, frozen });
                self.trained_ms = 0.0;
                self.origin = None;
                self.final_eval = None;
                self.final_map = None;
                self.next_eval = run.live_interval();
                self.many = Some(run);
                self.checkpoints.new_run(None);
                self.set_running(true);
            }
            Err(problems) => send(DetectEvent::Refused { problems }),
        }
    }

    /// Level-two test canvases `first..first + count` with their digits and the detections.
    async fn show_many(&self, first: u64, count: usize) {
        let (Some(run), Some((_, test))) = (&self.many, &self.digits) else {
            return;
        };
        let indices = first..first + count.min(MAX_SHOWN) as u64;
        let found = run.predict(indices.clone()).await;
        let canvases = indices
            .zip(found)
            .map(|(index, detections)| {
                let canvas = data::canvas(test, Level::Many, TEST_SEED, index);
                ShownMany {
                    index,
                    pixels: canvas.pixels,
                    truths: canvas.objects,
                    detections,
                }
            })
            .collect();
        send(DetectEvent::ShownMany { canvases });
    }

    /// Test canvases `first..first + count` with their digits and the detector's answers.
    async fn show(&self, first: u64, count: usize) {
        let (Some(run), Some((_, test))) = (&self.run, &self.digits) else {
            return;
        };
        let indices = first..first + count.min(MAX_SHOWN) as u64;
        let looks = run.predict_looking(indices.clone()).await;
        let canvases = indices
            .zip(looks)
            .map(|(index, (predicted, heat))| {
                let canvas = data::canvas(test, Level::One, TEST_SEED, index);
                let truth = canvas.objects[0];
                ShownCanvas {
                    index,
                    iou: iou(&predicted.bbox, &truth.bbox.encode(CANVAS)),
                    pixels: canvas.pixels,
                    truth,
                    predicted,
                    heat,
                }
            })
            .collect();
        send(DetectEvent::Shown { canvases });
    }

    /// Trains for a moment; sends the losses, a live score when one is due, and the final score.
    async fn train(&mut self) {
        let before_ms = self.trained_ms;
        let (step, finished, interval) = match (&mut self.run, &mut self.many) {
            (Some(run), _) => (
                train_a_moment(run, &mut self.trained_ms).await,
                run.is_finished(),
                run.live_interval(),
            ),
            (_, Some(run)) => (
                train_a_moment(run, &mut self.trained_ms).await,
                run.is_finished(),
                run.live_interval(),
            ),
            _ => return self.set_running(false),
        };
        self.checkpoints.trained(self.trained_ms - before_ms);
        if self.stop_if_diverged() {
            return;
        }
        if finished {
            self.score_final().await;
            self.set_running(false);
        } else if step >= self.next_eval {
            self.score_live(step).await;
            self.next_eval = step + interval;
        }
        if self.checkpoints.is_due() || self.checkpoints.interval_passed() {
            self.send_checkpoint().await;
        }
    }

    /// The run trained, either level's.
    fn detector(&mut self) -> Option<&mut dyn DivergingRun> {
        match (&mut self.run, &mut self.many) {
            (Some(run), _) => Some(run),
            (_, Some(run)) => Some(run),
            _ => None,
        }
    }

    /// Pauses a run whose loss is no longer a number, and says so: more steps cannot help.
    /// Whether it had diverged.
    fn stop_if_diverged(&mut self) -> bool {
        let Some(run) = self.detector() else {
            return false;
        };
        let Some(step) = run.diverged() else {
            return false;
        };
        let good_step = run.good_step();
        self.set_running(false);
        send(DetectEvent::Diverged { step, good_step });
        true
    }

    /// Goes back to the last good step of a diverged run, paused, and sends its checkpoint.
    async fn roll_back(&mut self) {
        self.set_running(false);
        let Some(run) = self.detector() else { return };
        if run.diverged().is_none() {
            return;
        }
        run.roll_back();
        let (step, next_eval, (trained, frozen)) = (run.steps(), run.next_score(), run.count());
        self.next_eval = next_eval;
        send(DetectEvent::RolledBack {
            step,
            trained,
            frozen,
        });
        self.send_checkpoint().await;
    }

    /// The run's final score on the test canvases, kept for its card and sent.
    async fn score_final(&mut self) {
        if let Some(run) = &self.run {
            let evaluation = run.evaluate(FINAL_EVAL).await;
            self.final_eval = Some(evaluation);
            send(DetectEvent::Finished {
                evaluation,
                elapsed_ms: self.trained_ms,
            });
        } else if let Some(run) = &self.many {
            let report = run.evaluate(FINAL_EVAL).await.summarised();
            self.final_map = Some(MapScore {
                count: FINAL_EVAL,
                map: report.map,
            });
            send(DetectEvent::ManyFinished {
                report,
                elapsed_ms: self.trained_ms,
            });
        }
    }

    /// A score on a few test canvases during the run.
    async fn score_live(&self, step: u64) {
        if let Some(run) = &self.run {
            let evaluation = run.evaluate(LIVE_EVAL).await;
            send(DetectEvent::Evaluated { step, evaluation });
        } else if let Some(run) = &self.many {
            let report = run.evaluate(LIVE_EVAL).await.summarised();
            send(DetectEvent::ManyEvaluated { step, report });
        }
    }

    /// Trains the detector held (either level's) further, from its weights and steps; the
    /// detector stays as it is when the settings are refused.
    fn train_further(&mut self, settings: DetectSettings) {
        let Some((train, test)) = self.digits.clone() else {
            return send(DetectEvent::Refused {
                problems: Vec::new(),
            });
        };
        self.set_running(false);
        let device = self.device.clone();
        let started = if let Some(run) = self.run.take() {
            let from = run.steps_done();
            let model = run.model().clone();
            match DetectRun::continued(model, run.settings(), settings, from, train, test, device) {
                Ok(next) => {
                    let shown = (next.first_step(), next.end_step(), next.counts());
                    self.next_eval = from + next.live_interval();
                    self.run = Some(next);
                    Ok(shown)
                }
                Err(problems) => {
                    self.run = Some(run);
                    Err(problems)
                }
            }
        } else if let Some(run) = self.many.take() {
            let from = run.steps_done();
            let model = run.model().clone();
            match CentreRun::continued(model, run.settings(), settings, from, train, test, device) {
                Ok(next) => {
                    let shown = (next.first_step(), next.end_step(), next.counts());
                    self.next_eval = from + next.live_interval();
                    self.many = Some(next);
                    Ok(shown)
                }
                Err(problems) => {
                    self.many = Some(run);
                    Err(problems)
                }
            }
        } else {
            Err(Vec::new())
        };
        match started {
            Ok((from, steps, (trained, frozen))) => {
                send(DetectEvent::Continued {
                    from,
                    steps,
                    trained,
                    frozen,
                });
                // The card described the detector as loaded; its time so far goes on.
                self.origin = None;
                self.final_eval = None;
                self.final_map = None;
                self.checkpoints.new_run(None);
                self.set_running(true);
            }
            Err(problems) => send(DetectEvent::Refused { problems }),
        }
    }
}

impl Lesson for DetectLesson {
    fn handle(&mut self, message: ToWorker) -> Result<LocalBoxFuture<'_, ()>, ToWorker> {
        match message {
            ToWorker::Detect(command) => Ok(Box::pin(self.handle_command(command))),
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
        Box::pin(self.train())
    }
}
