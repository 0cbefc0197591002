//! Messages between the page and the training worker. Plain serde data: no burn types.
//!
//! Enums here and in the lessons' messages keep serde's default (external) tagging: an
//! internally tagged enum (`#[serde(tag = "...")]`) is read through serde's buffered `Content`
//! tree, code that cost the page's wasm about 60 KB gzip.

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::lessons::activations::messages::{ActivationsCommand, ActivationsEvent};
use crate::lessons::bench::messages::{Command as BenchCommand, Event as BenchEvent};
use crate::lessons::cnn::messages::{CnnCommand, CnnEvent};
use crate::lessons::detect::messages::{DetectCommand, DetectEvent};
use crate::lessons::gan::messages::{GanCommand, GanEvent};
use crate::lessons::losses::messages::{LossesCommand, LossesEvent};
use crate::lessons::playground::messages::{PlaygroundCommand, PlaygroundEvent};
use crate::lessons::transfer::messages::{TransferCommand, TransferEvent};

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
        [Self::Auto, Self::WebGpu, Self::Cpu]
            .into_iter()
            .find(|p| p.name() == name)
    }
}

/// Why training runs on the CPU.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum CpuReason {
    /// The learner chose the CPU.
    Requested,
    /// The browser has no `navigator.gpu`.
    NoWebGpu,
    /// `requestAdapter()` found no adapter.
    NoAdapter,
    /// Only a software or fallback adapter exists; the CPU backend is faster there.
    SoftwareAdapter { adapter: String },
    /// WebGPU was there but could not be initialised (or this build has none).
    InitFailed { error: String },
    /// A calibration on this adapter measured the CPU faster (see [`Calibration`]).
    Measured { adapter: String },
    /// The GPU device was lost, and the page moved to the CPU for the rest of the visit (the
    /// page's own word for a worker it started on the CPU after `FromWorker::DeviceLost`).
    DeviceLost,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum ActiveBackend {
    WebGpu { adapter: String },
    Cpu { reason: CpuReason },
}

impl ActiveBackend {
    pub fn kind(&self) -> BackendKind {
        match self {
            ActiveBackend::WebGpu { .. } => BackendKind::WebGpu,
            ActiveBackend::Cpu { .. } => BackendKind::Cpu,
        }
    }

    /// The adapter a calibration for this backend is filed under: WebGPU's, or the one the CPU
    /// was measured against.
    pub fn measured_adapter(&self) -> Option<&str> {
        match self {
            ActiveBackend::WebGpu { adapter }
            | ActiveBackend::Cpu {
                reason: CpuReason::Measured { adapter },
            } => Some(adapter),
            ActiveBackend::Cpu { .. } => None,
        }
    }
}

/// One of the two backends, as a calibration names its choice.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum BackendKind {
    Cpu,
    WebGpu,
}

/// Names a software rasteriser gives its adapter; the CPU backend is faster than any of them.
const SOFTWARE_ADAPTERS: [&str; 5] = ["swiftshader", "llvmpipe", "lavapipe", "software", "warp"];

/// The rule the page (choosing a worker build) and the worker (choosing a backend) both apply to
/// what `navigator.gpu.requestAdapter()` found: the adapter's `name`, or why the CPU is used
/// instead. Only `Auto` turns a software or fallback adapter down.
pub fn judge_adapter(
    name: String,
    fallback: bool,
    preference: BackendPreference,
) -> Result<String, CpuReason> {
    // ASCII case folding: the names sought are ASCII, and `to_lowercase` would bring Unicode's
    // case tables into the page's wasm (about 8 KB gzip).
    let lower = name.to_ascii_lowercase();
    let software = fallback || SOFTWARE_ADAPTERS.iter().any(|s| lower.contains(s));
    if software && preference == BackendPreference::Auto {
        return Err(CpuReason::SoftwareAdapter {
            adapter: if name.is_empty() { "?".into() } else { name },
        });
    }
    Ok(name)
}

