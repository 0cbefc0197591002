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

use crate::widgets::loss_chart::{LossHistory, TrainTest};

/// The playground's loss over the steps.
pub type History = LossHistory;

#[derive(Clone, Debug, PartialEq)]
pub struct Boundary {
    pub resolution: u32,
    pub probabilities: Vec<f32>,
}

/// How many times each message has been asked for; a change sends it.
#[derive(Clone, Copy, Debug, PartialEq, Default)]
pub struct Requests {
    /// `Load` of the current configuration.
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
}

impl PlaygroundState {
    pub fn new(config: PlaygroundConfig, url_errors: Vec<ConfigError>) -> Self {
        Self {
            config,
            url_errors,
            ..Self::default()
        }
    }

    fn load(&mut self, config: PlaygroundConfig) {
        if config != self.config {
            self.config = config;
            self.requests.load += 1;
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
            PlaygroundAction::Reset => self.requests.load += 1,
            PlaygroundAction::Event(event) => self.on_event(event),
            PlaygroundAction::WorkerLost => self.running = false,
        }
    }

    fn on_event(&mut self, event: PlaygroundEvent) {
        match event {
            PlaygroundEvent::Loaded { config: _, split } => {
                // A new run. Its first report may already be here (step 0): keep that one.
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
}
