//! The toy GAN's hand-written training loop: k discriminator steps on real and generated points,
//! then one generator step through the discriminator, each network with its own optimiser; and
//! the views the page draws. Batches come from the engine's seeded generator, so a run is the
//! same on every backend.

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};

use super::loss::{discriminator_loss, generator_loss, generator_terms};
use super::messages::{Manifold, StepPart, ToyView};
use super::metrics::{divergence, mode_shares};
use super::model::{Mlp, MlpConfig};
use super::settings::{EXTENT, NoiseKind, ToyError, ToySettings};
use super::targets::{modes, sample};
use super::toy_resume::{ResumeError, ToyCheckpoint};
use crate::common::optimizer::OptimizerKind;
use crate::common::read::{read_floats, read_scalar};
use crate::common::snapshot;
use crate::common::stepper::{Rule, Stepper};
use crate::common::training::{ChunkRecord, StepTrainer, train_chunk};
use crate::rng::Rng;

/// Real points shown, and generated points drawn from the fixed noise batch.
pub const VIEW_POINTS: usize = 1000;
/// Side of the grid D's heatmap is sampled on.
pub const HEAT_RESOLUTION: usize = 40;
/// Generated points that get a gradient arrow.
pub const ARROWS: usize = 150;
/// Points per side of the manifold's grid (2-D noise), or along its line (1-D noise).
const MANIFOLD_GRID: usize = 15;
const MANIFOLD_LINE: usize = 80;

/// The update rule of one network. Adam uses β1 = 0.5, as DCGAN recommends for both networks of
/// a GAN; the others are the shared ones.
fn rule(kind: OptimizerKind) -> Rule {
    match kind {
        OptimizerKind::Adam => Rule::adam(0.5),
        other => Rule::of(other),
    }
}

/// The seed of a run's points and noise, from its settings' seed (the networks' weights come from
/// the settings' seed itself).
fn draws_seed(settings: &ToySettings) -> u64 {
    settings.seed.wrapping_add(1)
}

/// Centres of the heatmap grid's cells, row by row from the top.
pub fn heat_grid(resolution: usize) -> Vec<f32> {
    let cell = 2.0 * EXTENT / resolution as f32;
    (0..resolution)
        .flat_map(|row| {
            (0..resolution).flat_map(move |col| {
                [
                    -EXTENT + cell * (col as f32 + 0.5),
                    EXTENT - cell * (row as f32 + 0.5),
                ]
            })
        })
        .collect()
}

/// The noise values the manifold is drawn through: a grid (row by row) or a line.
fn manifold_noise(settings: &ToySettings) -> (usize, Vec<f32>) {
    let reach = match settings.noise {
        NoiseKind::Uniform => 1.0,
        NoiseKind::Gaussian => 2.0,
    };
    let at = |i: usize, n: usize| -reach + 2.0 * reach * i as f32 / (n - 1) as f32;
    if settings.noise_dim == 1 {
        let line = (0..MANIFOLD_LINE).map(|i| at(i, MANIFOLD_LINE)).collect();
        (MANIFOLD_LINE, line)
    } else {
        let n = MANIFOLD_GRID;
        let grid = (0..n * n)
            .flat_map(|i| [at(i % n, n), at(i / n, n)])
            .collect();
        (n, grid)
    }
}

fn matrix(values: Vec<f32>, columns: usize, device: &Device) -> Tensor<2> {
    let rows = values.len() / columns;
    Tensor::from_data(TensorData::new(values, [rows, columns]), device)
}

