//! The CNN lesson's part of the page state, and how worker events and learner actions change it.
//!
//! Messages to the worker are not sent from here: the reducer counts requests (`requests`), and
//! `effects.rs` sends one message each time a counter moves. That keeps the reducer pure and
//! reads every message's content from the state it was decided in.

use std::rc::Rc;

use kindling_engine::lessons::cnn::CnnSettings;
use kindling_engine::lessons::cnn::card::{CheckpointError, ModelCard};
use kindling_engine::lessons::cnn::config::{
    CnnEvaluation, CnnProblem, CnnProgress, IMAGE_SIDE, LayerShape,
};
use kindling_engine::lessons::cnn::messages::{CnnEvent, DataLoadError, Inspection};
use kindling_engine::lessons::cnn::preprocess::Preprocessed;
use kindling_engine::lessons::cnn::resume::{CnnCheckpoint, CnnCurves, KeptCnnRun, ResumeError};

use crate::lessons::cnn::link::CnnUrlError;
use crate::lessons::cnn::shipped::{Listed, ShippedModel, ShippedProblem, check_file, offers};
use crate::lessons::kept_run::{KeepsRun, KeptAction, KeptRun};
use crate::widgets::softmax_bars::argmax;

/// Most points kept in each curve.
pub const MAX_POINTS: usize = 400;
/// Largest model file the page will read.
pub const MAX_MODEL_BYTES: u64 = 50_000_000;

/// One curve of the run.
pub type Series = crate::widgets::series::Series<f32, MAX_POINTS>;

#[derive(Clone, Debug, PartialEq, Default)]
pub enum DataStatus {
    #[default]
    Idle,
    /// Bytes received over both files; `total` is 0 until known.
    Loading {
        loaded: u64,
        total: u64,
    },
    Ready {
        train: usize,
        test: usize,
    },
    Failed(DataLoadError),
}

/// The model the worker holds.
#[derive(Clone, Debug, PartialEq)]
pub struct LoadedModel {
    pub settings: CnnSettings,
    pub layers: Vec<LayerShape>,
    pub steps_per_epoch: u64,
    /// Steps it had been trained for when it was loaded (an imported model's).
    pub base_step: u64,
}

/// An evaluation on every test image, with the images it got wrong.
#[derive(Clone, Debug, PartialEq)]
pub struct FullEvaluation {
    pub step: u64,
    pub evaluation: CnnEvaluation,
    /// 784 bytes per image of `evaluation.misclassified`, in order.
    pub gallery: Vec<u8>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Prediction {
    pub id: u64,
    pub probabilities: Vec<f32>,
}

impl Prediction {
    pub fn digit(&self) -> Option<usize> {
        argmax(&self.probabilities)
    }
}

/// What the model file panel reports.
#[derive(Clone, Debug, PartialEq)]
pub enum ModelMessage {
    Exporting,
    Exported,
    Reading {
        name: String,
    },
    /// A shipped model's file is on its way.
    Fetching {
        name: String,
    },
    Imported,
    ImportFailed(CheckpointError),
    TooLarge {
        bytes: u64,
    },
    Unreadable {
        message: String,
    },
    DownloadFailed {
        message: String,
    },
    /// A shipped model did not load.
    ShippedFailed {
        name: String,
        problem: ShippedProblem,
    },
}

impl ModelMessage {
    /// Whether it answers a file the learner chose.
    pub fn is_import_result(&self) -> bool {
        matches!(
            self,
            ModelMessage::Fetching { .. }
                | ModelMessage::Imported
                | ModelMessage::ImportFailed(_)
                | ModelMessage::TooLarge { .. }
                | ModelMessage::Unreadable { .. }
                | ModelMessage::ShippedFailed { .. }
        )
    }

