//! Fine-tuning the shipped backbone on the learner's own classes: a new head, trained alone
//! first, then with the last block (as the comparison's last-block arm); the softmax for a new
//! drawing; the network saved with its card and loaded back to train on.

use burn::lr_scheduler::module_lr_scheduler::ModuleLearningRate;
use burn::module::Module;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::optim::GradientsParams;
use burn::tensor::{Device, Tensor, activation};

use super::config::{Arm, TransferSettings};
use super::model::{block_count, learning_rates, prepare, unfreeze_last_block};
use super::own::{EXAMPLE_PIXELS, OwnClasses, OwnProblem};
use super::own_card::{OWN_MODEL, OwnCard, OwnSettings};
use super::own_resume::OwnCheckpoint;
use super::resume::ResumeError;
use super::training::{ADAM, evaluate};
use crate::common::model_file::{self, ModelFileError, Precision, impl_card};
use crate::common::read::read_floats;
use crate::common::snapshot;
use crate::common::stepper::Stepper;
use crate::common::training::{ChunkRecord, StepTrainer, train_chunk};
use crate::datasets::mnist::{Images, batch};
use crate::models::resnet::ResnetSettings;
use crate::models::resnet::model::{Resnet, ResnetConfig};
use crate::rng::Rng;

impl_card!(OwnCard, OWN_MODEL);

/// A run's state at one step, what a roll back returns to. Cloning it is cheap: the tensors are
/// shared, not copied. The model keeps which of its parameters train, so a state from before
/// the last block was unfrozen comes back frozen.
#[derive(Clone)]
struct GoodState {
    model: Resnet,
    optimizer: Stepper,
    order: Vec<usize>,
    rng: Rng,
    step: u64,
    unfrozen: bool,
    batch_loss: f32,
}

/// The learner's network and where its training stands.
pub struct OwnTrainer {
    model: Resnet,
    network: ResnetSettings,
    names: Vec<String>,
    settings: OwnSettings,
    optimizer: Stepper,
    rates: ModuleLearningRate,
    set: Images,
    order: Vec<usize>,
    rng: Rng,
    step: u64,
    /// Steps to reach before pausing.
    target: u64,
    unfreeze_at: Option<u64>,
    /// Whether the last block trains already.
    unfrozen: bool,
    loss: CrossEntropyLoss,
    record: ChunkRecord,
    device: Device,
    /// The state at the start of the last chunk whose last batch loss was a number (weights that
    /// had already blown up would have made it NaN), or at the start of the first chunk.
    good: Option<Box<GoodState>>,
    /// The step at which the last batch loss stopped being a number, until a roll back.
    diverged_at: Option<u64>,
}

/// Images a step trains on (all examples when fewer).
pub const OWN_BATCH: usize = 32;

fn rates(settings: &OwnSettings) -> ModuleLearningRate {
    let settings = TransferSettings {
        learning_rate: settings.learning_rate,
        ..TransferSettings::default()
    };
    learning_rates(Arm::LastBlock, &settings)
}

impl OwnTrainer {
    /// A new head on `backbone` (a network of `network`'s shape) for `classes`, ready to train
    /// `settings.steps` steps. `device` must have autodiff enabled.
    pub fn new(
        backbone: &Resnet,
        network: &ResnetSettings,
        classes: &OwnClasses,
        settings: OwnSettings,
        device: Device,
    ) -> Result<Self, Vec<OwnProblem>> {
        let problems = classes.problems();
        if !problems.is_empty() {
            return Err(problems);
        }
        let count = classes.names.len();
        let model = prepare(
            Arm::LastBlock,
            backbone,
            network,
            count,
            settings.seed,
            &device,
        );
        let network = ResnetSettings {
            classes: count,
            ..network.clone()
        };
        let unfreeze_at = Some((settings.steps as f64 * settings.head_first).round() as u64);
        Ok(Self::with_model(
            model,
            network,
            classes.names.clone(),
            settings,
            unfreeze_at,
            classes.images(),
            device,
        ))
    }

    fn with_model(
        model: Resnet,
        network: ResnetSettings,
        names: Vec<String>,
        settings: OwnSettings,
        unfreeze_at: Option<u64>,
        set: Images,
        device: Device,
    ) -> Self {
        Self {
            model,
            network,
            names,
            optimizer: Stepper::new(ADAM),
            rates: rates(&settings),
            order: (0..set.len()).collect(),
            set,
            rng: Rng::new(order_seed(&settings)),
            step: 0,
            target: settings.steps as u64,
            unfreeze_at,
            unfrozen: false,
            settings,
            loss: CrossEntropyLossConfig::new().init(&device),
            record: ChunkRecord::default(),
            device,
            good: None,
            diverged_at: None,
        }
    }

