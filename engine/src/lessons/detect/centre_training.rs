//! Training the multi-digit detector (level two: two or three digits and clutter a canvas) on
//! freshly generated canvases, in time-boxed chunks with asynchronous reads only, and scoring it
//! by mAP@0.5 on generated test canvases of MNIST's test digits.
//!
//! The loss is CenterNet's: a focal loss on the heat map against the gaussian targets, and L1 on
//! the size (weight 0.1, in cells) and the offset (weight 1) at the digits' centre cells only,
//! each summed and divided by the number of digits in the batch.

use std::sync::Arc;

use burn::module::Module;
use burn::optim::GradientsParams;
use burn::tensor::activation::{log_sigmoid, sigmoid};
use burn::tensor::{Device, Tensor, TensorData};

use super::boxes::Detection;
use super::centre_model::{CentreDetector, CentreDetectorConfig};
use super::centres::{
    self, CELLS, CLASSES, FOCAL_ALPHA, FOCAL_BETA, GRID, OFFSET_WEIGHT, REGRESSION,
    SCORE_THRESHOLD, TOP_K,
};
pub use super::centres::{MAP_IOU, SIZE_WEIGHT};
use super::config::{DetectProblem, DetectSettings, StepLosses};
use super::data::{self, CANVAS, Level};
use super::map::{MapReport, Truth, mean_average_precision};
use super::resume::{DetectCheckpoint, ResumeError};
use super::schedule::{self, Divergence, Good, Held, Schedule, read_last};
use super::training::{EVAL_BATCH, TEST_SEED};
use crate::common::read::read_floats;
use crate::common::stepper::Stepper;
use crate::common::training::{ChunkRecord, StepTrainer, train_chunk};
use crate::datasets::mnist::{Images, normalise};
use crate::models::resnet::model::Resnet;

/// A batch of level-two canvases with their targets, on the device.
pub struct CentreBatch {
    /// [B, 1, 64, 64] normalised canvases.
    pub canvases: Tensor<4>,
    /// [B, 10, 16, 16] gaussian heat targets.
    pub heat: Tensor<4>,
    /// [B, 10, 16, 16] 1 at the digits' centre cells.
    pub peaks: Tensor<4>,
    /// [B, 4, 16, 16] size and offset targets.
    pub regression: Tensor<4>,
    /// [B, 4, 16, 16] 1 at the centre cells (all four channels).
    pub mask: Tensor<4>,
    /// Digits in the batch.
    pub objects: usize,
}

/// Level-two canvases `indices` of `seed` with their targets.
pub fn batch(
    digits: &Images,
    seed: u64,
    indices: impl IntoIterator<Item = u64>,
    device: &Device,
) -> CentreBatch {
    let (mut pixels, mut heat, mut peaks, mut regression, mut mask) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let (mut count, mut objects) = (0, 0);
    for index in indices {
        let canvas = data::canvas(digits, Level::Many, seed, index);
        pixels.extend(canvas.pixels.iter().map(|&p| normalise(p as f32 / 255.0)));
        let targets = centres::encode(&canvas.objects);
        peaks.extend(
            targets
                .heat
                .iter()
                .map(|&h| if h == 1.0 { 1.0f32 } else { 0.0 }),
        );
        heat.extend(targets.heat);
        regression.extend(targets.regression);
        for _ in 0..REGRESSION {
            mask.extend_from_slice(&targets.mask);
        }
        objects += canvas.objects.len();
        count += 1;
    }
    let grid = |values: Vec<f32>, channels: usize| {
        Tensor::from_data(
            TensorData::new(values, [count, channels, GRID, GRID]),
            device,
        )
    };
    CentreBatch {
        canvases: Tensor::from_data(TensorData::new(pixels, [count, 1, CANVAS, CANVAS]), device),
        heat: grid(heat, CLASSES),
        peaks: grid(peaks, CLASSES),
        regression: grid(regression, REGRESSION),
        mask: grid(mask, REGRESSION),
        objects,
    }
}

