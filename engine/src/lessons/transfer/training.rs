//! The experiment: the four arms, each a residual network with its own optimiser, trained in
//! turn one step at a time on the same labelled examples, in the same order, for the same number
//! of steps; their accuracy on the target's test set as they go, and at the end.

use std::sync::Arc;

use burn::lr_scheduler::module_lr_scheduler::ModuleLearningRate;
use burn::module::Module;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer};
use burn::tensor::{Device, Tensor};

use super::config::{Arm, ArmPoint, ArmResult, LayerPlan, TransferProblem, TransferSettings, plan};
use super::model::{block_count, layer_parameters, learning_rates, prepare, unfreeze_last_block};
use super::sample::labelled;
use crate::common::read::read_floats;
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

/// One arm: its network, optimiser and place in the run.
pub struct ArmTrainer {
    pub arm: Arm,
    model: Resnet,
    optimizer: ModuleOptimizer,
    rates: ModuleLearningRate,
    rng: Rng,
    order: Vec<usize>,
    step: u64,
    unfreeze_at: Option<u64>,
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
                optimizer: AdamConfig::new().init(),
                rates: learning_rates(arm, &settings),
                // The same generator in every arm: the same batches in the same order.
                rng: Rng::new(settings.seed.wrapping_add(1)),
                order: (0..train.len()).collect(),
                step: 0,
                unfreeze_at: (arm == Arm::LastBlock).then(|| settings.unfreeze_step()),
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
        if arm.unfreeze_at == Some(arm.step) {
            arm.model = unfreeze_last_block(arm.model.clone(), blocks);
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
            .step(arm.rates.clone(), arm.model.clone(), grads);
        arm.step += 1;
        arm.elapsed_ms += started.elapsed().as_secs_f64() * 1000.0;
        Some(loss.without_autodiff())
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