pub struct ToyTrainer {
    settings: ToySettings,
    device: Device,
    generator: Mlp,
    discriminator: Mlp,
    g_optimizer: Stepper,
    d_optimizer: Stepper,
    rng: Rng,
    real_view: Vec<f32>,
    noise_view: Tensor<2>,
    grid: Tensor<2>,
    manifold_side: usize,
    manifold: Tensor<2>,
    iterations: u64,
    d_updates: u64,
    g_updates: u64,
    record: ChunkRecord,
    /// D's last batch loss, not read back yet (G's is the one the chunk reads).
    unread_d_loss: Option<Tensor<1>>,
    losses: Losses,
    /// Where the run stood at the start of its last chunk (or step) that ended with finite
    /// losses: what [`ToyTrainer::roll_back`] restores once a loss stops being a number. Not its
    /// end: the chunk's last update may already have blown the weights up after its losses were
    /// computed, while weights that are not numbers at a chunk's start make its losses NaN.
    good: Box<ToyState>,
}

/// D's and G's last batch losses read back; `None` before that network's first step.
#[derive(Clone, Copy, Debug, Default)]
struct Losses {
    d: Option<f32>,
    g: Option<f32>,
}

/// A run's state between two steps. Cloning it is cheap: the tensors are shared, not copied.
#[derive(Clone)]
struct ToyState {
    generator: Mlp,
    discriminator: Mlp,
    g_optimizer: Stepper,
    d_optimizer: Stepper,
    rng: Rng,
    iterations: u64,
    d_updates: u64,
    g_updates: u64,
    batch_loss: f32,
    losses: Losses,
}

impl ToyTrainer {
    /// Fresh networks for these settings. `device` must have autodiff enabled.
    pub fn new(settings: ToySettings, device: Device) -> Result<Self, Vec<ToyError>> {
        let errors = settings.validate();
        if !errors.is_empty() {
            return Err(errors);
        }
        device.seed(settings.seed);
        let s = &settings;
        let generator = MlpConfig::new(s.noise_dim, s.g_hidden.clone(), 2, s.g_activation);
        let discriminator = MlpConfig::new(2, s.d_hidden.clone(), 1, s.d_activation);
        let mut rng = Rng::new(draws_seed(s));
        let real_view = sample(s.target, &s.custom, VIEW_POINTS, &mut rng);
        let noise_view = noise(s, VIEW_POINTS, &mut rng);
        let (manifold_side, manifold) = manifold_noise(s);
        let grid = matrix(heat_grid(HEAT_RESOLUTION), 2, &device);
        let (generator, discriminator) = (generator.init(&device), discriminator.init(&device));
        let (g_optimizer, d_optimizer) = (
            Stepper::new(rule(s.g_optimizer)),
            Stepper::new(rule(s.d_optimizer)),
        );
        let good = Box::new(ToyState {
            generator: generator.clone(),
            discriminator: discriminator.clone(),
            g_optimizer: g_optimizer.clone(),
            d_optimizer: d_optimizer.clone(),
            rng: rng.clone(),
            iterations: 0,
            d_updates: 0,
            g_updates: 0,
            batch_loss: f32::NAN,
            losses: Losses::default(),
        });
        Ok(Self {
            generator,
            discriminator,
            g_optimizer,
            d_optimizer,
            noise_view: matrix(noise_view, s.noise_dim, &device),
            manifold: matrix(manifold, s.noise_dim, &device),
            manifold_side,
            grid,
            real_view,
            rng,
            settings,
            device,
            iterations: 0,
            d_updates: 0,
            g_updates: 0,
            record: ChunkRecord::default(),
            unread_d_loss: None,
            losses: Losses::default(),
            good,
        })
    }

    pub fn settings(&self) -> &ToySettings {
        &self.settings
    }

    /// The real points the view shows (fixed for the run).
    pub fn real_view(&self) -> &[f32] {
        &self.real_view
    }

    pub fn iterations(&self) -> u64 {
        self.iterations
    }

    /// D's and G's updates together: what a single D or G step moves, unlike the iterations.
    pub fn updates(&self) -> u64 {
        self.d_updates + self.g_updates
    }

    pub fn generator(&self) -> &Mlp {
        &self.generator
    }

    pub fn discriminator(&self) -> &Mlp {
        &self.discriminator
    }

