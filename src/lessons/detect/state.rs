//! The detection project's part of the page state, and how learner actions and worker events
//! change it. Messages to the worker are not sent from here: the reducer counts requests, and
//! `effects.rs` sends one message each time a counter moves.

use std::rc::Rc;

use kindling_engine::common::model_card::ModelFileError;
use kindling_engine::lessons::detect::boxes::Detection;
use kindling_engine::lessons::detect::card::DetectCard;
use kindling_engine::lessons::detect::config::{
    DetectEvaluation, DetectProblem, DetectSettings, Prediction, StepLosses,
};
use kindling_engine::lessons::detect::data::Level;
use kindling_engine::lessons::detect::map::MapReport;
use kindling_engine::lessons::detect::messages::{DetectEvent, ShownCanvas, ShownMany};
use kindling_engine::lessons::detect::resume::{DetectCheckpoint, KeptDetectRun};
use kindling_engine::models::resnet::ResnetSettings;

use crate::lessons::checkpoints::{AtIteration, Checkpoints};
use crate::lessons::data_load::LoadFailure;
use crate::lessons::detect::fields::DetectField;
use crate::lessons::kept_run::{KeptAction, KeptRun};
use crate::widgets::series::Series;

/// Loss points kept for the charts.
const MAX_POINTS: usize = 300;
/// Test canvases shown at a time.
pub const SHOWN: usize = 8;
/// The largest file read as a detector (a detector on the shipped backbone is under 1 MB).
pub const MAX_MODEL_BYTES: u64 = 10_000_000;

/// What became of the latest model file, or of the shipped detector.
#[derive(Clone, Debug, PartialEq)]
pub enum FileNote {
    Loaded {
        shipped: bool,
        steps: u64,
        /// The file's head is the other level's: the lesson moved to this level.
        moved_to: Option<Level>,
    },
    Refused(ModelFileError),
    TooLarge {
        bytes: u64,
    },
    Unreadable(String),
    /// The shipped detector could not be fetched.
    Unavailable(String),
}

/// How many times each message has been asked for; a change sends it.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Requests {
    pub prepare: u64,
    pub run: u64,
    pub play: u64,
    pub pause: u64,
    pub show: u64,
    pub detect: u64,
    pub use_shipped: u64,
    pub export: u64,
    pub import: u64,
    /// The run's checkpoint to a new worker, after the last one stopped.
    pub resume: u64,
    /// `RollBack` after a loss stopped being a number.
    pub roll_back: u64,
}

/// What the worker loaded.
#[derive(Clone, Debug, PartialEq)]
pub struct Loaded {
    pub backbone_parameters: u64,
    pub backbone: ResnetSettings,
    pub train_digits: usize,
    pub test_digits: usize,
}

/// The run on screen.
#[derive(Clone, Debug, PartialEq)]
pub struct Run {
    pub settings: DetectSettings,
    /// One digit a canvas (the class-and-box head) or several (the CenterNet-style head).
    pub level: Level,
    /// Parameters that train and that are frozen, as the worker counted them at the start.
    pub trained: u64,
    pub frozen: u64,
    /// The step from which the backbone trained too, once it has.
    pub unfrozen_at: Option<u64>,
    /// The step the run began at: 0, or the loaded detector's steps.
    pub first: u64,
    /// The last chunk's step, of `steps`, and its speed.
    pub step: u64,
    pub steps: u64,
    pub steps_per_second: f64,
    pub losses: Rc<Series<StepLosses, MAX_POINTS>>,
    /// Live scores on a few test canvases.
    pub scores: Vec<(u64, DetectEvaluation)>,
    /// The final score and the training's wall time.
    pub finished: Option<(DetectEvaluation, f64)>,
    /// Level two: live mAP@0.5 on a few test canvases, the latest live report, and the final
    /// report with the training's wall time.
    pub maps: Vec<(u64, f32)>,
    pub map_live: Option<MapReport>,
    pub map_finished: Option<(MapReport, f64)>,
}

impl Run {
    /// The run went back to `step` (after a loss stopped being a number): what was drawn after
    /// it goes, and an unfreezing after it had not happened yet.
    fn cut_after(&mut self, step: u64) {
        Rc::make_mut(&mut self.losses)
            .points
            .retain(|&(s, _)| s <= step);
        self.scores.retain(|&(s, _)| s <= step);
        self.maps.retain(|&(s, _)| s <= step);
        self.map_live = None;
        // The backbone unfreezes before step `at` is taken.
        self.unfrozen_at = self.unfrozen_at.filter(|&at| at < step);
    }