    pub fn is_failure(&self) -> bool {
        matches!(
            self,
            ModelMessage::ImportFailed(_)
                | ModelMessage::TooLarge { .. }
                | ModelMessage::Unreadable { .. }
                | ModelMessage::DownloadFailed { .. }
                | ModelMessage::ShippedFailed { .. }
        )
    }
}

/// The name a saved model is offered under: `kindling-cnn-97.8.safetensors` (its test accuracy
/// in percent) or `kindling-cnn-untested.safetensors`.
pub fn model_file_name(card: &ModelCard) -> String {
    match card.test_accuracy {
        Some(a) if a.is_finite() => format!("kindling-cnn-{:.1}.safetensors", a * 100.0),
        _ => "kindling-cnn-untested.safetensors".to_string(),
    }
}

/// The trained models shipped with the site that this lesson offers.
#[derive(Clone, Debug, PartialEq, Default)]
pub enum ShippedList {
    #[default]
    NotAsked,
    Loading,
    Ready {
        models: Rc<Vec<ShippedModel>>,
        /// A line for each card that could not be fetched or read.
        unreadable: Vec<String>,
    },
    /// The list could not be read.
    Failed(String),
}

/// A shipped model's file as it arrived, with its SHA-256 as the browser computed it (or why it
/// could not).
#[derive(Clone, Debug, PartialEq)]
pub struct Arrived {
    pub bytes: Vec<u8>,
    pub sha256: Result<String, String>,
}

/// The run's latest checkpoint as the worker sent it; compared by identity, as it is large.
#[derive(Clone, Debug)]
pub struct Kept(pub Rc<CnnCheckpoint>);

impl PartialEq for Kept {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// What became of the run after its worker stopped.
#[derive(Clone, Debug, PartialEq)]
pub enum Recovery {
    /// The next worker gets the checkpoint of `step`.
    Resuming { step: u64 },
    /// The run goes on from the checkpoint of `step`, paused.
    Resumed { step: u64 },
    /// The run kept in the browser goes on from `step`, paused.
    Restored { step: u64 },
    /// The checkpoint could not be resumed; a fresh network was asked for.
    Failed(ResumeError),
    /// There was no checkpoint yet; the run starts again.
    Lost,
}

/// The key the CNN lesson's run is kept under in the browser.
pub const KEPT_KEY: &str = "cnn";

/// How many times each message has been asked for; a change sends it.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Requests {
    pub data: u64,
    pub load: u64,
    pub inspect: u64,
    /// Also the id of the latest `Predict`.
    pub predict: u64,
    pub play: u64,
    pub pause: u64,
    pub step: u64,
    /// `RollBack` after the loss stopped being a number.
    pub roll_back: u64,
    pub evaluate: u64,
    pub export: u64,
    /// `Import` of `CnnState::import`.
    pub import: u64,
    /// Fetching the list of shipped models (not a worker message).
    pub shipped_list: u64,
    /// Fetching the file of `CnnState::fetching` (not a worker message).
    pub shipped_file: u64,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct CnnState {
    /// The settings of the current run (or the one asked for).
    pub applied: CnnSettings,
    /// The settings being edited.
    pub draft: CnnSettings,
    pub url_errors: Vec<CnnUrlError>,
    /// Problems the worker found with the last settings sent.
    pub rejected: Vec<CnnProblem>,
    pub data: DataStatus,
    pub model: Option<Rc<LoadedModel>>,
    pub running: bool,
    pub progress: Option<CnnProgress>,
    pub loss: Rc<Series>,
    pub quick: Rc<Series>,
    pub full: Rc<Series>,
    /// (step, accuracy) of the latest evaluation on the first test images.
    pub latest_quick: Option<(u64, f32)>,
    pub latest_full: Option<Rc<FullEvaluation>>,
    /// The test image shown inside the network.
    pub inspect_index: usize,
    pub inspection: Option<Rc<Inspection>>,
    /// The learner's drawing, ready for the network; `None` when the canvas is empty.
    pub drawing: Option<Rc<Preprocessed>>,
    pub prediction: Option<Prediction>,
    /// Answers to `Predict` with a smaller id are out of date.
    pub prediction_floor: u64,
    /// The card of the current model, once it has one (imported or exported).
    pub card: Option<ModelCard>,
    pub model_message: Option<ModelMessage>,
    pub requests: Requests,
    /// The model file being imported, until the worker answers.
    pub import: Option<Rc<Vec<u8>>>,
    pub shipped: ShippedList,
    /// The shipped model whose file is being fetched.
    pub fetching: Option<Rc<ShippedModel>>,
    /// The run's latest checkpoint.
    pub checkpoint: Option<Kept>,
    /// Why this run's checkpoints cannot be taken.
    pub no_checkpoints: Option<ResumeError>,
    /// The checkpoint the next `Load` request resumes instead of starting afresh (after the
    /// worker stopped).
    pub resume: Option<Kept>,
    pub recovery: Option<Recovery>,
    /// The loss stopped being a number: (at which step, the step a roll back returns to).
    pub diverged: Option<(u64, u64)>,
    /// The run kept in this browser, and the learner's requests to keep this one.
    pub kept: KeptRun<KeptCnnRun>,
    /// The kept run being resumed: its curves come back with it.
    pub restoring: Option<Rc<KeptCnnRun>>,
}

// Actions live for one dispatch; boxing the worker event would only add an allocation.
#[allow(clippy::large_enum_variant)]
pub enum CnnAction {
    /// The lesson was opened: load the data and a model, the first time.
    Open,
    /// Try loading the data again.
    RetryData,
    SetDraft(CnnSettings),
    /// Use the draft (if it can be trained): a new run.
    Apply,
    /// A new run with the applied settings.
    Reset,
    /// Settings read from the link, with what had to fall back to defaults.
    FromUrl {
        settings: CnnSettings,
        errors: Vec<CnnUrlError>,
    },
    Inspect(usize),
    /// The canvas changed; `None` when it is empty.
    Drawn(Option<Preprocessed>),
    ModelMessage(ModelMessage),
    Play,
    Pause,
    Step,
    /// Back to the last good step after the loss stopped being a number.
    RollBack,
    Evaluate,
    /// Save the model (answered by `CnnEvent::Exported`).
    Export,
    /// Replace the model by the saved one in these bytes.
    Import(Vec<u8>),
    /// Each shipped model's name and card (or why it could not be fetched), or why there is no
    /// list.
    Shipped(Result<Vec<Listed>, String>),
    /// Load the shipped model of this name.
    LoadShipped(String),
    /// The file of the shipped model `name` arrived (checked, then imported), or could not be
    /// fetched.
    ShippedArrived {
        name: String,
        result: Result<Arrived, ShippedProblem>,
    },
    Event(CnnEvent),
    WorkerCrashed,
    /// The run kept in the browser: looked up, kept (asked, or the tab hidden), saved.
    Kept(KeptAction),
    /// Resume the run kept in the browser.
    ResumeKept,
}

/// Training speed in images per second.
pub fn examples_per_second(steps_per_second: f64, batch_size: usize) -> f64 {
    if steps_per_second.is_finite() && steps_per_second > 0.0 {
        steps_per_second * batch_size as f64
    } else {
        0.0
    }
}

impl CnnState {
    pub fn new(settings: &CnnSettings, url_errors: Vec<CnnUrlError>) -> Self {
        Self {
            applied: settings.clone(),
            draft: settings.clone(),
            url_errors,
            ..Self::default()
        }
    }

    pub fn test_count(&self) -> Option<usize> {
        match self.data {
            DataStatus::Ready { test, .. } => Some(test),
            _ => None,
        }
    }

    /// The step the model has reached.
    pub fn step(&self) -> Option<u64> {
        match (&self.progress, &self.model) {
            (Some(progress), _) => Some(progress.step),
            (None, Some(model)) => Some(model.base_step),
            (None, None) => None,
        }
    }

    /// Whether the draft can be applied.
    pub fn draft_is_valid(&self) -> bool {
        self.draft.validate_for(IMAGE_SIDE, IMAGE_SIDE).is_empty()
    }

    fn predict_again(&mut self) {
        if self.drawing.is_some() && self.model.is_some() {
            self.requests.predict += 1;
        }
    }

