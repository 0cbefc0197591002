//! The transfer lesson's messages between the page and the worker (inside
//! `ToWorker::Transfer` and `FromWorker::Transfer`). Plain serde data.

use serde::{Deserialize, Serialize};

use super::config::{
    Arm, ArmPoint, ArmResult, FeatureMap2d, Filters, LayerPlan, Target, TransferProblem,
    TransferSettings, WorkedExample,
};

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
    /// One test image through one arm's network, by the numbers.
    Work {
        arm: Arm,
        test_index: usize,
    },
    /// The backbone's features in two dimensions and the first layer's kernels, before
    /// (the shipped backbone) and after (the everything arm's network) fine-tuning.
    Inside,
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
    /// The backbone or the data could not be loaded.
    Failed {
        message: String,
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
}
