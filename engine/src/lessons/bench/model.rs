//! The benchmark's networks.

use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig};
use burn::nn::{Initializer, Linear, LinearConfig};
use burn::tensor::{Device, Tensor, activation};

use crate::common::matmul_kernel::{Act, dense, linear};
use crate::common::pool::max_pool;

/// Workload A's convolutional feature extractor: [n, 1, 28, 28] → [n, 256].
#[derive(Module, Debug)]
pub struct SmallConvs {
    conv1: Conv2d,
    conv2: Conv2d,
}

/// Workload A's network: the convolutions then one dense layer to 10 logits.
#[derive(Module, Debug)]
pub struct SmallCnn {
    pub convs: SmallConvs,
    pub head: Linear,
}

/// Features [`SmallConvs`] produces per image: 16 channels of 4×4.
pub const SMALL_FEATURES: usize = 16 * 4 * 4;

#[derive(Config, Debug)]
pub struct SmallCnnConfig {
    #[config(default = 10)]
    pub classes: usize,
    /// `None`: each layer's own random default, drawn from the device's generator. A constant
    /// draws nothing from it.
    #[config(default = "None")]
    pub initializer: Option<Initializer>,
}

impl SmallCnnConfig {
    pub fn init(&self, device: &Device) -> SmallCnn {
        let conv = |channels, kernel| {
            let config = Conv2dConfig::new(channels, kernel);
            match &self.initializer {
                Some(initializer) => config.with_initializer(initializer.clone()),
                None => config,
            }
            .init(device)
        };
        let head = LinearConfig::new(SMALL_FEATURES, self.classes);
        let head = match &self.initializer {
            Some(initializer) => head.with_initializer(initializer.clone()),
            None => head,
        };
        SmallCnn {
            convs: SmallConvs {
                conv1: conv([1, 8], [5, 5]),
                conv2: conv([8, 16], [5, 5]),
            },
            head: head.init(device),
        }
    }
}

impl SmallConvs {
    /// [n, 1, 28, 28] → [n, 256].
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        let x = max_pool(activation::relu(self.conv1.forward(x)), 2); // [n, 8, 12, 12]
        let x = max_pool(activation::relu(self.conv2.forward(x)), 2); // [n, 16, 4, 4]
        x.flatten(1, 3)
    }
}

impl SmallCnn {
    /// [n, 1, 28, 28] → [n, classes] logits.
    pub fn forward(&self, x: Tensor<4>) -> Tensor<2> {
        linear(&self.head, self.convs.forward(x))
    }
}

/// A two-layer perceptron: input → hidden → output, the hidden activation chosen by the owner.
#[derive(Module, Debug)]
pub struct Mlp {
    hidden: Linear,
    output: Linear,
}

#[derive(Config, Debug)]
pub struct MlpConfig {
    pub input: usize,
    pub hidden: usize,
    pub output: usize,
}

impl MlpConfig {
    pub fn init(&self, device: &Device) -> Mlp {
        Mlp {
            hidden: LinearConfig::new(self.input, self.hidden).init(device),
            output: LinearConfig::new(self.hidden, self.output).init(device),
        }
    }
}

/// Noise values the generator reads.
pub const NOISE: usize = 64;
/// Pixels of one generated image.
pub const PIXELS: usize = 28 * 28;

impl Mlp {
    /// The generator: [n, 64] noise → [n, 784] pixels in (-1, 1).
    pub fn generate(&self, z: Tensor<2>) -> Tensor<2> {
        let h = dense(&self.hidden, z, Act::Relu);
        dense(&self.output, h, Act::Tanh)
    }

    /// The discriminator: [n, 784] pixels → [n, 1] logits.
    pub fn discriminate(&self, x: Tensor<2>) -> Tensor<2> {
        let h = dense(&self.hidden, x, Act::LeakyRelu(0.2));
        linear(&self.output, h)
    }
}

/// The generator of workload B.
pub fn generator(device: &Device) -> Mlp {
    MlpConfig::new(NOISE, 128, PIXELS).init(device)
}

/// The discriminator of workload B.
pub fn discriminator(device: &Device) -> Mlp {
    MlpConfig::new(PIXELS, 128, 1).init(device)
}
