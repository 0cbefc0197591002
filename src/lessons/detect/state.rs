//! The detection project's part of the page state, and how learner actions and worker events
//! change it. Messages to the worker are not sent from here: the reducer counts requests, and
//! `effects.rs` sends one message each time a counter moves.

use std::rc::Rc;

use kindling_engine::lessons::detect::config::{
    DetectEvaluation, DetectProblem, DetectSettings, Prediction, StepLosses,
};
use kindling_engine::lessons::detect::messages::{DetectEvent, ShownCanvas};
use kindling_engine::models::resnet::ResnetSettings;

use crate::lessons::detect::fields::DetectField;
use crate::widgets::series::Series;

/// Loss points kept for the charts.
const MAX_POINTS: usize = 300;
/// Test canvases shown at a time.
pub const SHOWN: usize = 8;

/// How many times each message has been asked for; a change sends it.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Requests {
    pub prepare: u64,
    pub run: u64,
    pub play: u64,
    pub pause: u64,
    pub show: u64,
    pub detect: u64,
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
    /// Parameters that train and that are frozen, as the worker counted them at the start.
    pub trained: u64,
    pub frozen: u64,
    /// The step from which the backbone trained too, once it has.
    pub unfrozen_at: Option<u64>,
    /// The last chunk's step, of `steps`, and its speed.
    pub step: u64,
    pub steps: u64,
    pub steps_per_second: f64,
    pub losses: Rc<Series<StepLosses, MAX_POINTS>>,
    /// Live scores on a few test canvases.
    pub scores: Vec<(u64, DetectEvaluation)>,
    /// The final score and the training's wall time.
    pub finished: Option<(DetectEvaluation, f64)>,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct DetectState {
    /// The settings the link shows and the next run uses.
    pub settings: DetectSettings,
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
    pub failed: Option<String>,
    /// Settings sent with the last run request, until the worker starts it.
    pub asked: Option<DetectSettings>,
    pub run: Option<Run>,
    pub running: bool,
    /// The first test canvas shown, and the canvases with both boxes.
    pub show_first: u64,
    pub shown: Vec<ShownCanvas>,
    /// The learner's 64 × 64 canvas and what the detector says about it.
    pub drawing: Option<Rc<Vec<u8>>>,
    pub detected: Option<Prediction>,
    /// Where the spatial head looked on the drawing (empty for the pooled head).
    pub detected_heat: Rc<Vec<f32>>,
    /// Whether the worker holds the run's detector (a new worker does not).
    pub detector: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub enum DetectAction {
    FromUrl {
        settings: DetectSettings,
        refused: Vec<String>,
    },
    /// The page opened: the backbone and the data are fetched unless they are here.
    Open,
    SetSettings(DetectSettings),
    /// Whether a field's text can be used, as the learner types.
    FieldValid(DetectField, bool),
    Retry,
    Run,
    Play,
    Pause,
    /// The next test canvases.
    ShowNext,
    /// The learner's canvas changed (None: wiped).
    Drawn(Option<Vec<u8>>),
    Event(DetectEvent),
    WorkerLost,
}

impl DetectState {
    pub fn new(settings: DetectSettings, refused: Vec<String>) -> Self {
        Self {
            settings,
            refused,
            ..Self::default()
        }
    }

    /// Whether the settings can be run as they stand.
    pub fn can_run(&self) -> bool {
        self.unusable.is_empty() && self.settings.validate().is_empty()
    }

    pub fn is_finished(&self) -> bool {
        self.run.as_ref().is_some_and(|r| r.finished.is_some())
    }

    pub fn reduce(&mut self, action: DetectAction) {
        match action {
            DetectAction::FromUrl { settings, refused } => {
                self.settings = settings;
                self.refused = refused;
                self.unusable.clear();
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
            DetectAction::Run => {
                if self.can_run() {
                    self.failed = None;
                    self.rejected.clear();
                    self.asked = Some(self.settings.clone());
                    self.requests.run += 1;
                }
            }
            DetectAction::Play => {
                if self.run.is_some() && !self.is_finished() {
                    self.running = true;
                    self.requests.play += 1;
                }
            }
            DetectAction::Pause => self.requests.pause += 1,
            DetectAction::ShowNext => {
                if self.is_finished() && self.detector {
                    self.show_first += SHOWN as u64;
                    self.requests.show += 1;
                }
            }
            DetectAction::Drawn(pixels) => {
                self.detected = None;
                self.drawing = pixels.map(Rc::new);
                if self.drawing.is_some() && self.detector {
                    self.requests.detect += 1;
                }
            }
            DetectAction::Event(event) => self.on_event(event),
            DetectAction::WorkerLost => {
                // The worker's detector and data are gone; the scores stay on screen.
                self.running = false;
                self.loading = None;
                self.loaded = None;
                self.asked = None;
                self.detector = false;
                if let Some(run) = &mut self.run
                    && run.finished.is_none()
                {
                    self.run = None;
                }
                self.detected = None;
            }
        }
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
            DetectEvent::Failed { message } => {
                self.failed = Some(message);
                self.loading = None;
                self.asked = None;
                self.running = false;
            }
            DetectEvent::Refused { problems } => {
                self.rejected = problems;
                self.asked = None;
                self.running = false;
            }
            DetectEvent::Started { trained, frozen } => {
                let settings = self.asked.take().unwrap_or_else(|| self.settings.clone());
                self.run = Some(Run {
                    steps: settings.steps as u64,
                    settings,
                    trained,
                    frozen,
                    unfrozen_at: None,
                    step: 0,
                    steps_per_second: 0.0,
                    losses: Rc::default(),
                    scores: Vec::new(),
                    finished: None,
                });
                self.running = true;
                self.detector = true;
                self.shown.clear();
                self.show_first = 0;
                self.detected = None;
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
                    Rc::make_mut(&mut run.losses).push(step, losses);
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
            DetectEvent::Shown { canvases } => self.shown = canvases,
            DetectEvent::Detected { prediction, heat } => {
                self.detected = Some(prediction);
                self.detected_heat = Rc::new(heat);
            }
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
        state.reduce(event(DetectEvent::Detected {
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
        assert_eq!(state.failed.as_deref(), Some("HTTP 404"));
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
}
