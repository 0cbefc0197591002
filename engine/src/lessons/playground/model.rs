//! A multi-layer perceptron from 2 inputs to 2 class logits.

use burn::config::Config;
use burn::module::Module;
use burn::nn::{Linear, LinearConfig};
use burn::tensor::{Device, Tensor};

use crate::common::activation::Activation;
use crate::common::matmul_kernel::{Act, dense};

#[derive(Config, Debug)]
pub struct MlpConfig {
    /// Width of each hidden layer; empty gives logistic regression.
    pub hidden: Vec<usize>,
    pub activation: Activation,
}

#[derive(Module, Debug)]
pub struct Mlp {
    layers: Vec<Linear>,
    #[module(skip)]
    activation: Activation,
}

impl MlpConfig {
    pub fn init(&self, device: &Device) -> Mlp {
        let widths: Vec<usize> = std::iter::once(2)
            .chain(self.hidden.iter().copied())
            .chain(std::iter::once(2))
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
    /// [batch, 2] points → [batch, 2] logits.
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
