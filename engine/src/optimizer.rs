//! The optimisers a learner can choose, as burn optimisers.

use burn::optim::{AdamConfig, ModuleOptimizer, SgdConfig, momentum::MomentumConfig};

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