    pub fn reduce(&mut self, action: CnnAction) {
        match action {
            CnnAction::Open => {
                if self.requests.data == 0 {
                    self.requests.data = 1;
                    self.requests.load += 1;
                    self.requests.shipped_list = 1;
                    self.shipped = ShippedList::Loading;
                    self.kept.look();
                    self.data = DataStatus::Loading {
                        loaded: 0,
                        total: 0,
                    };
                }
            }
            CnnAction::RetryData => {
                self.requests.data += 1;
                self.data = DataStatus::Loading {
                    loaded: 0,
                    total: 0,
                };
            }
            CnnAction::SetDraft(settings) => self.draft = settings,
            CnnAction::Apply => {
                if self.draft_is_valid() {
                    self.applied = self.draft.clone();
                    self.url_errors.clear();
                    self.rejected.clear();
                    self.new_run();
                }
            }
            CnnAction::Reset => {
                self.draft = self.applied.clone();
                self.new_run();
            }
            CnnAction::FromUrl { settings, errors } => {
                self.url_errors = errors;
                self.draft = settings.clone();
                if settings != self.applied {
                    self.applied = settings;
                    self.new_run();
                }
            }
            CnnAction::Inspect(index) => {
                let last = self.test_count().unwrap_or(1).saturating_sub(1);
                self.inspect_index = index.min(last);
                self.requests.inspect += 1;
            }
            CnnAction::Drawn(drawing) => {
                self.drawing = drawing.map(Rc::new);
                if self.drawing.is_none() {
                    self.prediction = None;
                    self.prediction_floor = self.requests.predict + 1;
                }
                self.predict_again();
            }
            CnnAction::ModelMessage(message) => self.model_message = Some(message),
            CnnAction::Play => self.requests.play += 1,
            CnnAction::Pause => self.requests.pause += 1,
            CnnAction::Step => self.requests.step += 1,
            CnnAction::RollBack => {
                if let Some((_, good)) = self.diverged.take() {
                    // The curves go back with the run; the worker reports from that step.
                    self.cut_curves_after(good);
                    self.requests.roll_back += 1;
                }
            }
            CnnAction::Evaluate => self.requests.evaluate += 1,
            CnnAction::Export => {
                self.model_message = Some(ModelMessage::Exporting);
                self.requests.export += 1;
            }
            CnnAction::Import(bytes) => {
                self.import = Some(Rc::new(bytes));
                self.requests.import += 1;
            }
            CnnAction::Shipped(list) => {
                self.shipped = match list.map(offers) {
                    Ok((models, unreadable)) => ShippedList::Ready {
                        models: Rc::new(models),
                        unreadable,
                    },
                    Err(message) => ShippedList::Failed(message),
                }
            }
            CnnAction::LoadShipped(name) => {
                let ShippedList::Ready { models, .. } = &self.shipped else {
                    return;
                };
                if let Some(model) = models.iter().find(|m| m.name == name) {
                    self.fetching = Some(Rc::new(model.clone()));
                    self.model_message = Some(ModelMessage::Fetching { name });
                    self.requests.shipped_file += 1;
                }
            }
            CnnAction::ShippedArrived { name, result } => self.shipped_arrived(name, result),
            CnnAction::Event(event) => self.on_event(event),
            CnnAction::Kept(action) => {
                let latest = self.checkpoint_step();
                self.kept.reduce(action, latest, KeptCnnRun::from_bytes)
            }
            CnnAction::ResumeKept => {
                if let Some(run) = self.kept.take() {
                    let checkpoint = Kept(Rc::new(run.checkpoint.clone()));
                    self.recovery = None;
                    self.resume = Some(checkpoint);
                    self.restoring = Some(run);
                    self.requests.load += 1;
                }
            }
            CnnAction::WorkerCrashed => {
                self.running = false;
                self.import = None;
                if self.model.is_some() {
                    // A resume still on its way is sent again to the next worker.
                    self.resume = self.resume.take().or_else(|| self.checkpoint.clone());
                    self.recovery = Some(match &self.resume {
                        Some(kept) => Recovery::Resuming { step: kept.0.step },
                        None => Recovery::Lost,
                    });
                }
            }
        }
    }

    /// The step of the run's latest checkpoint.
    fn checkpoint_step(&self) -> Option<u64> {
        self.checkpoint.as_ref().map(|kept| kept.0.step)
    }

    /// A fresh network with the applied settings: the old run's checkpoints go.
    fn new_run(&mut self) {
        self.diverged = None;
        self.checkpoint = None;
        self.resume = None;
        self.restoring = None;
        self.recovery = None;
        self.requests.load += 1;
    }

    /// Only the file asked for last counts; it is imported only if its card says it is this file.
    fn shipped_arrived(&mut self, name: String, result: Result<Arrived, ShippedProblem>) {
        let Some(model) = self.fetching.take_if(|m| m.name == name) else {
            return;
        };
        let checked = result.and_then(|arrived| {
            let sha256 = arrived.sha256.as_deref().map_err(String::as_str);
            check_file(&model, &arrived.bytes, sha256).map(|()| arrived.bytes)
        });
        match checked {
            Ok(bytes) => self.reduce(CnnAction::Import(bytes)),
            Err(problem) => {
                self.model_message = Some(ModelMessage::ShippedFailed { name, problem })
            }
        }
    }

    /// The run goes on from its checkpoint at `step`: what the page drew up to it stays, what
    /// came after it (lost with the worker) goes.
    fn resumed(
        &mut self,
        settings: CnnSettings,
        layers: Vec<LayerShape>,
        steps_per_epoch: u64,
        step: u64,
    ) {
        self.running = false;
        self.progress = None;
        self.recovery = Some(Recovery::Resumed { step });
        if let Some(run) = self.restoring.take() {
            self.recovery = Some(Recovery::Restored { step });
            // A run kept in the browser brings back the curves the page drew before the reload.
            self.loss = Rc::new(Series::from_points(run.curves.loss.clone()));
            self.quick = Rc::new(Series::from_points(run.curves.quick.clone()));
            self.full = Rc::new(Series::from_points(run.curves.full.clone()));
            self.latest_full = None;
        }
        self.diverged = None;
        self.cut_curves_after(step);
        self.applied = settings.clone();
        self.model = Some(Rc::new(LoadedModel {
            base_step: step,
            settings,
            layers,
            steps_per_epoch,
        }));
        self.checkpoint = self.resume.take();
        self.requests.inspect += 1;
        self.predict_again();
    }

