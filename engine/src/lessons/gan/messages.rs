//! The GAN lesson's messages between the page and the worker (inside `ToWorker::Gan` and
//! `FromWorker::Gan`). Plain serde data; points are flattened as x0, y0, x1, y1, ….

use serde::{Deserialize, Serialize};

use super::metrics::Divergence;
use super::settings::{ToyError, ToySettings};

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum GanCommand {
    Toy(ToyCommand),
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub enum GanEvent {
    Toy(ToyEvent),
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
    /// Fresh networks and data from these settings; stays paused.
    Load {
        settings: ToySettings,
    },
    /// Trains until paused; `slow`: one iteration at a time, with a pause to watch each.
    Play {
        slow: bool,
    },
    Pause,
    Step {
        part: StepPart,
    },
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
