//! The GAN lesson's messages between the page and the worker (inside `ToWorker::Gan` and
//! `FromWorker::Gan`). Plain serde data; points are flattened as x0, y0, x1, y1, ….

use serde::{Deserialize, Serialize};

use super::digits::{DigitError, DigitSettings};
use super::digits_resume::{DigitCheckpoint, ResumeError};
use super::metrics::{ClassMeter, Divergence};
use super::settings::{ToyError, ToySettings};
use super::toy_resume::ToyCheckpoint;
use crate::common::model_card::ModelFileError;
use crate::datasets::mnist::DataLoadError;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum GanCommand {
    Toy(ToyCommand),
    Digits(DigitCommand),
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum GanEvent {
    Toy(ToyEvent),
    Digits(DigitEvent),
}

/// Which network a single step trains.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StepPart {
    /// k discriminator steps, then one generator step: one iteration.
    Both,
    Discriminator,
    Generator,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum ToyCommand {
    /// Fresh networks and data from these settings; stays paused. Boxed: the settings are
    /// the largest of all commands.
    Load {
        settings: Box<ToySettings>,
    },
    /// Trains until paused; `slow`: one iteration at a time, with a pause to watch each.
    Play {
        slow: bool,
    },
    Pause,
    Step {
        part: StepPart,
    },
    /// Go on with the run a checkpoint was taken from (a new worker after a crash): answered by
    /// `Resumed`, paused, or `ResumeFailed`.
    Resume {
        checkpoint: Box<ToyCheckpoint>,
    },
    /// Back to the last state known to be good, after `Diverged`; stays paused.
    RollBack,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum ToyEvent {
    /// A new run: the real points shown, and the centres of the target's modes (if a mixture).
    Loaded {
        settings: ToySettings,
        real: Vec<f32>,
        modes: Vec<[f32; 2]>,
    },
    /// The settings could not be trained; the previous run (if any) continues unchanged.
    Rejected {
        errors: Vec<ToyError>,
    },
    View {
        view: Box<ToyView>,
    },
    Running {
        running: bool,
    },
    /// The run's latest checkpoint, for the page to keep (see
    /// `common::resume::CHECKPOINT_EVERY_MS`).
    Checkpoint {
        checkpoint: Box<ToyCheckpoint>,
    },
    /// This run's checkpoints cannot be taken (once per run).
    NoCheckpoint {
        error: ResumeError,
    },
    /// The run goes on from a checkpoint after `iterations` (`updates`: D's and G's together),
    /// paused; its real points and modes as `Loaded` gives them.
    Resumed {
        iterations: u64,
        updates: u64,
        real: Vec<f32>,
        modes: Vec<[f32; 2]>,
    },
    ResumeFailed {
        error: ResumeError,
    },
    /// D's or G's loss stopped being a number after `iterations`, and training paused;
    /// `good_iterations` is where a roll back returns to.
    Diverged {
        iterations: u64,
        good_iterations: u64,
    },
}

/// The generator's image of a grid (2-D noise: `side` × `side` points, row by row) or of a line
/// (1-D noise: `side` points) in noise space.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct Manifold {
    pub noise_dim: u32,
    pub side: u32,
    pub points: Vec<f32>,
}

/// Everything the page draws of a run at one moment.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct ToyView {
    /// Iterations (one generator step each, after k discriminator steps).
    pub iterations: u64,
    pub d_updates: u64,
    pub g_updates: u64,
    /// Losses and D's mean output on the fixed real points and the fixed noise batch.
    pub d_loss: f32,
    pub g_loss: f32,
    pub d_real: f32,
    pub d_fake: f32,
    /// Generated points from the fixed noise batch.
    pub fake: Vec<f32>,
    /// D's probability of "real" on a `resolution` × `resolution` grid over the plot, row by row
    /// from the top.
    pub resolution: u32,
    pub heat: Vec<f32>,
    pub manifold: Manifold,
    /// For the first generated points, the direction that lowers G's loss (−∂loss/∂x, ∂y).
    pub arrows: Vec<f32>,
    pub divergence: Option<Divergence>,
    /// For a mixture, the share of generated points near each mode.
    pub shares: Vec<f32>,
    pub elapsed_ms: f64,
    pub iterations_per_second: f64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum DigitCommand {
    /// Fresh networks with these settings (MNIST is fetched the first time); stays paused.
    Load {
        settings: DigitSettings,
    },
    Play,
    Pause,
    /// One D step and one G step, then paused.
    Step,
    /// `frames` images between the noise vectors of two seeds, for `label` when conditional.
    Walk {
        from: u64,
        to: u64,
        frames: u32,
        label: u8,
    },
    /// Samples asked for one digit (conditional runs).
    Draw {
        label: u8,
    },
    /// The generator as a model file.
    Save,
    /// A generator file to take in place of the current one.
    LoadGenerator {
        bytes: Vec<u8>,
    },
    /// Go on with the run a checkpoint was taken from (a new worker after a crash): answered by
    /// `Resumed`, paused, or `ResumeFailed`.
    Resume {
        checkpoint: Box<DigitCheckpoint>,
    },
    /// Back to the last state known to be good, after `Diverged`; stays paused.
    RollBack,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum DigitEvent {
    DataProgress {
        loaded: u64,
        total: u64,
    },
    DataFailed {
        error: DataLoadError,
    },
    Loaded {
        settings: DigitSettings,
    },
    Rejected {
        errors: Vec<DigitError>,
    },
    /// The run's numbers and the fixed noise batch's images (one byte a pixel, 784 an image).
    Progress {
        iterations: u64,
        d_loss: f32,
        g_loss: f32,
        d_real: f32,
        d_fake: f32,
        elapsed_ms: f64,
        grid: Vec<u8>,
    },
    /// The classifier's verdict on 1 000 samples.
    Meter {
        meter: ClassMeter,
    },
    /// Why there is no meter (the classifier could not be fetched or read).
    MeterUnavailable {
        message: String,
    },
    Walk {
        frames: Vec<u8>,
    },
    Drawn {
        label: u8,
        images: Vec<u8>,
    },
    Saved {
        bytes: Vec<u8>,
    },
    GeneratorLoaded {
        iterations: u64,
    },
    GeneratorRefused {
        error: ModelFileError,
    },
    Running {
        running: bool,
    },
    /// The run's latest checkpoint, for the page to keep (see
    /// `digits_resume::CHECKPOINT_EVERY_MS`).
    Checkpoint {
        checkpoint: Box<DigitCheckpoint>,
    },
    /// This run's checkpoints cannot be taken (once per run).
    NoCheckpoint {
        error: ResumeError,
    },
    /// The run goes on from a checkpoint after `iterations`, paused.
    Resumed {
        settings: DigitSettings,
        iterations: u64,
    },
    ResumeFailed {
        error: ResumeError,
    },
    /// D's or G's loss stopped being a number after `iterations`, and training paused;
    /// `good_iterations` is where a roll back returns to.
    Diverged {
        iterations: u64,
        good_iterations: u64,
    },
}
