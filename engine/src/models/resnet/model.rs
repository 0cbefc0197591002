//! The residual network as a burn module.
//!
//! ```text
//! [B, 1, 28, 28] → stem: conv 3×3, batch norm, ReLU              → [B, 16, 28, 28]
//!   → stage blocks: conv 3×3 (stride s), BN, ReLU, conv 3×3, BN,
//!     + shortcut (identity, or conv 1×1 stride s + BN when the shape changes), ReLU
//!                                                                → [B, 64, 7, 7]   feature_maps
//!   → global average pooling                                     → [B, 64]         features
//!   → linear head                                                → [B, classes]    forward
//! ```
//! (the shapes are those of the default settings).

use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::relu;
use burn::tensor::{Device, Tensor};

use super::config::{ResnetSettings, Stage};
use crate::common::matmul_kernel::linear;

#[derive(Config, Debug)]
pub struct ResnetConfig {
    pub stem: usize,
    pub stages: Vec<Stage>,
    pub classes: usize,
}

/// A convolution without bias (the batch norm's shift takes its place) and its batch norm.
#[derive(Module, Debug)]
pub struct ConvNorm {
    conv: Conv2d,
    norm: BatchNorm,
}

/// conv 3×3 (stride) → BN → ReLU → conv 3×3 → BN, plus the shortcut, then ReLU.
#[derive(Module, Debug)]
pub struct BasicBlock {
    first: ConvNorm,
    second: ConvNorm,
    /// A 1×1 convolution and batch norm where the block changes the channels or the side;
    /// None where the input is added as it is.
    shortcut: Option<ConvNorm>,
}

#[derive(Module, Debug)]
pub struct Resnet {
    stem: ConvNorm,
    /// Every stage's blocks, one after another.
    blocks: Vec<BasicBlock>,
    head: Linear,
}

impl ResnetConfig {
    /// The model for `settings`, which must be valid ([`ResnetSettings::validate`]): shapes that
    /// do not fit panic in burn.
    pub fn from_settings(settings: &ResnetSettings) -> Self {
        ResnetConfig::new(settings.stem, settings.stages.clone(), settings.classes)
    }

    pub fn init(&self, device: &Device) -> Resnet {
        let mut inputs = self.stem;
        let mut blocks = Vec::new();
        for stage in &self.stages {
            for block in 0..stage.blocks {
                let stride = if block == 0 { stage.stride } else { 1 };
                let outputs = stage.channels;
                blocks.push(BasicBlock {
                    first: ConvNorm::new(inputs, outputs, 3, stride, device),
                    second: ConvNorm::new(outputs, outputs, 3, 1, device),
                    shortcut: (stride != 1 || inputs != outputs)
                        .then(|| ConvNorm::new(inputs, outputs, 1, stride, device)),
                });
                inputs = outputs;
            }
        }
        Resnet {
            stem: ConvNorm::new(1, self.stem, 3, 1, device),
            blocks,
            head: LinearConfig::new(inputs, self.classes).init(device),
        }
    }
}

impl ConvNorm {
    /// `kernel` 3 is padded by 1 and keeps the side at stride 1; `kernel` 1 is not padded.
    fn new(inputs: usize, outputs: usize, kernel: usize, stride: usize, device: &Device) -> Self {
        let pad = kernel / 2;
        Self {
            conv: Conv2dConfig::new([inputs, outputs], [kernel, kernel])
                .with_stride([stride, stride])
                .with_padding(PaddingConfig2d::Explicit(pad, pad, pad, pad))
                .with_bias(false)
                .init(device),
            norm: BatchNormConfig::new(outputs).init(device),
        }
    }

    /// [B, inputs, h, w] → [B, outputs, h', w'] (h' = (h − 1) / stride + 1).
    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        self.norm.forward(self.conv.forward(x))
    }
}

impl BasicBlock {
    /// [B, inputs, h, w] → [B, outputs, h', w'].
    fn forward(&self, x: Tensor<4>) -> Tensor<4> {
        let residual = self.second.forward(relu(self.first.forward(x.clone())));
        let skip = match &self.shortcut {
            Some(shortcut) => shortcut.forward(x),
            None => x,
        };
        relu(residual + skip)
    }
}

impl Resnet {
    /// [B, 1, rows, cols] normalised images → [B, classes] logits.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        linear(&self.head, self.features(images))
    }

    /// The pooled backbone output, [B, C] (C = the last stage's channels): what a new head for
    /// another task reads.
    pub fn features(&self, images: Tensor<4>) -> Tensor<2> {
        let maps = self.feature_maps(images);
        let [batch, channels, rows, cols] = maps.dims();
        // [B, C, h, w] → [B, C, h·w] → mean over positions → [B, C, 1] → [B, C].
        maps.reshape([batch, channels, rows * cols])
            .mean_dim(2)
            .reshape([batch, channels])
    }

    /// The backbone's output maps before pooling, [B, C, h, w] (h = w = 7 for 28 × 28 images
    /// with the default settings): what a detection head reads.
    pub fn feature_maps(&self, images: Tensor<4>) -> Tensor<4> {
        let x = relu(self.stem.forward(images));
        self.blocks.iter().fold(x, |x, block| block.forward(x))
    }

    /// The same backbone with a fresh linear head for `classes` outputs, on `device`.
    pub fn with_new_head(self, classes: usize, device: &Device) -> Self {
        let [features, _] = self.head.weight.lazy_shape().dims();
        Self {
            head: LinearConfig::new(features, classes).init(device),
            ..self
        }
    }

    /// The backbone frozen, the head left as it is: the stem's and the blocks' parameters get no
    /// gradient, and their batch norms use and keep their running statistics instead of the
    /// batch's (burn's `freeze`: `no_grad` alone would still update the statistics while
    /// training the head).
    pub fn freeze_backbone(self) -> Self {
        Self {
            stem: self.stem.freeze(),
            blocks: self.blocks.freeze(),
            head: self.head,
        }
    }

    /// The head's output count.
    pub fn classes(&self) -> usize {
        let [_, classes] = self.head.weight.lazy_shape().dims();
        classes
    }
}
