//! The digit GAN's training loop (one D step, then one G step, on MNIST batches drawn with the
//! engine's rng), its fixed sample grid, latent walks, and saving and loading the generator.

use std::sync::Arc;

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::activation::sigmoid;
use burn::tensor::{Device, Tensor, TensorData};

use super::digits::{CLASSES, DigitError, DigitSettings, SIDE};
use super::digits_card::{GeneratorCard, MODEL_KIND};
use super::digits_model::{DigitDiscriminator, DigitGenerator, DigitNetworksConfig};
use super::digits_resume::{DigitCheckpoint, ResumeError};
use super::loss::{discriminator_loss, generator_loss};
use super::settings::LossKind;
use crate::common::model_file::{self, ModelFileError, Precision, impl_card};
use crate::common::read::{read_floats, read_scalar};
use crate::common::snapshot;
use crate::common::stepper::{Rule, Stepper};
use crate::common::training::detached;
use crate::common::training::{ChunkRecord, StepTrainer, train_chunk};
use crate::datasets::mnist::Images;
use crate::rng::Rng;

/// Samples in the grid drawn from the fixed noise batch.
pub const GRID: usize = 64;
/// The seed of the grid's fixed noise.
const GRID_SEED: u64 = 7;

/// The seed of a run's batches and noise, from its settings' seed (the networks' weights come
/// from the settings' seed itself).
fn draws_seed(settings: &DigitSettings) -> u64 {
    settings.seed.wrapping_add(1)
}

/// Numbers an iteration draws: a real batch (one each), and twice a noise batch (two a normal
/// value, one a label).
fn draws_per_iteration(settings: &DigitSettings) -> u64 {
    (settings.batch_size * (1 + 2 * (2 * settings.latent + 1))) as u64
}

impl_card!(GeneratorCard, MODEL_KIND);

fn networks(settings: &DigitSettings) -> DigitNetworksConfig {
    DigitNetworksConfig::new(
        settings.model,
        settings.generator_input(),
        settings.conditional,
    )
}

/// One-hot codes of `labels`, [n, 10].
fn one_hot(labels: &[u8], device: &Device) -> Tensor<2> {
    let mut codes = vec![0.0f32; labels.len() * CLASSES];
    for (i, &l) in labels.iter().enumerate() {
        codes[i * CLASSES + l as usize % CLASSES] = 1.0;
    }
    Tensor::from_data(TensorData::new(codes, [labels.len(), CLASSES]), device)
}

/// The generator's input for `noise` (flattened, `latent` values each) and, when conditional,
/// `labels`: [n, input].
fn generator_input(
    settings: &DigitSettings,
    noise: Vec<f32>,
    labels: &[u8],
    device: &Device,
) -> Tensor<2> {
    let n = noise.len() / settings.latent;
    let z = Tensor::from_data(TensorData::new(noise, [n, settings.latent]), device);
    if settings.conditional {
        Tensor::cat(vec![z, one_hot(labels, device)], 1)
    } else {
        z
    }
}

fn gaussian(count: usize, rng: &mut Rng) -> Vec<f32> {
    (0..count).map(|_| rng.normal() as f32).collect()
}

/// A generator with `settings`' shape, its weights from a model file. Returns the card too.
pub fn load_generator(
    bytes: &[u8],
    device: &Device,
) -> Result<(GeneratorCard, DigitGenerator), ModelFileError> {
    let (card, weights) = model_file::decode::<GeneratorCard>(bytes)?;
    if let Some(error) = card.settings.validate().first() {
        let message = format!("{:?}: {:?}", error.field, error.problem);
        return Err(ModelFileError::BadSettings { message });
    }
    let generator = networks(&card.settings).generator(device);
    let generator = model_file::load_weights(generator, &card.parameters, weights)?;
    Ok((card, generator))
}