/// CenterNet's focal loss of heat logits against gaussian targets: at a centre cell
/// −(1 − p)² log p, elsewhere −(1 − y)⁴ p² log(1 − p) (a cell near a centre is punished less for
/// guessing one), summed and divided by the number of digits. [1].
pub fn focal_loss(
    logits: Tensor<4>,
    target: Tensor<4>,
    peaks: Tensor<4>,
    objects: usize,
) -> Tensor<1> {
    let p = sigmoid(logits.clone());
    let log_p = log_sigmoid(logits.clone());
    let log_not_p = log_sigmoid(logits.neg());
    let positive =
        (p.clone().neg().add_scalar(1.0).powf_scalar(FOCAL_ALPHA) * log_p) * peaks.clone();
    let negative = target.neg().add_scalar(1.0).powf_scalar(FOCAL_BETA)
        * p.powf_scalar(FOCAL_ALPHA)
        * log_not_p
        * peaks.neg().add_scalar(1.0);
    (positive + negative)
        .sum()
        .neg()
        .div_scalar(objects.max(1) as f32)
}

/// L1 of the size and the offset at the centre cells, each summed and divided by the number of
/// digits: ([1] size, [1] offset).
pub fn regression_losses(
    predicted: Tensor<4>,
    target: Tensor<4>,
    mask: Tensor<4>,
    objects: usize,
) -> (Tensor<1>, Tensor<1>) {
    let [batch, _, rows, cols] = predicted.dims();
    let error = (predicted - target).abs() * mask;
    let n = objects.max(1) as f32;
    let part = |channels: std::ops::Range<usize>| {
        error
            .clone()
            .slice([0..batch, channels, 0..rows, 0..cols])
            .sum()
            .div_scalar(n)
    };
    (part(0..2), part(2..4))
}

pub struct CentreRun {
    settings: DetectSettings,
    device: Device,
    model: CentreDetector,
    optimizer: Stepper,
    schedule: Schedule,
    train: Arc<Images>,
    test: Arc<Images>,
    record: ChunkRecord,
    /// [3] total, heat and box loss of the last step, not read yet.
    last: Option<Tensor<1>>,
    /// The last step's losses, as read.
    losses: Option<StepLosses>,
    divergence: Divergence<CentreDetector>,
}

impl CentreRun {
    /// A multi-digit detector on `backbone` (frozen; its output maps have `features` channels),
    /// trained on level-two canvases of `train`'s digits and scored on canvases of `test`'s.
    /// `settings.head` and `settings.box_weight` are the single-digit head's and unused here.
    /// `device` must have autodiff enabled.
    pub fn new(
        settings: DetectSettings,
        backbone: &Resnet,
        features: usize,
        train: impl Into<Arc<Images>>,
        test: impl Into<Arc<Images>>,
        device: Device,
    ) -> Result<Self, Vec<DetectProblem>> {
        let problems = settings.validate();
        if !problems.is_empty() {
            return Err(problems);
        }
        device.seed(settings.seed);
        let model =
            CentreDetectorConfig::new(features, settings.hidden).init(backbone.clone(), &device);
        schedule::draw_head(|blank| drop(model.forward(blank)), &device);
        Ok(Self::at(model, settings, 0, train, test, device))
    }

    /// A run that trains `model`, a multi-digit detector loaded from a file after `from` steps,
    /// for `settings.steps` more steps, as [`super::training::DetectRun::continued`] does (its
    /// head's width taken from `model_settings`, the loaded detector's card).
    pub fn continued(
        model: CentreDetector,
        model_settings: &DetectSettings,
        settings: DetectSettings,
        from: u64,
        train: impl Into<Arc<Images>>,
        test: impl Into<Arc<Images>>,
        device: Device,
    ) -> Result<Self, Vec<DetectProblem>> {
        let settings = DetectSettings {
            hidden: model_settings.hidden,
            ..settings
        };
        let problems = settings.validate();
        if !problems.is_empty() {
            return Err(problems);
        }
        let model = model.freeze_backbone();
        Ok(Self::at(model, settings, from, train, test, device))
    }

