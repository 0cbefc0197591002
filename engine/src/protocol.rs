//! Messages between the page and the training worker. Plain serde data: no burn types.

use serde::{Deserialize, Serialize};

use crate::lessons::cnn::messages::{CnnCommand, CnnEvent};
use crate::common::input::InputError;
use crate::lessons::activations::{ActivationRequest, ActivationResult};
use crate::lessons::losses::{LossRequest, LossResult};
use crate::lessons::playground::PlaygroundConfig;
use crate::lessons::playground::config::ConfigError;
use crate::datasets::toy2d::Split;
use crate::lessons::playground::report::Progress;

/// What the learner (or the URL) asked for.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Default)]
#[serde(rename_all = "lowercase")]
pub enum BackendPreference {
    #[default]
    Auto,
    WebGpu,
    Cpu,
}

impl BackendPreference {
    pub fn name(self) -> &'static str {
        match self {
            BackendPreference::Auto => "auto",
            BackendPreference::WebGpu => "webgpu",
            BackendPreference::Cpu => "cpu",
        }
    }

    pub fn from_name(name: &str) -> Option<Self> {
        [Self::Auto, Self::WebGpu, Self::Cpu].into_iter().find(|p| p.name() == name)
    }
}

/// Why training runs on the CPU.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CpuReason {
    /// The learner chose the CPU.
    Requested,
    /// The browser has no `navigator.gpu`.
    NoWebGpu,
    /// `requestAdapter()` found no adapter.
    NoAdapter,
    /// Only a software or fallback adapter exists; the CPU backend is faster there.
    SoftwareAdapter { adapter: String },
    /// WebGPU was there but could not be initialised.
    InitFailed { error: String },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum ActiveBackend {
    WebGpu { adapter: String },
    Cpu { reason: CpuReason },
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum ToWorker {
    /// Choose a backend. Sent once when the worker starts.
    Init { preference: BackendPreference },
    /// Build data and a fresh model from these settings; stays paused.
    Load { config: PlaygroundConfig },
    Play,
    Pause,
    /// One step, then paused.
    Step,
    /// Compute a lesson's worked example; answered by `Computed` with the same `id`.
    Compute { id: u64, request: LessonRequest },
    /// The CNN lesson.
    Cnn { command: CnnCommand },
    /// Deliberately panic, to exercise recovery from a crash.
    Crash,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "lesson", rename_all = "snake_case")]
pub enum LessonRequest {
    Activation(ActivationRequest),
    Loss(LossRequest),
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "lesson", rename_all = "snake_case")]
pub enum LessonResult {
    Activation(ActivationResult),
    Loss(LossResult),
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker's code is running and listening; messages sent before this are lost.
    Started,
    Ready { backend: ActiveBackend },
    /// The data set of the loaded configuration.
    Loaded { config: PlaygroundConfig, split: Split },
    /// The configuration could not be loaded; the previous run (if any) continues unchanged.
    Rejected { errors: Vec<ConfigError> },
    Progress { progress: Progress },
    /// Probability of class 1 on the boundary grid, row-major from the top.
    Boundary { resolution: u32, probabilities: Vec<f32> },
    Running { running: bool },
    /// The answer to `Compute { id, .. }`.
    Computed { id: u64, result: Result<LessonResult, InputError> },
    /// The CNN lesson.
    Cnn { event: CnnEvent },
    /// The worker hit a Rust panic and is about to stop.
    Panicked { message: String },
    Failed { message: String },
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::parse::Problem;
    use crate::lessons::playground::config::Field;
    use crate::datasets::toy2d::Point;
    use crate::lessons::playground::report::Evaluation;

    fn round_trip<T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug>(value: T) {
        let json = serde_json::to_string(&value).unwrap();
        let back: T = serde_json::from_str(&json).unwrap();
        assert_eq!(back, value, "{json}");
    }

    #[test]
    fn every_message_round_trips() {
        for msg in [
            ToWorker::Init { preference: BackendPreference::WebGpu },
            ToWorker::Load { config: PlaygroundConfig::default() },
            ToWorker::Play,
            ToWorker::Pause,
            ToWorker::Step,
            ToWorker::Crash,
        ] {
            round_trip(msg);
        }
        let point = Point { x: 0.5, y: -0.25, label: 1 };
        for msg in [
            FromWorker::Started,
            FromWorker::Ready { backend: ActiveBackend::WebGpu { adapter: "x".into() } },
            FromWorker::Ready {
                backend: ActiveBackend::Cpu { reason: CpuReason::SoftwareAdapter { adapter: "SwiftShader".into() } },
            },
            FromWorker::Loaded {
                config: PlaygroundConfig::default(),
                split: Split { train: vec![point], test: vec![point] },
            },
            FromWorker::Rejected {
                errors: vec![ConfigError { field: Field::Noise, problem: Problem::OutOfRange { min: 0.0, max: 0.5 } }],
            },
            FromWorker::Progress {
                progress: Progress {
                    step: 3,
                    batch_loss: 0.5,
                    evaluation: Evaluation { train_loss: 0.4, test_loss: 0.6, train_accuracy: 0.9, test_accuracy: 0.8 },
                    elapsed_ms: 12.5,
                    steps_per_second: 240.0,
                },
            },
            FromWorker::Boundary { resolution: 2, probabilities: vec![0.0, 0.25, 0.5, 1.0] },
            FromWorker::Running { running: true },
            FromWorker::Panicked { message: "boom".into() },
            FromWorker::Failed { message: "no".into() },
        ] {
            round_trip(msg);
        }
        for p in [BackendPreference::Auto, BackendPreference::WebGpu, BackendPreference::Cpu] {
            assert_eq!(BackendPreference::from_name(p.name()), Some(p));
        }
    }
}
