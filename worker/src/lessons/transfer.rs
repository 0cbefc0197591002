//! The transfer lesson inside the worker: the shipped backbone and the target's data, the four
//! arms trained in turn, their live and final accuracies, and what the page looks at inside.

use std::collections::HashMap;
use std::collections::hash_map::Entry;
use std::sync::Arc;

use futures::future::LocalBoxFuture;
use js_sys::Uint8Array;
use kindling_engine::burn::tensor::Device;
use kindling_engine::datasets::mnist::Images;
use kindling_engine::lessons::transfer::config::{Arm, Target};
use kindling_engine::lessons::transfer::messages::{BackboneInfo, TransferCommand, TransferEvent};
use kindling_engine::lessons::transfer::model::block_count;
use kindling_engine::lessons::transfer::own::OwnClasses;
use kindling_engine::lessons::transfer::own_training::OwnTrainer;
use kindling_engine::lessons::transfer::resume::TransferCheckpoint;
use kindling_engine::lessons::transfer::sample::target_images;
use kindling_engine::lessons::transfer::training::{LIVE_EVAL, TransferRun};
use kindling_engine::lessons::transfer::worked::{feature_map, filters, worked_example};
use kindling_engine::models::resnet::ResnetSettings;
use kindling_engine::models::resnet::checkpoint;
use kindling_engine::models::resnet::model::Resnet;
use kindling_engine::protocol::{FromWorker, ToWorker};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::Response;
use web_time::Instant;

use super::Lesson;
use super::checkpointing::Checkpointing;
use crate::{mnist, post, scope};

mod own;
mod upload;

/// The shipped backbone, trained on digits 0–4.
const BACKBONE: &str = "static/models/mnist04-resnet.safetensors";
const CHUNK_MS: f64 = 150.0;
const CHUNK_STEPS: u64 = 200;
/// Test images in the feature maps of the page's PCA plot.
const PCA_IMAGES: usize = 300;

fn send(event: TransferEvent) {
    post(&FromWorker::Transfer(event));
}

struct Backbone {
    model: Resnet,
    settings: ResnetSettings,
    info: BackboneInfo,
}

pub struct TransferLesson {
    device: Device,
    backbone: Option<Backbone>,
    /// Each loaded target's (train, test) sets, labelled 0..`target.classes()`.
    sets: HashMap<Target, (Arc<Images>, Arc<Images>)>,
    run: Option<TransferRun>,
    running: bool,
    /// When the run's checkpoints go to the page (its progress: all arms' steps together).
    checkpoints: Checkpointing,
    /// The learner's own classes, and the network fine-tuned on them.
    own: OwnClasses,
    own_trainer: Option<OwnTrainer>,
    own_running: bool,
    /// When the own network's checkpoints go to the page (its progress: its step).
    own_checkpoints: Checkpointing,
}

fn js_text(value: &JsValue) -> String {
    value
        .dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .or_else(|| value.as_string())
        .unwrap_or_else(|| format!("{value:?}"))
}

/// The whole file at `path` on the site.
async fn fetch_bytes(path: &str) -> Result<Vec<u8>, String> {
    let response: Response = JsFuture::from(scope().fetch_with_str(path))
        .await
        .map_err(|e| format!("{path}: {}", js_text(&e)))?
        .unchecked_into();
    if !response.ok() {
        return Err(format!("{path}: HTTP {}", response.status()));
    }
    let buffer = JsFuture::from(response.array_buffer().map_err(|e| js_text(&e))?)
        .await
        .map_err(|e| format!("{path}: {}", js_text(&e)))?;
    Ok(Uint8Array::new(&buffer).to_vec())
}

impl TransferLesson {
    pub fn new(device: Device) -> Self {
        Self {
            device,
            backbone: None,
            sets: HashMap::new(),
            run: None,
            running: false,
            checkpoints: Checkpointing::default(),
            own: OwnClasses::default(),
            own_trainer: None,
            own_running: false,
            own_checkpoints: Checkpointing::default(),
        }
    }

    fn set_running(&mut self, running: bool) {
        let running = running && self.run.as_ref().is_some_and(|r| !r.is_finished());
        if running != self.running {
            self.running = running;
            send(TransferEvent::Running { running });
            // Training stopped (paused, finished, another lesson took over): the page keeps where
            // it is, once the caller can wait for the device (`send_due_checkpoint`).
            if !running {
                self.checkpoints.stopped();
            }
        }
    }

    /// A new run (fresh, or resumed at `sent` steps): its checkpoints start again.
    fn new_run(&mut self, run: TransferRun, sent: Option<u64>) {
        self.run = Some(run);
        self.checkpoints.new_run(sent);
    }