    pub(super) fn new(settings: DetectSettings, level: Level, trained: u64, frozen: u64) -> Self {
        Self {
            steps: settings.steps as u64,
            settings,
            level,
            trained,
            frozen,
            unfrozen_at: None,
            first: 0,
            step: 0,
            steps_per_second: 0.0,
            losses: Rc::default(),
            scores: Vec::new(),
            finished: None,
            maps: Vec::new(),
            map_live: None,
            map_finished: None,
        }
    }
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct DetectState {
    /// The settings the link shows and the next run uses.
    pub settings: DetectSettings,
    /// The level the link shows and the next run trains.
    pub level: Level,
    /// Link keys whose values were refused.
    pub refused: Vec<String>,
    /// Fields whose text cannot be used right now (their last good value is in `settings`).
    pub unusable: Vec<DetectField>,
    /// The worker refused the settings.
    pub rejected: Vec<DetectProblem>,
    pub requests: Requests,
    /// Bytes of the backbone and data received so far, while loading.
    pub loading: Option<(u64, u64)>,
    pub loaded: Option<Loaded>,
    /// Why the backbone or the data could not be loaded.
    pub failed: Option<LoadFailure>,
    /// Settings and level sent with the last run request, until the worker starts it.
    pub asked: Option<DetectSettings>,
    pub asked_level: Level,
    /// Whether the last run request trains the held detector further.
    pub asked_further: bool,
    /// The level of the detector the worker holds that a run trains further: one loaded from a
    /// file (or the shipped one), or one trained further from it. None after a fresh run.
    pub further: Option<Level>,
    pub run: Option<Run>,
    pub running: bool,
    /// A loss stopped being a number: (at which step, the step a roll back returns to).
    pub diverged: Option<(u64, u64)>,
    /// The first test canvas shown, and the canvases with both boxes.
    pub show_first: u64,
    pub shown: Vec<ShownCanvas>,
    /// Level two's shown test canvases.
    pub shown_many: Vec<ShownMany>,
    /// The learner's 64 × 64 canvas and what the detector says about it.
    pub drawing: Option<Rc<Vec<u8>>>,
    pub detected: Option<Prediction>,
    /// Where the spatial head looked on the drawing (empty for the pooled head).
    pub detected_heat: Rc<Vec<f32>>,
    /// The multi-digit detector's boxes on the drawing.
    pub detected_many: Option<Vec<Detection>>,
    /// Whether the worker holds the run's detector (a new worker does not).
    pub detector: bool,
    /// The card of the detector loaded or saved last, and whether it is the shipped one.
    pub card: Option<Rc<DetectCard>>,
    pub card_shipped: bool,
    /// The model file to load next.
    pub import_bytes: Rc<Vec<u8>>,
    /// The latest saved model file, and how many have been saved (a change downloads it).
    pub saved: (u64, Rc<Vec<u8>>),
    pub file_note: Option<FileNote>,
    /// The run's checkpoints, and what became of it after a worker stopped.
    pub checkpoints: Checkpoints<DetectCheckpoint>,
    /// The run kept in this browser, and the learner's requests to keep this one.
    pub kept: KeptRun<KeptDetectRun>,
    /// The kept run being resumed: its curves come back with it.
    pub restoring: Option<Rc<KeptDetectRun>>,
}

impl AtIteration for DetectCheckpoint {
    fn iterations(&self) -> u64 {
        self.step
    }
}

#[derive(Clone, Debug, PartialEq)]
pub enum DetectAction {
    FromUrl {
        settings: DetectSettings,
        level: Level,
        refused: Vec<String>,
    },
    /// One digit a canvas or several, for the next run.
    SetLevel(Level),
    /// The page opened: the backbone and the data are fetched unless they are here.
    Open,
    SetSettings(DetectSettings),
    /// Whether a field's text can be used, as the learner types.
    FieldValid(DetectField, bool),
    Retry,
    /// Train: the held detector further when it was loaded (see [`DetectState::trains_further`]),
    /// or a new one.
    Run,
    /// Train a new detector, even when a loaded one could train further.
    RunFresh,
    Play,
    Pause,
    /// Back to the last good step after a loss stopped being a number.
    RollBack,
    /// The next test canvases.
    ShowNext,
    /// The learner's canvas changed (None: wiped).
    Drawn(Option<Vec<u8>>),
    /// Replace the detector with the shipped one.
    UseShipped,
    /// Save the detector as a file.
    Export,
    /// Load a detector from a model file.
    Import(Vec<u8>),
    FileNote(FileNote),
    Event(DetectEvent),
    WorkerLost,
    /// The run kept in the browser: looked up, kept (asked, or the tab hidden), saved.
    Kept(KeptAction),
    /// Resume the run kept in the browser.
    ResumeKept,
}

impl DetectState {
    fn fail(&mut self, failure: LoadFailure) {
        self.failed = Some(failure);
        self.loading = None;
        self.asked = None;
        self.running = false;
    }

    pub fn new(settings: DetectSettings, level: Level, refused: Vec<String>) -> Self {
        Self {
            settings,
            level,
            refused,
            ..Self::default()
        }
    }

    /// Whether the settings can be run as they stand.
    pub fn can_run(&self) -> bool {
        self.unusable.is_empty() && self.settings.validate().is_empty()
    }

    /// Whether Train goes on from the held detector: it came from a file (or was trained further
    /// from one) and is of the level the lesson is at.
    pub fn trains_further(&self) -> bool {
        self.detector && self.further == Some(self.level)
    }

    pub fn is_finished(&self) -> bool {
        self.run
            .as_ref()
            .is_some_and(|r| r.finished.is_some() || r.map_finished.is_some())
    }

    /// The level of the run on screen (of the next run before any).
    pub fn shown_level(&self) -> Level {
        self.run.as_ref().map_or(self.level, |r| r.level)
    }

    pub fn reduce(&mut self, action: DetectAction) {
        match action {
            DetectAction::FromUrl {
                settings,
                level,
                refused,
            } => {
                self.settings = settings;
                self.level = level;
                self.refused = refused;
                self.unusable.clear();
            }
            DetectAction::SetLevel(level) => {
                self.level = level;
                self.rejected.clear();
            }
            DetectAction::Open => {
                if self.loaded.is_none() && self.loading.is_none() && self.failed.is_none() {
                    self.requests.prepare += 1;
                }
            }
            DetectAction::SetSettings(settings) => {
                self.settings = settings;
                self.rejected.clear();
            }
            DetectAction::FieldValid(field, valid) => {
                self.unusable.retain(|&f| f != field);
                if !valid {
                    self.unusable.push(field);
                }
            }
            DetectAction::Retry => {
                self.failed = None;
                self.requests.prepare += 1;
            }
            DetectAction::Run | DetectAction::RunFresh => {
                if self.can_run() {
                    self.failed = None;
                    self.rejected.clear();
                    self.asked = Some(self.settings.clone());
                    self.asked_level = self.level;
                    self.asked_further = action == DetectAction::Run && self.trains_further();
                    self.requests.run += 1;
                    // Another run: the old one's checkpoints go.
                    self.forget_run();
                }
            }
            DetectAction::Play => {
                if self.run.is_some() && !self.is_finished() {
                    self.running = true;
                    self.requests.play += 1;
                }
            }
            DetectAction::Pause => self.requests.pause += 1,
            DetectAction::RollBack => {
                if let Some((_, good)) = self.diverged.take() {
                    // The curves go back with the run; the worker says where it is.
                    if let Some(run) = &mut self.run {
                        run.cut_after(good);
                    }
                    self.requests.roll_back += 1;
                }
            }
            DetectAction::ShowNext => {
                if self.is_finished() && self.detector {
                    self.show_first += SHOWN as u64;
                    self.requests.show += 1;
                }
            }
            DetectAction::Drawn(pixels) => {
                self.detected = None;
                self.detected_many = None;
                self.drawing = pixels.map(Rc::new);
                if self.drawing.is_some() && self.detector {
                    self.requests.detect += 1;
                }
            }
            DetectAction::UseShipped => {
                self.file_note = None;
                self.requests.use_shipped += 1;
                self.forget_run();
            }
            DetectAction::Export => {
                if self.detector {
                    self.requests.export += 1;
                }
            }
            DetectAction::Import(bytes) => {
                self.file_note = None;
                self.import_bytes = Rc::new(bytes);
                self.requests.import += 1;
                self.forget_run();
            }
            DetectAction::FileNote(note) => self.file_note = Some(note),
            DetectAction::Event(event) => self.on_event(event),
            DetectAction::WorkerLost => {
                // The worker's detector and data are gone; the scores stay on screen. A run with
                // a checkpoint goes on from it in the next worker.
                let trained = self.run.as_ref().is_some_and(|r| r.step > r.first);
                self.checkpoints.worker_lost(trained);
                if self.checkpoints.resume.is_some() {
                    self.requests.resume += 1;
                }
                self.running = false;
                self.loading = None;
                self.loaded = None;
                self.asked = None;
                self.detector = false;
                self.further = None;
                if let Some(run) = &mut self.run
                    && run.finished.is_none()
                    && self.checkpoints.resume.is_none()
                {
                    self.run = None;
                }
                self.detected = None;
                self.detected_many = None;
            }
            DetectAction::Kept(action) => {
                let latest = self.checkpoints.latest_mark();
                self.kept.reduce(action, latest, KeptDetectRun::from_bytes)
            }
            DetectAction::ResumeKept => self.resume_kept(),
        }
    }

