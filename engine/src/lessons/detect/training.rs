//! Training the detector on freshly generated canvases (every step draws new ones from the
//! seed), in time-boxed chunks with asynchronous reads only, and scoring it on generated test
//! canvases made from MNIST's test digits.

use std::sync::Arc;

use burn::module::Module;
use burn::nn::loss::{CrossEntropyLoss, CrossEntropyLossConfig};
use burn::optim::GradientsParams;
use burn::tensor::activation::softmax;
use burn::tensor::{Device, Tensor, TensorData};

use super::boxes::{RelBox, iou};
use super::config::{DetectEvaluation, DetectProblem, DetectSettings, Prediction, StepLosses};
use super::data::{self, CANVAS, Level};
use super::loss::{iou_loss, smooth_l1_loss};
use super::model::{Detector, DetectorConfig};
use super::resume::{DetectCheckpoint, ResumeError};
use super::schedule::{self, Divergence, Good, Held, Schedule, read_last};
use crate::common::read::read_floats;
use crate::common::stepper::Stepper;
use crate::common::training::{ChunkRecord, StepTrainer, train_chunk};
use crate::datasets::mnist::{Images, normalise};
use crate::models::resnet::model::Resnet;

/// The seed of the test canvases: the same for every run, so scores compare.
pub const TEST_SEED: u64 = 0x7E57;
/// Canvases per evaluation batch.
pub const EVAL_BATCH: usize = 250;
/// Smooth L1's β, in shares of the canvas (about 3 pixels).
pub const BETA: f32 = 0.05;

pub struct DetectRun {
    settings: DetectSettings,
    device: Device,
    model: Detector,
    optimizer: Stepper,
    schedule: Schedule,
    train: Arc<Images>,
    test: Arc<Images>,
    loss: CrossEntropyLoss,
    record: ChunkRecord,
    /// [3] total, class and box loss of the last step, not read yet.
    last: Option<Tensor<1>>,
    /// The last step's losses, as read.
    losses: Option<StepLosses>,
    divergence: Divergence<Detector>,
}