    /// The network a model file of own classes holds, ready to train further on new examples
    /// (its head and last block train, the rest stays frozen). Its examples are not in the file:
    /// give them with [`OwnTrainer::set_examples`] before training.
    pub fn import(
        bytes: &[u8],
        settings: OwnSettings,
        device: Device,
    ) -> Result<(Self, OwnCard), ModelFileError> {
        let (card, weights) = model_file::decode::<OwnCard>(bytes)?;
        if let Some(message) = card.problem() {
            return Err(ModelFileError::BadCard { message });
        }
        let problems = card.settings.validate();
        if !problems.is_empty() {
            let message = problems
                .iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("; ");
            return Err(ModelFileError::BadSettings { message });
        }
        let model = ResnetConfig::from_settings(&card.settings).init(&device);
        let model = model_file::load_weights(model, &card.parameters, weights)?;
        let blocks = block_count(&card.settings);
        let model = unfreeze_last_block(model.freeze_backbone(), blocks);
        let mut trainer = Self::with_model(
            model,
            card.settings.clone(),
            card.class_names.clone(),
            settings,
            None,
            Images {
                rows: 28,
                cols: 28,
                pixels: Vec::new(),
                labels: Vec::new(),
            },
            device,
        );
        trainer.step = card.steps;
        trainer.target = card.steps;
        trainer.unfrozen = true;
        Ok((trainer, card))
    }

    pub fn names(&self) -> &[String] {
        &self.names
    }

    pub fn step_count(&self) -> u64 {
        self.step
    }

    pub fn is_finished(&self) -> bool {
        self.step >= self.target || self.set.is_empty()
    }

    /// Trains on `classes`' examples from now on; its names must be this network's.
    pub fn set_examples(&mut self, classes: &OwnClasses) -> Result<(), Vec<OwnProblem>> {
        let mut problems = classes.problems();
        if classes.names.len() != self.names.len() {
            problems.push(OwnProblem::ClassCount {
                count: classes.names.len(),
            });
        }
        if !problems.is_empty() {
            return Err(problems);
        }
        self.names = classes.names.clone();
        self.set = classes.images();
        self.order = (0..self.set.len()).collect();
        // A state from before trains on other examples: nothing to go back to.
        self.good = None;
        Ok(())
    }

    /// `settings.steps` more steps to run, at `settings.learning_rate`.
    pub fn train_more(&mut self, settings: &OwnSettings) {
        self.rates = rates(settings);
        // Kept for a checkpoint; the seed stays the first session's.
        self.settings.learning_rate = settings.learning_rate;
        self.target = self.step.max(self.target) + settings.steps as u64;
    }

    /// The step training pauses at.
    pub fn target_steps(&self) -> u64 {
        self.target
    }

    fn step_next(&mut self) -> Option<Tensor<1>> {
        if self.is_finished() {
            return None;
        }
        if self.unfreeze_at == Some(self.step) && !self.unfrozen {
            self.model = unfreeze_last_block(self.model.clone(), block_count(&self.network));
            self.unfrozen = true;
        }
        let batch_size = OWN_BATCH.min(self.set.len());
        let per_epoch = (self.set.len() / batch_size).max(1) as u64;
        let within = (self.step % per_epoch) as usize;
        if within == 0 {
            self.rng.shuffle(&mut self.order);
        }
        let indices = self.order[within * batch_size..(within + 1) * batch_size].to_vec();
        let (x, y) = batch(&self.set, indices, &self.device);
        let loss = self.loss.forward(self.model.forward(x), y);
        let grads = GradientsParams::from_grads(loss.backward(), &self.model);
        self.model = self
            .optimizer
            .step_grads_by(&self.rates, self.model.clone(), grads);
        self.step += 1;
        Some(loss.without_autodiff())
    }

    /// Where training stands, for a later [`OwnTrainer::resume`]: the weights and optimiser
    /// state (read asynchronously), the examples, step, batch order and unfreezing.
    pub async fn checkpoint(&self) -> Result<OwnCheckpoint, ResumeError> {
        Ok(OwnCheckpoint {
            settings: self.settings.clone(),
            network: self.network.clone(),
            names: self.names.clone(),
            pixels: self.set.pixels.clone(),
            labels: self.set.labels.clone(),
            step: self.step,
            target: self.target,
            unfreeze_at: self.unfreeze_at,
            unfrozen: self.unfrozen,
            rng_draws: self.rng.draws_since(order_seed(&self.settings)),
            order: self.order.iter().map(|&i| i as u32).collect(),
            elapsed_ms: self.record.elapsed_ms,
            last_batch_loss: self.record.last_batch_loss,
            weights: snapshot::save(&self.model).await?,
            optimizer: self.optimizer.save(&self.model).await,
        })
    }

