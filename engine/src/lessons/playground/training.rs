//! The playground's training loop: mini-batch steps, evaluation and the decision boundary.

use burn::module::Module;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::tensor::{Device, Int, Tensor, TensorData};

use super::config::{ConfigError, PlaygroundConfig};
use super::model::{Mlp, MlpConfig};
pub use super::report::{BOUNDARY_RESOLUTION, EXTENT, Evaluation, Progress, grid_points};
use super::resume::{PlaygroundCheckpoint, ResumeError};
use crate::common::read::{read_floats, read_int_scalar, read_scalar};
use crate::common::snapshot;
use crate::common::stepper::{Rule, Stepper};
use crate::common::training::{ChunkRecord, StepTrainer, train_chunk};
use crate::datasets::toy2d::{Point, Split, generate};
use crate::rng::Rng;

pub struct Trainer {
    config: PlaygroundConfig,
    device: Device,
    model: Mlp,
    optimizer: Stepper,
    loss: CrossEntropyLoss,
    split: Split,
    train: (Tensor<2>, Tensor<1, Int>),
    test: (Tensor<2>, Tensor<1, Int>),
    grid: Tensor<2>,
    order: Vec<usize>,
    cursor: usize,
    rng: Rng,
    step: u64,
    record: ChunkRecord,
    /// Where the run stood after its last chunk that ended with a finite loss (or at the start):
    /// what [`Trainer::roll_back`] restores once the loss stops being a number.
    good: Box<GoodState>,
}

/// A run's state at one step. Cloning it is cheap: the tensors are shared, not copied.
#[derive(Clone)]
struct GoodState {
    model: Mlp,
    optimizer: Stepper,
    order: Vec<usize>,
    cursor: usize,
    rng: Rng,
    step: u64,
    batch_loss: f32,
}

fn to_tensors(points: &[Point], device: &Device) -> (Tensor<2>, Tensor<1, Int>) {
    let coords: Vec<f32> = points.iter().flat_map(|p| [p.x, p.y]).collect();
    let labels: Vec<i64> = points.iter().map(|p| p.label as i64).collect();
    (
        Tensor::from_data(TensorData::new(coords, [points.len(), 2]), device),
        Tensor::from_data(TensorData::new(labels, [points.len()]), device),
    )
}

/// The seed of a run's shuffles.
fn shuffle_seed(config: &PlaygroundConfig) -> u64 {
    config.seed.wrapping_add(1)
}

impl Trainer {
    /// Builds the data and a freshly initialised model. `device` must have autodiff enabled.
    pub fn new(config: PlaygroundConfig, device: Device) -> Result<Self, Vec<ConfigError>> {
        let errors = config.validate();
        if !errors.is_empty() {
            return Err(errors);
        }
        device.seed(config.seed);
        let model = MlpConfig::new(config.hidden.clone(), config.activation).init(&device);
        let optimizer = Stepper::new(Rule::of(config.optimizer));
        let split = generate(&config.toy_set());
        let train = to_tensors(&split.train, &device);
        let test = to_tensors(&split.test, &device);
        let n = BOUNDARY_RESOLUTION;
        // [n*n*2] flat coordinates → [n*n, 2] points.
        let grid = Tensor::from_data(TensorData::new(grid_points(), [n * n, 2]), &device);
        let order: Vec<usize> = (0..split.train.len()).collect();
        let rng = Rng::new(shuffle_seed(&config));
        let good = Box::new(GoodState {
            model: model.clone(),
            optimizer: optimizer.clone(),
            order: order.clone(),
            cursor: usize::MAX,
            rng: rng.clone(),
            step: 0,
            batch_loss: f32::NAN,
        });
        Ok(Self {
            loss: CrossEntropyLossConfig::new().init(&device),
            rng,
            config,
            device,
            model,
            optimizer,
            split,
            train,
            test,
            grid,
            order,
            cursor: usize::MAX,
            step: 0,
            record: ChunkRecord::default(),
            good,
        })
    }

