//! What both detectors' runs share: where a run stands (the step it began at, the next step, the
//! step it ends at), when the backbone unfreezes and the learning rates that follow, and the
//! last step's losses read after a chunk. A fresh run begins at step 0; a run that trains a
//! loaded detector further begins at that detector's steps, so its steps and curves continue.
//! Both runs step with the [`Stepper`] and its Adam, and take and resume their checkpoints
//! ([`super::resume`]) here.

use burn::lr_scheduler::module_lr_scheduler::{ModuleLearningRate, ModuleLrScheduler};
use burn::module::{Module, ParamGroup};
use burn::tensor::{Device, Tensor};

use super::config::{DetectSettings, MAX_STEPS, StepLosses};
use super::data::Level;
use super::resume::{DetectCheckpoint, ResumeError};
use crate::common::read::read_floats;
use crate::common::snapshot;
use crate::common::stepper::{Rule, Stepper};

/// The detectors' optimiser: Adam with burn's defaults, as they always trained.
pub(super) fn optimizer() -> Stepper {
    Stepper::new(rule())
}

fn rule() -> Rule {
    Rule::adam(0.9)
}

pub(super) struct Schedule {
    /// The step the run began at.
    pub first: u64,
    /// The next step.
    pub step: u64,
    /// The step the run ends at.
    pub end: u64,
    /// The step (counted from 0 as `step` is) from which the backbone trains too.
    pub unfreeze_at: Option<u64>,
    head_rate: f64,
    backbone_share: f64,
    pub rates: ModuleLearningRate,
}

impl Schedule {
    /// `settings.steps` steps from step `first`; `settings.unfreeze_at` counts from `first`.
    pub fn new(settings: &DetectSettings, first: u64) -> Self {
        Self {
            first,
            step: first,
            end: first + u64::from(settings.steps),
            unfreeze_at: settings.unfreeze_at.map(|at| first + u64::from(at)),
            head_rate: settings.learning_rate,
            backbone_share: settings.backbone_share,
            rates: ModuleLrScheduler::new(settings.learning_rate).step(),
        }
    }

    /// A run with no steps left, at step `steps`: a loaded detector's, whose card says
    /// `settings`. Its settings are made valid for the page to show (their steps those it had,
    /// within the settings' bounds, and an unfreezing within them).
    pub fn over(settings: DetectSettings, steps: u64) -> (DetectSettings, Self) {
        let shown_steps = steps.clamp(1, u64::from(MAX_STEPS)) as u32;
        let settings = DetectSettings {
            steps: shown_steps,
            unfreeze_at: settings.unfreeze_at.filter(|&at| at < shown_steps),
            ..settings
        };
        let schedule = Self {
            end: steps,
            unfreeze_at: None,
            ..Self::new(&settings, steps)
        };
        (settings, schedule)
    }

    /// Where a run from `checkpoint.first` stands at `checkpoint.step`, and whether its backbone
    /// had unfrozen by then (before that step; the rates follow).
    fn resumed(checkpoint: &DetectCheckpoint) -> (Self, bool) {
        let mut schedule = Self::new(&checkpoint.settings, checkpoint.first);
        let unfrozen = match schedule.unfreeze_at {
            Some(at) if at < checkpoint.step => {
                schedule.step = at;
                schedule.unfreezes_now()
            }
            _ => false,
        };
        schedule.step = checkpoint.step;
        (schedule, unfrozen)
    }

    pub fn is_finished(&self) -> bool {
        self.step >= self.end
    }

    /// Before a step: whether the backbone unfreezes at this one, and if so the learning rates
    /// with the backbone's group at its share of the head's.
    pub fn unfreezes_now(&mut self) -> bool {
        if self.unfreeze_at != Some(self.step) {
            return false;
        }
        self.rates = ModuleLrScheduler::new(self.head_rate)
            .with_group(
                ParamGroup::from_predicate("backbone."),
                self.head_rate * self.backbone_share,
            )
            .step();
        true
    }
}

/// What a run holds that its checkpoint keeps.
pub(super) struct Held<'a, M> {
    pub level: Level,
    pub settings: &'a DetectSettings,
    pub schedule: &'a Schedule,
    pub model: &'a M,
    pub optimizer: &'a Stepper,
    pub losses: Option<StepLosses>,
}

/// The run's checkpoint with `elapsed_ms` of training so far, read asynchronously (every backend).
pub(super) async fn checkpoint<M: Module>(
    held: Held<'_, M>,
    elapsed_ms: f64,
) -> Result<DetectCheckpoint, ResumeError> {
    Ok(DetectCheckpoint {
        level: held.level,
        settings: held.settings.clone(),
        first: held.schedule.first,
        step: held.schedule.step,
        elapsed_ms,
        losses: held.losses,
        model: snapshot::save(held.model).await?,
        optimizer: held.optimizer.save(held.model).await,
    })
}

/// A run where `checkpoint` (already checked for its level) was taken: `fresh` (a new detector
/// of the checkpoint's settings, its backbone frozen) with the checkpoint's weights, unfrozen by
/// `unfreeze` when the run had unfrozen it, its optimiser's state and its schedule. Refused when
/// the bytes are damaged or another detector's.
pub(super) fn resume<M: Module>(
    checkpoint: &DetectCheckpoint,
    fresh: M,
    unfreeze: impl FnOnce(M) -> M,
    device: &Device,
) -> Result<(M, Stepper, Schedule), ResumeError> {
    let model = snapshot::load(fresh, &checkpoint.model)?;
    let (schedule, unfrozen) = Schedule::resumed(checkpoint);
    let model = if unfrozen { unfreeze(model) } else { model };
    let optimizer = Stepper::load(rule(), &model, &checkpoint.optimizer, device)?;
    Ok((model, optimizer, schedule))
}

/// The losses of a chunk's last step ([3]: total, class, box), read once; None before any step.
pub(super) async fn read_last(last: Option<Tensor<1>>, done: u64) -> Option<StepLosses> {
    match last {
        Some(last) if done > 0 => match read_floats(last).await[..] {
            [total, class, boxes] => Some(StepLosses {
                total,
                class,
                boxes,
            }),
            _ => None,
        },
        _ => None,
    }
}