/// `count` images from `generator` for fresh noise drawn with `seed` (and `labels`, cycled, when
/// conditional), as pixels in [0, 1], 784 an image.
pub async fn generate(
    generator: &DigitGenerator,
    settings: &DigitSettings,
    count: usize,
    seed: u64,
    labels: &[u8],
    device: &Device,
) -> Vec<f32> {
    let noise = gaussian(count * settings.latent, &mut Rng::new(seed));
    let labels: Vec<u8> = (0..count)
        .map(|i| labels.get(i % labels.len().max(1)).copied().unwrap_or(0))
        .collect();
    let input = generator_input(settings, noise, &labels, device).without_autodiff();
    let images = generator.valid().forward(input);
    read_floats((images + 1.0) * 0.5).await
}

pub struct DigitTrainer {
    settings: DigitSettings,
    device: Device,
    images: Arc<Images>,
    generator: DigitGenerator,
    discriminator: DigitDiscriminator,
    g_optimizer: Stepper,
    d_optimizer: Stepper,
    rng: Rng,
    iterations: u64,
    record: ChunkRecord,
    /// The last batch's D loss and D(x) and D(G(z)) means, not yet read.
    last_outputs: Option<(Tensor<1>, Tensor<1>, Tensor<1>)>,
    /// D's loss at the end of the last chunk, read back (G's is `record`'s); NaN before any.
    d_loss: f32,
    /// Where the run stood at the start of its last chunk whose losses were finite: what
    /// [`DigitTrainer::roll_back`] restores once a loss stops being a number. Not its end: the
    /// chunk's last update may already have blown the weights up after its losses were computed,
    /// while weights that are not numbers at a chunk's start make its losses NaN.
    good: Box<DigitState>,
}

/// A run's state between two iterations. Cloning it is cheap: the tensors are shared, not copied.
#[derive(Clone)]
struct DigitState {
    generator: DigitGenerator,
    discriminator: DigitDiscriminator,
    g_optimizer: Stepper,
    d_optimizer: Stepper,
    rng: Rng,
    iterations: u64,
    g_loss: f32,
    d_loss: f32,
    last_outputs: Option<(Tensor<1>, Tensor<1>, Tensor<1>)>,
}

/// What the page shows of a digit run.
#[derive(serde::Serialize, serde::Deserialize, Clone, Debug, PartialEq, Default)]
pub struct DigitProgress {
    pub iterations: u64,
    /// The last batch's losses and D's mean outputs.
    pub d_loss: f32,
    pub g_loss: f32,
    pub d_real: f32,
    pub d_fake: f32,
    pub elapsed_ms: f64,
}

impl DigitTrainer {
    /// Fresh networks for `settings`, training on `images`. `device` must have autodiff.
    pub fn new(
        settings: DigitSettings,
        images: Arc<Images>,
        device: Device,
    ) -> Result<Self, Vec<DigitError>> {
        let errors = settings.validate();
        if !errors.is_empty() {
            return Err(errors);
        }
        device.seed(settings.seed);
        let config = networks(&settings);
        // Adam with β1 = 0.5, as the DCGAN paper trains both networks.
        let adam = || Stepper::new(Rule::adam(0.5));
        let (generator, discriminator) = (config.generator(&device), config.discriminator(&device));
        let rng = Rng::new(draws_seed(&settings));
        let good = Box::new(DigitState {
            generator: generator.clone(),
            discriminator: discriminator.clone(),
            g_optimizer: adam(),
            d_optimizer: adam(),
            rng: rng.clone(),
            iterations: 0,
            g_loss: f32::NAN,
            d_loss: f32::NAN,
            last_outputs: None,
        });
        Ok(Self {
            generator,
            discriminator,
            g_optimizer: adam(),
            d_optimizer: adam(),
            rng,
            settings,
            device,
            images,
            iterations: 0,
            record: ChunkRecord::default(),
            last_outputs: None,
            d_loss: f32::NAN,
            good,
        })
    }

    /// Whether D's or G's loss at the end of the last chunk is no longer a number (NaN or
    /// infinite): the weights have blown up, and more iterations cannot bring them back.
    pub fn diverged(&self) -> bool {
        self.iterations > 0 && !(self.d_loss.is_finite() && self.record.last_batch_loss.is_finite())
    }

