//! The detection project's messages between the page and the worker (`ToWorker::Detect` and
//! `FromWorker::Detect`). Plain serde data.

use serde::{Deserialize, Serialize};

use super::boxes::Detection;
use super::card::DetectCard;
use super::config::{DetectEvaluation, DetectProblem, DetectSettings, Prediction, StepLosses};
use super::data::Object;
use super::map::MapReport;
use super::resume::{DetectCheckpoint, ResumeError};
use crate::common::model_card::ModelFileError;
use crate::datasets::mnist::DataLoadError;
use crate::models::resnet::ResnetSettings;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum DetectCommand {
    /// Fetch the shipped backbone and MNIST, unless they are loaded.
    Prepare,
    /// Start training a detector from the start (preparing first if needed).
    Run {
        settings: DetectSettings,
    },
    /// Start training the multi-digit (level two) detector from the start: the CenterNet-style
    /// head, with the same steps, batch, rates, unfreezing and seed (the head kind and the box
    /// weight are the single-digit head's). `Show` and `Detect` then answer for it.
    RunMany {
        settings: DetectSettings,
    },
    /// Train the detector the worker holds (one loaded from a file, or one trained further
    /// from it) for `settings.steps` more steps, from its own weights and steps: a fine-tune with
    /// these steps, batch, rates, unfreezing (counted from its steps) and seed; its head keeps its
    /// shape. Answered by `Continued`, or `Refused`.
    Continue {
        settings: DetectSettings,
    },
    Play,
    Pause,
    /// Back to the last step known to be good, after `Diverged`; stays paused: answered by
    /// `RolledBack` and that step's checkpoint.
    RollBack,
    /// Go on from this checkpoint of a run (after the worker stopped), paused: answered by
    /// `Resumed`, or `ResumeFailed`.
    Resume {
        checkpoint: Box<DetectCheckpoint>,
    },
    /// Test canvases `first..first + count` with the true and the predicted boxes.
    Show {
        first: u64,
        count: usize,
    },
    /// A drawn 64 × 64 canvas (row-major, one byte a pixel, 0 = background) through the detector.
    /// `id` comes back with the answer, so that an answer to an older drawing is not shown.
    Detect {
        id: u64,
        #[serde(with = "serde_bytes")]
        pixels: Vec<u8>,
    },
    /// Replace the detector with the shipped one (`static/models/mnist-detector`).
    UseShipped,
    /// The detector as a model file with its card.
    Export,
    /// Replace the detector with the one in this model file; a file that is refused changes
    /// nothing.
    Import {
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
}

/// One test canvas, its digit and what the detector says.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ShownCanvas {
    pub index: u64,
    #[serde(with = "serde_bytes")]
    pub pixels: Vec<u8>,
    pub truth: Object,
    pub predicted: Prediction,
    /// The IoU of the predicted box with the true one.
    pub iou: f32,
    /// Where the spatial head looked: its weights over the backbone's map positions, row-major
    /// (empty for the pooled head).
    pub heat: Vec<f32>,
}

