//! The CNN's training loop: shuffled mini-batches over epochs, evaluation in batches, predictions
//! and what the page visualises (filters, feature maps).
//!
//! Images stay on the host as bytes; each batch is normalised and uploaded as it is used, so the
//! device holds only the model and one batch. Batches all have the same size (the last partial
//! batch of an epoch is dropped) so WebGPU compiles its kernels once.

use burn::module::Module;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::tensor::{Device, Int, Tensor, TensorData, activation};

use super::card::{CheckpointError, ModelCard};
use super::checkpoint::{self, TrainingRecord};
use super::config::{
    CLASSES, CnnEvaluation, CnnProblem, CnnProgress, CnnSettings, FeatureMaps, LayerShape,
    MAX_MISCLASSIFIED,
};
use super::model::{Cnn, CnnConfig};
use super::resume::{CnnCheckpoint, ResumeError};
use crate::common::model_file::Precision;
use crate::common::read::read_floats;
use crate::common::stepper::{Rule, Stepper};
use crate::common::training::{ChunkRecord, StepTrainer, train_chunk};
use crate::datasets::mnist::{Images, batch, normalise};
use crate::rng::Rng;
use std::sync::Arc;

/// Images per evaluation batch.
pub const EVAL_BATCH: usize = 500;

/// A run's state at one step, what a roll back returns to. Cloning it is cheap: the tensors are
/// shared, not copied.
#[derive(Clone)]
struct GoodState {
    model: Cnn,
    optimizer: Stepper,
    order: Vec<usize>,
    rng: Rng,
    step: u64,
    batch_loss: f32,
}

pub struct CnnTrainer {
    settings: CnnSettings,
    device: Device,
    model: Cnn,
    optimizer: Stepper,
    loss: CrossEntropyLoss,
    train: Arc<Images>,
    test: Arc<Images>,
    layers: Vec<LayerShape>,
    batch: usize,
    steps_per_epoch: u64,
    order: Vec<usize>,
    rng: Rng,
    step: u64,
    /// Steps the model had when it was loaded from a file (0 for a fresh one).
    resumed_at: u64,
    record: ChunkRecord,
    /// What the training images are, for a saved model's card.
    data: String,
    /// The state at the start of the last chunk whose last batch loss was a number (weights that
    /// had already blown up would have made it NaN), or at the start of the first chunk.
    good: Option<Box<GoodState>>,
    /// The step at which the last batch loss stopped being a number, until a roll back.
    diverged_at: Option<u64>,
}