    /// The iterations [`DigitTrainer::roll_back`] would return to.
    pub fn good_iterations(&self) -> u64 {
        self.good.iterations
    }

    /// Returns to the last state known to be good: both networks, both optimisers' state, the
    /// iteration and the random numbers' position. Training time is kept.
    pub fn roll_back(&mut self) {
        let good = (*self.good).clone();
        // Copies again: the kept state stays as it is, should the run blow up once more before
        // it is replaced.
        self.generator = detached(&good.generator);
        self.discriminator = detached(&good.discriminator);
        self.g_optimizer = good.g_optimizer;
        self.d_optimizer = good.d_optimizer;
        self.rng = good.rng;
        self.iterations = good.iterations;
        self.record.last_batch_loss = good.g_loss;
        self.d_loss = good.d_loss;
        self.last_outputs = good.last_outputs;
    }

    fn state(&self) -> DigitState {
        DigitState {
            // The DCGAN's batch norms: copies of their own, not clones (see `detached`).
            generator: detached(&self.generator),
            discriminator: detached(&self.discriminator),
            g_optimizer: self.g_optimizer.clone(),
            d_optimizer: self.d_optimizer.clone(),
            rng: self.rng.clone(),
            iterations: self.iterations,
            g_loss: self.record.last_batch_loss,
            d_loss: self.d_loss,
            last_outputs: self.last_outputs.clone(),
        }
    }

    pub fn settings(&self) -> &DigitSettings {
        &self.settings
    }

    pub fn iterations(&self) -> u64 {
        self.iterations
    }

    pub fn generator(&self) -> &DigitGenerator {
        &self.generator
    }

    pub fn discriminator(&self) -> &DigitDiscriminator {
        &self.discriminator
    }

    /// Replaces both networks: to start two runs from the same weights.
    pub fn set_networks(&mut self, generator: DigitGenerator, discriminator: DigitDiscriminator) {
        self.generator = generator;
        self.discriminator = discriminator;
    }

    /// The run's checkpoint (see [`super::digits_resume`]): both networks' weights and both
    /// optimisers' state, the iteration count and the random numbers' position, read
    /// asynchronously (every backend).
    pub async fn checkpoint(&self) -> Result<DigitCheckpoint, ResumeError> {
        let progress = self.progress().await;
        Ok(DigitCheckpoint {
            settings: self.settings.clone(),
            iterations: self.iterations,
            rng_draws: self.rng.draws_since(draws_seed(&self.settings)),
            elapsed_ms: progress.elapsed_ms,
            d_loss: progress.d_loss,
            g_loss: progress.g_loss,
            d_real: progress.d_real,
            d_fake: progress.d_fake,
            generator: snapshot::save(&self.generator).await?,
            discriminator: snapshot::save(&self.discriminator).await?,
            g_optimizer: self.g_optimizer.save(&self.generator).await,
            d_optimizer: self.d_optimizer.save(&self.discriminator).await,
        })
    }

    /// The run `checkpoint` was taken from, paused where it was: the same weights and optimiser
    /// states, and the random numbers drawn on from the same position,
    /// so the next iteration takes the batch and the noise the first run would have taken.
    pub fn resume(
        checkpoint: &DigitCheckpoint,
        images: Arc<Images>,
        device: Device,
    ) -> Result<Self, ResumeError> {
        let settings = &checkpoint.settings;
        let mut trainer =
            Self::new(settings.clone(), images, device).map_err(|_| ResumeError::BadSettings)?;
        // Every iteration draws the same count, so the position must be the iterations' own.
        if checkpoint
            .iterations
            .checked_mul(draws_per_iteration(settings))
            != Some(checkpoint.rng_draws)
        {
            return Err(ResumeError::BadStep {
                step: checkpoint.iterations,
            });
        }
        trainer.generator = snapshot::load(trainer.generator, &checkpoint.generator)?;
        trainer.discriminator = snapshot::load(trainer.discriminator, &checkpoint.discriminator)?;
        let adam = Rule::adam(0.5);
        let device = &trainer.device;
        trainer.g_optimizer =
            Stepper::load(adam, &trainer.generator, &checkpoint.g_optimizer, device)?;
        trainer.d_optimizer = Stepper::load(
            adam,
            &trainer.discriminator,
            &checkpoint.d_optimizer,
            device,
        )?;
        trainer.rng = Rng::at(draws_seed(settings), checkpoint.rng_draws);
        trainer.iterations = checkpoint.iterations;
        trainer.record.elapsed_ms = checkpoint.elapsed_ms;
        trainer.record.last_batch_loss = checkpoint.g_loss;
        if checkpoint.iterations > 0 {
            let scalar = |value: f32| Tensor::<1>::from_floats([value], &trainer.device);
            trainer.last_outputs = Some((
                scalar(checkpoint.d_loss),
                scalar(checkpoint.d_real),
                scalar(checkpoint.d_fake),
            ));
            trainer.d_loss = checkpoint.d_loss;
        }
        *trainer.good = trainer.state();
        Ok(trainer)
    }