    /// The run's checkpoint (see [`super::resume`]), read asynchronously (every backend).
    pub async fn checkpoint(&self) -> Result<PlaygroundCheckpoint, ResumeError> {
        Ok(PlaygroundCheckpoint {
            config: self.config.clone(),
            step: self.step,
            elapsed_ms: self.record.elapsed_ms,
            batch_loss: self.record.last_batch_loss,
            order: self.order.iter().map(|&i| i as u32).collect(),
            cursor: (self.cursor <= self.order.len()).then_some(self.cursor as u32),
            rng_draws: self.rng.draws_since(shuffle_seed(&self.config)),
            model: snapshot::save(&self.model).await?,
            optimizer: self.optimizer.save(&self.model).await,
        })
    }

    /// The run `checkpoint` was taken from, paused where it was: the same weights and optimiser
    /// state, the same step, batch order and random numbers, so the
    /// next step is the one the first run would have taken. `device` must have autodiff enabled.
    pub fn resume(checkpoint: &PlaygroundCheckpoint, device: Device) -> Result<Self, ResumeError> {
        let mut trainer =
            Self::new(checkpoint.config.clone(), device).map_err(|_| ResumeError::BadSettings)?;
        let bad_step = ResumeError::BadStep {
            step: checkpoint.step,
        };
        let mut order: Vec<usize> = checkpoint.order.iter().map(|&i| i as usize).collect();
        let mut sorted = order.clone();
        sorted.sort_unstable();
        let cursor = checkpoint.cursor.map_or(usize::MAX, |c| c as usize);
        let cursor_fits = cursor == usize::MAX || cursor <= order.len();
        if !sorted.iter().copied().eq(0..trainer.order.len()) || !cursor_fits {
            return Err(bad_step);
        }
        if checkpoint.step > 0 && checkpoint.cursor.is_none() {
            return Err(bad_step);
        }
        trainer.model = snapshot::load(trainer.model, &checkpoint.model)?;
        let rule = Rule::of(trainer.config.optimizer);
        trainer.optimizer =
            Stepper::load(rule, &trainer.model, &checkpoint.optimizer, &trainer.device)?;
        std::mem::swap(&mut trainer.order, &mut order);
        trainer.cursor = cursor;
        trainer.rng = Rng::at(shuffle_seed(&trainer.config), checkpoint.rng_draws);
        trainer.step = checkpoint.step;
        trainer.record.elapsed_ms = checkpoint.elapsed_ms;
        trainer.record.last_batch_loss = checkpoint.batch_loss;
        trainer.remember_good();
        Ok(trainer)
    }

    /// Whether the last batch loss is no longer a number (NaN or infinite): the weights have
    /// blown up, and more steps cannot bring them back.
    pub fn diverged(&self) -> bool {
        self.step > 0 && !self.record.last_batch_loss.is_finite()
    }

    /// The step [`Trainer::roll_back`] would return to.
    pub fn good_step(&self) -> u64 {
        self.good.step
    }

    /// Returns to the last state whose loss was finite: its weights, optimiser state, batch order
    /// and step. Training time is kept.
    pub fn roll_back(&mut self) {
        let good = (*self.good).clone();
        self.model = good.model;
        self.optimizer = good.optimizer;
        self.order = good.order;
        self.cursor = good.cursor;
        self.rng = good.rng;
        self.step = good.step;
        self.record.last_batch_loss = good.batch_loss;
    }

    pub fn config(&self) -> &PlaygroundConfig {
        &self.config
    }

    pub fn split(&self) -> &Split {
        &self.split
    }

    pub fn step_count(&self) -> u64 {
        self.step
    }

    /// The next mini-batch's indices; reshuffles at every epoch.
    fn next_batch(&mut self) -> Vec<i64> {
        let batch = self.config.batch_size.min(self.order.len());
        if self.cursor.saturating_add(batch) > self.order.len() {
            self.rng.shuffle(&mut self.order);
            self.cursor = 0;
        }
        let indices = self.order[self.cursor..self.cursor + batch]
            .iter()
            .map(|&i| i as i64)
            .collect();
        self.cursor += batch;
        indices
    }

