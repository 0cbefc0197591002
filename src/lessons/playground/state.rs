//! The playground's part of the page state, and how learner actions and worker events change
//! it.
//!
//! Messages to the worker are not sent from here: the reducer counts requests (`requests`), and
//! `effects.rs` sends one message each time a counter moves, reading its content from the state.

use std::rc::Rc;

use kindling_engine::datasets::toy2d::Split;
use kindling_engine::lessons::playground::PlaygroundConfig;
use kindling_engine::lessons::playground::config::ConfigError;
use kindling_engine::lessons::playground::messages::PlaygroundEvent;
use kindling_engine::lessons::playground::report::Progress;
use kindling_engine::lessons::playground::resume::{KeptPlaygroundRun, PlaygroundCheckpoint};

use crate::lessons::checkpoints::Checkpoints;
use crate::lessons::kept_run::{KeepsRun, KeptAction, KeptRun};
use crate::widgets::loss_chart::{LossHistory, TrainTest};

/// The playground's loss over the steps.
pub type History = LossHistory;

/// The key the playground's run is kept under in the browser.
pub const KEPT_KEY: &str = "playground";

/// The curves up to `step`, as a kept run holds them.
pub fn curves_to_keep(history: &History, step: u64) -> Vec<(u64, [f32; 2])> {
    history
        .points
        .iter()
        .filter(|&&(s, _)| s <= step)
        .map(|&(s, l)| (s, [l.train, l.test]))
        .collect()
}

/// A kept run's curves up to `step`, to draw again.
pub fn kept_curves(points: &[(u64, [f32; 2])], step: u64) -> History {
    History::from_points(
        points
            .iter()
            .filter(|&&(s, _)| s <= step)
            .map(|&(s, [train, test])| (s, TrainTest { train, test }))
            .collect(),
    )
}

#[derive(Clone, Debug, PartialEq)]
pub struct Boundary {
    pub resolution: u32,
    pub probabilities: Vec<f32>,
}

/// How many times each message has been asked for; a change sends it.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Requests {
    /// `Load` of the current configuration (or `Resume` of the run's checkpoint, with this count
    /// as its id).
    pub load: u64,
    pub play: u64,
    pub pause: u64,
    pub step: u64,
    pub roll_back: u64,
}

#[derive(Clone, Debug, PartialEq, Default)]
pub struct PlaygroundState {
    pub config: PlaygroundConfig,
    /// Settings in the link that could not be used (defaults were used instead).
    pub url_errors: Vec<ConfigError>,
    /// Problems the worker found with the last configuration sent.
    pub rejected: Vec<ConfigError>,
    pub running: bool,
    pub progress: Option<Progress>,
    pub history: Rc<History>,
    pub split: Option<Rc<Split>>,
    pub boundary: Option<Rc<Boundary>>,
    pub requests: Requests,
    /// The loss stopped being a number: (at which step, the last step a roll back returns to).
    pub diverged: Option<(u64, u64)>,
    /// Whether the worker has a run (fresh or resumed).
    pub loaded: bool,
    /// The run's checkpoints, and what became of it after a worker stopped.
    pub checkpoints: Checkpoints<PlaygroundCheckpoint>,
    /// The run kept in this browser, and the learner's requests to keep this one.
    pub kept: KeptRun<KeptPlaygroundRun>,
    /// The kept run being resumed: its curves come back with it.
    pub restoring: Option<Rc<KeptPlaygroundRun>>,
}

pub enum PlaygroundAction {
    /// A valid configuration chosen by the learner: a new run, running if the last one was.
    SetConfig(PlaygroundConfig),
    /// A configuration read from the link, with the settings that had to fall back to defaults.
    FromUrl {
        config: PlaygroundConfig,
        errors: Vec<ConfigError>,
    },
    Play,
    Pause,
    Step,
    /// Back to the last step whose loss was a number, after a divergence.
    RollBack,
    /// A new run with the same configuration.
    Reset,
    Event(PlaygroundEvent),
    /// The worker stopped (a crash, or a change of backend).
    WorkerLost,
    /// The run kept in the browser: looked up, kept (asked, or the tab hidden), saved.
    Kept(KeptAction),
    /// Resume the run kept in the browser.
    ResumeKept,
}

impl PlaygroundState {
    pub fn new(config: PlaygroundConfig, url_errors: Vec<ConfigError>) -> Self {
        Self {
            config,
            url_errors,
            ..Self::default()
        }
    }

    /// A fresh network: the old run's checkpoints go.
    fn new_run(&mut self) {
        self.checkpoints.forget();
        self.restoring = None;
        self.requests.load += 1;
    }

