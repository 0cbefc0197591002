//! The GAN lesson's digits inside the worker: MNIST, the digit GAN trained in time-boxed chunks,
//! its sample grid, latent walks, saved generators, and the mode-collapse meter, for which the
//! shipped MNIST classifier labels 1 000 samples.

use std::sync::Arc;

use js_sys::Uint8Array;
use kindling_engine::burn::module::Module;
use kindling_engine::burn::tensor::activation::softmax;
use kindling_engine::burn::tensor::{Device, Tensor, TensorData};
use kindling_engine::common::read::read_floats;
use kindling_engine::datasets::mnist::{Images, normalise};
use kindling_engine::lessons::cnn::checkpoint;
use kindling_engine::lessons::cnn::model::{Cnn, CnnConfig};
use kindling_engine::lessons::gan::digits_training::DigitTrainer;
use kindling_engine::lessons::gan::messages::{DigitCommand, DigitEvent, GanEvent};
use kindling_engine::lessons::gan::metrics::class_meter;
use kindling_engine::protocol::FromWorker;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;
use web_time::Instant;

use crate::lessons::checkpointing::Checkpointing;
use crate::{mnist, post, scope};

const CHUNK_MS: f64 = 150.0;
const CHUNK_ITERATIONS: u64 = 200;
const REPORT_MS: f64 = 500.0;
/// Progress reports between two readings of the meter.
const REPORTS_PER_METER: u32 = 6;
/// Samples the meter classifies.
const METER_SAMPLES: usize = 1000;
const CLASSIFIER: &str = "static/models/mnist-classifier.safetensors";

pub fn send(event: DigitEvent) {
    post(&FromWorker::Gan(GanEvent::Digits(event)));
}

fn bytes(pixels: &[f32]) -> Vec<u8> {
    pixels
        .iter()
        .map(|&p| (p.clamp(0.0, 1.0) * 255.0).round() as u8)
        .collect()
}

enum Classifier {
    NotTried,
    Ready(Box<Cnn>),
    Unavailable,
}

pub struct Digits {
    device: Device,
    data: Option<Arc<Images>>,
    trainer: Option<DigitTrainer>,
    classifier: Classifier,
    pub running: bool,
    since_report_ms: f64,
    reports: u32,
    /// By iteration.
    checkpoints: Checkpointing,
}

async fn fetch_classifier(device: &Device) -> Result<Cnn, String> {
    let response: Response = JsFuture::from(scope().fetch_with_str(CLASSIFIER))
        .await
        .map_err(|e| format!("{e:?}"))?
        .unchecked_into();
    if !response.ok() {
        return Err(format!("{CLASSIFIER}: HTTP {}", response.status()));
    }
    let buffer = response.array_buffer().map_err(|e| format!("{e:?}"))?;
    let buffer = JsFuture::from(buffer).await.map_err(|e| format!("{e:?}"))?;
    let bytes = Uint8Array::new(&buffer).to_vec();
    let (card, weights) = checkpoint::decode(&bytes).map_err(|e| format!("{e:?}"))?;
    if !card.settings.validate_for(28, 28).is_empty() {
        return Err("the classifier's settings do not fit 28 × 28 images".into());
    }
    let model = CnnConfig::from_settings(&card.settings, 28, 28).init(device);
    checkpoint::load_weights(model, &card, weights).map_err(|e| format!("{e:?}"))
}

impl Digits {
    pub fn new(device: Device) -> Self {
        Self {
            device,
            data: None,
            trainer: None,
            classifier: Classifier::NotTried,
            running: false,
            since_report_ms: 0.0,
            reports: 0,
            checkpoints: Checkpointing::default(),
        }
    }

    /// A new run (fresh or resumed at `checkpointed`): its checkpoints start again.
    fn new_run(&mut self, trainer: DigitTrainer, checkpointed: Option<u64>) {
        self.trainer = Some(trainer);
        self.reports = 0;
        self.checkpoints.new_run(checkpointed);
    }

