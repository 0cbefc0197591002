//! The digit GAN's networks. The DCGAN's generator goes up from the noise with transposed
//! convolutions and smooths its 28 × 28 maps into one image with a last 3 × 3 convolution; its
//! discriminator goes down with three strided convolutions. The MLP pair is two small
//! perceptrons. Images are [n, 1, 28, 28] in (−1, 1); a conditional discriminator reads the
//! label as ten extra constant channels (one of them all ones).

use burn::config::Config;
use burn::module::Module;
use burn::nn::conv::{Conv2d, Conv2dConfig, ConvTranspose2d, ConvTranspose2dConfig};
use burn::nn::{BatchNorm, BatchNormConfig, Linear, LinearConfig, PaddingConfig2d};
use burn::tensor::activation::{leaky_relu, relu};
use burn::tensor::{Device, Tensor};

use super::digits::{CLASSES, DigitModel, SIDE};
use crate::common::matmul_kernel::{Act, dense, linear};

const SLOPE: f64 = 0.2;

#[derive(Module, Debug)]
pub struct DcganGenerator {
    project: Linear,
    norm: BatchNorm,
    up1: ConvTranspose2d,
    norm1: BatchNorm,
    up2: ConvTranspose2d,
    norm2: BatchNorm,
    refine: Conv2d,
}

#[derive(Module, Debug)]
pub struct DcganDiscriminator {
    down1: Conv2d,
    down2: Conv2d,
    down3: Conv2d,
    head: Linear,
}

#[derive(Module, Debug)]
pub struct MlpGenerator {
    hidden: Linear,
    hidden2: Linear,
    output: Linear,
}

#[derive(Module, Debug)]
pub struct MlpDiscriminator {
    hidden: Linear,
    hidden2: Linear,
    output: Linear,
}

// One pair lives per lesson, so the variants' size difference costs nothing; boxing would take
// the variant out of burn's Module derive.
#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum DigitGenerator {
    Dcgan(DcganGenerator),
    Mlp(MlpGenerator),
}

#[allow(clippy::large_enum_variant)]
#[derive(Module, Debug)]
pub enum DigitDiscriminator {
    Dcgan(DcganDiscriminator),
    Mlp(MlpDiscriminator),
}

/// Channels of the DCGAN's 7 × 7 and 14 × 14 feature maps.
const WIDE: usize = 64;
const NARROW: usize = 32;
/// Channels of the generator's 28 × 28 maps, before its last convolution.
const FINE: usize = 16;
/// Channels of the discriminator's last, 4 × 4 maps.
const DEEP: usize = 128;

#[derive(Config, Debug)]
pub struct DigitNetworksConfig {
    pub model: DigitModel,
    /// Values the generator reads (noise, and the label's code when conditional).
    pub input: usize,
    pub conditional: bool,
}

fn up(channels: [usize; 2], device: &Device) -> ConvTranspose2d {
    // 4 × 4 kernels, stride 2, padding 1: each side doubles.
    ConvTranspose2dConfig::new(channels, [4, 4])
        .with_stride([2, 2])
        .with_padding([1, 1])
        .init(device)
}

/// `kernel` × `kernel`, `stride`, padding 1. 4 × 4 at stride 2 halves each side; 3 × 3 keeps it at
/// stride 1 (28 → 28) and takes 7 to 4 at stride 2.
fn conv(channels: [usize; 2], kernel: usize, stride: usize, device: &Device) -> Conv2d {
    Conv2dConfig::new(channels, [kernel, kernel])
        .with_stride([stride, stride])
        .with_padding(PaddingConfig2d::Explicit(1, 1, 1, 1))
        .init(device)
}

impl DigitNetworksConfig {
    pub fn generator(&self, device: &Device) -> DigitGenerator {
        match self.model {
            DigitModel::Dcgan => DigitGenerator::Dcgan(DcganGenerator {
                project: LinearConfig::new(self.input, WIDE * 7 * 7).init(device),
                norm: BatchNormConfig::new(WIDE).init(device),
                up1: up([WIDE, NARROW], device),
                norm1: BatchNormConfig::new(NARROW).init(device),
                up2: up([NARROW, FINE], device),
                norm2: BatchNormConfig::new(FINE).init(device),
                refine: conv([FINE, 1], 3, 1, device),
            }),
            DigitModel::Mlp => DigitGenerator::Mlp(MlpGenerator {
                hidden: LinearConfig::new(self.input, 256).init(device),
                hidden2: LinearConfig::new(256, 512).init(device),
                output: LinearConfig::new(512, SIDE * SIDE).init(device),
            }),
        }
    }