    fn load(&mut self, config: PlaygroundConfig) {
        if config != self.config {
            self.config = config;
            self.new_run();
            if self.running {
                self.requests.play += 1;
            }
        }
        self.rejected.clear();
    }

    pub fn reduce(&mut self, action: PlaygroundAction) {
        match action {
            PlaygroundAction::SetConfig(config) => {
                if config != self.config {
                    self.url_errors.clear();
                    self.load(config);
                }
            }
            PlaygroundAction::FromUrl { config, errors } => {
                self.url_errors = errors;
                self.load(config);
            }
            PlaygroundAction::Play => self.requests.play += 1,
            PlaygroundAction::Pause => self.requests.pause += 1,
            PlaygroundAction::Step => self.requests.step += 1,
            PlaygroundAction::RollBack => {
                self.requests.roll_back += 1;
                self.diverged = None;
            }
            PlaygroundAction::Reset => self.new_run(),
            PlaygroundAction::Event(event) => self.on_event(event),
            PlaygroundAction::WorkerLost => {
                self.running = false;
                if self.loaded {
                    let trained = self.progress.as_ref().is_some_and(|p| p.step > 0);
                    self.checkpoints.worker_lost(trained);
                }
                self.loaded = false;
            }
            PlaygroundAction::Kept(action) => {
                let latest = self.checkpoints.latest_mark();
                self.kept
                    .reduce(action, latest, KeptPlaygroundRun::from_bytes)
            }
            PlaygroundAction::ResumeKept => {
                if let Some(run) = self.kept.take() {
                    self.config = run.checkpoint.config.clone();
                    self.url_errors.clear();
                    self.rejected.clear();
                    self.checkpoints.restore(run.checkpoint.clone());
                    self.restoring = Some(run);
                    self.requests.load += 1;
                }
            }
        }
    }

    /// The run to keep in the browser: its latest checkpoint and the curves up to it.
    pub fn to_keep(&self) -> Option<KeptPlaygroundRun> {
        let checkpoint = self.checkpoints.latest.as_ref()?.0.as_ref().clone();
        let curves = curves_to_keep(&self.history, checkpoint.step);
        Some(KeptPlaygroundRun::new(checkpoint, curves))
    }

    /// Whether an answer to the resume with `id` is stale: the learner has since asked for a new
    /// run, or it answers no resume this page sent.
    fn stale(&self, id: u64) -> bool {
        id != self.requests.load || !self.checkpoints.awaits_resume()
    }

    fn on_event(&mut self, event: PlaygroundEvent) {
        match event {
            PlaygroundEvent::Loaded { config: _, split } => {
                // A new run. Its first report may already be here (step 0): keep that one.
                self.loaded = true;
                self.checkpoints.loaded();
                self.running = false;
                if self.progress.as_ref().is_some_and(|p| p.step != 0) {
                    self.progress = None;
                }
                self.history = Rc::new(History::default());
                self.rejected.clear();
                self.diverged = None;
                self.split = Some(Rc::new(split));
            }
            PlaygroundEvent::Rejected { errors } => self.rejected = errors,
            PlaygroundEvent::Progress { progress } => {
                let mut history = if progress.step == 0 {
                    History::default()
                } else {
                    (*self.history).clone()
                };
                history.push(
                    progress.step,
                    TrainTest {
                        train: progress.evaluation.train_loss,
                        test: progress.evaluation.test_loss,
                    },
                );
                self.history = Rc::new(history);
                self.progress = Some(progress);
            }
            PlaygroundEvent::Boundary {
                resolution,
                probabilities,
            } => {
                self.boundary = Some(Rc::new(Boundary {
                    resolution,
                    probabilities,
                }));
            }
            PlaygroundEvent::Running { running } => self.running = running,
            PlaygroundEvent::Diverged { step, good_step } => {
                self.running = false;
                self.diverged = Some((step, good_step));
            }
            PlaygroundEvent::Checkpoint { checkpoint } => self.checkpoints.keep(checkpoint),
            PlaygroundEvent::NoCheckpoint { error } => self.checkpoints.unavailable = Some(error),
            PlaygroundEvent::Resumed { id, .. } | PlaygroundEvent::ResumeFailed { id, .. }
                if self.stale(id) => {}
            PlaygroundEvent::Resumed { step, split, .. } => {
                // The curves up to the checkpoint stay; what came after it was lost with the
                // worker. The next report is the checkpoint's.
                self.loaded = true;
                self.running = false;
                self.rejected.clear();
                self.diverged = None;
                self.split = Some(Rc::new(split));
                self.progress = None;
                match self.restoring.take() {
                    // A run kept in the browser brings back the curves drawn before the reload.
                    Some(run) => {
                        self.history = Rc::new(kept_curves(&run.curves, step));
                        self.checkpoints.restored(step);
                    }
                    None => {
                        Rc::make_mut(&mut self.history)
                            .points
                            .retain(|&(s, _)| s <= step);
                        self.checkpoints.resumed(step);
                    }
                }
            }
            PlaygroundEvent::ResumeFailed { error, .. } => {
                self.restoring = None;
                self.checkpoints.failed(error);
                self.requests.load += 1;
            }
        }
    }
}