    /// Sends the run's checkpoint, unless the page already has the one of this iteration or a
    /// loss is no longer a number (the page keeps the last good one); says once when the run's
    /// checkpoints cannot be taken.
    pub async fn send_checkpoint(&mut self) {
        let run = self
            .trainer
            .as_ref()
            .filter(|t| !t.diverged())
            .map(|t| (t.iterations(), t.checkpoint()));
        self.checkpoints
            .send(
                run,
                |checkpoint| {
                    send(DigitEvent::Checkpoint {
                        checkpoint: Box::new(checkpoint),
                    })
                },
                |error| send(DigitEvent::NoCheckpoint { error }),
            )
            .await;
    }

    pub fn set_running(&mut self, running: bool) {
        let running = running && self.trainer.is_some();
        if running != self.running {
            self.running = running;
            send(DigitEvent::Running { running });
        }
    }

    async fn ensure_data(&mut self) -> Option<Arc<Images>> {
        if let Some(data) = &self.data {
            return Some(data.clone());
        }
        let mut last = 0;
        let loaded = mnist::load(|loaded, total| {
            if loaded == 0 || loaded == total || loaded - last >= total / 50 {
                last = loaded;
                send(DigitEvent::DataProgress { loaded, total });
            }
        })
        .await;
        match loaded {
            Ok((train, _test)) => {
                let train = Arc::new(train);
                self.data = Some(train.clone());
                Some(train)
            }
            Err(error) => {
                send(DigitEvent::DataFailed { error });
                None
            }
        }
    }

    async fn report(&mut self) {
        let Some(trainer) = &self.trainer else { return };
        let progress = trainer.progress().await;
        send(DigitEvent::Progress {
            iterations: progress.iterations,
            d_loss: progress.d_loss,
            g_loss: progress.g_loss,
            d_real: progress.d_real,
            d_fake: progress.d_fake,
            elapsed_ms: progress.elapsed_ms,
            grid: bytes(&trainer.grid().await),
        });
        if self.reports.is_multiple_of(REPORTS_PER_METER) {
            self.meter().await;
        }
        self.reports += 1;
    }

    async fn meter(&mut self) {
        if let Classifier::NotTried = self.classifier {
            self.classifier = match fetch_classifier(&self.device).await {
                Ok(model) => Classifier::Ready(Box::new(model)),
                Err(message) => {
                    send(DigitEvent::MeterUnavailable { message });
                    Classifier::Unavailable
                }
            };
        }
        let (Classifier::Ready(cnn), Some(trainer)) = (&self.classifier, &self.trainer) else {
            return;
        };
        let digits: Vec<u8> = (0..10).collect();
        let samples = trainer.samples(METER_SAMPLES, 99, &digits).await;
        let input: Vec<f32> = samples.iter().map(|&p| normalise(p)).collect();
        let n = input.len() / 784;
        let images = Tensor::<4>::from_data(TensorData::new(input, [n, 1, 28, 28]), &self.device)
            .without_autodiff();
        let probabilities = read_floats(softmax(cnn.valid().forward(images), 1)).await;
        send(DigitEvent::Meter {
            meter: class_meter(&probabilities, 10),
        });
    }