    fn at(
        model: CentreDetector,
        settings: DetectSettings,
        first: u64,
        train: impl Into<Arc<Images>>,
        test: impl Into<Arc<Images>>,
        device: Device,
    ) -> Self {
        Self {
            schedule: Schedule::new(&settings, first),
            optimizer: schedule::optimizer(),
            settings,
            device,
            model,
            train: train.into(),
            test: test.into(),
            record: ChunkRecord::default(),
            last: None,
            losses: None,
            divergence: Divergence::default(),
        }
    }

    /// The run's checkpoint (see [`super::resume`]) with `elapsed_ms` of training so far, read
    /// asynchronously (every backend).
    pub async fn checkpoint(&self, elapsed_ms: f64) -> Result<DetectCheckpoint, ResumeError> {
        let held = Held {
            level: Level::Many,
            settings: &self.settings,
            schedule: &self.schedule,
            model: &self.model,
            optimizer: &self.optimizer,
            losses: self.losses,
        };
        schedule::checkpoint(held, elapsed_ms).await
    }

    /// The run `checkpoint` was taken from, where it was, as
    /// [`super::training::DetectRun::resume`] resumes a single-digit run.
    pub fn resume(
        checkpoint: &DetectCheckpoint,
        backbone: &Resnet,
        features: usize,
        train: impl Into<Arc<Images>>,
        test: impl Into<Arc<Images>>,
        device: Device,
    ) -> Result<Self, ResumeError> {
        checkpoint.check(Level::Many)?;
        let settings = checkpoint.settings.clone();
        let fresh =
            CentreDetectorConfig::new(features, settings.hidden).init(backbone.clone(), &device);
        let (model, optimizer, schedule) = schedule::resume(
            checkpoint,
            fresh,
            CentreDetector::unfreeze_backbone,
            &device,
        )?;
        let mut run = Self::at(model, settings, checkpoint.first, train, test, device);
        run.optimizer = optimizer;
        run.schedule = schedule;
        run.losses = checkpoint.losses;
        Ok(run)
    }

    /// A run holding `model`, a multi-digit detector loaded from a file whose card says
    /// `settings` and `steps`: it scores, shows test canvases and reads drawings, and has no
    /// steps left.
    pub fn loaded(
        model: CentreDetector,
        settings: DetectSettings,
        steps: u64,
        train: impl Into<Arc<Images>>,
        test: impl Into<Arc<Images>>,
        device: Device,
    ) -> Self {
        let (settings, schedule) = Schedule::over(settings, steps);
        Self {
            schedule,
            optimizer: schedule::optimizer(),
            settings,
            device,
            model,
            train: train.into(),
            test: test.into(),
            record: ChunkRecord::default(),
            last: None,
            losses: None,
            divergence: Divergence::default(),
        }
    }

    pub fn settings(&self) -> &DetectSettings {
        &self.settings
    }

    pub fn model(&self) -> &CentreDetector {
        &self.model
    }

    /// Steps the detector has had, those of a loaded detector included.
    pub fn steps_done(&self) -> u64 {
        self.schedule.step
    }

    /// The step this run began at: 0, or a loaded detector's steps.
    pub fn first_step(&self) -> u64 {
        self.schedule.first
    }

    /// The step this run ends at.
    pub fn end_step(&self) -> u64 {
        self.schedule.end
    }

    /// The step from which the backbone trains too, counted as [`Self::steps_done`] is.
    pub fn unfreeze_step(&self) -> Option<u64> {
        self.schedule.unfreeze_at
    }

    pub fn is_finished(&self) -> bool {
        self.schedule.is_finished()
    }