    /// One optimiser step on one mini-batch; returns the batch loss without reading it back.
    fn train_step(&mut self) -> Tensor<1> {
        let indices = self.next_batch();
        let count = indices.len();
        let indices = Tensor::<1, Int>::from_data(TensorData::new(indices, [count]), &self.device);
        let x = self.train.0.clone().select(0, indices.clone());
        let y = self.train.1.clone().select(0, indices);
        let loss = self.loss.forward(self.model.forward(x), y);
        self.model = self
            .optimizer
            .step(self.config.learning_rate, self.model.clone(), &loss);
        self.step += 1;
        loss.without_autodiff()
    }

    /// Runs up to `max_steps` steps, stopping early once `budget_ms` has passed, then waits for
    /// the device by reading the last batch loss. The time, waiting included, counts as training
    /// time. Returns the number of steps run.
    pub async fn train_chunk(&mut self, max_steps: u64, budget_ms: f64) -> u64 {
        let done = train_chunk(self, max_steps, budget_ms).await;
        if !self.diverged() {
            self.remember_good();
        }
        done
    }

    fn remember_good(&mut self) {
        *self.good = GoodState {
            model: self.model.clone(),
            optimizer: self.optimizer.clone(),
            order: self.order.clone(),
            cursor: self.cursor,
            rng: self.rng.clone(),
            step: self.step,
            batch_loss: self.record.last_batch_loss,
        };
    }

    async fn loss_and_accuracy(
        &self,
        model: &Mlp,
        (x, y): &(Tensor<2>, Tensor<1, Int>),
    ) -> (f32, f32) {
        let count = y.dims()[0] as f32;
        let x = x.clone().without_autodiff();
        let y = y.clone().without_autodiff();
        let logits = model.forward(x);
        // [count, 2] logits → [count, 1] → [count] predicted classes.
        let predicted = logits.clone().argmax(1).squeeze_dim::<1>(1);
        let correct = predicted.equal(y.clone()).int().sum();
        let loss = self.loss.forward(logits, y);
        let loss = read_scalar(loss).await;
        let correct = read_int_scalar(correct).await;
        (loss, correct / count)
    }

    /// Loss and accuracy on the whole train and test sets.
    pub async fn evaluate(&self) -> Evaluation {
        let model = self.model.valid();
        let (train_loss, train_accuracy) = self.loss_and_accuracy(&model, &self.train).await;
        let (test_loss, test_accuracy) = self.loss_and_accuracy(&model, &self.test).await;
        Evaluation {
            train_loss,
            test_loss,
            train_accuracy,
            test_accuracy,
        }
    }

    /// A progress report; reads the last batch loss and evaluates both splits.
    pub async fn progress(&self) -> Progress {
        let evaluation = self.evaluate().await;
        Progress {
            step: self.step,
            batch_loss: self.record.last_batch_loss,
            evaluation,
            elapsed_ms: self.record.elapsed_ms,
            steps_per_second: self.record.steps_per_second(self.step),
        }
    }

    /// Probability of class 1 at each cell of the boundary grid (row-major, top row first).
    pub async fn boundary(&self) -> Vec<f32> {
        let model = self.model.valid();
        let logits = model.forward(self.grid.clone().without_autodiff());
        // [cells, 2] → softmax over classes → [cells, 1] → [cells].
        let probs = burn::tensor::activation::softmax(logits, 1)
            .narrow(1, 1, 1)
            .squeeze_dim::<1>(1);
        read_floats(probs).await
    }

    /// Runs `steps` steps, reporting every `report_every` steps (and after the last).
    pub async fn run(&mut self, steps: u64, report_every: u64, mut report: impl FnMut(Progress)) {
        let mut done = 0;
        while done < steps {
            done += self
                .train_chunk(report_every.max(1).min(steps - done), f64::INFINITY)
                .await;
            report(self.progress().await);
        }
    }
}

impl StepTrainer for Trainer {
    fn step(&mut self) -> Option<Tensor<1>> {
        Some(self.train_step())
    }

    fn record(&mut self) -> &mut ChunkRecord {
        &mut self.record
    }
}
