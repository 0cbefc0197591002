//! The CNN's settings, the shapes they give, every problem with them, and what a run reports.
//! Plain data (no burn): the page uses it to draw the network and word the problems.

use serde::{Deserialize, Serialize};

use crate::common::activation::Activation;
use crate::common::optimizer::OptimizerKind;
use crate::common::parse::{BATCH_SIZE, LEARNING_RATE};

/// Side of the images the page trains on (MNIST).
pub const IMAGE_SIDE: usize = 28;
/// Number of classes (digits).
pub const CLASSES: usize = 10;
pub use crate::datasets::mnist::{PIXEL_MEAN, PIXEL_STD};

pub const MAX_BLOCKS: usize = 4;
/// Most trainable parameters a network may have ("too large for the device").
pub const MAX_PARAMETERS: u64 = 5_000_000;
/// Most activation values one training batch may produce, over all layers (batch × values per
/// image). Bounds memory: a wide, unpooled network with a big batch is refused.
pub const MAX_BATCH_VALUES: u64 = 64_000_000;
pub const DROPOUT: (f64, f64) = (0.0, 0.9);
pub const EPOCHS: (f64, f64) = (1.0, 20.0);

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Pool {
    Max,
    Average,
    None,
}

/// One convolution block: a convolution, the activation, then (optionally) pooling with a
/// square window of `pool_size` moved by `pool_size` (floor).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct ConvBlock {
    pub filters: usize,
    /// Side of the square kernel.
    pub kernel: usize,
    pub stride: usize,
    /// Zeros added on every side.
    pub padding: usize,
    pub pool: Pool,
    /// Side of the pooling window; ignored when `pool` is `None`.
    pub pool_size: usize,
}

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CnnSettings {
    pub blocks: Vec<ConvBlock>,
    /// Width of the hidden dense layer; 0 goes straight from the flattened maps to the 10 outputs.
    pub dense: usize,
    /// Dropout probability, applied to the input of the output layer while training.
    pub dropout: f64,
    pub activation: Activation,
    pub optimizer: OptimizerKind,
    pub learning_rate: f64,
    pub batch_size: usize,
    pub epochs: usize,
    pub seed: u64,
}

impl Default for CnnSettings {
    /// A small LeNet-style network. With Adam at 0.002 and batches of 64 it passes 98.5 % test
    /// accuracy in two epochs on the CPU backend (98.67 %, 98.69 %, 98.67 % natively on seeds 1, 2,
    /// 3: `SEED=n cargo run --release -p xtask --example cnn_two_epochs -- 64 0.002`). Adam at
    /// 0.001 with batches of 32 stayed under (98.41 % on seed 1), and at 0.002 with batches of 32
    /// varied more (98.69 %, 98.50 %); 16 and 32 filters reach 98.85 % at twice the time.
    fn default() -> Self {
        Self {
            blocks: vec![
                ConvBlock {
                    filters: 8,
                    kernel: 5,
                    stride: 1,
                    padding: 2,
                    pool: Pool::Max,
                    pool_size: 2,
                },
                ConvBlock {
                    filters: 16,
                    kernel: 5,
                    stride: 1,
                    padding: 0,
                    pool: Pool::Max,
                    pool_size: 2,
                },
            ],
            dense: 128,
            dropout: 0.0,
            activation: Activation::Relu,
            optimizer: OptimizerKind::Adam,
            learning_rate: 2e-3,
            batch_size: 64,
            epochs: 2,
            seed: 1,
        }
    }
}

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum LayerKind {
    Conv,
    MaxPool,
    AvgPool,
    Dense,
    Output,
}

/// One layer of the network as the page draws it.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct LayerShape {
    /// Stable short name: `conv1`, `pool1`, `conv2`, …, `dense`, `output`.
    pub name: String,
    pub kind: LayerKind,
    /// Convolution block (0-based) for conv and pool layers.
    pub block: Option<usize>,
    /// Output shape for one image: [channels, rows, cols], or [units] for dense layers.
    pub shape: Vec<usize>,
    /// Trainable parameters (weights and biases).
    pub parameters: u64,
}

