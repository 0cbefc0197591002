//! The experiment: the four arms, each a residual network with its own optimiser, trained in
//! turn one step at a time on the same labelled examples, in the same order, for the same number
//! of steps; their accuracy on the target's test set as they go, and at the end.

use std::sync::Arc;

use burn::lr_scheduler::module_lr_scheduler::ModuleLearningRate;
use burn::module::Module;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor};
use web_time::Instant;

use super::config::{Arm, ArmPoint, ArmResult, LayerPlan, TransferProblem, TransferSettings, plan};
use super::model::{block_count, layer_parameters, learning_rates, prepare, unfreeze_last_block};
use super::resume::{ArmCheckpoint, ResumeError, TransferCheckpoint};
use super::sample::labelled;
use crate::common::read::read_floats;
use crate::common::snapshot;
use crate::common::stepper::{Rule, Stepper};
use crate::common::training::{ChunkRecord, detached};
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

/// One arm at one step, what a roll back returns it to. The model is a copy that training leaves
/// alone ([`detached`]: a clone would share the batch norms' running statistics, which the
/// scratch arm's training updates in place); the rest is cheap to clone (tensors are shared, not
/// copied). A copy draws any parameter burn has not initialised yet; `TransferRun::new` has
/// drawn them all, reading each arm's parameters for its plan, so copies change no run.
#[derive(Clone)]
struct ArmState {
    model: Resnet,
    optimizer: Stepper,
    rng: Rng,
    order: Vec<usize>,
    step: u64,
    unfrozen: bool,
    evaluated_at: u64,
}

/// Every arm at the start of a chunk.
#[derive(Clone)]
struct GoodState {
    arms: Vec<ArmState>,
    batch_loss: f32,
}

/// Where the losses stopped being numbers.
#[derive(Clone, Debug, PartialEq)]
struct Divergence {
    step: u64,
    arms: Vec<Arm>,
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
    /// Every arm at the start of the last chunk whose arms' last losses were all numbers (the
    /// chunk's last update may already have blown the weights up), or of the first chunk.
    good: Option<Box<GoodState>>,
    /// Where the loss stopped being a number, until a roll back.
    diverged: Option<Divergence>,
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
            good: None,
            diverged: None,
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

    /// The step of the arm furthest behind (the others are at most one ahead), as
    /// [`TransferCheckpoint::step`] counts.
    pub fn step(&self) -> u64 {
        self.arms.iter().map(|a| a.step).min().unwrap_or(0)
    }