    /// A batch of real images in (−1, 1) and their labels.
    fn real_batch(&mut self) -> (Tensor<4>, Vec<u8>) {
        let n = self.settings.batch_size;
        let mut pixels = Vec::with_capacity(n * SIDE * SIDE);
        let mut labels = Vec::with_capacity(n);
        for _ in 0..n {
            let i = self.rng.below(self.images.len());
            pixels.extend(self.images.image(i).iter().map(|&p| p as f32 / 127.5 - 1.0));
            labels.push(self.images.labels[i]);
        }
        let images = Tensor::from_data(TensorData::new(pixels, [n, 1, SIDE, SIDE]), &self.device);
        (images, labels)
    }

    /// The generator's input for a fresh batch, with random labels.
    fn noise_batch(&mut self) -> (Tensor<2>, Vec<u8>) {
        let n = self.settings.batch_size;
        let noise = gaussian(n * self.settings.latent, &mut self.rng);
        let labels: Vec<u8> = (0..n).map(|_| self.rng.below(CLASSES) as u8).collect();
        (
            generator_input(&self.settings, noise, &labels, &self.device),
            labels,
        )
    }

    fn codes(&self, labels: &[u8]) -> Option<Tensor<2>> {
        self.settings
            .conditional
            .then(|| one_hot(labels, &self.device))
    }

    /// One discriminator step on a real batch and a detached generated one. Returns D's loss.
    pub fn d_step(&mut self) -> Tensor<1> {
        let (real, real_labels) = self.real_batch();
        let (z, fake_labels) = self.noise_batch();
        let fake = self.generator.forward(z).detach();
        let real_logits = self.discriminator.forward(real, self.codes(&real_labels));
        let fake_logits = self.discriminator.forward(fake, self.codes(&fake_labels));
        let d_real = sigmoid(real_logits.clone()).mean().detach();
        let loss = discriminator_loss(LossKind::NonSaturating, real_logits, fake_logits);
        let grads = GradientsParams::from_grads(loss.backward(), &self.discriminator);
        let lr = self.settings.learning_rate * self.settings.model.discriminator_rate();
        self.discriminator = self
            .d_optimizer
            .step_grads(lr, self.discriminator.clone(), grads);
        self.last_outputs = Some((loss.clone().detach(), d_real.clone(), d_real));
        loss.detach()
    }

    /// One generator step through the discriminator; only G's gradients are applied.
    pub fn g_step(&mut self) -> Tensor<1> {
        let (z, labels) = self.noise_batch();
        // D's weights need no gradients here (G's are the same either way).
        let logits = self
            .discriminator
            .clone()
            .no_grad()
            .forward(self.generator.forward(z), self.codes(&labels));
        let d_fake = sigmoid(logits.clone()).mean().detach();
        let loss = generator_loss(LossKind::NonSaturating, logits);
        let grads = GradientsParams::from_grads(loss.backward(), &self.generator);
        let lr = self.settings.learning_rate;
        self.generator = self
            .g_optimizer
            .step_grads(lr, self.generator.clone(), grads);
        if let Some((d_loss, d_real, _)) = self.last_outputs.take() {
            self.last_outputs = Some((d_loss, d_real, d_fake));
        }
        loss.detach()
    }

