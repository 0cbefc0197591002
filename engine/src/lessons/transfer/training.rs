//! The experiment: the four arms, each a residual network with its own optimiser, trained in
//! turn one step at a time on the same labelled examples, in the same order, for the same number
//! of steps; their accuracy on the target's test set as they go, and at the end.

use std::sync::Arc;

use burn::lr_scheduler::module_lr_scheduler::ModuleLearningRate;
use burn::module::Module;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor};

use super::config::{Arm, ArmPoint, ArmResult, LayerPlan, TransferProblem, TransferSettings, plan};
use super::model::{block_count, layer_parameters, learning_rates, prepare, unfreeze_last_block};
use super::resume::{ArmCheckpoint, ResumeError, TransferCheckpoint};
use super::sample::labelled;
use crate::common::read::read_floats;
use crate::common::snapshot;
use crate::common::stepper::{Rule, Stepper};
use crate::common::training::{ChunkRecord, StepTrainer, train_chunk};
use crate::datasets::mnist::{Images, batch};
use crate::models::resnet::ResnetSettings;
use crate::models::resnet::model::Resnet;
use crate::rng::Rng;

/// Images per evaluation batch.
pub const EVAL_BATCH: usize = 500;
/// Test images of a live (mid-run) evaluation.
pub const LIVE_EVAL: usize = 500;
/// Live evaluations per arm over a run.
pub const LIVE_POINTS: u64 = 10;

/// Every arm's optimiser (and own classes'): Adam with burn's defaults.
pub(super) const ADAM: Rule = Rule::Adam {
    beta_1: 0.9,
    beta_2: 0.999,
    epsilon: 1e-5,
};

/// One arm: its network, optimiser and place in the run.
pub struct ArmTrainer {
    pub arm: Arm,
    model: Resnet,
    optimizer: Stepper,
    rates: ModuleLearningRate,
    rng: Rng,
    order: Vec<usize>,
    step: u64,
    unfreeze_at: Option<u64>,
    unfrozen: bool,
    elapsed_ms: f64,
}

impl ArmTrainer {
    pub fn model(&self) -> &Resnet {
        &self.model
    }

    pub fn step_count(&self) -> u64 {
        self.step
    }
}

pub struct TransferRun {
    settings: TransferSettings,
    device: Device,
    arms: Vec<ArmTrainer>,
    plans: Vec<(Arm, Vec<LayerPlan>)>,
    train: Arc<Images>,
    test: Arc<Images>,
    classes: usize,
    blocks: usize,
    batch: usize,
    loss: CrossEntropyLoss,
    record: ChunkRecord,
    /// Each arm's step count at its last live evaluation.
    evaluated_at: Vec<u64>,
}

impl TransferRun {
    /// The four arms on `settings.labels_per_class` examples per class of `train` (labels
    /// 0..`classes`), reusing `backbone` (a network of `network`'s shape). `device` must have
    /// autodiff enabled.
    pub fn new(
        settings: TransferSettings,
        backbone: &Resnet,
        network: &ResnetSettings,
        train: &Images,
        test: impl Into<Arc<Images>>,
        classes: usize,
        device: Device,
    ) -> Result<Self, Vec<TransferProblem>> {
        let problems = settings.validate();
        if !problems.is_empty() {
            return Err(problems);
        }
        let train = Arc::new(labelled(
            train,
            classes,
            settings.labels_per_class,
            settings.seed,
        ));
        let batch = settings.batch.min(train.len()).max(1);
        let blocks = block_count(network);
        let mut arms = Vec::new();
        let mut plans = Vec::new();
        for arm in Arm::ALL {
            let model = prepare(arm, backbone, network, classes, settings.seed, &device);
            plans.push((arm, plan(arm, &layer_parameters(&model, blocks), &settings)));
            arms.push(ArmTrainer {
                arm,
                model,
                optimizer: Stepper::new(ADAM),
                rates: learning_rates(arm, &settings),
                // The same generator in every arm: the same batches in the same order.
                rng: Rng::new(order_seed(&settings)),
                order: (0..train.len()).collect(),
                step: 0,
                unfreeze_at: (arm == Arm::LastBlock).then(|| settings.unfreeze_step()),
                unfrozen: false,
                elapsed_ms: 0.0,
            });
        }
        Ok(Self {
            loss: CrossEntropyLossConfig::new().init(&device),
            evaluated_at: vec![0; arms.len()],
            settings,
            device,
            arms,
            plans,
            train,
            test: test.into(),
            classes,
            blocks,
            batch,
            record: ChunkRecord::default(),
        })
    }