impl LayerShape {
    /// Number of values this layer outputs for one image.
    pub fn values(&self) -> u64 {
        self.shape
            .iter()
            .fold(1u64, |n, &d| n.saturating_mul(d as u64))
    }
}

/// Which setting a problem is about; the page words it.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum CnnField {
    Blocks,
    Filters,
    Kernel,
    Stride,
    PoolSize,
    Dense,
    Dropout,
    LearningRate,
    BatchSize,
    Epochs,
}

/// Why settings cannot be trained, in plain data for the page to word. `block` is 0-based.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
#[serde(rename_all = "snake_case")]
pub enum CnnProblem {
    /// More convolution blocks than allowed.
    TooManyBlocks { count: usize, max: usize },
    /// A block setting that must be at least 1 is 0.
    Zero { field: CnnField, block: usize },
    /// The kernel is larger than the (padded) map it slides over: `input` is [rows, cols]
    /// including padding.
    KernelTooLarge {
        block: usize,
        kernel: usize,
        input: [usize; 2],
    },
    /// Pooling a map of `input` [rows, cols] with a `pool_size` window leaves nothing.
    Collapsed {
        block: usize,
        pool_size: usize,
        input: [usize; 2],
    },
    /// Too many trainable parameters: too large for the device.
    TooManyParameters { count: u64, max: u64 },
    /// One batch would produce too many values (batch size × values per image).
    TooMuchMemory { values: u64, max: u64 },
    /// A number that is NaN or infinite.
    NotFinite { field: CnnField },
    /// A value outside the allowed range, inclusive.
    OutOfRange { field: CnnField, min: f64, max: f64 },
    /// The images cannot be trained on: no training images, empty images, a label outside
    /// 0–9, or test images of another size than the training images.
    BadImages,
}

/// Output side of a convolution: (in + 2p − k)/s + 1, or None when the kernel does not fit.
pub fn conv_output(input: usize, kernel: usize, stride: usize, padding: usize) -> Option<usize> {
    let padded = input.saturating_add(padding.saturating_mul(2));
    if kernel == 0 || stride == 0 || kernel > padded {
        return None;
    }
    Some((padded - kernel) / stride + 1)
}

impl CnnSettings {
    /// Each layer's output shape and parameter count for `rows` × `cols` one-channel images,
    /// or every structural problem (zero settings, kernels that do not fit, maps that collapse,
    /// too many blocks or parameters). Shapes stop at the first layer that cannot be computed.
    pub fn layer_shapes(
        &self,
        rows: usize,
        cols: usize,
    ) -> Result<Vec<LayerShape>, Vec<CnnProblem>> {
        let (layers, problems) = self.walk(rows, cols);
        if problems.is_empty() {
            Ok(layers)
        } else {
            Err(problems)
        }
    }

