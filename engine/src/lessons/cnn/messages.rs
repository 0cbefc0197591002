//! The CNN lesson's messages between the page and the worker (inside `ToWorker::Cnn` and
//! `FromWorker::Cnn`). Plain serde data.

use serde::{Deserialize, Serialize};

use super::card::{CheckpointError, ModelCard};
use super::config::{CnnEvaluation, CnnProblem, CnnProgress, CnnSettings, FeatureMaps, LayerShape};
use super::resume::{CnnCheckpoint, ResumeError};
pub use crate::datasets::mnist::DataLoadError;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum CnnCommand {
    /// Download and check MNIST, unless it is already loaded.
    LoadData,
    /// A fresh model with these settings (loading the data first if needed); stays paused.
    Load {
        settings: CnnSettings,
    },
    Play,
    Pause,
    /// One training step, then paused.
    Step,
    /// Back to the last step known to be good, after `Diverged`; stays paused.
    RollBack,
    /// Evaluate on the whole test set now.
    Evaluate,
    /// Show the inside of the network for this test image from now on.
    Inspect {
        test_index: usize,
    },
    /// Class probabilities for a 28 × 28 image with values in [0, 1] (a preprocessed drawing).
    Predict {
        id: u64,
        pixels: Vec<f32>,
    },
    /// Save the model: answered by `Exported`.
    Export,
    /// Replace the model by a saved one.
    Import {
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// Go on with the run a checkpoint was taken from (a new worker after a crash): answered by
    /// `Resumed`, paused, or `ResumeFailed`.
    Resume {
        checkpoint: Box<CnnCheckpoint>,
    },
}

/// What the worker saw inside the network for one test image.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Inspection {
    pub test_index: usize,
    pub label: u8,
    /// The 28 × 28 image, one byte a pixel.
    #[serde(with = "serde_bytes")]
    pub image: Vec<u8>,
    pub probabilities: Vec<f32>,
    /// First-layer kernels, one row-major `kernel × kernel` list each.
    pub filters: Vec<Vec<f32>>,
    /// Each convolution block's output.
    pub maps: Vec<FeatureMaps>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum CnnEvent {
    /// Bytes of MNIST received so far, over both files.
    DataProgress {
        loaded: u64,
        total: u64,
    },
    DataReady {
        train: usize,
        test: usize,
    },
    DataFailed {
        error: DataLoadError,
    },
    /// A model is ready (fresh, or imported with its `card`).
    Loaded {
        settings: CnnSettings,
        layers: Vec<LayerShape>,
        steps_per_epoch: u64,
        card: Option<ModelCard>,
    },
    /// The settings cannot be trained; the previous model (if any) is kept.
    Rejected {
        problems: Vec<CnnProblem>,
    },
    Running {
        running: bool,
    },
    Progress {
        progress: CnnProgress,
    },
    /// A test-set evaluation at `step`. `full`: on all test images (end of an epoch or asked
    /// for); otherwise on the first ones, for the live curve. `gallery` holds the 28 × 28 images
    /// of `evaluation.misclassified`, in order (full evaluations only).
    Evaluated {
        step: u64,
        full: bool,
        evaluation: CnnEvaluation,
        #[serde(with = "serde_bytes")]
        gallery: Vec<u8>,
    },
    Inspected {
        inspection: Inspection,
    },
    Predicted {
        id: u64,
        probabilities: Vec<f32>,
    },
    Exported {
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
        card: ModelCard,
    },
    ImportFailed {
        error: CheckpointError,
    },
    /// The loss stopped being a number at `step`; the run is paused and can go back to
    /// `good_step`.
    Diverged {
        step: u64,
        good_step: u64,
    },
    /// The run's latest checkpoint, for the page to keep (see `resume::CHECKPOINT_EVERY_MS`).
    Checkpoint {
        checkpoint: CnnCheckpoint,
    },
    /// This run's checkpoints cannot be taken (once per run).
    NoCheckpoint {
        error: ResumeError,
    },
    /// The run goes on from a checkpoint at `step`, paused.
    Resumed {
        settings: CnnSettings,
        layers: Vec<LayerShape>,
        steps_per_epoch: u64,
        step: u64,
    },
    ResumeFailed {
        error: ResumeError,
    },
}