    pub fn settings(&self) -> &TransferSettings {
        &self.settings
    }

    /// Each arm's layers: frozen or not, learning-rate multiplier, parameter counts.
    pub fn plans(&self) -> &[(Arm, Vec<LayerPlan>)] {
        &self.plans
    }

    pub fn arm(&self, arm: Arm) -> &ArmTrainer {
        &self.arms[arm.index()]
    }

    /// The labelled training examples the arms share.
    pub fn train_set(&self) -> &Images {
        &self.train
    }

    pub fn test_set(&self) -> &Images {
        &self.test
    }

    pub fn classes(&self) -> usize {
        self.classes
    }

    /// The loss of the last batch of the last chunk (NaN before any).
    pub fn last_batch_loss(&self) -> f32 {
        self.record.last_batch_loss
    }

    pub fn total_steps(&self) -> u64 {
        self.settings.steps as u64
    }

    pub fn is_finished(&self) -> bool {
        self.arms.iter().all(|a| a.step >= self.total_steps())
    }

    /// Steps run by all arms together.
    pub fn steps_done(&self) -> u64 {
        self.arms.iter().map(|a| a.step).sum()
    }

    /// One step of the arm that is furthest behind (the first of equals), returning its batch
    /// loss without reading it.
    fn step_next(&mut self) -> Option<Tensor<1>> {
        let total = self.total_steps();
        let index = (0..self.arms.len())
            .filter(|&i| self.arms[i].step < total)
            .min_by_key(|&i| self.arms[i].step)?;
        let steps_per_epoch = (self.train.len() / self.batch).max(1) as u64;
        let (train, batch, blocks) = (self.train.clone(), self.batch, self.blocks);
        let arm = &mut self.arms[index];
        let started = web_time::Instant::now();
        if arm.unfreeze_at == Some(arm.step) && !arm.unfrozen {
            arm.model = unfreeze_last_block(arm.model.clone(), blocks);
            arm.unfrozen = true;
        }
        let within = (arm.step % steps_per_epoch) as usize;
        if within == 0 {
            arm.rng.shuffle(&mut arm.order);
        }
        let indices = arm.order[within * batch..(within + 1) * batch].to_vec();
        let (x, y) = batch_tensors(&train, indices, &self.device);
        let loss = self.loss.forward(arm.model.forward(x), y);
        let grads = GradientsParams::from_grads(loss.backward(), &arm.model);
        arm.model = arm
            .optimizer
            .step_grads_by(&arm.rates, arm.model.clone(), grads);
        arm.step += 1;
        arm.elapsed_ms += started.elapsed().as_secs_f64() * 1000.0;
        Some(loss.without_autodiff())
    }

    /// Where the run stands, for a later [`TransferRun::resume`]: every arm's weights and
    /// optimiser state (read asynchronously), steps, batch order and unfreezing.
    pub async fn checkpoint(&self) -> Result<TransferCheckpoint, ResumeError> {
        let seed = order_seed(&self.settings);
        let mut arms = Vec::with_capacity(self.arms.len());
        for (trainer, &evaluated_at) in self.arms.iter().zip(&self.evaluated_at) {
            arms.push(ArmCheckpoint {
                arm: trainer.arm,
                step: trainer.step,
                rng_draws: trainer.rng.draws_since(seed),
                order: trainer.order.iter().map(|&i| i as u32).collect(),
                unfrozen: trainer.unfrozen,
                elapsed_ms: trainer.elapsed_ms,
                evaluated_at,
                weights: snapshot::save(&trainer.model).await?,
                optimizer: trainer.optimizer.save(&trainer.model).await,
            });
        }
        Ok(TransferCheckpoint {
            settings: self.settings.clone(),
            arms,
            elapsed_ms: self.record.elapsed_ms,
            last_batch_loss: self.record.last_batch_loss,
        })
    }