    /// Replaces both networks (the optimisers' state stays): to start two runs from the same
    /// weights.
    pub fn set_networks(&mut self, generator: Mlp, discriminator: Mlp) {
        self.generator = generator;
        self.discriminator = discriminator;
    }

    /// Whether D's or G's last batch loss is no longer a number (NaN or infinite): the weights
    /// have blown up, and more steps cannot bring them back.
    pub fn diverged(&self) -> bool {
        [self.losses.d, self.losses.g]
            .into_iter()
            .flatten()
            .any(|loss| !loss.is_finite())
    }

    /// The iterations [`ToyTrainer::roll_back`] would return to.
    pub fn good_iterations(&self) -> u64 {
        self.good.iterations
    }

    /// Returns to the last state known to be good: both networks, both optimisers' state, the
    /// counts and the random numbers' position. Training time is kept.
    pub fn roll_back(&mut self) {
        let good = (*self.good).clone();
        self.generator = good.generator;
        self.discriminator = good.discriminator;
        self.g_optimizer = good.g_optimizer;
        self.d_optimizer = good.d_optimizer;
        self.rng = good.rng;
        self.iterations = good.iterations;
        self.d_updates = good.d_updates;
        self.g_updates = good.g_updates;
        self.record.last_batch_loss = good.batch_loss;
        self.losses = good.losses;
        self.unread_d_loss = None;
    }

    fn state(&self) -> ToyState {
        ToyState {
            generator: self.generator.clone(),
            discriminator: self.discriminator.clone(),
            g_optimizer: self.g_optimizer.clone(),
            d_optimizer: self.d_optimizer.clone(),
            rng: self.rng.clone(),
            iterations: self.iterations,
            d_updates: self.d_updates,
            g_updates: self.g_updates,
            batch_loss: self.record.last_batch_loss,
            losses: self.losses,
        }
    }

    /// Reads back D's last batch loss (G's is `record`'s), then keeps `start`, the state before
    /// what just ran, as the good one if both losses are finite.
    async fn check(&mut self, start: ToyState) {
        if let Some(loss) = self.unread_d_loss.take() {
            self.losses.d = Some(read_scalar(loss).await);
        }
        if !self.diverged() {
            *self.good = start;
        }
    }

    /// The run's checkpoint (see [`super::toy_resume`]), read asynchronously (every backend).
    pub async fn checkpoint(&self) -> Result<ToyCheckpoint, ResumeError> {
        Ok(ToyCheckpoint {
            settings: self.settings.clone(),
            iterations: self.iterations,
            d_updates: self.d_updates,
            g_updates: self.g_updates,
            rng_draws: self.rng.draws_since(draws_seed(&self.settings)),
            elapsed_ms: self.record.elapsed_ms,
            batch_loss: self.record.last_batch_loss,
            generator: snapshot::save(&self.generator).await?,
            discriminator: snapshot::save(&self.discriminator).await?,
            g_optimizer: self.g_optimizer.save(&self.generator).await,
            d_optimizer: self.d_optimizer.save(&self.discriminator).await,
        })
    }

    /// The run `checkpoint` was taken from, paused where it was: the same weights and optimiser
    /// states, the same counts, and the random numbers drawn on from
    /// the same position.
    pub fn resume(checkpoint: &ToyCheckpoint, device: Device) -> Result<Self, ResumeError> {
        let mut trainer =
            Self::new(checkpoint.settings.clone(), device).map_err(|_| ResumeError::BadSettings)?;
        // A fresh run has drawn its view's points; every iteration takes one G update.
        let start = trainer.rng.draws_since(draws_seed(&trainer.settings));
        if checkpoint.rng_draws < start || checkpoint.g_updates < checkpoint.iterations {
            return Err(ResumeError::BadStep {
                step: checkpoint.iterations,
            });
        }
        trainer.generator = snapshot::load(trainer.generator, &checkpoint.generator)?;
        trainer.discriminator = snapshot::load(trainer.discriminator, &checkpoint.discriminator)?;
        let (g_rule, d_rule) = (
            rule(trainer.settings.g_optimizer),
            rule(trainer.settings.d_optimizer),
        );
        let device = &trainer.device;
        trainer.g_optimizer =
            Stepper::load(g_rule, &trainer.generator, &checkpoint.g_optimizer, device)?;
        trainer.d_optimizer = Stepper::load(
            d_rule,
            &trainer.discriminator,
            &checkpoint.d_optimizer,
            device,
        )?;
        trainer.rng = Rng::at(draws_seed(&trainer.settings), checkpoint.rng_draws);
        trainer.iterations = checkpoint.iterations;
        trainer.d_updates = checkpoint.d_updates;
        trainer.g_updates = checkpoint.g_updates;
        trainer.record.elapsed_ms = checkpoint.elapsed_ms;
        trainer.record.last_batch_loss = checkpoint.batch_loss;
        *trainer.good = trainer.state();
        Ok(trainer)
    }