impl CnnTrainer {
    /// Validates the settings for these images, then builds a freshly initialised model.
    /// `device` must have autodiff enabled. Both sets must have images of the same size.
    pub fn new(
        settings: CnnSettings,
        train: impl Into<Arc<Images>>,
        test: impl Into<Arc<Images>>,
        device: Device,
    ) -> Result<Self, Vec<CnnProblem>> {
        let (train, test) = (train.into(), test.into());
        let (rows, cols) = (train.rows, train.cols);
        let mut problems = settings.validate_for(rows, cols);
        let bad_label = train
            .labels
            .iter()
            .chain(&test.labels)
            .any(|&l| l as usize >= CLASSES);
        if train.is_empty()
            || rows * cols == 0
            || (test.rows, test.cols) != (rows, cols)
            || bad_label
        {
            problems.push(CnnProblem::BadImages);
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        let layers = settings.layer_shapes(rows, cols)?;
        device.seed(settings.seed);
        let model = CnnConfig::from_settings(&settings, rows, cols).init(&device);
        let optimizer = Stepper::new(Rule::of(settings.optimizer));
        let batch = settings.batch_size.min(train.len());
        Ok(Self {
            loss: CrossEntropyLossConfig::new().init(&device),
            rng: Rng::new(settings.seed.wrapping_add(1)),
            data: mnist_description(train.len(), test.len()),
            steps_per_epoch: (train.len() / batch) as u64,
            order: (0..train.len()).collect(),
            settings,
            device,
            model,
            optimizer,
            train,
            test,
            layers,
            batch,
            step: 0,
            resumed_at: 0,
            record: ChunkRecord::default(),
            good: None,
            diverged_at: None,
        })
    }

    /// A trainer that continues from a saved model (see [`checkpoint`]): the model's settings
    /// and weights, its step count, a fresh optimiser. Returns the file's card too.
    pub fn from_checkpoint(
        bytes: &[u8],
        train: impl Into<Arc<Images>>,
        test: impl Into<Arc<Images>>,
        device: Device,
    ) -> Result<(Self, ModelCard), CheckpointError> {
        let (train, test) = (train.into(), test.into());
        let (card, weights) = checkpoint::decode(bytes)?;
        if card.image != [train.rows, train.cols] {
            return Err(CheckpointError::WrongImageSize {
                rows: card.image[0],
                cols: card.image[1],
            });
        }
        let mut trainer = Self::new(card.settings.clone(), train, test, device)
            .map_err(|problems| CheckpointError::BadSettings { problems })?;
        trainer.model = checkpoint::load_weights(trainer.model, &card, weights)?;
        (trainer.step, trainer.resumed_at) = (card.steps, card.steps);
        // Mid-epoch, the next batches come from a shuffled order, as they would have.
        if trainer.step % trainer.steps_per_epoch != 0 {
            trainer.rng.shuffle(&mut trainer.order);
        }
        Ok((trainer, card))
    }

    /// The run's checkpoint (see [`super::resume`]): the weights as a model file and the
    /// optimiser's state, both read asynchronously, so that it works on every backend.
    pub async fn checkpoint(
        &self,
        test_accuracy: Option<f32>,
    ) -> Result<CnnCheckpoint, ResumeError> {
        let model = checkpoint::save_as(&self.model, self.record(test_accuracy), Precision::F32)
            .await
            .map_err(|error| match error {
                CheckpointError::NotFinite => ResumeError::NotNumbers,
                other => file_unreadable(other),
            })?;
        Ok(CnnCheckpoint {
            settings: self.settings.clone(),
            step: self.step,
            elapsed_ms: self.record.elapsed_ms,
            batch_loss: self.record.last_batch_loss,
            test_accuracy,
            model,
            optimizer: self.optimizer.save(&self.model).await,
        })
    }

    /// The run `checkpoint` was taken from, paused where it was: the same weights and optimiser
    /// state, the same step and, replaying the shuffles, the same order of batches; the next step
    /// is the one the first run would have taken.
    pub fn resume(
        checkpoint: &CnnCheckpoint,
        train: impl Into<Arc<Images>>,
        test: impl Into<Arc<Images>>,
        device: Device,
    ) -> Result<Self, ResumeError> {
        let mut trainer = Self::new(checkpoint.settings.clone(), train, test, device)
            .map_err(|_| ResumeError::BadSettings)?;
        if checkpoint.step > trainer.total_steps() {
            return Err(ResumeError::BadStep {
                step: checkpoint.step,
            });
        }
        let (card, weights) = checkpoint::decode(&checkpoint.model).map_err(file_unreadable)?;
        trainer.model =
            checkpoint::load_weights(trainer.model, &card, weights).map_err(file_unreadable)?;
        trainer.optimizer = Stepper::load(
            Rule::of(trainer.settings.optimizer),
            &trainer.model,
            &checkpoint.optimizer,
            &trainer.device,
        )?;
        trainer.step = checkpoint.step;
        // The elapsed time covers every step, so the speed counts them all.
        trainer.record.elapsed_ms = checkpoint.elapsed_ms;
        trainer.record.last_batch_loss = checkpoint.batch_loss;
        // One shuffle at the start of each epoch begun so far.
        for _ in 0..checkpoint.step.div_ceil(trainer.steps_per_epoch) {
            trainer.rng.shuffle(&mut trainer.order);
        }
        Ok(trainer)
    }

    /// The model as a file (see [`checkpoint`]), with the test accuracy to record. Empty when the
    /// device could not be read.
    pub async fn export(&self, test_accuracy: Option<f32>) -> Vec<u8> {
        checkpoint::save(&self.model, self.record(test_accuracy)).await
    }

    /// What a saved model's card says about this run.
    fn record(&self, test_accuracy: Option<f32>) -> TrainingRecord {
        TrainingRecord {
            settings: self.settings.clone(),
            image: [self.train.rows, self.train.cols],
            data: self.data.clone(),
            steps: self.step,
            steps_per_epoch: self.steps_per_epoch,
            test_accuracy,
            provenance: None,
        }
    }

    /// Replaces the description of the training data a saved model's card records (by default
    /// MNIST with these image counts).
    pub fn set_data_description(&mut self, data: impl Into<String>) {
        self.data = data.into();
    }

    /// The test images (the page shows some of them).
    pub fn test_set(&self) -> &Images {
        &self.test
    }

    pub fn settings(&self) -> &CnnSettings {
        &self.settings
    }

    /// Each layer's output shape and parameter count.
    pub fn layers(&self) -> &[LayerShape] {
        &self.layers
    }

    pub fn step_count(&self) -> u64 {
        self.step
    }

    pub fn steps_per_epoch(&self) -> u64 {
        self.steps_per_epoch
    }

    /// Steps in the whole run (epochs × steps per epoch).
    pub fn total_steps(&self) -> u64 {
        self.steps_per_epoch * self.settings.epochs as u64
    }

    pub fn is_finished(&self) -> bool {
        self.step >= self.total_steps()
    }

    /// Epochs completed.
    pub fn epoch(&self) -> usize {
        (self.step / self.steps_per_epoch) as usize
    }

    /// Share of the current epoch done, in [0, 1).
    pub fn epoch_progress(&self) -> f64 {
        (self.step % self.steps_per_epoch) as f64 / self.steps_per_epoch as f64
    }

    /// Where the run stands; reads nothing from the device.
    pub fn progress(&self) -> CnnProgress {
        CnnProgress {
            step: self.step,
            total_steps: self.total_steps(),
            epoch: self.epoch(),
            epoch_progress: self.epoch_progress(),
            batch_loss: self.record.last_batch_loss,
            elapsed_ms: self.record.elapsed_ms,
            steps_per_second: self.record.steps_per_second(self.step - self.resumed_at),
            finished: self.is_finished(),
        }
    }

    /// Normalised images `indices` of `set` as [count, 1, rows, cols] and their labels [count].
    fn batch_tensors(
        &self,
        set: &Images,
        indices: impl Iterator<Item = usize>,
    ) -> (Tensor<4>, Tensor<1, Int>) {
        batch(set, indices, &self.device)
    }

    /// One optimiser step on the next mini-batch; reshuffles at the start of every epoch.
    /// Returns the batch loss without reading it back.
    fn train_step(&mut self) -> Tensor<1> {
        let within = (self.step % self.steps_per_epoch) as usize;
        if within == 0 {
            self.rng.shuffle(&mut self.order);
        }
        let start = within * self.batch;
        let indices = self.order[start..start + self.batch].to_vec();
        let (x, y) = self.batch_tensors(&self.train, indices.into_iter());
        if self.settings.dropout > 0.0 {
            // Each step's dropout masks depend on the seed and the step alone, so a run resumed
            // from a checkpoint draws the masks the uninterrupted run would have drawn.
            self.device
                .seed(self.settings.seed ^ self.step.wrapping_mul(0x9E37_79B9_7F4A_7C15));
        }
        let loss = self.loss.forward(self.model.forward(x), y);
        self.model = self
            .optimizer
            .step(self.settings.learning_rate, self.model.clone(), &loss);
        self.step += 1;
        loss.without_autodiff()
    }

    /// Runs up to `max_steps` steps, stopping early once `budget_ms` has passed or the last
    /// epoch is done, then waits for the device by reading the last batch loss. The time,
    /// waiting included, counts as training time. Returns the number of steps run.
    /// A step whose loss is not a number (NaN or infinite) stops the run: see [`Self::diverged`].
    pub async fn train_chunk(&mut self, max_steps: u64, budget_ms: f64) -> u64 {
        if self.diverged_at.is_some() {
            return 0;
        }
        let start = self.state();
        let done = train_chunk(self, max_steps, budget_ms).await;
        if done == 0 {
            return 0;
        }
        if self.record.last_batch_loss.is_finite() {
            self.good = Some(Box::new(start));
        } else {
            self.diverged_at = Some(self.step);
            self.good.get_or_insert(Box::new(start));
        }
        done
    }

    /// The step at which the loss stopped being a number (NaN or infinite): the weights have
    /// blown up, and more steps cannot bring them back. None until then, and after a roll back.
    pub fn diverged(&self) -> Option<u64> {
        self.diverged_at
    }

    /// The step [`Self::roll_back`] returns to.
    pub fn good_step(&self) -> u64 {
        self.good.as_ref().map_or(self.step, |good| good.step)
    }

    /// Returns to the last state known to be good (its weights, optimiser state, batch order and
    /// step), so that training can go on from there, at a lower learning rate for example.
    /// Training time is kept.
    pub fn roll_back(&mut self) {
        if let Some(good) = self.good.as_deref().cloned() {
            self.model = good.model;
            self.optimizer = good.optimizer;
            self.order = good.order;
            self.rng = good.rng;
            self.step = good.step;
            self.record.last_batch_loss = good.batch_loss;
        }
        self.diverged_at = None;
    }

    /// The run as it is now, to return to.
    fn state(&self) -> GoodState {
        GoodState {
            model: self.model.clone(),
            optimizer: self.optimizer.clone(),
            order: self.order.clone(),
            rng: self.rng.clone(),
            step: self.step,
            batch_loss: self.record.last_batch_loss,
        }
    }

    /// Loss, accuracy, confusion matrix and mistakes on the first `limit` test images (all of
    /// them with None), in batches of [`EVAL_BATCH`].
    pub async fn evaluate(&self, limit: Option<usize>) -> CnnEvaluation {
        let count = limit.map_or(self.test.len(), |n| n.min(self.test.len()));
        let model = self.model.valid();
        let mut confusion = vec![0u32; CLASSES * CLASSES];
        let mut misclassified = Vec::new();
        let (mut loss_sum, mut correct) = (0.0f64, 0usize);
        for start in (0..count).step_by(EVAL_BATCH) {
            let end = (start + EVAL_BATCH).min(count);
            let (x, _) = self.batch_tensors(&self.test, start..end);
            // [count, 10] logits, row-major.
            let logits = read_floats(model.forward(x.without_autodiff())).await;
            for (offset, row) in logits.chunks(CLASSES).enumerate() {
                let index = start + offset;
                let label = self.test.labels[index];
                let (loss, predicted) = cross_entropy_and_argmax(row, label as usize);
                loss_sum += loss;
                confusion[label as usize * CLASSES + predicted] += 1;
                if predicted == label as usize {
                    correct += 1;
                } else if misclassified.len() < MAX_MISCLASSIFIED {
                    misclassified.push((index, predicted as u8, label));
                }
            }
        }
        let n = count.max(1) as f64;
        CnnEvaluation {
            count,
            loss: if count == 0 {
                f32::NAN
            } else {
                (loss_sum / n) as f32
            },
            accuracy: (correct as f64 / n) as f32,
            confusion,
            misclassified,
        }
    }

    /// One image of `rows × cols` values in [0, 1] (un-normalised) → [1, 1, rows, cols].
    /// None when the length is wrong.
    fn single_image(&self, pixels: &[f32]) -> Option<Tensor<4>> {
        let (rows, cols) = (self.train.rows, self.train.cols);
        if pixels.len() != rows * cols {
            return None;
        }
        let values: Vec<f32> = pixels.iter().map(|&p| normalise(p)).collect();
        // [rows·cols] flat pixels → [1, 1, rows, cols] image.
        let image =
            Tensor::<4>::from_data(TensorData::new(values, [1, 1, rows, cols]), &self.device);
        Some(image.without_autodiff())
    }

    /// Class probabilities (10, summing to 1) for one image of `rows × cols` values in [0, 1],
    /// un-normalised (as drawn). Empty when the length is wrong.
    pub async fn predict(&self, pixels: &[f32]) -> Vec<f32> {
        let Some(image) = self.single_image(pixels) else {
            return Vec::new();
        };
        let logits = self.model.valid().forward(image);
        // [1, 10] → softmax over classes → [10].
        let probs: Tensor<1> = activation::softmax(logits, 1).flatten(0, 1);
        read_floats(probs).await
    }

    /// Every convolution's and pooling layer's output for one image (as for
    /// [`predict`](Self::predict)), named as in [`layers`](Self::layers).
    pub async fn feature_maps(&self, pixels: &[f32]) -> Vec<FeatureMaps> {
        let Some(image) = self.single_image(pixels) else {
            return Vec::new();
        };
        let names = self
            .layers
            .iter()
            .filter(|l| l.block.is_some())
            .map(|l| l.name.clone());
        let mut out = Vec::new();
        for (maps, layer) in self
            .model
            .valid()
            .feature_maps(image)
            .into_iter()
            .zip(names)
        {
            let [_, channels, rows, cols] = maps.dims();
            // [1, channels, rows, cols] → [channels·rows·cols].
            let values = read_floats(maps.flatten::<1>(0, 3)).await;
            out.push(FeatureMaps {
                layer,
                channels,
                rows,
                cols,
                values,
            });
        }
        out
    }

    /// The first convolution's kernels, one `kernel × kernel` row-major list per filter; empty
    /// without convolution blocks.
    pub async fn first_layer_filters(&self) -> Vec<Vec<f32>> {
        let Some(weights) = self.model.valid().first_layer_weights() else {
            return Vec::new();
        };
        let [filters, _, kh, kw] = weights.dims();
        // [filters, 1, kh, kw] → [filters·kh·kw].
        let values = read_floats(weights.flatten::<1>(0, 3)).await;
        if values.len() != filters * kh * kw {
            return Vec::new();
        }
        values.chunks(kh * kw).map(<[f32]>::to_vec).collect()
    }
}

fn file_unreadable(error: CheckpointError) -> ResumeError {
    ResumeError::Unreadable {
        message: error.to_string(),
    }
}

/// MNIST's origin and licence, with the numbers of images used.
fn mnist_description(train: usize, test: usize) -> String {
    format!(
        "MNIST ({} train / {} test), CC BY-SA 3.0, LeCun & Cortes",
        grouped(train),
        grouped(test)
    )
}

/// 60000 → "60 000".
fn grouped(n: usize) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, d) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(' ');
        }
        out.push(d);
    }
    out
}

