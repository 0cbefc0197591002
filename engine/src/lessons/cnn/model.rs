//! A convolutional network from one-channel images to 10 class logits.

use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::pool::{AvgPool2d, AvgPool2dConfig, MaxPool2d, MaxPool2dConfig};
use burn::nn::{Dropout, DropoutConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::{Device, Tensor};

use super::config::{CLASSES, CnnSettings, ConvBlock, Pool};
use crate::common::activation::Activation;
use crate::common::activation::apply;
use crate::common::matmul_kernel::{self, Act, linear};

#[derive(Config, Debug)]
pub struct CnnConfig {
    /// Image size; the flattened feature count follows from it.
    pub rows: usize,
    pub cols: usize,
    pub blocks: Vec<ConvBlock>,
    /// Width of the hidden dense layer; 0 for none.
    pub dense: usize,
    pub dropout: f64,
    pub activation: Activation,
}

/// The pooling step of a block.
#[derive(Module, Debug)]
pub enum Pooling {
    Max(MaxPool2d),
    Average(AvgPool2d),
}

/// Convolution, activation, then optional pooling.
#[derive(Module, Debug)]
pub struct CnnBlock {
    conv: Conv2d,
    pool: Option<Pooling>,
}

#[derive(Module, Debug)]
pub struct Cnn {
    blocks: Vec<CnnBlock>,
    dense: Option<Linear>,
    dropout: Dropout,
    output: Linear,
    #[module(skip)]
    activation: Activation,
}

impl CnnConfig {
    /// The model for `settings` on `rows` × `cols` images. The settings must be valid
    /// (`CnnSettings::validate_for`): shapes that do not fit panic in burn.
    pub fn from_settings(settings: &CnnSettings, rows: usize, cols: usize) -> Self {
        CnnConfig::new(
            rows,
            cols,
            settings.blocks.clone(),
            settings.dense,
            settings.dropout,
            settings.activation,
        )
    }

    pub fn init(&self, device: &Device) -> Cnn {
        let mut channels = 1;
        let (mut h, mut w) = (self.rows, self.cols);
        let blocks = self
            .blocks
            .iter()
            .map(|b| {
                let p = b.padding;
                let conv = Conv2dConfig::new([channels, b.filters], [b.kernel, b.kernel])
                    .with_stride([b.stride, b.stride])
                    .with_padding(PaddingConfig2d::Explicit(p, p, p, p))
                    .init(device);
                channels = b.filters;
                h = (h + 2 * p - b.kernel) / b.stride + 1;
                w = (w + 2 * p - b.kernel) / b.stride + 1;
                let window = [b.pool_size, b.pool_size];
                let pool = match b.pool {
                    Pool::None => None,
                    Pool::Max => Some(Pooling::Max(MaxPool2dConfig::new(window).init())),
                    Pool::Average => Some(Pooling::Average(AvgPool2dConfig::new(window).init())),
                };
                if pool.is_some() {
                    h /= b.pool_size;
                    w /= b.pool_size;
                }
                CnnBlock { conv, pool }
            })
            .collect();
        let mut features = channels * h * w;
        let dense = (self.dense > 0).then(|| {
            let layer = LinearConfig::new(features, self.dense).init(device);
            features = self.dense;
            layer
        });
        Cnn {
            blocks,
            dense,
            dropout: DropoutConfig::new(self.dropout).init(),
            output: LinearConfig::new(features, CLASSES).init(device),
            activation: self.activation,
        }
    }
}

impl CnnBlock {
    /// [batch, in_channels, h, w] → [batch, filters, h', w'].
    fn forward(&self, x: Tensor<4>, activation: Activation) -> Tensor<4> {
        self.pool(self.convolve(x, activation))
    }

    /// The convolution and the activation, before pooling.
    fn convolve(&self, x: Tensor<4>, activation: Activation) -> Tensor<4> {
        apply(activation, self.conv.forward(x))
    }

    fn pool(&self, x: Tensor<4>) -> Tensor<4> {
        match &self.pool {
            // Window = stride, no padding: the shared fast kernel computes the same.
            Some(Pooling::Max(pool)) => crate::common::pool::max_pool(x, pool.kernel_size[0]),
            Some(Pooling::Average(pool)) => pool.forward(x),
            None => x,
        }
    }
}

impl Cnn {
    /// [batch, 1, rows, cols] normalised images → [batch, 10] logits.
    pub fn forward(&self, images: Tensor<4>) -> Tensor<2> {
        let maps = self
            .blocks
            .iter()
            .fold(images, |x, block| block.forward(x, self.activation));
        // [batch, channels, h, w] maps → [batch, channels·h·w] features.
        let mut x: Tensor<2> = maps.flatten(1, 3);
        if let Some(dense) = &self.dense {
            x = matmul_kernel::dense(dense, x, Act::from(self.activation));
        }
        linear(&self.output, self.dropout.forward(x))
    }

    /// The output of every convolution (after the activation) and of every pooling layer, in
    /// order, each [batch, filters, h, w], for [batch, 1, rows, cols] normalised images.
    pub fn feature_maps(&self, images: Tensor<4>) -> Vec<Tensor<4>> {
        let mut maps = Vec::with_capacity(2 * self.blocks.len());
        let mut x = images;
        for block in &self.blocks {
            x = block.convolve(x, self.activation);
            maps.push(x.clone());
            if block.pool.is_some() {
                x = block.pool(x);
                maps.push(x.clone());
            }
        }
        maps
    }

    /// The first convolution's weights, [filters, 1, kernel, kernel]; None without blocks.
    pub fn first_layer_weights(&self) -> Option<Tensor<4>> {
        self.blocks.first().map(|b| b.conv.weight.val())
    }

    pub fn block_count(&self) -> usize {
        self.blocks.len()
    }
}