    /// Another detector replaces the run: its checkpoints go, and a kept run being resumed.
    fn forget_run(&mut self) {
        self.diverged = None;
        self.checkpoints.forget();
        self.restoring = None;
    }

    fn on_event(&mut self, event: DetectEvent) {
        match event {
            DetectEvent::Progress { loaded, total } => self.loading = Some((loaded, total)),
            DetectEvent::Ready {
                backbone_parameters,
                backbone,
                train_digits,
                test_digits,
            } => {
                self.loaded = Some(Loaded {
                    backbone_parameters,
                    backbone,
                    train_digits,
                    test_digits,
                });
                self.loading = None;
                self.failed = None;
            }
            DetectEvent::Failed { message } => self.fail(LoadFailure::Model(message)),
            DetectEvent::DataFailed { error } => self.fail(LoadFailure::Data(error)),
            DetectEvent::Refused { problems } => {
                self.rejected = problems;
                self.asked = None;
                self.running = false;
            }
            DetectEvent::Started { trained, frozen } => {
                let settings = self.asked.take().unwrap_or_else(|| self.settings.clone());
                self.run = Some(Run::new(settings, self.asked_level, trained, frozen));
                self.diverged = None;
                self.checkpoints.loaded();
                self.running = true;
                self.detector = true;
                self.shown.clear();
                self.shown_many.clear();
                self.show_first = 0;
                self.detected = None;
                self.detected_many = None;
                // The card described the detector this run replaces.
                self.card = None;
                self.file_note = None;
                self.further = None;
            }
            DetectEvent::Continued {
                from,
                steps,
                trained,
                frozen,
            } => {
                let mut settings = self.asked.take().unwrap_or_else(|| self.settings.clone());
                // The head keeps the held detector's shape.
                if let Some(run) = &self.run {
                    (settings.head, settings.hidden) = (run.settings.head, run.settings.hidden);
                }
                let level = self.further.unwrap_or(self.asked_level);
                let mut run = Run::new(settings, level, trained, frozen);
                (run.first, run.step, run.steps) = (from, from, steps);
                self.run = Some(run);
                self.diverged = None;
                self.checkpoints.loaded();
                self.running = true;
                self.shown.clear();
                self.shown_many.clear();
                self.show_first = 0;
                self.detected = None;
                self.detected_many = None;
                // The card described the detector as it was loaded.
                self.card = None;
                self.file_note = None;
            }
            DetectEvent::ModelLoaded {
                card,
                shipped,
                trained,
                frozen,
            } => {
                // The worker's detector is the loaded one now; its score on the test canvases
                // comes next, as a finished run's does.
                self.asked = None;
                self.running = false;
                self.detector = true;
                self.shown.clear();
                self.shown_many.clear();
                self.show_first = 0;
                self.detected = None;
                self.detected_many = None;
                let mut run = Run::new(card.settings.clone(), card.level, trained, frozen);
                (run.first, run.step, run.steps) = (card.steps, card.steps, card.steps);
                self.run = Some(run);
                self.diverged = None;
                self.checkpoints.loaded();
                // A file of the other level's head moves the lesson (and its link) there, as
                // the learner chose that detector; the note says so.
                let moved_to = (card.level != self.level).then_some(card.level);
                self.level = card.level;
                self.further = Some(card.level);
                self.rejected.clear();
                self.file_note = Some(FileNote::Loaded {
                    shipped,
                    steps: card.steps,
                    moved_to,
                });
                self.card = Some(Rc::new(*card));
                self.card_shipped = shipped;
            }
            DetectEvent::FileRefused { error } => self.file_note = Some(FileNote::Refused(error)),
            DetectEvent::ShippedUnavailable { message } => {
                self.file_note = Some(FileNote::Unavailable(message))
            }
            DetectEvent::Exported { bytes, card } => {
                self.saved = (self.saved.0 + 1, Rc::new(bytes));
                self.card_shipped = card.provenance.is_some() && self.card_shipped;
                self.card = Some(Rc::new(*card));
            }
            DetectEvent::Trained {
                step,
                steps,
                losses,
                steps_per_second,
            } => {
                if let Some(run) = &mut self.run {
                    run.step = step;
                    run.steps = steps;
                    run.steps_per_second = steps_per_second;
                    // A loss that is not a number has no place on the chart; the notice says why.
                    if [losses.total, losses.class, losses.boxes]
                        .iter()
                        .all(|l| l.is_finite())
                    {
                        Rc::make_mut(&mut run.losses).push(step, losses);
                    }
                }
            }
            DetectEvent::Diverged { step, good_step } => {
                self.running = false;
                self.diverged = Some((step, good_step));
            }
            DetectEvent::RolledBack {
                step,
                trained,
                frozen,
            } => {
                self.running = false;
                if let Some(run) = &mut self.run {
                    run.cut_after(step);
                    (run.step, run.trained, run.frozen) = (step, trained, frozen);
                }
            }
            DetectEvent::Unfrozen {
                step,
                trained,
                frozen,
            } => {
                if let Some(run) = &mut self.run {
                    run.unfrozen_at = Some(step);
                    run.trained = trained;
                    run.frozen = frozen;
                }
            }
            DetectEvent::Evaluated { step, evaluation } => {
                if let Some(run) = &mut self.run {
                    run.scores.push((step, evaluation));
                }
            }
            DetectEvent::Paused => self.running = false,
            DetectEvent::Finished {
                evaluation,
                elapsed_ms,
            } => {
                self.running = false;
                if let Some(run) = &mut self.run {
                    run.step = run.steps;
                    run.scores.push((run.steps, evaluation));
                    run.finished = Some((evaluation, elapsed_ms));
                }
                // The finished detector on the first test canvases, and on the drawing.
                self.show_first = 0;
                self.requests.show += 1;
                if self.drawing.is_some() {
                    self.requests.detect += 1;
                }
            }
            DetectEvent::ManyEvaluated { step, report } => {
                if let Some(run) = &mut self.run {
                    run.maps.push((step, report.map));
                    run.map_live = Some(report);
                }
            }
            DetectEvent::ManyFinished { report, elapsed_ms } => {
                self.running = false;
                if let Some(run) = &mut self.run {
                    run.step = run.steps;
                    run.maps.push((run.steps, report.map));
                    run.map_finished = Some((report, elapsed_ms));
                }
                self.show_first = 0;
                self.requests.show += 1;
                if self.drawing.is_some() {
                    self.requests.detect += 1;
                }
            }
            DetectEvent::ShownMany { canvases } => self.shown_many = canvases,
            // Only the answer to the latest drawing: an older one may arrive after it was drawn.
            DetectEvent::DetectedMany { id, detections } => {
                if id == self.requests.detect && self.drawing.is_some() {
                    self.detected_many = Some(detections);
                }
            }
            DetectEvent::Shown { canvases } => self.shown = canvases,
            DetectEvent::Checkpoint { checkpoint } => self.checkpoints.keep(checkpoint),
            DetectEvent::NoCheckpoint { error } => self.checkpoints.unavailable = Some(error),
            // An answer to a resume the learner has since replaced by another run.
            DetectEvent::Resumed { .. } | DetectEvent::ResumeFailed { .. }
                if !self.checkpoints.awaits_resume() => {}
            DetectEvent::Resumed {
                step,
                steps,
                trained,
                frozen,
            } => self.resumed(step, steps, trained, frozen),
            DetectEvent::ResumeFailed { error } => {
                // The learner trains again; the run on screen was lost with the worker.
                self.restoring = None;
                self.checkpoints.failed(error);
                if self.run.as_ref().is_some_and(|r| r.finished.is_none()) {
                    self.run = None;
                }
            }
            DetectEvent::Detected {
                id,
                prediction,
                heat,
            } => {
                if id == self.requests.detect && self.drawing.is_some() {
                    self.detected = Some(prediction);
                    self.detected_heat = Rc::new(heat);
                }
            }
        }
    }

