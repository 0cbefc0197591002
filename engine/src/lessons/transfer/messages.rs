//! The transfer lesson's messages between the page and the worker (inside
//! `ToWorker::Transfer` and `FromWorker::Transfer`). Plain serde data.

use serde::{Deserialize, Serialize};

use super::config::{
    Arm, ArmPoint, ArmResult, FeatureMap2d, Filters, LayerPlan, Target, TransferProblem,
    TransferSettings, WorkedExample,
};
use super::own::{OwnProblem, UploadProblem};
use super::own_card::{OwnCard, OwnSettings};
use super::own_resume::OwnCheckpoint;
use super::resume::{ResumeError, TransferCheckpoint};
use crate::common::model_card::ModelFileError;
use crate::datasets::mnist::DataLoadError;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum TransferCommand {
    /// Fetch the shipped backbone and the target's data, unless they are loaded.
    Prepare {
        target: Target,
    },
    /// Start an experiment: the four arms from the start (preparing first if needed).
    Run {
        settings: TransferSettings,
    },
    Play,
    Pause,
    /// Back to the experiment's last state known to be good, after `Diverged`; stays paused.
    RollBack,
    /// Go on from this checkpoint (after the last worker stopped), paused, preparing first if
    /// needed. The answer (`Resumed`, `ResumeFailed`) carries `id`, so the page can tell a stale
    /// one.
    Resume {
        id: u64,
        checkpoint: Box<TransferCheckpoint>,
    },
    /// One test image through one arm's network, by the numbers.
    Work {
        arm: Arm,
        test_index: usize,
    },
    /// The backbone's features in two dimensions and the first layer's kernels, before
    /// (the shipped backbone) and after (the everything arm's network) fine-tuning.
    Inside,
    /// Own classes: their names (2–5). Each keeps the examples at its place; a network trained
    /// for another number of classes is dropped.
    OwnNames {
        names: Vec<String>,
    },
    /// A 28 × 28 example (one byte a pixel, 0 = background), prepared as drawn digits are.
    OwnAdd {
        class: usize,
        #[serde(with = "serde_bytes")]
        image: Vec<u8>,
    },
    /// An uploaded file's bytes, made into an example in the worker.
    OwnUpload {
        class: usize,
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    OwnRemove {
        class: usize,
        index: usize,
    },
    /// Train `settings.steps` steps on the examples: a new network from the shipped backbone,
    /// or the one trained or loaded before when its classes are still the same number.
    OwnTrain {
        settings: OwnSettings,
    },
    /// The softmax of the own network for a 28 × 28 drawing; `id` comes back with the answer.
    OwnPredict {
        id: u64,
        #[serde(with = "serde_bytes")]
        image: Vec<u8>,
    },
    /// Save the own network as a model file with its card.
    OwnExport,
    /// Load an own network's model file: its class names replace the classes (without
    /// examples); add examples to train it further.
    OwnImport {
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
    },
    /// Go on training the own network from this checkpoint (after the last worker stopped),
    /// sent after the classes and their examples. The answer (`OwnResumed`, `OwnResumeFailed`)
    /// carries `id`.
    OwnResume {
        id: u64,
        checkpoint: Box<OwnCheckpoint>,
    },
    /// Back to the own network's last step known to be good, after `OwnDiverged`; stays
    /// stopped.
    OwnRollBack,
}

/// What the shipped backbone is.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct BackboneInfo {
    /// The digits it was trained on.
    pub classes: Vec<u8>,
    pub parameters: u64,
    pub test_accuracy: Option<f32>,
    /// Steps it was trained for.
    pub steps: u64,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum TransferEvent {
    /// Bytes of the backbone and the data received so far.
    Progress {
        loaded: u64,
        total: u64,
    },
    Ready {
        target: Target,
        backbone: BackboneInfo,
        train: usize,
        test: usize,
    },
    /// The backbone could not be loaded.
    Failed {
        message: String,
    },
    /// The target's images could not be loaded.
    DataFailed {
        error: DataLoadError,
    },
    /// An experiment started: each arm's layers and the labelled examples it trains on.
    Started {
        settings: TransferSettings,
        plans: Vec<(Arm, Vec<LayerPlan>)>,
        labelled: usize,
        test: usize,
    },
    Rejected {
        problems: Vec<TransferProblem>,
    },
    Running {
        running: bool,
    },
    /// A live point on one arm's curve (on the first test images).
    Point {
        point: ArmPoint,
    },
    /// The experiment's latest checkpoint: every few seconds of training, and whenever training
    /// stops.
    Checkpoint {
        checkpoint: Box<TransferCheckpoint>,
    },
    /// This experiment's checkpoints cannot be taken (said once a run).
    NoCheckpoint {
        error: ResumeError,
    },
    /// The experiment of the checkpoint sent with `Resume { id, .. }` goes on from its `step`
    /// ([`TransferCheckpoint::step`]), paused: each arm's layers and the labelled examples, as
    /// `Started` says.
    Resumed {
        id: u64,
        step: u64,
        settings: TransferSettings,
        plans: Vec<(Arm, Vec<LayerPlan>)>,
        labelled: usize,
        test: usize,
    },
    /// The checkpoint sent with `Resume { id, .. }` could not be resumed; nothing was started.
    ResumeFailed {
        id: u64,
        error: ResumeError,
    },
    /// The loss of `arms` stopped being a number at `step` (the step of the arm furthest
    /// behind, as a checkpoint's); training paused and can go back to `good_step`, where each
    /// arm was at its own step in `good_steps` (the arms step in turn: some may be one ahead).
    Diverged {
        step: u64,
        arms: Vec<Arm>,
        good_step: u64,
        good_steps: Vec<(Arm, u64)>,
    },
    /// After `RollBack`: every arm is back where it was at `step`, paused.
    RolledBack {
        step: u64,
    },
    /// Every arm's result on the whole test set.
    Finished {
        settings: TransferSettings,
        results: Vec<ArmResult>,
    },
    Worked {
        example: WorkedExample,
    },
    Inside {
        before: FeatureMap2d,
        after: FeatureMap2d,
        filters_before: Filters,
        filters_after: Filters,
    },
    /// Own classes after any change: names, examples per class, what stands in the way of
    /// training (empty: ready).
    OwnExamples {
        names: Vec<String>,
        counts: Vec<usize>,
        problems: Vec<OwnProblem>,
    },
    /// An example was added (an upload as the worker prepared it).
    OwnAdded {
        class: usize,
        index: usize,
        #[serde(with = "serde_bytes")]
        image: Vec<u8>,
    },
    /// A command about own classes was refused; nothing changed.
    OwnRejected {
        problems: Vec<OwnProblem>,
    },
    /// An uploaded file did not become an example; nothing changed.
    OwnUploadRefused {
        problem: UploadProblem,
    },
    OwnRunning {
        running: bool,
    },
    /// Training goes on: steps so far, the steps asked for, the last batch's loss.
    OwnProgress {
        step: u64,
        target: u64,
        loss: f32,
    },
    /// The steps asked for are done: accuracy on the own examples.
    OwnTrained {
        step: u64,
        accuracy: Option<f32>,
    },
    /// Each class's probability for the drawing of `OwnPredict`.
    OwnPrediction {
        id: u64,
        probabilities: Vec<f32>,
    },
    OwnExported {
        #[serde(with = "serde_bytes")]
        bytes: Vec<u8>,
        card: OwnCard,
    },
    OwnImported {
        card: OwnCard,
    },
    /// A model file was refused (damaged, another kind of model); nothing changed.
    OwnFileRefused {
        error: ModelFileError,
    },
    /// The own network's latest checkpoint: every few seconds of training, and whenever
    /// training stops.
    OwnCheckpoint {
        checkpoint: Box<OwnCheckpoint>,
    },
    /// The own network's checkpoints cannot be taken (said once a training).
    OwnNoCheckpoint {
        error: ResumeError,
    },
    /// The own network of the checkpoint sent with `OwnResume { id, .. }` goes on from `step`
    /// towards `target` (training on unless it had reached it).
    OwnResumed {
        id: u64,
        step: u64,
        target: u64,
        loss: f32,
    },
    /// The checkpoint sent with `OwnResume { id, .. }` could not be resumed; no network.
    OwnResumeFailed {
        id: u64,
        error: ResumeError,
    },
    /// The own network's loss stopped being a number at `step`; its training stopped and can
    /// go back to `good_step`.
    OwnDiverged {
        step: u64,
        good_step: u64,
    },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::lessons::transfer::own::OwnProblem;
    use crate::protocol::{decode, encode};

    #[test]
    fn own_class_and_divergence_messages_survive_the_trip_between_page_and_worker() {
        let commands = [
            TransferCommand::OwnNames {
                names: vec!["+".into(), "−".into()],
            },
            TransferCommand::OwnAdd {
                class: 1,
                image: vec![7; 784],
            },
            TransferCommand::OwnUpload {
                class: 0,
                bytes: b"\x89PNG\r\n\x1a\n".to_vec(),
            },
            TransferCommand::OwnTrain {
                settings: OwnSettings::default(),
            },
            TransferCommand::OwnExport,
            TransferCommand::RollBack,
        ];
        for command in commands {
            let bytes = encode(&command).unwrap();
            assert_eq!(decode::<TransferCommand>(&bytes), Ok(command));
        }
        let events = [
            TransferEvent::OwnExamples {
                names: vec!["a".into(), "b".into()],
                counts: vec![5, 0],
                problems: vec![OwnProblem::TooFewExamples { class: 1, count: 0 }],
            },
            TransferEvent::OwnUploadRefused {
                problem: UploadProblem::HugeFile { bytes: 11 << 20 },
            },
            TransferEvent::OwnFileRefused {
                error: ModelFileError::ChecksumMismatch,
            },
            TransferEvent::OwnPrediction {
                id: 3,
                probabilities: vec![0.25, 0.75],
            },
            TransferEvent::Diverged {
                step: 9,
                arms: vec![Arm::Scratch, Arm::Everything],
                good_step: 4,
                good_steps: vec![(Arm::Scratch, 5), (Arm::Everything, 4)],
            },
            TransferEvent::RolledBack { step: 4 },
        ];
        for event in events {
            let bytes = encode(&event).unwrap();
            assert_eq!(decode::<TransferEvent>(&bytes), Ok(event));
        }
    }
}