/// What a calibration measured on one adapter: milliseconds a training step of the benchmark's
/// small CNN on each backend, `None` where the backend's first step missed its share of the time
/// (a backend still compiling its shaders at the deadline loses).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Calibration {
    pub adapter: String,
    pub cpu_ms: Option<f64>,
    pub webgpu_ms: Option<f64>,
    pub choice: BackendKind,
}

impl Calibration {
    /// The faster measured backend is the choice; an unmeasured one loses, and with neither
    /// measured the CPU (which compiles nothing) is chosen.
    pub fn new(adapter: String, cpu_ms: Option<f64>, webgpu_ms: Option<f64>) -> Self {
        let choice = match (cpu_ms, webgpu_ms) {
            (Some(cpu), Some(gpu)) if gpu < cpu => BackendKind::WebGpu,
            (None, Some(_)) => BackendKind::WebGpu,
            _ => BackendKind::Cpu,
        };
        Self {
            adapter,
            cpu_ms,
            webgpu_ms,
            choice,
        }
    }
}

/// One variant a lesson, holding that lesson's own commands; the others are the worker's.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum ToWorker {
    /// Choose a backend. Sent once when the worker starts, with the calibration cached for the
    /// adapter the page found, if any.
    Init {
        preference: BackendPreference,
        #[serde(default)]
        calibration: Option<Calibration>,
    },
    /// Measure both backends for a moment (as soon as no lesson trains) and answer
    /// `Calibrated`. Only the WebGPU worker running on WebGPU measures; others ignore it.
    Calibrate,
    Playground(PlaygroundCommand),
    Activations(ActivationsCommand),
    Losses(LossesCommand),
    Cnn(CnnCommand),
    Transfer(TransferCommand),
    Gan(GanCommand),
    Detect(DetectCommand),
    Bench(BenchCommand),
    /// Deliberately panic, to exercise recovery from a crash.
    Crash,
    /// Destroy the GPU device, as a lost GPU ends it, to exercise the move to the CPU (a test
    /// hook; a worker on the CPU ignores it).
    LoseDevice,
    /// Ask the GPU for more memory than it gives, as a too-large configuration does (a test hook;
    /// a worker on the CPU ignores it).
    OverfillGpu,
}

/// One variant a lesson, holding that lesson's own events; the others are the worker's.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum FromWorker {
    /// The worker's code is running and listening; messages sent before this are lost.
    Started,
    /// The backend is chosen: the worker takes lesson commands from now on.
    Ready {
        backend: ActiveBackend,
    },
    Playground(PlaygroundEvent),
    Activations(ActivationsEvent),
    Losses(LossesEvent),
    Cnn(CnnEvent),
    Transfer(TransferEvent),
    Gan(GanEvent),
    Detect(DetectEvent),
    Bench(BenchEvent),
    /// What `Calibrate` measured; `trained` says whether any lesson has trained on this worker
    /// (a learner's model would be lost by switching now).
    Calibrated {
        calibration: Calibration,
        trained: bool,
    },
    /// The GPU device was lost (wgpu's device-lost callback): the worker does nothing more, and
    /// the page moves to the CPU.
    DeviceLost {
        message: String,
    },
    /// The worker hit a Rust panic and is about to stop.
    Panicked {
        message: String,
    },
    Failed {
        message: String,
    },
}

/// A message as the bytes the page and the worker post to each other: postcard, a compact binary
/// form both sides read with the same types. Unlike a JavaScript object (serde-wasm-bindgen) it
/// needs no self-describing reader, which was most of the message code in the page's wasm, and
/// large arrays (images, feature maps) cross as one copy of bytes.
pub fn encode<T: Serialize>(message: &T) -> Result<Vec<u8>, String> {
    postcard::to_allocvec(message).map_err(|e| e.to_string())
}