    /// The run goes on from the checkpoint sent to the worker, paused at `step`: its curves and
    /// scores up to there stay (a kept run's come back with it), what came after it was lost
    /// with the worker.
    fn resumed(&mut self, step: u64, steps: u64, trained: u64, frozen: u64) {
        let Some(kept) = self.checkpoints.resume.clone() else {
            return;
        };
        let checkpoint = &kept.0;
        let restoring = self.restoring.take();
        if let Some(restored) = &restoring {
            self.run = Some(Run::from_kept(restored));
        }
        let run = self.run.get_or_insert_with(|| {
            let mut run = Run::new(checkpoint.settings.clone(), checkpoint.level, 0, 0);
            run.first = checkpoint.first;
            run
        });
        (run.step, run.steps, run.trained, run.frozen) = (step, steps, trained, frozen);
        run.unfrozen_at = run.unfrozen_at.filter(|&at| at < step);
        let losses = Rc::make_mut(&mut run.losses);
        losses.points.retain(|&(s, _)| s <= step);
        if let Some(last) = checkpoint.losses {
            losses.push(step, last);
        }
        // A finished run's score comes again from the worker, at its last step.
        let kept = |s: u64| s < step || (s == step && step < steps);
        run.scores.retain(|&(s, _)| kept(s));
        run.maps.retain(|&(s, _)| kept(s));
        (run.finished, run.map_finished) = (None, None);
        self.level = run.level;
        self.running = false;
        self.detector = true;
        self.further = None;
        self.diverged = None;
        if restoring.is_some() {
            self.checkpoints.restored(step);
        } else {
            self.checkpoints.resumed(step);
        }
    }