    pub fn discriminator(&self, device: &Device) -> DigitDiscriminator {
        let labels = if self.conditional { CLASSES } else { 0 };
        match self.model {
            DigitModel::Dcgan => DigitDiscriminator::Dcgan(DcganDiscriminator {
                down1: conv([1 + labels, NARROW], 4, 2, device),
                down2: conv([NARROW, WIDE], 4, 2, device),
                down3: conv([WIDE, DEEP], 3, 2, device),
                head: LinearConfig::new(DEEP * 4 * 4, 1).init(device),
            }),
            DigitModel::Mlp => DigitDiscriminator::Mlp(MlpDiscriminator {
                hidden: LinearConfig::new(SIDE * SIDE + labels, 512).init(device),
                hidden2: LinearConfig::new(512, 256).init(device),
                output: LinearConfig::new(256, 1).init(device),
            }),
        }
    }
}

impl DigitGenerator {
    /// [n, input] → [n, 1, 28, 28] images in (−1, 1).
    pub fn forward(&self, z: Tensor<2>) -> Tensor<4> {
        let n = z.dims()[0];
        match self {
            DigitGenerator::Dcgan(g) => {
                // [n, input] → [n, 64·7·7] → [n, 64, 7, 7].
                let x = linear(&g.project, z).reshape([n, WIDE, 7, 7]);
                let x = relu(g.norm.forward(x));
                // → [n, 32, 14, 14] → [n, 16, 28, 28] → [n, 1, 28, 28].
                let x = relu(g.norm1.forward(g.up1.forward(x)));
                let x = relu(g.norm2.forward(g.up2.forward(x)));
                g.refine.forward(x).tanh()
            }
            DigitGenerator::Mlp(g) => {
                let x = dense(&g.hidden, z, Act::Relu);
                let x = dense(&g.hidden2, x, Act::Relu);
                // [n, 784] → [n, 1, 28, 28].
                dense(&g.output, x, Act::Tanh).reshape([n, 1, SIDE, SIDE])
            }
        }
    }
}

impl DigitDiscriminator {
    /// [n, 1, 28, 28] images (and, when conditional, [n, 10] one-hot labels) → [n, 1] logits.
    pub fn forward(&self, images: Tensor<4>, labels: Option<Tensor<2>>) -> Tensor<2> {
        let n = images.dims()[0];
        match self {
            DigitDiscriminator::Dcgan(d) => {
                let x = match labels {
                    // [n, 10] → [n, 10, 1, 1] → [n, 10, 28, 28], joined to the image's channel.
                    Some(labels) => {
                        let maps = labels
                            .reshape([n, CLASSES, 1, 1])
                            .expand([n, CLASSES, SIDE, SIDE]);
                        Tensor::cat(vec![images, maps], 1)
                    }
                    None => images,
                };
                // → [n, 32, 14, 14] → [n, 64, 7, 7] → [n, 128, 4, 4] → [n, 128·4·4] → [n, 1].
                let x = leaky_relu(d.down1.forward(x), SLOPE);
                let x = leaky_relu(d.down2.forward(x), SLOPE);
                let x = leaky_relu(d.down3.forward(x), SLOPE);
                linear(&d.head, x.reshape([n, DEEP * 4 * 4]))
            }
            DigitDiscriminator::Mlp(d) => {
                // [n, 1, 28, 28] → [n, 784], with the labels appended.
                let x = images.reshape([n, SIDE * SIDE]);
                let x = match labels {
                    Some(labels) => Tensor::cat(vec![x, labels], 1),
                    None => x,
                };
                let x = dense(&d.hidden, x, Act::LeakyRelu(SLOPE));
                let x = dense(&d.hidden2, x, Act::LeakyRelu(SLOPE));
                linear(&d.output, x)
            }
        }
    }
}