    /// One D step, then one G step. Returns G's loss.
    pub fn iteration(&mut self) -> Tensor<1> {
        self.d_step();
        self.iterations += 1;
        self.g_step()
    }

    /// Up to `max_iterations` iterations or `budget_ms`, then waits for the device. Keeps the
    /// state the chunk started from as the good one if its last losses are finite.
    pub async fn train_chunk(&mut self, max_iterations: u64, budget_ms: f64) -> u64 {
        let start = self.state();
        let done = train_chunk(self, max_iterations, budget_ms).await;
        if done == 0 {
            return 0;
        }
        if let Some((d_loss, _, _)) = &self.last_outputs {
            self.d_loss = read_scalar(d_loss.clone()).await;
        }
        if !self.diverged() {
            *self.good = start;
        }
        done
    }

    /// The last iteration's numbers.
    pub async fn progress(&self) -> DigitProgress {
        let mut progress = DigitProgress {
            iterations: self.iterations,
            g_loss: self.record.last_batch_loss,
            elapsed_ms: self.record.elapsed_ms,
            ..DigitProgress::default()
        };
        if let Some((d_loss, d_real, d_fake)) = &self.last_outputs {
            progress.d_loss = read_scalar(d_loss.clone()).await;
            progress.d_real = read_scalar(d_real.clone()).await;
            progress.d_fake = read_scalar(d_fake.clone()).await;
        }
        progress
    }

    /// `count` images for noise drawn with `seed` (labels cycled when conditional), in [0, 1].
    pub async fn samples(&self, count: usize, seed: u64, labels: &[u8]) -> Vec<f32> {
        generate(
            &self.generator,
            &self.settings,
            count,
            seed,
            labels,
            &self.device,
        )
        .await
    }

    /// The grid: the same 64 noise vectors every time (when conditional, rows of the digits 0–9).
    pub async fn grid(&self) -> Vec<f32> {
        let labels: Vec<u8> = (0..CLASSES as u8).collect();
        self.samples(GRID, GRID_SEED, &labels).await
    }

    /// `frames` images on the straight line between the noise vectors of seeds `from` and `to`.
    pub async fn walk(&self, from: u64, to: u64, frames: usize, label: u8) -> Vec<f32> {
        let latent = self.settings.latent;
        let a = gaussian(latent, &mut Rng::new(from));
        let b = gaussian(latent, &mut Rng::new(to));
        let noise: Vec<f32> = (0..frames)
            .flat_map(|f| {
                let t = f as f32 / (frames.max(2) - 1) as f32;
                a.iter()
                    .zip(&b)
                    .map(move |(x, y)| x + t * (y - x))
                    .collect::<Vec<_>>()
            })
            .collect();
        let labels = vec![label; frames];
        let input =
            generator_input(&self.settings, noise, &labels, &self.device).without_autodiff();
        read_floats((self.generator.valid().forward(input) + 1.0) * 0.5).await
    }

    /// The generator as a model file.
    pub async fn save_generator(&self) -> Result<Vec<u8>, ModelFileError> {
        let card = GeneratorCard::new(self.settings.clone(), self.iterations);
        model_file::save(&self.generator, card, Precision::F32).await
    }

    /// Takes a saved generator (its settings must be this run's).
    pub fn load_generator(&mut self, bytes: &[u8]) -> Result<GeneratorCard, ModelFileError> {
        let (card, generator) = load_generator(bytes, &self.device)?;
        if card.settings.model != self.settings.model
            || card.settings.conditional != self.settings.conditional
            || card.settings.latent != self.settings.latent
        {
            let message = "the file's generator has other settings than this run".to_string();
            return Err(ModelFileError::BadSettings { message });
        }
        self.generator = generator;
        Ok(card)
    }
}

impl StepTrainer for DigitTrainer {
    fn step(&mut self) -> Option<Tensor<1>> {
        Some(self.iteration())
    }

    fn record(&mut self) -> &mut ChunkRecord {
        &mut self.record
    }
}
