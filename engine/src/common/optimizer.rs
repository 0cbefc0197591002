//! The optimisers a learner can choose, and (with `compute`) the burn optimiser of each.

use serde::{Deserialize, Serialize};

use super::named::named;

#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "lowercase")]
pub enum OptimizerKind {
    Sgd,
    Momentum,
    Adam,
}
named!(OptimizerKind { Sgd => "sgd", Momentum => "momentum", Adam => "adam" });

#[cfg(feature = "compute")]
use burn::{
    module::Module,
    optim::{AdamConfig, GradientsParams, ModuleOptimizer, SgdConfig, momentum::MomentumConfig},
    tensor::Tensor,
};

#[cfg(feature = "compute")]
/// A fresh optimiser of this kind (momentum: 0.9, no dampening; Adam: burn's defaults).
pub fn init(kind: OptimizerKind) -> ModuleOptimizer {
    match kind {
        OptimizerKind::Sgd => SgdConfig::new().init(),
        OptimizerKind::Momentum => SgdConfig::new()
            .with_momentum(Some(
                MomentumConfig::new().with_momentum(0.9).with_dampening(0.0),
            ))
            .init(),
        OptimizerKind::Adam => AdamConfig::new().init(),
    }
}

#[cfg(feature = "compute")]
/// Back-propagates `loss` through `model` and returns the model after one optimiser step.
pub fn step<M: Module>(
    optimizer: &mut ModuleOptimizer,
    learning_rate: f64,
    model: M,
    loss: &Tensor<1>,
) -> M {
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    optimizer.step(learning_rate, model, grads)
}