    fn walk(&self, rows: usize, cols: usize) -> (Vec<LayerShape>, Vec<CnnProblem>) {
        let mut problems = Vec::new();
        if self.blocks.len() > MAX_BLOCKS {
            problems.push(CnnProblem::TooManyBlocks {
                count: self.blocks.len(),
                max: MAX_BLOCKS,
            });
        }
        for (block, b) in self.blocks.iter().enumerate() {
            let pooled = b.pool != Pool::None;
            for (field, value) in [
                (CnnField::Filters, b.filters),
                (CnnField::Kernel, b.kernel),
                (CnnField::Stride, b.stride),
                (CnnField::PoolSize, if pooled { b.pool_size } else { 1 }),
            ] {
                if value == 0 {
                    problems.push(CnnProblem::Zero { field, block });
                }
            }
        }
        if !problems.is_empty() {
            return (Vec::new(), problems);
        }

        let mut layers = Vec::new();
        let (mut channels, mut h, mut w) = (1usize, rows, cols);
        for (block, b) in self.blocks.iter().enumerate() {
            let (Some(oh), Some(ow)) = (
                conv_output(h, b.kernel, b.stride, b.padding),
                conv_output(w, b.kernel, b.stride, b.padding),
            ) else {
                let pad = b.padding.saturating_mul(2);
                let input = [h.saturating_add(pad), w.saturating_add(pad)];
                problems.push(CnnProblem::KernelTooLarge {
                    block,
                    kernel: b.kernel,
                    input,
                });
                return (layers, problems);
            };
            let weights = (channels as u64).saturating_mul((b.kernel as u64).saturating_pow(2));
            let parameters = (b.filters as u64)
                .saturating_mul(weights)
                .saturating_add(b.filters as u64);
            layers.push(LayerShape {
                name: format!("conv{}", block + 1),
                kind: LayerKind::Conv,
                block: Some(block),
                shape: vec![b.filters, oh, ow],
                parameters,
            });
            (channels, h, w) = (b.filters, oh, ow);
            let kind = match b.pool {
                Pool::None => continue,
                Pool::Max => LayerKind::MaxPool,
                Pool::Average => LayerKind::AvgPool,
            };
            let (ph, pw) = (h / b.pool_size, w / b.pool_size);
            if ph == 0 || pw == 0 {
                problems.push(CnnProblem::Collapsed {
                    block,
                    pool_size: b.pool_size,
                    input: [h, w],
                });
                return (layers, problems);
            }
            layers.push(LayerShape {
                name: format!("pool{}", block + 1),
                kind,
                block: Some(block),
                shape: vec![channels, ph, pw],
                parameters: 0,
            });
            (h, w) = (ph, pw);
        }

        // [channels, h, w] maps → [channels·h·w] features.
        let mut features = (channels as u64)
            .saturating_mul(h as u64)
            .saturating_mul(w as u64);
        let dense = |name: &str, kind, inputs: u64, units: usize| LayerShape {
            name: name.to_string(),
            kind,
            block: None,
            shape: vec![units],
            parameters: inputs
                .saturating_mul(units as u64)
                .saturating_add(units as u64),
        };
        if self.dense > 0 {
            layers.push(dense("dense", LayerKind::Dense, features, self.dense));
            features = self.dense as u64;
        }
        layers.push(dense("output", LayerKind::Output, features, CLASSES));

        let count = layers
            .iter()
            .fold(0u64, |n, l| n.saturating_add(l.parameters));
        if count > MAX_PARAMETERS {
            problems.push(CnnProblem::TooManyParameters {
                count,
                max: MAX_PARAMETERS,
            });
        }
        (layers, problems)
    }

    /// Total trainable parameters, when the shapes can be computed.
    pub fn parameter_count(&self, rows: usize, cols: usize) -> Option<u64> {
        self.layer_shapes(rows, cols)
            .ok()
            .map(|ls| ls.iter().map(|l| l.parameters).sum())
    }

    /// Every problem with these settings for MNIST-sized images; empty when they can be trained.
    pub fn validate(&self) -> Vec<CnnProblem> {
        self.validate_for(IMAGE_SIDE, IMAGE_SIDE)
    }

    /// Every problem with these settings for `rows` × `cols` images.
    pub fn validate_for(&self, rows: usize, cols: usize) -> Vec<CnnProblem> {
        let (layers, mut problems) = self.walk(rows, cols);
        let structural_ok = problems.is_empty();
        check_range(&mut problems, CnnField::Dropout, self.dropout, DROPOUT);
        check_range(
            &mut problems,
            CnnField::LearningRate,
            self.learning_rate,
            LEARNING_RATE,
        );
        check_range(
            &mut problems,
            CnnField::BatchSize,
            self.batch_size as f64,
            BATCH_SIZE,
        );
        check_range(&mut problems, CnnField::Epochs, self.epochs as f64, EPOCHS);
        if structural_ok {
            let per_image = layers
                .iter()
                .fold(0u64, |n, l| n.saturating_add(l.values()));
            let values = per_image.saturating_mul(self.batch_size as u64);
            if values > MAX_BATCH_VALUES {
                problems.push(CnnProblem::TooMuchMemory {
                    values,
                    max: MAX_BATCH_VALUES,
                });
            }
        }
        problems
    }
}

