//! The playground's messages between the page and the worker (inside `ToWorker::Playground` and
//! `FromWorker::Playground`). Plain serde data.

use serde::{Deserialize, Serialize};

use super::PlaygroundConfig;
use super::config::ConfigError;
use super::report::Progress;
use super::resume::{PlaygroundCheckpoint, ResumeError};
use crate::datasets::toy2d::Split;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum PlaygroundCommand {
    /// Build data and a fresh model from these settings; stays paused.
    Load {
        config: PlaygroundConfig,
    },
    Play,
    Pause,
    /// One step, then paused.
    Step,
    /// Back to the last step whose loss was a number, after `Diverged`; stays paused.
    RollBack,
    /// Go on from this checkpoint (after the last worker stopped), paused; `Load` otherwise. The
    /// answer (`Resumed`, `ResumeFailed`) carries `id`, so the page can tell a stale one.
    Resume {
        id: u64,
        checkpoint: Box<PlaygroundCheckpoint>,
    },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum PlaygroundEvent {
    /// The data set of the loaded configuration.
    Loaded {
        config: PlaygroundConfig,
        split: Split,
    },
    /// The configuration could not be loaded; the previous run (if any) continues unchanged.
    Rejected {
        errors: Vec<ConfigError>,
    },
    Progress {
        progress: Progress,
    },
    /// Probability of class 1 on the boundary grid, row-major from the top.
    Boundary {
        resolution: u32,
        probabilities: Vec<f32>,
    },
    Running {
        running: bool,
    },
    /// The loss stopped being a number at `step`, and training paused; `good_step` is the last
    /// step a roll back returns to.
    Diverged {
        step: u64,
        good_step: u64,
    },
    /// The run's latest checkpoint: every few seconds of training, and whenever training stops.
    Checkpoint {
        checkpoint: Box<PlaygroundCheckpoint>,
    },
    /// This run's checkpoints cannot be taken (said once a run).
    NoCheckpoint {
        error: ResumeError,
    },
    /// The run of the checkpoint sent with `Resume { id, .. }` goes on from `step`, paused.
    Resumed {
        id: u64,
        step: u64,
        config: PlaygroundConfig,
        split: Split,
    },
    /// The checkpoint sent with `Resume { id, .. }` could not be resumed; nothing was loaded.
    ResumeFailed {
        id: u64,
        error: ResumeError,
    },
}
