//! The multi-digit detector: the shipped residual network's backbone and a CenterNet-style head
//! that answers at every cell of its maps (see [`super::centres`] for what the answers mean):
//!
//! ```text
//! [B, 1, 64, 64] canvases → backbone (stem, blocks; no pooling, no head)   → [B, 64, 16, 16]
//!   → conv 3×3, ReLU, conv 3×3, ReLU (hidden channels)                    → [B, H, 16, 16]
//!   → heat: conv 1×1 (a logit per class and cell; sigmoid = "a digit of this class is
//!     centred here")                                                      → [B, 10, 16, 16]
//!   → regression: conv 1×1 (width and height in cells, offset in the cell) → [B, 4, 16, 16]
//! ```
//! Unlike the single-digit head there is no softmax over positions: each cell decides on its own,
//! so any number of digits can be found.

use burn::config::Config;
use burn::module::{Module, Param, ParamGroup};
use burn::nn::PaddingConfig2d;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use super::centres::{CLASSES, HEAT_BIAS, REGRESSION};
use crate::models::resnet::model::Resnet;

#[derive(Config, Debug)]
pub struct CentreDetectorConfig {
    /// The backbone's output channels.
    pub features: usize,
    pub hidden: usize,
}

impl CentreDetectorConfig {
    /// A fresh head on `backbone`, which is frozen whole (its batch norms keep their running
    /// statistics).
    pub fn init(&self, backbone: Resnet, device: &Device) -> CentreDetector {
        let conv = |inputs: usize, outputs: usize, kernel: usize| {
            let pad = kernel / 2;
            Conv2dConfig::new([inputs, outputs], [kernel, kernel])
                .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
                .init(device)
        };
        let mut heat = conv(self.hidden, CLASSES, 1);
        heat.bias = Some(Param::from_tensor(Tensor::full(
            [CLASSES],
            HEAT_BIAS,
            device,
        )));
        CentreDetector {
            backbone: backbone.freeze(),
            mix: conv(self.features, self.hidden, 3),
            mix2: conv(self.hidden, self.hidden, 3),
            heat,
            regression: conv(self.hidden, REGRESSION, 1),
        }
    }
}

#[derive(Module, Debug)]
pub struct CentreDetector {
    backbone: Resnet,
    mix: Conv2d,
    mix2: Conv2d,
    heat: Conv2d,
    regression: Conv2d,
}

/// What the head says about a batch of canvases, per cell.
pub struct CentreOutput {
    /// [B, 10, 16, 16] heat logits.
    pub heat: Tensor<4>,
    /// [B, 4, 16, 16] width, height (cells), offset x, y (in the cell).
    pub regression: Tensor<4>,
}

impl CentreDetector {
    /// [B, 1, 64, 64] normalised canvases → heat logits and regression per cell.
    pub fn forward(&self, canvases: Tensor<4>) -> CentreOutput {
        let [.., heat, regression] = self.stages(canvases);
        CentreOutput { heat, regression }
    }

    /// Every stage's output, in the order [`super::shapes::centre_detector`] lists them: the
    /// canvases, the backbone's maps, the two mixing convolutions (after ReLU), the heat logits
    /// and the regression.
    pub fn stages(&self, canvases: Tensor<4>) -> [Tensor<4>; 6] {
        let maps = self.backbone.feature_maps(canvases.clone());
        let mixed = relu(self.mix.forward(maps.clone()));
        let mixed2 = relu(self.mix2.forward(mixed.clone()));
        [
            canvases,
            maps,
            mixed,
            mixed2.clone(),
            self.heat.forward(mixed2.clone()),
            self.regression.forward(mixed2),
        ]
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