    fn real_batch(&mut self) -> Tensor<2> {
        let s = &self.settings;
        let points = sample(s.target, &s.custom, s.batch_size, &mut self.rng);
        matrix(points, 2, &self.device)
    }

    fn noise_batch(&mut self) -> Tensor<2> {
        let values = noise(&self.settings, self.settings.batch_size, &mut self.rng);
        matrix(values, self.settings.noise_dim, &self.device)
    }

    /// One discriminator step; G's samples are detached, so only D's weights get gradients.
    /// Returns D's batch loss without reading it.
    pub fn d_step(&mut self) -> Tensor<1> {
        let real = self.real_batch();
        // [batch, noise_dim] → [batch, 2], cut from G's graph.
        let noise = self.noise_batch();
        let fake = self.generator.forward(noise).detach();
        let loss = discriminator_loss(
            self.settings.loss,
            self.discriminator.forward(real),
            self.discriminator.forward(fake),
        );
        let grads = GradientsParams::from_grads(loss.backward(), &self.discriminator);
        self.discriminator = self.d_optimizer.step_grads(
            self.settings.d_learning_rate,
            self.discriminator.clone(),
            grads,
        );
        self.d_updates += 1;
        let loss = loss.detach();
        self.unread_d_loss = Some(loss.clone());
        loss
    }

    /// One generator step through the discriminator; only G's gradients are applied. Returns G's
    /// batch loss without reading it.
    pub fn g_step(&mut self) -> Tensor<1> {
        let noise = self.noise_batch();
        let fake = self.generator.forward(noise);
        // D's weights need no gradients here (G's are the same either way).
        let judge = self.discriminator.clone().no_grad();
        let loss = generator_loss(self.settings.loss, judge.forward(fake));
        let grads = GradientsParams::from_grads(loss.backward(), &self.generator);
        self.generator = self.g_optimizer.step_grads(
            self.settings.g_learning_rate,
            self.generator.clone(),
            grads,
        );
        self.g_updates += 1;
        loss.detach()
    }

    /// k discriminator steps, then one generator step. Returns G's loss.
    pub fn iteration(&mut self) -> Tensor<1> {
        for _ in 0..self.settings.d_steps {
            self.d_step();
        }
        self.iterations += 1;
        self.g_step()
    }

    /// One step of the chosen part, waiting for the device.
    pub async fn step(&mut self, part: StepPart) {
        let start = self.state();
        let (loss, generator) = match part {
            StepPart::Both => (self.iteration(), true),
            StepPart::Discriminator => (self.d_step(), false),
            StepPart::Generator => (self.g_step(), true),
        };
        self.record.last_batch_loss = read_scalar(loss).await;
        if generator {
            self.losses.g = Some(self.record.last_batch_loss);
        }
        self.check(start).await;
    }

    /// Runs up to `max_iterations` iterations or until `budget_ms` has passed, then waits for the
    /// device. Returns the number of iterations run.
    pub async fn train_chunk(&mut self, max_iterations: u64, budget_ms: f64) -> u64 {
        let start = self.state();
        let done = train_chunk(self, max_iterations, budget_ms).await;
        if done > 0 {
            self.losses.g = Some(self.record.last_batch_loss);
            self.check(start).await;
        }
        done
    }