    /// Sends the run's checkpoint, unless the page has this one already.
    async fn send_checkpoint(&mut self) {
        // A diverged run's weights are not worth keeping: the page keeps the last good one.
        let run = self
            .run
            .as_ref()
            .filter(|run| run.diverged().is_none())
            .map(|run| (run.steps_done(), run.checkpoint()));
        self.checkpoints
            .send(
                run,
                |checkpoint| {
                    send(TransferEvent::Checkpoint {
                        checkpoint: Box::new(checkpoint),
                    })
                },
                |error| send(TransferEvent::NoCheckpoint { error }),
            )
            .await;
    }

    /// The checkpoints owed since training stopped, if any.
    async fn send_due_checkpoint(&mut self) {
        if self.checkpoints.is_due() {
            self.send_checkpoint().await;
        }
        if self.own_checkpoints.is_due() {
            self.send_own_checkpoint().await;
        }
    }

    /// Goes on from `checkpoint`, paused (its results at once if it had finished).
    async fn resume(&mut self, id: u64, checkpoint: &TransferCheckpoint) {
        self.set_running(false);
        let target = checkpoint.settings.target;
        if !self.prepare(target).await {
            return;
        }
        let (Some(backbone), Some((train, test))) = (&self.backbone, self.sets.get(&target)) else {
            return;
        };
        let resumed = TransferRun::resume(
            checkpoint,
            &backbone.model,
            &backbone.settings,
            train,
            test.clone(),
            target.classes(),
            self.device.clone(),
        );
        match resumed {
            Ok(run) => {
                let steps = run.steps_done();
                send(TransferEvent::Resumed {
                    id,
                    step: checkpoint.step(),
                    settings: run.settings().clone(),
                    plans: run.plans().to_vec(),
                    labelled: run.train_set().len(),
                    test: run.test_set().len(),
                });
                // The page holds this checkpoint already.
                self.new_run(run, Some(steps));
                self.finish_if_done().await;
            }
            Err(error) => send(TransferEvent::ResumeFailed { id, error }),
        }
    }

    /// Sends the results once every arm is done, and stops.
    async fn finish_if_done(&mut self) {
        let Some(run) = &self.run else { return };
        if run.is_finished() {
            let results = run.results().await;
            send(TransferEvent::Finished {
                settings: run.settings().clone(),
                results,
            });
            self.set_running(false);
        }
    }

    /// Loads the shipped backbone unless it is loaded; says what failed.
    async fn load_backbone(&mut self) -> bool {
        if self.backbone.is_some() {
            return true;
        }
        let loaded = fetch_bytes(BACKBONE).await.and_then(|bytes| {
            checkpoint::load(&bytes, &self.device).map_err(|e| format!("{BACKBONE}: {e}"))
        });
        match loaded {
            Ok((model, card)) => {
                let info = BackboneInfo {
                    classes: card.classes.clone(),
                    parameters: card.settings.parameter_count(),
                    test_accuracy: card.test_accuracy,
                    steps: card.steps,
                };
                self.backbone = Some(Backbone {
                    model,
                    settings: card.settings,
                    info,
                });
                true
            }
            Err(message) => {
                send(TransferEvent::Failed { message });
                false
            }
        }
    }

    /// Loads the backbone and the target's data unless they are loaded; says what failed.
    async fn prepare(&mut self, target: Target) -> bool {
        if !self.load_backbone().await {
            return false;
        }
        if let Entry::Vacant(slot) = self.sets.entry(target) {
            let mut last_sent = 0;
            let dir = format!("static/{}/", target.folder());
            let loaded = mnist::load_from(&dir, |loaded, total| {
                if loaded == 0 || loaded == total || loaded - last_sent >= total / 50 {
                    last_sent = loaded;
                    send(TransferEvent::Progress { loaded, total });
                }
            })
            .await;
            match loaded {
                Ok((train, test)) => {
                    let sets = (
                        Arc::new(target_images(target, &train)),
                        Arc::new(target_images(target, &test)),
                    );
                    slot.insert(sets);
                }
                Err(error) => {
                    send(TransferEvent::DataFailed { error });
                    return false;
                }
            }
        }
        if let (Some(backbone), Some((train, test))) = (&self.backbone, self.sets.get(&target)) {
            send(TransferEvent::Ready {
                target,
                backbone: backbone.info.clone(),
                train: train.len(),
                test: test.len(),
            });
        }
        true
    }

