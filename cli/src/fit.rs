//! One training run through burn-train: a `Learner` (the network, the lesson's optimiser, a
//! learning-rate schedule) launched by `SupervisedTraining` with its metrics, its dashboard (or
//! plain lines off a terminal), its checkpoints and, over several devices, its multi-device
//! strategy.

use std::io::IsTerminal;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use burn::optim::lr_scheduler::cosine::CosineAnnealingLrSchedulerConfig;
use burn::optim::lr_scheduler::module_lr_scheduler::ModuleLrScheduler;
use burn::tensor::Device;
use burn::tensor::distributed::{DistributedConfig, ReduceOperation};
use burn::train::metric::{AccuracyMetric, LossMetric};
use burn::train::{
    ExecutionStrategy, Interrupter, Learner, MultiDeviceOptim, SupervisedTraining, TrainingStrategy,
};
use kindling_engine::common::optimizer::{self, OptimizerKind};
use kindling_engine::datasets::mnist::Images;

use crate::args::Schedule;
use crate::first_losses::FirstLosses;
use crate::loader::MnistLoader;
use crate::network::{Network, Trainee};
use crate::plain::PlainRenderer;

/// Training-batch losses a card records.
pub const FIRST_LOSSES: usize = 8;
/// Images per validation batch.
const VALID_BATCH: usize = 500;

pub struct Plan {
    pub epochs: usize,
    pub batch: usize,
    /// Seeds the shuffle (the caller seeds the device before initialising the network).
    pub seed: u64,
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    pub schedule: Schedule,
    /// Training devices, with autodiff; the network lives on the first.
    pub devices: Vec<Device>,
    /// Several devices train with burn-train's distributed data-parallel strategy rather than
    /// its multi-device one.
    pub ddp: bool,
    /// burn-train's folder.
    pub artifacts: PathBuf,
    /// Continue after this epoch's checkpoint.
    pub resume: Option<usize>,
    /// Steps the network was trained before this run (in the model file it started from).
    pub steps_before: u64,
    /// Save a checkpoint after every epoch.
    pub checkpoints: bool,
    /// Stop as soon as the first losses are recorded (a check, not a training).
    pub first_losses_only: bool,
}

impl Plan {
    /// Optimiser steps in an epoch: each step takes one batch on every device.
    pub fn steps_per_epoch(&self, images: usize) -> usize {
        let share = images / self.devices.len().max(1);
        share / self.batch.clamp(1, share.max(1))
    }

    pub fn total_steps(&self, images: usize) -> usize {
        self.steps_per_epoch(images) * self.epochs
    }

    /// The optimiser and schedule in words, for a card.
    pub fn describe_optimizer(&self, images: usize) -> String {
        let name = match self.optimizer {
            OptimizerKind::Sgd => "SGD",
            OptimizerKind::Momentum => "SGD with momentum 0.9",
            OptimizerKind::Adam => "Adam",
        };
        let rate = match self.schedule {
            Schedule::Constant => format!("learning rate {}", self.learning_rate),
            Schedule::Cosine => format!(
                "learning rate {} annealed to 0 on a cosine over {} steps",
                self.learning_rate,
                self.total_steps(images)
            ),
        };
        format!("{name}, {rate}, batch {}", self.batch)
    }

    fn scheduler(&self, images: usize) -> Result<ModuleLrScheduler, String> {
        match self.schedule {
            Schedule::Constant => Ok(self.learning_rate.into()),
            Schedule::Cosine => CosineAnnealingLrSchedulerConfig::new(
                self.learning_rate,
                self.total_steps(images).max(1),
            )
            .init()
            .map_err(|e| format!("the cosine schedule: {e}")),
        }
    }
}

pub struct Fitted<N> {
    /// The trained network, in evaluation mode on the first device (without autodiff).
    pub net: N,
    pub first_losses: Vec<f32>,
    /// Optimiser steps the network has taken in all: in the file it started from, in the run
    /// resumed from and in this one.
    pub steps: u64,
    pub steps_per_epoch: u64,
    pub seconds: f64,
    /// Why the run stopped early, if it did.
    pub interrupted: Option<String>,
}

/// Trains `net` (initialised on `plan.devices[0]`) on `train`, validating on `valid` after each
/// epoch.
pub fn fit<N: Network>(
    net: N,
    train: Arc<Images>,
    valid: Arc<Images>,
    plan: &Plan,
) -> Result<Fitted<N>, String> {
    let main = plan.devices.first().ok_or("no training device")?.clone();
    let epochs_done = plan.resume.unwrap_or(0);
    if epochs_done >= plan.epochs {
        return Err(format!(
            "--resume {epochs_done}: the run has {} epochs, so there is nothing left to train",
            plan.epochs
        ));
    }
    let images = train.len();
    if plan.steps_per_epoch(images) == 0 {
        return Err(format!(
            "{images} training images cannot fill a batch of {} on {} device(s)",
            plan.batch,
            plan.devices.len()
        ));
    }
    let loader = MnistLoader::training(train, plan.batch, plan.seed, epochs_done, main.clone());
    let valid = MnistLoader::evaluation(valid, VALID_BATCH, main.clone().inner());

    let interrupter = Interrupter::new();
    let record = FirstLosses::new(
        FIRST_LOSSES,
        plan.first_losses_only.then(|| interrupter.clone()),
    );
    let mut training = SupervisedTraining::new(&plan.artifacts, Arc::new(loader), Arc::new(valid))
        .metrics((AccuracyMetric::new(), LossMetric::new()))
        .metric_train(record.clone())
        .num_epochs(plan.epochs)
        .with_interrupter(interrupter);
    if plan.first_losses_only {
        training = training.renderer(Box::new(PlainRenderer::quiet()));
    } else if !std::io::stdout().is_terminal() {
        training = training.renderer(Box::new(PlainRenderer::new()));
    }
    if plan.checkpoints {
        training = training.with_default_checkpointers();
    }
    if let Some(epoch) = plan.resume {
        training = training.checkpoint(epoch);
    }
    if plan.devices.len() > 1 {
        let devices = plan.devices.clone();
        let strategy = if plan.ddp {
            let config = DistributedConfig {
                all_reduce_op: ReduceOperation::Mean,
            };
            ExecutionStrategy::ddp(devices, config)
        } else {
            ExecutionStrategy::multi(devices, MultiDeviceOptim::OptimMainDevice)
        };
        training = training.with_training_strategy(TrainingStrategy::Default(strategy));
    }
    let learner = Learner::new(
        Trainee { net },
        optimizer::init(plan.optimizer),
        plan.scheduler(images)?,
    );

    let started = Instant::now();
    let result = training.launch(learner);
    let seconds = started.elapsed().as_secs_f64();
    if let Some(error) = &result.error {
        return Err(format!("training failed: {error}"));
    }
    let steps_per_epoch = plan.steps_per_epoch(images) as u64;
    let batches = record.batches() as u64 / plan.devices.len() as u64;
    Ok(Fitted {
        net: result.model.net,
        first_losses: record.losses(),
        steps: plan.steps_before + epochs_done as u64 * steps_per_epoch + batches,
        steps_per_epoch,
        seconds,
        interrupted: result
            .interrupted
            .map(|i| i.reason.unwrap_or_else(|| "stopped".to_string())),
    })
}