    /// The trainer `checkpoint` caught, going on exactly where it was: the network built as
    /// a loaded one is (the backbone frozen, the last block unfrozen if it was), then given its
    /// weights, optimiser state, examples, step and batch order. Refused when the checkpoint is
    /// damaged or does not hold together. `device` must have autodiff enabled.
    pub fn resume(checkpoint: &OwnCheckpoint, device: Device) -> Result<Self, ResumeError> {
        let c = checkpoint;
        let mut names = OwnClasses::default();
        if !c.settings.is_valid()
            || !c.network.validate().is_empty()
            || c.network.classes != c.names.len()
            || names.set_names(&c.names).is_err()
        {
            return Err(ResumeError::BadSettings);
        }
        let unreadable = |message: &str| ResumeError::Unreadable {
            message: message.into(),
        };
        let count = c.labels.len();
        if c.pixels.len() != count * EXAMPLE_PIXELS
            || c.labels.iter().any(|&l| l as usize >= c.names.len())
        {
            return Err(unreadable("the examples do not fit their classes"));
        }
        let mut seen = vec![false; count];
        let permutation = c.order.len() == count
            && c.order.iter().all(|&i| {
                seen.get_mut(i as usize)
                    .is_some_and(|s| !std::mem::replace(s, true))
            });
        if !permutation {
            return Err(unreadable("the batch order is not one of these examples"));
        }
        if c.step > c.target {
            return Err(ResumeError::BadStep { step: c.step });
        }
        if c.unfreeze_at.is_none() && !c.unfrozen {
            return Err(unreadable("a loaded network's last block is frozen"));
        }
        let model = ResnetConfig::from_settings(&c.network)
            .init(&device)
            .freeze_backbone();
        let model = if c.unfrozen {
            unfreeze_last_block(model, block_count(&c.network))
        } else {
            model
        };
        let model = snapshot::load(model, &c.weights)?;
        let optimizer = Stepper::load(ADAM, &model, &c.optimizer, &device)?;
        let set = Images {
            rows: 28,
            cols: 28,
            pixels: c.pixels.clone(),
            labels: c.labels.clone(),
        };
        let mut trainer = Self::with_model(
            model,
            c.network.clone(),
            c.names.clone(),
            c.settings.clone(),
            c.unfreeze_at,
            set,
            device,
        );
        trainer.optimizer = optimizer;
        trainer.rng = Rng::at(order_seed(&c.settings), c.rng_draws);
        trainer.order = c.order.iter().map(|&i| i as usize).collect();
        trainer.step = c.step;
        trainer.target = c.target;
        trainer.unfrozen = c.unfrozen;
        trainer.record = ChunkRecord {
            elapsed_ms: c.elapsed_ms,
            last_batch_loss: c.last_batch_loss,
        };
        Ok(trainer)
    }

    /// Runs up to `max_steps` steps, stopping once `budget_ms` has passed or the steps asked for
    /// are done. Returns the number of steps run. A step whose loss is not a number (NaN or
    /// infinite) stops the run: see [`Self::diverged`].
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

    /// Returns to the last state known to be good (its weights, which of them train, optimiser
    /// state, batch order and step), so that training can go on from there. The steps asked
    /// for, the learning rate and the training time stay.
    pub fn roll_back(&mut self) {
        if let Some(good) = self.good.as_deref().cloned() {
            self.model = good.model;
            self.optimizer = good.optimizer;
            self.order = good.order;
            self.rng = good.rng;
            self.step = good.step;
            self.unfrozen = good.unfrozen;
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
            unfrozen: self.unfrozen,
            batch_loss: self.record.last_batch_loss,
        }
    }

    /// The last batch's loss.
    pub fn last_loss(&self) -> f32 {
        self.record.last_batch_loss
    }

    /// Accuracy on the examples it trains on (None before any).
    pub async fn accuracy(&self) -> Option<f32> {
        if self.set.is_empty() {
            return None;
        }
        let (_, accuracy, _) =
            evaluate(&self.model, &self.set, self.names.len(), None, &self.device).await;
        Some(accuracy)
    }

    /// The probability of each class for a 28 × 28 image (one byte a pixel, 0 = background).
    pub async fn predict(&self, image: &[u8]) -> Result<Vec<f32>, OwnProblem> {
        if image.len() != EXAMPLE_PIXELS {
            return Err(OwnProblem::WrongImageSize {
                actual: image.len(),
            });
        }
        let one = Images {
            rows: 28,
            cols: 28,
            pixels: image.to_vec(),
            labels: vec![0],
        };
        let (x, _) = batch(&one, [0], &self.device);
        let logits = self.model.valid().forward(x.without_autodiff());
        Ok(read_floats(activation::softmax(logits, 1)).await)
    }

    /// The card the network would be saved with now.
    pub async fn card(&self) -> OwnCard {
        let mut card = OwnCard::new(self.network.clone(), self.names.clone());
        card.examples = vec![0; self.names.len()];
        for &label in &self.set.labels {
            card.examples[label as usize] += 1;
        }
        card.steps = self.step;
        card.train_accuracy = self.accuracy().await;
        card.seed = self.settings.seed;
        card
    }

    /// The network as a model file, with its card.
    pub async fn export(&self) -> Result<(Vec<u8>, OwnCard), ModelFileError> {
        let card = self.card().await;
        let bytes = model_file::save(&self.model.valid(), card.clone(), Precision::F32).await?;
        Ok((bytes, card))
    }
}

/// The seed of the batch generator.
fn order_seed(settings: &OwnSettings) -> u64 {
    settings.seed.wrapping_add(1)
}

impl StepTrainer for OwnTrainer {
    fn step(&mut self) -> Option<Tensor<1>> {
        self.step_next()
    }

    fn record(&mut self) -> &mut ChunkRecord {
        &mut self.record
    }
}