    /// G's samples for `count` fresh noise vectors drawn with `seed`.
    pub async fn samples(&self, count: usize, seed: u64) -> Vec<f32> {
        let noise = noise(&self.settings, count, &mut Rng::new(seed));
        let noise = matrix(noise, self.settings.noise_dim, &self.device).without_autodiff();
        read_floats(self.generator.valid().forward(noise)).await
    }

    /// −∂(G's loss)/∂x at each of `points`: where G would move them.
    async fn arrows(&self, points: &[f32]) -> Vec<f32> {
        if points.is_empty() {
            return Vec::new();
        }
        let x = matrix(points.to_vec(), 2, &self.device).require_grad();
        let terms = generator_terms(self.settings.loss, self.discriminator.forward(x.clone()));
        let grads = terms.sum().backward();
        match x.grad(&grads) {
            Some(gradient) => read_floats(gradient.neg()).await,
            None => Vec::new(),
        }
    }

    /// Everything the page draws, from the fixed real points and noise batch.
    pub async fn view(&self) -> ToyView {
        let kind = self.settings.loss;
        let generator = self.generator.valid();
        let discriminator = self.discriminator.valid();
        let noise = self.noise_view.clone().without_autodiff();
        let fake = generator.forward(noise);
        let real = matrix(self.real_view.clone(), 2, &self.device).without_autodiff();
        let real_logits = discriminator.forward(real);
        let fake_logits = discriminator.forward(fake.clone());
        let d_loss = discriminator_loss(kind, real_logits.clone(), fake_logits.clone());
        let g_loss = generator_loss(kind, fake_logits.clone());
        let d_real = sigmoid(real_logits).mean();
        let d_fake = sigmoid(fake_logits).mean();
        // [cells, 2] → [cells, 1] probabilities → [cells].
        let heat = sigmoid(discriminator.forward(self.grid.clone().without_autodiff()));
        let heat = heat.squeeze_dim::<1>(1);
        let manifold = generator.forward(self.manifold.clone().without_autodiff());

        let fake = read_floats(fake).await;
        let arrows = self.arrows(&fake[..(2 * ARROWS).min(fake.len())]).await;
        let modes = modes(self.settings.target);
        ToyView {
            iterations: self.iterations,
            d_updates: self.d_updates,
            g_updates: self.g_updates,
            d_loss: read_scalar(d_loss).await,
            g_loss: read_scalar(g_loss).await,
            d_real: read_scalar(d_real).await,
            d_fake: read_scalar(d_fake).await,
            divergence: (!fake.is_empty()).then(|| divergence(&self.real_view, &fake)),
            shares: if fake.is_empty() {
                Vec::new()
            } else {
                mode_shares(&fake, &modes)
            },
            fake,
            resolution: HEAT_RESOLUTION as u32,
            heat: read_floats(heat).await,
            manifold: Manifold {
                noise_dim: self.settings.noise_dim as u32,
                side: self.manifold_side as u32,
                points: read_floats(manifold).await,
            },
            arrows,
            elapsed_ms: self.record.elapsed_ms,
            iterations_per_second: self.record.steps_per_second(self.iterations),
        }
    }
}

/// `count` noise vectors of the settings' kind and dimension, flattened.
fn noise(settings: &ToySettings, count: usize, rng: &mut Rng) -> Vec<f32> {
    (0..count * settings.noise_dim)
        .map(|_| match settings.noise {
            NoiseKind::Uniform => rng.range(-1.0, 1.0) as f32,
            NoiseKind::Gaussian => rng.normal() as f32,
        })
        .collect()
}

impl StepTrainer for ToyTrainer {
    fn step(&mut self) -> Option<Tensor<1>> {
        Some(self.iteration())
    }

    fn record(&mut self) -> &mut ChunkRecord {
        &mut self.record
    }
}