    pub fn record(&self) -> ChunkRecord {
        self.record
    }

    fn step_next(&mut self) -> Option<Tensor<1>> {
        if self.is_finished() {
            return None;
        }
        if self.schedule.unfreezes_now() {
            self.model = self.model.clone().unfreeze_backbone();
        }
        let size = self.settings.batch as u64;
        let first = self.schedule.step * size;
        let b = batch(
            &self.train,
            self.settings.seed,
            first..first + size,
            &self.device,
        );
        let output = self.model.forward(b.canvases);
        let heat = focal_loss(output.heat, b.heat, b.peaks, b.objects);
        let (size_loss, offset_loss) =
            regression_losses(output.regression, b.regression, b.mask, b.objects);
        let place = size_loss.mul_scalar(SIZE_WEIGHT) + offset_loss.mul_scalar(OFFSET_WEIGHT);
        let total = heat.clone() + place.clone();
        let grads = GradientsParams::from_grads(total.backward(), &self.model);
        self.model = self
            .optimizer
            .step_grads_by(&self.schedule.rates, self.model.clone(), grads);
        self.schedule.step += 1;
        let total = total.without_autodiff();
        self.last = Some(Tensor::cat(
            vec![
                total.clone(),
                heat.without_autodiff(),
                place.without_autodiff(),
            ],
            0,
        ));
        Some(total)
    }

    // `class` in the losses is the heat map's focal loss, `boxes` the weighted size and offset
    // L1.
    schedule::chunks_and_divergence!(CentreDetector);

    /// The detections on test canvases `indices`.
    pub async fn predict(&self, indices: impl IntoIterator<Item = u64>) -> Vec<Vec<Detection>> {
        predict(&self.model, &self.test, indices, &self.device).await
    }

    /// mAP@0.5 on the first `count` test canvases.
    pub async fn evaluate(&self, count: usize) -> MapReport {
        evaluate(&self.model, &self.test, count, &self.device).await
    }
}

impl StepTrainer for CentreRun {
    fn step(&mut self) -> Option<Tensor<1>> {
        self.step_next()
    }

    fn record(&mut self) -> &mut ChunkRecord {
        &mut self.record
    }
}

/// The detections `model` makes on each of the canvases `x`.
async fn read_detections(model: &CentreDetector, x: Tensor<4>) -> Vec<Vec<Detection>> {
    let [count, ..] = x.dims();
    let output = model.forward(x.without_autodiff());
    let heat = read_floats(sigmoid(output.heat)).await;
    let regression = read_floats(output.regression).await;
    if heat.len() != count * CLASSES * CELLS || regression.len() != count * REGRESSION * CELLS {
        return vec![Vec::new(); count];
    }
    heat.chunks(CLASSES * CELLS)
        .zip(regression.chunks(REGRESSION * CELLS))
        .map(|(h, r)| centres::decode(h, r, SCORE_THRESHOLD, TOP_K))
        .collect()
}

/// `model`'s detections on level-two test canvases `indices` (of [`TEST_SEED`], digits of
/// `test`).
pub async fn predict(
    model: &CentreDetector,
    test: &Images,
    indices: impl IntoIterator<Item = u64>,
    device: &Device,
) -> Vec<Vec<Detection>> {
    let model = model.valid();
    let indices: Vec<u64> = indices.into_iter().collect();
    let mut found = Vec::with_capacity(indices.len());
    for chunk in indices.chunks(EVAL_BATCH) {
        let b = batch(test, TEST_SEED, chunk.iter().copied(), device);
        found.extend(read_detections(&model, b.canvases).await);
    }
    found
}