    /// The run went back to `step` (a checkpoint, a roll back): what was drawn after it goes, and
    /// the accuracy shown is the last one measured up to it.
    fn cut_curves_after(&mut self, step: u64) {
        for series in [&mut self.loss, &mut self.quick, &mut self.full] {
            Rc::make_mut(series).points.retain(|&(s, _)| s <= step);
        }
        self.latest_quick = self.quick.points.last().copied();
        self.latest_full = self.latest_full.take().filter(|f| f.step <= step);
    }

    /// The run as it is kept in the browser: the latest checkpoint and the curves up to it.
    pub fn to_keep(&self) -> Option<KeptCnnRun> {
        let checkpoint = self.checkpoint.as_ref()?.0.as_ref().clone();
        let step = checkpoint.step;
        let upto = |series: &Series| -> Vec<(u64, f32)> {
            series
                .points
                .iter()
                .copied()
                .filter(|p| p.0 <= step)
                .collect()
        };
        let curves = CnnCurves {
            loss: upto(&self.loss),
            quick: upto(&self.quick),
            full: upto(&self.full),
        };
        Some(KeptCnnRun::new(checkpoint, curves))
    }

    pub fn on_event(&mut self, event: CnnEvent) {
        match event {
            CnnEvent::DataProgress { loaded, total } => {
                self.data = DataStatus::Loading { loaded, total }
            }
            CnnEvent::DataReady { train, test } => {
                self.data = DataStatus::Ready { train, test };
                self.inspect_index = self.inspect_index.min(test.saturating_sub(1));
            }
            CnnEvent::DataFailed { error } => self.data = DataStatus::Failed(error),
            CnnEvent::Loaded {
                settings,
                layers,
                steps_per_epoch,
                card,
            } => {
                self.running = false;
                self.diverged = None;
                self.progress = None;
                self.loss = Rc::default();
                self.quick = Rc::default();
                self.full = Rc::default();
                self.latest_quick = None;
                self.latest_full = None;
                self.inspection = None;
                self.rejected.clear();
                self.prediction = None;
                self.prediction_floor = self.requests.predict + 1;
                self.model_message = card.as_ref().map(|_| ModelMessage::Imported);
                if card.is_some() {
                    self.import = None;
                }
                // The page shows the model the worker holds; edits in progress stay.
                if card.is_some() || self.draft == self.applied {
                    self.draft = settings.clone();
                }
                self.applied = settings.clone();
                self.model = Some(Rc::new(LoadedModel {
                    base_step: card.as_ref().map_or(0, |c| c.steps),
                    settings,
                    layers,
                    steps_per_epoch,
                }));
                self.card = card;
                self.checkpoint = None;
                self.no_checkpoints = None;
                if !matches!(self.recovery, Some(Recovery::Lost | Recovery::Failed(_))) {
                    self.recovery = None;
                }
                self.requests.inspect += 1;
                self.predict_again();
            }
            CnnEvent::Rejected { problems } => self.rejected = problems,
            CnnEvent::Running { running } => self.running = running,
            CnnEvent::Progress { progress } => {
                // A loss that is not a number has no place on the chart; the notice says why.
                if progress.batch_loss.is_finite() {
                    Rc::make_mut(&mut self.loss).push(progress.step, progress.batch_loss);
                }
                self.progress = Some(progress);
            }
            CnnEvent::Evaluated {
                step,
                full,
                evaluation,
                gallery,
            } => {
                if full {
                    Rc::make_mut(&mut self.full).push(step, evaluation.accuracy);
                    self.latest_full = Some(Rc::new(FullEvaluation {
                        step,
                        evaluation,
                        gallery,
                    }));
                } else {
                    Rc::make_mut(&mut self.quick).push(step, evaluation.accuracy);
                    self.latest_quick = Some((step, evaluation.accuracy));
                }
                self.predict_again();
            }
            CnnEvent::Inspected { inspection } => {
                if inspection.test_index == self.inspect_index {
                    self.inspection = Some(Rc::new(inspection));
                }
            }
            CnnEvent::Predicted { id, probabilities } => {
                let newer = self.prediction.as_ref().is_none_or(|p| id > p.id);
                if id >= self.prediction_floor && newer && self.drawing.is_some() {
                    self.prediction = Some(Prediction { id, probabilities });
                }
            }
            CnnEvent::Exported { card, .. } => {
                self.card = Some(card);
                self.model_message = Some(ModelMessage::Exported);
            }
            CnnEvent::ImportFailed { error } => {
                self.import = None;
                self.model_message = Some(ModelMessage::ImportFailed(error))
            }
            CnnEvent::Checkpoint { checkpoint } => {
                self.checkpoint = Some(Kept(Rc::new(checkpoint)));
            }
            CnnEvent::NoCheckpoint { error } => self.no_checkpoints = Some(error),
            CnnEvent::Diverged { step, good_step } => {
                self.running = false;
                self.diverged = Some((step, good_step));
            }
            CnnEvent::Resumed {
                settings,
                layers,
                steps_per_epoch,
                step,
            } => self.resumed(settings, layers, steps_per_epoch, step),
            CnnEvent::ResumeFailed { error } => {
                self.resume = None;
                self.restoring = None;
                self.checkpoint = None;
                self.recovery = Some(Recovery::Failed(error));
                self.requests.load += 1;
            }
        }
    }
}

impl KeepsRun for CnnState {
    type Run = KeptCnnRun;
    const KEY: &'static str = KEPT_KEY;

    fn kept(&self) -> &KeptRun<KeptCnnRun> {
        &self.kept
    }

