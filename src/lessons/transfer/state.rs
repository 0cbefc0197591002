//! The transfer lesson's part of the page state, and how learner actions and worker events
//! change it. Messages to the worker are not sent from here: the reducer counts requests, and
//! `effects.rs` sends one message each time a counter moves. The experiment can be kept in the
//! browser and resumed after a reload (`kept_run.rs`).

use std::collections::BTreeMap;
use std::rc::Rc;

use kindling_engine::lessons::transfer::config::{
    Arm, ArmPoint, ArmResult, FeatureMap2d, Filters, LayerPlan, Target, TransferProblem,
    TransferSettings, WorkedExample,
};
use kindling_engine::lessons::transfer::messages::{BackboneInfo, TransferEvent};
use kindling_engine::lessons::transfer::resume::{KeptTransferRun, TransferCheckpoint};

use crate::lessons::checkpoints::{AtIteration, Checkpoints};
use crate::lessons::data_load::LoadFailure;
use crate::lessons::kept_run::{KeepsRun, KeptAction, KeptRun};
use crate::lessons::transfer::fields::TransferField;
use crate::lessons::transfer::own_state::{OwnAction, OwnState};

/// How many times each message has been asked for; a change sends it.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Requests {
    pub prepare: u64,
    pub run: u64,
    pub play: u64,
    pub pause: u64,
    pub work: u64,
    pub inside: u64,
    /// `Resume` of the run's checkpoint after the worker stopped (or of the run kept in the
    /// browser), with this count as its id.
    pub resume: u64,
    /// `RollBack` after a loss stopped being a number.
    pub roll_back: u64,
}

/// The key the experiment is kept under in the browser.
pub const KEPT_KEY: &str = "transfer";

impl AtIteration for TransferCheckpoint {
    fn iterations(&self) -> u64 {
        self.step()
    }

    /// All arms' steps: two checkpoints at the same step of the arm furthest behind differ when
    /// the others have moved on.
    fn mark(&self) -> u64 {
        self.steps_done()
    }
}

/// Each arm's points up to its step in `checkpoint`.
pub fn curves_up_to(
    curves: &BTreeMap<Arm, Vec<ArmPoint>>,
    checkpoint: &TransferCheckpoint,
) -> BTreeMap<Arm, Vec<ArmPoint>> {
    curves
        .iter()
        .map(|(&arm, points)| {
            let at = checkpoint.arm_step(arm);
            (
                arm,
                points.iter().filter(|p| p.step <= at).copied().collect(),
            )
        })
        .collect()
}

/// The run on screen, as the worker started it.
#[derive(Clone, Debug, PartialEq)]
pub struct Started {
    pub settings: TransferSettings,
    pub plans: Vec<(Arm, Vec<LayerPlan>)>,
    /// Labelled training examples, all classes together.
    pub labelled: usize,
    pub test: usize,
}

/// One arm's final test accuracy after a run with `per_class` labelled examples per class.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct Measured {
    pub target: Target,
    pub per_class: u32,
    pub arm: Arm,
    pub accuracy: f32,
}