fn check_range(
    problems: &mut Vec<CnnProblem>,
    field: CnnField,
    value: f64,
    (min, max): (f64, f64),
) {
    if !value.is_finite() {
        problems.push(CnnProblem::NotFinite { field });
    } else if value < min || value > max {
        problems.push(CnnProblem::OutOfRange { field, min, max });
    }
}

/// Loss, accuracy and mistakes on the test set.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CnnEvaluation {
    /// Number of test images evaluated.
    pub count: usize,
    /// Mean cross-entropy.
    pub loss: f32,
    pub accuracy: f32,
    /// 10 × 10 counts, row-major: row = true label, column = predicted label.
    pub confusion: Vec<u32>,
    /// The first 100 mistakes: (test index, predicted, true label).
    pub misclassified: Vec<(usize, u8, u8)>,
}

/// Most mistakes an evaluation lists.
pub const MAX_MISCLASSIFIED: usize = 100;

/// Where a training run stands (no device reads: the batch loss is the one read at the end of
/// the last chunk).
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct CnnProgress {
    pub step: u64,
    pub total_steps: u64,
    /// Epochs completed.
    pub epoch: usize,
    /// Share of the current epoch done, in [0, 1).
    pub epoch_progress: f64,
    /// Loss of the last mini-batch.
    pub batch_loss: f32,
    /// Time spent training (not paused), in milliseconds.
    pub elapsed_ms: f64,
    pub steps_per_second: f64,
    pub finished: bool,
}