    /// The problems to show: refused link values, settings the engine refuses as a whole (an
    /// unfreezing step past a shortened run), and what the worker refused.
    pub fn problems(&self) -> (Vec<String>, Vec<DetectProblem>) {
        let mut problems = self.settings.validate();
        for p in &self.rejected {
            if !problems.contains(p) {
                problems.push(*p);
            }
        }
        (self.refused.clone(), problems)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_engine::lessons::detect::boxes::{PixelBox, RelBox};
    use kindling_engine::lessons::detect::data::Object;

    fn evaluation(mean_iou: f32) -> DetectEvaluation {
        DetectEvaluation {
            count: 200,
            mean_iou,
            class_accuracy: 0.9,
            hits: 0.8,
        }
    }

    fn event(event: DetectEvent) -> DetectAction {
        DetectAction::Event(event)
    }

    fn losses(total: f32) -> StepLosses {
        StepLosses {
            total,
            class: total / 2.0,
            boxes: total / 4.0,
        }
    }

    #[test]
    fn a_run_records_losses_and_scores_then_shows_canvases_and_the_drawing() {
        let mut state = DetectState::default();
        state.reduce(DetectAction::Open);
        assert_eq!(state.requests.prepare, 1);
        state.reduce(DetectAction::Drawn(Some(vec![0, 255])));
        assert_eq!(state.requests.detect, 0, "no detector yet");
        let asked = DetectSettings {
            steps: 10,
            ..DetectSettings::default()
        };
        state.reduce(DetectAction::SetSettings(asked.clone()));
        state.reduce(DetectAction::Run);
        assert_eq!(state.requests.run, 1);
        // The settings change while the worker prepares: the run keeps those it was asked with.
        state.reduce(DetectAction::SetSettings(DetectSettings::default()));
        state.reduce(event(DetectEvent::Started {
            trained: 5,
            frozen: 7,
        }));
        assert!(state.running);
        let run = state.run.clone().unwrap();
        assert_eq!((run.settings, run.trained, run.frozen), (asked, 5, 7));
        for step in [3, 6] {
            state.reduce(event(DetectEvent::Trained {
                step,
                steps: 10,
                losses: losses(step as f32),
                steps_per_second: 2.0,
            }));
        }
        state.reduce(event(DetectEvent::Evaluated {
            step: 6,
            evaluation: evaluation(0.3),
        }));
        state.reduce(event(DetectEvent::Unfrozen {
            step: 5,
            trained: 9,
            frozen: 3,
        }));
        let run = state.run.clone().unwrap();
        assert_eq!((run.unfrozen_at, run.trained, run.frozen), (Some(5), 9, 3));
        assert_eq!(run.losses.points.len(), 2);
        assert_eq!(run.losses.points[1], (6, losses(6.0)));
        assert_eq!(run.scores, vec![(6, evaluation(0.3))]);
        state.reduce(DetectAction::ShowNext);
        assert_eq!(state.requests.show, 0, "not finished");

        state.reduce(event(DetectEvent::Finished {
            evaluation: evaluation(0.7),
            elapsed_ms: 1500.0,
        }));
        assert!(!state.running && state.is_finished());
        assert_eq!(
            (state.requests.show, state.requests.detect, state.show_first),
            (1, 1, 0)
        );
        assert_eq!(
            state.run.as_ref().unwrap().finished,
            Some((evaluation(0.7), 1500.0))
        );
        state.reduce(DetectAction::ShowNext);
        assert_eq!((state.requests.show, state.show_first), (2, SHOWN as u64));
        let canvas = ShownCanvas {
            index: 8,
            pixels: vec![0; 4],
            truth: Object {
                class: 3,
                bbox: PixelBox {
                    left: 1,
                    top: 1,
                    right: 2,
                    bottom: 2,
                },
            },
            predicted: Prediction {
                class: 3,
                bbox: RelBox::default(),
                confidence: 0.5,
            },
            iou: 0.0,
            heat: Vec::new(),
        };
        state.reduce(event(DetectEvent::Shown {
            canvases: vec![canvas.clone()],
        }));
        assert_eq!(state.shown, vec![canvas]);
        // A new drawing asks the finished detector; a wiped one forgets the answer.
        state.reduce(DetectAction::Drawn(Some(vec![0, 9])));
        assert_eq!(state.requests.detect, 2);
        // The answer to the first drawing, arriving late, is not this drawing's.
        state.reduce(event(DetectEvent::Detected {
            id: 1,
            prediction: state.shown[0].predicted,
            heat: vec![0.25],
        }));
        assert!(state.detected.is_none());
        state.reduce(event(DetectEvent::Detected {
            id: 2,
            prediction: state.shown[0].predicted,
            heat: vec![0.5, 0.5],
        }));
        assert!(state.detected.is_some());
        assert_eq!(*state.detected_heat, [0.5, 0.5]);
        state.reduce(DetectAction::Drawn(None));
        assert_eq!((state.drawing.clone(), state.detected), (None, None));
        assert_eq!(state.requests.detect, 2);
    }

    #[test]
    fn a_level_two_run_records_its_map_and_shows_several_boxes() {
        use kindling_engine::lessons::detect::boxes::{Detection, PixelBox, RelBox};
        use kindling_engine::lessons::detect::data::Object;
        use kindling_engine::lessons::detect::map::MapReport;
        let mut state = DetectState::default();
        state.reduce(DetectAction::SetLevel(Level::Many));
        state.reduce(DetectAction::Run);
        assert_eq!((state.requests.run, state.asked_level), (1, Level::Many));
        // The level changes back before the worker starts: the run keeps the level it asked.
        state.reduce(DetectAction::SetLevel(Level::One));
        state.reduce(event(DetectEvent::Started {
            trained: 5,
            frozen: 7,
        }));
        assert_eq!(state.shown_level(), Level::Many);
        let report = |map: f32| MapReport {
            map,
            per_class: vec![Some(map); 10],
            truths: 20,
            detections: 30,
            curve: Vec::new(),
        };
        state.reduce(event(DetectEvent::ManyEvaluated {
            step: 2,
            report: report(0.25),
        }));
        assert_eq!(state.run.as_ref().unwrap().maps, vec![(2, 0.25)]);
        state.reduce(DetectAction::Drawn(Some(vec![0, 255])));
        assert_eq!(state.requests.detect, 1);
        state.reduce(event(DetectEvent::ManyFinished {
            report: report(0.5),
            elapsed_ms: 900.0,
        }));
        assert!(state.is_finished() && !state.running);
        let run = state.run.clone().unwrap();
        // The final score is at the last step (the default 600).
        assert_eq!(run.maps, vec![(2, 0.25), (600, 0.5)]);
        assert_eq!(run.map_finished, Some((report(0.5), 900.0)));
        assert_eq!((state.requests.show, state.requests.detect), (1, 2));
        let detection = Detection {
            bbox: RelBox::from_array([0.5, 0.5, 0.2, 0.3]),
            class: 4,
            score: 0.8,
        };
        let shown = ShownMany {
            index: 0,
            pixels: vec![0; 4],
            truths: vec![Object {
                class: 4,
                bbox: PixelBox {
                    left: 26,
                    top: 22,
                    right: 38,
                    bottom: 42,
                },
            }],
            detections: vec![detection; 2],
        };
        state.reduce(event(DetectEvent::ShownMany {
            canvases: vec![shown.clone()],
        }));
        assert_eq!(state.shown_many, vec![shown]);
        let asked = state.requests.detect;
        state.reduce(event(DetectEvent::DetectedMany {
            id: asked - 1,
            detections: vec![detection],
        }));
        assert_eq!(state.detected_many, None);
        state.reduce(event(DetectEvent::DetectedMany {
            id: asked,
            detections: vec![detection, detection],
        }));
        assert_eq!(state.detected_many.as_ref().map(Vec::len), Some(2));
        // A new drawing forgets the boxes.
        state.reduce(DetectAction::Drawn(Some(vec![1])));
        assert_eq!(state.detected_many, None);
        // A single-digit run after it is level one again, with nothing of level two shown.
        state.reduce(DetectAction::Run);
        state.reduce(event(DetectEvent::Started {
            trained: 1,
            frozen: 2,
        }));
        assert_eq!(state.shown_level(), Level::One);
        assert!(state.shown_many.is_empty() && !state.is_finished());
    }

    #[test]
    fn bad_settings_do_not_run_and_are_named() {
        let mut state = DetectState::default();
        state.reduce(DetectAction::FieldValid(DetectField::Steps, false));
        state.reduce(DetectAction::Run);
        assert_eq!(state.requests.run, 0);
        state.reduce(DetectAction::FieldValid(DetectField::Steps, true));
        // Steps shortened below the unfreezing step: the settings as a whole are refused.
        state.reduce(DetectAction::SetSettings(DetectSettings {
            steps: 100,
            unfreeze_at: Some(200),
            ..DetectSettings::default()
        }));
        state.reduce(DetectAction::Run);
        assert_eq!(state.requests.run, 0);
        assert_eq!(state.problems().1, vec![DetectProblem::UnfreezeAt]);
        state.reduce(DetectAction::SetSettings(DetectSettings::default()));
        state.reduce(DetectAction::Run);
        assert_eq!(state.requests.run, 1);
        state.reduce(event(DetectEvent::Refused {
            problems: vec![DetectProblem::Batch],
        }));
        assert_eq!(state.problems().1, vec![DetectProblem::Batch]);
        assert!(state.run.is_none() && !state.running);
    }

    #[test]
    fn loading_failures_retry_and_a_lost_worker_drops_an_unfinished_run() {
        let mut state = DetectState::default();
        state.reduce(DetectAction::Open);
        state.reduce(event(DetectEvent::Progress {
            loaded: 5,
            total: 10,
        }));
        state.reduce(DetectAction::Open);
        assert_eq!(state.requests.prepare, 1, "already loading");
        state.reduce(DetectAction::Run);
        assert!(state.asked.is_some());
        state.reduce(event(DetectEvent::Failed {
            message: "HTTP 404".into(),
        }));
        assert_eq!(state.failed, Some(LoadFailure::Model("HTTP 404".into())));
        assert_eq!(
            state.asked, None,
            "a run that could not start is not starting"
        );
        state.reduce(DetectAction::Retry);
        assert_eq!((state.requests.prepare, state.failed.clone()), (2, None));
        state.reduce(event(DetectEvent::Ready {
            backbone_parameters: 100,
            backbone: ResnetSettings::default(),
            train_digits: 60_000,
            test_digits: 10_000,
        }));
        assert_eq!(state.loaded.clone().unwrap().test_digits, 10_000);
        state.reduce(DetectAction::Run);
        state.reduce(event(DetectEvent::Started {
            trained: 1,
            frozen: 2,
        }));
        state.reduce(DetectAction::WorkerLost);
        assert!(state.run.is_none() && state.loaded.is_none() && !state.running);
        state.reduce(DetectAction::Drawn(Some(vec![1])));
        assert_eq!(state.requests.detect, 0, "no detector in a new worker");
        state.reduce(DetectAction::Open);
        assert_eq!(state.requests.prepare, 3, "a new worker loads again");
    }

    #[test]
    fn data_that_did_not_load_is_kept_as_the_workers_error_and_a_retry_asks_again() {
        let mut state = DetectState::default();
        state.reduce(DetectAction::Open);
        state.reduce(DetectAction::Run);
        let error = kindling_engine::datasets::mnist::DataLoadError::Network {
            file: "manifest.json".into(),
            message: "Failed to fetch".into(),
        };
        state.reduce(event(DetectEvent::DataFailed {
            error: error.clone(),
        }));
        assert_eq!(state.failed, Some(LoadFailure::Data(error)));
        assert_eq!((state.asked.clone(), state.loading), (None, None));
        state.reduce(DetectAction::Retry);
        assert_eq!((state.requests.prepare, state.failed.clone()), (2, None));
    }

    #[test]
    fn train_goes_on_from_a_loaded_detector_at_its_level_and_its_steps() {
        use kindling_engine::models::resnet::ResnetSettings;
        let mut state = DetectState::default();
        assert!(!state.trains_further(), "nothing loaded");
        let loaded_settings = DetectSettings {
            hidden: 48,
            ..DetectSettings::default()
        };
        let mut card = DetectCard::at_level(
            Level::Many,
            loaded_settings.clone(),
            ResnetSettings::default(),
            7,
        );
        card.steps = 900;
        state.reduce(event(DetectEvent::ModelLoaded {
            card: Box::new(card),
            shipped: false,
            trained: 10,
            frozen: 20,
        }));
        assert_eq!(state.level, Level::Many);
        assert!(state.trains_further());
        // Train asks the worker to go on from the held detector, with the form's settings.
        let asked = DetectSettings {
            steps: 50,
            hidden: 16,
            ..DetectSettings::default()
        };
        state.reduce(DetectAction::SetSettings(asked.clone()));
        state.reduce(DetectAction::Run);
        assert_eq!(state.requests.run, 1);
        assert!(state.asked_further);
        state.reduce(event(DetectEvent::Continued {
            from: 900,
            steps: 950,
            trained: 11,
            frozen: 19,
        }));
        let run = state.run.clone().expect("the run going on");
        assert_eq!(
            (run.level, run.step, run.steps, run.trained, run.frozen),
            (Level::Many, 900, 950, 11, 19)
        );
        // The head keeps the loaded one's width; the rest is the form's.
        assert_eq!(run.settings.hidden, 48);
        assert_eq!(run.settings.steps, 50);
        assert!(state.running && state.card.is_none());
        // Its curve continues from the loaded detector's steps.
        state.reduce(event(DetectEvent::Trained {
            step: 910,
            steps: 950,
            losses: losses(1.0),
            steps_per_second: 5.0,
        }));
        let run = state.run.clone().unwrap();
        assert_eq!(run.losses.points.first().map(|p| p.0), Some(910));
        // Trained further, it still goes on when asked again.
        assert!(state.trains_further());

        // Train a new detector: a fresh run, after which Train starts afresh too.
        state.reduce(DetectAction::RunFresh);
        assert!(!state.asked_further);
        state.reduce(event(DetectEvent::Started {
            trained: 1,
            frozen: 2,
        }));
        assert!(!state.trains_further());
        assert_eq!(state.run.as_ref().map(|r| r.step), Some(0));
        state.reduce(DetectAction::Run);
        assert!(!state.asked_further);
    }

    #[test]
    fn a_loaded_detector_of_the_other_level_or_a_lost_worker_trains_a_new_one() {
        use kindling_engine::models::resnet::ResnetSettings;
        let mut state = DetectState::default();
        let mut card = DetectCard::new(DetectSettings::default(), ResnetSettings::default(), 7);
        card.steps = 600;
        state.reduce(event(DetectEvent::ModelLoaded {
            card: Box::new(card),
            shipped: true,
            trained: 10,
            frozen: 20,
        }));
        assert!(state.trains_further());
        // At level two, level one's head cannot go on: Train starts a new detector there.
        state.reduce(DetectAction::SetLevel(Level::Many));
        assert!(!state.trains_further());
        state.reduce(DetectAction::Run);
        assert!(!state.asked_further);
        state.reduce(DetectAction::SetLevel(Level::One));
        assert!(state.trains_further());
        // A new worker holds no detector.
        state.reduce(DetectAction::WorkerLost);
        assert!(!state.trains_further());
    }

    #[test]
    fn a_loaded_detector_boxes_at_once_and_a_refused_file_changes_nothing() {
        use kindling_engine::models::resnet::ResnetSettings;
        let mut state = DetectState::default();
        state.reduce(DetectAction::Drawn(Some(vec![0, 255])));
        state.reduce(DetectAction::Export);
        assert_eq!(state.requests.export, 0, "nothing to save yet");
        state.reduce(DetectAction::UseShipped);
        assert_eq!(state.requests.use_shipped, 1);
        let mut card = DetectCard::new(
            DetectSettings {
                steps: 1000,
                unfreeze_at: Some(500),
                ..DetectSettings::default()
            },
            ResnetSettings::default(),
            7,
        );
        card.steps = 1000;
        state.reduce(event(DetectEvent::ModelLoaded {
            card: Box::new(card.clone()),
            shipped: true,
            trained: 10,
            frozen: 20,
        }));
        assert!(state.detector && !state.running);
        assert_eq!(
            state.file_note,
            Some(FileNote::Loaded {
                shipped: true,
                steps: 1000,
                moved_to: None,
            })
        );
        assert_eq!(state.card.as_deref(), Some(&card));
        let run = state.run.clone().expect("the loaded detector's run");
        assert_eq!((run.step, run.steps, run.trained), (1000, 1000, 10));
        // Its score arrives as a finished run's: the canvases and the drawing are asked for.
        state.reduce(event(DetectEvent::Finished {
            evaluation: evaluation(0.8),
            elapsed_ms: 5.0,
        }));
        assert!(state.is_finished());
        assert_eq!((state.requests.show, state.requests.detect), (1, 1));

        // A junk file: refused, and the detector, its run and its card stay.
        let before = state.clone();
        state.reduce(DetectAction::Import(vec![1, 2, 3]));
        assert_eq!(state.requests.import, 1);
        assert_eq!(*state.import_bytes, vec![1, 2, 3]);
        state.reduce(event(DetectEvent::FileRefused {
            error: ModelFileError::NotAModel,
        }));
        assert_eq!(
            state.file_note,
            Some(FileNote::Refused(ModelFileError::NotAModel))
        );
        assert_eq!(
            (state.run.clone(), state.card.clone()),
            (before.run, before.card)
        );
        assert!(state.detector);

        // Saving: the file arrives once, with its card.
        state.reduce(DetectAction::Export);
        assert_eq!(state.requests.export, 1);
        state.reduce(event(DetectEvent::Exported {
            bytes: vec![9; 4],
            card: Box::new(card),
        }));
        assert_eq!(state.saved.0, 1);
        assert_eq!(*state.saved.1, vec![9; 4]);

        // A new run's detector has no card yet.
        state.reduce(event(DetectEvent::Started {
            trained: 1,
            frozen: 2,
        }));
        assert!(state.card.is_none() && state.file_note.is_none());
    }

    #[test]
    fn a_multi_digit_detector_is_saved_and_a_file_of_the_other_level_moves_the_lesson() {
        use kindling_engine::lessons::detect::card::MapScore;
        let mut state = DetectState::default();
        state.reduce(DetectAction::SetLevel(Level::Many));
        state.reduce(DetectAction::Run);
        state.reduce(event(DetectEvent::Started {
            trained: 5,
            frozen: 7,
        }));
        // A multi-digit detector is saved as a file with its card, as a single-digit one is.
        state.reduce(DetectAction::Export);
        assert_eq!(state.requests.export, 1);
        let mut many = DetectCard::at_level(
            Level::Many,
            DetectSettings::default(),
            ResnetSettings::default(),
            7,
        );
        many.steps = 120;
        many.map = Some(MapScore {
            count: 200,
            map: 0.7,
        });
        state.reduce(event(DetectEvent::Exported {
            bytes: vec![1; 4],
            card: Box::new(many.clone()),
        }));
        assert_eq!(state.saved.0, 1);
        assert_eq!(state.card.as_ref().map(|c| c.level), Some(Level::Many));

        // At level one, loading it back moves the lesson to level two, and says so.
        state.reduce(DetectAction::SetLevel(Level::One));
        state.reduce(DetectAction::Import(vec![1; 4]));
        state.reduce(event(DetectEvent::ModelLoaded {
            card: Box::new(many.clone()),
            shipped: false,
            trained: 3,
            frozen: 4,
        }));
        assert_eq!(
            (state.level, state.shown_level()),
            (Level::Many, Level::Many)
        );
        assert_eq!(
            state.file_note,
            Some(FileNote::Loaded {
                shipped: false,
                steps: 120,
                moved_to: Some(Level::Many),
            })
        );
        assert!(
            crate::lessons::detect::link::to_query_with_level(&state.settings, state.level)
                .contains("level=many")
        );
        // Its score arrives as a finished multi-digit run's: the canvases are asked for.
        state.reduce(event(DetectEvent::ManyFinished {
            report: kindling_engine::lessons::detect::map::MapReport {
                map: 0.7,
                per_class: vec![Some(0.7); 10],
                truths: 20,
                detections: 25,
                curve: Vec::new(),
            },
            elapsed_ms: 1.0,
        }));
        assert!(state.is_finished());
        assert_eq!(state.requests.show, 1);

        // A refused file changes nothing; the same level's file moves nothing.
        let before = state.clone();
        state.reduce(DetectAction::Import(vec![0]));
        state.reduce(event(DetectEvent::FileRefused {
            error: ModelFileError::Truncated,
        }));
        assert_eq!(
            (&state.run, &state.card, state.level),
            (&before.run, &before.card, before.level)
        );
        state.reduce(event(DetectEvent::ModelLoaded {
            card: Box::new(many),
            shipped: false,
            trained: 3,
            frozen: 4,
        }));
        assert!(matches!(
            state.file_note,
            Some(FileNote::Loaded { moved_to: None, .. })
        ));

        // The shipped detector (one digit) at level two moves the lesson back to level one.
        state.reduce(DetectAction::UseShipped);
        let mut shipped = DetectCard::new(DetectSettings::default(), ResnetSettings::default(), 7);
        shipped.steps = 1000;
        state.reduce(event(DetectEvent::ModelLoaded {
            card: Box::new(shipped),
            shipped: true,
            trained: 3,
            frozen: 4,
        }));
        assert_eq!((state.level, state.shown_level()), (Level::One, Level::One));
        assert!(matches!(
            state.file_note,
            Some(FileNote::Loaded {
                moved_to: Some(Level::One),
                ..
            })
        ));
        assert!(state.run.as_ref().unwrap().map_finished.is_none());
    }

    fn checkpoint(level: Level, step: u64) -> DetectAction {
        event(DetectEvent::Checkpoint {
            checkpoint: Box::new(DetectCheckpoint {
                level,
                settings: DetectSettings {
                    steps: 100,
                    ..DetectSettings::default()
                },
                first: 0,
                step,
                elapsed_ms: 900.0,
                losses: Some(losses(0.25)),
                model: vec![1],
                optimizer: vec![2],
            }),
        })
    }

    fn trained(step: u64) -> DetectAction {
        event(DetectEvent::Trained {
            step,
            steps: 100,
            losses: losses(1.0),
            steps_per_second: 5.0,
        })
    }

    /// A level-one run of 100 steps, started and trained to `step`.
    fn training_to(step: u64) -> DetectState {
        let mut state = DetectState::default();
        state.reduce(DetectAction::SetSettings(DetectSettings {
            steps: 100,
            ..DetectSettings::default()
        }));
        state.reduce(DetectAction::Run);
        state.reduce(event(DetectEvent::Started {
            trained: 5,
            frozen: 7,
        }));
        for at in (10..=step).step_by(10) {
            state.reduce(trained(at));
        }
        state
    }

    #[test]
    fn a_crashed_run_resumes_from_its_latest_checkpoint_with_its_curves_up_to_it() {
        use crate::lessons::checkpoints::Recovery;

        let mut state = training_to(30);
        state.reduce(checkpoint(Level::One, 10));
        state.reduce(checkpoint(Level::One, 20));
        state.reduce(event(DetectEvent::Unfrozen {
            step: 25,
            trained: 9,
            frozen: 3,
        }));
        assert_eq!(state.checkpoints.latest_iterations(), Some(20));
        state.reduce(DetectAction::WorkerLost);
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resuming { iterations: 20 })
        );
        assert_eq!(
            state.requests.resume, 1,
            "the next worker gets the checkpoint"
        );
        assert!(!state.detector && !state.running);
        assert!(state.run.is_some(), "the curves stay on screen meanwhile");