/// Reads a message written by [`encode`].
pub fn decode<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, String> {
    postcard::from_bytes(bytes).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::common::input::InputError;
    use crate::common::parse::Problem;
    use crate::common::worked::{Plot, PlotRange, Step};
    use crate::datasets::toy2d::{Point, Split};
    use crate::lessons::activations::{ActivationFn, ActivationRequest, ActivationResult};
    use crate::lessons::bench::workload::{BenchResult, Workload};
    use crate::lessons::cnn::config::FeatureMaps;
    use crate::lessons::cnn::messages::{DataLoadError, Inspection};
    use crate::lessons::cnn::{CnnEvaluation, CnnProgress, CnnSettings};
    use crate::lessons::losses::{LossKind, LossRequest};
    use crate::lessons::playground::PlaygroundConfig;
    use crate::lessons::playground::config::{ConfigError, Field};
    use crate::lessons::playground::report::{Evaluation, Progress};

    fn round_trip<T: Serialize + for<'de> Deserialize<'de> + PartialEq + std::fmt::Debug>(
        value: T,
    ) {
        let json = serde_json::to_string(&value).unwrap();
        let back: T = serde_json::from_str(&json).unwrap();
        assert_eq!(back, value, "{json}");
        let bytes = encode(&value).unwrap();
        assert_eq!(decode::<T>(&bytes).unwrap(), value, "{json}");
    }

    #[test]
    fn every_message_round_trips() {
        let range = PlotRange {
            min: -1.0,
            max: 1.0,
            samples: 3,
        };
        for msg in [
            ToWorker::Init {
                preference: BackendPreference::WebGpu,
                calibration: None,
            },
            ToWorker::Init {
                preference: BackendPreference::Auto,
                calibration: Some(Calibration::new("Intel".into(), Some(31.0), Some(95.5))),
            },
            ToWorker::Calibrate,
            ToWorker::Playground(PlaygroundCommand::Load {
                config: PlaygroundConfig::default(),
            }),
            ToWorker::Playground(PlaygroundCommand::Play),
            ToWorker::Playground(PlaygroundCommand::Pause),
            ToWorker::Playground(PlaygroundCommand::Step),
            ToWorker::Activations(ActivationsCommand::Compute {
                id: 7,
                request: ActivationRequest {
                    function: ActivationFn::Relu,
                    inputs: vec![-1.0, 2.0],
                    slope: 0.01,
                    plot: range,
                },
            }),
            ToWorker::Losses(LossesCommand::Compute {
                id: 8,
                request: LossRequest {
                    loss: LossKind::Mse,
                    predictions: vec![0.5],
                    targets: vec![1.0],
                    sweep: range,
                },
            }),
            ToWorker::Cnn(CnnCommand::LoadData),
            ToWorker::Cnn(CnnCommand::Load {
                settings: CnnSettings::default(),
            }),
            ToWorker::Cnn(CnnCommand::Play),
            ToWorker::Cnn(CnnCommand::Pause),
            ToWorker::Cnn(CnnCommand::Step),
            ToWorker::Cnn(CnnCommand::Evaluate),
            ToWorker::Cnn(CnnCommand::Inspect { test_index: 3 }),
            ToWorker::Cnn(CnnCommand::Predict {
                id: 2,
                pixels: vec![0.0, 0.5, 1.0],
            }),
            ToWorker::Cnn(CnnCommand::Export),
            ToWorker::Cnn(CnnCommand::Import {
                bytes: vec![0, 1, 255],
            }),
            ToWorker::Detect(DetectCommand::Run {
                settings: crate::lessons::detect::DetectSettings::default(),
            }),
            ToWorker::Detect(DetectCommand::Detect {
                id: 1,
                pixels: vec![0, 9, 255],
            }),
            ToWorker::Bench(BenchCommand::Run {
                workload: Workload::CnnSmall,
                warmup: 3,
                steps: 20,
            }),
            ToWorker::Crash,
            ToWorker::LoseDevice,
            ToWorker::OverfillGpu,
        ] {
            round_trip(msg);
        }
        let point = Point {
            x: 0.5,
            y: -0.25,
            label: 1,
        };
        let mut bad = CnnSettings::default();
        bad.blocks[0].kernel = 29;
        bad.blocks[0].padding = 0;
        let activation = ActivationResult {
            outputs: vec![0.0, 2.0],
            autodiff: vec![0.0, 1.0],
            analytic: vec![0.0, 1.0],
            steps: vec![Step::new("max", vec![0.0, 2.0])],
            plot: Plot {
                xs: vec![-1.0, 1.0],
                ys: vec![vec![0.0, 1.0]],
            },
        };
        for msg in [
            FromWorker::Started,
            FromWorker::Ready {
                backend: ActiveBackend::WebGpu {
                    adapter: "x".into(),
                },
            },
            FromWorker::Ready {
                backend: ActiveBackend::Cpu {
                    reason: CpuReason::SoftwareAdapter {
                        adapter: "SwiftShader".into(),
                    },
                },
            },
            FromWorker::Ready {
                backend: ActiveBackend::Cpu {
                    reason: CpuReason::Measured {
                        adapter: "Intel".into(),
                    },
                },
            },
            FromWorker::Calibrated {
                calibration: Calibration::new("Intel".into(), None, Some(12.0)),
                trained: true,
            },
            FromWorker::Playground(PlaygroundEvent::Loaded {
                config: PlaygroundConfig::default(),
                split: Split {
                    train: vec![point],
                    test: vec![point],
                },
            }),
            FromWorker::Playground(PlaygroundEvent::Rejected {
                errors: vec![ConfigError {
                    field: Field::Noise,
                    problem: Problem::OutOfRange { min: 0.0, max: 0.5 },
                }],
            }),
            FromWorker::Playground(PlaygroundEvent::Progress {
                progress: Progress {
                    step: 3,
                    batch_loss: 0.5,
                    evaluation: Evaluation {
                        train_loss: 0.4,
                        test_loss: 0.6,
                        train_accuracy: 0.9,
                        test_accuracy: 0.8,
                    },
                    elapsed_ms: 12.5,
                    steps_per_second: 240.0,
                },
            }),
            FromWorker::Playground(PlaygroundEvent::Boundary {
                resolution: 2,
                probabilities: vec![0.0, 0.25, 0.5, 1.0],
            }),
            FromWorker::Playground(PlaygroundEvent::Running { running: true }),
            FromWorker::Activations(ActivationsEvent::Computed {
                id: 7,
                result: Ok(activation),
            }),
            FromWorker::Activations(ActivationsEvent::Computed {
                id: 9,
                result: Err(InputError::BadSlope),
            }),
            FromWorker::Losses(LossesEvent::Computed {
                id: 8,
                result: Err(InputError::NeedAtLeast { min: 2 }),
            }),
            FromWorker::Cnn(CnnEvent::DataProgress {
                loaded: 5,
                total: 10,
            }),
            FromWorker::Cnn(CnnEvent::DataReady {
                train: 60_000,
                test: 10_000,
            }),
            FromWorker::Cnn(CnnEvent::Running { running: false }),
            FromWorker::Cnn(CnnEvent::Predicted {
                id: 2,
                probabilities: vec![0.25; 4],
            }),
            FromWorker::Cnn(CnnEvent::DataFailed {
                error: DataLoadError::Http {
                    file: "manifest.json".into(),
                    status: 404,
                },
            }),
            FromWorker::Cnn(CnnEvent::Loaded {
                layers: CnnSettings::default().layer_shapes(28, 28).unwrap(),
                settings: CnnSettings::default(),
                steps_per_epoch: 938,
                card: None,
            }),
            FromWorker::Cnn(CnnEvent::Rejected {
                problems: bad.validate_for(28, 28),
            }),
            FromWorker::Cnn(CnnEvent::Progress {
                progress: CnnProgress {
                    step: 10,
                    total_steps: 1876,
                    epoch: 0,
                    epoch_progress: 0.01,
                    batch_loss: 0.5,
                    elapsed_ms: 10.0,
                    steps_per_second: 20.0,
                    finished: false,
                },
            }),
            FromWorker::Cnn(CnnEvent::Evaluated {
                step: 938,
                full: true,
                evaluation: CnnEvaluation {
                    count: 2,
                    loss: 0.3,
                    accuracy: 0.5,
                    confusion: vec![0; 100],
                    misclassified: vec![(1, 7, 1)],
                },
                gallery: vec![0; 784],
            }),
            FromWorker::Cnn(CnnEvent::Inspected {
                inspection: Inspection {
                    test_index: 1,
                    label: 1,
                    image: vec![0; 784],
                    probabilities: vec![0.1; 10],
                    filters: vec![vec![0.5; 25]],
                    maps: vec![FeatureMaps {
                        layer: "conv1".into(),
                        channels: 1,
                        rows: 1,
                        cols: 2,
                        values: vec![0.0, 1.0],
                    }],
                },
            }),
            FromWorker::Bench(BenchEvent::Finished(BenchResult {
                workload: Workload::Gan,
                first_ms: 120.5,
                steps_ms: vec![15.25, 16.0],
            })),
            FromWorker::Detect(DetectEvent::Trained {
                step: 5,
                steps: 10,
                losses: crate::lessons::detect::StepLosses {
                    total: 3.0,
                    class: 2.0,
                    boxes: 0.5,
                },
                steps_per_second: 1.5,
            }),
            FromWorker::Bench(BenchEvent::Failed {
                workload: Workload::Transfer,
                message: "out of memory".into(),
            }),
            FromWorker::DeviceLost {
                message: "Destroyed: device destroyed".into(),
            },
            FromWorker::Panicked {
                message: "boom".into(),
            },
            FromWorker::Failed {
                message: "no".into(),
            },
        ] {
            round_trip(msg);
        }
        for p in [
            BackendPreference::Auto,
            BackendPreference::WebGpu,
            BackendPreference::Cpu,
        ] {
            assert_eq!(BackendPreference::from_name(p.name()), Some(p));
        }
    }

    #[test]
    fn an_init_without_a_calibration_field_still_reads() {
        let init: ToWorker = serde_json::from_str(r#"{"init":{"preference":"auto"}}"#).unwrap();
        assert_eq!(
            init,
            ToWorker::Init {
                preference: BackendPreference::Auto,
                calibration: None
            }
        );
    }

    #[test]
    fn software_and_fallback_adapters_are_turned_down_only_on_auto() {
        use BackendPreference::*;
        assert_eq!(
            judge_adapter("nvidia ampere".into(), false, Auto),
            Ok("nvidia ampere".into())
        );
        for (name, fallback) in [
            ("google swiftshader", false),
            ("mesa llvmpipe", false),
            ("intel gen-12lp", true),
        ] {
            assert_eq!(
                judge_adapter(name.into(), fallback, Auto),
                Err(CpuReason::SoftwareAdapter {
                    adapter: name.into()
                })
            );
            assert_eq!(
                judge_adapter(name.into(), fallback, WebGpu),
                Ok(name.into())
            );
        }
        assert_eq!(
            judge_adapter(String::new(), true, Auto),
            Err(CpuReason::SoftwareAdapter {
                adapter: "?".into()
            })
        );
    }

    #[test]
    fn the_faster_measured_backend_is_chosen_and_a_late_one_loses() {
        let choice = |cpu, gpu| Calibration::new("a".into(), cpu, gpu).choice;
        assert_eq!(choice(Some(31.0), Some(95.0)), BackendKind::Cpu);
        assert_eq!(choice(Some(31.0), Some(5.0)), BackendKind::WebGpu);
        assert_eq!(choice(Some(31.0), None), BackendKind::Cpu);
        assert_eq!(choice(None, Some(95.0)), BackendKind::WebGpu);
        assert_eq!(choice(None, None), BackendKind::Cpu);
    }

    #[test]
    fn a_backend_knows_its_kind_and_measured_adapter() {
        let gpu = ActiveBackend::WebGpu {
            adapter: "a".into(),
        };
        assert_eq!(gpu.kind(), BackendKind::WebGpu);
        assert_eq!(gpu.measured_adapter(), Some("a"));
        let measured = ActiveBackend::Cpu {
            reason: CpuReason::Measured {
                adapter: "b".into(),
            },
        };
        assert_eq!(measured.kind(), BackendKind::Cpu);
        assert_eq!(measured.measured_adapter(), Some("b"));
        let software = ActiveBackend::Cpu {
            reason: CpuReason::SoftwareAdapter {
                adapter: "c".into(),
            },
        };
        assert_eq!(software.measured_adapter(), None);
    }
}