/// The output of one convolution or pooling layer for one image.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct FeatureMaps {
    /// The layer's name in [`LayerShape`]: `conv1`, `pool1`, …
    pub layer: String,
    pub channels: usize,
    pub rows: usize,
    pub cols: usize,
    /// [channels, rows, cols] row-major.
    pub values: Vec<f32>,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn block(
        filters: usize,
        kernel: usize,
        stride: usize,
        padding: usize,
        pool: Pool,
        pool_size: usize,
    ) -> ConvBlock {
        ConvBlock {
            filters,
            kernel,
            stride,
            padding,
            pool,
            pool_size,
        }
    }

    fn summary(layers: &[LayerShape]) -> Vec<(&str, Vec<usize>, u64)> {
        layers
            .iter()
            .map(|l| (l.name.as_str(), l.shape.clone(), l.parameters))
            .collect()
    }

    #[test]
    fn default_shapes_and_parameters_on_28_by_28() {
        let settings = CnnSettings::default();
        assert!(settings.validate().is_empty(), "{:?}", settings.validate());
        let layers = settings.layer_shapes(28, 28).unwrap();
        assert_eq!(
            summary(&layers),
            vec![
                ("conv1", vec![8, 28, 28], 8 * 25 + 8),
                ("pool1", vec![8, 14, 14], 0),
                ("conv2", vec![16, 10, 10], 16 * (8 * 25) + 16),
                ("pool2", vec![16, 5, 5], 0),
                ("dense", vec![128], 400 * 128 + 128),
                ("output", vec![10], 128 * 10 + 10),
            ]
        );
        assert_eq!(layers[1].kind, LayerKind::MaxPool);
        assert_eq!(layers[4].parameters, 51_328);
        assert_eq!(layers[5].parameters, 1_290);
        assert_eq!(
            settings.parameter_count(28, 28),
            Some(208 + 3216 + 51_328 + 1_290)
        );
    }

    #[test]
    fn stride_padding_average_pool_and_no_dense() {
        let settings = CnnSettings {
            blocks: vec![
                block(4, 3, 2, 1, Pool::Average, 3),
                block(6, 2, 1, 0, Pool::None, 0),
            ],
            dense: 0,
            ..CnnSettings::default()
        };
        // 28 → (28 + 2 − 3)/2 + 1 = 14 → floor(14/3) = 4 → (4 − 2)/1 + 1 = 3.
        let layers = settings.layer_shapes(28, 28).unwrap();
        assert_eq!(
            summary(&layers),
            vec![
                ("conv1", vec![4, 14, 14], 4 * 9 + 4),
                ("pool1", vec![4, 4, 4], 0),
                ("conv2", vec![6, 3, 3], 6 * (4 * 4) + 6),
                ("output", vec![10], 54 * 10 + 10),
            ]
        );
        assert_eq!(layers[1].kind, LayerKind::AvgPool);
        // Non-square images: rows and cols follow their own formulas.
        let layers = settings.layer_shapes(28, 12).unwrap();
        assert_eq!(layers[0].shape, vec![4, 14, 6]);
        assert_eq!(layers[1].shape, vec![4, 4, 2]);
        assert_eq!(layers[2].shape, vec![6, 3, 1]);
    }

    #[test]
    fn no_blocks_is_a_dense_network() {
        let settings = CnnSettings {
            blocks: vec![],
            dense: 32,
            ..CnnSettings::default()
        };
        let layers = settings.layer_shapes(28, 28).unwrap();
        assert_eq!(
            summary(&layers),
            vec![
                ("dense", vec![32], 784 * 32 + 32),
                ("output", vec![10], 330)
            ]
        );
    }

    #[test]
    fn kernel_larger_than_padded_input_is_refused() {
        let settings = CnnSettings {
            blocks: vec![block(8, 31, 1, 1, Pool::None, 0)],
            ..CnnSettings::default()
        };
        assert_eq!(
            settings.layer_shapes(28, 28),
            Err(vec![CnnProblem::KernelTooLarge {
                block: 0,
                kernel: 31,
                input: [30, 30]
            }])
        );
        // 30 fits exactly: one output pixel.
        let fits = CnnSettings {
            blocks: vec![block(8, 30, 1, 1, Pool::None, 0)],
            ..CnnSettings::default()
        };
        assert_eq!(fits.layer_shapes(28, 28).unwrap()[0].shape, vec![8, 1, 1]);
        // A later block: default pools leave 5 × 5, a 6 × 6 kernel does not fit.
        let mut deep = CnnSettings::default();
        deep.blocks.push(block(8, 6, 1, 0, Pool::None, 0));
        assert_eq!(
            deep.validate(),
            vec![CnnProblem::KernelTooLarge {
                block: 2,
                kernel: 6,
                input: [5, 5]
            }]
        );
    }

    #[test]
    fn pooling_that_collapses_the_map_is_refused() {
        let mut settings = CnnSettings::default();
        settings.blocks.push(block(8, 3, 1, 1, Pool::Max, 6));
        assert_eq!(
            settings.layer_shapes(28, 28),
            Err(vec![CnnProblem::Collapsed {
                block: 2,
                pool_size: 6,
                input: [5, 5]
            }])
        );
    }

    #[test]
    fn zero_settings_are_each_reported() {
        let settings = CnnSettings {
            blocks: vec![
                block(0, 3, 0, 0, Pool::Max, 0),
                block(4, 0, 1, 0, Pool::None, 0),
            ],
            ..CnnSettings::default()
        };
        assert_eq!(
            settings.validate(),
            vec![
                CnnProblem::Zero {
                    field: CnnField::Filters,
                    block: 0
                },
                CnnProblem::Zero {
                    field: CnnField::Stride,
                    block: 0
                },
                CnnProblem::Zero {
                    field: CnnField::PoolSize,
                    block: 0
                },
                CnnProblem::Zero {
                    field: CnnField::Kernel,
                    block: 1
                },
            ]
        );
    }

    #[test]
    fn too_many_parameters_and_blocks() {
        // No pooling: 64 × 28 × 28 = 50 176 features × 128 dense ≈ 6.4 M weights.
        let big = CnnSettings {
            blocks: vec![block(64, 3, 1, 1, Pool::None, 0)],
            dense: 128,
            ..CnnSettings::default()
        };
        let count = (64 * 9 + 64) + (50_176 * 128 + 128) + (128 * 10 + 10);
        assert_eq!(
            big.validate(),
            vec![CnnProblem::TooManyParameters {
                count,
                max: MAX_PARAMETERS
            }]
        );
        let five = CnnSettings {
            blocks: vec![block(4, 3, 1, 1, Pool::None, 0); 5],
            ..CnnSettings::default()
        };
        assert_eq!(
            five.validate(),
            vec![CnnProblem::TooManyBlocks {
                count: 5,
                max: MAX_BLOCKS
            }]
        );
        // Absurd sizes saturate instead of overflowing.
        let huge = CnnSettings {
            blocks: vec![block(usize::MAX, 1, 1, 0, Pool::None, 0)],
            ..CnnSettings::default()
        };
        assert!(matches!(
            huge.validate()[..],
            [CnnProblem::TooManyParameters { .. }]
        ));
    }

    #[test]
    fn big_batches_of_wide_maps_are_refused() {
        let wide = CnnSettings {
            blocks: vec![
                block(128, 3, 1, 1, Pool::None, 0),
                block(128, 3, 1, 1, Pool::Max, 28),
            ],
            dense: 0,
            batch_size: 1024,
            ..CnnSettings::default()
        };
        let per_image = 128 * 784 * 2 + 128 + 10;
        assert_eq!(
            wide.validate(),
            vec![CnnProblem::TooMuchMemory {
                values: per_image * 1024,
                max: MAX_BATCH_VALUES
            }]
        );
        assert!(
            CnnSettings {
                batch_size: 64,
                ..wide
            }
            .validate()
            .is_empty()
        );
    }

    #[test]
    fn scalar_settings_out_of_range() {
        let settings = CnnSettings {
            dropout: 0.95,
            learning_rate: 0.0,
            batch_size: 0,
            epochs: 21,
            ..CnnSettings::default()
        };
        assert_eq!(
            settings.validate(),
            vec![
                CnnProblem::OutOfRange {
                    field: CnnField::Dropout,
                    min: 0.0,
                    max: 0.9
                },
                CnnProblem::OutOfRange {
                    field: CnnField::LearningRate,
                    min: 1e-6,
                    max: 10.0
                },
                CnnProblem::OutOfRange {
                    field: CnnField::BatchSize,
                    min: 1.0,
                    max: 1024.0
                },
                CnnProblem::OutOfRange {
                    field: CnnField::Epochs,
                    min: 1.0,
                    max: 20.0
                },
            ]
        );
        let more = CnnSettings {
            dropout: -0.1,
            learning_rate: f64::NAN,
            batch_size: 1025,
            epochs: 0,
            ..CnnSettings::default()
        };
        let fields: Vec<_> = more
            .validate()
            .into_iter()
            .map(|p| match p {
                CnnProblem::OutOfRange { field, .. } | CnnProblem::NotFinite { field } => field,
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            fields,
            vec![
                CnnField::Dropout,
                CnnField::LearningRate,
                CnnField::BatchSize,
                CnnField::Epochs
            ]
        );
        assert_eq!(
            CnnSettings {
                learning_rate: f64::INFINITY,
                ..CnnSettings::default()
            }
            .validate(),
            vec![CnnProblem::NotFinite {
                field: CnnField::LearningRate
            }]
        );
        assert_eq!(
            CnnSettings {
                learning_rate: 10.5,
                ..CnnSettings::default()
            }
            .validate()
            .len(),
            1
        );
        let edges = CnnSettings {
            dropout: 0.9,
            learning_rate: 10.0,
            batch_size: 1024,
            epochs: 20,
            ..CnnSettings::default()
        };
        assert!(edges.validate().is_empty(), "{:?}", edges.validate());
    }

    #[test]
    fn settings_and_problems_serialise() {
        let settings = CnnSettings::default();
        let json = serde_json::to_string(&settings).unwrap();
        assert!(json.contains(r#""pool":"max""#), "{json}");
        assert_eq!(
            serde_json::from_str::<CnnSettings>(&json).unwrap(),
            settings
        );
        let problem = serde_json::to_value(CnnProblem::Zero {
            field: CnnField::PoolSize,
            block: 1,
        })
        .unwrap();
        assert_eq!(
            problem,
            serde_json::json!({ "zero": { "field": "pool_size", "block": 1 } })
        );
    }
}