    fn run_to_keep(&self) -> Option<(u64, Vec<u8>)> {
        let run = self.to_keep()?;
        Some((run.checkpoint.step, run.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::cnn::shipped;
    use crate::lessons::kept_run::{KeepMessage, KeptInBrowser};
    use kindling_engine::common::resume::KeptCheckpoint;
    use kindling_engine::lessons::cnn::config::CnnEvaluation;
    use kindling_engine::lessons::cnn::resume::KeptRunError;

    fn loaded(card: Option<ModelCard>) -> CnnEvent {
        let settings = CnnSettings::default();
        CnnEvent::Loaded {
            layers: settings.layer_shapes(28, 28).unwrap(),
            settings,
            steps_per_epoch: 938,
            card,
        }
    }

    fn progress(step: u64) -> CnnEvent {
        CnnEvent::Progress {
            progress: CnnProgress {
                step,
                total_steps: 1876,
                epoch: 0,
                epoch_progress: 0.1,
                batch_loss: 0.5,
                elapsed_ms: 10.0,
                steps_per_second: 20.0,
                finished: false,
            },
        }
    }

    fn evaluated(step: u64, full: bool, accuracy: f32) -> CnnEvent {
        CnnEvent::Evaluated {
            step,
            full,
            evaluation: CnnEvaluation {
                count: if full { 10_000 } else { 1_000 },
                loss: 0.3,
                accuracy,
                confusion: vec![0; 100],
                misclassified: Vec::new(),
            },
            gallery: Vec::new(),
        }
    }

    fn drawing() -> Preprocessed {
        Preprocessed {
            image: vec![0.5; 784],
            bbox: [0, 0, 10, 10],
            drawing_center_of_mass: [5.0, 5.0],
            center_of_mass: [14.0, 14.0],
        }
    }

    #[test]
    fn opening_asks_for_data_and_a_model_once() {
        let applied = CnnSettings::default();
        let mut state = CnnState::new(&applied, Vec::new());
        state.reduce(CnnAction::Open);
        state.reduce(CnnAction::Open);
        assert_eq!((state.requests.data, state.requests.load), (1, 1));
        state.on_event(CnnEvent::DataProgress {
            loaded: 5,
            total: 10,
        });
        assert_eq!(
            state.data,
            DataStatus::Loading {
                loaded: 5,
                total: 10
            }
        );
        state.on_event(CnnEvent::DataReady {
            train: 60_000,
            test: 10_000,
        });
        assert_eq!(state.test_count(), Some(10_000));
    }

    #[test]
    fn a_loss_that_stops_being_a_number_pauses_and_a_roll_back_cuts_the_curves_back() {
        let mut state = CnnState::new(&CnnSettings::default(), Vec::new());
        state.on_event(loaded(None));
        state.on_event(CnnEvent::Running { running: true });
        for step in [10, 20, 30] {
            state.on_event(progress(step));
            state.on_event(evaluated(step, false, 0.5));
        }
        let mut blown = progress(40);
        if let CnnEvent::Progress { progress } = &mut blown {
            progress.batch_loss = f32::NAN;
        }
        state.on_event(blown);
        assert_eq!(state.loss.points.len(), 3, "no NaN on the chart");
        assert_eq!(state.step(), Some(40));
        // Nothing to roll back before the worker says the run diverged.
        state.reduce(CnnAction::RollBack);
        assert_eq!(state.requests.roll_back, 0);
        state.on_event(CnnEvent::Diverged {
            step: 40,
            good_step: 20,
        });
        assert!(!state.running);
        assert_eq!(state.diverged, Some((40, 20)));

        state.reduce(CnnAction::RollBack);
        assert_eq!((state.requests.roll_back, state.diverged), (1, None));
        let steps = |series: &Series| series.points.iter().map(|p| p.0).collect::<Vec<_>>();
        assert_eq!(steps(&state.loss), [10, 20]);
        assert_eq!(steps(&state.quick), [10, 20]);
        assert_eq!(state.latest_quick, Some((20, 0.5)));
        state.on_event(progress(20));
        assert_eq!(state.step(), Some(20));
        state.reduce(CnnAction::RollBack);
        assert_eq!(state.requests.roll_back, 1, "once");

        // A new run, or a resumed one, has nothing to roll back.
        for next in [CnnAction::Reset, CnnAction::Event(resumed(10))] {
            state.on_event(CnnEvent::Diverged {
                step: 40,
                good_step: 20,
            });
            state.reduce(next);
            assert_eq!(state.diverged, None);
        }
    }

    #[test]
    fn a_new_load_resets_the_run() {
        let applied = CnnSettings::default();
        let mut state = CnnState::new(&applied, Vec::new());
        state.on_event(loaded(None));
        assert_eq!(state.step(), Some(0));
        assert_eq!(state.requests.inspect, 1);
        state.on_event(CnnEvent::Running { running: true });
        for step in [10, 20, 30] {
            state.on_event(progress(step));
        }
        state.on_event(evaluated(200, false, 0.8));
        state.on_event(evaluated(938, true, 0.95));
        assert_eq!(state.loss.points.len(), 3);
        assert_eq!(state.latest_quick, Some((200, 0.8)));
        assert_eq!(state.latest_full.as_ref().map(|f| f.step), Some(938));
        assert_eq!(state.step(), Some(30));
        state.on_event(loaded(None));
        assert!(!state.running);
        assert!(state.loss.points.is_empty() && state.quick.points.is_empty());
        assert!(state.latest_full.is_none() && state.latest_quick.is_none());
        assert_eq!(state.step(), Some(0));
        assert_eq!(state.requests.inspect, 2);
        // The worker's settings win (a restarted worker, a late answer), edits stay.
        let edited = CnnSettings {
            dense: 16,
            ..CnnSettings::default()
        };
        state.reduce(CnnAction::SetDraft(edited.clone()));
        let other = CnnSettings {
            seed: 9,
            ..CnnSettings::default()
        };
        state.on_event(CnnEvent::Loaded {
            layers: other.layer_shapes(28, 28).unwrap(),
            settings: other.clone(),
            steps_per_epoch: 938,
            card: None,
        });
        assert_eq!(
            (state.applied.clone(), state.draft.clone()),
            (other, edited)
        );
    }

    #[test]
    fn an_imported_model_brings_its_settings_and_steps() {
        let applied = CnnSettings::default();
        let mut state = CnnState::new(&applied, Vec::new());
        let settings = CnnSettings {
            epochs: 5,
            ..CnnSettings::default()
        };
        let card = ModelCard {
            format: 1,
            model: "cnn".into(),
            settings: settings.clone(),
            image: [28, 28],
            data: "MNIST".into(),
            epochs_trained: 1.0,
            steps: 938,
            test_accuracy: Some(0.97),
            seed: 1,
            parameters: Vec::new(),
            weights_sha256: String::new(),
            created_by: "Kindling".into(),
            provenance: None,
        };
        state.on_event(CnnEvent::Loaded {
            layers: settings.layer_shapes(28, 28).unwrap(),
            settings: settings.clone(),
            steps_per_epoch: 938,
            card: Some(card.clone()),
        });
        assert_eq!(state.applied, settings);
        assert_eq!(state.draft, settings);
        assert_eq!(state.step(), Some(938));
        assert_eq!(state.card, Some(card.clone()));
        assert_eq!(state.model_message, Some(ModelMessage::Imported));
        // A refused file leaves the model alone.
        assert_eq!(model_file_name(&card), "kindling-cnn-97.0.safetensors");
        let untested = ModelCard {
            test_accuracy: None,
            ..card.clone()
        };
        assert_eq!(
            model_file_name(&untested),
            "kindling-cnn-untested.safetensors"
        );
        state.on_event(CnnEvent::ImportFailed {
            error: CheckpointError::NotAModel,
        });
        assert_eq!(
            state.model_message,
            Some(ModelMessage::ImportFailed(CheckpointError::NotAModel))
        );
        assert!(state.model.is_some());
    }

    #[test]
    fn stale_predictions_are_dropped() {
        let applied = CnnSettings::default();
        let mut state = CnnState::new(&applied, Vec::new());
        // No model yet: nothing to ask.
        state.reduce(CnnAction::Drawn(Some(drawing())));
        assert_eq!(state.requests.predict, 0);
        state.on_event(loaded(None));
        assert_eq!(state.requests.predict, 1);
        state.reduce(CnnAction::Drawn(Some(drawing())));
        state.reduce(CnnAction::Drawn(Some(drawing())));
        assert_eq!(state.requests.predict, 3);
        let answer = |id, digit: usize| {
            let mut probabilities = vec![0.0; 10];
            probabilities[digit] = 1.0;
            CnnEvent::Predicted { id, probabilities }
        };
        state.on_event(answer(2, 7));
        assert_eq!(
            state.prediction.as_ref().and_then(Prediction::digit),
            Some(7)
        );
        state.on_event(answer(3, 1));
        state.on_event(answer(1, 4));
        assert_eq!(state.prediction.as_ref().map(|p| p.id), Some(3));
        assert_eq!(
            state.prediction.as_ref().and_then(Prediction::digit),
            Some(1)
        );
        // Clearing the canvas forgets the answer, and answers still on their way.
        state.reduce(CnnAction::Drawn(None));
        assert!(state.prediction.is_none());
        state.on_event(answer(3, 1));
        assert!(state.prediction.is_none());
        // A new model answers anew.
        state.reduce(CnnAction::Drawn(Some(drawing())));
        state.on_event(answer(4, 2));
        state.on_event(loaded(None));
        assert!(state.prediction.is_none());
        assert_eq!(state.requests.predict, 5);
        state.on_event(answer(4, 2));
        assert!(state.prediction.is_none());
        state.on_event(answer(5, 2));
        assert_eq!(state.prediction.as_ref().map(|p| p.id), Some(5));
    }

    #[test]
    fn inspections_of_other_images_are_dropped() {
        let applied = CnnSettings::default();
        let mut state = CnnState::new(&applied, Vec::new());
        state.on_event(CnnEvent::DataReady { train: 10, test: 5 });
        state.reduce(CnnAction::Inspect(99));
        assert_eq!(state.inspect_index, 4);
        let inspection = |test_index| CnnEvent::Inspected {
            inspection: Inspection {
                test_index,
                label: 3,
                image: vec![0; 784],
                probabilities: vec![0.1; 10],
                filters: Vec::new(),
                maps: Vec::new(),
            },
        };
        state.on_event(inspection(2));
        assert!(state.inspection.is_none());
        state.on_event(inspection(4));
        assert_eq!(state.inspection.as_ref().map(|i| i.test_index), Some(4));
    }

    #[test]
    fn only_valid_drafts_are_applied() {
        let applied = CnnSettings::default();
        let mut state = CnnState::new(&applied, Vec::new());
        let mut bad = CnnSettings::default();
        bad.blocks[0].kernel = 29;
        bad.blocks[0].padding = 0;
        state.reduce(CnnAction::SetDraft(bad));
        assert!(!state.draft_is_valid());
        state.reduce(CnnAction::Apply);
        assert_eq!(
            (state.applied.clone(), state.requests.load),
            (CnnSettings::default(), 0)
        );
        let good = CnnSettings {
            dense: 32,
            ..CnnSettings::default()
        };
        state.reduce(CnnAction::SetDraft(good.clone()));
        state.reduce(CnnAction::Apply);
        assert_eq!(
            (state.applied.clone(), state.requests.load),
            (good.clone(), 1)
        );
        // The same settings from the link change nothing; others start a new run.
        state.reduce(CnnAction::FromUrl {
            settings: good,
            errors: Vec::new(),
        });
        assert_eq!(state.requests.load, 1);
        state.reduce(CnnAction::FromUrl {
            settings: CnnSettings::default(),
            errors: Vec::new(),
        });
        assert_eq!(state.requests.load, 2);
    }

    #[test]
    fn a_shipped_model_loads_only_when_its_file_is_the_one_its_card_describes() {
        let mut state = CnnState::new(&CnnSettings::default(), Vec::new());
        state.reduce(CnnAction::Open);
        state.reduce(CnnAction::Open);
        assert_eq!(state.requests.shipped_list, 1, "the list is fetched once");
        assert_eq!(state.shipped, ShippedList::Loading);
        let name = "mnist-classifier".to_string();
        // Nothing to load before the list arrives.
        state.reduce(CnnAction::LoadShipped(name.clone()));
        assert_eq!(
            (state.requests.shipped_file, state.model_message.clone()),
            (0, None)
        );

        let sha = "ab".repeat(32);
        let card = shipped::tests::card();
        let listed = vec![
            (
                name.clone(),
                Ok(shipped::tests::shipped_json(&card, &sha, 4)),
            ),
            ("gone".to_string(), Err("HTTP 404".to_string())),
        ];
        state.reduce(CnnAction::Shipped(Ok(listed)));
        let ShippedList::Ready { models, unreadable } = &state.shipped else {
            panic!("{:?}", state.shipped);
        };
        assert_eq!(models.len(), 1);
        assert_eq!(unreadable, &["gone (HTTP 404)".to_string()]);
        state.on_event(loaded(None));
        state.reduce(CnnAction::LoadShipped("not-shipped".into()));
        assert_eq!(state.requests.shipped_file, 0);

        let arrived = |sha256: &str| {
            Ok(Arrived {
                bytes: vec![1, 2, 3, 4],
                sha256: Ok(sha256.to_string()),
            })
        };
        let failed = |problem| {
            Some(ModelMessage::ShippedFailed {
                name: name.clone(),
                problem,
            })
        };
        // A damaged file: a message, nothing sent to the worker, the model stays.
        state.reduce(CnnAction::LoadShipped(name.clone()));
        assert_eq!(state.requests.shipped_file, 1);
        assert_eq!(
            state.fetching.as_ref().map(|m| m.name.as_str()),
            Some("mnist-classifier")
        );
        assert_eq!(
            state.model_message,
            Some(ModelMessage::Fetching { name: name.clone() })
        );
        state.reduce(CnnAction::ShippedArrived {
            name: name.clone(),
            result: arrived(&"cd".repeat(32)),
        });
        assert_eq!(
            state.model_message,
            failed(ShippedProblem::ChecksumMismatch)
        );
        assert!(
            state
                .model_message
                .as_ref()
                .is_some_and(ModelMessage::is_failure)
        );
        assert_eq!((state.requests.import, state.import.clone()), (0, None));
        assert!(state.model.is_some() && state.fetching.is_none());
        // An answer nobody waits for any more is dropped.
        state.reduce(CnnAction::ShippedArrived {
            name: name.clone(),
            result: arrived(&sha),
        });
        assert_eq!(state.requests.import, 0);

        // A missing file.
        state.reduce(CnnAction::LoadShipped(name.clone()));
        let unreachable = ShippedProblem::Unreachable {
            message: "HTTP 404".into(),
        };
        state.reduce(CnnAction::ShippedArrived {
            name: name.clone(),
            result: Err(unreachable.clone()),
        });
        assert_eq!(state.model_message, failed(unreachable));
        assert_eq!(state.requests.import, 0);

        // The right file goes to the worker through the same path as a chosen file.
        state.reduce(CnnAction::LoadShipped(name.clone()));
        assert_eq!(state.requests.shipped_file, 3);
        state.reduce(CnnAction::ShippedArrived {
            name: name.clone(),
            result: arrived(&sha),
        });
        assert_eq!(state.requests.import, 1);
        assert_eq!(state.import.as_deref(), Some(&vec![1, 2, 3, 4]));

        let mut unlisted = CnnState::default();
        unlisted.reduce(CnnAction::Shipped(Err("HTTP 404".into())));
        assert_eq!(unlisted.shipped, ShippedList::Failed("HTTP 404".into()));
    }

    fn checkpoint(step: u64) -> CnnEvent {
        CnnEvent::Checkpoint {
            checkpoint: CnnCheckpoint {
                settings: CnnSettings::default(),
                step,
                elapsed_ms: 1.0,
                batch_loss: 0.5,
                test_accuracy: None,
                model: vec![1, 2, 3],
                optimizer: vec![4],
            },
        }
    }

    fn resumed(step: u64) -> CnnEvent {
        let settings = CnnSettings::default();
        CnnEvent::Resumed {
            layers: settings.layer_shapes(28, 28).unwrap(),
            settings,
            steps_per_epoch: 938,
            step,
        }
    }

    #[test]
    fn a_crashed_run_resumes_from_its_latest_checkpoint_with_its_curves_up_to_it() {
        let mut state = CnnState::new(&CnnSettings::default(), Vec::new());
        state.reduce(CnnAction::Open);
        state.on_event(loaded(None));
        // No checkpoint yet: the run is lost, a fresh one is asked for as before.
        state.reduce(CnnAction::WorkerCrashed);
        assert_eq!(state.recovery, Some(Recovery::Lost));
        assert!(state.resume.is_none());

        state.on_event(loaded(None));
        assert_eq!(state.recovery, Some(Recovery::Lost), "said until a new run");
        for step in [10, 20, 30, 40] {
            state.on_event(progress(step));
            state.on_event(evaluated(step, false, step as f32 / 100.0));
        }
        state.on_event(checkpoint(20));
        state.on_event(checkpoint(30));
        assert_eq!(state.checkpoint.as_ref().map(|k| k.0.step), Some(30));
        state.reduce(CnnAction::WorkerCrashed);
        assert_eq!(state.recovery, Some(Recovery::Resuming { step: 30 }));
        assert_eq!(state.resume.as_ref().map(|k| k.0.step), Some(30));
        // A second crash before the resume arrived sends the same checkpoint again.
        state.reduce(CnnAction::WorkerCrashed);
        assert_eq!(state.resume.as_ref().map(|k| k.0.step), Some(30));

        state.on_event(resumed(30));
        assert_eq!(state.recovery, Some(Recovery::Resumed { step: 30 }));
        assert!(state.resume.is_none() && !state.running);
        assert_eq!(state.checkpoint.as_ref().map(|k| k.0.step), Some(30));
        assert_eq!(state.step(), Some(30));
        let steps = |series: &Series| series.points.iter().map(|p| p.0).collect::<Vec<_>>();
        assert_eq!(steps(&state.loss), [10, 20, 30]);
        assert_eq!(steps(&state.quick), [10, 20, 30]);
        assert_eq!(state.latest_quick, Some((30, 0.3)));
        // Training goes on from there.
        state.on_event(progress(31));
        assert_eq!(steps(&state.loss), [10, 20, 30, 31]);

        // A checkpoint that cannot be resumed: said, and a fresh network asked for.
        state.on_event(checkpoint(40));
        state.reduce(CnnAction::WorkerCrashed);
        let load = state.requests.load;
        state.on_event(CnnEvent::ResumeFailed {
            error: ResumeError::BadSettings,
        });
        assert_eq!(
            state.recovery,
            Some(Recovery::Failed(ResumeError::BadSettings))
        );
        assert_eq!(state.requests.load, load + 1);
        assert!(state.resume.is_none() && state.checkpoint.is_none());

        // A new run forgets the old run's checkpoint.
        state.on_event(loaded(None));
        state.on_event(checkpoint(5));
        state.reduce(CnnAction::Reset);
        assert!(state.checkpoint.is_none() && state.recovery.is_none());
        state.reduce(CnnAction::WorkerCrashed);
        assert!(state.resume.is_none());
    }

    #[test]
    fn a_run_kept_in_the_browser_comes_back_with_its_curves_or_a_message() {
        let mut state = CnnState::new(&CnnSettings::default(), Vec::new());
        state.reduce(CnnAction::Open);
        assert_eq!(
            (state.kept.lookups, state.kept.found.clone()),
            (1, KeptInBrowser::Looking)
        );
        state.reduce(CnnAction::Kept(KeptAction::Looked(Ok(None))));
        assert_eq!(state.kept.found, KeptInBrowser::Nothing);
        state.on_event(loaded(None));
        // Nothing to keep before the first checkpoint.
        state.reduce(CnnAction::Kept(KeptAction::Keep));
        assert_eq!(state.kept.message, Some(KeepMessage::NothingYet));
        assert_eq!(state.kept.keeps, 0);
        state.reduce(CnnAction::Kept(KeptAction::TabHidden));
        assert_eq!(state.kept.keeps, 0);

        for step in [10, 20, 30] {
            state.on_event(progress(step));
            state.on_event(evaluated(step, false, 0.5));
        }
        state.on_event(checkpoint(20));
        state.reduce(CnnAction::Kept(KeptAction::Keep));
        assert_eq!(state.kept.keeps, 1);
        let kept = state.to_keep().expect("a checkpoint to keep");
        assert_eq!(kept.checkpoint.step, 20);
        let steps = |points: &[(u64, f32)]| points.iter().map(|p| p.0).collect::<Vec<_>>();
        assert_eq!(
            steps(&kept.curves.loss),
            [10, 20],
            "the curves up to the checkpoint"
        );
        state.reduce(CnnAction::Kept(KeptAction::Saved(Ok(20))));
        assert_eq!(
            state.kept.message,
            Some(KeepMessage::Kept {
                at: 20,
                hidden: false
            })
        );
        // Hidden: kept again only when there is a newer checkpoint.
        state.reduce(CnnAction::Kept(KeptAction::TabHidden));
        assert_eq!(state.kept.keeps, 1);
        state.on_event(checkpoint(30));
        state.reduce(CnnAction::Kept(KeptAction::TabHidden));
        assert_eq!(state.kept.keeps, 2);
        state.reduce(CnnAction::Kept(KeptAction::Saved(Err("quota".into()))));
        assert_eq!(
            state.kept.message,
            Some(KeepMessage::Failed("quota".into()))
        );

        // After a reload: the kept bytes are offered, then resumed with their curves.
        let bytes = kept.to_bytes();
        let mut reloaded = CnnState::new(&CnnSettings::default(), Vec::new());
        reloaded.reduce(CnnAction::Open);
        reloaded.reduce(CnnAction::Kept(KeptAction::Looked(Ok(Some(bytes)))));
        assert!(
            matches!(&reloaded.kept.found, KeptInBrowser::Found(run) if run.checkpoint.step == 20)
        );
        reloaded.on_event(loaded(None));
        let load = reloaded.requests.load;
        reloaded.reduce(CnnAction::ResumeKept);
        assert_eq!(reloaded.requests.load, load + 1);
        assert_eq!(reloaded.resume.as_ref().map(|k| k.0.step), Some(20));
        assert_eq!(reloaded.kept.found, KeptInBrowser::Nothing, "offered once");
        reloaded.on_event(resumed(20));
        assert_eq!(reloaded.recovery, Some(Recovery::Restored { step: 20 }));
        assert_eq!(steps(&reloaded.loss.points), [10, 20]);
        assert_eq!(reloaded.step(), Some(20));
        assert_eq!(reloaded.checkpoint.as_ref().map(|k| k.0.step), Some(20));

        // Damaged bytes, another format, or no storage: a message, nothing offered.
        let mut damaged = CnnState::default();
        // This format's number, then junk.
        let junk = vec![CnnCheckpoint::KEPT_FORMAT as u8, 2, 3];
        damaged.reduce(CnnAction::Kept(KeptAction::Looked(Ok(Some(junk)))));
        assert!(matches!(
            damaged.kept.found,
            KeptInBrowser::Unreadable(KeptRunError::Unreadable { .. })
        ));
        let mut newer = kept.clone();
        newer.format = 7;
        damaged.reduce(CnnAction::Kept(KeptAction::Looked(Ok(Some(
            newer.to_bytes(),
        )))));
        assert_eq!(
            damaged.kept.found,
            KeptInBrowser::Unreadable(KeptRunError::OtherFormat { format: 7 })
        );
        damaged.reduce(CnnAction::Kept(KeptAction::Looked(Err("blocked".into()))));
        assert_eq!(
            damaged.kept.found,
            KeptInBrowser::Unavailable("blocked".into())
        );
        damaged.reduce(CnnAction::ResumeKept);
        assert_eq!(damaged.requests.load, 0);
    }

    #[test]
    fn helpers() {
        assert_eq!(examples_per_second(12.5, 64), 800.0);
        assert_eq!(examples_per_second(f64::NAN, 64), 0.0);
    }
}
