//! The hidden-layer activations a learner can choose in a trained model.

use serde::{Deserialize, Serialize};

use super::named::named;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum Activation {
    Relu,
    Tanh,
    Sigmoid,
    Linear,
}
named!(Activation { Relu => "relu", Tanh => "tanh", Sigmoid => "sigmoid", Linear => "linear" });

#[cfg(feature = "compute")]
pub fn apply<const D: usize>(
    kind: Activation,
    x: burn::tensor::Tensor<D>,
) -> burn::tensor::Tensor<D> {
    use burn::tensor::activation;
    match kind {
        Activation::Relu => activation::relu(x),
        Activation::Tanh => activation::tanh(x),
        Activation::Sigmoid => activation::sigmoid(x),
        Activation::Linear => x,
    }
}