    async fn handle_command(&mut self, command: TransferCommand) {
        match command {
            TransferCommand::Prepare { target } => {
                self.prepare(target).await;
            }
            TransferCommand::Run { settings } => {
                self.set_running(false);
                if !self.prepare(settings.target).await {
                    return;
                }
                let target = settings.target;
                let (Some(backbone), Some((train, test))) =
                    (&self.backbone, self.sets.get(&target))
                else {
                    return;
                };
                match TransferRun::new(
                    settings,
                    &backbone.model,
                    &backbone.settings,
                    train,
                    test.clone(),
                    target.classes(),
                    self.device.clone(),
                ) {
                    Ok(run) => {
                        send(TransferEvent::Started {
                            settings: run.settings().clone(),
                            plans: run.plans().to_vec(),
                            labelled: run.train_set().len(),
                            test: run.test_set().len(),
                        });
                        self.new_run(run, None);
                        self.set_running(true);
                    }
                    Err(problems) => send(TransferEvent::Rejected { problems }),
                }
            }
            TransferCommand::Play => self.set_running(true),
            TransferCommand::Pause => self.set_running(false),
            TransferCommand::RollBack => self.roll_back().await,
            TransferCommand::Resume { id, checkpoint } => self.resume(id, &checkpoint).await,
            TransferCommand::Work { arm, test_index } => self.work(arm, test_index).await,
            TransferCommand::Inside => self.inside().await,
            own => self.own_command(own).await,
        }
        self.send_due_checkpoint().await;
    }

    async fn work(&self, arm: Arm, test_index: usize) {
        let (Some(run), Some(backbone)) = (&self.run, &self.backbone) else {
            return;
        };
        let blocks = block_count(&backbone.settings);
        let model = run.arm(arm).model();
        if let Some(example) =
            worked_example(arm, model, blocks, run.test_set(), test_index, &self.device).await
        {
            send(TransferEvent::Worked { example });
        }
    }

    async fn inside(&self) {
        let (Some(run), Some(backbone)) = (&self.run, &self.backbone) else {
            return;
        };
        let after = run.arm(Arm::Everything).model();
        send(TransferEvent::Inside {
            before: feature_map(&backbone.model, run.test_set(), PCA_IMAGES, &self.device).await,
            after: feature_map(after, run.test_set(), PCA_IMAGES, &self.device).await,
            filters_before: filters(&backbone.model).await,
            filters_after: filters(after).await,
        });
    }

    /// Back to the experiment's last good state after a loss stopped being a number: says
    /// where it stands and sends that state's checkpoint. Training stays paused.
    async fn roll_back(&mut self) {
        self.set_running(false);
        let Some(run) = &mut self.run else { return };
        run.roll_back();
        send(TransferEvent::RolledBack { step: run.step() });
        self.send_checkpoint().await;
    }

    /// Pauses a run whose loss is no longer a number, and says so: more steps cannot help.
    /// Whether it had diverged.
    fn stop_if_diverged(&mut self) -> bool {
        let Some(run) = &self.run else { return false };
        let Some(step) = run.diverged() else {
            return false;
        };
        send(TransferEvent::Diverged {
            step,
            good_step: run.good_step(),
            arms: run.diverged_arms().to_vec(),
            good_steps: run.good_steps(),
        });
        self.set_running(false);
        true
    }

    /// Trains for a moment; sends the arms' due live points, a checkpoint every few seconds of
    /// training, and the results at the end.
    async fn train(&mut self) {
        let started = Instant::now();
        let Some(run) = &mut self.run else {
            self.set_running(false);
            return;
        };
        run.train_chunk(CHUNK_STEPS, CHUNK_MS).await;
        if self.stop_if_diverged() {
            return;
        }
        let Some(run) = &mut self.run else { return };
        for arm in run.due() {
            let point = run.evaluate(arm, Some(LIVE_EVAL)).await;
            send(TransferEvent::Point { point });
        }
        self.finish_if_done().await;
        self.checkpoints
            .trained(started.elapsed().as_secs_f64() * 1000.0);
        if self.checkpoints.is_due() || self.checkpoints.interval_passed() {
            self.send_checkpoint().await;
        }
    }
}

impl Lesson for TransferLesson {
    fn handle(&mut self, message: ToWorker) -> Result<LocalBoxFuture<'_, ()>, ToWorker> {
        match message {
            ToWorker::Transfer(command) => Ok(Box::pin(self.handle_command(command))),
            other => Err(other),
        }
    }

    fn running(&self) -> bool {
        self.running || self.own_running
    }

    fn pause(&mut self) {
        self.set_running(false);
        self.set_own_running(false);
    }

    fn paused(&mut self) -> LocalBoxFuture<'_, ()> {
        Box::pin(self.send_due_checkpoint())
    }

    fn tick(&mut self) -> LocalBoxFuture<'_, ()> {
        if self.running {
            Box::pin(self.train())
        } else {
            Box::pin(self.train_own())
        }
    }
}