        state.reduce(event(DetectEvent::Resumed {
            step: 20,
            steps: 100,
            trained: 5,
            frozen: 7,
        }));
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resumed { iterations: 20 })
        );
        assert!(state.checkpoints.resume.is_none());
        assert_eq!(state.checkpoints.latest_iterations(), Some(20));
        assert!(state.detector && !state.running);
        let run = state.run.as_ref().unwrap();
        assert_eq!(
            (run.step, run.steps, run.trained, run.frozen),
            (20, 100, 5, 7)
        );
        assert_eq!(run.unfrozen_at, None, "it unfroze after the checkpoint");
        let steps: Vec<u64> = run.losses.points.iter().map(|p| p.0).collect();
        assert_eq!(steps, [10, 20], "the curves up to the checkpoint");
        assert_eq!(
            run.losses.points[1].1,
            losses(0.25),
            "the checkpoint's losses"
        );

        state.reduce(DetectAction::Play);
        assert!(state.running && state.requests.play == 1);
        state.reduce(trained(30));
        // A second crash resumes from the newest checkpoint.
        state.reduce(checkpoint(Level::One, 30));
        state.reduce(DetectAction::WorkerLost);
        assert_eq!(state.requests.resume, 2);
        assert_eq!(
            state.checkpoints.resume.as_ref().map(|k| k.0.step),
            Some(30)
        );
    }

    #[test]
    fn a_loss_that_stops_being_a_number_pauses_and_a_roll_back_cuts_the_curves_back() {
        let mut state = training_to(30);
        state.reduce(event(DetectEvent::Evaluated {
            step: 20,
            evaluation: evaluation(0.3),
        }));
        state.reduce(event(DetectEvent::Unfrozen {
            step: 25,
            trained: 9,
            frozen: 3,
        }));
        state.reduce(event(DetectEvent::Evaluated {
            step: 30,
            evaluation: evaluation(0.4),
        }));
        state.reduce(event(DetectEvent::Trained {
            step: 40,
            steps: 100,
            losses: StepLosses {
                boxes: f32::INFINITY,
                ..losses(1.0)
            },
            steps_per_second: 5.0,
        }));
        let run = state.run.clone().unwrap();
        assert_eq!(run.losses.points.len(), 3, "no infinite loss on the chart");
        assert_eq!(run.step, 40);
        // Nothing to roll back before the worker says the run diverged.
        state.reduce(DetectAction::RollBack);
        assert_eq!(state.requests.roll_back, 0);
        state.reduce(event(DetectEvent::Diverged {
            step: 40,
            good_step: 20,
        }));
        assert!(!state.running);
        assert_eq!(state.diverged, Some((40, 20)));

        state.reduce(DetectAction::RollBack);
        assert_eq!((state.requests.roll_back, state.diverged), (1, None));
        let run = state.run.clone().unwrap();
        let steps: Vec<u64> = run.losses.points.iter().map(|p| p.0).collect();
        assert_eq!(steps, [10, 20]);
        assert_eq!(run.scores, vec![(20, evaluation(0.3))]);
        assert_eq!(run.unfrozen_at, None, "it unfroze after step 20");
        state.reduce(event(DetectEvent::RolledBack {
            step: 20,
            trained: 5,
            frozen: 7,
        }));
        let run = state.run.clone().unwrap();
        assert_eq!((run.step, run.trained, run.frozen), (20, 5, 7));
        assert!(!state.running);
        state.reduce(DetectAction::RollBack);
        assert_eq!(state.requests.roll_back, 1, "once");

        // A new run, a resumed or a loaded one has nothing to roll back.
        let resumed = [
            checkpoint(Level::One, 20),
            DetectAction::WorkerLost,
            event(DetectEvent::Resumed {
                step: 20,
                steps: 100,
                trained: 5,
                frozen: 7,
            }),
        ];
        let started = [
            DetectAction::Run,
            event(DetectEvent::Started {
                trained: 5,
                frozen: 7,
            }),
        ];
        for next in [&resumed[..], &started[..]] {
            state.reduce(event(DetectEvent::Diverged {
                step: 40,
                good_step: 20,
            }));
            for action in next {
                state.reduce(action.clone());
            }
            assert_eq!(state.diverged, None);
        }
    }

    #[test]
    fn a_run_lost_before_its_first_checkpoint_or_not_resumed_is_said_and_trains_again() {
        use crate::lessons::checkpoints::Recovery;
        use kindling_engine::common::resume::ResumeError;

        let mut state = training_to(10);
        state.reduce(DetectAction::WorkerLost);
        assert_eq!(state.checkpoints.recovery, Some(Recovery::Lost));
        assert_eq!(state.requests.resume, 0);
        assert!(state.run.is_none());
        state.reduce(DetectAction::Run);
        state.reduce(event(DetectEvent::Started {
            trained: 5,
            frozen: 7,
        }));
        assert_eq!(
            state.checkpoints.recovery, None,
            "a new run: the note is done"
        );

        let mut state = training_to(20);
        state.reduce(checkpoint(Level::One, 20));
        state.reduce(DetectAction::WorkerLost);
        let error = ResumeError::Unreadable {
            message: "x".into(),
        };
        state.reduce(event(DetectEvent::ResumeFailed {
            error: error.clone(),
        }));
        assert_eq!(state.checkpoints.recovery, Some(Recovery::Failed(error)));
        assert!(state.run.is_none() && state.checkpoints.latest.is_none());
    }

    #[test]
    fn an_answer_to_a_resume_replaced_by_a_new_run_is_ignored() {
        let mut state = training_to(20);
        state.reduce(checkpoint(Level::One, 20));
        state.reduce(DetectAction::WorkerLost);
        // The learner starts another run before the next worker answers.
        state.reduce(DetectAction::Run);
        assert!(state.checkpoints.resume.is_none());
        state.reduce(event(DetectEvent::Resumed {
            step: 20,
            steps: 100,
            trained: 5,
            frozen: 7,
        }));
        assert!(!state.detector, "the old run did not come back");
        assert_eq!(state.checkpoints.recovery, None);
    }

    #[test]
    fn a_level_two_run_resumes_at_level_two() {
        let mut state = DetectState::default();
        state.reduce(DetectAction::SetLevel(Level::Many));
        state.reduce(DetectAction::Run);
        state.reduce(event(DetectEvent::Started {
            trained: 5,
            frozen: 7,
        }));
        state.reduce(checkpoint(Level::Many, 40));
        state.reduce(DetectAction::WorkerLost);
        // The learner looks at level one meanwhile; the run resumed is level two's.
        state.reduce(DetectAction::SetLevel(Level::One));
        state.reduce(event(DetectEvent::Resumed {
            step: 40,
            steps: 100,
            trained: 5,
            frozen: 7,
        }));
        let run = state.run.as_ref().expect("the run from its checkpoint");
        assert_eq!((run.level, run.step, run.steps), (Level::Many, 40, 100));
        assert_eq!(state.level, Level::Many);
        assert!(state.detector && state.shown_level() == Level::Many);
    }
}