impl DetectRun {
    /// A detector on `backbone` (frozen; its output maps have `features` channels) for the ten
    /// digits, trained on canvases of `train`'s digits and scored on canvases of `test`'s.
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
            DetectorConfig::from_settings(&settings, features, 10).init(backbone.clone(), &device);
        schedule::draw_head(|blank| drop(model.forward(blank)), &device);
        Ok(Self::at(model, settings, 0, train, test, device))
    }

    /// A run that trains `model`, a detector loaded from a file after `from` steps, for
    /// `settings.steps` more steps (a fine-tune with a fresh optimiser; its canvases follow on
    /// from step `from` of `settings.seed`, and `settings.unfreeze_at` counts from `from`). The
    /// head keeps the loaded one's shape: `settings.head` and `settings.hidden` are taken from
    /// `model_settings`, the loaded detector's card. The backbone starts frozen.
    pub fn continued(
        model: Detector,
        model_settings: &DetectSettings,
        settings: DetectSettings,
        from: u64,
        train: impl Into<Arc<Images>>,
        test: impl Into<Arc<Images>>,
        device: Device,
    ) -> Result<Self, Vec<DetectProblem>> {
        let settings = DetectSettings {
            head: model_settings.head,
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
        model: Detector,
        settings: DetectSettings,
        first: u64,
        train: impl Into<Arc<Images>>,
        test: impl Into<Arc<Images>>,
        device: Device,
    ) -> Self {
        Self {
            schedule: Schedule::new(&settings, first),
            loss: CrossEntropyLossConfig::new().init(&device),
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
            level: Level::One,
            settings: &self.settings,
            schedule: &self.schedule,
            model: &self.model,
            optimizer: &self.optimizer,
            losses: self.losses,
        };
        schedule::checkpoint(held, elapsed_ms).await
    }

    /// The run `checkpoint` was taken from, where it was: the same weights, optimiser state and
    /// step (and the backbone unfrozen if it was), on `backbone`'s shape, so that the next step
    /// is the one the first run would have taken. `device` must have autodiff enabled.
    pub fn resume(
        checkpoint: &DetectCheckpoint,
        backbone: &Resnet,
        features: usize,
        train: impl Into<Arc<Images>>,
        test: impl Into<Arc<Images>>,
        device: Device,
    ) -> Result<Self, ResumeError> {
        checkpoint.check(Level::One)?;
        let settings = checkpoint.settings.clone();
        let fresh =
            DetectorConfig::from_settings(&settings, features, 10).init(backbone.clone(), &device);
        let (model, optimizer, schedule) =
            schedule::resume(checkpoint, fresh, Detector::unfreeze_backbone, &device)?;
        let mut run = Self::at(model, settings, checkpoint.first, train, test, device);
        run.optimizer = optimizer;
        run.schedule = schedule;
        run.losses = checkpoint.losses;
        Ok(run)
    }

    /// A run holding `model`, a detector loaded from a file whose card says `settings` and
    /// `steps`: it scores, shows test canvases and reads drawings, and has no steps left.
    pub fn loaded(
        model: Detector,
        settings: DetectSettings,
        steps: u64,
        train: impl Into<Arc<Images>>,
        test: impl Into<Arc<Images>>,
        device: Device,
    ) -> Self {
        let (settings, schedule) = Schedule::over(settings, steps);
        Self {
            schedule,
            loss: CrossEntropyLossConfig::new().init(&device),
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

    pub fn model(&self) -> &Detector {
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
        let batch = self.settings.batch as u64;
        let first = self.schedule.step * batch;
        let (x, classes, boxes) = data::batch(
            &self.train,
            self.settings.seed,
            first..first + batch,
            &self.device,
        );
        let output = self.model.forward(x);
        let class = self.loss.forward(output.logits, classes);
        let place = smooth_l1_loss(output.boxes.clone(), boxes.clone(), BETA)
            + iou_loss(output.boxes, boxes);
        let total = class.clone() + place.clone().mul_scalar(self.settings.box_weight);
        let grads = GradientsParams::from_grads(total.backward(), &self.model);
        self.model = self
            .optimizer
            .step_grads_by(&self.schedule.rates, self.model.clone(), grads);
        self.schedule.step += 1;
        let total = total.without_autodiff();
        self.last = Some(Tensor::cat(
            vec![
                total.clone(),
                class.without_autodiff(),
                place.without_autodiff(),
            ],
            0,
        ));
        Some(total)
    }

    schedule::chunks_and_divergence!(Detector);

    /// The detector's class and box for test canvases `indices`.
    pub async fn predict(&self, indices: impl IntoIterator<Item = u64>) -> Vec<Prediction> {
        predict(&self.model, &self.test, indices, &self.device).await
    }

    /// [`Self::predict`] with where the head looked on each canvas.
    pub async fn predict_looking(&self, indices: impl IntoIterator<Item = u64>) -> Vec<Look> {
        predict_looking(&self.model, &self.test, indices, &self.device).await
    }

    /// Mean IoU, class accuracy and hits on the first `count` test canvases.
    pub async fn evaluate(&self, count: usize) -> DetectEvaluation {
        evaluate(&self.model, &self.test, count, &self.device).await
    }
}

impl StepTrainer for DetectRun {
    fn step(&mut self) -> Option<Tensor<1>> {
        self.step_next()
    }

    fn record(&mut self) -> &mut ChunkRecord {
        &mut self.record
    }
}

/// A prediction and where the spatial head looked: its softmax weights over the backbone's map
/// positions, row-major, summing to 1 (empty for the pooled head, which looks everywhere alike).
pub type Look = (Prediction, Vec<f32>);

/// `model`'s class and box for test canvases `indices` (of [`TEST_SEED`], digits of `test`).
pub async fn predict(
    model: &Detector,
    test: &Images,
    indices: impl IntoIterator<Item = u64>,
    device: &Device,
) -> Vec<Prediction> {
    let looks = predict_with(model, test, indices, device, false).await;
    looks
        .into_iter()
        .map(|(prediction, _)| prediction)
        .collect()
}

/// [`predict`] with where the head looked on each canvas.
pub async fn predict_looking(
    model: &Detector,
    test: &Images,
    indices: impl IntoIterator<Item = u64>,
    device: &Device,
) -> Vec<Look> {
    predict_with(model, test, indices, device, true).await
}

async fn predict_with(
    model: &Detector,
    test: &Images,
    indices: impl IntoIterator<Item = u64>,
    device: &Device,
    heat: bool,
) -> Vec<Look> {
    let model = model.valid();
    let indices: Vec<u64> = indices.into_iter().collect();
    let mut looks = Vec::with_capacity(indices.len());
    for chunk in indices.chunks(EVAL_BATCH) {
        let (x, _, _) = data::batch(test, TEST_SEED, chunk.iter().copied(), device);
        looks.extend(read_looks(&model, x, heat).await);
    }
    looks
}

/// `model`'s class and box for a drawn canvas: `pixels` row-major, 64 × 64, one byte a pixel (0 =
/// background, as MNIST). None for another number of pixels.
pub async fn detect_drawn(model: &Detector, pixels: &[u8], device: &Device) -> Option<Prediction> {
    let look = drawn_with(model, pixels, device, false).await?;
    Some(look.0)
}

/// [`detect_drawn`] with where the head looked.
pub async fn detect_drawn_looking(
    model: &Detector,
    pixels: &[u8],
    device: &Device,
) -> Option<Look> {
    drawn_with(model, pixels, device, true).await
}

async fn drawn_with(model: &Detector, pixels: &[u8], device: &Device, heat: bool) -> Option<Look> {
    if pixels.len() != CANVAS * CANVAS {
        return None;
    }
    let values: Vec<f32> = pixels
        .iter()
        .map(|&p| normalise(p as f32 / 255.0))
        .collect();
    let x = Tensor::from_data(TensorData::new(values, [1, 1, CANVAS, CANVAS]), device);
    read_looks(&model.valid(), x, heat).await.into_iter().next()
}

/// The class (the most probable) and box `model` gives each of the canvases `x`, and where it
/// looked when `heat` asks for it (read only then).
async fn read_looks(model: &Detector, x: Tensor<4>, heat: bool) -> Vec<Look> {
    let [count, ..] = x.dims();
    let output = model.forward(x.without_autodiff());
    let probabilities = read_floats(softmax(output.logits, 1)).await;
    let boxes = read_floats(output.boxes).await;
    let weights = match (heat, output.heat) {
        (true, Some(weights)) => read_floats(weights).await,
        _ => Vec::new(),
    };
    let classes = probabilities.len() / count.max(1);
    let positions = weights.len() / count.max(1);
    probabilities
        .chunks(classes.max(1))
        .zip(boxes.chunks(4))
        .enumerate()
        .map(|(i, (row, place))| {
            let (class, confidence) =
                row.iter()
                    .copied()
                    .enumerate()
                    .fold(
                        (0, f32::MIN),
                        |best, (i, p)| if p > best.1 { (i, p) } else { best },
                    );
            let prediction = Prediction {
                class: class as u8,
                bbox: RelBox::from_array([place[0], place[1], place[2], place[3]]),
                confidence,
            };
            let looked = weights
                .get(i * positions..(i + 1) * positions)
                .unwrap_or_default()
                .to_vec();
            (prediction, looked)
        })
        .collect()
}

/// `model` on the first `count` test canvases.
pub async fn evaluate(
    model: &Detector,
    test: &Images,
    count: usize,
    device: &Device,
) -> DetectEvaluation {
    let predictions = predict(model, test, 0..count as u64, device).await;
    let (mut iou_sum, mut correct, mut hits) = (0.0f64, 0usize, 0usize);
    for (index, prediction) in predictions.iter().enumerate() {
        let truth = data::canvas(test, Level::One, TEST_SEED, index as u64).objects[0];
        let overlap = iou(&prediction.bbox, &truth.bbox.encode(CANVAS));
        let right = prediction.class == truth.class;
        iou_sum += overlap as f64;
        correct += usize::from(right);
        hits += usize::from(right && overlap >= 0.5);
    }
    let n = predictions.len().max(1) as f64;
    DetectEvaluation {
        count: predictions.len(),
        mean_iou: (iou_sum / n) as f32,
        class_accuracy: (correct as f64 / n) as f32,
        hits: (hits as f64 / n) as f32,
    }
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

    fn fresh(settings: &DetectSettings) -> DetectRun {
        let device = backend::cpu();
        let network = ResnetSettings::default();
        let backbone = ResnetConfig::from_settings(&network).init(&device);
        let config = DetectorConfig::from_settings(settings, network.feature_channels(), 10);
        let model = config.init(backbone, &device);
        static FIRST: OnceLock<Vec<f32>> = OnceLock::new();
        let model = first_weights(model, &FIRST);
        let images = Arc::new(digits());
        DetectRun::at(model, settings.clone(), 0, images.clone(), images, device)
    }

    fn chunk(run: &mut DetectRun) -> (u64, Option<StepLosses>) {
        pollster::block_on(run.train_chunk(2, f64::INFINITY))
    }

    /// Adam's steps are bounded by the learning rate (at most 1 here), so within the lesson's
    /// settings the losses grow but stay numbers (tried natively: a rate of 1, a box weight of
    /// 100, the backbone unfrozen from step 0, 1500 steps, both levels); weights that are not
    /// numbers, as a damaged detector would bring, make them NaN. The run stops there, trains no
    /// further, and rolls back to the start of its last chunk whose losses were numbers (step 2,
    /// before the backbone unfroze at 3): the run a fresh one is at that step, frozen again, and it
    /// unfreezes and trains on exactly as the fresh one does.
    #[test]
    fn a_loss_that_stops_being_a_number_stops_the_run_and_a_roll_back_returns_to_a_good_step() {
        let settings = unfreezing_at_3();
        let mut run = fresh(&settings);
        assert_eq!((run.diverged(), run.good_step()), (None, 0));
        for _ in 0..2 {
            let losses = chunk(&mut run).1.unwrap();
            assert!(losses.total.is_finite(), "{losses:?}");
        }
        assert_eq!(
            (run.steps_done(), run.diverged(), run.good_step()),
            (4, None, 2)
        );
        let frozen_counts = parameter_counts(&fresh(&settings).model);
        assert_ne!(parameter_counts(&run.model), frozen_counts, "unfrozen at 3");
        run.model = fixed(run.model.clone(), |_| f32::NAN);
        let (done, losses) = chunk(&mut run);
        assert_eq!(done, 2);
        assert!(losses.unwrap().total.is_nan());
        assert_eq!((run.diverged(), run.good_step()), (Some(6), 2));
        assert_eq!(chunk(&mut run), (0, None), "no more steps");
        assert_eq!(run.steps_done(), 6);

        run.roll_back();
        assert_eq!((run.steps_done(), run.diverged()), (2, None));
        let mut again = fresh(&settings);
        chunk(&mut again);
        assert_eq!(parameter_counts(&run.model), frozen_counts, "frozen again");
        let checkpoint = |r: &DetectRun| pollster::block_on(r.checkpoint(0.0)).unwrap();
        assert_eq!(checkpoint(&run), checkpoint(&again));
        for _ in 0..2 {
            let (a, b) = (chunk(&mut run), chunk(&mut again));
            assert_eq!(a, b);
            assert!(a.1.unwrap().total.is_finite());
        }
        assert_eq!(parameter_counts(&run.model), parameter_counts(&again.model));
        assert_ne!(
            parameter_counts(&run.model),
            frozen_counts,
            "unfrozen at 3 again"
        );
    }
}
