//! What both detectors' runs share: where a run stands (the step it began at, the next step, the
//! step it ends at), when the backbone unfreezes and the learning rates that follow, and the
//! last step's losses read after a chunk. A fresh run begins at step 0; a run that trains a
//! loaded detector further begins at that detector's steps, so its steps and curves continue.
//! Both runs step with the [`Stepper`] and its Adam, and take and resume their checkpoints
//! ([`super::resume`]) here, and keep the state a run whose loss stopped being a number goes
//! back to.

use burn::lr_scheduler::module_lr_scheduler::{ModuleLearningRate, ModuleLrScheduler};
use burn::module::{Module, ParamGroup};
use burn::tensor::{Device, Tensor};

use super::config::{DetectSettings, MAX_STEPS, StepLosses};
use super::data::{CANVAS, Level};
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

#[derive(Clone)]
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

/// A run's state at one step, what a roll back returns to: the weights (frozen or not, as they
/// were), the optimiser's state, the schedule (step and rates) and the last losses. Cloning it is
/// cheap: the tensors are shared, not copied.
#[derive(Clone)]
pub(super) struct Good<M> {
    pub model: M,
    pub optimizer: Stepper,
    pub schedule: Schedule,
    pub losses: Option<StepLosses>,
}

pub(super) use crate::common::training::detached;

/// Draws a fresh head's weights now, in the order its forward pass uses them (one pass over a
/// blank canvas), as its first training step would have: the copy a run keeps to go back to draws
/// undrawn weights in the order the module lists them, which for the spatial head (its box layer
/// is used before its class layer) would give other weights than the recipe's. The frozen
/// backbone's batch norms do not learn from the pass.
pub(super) fn draw_head(forward: impl FnOnce(Tensor<4>), device: &Device) {
    forward(Tensor::zeros([1, 1, CANVAS, CANVAS], device));
}

/// A run's `train_chunk` and what it does when a loss stops being a number (`diverged`,
/// `good_step`, `roll_back`), the same at both levels: in an `impl` of a run with `model`,
/// `optimizer`, `schedule`, `losses`, `last` and `divergence` fields.
macro_rules! chunks_and_divergence {
    ($model:ty) => {
        /// Runs up to `max_steps` steps, stopping early once `budget_ms` has passed or the run is
        /// over. Returns the steps run and the last batch's losses (None before any step).
        pub async fn train_chunk(
            &mut self,
            max_steps: u64,
            budget_ms: f64,
        ) -> (u64, Option<StepLosses>) {
            if self.divergence.diverged().is_some() {
                return (0, None);
            }
            let start = self.state();
            let done = train_chunk(self, max_steps, budget_ms).await;
            let losses = read_last(self.last.take(), done).await;
            self.losses = losses.or(self.losses);
            self.divergence
                .after_chunk(start, self.schedule.step, losses);
            (done, losses)
        }

        /// The step at which a loss stopped being a number (NaN or infinite): the weights have
        /// blown up, and more steps cannot bring them back, so the run trains no further. None
        /// until then, and after a roll back.
        pub fn diverged(&self) -> Option<u64> {
            self.divergence.diverged()
        }

        /// The step [`Self::roll_back`] returns to.
        pub fn good_step(&self) -> u64 {
            self.divergence.good_step(self.schedule.step)
        }

        /// Returns to the last state known to be good (its weights, frozen or not as they were,
        /// the optimiser's state, the step and learning rates), so that training can go on from
        /// there.
        pub fn roll_back(&mut self) {
            if let Some(good) = self.divergence.roll_back() {
                // A copy again: the kept state stays as it is, should the run blow up once
                // more before it is replaced.
                self.model = schedule::detached(&good.model);
                self.optimizer = good.optimizer;
                self.schedule = good.schedule;
                self.losses = good.losses;
            }
        }

        /// The run as it is now, to go back to.
        fn state(&self) -> Good<$model> {
            Good {
                model: schedule::detached(&self.model),
                optimizer: self.optimizer.clone(),
                schedule: self.schedule.clone(),
                losses: self.losses,
            }
        }
    };
}
pub(super) use chunks_and_divergence;

/// Whether a run's loss stopped being a number, and the state to go back to.
pub(super) struct Divergence<M> {
    /// The state at the start of the last chunk whose last losses were all numbers (weights
    /// already blown up would have made them NaN), or at the start of the first chunk.
    good: Option<Good<M>>,
    /// The step at which the last losses stopped being numbers, until a roll back.
    at: Option<u64>,
}

impl<M> Default for Divergence<M> {
    fn default() -> Self {
        Self {
            good: None,
            at: None,
        }
    }
}

impl<M: Clone> Divergence<M> {
    /// After a chunk that began at `start` and ended at `step` with `losses` (None: no step).
    pub fn after_chunk(&mut self, start: Good<M>, step: u64, losses: Option<StepLosses>) {
        let Some(losses) = losses else { return };
        if [losses.total, losses.class, losses.boxes]
            .iter()
            .all(|l| l.is_finite())
        {
            self.good = Some(start);
        } else {
            self.at = Some(step);
            self.good.get_or_insert(start);
        }
    }

    pub fn diverged(&self) -> Option<u64> {
        self.at
    }

    /// The step a roll back returns to (`now` when there is no state to go back to).
    pub fn good_step(&self, now: u64) -> u64 {
        self.good.as_ref().map_or(now, |good| good.schedule.step)
    }

    /// The state to go back to, if any; the run is no longer diverged.
    pub fn roll_back(&mut self) -> Option<Good<M>> {
        self.at = None;
        self.good.clone()
    }
}
