//! The detector: the shipped residual network's backbone, then a head with two outputs, a class
//! and a box. The spatial head (the default) keeps the maps' positions:
//!
//! ```text
//! [B, 1, 64, 64] canvases → backbone (stem, blocks; no pooling, no head)   → [B, 64, 16, 16]
//!   → conv 3×3, ReLU, conv 3×3, ReLU (hidden channels)                    → [B, H, 16, 16]
//!   → heat: conv 1×1 → softmax over the 256 positions                     → [B, 256] where
//!       centre = the positions' expected (x, y)                           → [B, 2]
//!       features there = the maps weighted by it                          → [B, H]
//!         → linear → class logits                                         → [B, 10]
//!         → linear → sigmoid → width, height                              → [B, 2]
//!   box = (centre x, centre y, width, height), relative to the canvas     → [B, 4]
//! ```
//! The pooled head averages the [B, H, 16, 16] maps over positions to [B, H] first, as the
//! backbone's classifier did, and reads the class and all four box numbers from that: what is
//! left after averaging barely says where the digit was.

use burn::config::Config;
use burn::module::{Module, ModuleVisitor, Param, ParamGroup};
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::{relu, sigmoid, softmax};
use burn::tensor::{Device, Tensor, TensorData};

use super::config::{DetectSettings, HeadKind};
use crate::common::matmul_kernel::linear;
use crate::models::resnet::model::Resnet;

#[derive(Config, Debug)]
pub struct DetectorConfig {
    pub head: HeadKind,
    /// The backbone's output channels.
    pub features: usize,
    pub hidden: usize,
    pub classes: usize,
}

impl DetectorConfig {
    pub fn from_settings(settings: &DetectSettings, features: usize, classes: usize) -> Self {
        DetectorConfig::new(settings.head, features, settings.hidden, classes)
    }

    /// A fresh head on `backbone`, which is frozen whole (its batch norms keep their running
    /// statistics).
    pub fn init(&self, backbone: Resnet, device: &Device) -> Detector {
        let conv = |inputs: usize, outputs: usize, kernel: usize| {
            let pad = kernel / 2;
            Conv2dConfig::new([inputs, outputs], [kernel, kernel])
                .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
                .init(device)
        };
        let spatial = self.head == HeadKind::Spatial;
        Detector {
            backbone: backbone.freeze(),
            mix: conv(self.features, self.hidden, 3),
            mix2: conv(self.hidden, self.hidden, 3),
            heat: spatial.then(|| conv(self.hidden, 1, 1)),
            class: LinearConfig::new(self.hidden, self.classes).init(device),
            // Spatial: width and height; pooled: all four numbers.
            place: LinearConfig::new(self.hidden, if spatial { 2 } else { 4 }).init(device),
        }
    }
}

#[derive(Module, Debug)]
pub struct Detector {
    backbone: Resnet,
    mix: Conv2d,
    mix2: Conv2d,
    /// The spatial head's heat map; None in the pooled head.
    heat: Option<Conv2d>,
    class: Linear,
    place: Linear,
}

/// What the detector says about a batch of canvases.
pub struct Output {
    /// [B, classes] class logits.
    pub logits: Tensor<2>,
    /// [B, 4] boxes: centre x, centre y, width, height, relative to the canvas.
    pub boxes: Tensor<2>,
    /// [B, h·w] where the spatial head looked (softmax over the maps' positions, row-major);
    /// None for the pooled head.
    pub heat: Option<Tensor<2>>,
}

impl Detector {
    /// [B, 1, side, side] normalised canvases → class logits and boxes.
    pub fn forward(&self, canvases: Tensor<4>) -> Output {
        let maps = self.backbone.feature_maps(canvases);
        let maps = relu(self.mix2.forward(relu(self.mix.forward(maps))));
        let [batch, hidden, rows, cols] = maps.dims();
        // [B, H, h, w] → [B, H, h·w].
        let flat = maps.reshape([batch, hidden, rows * cols]);
        let Some(heat) = &self.heat else {
            let pooled = flat.mean_dim(2).reshape([batch, hidden]);
            return Output {
                logits: linear(&self.class, pooled.clone()),
                boxes: sigmoid(linear(&self.place, pooled)),
                heat: None,
            };
        };
        let device = flat.device();
        // [B, 1, h, w] → [B, h·w] weights summing to 1 over positions.
        let weights = softmax(
            heat.forward(flat.clone().reshape([batch, hidden, rows, cols]))
                .reshape([batch, rows * cols]),
            1,
        );
        // Σ weights · features: [B, H, h·w] · [B, 1, h·w] summed over positions → [B, H].
        let attended = (flat * weights.clone().reshape([batch, 1, rows * cols]))
            .sum_dim(2)
            .reshape([batch, hidden]);
        // [B, h·w] · [h·w, 2] cell centres (x, y) → [B, 2] expected centre.
        let centre = weights.clone().matmul(cell_centres(rows, cols, &device));
        let size = sigmoid(linear(&self.place, attended.clone()));
        Output {
            logits: linear(&self.class, attended),
            boxes: Tensor::cat(vec![centre, size], 1),
            heat: Some(weights),
        }
    }

    /// The backbone frozen whole again, as a fresh detector's (a loaded detector trained further
    /// starts so).
    pub fn freeze_backbone(self) -> Self {
        self.freeze_group(ParamGroup::from_predicate("backbone."))
    }

    /// The backbone's convolutions train from now on; its batch norms keep the statistics and
    /// the scale and shift it learnt, and its unused classifier stays frozen.
    pub fn unfreeze_backbone(self) -> Self {
        self.unfreeze_group(ParamGroup::from_predicate("backbone."))
            .freeze_group(ParamGroup::from_predicates(vec!["backbone.", "norm"]))
            .freeze_group(ParamGroup::from_predicate("backbone.head."))
    }
}

/// The centres of an h × w grid's cells relative to the canvas, [h·w, 2] (x, y), row-major.
fn cell_centres(rows: usize, cols: usize, device: &Device) -> Tensor<2> {
    let mut values = Vec::with_capacity(rows * cols * 2);
    for r in 0..rows {
        for c in 0..cols {
            values.push((c as f32 + 0.5) / cols as f32);
            values.push((r as f32 + 0.5) / rows as f32);
        }
    }
    Tensor::from_data(TensorData::new(values, [rows * cols, 2]), device)
}

/// Parameters of `model` (either detector) that train now and that are frozen (batch norms' running statistics,
/// which never train, left out).
pub fn parameter_counts<M: Module>(model: &M) -> (u64, u64) {
    struct Count {
        path: Vec<String>,
        trained: u64,
        frozen: u64,
    }
    impl ModuleVisitor for Count {
        fn enter_module(&mut self, name: &str, _: &str) {
            self.path.push(name.to_string());
        }
        fn exit_module(&mut self, _: &str, _: &str) {
            self.path.pop();
        }
        fn visit_float<const D: usize>(&mut self, param: &Param<Tensor<D>>) {
            let name = self.path.last().map_or("", String::as_str);
            if name == "running_mean" || name == "running_var" {
                return;
            }
            let count = param.lazy_shape().num_elements() as u64;
            if param.val().is_require_grad() {
                self.trained += count;
            } else {
                self.frozen += count;
            }
        }
    }
    let mut count = Count {
        path: Vec::new(),
        trained: 0,
        frozen: 0,
    };
    model.visit(&mut count);
    (count.trained, count.frozen)
}