    /// The run `checkpoint` caught, on the same backbone and data, going on exactly where it
    /// was: each arm rebuilt as a fresh run builds it (its freezing, the last block unfrozen if
    /// it was), then given its weights, optimiser state, step and batch order. Refused when the
    /// checkpoint is damaged or does not fit this backbone and data.
    #[allow(clippy::too_many_arguments)]
    pub fn resume(
        checkpoint: &TransferCheckpoint,
        backbone: &Resnet,
        network: &ResnetSettings,
        train: &Images,
        test: impl Into<Arc<Images>>,
        classes: usize,
        device: Device,
    ) -> Result<Self, ResumeError> {
        let mut run = Self::new(
            checkpoint.settings.clone(),
            backbone,
            network,
            train,
            test,
            classes,
            device.clone(),
        )
        .map_err(|_| ResumeError::BadSettings)?;
        if checkpoint.arms.len() != run.arms.len() {
            return Err(ResumeError::Unreadable {
                message: format!(
                    "{} arms instead of {}",
                    checkpoint.arms.len(),
                    run.arms.len()
                ),
            });
        }
        let (total, examples, blocks) = (run.total_steps(), run.train.len(), run.blocks);
        let seed = order_seed(&run.settings);
        for (i, saved) in checkpoint.arms.iter().enumerate() {
            let trainer = &mut run.arms[i];
            if saved.arm != trainer.arm || (saved.unfrozen && trainer.unfreeze_at.is_none()) {
                return Err(ResumeError::Unreadable {
                    message: format!("arm {} is not {:?}", i + 1, trainer.arm),
                });
            }
            if saved.step > total || saved.evaluated_at > saved.step {
                return Err(ResumeError::BadStep { step: saved.step });
            }
            let mut seen = vec![false; examples];
            let permutation = saved.order.len() == examples
                && saved.order.iter().all(|&i| {
                    seen.get_mut(i as usize)
                        .is_some_and(|s| !std::mem::replace(s, true))
                });
            if !permutation {
                return Err(ResumeError::Unreadable {
                    message: "the batch order is not one of these examples".into(),
                });
            }
            let mut model = trainer.model.clone();
            if saved.unfrozen {
                model = unfreeze_last_block(model, blocks);
            }
            trainer.model = snapshot::load(model, &saved.weights)?;
            trainer.optimizer = Stepper::load(ADAM, &trainer.model, &saved.optimizer, &device)?;
            trainer.rng = Rng::at(seed, saved.rng_draws);
            trainer.order = saved.order.iter().map(|&i| i as usize).collect();
            trainer.step = saved.step;
            trainer.unfrozen = saved.unfrozen;
            trainer.elapsed_ms = saved.elapsed_ms;
            run.evaluated_at[i] = saved.evaluated_at;
        }
        run.record = ChunkRecord {
            elapsed_ms: checkpoint.elapsed_ms,
            last_batch_loss: checkpoint.last_batch_loss,
        };
        Ok(run)
    }

    /// Runs up to `max_steps` steps (over all arms), stopping early once `budget_ms` has passed
    /// or every arm is done. Returns the number of steps run.
    pub async fn train_chunk(&mut self, max_steps: u64, budget_ms: f64) -> u64 {
        train_chunk(self, max_steps, budget_ms).await
    }

    /// Arms whose live curve is due a point (every `steps / LIVE_POINTS` steps, and at the
    /// end); marks them as evaluated.
    pub fn due(&mut self) -> Vec<Arm> {
        let every = (self.total_steps() / LIVE_POINTS).max(1);
        let total = self.total_steps();
        let mut due = Vec::new();
        for (i, arm) in self.arms.iter().enumerate() {
            let last = self.evaluated_at[i];
            if arm.step > last && (arm.step - last >= every || arm.step == total) {
                self.evaluated_at[i] = arm.step;
                due.push(arm.arm);
            }
        }
        due
    }

