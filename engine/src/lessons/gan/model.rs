//! The toy's two networks: multi-layer perceptrons, the generator from noise to a point, the
//! discriminator from a point to one logit (D's probability of "real" is its sigmoid).

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Device, Tensor};

use crate::common::activation::Activation;
use crate::common::matmul_kernel::{Act, dense};

#[derive(Config, Debug)]
pub struct MlpConfig {
    pub input: usize,
    /// Width of each hidden layer.
    pub hidden: Vec<usize>,
    pub output: usize,
    pub activation: Activation,
}

/// Linear layers with the activation between them; the last layer's output is left as it is.
#[derive(Module, Debug)]
pub struct Mlp {
    layers: Vec<Linear>,
    #[module(skip)]
    activation: Activation,
}

impl MlpConfig {
    pub fn init(&self, device: &Device) -> Mlp {
        let widths: Vec<usize> = std::iter::once(self.input)
            .chain(self.hidden.iter().copied())
            .chain(std::iter::once(self.output))
            .collect();
        let layers = widths
            .windows(2)
            .map(|pair| LinearConfig::new(pair[0], pair[1]).init(device))
            .collect();
        Mlp {
            layers,
            activation: self.activation,
        }
    }
}

impl Mlp {
    /// [batch, input] → [batch, output].
    pub fn forward(&self, input: Tensor<2>) -> Tensor<2> {
        let last = self.layers.len() - 1;
        self.layers.iter().enumerate().fold(input, |x, (i, layer)| {
            let act = if i == last {
                Act::Identity
            } else {
                Act::from(self.activation)
            };
            dense(layer, x, act)
        })
    }
}