/// `model`'s detections on a drawn canvas: `pixels` row-major, 64 × 64, one byte a pixel (0 =
/// background). None for another number of pixels.
pub async fn detect_drawn(
    model: &CentreDetector,
    pixels: &[u8],
    device: &Device,
) -> Option<Vec<Detection>> {
    if pixels.len() != CANVAS * CANVAS {
        return None;
    }
    let values: Vec<f32> = pixels
        .iter()
        .map(|&p| normalise(p as f32 / 255.0))
        .collect();
    let x = Tensor::from_data(TensorData::new(values, [1, 1, CANVAS, CANVAS]), device);
    read_detections(&model.valid(), x).await.into_iter().next()
}

/// The true objects of level-two test canvas `index`.
pub fn test_truths(test: &Images, index: u64) -> Vec<Truth> {
    data::canvas(test, Level::Many, TEST_SEED, index)
        .objects
        .iter()
        .map(|o| Truth {
            class: o.class,
            bbox: o.bbox.encode(CANVAS),
        })
        .collect()
}

/// `model`'s mAP@0.5 on the first `count` level-two test canvases.
pub async fn evaluate(
    model: &CentreDetector,
    test: &Images,
    count: usize,
    device: &Device,
) -> MapReport {
    let detections = predict(model, test, 0..count as u64, device).await;
    let truths: Vec<Vec<Truth>> = (0..count as u64).map(|i| test_truths(test, i)).collect();
    mean_average_precision(&detections, &truths, CLASSES, MAP_IOU)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::backend;
    use crate::common::model_file::with_weights as fixed;
    use crate::lessons::detect::model::parameter_counts;
    use crate::lessons::detect::test_runs::{digits, first_weights, unfreezing_at_3};
    use crate::models::resnet::ResnetSettings;
    use crate::models::resnet::model::ResnetConfig;
    use std::sync::OnceLock;

    fn fresh(settings: &DetectSettings) -> CentreRun {
        let device = backend::cpu();
        let network = ResnetSettings::default();
        let backbone = ResnetConfig::from_settings(&network).init(&device);
        let model = CentreDetectorConfig::new(network.feature_channels(), settings.hidden)
            .init(backbone, &device);
        static FIRST: OnceLock<Vec<f32>> = OnceLock::new();
        let model = first_weights(model, &FIRST);
        let images = Arc::new(digits());
        CentreRun::at(model, settings.clone(), 0, images.clone(), images, device)
    }

    fn chunk(run: &mut CentreRun) -> (u64, Option<StepLosses>) {
        pollster::block_on(run.train_chunk(2, f64::INFINITY))
    }

    /// Level two as level one (see `training.rs`): weights that are not numbers stop the run,
    /// which rolls back to step 2, before the backbone unfroze, and trains on as a fresh run does.
    #[test]
    fn a_loss_that_stops_being_a_number_stops_the_run_and_a_roll_back_returns_to_a_good_step() {
        let settings = unfreezing_at_3();
        let mut run = fresh(&settings);
        for _ in 0..2 {
            let losses = chunk(&mut run).1.unwrap();
            assert!(losses.total.is_finite(), "{losses:?}");
        }
        assert_eq!((run.diverged(), run.good_step()), (None, 2));
        let frozen_counts = parameter_counts(&fresh(&settings).model);
        run.model = fixed(run.model.clone(), |_| f32::NAN);
        chunk(&mut run);
        assert_eq!((run.diverged(), run.good_step()), (Some(6), 2));
        assert_eq!(chunk(&mut run), (0, None), "no more steps");

        run.roll_back();
        assert_eq!((run.steps_done(), run.diverged()), (2, None));
        let mut again = fresh(&settings);
        chunk(&mut again);
        assert_eq!(parameter_counts(&run.model), frozen_counts, "frozen again");
        let checkpoint = |r: &CentreRun| pollster::block_on(r.checkpoint(0.0)).unwrap();
        assert_eq!(checkpoint(&run), checkpoint(&again));
        for _ in 0..2 {
            assert_eq!(chunk(&mut run), chunk(&mut again));
        }
        assert_ne!(
            parameter_counts(&run.model),
            frozen_counts,
            "unfrozen at 3 again"
        );
    }
}