    /// `arm`'s loss and accuracy on the first `limit` test images (all with None).
    pub async fn evaluate(&self, arm: Arm, limit: Option<usize>) -> ArmPoint {
        let trainer = self.arm(arm);
        let (loss, accuracy, count) = evaluate(
            &trainer.model,
            &self.test,
            self.classes,
            limit,
            &self.device,
        )
        .await;
        ArmPoint {
            arm,
            step: trainer.step,
            accuracy,
            loss,
            count,
        }
    }

    /// Every arm on the whole test set, with its parameter counts.
    pub async fn results(&self) -> Vec<ArmResult> {
        let mut results = Vec::new();
        for (trainer, (_, layers)) in self.arms.iter().zip(&self.plans) {
            let point = self.evaluate(trainer.arm, None).await;
            let trained = layers
                .iter()
                .filter(|l| !l.frozen || l.unfrozen_at.is_some())
                .map(|l| l.parameters)
                .sum();
            let total: u64 = layers.iter().map(|l| l.parameters).sum();
            results.push(ArmResult {
                arm: trainer.arm,
                accuracy: point.accuracy,
                loss: point.loss,
                steps: trainer.step,
                trained,
                frozen: total - trained,
                elapsed_ms: trainer.elapsed_ms,
            });
        }
        results
    }
}

impl StepTrainer for TransferRun {
    fn step(&mut self) -> Option<Tensor<1>> {
        self.step_next()
    }

    fn record(&mut self) -> &mut ChunkRecord {
        &mut self.record
    }
}

/// The seed of every arm's batch generator: the same batches in the same order in each.
fn order_seed(settings: &TransferSettings) -> u64 {
    settings.seed.wrapping_add(1)
}

fn batch_tensors(
    set: &Images,
    indices: Vec<usize>,
    device: &Device,
) -> (Tensor<4>, burn::tensor::Tensor<1, burn::tensor::Int>) {
    batch(set, indices, device)
}

/// Mean cross-entropy, accuracy and count of `model` on the first `limit` images of `test`.
pub async fn evaluate(
    model: &Resnet,
    test: &Images,
    classes: usize,
    limit: Option<usize>,
    device: &Device,
) -> (f32, f32, usize) {
    let count = limit.map_or(test.len(), |n| n.min(test.len()));
    let model = model.valid();
    let (mut loss_sum, mut correct) = (0.0f64, 0usize);
    for start in (0..count).step_by(EVAL_BATCH) {
        let end = (start + EVAL_BATCH).min(count);
        let (x, _) = batch(test, start..end, device);
        // [n, classes] logits, row-major.
        let logits = read_floats(model.forward(x.without_autodiff())).await;
        for (offset, row) in logits.chunks(classes).enumerate() {
            let label = test.labels[start + offset] as usize;
            let (loss, predicted) = cross_entropy_and_argmax(row, label);
            loss_sum += loss;
            correct += usize::from(predicted == label);
        }
    }
    let n = count.max(1) as f64;
    let loss = if count == 0 {
        f32::NAN
    } else {
        (loss_sum / n) as f32
    };
    (loss, (correct as f64 / n) as f32, count)
}

/// Cross-entropy of one row of logits for `label`, and the predicted class.
pub fn cross_entropy_and_argmax(logits: &[f32], label: usize) -> (f64, usize) {
    let mut predicted = 0;
    for (i, &v) in logits.iter().enumerate() {
        if v > logits[predicted] {
            predicted = i;
        }
    }
    let max = logits.get(predicted).copied().unwrap_or(0.0) as f64;
    let log_sum = logits
        .iter()
        .map(|&v| (v as f64 - max).exp())
        .sum::<f64>()
        .ln()
        + max;
    let target = logits.get(label).copied().unwrap_or(f32::NAN) as f64;
    (log_sum - target, predicted)
}