/// One level-two test canvas, its digits and what the multi-digit detector finds.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct ShownMany {
    pub index: u64,
    #[serde(with = "serde_bytes")]
    pub pixels: Vec<u8>,
    pub truths: Vec<Object>,
    pub detections: Vec<Detection>,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum DetectEvent {
    /// Bytes of the backbone and the data received so far.
    Progress {
        loaded: u64,
        total: u64,
    },
    Ready {
        backbone_parameters: u64,
        /// The backbone's shape (from its card), for the layer shapes the page shows.
        backbone: ResnetSettings,
        train_digits: usize,
        test_digits: usize,
    },
    /// The backbone could not be loaded, or a drawing was refused.
    Failed {
        message: String,
    },
    /// MNIST could not be loaded.
    DataFailed {
        error: DataLoadError,
    },
    /// The settings cannot be trained.
    Refused {
        problems: Vec<DetectProblem>,
    },
    /// A run began: the parameters that train and those frozen.
    Started {
        trained: u64,
        frozen: u64,
    },
    /// A run training the held detector further began: at step `from` of `steps`, the
    /// parameters that train and those frozen.
    Continued {
        from: u64,
        steps: u64,
        trained: u64,
        frozen: u64,
    },
    /// After a chunk of steps: the last batch's losses.
    Trained {
        step: u64,
        steps: u64,
        losses: StepLosses,
        steps_per_second: f64,
    },
    /// The backbone's convolutions train from `step` on: the parameters that train and those
    /// still frozen.
    Unfrozen {
        step: u64,
        trained: u64,
        frozen: u64,
    },
    /// A score on the test canvases, during or after the run.
    Evaluated {
        step: u64,
        evaluation: DetectEvaluation,
    },
    /// The multi-digit detector's mAP@0.5 on a few test canvases during its run (the report's
    /// curve summarised: its points at `map::READ_OUT_SCORES`).
    ManyEvaluated {
        step: u64,
        report: MapReport,
    },
    /// The multi-digit run is over: its mAP@0.5 on the test canvases (summarised as above).
    ManyFinished {
        report: MapReport,
        elapsed_ms: f64,
    },
    /// Level-two test canvases with their true boxes and the detections.
    ShownMany {
        canvases: Vec<ShownMany>,
    },
    /// The multi-digit detector's boxes on the drawn canvas.
    DetectedMany {
        id: u64,
        detections: Vec<Detection>,
    },
    Paused,
    Finished {
        evaluation: DetectEvaluation,
        elapsed_ms: f64,
    },
    Shown {
        canvases: Vec<ShownCanvas>,
    },
    /// The drawn canvas's class and box, and where the head looked (as in [`ShownCanvas`]).
    Detected {
        id: u64,
        prediction: Prediction,
        heat: Vec<f32>,
    },
    /// The detector now is the one of this card (`shipped`: the site's own), with the
    /// parameters that would train and those frozen.
    ModelLoaded {
        card: Box<DetectCard>,
        shipped: bool,
        trained: u64,
        frozen: u64,
    },
    /// A model file was refused; the detector is unchanged.
    FileRefused {
        error: ModelFileError,
    },
    /// The shipped detector could not be fetched; the detector is unchanged.
    ShippedUnavailable {
        message: String,
    },
    Exported {
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
        card: Box<DetectCard>,
    },
    /// The run's latest checkpoint, for the page to keep.
    Checkpoint {
        checkpoint: Box<DetectCheckpoint>,
    },
    /// A loss stopped being a number at `step`; the run is paused and can go back to
    /// `good_step`.
    Diverged {
        step: u64,
        good_step: u64,
    },
    /// The run went back to `step` after `Diverged`, paused, with `trained` parameters that
    /// train and `frozen` frozen (the backbone frozen again if it unfroze after that step).
    RolledBack {
        step: u64,
        trained: u64,
        frozen: u64,
    },
    /// This run's checkpoints cannot be taken.
    NoCheckpoint {
        error: ResumeError,
    },
    /// The run goes on from the checkpoint it was sent, paused at `step` of `steps`, with the
    /// parameters that train and those frozen.
    Resumed {
        step: u64,
        steps: u64,
        trained: u64,
        frozen: u64,
    },
    /// The checkpoint could not be resumed from.
    ResumeFailed {
        error: ResumeError,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::detect::boxes::{PixelBox, RelBox};

    #[test]
    fn messages_cross_as_postcard_bytes_unchanged() {
        let commands = [
            DetectCommand::Prepare,
            DetectCommand::Run {
                settings: DetectSettings::default(),
            },
            DetectCommand::RunMany {
                settings: DetectSettings::default(),
            },
            DetectCommand::Show { first: 3, count: 8 },
            DetectCommand::Detect {
                id: 4,
                pixels: vec![0, 255, 17],
            },
            DetectCommand::Continue {
                settings: DetectSettings::default(),
            },
            DetectCommand::UseShipped,
            DetectCommand::Export,
            DetectCommand::Resume {
                checkpoint: Box::new(DetectCheckpoint {
                    level: crate::lessons::detect::data::Level::Many,
                    settings: DetectSettings::default(),
                    first: 4,
                    step: 9,
                    elapsed_ms: 1.5,
                    losses: None,
                    model: vec![1, 2],
                    optimizer: vec![3],
                }),
            },
            DetectCommand::Import {
                bytes: vec![1, 2, 3],
            },
        ];
        for command in commands {
            let bytes = postcard::to_allocvec(&command).unwrap();
            assert_eq!(
                postcard::from_bytes::<DetectCommand>(&bytes).unwrap(),
                command
            );
        }
        let predicted = Prediction {
            class: 7,
            bbox: RelBox::from_array([0.5, 0.25, 0.5, 0.25]),
            confidence: 0.9,
        };
        let events = [
            DetectEvent::Refused {
                problems: vec![DetectProblem::Steps],
            },
            DetectEvent::Shown {
                canvases: vec![ShownCanvas {
                    index: 4,
                    pixels: vec![1, 2, 3],
                    truth: Object {
                        class: 7,
                        bbox: PixelBox {
                            left: 16,
                            top: 8,
                            right: 48,
                            bottom: 24,
                        },
                    },
                    predicted,
                    iou: 1.0,
                    heat: vec![0.25; 4],
                }],
            },
            DetectEvent::Detected {
                id: 4,
                prediction: predicted,
                heat: Vec::new(),
            },
            DetectEvent::ModelLoaded {
                card: Box::new(DetectCard::new(
                    DetectSettings::default(),
                    ResnetSettings::default(),
                    3,
                )),
                shipped: true,
                trained: 5,
                frozen: 6,
            },
            DetectEvent::FileRefused {
                error: ModelFileError::ChecksumMismatch,
            },
            DetectEvent::Continued {
                from: 600,
                steps: 700,
                trained: 5,
                frozen: 6,
            },
            DetectEvent::ManyFinished {
                report: MapReport {
                    map: 0.5,
                    per_class: vec![Some(0.5), None],
                    truths: 3,
                    detections: 4,
                    curve: vec![crate::lessons::detect::map::PrPoint {
                        score: 0.9,
                        recall: 0.25,
                        precision: 1.0,
                    }],
                },
                elapsed_ms: 12.0,
            },
            DetectEvent::ShownMany {
                canvases: vec![ShownMany {
                    index: 2,
                    pixels: vec![4, 5],
                    truths: vec![Object {
                        class: 1,
                        bbox: PixelBox {
                            left: 1,
                            top: 2,
                            right: 3,
                            bottom: 4,
                        },
                    }],
                    detections: vec![Detection {
                        bbox: RelBox::from_array([0.1, 0.2, 0.3, 0.4]),
                        class: 1,
                        score: 0.75,
                    }],
                }],
            },
            DetectEvent::DetectedMany {
                id: 5,
                detections: Vec::new(),
            },
            DetectEvent::Resumed {
                step: 9,
                steps: 20,
                trained: 5,
                frozen: 6,
            },
            DetectEvent::ResumeFailed {
                error: ResumeError::BadStep { step: 9 },
            },
        ];
        for event in events {
            let bytes = postcard::to_allocvec(&event).unwrap();
            assert_eq!(postcard::from_bytes::<DetectEvent>(&bytes).unwrap(), event);
        }
    }
}