/// Where the experiment's loss stopped being a number, as the worker said.
#[derive(Clone, Debug, PartialEq)]
pub struct Diverged {
    /// The step of the arm furthest behind.
    pub step: u64,
    /// The arms whose loss was not a number.
    pub arms: Vec<Arm>,
    /// The step a roll back returns to, and each arm's own step there.
    pub good_step: u64,
    pub good_steps: Vec<(Arm, u64)>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Inside {
    pub before: FeatureMap2d,
    pub after: FeatureMap2d,
    pub filters_before: Filters,
    pub filters_after: Filters,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct TransferState {
    /// The settings the link shows and the next run uses.
    pub settings: TransferSettings,
    /// Link keys whose values were refused.
    pub refused: Vec<String>,
    /// Fields whose text cannot be used right now (their last good value is in `settings`).
    pub unusable: Vec<TransferField>,
    /// The worker refused the settings.
    pub rejected: Vec<TransferProblem>,
    pub requests: Requests,
    /// Bytes of the backbone and data received so far, while loading.
    pub loaded: Option<(u64, u64)>,
    pub backbone: Option<BackboneInfo>,
    /// The target whose data the worker holds, with its training and test sizes.
    pub data: Option<(Target, usize, usize)>,
    /// Why the backbone or the data could not be loaded.
    pub failed: Option<LoadFailure>,
    pub running: bool,
    pub started: Option<Started>,
    /// The loss stopped being a number: the run is paused until it goes back.
    pub diverged: Option<Diverged>,
    /// The run went back to this step after it diverged (said until it trains again).
    pub rolled_back: Option<u64>,
    /// Each arm's live curve.
    pub curves: BTreeMap<Arm, Vec<ArmPoint>>,
    /// The finished run's settings and every arm's result.
    pub results: Option<(TransferSettings, Vec<ArmResult>)>,
    /// Final accuracies over every finished run of this visit, one per target, size and arm.
    pub by_labels: Vec<Measured>,
    /// The arm and test image of the worked example (the feature extractor's by default).
    pub work_arm: Option<Arm>,
    pub work_index: usize,
    pub worked: Option<WorkedExample>,
    pub inside: Option<Inside>,
    /// The experiment's checkpoints, and what became of it after a worker stopped.
    pub checkpoints: Checkpoints<TransferCheckpoint>,
    /// The experiment kept in this browser, and the learner's requests to keep this one.
    pub kept: KeptRun<KeptTransferRun>,
    /// The kept experiment being resumed: its curves come back with it.
    pub restoring: Option<Rc<KeptTransferRun>>,
    /// "Your own classes".
    pub own: OwnState,
}

#[derive(Clone, Debug, PartialEq)]
pub enum TransferAction {
    FromUrl {
        settings: TransferSettings,
        refused: Vec<String>,
    },
    /// The page opened: the backbone and the data are fetched unless they are here.
    Open,
    SetSettings(TransferSettings),
    /// Whether a field's text can be used, as the learner types.
    FieldValid(TransferField, bool),
    Retry,
    Run,
    Play,
    Pause,
    /// Back to the last good step after the loss stopped being a number.
    RollBack,
    Work {
        arm: Arm,
        test_index: usize,
    },
    Own(OwnAction),
    Event(TransferEvent),
    WorkerLost,
    /// The experiment kept in the browser: looked up, kept (asked, or the tab hidden), saved.
    Kept(KeptAction),
    /// Resume the experiment kept in the browser.
    ResumeKept,
}

impl TransferState {
    fn fail(&mut self, failure: LoadFailure) {
        self.failed = Some(failure);
        self.loaded = None;
        self.running = false;
    }

    pub fn new(settings: TransferSettings, refused: Vec<String>) -> Self {
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

    pub fn reduce(&mut self, action: TransferAction) {
        match action {
            TransferAction::FromUrl { settings, refused } => {
                self.settings = settings;
                self.refused = refused;
                self.unusable.clear();
            }
            TransferAction::Open => {
                // An experiment kept in this browser is offered once the lesson opens.
                self.kept.look();
                if self.data.is_none() && self.loaded.is_none() {
                    self.requests.prepare += 1;
                }
            }
            TransferAction::SetSettings(settings) => {
                if settings.target != self.settings.target {
                    self.failed = None;
                    self.requests.prepare += 1;
                }
                self.settings = settings;
                self.rejected.clear();
            }
            TransferAction::FieldValid(field, valid) => {
                self.unusable.retain(|&f| f != field);
                if !valid {
                    self.unusable.push(field);
                }
            }
            TransferAction::Retry => {
                self.failed = None;
                self.requests.prepare += 1;
            }
            TransferAction::Run => {
                if self.can_run() {
                    self.failed = None;
                    self.rejected.clear();
                    self.checkpoints.forget();
                    self.restoring = None;
                    self.forget_divergence();
                    self.requests.run += 1;
                }
            }
            TransferAction::Play => self.requests.play += 1,
            TransferAction::Pause => self.requests.pause += 1,
            TransferAction::RollBack => {
                if let Some(diverged) = self.diverged.take() {
                    self.go_back(&diverged.good_steps);
                    self.requests.roll_back += 1;
                }
            }
            TransferAction::Work { arm, test_index } => {
                self.work_arm = Some(arm);
                self.work_index = test_index;
                self.requests.work += 1;
            }
            TransferAction::Own(action) => self.own.reduce(action),
            TransferAction::Event(event) => self.on_event(event),
            TransferAction::WorkerLost => {
                self.own.reduce(OwnAction::WorkerLost);
                // The worker's run and data are gone; what the page measured stays on screen,
                // and the run goes on in the next worker from its latest checkpoint.
                if self.started.is_some() || self.checkpoints.awaits_resume() {
                    let trained = self.curves.values().any(|c| !c.is_empty());
                    self.checkpoints.worker_lost(trained);
                    if self.checkpoints.awaits_resume() {
                        self.requests.resume += 1;
                    }
                }
                self.running = false;
                self.loaded = None;
                self.data = None;
                self.started = None;
                // The next worker resumes a checkpoint taken before the weights blew up.
                self.forget_divergence();
            }
            TransferAction::Kept(action) => {
                let latest = self.checkpoints.latest_mark();
                self.kept
                    .reduce(action, latest, KeptTransferRun::from_bytes);
            }
            TransferAction::ResumeKept => {
                if let Some(run) = self.kept.take() {
                    // The worker is sent the checkpoint as after a lost worker; the kept run's
                    // settings are the ones the page shows.
                    self.settings = run.checkpoint.settings.clone();
                    self.refused.clear();
                    self.unusable.clear();
                    self.rejected.clear();
                    self.checkpoints.restore(run.checkpoint.clone());
                    self.restoring = Some(run);
                    self.forget_divergence();
                    self.requests.resume += 1;
                }
            }
        }
    }

    /// A new, resumed or lost run has nothing to go back to.
    fn forget_divergence(&mut self) {
        self.diverged = None;
        self.rolled_back = None;
    }

    /// The run goes back to each arm's step in `good_steps`: the live points after it go, and
    /// so does a checkpoint taken after it (on the way to the blow-up; the worker sends the good
    /// step's).
    fn go_back(&mut self, good_steps: &[(Arm, u64)]) {
        let good = |arm: Arm| {
            good_steps
                .iter()
                .find(|&&(a, _)| a == arm)
                .map_or(0, |&(_, step)| step)
        };
        for (&arm, points) in &mut self.curves {
            points.retain(|p| p.step <= good(arm));
        }
        let past =
            |checkpoint: &TransferCheckpoint| checkpoint.arms.iter().any(|a| a.step > good(a.arm));
        if self
            .checkpoints
            .latest
            .as_ref()
            .is_some_and(|kept| past(&kept.0))
        {
            self.checkpoints.latest = None;
        }
    }

    /// The experiment to keep in the browser: its latest checkpoint and each arm's curve up to it.
    pub fn to_keep(&self) -> Option<KeptTransferRun> {
        let checkpoint = self.checkpoints.latest.as_ref()?.0.as_ref().clone();
        let curves = curves_up_to(&self.curves, &checkpoint);
        Some(KeptTransferRun::new(checkpoint, curves))
    }

    fn on_event(&mut self, event: TransferEvent) {
        match event {
            TransferEvent::Progress { loaded, total } => self.loaded = Some((loaded, total)),
            TransferEvent::Ready {
                target,
                backbone,
                train,
                test,
            } => {
                self.backbone = Some(backbone);
                self.data = Some((target, train, test));
                self.loaded = None;
                self.failed = None;
            }
            TransferEvent::Failed { message } => self.fail(LoadFailure::Model(message)),
            TransferEvent::DataFailed { error } => self.fail(LoadFailure::Data(error)),
            TransferEvent::Started {
                settings,
                plans,
                labelled,
                test,
            } => {
                self.started = Some(Started {
                    settings,
                    plans,
                    labelled,
                    test,
                });
                self.checkpoints.loaded();
                self.forget_divergence();
                self.curves.clear();
                self.results = None;
                self.worked = None;
                self.inside = None;
            }
            TransferEvent::Rejected { problems } => self.rejected = problems,
            TransferEvent::Running { running } => {
                self.running = running;
                if running {
                    self.rolled_back = None;
                }
            }
            TransferEvent::Diverged {
                step,
                arms,
                good_step,
                good_steps,
            } => {
                self.running = false;
                self.diverged = Some(Diverged {
                    step,
                    arms,
                    good_step,
                    good_steps,
                });
            }
            TransferEvent::RolledBack { step } => self.rolled_back = Some(step),
            TransferEvent::Point { point } => {
                self.curves.entry(point.arm).or_default().push(point);
            }
            TransferEvent::Finished { settings, results } => {
                self.record(&settings, &results);
                self.results = Some((settings, results));
                // The worked example and the inside views of the finished networks.
                self.requests.work += 1;
                self.requests.inside += 1;
            }
            TransferEvent::Checkpoint { checkpoint } => self.checkpoints.keep(checkpoint),
            TransferEvent::NoCheckpoint { error } => self.checkpoints.unavailable = Some(error),
            TransferEvent::Resumed { id, .. } | TransferEvent::ResumeFailed { id, .. }
                if self.stale(id) => {}
            TransferEvent::Resumed {
                step,
                settings,
                plans,
                labelled,
                test,
                ..
            } => {
                match self.restoring.take() {
                    // A run kept in the browser brings back the curves drawn before the reload.
                    Some(run) => {
                        self.curves = curves_up_to(&run.curves, &run.checkpoint);
                        self.worked = None;
                        self.inside = None;
                        self.checkpoints.restored(step);
                    }
                    // The curves up to the checkpoint stay; what came after it was lost with the
                    // worker, and the resumed arms draw it again.
                    None => {
                        if let Some(kept) = &self.checkpoints.resume {
                            self.curves = curves_up_to(&self.curves, &kept.0);
                        }
                        self.checkpoints.resumed(step);
                    }
                }
                self.started = Some(Started {
                    settings,
                    plans,
                    labelled,
                    test,
                });
                self.running = false;
                self.rejected.clear();
                self.results = None;
                self.forget_divergence();
            }
            TransferEvent::ResumeFailed { error, .. } => {
                self.restoring = None;
                self.checkpoints.failed(error);
            }
            TransferEvent::Worked { example } => self.worked = Some(example),
            TransferEvent::Inside {
                before,
                after,
                filters_before,
                filters_after,
            } => {
                self.inside = Some(Inside {
                    before,
                    after,
                    filters_before,
                    filters_after,
                })
            }
            own => self.own.on_event(own),
        }
    }

    /// Whether an answer to the resume with `id` is stale: the learner has since started a new
    /// run, or it answers no resume this page sent.
    fn stale(&self, id: u64) -> bool {
        id != self.requests.resume || !self.checkpoints.awaits_resume()
    }

    /// Adds a finished run to the accuracy-against-labels plot (replacing an earlier run of the
    /// same target and size). "All" is placed at the examples per class it really had.
    fn record(&mut self, settings: &TransferSettings, results: &[ArmResult]) {
        let per_class = match (settings.labels_per_class, &self.started) {
            (0, Some(started)) => (started.labelled / settings.target.classes()) as u32,
            (labels, _) => labels,
        };
        let target = settings.target;
        self.by_labels
            .retain(|m| (m.target, m.per_class) != (target, per_class));
        // Kept in order of size (inserted in place: a sort would add to the page's size).
        let at = self
            .by_labels
            .iter()
            .position(|m| m.per_class > per_class)
            .unwrap_or(self.by_labels.len());
        let runs = results.iter().map(|r| Measured {
            target,
            per_class,
            arm: r.arm,
            accuracy: r.accuracy,
        });
        self.by_labels.splice(at..at, runs);
    }

    /// The finished run's accuracy of `arm`.
    pub fn accuracy(&self, arm: Arm) -> Option<f32> {
        let (_, results) = self.results.as_ref()?;
        results.iter().find(|r| r.arm == arm).map(|r| r.accuracy)
    }

    /// The finished run's best arm and its accuracy (the first of equals, in the page's order).
    pub fn best(&self) -> Option<(Arm, f32)> {
        let (_, results) = self.results.as_ref()?;
        results.iter().fold(None, |best, r| match best {
            Some((_, a)) if a >= r.accuracy => best,
            _ => Some((r.arm, r.accuracy)),
        })
    }
}

impl KeepsRun for TransferState {
    type Run = KeptTransferRun;
    const KEY: &'static str = KEPT_KEY;

    fn kept(&self) -> &KeptRun<KeptTransferRun> {
        &self.kept
    }

    fn run_to_keep(&self) -> Option<(u64, Vec<u8>)> {
        let run = self.to_keep()?;
        Some((run.checkpoint.step(), run.to_bytes()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use kindling_engine::common::resume::ResumeError;
    use kindling_engine::datasets::mnist::DataLoadError;

    fn result(arm: Arm, accuracy: f32) -> ArmResult {
        ArmResult {
            arm,
            accuracy,
            loss: 0.5,
            steps: 10,
            trained: 1,
            frozen: 0,
            elapsed_ms: 1.0,
        }
    }

    fn finished(labels: u32, accuracies: [f32; 4]) -> TransferAction {
        let settings = TransferSettings {
            labels_per_class: labels,
            ..TransferSettings::default()
        };
        let results = Arm::ALL
            .iter()
            .zip(accuracies)
            .map(|(&arm, a)| result(arm, a))
            .collect();
        TransferAction::Event(TransferEvent::Finished { settings, results })
    }

    fn started(labels: u32, labelled: usize) -> TransferAction {
        TransferAction::Event(TransferEvent::Started {
            settings: TransferSettings {
                labels_per_class: labels,
                ..TransferSettings::default()
            },
            plans: Vec::new(),
            labelled,
            test: 100,
        })
    }

    #[test]
    fn a_finished_run_fills_the_table_and_the_labels_plot_and_asks_for_the_inside() {
        let mut state = TransferState::default();
        state.reduce(TransferAction::Run);
        assert_eq!(state.requests.run, 1);
        state.reduce(started(10, 50));
        state.reduce(finished(10, [0.6, 0.8, 0.85, 0.9]));
        let at = |state: &TransferState, per_class, arm| {
            state
                .by_labels
                .iter()
                .find(|m| m.per_class == per_class && m.arm == arm)
                .map(|m| m.accuracy)
        };
        assert_eq!(at(&state, 10, Arm::Extract), Some(0.8));
        assert_eq!((state.requests.work, state.requests.inside), (1, 1));
        assert_eq!(state.best(), Some((Arm::Everything, 0.9)));
        assert_eq!(state.accuracy(Arm::Scratch), Some(0.6));

        // Another size adds points; the same size again replaces its own.
        state.reduce(started(0, 29_000));
        state.reduce(finished(0, [0.9, 0.9, 0.95, 0.99]));
        assert_eq!(at(&state, 5_800, Arm::Everything), Some(0.99));
        state.reduce(started(10, 50));
        state.reduce(finished(10, [0.5, 0.7, 0.7, 0.7]));
        assert_eq!(state.by_labels.len(), 8);
        assert_eq!(at(&state, 10, Arm::Scratch), Some(0.5));
        assert_eq!(state.best(), Some((Arm::Extract, 0.7)), "first of equals");
    }

    fn point(arm: Arm, step: u64) -> TransferAction {
        TransferAction::Event(TransferEvent::Point {
            point: ArmPoint {
                arm,
                step,
                accuracy: 0.5,
                loss: 1.0,
                count: 500,
            },
        })
    }

    fn checkpoint(steps: [u64; 4]) -> TransferAction {
        checkpoint_with(TransferSettings::default(), steps)
    }

    fn checkpoint_with(settings: TransferSettings, steps: [u64; 4]) -> TransferAction {
        use kindling_engine::lessons::transfer::resume::ArmCheckpoint;
        let arms = Arm::ALL
            .iter()
            .zip(steps)
            .map(|(&arm, step)| ArmCheckpoint {
                arm,
                step,
                rng_draws: step,
                order: vec![0, 1],
                unfrozen: false,
                elapsed_ms: 1.0,
                evaluated_at: 0,
                weights: vec![1, 2, 3],
                optimizer: vec![4],
            })
            .collect();
        TransferAction::Event(TransferEvent::Checkpoint {
            checkpoint: Box::new(TransferCheckpoint {
                settings,
                arms,
                elapsed_ms: 4.0,
                last_batch_loss: 0.7,
            }),
        })
    }

    fn resumed(id: u64, step: u64) -> TransferAction {
        TransferAction::Event(TransferEvent::Resumed {
            id,
            step,
            settings: TransferSettings::default(),
            plans: Vec::new(),
            labelled: 50,
            test: 100,
        })
    }

    fn steps(state: &TransferState, arm: Arm) -> Vec<u64> {
        state.curves[&arm].iter().map(|p| p.step).collect()
    }

    #[test]
    fn a_lost_worker_resumes_the_latest_checkpoint_with_the_curves_up_to_it() {
        use crate::lessons::checkpoints::Recovery;
        let mut state = TransferState::default();
        state.reduce(TransferAction::Run);
        state.reduce(started(10, 50));
        for arm in Arm::ALL {
            state.reduce(point(arm, 10));
        }
        // The arms take their steps in turn: the checkpoint catches two of them one step ahead.
        state.reduce(checkpoint([16, 16, 15, 15]));
        assert_eq!(state.checkpoints.latest_iterations(), Some(15));
        for arm in Arm::ALL {
            state.reduce(point(arm, 20));
        }
        state.reduce(TransferAction::WorkerLost);
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resuming { iterations: 15 })
        );
        assert_eq!(
            state.requests.resume, 1,
            "the next worker is sent the resume"
        );
        assert!(state.started.is_none() && !state.running);

        // An answer to another resume is stale.
        state.reduce(resumed(7, 15));
        assert!(state.started.is_none() && state.checkpoints.awaits_resume());
        state.reduce(resumed(1, 15));
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resumed { iterations: 15 })
        );
        assert!(state.started.is_some() && !state.running);
        assert!(!state.checkpoints.awaits_resume());
        assert_eq!(state.checkpoints.latest_iterations(), Some(15));
        // Points after each arm's checkpoint were lost with the worker; the ones before stay.
        assert_eq!(steps(&state, Arm::Scratch), [10]);
        assert_eq!(steps(&state, Arm::Everything), [10]);
        // A second answer to the same resume changes nothing.
        state.reduce(TransferAction::Event(TransferEvent::ResumeFailed {
            id: 1,
            error: ResumeError::BadSettings,
        }));
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resumed { iterations: 15 })
        );

        // Lost again before the next checkpoint: the same checkpoint is resumed again.
        state.reduce(point(Arm::Scratch, 20));
        state.reduce(TransferAction::WorkerLost);
        assert_eq!(state.requests.resume, 2);
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resuming { iterations: 15 })
        );
    }

    #[test]
    fn a_refused_or_replaced_resume_and_a_run_lost_before_its_first_checkpoint_are_said() {
        use crate::lessons::checkpoints::Recovery;
        let mut state = TransferState::default();
        state.reduce(TransferAction::WorkerLost);
        assert_eq!(
            (state.checkpoints.recovery.clone(), state.requests.resume),
            (None, 0),
            "no run, nothing to say"
        );
        state.reduce(TransferAction::Run);
        state.reduce(started(10, 50));
        state.reduce(TransferAction::WorkerLost);
        assert_eq!(state.checkpoints.recovery, None, "lost before any step");
        state.reduce(TransferAction::Run);
        state.reduce(started(10, 50));
        state.reduce(point(Arm::Extract, 10));
        state.reduce(TransferAction::WorkerLost);
        assert_eq!(state.checkpoints.recovery, Some(Recovery::Lost));
        assert_eq!(state.requests.resume, 0);

        // A checkpoint the next worker refuses is said and forgotten.
        state.reduce(TransferAction::Run);
        state.reduce(started(10, 50));
        state.reduce(checkpoint([5, 5, 5, 5]));
        state.reduce(TransferAction::WorkerLost);
        let error = ResumeError::Unreadable {
            message: "short".into(),
        };
        state.reduce(TransferAction::Event(TransferEvent::ResumeFailed {
            id: state.requests.resume,
            error: error.clone(),
        }));
        assert_eq!(state.checkpoints.recovery, Some(Recovery::Failed(error)));
        assert!(state.checkpoints.latest.is_none() && !state.checkpoints.awaits_resume());

        // A new run asked for while a resume is on its way replaces it: the answer is stale.
        state.reduce(TransferAction::Run);
        state.reduce(started(10, 50));
        state.reduce(checkpoint([8, 8, 8, 8]));
        state.reduce(TransferAction::WorkerLost);
        let id = state.requests.resume;
        state.reduce(TransferAction::Run);
        assert!(!state.checkpoints.awaits_resume());
        state.reduce(resumed(id, 8));
        assert_eq!(state.checkpoints.recovery, None);
        assert!(state.started.is_none());
    }

    #[test]
    fn a_kept_experiment_comes_back_after_a_reload_with_its_curves_and_step() {
        use crate::lessons::checkpoints::Recovery;
        use crate::lessons::kept_run::{KeepMessage, KeptInBrowser};
        let settings = TransferSettings {
            steps: 300,
            seed: 3,
            ..TransferSettings::default()
        };
        let mut state = TransferState::new(settings.clone(), Vec::new());
        state.reduce(TransferAction::Open);
        state.reduce(TransferAction::Open);
        assert_eq!(state.kept.lookups, 1, "looked for once");
        state.reduce(TransferAction::Run);
        state.reduce(started(10, 50));
        state.reduce(TransferAction::Kept(KeptAction::Keep));
        assert_eq!(
            (state.kept.message.clone(), state.kept.keeps),
            (Some(KeepMessage::NothingYet), 0),
            "nothing to keep before the first checkpoint"
        );
        for step in [10, 20] {
            for arm in Arm::ALL {
                state.reduce(point(arm, step));
            }
        }
        state.reduce(point(Arm::Scratch, 30));
        state.reduce(checkpoint_with(settings.clone(), [30, 16, 15, 15]));
        state.reduce(TransferAction::Kept(KeptAction::Keep));
        assert_eq!(state.kept.keeps, 1);
        let run = state.to_keep().expect("a run to keep");
        assert_eq!(run.checkpoint.step(), 15);
        let kept_steps = |arm| -> Vec<u64> { run.curves[&arm].iter().map(|p| p.step).collect() };
        assert_eq!(
            kept_steps(Arm::Scratch),
            [10, 20, 30],
            "each arm up to its own step"
        );
        assert_eq!(kept_steps(Arm::Everything), [10]);
        state.reduce(TransferAction::Kept(KeptAction::Saved(Ok(15))));
        assert_eq!(
            state.kept.message,
            Some(KeepMessage::Kept {
                at: 15,
                hidden: false
            })
        );
        state.reduce(TransferAction::Kept(KeptAction::TabHidden));
        assert_eq!(state.kept.keeps, 1, "that checkpoint is kept already");
        // The arm furthest behind is where it was, another arm has moved on: a newer checkpoint.
        state.reduce(checkpoint_with(settings.clone(), [30, 17, 15, 15]));
        state.reduce(TransferAction::Kept(KeptAction::TabHidden));
        assert_eq!(state.kept.keeps, 2);

        // After a reload, with other settings in the link: the kept run's come back.
        let mut page = TransferState::new(TransferSettings::default(), vec!["steps".into()]);
        page.reduce(TransferAction::Open);
        page.reduce(TransferAction::Kept(KeptAction::Looked(Ok(Some(
            run.to_bytes(),
        )))));
        assert!(matches!(page.kept.found, KeptInBrowser::Found(_)));
        page.reduce(TransferAction::ResumeKept);
        assert_eq!(page.settings, settings);
        assert!(page.refused.is_empty());
        assert_eq!(page.requests.resume, 1, "the resume is sent");
        assert_eq!(
            page.checkpoints.resume.as_ref().map(|k| k.0.step()),
            Some(15)
        );
        assert!(
            matches!(page.kept.found, KeptInBrowser::Nothing),
            "offered once"
        );
        // The worker stops before it answers: the next one is sent the kept run again.
        page.reduce(TransferAction::WorkerLost);
        assert_eq!(page.requests.resume, 2);
        page.reduce(resumed(1, 15));
        assert!(
            page.started.is_none(),
            "an answer to the first resume is stale"
        );
        page.reduce(resumed(2, 15));
        assert_eq!(
            page.checkpoints.recovery,
            Some(Recovery::Restored { iterations: 15 })
        );
        assert!(page.started.is_some() && !page.running && page.restoring.is_none());
        assert_eq!(page.checkpoints.latest_iterations(), Some(15));
        assert_eq!(steps(&page, Arm::Scratch), [10, 20, 30]);
        assert_eq!(steps(&page, Arm::Extract), [10]);
        assert_eq!(
            steps(&page, Arm::Everything),
            [10],
            "the curves drawn before the reload"
        );
        // Kept again from here, it is the same run.
        assert_eq!(page.to_keep(), Some(run.clone()));

        // A kept run the worker refuses is said; its curves do not come back later.
        let mut refused = TransferState::default();
        refused.reduce(TransferAction::Kept(KeptAction::Looked(Ok(Some(
            run.to_bytes(),
        )))));
        refused.reduce(TransferAction::ResumeKept);
        refused.reduce(TransferAction::Event(TransferEvent::ResumeFailed {
            id: 1,
            error: ResumeError::BadSettings,
        }));
        assert_eq!(
            refused.checkpoints.recovery,
            Some(Recovery::Failed(ResumeError::BadSettings))
        );
        assert!(refused.restoring.is_none() && refused.checkpoints.latest.is_none());

        // Damaged bytes: said, nothing offered.
        let mut damaged = TransferState::default();
        damaged.reduce(TransferAction::Kept(KeptAction::Looked(Ok(Some(vec![
            0xff;
            6
        ])))));
        assert!(matches!(damaged.kept.found, KeptInBrowser::Unreadable(_)));
        damaged.reduce(TransferAction::ResumeKept);
        assert_eq!(damaged.requests.resume, 0);
    }

    fn diverged() -> TransferAction {
        TransferAction::Event(TransferEvent::Diverged {
            step: 30,
            arms: vec![Arm::Everything],
            good_step: 20,
            good_steps: vec![
                (Arm::Scratch, 21),
                (Arm::Extract, 21),
                (Arm::LastBlock, 20),
                (Arm::Everything, 20),
            ],
        })
    }

    #[test]
    fn a_loss_that_stops_being_a_number_pauses_and_a_roll_back_cuts_the_curves_back() {
        let mut state = TransferState::default();
        state.reduce(TransferAction::Run);
        state.reduce(started(10, 50));
        state.reduce(TransferAction::Event(TransferEvent::Running {
            running: true,
        }));
        for step in [10, 20] {
            for arm in Arm::ALL {
                state.reduce(point(arm, step));
            }
        }
        // The arms step in turn: two of them had taken their step 21 at the chunk's start.
        state.reduce(point(Arm::Scratch, 21));
        state.reduce(checkpoint([21, 21, 20, 20]));
        for arm in Arm::ALL {
            state.reduce(point(arm, 25));
        }
        state.reduce(checkpoint([26, 26, 25, 25]));
        // Nothing to go back from before the worker says the run diverged.
        state.reduce(TransferAction::RollBack);
        assert_eq!(state.requests.roll_back, 0);
        state.reduce(diverged());
        assert!(!state.running);
        assert_eq!(
            state.diverged.as_ref().map(|d| (d.step, d.good_step)),
            Some((30, 20))
        );

        state.reduce(TransferAction::RollBack);
        assert_eq!(state.requests.roll_back, 1);
        assert_eq!(state.diverged, None);
        assert_eq!(
            steps(&state, Arm::Scratch),
            [10, 20, 21],
            "up to its own step"
        );
        assert_eq!(steps(&state, Arm::Everything), [10, 20]);
        assert_eq!(
            state.checkpoints.latest, None,
            "taken on the way to the blow-up"
        );
        state.reduce(TransferAction::RollBack);
        assert_eq!(state.requests.roll_back, 1, "once");
        state.reduce(TransferAction::Event(TransferEvent::RolledBack {
            step: 20,
        }));
        state.reduce(checkpoint([21, 21, 20, 20]));
        assert_eq!(
            (state.rolled_back, state.checkpoints.latest_iterations()),
            (Some(20), Some(20))
        );
        state.reduce(TransferAction::Event(TransferEvent::Running {
            running: true,
        }));
        assert_eq!(state.rolled_back, None, "training on");

        // A checkpoint up to the good step stays.
        state.reduce(diverged());
        state.reduce(TransferAction::RollBack);
        assert_eq!(state.checkpoints.latest_iterations(), Some(20));

        // A new run, a resumed one or a lost worker has nothing to go back from.
        state.reduce(diverged());
        state.reduce(started(10, 50));
        assert_eq!(state.diverged, None);
        state.reduce(checkpoint([21, 21, 20, 20]));
        state.reduce(diverged());
        state.reduce(TransferAction::WorkerLost);
        assert_eq!(state.diverged, None);
        state.reduce(diverged());
        state.reduce(resumed(state.requests.resume, 20));
        assert!(state.started.is_some() && state.diverged.is_none());
        assert_eq!(state.requests.roll_back, 2);
    }

    #[test]
    fn a_field_that_cannot_be_used_stops_the_run() {
        let mut state = TransferState::default();
        state.reduce(TransferAction::FieldValid(TransferField::Steps, false));
        state.reduce(TransferAction::Run);
        assert_eq!(state.requests.run, 0);
        state.reduce(TransferAction::FieldValid(TransferField::Steps, true));
        state.reduce(TransferAction::Run);
        assert_eq!(state.requests.run, 1);
        // Settings the engine refuses (from anywhere) do not run either.
        state.reduce(TransferAction::SetSettings(TransferSettings {
            steps: 0,
            ..TransferSettings::default()
        }));
        state.reduce(TransferAction::Run);
        assert_eq!(state.requests.run, 1);
    }

    #[test]
    fn data_that_did_not_load_is_kept_as_the_workers_error_and_a_retry_asks_again() {
        let mut state = TransferState::default();
        state.reduce(TransferAction::Open);
        state.reduce(TransferAction::Event(TransferEvent::Progress {
            loaded: 5,
            total: 10,
        }));
        let error = DataLoadError::Http {
            file: "manifest.json".into(),
            status: 404,
        };
        state.reduce(TransferAction::Event(TransferEvent::DataFailed {
            error: error.clone(),
        }));
        assert_eq!(state.failed, Some(LoadFailure::Data(error)));
        assert_eq!(state.loaded, None);
        state.reduce(TransferAction::Retry);
        assert_eq!((state.requests.prepare, state.failed.clone()), (2, None));
    }

    #[test]
    fn the_page_prepares_once_and_again_for_another_target_or_a_new_worker() {
        let mut state = TransferState::default();
        state.reduce(TransferAction::Open);
        assert_eq!(state.requests.prepare, 1);
        state.reduce(TransferAction::Event(TransferEvent::Progress {
            loaded: 5,
            total: 10,
        }));
        state.reduce(TransferAction::Open);
        assert_eq!(state.requests.prepare, 1, "already loading");
        state.reduce(TransferAction::Event(TransferEvent::Failed {
            message: "no".into(),
        }));
        assert_eq!(state.failed, Some(LoadFailure::Model("no".into())));
        state.reduce(TransferAction::Retry);
        assert_eq!((state.requests.prepare, state.failed.clone()), (2, None));
        state.reduce(TransferAction::SetSettings(TransferSettings {
            target: Target::Fashion,
            ..TransferSettings::default()
        }));
        assert_eq!(state.requests.prepare, 3);
        state.reduce(started(10, 50));
        state.reduce(TransferAction::WorkerLost);
        assert_eq!((state.started.clone(), state.data), (None, None));
    }
}
