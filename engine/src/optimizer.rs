//! The optimisers a learner can choose, as burn optimisers.

use burn::module::Module;
use burn::optim::{AdamConfig, GradientsParams, ModuleOptimizer, SgdConfig, momentum::MomentumConfig};
use burn::tensor::Tensor;

use crate::playground::OptimizerKind;

/// A fresh optimiser of this kind (momentum: 0.9, no dampening; Adam: burn's defaults).
pub fn init(kind: OptimizerKind) -> ModuleOptimizer {
    match kind {
        OptimizerKind::Sgd => SgdConfig::new().init(),
        OptimizerKind::Momentum => SgdConfig::new()
            .with_momentum(Some(MomentumConfig::new().with_momentum(0.9).with_dampening(0.0)))
            .init(),
        OptimizerKind::Adam => AdamConfig::new().init(),
    }
}

/// Back-propagates `loss` through `model` and returns the model after one optimiser step.
pub fn step<M: Module>(optimizer: &mut ModuleOptimizer, learning_rate: f64, model: M, loss: &Tensor<1>) -> M {
    let grads = GradientsParams::from_grads(loss.backward(), &model);
    optimizer.step(learning_rate, model, grads)
}