impl KeepsRun for PlaygroundState {
    type Run = KeptPlaygroundRun;
    const KEY: &'static str = KEPT_KEY;

    fn kept(&self) -> &KeptRun<KeptPlaygroundRun> {
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
    use kindling_engine::common::resume::ResumeError;

    #[test]
    fn a_new_configuration_loads_and_keeps_running() {
        let mut state = PlaygroundState::default();
        state.reduce(PlaygroundAction::SetConfig(PlaygroundConfig::default()));
        assert_eq!(state.requests, Requests::default());
        state.reduce(PlaygroundAction::Event(PlaygroundEvent::Running {
            running: true,
        }));
        let config = PlaygroundConfig {
            seed: 7,
            ..PlaygroundConfig::default()
        };
        state.reduce(PlaygroundAction::SetConfig(config.clone()));
        assert_eq!((state.requests.load, state.requests.play), (1, 1));
        assert_eq!(state.config, config);
        state.reduce(PlaygroundAction::WorkerLost);
        assert!(!state.running);
        state.reduce(PlaygroundAction::Reset);
        state.reduce(PlaygroundAction::Step);
        assert_eq!((state.requests.load, state.requests.step), (2, 1));
    }

    #[test]
    fn a_divergence_pauses_and_is_kept_until_rolled_back_or_reloaded() {
        let mut state = PlaygroundState::default();
        state.reduce(PlaygroundAction::Event(PlaygroundEvent::Running {
            running: true,
        }));
        let diverged = PlaygroundEvent::Diverged {
            step: 120,
            good_step: 100,
        };
        state.reduce(PlaygroundAction::Event(diverged.clone()));
        assert!(!state.running);
        assert_eq!(state.diverged, Some((120, 100)));
        state.reduce(PlaygroundAction::RollBack);
        assert_eq!((state.diverged, state.requests.roll_back), (None, 1));
        state.reduce(PlaygroundAction::Event(diverged));
        state.reduce(PlaygroundAction::Event(PlaygroundEvent::Loaded {
            config: PlaygroundConfig::default(),
            split: kindling_engine::datasets::toy2d::Split {
                train: Vec::new(),
                test: Vec::new(),
            },
        }));
        assert_eq!(state.diverged, None);
    }

    fn event(event: PlaygroundEvent) -> PlaygroundAction {
        PlaygroundAction::Event(event)
    }

    fn checkpoint(step: u64) -> PlaygroundAction {
        checkpoint_with(PlaygroundConfig::default(), step)
    }

    fn checkpoint_with(config: PlaygroundConfig, step: u64) -> PlaygroundAction {
        event(PlaygroundEvent::Checkpoint {
            checkpoint: Box::new(PlaygroundCheckpoint {
                config,
                step,
                elapsed_ms: 0.0,
                batch_loss: 0.5,
                order: vec![1, 0],
                cursor: Some(1),
                rng_draws: 3,
                model: vec![1],
                optimizer: vec![2],
            }),
        })
    }

    fn split() -> Split {
        Split {
            train: Vec::new(),
            test: Vec::new(),
        }
    }

    fn progress(step: u64) -> PlaygroundAction {
        let evaluation = kindling_engine::lessons::playground::report::Evaluation {
            train_loss: 0.5,
            test_loss: 0.6,
            train_accuracy: 0.8,
            test_accuracy: 0.7,
        };
        event(PlaygroundEvent::Progress {
            progress: Progress {
                step,
                batch_loss: 0.5,
                evaluation,
                elapsed_ms: 0.0,
                steps_per_second: 0.0,
            },
        })
    }

    fn loaded() -> PlaygroundAction {
        event(PlaygroundEvent::Loaded {
            config: PlaygroundConfig::default(),
            split: split(),
        })
    }

    fn resumed(id: u64, step: u64) -> PlaygroundAction {
        event(PlaygroundEvent::Resumed {
            id,
            step,
            config: PlaygroundConfig::default(),
            split: split(),
        })
    }

    #[test]
    fn a_crashed_run_resumes_from_its_latest_checkpoint_with_its_curves_up_to_it() {
        use crate::lessons::checkpoints::Recovery;
        let mut state = PlaygroundState::default();
        state.reduce(loaded());
        state.reduce(progress(0));
        // Lost before any step: nothing to say.
        state.reduce(PlaygroundAction::WorkerLost);
        assert_eq!(state.checkpoints.recovery, None);
        state.reduce(loaded());
        // Trained, but no checkpoint yet: the run is lost, and said to be, also once reloaded.
        state.reduce(progress(40));
        state.reduce(PlaygroundAction::WorkerLost);
        assert_eq!(state.checkpoints.recovery, Some(Recovery::Lost));
        state.reduce(loaded());
        assert_eq!(state.checkpoints.recovery, Some(Recovery::Lost));

        for step in [0, 100, 200, 300, 400] {
            state.reduce(progress(step));
        }
        state.reduce(checkpoint(200));
        state.reduce(checkpoint(300));
        state.reduce(event(PlaygroundEvent::Running { running: true }));
        assert_eq!(state.checkpoints.latest_iterations(), Some(300));
        let load = state.requests.load;
        state.reduce(PlaygroundAction::WorkerLost);
        assert!(!state.running && !state.loaded);
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resuming { iterations: 300 })
        );
        assert_eq!(
            state.requests.load, load,
            "the next worker is sent the resume"
        );
        assert_eq!(
            state.checkpoints.resume.as_ref().map(|k| k.0.step),
            Some(300)
        );
        // An answer to another resume (an older id) is stale.
        state.reduce(resumed(load + 7, 300));
        assert!(state.checkpoints.resume.is_some() && !state.loaded);
        state.reduce(resumed(load, 300));
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resumed { iterations: 300 })
        );
        assert!(state.checkpoints.resume.is_none() && state.loaded && !state.running);
        assert_eq!(state.checkpoints.latest_iterations(), Some(300));
        let steps: Vec<u64> = state.history.points.iter().map(|&(s, _)| s).collect();
        assert_eq!(steps, [0, 100, 200, 300], "the curves up to the checkpoint");
        assert!(
            state.progress.is_none(),
            "the checkpoint's report comes next"
        );
        // A second answer to the same resume changes nothing.
        state.reduce(event(PlaygroundEvent::ResumeFailed {
            id: load,
            error: ResumeError::BadSettings,
        }));
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Resumed { iterations: 300 })
        );
    }

    #[test]
    fn a_refused_or_replaced_resume_starts_a_fresh_network() {
        use crate::lessons::checkpoints::Recovery;
        let mut state = PlaygroundState::default();
        state.reduce(loaded());
        state.reduce(progress(50));
        state.reduce(checkpoint(50));
        state.reduce(PlaygroundAction::WorkerLost);
        let load = state.requests.load;
        state.reduce(event(PlaygroundEvent::ResumeFailed {
            id: load,
            error: ResumeError::BadStep { step: 50 },
        }));
        assert_eq!(
            state.checkpoints.recovery,
            Some(Recovery::Failed(ResumeError::BadStep { step: 50 }))
        );
        assert_eq!(
            state.requests.load,
            load + 1,
            "a fresh network is asked for"
        );
        assert!(state.checkpoints.resume.is_none() && state.checkpoints.latest.is_none());
        state.reduce(loaded());
        assert!(matches!(
            state.checkpoints.recovery,
            Some(Recovery::Failed(_))
        ));

        // New settings while a resume waits for the next worker: the new settings win, and the
        // answer to the resume sent before the change is stale.
        state.reduce(progress(60));
        state.reduce(checkpoint(60));
        state.reduce(PlaygroundAction::WorkerLost);
        let sent = state.requests.load;
        state.reduce(PlaygroundAction::SetConfig(PlaygroundConfig {
            seed: 9,
            ..PlaygroundConfig::default()
        }));
        assert!(state.checkpoints.resume.is_none() && state.checkpoints.recovery.is_none());
        state.reduce(resumed(sent, 60));
        state.reduce(event(PlaygroundEvent::ResumeFailed {
            id: sent,
            error: ResumeError::BadSettings,
        }));
        assert!(!state.loaded && state.checkpoints.recovery.is_none());
        assert_eq!(state.requests.load, sent + 1);

        // A reset forgets the run's checkpoint; where none can be taken, the page says why.
        state.reduce(loaded());
        state.reduce(checkpoint(5));
        state.reduce(PlaygroundAction::Reset);
        assert!(state.checkpoints.latest.is_none());
        state.reduce(event(PlaygroundEvent::NoCheckpoint {
            error: ResumeError::Unreadable {
                message: "the device could not be read".into(),
            },
        }));
        assert_eq!(
            state.checkpoints.unavailable,
            Some(ResumeError::Unreadable {
                message: "the device could not be read".into(),
            })
        );
        state.reduce(loaded());
        assert_eq!(state.checkpoints.unavailable, None);
    }

    #[test]
    fn a_run_kept_in_the_browser_comes_back_after_a_reload_with_its_curves_and_step() {
        use crate::lessons::checkpoints::Recovery;
        use crate::lessons::kept_run::{KeepMessage, KeptInBrowser};
        let config = PlaygroundConfig {
            seed: 11,
            ..PlaygroundConfig::default()
        };
        let mut state = PlaygroundState::new(config.clone(), Vec::new());
        state.reduce(loaded());
        state.reduce(PlaygroundAction::Kept(KeptAction::Keep));
        assert_eq!(
            (state.kept.message.clone(), state.kept.keeps),
            (Some(KeepMessage::NothingYet), 0),
            "nothing to keep before the first checkpoint"
        );
        for step in [0, 100, 200, 300] {
            state.reduce(progress(step));
        }
        state.reduce(checkpoint_with(config.clone(), 200));
        state.reduce(PlaygroundAction::Kept(KeptAction::Keep));
        assert_eq!(state.kept.keeps, 1);
        let run = state.to_keep().expect("a run to keep");
        assert_eq!(run.checkpoint.step, 200);
        let kept: Vec<u64> = run.curves.iter().map(|&(s, _)| s).collect();
        assert_eq!(kept, [0, 100, 200], "the curves up to the checkpoint");
        assert_eq!(run.curves[1].1, [0.5, 0.6]);
        state.reduce(PlaygroundAction::Kept(KeptAction::Saved(Ok(200))));
        state.reduce(PlaygroundAction::Kept(KeptAction::TabHidden));
        assert_eq!(state.kept.keeps, 1, "that checkpoint is kept already");

        // Paused, one step: its checkpoint is the one a hidden tab keeps.
        state.reduce(PlaygroundAction::Step);
        state.reduce(checkpoint_with(config.clone(), 201));
        state.reduce(PlaygroundAction::Kept(KeptAction::TabHidden));
        assert_eq!(state.kept.keeps, 2);
        assert_eq!(state.to_keep().map(|r| r.checkpoint.step), Some(201));
        state.reduce(PlaygroundAction::Kept(KeptAction::Saved(Ok(201))));
        assert_eq!(
            state.kept.message,
            Some(KeepMessage::Kept {
                at: 201,
                hidden: true
            })
        );

        // After a reload, with other settings in the link: the kept run's come back.
        let mut page = PlaygroundState::new(PlaygroundConfig::default(), Vec::new());
        page.kept.look();
        assert_eq!(page.kept.lookups, 1);
        page.reduce(PlaygroundAction::Kept(KeptAction::Looked(Ok(Some(
            run.to_bytes(),
        )))));
        assert!(matches!(page.kept.found, KeptInBrowser::Found(_)));
        page.reduce(loaded());
        page.reduce(progress(0));
        let load = page.requests.load;
        page.reduce(PlaygroundAction::ResumeKept);
        assert_eq!(page.config, config);
        assert_eq!(page.requests.load, load + 1, "the resume is sent");
        assert_eq!(
            page.checkpoints.resume.as_ref().map(|k| k.0.step),
            Some(200)
        );
        assert!(
            matches!(page.kept.found, KeptInBrowser::Nothing),
            "offered once"
        );
        page.reduce(resumed(load + 1, 200));
        assert_eq!(
            page.checkpoints.recovery,
            Some(Recovery::Restored { iterations: 200 })
        );
        let steps: Vec<u64> = page.history.points.iter().map(|&(s, _)| s).collect();
        assert_eq!(steps, [0, 100, 200], "the curves drawn before the reload");
        assert_eq!(page.checkpoints.latest_iterations(), Some(200));
        assert!(page.loaded && page.restoring.is_none());

        // Damaged bytes: said, nothing offered.
        let mut damaged = PlaygroundState::default();
        damaged.reduce(PlaygroundAction::Kept(KeptAction::Looked(Ok(Some(vec![
            0xff;
            6
        ])))));
        assert!(matches!(damaged.kept.found, KeptInBrowser::Unreadable(_)));
        damaged.reduce(PlaygroundAction::ResumeKept);
        assert_eq!(damaged.requests.load, 0);
    }
}