    /// One step of the arm that is furthest behind (the first of equals), returning which arm
    /// stepped and its batch loss without reading it.
    fn step_next(&mut self) -> Option<(usize, Tensor<1>)> {
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
        Some((index, loss.without_autodiff()))
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
    /// or every arm is done, then waits for the device once, reading the last batch loss of
    /// every arm that stepped. The time, waiting included, counts as training time. Returns the
    /// number of steps run. An arm whose last loss is not a number (NaN or infinite) stops the
    /// whole run: see [`Self::diverged`].
    pub async fn train_chunk(&mut self, max_steps: u64, budget_ms: f64) -> u64 {
        if self.diverged.is_some() {
            return 0;
        }
        let start = self.state();
        let started = Instant::now();
        // Each arm's last loss in this chunk, and the arm that stepped last.
        let mut last: Vec<Option<Tensor<1>>> = vec![None; self.arms.len()];
        let mut latest = None;
        let mut done = 0;
        while done < max_steps {
            let Some((index, loss)) = self.step_next() else {
                break;
            };
            last[index] = Some(loss);
            latest = Some(index);
            done += 1;
            if started.elapsed().as_secs_f64() * 1000.0 >= budget_ms {
                break;
            }
        }
        if let Some(latest) = latest {
            let (stepped, losses): (Vec<usize>, Vec<Tensor<1>>) = last
                .into_iter()
                .enumerate()
                .filter_map(|(i, loss)| loss.map(|loss| (i, loss)))
                .unzip();
            // [1] each → [arms that stepped]: one wait for the device.
            let values = read_floats(Tensor::cat(losses, 0)).await;
            // A read that came back empty (a lost device) counts as not a number.
            let loss_of = |i: usize| {
                let at = stepped.iter().position(|&s| s == i);
                at.and_then(|at| values.get(at).copied())
                    .unwrap_or(f32::NAN)
            };
            self.record.last_batch_loss = loss_of(latest);
            let blown: Vec<Arm> = stepped
                .iter()
                .filter(|&&i| !loss_of(i).is_finite())
                .map(|&i| self.arms[i].arm)
                .collect();
            if blown.is_empty() {
                self.good = Some(Box::new(start));
            } else {
                self.diverged = Some(Divergence {
                    step: self.step(),
                    arms: blown,
                });
                self.good.get_or_insert(Box::new(start));
            }
        }
        self.record.elapsed_ms += started.elapsed().as_secs_f64() * 1000.0;
        done
    }

    /// The step ([`Self::step`]) at which an arm's loss stopped being a number (NaN or
    /// infinite): its weights have blown up, and more steps cannot bring them back. None until
    /// then, and after a roll back.
    pub fn diverged(&self) -> Option<u64> {
        self.diverged.as_ref().map(|d| d.step)
    }

    /// The arms whose last loss was not a number (empty unless [`Self::diverged`]).
    pub fn diverged_arms(&self) -> &[Arm] {
        self.diverged.as_ref().map_or(&[], |d| &d.arms)
    }

    /// The step ([`Self::step`]) [`Self::roll_back`] returns to.
    pub fn good_step(&self) -> u64 {
        self.good.as_ref().map_or(self.step(), |good| {
            good.arms.iter().map(|a| a.step).min().unwrap_or(0)
        })
    }

    /// Each arm's own step at the state [`Self::roll_back`] returns to (the arms take their
    /// steps in turn, so some may be one ahead of [`Self::good_step`]).
    pub fn good_steps(&self) -> Vec<(Arm, u64)> {
        match &self.good {
            Some(good) => self
                .arms
                .iter()
                .zip(&good.arms)
                .map(|(trainer, state)| (trainer.arm, state.step))
                .collect(),
            None => self.arms.iter().map(|a| (a.arm, a.step)).collect(),
        }
    }

    /// Returns every arm to the last state known to be good: its weights (which of them train
    /// included), optimiser state, batch order, step and last live point, so that training can
    /// go on from there. Training time is kept.
    pub fn roll_back(&mut self) {
        if let Some(good) = self.good.as_deref() {
            for ((trainer, state), evaluated_at) in self
                .arms
                .iter_mut()
                .zip(&good.arms)
                .zip(&mut self.evaluated_at)
            {
                // A copy again: the kept one stays as it is, should the run blow up once more.
                trainer.model = detached(&state.model);
                trainer.optimizer = state.optimizer.clone();
                trainer.rng = state.rng.clone();
                trainer.order = state.order.clone();
                trainer.step = state.step;
                trainer.unfrozen = state.unfrozen;
                *evaluated_at = state.evaluated_at;
            }
            self.record.last_batch_loss = good.batch_loss;
        }
        self.diverged = None;
    }

    /// Every arm as it is now, to return to.
    fn state(&self) -> GoodState {
        let arms = self
            .arms
            .iter()
            .zip(&self.evaluated_at)
            .map(|(trainer, &evaluated_at)| ArmState {
                model: detached(&trainer.model),
                optimizer: trainer.optimizer.clone(),
                rng: trainer.rng.clone(),
                order: trainer.order.clone(),
                step: trainer.step,
                unfrozen: trainer.unfrozen,
                evaluated_at,
            })
            .collect();
        GoodState {
            arms,
            batch_loss: self.record.last_batch_loss,
        }
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend;
    use crate::common::model_file::{read_weights, with_weights};
    use crate::models::resnet::model::ResnetConfig;
    use burn::module::{ModuleVisitor, Param};
    use std::sync::OnceLock;

    /// 30 noisy images of 3 classes.
    fn images(seed: u64) -> Images {
        let mut rng = Rng::new(seed);
        Images {
            rows: 28,
            cols: 28,
            pixels: (0..30 * 784)
                .map(|_| (rng.uniform() * 255.0) as u8)
                .collect(),
            labels: (0..30).map(|i| (i % 3) as u8).collect(),
        }
    }

    /// 12 steps of 5 examples (5 a class): the last-block arm unfreezes at its step 6.
    fn settings() -> TransferSettings {
        TransferSettings {
            labels_per_class: 5,
            steps: 12,
            batch: 5,
            learning_rate: 0.01,
            head_first: 0.5,
            ..TransferSettings::default()
        }
    }

    fn network() -> ResnetSettings {
        ResnetSettings {
            classes: 3,
            ..ResnetSettings::default()
        }
    }

    /// A new run on the test settings, its arms' weights as drawn.
    fn made() -> TransferRun {
        let device = backend::cpu().autodiff();
        let backbone = ResnetConfig::from_settings(&network()).init(&device);
        TransferRun::new(
            settings(),
            &backbone,
            &network(),
            &images(1),
            images(2),
            3,
            device,
        )
        .unwrap()
    }

    /// A run whose arms start from the same weights every time: burn's CPU backend draws from
    /// one generator, which other tests may move between the seeding and the draws.
    fn fresh() -> TransferRun {
        let mut run = made();
        static FIRST: OnceLock<Vec<Vec<f32>>> = OnceLock::new();
        let first = FIRST.get_or_init(|| {
            run.arms
                .iter()
                .map(|a| pollster::block_on(read_weights(&a.model)).unwrap())
                .collect()
        });
        for (trainer, weights) in run.arms.iter_mut().zip(first) {
            trainer.model = with_weights(trainer.model.clone(), |i| weights[i]);
        }
        run
    }

    /// A chunk of two steps an arm, and the live points then due, as the worker takes them.
    fn chunk(run: &mut TransferRun) -> (u64, u32, Vec<ArmPoint>) {
        let done = pollster::block_on(run.train_chunk(8, f64::INFINITY));
        let points = run
            .due()
            .into_iter()
            .map(|arm| pollster::block_on(run.evaluate(arm, Some(10))))
            .collect();
        (done, run.last_batch_loss().to_bits(), points)
    }

    /// The checkpoint without its training times, which differ from run to run.
    fn checkpoint(run: &TransferRun) -> TransferCheckpoint {
        let mut checkpoint = pollster::block_on(run.checkpoint()).unwrap();
        checkpoint.elapsed_ms = 0.0;
        for arm in &mut checkpoint.arms {
            arm.elapsed_ms = 0.0;
        }
        checkpoint
    }

    #[test]
    fn every_arm_is_drawn_when_the_run_is_made_so_the_copies_kept_for_a_roll_back_draw_nothing() {
        struct Lazy(usize);
        impl ModuleVisitor for Lazy {
            fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
                self.0 += usize::from(!param.is_initialized());
            }
        }
        let run = made();
        for trainer in &run.arms {
            let mut lazy = Lazy(0);
            trainer.model.visit(&mut lazy);
            assert_eq!(lazy.0, 0, "{:?}", trainer.arm);
        }
    }

    /// Adam's steps are bounded by the learning rate (at most 1 in the lesson), so the page's
    /// settings keep the losses numbers; weights that are not numbers make them NaN. The arms
    /// take their steps in turn, and the one that blew up is not the last to step in its chunk:
    /// the run still stops there, trains no further, and rolls back to the start of its last
    /// chunk whose arms' losses were all numbers (step 4, before the last block unfroze at 6).
    /// That is the run a fresh one is at step 4 (the scratch arm's batch-norm statistics
    /// included, which training updates in place), and it unfreezes and trains on exactly as the
    /// fresh one does.
    #[test]
    fn an_arm_whose_loss_stops_being_a_number_stops_the_run_and_a_roll_back_returns_all_arms() {
        let mut run = fresh();
        assert_eq!((run.diverged(), run.good_step()), (None, 0));
        let mut seen = Vec::new();
        for _ in 0..3 {
            seen.push(chunk(&mut run));
        }
        assert!(seen.iter().all(|(done, ..)| *done == 8));
        assert_eq!((run.step(), run.diverged(), run.good_step()), (6, None, 4));
        let scratch = &mut run.arms[Arm::Scratch.index()];
        scratch.model = with_weights(scratch.model.clone(), |_| f32::NAN);
        let (done, last, _) = chunk(&mut run);
        assert_eq!(done, 8);
        assert!(
            f32::from_bits(last).is_finite(),
            "the everything arm stepped last, and its loss is a number"
        );
        assert_eq!((run.diverged(), run.good_step()), (Some(8), 4));
        assert_eq!(run.diverged_arms(), [Arm::Scratch]);
        assert!(run.arm(Arm::LastBlock).unfrozen);
        assert_eq!(chunk(&mut run).0, 0, "no more steps");
        assert_eq!(run.steps_done(), 32);

        run.roll_back();
        assert_eq!((run.step(), run.diverged()), (4, None));
        assert!(run.diverged_arms().is_empty());
        assert!(run.good_steps().iter().all(|&(_, step)| step == 4));
        let mut again = fresh();
        let first: Vec<_> = (0..2).map(|_| chunk(&mut again)).collect();
        assert_eq!(first, seen[..2]);
        assert!(!run.arm(Arm::LastBlock).unfrozen, "frozen again");
        assert!(checkpoint(&run) == checkpoint(&again));
        // The same batches, updates, live points (at the same steps) and unfreezing to the end.
        while !again.is_finished() {
            let (a, b) = (chunk(&mut run), chunk(&mut again));
            assert_eq!(a, b);
            assert!(f32::from_bits(a.1).is_finite());
        }
        assert!(run.is_finished() && run.arm(Arm::LastBlock).unfrozen);
        assert!(checkpoint(&run) == checkpoint(&again));
        let results = |r: &TransferRun| {
            pollster::block_on(r.results())
                .into_iter()
                .map(|r| (r.accuracy.to_bits(), r.loss.to_bits(), r.steps))
                .collect::<Vec<_>>()
        };
        assert_eq!(results(&run), results(&again));
    }
}