/// Cross-entropy of one row of logits for `label`, and the predicted class.
fn cross_entropy_and_argmax(logits: &[f32], label: usize) -> (f64, usize) {
    let (predicted, &max) =
        logits
            .iter()
            .enumerate()
            .fold((0, &f32::NEG_INFINITY), |best, (i, v)| {
                if *v > *best.1 { (i, v) } else { best }
            });
    let max = max as f64;
    let log_sum = logits
        .iter()
        .map(|&v| (v as f64 - max).exp())
        .sum::<f64>()
        .ln()
        + max;
    (log_sum - logits[label] as f64, predicted)
}

impl StepTrainer for CnnTrainer {
    fn step(&mut self) -> Option<Tensor<1>> {
        (!self.is_finished()).then(|| self.train_step())
    }

    fn record(&mut self) -> &mut ChunkRecord {
        &mut self.record
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn image_counts_are_grouped_by_thousands() {
        assert_eq!(
            mnist_description(60_000, 10_000),
            "MNIST (60 000 train / 10 000 test), CC BY-SA 3.0, LeCun & Cortes"
        );
        let groups: Vec<_> = [0, 999, 1000, 1_234_567].into_iter().map(grouped).collect();
        assert_eq!(groups, ["0", "999", "1 000", "1 234 567"]);
    }
}