    pub async fn handle(&mut self, command: DigitCommand) {
        match command {
            DigitCommand::Load { settings } => {
                let Some(data) = self.ensure_data().await else {
                    return;
                };
                match DigitTrainer::new(settings.clone(), data, self.device.clone()) {
                    Ok(trainer) => {
                        self.new_run(trainer, None);
                        send(DigitEvent::Loaded { settings });
                        self.set_running(false);
                        self.report().await;
                    }
                    Err(errors) => send(DigitEvent::Rejected { errors }),
                }
            }
            DigitCommand::Play => self.set_running(true),
            DigitCommand::Pause => {
                // As in the toy: the page's counts must be current when it says "paused".
                if self.running {
                    self.report().await;
                }
                self.set_running(false);
                self.send_checkpoint().await;
            }
            DigitCommand::Step => {
                self.set_running(false);
                if let Some(trainer) = &mut self.trainer {
                    trainer.train_chunk(1, f64::INFINITY).await;
                }
                self.report().await;
                self.stop_if_diverged();
                self.send_checkpoint().await;
            }
            DigitCommand::RollBack => {
                self.set_running(false);
                if let Some(trainer) = &mut self.trainer {
                    trainer.roll_back();
                }
                self.report().await;
                self.send_checkpoint().await;
            }
            DigitCommand::Walk {
                from,
                to,
                frames,
                label,
            } => {
                if let Some(trainer) = &self.trainer {
                    let frames = trainer
                        .walk(from, to, frames.clamp(2, 16) as usize, label)
                        .await;
                    send(DigitEvent::Walk {
                        frames: bytes(&frames),
                    });
                }
            }
            DigitCommand::Draw { label } => {
                if let Some(trainer) = &self.trainer {
                    let images = trainer.samples(8, u64::from(label) + 1000, &[label]).await;
                    send(DigitEvent::Drawn {
                        label,
                        images: bytes(&images),
                    });
                }
            }
            DigitCommand::Save => {
                if let Some(trainer) = &self.trainer
                    && let Ok(bytes) = trainer.save_generator().await
                {
                    send(DigitEvent::Saved { bytes });
                }
            }
            DigitCommand::LoadGenerator { bytes } => {
                if let Some(trainer) = &mut self.trainer {
                    match trainer.load_generator(&bytes) {
                        Ok(card) => {
                            send(DigitEvent::GeneratorLoaded {
                                iterations: card.iterations,
                            });
                            self.report().await;
                            // The run's generator changed: the page's checkpoint must hold it.
                            self.checkpoints.outdated();
                            self.send_checkpoint().await;
                        }
                        Err(error) => send(DigitEvent::GeneratorRefused { error }),
                    }
                }
            }
            DigitCommand::Resume { checkpoint } => {
                let Some(data) = self.ensure_data().await else {
                    return;
                };
                match DigitTrainer::resume(&checkpoint, data, self.device.clone()) {
                    Ok(trainer) => {
                        let iterations = trainer.iterations();
                        // The page holds this iteration's checkpoint already.
                        self.new_run(trainer, Some(iterations));
                        send(DigitEvent::Resumed {
                            settings: checkpoint.settings.clone(),
                            iterations,
                        });
                        self.set_running(false);
                        self.report().await;
                    }
                    Err(error) => send(DigitEvent::ResumeFailed { error }),
                }
            }
        }
    }

    /// Pauses a run whose loss is no longer a number, and says so: more steps cannot help.
    fn stop_if_diverged(&mut self) {
        let Some(trainer) = &self.trainer else { return };
        if trainer.diverged() {
            let (iterations, good_iterations) = (trainer.iterations(), trainer.good_iterations());
            self.set_running(false);
            send(DigitEvent::Diverged {
                iterations,
                good_iterations,
            });
        }
    }

    pub async fn tick(&mut self) {
        let started = Instant::now();
        let Some(trainer) = &mut self.trainer else {
            return;
        };
        trainer.train_chunk(CHUNK_ITERATIONS, CHUNK_MS).await;
        let took_ms = started.elapsed().as_secs_f64() * 1000.0;
        self.since_report_ms += took_ms;
        self.checkpoints.trained(took_ms);
        let diverged = trainer.diverged();
        if self.since_report_ms >= REPORT_MS || diverged {
            self.since_report_ms = 0.0;
            self.report().await;
        }
        self.stop_if_diverged();
        if self.checkpoints.interval_passed() {
            self.send_checkpoint().await;
        }
    }
}
