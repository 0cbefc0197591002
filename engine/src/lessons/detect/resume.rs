//! A detection run's checkpoint, for the page to keep while the worker trains (issue 14): the
//! detector's weights, backbone and head ([`crate::common::snapshot`]), and its optimiser's state
//! ([`crate::common::stepper`]), read asynchronously on every backend, with the run's level,
//! settings and steps. The canvases follow from the seed and the step, so a resumed run trains on
//! the ones the uninterrupted run would have. The curves stay on the page, which drew them; a run
//! kept in the browser ([`KeptDetectRun`]) holds both.

use serde::{Deserialize, Serialize};

use crate::common::resume::{KeptCheckpoint, KeptTraining};
pub use crate::common::resume::{KeptRunError, ResumeError};

use super::config::{DetectEvaluation, DetectSettings, StepLosses};
use super::data::Level;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct DetectCheckpoint {
    pub level: Level,
    /// The run's settings (for a detector trained further, with the loaded head's shape).
    pub settings: DetectSettings,
    /// The step the run began at: 0, or a loaded detector's steps.
    pub first: u64,
    /// Steps the detector has had.
    pub step: u64,
    /// Training time so far, in milliseconds.
    pub elapsed_ms: f64,
    /// The last step's losses.
    pub losses: Option<StepLosses>,
    #[serde(with = "serde_bytes")]
    pub model: Vec<u8>,
    #[serde(with = "serde_bytes")]
    pub optimizer: Vec<u8>,
}

impl DetectCheckpoint {
    /// The step the run ends at.
    pub fn end(&self) -> u64 {
        self.first + u64::from(self.settings.steps)
    }

    /// Why a run of `level` cannot go on from this checkpoint, if it cannot.
    pub fn check(&self, level: Level) -> Result<(), ResumeError> {
        if self.level != level {
            return Err(ResumeError::Unreadable {
                message: format!(
                    "a checkpoint of level {}, not of level {}",
                    number(self.level),
                    number(level)
                ),
            });
        }
        if !self.settings.validate().is_empty() {
            return Err(ResumeError::BadSettings);
        }
        if self.step < self.first || self.step > self.end() {
            return Err(ResumeError::BadStep { step: self.step });
        }
        Ok(())
    }
}

impl KeptCheckpoint for DetectCheckpoint {
    const KEPT_FORMAT: u32 = 1;
    type Curves = DetectCurves;
}

/// What a kept detection run brings back to draw again, up to its checkpoint's step: the curves
/// and what the run said as it trained that the checkpoint does not hold.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Default)]
pub struct DetectCurves {
    /// The loss chart's (step, losses) points.
    pub losses: Vec<(u64, StepLosses)>,
    /// Level one's live scores on a few test canvases.
    pub scores: Vec<(u64, DetectEvaluation)>,
    /// Level two's live mAP@0.5.
    pub maps: Vec<(u64, f32)>,
    /// The step from which the backbone trained too, once it had.
    pub unfrozen_at: Option<u64>,
}

/// A detection run (either level) kept in the browser (IndexedDB) to resume after a reload.
pub type KeptDetectRun = KeptTraining<DetectCheckpoint>;

/// The level as the page numbers it.
fn number(level: Level) -> &'static str {
    match level {
        Level::One => "one",
        Level::Many => "two",
    }
}
